import * as tf from "@tensorflow/tfjs";
import {
  dftFrequenciesPerDay,
  flattenRows,
  kernelRows,
  pearsonCorrelation,
  realDft,
  realDftMatrix,
  realDftSize,
  spectrumPower,
} from "../src/timeseries/dft";
import { evenLightCurveSet } from "../src/timeseries/lightcurve-sets";
import { Rng } from "../src/random";

/** Textbook complex DFT, X_k = Σ x_n e^{-2πikn/N}, for cross-checking. */
function complexDft(x: number[]): { re: number[]; im: number[] } {
  const n = x.length;
  const re: number[] = [];
  const im: number[] = [];
  for (let k = 0; k < n; k++) {
    let r = 0;
    let i = 0;
    for (let t = 0; t < n; t++) {
      r += x[t] * Math.cos((2 * Math.PI * k * t) / n);
      i -= x[t] * Math.sin((2 * Math.PI * k * t) / n);
    }
    re.push(r);
    im.push(i);
  }
  return { re, im };
}

describe("real DFT as a matrix", () => {
  const rng = new Rng(3);

  test.each([8, 9, 64])("matches the complex DFT for N = %i (even and odd)", (n) => {
    const x = Array.from({ length: n }, () => rng.normal());
    const ref = complexDft(x);
    const spec = realDft(x, { scaling: "none" });
    const half = Math.floor(n / 2) + 1;
    expect(spec.length).toBe(realDftSize(n));
    for (let k = 0; k < half; k++) {
      expect(spec[k]).toBeCloseTo(ref.re[k], 9);
      expect(spec[half + k]).toBeCloseTo(ref.im[k], 9);
    }
  });

  test("orthonormal scaling: Parseval's theorem with the self-conjugate terms counted once", () => {
    const n = 32;
    const x = Array.from({ length: n }, () => rng.normal());
    const p = spectrumPower(realDft(x));
    // Σ|x|² = |X_0|² + 2 Σ_{0<k<N/2} |X_k|² + |X_{N/2}|²  (with the 1/√N scaling)
    let energy = p[0] + p[n / 2];
    for (let k = 1; k < n / 2; k++) energy += 2 * p[k];
    expect(energy).toBeCloseTo(x.reduce((s, v) => s + v * v, 0), 9);
  });

  test("a sinusoid with k cycles in the window is one spike at k with amplitude √N/2", () => {
    const n = 64;
    const x = Array.from({ length: n }, (_, t) => Math.cos((2 * Math.PI * 5 * t) / n + 0.3));
    const p = spectrumPower(realDft(x));
    const peak = p.indexOf(Math.max(...p));
    expect(peak).toBe(5);
    expect(p[5]).toBeCloseTo(n / 4, 9);
    p.forEach((v, k) => k !== 5 && expect(v).toBeLessThan(1e-20));
  });

  test("the sine rows of k = 0 and k = N/2 are exactly zero; rows are orthogonal", () => {
    const n = 16;
    const m = realDftMatrix(n);
    const half = n / 2 + 1;
    expect(Array.from(m[half]).every((v) => v === 0)).toBe(true);
    expect(Array.from(m[half + n / 2]).every((v) => v === 0)).toBe(true);
    const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);
    expect(dot(m[2], m[3])).toBeCloseTo(0, 12);
    expect(dot(m[2], m[half + 2])).toBeCloseTo(0, 12);
    expect(dot(m[2], m[2])).toBeCloseTo(0.5, 12); // cos² averages to 1/2, times N · (1/√N)²
  });

  test("frequencies run from 0 to the Nyquist frequency", () => {
    const f = dftFrequenciesPerDay(64, 0.1);
    expect(f.length).toBe(33);
    expect(f[0]).toBe(0);
    expect(f[32]).toBeCloseTo(5, 12);
    expect(() => dftFrequenciesPerDay(64, 0)).toThrow(/cadenceDays/);
  });
});

describe("pearsonCorrelation and flattenRows", () => {
  test("correlation of a line with itself, its negative and a shifted, scaled copy", () => {
    const a = [1, 2, 3, 4, 5];
    expect(pearsonCorrelation(a, a)).toBeCloseTo(1, 12);
    expect(pearsonCorrelation(a, a.map((v) => -v))).toBeCloseTo(-1, 12);
    expect(pearsonCorrelation(a, a.map((v) => 3 * v + 7))).toBeCloseTo(1, 12);
    expect(pearsonCorrelation([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(() => pearsonCorrelation([1, 2], [1])).toThrow(/lengths/);
  });

  test("flattenRows is row-major and rejects ragged input", () => {
    expect(Array.from(flattenRows([[1, 2], [3, 4]]))).toEqual([1, 2, 3, 4]);
    expect(() => flattenRows([[1, 2], [3]])).toThrow(/row 1/);
  });
});

describe("kernelRows", () => {
  test("returns the dense kernel as outputs × inputs, so the layer computes rows · x", () => {
    const layer = tf.layers.dense({ units: 3, inputShape: [4], useBias: false });
    const model = tf.sequential({ layers: [layer] });
    const x = [0.5, -1, 2, 0.25];
    const y = tf.tidy(() => Array.from((model.predict(tf.tensor2d([x])) as tf.Tensor).dataSync()));
    const rows = kernelRows(layer);
    expect(rows.length).toBe(3);
    rows.forEach((row, j) => expect(row.reduce((s, w, i) => s + w * x[i], 0)).toBeCloseTo(y[j], 5));
    model.dispose();
  });
});

describe("a linear layer trained on light curves and their spectra", () => {
  test("learns the DFT matrix (the lesson's claim, small and fast)", async () => {
    const n = 16;
    const set = evenLightCurveSet({ count: 400, nPoints: n, cadenceDays: 0.1, seed: 4 });
    const x = tf.tensor2d(set.signals.map((s) => Array.from(s)));
    const y = tf.tensor2d(set.signals.map((s) => Array.from(realDft(s))));
    const layer = tf.layers.dense({ units: realDftSize(n), inputShape: [n], useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) });
    const model = tf.sequential({ layers: [layer] });
    model.compile({ optimizer: tf.train.adam(0.02, 0.9, 0.999, 1e-4), loss: "meanSquaredError" });
    await model.fit(x, y, { epochs: 60, batchSize: 32, shuffle: false, verbose: 0 });
    const corr = pearsonCorrelation(flattenRows(kernelRows(layer)), flattenRows(realDftMatrix(n)));
    expect(corr).toBeGreaterThan(0.99);
    tf.dispose([x, y]);
    model.dispose();
  });
});
