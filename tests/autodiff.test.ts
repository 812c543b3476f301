/**
 * Float64 reverse-mode autodiff: every operation's gradient against central finite differences,
 * distribution values against closed forms, and whole models against the course's hand-written
 * gradients (eight schools, the distance models of notebook 13, the cluster model).
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../src/random";
import { ad, digamma, lgamma, mlpWeights, Tape, valueAndGradFn, type AdActivation, type Arg, type Vector } from "../src/bayes/autodiff";
import { checkGradient, params } from "../src/bayes/model";
import { EIGHT_SCHOOLS, eightSchools } from "../src/bayes/validation";
import { partialPoolingDistanceModel, simulateParallaxCluster, halfNormalLogPrior } from "../src/bayes/hierarchical";
import { clusterModelAutodiff, emulatorAutodiff, mlpWeightsFromLayers } from "../src/bayes/cluster-autodiff";
import { loadEmulator } from "../src/emulator/io";
import { solarCalibratedZ } from "../src/stellar/hurley";
import { simulateCluster } from "../src/cluster/simulate";
import { toyEmulator } from "../src/cluster/emulator";
import { clusterGridSearch, clusterInit, clusterModel, emulatorGrid, isochroneMassReference } from "../src/cluster/model";
import { buildMlp, mlpForward } from "../src/emulator/mlp";

/** Largest |autodiff − central difference| / max(1, |difference|) of fn at x. */
function fdError(dim: number, fn: (x: Vector) => Arg, x: ArrayLike<number>, h = 1e-6): number {
  const f = valueAndGradFn(dim, fn as (x: Vector) => never);
  const [, g] = f(x);
  let worst = 0;
  for (let i = 0; i < dim; i++) {
    const up = Float64Array.from(x);
    const dn = Float64Array.from(x);
    up[i] += h;
    dn[i] -= h;
    const num = (f(up)[0] - f(dn)[0]) / (2 * h);
    worst = Math.max(worst, Math.abs(g[i] - num) / Math.max(1, Math.abs(num)));
  }
  return worst;
}

const rng = new Rng(7);
const pos = (n: number) => rng.array(n, (r) => r.uniform(0.3, 2.5));
const real = (n: number) => rng.array(n, (r) => r.uniform(-2, 2));
const unit = (n: number) => rng.array(n, (r) => r.uniform(0.05, 0.95));
// A vector-valued op is checked through a random linear functional of its output.
const weights = rng.array(16, (r) => r.normal());
const project = (v: Arg) => ad.dot(v, (v as Vector).length === 1 ? [weights[0]] : weights.subarray(0, (v as Vector).length));

describe("special functions", () => {
  test("lgamma and digamma match known values", () => {
    expect(lgamma(1)).toBeCloseTo(0, 13);
    expect(lgamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(lgamma(10)).toBeCloseTo(Math.log(362880), 11);
    expect(lgamma(0.1)).toBeCloseTo(2.252712651734206, 12);
    expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 12);
    expect(digamma(0.5)).toBeCloseTo(-1.9635100260214235, 12);
    expect(digamma(10)).toBeCloseTo(2.251752589066721, 12);
    // ψ is the derivative of log Γ.
    for (const x of [0.3, 1.7, 4.2, 25]) expect(digamma(x)).toBeCloseTo((lgamma(x + 1e-6) - lgamma(x - 1e-6)) / 2e-6, 6);
  });
});

describe("every operation's gradient equals finite differences", () => {
  const n = 5;
  const unaries: Array<[string, (x: Vector) => Arg, () => Float64Array]> = [
    ["neg", (x) => ad.neg(x), () => real(n)],
    ["exp", (x) => ad.exp(x), () => real(n)],
    ["log", (x) => ad.log(x), () => pos(n)],
    ["log1p", (x) => ad.log1p(x), () => pos(n)],
    ["expm1", (x) => ad.expm1(x), () => real(n)],
    ["sqrt", (x) => ad.sqrt(x), () => pos(n)],
    ["square", (x) => ad.square(x), () => real(n)],
    ["abs", (x) => ad.abs(x), () => real(n)],
    ["tanh", (x) => ad.tanh(x), () => real(n)],
    ["sigmoid", (x) => ad.sigmoid(x), () => real(n)],
    ["softplus", (x) => ad.softplus(x), () => real(n)],
    ["logSigmoid", (x) => ad.logSigmoid(x), () => real(n)],
    ["log1mExp", (x) => ad.log1mExp(x), () => Float64Array.from(pos(n), (v) => -v)],
    ["lgamma", (x) => ad.lgamma(x), () => pos(n)],
    ["powConst", (x) => ad.powConst(x, 2.5), () => pos(n)],
  ];
  test.each(unaries)("%s", (_name, op, draw) => {
    expect(fdError(n, (x) => project(op(x)), draw())).toBeLessThan(1e-7);
  });

  const binaries: Array<[string, (a: Arg, b: Arg) => Arg]> = [
    ["add", ad.add], ["sub", ad.sub], ["mul", ad.mul], ["div", ad.div], ["pow", ad.pow],
  ];
  test.each(binaries)("%s: vector∘vector, scalar∘vector, vector∘scalar, with constants", (_name, op) => {
    const x = pos(2 * n + 1);
    const constant = pos(n);
    const split = (v: Vector) => [v.slice(0, n), v.slice(n, 2 * n), v.at(2 * n)] as const;
    expect(fdError(2 * n + 1, (v) => { const [a, b] = split(v); return project(op(a, b)); }, x)).toBeLessThan(1e-7);
    expect(fdError(2 * n + 1, (v) => { const [a, , s] = split(v); return project(op(s, a)); }, x)).toBeLessThan(1e-7);
    expect(fdError(2 * n + 1, (v) => { const [a, , s] = split(v); return project(op(a, s)); }, x)).toBeLessThan(1e-7);
    expect(fdError(2 * n + 1, (v) => { const [a, , s] = split(v); return ad.add(project(op(a, 1.7)), op(0.8, s)); }, x)).toBeLessThan(1e-7);
    expect(fdError(2 * n + 1, (v) => { const [a] = split(v); return project(op(a, constant)); }, x)).toBeLessThan(1e-7);
  });

  test("Var methods chain like the ad functions", () => {
    expect(fdError(n, (x) => x.mul(x.at(0)).add(2).div(x.at(1)).sub(x.exp()).neg().square().sqrt().log().sum(), pos(n))).toBeLessThan(1e-7);
  });

  test("sum, dot, logSumExp, concat, sum of a list, slices", () => {
    expect(fdError(n, (x) => ad.sum(x), real(n))).toBeLessThan(1e-8);
    expect(fdError(n, (x) => ad.dot(x, x), real(n))).toBeLessThan(1e-7);
    expect(fdError(n, (x) => ad.logSumExp(x), real(n))).toBeLessThan(1e-7);
    expect(fdError(n, (x) => ad.logSumExp([x.at(0), x.at(3), 2.5]), real(n))).toBeLessThan(1e-7);
    expect(fdError(n, (x) => project(ad.concat([x.at(4), x.slice(0, 3), 1.5, [2, 3]])), real(n))).toBeLessThan(1e-7);
    expect(fdError(n, (x) => ad.sum([ad.square(x), x.at(1), 3, ad.exp(x.slice(2))]), real(n))).toBeLessThan(1e-7);
    // log-sum-exp of huge values does not overflow.
    const [v, g] = valueAndGradFn(2, (x) => ad.logSumExp(x))([1000, 1000]);
    expect(v).toBeCloseTo(1000 + Math.LN2, 10);
    g.forEach((v) => expect(v).toBeCloseTo(0.5, 12));
  });

  // Each distribution with every argument a variable (vectors, and broadcast scalars).
  const dists: Array<[string, number, (a: Vector[]) => Arg, () => Float64Array[]]> = [
    ["normal", 3, ([x, m, s]) => ad.normal(x, m, s), () => [real(n), real(n), pos(n)]],
    ["halfNormal", 2, ([x, s]) => ad.halfNormal(x, s), () => [pos(n), pos(n)]],
    ["cauchy", 3, ([x, m, s]) => ad.cauchy(x, m, s), () => [real(n), real(n), pos(n)]],
    ["halfCauchy", 2, ([x, s]) => ad.halfCauchy(x, s), () => [pos(n), pos(n)]],
    ["studentT", 4, ([x, nu, m, s]) => ad.studentT(x, nu, m, s), () => [real(n), pos(n), real(n), pos(n)]],
    ["beta", 3, ([x, a, b]) => ad.beta(x, a, b), () => [unit(n), pos(n), pos(n)]],
    ["gamma", 3, ([x, a, b]) => ad.gamma(x, a, b), () => [pos(n), pos(n), pos(n)]],
    ["logNormal", 3, ([x, m, s]) => ad.logNormal(x, m, s), () => [pos(n), real(n), pos(n)]],
    ["exponential", 2, ([x, l]) => ad.exponential(x, l), () => [pos(n), pos(n)]],
    ["bernoulliLogit", 1, ([eta]) => ad.bernoulliLogit([1, 0, 1, 1, 0], eta), () => [real(n)]],
    ["binomial", 1, ([p]) => ad.binomial([3, 0, 7, 10, 5], 10, p), () => [unit(n)]],
    ["binomialLogit", 1, ([eta]) => ad.binomialLogit([3, 0, 7, 10, 5], [10, 4, 8, 10, 9], eta), () => [real(n)]],
  ];
  test.each(dists)("%s", (_name, nArgs, fn, draw) => {
    const parts = draw();
    const x = new Float64Array(nArgs * n);
    parts.forEach((p, q) => x.set(p, q * n));
    const split = (v: Vector) => parts.map((_, q) => v.slice(q * n, (q + 1) * n));
    expect(fdError(nArgs * n, (v) => fn(split(v)), x)).toBeLessThan(1e-6);
    // The same with every parameter but the first a broadcast scalar.
    const xs = new Float64Array(n + nArgs - 1);
    xs.set(parts[0]);
    for (let q = 1; q < nArgs; q++) xs[n + q - 1] = parts[q][0];
    const splitS = (v: Vector) => [v.slice(0, n), ...Array.from({ length: nArgs - 1 }, (_, q) => v.slice(n + q, n + q + 1))];
    expect(fdError(n + nArgs - 1, (v) => fn(splitS(v)), xs)).toBeLessThan(1e-6);
  });

  test.each(["linear", "elu", "relu", "tanh", "sigmoid", "softplus", "selu", "swish"] as AdActivation[])("mlp with %s", (activation) => {
    const r = new Rng(3);
    const net = mlpWeights([
      { w: r.array(3 * 7, (q) => q.normal(0, 0.7)), b: r.array(7, (q) => q.normal(0, 0.3)), activation },
      { w: r.array(7 * 5, (q) => q.normal(0, 0.7)), b: r.array(5, (q) => q.normal(0, 0.3)), activation },
      { w: r.array(5 * 2, (q) => q.normal(0, 0.7)), b: r.array(2, (q) => q.normal(0, 0.3)) },
    ]);
    expect(fdError(3, (x) => project(ad.mlp(net, x)), [0.3, -0.7, 1.1])).toBeLessThan(1e-7);
  });

  test("jacobianFn: a function with its own Jacobian", () => {
    const polar = ad.jacobianFn(2, 2, (x, out, jac) => {
      out[0] = x[0] * Math.cos(x[1]);
      out[1] = x[0] * Math.sin(x[1]);
      jac.set([Math.cos(x[1]), -x[0] * Math.sin(x[1]), Math.sin(x[1]), x[0] * Math.cos(x[1])]);
    });
    expect(fdError(2, (x) => project(ad.exp(polar(x))), [1.3, 0.4])).toBeLessThan(1e-7);
  });
});

describe("values and errors", () => {
  const value = (fn: (x: Vector) => Arg, x: number[]) => valueAndGradFn(x.length, fn as (x: Vector) => never)(x)[0];

  test("distributions are normalised log densities (closed forms)", () => {
    expect(value((x) => ad.normal(x, 1, 2), [0.5])).toBeCloseTo(-Math.log(2 * Math.sqrt(2 * Math.PI)) - 0.5 * 0.0625, 12);
    expect(value((x) => ad.halfNormal(x, 2), [0.5])).toBeCloseTo(Math.LN2 - Math.log(2 * Math.sqrt(2 * Math.PI)) - 0.5 * 0.0625, 12);
    // Student-t with ν = 1 is the Cauchy; Gamma with shape 1 is the exponential.
    expect(value((x) => ad.studentT(x, 1, 0.3, 1.5), [2])).toBeCloseTo(value((x) => ad.cauchy(x, 0.3, 1.5), [2]), 12);
    expect(value((x) => ad.gamma(x, 1, 2.5), [0.7])).toBeCloseTo(value((x) => ad.exponential(x, 2.5), [0.7]), 12);
    expect(value((x) => ad.halfCauchy(x, 5), [3])).toBeCloseTo(Math.log(2 / (5 * Math.PI)) - Math.log1p(9 / 25), 12);
    // Beta(2, 3) density at 0.4 is 12·0.4·0.6² = 1.728.
    expect(value((x) => ad.beta(x, 2, 3), [0.4])).toBeCloseTo(Math.log(1.728), 12);
    // Binomial(3 | 10, 0.2) = 120 · 0.2³ · 0.8⁷.
    expect(value((p) => ad.binomial(3, 10, p), [0.2])).toBeCloseTo(Math.log(120 * 0.008 * 0.8 ** 7), 11);
    expect(value((e) => ad.binomialLogit(3, 10, e), [Math.log(0.25)])).toBeCloseTo(Math.log(120 * 0.008 * 0.8 ** 7), 11);
    expect(value((e) => ad.bernoulliLogit([1, 0], e), [0.3, 0.3])).toBeCloseTo(Math.log(1 / (1 + Math.exp(-0.3))) + Math.log(1 - 1 / (1 + Math.exp(-0.3))), 12);
    expect(value((x) => ad.logNormal(x, 0.2, 0.5), [1.5])).toBeCloseTo(-Math.log(1.5 * 0.5 * Math.sqrt(2 * Math.PI)) - 0.5 * ((Math.log(1.5) - 0.2) / 0.5) ** 2, 12);
    expect(value((x) => ad.halfNormal(x, 1), [-0.1])).toBe(-Infinity);
  });

  test("plain numbers give plain numbers; bad input names the function", () => {
    expect(ad.exp(0)).toBe(1);
    expect(ad.add(2, 3)).toBe(5);
    expect(() => ad.normal(1, 0, 1)).toThrow(/ad.normal: no argument is a model variable/);
    const tape = new Tape();
    tape.reset(3);
    const v = tape.input(0, 3);
    expect(() => ad.add(v, [1, 2])).toThrow(/cannot broadcast lengths 3 and 2/);
    expect(() => v.at(3)).toThrow(/index 3 outside/);
  });

  test("a tape grows on the first evaluation and then reuses its buffers", () => {
    const f = valueAndGradFn(200, (x) => ad.sum([ad.normal(x, 0, 1), ad.logSumExp(ad.mul(x, 2))]));
    const x = real(200);
    const [v1, g1] = f(x);
    const [v2, g2] = f(x);
    expect(v2).toBe(v1);
    expect(Array.from(g2)).toEqual(Array.from(g1));
  });
});

describe("models: autodiff equals the course's hand-written gradients", () => {
  const y = Float64Array.from(EIGHT_SCHOOLS.y);
  const sigma = Float64Array.from(EIGHT_SCHOOLS.sigma);

  test("eight schools (non-centred and centred)", () => {
    const nc = params().real("mu").positive("tau").real("theta_raw", 8).autodiffModel((v) => {
      const theta = ad.add(v.mu, ad.mul(v.tau, v.theta_raw));
      return ad.sum([ad.normal(v.mu, 0, 5), ad.halfCauchy(v.tau, 5), ad.normal(v.theta_raw, 0, 1), ad.normal(y, theta, sigma)]);
    });
    const c = params().real("mu").positive("tau").real("theta", 8).autodiffModel((v) =>
      ad.sum([ad.normal(v.mu, 0, 5), ad.halfCauchy(v.tau, 5), ad.normal(v.theta, v.mu, v.tau), ad.normal(y, v.theta, sigma)]));
    for (const [auto, hand] of [[nc, eightSchools()], [c, eightSchools({ centered: true })]] as const) {
      const offsets: number[] = [];
      for (let k = 0; k < 5; k++) {
        const theta = real(10);
        const [la, ga] = auto.logDensityAndGrad(theta);
        const [lh, gh] = hand.logDensityAndGrad(theta);
        ga.forEach((g, i) => expect(Math.abs(g - gh[i])).toBeLessThan(1e-12 * Math.max(1, Math.abs(gh[i]))));
        offsets.push(la - lh);
        expect(checkGradient(auto, theta).maxRelError).toBeLessThan(1e-7);
      }
      // Same density up to the normalising constants the hand-written version drops.
      offsets.forEach((o) => expect(o).toBeCloseTo(offsets[0], 10));
    }
  });

  test("notebook 13's partially pooled distance model (centred and non-centred)", () => {
    const data = simulateParallaxCluster({ nStars: 12, seed: 4 });
    const n = 12;
    const centred = params().interval("mu", 100, 3000).positive("tau").real("d", n).autodiffModel((v) =>
      ad.sum([
        ad.halfNormal(v.tau, 20),
        ad.normal(v.d, v.mu, v.tau),
        ad.normal(data.parallaxMas, ad.div(1000, v.d), data.parallaxErrorMas),
      ]));
    const nonCentred = params().interval("mu", 100, 3000).positive("tau").real("eta", n).autodiffModel((v) => {
      const d = ad.add(v.mu, ad.mul(v.tau, v.eta));
      return ad.sum([ad.halfNormal(v.tau, 20), ad.normal(v.eta, 0, 1), ad.normal(data.parallaxMas, ad.div(1000, d), data.parallaxErrorMas)]);
    });
    expect(halfNormalLogPrior(1, 20)[0]).toBeCloseTo(-0.5 / 400, 12);
    for (const [auto, kind] of [[centred, "centred"], [nonCentred, "noncentred"]] as const) {
      const hand = partialPoolingDistanceModel(data, kind);
      for (let k = 0; k < 3; k++) {
        const theta = Float64Array.from(real(n + 2), (v, i) => (kind === "centred" && i >= 2 ? 860 + 5 * v : i === 0 ? -1.9 + 0.01 * v : v));
        const [, ga] = auto.logDensityAndGrad(theta);
        const [, gh] = hand.logDensityAndGrad(theta);
        ga.forEach((g, i) => expect(Math.abs(g - gh[i])).toBeLessThan(1e-9 * Math.max(1, Math.abs(gh[i]))));
      }
    }
  });

  const em = toyEmulator();
  const stars = simulateCluster({ counts: { MS: 4, TO: 2, SG: 2 }, seed: 3 }).stars;
  test.each([
    ["noncentred", true],
    ["noncentred", false],
    ["centred", true],
    ["centred", false],
  ] as const)("cluster model, %s, mass reference %s: same gradient as the float64 Jacobian engine", (parametrisation, useRef) => {
    const grid = emulatorGrid(em, { nMass: 60, nAge: 25, nMh: 3 });
    const search = clusterGridSearch(grid, stars);
    const reference = useRef ? isochroneMassReference(em, stars, { ageGyr: search.ageGyr, mh: search.mh }) : undefined;
    const options = { parametrisation, reference, modelError: { logTeff: 0.001 }, priors: { mhPrior: { mean: 0, sd: 0.1 } } };
    const hand = clusterModel(em, stars, { ...options, engine: "js" });
    const auto = clusterModelAutodiff(em, stars, options);
    const init = clusterInit(search, options);
    const offsets: number[] = [];
    for (let k = 0; k < 3; k++) {
      const theta = init(k, new Rng(10 + k));
      const [la, ga] = auto.logDensityAndGrad(theta);
      const [lh, gh] = hand.logDensityAndGrad(theta);
      const scale = Math.max(...gh.map(Math.abs));
      ga.forEach((g, i) => expect(Math.abs(g - gh[i])).toBeLessThan(1e-10 * scale));
      offsets.push(la - lh);
    }
    offsets.forEach((o) => expect(o).toBeCloseTo(offsets[0], 8));
  });

  test("the neural emulator in autodiff operations: same outputs as evaluateInto, same cluster-model gradient", async () => {
    const emulator = await loadEmulator();
    const emuAd = emulatorAutodiff(emulator);
    const tape = new Tape();
    const out = new Float64Array(6);
    const jac = new Float64Array(18);
    // Main sequence, subgiant, giant: every phase feature in play.
    for (const [m, t] of [[1.0, 4], [1.3, 4.2], [1.4, 3.5], [1.2, 6]]) {
      const mh = 0.05;
      const Z = emulator.solarZ * 10 ** mh;
      emulator.evaluateInto(m, t, Z, out, jac);
      tape.reset(3);
      tape.val.set([Math.log10(m), t, mh]);
      const x = tape.input(0, 3);
      const y = emuAd(x.at(0), x.at(1), x.at(2));
      // Equal to rounding (10^x vs exp(x ln 10), [M/H] vs log10(Z/Z☉) differ in the last bits).
      y.values().forEach((v, k) => expect(Math.abs(v - out[k])).toBeLessThan(1e-8));
      // d(output k)/d(age) by reverse mode equals the forward-mode Jacobian's.
      for (let k = 0; k < 6; k++) {
        tape.backward(y.at(k));
        expect(Math.abs(tape.adj[1] - jac[3 * k + 1])).toBeLessThan(1e-7 * Math.max(1, Math.abs(jac[3 * k + 1])));
        expect(Math.abs(tape.adj[0] - jac[3 * k] * m * Math.LN10)).toBeLessThan(1e-7 * Math.max(1, Math.abs(jac[3 * k] * m * Math.LN10)));
      }
    }
    const cluster = simulateCluster({ ageGyr: 4, Z: solarCalibratedZ(), counts: { MS: 4, TO: 2, SG: 2 }, seed: 67 }).stars;
    const grid = emulatorGrid(emulator, { nMass: 60, nAge: 25, nMh: 3 });
    const search = clusterGridSearch(grid, cluster);
    const reference = isochroneMassReference(emulator, cluster, { ageGyr: search.ageGyr, mh: search.mh });
    const options = { reference, modelError: { logTeff: 0.0015, logL: 0.003 } };
    const hand = clusterModel(emulator, cluster, { ...options, engine: "js" });
    const auto = clusterModelAutodiff(emulator, cluster, options);
    for (let k = 0; k < 3; k++) {
      const theta = clusterInit(search, options)(k, new Rng(20 + k));
      const [, ga] = auto.logDensityAndGrad(theta);
      const [, gh] = hand.logDensityAndGrad(theta);
      const scale = Math.max(...gh.map(Math.abs));
      // Two float64 routes (reverse vs forward mode, exp vs 10^x) agree to ~1e-8 of the largest component.
      ga.forEach((g, i) => expect(Math.abs(g - gh[i])).toBeLessThan(1e-6 * scale));
      expect(checkGradient(auto, theta, { step: 1e-6 }).maxRelError).toBeLessThan(1e-5);
    }
  });

  test("ad.mlp reproduces the tfjs network it was read from", () => {
    const net = buildMlp({ inputs: 4, hidden: [16, 16], outputs: 3, activation: "elu", seed: 5 });
    const weights = mlpWeightsFromLayers(net);
    const x = [0.2, -1.1, 0.7, 1.5];
    const want = tf.tidy(() => mlpForward(net, tf.tensor2d([x])).dataSync());
    const tape = new Tape();
    tape.reset(4);
    tape.val.set(x);
    const out = ad.mlp(weights, tape.input(0, 4)).values();
    out.forEach((v, k) => expect(v).toBeCloseTo(want[k], 5));
    net.dispose();
  });
});
