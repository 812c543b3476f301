/**
 * Training sets of simulated light curves for the Fourier and period-finding lessons: many stars
 * of mixed classes, every draw from one seeded generator so that a notebook gets the same set
 * twice.
 */
import { Rng } from "../random";
import {
  simulateLightCurve,
  TYPICAL_PERIOD_DAYS,
  type LightCurve,
  type SurveySampling,
  type VariableKind,
} from "../sim/lightcurves";

export interface EvenLightCurveSetOptions {
  /** Number of light curves. */
  count: number;
  /** Samples per curve (the DFT length N). */
  nPoints: number;
  /** Time between samples, days. */
  cadenceDays: number;
  /** Classes to draw from, uniformly (default all five). */
  kinds?: readonly VariableKind[];
  /** Gaussian noise per point, mag (default 0.02). 0 gives perfectly smooth curves. */
  noiseMag?: number;
  /**
   * Scatter of the stars' mean magnitudes about `referenceMag`, mag (default 0.3). Without it
   * every centred curve has mean ≈ 0 and the zero-frequency output never sees a signal.
   */
  meanMagScatter?: number;
  /** Magnitude subtracted from every curve so that inputs are of order 1 (default 15). */
  referenceMag?: number;
  /** Period range, days, log-uniform; defaults to each class's typical range. */
  periodRangeDays?: readonly [number, number];
  rng?: Rng;
  /** Seed for a fresh generator when `rng` is not given (default 42). */
  seed?: number;
}

export interface EvenLightCurveSet {
  /** mag − referenceMag, one Float64Array of length nPoints per curve. */
  signals: Float64Array[];
  curves: LightCurve[];
  timeDays: Float64Array;
}

function logUniform(rng: Rng, range: readonly [number, number]): number {
  return range[0] * Math.exp(rng.random() * Math.log(range[1] / range[0]));
}

/**
 * Evenly sampled light curves of mixed variable stars (as from a space telescope staring at a
 * field), with magnitudes measured from `referenceMag`: the inputs of the "learn the DFT" layer.
 */
export function evenLightCurveSet(options: EvenLightCurveSetOptions): EvenLightCurveSet {
  const rng = options.rng ?? new Rng(options.seed ?? 42);
  const kinds = options.kinds ?? (["sinusoid", "rrlyrae", "cepheid", "eclipsing", "contact"] as const);
  if (kinds.length === 0) throw new Error("evenLightCurveSet: no kinds given");
  const referenceMag = options.referenceMag ?? 15;
  const scatter = options.meanMagScatter ?? 0.3;
  const signals: Float64Array[] = [];
  const curves: LightCurve[] = [];
  for (let i = 0; i < options.count; i++) {
    const kind = rng.choice(kinds);
    const curve = simulateLightCurve({
      kind,
      periodDays: options.periodRangeDays ? logUniform(rng, options.periodRangeDays) : undefined,
      meanMag: referenceMag + (scatter > 0 ? rng.normal(0, scatter) : 0),
      noiseMag: options.noiseMag ?? 0.02,
      sampling: { kind: "even", nPoints: options.nPoints, cadenceDays: options.cadenceDays },
      rng,
    });
    curves.push(curve);
    signals.push(Float64Array.from(curve.mag, (m) => m - referenceMag));
  }
  const timeDays = Float64Array.from({ length: options.nPoints }, (_, k) => k * options.cadenceDays);
  return { signals, curves, timeDays };
}

export interface SurveyLightCurveSetOptions {
  count: number;
  /** Classes to draw from, uniformly (default sinusoid, rrlyrae, cepheid: the pulsators). */
  kinds?: readonly VariableKind[];
  /** Survey cadence (default one year, two visits per observed night, 35 % of nights clear). */
  sampling?: SurveySampling;
  /** Per-curve noise is drawn uniformly from this range, mag (default [0.02, 0.15]). */
  noiseRangeMag?: readonly [number, number];
  /** Period range, days, log-uniform; defaults to each class's typical range. */
  periodRangeDays?: readonly [number, number];
  rng?: Rng;
  seed?: number;
}

/** The default survey of the period-finding lesson: one observing season of a ZTF-like cadence. */
export const ONE_SEASON_SURVEY: Readonly<SurveySampling> = {
  kind: "survey",
  durationDays: 365.25,
  nightFraction: 0.35,
  visitsPerNight: 2,
  seasonLengthDays: 240,
};

/**
 * Unevenly sampled survey light curves of mixed classes, each with its own period (the class's
 * typical range unless `periodRangeDays` is given), amplitude, phase and noise level.
 */
export function surveyLightCurveSet(options: SurveyLightCurveSetOptions): LightCurve[] {
  const rng = options.rng ?? new Rng(options.seed ?? 42);
  const kinds = options.kinds ?? (["sinusoid", "rrlyrae", "cepheid"] as const);
  if (kinds.length === 0) throw new Error("surveyLightCurveSet: no kinds given");
  const [noiseLo, noiseHi] = options.noiseRangeMag ?? [0.02, 0.15];
  if (!(noiseLo >= 0 && noiseHi >= noiseLo)) throw new Error(`surveyLightCurveSet: bad noise range [${noiseLo}, ${noiseHi}]`);
  const sampling = options.sampling ?? ONE_SEASON_SURVEY;
  return Array.from({ length: options.count }, () => {
    const kind = rng.choice(kinds);
    return simulateLightCurve({
      kind,
      periodDays: logUniform(rng, options.periodRangeDays ?? TYPICAL_PERIOD_DAYS[kind]),
      noiseMag: rng.uniform(noiseLo, noiseHi),
      sampling,
      rng,
    });
  });
}
