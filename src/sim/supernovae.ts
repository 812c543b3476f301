/**
 * Multi-band light curves of supernovae and an impostor, as a wide-field transient survey sees
 * them, for the recurrent-network lesson (the problem of the Supernova Photometric Classification
 * Challenge, Kessler et al. 2010, PASP 122, 1415, and of PLAsTiCC, Kessler et al. 2019, PASP 131,
 * 094501).
 *
 * Classes (rest-frame B-band peak absolute magnitudes, mean ± scatter, from Richardson et al.
 * 2014, AJ 147, 118, rounded):
 * - `Ia`: M ≈ −19.3 ± 0.15 after a width–luminosity relation (Phillips 1993: broader is brighter,
 *   a "stretch" s); rise ≈ 17 d; a second maximum ≈ 25–30 d after peak in i and z (Kasen 2006);
 *   very red in the rest-frame ultraviolet (line blanketing), reddening quickly after peak.
 * - `Ibc`: M ≈ −17.6 ± 0.8; faster rise (≈ 12 d) and fade; no hydrogen, UV also blanketed.
 * - `IIP`: M ≈ −16.8 ± 0.9; hot and blue at first, then a ~100-day plateau at the hydrogen
 *   recombination temperature (≈ 6000 K), then a ~2-mag drop to the radioactive tail.
 * - `IIL`: M ≈ −17.6 ± 0.8; linear decline of 0.03–0.05 mag/d instead of a plateau.
 * - `IIn`: M ≈ −18.6 ± 1.0; slow rise (2–6 weeks) and slow decline, blue for months (interaction
 *   with dense circumstellar gas).
 * - `AGN`: an active nucleus (mean r = 21–24.5), not a supernova: a damped random walk
 *   (Kelly et al. 2009, ApJ 698, 895; MacLeod et al. 2010, ApJ 721, 1014), rest-frame damping
 *   time 100–400 d, amplitude 0.1–0.3 mag, larger in bluer bands. A difference-imaging survey
 *   measures the change from the reference image, so its fluxes scatter around zero.
 *
 * Spectral model. A supernova's rest-frame spectrum at time t is a blackbody of temperature T(t)
 * times a class-dependent ultraviolet suppression below 4000 Å, scaled so that the rest-frame B
 * (4400 Å) magnitude follows the class's template. A band of effective wavelength λ_b at redshift z
 * samples the rest wavelength λ_b / (1 + z), so
 *   m_b(t_obs) = M_B + Δm_B(t_rest) + μ(z) − 2.5 log10(1 + z) + c(λ_b / (1 + z), t_rest),
 * with t_rest = (t_obs − t_explosion) / (1 + z) (time dilation), μ the distance modulus of a
 * flat ΛCDM cosmology (H0 = 70 km/s/Mpc, Ωm = 0.3), the −2.5 log10(1 + z) term the compression of
 * the frequency interval, and c(λ, t) = −2.5 log10[S(λ, t) / S(4400 Å, t)] the colour (a
 * K-correction in all but name). Because every band samples bluer rest light at higher z, and a
 * supernova is fainter in the ultraviolet, **observed colours at a fixed phase redden with
 * redshift** (g − r at peak increases from z = 0.1 to z = 0.6 for every supernova class).
 *
 * Survey. Nights come from `sampleTimes` of ./lightcurves (the same weather model as the periodic
 * variables of notebook 05: each night of the season yields a visit with probability
 * `nightFraction`, and the season ends); each visit takes one exposure, the filter rotating
 * g → r → i → z from visit to visit. Fluxes are in SNANA's FLUXCAL units (zero point 27.5 mag:
 * m = 27.5 − 2.5 log10 F), as difference-image photometry: the sky noise comes from the night's
 * 5σ limiting magnitude (scattered about the band's median by moon and seeing), and the source
 * adds Poisson noise, σ_F² = (F_lim / 5)² + F_true / G, with G the counts per FLUXCAL unit.
 * An object enters the sample if it is detected (F / σ_F ≥ 5) on at least `minDetections` visits
 * — the usual trigger — so faint, distant events drop out (Malmquist bias) and light curves begin
 * before, during or after peak depending on the explosion date within the season.
 */
import { Rng } from "../random";
import { sampleTimes } from "./lightcurves";

const { exp, log10, sqrt, pow, max, min, abs } = Math;

/** Transient classes the simulator knows. */
export type TransientClass = "Ia" | "Ibc" | "IIP" | "IIL" | "IIn" | "AGN";
export const TRANSIENT_CLASSES: readonly TransientClass[] = ["Ia", "Ibc", "IIP", "IIL", "IIn", "AGN"];

/** Survey bands, in rotation order. */
export type SurveyBand = "g" | "r" | "i" | "z";
export const SURVEY_BANDS: readonly SurveyBand[] = ["g", "r", "i", "z"];
/** Effective wavelengths of the SDSS/DES-like griz filters, Å. */
export const BAND_WAVELENGTH_ANGSTROM: Readonly<Record<SurveyBand, number>> = { g: 4770, r: 6231, i: 7625, z: 9134 };
/** Zero point of FLUXCAL units, mag (SNANA's convention). */
export const FLUXCAL_ZERO_POINT_MAG = 27.5;
/** Median 5σ limiting magnitudes per visit (a DES-/LSST-like single exposure). */
export const DEFAULT_LIMITING_MAG: Readonly<Record<SurveyBand, number>> = { g: 24.2, r: 24.0, i: 23.6, z: 23.1 };
/** Rest wavelength of the reference (B) band the templates are defined in, Å. */
export const REST_B_ANGSTROM = 4400;

/** Peak absolute magnitude (rest B) distributions: mean and Gaussian scatter. */
export const PEAK_ABS_MAG: Readonly<Record<Exclude<TransientClass, "AGN">, { mean: number; sd: number }>> = {
  Ia: { mean: -19.3, sd: 0.15 },
  Ibc: { mean: -17.6, sd: 0.8 },
  IIP: { mean: -16.8, sd: 0.9 },
  IIL: { mean: -17.6, sd: 0.8 },
  IIn: { mean: -18.6, sd: 1.0 },
};

/** Default class mix of a sample (before detection cuts): SPCC-like, Ia-rich, no II-L. */
export const DEFAULT_TRANSIENT_MIX: Readonly<Partial<Record<TransientClass, number>>> = {
  Ia: 0.4, Ibc: 0.15, IIP: 0.25, IIn: 0.1, AGN: 0.1,
};

/** Largest redshift drawn per class (p(z) ∝ z² below it, roughly uniform in volume). */
export const MAX_REDSHIFT: Readonly<Record<TransientClass, number>> = {
  Ia: 1.0, Ibc: 0.5, IIP: 0.4, IIL: 0.5, IIn: 0.8, AGN: 2.0,
};

/** The survey: season, weather, filters, depth and noise. */
export interface TransientSurvey {
  /** Length of the observing season, days (default 180). */
  seasonLengthDays?: number;
  /** Probability that a night of the season yields a visit (weather and scheduling; default 0.45). */
  nightFraction?: number;
  /** Median 5σ limiting magnitude per band (default DEFAULT_LIMITING_MAG). */
  limitingMag?: Partial<Record<SurveyBand, number>>;
  /** Night-to-night Gaussian scatter of the limiting magnitude, mag (default 0.3). */
  limitingMagScatter?: number;
  /** Detector counts per FLUXCAL unit, sets the source Poisson noise (default 10). */
  countsPerFluxcal?: number;
  /** Visits with S/N ≥ 5 needed to enter the sample (default 2). */
  minDetections?: number;
}

/** Survey options with defaults filled in. */
export type ResolvedSurvey = Required<Omit<TransientSurvey, "limitingMag">> & { limitingMag: Record<SurveyBand, number> };

export function resolveSurvey(survey: TransientSurvey = {}): ResolvedSurvey {
  const s: ResolvedSurvey = {
    seasonLengthDays: survey.seasonLengthDays ?? 180,
    nightFraction: survey.nightFraction ?? 0.45,
    limitingMag: { ...DEFAULT_LIMITING_MAG, ...survey.limitingMag },
    limitingMagScatter: survey.limitingMagScatter ?? 0.3,
    countsPerFluxcal: survey.countsPerFluxcal ?? 10,
    minDetections: survey.minDetections ?? 2,
  };
  if (!(s.seasonLengthDays >= 10)) throw new Error(`TransientSurvey.seasonLengthDays must be >= 10 days, got ${s.seasonLengthDays}`);
  if (!(s.nightFraction > 0 && s.nightFraction <= 1)) throw new Error(`TransientSurvey.nightFraction must be in (0, 1], got ${s.nightFraction}`);
  if (!(s.countsPerFluxcal > 0)) throw new Error(`TransientSurvey.countsPerFluxcal must be > 0, got ${s.countsPerFluxcal}`);
  if (!(s.limitingMagScatter >= 0)) throw new Error(`TransientSurvey.limitingMagScatter must be >= 0, got ${s.limitingMagScatter}`);
  if (!(Number.isInteger(s.minDetections) && s.minDetections >= 0)) {
    throw new Error(`TransientSurvey.minDetections must be a non-negative integer, got ${s.minDetections}`);
  }
  return s;
}

/**
 * Physical parameters of one transient (the truth a classifier is judged against). Times are in
 * the observer frame, days since the start of the season, unless named `Rest`.
 */
export interface TransientParams {
  cls: TransientClass;
  redshift: number;
  /** Distance modulus μ(z), mag (flat ΛCDM, H0 = 70, Ωm = 0.3). */
  distanceModulusMag: number;
  /** Rest-frame B peak absolute magnitude (supernovae; NaN for AGN). */
  peakAbsMag: number;
  /** Explosion time (supernovae) — for AGN the start of the simulated stretch. */
  explosionDays: number;
  /** Time of rest-frame B maximum, observer frame (supernovae; NaN for AGN). */
  peakDays: number;
  /** Rest-frame days from explosion to B maximum (supernovae; NaN for AGN). */
  riseRestDays: number;
  /** Time scale of the initial rise, rest-frame days: flux ∝ 1 − exp(−(t/τ)²). */
  riseTauRestDays: number;
  /** Early decline rate (rest B), mag/day, and the later (tail) rate after `breakRestDays`. */
  declineMagPerDay: number;
  tailMagPerDay: number;
  breakRestDays: number;
  /** II-P plateau length (drop time), rest days; Ia second-maximum time; else NaN. */
  plateauRestDays: number;
  /** Ia stretch (1 = normal), else NaN. */
  stretch: number;
  /** Temperature model T(t) = floor + (hot − floor) exp(−t / cool), K and rest days. */
  tempFloorK: number;
  tempHotK: number;
  tempCoolRestDays: number;
  /** AGN: mean r magnitude, DRW amplitude (mag, r band), rest damping time (days); else NaN. */
  agnMeanMagR: number;
  agnSigmaMag: number;
  agnTauRestDays: number;
}

/** One simulated light curve: the observations and the truth. */
export interface TransientLightCurve {
  params: TransientParams;
  /** Observation times, observer-frame days since the start of the season, increasing. */
  timeDays: Float64Array;
  /** Band index (0..3 = g, r, i, z) of each observation. */
  band: Int8Array;
  /** Measured flux, FLUXCAL units (may be negative: difference imaging). */
  flux: Float64Array;
  /** 1σ flux error, FLUXCAL. */
  fluxErr: Float64Array;
  /** Noiseless flux, FLUXCAL. */
  fluxTrue: Float64Array;
  /** The night's 5σ limiting magnitude in the observed band. */
  limitingMag: Float64Array;
  /** Time of the first visit with S/N ≥ 5 (NaN if none). */
  firstDetectionDays: number;
  /** Visits with S/N ≥ 5. */
  nDetections: number;
  /** Seed this light curve was drawn from (reproduce it with `simulateTransient({ seed })`). */
  seed: number;
}

// ---------------------------------------------------------------------------------------------
// Cosmology

const C_KM_S = 299792.458;
const H0 = 70;
const OMEGA_M = 0.3;
const Z_TABLE_STEP = 0.001;
const Z_TABLE_MAX = 4;
let comovingTable: Float64Array | undefined;

function comovingDistanceTable(): Float64Array {
  if (!comovingTable) {
    const n = Math.round(Z_TABLE_MAX / Z_TABLE_STEP);
    const t = new Float64Array(n + 1);
    const invE = (z: number) => 1 / sqrt(OMEGA_M * pow(1 + z, 3) + 1 - OMEGA_M);
    for (let k = 1; k <= n; k++) {
      // Simpson's rule on each step: error ~1e-15 relative, far below anything measured
      const z0 = (k - 1) * Z_TABLE_STEP;
      const z1 = k * Z_TABLE_STEP;
      t[k] = t[k - 1] + ((z1 - z0) / 6) * (invE(z0) + 4 * invE((z0 + z1) / 2) + invE(z1));
    }
    for (let k = 0; k <= n; k++) t[k] *= C_KM_S / H0;
    comovingTable = t;
  }
  return comovingTable;
}

/** Luminosity distance, Mpc, in flat ΛCDM with H0 = 70 km/s/Mpc and Ωm = 0.3. */
export function luminosityDistanceMpc(redshift: number): number {
  if (!(redshift >= 0 && redshift <= Z_TABLE_MAX)) {
    throw new Error(`luminosityDistanceMpc: redshift must be in [0, ${Z_TABLE_MAX}], got ${redshift}`);
  }
  const t = comovingDistanceTable();
  const x = redshift / Z_TABLE_STEP;
  const k = min(Math.floor(x), t.length - 2);
  const f = x - k;
  return (1 + redshift) * (t[k] * (1 - f) + t[k + 1] * f);
}

/** Distance modulus μ = 5 log10(d_L / 10 pc), mag. */
export function distanceModulusMag(redshift: number): number {
  if (!(redshift > 0)) throw new Error(`distanceModulusMag: redshift must be > 0, got ${redshift}`);
  return 5 * log10(luminosityDistanceMpc(redshift)) + 25;
}

// ---------------------------------------------------------------------------------------------
// Supernova spectral and light-curve model

// Blackbody B_ν up to a constant, λ in Å: ν³ / (exp(hν/kT) − 1), hc/k = 1.4388e8 Å K.
function planckNu(lambdaA: number, tempK: number): number {
  const x = 1.4388e8 / (lambdaA * tempK);
  return 1 / (pow(lambdaA, 3) * (x > 700 ? Infinity : Math.expm1(x)));
}

/** Width (Å) of the ultraviolet suppression below 4000 Å: flux × exp(−(4000 − λ)/width). */
const UV_WIDTH_ANGSTROM: Readonly<Record<Exclude<TransientClass, "AGN">, number>> = {
  Ia: 700, Ibc: 800, IIP: 1500, IIL: 1500, IIn: 3000,
};

function uvSuppression(cls: Exclude<TransientClass, "AGN">, lambdaA: number): number {
  return lambdaA >= 4000 ? 1 : exp(-(4000 - lambdaA) / UV_WIDTH_ANGSTROM[cls]);
}

function temperatureK(p: TransientParams, tRest: number): number {
  return p.tempFloorK + (p.tempHotK - p.tempFloorK) * exp(-max(tRest, 0) / p.tempCoolRestDays);
}

// Smooth ramp: softplus(x / w) · w, ≈ max(x, 0) with a rounded corner of width w.
function softRamp(x: number, w: number): number {
  const u = x / w;
  return u > 30 ? x : w * Math.log1p(exp(u));
}

/** Rest-B flux of the template, relative units (not normalised), t = rest days since explosion. */
function templateFlux(p: TransientParams, tRest: number): number {
  if (tRest <= 0) return 0;
  const rise = 1 - exp(-((tRest / p.riseTauRestDays) ** 2));
  let mag = p.declineMagPerDay * tRest + (p.tailMagPerDay - p.declineMagPerDay) * softRamp(tRest - p.breakRestDays, 5);
  if (p.cls === "IIP") mag += 2 / (1 + exp(-(tRest - p.plateauRestDays) / 4));
  return rise * pow(10, -0.4 * mag);
}

/** Extra red-band flux of the Ia second maximum (fraction of peak), rest λ in Å. */
function secondMaximum(p: TransientParams, tRest: number, lambdaA: number): number {
  if (p.cls !== "Ia" || lambdaA < 6000) return 0;
  const weight = min((lambdaA - 6000) / 2500, 1);
  const dt = tRest - p.plateauRestDays;
  return 0.45 * weight * exp(-0.5 * (dt / (7 * p.stretch)) ** 2);
}

interface TemplatePeak { peakRestDays: number; peakFlux: number }

function findTemplatePeak(p: TransientParams): TemplatePeak {
  let best = 0;
  let bestT = 0;
  for (let t = 0.25; t <= 150; t += 0.25) {
    const f = templateFlux(p, t);
    if (f > best) { best = f; bestT = t; }
  }
  return { peakRestDays: bestT, peakFlux: best };
}

/**
 * Noiseless flux (FLUXCAL) of a transient in a band at observer-frame times. For AGN it needs
 * the random-walk path, so use the light curve's `fluxTrue` instead.
 */
export function supernovaModelFlux(p: TransientParams, band: SurveyBand, timeDays: ArrayLike<number>): Float64Array {
  if (p.cls === "AGN") throw new Error("supernovaModelFlux: AGN variability is stochastic; read fluxTrue from the light curve");
  const lambdaObs = BAND_WAVELENGTH_ANGSTROM[band];
  if (lambdaObs === undefined) throw new Error(`supernovaModelFlux: unknown band "${band}" (expected g, r, i or z)`);
  const onePlusZ = 1 + p.redshift;
  const lambdaRest = lambdaObs / onePlusZ;
  const peak = templatePeakCache(p);
  const out = new Float64Array(timeDays.length);
  const cls = p.cls as Exclude<TransientClass, "AGN">;
  // apparent rest-B peak flux at the observer, FLUXCAL, before the colour term
  const peakMag = p.peakAbsMag + p.distanceModulusMag - 2.5 * log10(onePlusZ);
  const peakFluxcal = pow(10, -0.4 * (peakMag - FLUXCAL_ZERO_POINT_MAG));
  for (let k = 0; k < timeDays.length; k++) {
    const tRest = (timeDays[k] - p.explosionDays) / onePlusZ;
    if (tRest <= 0) continue;
    const shape = templateFlux(p, tRest) / peak.peakFlux;
    const tempK = temperatureK(p, tRest);
    const colour = (planckNu(lambdaRest, tempK) * uvSuppression(cls, lambdaRest)) /
      (planckNu(REST_B_ANGSTROM, tempK) * uvSuppression(cls, REST_B_ANGSTROM));
    out[k] = peakFluxcal * (shape * colour + secondMaximum(p, tRest, lambdaRest) * colour);
  }
  return out;
}

const peakCache = new WeakMap<TransientParams, TemplatePeak>();
function templatePeakCache(p: TransientParams): TemplatePeak {
  let v = peakCache.get(p);
  if (!v) { v = findTemplatePeak(p); peakCache.set(p, v); }
  return v;
}

function clampNormal(rng: Rng, mean: number, sd: number, lo: number, hi: number): number {
  return min(hi, max(lo, rng.normal(mean, sd)));
}

/** Draws the intrinsic parameters of one object of a class (redshift and timing set by the caller). */
function drawIntrinsic(cls: TransientClass, rng: Rng): Omit<TransientParams, "redshift" | "distanceModulusMag" | "explosionDays" | "peakDays" | "riseRestDays"> {
  const nan = NaN;
  const base = { cls, stretch: nan, plateauRestDays: nan, agnMeanMagR: nan, agnSigmaMag: nan, agnTauRestDays: nan };
  switch (cls) {
    case "Ia": {
      const s = clampNormal(rng, 1, 0.1, 0.7, 1.3);
      return {
        ...base, stretch: s, peakAbsMag: PEAK_ABS_MAG.Ia.mean - 1.2 * (s - 1) + rng.normal(0, PEAK_ABS_MAG.Ia.sd),
        riseTauRestDays: 11 * s, declineMagPerDay: 0.085 / s, tailMagPerDay: 0.015, breakRestDays: 40 * s,
        plateauRestDays: 45 * s, tempFloorK: 5200, tempHotK: 13000, tempCoolRestDays: 22 * s,
      };
    }
    case "Ibc":
      return {
        ...base, peakAbsMag: rng.normal(PEAK_ABS_MAG.Ibc.mean, PEAK_ABS_MAG.Ibc.sd),
        riseTauRestDays: clampNormal(rng, 8, 1.5, 4, 14), declineMagPerDay: clampNormal(rng, 0.08, 0.015, 0.04, 0.14),
        tailMagPerDay: 0.02, breakRestDays: clampNormal(rng, 35, 5, 20, 50),
        tempFloorK: 4800, tempHotK: 11000, tempCoolRestDays: clampNormal(rng, 18, 4, 8, 30),
      };
    case "IIP":
      return {
        ...base, peakAbsMag: rng.normal(PEAK_ABS_MAG.IIP.mean, PEAK_ABS_MAG.IIP.sd),
        riseTauRestDays: clampNormal(rng, 4, 1, 2, 8), declineMagPerDay: clampNormal(rng, 0.012, 0.005, 0, 0.03),
        tailMagPerDay: 0.01, breakRestDays: 1e4, plateauRestDays: clampNormal(rng, 100, 20, 50, 150),
        tempFloorK: 5800, tempHotK: 18000, tempCoolRestDays: clampNormal(rng, 12, 3, 5, 25),
      };
    case "IIL":
      return {
        ...base, peakAbsMag: rng.normal(PEAK_ABS_MAG.IIL.mean, PEAK_ABS_MAG.IIL.sd),
        riseTauRestDays: clampNormal(rng, 6, 1.5, 3, 10), declineMagPerDay: clampNormal(rng, 0.04, 0.008, 0.02, 0.07),
        tailMagPerDay: 0.012, breakRestDays: clampNormal(rng, 90, 10, 60, 120),
        tempFloorK: 5500, tempHotK: 15000, tempCoolRestDays: clampNormal(rng, 15, 4, 6, 30),
      };
    case "IIn":
      return {
        ...base, peakAbsMag: rng.normal(PEAK_ABS_MAG.IIn.mean, PEAK_ABS_MAG.IIn.sd),
        riseTauRestDays: clampNormal(rng, 18, 6, 8, 40), declineMagPerDay: clampNormal(rng, 0.015, 0.005, 0.004, 0.03),
        tailMagPerDay: 0.01, breakRestDays: 1e4,
        tempFloorK: 7500, tempHotK: 12000, tempCoolRestDays: clampNormal(rng, 60, 15, 20, 120),
      };
    case "AGN":
      return {
        ...base, peakAbsMag: nan, riseTauRestDays: nan, declineMagPerDay: nan, tailMagPerDay: nan, breakRestDays: nan,
        tempFloorK: nan, tempHotK: nan, tempCoolRestDays: nan,
        agnMeanMagR: rng.uniform(21, 24.5), agnSigmaMag: rng.uniform(0.1, 0.3), agnTauRestDays: 100 * pow(4, rng.random()),
      };
    default:
      throw new Error(`unknown transient class "${cls as string}" (expected one of ${TRANSIENT_CLASSES.join(", ")})`);
  }
}

// AGN: mean colours (g − r, r − i, i − z ≈ 0.2, 0.15, 0.1) and variability amplitude ∝ λ^-0.5
// (bluer when brighter; MacLeod et al. 2010).
const AGN_MEAN_OFFSET_MAG: readonly number[] = [0.2, 0, -0.15, -0.25];

function agnFlux(p: TransientParams, timeDays: Float64Array, band: Int8Array, rng: Rng): Float64Array {
  const onePlusZ = 1 + p.redshift;
  const tauObs = p.agnTauRestDays * onePlusZ;
  // The reference image is a co-add from another epoch: its state is an independent draw.
  const refState = rng.normal(0, 1);
  let state = rng.normal(0, 1);
  let tPrev = timeDays.length ? timeDays[0] : 0;
  const out = new Float64Array(timeDays.length);
  for (let k = 0; k < timeDays.length; k++) {
    // exact Ornstein–Uhlenbeck update over the gap
    const a = exp(-(timeDays[k] - tPrev) / tauObs);
    state = a * state + sqrt(1 - a * a) * rng.normal(0, 1);
    tPrev = timeDays[k];
    const b = band[k];
    const sigma = p.agnSigmaMag * sqrt(BAND_WAVELENGTH_ANGSTROM.r / BAND_WAVELENGTH_ANGSTROM[SURVEY_BANDS[b]]);
    const meanFlux = pow(10, -0.4 * (p.agnMeanMagR + AGN_MEAN_OFFSET_MAG[b] - FLUXCAL_ZERO_POINT_MAG));
    out[k] = meanFlux * (pow(10, -0.4 * sigma * state) - pow(10, -0.4 * sigma * refState));
  }
  return out;
}

/** Options of `simulateTransient`. */
export interface TransientSimOptions {
  cls?: TransientClass;
  /** Fix the redshift (default: drawn, p(z) ∝ z² between 0.02 and MAX_REDSHIFT[cls]). */
  redshift?: number;
  /** Fix the explosion time, observer days since season start (default uniform in [−60, season − 10]). */
  explosionDays?: number;
  survey?: TransientSurvey;
  /** Keep redrawing redshift, timing and intrinsic parameters until the survey detects it (default true). */
  requireDetection?: boolean;
  seed?: number;
}

/** The parameters of one object, drawn from its class (redshift and timing included). */
export function drawTransientParams(cls: TransientClass, rng: Rng, options: { redshift?: number; explosionDays?: number; seasonLengthDays?: number } = {}): TransientParams {
  if (!TRANSIENT_CLASSES.includes(cls)) {
    throw new Error(`drawTransientParams: unknown class "${cls}" (expected one of ${TRANSIENT_CLASSES.join(", ")})`);
  }
  const season = options.seasonLengthDays ?? 180;
  const intrinsic = drawIntrinsic(cls, rng);
  const zMax = MAX_REDSHIFT[cls];
  const redshift = options.redshift ?? 0.02 + (zMax - 0.02) * Math.cbrt(rng.random());
  if (!(redshift > 0 && redshift <= Z_TABLE_MAX)) {
    throw new Error(`drawTransientParams: redshift must be in (0, ${Z_TABLE_MAX}], got ${redshift}`);
  }
  const explosionDays = options.explosionDays ?? rng.uniform(-60, season - 10);
  const p: TransientParams = {
    ...intrinsic, redshift, distanceModulusMag: distanceModulusMag(redshift), explosionDays, peakDays: NaN, riseRestDays: NaN,
  };
  if (cls !== "AGN") {
    const peak = templatePeakCache(p);
    p.riseRestDays = peak.peakRestDays;
    p.peakDays = explosionDays + peak.peakRestDays * (1 + redshift);
  }
  return p;
}

/** Observes a transient with the survey: cadence, depth and noise. */
export function observeTransient(p: TransientParams, survey: TransientSurvey, rng: Rng, seed = NaN): TransientLightCurve {
  const s = resolveSurvey(survey);
  const timeDays = sampleTimes(
    { kind: "survey", durationDays: s.seasonLengthDays, seasonLengthDays: s.seasonLengthDays, nightFraction: s.nightFraction, hourAngleScatterHours: 1 },
    rng,
  );
  const n = timeDays.length;
  const band = new Int8Array(n);
  const firstBand = rng.integer(0, 4);
  for (let k = 0; k < n; k++) band[k] = (firstBand + k) % 4;
  let fluxTrue: Float64Array;
  if (p.cls === "AGN") {
    fluxTrue = agnFlux(p, timeDays, band, rng);
  } else {
    fluxTrue = new Float64Array(n);
    for (let b = 0; b < 4; b++) {
      const idx: number[] = [];
      for (let k = 0; k < n; k++) if (band[k] === b) idx.push(k);
      const f = supernovaModelFlux(p, SURVEY_BANDS[b], idx.map((k) => timeDays[k]));
      idx.forEach((k, j) => (fluxTrue[k] = f[j]));
    }
  }
  const flux = new Float64Array(n);
  const fluxErr = new Float64Array(n);
  const limitingMag = new Float64Array(n);
  let nDetections = 0;
  let firstDetectionDays = NaN;
  for (let k = 0; k < n; k++) {
    limitingMag[k] = s.limitingMag[SURVEY_BANDS[band[k]]] + rng.normal(0, s.limitingMagScatter);
    const skySigma = pow(10, -0.4 * (limitingMag[k] - FLUXCAL_ZERO_POINT_MAG)) / 5;
    const sigma = sqrt(skySigma * skySigma + abs(fluxTrue[k]) / s.countsPerFluxcal);
    fluxErr[k] = sigma;
    flux[k] = fluxTrue[k] + rng.normal(0, sigma);
    if (flux[k] / sigma >= 5) {
      nDetections++;
      if (Number.isNaN(firstDetectionDays)) firstDetectionDays = timeDays[k];
    }
  }
  return { params: p, timeDays, band, flux, fluxErr, fluxTrue, limitingMag, firstDetectionDays, nDetections, seed };
}

/**
 * Simulates one transient's light curve. With `requireDetection` (default) the object is redrawn
 * (new redshift, timing and intrinsic parameters of the same class) until the survey detects it
 * on `minDetections` visits, as a survey's sample is selected.
 */
export function simulateTransient(options: TransientSimOptions = {}): TransientLightCurve {
  const seed = options.seed ?? 42;
  const rng = new Rng(seed);
  const cls = options.cls ?? "Ia";
  if (!TRANSIENT_CLASSES.includes(cls)) {
    throw new Error(`simulateTransient: unknown class "${cls}" (expected one of ${TRANSIENT_CLASSES.join(", ")})`);
  }
  const survey = options.survey ?? {};
  const s = resolveSurvey(survey);
  const requireDetection = options.requireDetection ?? true;
  for (let attempt = 0; attempt < 2000; attempt++) {
    const p = drawTransientParams(cls, rng, { redshift: options.redshift, explosionDays: options.explosionDays, seasonLengthDays: s.seasonLengthDays });
    const lc = observeTransient(p, survey, rng, seed);
    if (!requireDetection || lc.nDetections >= s.minDetections) return lc;
  }
  throw new Error(`simulateTransient: no detectable ${cls} in 2000 draws (redshift ${options.redshift ?? "drawn"}); relax the survey or the redshift`);
}

/** Options of `simulateTransientSet`. */
export interface TransientSetOptions extends Omit<TransientSimOptions, "cls" | "seed"> {
  /** Relative class frequencies (default DEFAULT_TRANSIENT_MIX); normalised to sum to 1. */
  mix?: Partial<Record<TransientClass, number>>;
  seed?: number;
}

/**
 * A sample of `n` detected transients, classes drawn from `mix`. Object i uses its own seed
 * (derived from `seed`), stored in the light curve, so any one can be regenerated alone.
 */
export function simulateTransientSet(n: number, options: TransientSetOptions = {}): TransientLightCurve[] {
  if (!(Number.isInteger(n) && n >= 0)) throw new Error(`simulateTransientSet: n must be a non-negative integer, got ${n}`);
  const mix = options.mix ?? DEFAULT_TRANSIENT_MIX;
  const classes = Object.keys(mix) as TransientClass[];
  for (const c of classes) {
    if (!TRANSIENT_CLASSES.includes(c)) throw new Error(`simulateTransientSet: unknown class "${c}" in mix (expected ${TRANSIENT_CLASSES.join(", ")})`);
    if (!((mix[c] ?? 0) >= 0)) throw new Error(`simulateTransientSet: mix fraction of ${c} must be >= 0, got ${mix[c]}`);
  }
  const total = classes.reduce((a, c) => a + (mix[c] ?? 0), 0);
  if (!(total > 0)) throw new Error("simulateTransientSet: the mix's fractions sum to 0");
  const rng = new Rng(options.seed ?? 42);
  const out: TransientLightCurve[] = [];
  for (let i = 0; i < n; i++) {
    let u = rng.random() * total;
    let cls = classes[classes.length - 1];
    for (const c of classes) {
      u -= mix[c] ?? 0;
      if (u < 0) { cls = c; break; }
    }
    const seed = rng.nextUint32();
    out.push(simulateTransient({ ...options, cls, seed }));
  }
  return out;
}
