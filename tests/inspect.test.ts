import * as tf from "@tensorflow/tfjs";
import { activationStats, kernelValues, layerHistograms, layerOutputs } from "../src/train/inspect";

beforeAll(async () => { await tf.setBackend("cpu"); });

describe("inspect", () => {
  const deep = (stddev: number) => tf.sequential({
    layers: Array.from({ length: 8 }, (_, k) => tf.layers.dense({
      ...(k === 0 ? { inputShape: [50] } : {}), units: 200, activation: "tanh", useBias: false,
      kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev, seed: 10 + k }),
    })),
  });
  const x = tf.randomNormal([256, 50], 0, 1, "float32", 9);

  test("layerOutputs returns one tensor per layer with the layer's shape", () => {
    const outs = layerOutputs(deep(0.1), x);
    expect(outs).toHaveLength(8);
    expect(outs[7].shape).toEqual([256, 200]);
  });

  test("tanh stacks: tiny weights shrink activations layer by layer, huge weights saturate, 1/sqrt(n) keeps them O(1)", () => {
    const tiny = activationStats(deep(0.01), x);
    expect(tiny[7].std).toBeLessThan(1e-3 * tiny[0].std);
    const huge = activationStats(deep(1), x);
    expect(huge[7].saturated).toBeGreaterThan(0.8);
    const good = activationStats(deep(1 / Math.sqrt(200)), x);
    expect(good[7].std).toBeGreaterThan(0.2);
    expect(good[7].saturated).toBeLessThan(0.05);
  });

  test("kernelValues collects the weight matrices only", () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 }), tf.layers.dense({ units: 2 })] });
    expect(kernelValues(m)).toHaveLength(4 * 3 + 3 * 2);
    expect(kernelValues(m, [1])).toHaveLength(6);
  });
});

describe("layerHistograms", () => {
  test("each layer's row sums to 1; saturated tanh piles into the end bins, tiny weights into the middle", () => {
    const x = tf.randomNormal([128, 50], 0, 1, "float32", 9);
    const stack = (stddev: number) => tf.sequential({
      layers: Array.from({ length: 5 }, (_, k) => tf.layers.dense({
        ...(k === 0 ? { inputShape: [50] } : {}), units: 100, activation: "tanh",
        kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev, seed: 20 + k }),
      })),
    });
    const big = layerHistograms(stack(1), x, { min: -1, max: 1, bins: 20 });
    expect(big.fractions).toHaveLength(5);
    big.fractions.forEach((row) => expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6));
    expect(big.fractions[4][0] + big.fractions[4][19]).toBeGreaterThan(0.6);
    const tiny = layerHistograms(stack(0.01), x, { min: -1, max: 1, bins: 20 });
    expect(tiny.fractions[4][9] + tiny.fractions[4][10]).toBeCloseTo(1, 6);
    expect(tiny.centres[0]).toBeCloseTo(-0.95);
  });
});

test("an explicit input layer is not counted as a layer of activations", () => {
  const tfl = require("@tensorflow/tfjs") as typeof import("@tensorflow/tfjs");
  const { activationStats: stats } = require("../src/train/inspect") as typeof import("../src/train/inspect");
  const withInput = tfl.sequential();
  withInput.add(tfl.layers.inputLayer({ inputShape: [3] }));
  withInput.add(tfl.layers.dense({ units: 4, activation: "tanh" }));
  withInput.add(tfl.layers.dense({ units: 2 }));
  const x = tfl.ones([5, 3]);
  const s = stats(withInput, x);
  expect(s).toHaveLength(2);
  expect(s[0].layer).toBe(withInput.layers.find((l) => l.getClassName() === "Dense")!.name);
  x.dispose();
});
