/**
 * Light curves of periodic variable stars, for the Fourier-transform and period-finding lessons.
 *
 * Shapes are templates of the main classes (Percy 2007, "Understanding Variable Stars"; Catelan &
 * Smith 2015, "Pulsating Stars"):
 * - `sinusoid`: a pure sine, the case the discrete Fourier transform and the periodogram see as one
 *   spike;
 * - `rrlyrae`: an RRab star, a fast rise in brightness over ~10 % of the cycle and a slower decline;
 *   its Fourier amplitude ratios (R21 ≈ 0.5, R31 ≈ 0.3) are the ones measured for RRab stars
 *   (Simon & Teays 1982, ApJ 261, 586);
 * - `cepheid`: a classical Cepheid, rise over ~30 % of the cycle;
 * - `eclipsing`: a detached (Algol-type) binary, flat outside two eclipses half an orbit apart;
 * - `contact`: a W UMa contact binary, continuously varying with two nearly equal minima per
 *   orbit, so a periodogram peaks at half the orbital period.
 *
 * Sampling is either even (for the DFT lesson) or like a ground-based survey: at most a few visits
 * per night near the object's transit, nights lost to weather, and a seasonal gap each year when
 * the object is too close to the Sun. Those gaps put aliases at ±1 cycle/day and ±1 cycle/year
 * around every true frequency.
 */
import * as pl from "nodejs-polars";
import { Rng } from "../random";

// Local aliases: inside a jest/vm sandbox each `Math.f` in a hot loop is a slow global lookup.
const { cos, sin } = Math;

/** Variable-star classes with a template light curve. */
export type VariableKind = "sinusoid" | "rrlyrae" | "cepheid" | "eclipsing" | "contact";

export const VARIABLE_KINDS: readonly VariableKind[] = ["sinusoid", "rrlyrae", "cepheid", "eclipsing", "contact"];

/** Even sampling: `nPoints` observations every `cadenceDays`. */
export interface EvenSampling {
  kind: "even";
  nPoints: number;
  cadenceDays: number;
  /** Time of the first observation, days (default 0). */
  startDays?: number;
}

/** Ground-based survey sampling with nightly cadence, weather losses and seasonal gaps. */
export interface SurveySampling {
  kind: "survey";
  /** Length of the survey, days (default 3 × 365.25). */
  durationDays?: number;
  /** Probability that a given night inside the season yields data (default 0.35). */
  nightFraction?: number;
  /** Visits on an observed night (default 1), `visitSpacingDays` apart (default 0.02 d ≈ 30 min). */
  visitsPerNight?: number;
  visitSpacingDays?: number;
  /** Days per year the object is observable (default 240). */
  seasonLengthDays?: number;
  /** Scatter of the observing time about transit, hours (default 1.5 h, Gaussian). */
  hourAngleScatterHours?: number;
  /** Time of the first night, days (default 0). */
  startDays?: number;
}

export type Sampling = EvenSampling | SurveySampling;

export interface LightCurveOptions {
  /** Variable class (default "sinusoid"). */
  kind?: VariableKind;
  /** Period, days; drawn from the class's typical range if omitted (see `TYPICAL_PERIOD_DAYS`). */
  periodDays?: number;
  /** Peak-to-peak amplitude of the noiseless curve, mag; drawn from the typical range if omitted. */
  amplitudeMag?: number;
  /** Mean magnitude over a cycle (default 15). */
  meanMag?: number;
  /** Phase at t = 0 of maximum light (pulsators) or primary eclipse (binaries), cycles; random if omitted. */
  phase0?: number;
  /** Secondary eclipse depth / primary depth for `eclipsing` (default 0.4). */
  secondaryDepthRatio?: number;
  /** Eclipse duration as a fraction of the period for `eclipsing` (default 0.08). */
  eclipseWidthPhase?: number;
  /** Gaussian noise per point, mag (default 0.02). */
  noiseMag?: number;
  /** Time sampling (default survey sampling). */
  sampling?: Sampling;
  /** Seed for a fresh `Rng` (default 42); ignored if `rng` is given. */
  seed?: number;
  rng?: Rng;
}

/** A simulated light curve. */
export interface LightCurve {
  kind: VariableKind;
  periodDays: number;
  /** Peak-to-peak amplitude of `magTrue`'s template, mag. */
  amplitudeMag: number;
  meanMag: number;
  phase0: number;
  /** Observation times, days, increasing. */
  timeDays: Float64Array;
  /** Observed magnitudes (noise added). */
  mag: Float64Array;
  /** 1σ errors, mag. */
  magErr: Float64Array;
  /** Noiseless magnitudes at the same times. */
  magTrue: Float64Array;
  /** Columns time_days, mag, mag_err, mag_true. */
  toDataFrame(): pl.DataFrame;
}

/** Typical period ranges (days) of each class, used when `periodDays` is not given (log-uniform draw). */
export const TYPICAL_PERIOD_DAYS: Readonly<Record<VariableKind, readonly [number, number]>> = {
  sinusoid: [0.2, 20],
  rrlyrae: [0.45, 0.8], // RRab (Catelan & Smith 2015)
  cepheid: [3, 30],
  eclipsing: [1, 10],
  contact: [0.25, 0.6], // W UMa
};

/** Typical peak-to-peak amplitudes (mag, V-like band), used when `amplitudeMag` is not given. */
export const TYPICAL_AMPLITUDE_MAG: Readonly<Record<VariableKind, readonly [number, number]>> = {
  sinusoid: [0.1, 1],
  rrlyrae: [0.5, 1.2],
  cepheid: [0.4, 1.0],
  eclipsing: [0.3, 1.0],
  contact: [0.2, 0.7],
};

const TWO_PI = 2 * Math.PI;

function wrapPhase(phase: number): number {
  return phase - Math.floor(phase);
}

/**
 * Fourier coefficients of a sawtooth that brightens (magnitude falls) linearly over a fraction
 * `rise` of the cycle and fades over the rest as 1 − (1 − x)^declinePower (fast just after
 * maximum, a slow approach to minimum), keeping `nHarmonics` terms with Lanczos σ-factors so the
 * truncated series has no Gibbs ringing at the sharp minimum.
 */
function sawtoothSeries(rise: number, nHarmonics: number, declinePower = 1): { a: Float64Array; b: Float64Array } {
  const nSample = 4096;
  const a = new Float64Array(nHarmonics + 1);
  const b = new Float64Array(nHarmonics + 1);
  for (let s = 0; s < nSample; s++) {
    const phase = s / nSample;
    // 0 at maximum light (phase 0), 1 at minimum light (phase 1 - rise)
    const v = phase < 1 - rise ? 1 - Math.pow(1 - phase / (1 - rise), declinePower) : (1 - phase) / rise;
    for (let k = 1; k <= nHarmonics; k++) {
      a[k] += (2 / nSample) * v * cos(TWO_PI * k * phase);
      b[k] += (2 / nSample) * v * sin(TWO_PI * k * phase);
    }
  }
  for (let k = 1; k <= nHarmonics; k++) {
    const x = (Math.PI * k) / (nHarmonics + 1);
    const sigma = sin(x) / x;
    a[k] *= sigma;
    b[k] *= sigma;
  }
  return { a, b };
}

// RRab: rise over 10 % of the cycle, gives R21 = 0.48, R31 = 0.29, R41 = 0.19, close to the
// measured V-band values (R21 ≈ 0.45–0.5, R31 ≈ 0.3–0.35; Simon & Teays 1982).
const RRLYRAE_SERIES = sawtoothSeries(0.1, 20, 3);
// Classical Cepheid: rise over ~30 % of the cycle, linear decline (R21 ≈ 0.3).
const CEPHEID_SERIES = sawtoothSeries(0.3, 10);

function evalSeries(series: { a: Float64Array; b: Float64Array }, phase: number): number {
  let v = 0;
  for (let k = 1; k < series.a.length; k++) {
    v += series.a[k] * cos(TWO_PI * k * phase) + series.b[k] * sin(TWO_PI * k * phase);
  }
  return v;
}

function eclipseDip(dphase: number, width: number): number {
  // distance to the nearest eclipse centre, in phase
  const d = Math.abs(dphase - Math.round(dphase));
  if (d >= width / 2) return 0;
  const c = cos((Math.PI * d) / width);
  return c * c;
}

/**
 * Unnormalised template magnitude offset at `phase` (cycles; larger = fainter). Use
 * `variableShape` for the version with unit peak-to-peak amplitude and zero mean.
 */
function rawShape(kind: VariableKind, phase: number, secondaryDepthRatio: number, eclipseWidthPhase: number): number {
  switch (kind) {
    case "sinusoid":
      return -cos(TWO_PI * phase);
    case "rrlyrae":
      return evalSeries(RRLYRAE_SERIES, phase);
    case "cepheid":
      return evalSeries(CEPHEID_SERIES, phase);
    case "eclipsing":
      return eclipseDip(phase, eclipseWidthPhase) + secondaryDepthRatio * eclipseDip(phase - 0.5, eclipseWidthPhase);
    case "contact":
      // two minima per orbit (phases 0 and 0.5) from the ellipsoidal distortion and mutual
      // eclipses; the small once-per-orbit term makes the primary minimum slightly deeper
      return 0.5 * (1 + cos(2 * TWO_PI * phase)) + 0.04 * (1 + cos(TWO_PI * phase));
    default:
      throw new Error(`unknown variable kind "${kind as string}" (expected one of ${VARIABLE_KINDS.join(", ")})`);
  }
}

interface ShapeNormalisation {
  offset: number;
  scale: number;
}

const normalisationCache = new Map<string, ShapeNormalisation>();

function shapeNormalisation(kind: VariableKind, secondaryDepthRatio: number, eclipseWidthPhase: number): ShapeNormalisation {
  const key = `${kind}|${secondaryDepthRatio}|${eclipseWidthPhase}`;
  let norm = normalisationCache.get(key);
  if (!norm) {
    // A dense phase grid gives the mean and the peak-to-peak range of the template; 8192 points
    // resolve an 8 %-wide eclipse to better than 1e-4 mag.
    const n = 8192;
    let lo = Infinity;
    let hi = -Infinity;
    let sum = 0;
    for (let s = 0; s < n; s++) {
      const v = rawShape(kind, s / n, secondaryDepthRatio, eclipseWidthPhase);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      sum += v;
    }
    norm = { offset: sum / n, scale: hi > lo ? 1 / (hi - lo) : 0 };
    normalisationCache.set(key, norm);
  }
  return norm;
}

/**
 * Template magnitude offset of a variable star at `phase` (cycles since maximum light or primary
 * eclipse): zero mean over a cycle and unit peak-to-peak amplitude, positive = fainter.
 */
export function variableShape(
  kind: VariableKind,
  phase: number,
  options: { secondaryDepthRatio?: number; eclipseWidthPhase?: number } = {},
): number {
  const sdr = options.secondaryDepthRatio ?? 0.4;
  const width = options.eclipseWidthPhase ?? 0.08;
  const norm = shapeNormalisation(kind, sdr, width);
  return (rawShape(kind, wrapPhase(phase), sdr, width) - norm.offset) * norm.scale;
}

/** Observation times of a sampling pattern, days, increasing. */
export function sampleTimes(sampling: Sampling, rng: Rng): Float64Array {
  if (sampling.kind === "even") {
    const start = sampling.startDays ?? 0;
    if (!(sampling.nPoints >= 1 && sampling.cadenceDays > 0)) {
      throw new Error("even sampling needs nPoints >= 1 and cadenceDays > 0");
    }
    return Float64Array.from({ length: sampling.nPoints }, (_, k) => start + k * sampling.cadenceDays);
  }
  const duration = sampling.durationDays ?? 3 * 365.25;
  const nightFraction = sampling.nightFraction ?? 0.35;
  const visits = sampling.visitsPerNight ?? 1;
  const spacing = sampling.visitSpacingDays ?? 0.02;
  const season = sampling.seasonLengthDays ?? 240;
  const haScatter = (sampling.hourAngleScatterHours ?? 1.5) / 24;
  const start = sampling.startDays ?? 0;
  const times: number[] = [];
  for (let night = 0; night < duration; night++) {
    const dayOfYear = night % 365.25;
    if (dayOfYear >= season) continue;
    if (rng.random() >= nightFraction) continue;
    const t0 = start + night + rng.normal(0, haScatter);
    for (let v = 0; v < visits; v++) times.push(t0 + v * spacing);
  }
  times.sort((x, y) => x - y);
  return Float64Array.from(times);
}

function drawLogUniform(rng: Rng, range: readonly [number, number]): number {
  return range[0] * Math.exp(rng.random() * Math.log(range[1] / range[0]));
}

/**
 * Simulates the light curve of a periodic variable star:
 * mag(t) = meanMag + amplitudeMag · shape((t / P) + phase0) + noise.
 *
 * @example
 * const lc = simulateLightCurve({ kind: "rrlyrae", periodDays: 0.55, amplitudeMag: 0.8, seed: 3 });
 * const even = simulateLightCurve({ kind: "sinusoid", periodDays: 2, sampling: { kind: "even", nPoints: 256, cadenceDays: 0.1 } });
 */
export function simulateLightCurve(options: LightCurveOptions = {}): LightCurve {
  const rng = options.rng ?? new Rng(options.seed ?? 42);
  const kind = options.kind ?? "sinusoid";
  if (!VARIABLE_KINDS.includes(kind)) throw new Error(`unknown variable kind "${kind}"`);
  const periodDays = options.periodDays ?? drawLogUniform(rng, TYPICAL_PERIOD_DAYS[kind]);
  const amplitudeMag = options.amplitudeMag ?? rng.uniform(...TYPICAL_AMPLITUDE_MAG[kind]);
  const phase0 = options.phase0 ?? rng.random();
  const meanMag = options.meanMag ?? 15;
  const noiseMag = options.noiseMag ?? 0.02;
  if (!(periodDays > 0)) throw new Error(`periodDays must be > 0, got ${periodDays}`);
  if (!(noiseMag >= 0)) throw new Error(`noiseMag must be >= 0, got ${noiseMag}`);
  const shapeOpts = { secondaryDepthRatio: options.secondaryDepthRatio, eclipseWidthPhase: options.eclipseWidthPhase };
  const timeDays = sampleTimes(options.sampling ?? { kind: "survey" }, rng);
  const n = timeDays.length;
  const magTrue = new Float64Array(n);
  const mag = new Float64Array(n);
  const magErr = new Float64Array(n).fill(noiseMag);
  for (let k = 0; k < n; k++) {
    magTrue[k] = meanMag + amplitudeMag * variableShape(kind, timeDays[k] / periodDays + phase0, shapeOpts);
    mag[k] = magTrue[k] + (noiseMag > 0 ? rng.normal(0, noiseMag) : 0);
  }
  const lc: LightCurve = {
    kind,
    periodDays,
    amplitudeMag,
    meanMag,
    phase0,
    timeDays,
    mag,
    magErr,
    magTrue,
    toDataFrame: () =>
      pl.DataFrame({ time_days: lc.timeDays, mag: lc.mag, mag_err: lc.magErr, mag_true: lc.magTrue }),
  };
  return lc;
}

/** Phase in [0, 1) of each time for a trial period: frac((t − epoch) / P). */
export function phaseFold(timeDays: ArrayLike<number>, periodDays: number, epochDays = 0): Float64Array {
  if (!(periodDays > 0)) throw new Error(`periodDays must be > 0, got ${periodDays}`);
  return Float64Array.from(timeDays, (t) => wrapPhase((t - epochDays) / periodDays));
}
