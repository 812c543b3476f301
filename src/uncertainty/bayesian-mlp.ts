/**
 * A network small enough to sample: a one-hidden-layer tanh network y ~ N(μ(x), e^{s(x)}) with
 * Gaussian priors on every weight, written as a log density with a hand-coded gradient for the
 * course's NUTS sampler. Its posterior predictive is the reference ("what exact Bayesian
 * inference gives for this model and prior") against which MC dropout and ensembles — cheap
 * approximations for networks far too large to sample — can be judged on a toy problem.
 *
 * Parameters, in order: W1 (H), b1 (H), the mean head's W (H) and b (1), the log-variance head's
 * W (H) and b (1): 4H + 2 numbers. Hidden units can be permuted and sign-flipped without changing
 * the function, so the posterior has many equivalent modes and chains may sit in different ones:
 * R-hat of single weights is meaningless here, but the predictive (a function of x) is not affected.
 */
import type { Model } from "../bayes/model";
import type { NutsResult } from "../bayes/nuts";
import { combineGaussianPredictions, type PredictiveMoments } from "./mc-dropout";

/** Data and prior of `bayesianMlpModel`. */
export interface BayesianMlpOptions {
  /** Inputs (one feature per object; standardise it). */
  x: ArrayLike<number>;
  /** Targets (standardise them). */
  y: ArrayLike<number>;
  /** Hidden units H (default 10). */
  hidden?: number;
  /** Prior standard deviation of every weight and bias (default 1). */
  priorSd?: number;
}

const S_LIMIT = 12; // |log variance| beyond this is outside the support (e^12: no sane noise on standardised data)

/** Number of parameters of a one-hidden-layer network with H units and mean + log-variance heads. */
export function bayesianMlpDim(hidden: number): number {
  return 4 * hidden + 2;
}

/** Forward pass of one parameter vector at x: mean and log-variance. */
export function bayesianMlpForward(theta: ArrayLike<number>, hidden: number, x: number): [number, number] {
  const H = hidden;
  let m = theta[3 * H];
  let s = theta[4 * H + 1];
  for (let j = 0; j < H; j++) {
    const h = Math.tanh(theta[j] * x + theta[H + j]);
    m += theta[2 * H + j] * h;
    s += theta[3 * H + 1 + j] * h;
  }
  return [m, s];
}

/** The posterior of the network's weights as a NUTS `Model` (log density and exact gradient). */
export function bayesianMlpModel(options: BayesianMlpOptions): Model {
  const { x, y } = options;
  const H = options.hidden ?? 10;
  const priorSd = options.priorSd ?? 1;
  if (x.length !== y.length || x.length === 0) {
    throw new Error(`bayesianMlpModel: x and y must be non-empty and equally long, got ${x.length} and ${y.length}`);
  }
  if (!(Number.isInteger(H) && H > 0)) throw new Error(`bayesianMlpModel: hidden must be a positive integer, got ${H}`);
  if (!(priorSd > 0)) throw new Error(`bayesianMlpModel: priorSd must be > 0, got ${priorSd}`);
  const n = x.length;
  const dim = bayesianMlpDim(H);
  const invVar = 1 / (priorSd * priorSd);
  const h = new Float64Array(H);
  const names = [
    ...Array.from({ length: H }, (_, j) => `w1[${j}]`),
    ...Array.from({ length: H }, (_, j) => `b1[${j}]`),
    ...Array.from({ length: H }, (_, j) => `wMean[${j}]`),
    "bMean",
    ...Array.from({ length: H }, (_, j) => `wLogVar[${j}]`),
    "bLogVar",
  ];
  return {
    dim,
    paramNames: names,
    logDensityAndGrad(theta: Float64Array): [number, Float64Array] {
      const g = new Float64Array(dim);
      let lp = 0;
      for (let k = 0; k < dim; k++) {
        lp -= 0.5 * theta[k] * theta[k] * invVar;
        g[k] = -theta[k] * invVar;
      }
      for (let i = 0; i < n; i++) {
        const xi = x[i];
        let m = theta[3 * H];
        let s = theta[4 * H + 1];
        for (let j = 0; j < H; j++) {
          h[j] = Math.tanh(theta[j] * xi + theta[H + j]);
          m += theta[2 * H + j] * h[j];
          s += theta[3 * H + 1 + j] * h[j];
        }
        if (!(Math.abs(s) < S_LIMIT)) return [-Infinity, g];
        const r = y[i] - m;
        const prec = Math.exp(-s);
        lp += -0.5 * s - 0.5 * r * r * prec;
        const dm = r * prec;
        const ds = -0.5 + 0.5 * r * r * prec;
        g[3 * H] += dm;
        g[4 * H + 1] += ds;
        for (let j = 0; j < H; j++) {
          g[2 * H + j] += dm * h[j];
          g[3 * H + 1 + j] += ds * h[j];
          const da = (dm * theta[2 * H + j] + ds * theta[3 * H + 1 + j]) * (1 - h[j] * h[j]);
          g[j] += da * xi;
          g[H + j] += da;
        }
      }
      return [lp, g];
    },
  };
}

/**
 * Posterior predictive moments at `xGrid` from NUTS draws of `bayesianMlpModel`: every `thin`-th
 * draw of every chain is one network; the mixture's mean, aleatoric and epistemic variance.
 */
export function bayesianMlpPredict(result: NutsResult, hidden: number, xGrid: ArrayLike<number>, thin = 1): PredictiveMoments {
  if (!(Number.isInteger(thin) && thin >= 1)) throw new Error(`bayesianMlpPredict: thin must be a positive integer, got ${thin}`);
  const dim = bayesianMlpDim(hidden);
  if (result.unconstrainedDraws[0]?.length !== dim) {
    throw new Error(`bayesianMlpPredict: the draws have ${result.unconstrainedDraws[0]?.length} parameters, a ${hidden}-unit network has ${dim}`);
  }
  const means: Float64Array[] = [];
  const vars: Float64Array[] = [];
  const theta = new Float64Array(dim);
  for (const chain of result.unconstrainedDraws) {
    const nDraws = chain[0].length;
    for (let d = 0; d < nDraws; d += thin) {
      for (let k = 0; k < dim; k++) theta[k] = chain[k][d];
      const m = new Float64Array(xGrid.length);
      const v = new Float64Array(xGrid.length);
      for (let i = 0; i < xGrid.length; i++) {
        const [mu, s] = bayesianMlpForward(theta, hidden, xGrid[i]);
        m[i] = mu;
        v[i] = Math.exp(s);
      }
      means.push(m);
      vars.push(v);
    }
  }
  return combineGaussianPredictions(means, vars);
}
