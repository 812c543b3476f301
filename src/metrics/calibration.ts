/**
 * Are the error bars honest? Coverage, reliability curves and recalibration for Gaussian
 * predictions (a mean and a σ per object), and reliability diagrams for class probabilities.
 *
 * A predicted σ is *calibrated* when the truth falls inside the central interval of nominal
 * probability c (μ ± z_c σ) for a fraction c of the objects — 68.3 % for ±1σ, 95.5 % for ±2σ,
 * 99.7 % for ±3σ, the test Perreault Levasseur, Hezaveh & Wechsler (2017) apply to their lensing
 * networks. Two recalibrations fitted on validation data:
 * - a single scale factor s on every σ (the maximum-likelihood s, s² = mean of z², z = (y − μ)/σ);
 * - quantile (isotonic) recalibration (Kuleshov, Fenner & Ermon 2018): map each predicted CDF
 *   value p = Φ(z) through the empirical CDF R of those values on the validation set, a monotone
 *   map fitted to the data (on its own training points the isotonic fit is exactly that
 *   empirical CDF), then invert R to get the interval of any level. It fixes the shape of the
 *   errors (heavy tails, bias), not just their size.
 */
import { normalQuantile } from "../bayes/diagnostics";
import { erf } from "../sim/special";

/** The levels of ±1σ, ±2σ, ±3σ Gaussian intervals. */
export const SIGMA_LEVELS: readonly number[] = [0.6827, 0.9545, 0.9973];

/** Standard normal CDF Φ(x). */
export function normalCdf(x: number): number {
  return 0.5 * (1 + erf(x / Math.SQRT2));
}

function checkSame(fn: string, arrays: Record<string, ArrayLike<number>>): number {
  const entries = Object.entries(arrays);
  const n = entries[0][1].length;
  for (const [name, a] of entries) {
    if (a.length !== n) {
      throw new Error(`${fn}: ${entries.map(([k, v]) => `${k} has ${v.length}`).join(", ")} values; ${name} differs — all must be equal`);
    }
  }
  if (n === 0) throw new Error(`${fn}: empty input`);
  return n;
}

function checkLevel(fn: string, level: number): void {
  if (!(level > 0 && level < 1)) throw new Error(`${fn}: level must be strictly between 0 and 1, got ${level}`);
}

function checkSigma(fn: string, sigma: ArrayLike<number>): void {
  for (let i = 0; i < sigma.length; i++) {
    if (!(sigma[i] > 0)) throw new Error(`${fn}: sigma must be > 0, got ${sigma[i]} at index ${i}`);
  }
}

/** Standardised residuals z = (y − μ)/σ. */
export function standardisedResiduals(yTrue: ArrayLike<number>, mean: ArrayLike<number>, sigma: ArrayLike<number>): Float64Array {
  const n = checkSame("standardisedResiduals", { yTrue, mean, sigma });
  checkSigma("standardisedResiduals", sigma);
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = (yTrue[i] - mean[i]) / sigma[i];
  return z;
}

/** Fraction of objects whose truth lies in [lower, upper]. */
export function intervalCoverage(yTrue: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>): number {
  const n = checkSame("intervalCoverage", { yTrue, lower, upper });
  let inside = 0;
  for (let i = 0; i < n; i++) if (yTrue[i] >= lower[i] && yTrue[i] <= upper[i]) inside++;
  return inside / n;
}

/** Fraction of objects inside the central Gaussian interval μ ± z_c σ of probability `level`. */
export function gaussianCoverage(yTrue: ArrayLike<number>, mean: ArrayLike<number>, sigma: ArrayLike<number>, level: number): number {
  checkLevel("gaussianCoverage", level);
  const z = standardisedResiduals(yTrue, mean, sigma);
  const half = normalQuantile(0.5 + level / 2);
  let inside = 0;
  for (let i = 0; i < z.length; i++) if (Math.abs(z[i]) <= half) inside++;
  return inside / z.length;
}

/** Nominal vs observed coverage on a grid of levels: the regression reliability curve. */
export interface CoverageCurve {
  nominal: number[];
  observed: number[];
}

/** Observed coverage of central Gaussian intervals at `levels` (default 0.05, 0.10, …, 0.95, 0.99). */
export function coverageCurve(
  yTrue: ArrayLike<number>,
  mean: ArrayLike<number>,
  sigma: ArrayLike<number>,
  levels: readonly number[] = [...Array.from({ length: 19 }, (_, k) => (k + 1) / 20), 0.99],
): CoverageCurve {
  const z = standardisedResiduals(yTrue, mean, sigma).map(Math.abs).sort();
  const observed = levels.map((c) => {
    checkLevel("coverageCurve", c);
    return upperBound(z, normalQuantile(0.5 + c / 2)) / z.length;
  });
  return { nominal: [...levels], observed };
}

/** Number of sorted values ≤ v. */
function upperBound(sorted: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Maximum-likelihood scale s of every σ (σ → s σ) on calibration data: s² = mean z². */
export function fitSigmaScale(yTrue: ArrayLike<number>, mean: ArrayLike<number>, sigma: ArrayLike<number>): number {
  const z = standardisedResiduals(yTrue, mean, sigma);
  let s = 0;
  for (let i = 0; i < z.length; i++) s += z[i] * z[i];
  return Math.sqrt(s / z.length);
}

/** A monotone map of predicted CDF values to calibrated ones, and the intervals it implies. */
export interface QuantileRecalibration {
  /** Calibrated probability R(p) for a predicted CDF value p. */
  calibrate(p: number): number;
  /** The predicted CDF value p with R(p) = q. */
  inverse(q: number): number;
  /** Recalibrated central interval of probability `level` for Gaussian predictions (μ, σ). */
  interval(mean: ArrayLike<number>, sigma: ArrayLike<number>, level: number): { lower: Float64Array; upper: Float64Array };
}

/**
 * Fits quantile (isotonic) recalibration on calibration data: R is the empirical CDF of the
 * probability integral transform values Φ((y − μ)/σ), linearly interpolated between them.
 */
export function fitQuantileRecalibration(yTrue: ArrayLike<number>, mean: ArrayLike<number>, sigma: ArrayLike<number>): QuantileRecalibration {
  const z = standardisedResiduals(yTrue, mean, sigma);
  if (z.length < 20) throw new Error(`fitQuantileRecalibration: need at least 20 calibration objects, got ${z.length}`);
  const pit = Float64Array.from(z, normalCdf).sort();
  const n = pit.length;
  // Knots (p_k, q_k): the k-th smallest PIT value has calibrated probability (k + ½)/n; the
  // ends are pinned to (0, 0) and (1, 1) so R maps [0, 1] onto [0, 1].
  const ps = [0, ...pit, 1];
  const qs = [0, ...Array.from(pit, (_, k) => (k + 0.5) / n), 1];
  const interp = (x: number, xs: number[], ys: number[]): number => {
    if (x <= xs[0]) return ys[0];
    if (x >= xs[xs.length - 1]) return ys[ys.length - 1];
    let lo = 0;
    let hi = xs.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (xs[mid] <= x) lo = mid;
      else hi = mid;
    }
    const span = xs[hi] - xs[lo];
    return span > 0 ? ys[lo] + ((x - xs[lo]) / span) * (ys[hi] - ys[lo]) : ys[hi];
  };
  const calibrate = (p: number) => interp(p, ps, qs);
  const inverse = (q: number) => interp(q, qs, ps);
  const interval = (m: ArrayLike<number>, s: ArrayLike<number>, level: number) => {
    checkLevel("QuantileRecalibration.interval", level);
    checkSame("QuantileRecalibration.interval", { mean: m, sigma: s });
    const zLo = normalQuantile(Math.min(Math.max(inverse((1 - level) / 2), 1e-12), 1 - 1e-12));
    const zHi = normalQuantile(Math.min(Math.max(inverse((1 + level) / 2), 1e-12), 1 - 1e-12));
    const lower = Float64Array.from(m, (v, i) => v + zLo * s[i]);
    const upper = Float64Array.from(m, (v, i) => v + zHi * s[i]);
    return { lower, upper };
  };
  return { calibrate, inverse, interval };
}

/** One bin of a reliability diagram for class probabilities. */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  /** Objects in the bin. */
  count: number;
  /** Mean predicted probability of class 1 in the bin (NaN if empty). */
  meanPredicted: number;
  /** Observed fraction of class 1 in the bin (NaN if empty). */
  fractionPositive: number;
}

/** Reliability diagram and expected calibration error (Guo et al. 2017) of binary probabilities. */
export interface ReliabilityDiagram {
  bins: ReliabilityBin[];
  /** Σ_b (n_b / N) |fraction positive − mean predicted|. */
  expectedCalibrationError: number;
}

/** Bins predicted probabilities of class 1 into `nBins` equal-width bins and compares with the labels. */
export function reliabilityDiagram(labels: ArrayLike<number>, probs: ArrayLike<number>, nBins = 10): ReliabilityDiagram {
  const n = checkSame("reliabilityDiagram", { labels, probs });
  if (!(Number.isInteger(nBins) && nBins >= 2)) throw new Error(`reliabilityDiagram: nBins must be an integer >= 2, got ${nBins}`);
  const count = new Array(nBins).fill(0);
  const sumP = new Array(nBins).fill(0);
  const sumY = new Array(nBins).fill(0);
  for (let i = 0; i < n; i++) {
    const p = probs[i];
    if (!(p >= 0 && p <= 1)) throw new Error(`reliabilityDiagram: probabilities must be in [0, 1], got ${p} at index ${i}`);
    if (labels[i] !== 0 && labels[i] !== 1) throw new Error(`reliabilityDiagram: labels must be 0 or 1, got ${labels[i]} at index ${i}`);
    const b = Math.min(nBins - 1, Math.floor(p * nBins));
    count[b]++;
    sumP[b] += p;
    sumY[b] += labels[i];
  }
  let ece = 0;
  const bins = count.map((c, b) => {
    const meanPredicted = c ? sumP[b] / c : NaN;
    const fractionPositive = c ? sumY[b] / c : NaN;
    if (c) ece += (c / n) * Math.abs(fractionPositive - meanPredicted);
    return { lower: b / nBins, upper: (b + 1) / nBins, count: c, meanPredicted, fractionPositive };
  });
  return { bins, expectedCalibrationError: ece };
}
