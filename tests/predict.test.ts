import * as tf from "@tensorflow/tfjs";
import { predictRows, predictScores } from "../src/nn/predict";

function model(outputs: number): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [3], units: 4, activation: "tanh", kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tf.layers.dense({ units: outputs, activation: "sigmoid", kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  return m;
}

describe("predictions as plain arrays", () => {
  const x = tf.tensor2d([[0.1, 0.2, 0.3], [1, -1, 0.5], [0, 0, 0]]);

  test("predictScores equals model.predict, and leaves no tensor behind", () => {
    const m = model(1);
    const expected = (m.predict(x) as tf.Tensor).dataSync();
    const before = tf.memory().numTensors;
    const scores = predictScores(m, x);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(scores)).toEqual(Array.from(expected));
    // plain rows work too, and give the same numbers
    expect(Array.from(predictScores(m, [[0.1, 0.2, 0.3], [1, -1, 0.5], [0, 0, 0]]))).toEqual(Array.from(expected));
  });

  test("predictRows gives one row of outputs per input", () => {
    const m = model(2);
    const rows = predictRows(m, x);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveLength(2);
    expect(rows.flat()).toEqual(Array.from((m.predict(x) as tf.Tensor).dataSync()));
  });

  test("bad input names the problem", () => {
    const m = model(1);
    expect(() => predictScores(m, tf.zeros([2, 4]))).toThrow("input shape [2, 4] does not fit the model's input [batch, 3]");
    expect(() => predictScores(m, [[1, 2]])).toThrow("rows have 2 values but the model's input takes 3");
    expect(() => predictScores(m, [[1, 2, 3], [1, 2]])).toThrow("row 1 has 2 values, row 0 has 3");
    expect(() => predictScores(model(2), x)).toThrow("use predictRows");
  });
});
