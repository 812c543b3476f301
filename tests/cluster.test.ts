/**
 * Hierarchical models of clusters: the parallax warm-up (gradients, closed-form posteriors, the
 * funnel), the simulated M67, and the cluster-age models on a toy emulator whose truth is known
 * exactly (gradients, tfjs against float64, the mass reparametrisation leaving the posterior
 * unchanged, recovery of the age), plus the shipped neural emulator plugged into the same models.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../src/random";
import { checkGradient } from "../src/bayes/model";
import { pooledDraws, sampleNuts } from "../src/bayes/nuts";
import { quantiles, samplerDiagnostics, summaryRecords } from "../src/bayes/diagnostics";
import {
  betaBoxLogPrior, completePoolingDistanceModel, distanceModelInit, gaiaParallaxErrorMas, halfNormalLogPrior, noPoolingDistanceModel,
  partialPoolingDistanceModel, simulateParallaxCluster, withQuantities,
} from "../src/bayes/hierarchical";
import { KIND_FRAC_AGE, clusterTable, imfDraw, kindMassRange, massAtFracAge, simulateCluster } from "../src/cluster/simulate";
import { EMULATOR_LOG_OUTPUTS, toyEmulator, type ClusterEmulator } from "../src/cluster/emulator";
import {
  clusterDerived, clusterGridSearch, clusterInit, clusterMetricGuess, clusterModel, emulatorGrid, fitCluster, fitStarsIndividually,
  isochroneMassReference, observationArrays, sampleSd, singleStarModel, type StarObservation,
} from "../src/cluster/model";
import { clusterHrChart, starAgeChart } from "../src/cluster/plots";
import { evolveStar, solarCalibratedZ } from "../src/stellar/hurley";
import { mhFromZ, SOLAR_Z } from "../src/stellar/metallicity";
import { loadEmulator } from "../src/emulator/io";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const mean = (x: ArrayLike<number>) => Array.from(x).reduce((a, b) => a + b, 0) / x.length;

// ---------------------------------------------------------------------------------------------
// Priors and the parallax warm-up
// ---------------------------------------------------------------------------------------------

describe("priors", () => {
  test("Beta box and half-normal log densities have the right derivatives and support", () => {
    for (const x of [0.8, 1.3, 2.2]) {
      const h = 1e-6;
      const [, d] = betaBoxLogPrior(x, 0.7, 2.5);
      expect(d).toBeCloseTo((betaBoxLogPrior(x + h, 0.7, 2.5)[0] - betaBoxLogPrior(x - h, 0.7, 2.5)[0]) / (2 * h), 5);
      const [, dh] = halfNormalLogPrior(x, 1.5);
      expect(dh).toBeCloseTo(-x / 2.25, 12);
    }
    expect(betaBoxLogPrior(0.7, 0.7, 2.5)[0]).toBe(-Infinity);
    expect(halfNormalLogPrior(-0.1, 1)[0]).toBe(-Infinity);
    // Symmetric Beta: the density peaks in the middle of the box.
    expect(betaBoxLogPrior(1.6, 0.7, 2.5)[0]).toBeGreaterThan(betaBoxLogPrior(0.9, 0.7, 2.5)[0]);
  });
});

describe("simulated Gaia parallaxes", () => {
  test("parallax errors follow Gaia DR3's precision curve (Lindegren et al. 2021)", () => {
    expect(gaiaParallaxErrorMas(13)).toBeGreaterThan(0.01);
    expect(gaiaParallaxErrorMas(13)).toBeLessThan(0.02);
    expect(gaiaParallaxErrorMas(15)).toBeCloseTo(0.03, 2);
    expect(gaiaParallaxErrorMas(17)).toBeGreaterThan(0.06);
    expect(gaiaParallaxErrorMas(17)).toBeLessThan(0.1);
    expect(gaiaParallaxErrorMas(20)).toBeGreaterThan(0.4);
    expect(gaiaParallaxErrorMas(20)).toBeLessThan(0.8);
    expect(gaiaParallaxErrorMas(10)).toBe(gaiaParallaxErrorMas(13)); // bright limit
  });

  test("members have the requested depth and unbiased parallaxes", () => {
    const c = simulateParallaxCluster({ nStars: 4000, distancePc: 500, depthPc: 5, seed: 4 });
    expect(mean(c.trueDistancePc)).toBeCloseTo(500, 0);
    expect(sampleSd(c.trueDistancePc)).toBeCloseTo(5, 0);
    const pulls = Array.from(c.parallaxMas, (p, i) => (p - 1000 / c.trueDistancePc[i]) / c.parallaxErrorMas[i]);
    expect(Math.abs(mean(pulls))).toBeLessThan(0.06);
    expect(sampleSd(pulls)).toBeCloseTo(1, 1);
  });
});

describe("distance models", () => {
  const data = simulateParallaxCluster({ nStars: 25, seed: 3 });

  test("hand-written gradients match finite differences for every model", () => {
    const rng = new Rng(9);
    const models = [
      noPoolingDistanceModel(data), completePoolingDistanceModel(data),
      partialPoolingDistanceModel(data, "centred"), partialPoolingDistanceModel(data, "noncentred"),
    ];
    const inits = [distanceModelInit(data, "none"), distanceModelInit(data, "complete"), distanceModelInit(data, "centred"), distanceModelInit(data, "noncentred")];
    models.forEach((m, k) => {
      const theta = inits[k](0, rng).map((v) => v + 0.1 * rng.normal());
      expect(checkGradient(m, theta).maxRelError).toBeLessThan(1e-6);
    });
  });

  test("complete pooling agrees with the inverse-variance weighted parallax", () => {
    const w = Array.from(data.parallaxErrorMas, (e) => 1 / (e * e));
    const wSum = w.reduce((a, b) => a + b, 0);
    const meanParallax = Array.from(data.parallaxMas).reduce((s, p, i) => s + w[i] * p, 0) / wSum;
    const dHat = 1000 / meanParallax;
    const dSd = (1000 / meanParallax ** 2) / Math.sqrt(wSum); // delta method
    const fit = sampleNuts(completePoolingDistanceModel(data), { chains: 2, warmup: 300, draws: 1500, seed: 5, init: distanceModelInit(data, "complete") });
    const d = pooledDraws(fit, "d");
    expect(Math.abs(mean(d) - dHat)).toBeLessThan(0.1 * dSd + 0.2);
    expect(sampleSd(d) / dSd).toBeGreaterThan(0.9);
    expect(sampleSd(d) / dSd).toBeLessThan(1.1);
  });

  test("the centred model hits the funnel, the non-centred one does not, and both agree on μ", () => {
    const c40 = simulateParallaxCluster({ nStars: 40, seed: 3 });
    const opts = { chains: 4, warmup: 500, draws: 500, seed: 1 };
    const centred = sampleNuts(partialPoolingDistanceModel(c40, "centred"), { ...opts, targetAccept: 0.8, init: distanceModelInit(c40, "centred") });
    const nonCentred = sampleNuts(partialPoolingDistanceModel(c40, "noncentred"), { ...opts, targetAccept: 0.9, init: distanceModelInit(c40, "noncentred") });
    const dc = samplerDiagnostics(centred);
    const dn = samplerDiagnostics(nonCentred);
    expect(dc.totalDivergences > 0 || Math.min(...dc.ebfmi) < 0.3).toBe(true);
    expect(dn.totalDivergences).toBe(0);
    expect(Math.min(...dn.ebfmi)).toBeGreaterThan(0.5);
    // The centred chains cannot enter the neck of the funnel: their small-τ tail is cut off.
    const tauC5 = quantiles(pooledDraws(centred, "tau"), [0.05])[0];
    const tauN5 = quantiles(pooledDraws(nonCentred, "tau"), [0.05])[0];
    expect(tauN5).toBeLessThan(tauC5);
    expect(Math.abs(mean(pooledDraws(centred, "mu")) - mean(pooledDraws(nonCentred, "mu")))).toBeLessThan(1.5);
  });

  test("withQuantities adds derived columns on both scales and keeps the draws in step", () => {
    const fit = sampleNuts(partialPoolingDistanceModel(data, "noncentred"), { chains: 2, warmup: 100, draws: 100, seed: 2, init: distanceModelInit(data, "noncentred") });
    const out = withQuantities(fit, { "d[0]": (v) => v.mu + v.tau * v["eta[0]"] });
    expect(out.paramNames[out.paramNames.length - 1]).toBe("d[0]");
    expect(out.unconstrainedNames).toContain("d[0]");
    const mu = pooledDraws(out, "mu");
    const tau = pooledDraws(out, "tau");
    const eta = pooledDraws(out, "eta[0]");
    const d0 = pooledDraws(out, "d[0]");
    d0.forEach((v, k) => expect(v).toBeCloseTo(mu[k] + tau[k] * eta[k], 9));
    expect(summaryRecords(out, { params: ["d[0]"] })[0].r_hat).toBeLessThan(1.1);
    expect(() => withQuantities(fit, { mu: () => 0 })).toThrow(/already exists/);
  });
});

// ---------------------------------------------------------------------------------------------
// The simulated cluster
// ---------------------------------------------------------------------------------------------

describe("simulateCluster", () => {
  const Z = solarCalibratedZ();

  test("massAtFracAge inverts the evolutionary coordinate", () => {
    for (const f of [0.5, 0.7, 0.92, 1.2, 1.8, 2.3]) {
      const m = massAtFracAge(f, 4, Z);
      expect(evolveStar(m, Z, 4).fracAge).toBeCloseTo(f, 4);
    }
  });

  test("IMF draws follow dN/dM ∝ M^−2.35", () => {
    const rng = new Rng(3);
    const draws = Array.from({ length: 40000 }, () => imfDraw(rng, 0.5, 2));
    // Analytic mean of a power law on [a, b]: (k/(k−1))·(b^(1−k)·... ) with k = α − 1 written out.
    const a = 0.5, b = 2, al = 2.35;
    const analytic = ((1 - al) / (2 - al)) * ((b ** (2 - al) - a ** (2 - al)) / (b ** (1 - al) - a ** (1 - al)));
    expect(mean(draws)).toBeCloseTo(analytic, 2);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...draws)).toBeLessThanOrEqual(2);
  });

  test("stars land in their phases, evolved stars get seismology, noise has the stated size", () => {
    const c = simulateCluster({ counts: { MS: 40, TO: 20, SG: 20, RGB: 5 }, seed: 11 });
    expect(c.stars).toHaveLength(85);
    for (const s of c.stars) {
      const [f0, f1] = KIND_FRAC_AGE[s.kind];
      expect(s.fracAge).toBeGreaterThanOrEqual(f0 - 1e-6);
      expect(s.fracAge).toBeLessThanOrEqual(f1 + 1e-6);
      expect(s.ageGyr).toBe(4);
      expect(Number.isFinite(s.obsDeltaNuMuHz)).toBe(s.kind !== "MS");
      expect(s.id.startsWith(s.kind + "-")).toBe(true);
    }
    const masses = c.stars.map((s) => s.massMsun);
    expect(masses).toEqual([...masses].sort((x, y) => x - y));
    const pullsT = c.stars.map((s) => (s.obsTeffK - s.teffK) / s.errTeffK);
    const pullsL = c.stars.map((s) => Math.log(s.obsLumLsun / s.lumLsun) / 0.04);
    expect(Math.abs(mean(pullsT))).toBeLessThan(0.35);
    expect(sampleSd(pullsT)).toBeGreaterThan(0.75);
    expect(sampleSd(pullsT)).toBeLessThan(1.25);
    expect(sampleSd(pullsL)).toBeGreaterThan(0.75);
    expect(sampleSd(pullsL)).toBeLessThan(1.25);
    expect(clusterTable(c).height).toBe(85);
    // At 4 Gyr and solar Z the subgiants of this grid have 1.32–1.34 M☉.
    const [lo, hi] = kindMassRange("SG", 4, Z);
    expect(lo).toBeGreaterThan(1.3);
    expect(hi).toBeLessThan(1.35);
  });

  test("an age spread gives each star its own age", () => {
    const c = simulateCluster({ counts: { MS: 30, TO: 0, SG: 0 }, ageSpreadGyr: 0.5, seed: 2 });
    expect(sampleSd(c.stars.map((s) => s.ageGyr))).toBeGreaterThan(0.3);
  });

  test("figures: HR diagram and star-age forest", () => {
    const c = simulateCluster({ counts: { MS: 3, TO: 2, SG: 2 }, seed: 1 });
    const hr = clusterHrChart(c);
    expect(hr.data).toHaveLength(4); // isochrone + three kinds
    const set = { name: "x", q5: [1, 2, 3, 1, 2, 3, 4], q50: [2, 3, 4, 2, 3, 4, 5], q95: [3, 4, 5, 3, 4, 5, 6] };
    const fig = starAgeChart(c.stars, [set, set], { trueAgeGyr: 4, clusterAge: [3.9, 4, 4.1] });
    expect(fig.data).toHaveLength(2);
    expect((fig.layout.shapes as unknown[]).length).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------
// Cluster models on a toy emulator (exactly known truth)
// ---------------------------------------------------------------------------------------------

/** Stars observed through the toy emulator itself, so the model is exactly right. */
function toyStars(em: ClusterEmulator, masses: number[], ageGyr: number, Z: number, seed: number, seismicAbove = 1.2): StarObservation[] {
  const rng = new Rng(seed);
  const out = new Float64Array(EMULATOR_LOG_OUTPUTS.length);
  return masses.map((m, i) => {
    em.evaluateInto!(m, ageGyr, Z, out);
    const seis = m > seismicAbove;
    const noisy = (lg: number, frac: number) => 10 ** (lg + (rng.normal() * frac) / Math.LN10);
    const teff = 10 ** out[0];
    return {
      id: `s${i}`,
      obsTeffK: noisy(out[0], 70 / teff), errTeffK: 70,
      obsLumLsun: noisy(out[1], 0.04), errLumLsun: 0.04 * 10 ** out[1],
      obsDeltaNuMuHz: seis ? noisy(out[4], 0.015) : NaN, errDeltaNuMuHz: seis ? 0.015 * 10 ** out[4] : NaN,
      obsNumaxMuHz: seis ? noisy(out[5], 0.025) : NaN, errNumaxMuHz: seis ? 0.025 * 10 ** out[5] : NaN,
    };
  });
}

describe("cluster models (toy emulator)", () => {
  const em = toyEmulator();
  const Z = SOLAR_Z;
  const masses = [0.9, 1.0, 1.1, 1.2, 1.25, 1.3, 1.33, 1.36, 1.38];
  const stars = toyStars(em, masses, 4, Z, 5);

  test("the toy's float64 Jacobian matches finite differences and its tfjs path", () => {
    const out = new Float64Array(6);
    const jac = new Float64Array(18);
    em.evaluateInto!(1.3, 3.8, 0.015, out, jac);
    const h = [1e-6, 1e-6, 1e-8];
    for (let c = 0; c < 3; c++) {
      const up = new Float64Array(6);
      const dn = new Float64Array(6);
      const x = [1.3, 3.8, 0.015];
      x[c] += h[c];
      em.evaluateInto!(x[0], x[1], x[2], up);
      x[c] -= 2 * h[c];
      em.evaluateInto!(x[0], x[1], x[2], dn);
      for (let k = 0; k < 6; k++) expect(jac[3 * k + c]).toBeCloseTo((up[k] - dn[k]) / (2 * h[c]), 4);
    }
    const t = tf.tidy(() => em.apply(tf.tensor1d([1.3]), tf.tensor1d([3.8]), tf.tensor1d([0.015])).logDeltaNu.dataSync()[0]);
    expect(t).toBeCloseTo(out[4], 4);
  });

  test("observations become log10 values with σ in dex; missing ones get zero weight", () => {
    const o = observationArrays(stars, { logTeff: 0.002 });
    expect(o.y[0][0]).toBeCloseTo(Math.log10(stars[0].obsTeffK), 12);
    const sdDex = 70 / (stars[0].obsTeffK * Math.LN10);
    expect(1 / o.invSigma[0][0]).toBeCloseTo(Math.hypot(sdDex, 0.002), 12);
    expect(o.invSigma[2][0]).toBe(0); // 0.9 M☉: no Δν
    expect(o.invSigma[2][8]).toBeGreaterThan(0);
  });

  test.each([
    ["noncentred", false],
    ["noncentred", true],
    ["centred", false],
    ["centred", true],
  ] as const)("%s model (mass reference %s): float64 gradient matches finite differences and tfjs autodiff", (parametrisation, useRef) => {
    const grid = emulatorGrid(em, { nMass: 80, nAge: 30, nMh: 3 });
    const search = clusterGridSearch(grid, stars);
    const reference = useRef ? isochroneMassReference(em, stars, { ageGyr: search.ageGyr, mh: search.mh }) : undefined;
    const options = { parametrisation, reference, modelError: { logTeff: 0.001 } };
    const js = clusterModel(em, stars, { ...options, engine: "js" });
    const tfm = clusterModel(em, stars, { ...options, engine: "tfjs" });
    const theta = clusterInit(search, options)(0, new Rng(4));
    expect(checkGradient(js, theta, { step: 1e-6 }).maxRelError).toBeLessThan(1e-5);
    const [lj, gj] = js.logDensityAndGrad(theta);
    const [lt, gt] = tfm.logDensityAndGrad(theta);
    expect(Math.abs(lj - lt)).toBeLessThan(1e-3 * Math.max(1, Math.abs(lj)));
    const scale = Math.max(...gj.map(Math.abs));
    gj.forEach((g, i) => expect(Math.abs(g - gt[i])).toBeLessThan(2e-3 * scale));
  });

  test("single-star model: float64 and tfjs agree, with and without a mass reference", () => {
    for (const useRef of [false, true]) {
      const reference = useRef ? isochroneMassReference(em, [stars[7]], { ageGyr: 4, mh: 0 }) : undefined;
      const js = singleStarModel(em, stars[7], { engine: "js", reference });
      const tfm = singleStarModel(em, stars[7], { engine: "tfjs", reference });
      const theta = Float64Array.from([-0.9, 0.3, 0.2]);
      expect(checkGradient(js, theta, { step: 1e-6 }).maxRelError).toBeLessThan(1e-5);
      const [lj, gj] = js.logDensityAndGrad(theta);
      const [lt, gt] = tfm.logDensityAndGrad(theta);
      expect(Math.abs(lj - lt)).toBeLessThan(1e-3 * Math.max(1, Math.abs(lj)));
      gj.forEach((g, i) => expect(Math.abs(g - gt[i])).toBeLessThan(2e-3 * Math.max(...gj.map(Math.abs))));
    }
  });

  test("the isochrone mass reference finds each star's mass at the true age", () => {
    const noiseFree = toyStars(em, masses, 4, Z, 1).map((s, i) => {
      const out = new Float64Array(6);
      em.evaluateInto!(masses[i], 4, Z, out);
      return { ...s, obsTeffK: 10 ** out[0], obsLumLsun: 10 ** out[1], obsDeltaNuMuHz: Number.isFinite(s.obsDeltaNuMuHz) ? 10 ** out[4] : NaN, obsNumaxMuHz: Number.isFinite(s.obsNumaxMuHz) ? 10 ** out[5] : NaN };
    });
    const ref = isochroneMassReference(em, noiseFree, { ageGyr: 4, mh: mhFromZ(Z) });
    ref.logMass.forEach((lm, i) => expect(Math.abs(Math.exp(lm) / masses[i] - 1)).toBeLessThan(3e-3));
    // Evolved stars: at fixed position on the isochrone, older means lighter.
    expect(ref.dLogMassDAge[8]).toBeLessThan(-0.03);
    expect(ref.logMassSd.every((s) => s > 0)).toBe(true);
  });

  test("sampling masses relative to the isochrone leaves the posterior unchanged", () => {
    const few = stars.slice(4);
    const grid = emulatorGrid(em, { nMass: 120, nAge: 40, nMh: 3 });
    const nuts = { chains: 2, warmup: 300, draws: 700, seed: 3, targetAccept: 0.9 };
    const a = fitCluster(em, few, { grid, engine: "js", reparametrise: true, nuts });
    const b = fitCluster(em, few, { grid, engine: "js", reparametrise: false, nuts });
    for (const p of ["ageGyr", "mh", "massMsun[4]"]) {
      const ra = summaryRecords(a.result, { params: [p] })[0];
      const rb = summaryRecords(b.result, { params: [p] })[0];
      const mcse = Math.hypot(ra.mcse_mean, rb.mcse_mean);
      expect(Math.abs(ra.mean - rb.mean)).toBeLessThan(4 * mcse + 1e-3 * Math.abs(ra.mean));
      expect(ra.sd / rb.sd).toBeGreaterThan(0.8);
      expect(ra.sd / rb.sd).toBeLessThan(1.25);
    }
    // ...and the reparametrised version needs fewer leapfrog steps per draw.
    const leap = (r: typeof a) => mean(samplerDiagnostics(r.result, { convergence: false }).meanLeapfrog);
    expect(leap(a)).toBeLessThan(leap(b));
  });

  test("the hierarchical fit recovers the true age of a coeval toy cluster; single-star fits scatter more", () => {
    const grid = emulatorGrid(em, { nMass: 150, nAge: 50, nMh: 5 });
    const fit = fitCluster(em, stars, { grid, engine: "js", nuts: { chains: 2, warmup: 300, draws: 500, seed: 8, targetAccept: 0.9 } });
    const [a5, a95] = quantiles(pooledDraws(fit.result, "ageGyr"), [0.05, 0.95]);
    expect(a5).toBeLessThan(4);
    expect(a95).toBeGreaterThan(4);
    expect(a95 - a5).toBeLessThan(1);
    expect(fit.result.paramNames).toContain(`starAgeGyr[${stars.length - 1}]`);
    expect(fit.result.paramNames).toContain("massMsun[0]");
    const sigma95 = quantiles(pooledDraws(fit.result, "sigmaAgeGyr"), [0.95])[0];
    const singles = fitStarsIndividually(em, stars, { grid, nuts: { chains: 2, warmup: 200, draws: 200, seed: 4, targetAccept: 0.9 } });
    expect(singles.table.height).toBe(stars.length);
    expect(singles.results[0].paramNames).toContain("massMsun");
    expect(sampleSd(singles.medianAgeGyr)).toBeGreaterThan(sigma95);
  });

  test("the metric guess scales the cluster age and [M/H] and leaves the rest at 1", () => {
    const grid = emulatorGrid(em, { nMass: 80, nAge: 30, nMh: 3 });
    const search = clusterGridSearch(grid, stars);
    const guess = clusterMetricGuess(grid, search, {});
    expect(guess).toHaveLength(3 + 2 * stars.length);
    expect(guess[0]).toBeLessThan(0.1);
    expect(guess.slice(3).every((v) => v === 1)).toBe(true);
  });

  test("clusterDerived needs the reference for mass offsets", () => {
    const grid = emulatorGrid(em, { nMass: 60, nAge: 20, nMh: 3 });
    const fit = fitCluster(em, stars.slice(0, 3), { grid, engine: "js", nuts: { chains: 1, warmup: 30, draws: 20, seed: 1 } });
    const raw = { ...fit.result, paramNames: fit.result.paramNames.filter((n) => !n.startsWith("massMsun") && !n.startsWith("starAge")) };
    raw.draws = fit.result.draws.map((chain) => chain.slice(0, raw.paramNames.length));
    expect(() => clusterDerived(raw)).toThrow(/MassReference/);
  });
});

// ---------------------------------------------------------------------------------------------
// The shipped neural emulator in the same models
// ---------------------------------------------------------------------------------------------

describe("cluster model with the shipped neural emulator", () => {
  test("tfjs autodiff through the network agrees with its float64 Jacobian; the reference finds the true masses", async () => {
    const emulator = await loadEmulator();
    const c = simulateCluster({ counts: { MS: 2, TO: 1, SG: 2 }, seed: 5 });
    const modelError = { logTeff: 0.0015, logL: 0.003, logDeltaNu: 0.006, logNumax: 0.008 };
    const grid = emulatorGrid(emulator, { nMass: 60, nAge: 24, nMh: 3 });
    const search = clusterGridSearch(grid, c.stars, { modelError });
    const reference = isochroneMassReference(emulator, c.stars, { ageGyr: 4, mh: 0, modelError });
    // Noise (70 K, 4 %) and emulator errors move the best mass by at most a few per cent.
    reference.logMass.forEach((lm, i) => expect(Math.abs(Math.exp(lm) / c.stars[i].massMsun - 1)).toBeLessThan(0.05));
    const js = clusterModel(emulator, c.stars, { engine: "js", reference, modelError });
    const tfm = clusterModel(emulator, c.stars, { engine: "tfjs", reference, modelError });
    const theta = clusterInit(search, { reference })(0, new Rng(2));
    const [lj, gj] = js.logDensityAndGrad(theta);
    const [lt, gt] = tfm.logDensityAndGrad(theta);
    expect(Math.abs(lj - lt)).toBeLessThan(1e-3 * Math.max(1, Math.abs(lj)));
    const scale = Math.max(...gj.map(Math.abs));
    gj.forEach((g, i) => expect(Math.abs(g - gt[i])).toBeLessThan(2e-3 * scale));
  });
});
