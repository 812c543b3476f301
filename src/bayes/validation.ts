/**
 * Reference models and validation runs for the NUTS sampler: posteriors whose answers are
 * known independently of this code (eight schools against quadrature, Gaussians with analytic
 * moments), plus a timing of the sampler's own overhead. The unit tests call these with small
 * sizes; `runValidation()` is the long version for the benchmark.
 */
import * as tf from "@tensorflow/tfjs";
import { performance } from "perf_hooks";
import { Rng } from "../random";
import { Model, params } from "./model";
import { MetricKind, NutsOptions, NutsResult, sampleNuts } from "./nuts";
import { samplerDiagnostics, summaryRecords } from "./diagnostics";

/** The eight-schools data (Rubin 1981): estimated coaching effects and their standard errors. */
export const EIGHT_SCHOOLS = {
  y: [28, 8, -3, 7, -1, 1, 18, 12],
  sigma: [15, 10, 16, 11, 9, 11, 10, 18],
} as const;

/**
 * Exact posterior means and sds of μ and τ for eight schools (μ ~ N(0, 5), τ ~ half-Cauchy(0, 5)),
 * by quadrature: integrating the θⱼ out analytically leaves yⱼ ~ N(μ, √(σⱼ² + τ²)), a 2-d
 * integral (`eightSchoolsQuadrature` recomputes these). What a sampler must reproduce.
 */
export const EIGHT_SCHOOLS_REFERENCE = {
  mu: { mean: 4.3968, sd: 3.3177 },
  tau: { mean: 3.5977, sd: 3.22 },
} as const;

/**
 * posteriordb's reference posterior (`eight_schools_noncentered`): Monte Carlo estimates rounded
 * to two or three digits — close to, but not, the exact values above.
 */
export const EIGHT_SCHOOLS_POSTERIORDB = {
  mu: { mean: 4.41, sd: 3.31 },
  tau: { mean: 3.6, sd: 3.2 },
} as const;

/**
 * Posterior means and sds of μ and τ by brute-force quadrature on (μ, log τ), with the school
 * effects integrated out analytically. The integrand is smooth and decays fast, so the
 * trapezoid rule converges quickly: the default steps (0.25 in μ, 0.04 in log τ) already agree
 * with steps ten times finer to 1e-9, and reproduce `EIGHT_SCHOOLS_REFERENCE` to its four decimals.
 */
export function eightSchoolsQuadrature(options: { muStep?: number; logTauStep?: number } = {}): { mu: { mean: number; sd: number }; tau: { mean: number; sd: number } } {
  const { y, sigma } = EIGHT_SCHOOLS;
  const dm = options.muStep ?? 0.25;
  const du = options.logTauStep ?? 0.04;
  let z = 0, m1 = 0, m2 = 0, t1 = 0, t2 = 0;
  for (let u = -20; u < 9; u += du) {
    const tau = Math.exp(u);
    // Half-Cauchy prior on τ, times the Jacobian τ of the log τ grid.
    const base = -Math.log1p((tau / 5) ** 2) + u;
    for (let mu = -40; mu < 50; mu += dm) {
      let lp = base - 0.5 * (mu / 5) ** 2;
      for (let j = 0; j < y.length; j++) {
        const v = sigma[j] * sigma[j] + tau * tau;
        lp -= (0.5 * (y[j] - mu) ** 2) / v + 0.5 * Math.log(v);
      }
      const w = Math.exp(lp);
      z += w; m1 += w * mu; m2 += w * mu * mu; t1 += w * tau; t2 += w * tau * tau;
    }
  }
  const mMu = m1 / z;
  const mTau = t1 / z;
  return { mu: { mean: mMu, sd: Math.sqrt(m2 / z - mMu * mMu) }, tau: { mean: mTau, sd: Math.sqrt(t2 / z - mTau * mTau) } };
}

const LOG_2_OVER_5PI = Math.log(2 / (5 * Math.PI));

/** Options for the eight-schools models. */
export interface EightSchoolsOptions {
  /** θ_j ~ N(μ, τ) sampled directly (funnel geometry, divergences) instead of θ = μ + τ·θ_raw. */
  centered?: boolean;
}

/**
 * Eight schools with a hand-written gradient: μ ~ N(0, 5), τ ~ half-Cauchy(0, 5),
 * non-centred θ_raw_j ~ N(0, 1), θ_j = μ + τ θ_raw_j (or centred θ_j ~ N(μ, τ)),
 * y_j ~ N(θ_j, σ_j). Reported names: mu, tau, theta_raw[j] (or theta[j]).
 */
export function eightSchools(options: EightSchoolsOptions = {}): Model {
  const { y, sigma } = EIGHT_SCHOOLS;
  const J = y.length;
  const halfCauchy = (tau: number) => LOG_2_OVER_5PI - Math.log1p((tau / 5) ** 2);
  const dHalfCauchy = (tau: number) => (-2 * tau) / (25 + tau * tau);
  if (options.centered) {
    return params()
      .real("mu")
      .positive("tau")
      .real("theta", J)
      .model((v, g) => {
        const { mu, tau, theta } = v;
        let lp = -0.5 * (mu / 5) ** 2 + halfCauchy(tau) - J * Math.log(tau);
        g.mu = -mu / 25;
        g.tau = dHalfCauchy(tau) - J / tau;
        for (let j = 0; j < J; j++) {
          const z = (theta[j] - mu) / tau;
          const r = (y[j] - theta[j]) / sigma[j];
          lp += -0.5 * z * z - 0.5 * r * r;
          g.mu += z / tau;
          g.tau += (z * z) / tau;
          g.theta[j] = -z / tau + r / sigma[j];
        }
        return lp;
      });
  }
  return params()
    .real("mu")
    .positive("tau")
    .real("theta_raw", J)
    .model((v, g) => {
      const { mu, tau, theta_raw } = v;
      let lp = -0.5 * (mu / 5) ** 2 + halfCauchy(tau);
      g.mu = -mu / 25;
      g.tau = dHalfCauchy(tau);
      for (let j = 0; j < J; j++) {
        const r = (y[j] - mu - tau * theta_raw[j]) / sigma[j];
        lp += -0.5 * theta_raw[j] * theta_raw[j] - 0.5 * r * r;
        const dr = r / sigma[j]; // ∂(−r²/2)/∂θ_j with θ_j = μ + τ θ_raw_j
        g.mu += dr;
        g.tau += dr * theta_raw[j];
        g.theta_raw[j] = -theta_raw[j] + dr * tau;
      }
      return lp;
    });
}

/** The same eight-schools posterior written with tfjs operations (autodiff gradient, float32). */
export function eightSchoolsTf(options: EightSchoolsOptions = {}): Model {
  const y = tf.tensor1d([...EIGHT_SCHOOLS.y]);
  const sigma = tf.tensor1d([...EIGHT_SCHOOLS.sigma]);
  // Kept for the model's lifetime: the data must survive the per-call tidy().
  tf.keep(y);
  tf.keep(sigma);
  const J = EIGHT_SCHOOLS.y.length;
  const prior = (mu: tf.Scalar, tau: tf.Scalar) =>
    tf.add(tf.mul(-0.5, tf.square(tf.div(mu, 5))), tf.sub(LOG_2_OVER_5PI, tf.log1p(tf.square(tf.div(tau, 5)))));
  if (options.centered) {
    return params()
      .real("mu")
      .positive("tau")
      .real("theta", J)
      .tfModel(({ mu, tau, theta }) => {
        const z = tf.div(tf.sub(theta, mu), tau);
        const r = tf.div(tf.sub(y, theta), sigma);
        return tf.addN([prior(mu, tau), tf.mul(-J, tf.log(tau)), tf.mul(-0.5, tf.sum(tf.square(z))), tf.mul(-0.5, tf.sum(tf.square(r)))]) as tf.Scalar;
      });
  }
  return params()
    .real("mu")
    .positive("tau")
    .real("theta_raw", J)
    .tfModel(({ mu, tau, theta_raw }) => {
      const r = tf.div(tf.sub(y, tf.add(mu, tf.mul(tau, theta_raw))), sigma);
      return tf.addN([prior(mu, tau), tf.mul(-0.5, tf.sum(tf.square(theta_raw))), tf.mul(-0.5, tf.sum(tf.square(r)))]) as tf.Scalar;
    });
}

/** Independent Gaussian N(0, diag(scales²)) with its exact gradient. */
export function gaussianModel(scales: ArrayLike<number>): Model {
  const dim = scales.length;
  const prec = Float64Array.from(scales, (s) => 1 / (s * s));
  return {
    dim,
    paramNames: Array.from({ length: dim }, (_, i) => `x[${i}]`),
    logDensityAndGrad(theta) {
      const g = new Float64Array(dim);
      let lp = 0;
      for (let i = 0; i < dim; i++) {
        const t = prec[i] * theta[i];
        g[i] = -t;
        lp -= 0.5 * t * theta[i];
      }
      return [lp, g];
    },
  };
}

/** Scales log-spaced from `lo` to `hi` (the spread a diagonal metric must learn). */
export function logSpacedScales(dim: number, lo = 0.1, hi = 10): Float64Array {
  return Float64Array.from({ length: dim }, (_, i) => lo * Math.pow(hi / lo, dim === 1 ? 0 : i / (dim - 1)));
}

/** Zero-mean Gaussian with a full covariance (row-major or rows). */
export function correlatedGaussianModel(cov: number[][]): Model {
  const d = cov.length;
  // Precision = inverse covariance, by Gauss–Jordan: small d, done once.
  const a = cov.map((row, i) => [...row, ...Array.from({ length: d }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < d; c++) {
    let piv = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
    [a[c], a[piv]] = [a[piv], a[c]];
    const f = a[c][c];
    if (f === 0) throw new Error("covariance is singular");
    for (let j = 0; j < 2 * d; j++) a[c][j] /= f;
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const m = a[r][c];
      for (let j = 0; j < 2 * d; j++) a[r][j] -= m * a[c][j];
    }
  }
  const P = a.map((row) => Float64Array.from(row.slice(d)));
  return {
    dim: d,
    paramNames: Array.from({ length: d }, (_, i) => `x[${i}]`),
    logDensityAndGrad(theta) {
      const g = new Float64Array(d);
      let lp = 0;
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += P[i][j] * theta[j];
        g[i] = -s;
        lp -= 0.5 * theta[i] * s;
      }
      return [lp, g];
    },
  };
}

/** A parameter's estimate checked against a reference. */
export interface MomentCheck {
  param: string;
  mean: number;
  sd: number;
  refMean: number;
  refSd: number;
  mcseMean: number;
  /** (mean − refMean) / mcse. */
  zMean: number;
  /** sd / refSd − 1. */
  sdRelError: number;
}

/** Outcome of an eight-schools validation run. */
export interface EightSchoolsReport {
  checks: MomentCheck[];
  divergences: number;
  maxRhat: number;
  minEssBulk: number;
  /** Bulk ESS of μ and τ per gradient evaluation (warm-up included in the denominator). */
  essPerGrad: { mu: number; tau: number };
  gradEvals: number;
  wallTimeMs: number;
  result: NutsResult;
}

/** Samples eight schools (non-centred unless told) and compares μ, τ with the exact (quadrature) values. */
export function validateEightSchools(options: NutsOptions & EightSchoolsOptions = {}): EightSchoolsReport {
  const result = sampleNuts(eightSchools(options), { seed: 2024, ...options });
  const rows = summaryRecords(result);
  const checks: MomentCheck[] = (["mu", "tau"] as const).map((param) => {
    const r = rows.find((x) => x.param === param)!;
    const ref = EIGHT_SCHOOLS_REFERENCE[param];
    return {
      param, mean: r.mean, sd: r.sd, refMean: ref.mean, refSd: ref.sd, mcseMean: r.mcse_mean,
      zMean: (r.mean - ref.mean) / r.mcse_mean, sdRelError: r.sd / ref.sd - 1,
    };
  });
  const diag = samplerDiagnostics(result);
  const ess = (p: string) => rows.find((x) => x.param === p)!.ess_bulk;
  return {
    checks,
    divergences: diag.totalDivergences,
    maxRhat: Math.max(...rows.map((r) => r.r_hat)),
    minEssBulk: Math.min(...rows.map((r) => r.ess_bulk)),
    essPerGrad: { mu: ess("mu") / result.totalGradEvals, tau: ess("tau") / result.totalGradEvals },
    gradEvals: result.totalGradEvals,
    wallTimeMs: result.totalWallTimeMs,
    result,
  };
}

/** Outcome of a Gaussian validation run. */
export interface GaussianReport {
  /** Largest |mean| / mcse over the components. */
  maxMeanZ: number;
  /** Largest |sd / scale − 1|. */
  maxSdRelError: number;
  /** Adapted inverse metric / true variance, per component (chain 0). */
  metricRatio: Float64Array;
  /** Largest |log(metric ratio)| after dividing by its median (checks proportionality). */
  maxLogMetricSpread: number;
  maxRhat: number;
  minEssBulk: number;
  essPerGrad: number;
  divergences: number;
  gradEvals: number;
  wallTimeMs: number;
  result: NutsResult;
}

/** Samples an independent Gaussian with log-spaced scales and checks moments and the adapted metric. */
export function validateGaussian(options: NutsOptions & { dim?: number; lo?: number; hi?: number } = {}): GaussianReport {
  const scales = logSpacedScales(options.dim ?? 100, options.lo ?? 0.1, options.hi ?? 10);
  const result = sampleNuts(gaussianModel(scales), { seed: 99, ...options });
  const rows = summaryRecords(result);
  let maxMeanZ = 0;
  let maxSdRelError = 0;
  rows.forEach((r, i) => {
    maxMeanZ = Math.max(maxMeanZ, Math.abs(r.mean) / r.mcse_mean);
    maxSdRelError = Math.max(maxSdRelError, Math.abs(r.sd / scales[i] - 1));
  });
  const inv = result.invMetric[0];
  const metricRatio = Float64Array.from(scales, (s, i) => inv[result.metric === "dense" ? i * scales.length + i : i] / (s * s));
  const logs = Array.from(metricRatio, Math.log).sort((a, b) => a - b);
  const med = logs[Math.floor(logs.length / 2)];
  const maxLogMetricSpread = Math.max(...logs.map((l) => Math.abs(l - med)));
  const minEssBulk = Math.min(...rows.map((r) => r.ess_bulk));
  return {
    maxMeanZ, maxSdRelError, metricRatio, maxLogMetricSpread,
    maxRhat: Math.max(...rows.map((r) => r.r_hat)),
    minEssBulk,
    essPerGrad: minEssBulk / result.totalGradEvals,
    divergences: samplerDiagnostics(result).totalDivergences,
    gradEvals: result.totalGradEvals,
    wallTimeMs: result.totalWallTimeMs,
    result,
  };
}

/** Timing of the sampler's own work, separated from the model's. */
export interface OverheadReport {
  dim: number;
  metric: MetricKind;
  /** Gradient evaluations per second inside the sampler. */
  gradEvalsPerSecond: number;
  /** Cost of one bare gradient call of the model, µs. */
  gradientUs: number;
  /** Sampler wall time per leapfrog step, µs. */
  perLeapfrogUs: number;
  /** perLeapfrogUs − gradientUs: what NUTS itself adds per step. */
  overheadPerLeapfrogUs: number;
}

/** Options for `measureOverhead`. */
export interface OverheadOptions {
  /** Dimension of the test Gaussian (default 10). */
  dim?: number;
  metric?: MetricKind;
  /** Iterations per timed run, half warm-up (default 2000). */
  iterations?: number;
  /** Timed repetitions; the fastest is reported, since other processes only ever add time (default 3). */
  repeats?: number;
  seed?: number;
}

/**
 * Measures the sampler's overhead per leapfrog step on a cheap model (an independent
 * Gaussian whose gradient costs ~dim nanoseconds), by timing the sampler and the bare gradient
 * separately. Reports the fastest of several repetitions because a shared machine only adds noise upward.
 */
export function measureOverhead(options: OverheadOptions = {}): OverheadReport {
  const dim = options.dim ?? 10;
  const metric = options.metric ?? "diag";
  const model = gaussianModel(logSpacedScales(dim, 0.5, 2));
  const iterations = options.iterations ?? 2000;
  const repeats = options.repeats ?? 3;
  // A first run lets the JIT compile the sampler and the model before anything is timed.
  sampleNuts(model, { chains: 1, warmup: 200, draws: 200, seed: 1, metric });
  let perLeapfrogUs = Infinity;
  let gradientUs = Infinity;
  let evals = 0;
  const theta = new Rng(3).array(dim, (r) => r.normal());
  let sink = 0;
  for (let rep = 0; rep < repeats; rep++) {
    const result = sampleNuts(model, { chains: 1, warmup: Math.floor(iterations / 2), draws: Math.ceil(iterations / 2), seed: options.seed ?? 5, metric });
    evals = result.totalGradEvals;
    perLeapfrogUs = Math.min(perLeapfrogUs, (result.totalWallTimeMs * 1000) / evals);
    const t0 = performance.now();
    for (let i = 0; i < evals; i++) {
      theta[i % dim] += 1e-12;
      sink += model.logDensityAndGrad(theta)[0];
    }
    gradientUs = Math.min(gradientUs, ((performance.now() - t0) * 1000) / evals);
  }
  if (sink === 42) console.log(""); // keeps the timing loop from being optimised away
  return {
    dim, metric,
    gradEvalsPerSecond: 1e6 / perLeapfrogUs,
    gradientUs, perLeapfrogUs,
    overheadPerLeapfrogUs: perLeapfrogUs - gradientUs,
  };
}

/** Everything `runValidation` measured. */
export interface ValidationReport {
  nonCentered: EightSchoolsReport;
  centered: EightSchoolsReport;
  gaussian: GaussianReport;
  overhead: OverheadReport[];
  /** Human-readable lines. */
  lines: string[];
}

/**
 * The long validation for the benchmark: eight schools (non-centred and centred) with many
 * draws, the 100-d Gaussian, and overhead timings. Takes tens of seconds.
 */
export function runValidation(options: { draws?: number; chains?: number; seed?: number } = {}): ValidationReport {
  const draws = options.draws ?? 5000;
  const chains = options.chains ?? 4;
  const seed = options.seed ?? 11;
  const nonCentered = validateEightSchools({ draws, chains, warmup: 1000, seed });
  const centered = validateEightSchools({ draws, chains, warmup: 1000, seed, centered: true });
  const gaussian = validateGaussian({ draws: 2000, chains, warmup: 1000, seed });
  const overhead = [
    measureOverhead({ dim: 10 }),
    measureOverhead({ dim: 100 }),
    measureOverhead({ dim: 10, metric: "dense" }),
  ];
  const f = (x: number, d = 3) => x.toFixed(d);
  const lines: string[] = [];
  for (const c of nonCentered.checks) {
    lines.push(`eight schools (non-centred) ${c.param}: mean ${f(c.mean)} ± ${f(c.mcseMean)} (ref ${c.refMean}, z = ${f(c.zMean, 2)}), sd ${f(c.sd)} (ref ${c.refSd}, ${f(100 * c.sdRelError, 1)} %)`);
  }
  lines.push(`eight schools divergences: non-centred ${nonCentered.divergences}, centred ${centered.divergences} (of ${draws * chains})`);
  lines.push(`eight schools ESS/grad: mu ${nonCentered.essPerGrad.mu.toExponential(2)}, tau ${nonCentered.essPerGrad.tau.toExponential(2)}; max R-hat ${f(nonCentered.maxRhat, 4)}`);
  lines.push(`gaussian ${gaussian.metricRatio.length}-d: max |mean|/mcse ${f(gaussian.maxMeanZ, 2)}, max sd error ${f(100 * gaussian.maxSdRelError, 1)} %, metric spread ${f(gaussian.maxLogMetricSpread, 3)}, min ESS/grad ${gaussian.essPerGrad.toExponential(2)}`);
  for (const o of overhead) {
    lines.push(`overhead d=${o.dim} ${o.metric}: ${f(o.perLeapfrogUs, 2)} µs/leapfrog, gradient ${f(o.gradientUs, 2)} µs, sampler overhead ${f(o.overheadPerLeapfrogUs, 2)} µs; ${Math.round(o.gradEvalsPerSecond)} grad/s`);
  }
  return { nonCentered, centered, gaussian, overhead, lines };
}
