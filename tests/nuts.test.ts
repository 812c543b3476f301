/**
 * NUTS, transforms and diagnostics checked against answers this code did not produce:
 * the exact eight-schools posterior (by quadrature), analytic Gaussian/Beta/Gamma moments, and
 * the analytic ESS of an AR(1) process. Long versions live in src/bayes/validation.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../src/random";
import { checkGradient, modelFromTf, params } from "../src/bayes/model";
import { NutsResult, WarmupSchedule, pooledDraws, sampleNuts } from "../src/bayes/nuts";
import {
  ebfmi, essBulk, essMean, essTail, normalQuantile, quantile, rhat, rhatBasic, samplerDiagnostics, splitChains, summary, summaryRecords,
} from "../src/bayes/diagnostics";
import { intervalPlot, pairPlot, rankPlot, tracePlot } from "../src/bayes/plots";
import {
  EIGHT_SCHOOLS_REFERENCE, correlatedGaussianModel, eightSchools, eightSchoolsTf, gaussianModel, logSpacedScales, measureOverhead, validateEightSchools, validateGaussian,
} from "../src/bayes/validation";

const mean = (x: ArrayLike<number>) => Array.from(x).reduce((a, b) => a + b, 0) / x.length;
const sd = (x: ArrayLike<number>) => {
  const m = mean(x);
  return Math.sqrt(Array.from(x).reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1));
};

// Shared runs (computed once, used by several tests).
let nonCentred: ReturnType<typeof validateEightSchools> | undefined;
function eightSchoolsRun() {
  nonCentred ??= validateEightSchools({ chains: 4, warmup: 1000, draws: 2000, seed: 2024 });
  return nonCentred;
}

describe("parameter transforms", () => {
  const spec = params().real("a").positive("s").lower("l", -3).upper("u", 2).interval("f", -1, 4).positive("v", 3).interval("w", 0, 1, 2);

  test("constrain and unconstrain are inverse; values respect their bounds", () => {
    const theta = new Rng(1).array(spec.dim, (r) => r.uniform(-3, 3));
    const x = spec.constrain(theta);
    expect(x.s).toBeGreaterThan(0);
    expect(x.l).toBeGreaterThan(-3);
    expect(x.u).toBeLessThan(2);
    expect(x.f).toBeGreaterThan(-1);
    expect(x.f).toBeLessThan(4);
    expect(x.v).toHaveLength(3);
    const back = spec.unconstrain(x);
    back.forEach((u, i) => expect(u).toBeCloseTo(theta[i], 10));
    expect(spec.names).toEqual(["a", "s", "l", "u", "f", "v[0]", "v[1]", "v[2]", "w[0]", "w[1]"]);
    expect(spec.unconstrainedNames.slice(0, 5)).toEqual(["a", "log(s)", "log|l|", "log|u|", "logit(f)"]);
  });

  test("log-Jacobian equals log |dx/du| computed by finite differences", () => {
    const theta = new Rng(2).array(spec.dim, (r) => r.uniform(-2, 2));
    let expected = 0;
    const h = 1e-6;
    for (let i = 0; i < spec.dim; i++) {
      const up = Float64Array.from(theta);
      const down = Float64Array.from(theta);
      up[i] += h;
      down[i] -= h;
      expected += Math.log(Math.abs((spec.constrainFlat(up)[i] - spec.constrainFlat(down)[i]) / (2 * h)));
    }
    expect(spec.logJacobian(theta)).toBeCloseTo(expected, 5);
  });

  test("chain rule through every transform gives the finite-difference gradient", () => {
    const model = spec.model((v, g) => {
      // An arbitrary smooth density touching every parameter.
      g.a = -v.a;
      g.s = -1 + 1 / v.s;
      g.l = -(v.l + 1);
      g.u = -(v.u - 1);
      g.f = Math.cos(v.f);
      let lp = -0.5 * v.a ** 2 - v.s + Math.log(v.s) - 0.5 * (v.l + 1) ** 2 - 0.5 * (v.u - 1) ** 2 + Math.sin(v.f);
      for (let i = 0; i < 3; i++) {
        lp += -v.v[i] * (i + 1);
        g.v[i] = -(i + 1);
      }
      for (let i = 0; i < 2; i++) {
        lp += 2 * Math.log(v.w[i]);
        g.w[i] = 2 / v.w[i];
      }
      return lp;
    });
    const check = checkGradient(model, new Rng(3).array(spec.dim, (r) => r.uniform(-1.5, 1.5)));
    expect(check.maxRelError).toBeLessThan(1e-6);
  });

  test("sampling through the transforms recovers Beta(2, 5) and Gamma(3, rate 2) moments", () => {
    // The log-Jacobian is what makes these right: without it the draws are visibly biased.
    const model = params().interval("p", 0, 1).positive("x").model((v, g) => {
      g.p = 1 / v.p - 4 / (1 - v.p);
      g.x = 2 / v.x - 2;
      return Math.log(v.p) + 4 * Math.log(1 - v.p) + 2 * Math.log(v.x) - 2 * v.x;
    });
    const fit = sampleNuts(model, { chains: 4, warmup: 500, draws: 1500, seed: 8 });
    const rows = summaryRecords(fit);
    const p = rows.find((r) => r.param === "p")!;
    const x = rows.find((r) => r.param === "x")!;
    expect(Math.abs(p.mean - 2 / 7)).toBeLessThan(4 * p.mcse_mean);
    expect(Math.abs(x.mean - 1.5)).toBeLessThan(4 * x.mcse_mean);
    expect(p.sd / Math.sqrt(10 / (49 * 8))).toBeCloseTo(1, 1);
    expect(x.sd / (Math.sqrt(3) / 2)).toBeCloseTo(1, 1);
  });
});

describe("tfjs-backed models", () => {
  test("modelFromTf-based eight schools matches the hand-written density and gradient (float32)", () => {
    for (const centered of [false, true]) {
      const js = eightSchools({ centered });
      const tfm = eightSchoolsTf({ centered });
      const rng = new Rng(centered ? 4 : 5);
      for (let k = 0; k < 5; k++) {
        const theta = rng.array(10, (r) => r.uniform(-2, 2));
        const [la, ga] = js.logDensityAndGrad(theta);
        const [lb, gb] = tfm.logDensityAndGrad(theta);
        expect(Math.abs(la - lb)).toBeLessThan(1e-5 * Math.max(1, Math.abs(la)));
        ga.forEach((g, i) => expect(Math.abs(g - gb[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(g))));
      }
    }
  });

  test("no tensors leak across many evaluations and a short NUTS run", () => {
    const model = modelFromTf(3, (theta) => tf.mul(-0.5, tf.sum(tf.square(tf.div(theta, tf.tensor1d([1, 2, 3]))))) as tf.Scalar);
    model.logDensityAndGrad(new Float64Array(3)); // first call may cache kernels
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) model.logDensityAndGrad(Float64Array.from([i, -i, 0.5]));
    const fit = sampleNuts(model, { chains: 1, warmup: 150, draws: 150, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    const [, g] = model.logDensityAndGrad(Float64Array.from([1, 2, 3]));
    expect(Array.from(g)).toEqual([-1, -0.5, expect.closeTo(-1 / 3, 6)]);
    expect(fit.draws[0][2].every(Number.isFinite)).toBe(true);
  });
});

describe("NUTS on reference posteriors", () => {
  test("non-centred eight schools matches the exact posterior (means within 3 MCSE, sds within 10 %)", () => {
    const r = eightSchoolsRun();
    for (const c of r.checks) {
      // The reference is exact (quadrature, 4 decimals): 3 × our MCSE is the whole allowance.
      expect(Math.abs(c.mean - c.refMean)).toBeLessThan(3 * c.mcseMean + 1e-4);
      expect(Math.abs(c.sdRelError)).toBeLessThan(0.1);
    }
    expect(r.maxRhat).toBeLessThan(1.01);
    const draws = 4 * 2000;
    expect(r.divergences).toBeLessThanOrEqual(0.002 * draws);
    const [mu, tau] = r.checks;
    console.log(
      `eight schools (non-centred, 4×2000): mu ${mu.mean.toFixed(3)} ± ${mu.mcseMean.toFixed(3)} sd ${mu.sd.toFixed(3)} ` +
        `(ref ${EIGHT_SCHOOLS_REFERENCE.mu.mean}/${EIGHT_SCHOOLS_REFERENCE.mu.sd}); tau ${tau.mean.toFixed(3)} ± ${tau.mcseMean.toFixed(3)} sd ${tau.sd.toFixed(3)} ` +
        `(ref ${EIGHT_SCHOOLS_REFERENCE.tau.mean}/${EIGHT_SCHOOLS_REFERENCE.tau.sd}); divergences ${r.divergences}; ` +
        `ESS_bulk/grad mu ${r.essPerGrad.mu.toExponential(2)} tau ${r.essPerGrad.tau.toExponential(2)} (${r.gradEvals} grads, ${r.wallTimeMs.toFixed(0)} ms)`,
    );
  });

  test("centred eight schools diverges (and the diagnostics say so); non-centred far less", () => {
    const centred = sampleNuts(eightSchools({ centered: true }), { chains: 4, warmup: 1000, draws: 1000, seed: 2024 });
    const diag = samplerDiagnostics(centred);
    const nc = eightSchoolsRun();
    const rateCentred = diag.totalDivergences / 4000;
    const rateNonCentred = nc.divergences / 8000;
    expect(diag.totalDivergences).toBeGreaterThan(0);
    expect(rateCentred).toBeGreaterThan(5 * Math.max(rateNonCentred, 1 / 8000));
    expect(diag.warnings.join(" ")).toMatch(/divergence/);
    // The divergences concentrate where tau is small (the neck of the funnel).
    const logTau = pooledDraws(centred, "log(tau)", "unconstrained");
    const div = centred.stats.flatMap((s) => Array.from(s.divergent));
    const divLogTau = logTau.filter((_, i) => div[i]);
    expect(mean(divLogTau)).toBeLessThan(mean(logTau));
    console.log(`divergences: centred ${diag.totalDivergences}/4000, non-centred ${nc.divergences}/8000`);
  });

  test("100-d Gaussian with scales 0.1…10: moments recovered and diagonal metric ∝ variances", () => {
    const r = validateGaussian({ dim: 100, chains: 4, warmup: 1000, draws: 1000, seed: 99 });
    expect(r.maxMeanZ).toBeLessThan(4.5);
    expect(r.maxSdRelError).toBeLessThan(0.1);
    expect(r.maxRhat).toBeLessThan(1.01);
    expect(r.divergences).toBe(0);
    // Adapted inverse metric / variance: one common factor (≈ 1) for all 100 scales spanning 10^4 in variance.
    const ratios = Array.from(r.metricRatio).sort((a, b) => a - b);
    expect(ratios[50]).toBeGreaterThan(0.8);
    expect(ratios[50]).toBeLessThan(1.25);
    expect(r.maxLogMetricSpread).toBeLessThan(0.5);
    console.log(`gaussian 100-d: min ESS_bulk/grad ${r.essPerGrad.toExponential(2)}, max sd error ${(100 * r.maxSdRelError).toFixed(1)} %, step sizes ${r.result.stepSize.map((s) => s.toFixed(2)).join(", ")}`);
  });

  test("correlated 2-D Gaussian (ρ = 0.9) with a dense metric", () => {
    const cov = [[1, 1.8], [1.8, 4]];
    const model = correlatedGaussianModel(cov);
    const dense = sampleNuts(model, { metric: "dense", chains: 4, warmup: 500, draws: 1000, seed: 4 });
    const diagFit = sampleNuts(model, { metric: "diag", chains: 4, warmup: 500, draws: 1000, seed: 4 });
    const x = pooledDraws(dense, "x[0]");
    const y = pooledDraws(dense, "x[1]");
    const mx = mean(x);
    const my = mean(y);
    const cxy = x.reduce((s, v, i) => s + (v - mx) * (y[i] - my), 0) / (x.length - 1);
    expect(sd(x)).toBeCloseTo(1, 1);
    expect(sd(y) / 2).toBeCloseTo(1, 1);
    expect(Math.abs(cxy / (sd(x) * sd(y)) - 0.9)).toBeLessThan(0.02);
    for (const row of summaryRecords(dense)) expect(Math.abs(row.mean)).toBeLessThan(4 * row.mcse_mean);
    // The adapted dense inverse metric estimates the covariance, including its off-diagonal.
    const m = dense.invMetric[0];
    [1, 1.8, 1.8, 4].forEach((c, i) => expect(Math.abs(m[i] / c - 1)).toBeLessThan(0.3));
    // Knowing the correlation buys longer steps and shorter trajectories.
    const leap = (f: NutsResult) => mean(f.stats.flatMap((s) => Array.from(s.nLeapfrog)));
    expect(leap(dense)).toBeLessThan(leap(diagFit));
  });
});

describe("sampler mechanics", () => {
  test("same seed gives identical draws and statistics; another seed does not", () => {
    const model = eightSchools();
    const a = sampleNuts(model, { chains: 2, warmup: 100, draws: 100, seed: 7 });
    const b = sampleNuts(model, { chains: 2, warmup: 100, draws: 100, seed: 7 });
    const c = sampleNuts(model, { chains: 2, warmup: 100, draws: 100, seed: 8 });
    expect(a.draws.map((ch) => ch.map((p) => Array.from(p)))).toEqual(b.draws.map((ch) => ch.map((p) => Array.from(p))));
    expect(Array.from(a.stats[1].energy)).toEqual(Array.from(b.stats[1].energy));
    expect(a.stepSize).toEqual(b.stepSize);
    expect(Array.from(a.draws[0][0])).not.toEqual(Array.from(c.draws[0][0]));
    // Chains have independent streams and inits.
    expect(Array.from(a.inits[0])).not.toEqual(Array.from(a.inits[1]));
    a.inits.forEach((init) => init.forEach((v) => expect(Math.abs(v)).toBeLessThan(2)));
  });

  test("records per-draw statistics and honours user inits and max tree depth", () => {
    const model = gaussianModel(logSpacedScales(5, 0.01, 1));
    const init = [Float64Array.from([0.1, 0, 0, 0, 0]), Float64Array.from([0, 0.1, 0, 0, 0])];
    // No warm-up: unit metric and step 0.05 on scales down to 0.01 (unstable below 2σ = 0.02) → divergences or saturated trees.
    const fit = sampleNuts(model, { chains: 2, warmup: 0, draws: 50, seed: 3, init, stepSize: 0.05, maxTreeDepth: 4 });
    expect(Array.from(fit.inits[1])).toEqual(Array.from(init[1]));
    const s = fit.stats[0];
    expect(Math.max(...s.treeDepth)).toBeLessThanOrEqual(4);
    expect(s.nLeapfrog.every((n, i) => n <= 2 ** (s.treeDepth[i] + 1) - 1 && n <= 2 ** 4 - 1)).toBe(true);
    expect(s.stepSize.every((e) => e === 0.05)).toBe(true);
    expect(s.acceptStat.every((a) => a >= 0 && a <= 1)).toBe(true);
    const d = samplerDiagnostics(fit, { convergence: false });
    expect(d.maxTreeDepthHits[0] + d.divergences[0]).toBeGreaterThan(0);
    expect(fit.totalGradEvals).toBe(fit.gradEvals[0] + fit.gradEvals[1]);
  });

  test("warm-up windows follow Stan's schedule and shrink for short warm-ups", () => {
    expect(WarmupSchedule.windows(1000)).toEqual([[75, 99], [100, 149], [150, 249], [250, 449], [450, 949]]);
    expect(WarmupSchedule.windows(100)).toEqual([[15, 89]]);
    expect(WarmupSchedule.windows(10)).toEqual([]);
  });

  test("sampler overhead per leapfrog step is small (reported)", () => {
    const small = measureOverhead({ dim: 10, iterations: 2000, repeats: 2 });
    const big = measureOverhead({ dim: 100, iterations: 1000, repeats: 2 });
    for (const o of [small, big]) {
      expect(o.overheadPerLeapfrogUs).toBeLessThan(100); // sanity only: the machine is shared
      console.log(`overhead d=${o.dim}: ${o.perLeapfrogUs.toFixed(2)} µs per leapfrog, of which gradient ${o.gradientUs.toFixed(2)} µs → sampler ${o.overheadPerLeapfrogUs.toFixed(2)} µs; ${Math.round(o.gradEvalsPerSecond)} grad evals/s`);
    }
  });
});

describe("diagnostics", () => {
  const rng = new Rng(5);
  const iid = Array.from({ length: 4 }, () => rng.array(1000, (r) => r.normal()));

  test("R-hat ≈ 1 and ESS ≈ N for iid draws", () => {
    expect(Math.abs(rhat(iid) - 1)).toBeLessThan(0.01);
    expect(essBulk(iid) / 4000).toBeGreaterThan(0.85);
    expect(essBulk(iid) / 4000).toBeLessThan(1.15);
    expect(essTail(iid) / 4000).toBeGreaterThan(0.75);
  });

  test("R-hat > 1.1 for a chain with a shifted mean, and (folded) for a chain with a wider spread", () => {
    const shifted = iid.map((c, k) => c.map((v) => v + (k === 0 ? 2 : 0)));
    expect(rhat(shifted)).toBeGreaterThan(1.1);
    const wide = iid.map((c, k) => c.map((v) => v * (k === 0 ? 3 : 1)));
    expect(rhatBasic(splitChains(wide))).toBeLessThan(1.01); // the classic R-hat misses it
    expect(rhat(wide)).toBeGreaterThan(1.1);
  });

  test("ESS of an AR(1) with φ = 0.9 matches N(1 − φ)/(1 + φ) within 20 %", () => {
    const phi = 0.9;
    const n = 20000;
    const chains = Array.from({ length: 4 }, () => {
      const x = new Float64Array(n);
      x[0] = rng.normal(0, 1 / Math.sqrt(1 - phi * phi)); // start in the stationary distribution
      for (let i = 1; i < n; i++) x[i] = phi * x[i - 1] + rng.normal();
      return x;
    });
    const analytic = (4 * n * (1 - phi)) / (1 + phi);
    expect(Math.abs(essBulk(chains) / analytic - 1)).toBeLessThan(0.2);
    expect(Math.abs(essMean(chains) / analytic - 1)).toBeLessThan(0.2);
    // E-BFMI of an AR(1) "energy" is 2(1 − φ); of iid values 2.
    expect(ebfmi(chains[0])).toBeCloseTo(2 * (1 - phi), 1);
    expect(ebfmi(iid[0])).toBeCloseTo(2, 0);
  });

  test("quantiles (type 7) and normal quantiles", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 0, 5], 0.25)).toBe(2.5);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 7);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 7);
  });

  test("summary is a polars DataFrame with the documented columns", () => {
    const r = eightSchoolsRun().result;
    const df = summary(r, { params: ["mu", "tau"] });
    expect(df.columns).toEqual(["param", "mean", "sd", "q5", "q50", "q95", "mcse_mean", "ess_bulk", "ess_tail", "r_hat"]);
    expect(df.height).toBe(2);
    const rows = df.toRecords() as Array<Record<string, number | string>>;
    expect(rows[1].param).toBe("tau");
    expect(rows[1].q5 as number).toBeGreaterThan(0);
    expect(summary({ a: iid }).height).toBe(1);
  });
});

describe("plots", () => {
  test("figure builders lay out the expected panels and highlight divergences", () => {
    const fit = sampleNuts(eightSchools({ centered: true }), { chains: 2, warmup: 200, draws: 300, seed: 3 });
    const nDiv = samplerDiagnostics(fit, { convergence: false }).totalDivergences;
    const trace = tracePlot(fit, { params: ["mu", "tau"] });
    expect(trace.data.filter((t) => t.name === "chain 0")).toHaveLength(2);
    expect(trace.layout.yaxis2).toBeDefined();
    const rank = rankPlot(fit, { params: ["mu", "tau"], bins: 10 });
    const bars = rank.data.filter((t) => t.type === "bar");
    expect(bars).toHaveLength(4);
    bars.forEach((b) => expect((b.y as number[]).reduce((a, c) => a + c, 0)).toBe(300));
    const pair = pairPlot(fit, { params: ["mu", "log(tau)", "theta[0]"], scale: "unconstrained" });
    expect(pair.data.filter((t) => t.type === "histogram")).toHaveLength(3);
    const red = pair.data.filter((t) => t.name === "divergent");
    if (nDiv > 0) expect((red[0].x as number[]).length).toBe(nDiv);
    const forest = intervalPlot(fit, { reference: { mu: 4.41, tau: 3.6 } });
    expect((forest.data[2].y as string[])[0]).toBe("mu");
    expect(forest.data).toHaveLength(4);
    expect(() => tracePlot(fit, { params: ["nope"] })).toThrow(/no parameter "nope"/);
  });
});
