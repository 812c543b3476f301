/**
 * A fixed-length view of an unevenly sampled light curve for a period-finding network, and the
 * bookkeeping to judge its answers against Lomb–Scargle.
 *
 * A network needs the same number of inputs for every star, but survey light curves have any
 * number of points at any times. The Lomb–Scargle periodogram on a fixed frequency range is such
 * a view. Its peaks are only ~1/T wide (T = baseline; 1/365 cycles/day for a one-year survey),
 * far narrower than any input layer we can afford, so we compute it on a fine grid and keep the
 * highest power in each of `nBins` logarithmically spaced frequency bins (max-pooling), which
 * keeps every peak, wherever it falls. A bin of relative width w turns into a period known to
 * ±w/2, which sets the network's best possible precision.
 */
import { lombScargle, frequencyGrid } from "./lombscargle";

/** Logarithmically spaced frequency bins, cycles/day. */
export interface LogFrequencyBins {
  nBins: number;
  minimumFrequency: number;
  maximumFrequency: number;
  /** nBins + 1 bin edges, increasing. */
  edgesPerDay: Float64Array;
  /** Geometric centre of each bin. */
  centresPerDay: Float64Array;
  /** Relative width of every bin, Δf/f ≈ ln(fmax/fmin)/nBins. */
  relativeWidth: number;
}

/** `nBins` bins evenly spaced in log frequency between the two limits (cycles/day). */
export function logFrequencyBins(nBins: number, minimumFrequency: number, maximumFrequency: number): LogFrequencyBins {
  if (!(Number.isInteger(nBins) && nBins >= 2)) throw new Error(`nBins must be an integer >= 2, got ${nBins}`);
  if (!(minimumFrequency > 0 && maximumFrequency > minimumFrequency)) {
    throw new Error(`need 0 < minimumFrequency < maximumFrequency, got [${minimumFrequency}, ${maximumFrequency}]`);
  }
  const ratio = maximumFrequency / minimumFrequency;
  const edgesPerDay = Float64Array.from({ length: nBins + 1 }, (_, i) => minimumFrequency * Math.pow(ratio, i / nBins));
  const centresPerDay = Float64Array.from({ length: nBins }, (_, i) => minimumFrequency * Math.pow(ratio, (i + 0.5) / nBins));
  return { nBins, minimumFrequency, maximumFrequency, edgesPerDay, centresPerDay, relativeWidth: Math.exp(Math.log(ratio) / nBins) - 1 };
}

/** Index of the bin holding `frequencyPerDay`; frequencies outside the range go to the first or last bin. */
export function frequencyBin(bins: LogFrequencyBins, frequencyPerDay: number): number {
  const x = Math.log(frequencyPerDay / bins.minimumFrequency) / Math.log(bins.maximumFrequency / bins.minimumFrequency);
  return Math.min(bins.nBins - 1, Math.max(0, Math.floor(bins.nBins * x)));
}

/** Period (days) a bin stands for: 1 / its centre frequency. */
export function binPeriodDays(bins: LogFrequencyBins, bin: number): number {
  if (!(bin >= 0 && bin < bins.nBins)) throw new Error(`bin ${bin} outside 0..${bins.nBins - 1}`);
  return 1 / bins.centresPerDay[bin];
}

export interface PooledPeriodogramOptions {
  uncertainties?: ArrayLike<number>;
  /** Fine-grid points per peak width 1/T (default 3: a peak is never missed, at most ~10 % low). */
  samplesPerPeak?: number;
  /** Divide by the highest bin so every star's strongest peak is 1 (default true). */
  normalise?: boolean;
}

/**
 * Lomb–Scargle power, max-pooled into logarithmic frequency bins: a fixed-length fingerprint of
 * an unevenly sampled light curve.
 */
export function pooledPeriodogram(
  timeDays: ArrayLike<number>,
  values: ArrayLike<number>,
  bins: LogFrequencyBins,
  options: PooledPeriodogramOptions = {},
): Float32Array {
  const grid = frequencyGrid(timeDays, {
    minimumFrequency: bins.minimumFrequency,
    maximumFrequency: bins.maximumFrequency,
    samplesPerPeak: options.samplesPerPeak ?? 3,
  });
  const power = lombScargle(timeDays, values, grid, { uncertainties: options.uncertainties });
  const pooled = new Float32Array(bins.nBins);
  // The grid is even in frequency and the bins are even in log frequency: walk both together.
  let b = 0;
  for (let j = 0; j < grid.length; j++) {
    while (b < bins.nBins - 1 && grid[j] >= bins.edgesPerDay[b + 1]) b++;
    if (power[j] > pooled[b]) pooled[b] = power[j];
  }
  if (options.normalise ?? true) {
    let max = 0;
    for (let i = 0; i < pooled.length; i++) max = Math.max(max, pooled[i]);
    if (max > 0) for (let i = 0; i < pooled.length; i++) pooled[i] /= max;
  }
  return pooled;
}

/** What a period-finding set needs of a light curve. */
export interface TimedSeries {
  timeDays: ArrayLike<number>;
  mag: ArrayLike<number>;
  magErr?: ArrayLike<number>;
  periodDays: number;
}

export interface PeriodFeatureSet {
  /** Row-major [count × nBins] pooled periodograms, ready for `tf.tensor2d(features, [count, nBins])`. */
  features: Float32Array;
  /** Bin of each curve's true frequency (the class label). */
  labels: Int32Array;
  /** True periods, days. */
  periodDays: Float64Array;
  count: number;
  nBins: number;
}

/** Pooled periodograms and true-period bins of many light curves. */
export function periodFeatureSet(curves: readonly TimedSeries[], bins: LogFrequencyBins, options: Omit<PooledPeriodogramOptions, "uncertainties"> = {}): PeriodFeatureSet {
  const count = curves.length;
  const features = new Float32Array(count * bins.nBins);
  const labels = new Int32Array(count);
  const periodDays = new Float64Array(count);
  curves.forEach((c, i) => {
    features.set(pooledPeriodogram(c.timeDays, c.mag, bins, { ...options, uncertainties: c.magErr }), i * bins.nBins);
    labels[i] = frequencyBin(bins, 1 / c.periodDays);
    periodDays[i] = c.periodDays;
  });
  return { features, labels, periodDays, count, nBins: bins.nBins };
}

/** How a period estimate relates to the truth. */
export type PeriodOutcome = "correct" | "imprecise" | "half" | "double" | "1-day alias" | "other";

export const PERIOD_OUTCOMES: readonly PeriodOutcome[] = ["correct", "imprecise", "half", "double", "1-day alias", "other"];

/**
 * Sorts a period estimate into the usual failure modes of period searches in ground-based data:
 * - "correct": within `tolerance` (relative, default 1 %) of the true period;
 * - "imprecise": within 5 %, the right peak but not pinned down;
 * - "half" / "double": P/2 or 2P (two equal minima per cycle, or a harmonic that wins);
 * - "1-day alias": frequency f ± 1 or ± 2 cycles/day (or 1 − f, 2 − f), ghosts put there by
 *   observing at the same time every night;
 * - "other": anything else.
 */
export function periodOutcome(predictedDays: number, trueDays: number, tolerance = 0.01): PeriodOutcome {
  const ratio = predictedDays / trueDays;
  if (Math.abs(ratio - 1) < tolerance) return "correct";
  if (Math.abs(ratio - 1) < 0.05) return "imprecise";
  if (Math.abs(ratio / 0.5 - 1) < tolerance) return "half";
  if (Math.abs(ratio / 2 - 1) < tolerance) return "double";
  const fPred = 1 / predictedDays;
  const fTrue = 1 / trueDays;
  for (const m of [1, 2]) {
    for (const alias of [fTrue + m, Math.abs(fTrue - m)]) {
      // an alias of a frequency known to ±tolerance·f is known to the same absolute precision
      if (Math.abs(fPred - alias) < tolerance * fTrue + 1e-9) return "1-day alias";
    }
  }
  return "other";
}

/** Fraction of estimates within `tolerance` (relative) of the truth. */
export function fractionWithin(predictedDays: ArrayLike<number>, trueDays: ArrayLike<number>, tolerance = 0.01): number {
  if (predictedDays.length !== trueDays.length) throw new Error("fractionWithin: lengths differ");
  let hits = 0;
  for (let i = 0; i < trueDays.length; i++) if (Math.abs(predictedDays[i] / trueDays[i] - 1) < tolerance) hits++;
  return hits / trueDays.length;
}

/** Median of |P_pred/P_true − 1|. */
export function medianRelativeError(predictedDays: ArrayLike<number>, trueDays: ArrayLike<number>): number {
  if (predictedDays.length !== trueDays.length || trueDays.length === 0) throw new Error("medianRelativeError: lengths differ or are empty");
  const errors = Array.from(trueDays, (t, i) => Math.abs(predictedDays[i] / t - 1)).sort((a, b) => a - b);
  const mid = errors.length >> 1;
  return errors.length % 2 ? errors[mid] : 0.5 * (errors[mid - 1] + errors[mid]);
}

/** Counts of each outcome (every outcome present, zeros included). */
export function outcomeCounts(predictedDays: ArrayLike<number>, trueDays: ArrayLike<number>, tolerance = 0.01): Record<PeriodOutcome, number> {
  const counts = Object.fromEntries(PERIOD_OUTCOMES.map((o) => [o, 0])) as Record<PeriodOutcome, number>;
  for (let i = 0; i < trueDays.length; i++) counts[periodOutcome(predictedDays[i], trueDays[i], tolerance)]++;
  return counts;
}

/** A guide line for a predicted-vs-true period plot. */
export interface PeriodGuide {
  name: string;
  x: number[];
  y: number[];
  dash: "solid" | "dash" | "dot";
}

/**
 * Where the common failure modes fall on a log-log plot of predicted vs true period: P, P/2, 2P
 * and the 1-day aliases 1/(1/P + 1) and 1/|1/P − 1|, between `minDays` and `maxDays`.
 */
export function periodGuides(minDays: number, maxDays: number, points = 400): PeriodGuide[] {
  const x = Array.from({ length: points }, (_, i) => minDays * Math.pow(maxDays / minDays, i / (points - 1)));
  const line = (name: string, f: (p: number) => number, dash: PeriodGuide["dash"]): PeriodGuide => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const p of x) {
      const y = f(p);
      // a gap (NaN) where the alias leaves the plot, so plotly does not join distant pieces
      const inside = Number.isFinite(y) && y >= minDays && y <= maxDays;
      xs.push(p);
      ys.push(inside ? y : NaN);
    }
    return { name, x: xs, y: ys, dash };
  };
  return [
    line("P", (p) => p, "solid"),
    line("P/2", (p) => p / 2, "dash"),
    line("2P", (p) => 2 * p, "dash"),
    line("alias f + 1", (p) => 1 / (1 / p + 1), "dot"),
    line("alias |f − 1|", (p) => 1 / Math.abs(1 / p - 1), "dot"),
  ];
}
