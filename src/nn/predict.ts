/**
 * Predictions as plain numbers. `model.predict` returns a tensor that the caller must free;
 * notebooks usually want the numbers (for a ROC curve, a table, a plot), so these helpers run
 * the prediction and the read-out inside `tf.tidy` and return ordinary arrays, leaving no tensor
 * behind. First used in notebook 03.
 */
import * as tf from "@tensorflow/tfjs";

export interface PredictOptions {
  /** Rows per forward pass (default 256): bounds memory on large inputs. */
  batchSize?: number;
}

/** The input to predict on: a tensor, or plain rows (`number[][]`) for a dense network. */
export type PredictInput = tf.Tensor | number[][];

function asTensor(model: tf.LayersModel, x: PredictInput): tf.Tensor {
  if (x instanceof tf.Tensor) return x;
  if (!Array.isArray(x) || x.length === 0 || !Array.isArray(x[0])) {
    throw new Error(`predict: expected a tensor or non-empty rows (number[][]), got ${Array.isArray(x) ? "an empty array" : typeof x}`);
  }
  const width = (model.inputs[0]?.shape ?? []).slice(-1)[0];
  const bad = x.findIndex((row) => row.length !== x[0].length);
  if (bad >= 0) throw new Error(`predict: row ${bad} has ${x[bad].length} values, row 0 has ${x[0].length}`);
  if (width != null && x[0].length !== width) {
    throw new Error(`predict: rows have ${x[0].length} values but the model's input takes ${width}`);
  }
  return tf.tensor2d(x);
}

function checkShape(model: tf.LayersModel, x: tf.Tensor): void {
  const expected = model.inputs[0]?.shape ?? [];
  const got = x.shape;
  const mismatch = expected.length !== got.length || expected.some((d, i) => i > 0 && d != null && d !== got[i]);
  if (mismatch) {
    throw new Error(`predict: input shape [${got.join(", ")}] does not fit the model's input [${expected.map((d) => d ?? "batch").join(", ")}]`);
  }
}

/**
 * One number per input row: the model's single output (a score, a regression value), e.g.
 * `const scores = predictScores(model, xTest)` in place of `model.predict(xTest).dataSync()`.
 */
export function predictScores(model: tf.LayersModel, x: PredictInput, options: PredictOptions = {}): Float32Array {
  return tf.tidy(() => {
    const input = asTensor(model, x);
    checkShape(model, input);
    const out = model.predict(input, { batchSize: options.batchSize ?? 256 }) as tf.Tensor;
    const perRow = out.size / Math.max(1, out.shape[0] ?? 1);
    if (perRow !== 1) {
      throw new Error(`predictScores: the model gives ${perRow} outputs per row; use predictRows for several outputs`);
    }
    return out.dataSync() as Float32Array;
  });
}

/** All outputs per input row (class probabilities, mean and variance heads, ...), as `number[][]`. */
export function predictRows(model: tf.LayersModel, x: PredictInput, options: PredictOptions = {}): number[][] {
  return tf.tidy(() => {
    const input = asTensor(model, x);
    checkShape(model, input);
    const out = model.predict(input, { batchSize: options.batchSize ?? 256 }) as tf.Tensor;
    return out.reshape([out.shape[0] ?? 1, -1]).arraySync() as number[][];
  });
}
