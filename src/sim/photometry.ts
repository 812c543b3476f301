/**
 * Simulated SDSS-like ugriz photometry of stars and quasars, for the star/quasar classification
 * lesson.
 *
 * Every object gets a spectrum built from physics plus a few empirical corrections, is put through
 * the SDSS response curves (`filters.ts`) to get noiseless AB magnitudes, and is then observed with
 * sky-limited noise scaled to the survey's 5σ depth. What the simulation should reproduce is the
 * classic u−g vs g−r diagram (Richards et al. 2002, AJ 123, 2945, Fig. 1; Fan 1999, AJ 117, 2528):
 * the stellar locus from hot blue stars to M dwarfs, the UV-excess quasars at z ≲ 2.2 (u−g < 0.6),
 * and quasars at z ≈ 2.5–3 whose colours cross the stellar locus, which is where colour selection
 * fails and a classifier has to look at all five bands.
 *
 * Stars: a blackbody at a colour temperature of the optical continuum, times three empirical
 * depressions (in magnitudes): the Balmer jump below 3646 Å (strongest in A stars), metal-line
 * blanketing in the near-UV (grows toward cool stars, scales with metallicity) and TiO bands in M
 * dwarfs, plus a slight red tilt for F–K stars that sets r−i. The knot table below was tuned so that solar-metallicity dwarfs follow the main-sequence
 * colour–temperature relation of Pecaut & Mamajek (2013, ApJS 208, 9; UBV colours and temperatures)
 * transformed to SDSS with Jester et al. (2005, AJ 130, 873): u−g = (U−B + 0.88)/0.78 and
 * g−r = 1.02 (B−V) − 0.22; the Sun lands on u−g = 1.35, g−r = 0.45 and Vega-like A0 stars on
 * u−g = 1.05, g−r = −0.22 (Vega itself: 0.99, −0.24 in AB). The M-dwarf g−r is held near 1.5 as
 * observed (the TiO saturation of Covey et al. 2007, AJ 134, 2398; West et al. 2011, AJ 141, 97).
 *
 * Quasars: a power law f_ν ∝ ν^α with broad Gaussian emission lines whose rest equivalent widths
 * follow the SDSS composite of Vanden Berk et al. (2001, AJ 122, 549, Table 2), a small blue bump
 * (Fe II + Balmer continuum), Lyman-series forest absorption with the effective optical depth of
 * Faucher-Giguère et al. (2008, ApJ 681, 831) and the Lyman-series ratios of Madau (1995, ApJ 441,
 * 18), and no flux below the Lyman limit (912 Å rest).
 *
 * Noise: SDSS point-source limits (u 22.0, g 22.2, r 22.2, i 21.3, z 20.5, the 95 % completeness
 * magnitudes of York et al. 2000, AJ 120, 1579 and Abazajian et al. 2004, AJ 128, 502) used as
 * 5σ depths, sky-limited flux errors, a calibration floor, and by default
 * the asinh magnitudes of Lupton, Gunn & Szalay (1999, AJ 118, 1406) that SDSS catalogues use, so
 * objects with negative measured flux still get a finite magnitude.
 */
import * as pl from "nodejs-polars";
import { Rng } from "../random";
import { SDSS_BANDS, bandIntegrator, sdssFilter, type BandIntegrator, type FnuSpectrum, type SdssBand } from "./filters";

// Local aliases: inside a jest/vm sandbox each `Math.f` in a hot loop is a slow global lookup.
const { exp, expm1, log, log10, pow, sqrt, asinh } = Math;

/** Magnitudes in the five bands. */
export type Ugriz = Record<SdssBand, number>;

// ---------------------------------------------------------------------------------------------
// Stars
// ---------------------------------------------------------------------------------------------

/** Second radiation constant hc/k in Å·K. */
const C2_ANGSTROM_K = 1.4387769e8;

function smoothstep(x: number): number {
  return x <= 0 ? 0 : x >= 1 ? 1 : x * x * (3 - 2 * x);
}

/** Planck B_ν up to a constant, as a function of wavelength in Å: ν³/(e^{hν/kT} − 1) ∝ λ⁻³/(e^{c2/λT} − 1). */
export function planckFnu(wavelengthAngstrom: number, temperatureK: number): number {
  return pow(wavelengthAngstrom, -3) / expm1(C2_ANGSTROM_K / (wavelengthAngstrom * temperatureK));
}

// Knots of the empirical stellar model: effective temperature (K), colour temperature of the
// optical continuum / T_eff, near-UV blanketing depth (mag) at solar metallicity, and a red tilt β
// (f_ν × (λ/6000 Å)^β redward of 6000 Å). Each row was solved numerically so that the full model
// (with the Balmer and TiO terms below) reproduces the target colours of that T_eff: u−g and g−r
// as in the module comment, r−i = (R−I)_C − 0.21 (Jester et al. 2005) for 4450–8080 K. Between
// knots the columns are interpolated linearly in log T_eff. A colour temperature above T_eff for
// A stars is physical: the flux removed below the Balmer jump re-emerges in the Paschen continuum,
// which is why Vega has g−r = −0.24 while a 9600 K blackbody has g−r = 0.0.
// prettier-ignore
const STAR_KNOTS: readonly (readonly [number, number, number, number])[] = [
  // T_eff  Tcol/Teff  blanket  red tilt   target u−g, g−r, r−i
  [3000,  0.7513, -0.0670, 0],      // 2.70, 1.50        M5-6
  [3210,  0.7736,  0.0853, 0],      // 2.68, 1.50        M4
  [3560,  0.8289,  0.3577, 0],      // 2.64, 1.45        M2
  [3850,  0.9208,  0.7129, 0],      // 2.62, 1.30        M0
  [4450,  1.0378,  1.1894, 0.3882], // 2.45, 0.95, 0.42  K5
  [5040,  1.0581,  0.9732, 0.2424], // 1.95, 0.72, 0.27  K2
  [5280,  1.0803,  0.8468, 0.1932], // 1.71, 0.62, 0.21  K0
  [5770,  1.1305,  0.6823, 0.1903], // 1.35, 0.446, 0.12 G2 (Sun)
  [5920,  1.1678,  0.6137, 0.2647], // 1.21, 0.38, 0.10  G0
  [6510,  1.2592,  0.7132, 0.3578], // 1.15, 0.23, 0.03  F5
  [7220,  1.3660,  0.7413, 0.3927], // 1.17, 0.09, −0.04 F0
  [8080,  1.5100,  0.6477, 0.1825], // 1.22, −0.06, −0.15 A5
  [8840,  1.6032,  0.4931, 0],      // 1.19, −0.16       A2
  [9700,  1.5922,  0.3168, 0],      // 1.05, −0.22       A0
  [12500, 1.5869,  0.1685, 0],      // 0.69, −0.33       B8
  [15700, 1.5192,  0.1707, 0],      // 0.38, −0.38       B5
  [17000, 1.6559,  0.1478, 0],      // 0.22, −0.42       B3
  [30000, 1.7622,  0.2009, 0],      // −0.26, −0.50      B0
];

/** Lowest and highest effective temperature the stellar model covers (K); outside it the end knots are used. */
export const STAR_TEMPERATURE_RANGE_K: readonly [number, number] = [3000, 30000];

function interpolateKnots(temperatureK: number): { colourRatio: number; blanketMag: number; redTilt: number } {
  const t = Math.min(Math.max(temperatureK, STAR_KNOTS[0][0]), STAR_KNOTS[STAR_KNOTS.length - 1][0]);
  let k = 0;
  while (k < STAR_KNOTS.length - 2 && STAR_KNOTS[k + 1][0] < t) k++;
  const [t0, r0, b0, s0] = STAR_KNOTS[k];
  const [t1, r1, b1, s1] = STAR_KNOTS[k + 1];
  const f = log(t / t0) / log(t1 / t0);
  return { colourRatio: r0 + f * (r1 - r0), blanketMag: b0 + f * (b1 - b0), redTilt: s0 + f * (s1 - s0) };
}

/**
 * Depth of the Balmer jump in magnitudes: a log-normal bump in T_eff peaking at 1.35 mag near
 * 9500 K (A0–A2), narrow on the cool side (H⁻ opacity takes over in F/G stars) and broad on the hot
 * side (hydrogen ionised in B stars).
 */
export function balmerJumpMag(temperatureK: number): number {
  const x = log10(temperatureK / 9500);
  const s = x < 0 ? 0.08 : 0.2;
  return 1.35 * exp(-0.5 * (x / s) ** 2);
}

/** Depth of the TiO bands in M dwarfs, magnitudes (0 above 4000 K). */
function tioDepthMag(temperatureK: number): number {
  const x = Math.max(0, (4000 - temperatureK) / 1000);
  return 1.8 * pow(Math.min(x, 1.2), 1.3);
}

// Wavelength shapes (1 = full depth) of the three depressions.
// Balmer: full below the series limit, recovered over the crowded high Balmer lines up to ~3800 Å.
const balmerShape = (l: number): number => 1 - smoothstep((l - 3646) / 150);
// Blanketing: metal lines crowd the near-UV; little effect redward of ~4600 Å.
const blanketShape = (l: number): number => 1 - smoothstep((l - 3700) / 900);
// Red tilt: ln(λ / 6000 Å) redward of 6000 Å, 0 blueward.
const redTiltShape = (l: number): number => (l > 6000 ? log(l / 6000) : 0);
// TiO: bands from 4950 Å through r, weaker in i and z.
const tioShape = (l: number): number =>
  l < 4800 ? 0 : l < 5000 ? (l - 4800) / 200 : l < 7150 ? 1 : l < 8400 ? 0.5 : 0.45;

/**
 * Metallicity scaling of the blanketing depth: metal-poor halo stars are bluer in u−g at fixed
 * g−r by ~0.2 mag per dex for F/G stars (Ivezić et al. 2008, ApJ 684, 287).
 */
function blanketMetallicityFactor(feH: number): number {
  return Math.max(0, 1 + 0.25 * feH);
}

/**
 * Spectrum f_ν (arbitrary normalisation) of a dwarf star of effective temperature `temperatureK`
 * and metallicity `feH` (dex): blackbody at the empirical colour temperature, with the red tilt,
 * times the Balmer, blanketing and TiO depressions.
 */
export function starSpectrumFnu(temperatureK: number, feH = 0): FnuSpectrum {
  if (!(temperatureK > 0)) throw new Error(`starSpectrumFnu: temperature must be > 0 K, got ${temperatureK}`);
  const { colourRatio, blanketMag, redTilt } = interpolateKnots(temperatureK);
  const tCol = colourRatio * temperatureK;
  const dB = balmerJumpMag(temperatureK);
  const dBl = blanketMag * blanketMetallicityFactor(feH);
  const dT = tioDepthMag(temperatureK);
  return (l) =>
    planckFnu(l, tCol) *
    exp(redTilt * redTiltShape(l)) *
    pow(10, -0.4 * (dB * balmerShape(l) + dBl * blanketShape(l) + dT * tioShape(l)));
}

// Stars have smooth spectra: a 10 Å grid is accurate to < 1 mmag and halves the cost.
const STAR_STEP_ANGSTROM = 10;
const QUASAR_STEP_ANGSTROM = 5;

/**
 * Per-band integration grids with everything that does not depend on the object precomputed, so
 * that a catalogue of 10⁴ objects takes a fraction of a second rather than seconds.
 */
interface FastGrid {
  weight: Float64Array;
  lam: Float64Array;
  lnLam: Float64Array;
  lamPowM3: Float64Array;
  balmer: Float64Array;
  blanket: Float64Array;
  tio: Float64Array;
  redTilt: Float64Array;
}

const fastGrids = new Map<number, Record<SdssBand, FastGrid>>();

function fastGrid(step: number): Record<SdssBand, FastGrid> {
  let grids = fastGrids.get(step);
  if (!grids) {
    grids = {} as Record<SdssBand, FastGrid>;
    for (const b of SDSS_BANDS) {
      const integ: BandIntegrator = bandIntegrator(sdssFilter(b), step);
      const lam = integ.wavelengthAngstrom;
      grids[b] = {
        weight: integ.weight,
        lam,
        lnLam: lam.map(Math.log),
        lamPowM3: lam.map((l) => pow(l, -3)),
        balmer: lam.map(balmerShape),
        blanket: lam.map(blanketShape),
        tio: lam.map(tioShape),
        redTilt: lam.map(redTiltShape),
      };
    }
    fastGrids.set(step, grids);
  }
  return grids;
}

/** Scales a set of magnitudes so the reference band equals `refMag`. */
function normalise(m: Ugriz, refBand: SdssBand, refMag: number): Ugriz {
  const shift = refMag - m[refBand];
  return { u: m.u + shift, g: m.g + shift, r: m.r + shift, i: m.i + shift, z: m.z + shift };
}

const LN10_OVER_2_5 = Math.LN10 / 2.5;

/**
 * Noiseless AB magnitudes of a dwarf star, scaled to r = `rMagAB`. Same numbers as integrating
 * `starSpectrumFnu` with `abMagnitude`, computed on precomputed grids.
 * @param temperatureK effective temperature, K (3000–30000 modelled).
 * @param feH metallicity [Fe/H], dex (0 = solar).
 */
export function starMagnitudes(temperatureK: number, feH = 0, rMagAB = 0): Ugriz {
  if (!(temperatureK > 0)) throw new Error(`starMagnitudes: temperature must be > 0 K, got ${temperatureK}`);
  const { colourRatio, blanketMag, redTilt } = interpolateKnots(temperatureK);
  const x = C2_ANGSTROM_K / (colourRatio * temperatureK);
  const dB = balmerJumpMag(temperatureK) * LN10_OVER_2_5;
  const dBl = blanketMag * blanketMetallicityFactor(feH) * LN10_OVER_2_5;
  const dT = tioDepthMag(temperatureK) * LN10_OVER_2_5;
  const grids = fastGrid(STAR_STEP_ANGSTROM);
  const m = {} as Ugriz;
  for (const b of SDSS_BANDS) {
    const g = grids[b];
    let sum = 0;
    for (let k = 0; k < g.lam.length; k++) {
      const depression = dB * g.balmer[k] + dBl * g.blanket[k] + dT * g.tio[k] - redTilt * g.redTilt[k];
      sum += (g.weight[k] * g.lamPowM3[k] * exp(-depression)) / expm1(x / g.lam[k]);
    }
    m[b] = -2.5 * log10(sum);
  }
  return normalise(m, "r", rMagAB);
}

/** One component of the stellar temperature mix: log-uniform between minK and maxK. */
export interface TemperatureComponent {
  minK: number;
  maxK: number;
  /** Relative number of stars. */
  weight: number;
  /** Fraction of these stars drawn from the metal-poor halo (the rest from the disk). */
  haloFraction: number;
}

/**
 * Default mix of a faint (r ≲ 22) high-Galactic-latitude star sample, dominated by M dwarfs and by
 * F/G turn-off stars of the thick disk and halo, with a few per cent of A/BHB and hot stars
 * (schematic, after the SDSS star counts of Jurić et al. 2008, ApJ 673, 864 and the spectral-type
 * census of Covey et al. 2007).
 */
export const DEFAULT_TEMPERATURE_MIX: readonly TemperatureComponent[] = [
  { minK: 3000, maxK: 3900, weight: 0.35, haloFraction: 0.05 }, // M dwarfs
  { minK: 3900, maxK: 5300, weight: 0.22, haloFraction: 0.2 }, // K dwarfs
  { minK: 5300, maxK: 6000, weight: 0.2, haloFraction: 0.45 }, // G dwarfs
  { minK: 6000, maxK: 7500, weight: 0.17, haloFraction: 0.45 }, // F / turn-off
  { minK: 7500, maxK: 10000, weight: 0.04, haloFraction: 0.6 }, // A and blue horizontal branch
  { minK: 10000, maxK: 30000, weight: 0.02, haloFraction: 0.3 }, // B stars, hot subdwarfs
];

/** Metallicity distributions: thick disk N(−0.6, 0.3), halo N(−1.5, 0.4) dex (Ivezić et al. 2008). */
const DISK_FEH = { mean: -0.6, sd: 0.3 };
const HALO_FEH = { mean: -1.5, sd: 0.4 };

function drawStar(
  rng: Rng,
  mix: readonly TemperatureComponent[],
  rangeK: readonly [number, number],
): { temperatureK: number; feH: number } {
  // Each component is cut to the requested range; its weight shrinks with the log-width it keeps.
  const parts = mix
    .map((c) => {
      const lo = Math.max(c.minK, rangeK[0]);
      const hi = Math.min(c.maxK, rangeK[1]);
      const keep = hi > lo ? log(hi / lo) / log(c.maxK / c.minK) : 0;
      return { lo, hi, w: c.weight * keep, halo: c.haloFraction };
    })
    .filter((p) => p.w > 0);
  if (parts.length === 0) throw new Error(`no star temperatures in range [${rangeK[0]}, ${rangeK[1]}] K`);
  const total = parts.reduce((s, p) => s + p.w, 0);
  let u = rng.random() * total;
  let part = parts[parts.length - 1];
  for (const p of parts) {
    if (u < p.w) {
      part = p;
      break;
    }
    u -= p.w;
  }
  const temperatureK = part.lo * exp(rng.random() * log(part.hi / part.lo));
  const pop = rng.random() < part.halo ? HALO_FEH : DISK_FEH;
  const feH = Math.min(0.5, rng.normal(pop.mean, pop.sd));
  return { temperatureK, feH };
}

// ---------------------------------------------------------------------------------------------
// Quasars
// ---------------------------------------------------------------------------------------------

/** A broad emission line: rest wavelength (Å), rest equivalent width (Å), Gaussian σ (km/s). */
export interface EmissionLine {
  name: string;
  wavelengthAngstrom: number;
  equivalentWidthAngstrom: number;
  sigmaKmS: number;
}

/**
 * Emission lines of the SDSS quasar composite (Vanden Berk et al. 2001, Table 2; rest equivalent
 * widths rounded, blends lumped into the strongest line). Widths are typical broad-line σ of a few
 * thousand km/s; they hardly matter for broad-band colours.
 */
export const QUASAR_LINES: readonly EmissionLine[] = [
  { name: "Lyβ+O VI", wavelengthAngstrom: 1033.8, equivalentWidthAngstrom: 11, sigmaKmS: 3500 },
  { name: "Lyα", wavelengthAngstrom: 1215.67, equivalentWidthAngstrom: 93, sigmaKmS: 3500 },
  { name: "N V", wavelengthAngstrom: 1240.1, equivalentWidthAngstrom: 1.1, sigmaKmS: 2500 },
  { name: "Si IV+O IV]", wavelengthAngstrom: 1399.8, equivalentWidthAngstrom: 8.1, sigmaKmS: 3500 },
  { name: "C IV", wavelengthAngstrom: 1549.1, equivalentWidthAngstrom: 24, sigmaKmS: 3000 },
  { name: "He II", wavelengthAngstrom: 1640.4, equivalentWidthAngstrom: 0.6, sigmaKmS: 2500 },
  { name: "C III]", wavelengthAngstrom: 1908.7, equivalentWidthAngstrom: 21, sigmaKmS: 3500 },
  { name: "Mg II", wavelengthAngstrom: 2798.8, equivalentWidthAngstrom: 32, sigmaKmS: 2500 },
  { name: "Hδ", wavelengthAngstrom: 4102.9, equivalentWidthAngstrom: 5.1, sigmaKmS: 2000 },
  { name: "Hγ", wavelengthAngstrom: 4341.7, equivalentWidthAngstrom: 12.6, sigmaKmS: 2000 },
  { name: "Hβ", wavelengthAngstrom: 4862.7, equivalentWidthAngstrom: 46, sigmaKmS: 2000 },
  { name: "[O III]", wavelengthAngstrom: 5008.2, equivalentWidthAngstrom: 16, sigmaKmS: 400 },
  { name: "Hα", wavelengthAngstrom: 6564.6, equivalentWidthAngstrom: 195, sigmaKmS: 1800 },
];

const SPEED_OF_LIGHT_KM_S = 299792.458;
const LYMAN_LIMIT_ANGSTROM = 911.75;

/**
 * Lyman series lines and their optical-depth coefficients relative to Lyα (Madau 1995, Table 2:
 * A_j = 3.6e-3, 1.7e-3, 1.2e-3, 9.3e-4); Lyα itself uses the Faucher-Giguère et al. (2008)
 * normalisation.
 */
const LYMAN_SERIES: readonly { wavelengthAngstrom: number; ratio: number }[] = [
  { wavelengthAngstrom: 1215.67, ratio: 1 },
  { wavelengthAngstrom: 1025.72, ratio: 1.7 / 3.6 },
  { wavelengthAngstrom: 972.54, ratio: 1.2 / 3.6 },
  { wavelengthAngstrom: 949.74, ratio: 0.93 / 3.6 },
];

/**
 * Effective Lyα-forest optical depth at absorber redshift z: τ_eff = 0.0018 (1+z)^3.92
 * (Faucher-Giguère et al. 2008, ApJ 681, 831; measured for 2 ≲ z ≲ 4.2, extrapolated outside).
 */
export function lyaForestTauEff(absorberRedshift: number): number {
  return 0.0018 * pow(1 + absorberRedshift, 3.92);
}

/**
 * Mean intergalactic transmission at observed wavelength `wavelengthAngstrom` towards a source
 * at `redshift`: Lyman-series forest blueward of each line in the source frame, and
 * `lymanLimitTransmission` (default 0) below the rest-frame Lyman limit.
 * @param opacityScale multiplies every τ (sight-line to sight-line variation).
 */
export function igmTransmission(
  wavelengthAngstrom: number,
  redshift: number,
  opacityScale = 1,
  lymanLimitTransmission = 0,
): number {
  const restAngstrom = wavelengthAngstrom / (1 + redshift);
  if (restAngstrom < LYMAN_LIMIT_ANGSTROM) return lymanLimitTransmission;
  let tau = 0;
  for (const line of LYMAN_SERIES) {
    if (restAngstrom < line.wavelengthAngstrom) {
      tau += line.ratio * lyaForestTauEff(wavelengthAngstrom / line.wavelengthAngstrom - 1);
    }
  }
  return exp(-opacityScale * tau);
}

/** Parameters of one quasar spectrum. */
export interface QuasarSpectrumOptions {
  /** Source redshift. */
  redshift: number;
  /** Continuum slope α in f_ν ∝ ν^α (default −0.44, the Vanden Berk et al. 2001 composite). */
  alphaNu?: number;
  /** Multiplies every line equivalent width (default 1). */
  lineStrength?: number;
  /** Peak height of the small blue bump (Fe II + Balmer continuum) relative to the power law (default 0.2). */
  blueBump?: number;
  /** Multiplies the forest optical depth (default 1). */
  igmOpacityScale?: number;
  /** Transmission below the rest-frame Lyman limit (default 0). */
  lymanLimitTransmission?: number;
  /** Emission lines (default `QUASAR_LINES`). */
  lines?: readonly EmissionLine[];
}

/**
 * Small blue bump: Fe II multiplets and Balmer continuum between ~2200 and 3646 Å rest, a
 * plateau with a sharp Balmer edge (Grandi 1982, ApJ 255, 25; Wills, Netzer & Wills 1985).
 */
function blueBumpShape(restAngstrom: number): number {
  if (restAngstrom < 2000 || restAngstrom > 3800) return 0;
  const rise = smoothstep((restAngstrom - 2000) / 500);
  const fall = 1 - smoothstep((restAngstrom - 3600) / 100);
  return rise * fall;
}

/**
 * Observed-frame f_ν (arbitrary normalisation) of a quasar at `redshift`, as a function of
 * observed wavelength in Å: power-law continuum, small blue bump, Gaussian broad lines with the
 * Vanden Berk et al. (2001) equivalent widths, attenuated by the IGM.
 */
export function quasarSpectrumFnu(options: QuasarSpectrumOptions): FnuSpectrum {
  const model = quasarModel(options);
  return (l) => model.restFnu(l / (1 + model.z)) * igmTransmission(l, model.z, model.tauScale, model.llT);
}

interface QuasarModel {
  z: number;
  alpha: number;
  tauScale: number;
  llT: number;
  bump: number;
  lines: { l0: number; sigma: number; amp: number }[];
  restFnu: (restAngstrom: number) => number;
}

function quasarModel(options: QuasarSpectrumOptions): QuasarModel {
  const z = options.redshift;
  if (!(z >= 0)) throw new Error(`quasar redshift must be >= 0, got ${z}`);
  const alpha = options.alphaNu ?? -0.44;
  const strength = options.lineStrength ?? 1;
  const bump = options.blueBump ?? 0.2;
  // f_ν ∝ ν^α is f_ν ∝ λ^−α; a line of rest equivalent width W (defined on f_λ ∝ λ^(−2−α)) adds
  // f_ν(λ) = W λ0^−α (λ/λ0)² G(λ; λ0, σ), with G a unit-area Gaussian in rest Å.
  const lines = (options.lines ?? QUASAR_LINES).map((line) => {
    const sigma = (line.wavelengthAngstrom * line.sigmaKmS) / SPEED_OF_LIGHT_KM_S;
    return {
      l0: line.wavelengthAngstrom,
      sigma,
      amp: (strength * line.equivalentWidthAngstrom * pow(line.wavelengthAngstrom, -alpha)) / (sigma * sqrt(2 * Math.PI)),
    };
  });
  const restFnu = (l: number): number => {
    let f = pow(l, -alpha) * (1 + bump * blueBumpShape(l));
    for (const line of lines) {
      const d = (l - line.l0) / line.sigma;
      if (d > -6 && d < 6) f += line.amp * exp(-0.5 * d * d) * (l / line.l0) ** 2;
    }
    return f;
  };
  return { z, alpha, tauScale: options.igmOpacityScale ?? 1, llT: options.lymanLimitTransmission ?? 0, bump, lines, restFnu };
}

/**
 * Noiseless AB magnitudes of a quasar, scaled to r = `rMagAB`. Lines are integrated on a 5 Å grid
 * (observed broad lines are ≥ 20 Å wide); same numbers as `abMagnitude` of `quasarSpectrumFnu`.
 */
export function quasarMagnitudes(options: QuasarSpectrumOptions, rMagAB = 0): Ugriz {
  const model = quasarModel(options);
  const grids = fastGrid(QUASAR_STEP_ANGSTROM);
  const ln1pz = log(1 + model.z);
  const lnLyLimit = log(LYMAN_LIMIT_ANGSTROM);
  const series = LYMAN_SERIES.map((s) => ({ ln: log(s.wavelengthAngstrom), coef: model.tauScale * s.ratio * 0.0018 }));
  const m = {} as Ugriz;
  for (const b of SDSS_BANDS) {
    const g = grids[b];
    const n = g.lam.length;
    // weight × IGM transmission per grid point, reused for the lines below
    const wt = scratch(n);
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const lnRest = g.lnLam[k] - ln1pz;
      let t: number;
      if (lnRest < lnLyLimit) {
        t = model.llT;
      } else {
        let tau = 0;
        // absorber at 1 + z_abs = λ_obs/λ_j has τ = coef (1 + z_abs)^3.92
        for (const s of series) if (lnRest < s.ln) tau += s.coef * exp(3.92 * (g.lnLam[k] - s.ln));
        t = tau > 0 ? exp(-tau) : 1;
      }
      wt[k] = g.weight[k] * t;
      if (wt[k] === 0) continue;
      const rest = g.lam[k] / (1 + model.z);
      sum += wt[k] * exp(-model.alpha * lnRest) * (1 + model.bump * blueBumpShape(rest));
    }
    for (const line of model.lines) {
      // only grid points within ±6σ of the observed line centre contribute
      const lo = lowerBound(g.lam, (line.l0 - 6 * line.sigma) * (1 + model.z));
      const hiLam = (line.l0 + 6 * line.sigma) * (1 + model.z);
      for (let k = lo; k < n && g.lam[k] <= hiLam; k++) {
        if (wt[k] === 0) continue;
        const rest = g.lam[k] / (1 + model.z);
        const d = (rest - line.l0) / line.sigma;
        const q = rest / line.l0;
        sum += wt[k] * line.amp * exp(-0.5 * d * d) * q * q;
      }
    }
    m[b] = sum > 0 ? -2.5 * log10(sum) : Infinity;
  }
  return normalise(m, "r", rMagAB);
}

let scratchBuffer = new Float64Array(0);
function scratch(n: number): Float64Array {
  if (scratchBuffer.length < n) scratchBuffer = new Float64Array(n);
  return scratchBuffer;
}

/** First index with a[k] >= x in an increasing array. */
function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Default redshift distribution: Gamma(shape 3, scale 0.55) cut to the redshift range, which peaks
 * at z ≈ 1.1 with a median ≈ 1.5 and ~15 % above z = 2.5, close to the shape of the flux-limited
 * SDSS quasar catalogue (Schneider et al. 2010, AJ 139, 2360, Fig. 3).
 */
function drawQuasarRedshift(rng: Rng, range: readonly [number, number], kind: "sdss" | "uniform"): number {
  if (kind === "uniform") return rng.uniform(range[0], range[1]);
  for (let attempt = 0; attempt < 100000; attempt++) {
    // Gamma(3, θ) as a sum of three exponentials.
    const z = 0.55 * (rng.exponential() + rng.exponential() + rng.exponential());
    if (z >= range[0] && z <= range[1]) return z;
  }
  throw new Error(`quasar redshift range [${range[0]}, ${range[1]}] is too far in the tail of the default distribution; use redshiftDistribution: "uniform"`);
}

// ---------------------------------------------------------------------------------------------
// Number counts and noise
// ---------------------------------------------------------------------------------------------

/**
 * Differential number counts dN/dm ∝ 10^(slope·m), with an optional break to `faintSlope` fainter
 * than `breakMag` (continuous at the break).
 */
export interface NumberCounts {
  slope: number;
  breakMag?: number;
  faintSlope?: number;
}

/** Star counts at high latitude rise slowly: d log N/dm ≈ 0.25 for 16 < r < 22 (Jurić et al. 2008, Fig. 1 style). */
export const DEFAULT_STAR_COUNTS: NumberCounts = { slope: 0.25 };

/**
 * Quasar counts are steep at the bright end and flatten past the break of the luminosity function:
 * slopes ≈ 0.9 and 0.3 with the break near g ≈ 19 (Boyle et al. 2000; Richards et al. 2005, MNRAS
 * 360, 839); put in r here.
 */
export const DEFAULT_QUASAR_COUNTS: NumberCounts = { slope: 0.9, breakMag: 19.2, faintSlope: 0.3 };

/** Cumulative count (up to a constant) of `counts` between -∞ and m, piecewise analytic. */
function cumulativeCounts(counts: NumberCounts, m: number): number {
  const a = counts.slope * Math.LN10;
  if (counts.breakMag === undefined || m <= counts.breakMag) return exp(a * m) / a;
  const b = (counts.faintSlope ?? counts.slope) * Math.LN10;
  const mb = counts.breakMag;
  // continuity of dN/dm at the break
  return exp(a * mb) / a + (exp(a * mb) * (exp(b * (m - mb)) - 1)) / b;
}

/** Fraction of objects drawn from `counts` in [bright, faint] that are brighter than `limit`. */
export function countFractionBrighterThan(counts: NumberCounts, bright: number, faint: number, limit: number): number {
  const c0 = cumulativeCounts(counts, bright);
  const c1 = cumulativeCounts(counts, faint);
  const cl = cumulativeCounts(counts, Math.min(Math.max(limit, bright), faint));
  return (cl - c0) / (c1 - c0);
}

/** Draws an apparent magnitude in [bright, faint] from the number counts (inverse CDF by bisection). */
export function drawMagnitude(rng: Rng, counts: NumberCounts, bright: number, faint: number): number {
  const c0 = cumulativeCounts(counts, bright);
  const c1 = cumulativeCounts(counts, faint);
  const target = c0 + rng.random() * (c1 - c0);
  let lo = bright;
  let hi = faint;
  for (let k = 0; k < 50; k++) {
    const mid = 0.5 * (lo + hi);
    if (cumulativeCounts(counts, mid) < target) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** SDSS point-source limits in AB magnitudes (95 % completeness; York et al. 2000; Abazajian et al. 2004), used as 5σ depths. */
export const SDSS_LIMITING_MAG_5SIGMA: Readonly<Ugriz> = { u: 22.0, g: 22.2, r: 22.2, i: 21.3, z: 20.5 };

/** asinh softening parameters b of the SDSS catalogues, in maggies (Lupton et al. 1999; SDSS DR7 documentation). */
export const SDSS_ASINH_SOFTENING: Readonly<Ugriz> = { u: 1.4e-10, g: 0.9e-10, r: 1.2e-10, i: 1.8e-10, z: 7.4e-10 };

/** 2.5 / ln 10: converts a fractional flux error into a magnitude error. */
export const MAG_PER_FRACTIONAL_FLUX = 2.5 / Math.LN10;

/**
 * Expected magnitude error of a sky-limited point source: the signal-to-noise ratio is
 * SNR = 5 · 10^(−0.4 (m − m_5σ)), σ_m = 1.0857 / SNR, and a calibration floor is added in quadrature.
 * @param magAB source magnitude.
 * @param limitingMag5Sigma magnitude at which SNR = 5.
 * @param floorMag calibration floor (default 0.02 mag).
 */
export function magnitudeError(magAB: number, limitingMag5Sigma: number, floorMag = 0.02): number {
  const snr = 5 * pow(10, -0.4 * (magAB - limitingMag5Sigma));
  const stat = MAG_PER_FRACTIONAL_FLUX / snr;
  return sqrt(stat * stat + floorMag * floorMag);
}

/** asinh magnitude of a flux in maggies with softening b (Lupton et al. 1999, eq. 2). */
export function asinhMagnitude(fluxMaggies: number, softening: number): number {
  return -MAG_PER_FRACTIONAL_FLUX * (asinh(fluxMaggies / (2 * softening)) + log(softening));
}

// ---------------------------------------------------------------------------------------------
// The survey simulator
// ---------------------------------------------------------------------------------------------

/** Which objects survive: observed magnitude brighter than `maxMagAB` in any (or every) listed band. */
export interface DepthCut {
  bands: SdssBand[];
  maxMagAB: number;
  /** "any" (default): detected in at least one of the bands; "all": in every band. */
  mode?: "any" | "all";
}

export interface PhotometryOptions {
  /**
   * Stars drawn before the depth cut (default 5000). Equal numbers of stars and quasars suit a
   * classification exercise; a real high-latitude field at r < 21 has ~10–20 stars per quasar.
   */
  nStars?: number;
  /** Quasars drawn before the depth cut (default 5000). */
  nQuasars?: number;
  /** Seed for a fresh `Rng` (default 42); ignored if `rng` is given. */
  seed?: number;
  /** Generator to draw from (advanced by the call). */
  rng?: Rng;
  /** r-band range [bright, faint] of the drawn true magnitudes, AB (default [15, 23]). */
  magRangeR?: [number, number];
  /** Star number counts in r (default `DEFAULT_STAR_COUNTS`). */
  starCounts?: NumberCounts;
  /** Quasar number counts in r (default `DEFAULT_QUASAR_COUNTS`). */
  quasarCounts?: NumberCounts;
  /** Effective temperature range of the stars, K (default [3000, 30000]). */
  temperatureRangeK?: [number, number];
  /** Temperature / population mix of the stars (default `DEFAULT_TEMPERATURE_MIX`). */
  temperatureMix?: readonly TemperatureComponent[];
  /** Quasar redshift range (default [0.1, 4]). */
  redshiftRange?: [number, number];
  /** "sdss" (default): catalogue-like, peaking at z ≈ 1.1; "uniform": flat in z (for colour–z studies). */
  redshiftDistribution?: "sdss" | "uniform";
  /** Mean and scatter of the quasar continuum slope α_ν (default −0.5 ± 0.3). */
  alphaNu?: { mean: number; sd: number };
  /** Log-normal scatter of the line equivalent widths, dex (default 0.15). */
  lineStrengthScatterDex?: number;
  /** Log-normal scatter of the forest optical depth between sight lines, natural log (default 0.2). */
  igmOpacityScatter?: number;
  /** 5σ limiting magnitudes, AB (default `SDSS_LIMITING_MAG_5SIGMA`). */
  limitingMag5Sigma?: Partial<Ugriz>;
  /** Calibration error floor added in quadrature, mag (default 0.02). */
  errorFloorMag?: number;
  /** "asinh" (default, as in SDSS catalogues) or "pogson" (NaN when the measured flux is ≤ 0). */
  magnitudeSystem?: "asinh" | "pogson";
  /** Add noise (default true); false returns the true magnitudes with the expected errors. */
  noise?: boolean;
  /** Depth cut on observed magnitudes (default r < 22.2, the 5σ limit); null keeps every object. */
  depthCut?: DepthCut | null;
  /** Mix stars and quasars in random order (default true). */
  shuffle?: boolean;
}

/** `PhotometryOptions` with every default filled in. */
export type ResolvedPhotometryOptions = Required<Omit<PhotometryOptions, "rng" | "depthCut" | "limitingMag5Sigma">> & {
  limitingMag5Sigma: Ugriz;
  depthCut: DepthCut | null;
};

/** Simulated catalogue: one entry per object that passed the depth cut. */
export interface PhotometrySample {
  /** Number of objects. */
  n: number;
  /** Observed AB magnitudes (asinh by default). */
  u: Float64Array;
  g: Float64Array;
  r: Float64Array;
  i: Float64Array;
  z: Float64Array;
  /** 1σ magnitude errors. */
  uErr: Float64Array;
  gErr: Float64Array;
  rErr: Float64Array;
  iErr: Float64Array;
  zErr: Float64Array;
  /** Noiseless magnitudes. */
  trueMag: Record<SdssBand, Float64Array>;
  /** 0 = star, 1 = quasar. */
  label: Int32Array;
  /** Star effective temperature, K (NaN for quasars). */
  temperatureK: Float64Array;
  /** Star metallicity [Fe/H], dex (NaN for quasars). */
  feH: Float64Array;
  /** Quasar redshift (0 for stars). */
  redshift: Float64Array;
  /** Quasar continuum slope α_ν (NaN for stars). */
  alphaNu: Float64Array;
  /** Objects drawn before the depth cut: stars, quasars. */
  nDrawn: { stars: number; quasars: number };
  /** The options used, with defaults filled in. */
  options: ResolvedPhotometryOptions;
  /** The catalogue as a polars DataFrame (see `photometryToDataFrame`). */
  toDataFrame(): pl.DataFrame;
}

interface DrawnObject {
  label: 0 | 1;
  mags: Ugriz;
  temperatureK: number;
  feH: number;
  redshift: number;
  alphaNu: number;
}

/**
 * Simulates an SDSS-like ugriz catalogue of stars (label 0) and quasars (label 1).
 *
 * Each object gets a true r magnitude from the number counts over `magRangeR`, a spectrum (star:
 * temperature and metallicity from the Galactic mix; quasar: redshift, α_ν, line strengths and
 * forest opacity), true magnitudes through the Doi et al. (2010) responses, then sky-limited flux
 * noise at the `limitingMag5Sigma` depths plus an `errorFloorMag` calibration error. Objects that
 * fail `depthCut` are dropped, so the returned counts follow the number counts down to the limit.
 *
 * @example
 * const cat = simulatePhotometry({ nStars: 3000, nQuasars: 3000, seed: 1 });
 * const df = cat.toDataFrame(); // columns u g r i z, u_err…, label, class, temperature_K, redshift…
 */
export function simulatePhotometry(options: PhotometryOptions = {}): PhotometrySample {
  const opts = {
    nStars: options.nStars ?? 5000,
    nQuasars: options.nQuasars ?? 5000,
    seed: options.seed ?? 42,
    magRangeR: options.magRangeR ?? ([15, 23] as [number, number]),
    starCounts: options.starCounts ?? DEFAULT_STAR_COUNTS,
    quasarCounts: options.quasarCounts ?? DEFAULT_QUASAR_COUNTS,
    temperatureRangeK: options.temperatureRangeK ?? ([3000, 30000] as [number, number]),
    temperatureMix: options.temperatureMix ?? DEFAULT_TEMPERATURE_MIX,
    redshiftRange: options.redshiftRange ?? ([0.1, 4] as [number, number]),
    redshiftDistribution: options.redshiftDistribution ?? "sdss",
    alphaNu: options.alphaNu ?? { mean: -0.5, sd: 0.3 },
    lineStrengthScatterDex: options.lineStrengthScatterDex ?? 0.15,
    igmOpacityScatter: options.igmOpacityScatter ?? 0.2,
    limitingMag5Sigma: { ...SDSS_LIMITING_MAG_5SIGMA, ...(options.limitingMag5Sigma ?? {}) },
    errorFloorMag: options.errorFloorMag ?? 0.02,
    magnitudeSystem: options.magnitudeSystem ?? "asinh",
    noise: options.noise ?? true,
    depthCut: options.depthCut === undefined ? { bands: ["r"], maxMagAB: 22.2, mode: "any" } : options.depthCut,
    shuffle: options.shuffle ?? true,
  } as ResolvedPhotometryOptions;
  const [bright, faint] = opts.magRangeR;
  if (!(faint > bright)) throw new Error(`magRangeR must be [bright, faint] with faint > bright, got [${bright}, ${faint}]`);
  if (!(opts.nStars >= 0 && opts.nQuasars >= 0)) throw new Error("nStars and nQuasars must be >= 0");

  const rng = options.rng ?? new Rng(opts.seed);
  // Separate streams so changing the number of quasars does not reshuffle the stars.
  const starRng = rng.fork();
  const quasarRng = rng.fork();
  const noiseRng = rng.fork();
  const orderRng = rng.fork();

  const objects: DrawnObject[] = [];
  for (let k = 0; k < opts.nStars; k++) {
    const { temperatureK, feH } = drawStar(starRng, opts.temperatureMix, opts.temperatureRangeK);
    const rMag = drawMagnitude(starRng, opts.starCounts, bright, faint);
    objects.push({ label: 0, mags: starMagnitudes(temperatureK, feH, rMag), temperatureK, feH, redshift: 0, alphaNu: NaN });
  }
  for (let k = 0; k < opts.nQuasars; k++) {
    const redshift = drawQuasarRedshift(quasarRng, opts.redshiftRange, opts.redshiftDistribution);
    const alphaNu = quasarRng.normal(opts.alphaNu.mean, opts.alphaNu.sd);
    const lineStrength = pow(10, quasarRng.normal(0, opts.lineStrengthScatterDex));
    const igmOpacityScale = exp(quasarRng.normal(0, opts.igmOpacityScatter));
    const rMag = drawMagnitude(quasarRng, opts.quasarCounts, bright, faint);
    const mags = quasarMagnitudes({ redshift, alphaNu, lineStrength, igmOpacityScale }, rMag);
    objects.push({ label: 1, mags, temperatureK: NaN, feH: NaN, redshift, alphaNu });
  }

  const order = opts.shuffle ? orderRng.permutation(objects.length) : objects.map((_, k) => k);
  const kept: { obj: DrawnObject; obs: Ugriz; err: Ugriz }[] = [];
  for (const idx of order) {
    const obj = objects[idx];
    const obs = {} as Ugriz;
    const err = {} as Ugriz;
    for (const b of SDSS_BANDS) {
      const o = observe(obj.mags[b], b, opts, noiseRng);
      obs[b] = o.mag;
      err[b] = o.err;
    }
    if (passesCut(obs, opts.depthCut)) kept.push({ obj, obs, err });
  }
  return packSample(kept, opts);
}

function observe(
  trueMag: number,
  band: SdssBand,
  opts: ResolvedPhotometryOptions,
  rng: Rng,
): { mag: number; err: number } {
  const lim = opts.limitingMag5Sigma[band];
  const sigmaFlux = pow(10, -0.4 * lim) / 5; // sky-limited: the same in maggies for every source
  const trueFlux = pow(10, -0.4 * trueMag);
  const floor = opts.errorFloorMag;
  // Spread b ∝ σ_flux when the depth is changed, so asinh magnitudes keep SDSS's behaviour.
  const softening = SDSS_ASINH_SOFTENING[band] * (sigmaFlux / (pow(10, -0.4 * SDSS_LIMITING_MAG_5SIGMA[band]) / 5));
  let flux = trueFlux;
  let calib = 0;
  if (opts.noise) {
    flux = trueFlux + rng.normal(0, sigmaFlux);
    calib = rng.normal(0, floor);
  }
  let mag: number;
  let stat: number;
  if (opts.magnitudeSystem === "asinh") {
    mag = asinhMagnitude(flux, softening);
    stat = (MAG_PER_FRACTIONAL_FLUX * sigmaFlux) / sqrt(flux * flux + 4 * softening * softening);
  } else {
    mag = flux > 0 ? -2.5 * log10(flux) : NaN;
    stat = flux > 0 ? (MAG_PER_FRACTIONAL_FLUX * sigmaFlux) / flux : NaN;
  }
  return { mag: mag + calib, err: sqrt(stat * stat + floor * floor) };
}

function passesCut(obs: Ugriz, cut: DepthCut | null): boolean {
  if (!cut || cut.bands.length === 0) return true;
  const ok = cut.bands.map((b) => obs[b] < cut.maxMagAB);
  return (cut.mode ?? "any") === "all" ? ok.every(Boolean) : ok.some(Boolean);
}

function packSample(kept: { obj: DrawnObject; obs: Ugriz; err: Ugriz }[], opts: ResolvedPhotometryOptions): PhotometrySample {
  const n = kept.length;
  const col = () => new Float64Array(n);
  const s = {
    n,
    u: col(), g: col(), r: col(), i: col(), z: col(),
    uErr: col(), gErr: col(), rErr: col(), iErr: col(), zErr: col(),
    trueMag: { u: col(), g: col(), r: col(), i: col(), z: col() },
    label: new Int32Array(n),
    temperatureK: col(),
    feH: col(),
    redshift: col(),
    alphaNu: col(),
    nDrawn: { stars: opts.nStars, quasars: opts.nQuasars },
    options: opts,
  } as Omit<PhotometrySample, "toDataFrame">;
  const errKey = { u: "uErr", g: "gErr", r: "rErr", i: "iErr", z: "zErr" } as const;
  kept.forEach(({ obj, obs, err }, k) => {
    for (const b of SDSS_BANDS) {
      s[b][k] = obs[b];
      s[errKey[b]][k] = err[b];
      s.trueMag[b][k] = obj.mags[b];
    }
    s.label[k] = obj.label;
    s.temperatureK[k] = obj.temperatureK;
    s.feH[k] = obj.feH;
    s.redshift[k] = obj.redshift;
    s.alphaNu[k] = obj.alphaNu;
  });
  const sample = s as PhotometrySample;
  sample.toDataFrame = () => photometryToDataFrame(sample);
  return sample;
}

function nanToNull(a: Float64Array): (number | null)[] {
  return Array.from(a, (v) => (Number.isNaN(v) ? null : v));
}

/**
 * The catalogue as a polars DataFrame with columns u g r i z, u_err … z_err, label (0 star,
 * 1 quasar), class ("star"/"quasar"), temperature_K, feH, redshift, alpha_nu (null where not
 * applicable).
 */
export function photometryToDataFrame(sample: PhotometrySample): pl.DataFrame {
  return pl.DataFrame({
    u: sample.u,
    g: sample.g,
    r: sample.r,
    i: sample.i,
    z: sample.z,
    u_err: sample.uErr,
    g_err: sample.gErr,
    r_err: sample.rErr,
    i_err: sample.iErr,
    z_err: sample.zErr,
    label: sample.label,
    class: Array.from(sample.label, (l) => (l === 1 ? "quasar" : "star")),
    temperature_K: nanToNull(sample.temperatureK),
    feH: nanToNull(sample.feH),
    redshift: sample.redshift,
    alpha_nu: nanToNull(sample.alphaNu),
  });
}

/** Colours u−g, g−r, r−i, i−z of a catalogue (or of any magnitude arrays). */
export function colours(m: { u: ArrayLike<number>; g: ArrayLike<number>; r: ArrayLike<number>; i: ArrayLike<number>; z: ArrayLike<number> }): {
  ug: Float64Array;
  gr: Float64Array;
  ri: Float64Array;
  iz: Float64Array;
} {
  const n = m.u.length;
  const ug = new Float64Array(n);
  const gr = new Float64Array(n);
  const ri = new Float64Array(n);
  const iz = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    ug[k] = m.u[k] - m.g[k];
    gr[k] = m.g[k] - m.r[k];
    ri[k] = m.r[k] - m.i[k];
    iz[k] = m.i[k] - m.z[k];
  }
  return { ug, gr, ri, iz };
}

/**
 * Noiseless stellar locus: colours of dwarfs on a log-spaced temperature grid (default 200 stars
 * from 3000 to 30000 K) at metallicity `feH`, for over-plotting on a colour–colour diagram.
 */
export function stellarLocus(options: { nPoints?: number; minK?: number; maxK?: number; feH?: number } = {}): {
  temperatureK: Float64Array;
  ug: Float64Array;
  gr: Float64Array;
  ri: Float64Array;
  iz: Float64Array;
} {
  const n = options.nPoints ?? 200;
  const lo = options.minK ?? STAR_TEMPERATURE_RANGE_K[0];
  const hi = options.maxK ?? STAR_TEMPERATURE_RANGE_K[1];
  const temperatureK = new Float64Array(n);
  const m = { u: new Float64Array(n), g: new Float64Array(n), r: new Float64Array(n), i: new Float64Array(n), z: new Float64Array(n) };
  for (let k = 0; k < n; k++) {
    const t = lo * pow(hi / lo, n === 1 ? 0 : k / (n - 1));
    temperatureK[k] = t;
    const mags = starMagnitudes(t, options.feH ?? 0);
    for (const b of SDSS_BANDS) m[b][k] = mags[b];
  }
  return { temperatureK, ...colours(m) };
}

/** Noiseless quasar colours on a redshift grid (mean model: α_ν = −0.44, composite line strengths). */
export function quasarColourTrack(redshifts: ArrayLike<number>, spectrum: Omit<QuasarSpectrumOptions, "redshift"> = {}): {
  redshift: Float64Array;
  ug: Float64Array;
  gr: Float64Array;
  ri: Float64Array;
  iz: Float64Array;
} {
  const n = redshifts.length;
  const m = { u: new Float64Array(n), g: new Float64Array(n), r: new Float64Array(n), i: new Float64Array(n), z: new Float64Array(n) };
  for (let k = 0; k < n; k++) {
    const mags = quasarMagnitudes({ ...spectrum, redshift: redshifts[k] });
    for (const b of SDSS_BANDS) m[b][k] = mags[b];
  }
  return { redshift: Float64Array.from(redshifts), ...colours(m) };
}

