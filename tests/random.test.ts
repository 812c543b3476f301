import * as tf from "@tensorflow/tfjs";
import { Rng, seedEverything, unseedMathRandom } from "../src/random";

describe("Rng", () => {
  test("same seed, same stream; different seeds differ", () => {
    const a = new Rng(7).array(5, (r) => r.random());
    const b = new Rng(7).array(5, (r) => r.random());
    const c = new Rng(8).array(5, (r) => r.random());
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  test("uniform draws are uniform (mean, variance, range)", () => {
    const x = new Rng(1).array(200_000, (r) => r.random());
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
    expect(x.reduce((m, v) => Math.min(m, v), 1)).toBeGreaterThanOrEqual(0);
    expect(x.reduce((m, v) => Math.max(m, v), 0)).toBeLessThan(1);
  });

  test("normal draws have the requested mean and sd, and Gaussian tails", () => {
    const x = new Rng(2).array(200_000, (r) => r.normal(3, 2));
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const sd = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length);
    expect(Math.abs(mean - 3)).toBeLessThan(0.02);
    expect(Math.abs(sd - 2)).toBeLessThan(0.02);
    const beyond2sigma = x.filter((v) => Math.abs(v - 3) > 4).length / x.length;
    expect(Math.abs(beyond2sigma - 0.0455)).toBeLessThan(0.003);
  });

  test("poisson draws have mean = variance = lambda across regimes", () => {
    for (const lambda of [0.5, 4, 80, 2000]) {
      const x = new Rng(3).array(50_000, (r) => r.poisson(lambda));
      const mean = x.reduce((s, v) => s + v, 0) / x.length;
      const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
      expect(Math.abs(mean - lambda) / Math.sqrt(lambda / x.length)).toBeLessThan(5);
      expect(Math.abs(variance / lambda - 1)).toBeLessThan(0.05);
      expect(x.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    }
  });

  test("permutation contains every index once", () => {
    const p = new Rng(4).permutation(1000);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  test("bad arguments give clear errors", () => {
    expect(() => new Rng(NaN)).toThrow(/finite/);
    expect(() => new Rng(1).integer(3, 3)).toThrow(/high > low/);
    expect(() => new Rng(1).poisson(-1)).toThrow(/>= 0/);
  });
});

describe("seedEverything", () => {
  afterAll(() => unseedMathRandom());

  async function trainOnce(): Promise<number[]> {
    seedEverything(123);
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [2], activation: "relu" }), tf.layers.dropout({ rate: 0.3 }), tf.layers.dense({ units: 1 })] });
    model.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError" });
    const x = tf.tensor2d([[0, 1], [1, 0], [1, 1], [0, 0], [0.5, 0.2], [0.1, 0.9]]);
    const y = tf.tensor2d([[1], [1], [0], [0], [0.7], [0.9]]);
    const h = await model.fit(x, y, { epochs: 3, batchSize: 2, shuffle: true, verbose: 0 });
    const out = [...(h.history.loss as number[]), ...Array.from((model.predict(x) as tf.Tensor).dataSync())];
    tf.dispose([x, y]);
    model.dispose();
    return out;
  }

  test("makes weight initialisation, dropout and shuffling in model.fit repeatable", async () => {
    await tf.setBackend("cpu");
    const a = await trainOnce();
    const b = await trainOnce();
    expect(b).toEqual(a);
  });
});
