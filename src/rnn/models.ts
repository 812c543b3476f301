/**
 * The light-curve classifiers of notebook 09, kept here so the notebook and `npm run bench` train
 * the same networks.
 *
 * Recurrent layers use `recurrentActivation: "sigmoid"` (the textbook gate) rather than tfjs's
 * default hard sigmoid: it is what the notebook writes out by hand, and it measured faster on the
 * wasm backend. A Masking layer in front makes the recurrent layer skip all-zero (padding) steps,
 * so a sequence gives the same answer however much padding follows it.
 */
import * as tf from "@tensorflow/tfjs";

// The Masking layer multiplies its input by cast(any(x != 0)). Comparisons are piecewise
// constant, so their gradient is zero, but tfjs registers none for NotEqual and Any, and any
// gradient through a masked model (the notebook's ∂loss/∂x_t) throws "gradient function not
// found". Register the zeros (float32, as the tape requires even for boolean inputs).
function registerZeroGradient(kernelName: string, inputs: string[]): void {
  if (tf.getGradient(kernelName)) return;
  tf.registerGradient({
    kernelName,
    inputsToSave: inputs,
    gradFunc: (_dy, saved) => Object.fromEntries(inputs.map((name, k) => [name, () => tf.zeros(saved[k].shape, "float32")])),
  });
}
registerZeroGradient("NotEqual", ["a", "b"]);
registerZeroGradient("Any", ["x"]);

/** Recurrent cell types: Elman's simple RNN, the LSTM (Hochreiter & Schmidhuber 1997), the GRU (Cho et al. 2014). */
export type RecurrentCell = "simple" | "lstm" | "gru";
export const RECURRENT_CELLS: readonly RecurrentCell[] = ["simple", "lstm", "gru"];

export interface RecurrentClassifierOptions {
  cell?: RecurrentCell;
  /** Features per step. */
  features: number;
  /** Output classes (softmax). */
  classes: number;
  /** Recurrent units (default 20). */
  units?: number;
  /** Steps per sequence; null (default) accepts any length. */
  steps?: number | null;
  /** Read the sequence both ways and concatenate the two final states (Charnock & Moss 2017). */
  bidirectional?: boolean;
  /** Skip all-zero steps (default true). */
  masking?: boolean;
  /** Dropout on the final state (default 0.1). */
  dropout?: number;
}

/** The recurrent layer on its own (as used inside `recurrentClassifier`). */
export function recurrentLayer(cell: RecurrentCell, units: number, name?: string): tf.layers.Layer {
  switch (cell) {
    case "simple":
      return tf.layers.simpleRNN({ units, name });
    case "lstm":
      return tf.layers.lstm({ units, recurrentActivation: "sigmoid", name });
    case "gru":
      return tf.layers.gru({ units, recurrentActivation: "sigmoid", name });
    default:
      throw new Error(`recurrentLayer: unknown cell "${cell as string}" (expected ${RECURRENT_CELLS.join(", ")})`);
  }
}

/**
 * Masking → recurrent layer (final state) → dropout → dense softmax. Not compiled; see
 * `compileClassifier`.
 */
export function recurrentClassifier(options: RecurrentClassifierOptions): tf.LayersModel {
  const cell = options.cell ?? "lstm";
  const units = options.units ?? 20;
  if (!(Number.isInteger(options.features) && options.features >= 1)) {
    throw new Error(`recurrentClassifier: features must be a positive integer, got ${options.features}`);
  }
  if (!(Number.isInteger(options.classes) && options.classes >= 2)) {
    throw new Error(`recurrentClassifier: classes must be an integer >= 2, got ${options.classes}`);
  }
  if (!(Number.isInteger(units) && units >= 1)) throw new Error(`recurrentClassifier: units must be a positive integer, got ${units}`);
  const input = tf.input({ shape: [options.steps ?? null, options.features] });
  let h: tf.SymbolicTensor = input;
  if (options.masking ?? true) h = tf.layers.masking({ maskValue: 0 }).apply(h) as tf.SymbolicTensor;
  const rnn = recurrentLayer(cell, units, `${cell}_layer`);
  h = (options.bidirectional ? tf.layers.bidirectional({ layer: rnn as tf.RNN, mergeMode: "concat" }) : rnn).apply(h) as tf.SymbolicTensor;
  const dropout = options.dropout ?? 0.1;
  if (dropout > 0) h = tf.layers.dropout({ rate: dropout }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: options.classes, activation: "softmax" }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: `${options.bidirectional ? "bi" : ""}${cell}_classifier` });
}

/** The dense baseline: inputs → 64 → 32 (ReLU, dropout 0.1) → softmax. */
export function denseLightCurveClassifier(options: { features: number; classes: number; hidden?: number[] }): tf.LayersModel {
  if (!(Number.isInteger(options.features) && options.features >= 1)) {
    throw new Error(`denseLightCurveClassifier: features must be a positive integer, got ${options.features}`);
  }
  const hidden = options.hidden ?? [64, 32];
  const layers: tf.layers.Layer[] = [];
  hidden.forEach((units, k) => {
    layers.push(tf.layers.dense({ units, activation: "relu", ...(k === 0 ? { inputShape: [options.features] } : {}) }));
    layers.push(tf.layers.dropout({ rate: 0.1 }));
  });
  layers.push(tf.layers.dense({ units: options.classes, activation: "softmax" }));
  return tf.sequential({ layers, name: "dense_baseline" });
}

/** Training settings shared by the notebook and the benchmark. */
export const LIGHT_CURVE_TRAINING = { learningRate: 3e-3, batchSize: 64 } as const;

/** Compiles a classifier with Adam and categorical cross-entropy (one-hot labels), accuracy metric. */
export function compileClassifier(model: tf.LayersModel, learningRate: number = LIGHT_CURVE_TRAINING.learningRate): tf.LayersModel {
  model.compile({ optimizer: tf.train.adam(learningRate), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  return model;
}

/**
 * Mean over a batch of the gradient norm of the loss with respect to the input at each step,
 * ‖∂L/∂x_t‖ for t = 0 … steps − 1: how much the loss can still "hear" step t. The loss is the
 * model's categorical cross-entropy against `yOneHot`.
 */
export function inputGradientByStep(model: tf.LayersModel, x: tf.Tensor3D, yOneHot: tf.Tensor2D): Float64Array {
  if (x.shape[0] !== yOneHot.shape[0]) {
    throw new Error(`inputGradientByStep: ${x.shape[0]} sequences but ${yOneHot.shape[0]} label rows`);
  }
  const norms = tf.tidy(() => {
    const lossOf = (xs: tf.Tensor) => tf.losses.softmaxCrossEntropy(yOneHot, tf.log(tf.add(model.apply(xs) as tf.Tensor, 1e-7)));
    const g = tf.grad(lossOf)(x) as tf.Tensor3D; // [n, steps, features]
    return tf.mean(tf.sqrt(tf.sum(tf.square(g), 2)), 0);
  });
  const out = Float64Array.from(norms.dataSync());
  norms.dispose();
  return out;
}

/** Softmax outputs of a model for a [n, …] input, as a Float32Array of n × classes. */
export function predictProbabilities(model: tf.LayersModel, x: tf.Tensor, batchSize = 256): Float32Array {
  const p = model.predict(x, { batchSize }) as tf.Tensor;
  const out = p.dataSync() as Float32Array;
  p.dispose();
  return Float32Array.from(out);
}
