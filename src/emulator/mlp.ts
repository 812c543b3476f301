/**
 * Small fully connected regression networks, and a training loop tuned for the WebAssembly backend.
 *
 * The networks are ordinary `tf.Sequential` models of dense layers (so they save and load like any
 * tfjs model), but `mlpForward` runs them with a matrix product whose gradient materialises the
 * transposes first: tfjs-backend-wasm 4.22 sends `matMul(a, b, transposeA/B)` — every matrix
 * product of the backward pass — to a scalar loop that is ~8× slower than its XNNPACK path. On
 * 2 CPU cores this makes training an emulator 2–3× faster than `model.fit`, with the same numbers.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../random";

/** Hidden-layer activations the emulator supports (all have tfjs built-ins). */
export type MlpActivation = "elu" | "relu" | "tanh" | "softplus" | "selu" | "swish";

/** Shape of a multilayer perceptron. */
export interface MlpSpec {
  inputs: number;
  /** Widths of the hidden layers, e.g. [64, 64, 64, 64]. */
  hidden: number[];
  outputs: number;
  activation: MlpActivation;
  /** Seed of the (Glorot-uniform) weight initialisation; the same seed gives the same network. */
  seed?: number;
}

/** A dense network with the given shape, its weights drawn from a seeded Glorot-uniform initialiser. */
export function buildMlp(spec: MlpSpec): tf.Sequential {
  if (!(spec.inputs > 0 && spec.outputs > 0) || spec.hidden.some((h) => !(Number.isInteger(h) && h > 0))) {
    throw new RangeError(`buildMlp: inputs, outputs and hidden widths must be positive integers; got ${JSON.stringify(spec)}`);
  }
  const seed = spec.seed ?? 1;
  const model = tf.sequential();
  const widths = [...spec.hidden, spec.outputs];
  widths.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: i < spec.hidden.length ? spec.activation : "linear",
        inputShape: i === 0 ? [spec.inputs] : undefined,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 1000 + i }),
        biasInitializer: "zeros",
        name: `dense_${i}`,
      }),
    );
  });
  return model;
}

/** x·w with a gradient that keeps both backward matrix products on the wasm backend's fast path. */
const fastMatMul = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[1] as tf.Tensor2D)),
      tf.matMul(tf.transpose(saved[0] as tf.Tensor2D), dy as tf.Tensor2D),
    ],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

function activate(h: tf.Tensor2D, activation: string): tf.Tensor2D {
  switch (activation) {
    case "elu":
      return tf.elu(h);
    case "relu":
      return tf.relu(h);
    case "tanh":
      return tf.tanh(h);
    case "softplus":
      return tf.softplus(h);
    case "selu":
      return tf.selu(h);
    case "swish":
      return h.mul(tf.sigmoid(h));
    case "linear":
      return h;
    default:
      throw new Error(`mlpForward: unsupported activation "${activation}"`);
  }
}

type DenseParts = Array<{ kernel: tf.Variable; bias: tf.Variable; activation: string }>;
const layerCache = new WeakMap<tf.LayersModel, DenseParts>();

/** The dense layers of a model built by `buildMlp` (kernel, bias, activation name). */
export function mlpLayers(model: tf.LayersModel): DenseParts {
  const cached = layerCache.get(model);
  if (cached && cached.every((l) => !l.kernel.isDisposed)) return cached;
  const parts = model.layers.map((layer) => {
    const cfg = layer.getConfig() as { activation?: string };
    const [kernel, bias] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    if (!kernel || !bias) throw new Error(`mlpLayers: layer ${layer.name} is not a dense layer with a bias`);
    return { kernel, bias, activation: String(cfg.activation ?? "linear") };
  });
  layerCache.set(model, parts);
  return parts;
}

/** The network's output for x ([n, inputs]); differentiable (use inside tf.grad / optimizer.minimize). */
export function mlpForward(model: tf.LayersModel, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    let h = x;
    for (const { kernel, bias, activation } of mlpLayers(model)) h = activate(fastMatMul(h, kernel as unknown as tf.Tensor2D).add(bias), activation);
    return h;
  });
}

/** A model.fit-style callback (e.g. `trainingProgress()`): only the hooks the loop calls. */
export interface FitCallback {
  setParams?(params: tf.CustomCallbackArgs | Record<string, unknown>): void;
  onTrainBegin?(logs?: tf.Logs): Promise<void> | void;
  onEpochEnd?(epoch: number, logs?: tf.Logs): Promise<void> | void;
  onTrainEnd?(logs?: tf.Logs): Promise<void> | void;
}

/** Options of `fitMlp`. */
export interface FitMlpOptions {
  epochs: number;
  /** Rows per gradient step (default 256). */
  batchSize?: number;
  /** Adam learning rate at the first and at the last epoch; it decays exponentially in between (default 2e-3 → 3e-5). */
  learningRate?: [number, number];
  /** L2 penalty on the kernels (weight decay), added to the loss as l2 · Σ w² (default 0). */
  l2?: number;
  /** Per-row loss weights ([n]); default all 1. */
  sampleWeight?: tf.Tensor1D;
  /** Held-out rows for a validation loss after each epoch. */
  validation?: { x: tf.Tensor2D; y: tf.Tensor2D };
  /** Seed of the shuffling (default 1). */
  seed?: number;
  callbacks?: FitCallback[];
  /** Stop early (between epochs) once this many seconds have passed. */
  maxSeconds?: number;
}

/** What `fitMlp` returns. */
export interface FitMlpResult {
  /** Mean squared error per epoch (`loss`, and `val_loss` with validation), like tf.History.history. */
  history: Record<string, number[]>;
  epochs: number;
  seconds: number;
}

/**
 * Trains a `buildMlp` network on standardised x → y by mean squared error with Adam, shuffled
 * mini-batches and an exponentially decaying learning rate. Deterministic for a given seed and backend.
 */
export async function fitMlp(model: tf.LayersModel, x: tf.Tensor2D, y: tf.Tensor2D, options: FitMlpOptions): Promise<FitMlpResult> {
  const n = x.shape[0];
  if (y.shape[0] !== n) throw new Error(`fitMlp: x has ${n} rows but y has ${y.shape[0]}`);
  const batch = Math.min(options.batchSize ?? 256, n);
  const [lr0, lr1] = options.learningRate ?? [2e-3, 3e-5];
  const epochs = options.epochs;
  const l2 = options.l2 ?? 0;
  const layers = mlpLayers(model);
  const vars = layers.flatMap((l) => [l.kernel, l.bias]);
  const optimizer = tf.train.adam(lr0);
  const rng = new Rng(options.seed ?? 1);
  const history: Record<string, number[]> = { loss: [] };
  if (options.validation) history.val_loss = [];
  const callbacks = options.callbacks ?? [];
  for (const cb of callbacks) cb.setParams?.({ epochs, samples: n, steps: Math.floor(n / batch) });
  for (const cb of callbacks) await cb.onTrainBegin?.();
  const t0 = Date.now();
  let done = 0;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      (optimizer as unknown as { learningRate: number }).learningRate = lr0 * (lr1 / lr0) ** (epochs > 1 ? epoch / (epochs - 1) : 0);
      const perm = tf.tensor1d(Int32Array.from(rng.permutation(n)), "int32");
      let sum = tf.scalar(0);
      let steps = 0;
      for (let start = 0; start + batch <= n; start += batch) {
        const cost = tf.tidy(() => {
          const idx = perm.slice(start, batch);
          const xb = tf.gather(x, idx);
          const yb = tf.gather(y, idx);
          const w = options.sampleWeight ? tf.gather(options.sampleWeight, idx) : undefined;
          return optimizer.minimize(
            () => {
              const sq = mlpForward(model, xb).sub(yb).square().mean(1);
              const data = w ? sq.mul(w).sum().div(w.sum()) : sq.mean();
              if (l2 === 0) return data as tf.Scalar;
              return data.add(tf.addN(layers.map((l) => l.kernel.square().sum() as tf.Tensor)).mul(l2)) as tf.Scalar;
            },
            true,
            vars,
          ) as tf.Scalar;
        });
        const next = sum.add(cost) as tf.Scalar;
        sum.dispose();
        cost.dispose();
        sum = next;
        steps++;
      }
      perm.dispose();
      const logs: Record<string, number> = { loss: (await sum.data())[0] / Math.max(1, steps) };
      sum.dispose();
      if (options.validation) {
        const { x: vx, y: vy } = options.validation;
        logs.val_loss = tf.tidy(() => mlpForward(model, vx).sub(vy).square().mean().dataSync()[0]);
      }
      for (const k of Object.keys(logs)) history[k].push(logs[k]);
      done = epoch + 1;
      for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs);
      // Let the notebook front end and timers run between epochs.
      await new Promise((resolve) => setImmediate(resolve));
      if (options.maxSeconds !== undefined && (Date.now() - t0) / 1000 > options.maxSeconds) break;
    }
  } finally {
    optimizer.dispose();
  }
  for (const cb of callbacks) await cb.onTrainEnd?.();
  return { history, epochs: done, seconds: (Date.now() - t0) / 1000 };
}
