/**
 * Uncertainty tools checked against answers known in closed form: the Gaussian NLL against its
 * formula and a network that must learn two known noise levels; MC dropout's epistemic variance
 * against the analytic variance of a dropout mask; concrete dropout's serialisation and the
 * direction its learned rate moves with data size; the small Bayesian network's hand-written
 * gradient against finite differences.
 */
import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { setupBackend } from "../src/backend/select";
import { fileIOHandler } from "../src/emulator/io";
import { Rng, seedEverything } from "../src/random";
import { gaussianNll, gaussianNllValue, nllTargets } from "../src/uncertainty/gaussian-nll";
import { ConcreteDropoutDense, concreteDropoutRates, concreteRegularisers } from "../src/uncertainty/concrete-dropout";
import { combineGaussianPredictions, ensemblePredict, heteroscedasticMlp, mcDropoutClassify, mcDropoutPredict } from "../src/uncertainty/mc-dropout";
import { bayesianMlpDim, bayesianMlpModel } from "../src/uncertainty/bayesian-mlp";
import { checkGradient } from "../src/bayes/model";
import { noisySine } from "../src/uncertainty/toy";

beforeAll(async () => {
  await setupBackend({ backend: "wasm", verbose: false });
});

describe("gaussianNll", () => {
  test("equals the Gaussian negative log-likelihood formula, with or without padded targets", () => {
    const y = [0.3, -1.2, 2.0];
    const mu = [0.1, -1.0, 1.5];
    const logVar = [-1, 0.5, 0.2];
    const pred = tf.tensor2d(mu.map((m, i) => [m, logVar[i]]));
    const expected = gaussianNllValue(y, mu, logVar.map(Math.exp));
    const direct = gaussianNll(tf.tensor2d(y.map((v) => [v])), pred);
    const padded = gaussianNll(nllTargets(y), pred);
    expect(direct.dataSync()[0]).toBeCloseTo(expected, 5);
    expect(padded.dataSync()[0]).toBeCloseTo(expected, 5);
    tf.dispose([pred, direct, padded]);
  });

  test("a network trained with it learns two different noise levels (aleatoric uncertainty)", () => {
    const rng = new Rng(3);
    const n = 2000;
    const group = Array.from({ length: n }, (_, i) => i % 2);
    const sd = [0.1, 1.0];
    const x = tf.tensor2d(group.map((g) => [g === 0 ? 1 : 0, g === 1 ? 1 : 0]));
    const y = nllTargets(group.map((g) => 2 + rng.normal(0, sd[g])));
    const w = tf.variable(tf.zeros([2, 2]));
    const opt = tf.train.adam(0.05);
    for (let step = 0; step < 300; step++) opt.minimize(() => gaussianNll(y, tf.matMul(x, w)));
    const [[m0, s0], [m1, s1]] = w.arraySync() as number[][];
    expect(m0).toBeCloseTo(2, 1);
    expect(m1).toBeCloseTo(2, 1);
    expect(Math.exp(0.5 * s0)).toBeGreaterThan(0.08);
    expect(Math.exp(0.5 * s0)).toBeLessThan(0.12);
    expect(Math.exp(0.5 * s1)).toBeGreaterThan(0.9);
    expect(Math.exp(0.5 * s1)).toBeLessThan(1.1);
    tf.dispose([x, y, w]);
    opt.dispose();
  });

  test("rejects mismatched shapes with a clear message", () => {
    expect(() => gaussianNll(tf.zeros([4, 1]), tf.zeros([4, 3]))).toThrow(/gaussianNll: yPred must be \[n, 2k\]/);
    expect(() => gaussianNllValue([1], [1], [0])).toThrow(/variance must be > 0, got 0/);
  });
});

describe("MC dropout", () => {
  // y = w · dropout(x): the mask m ~ Bernoulli(1 − p) scaled by 1/(1 − p) has mean 1 and
  // variance p/(1 − p), so the epistemic variance is (w x)² p/(1 − p).
  function dropoutLine(p: number, w: number, logVar: number): tf.Sequential {
    const model = tf.sequential();
    model.add(tf.layers.dropout({ inputShape: [1], rate: p }));
    model.add(tf.layers.dense({ units: 2, weights: [tf.tensor2d([[w, 0]]), tf.tensor1d([0, logVar])] }));
    return model;
  }

  test("epistemic variance matches the analytic variance of a dropout mask; aleatoric from the log-variance head", () => {
    seedEverything(11);
    const p = 0.2;
    const model = dropoutLine(p, 1.5, Math.log(0.09));
    const before = tf.memory().numTensors;
    const r = mcDropoutPredict(model, [[1], [2]], { passes: 4000 });
    expect(tf.memory().numTensors).toBe(before);
    const analytic = [1, 2].map((x) => (1.5 * x) ** 2 * (p / (1 - p)));
    expect(r.epistemicVar[0]).toBeCloseTo(analytic[0], 1);
    expect(r.epistemicVar[1] / analytic[1]).toBeGreaterThan(0.9);
    expect(r.epistemicVar[1] / analytic[1]).toBeLessThan(1.1);
    expect(r.mean[1]).toBeCloseTo(3, 1);
    expect(r.aleatoricVar[0]).toBeCloseTo(0.09, 6);
    expect(r.totalVar[1]).toBeCloseTo(r.aleatoricVar[1] + r.epistemicVar[1], 10);
    // model.predict runs in inference mode: no spread at all.
    const det = model.predict(tf.tensor2d([[2]])) as tf.Tensor;
    expect(det.dataSync()[0]).toBeCloseTo(3, 5);
    tf.dispose(det);
    model.dispose();
  });

  test("ensembles and classifiers: mixture moments and entropy / mutual information", () => {
    const members = [0.5, 1.5].map((w) => dropoutLine(0.01, w, 0));
    const e = ensemblePredict(members, [[2]]);
    expect(e.mean[0]).toBeCloseTo(2, 5);
    expect(e.epistemicVar[0]).toBeCloseTo(1, 5); // means 1 and 3
    expect(e.aleatoricVar[0]).toBeCloseTo(1, 5);
    const c = combineGaussianPredictions([[1], [3]], [[1], [1]]);
    expect(c.totalVar[0]).toBeCloseTo(2, 10);
    members.forEach((m) => m.dispose());
    // A classifier without dropout: every pass agrees, so mutual information is 0 and the
    // predictive entropy is that of the single prediction.
    const clf = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1, activation: "sigmoid", weights: [tf.tensor2d([[0]]), tf.tensor1d([0])] })] });
    const u = mcDropoutClassify(clf, [[1]], { passes: 5 });
    expect(u.prob[0]).toBeCloseTo(0.5, 6);
    expect(u.predictiveEntropy[0]).toBeCloseTo(Math.log(2), 6);
    expect(u.mutualInformation[0]).toBeCloseTo(0, 6);
    clf.dispose();
    expect(() => mcDropoutPredict(clf, [[1]], { passes: 1 })).toThrow(/passes must be an integer >= 2, got 1/);
  });
});

describe("ConcreteDropoutDense", () => {
  test("saves and reloads with model.save / tf.loadLayersModel: same rate, same predictions", async () => {
    seedEverything(5);
    const model = heteroscedasticMlp({ inputs: 3, hidden: [8, 8], dropout: "concrete", nTrain: 100, seed: 4 });
    const x = tf.tensor2d([[0.1, -0.3, 0.5], [1.2, 0, -2]]);
    const before = (model.predict(x) as tf.Tensor).dataSync();
    const dir = mkdtempSync(join(tmpdir(), "nn4astro-cd-"));
    try {
      await model.save(fileIOHandler(dir));
      const loaded = await tf.loadLayersModel(fileIOHandler(join(dir, "model.json")));
      expect(loaded.layers.filter((l) => l instanceof ConcreteDropoutDense)).toHaveLength(2);
      expect(concreteDropoutRates(loaded).map((p) => +p.toFixed(6))).toEqual(concreteDropoutRates(model).map((p) => +p.toFixed(6)));
      expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(before));
      const layer = loaded.layers[1] as ConcreteDropoutDense;
      expect(layer.getConfig()).toMatchObject({ units: 8, weightRegularizer: 1e-6, dropoutRegularizer: 0.02, initialRate: 0.1 });
      loaded.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    model.dispose();
    x.dispose();
  });

  test("its regulariser is the concrete-dropout KL term", () => {
    const layer = new ConcreteDropoutDense({ units: 2, inputShape: [3], weightRegularizer: 0.5, dropoutRegularizer: 0.1, initialRate: 0.2 });
    const model = tf.sequential({ layers: [layer] });
    const k = layer.getWeights()[0];
    const sumSq = tf.sum(tf.square(k)).dataSync()[0];
    const p = 0.2;
    const expected = (0.5 * sumSq) / (1 - p) + 0.1 * 3 * (p * Math.log(p) + (1 - p) * Math.log(1 - p));
    expect(layer.regularisation().dataSync()[0]).toBeCloseTo(expected, 5);
    expect(layer.rate()).toBeCloseTo(0.2, 6);
    model.dispose();
    expect(() => new ConcreteDropoutDense({ units: 2, initialRate: 1.5 })).toThrow(/initialRate must be strictly between 0 and 1, got 1.5/);
    expect(() => concreteRegularisers(0)).toThrow(/nTrain must be > 0, got 0/);
  });

  test("the learned rate rises with few data and falls with many", async () => {
    const rates = [];
    for (const n of [32, 4096]) {
      seedEverything(3);
      const d = noisySine({ n, seed: 5, gap: null });
      const x = tf.tensor2d(Array.from(d.x, (v) => [v / 3]));
      const y = nllTargets(d.y);
      const model = heteroscedasticMlp({ inputs: 1, hidden: [32, 32], dropout: "concrete", nTrain: n, seed: 2 });
      model.compile({ optimizer: tf.train.adam(1e-2), loss: gaussianNll });
      const batchSize = Math.min(256, n);
      await model.fit(x, y, { epochs: Math.ceil(300 / Math.ceil(n / batchSize)), batchSize, verbose: 0 });
      rates.push(concreteDropoutRates(model));
      tf.dispose([x, y]);
      model.dispose();
    }
    const [few, many] = rates;
    for (const p of few) expect(p).toBeGreaterThan(0.2); // started at 0.1
    for (const p of many) expect(p).toBeLessThan(0.07);
  });
});

describe("bayesianMlpModel", () => {
  test("hand-written gradient agrees with finite differences", () => {
    const rng = new Rng(8);
    const x = Array.from({ length: 30 }, () => rng.normal());
    const y = x.map((v) => Math.sin(v) + rng.normal(0, 0.2));
    const model = bayesianMlpModel({ x, y, hidden: 4 });
    expect(model.dim).toBe(bayesianMlpDim(4));
    const theta = Array.from({ length: model.dim }, () => rng.normal(0, 0.5));
    const check = checkGradient(model, theta, { step: 1e-6 });
    expect(check.maxRelError).toBeLessThan(1e-5);
    expect(() => bayesianMlpModel({ x: [1, 2], y: [1] })).toThrow(/equally long, got 2 and 1/);
  });
});
