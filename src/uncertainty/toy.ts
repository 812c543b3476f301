/**
 * The toy problem of the uncertainty lesson: y = sin(x) + noise on x ∈ [−5, 5], with noise that
 * grows from left to right (heteroscedastic: aleatoric uncertainty that depends on x) and a gap
 * with no training data (where only epistemic uncertainty can warn us).
 */
import { Rng } from "../random";

/** Options of `noisySine`. */
export interface NoisySineOptions {
  /** Points drawn (default 600). */
  n?: number;
  /** Range of x (default [−5, 5]). */
  range?: [number, number];
  /** Interval with no data (default [−1, 1.5]; null for none). */
  gap?: [number, number] | null;
  seed?: number;
}

/** The true noise standard deviation at x: 0.05 at x = −5 rising linearly to 0.35 at x = +5. */
export function noisySineSd(x: number): number {
  return 0.05 + 0.03 * (x + 5);
}

/** A noisy sin(x) sample: inputs, targets and the true noise σ of each point. */
export function noisySine(options: NoisySineOptions = {}): { x: Float64Array; y: Float64Array; noiseSd: Float64Array } {
  const n = options.n ?? 600;
  const [lo, hi] = options.range ?? [-5, 5];
  const gap = options.gap === undefined ? ([-1, 1.5] as [number, number]) : options.gap;
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`noisySine: n must be a positive integer, got ${n}`);
  if (!(hi > lo)) throw new Error(`noisySine: range must be [lo, hi] with hi > lo, got [${lo}, ${hi}]`);
  if (gap && !(gap[1] > gap[0] && gap[1] - gap[0] < hi - lo)) throw new Error(`noisySine: gap [${gap}] must be an interval narrower than the range`);
  const rng = new Rng(options.seed ?? 1);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const noiseSd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let xi: number;
    do xi = lo + (hi - lo) * rng.random();
    while (gap && xi > gap[0] && xi < gap[1]);
    x[i] = xi;
    noiseSd[i] = noisySineSd(xi);
    y[i] = Math.sin(xi) + rng.normal(0, noiseSd[i]);
  }
  return { x, y, noiseSd };
}
