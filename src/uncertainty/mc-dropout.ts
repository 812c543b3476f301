/**
 * Monte Carlo dropout (Gal & Ghahramani 2016): keep dropout on at prediction time and run the
 * network T times. Each pass uses a different random mask, i.e. a different draw of the weights
 * from dropout's approximate posterior, so the spread of the T predictions measures the
 * network's *epistemic* uncertainty (what the weights do not know), while a log-variance head
 * gives the *aleatoric* noise (what no amount of data would remove). For a network with a mean
 * and a log-variance output, the predictive distribution is a mixture of T Gaussians with
 *
 *   mean            μ̄ = (1/T) Σ μ_t
 *   aleatoric var   (1/T) Σ σ²_t
 *   epistemic var   (1/T) Σ μ_t² − μ̄²
 *   total var       aleatoric + epistemic.
 *
 * The same combination gives the predictive of a deep ensemble (Lakshminarayanan et al. 2017),
 * with the members in place of the dropout masks.
 */
import * as tf from "@tensorflow/tfjs";
import { LOG_VARIANCE_LIMITS } from "./gaussian-nll";
import { ConcreteDropoutDense, type ConcreteActivation } from "./concrete-dropout";

/** Mean and the split of the predictive variance, one value per input row. */
export interface PredictiveMoments {
  mean: Float64Array;
  /** Average predicted noise variance σ² (0 for a network without a variance head). */
  aleatoricVar: Float64Array;
  /** Variance of the predicted means across passes or members. */
  epistemicVar: Float64Array;
  /** aleatoricVar + epistemicVar. */
  totalVar: Float64Array;
}

/** Options of `mcDropoutPredict`. */
export interface McDropoutOptions {
  /** Forward passes T (default 50). */
  passes?: number;
  /**
   * Rows per forward call: inputs are tiled so that several passes run as one large batch,
   * which is much faster on the wasm backend than T small calls (default 32768).
   */
  rowsPerCall?: number;
}

type Inputs = tf.Tensor2D | number[][];

function toTensor(fn: string, x: Inputs): { t: tf.Tensor2D; owned: boolean } {
  if (x instanceof tf.Tensor) {
    if (x.rank !== 2) throw new Error(`${fn}: x must be 2-d [rows, features], got shape [${x.shape}]`);
    return { t: x, owned: false };
  }
  if (!Array.isArray(x) || x.length === 0) throw new Error(`${fn}: x must be a non-empty tensor2d or number[][]`);
  return { t: tf.tensor2d(x), owned: true };
}

/**
 * Runs the layers of a chain-shaped model (Sequential, or a functional model without branches)
 * one after another with `training: true`, so dropout layers sample masks. (`model.predict` and
 * `model.apply` always run in inference mode in tfjs: a Container ignores the training flag.)
 */
export function forwardWithDropout(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  let h = x;
  for (const layer of model.layers) {
    if (layer.getClassName() === "InputLayer") continue;
    if (layer.inboundNodes.length > 1 || layer.inboundNodes.some((n) => n.inboundLayers.length > 1)) {
      throw new Error(`forwardWithDropout: layer "${layer.name}" has several inputs; only chain-shaped models are supported`);
    }
    h = layer.apply(h, { training: true }) as tf.Tensor;
  }
  return h;
}

/** Accumulates T Gaussian predictions per row into mixture moments. */
class MomentAccumulator {
  readonly sumMean: Float64Array;
  readonly sumMeanSq: Float64Array;
  readonly sumVar: Float64Array;
  count = 0;
  constructor(readonly n: number) {
    this.sumMean = new Float64Array(n);
    this.sumMeanSq = new Float64Array(n);
    this.sumVar = new Float64Array(n);
  }
  add(mean: ArrayLike<number>, variance?: ArrayLike<number>): void {
    for (let i = 0; i < this.n; i++) {
      const m = mean[i];
      this.sumMean[i] += m;
      this.sumMeanSq[i] += m * m;
      if (variance) this.sumVar[i] += variance[i];
    }
    this.count++;
  }
  moments(): PredictiveMoments {
    const n = this.n;
    const T = this.count;
    const mean = new Float64Array(n);
    const aleatoricVar = new Float64Array(n);
    const epistemicVar = new Float64Array(n);
    const totalVar = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      mean[i] = this.sumMean[i] / T;
      aleatoricVar[i] = this.sumVar[i] / T;
      epistemicVar[i] = Math.max(0, this.sumMeanSq[i] / T - mean[i] * mean[i]);
      totalVar[i] = aleatoricVar[i] + epistemicVar[i];
    }
    return { mean, aleatoricVar, epistemicVar, totalVar };
  }
}

/** Splits a [rows, 1 or 2] output into means and (when present) variances exp(log σ²). */
function splitOutput(values: Float32Array | Int32Array | Uint8Array, rows: number, cols: number, row0: number, n: number) {
  const mean = new Float64Array(n);
  const variance = cols === 2 ? new Float64Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const r = row0 + i;
    mean[i] = values[r * cols];
    if (variance) {
      const s = Math.min(Math.max(values[r * cols + 1], LOG_VARIANCE_LIMITS[0]), LOG_VARIANCE_LIMITS[1]);
      variance[i] = Math.exp(s);
    }
  }
  return { mean, variance };
}

function checkOutputColumns(fn: string, cols: number): void {
  if (cols !== 1 && cols !== 2) {
    throw new Error(`${fn}: the model must output 1 column (a mean) or 2 (mean, log-variance), got ${cols}`);
  }
}

/**
 * MC-dropout prediction of a regression network with output [mean] or [mean, log σ²]: T forward
 * passes with dropout on; returns plain arrays of the mean and the aleatoric, epistemic and total
 * variance per row. Every tensor it creates is disposed (a tensor `x` you pass stays yours).
 */
export function mcDropoutPredict(model: tf.LayersModel, x: Inputs, options: McDropoutOptions = {}): PredictiveMoments {
  const passes = options.passes ?? 50;
  if (!(Number.isInteger(passes) && passes >= 2)) throw new Error(`mcDropoutPredict: passes must be an integer >= 2, got ${passes}`);
  const rowsPerCall = options.rowsPerCall ?? 32768;
  const { t, owned } = toTensor("mcDropoutPredict", x);
  try {
    const n = t.shape[0];
    const acc = new MomentAccumulator(n);
    const passesPerCall = Math.max(1, Math.floor(rowsPerCall / n));
    for (let done = 0; done < passes; ) {
      const k = Math.min(passesPerCall, passes - done);
      const out = tf.tidy(() => forwardWithDropout(model, k === 1 ? t : tf.tile(t, [k, 1])));
      const cols = out.shape[1] as number;
      const values = out.dataSync();
      out.dispose();
      checkOutputColumns("mcDropoutPredict", cols);
      for (let j = 0; j < k; j++) {
        const { mean, variance } = splitOutput(values, k * n, cols, j * n, n);
        acc.add(mean, variance);
      }
      done += k;
    }
    return acc.moments();
  } finally {
    if (owned) t.dispose();
  }
}

/**
 * Predictive moments of a deep ensemble: each member's plain (deterministic) prediction is one
 * component of the mixture. Members must output [mean] or [mean, log σ²].
 */
export function ensemblePredict(models: tf.LayersModel[], x: Inputs): PredictiveMoments {
  if (models.length < 2) throw new Error(`ensemblePredict: need at least 2 members, got ${models.length}`);
  const { t, owned } = toTensor("ensemblePredict", x);
  try {
    const n = t.shape[0];
    const acc = new MomentAccumulator(n);
    for (const m of models) {
      const out = m.predict(t) as tf.Tensor;
      const cols = out.shape[1] as number;
      const values = out.dataSync();
      out.dispose();
      checkOutputColumns("ensemblePredict", cols);
      const { mean, variance } = splitOutput(values, n, cols, 0, n);
      acc.add(mean, variance);
    }
    return acc.moments();
  } finally {
    if (owned) t.dispose();
  }
}

/** Combines T Gaussian predictions (means[t][i], optional variances[t][i]) into mixture moments. */
export function combineGaussianPredictions(means: ArrayLike<number>[], variances?: ArrayLike<number>[]): PredictiveMoments {
  if (means.length === 0) throw new Error("combineGaussianPredictions: no predictions");
  if (variances && variances.length !== means.length) {
    throw new Error(`combineGaussianPredictions: ${means.length} mean arrays but ${variances.length} variance arrays`);
  }
  const n = means[0].length;
  const acc = new MomentAccumulator(n);
  means.forEach((m, k) => {
    if (m.length !== n) throw new Error(`combineGaussianPredictions: prediction ${k} has ${m.length} rows, expected ${n}`);
    acc.add(m, variances?.[k]);
  });
  return acc.moments();
}

/** Uncertainty of a binary classifier (sigmoid output) from MC dropout. */
export interface ClassUncertainty {
  /** Mean predicted probability of class 1 over the passes. */
  prob: Float64Array;
  /** Entropy of the mean prediction, H[p̄] (nats): total uncertainty. */
  predictiveEntropy: Float64Array;
  /** Mean entropy of the individual passes, E_t H[p_t]: the aleatoric part. */
  expectedEntropy: Float64Array;
  /** predictiveEntropy − expectedEntropy: mutual information between label and weights, the epistemic part. */
  mutualInformation: Float64Array;
}

function binaryEntropy(p: number): number {
  const q = 1 - p;
  return (p > 0 ? -p * Math.log(p) : 0) + (q > 0 ? -q * Math.log(q) : 0);
}

/**
 * MC-dropout prediction of a binary classifier whose single output is a probability (sigmoid):
 * mean probability, predictive entropy, expected entropy and mutual information (BALD; Houlsby
 * et al. 2011). Disposes every tensor it creates.
 */
export function mcDropoutClassify(model: tf.LayersModel, x: Inputs, options: McDropoutOptions = {}): ClassUncertainty {
  const passes = options.passes ?? 50;
  if (!(Number.isInteger(passes) && passes >= 2)) throw new Error(`mcDropoutClassify: passes must be an integer >= 2, got ${passes}`);
  const rowsPerCall = options.rowsPerCall ?? 32768;
  const { t, owned } = toTensor("mcDropoutClassify", x);
  try {
    const n = t.shape[0];
    const sumP = new Float64Array(n);
    const sumH = new Float64Array(n);
    const passesPerCall = Math.max(1, Math.floor(rowsPerCall / n));
    for (let done = 0; done < passes; ) {
      const k = Math.min(passesPerCall, passes - done);
      const out = tf.tidy(() => forwardWithDropout(model, k === 1 ? t : tf.tile(t, [k, 1])));
      if (out.shape[1] !== 1) {
        out.dispose();
        throw new Error(`mcDropoutClassify: the model must output one probability per row, got ${out.shape[1]} columns`);
      }
      const values = out.dataSync();
      out.dispose();
      for (let j = 0; j < k * n; j++) {
        const p = values[j];
        if (!(p >= 0 && p <= 1)) throw new Error(`mcDropoutClassify: output ${p} is not a probability (end the model with a sigmoid)`);
        sumP[j % n] += p;
        sumH[j % n] += binaryEntropy(p);
      }
      done += k;
    }
    const prob = sumP.map((s) => s / passes);
    const predictiveEntropy = prob.map(binaryEntropy);
    const expectedEntropy = sumH.map((s) => s / passes);
    const mutualInformation = predictiveEntropy.map((h, i) => Math.max(0, h - expectedEntropy[i]));
    return { prob, predictiveEntropy, expectedEntropy, mutualInformation };
  } finally {
    if (owned) t.dispose();
  }
}

/** Shape of a regression network with a mean and a log-variance output. */
export interface HeteroscedasticMlpOptions {
  inputs: number;
  /** Hidden widths (default [64, 64]). */
  hidden?: number[];
  activation?: ConcreteActivation;
  /**
   * "fixed": ordinary dropout at `rate` after each hidden layer; "concrete": every dense layer
   * after the first is a `ConcreteDropoutDense` with a learned rate (needs `nTrain`); "none".
   */
  dropout?: "fixed" | "concrete" | "none";
  /** Dropout probability for "fixed" (default 0.1). */
  rate?: number;
  /** Training-set size, which sets the concrete-dropout regularisers (l²/N, 2/N). */
  nTrain?: number;
  /** Prior length-scale l of the concrete-dropout weight regulariser (default 1e-2). */
  lengthScale?: number;
  /** Seed of the weight initialisers (default 1). */
  seed?: number;
}

/**
 * A dense network with outputs [μ, log σ²] for `gaussianNll`, with fixed or concrete dropout.
 * With "fixed", dropout follows every hidden layer; with "concrete", dropout acts on the inputs
 * of every later dense layer (hidden and output), as in Gal et al.'s reference code.
 */
export function heteroscedasticMlp(options: HeteroscedasticMlpOptions): tf.Sequential {
  const hidden = options.hidden ?? [64, 64];
  const activation = options.activation ?? "relu";
  const dropout = options.dropout ?? "fixed";
  const seed = options.seed ?? 1;
  if (!(Number.isInteger(options.inputs) && options.inputs > 0) || hidden.length === 0 || hidden.some((h) => !(Number.isInteger(h) && h > 0))) {
    throw new Error(`heteroscedasticMlp: inputs and hidden widths must be positive integers (at least one hidden layer), got ${JSON.stringify(options)}`);
  }
  const model = tf.sequential();
  const init = (i: number) => tf.initializers.glorotUniform({ seed: seed * 1000 + i });
  model.add(tf.layers.dense({ inputShape: [options.inputs], units: hidden[0], activation, kernelInitializer: init(0) }));
  if (dropout === "concrete") {
    if (!(options.nTrain && options.nTrain > 0)) throw new Error("heteroscedasticMlp: dropout 'concrete' needs nTrain > 0");
    const l = options.lengthScale ?? 1e-2;
    const reg = { weightRegularizer: (l * l) / options.nTrain, dropoutRegularizer: 2 / options.nTrain };
    const widths = [...hidden.slice(1), 2];
    widths.forEach((units, i) =>
      model.add(new ConcreteDropoutDense({ units, activation: i < widths.length - 1 ? activation : "linear", seed: seed * 1000 + i + 1, ...reg })),
    );
    return model;
  }
  const rate = options.rate ?? 0.1;
  if (dropout === "fixed" && !(rate > 0 && rate < 1)) throw new Error(`heteroscedasticMlp: rate must be in (0, 1), got ${rate}`);
  if (dropout === "fixed") model.add(tf.layers.dropout({ rate }));
  hidden.slice(1).forEach((units, i) => {
    model.add(tf.layers.dense({ units, activation, kernelInitializer: init(i + 1) }));
    if (dropout === "fixed") model.add(tf.layers.dropout({ rate }));
  });
  model.add(tf.layers.dense({ units: 2, kernelInitializer: init(hidden.length) }));
  return model;
}
