import * as tf from "@tensorflow/tfjs";
import { historiesChart, historySummary, historyValues, markEpoch, restoreBestWeights } from "../src/train/history";

beforeAll(async () => { await tf.setBackend("cpu"); });

describe("history helpers", () => {
  const h = { loss: [1, 0.5, 0.2, 0.1], val_loss: [1.1, 0.6, 0.7, 0.9] };

  test("summary finds the best epoch (1-based) and the final value", () => {
    expect(historySummary(h)).toEqual({ min: 0.6, bestEpoch: 2, final: 0.9, epochs: 4 });
    expect(historySummary(h, "loss").bestEpoch).toBe(4);
    expect(() => historyValues(h, "acc")).toThrow(/no "acc".*loss, val_loss/);
  });

  test("histories chart: one colour per run, validation dashed; markEpoch adds a line", () => {
    const fig = historiesChart([{ name: "a", history: h }, { name: "b", history: h }]);
    expect(fig.data).toHaveLength(4);
    const line = (i: number) => fig.data[i].line as { color: string; dash: string };
    expect(line(0).color).toBe(line(1).color);
    expect(line(0).color).not.toBe(line(2).color);
    expect(line(1).dash).toBe("dash");
    markEpoch(fig, 2, "stopped");
    const clipped = historiesChart([{ name: "a", history: h }], { yRange: [0, 0.8], yTitle: "loss" });
    expect(clipped.layout.yaxis).toMatchObject({ range: [0, 0.8], autorange: false, title: { text: "loss" } });
    expect((fig.layout.shapes as Array<{ x0: number }>)[0].x0).toBe(2);
  });
});

describe("restoreBestWeights", () => {
  test("after training, the model has the weights of its best validation epoch", async () => {
    const x = tf.randomNormal([64, 3], 0, 1, "float32", 1);
    const y = x.sum(1, true).greater(0).cast("float32");
    const xv = tf.randomNormal([64, 3], 0, 1, "float32", 2);
    const yv = xv.sum(1, true).greater(0).cast("float32");
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 16, activation: "relu", kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) }), tf.layers.dense({ units: 1, activation: "sigmoid", kernelInitializer: tf.initializers.glorotNormal({ seed: 4 }) })] });
    // A large learning rate makes validation loss wander, so the best epoch is not the last.
    model.compile({ optimizer: tf.train.sgd(3), loss: "binaryCrossentropy" });
    const keeper = restoreBestWeights();
    const hist = await model.fit(x, y, { epochs: 30, batchSize: 8, validationData: [xv, yv], callbacks: [keeper], verbose: 0, shuffle: false });
    const s = historySummary(hist);
    expect(keeper.bestEpoch).toBe(s.bestEpoch);
    expect(s.bestEpoch).toBeLessThan(s.epochs); // otherwise the test proves nothing
    const after = (model.evaluate(xv, yv) as tf.Scalar).dataSync()[0];
    expect(after).toBeCloseTo(s.min, 4);
  });
});

