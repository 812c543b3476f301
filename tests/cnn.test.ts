import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { Rng, seedEverything, unseedMathRandom } from "../src/random";
import { registerWasmGradients } from "../src/backend/wasm-kernels";
import { augmentedDataset } from "../src/cnn/augmented-dataset";
import { realBogusCnn, tripletRows } from "../src/cnn/realbogus";
import { COLUMN_PRESERVING, DIHEDRAL } from "../src/sim/augment";
import {
  evaluateAtThreshold, precisionAtRealFraction, precisionRecallChart, precisionRecallCurve, thresholdForFalsePositiveRate, thresholdForRecall,
} from "../src/detect/operating-point";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

async function collect(ds: tf.data.Dataset<{ xs: tf.Tensor4D; ys: tf.Tensor2D }>) {
  const xs: Float32Array[] = [];
  const ys: number[] = [];
  await ds.forEachAsync(({ xs: x, ys: y }) => {
    const n = x.shape[0];
    const per = x.size / n;
    const v = x.dataSync() as Float32Array;
    for (let i = 0; i < n; i++) xs.push(v.slice(i * per, (i + 1) * per));
    ys.push(...Array.from(y.dataSync()));
    x.dispose();
    y.dispose();
  });
  return { xs, ys };
}

describe("augmentedDataset", () => {
  // Image i holds the value i everywhere except one marked pixel, so we can tell images apart and see how they moved.
  const n = 10, h = 5, w = 5, c = 2;
  const images = new Float32Array(n * h * w * c);
  for (let i = 0; i < n; i++) for (let p = 0; p < h * w * c; p++) images[i * h * w * c + p] = i;
  for (let i = 0; i < n; i++) images[i * h * w * c + (0 * w + 1) * c] = 100 + i; // pixel (1, 0), channel 0
  const labels = Float32Array.from({ length: n }, (_, i) => i % 2);
  const shape = { n, heightPix: h, widthPix: w, channels: c };

  test("every image appears once per epoch, with its own label, in batches of the requested size", async () => {
    const ds = augmentedDataset(images, labels, shape, { batchSize: 4, allowed: DIHEDRAL, seed: 3 });
    for (let epoch = 0; epoch < 2; epoch++) {
      const { xs, ys } = await collect(ds);
      const base = xs.map((x) => Math.min(...x));
      expect([...base].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      base.forEach((id, k) => expect(ys[k]).toBe(id % 2));
    }
    let sizes: number[] = [];
    await ds.forEachAsync(({ xs: x }) => { sizes.push(x.shape[0]); x.dispose(); });
    expect(sizes).toEqual([4, 4, 2]);
  });

  test("without augmentation the stamps are unchanged; with it the marked pixel moves; column-preserving keeps it in row 0 or 4", async () => {
    const plain = await collect(augmentedDataset(images, labels, shape, { batchSize: 5, allowed: null, shuffle: false }));
    plain.xs.forEach((x, i) => expect(Array.from(x)).toEqual(Array.from(images.subarray(i * h * w * c, (i + 1) * h * w * c))));
    const marked = (x: Float32Array) => { const p = x.findIndex((v) => v >= 100); return [Math.floor(p / c) % w, Math.floor(p / c / w)]; };
    const all = await collect(augmentedDataset(images, labels, shape, { batchSize: 5, allowed: DIHEDRAL, seed: 9 }));
    const positions = new Set(all.xs.map((x) => marked(x).join(",")));
    expect(positions.size).toBeGreaterThan(1);
    const cols = await collect(augmentedDataset(images, labels, shape, { batchSize: 5, allowed: COLUMN_PRESERVING, seed: 9 }));
    // Flips and 180° map (1, 0) to (1, 0), (3, 0), (1, 4) or (3, 4): it stays on a top or bottom row.
    cols.xs.forEach((x) => expect([0, 4]).toContain(marked(x)[1]));
    // The marked channel moves with the pixel: channel 1 of that pixel still holds the image's id.
    cols.xs.forEach((x) => { const p = x.findIndex((v) => v >= 100); expect(x[p + 1]).toBe(x[p] - 100); });
  });

  test("rejects inconsistent inputs", () => {
    expect(() => augmentedDataset(images.subarray(1), labels, shape)).toThrow(/fill/);
    expect(() => augmentedDataset(images, labels.subarray(1), shape)).toThrow(/labels/);
  });
});

describe("realBogusCnn", () => {
  test("maps [n, 31, 31, 3] stamps to probabilities, with the documented size", () => {
    const model = realBogusCnn();
    expect(model.countParams()).toBe(224 + 1168 + 4640 + 9248 + 33);
    const rng = new Rng(1);
    const out = model.predict(tf.tensor4d(Float32Array.from({ length: 2 * 31 * 31 * 3 }, () => rng.normal()), [2, 31, 31, 3])) as tf.Tensor;
    expect(out.shape).toEqual([2, 1]);
    out.dataSync().forEach((p) => { expect(p).toBeGreaterThan(0); expect(p).toBeLessThan(1); });
    model.dispose();
  });

  test("learns a toy real/bogus task (point source vs single hot pixel)", async () => {
    const rng = new Rng(2);
    const s = 15, n = 256;
    const x = new Float32Array(n * s * s * 3);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 2;
      for (let p = 0; p < s * s; p++) for (let k = 0; k < 3; k++) x[(i * s * s + p) * 3 + k] = 0.3 * rng.normal();
      const cx = 7 + rng.integer(-2, 3), cy = 7 + rng.integer(-2, 3);
      for (let yy = 0; yy < s; yy++) for (let xx = 0; xx < s; xx++) {
        const r2 = (xx - cx) ** 2 + (yy - cy) ** 2;
        const v = y[i] ? 3 * Math.exp(-r2 / 3) : r2 === 0 ? 6 : 0;
        x[(i * s * s + yy * s + xx) * 3 + 0] += v; // science
        x[(i * s * s + yy * s + xx) * 3 + 2] += v; // difference
      }
    }
    // Convolution training needs the wasm backend (cpu takes minutes); gradients as the course registers them.
    await tf.setBackend("wasm");
    registerWasmGradients();
    seedEverything(1);
    const model = realBogusCnn({ stampSize: s, filters: [8, 16] });
    model.compile({ optimizer: tf.train.adam(3e-3), loss: "binaryCrossentropy", metrics: ["accuracy"] });
    const h = await model.fitDataset(augmentedDataset(x, y, { n, heightPix: s, widthPix: s, channels: 3 }, { batchSize: 32, seed: 4 }), { epochs: 15, verbose: 0 });
    const acc = h.history.acc as number[];
    expect(acc[acc.length - 1]).toBeGreaterThan(0.9);
    model.dispose();
    unseedMathRandom();
    await tf.setBackend("cpu");
  });

  test("tripletRows returns the three channels of one stamp", () => {
    const x = Float32Array.from({ length: 2 * 4 * 4 * 3 }, (_, p) => p);
    const [sci, ref, diff] = tripletRows(x, 4, 1);
    expect(sci[0][0]).toBe(48);
    expect(ref[0][0]).toBe(49);
    expect(diff[1][2]).toBe(48 + (1 * 4 + 2) * 3 + 2);
  });
});

describe("operating points", () => {
  const labels = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
  const scores = [0.9, 0.8, 0.6, 0.3, 0.7, 0.4, 0.2, 0.1, 0.05, 0.01];

  test("confusion counts and rates at a threshold", () => {
    const op = evaluateAtThreshold(labels, scores, 0.5);
    expect([op.tp, op.fp, op.tn, op.fn]).toEqual([3, 1, 5, 1]);
    expect(op.recall).toBe(0.75);
    expect(op.falsePositiveRate).toBeCloseTo(1 / 6, 12);
    expect(op.precision).toBe(0.75);
    expect(evaluateAtThreshold(labels, scores, 2).precision).toBeNaN();
  });

  test("threshold for a false-positive cap is the lowest that respects it", () => {
    const t0 = thresholdForFalsePositiveRate(labels, scores, 0);
    expect(t0).toBe(0.8); // must reject the bogus at 0.7; the next score up is 0.8
    expect(evaluateAtThreshold(labels, scores, t0).falsePositiveRate).toBe(0);
    const t = thresholdForFalsePositiveRate(labels, scores, 1 / 6);
    expect(t).toBe(0.6); // one bogus (0.7) may pass; 0.4 must not
    expect(thresholdForFalsePositiveRate(labels, scores, 1)).toBe(-Infinity);
    expect(thresholdForFalsePositiveRate([0, 1], [0.9, 0.5], 0)).toBe(Infinity);
  });

  test("threshold for a recall floor is the highest that reaches it", () => {
    expect(thresholdForRecall(labels, scores, 0.75)).toBe(0.6);
    expect(thresholdForRecall(labels, scores, 0.76)).toBe(0.3);
    expect(evaluateAtThreshold(labels, scores, thresholdForRecall(labels, scores, 1)).recall).toBe(1);
  });

  test("precision on a stream follows Bayes' rule", () => {
    expect(precisionAtRealFraction({ recall: 0.9, falsePositiveRate: 0.01 }, 0.01)).toBeCloseTo(0.009 / (0.009 + 0.0099), 12);
    expect(precisionAtRealFraction({ recall: 1, falsePositiveRate: 0 }, 0.001)).toBe(1);
    // At a balanced real fraction it matches the measured precision of a balanced set.
    const bal = [1, 1, 0, 0];
    const op = evaluateAtThreshold(bal, [0.9, 0.2, 0.8, 0.1], 0.5);
    expect(precisionAtRealFraction(op, 0.5)).toBeCloseTo(op.precision, 12);
  });

  test("precision-recall curve: perfect ranking gives AP = 1, a random one about the positive fraction", () => {
    const perfect = precisionRecallCurve([1, 1, 0, 0, 0], [0.9, 0.8, 0.3, 0.2, 0.1]);
    expect(perfect.averagePrecision).toBeCloseTo(1, 12);
    expect(perfect.recall[perfect.recall.length - 1]).toBe(1);
    const rng = new Rng(4);
    const n = 20000;
    const lab = Array.from({ length: n }, () => (rng.random() < 0.2 ? 1 : 0));
    const rnd = precisionRecallCurve(lab, Array.from({ length: n }, () => rng.random()));
    expect(Math.abs(rnd.averagePrecision - 0.2)).toBeLessThan(0.02);
    const fig = precisionRecallChart([{ name: "x", curve: perfect }], [{ name: "op", point: { recall: 1, precision: 1 } }]);
    expect(fig.data).toHaveLength(2);
  });
});
