/**
 * Input-transformation defences against adversarial examples, and adversarial training.
 *
 * Each transformation maps images to images before the classifier sees them:
 * - Gaussian noise: add N(0, σ²) per pixel — drowns the attacker's carefully aligned signs;
 * - spatial smoothing: a 3 × 3 median filter (Xu, Evans & Qi 2018) — removes isolated ±ε spikes;
 * - feature squeezing: reduce the bit depth, rounding every pixel to one of 2^bits levels across
 *   the given range (Xu et al. 2018) — perturbations smaller than half a level vanish.
 * All of them cost something on clean images, and all of them fail against an attacker who knows
 * them (Athalye, Carlini & Wagner 2018): the median and rounding have zero or useless gradients,
 * which `straightThrough` replaces by the identity (BPDA), and noise can be averaged over (EOT).
 *
 * Adversarial training (Goodfellow et al. 2015; Madry et al. 2018) instead changes the classifier:
 * train on attacked images, so that the ε-ball around each training image is classified alike.
 */
import * as tf from "@tensorflow/tfjs";
import { Classifier, classify, crossEntropy, fgsm, pgd } from "./attacks";
import { trainableVariables } from "../gan/dcgan";

/** An input transformation [n, h, w, c] → [n, h, w, c]. */
export type InputDefence = (x: tf.Tensor4D) => tf.Tensor4D;

/** Adds Gaussian noise of standard deviation `sigma` to every pixel (a fresh draw on every call). */
export function gaussianNoiseDefence(sigma: number): InputDefence {
  if (!(sigma >= 0)) throw new Error(`gaussianNoiseDefence: sigma must be ≥ 0, got ${sigma}`);
  return (x) => tf.tidy(() => x.add(tf.randomNormal(x.shape, 0, sigma)) as tf.Tensor4D);
}

/** 3 × 3 (or `size` × `size`, odd) median filter per channel, edges mirrored. */
export function medianSmoothing(size = 3): InputDefence {
  if (!(Number.isInteger(size) && size >= 3 && size % 2 === 1)) throw new Error(`medianSmoothing: size must be an odd integer ≥ 3, got ${size}`);
  const r = (size - 1) / 2;
  return (x) => tf.tidy(() => {
    const [, h, w] = x.shape;
    const padded = tf.mirrorPad(x, [[0, 0], [r, r], [r, r], [0, 0]], "reflect");
    const shifts: tf.Tensor4D[] = [];
    for (let dy = 0; dy < size; dy++) for (let dx = 0; dx < size; dx++) shifts.push(padded.slice([0, dy, dx, 0], [-1, h, w, -1]));
    // Median of the size² neighbours: the middle one of the top-k values.
    const stacked = tf.stack(shifts, 4);
    const k = (size * size + 1) / 2;
    const { values } = tf.topk(stacked, k);
    return values.slice([0, 0, 0, 0, k - 1], [-1, -1, -1, -1, 1]).squeeze([4]) as tf.Tensor4D;
  });
}

/** Rounds pixels to 2^bits levels spanning `range` (values outside are clipped first). */
export function featureSqueezing(bits: number, range: [number, number] = [-1, 1]): InputDefence {
  if (!(Number.isInteger(bits) && bits >= 1 && bits <= 16)) throw new Error(`featureSqueezing: bits must be an integer in [1, 16], got ${bits}`);
  if (!(range[1] > range[0])) throw new Error(`featureSqueezing: range must be [low, high] with high > low, got [${range}]`);
  const levels = 2 ** bits - 1;
  const [lo, hi] = range;
  return (x) => tf.tidy(() => x.clipByValue(lo, hi).sub(lo).div(hi - lo).mul(levels).round().div(levels).mul(hi - lo).add(lo) as tf.Tensor4D);
}

/**
 * The defence in the forward pass, the identity in the backward pass: Backward Pass Differentiable
 * Approximation (Athalye et al. 2018), how an adaptive attacker gets gradients through rounding and
 * medians.
 */
export function straightThrough(defence: InputDefence): InputDefence {
  return (x) => {
    const f = tf.customGrad(((xi: tf.Tensor, save: tf.GradSaveFunc) => {
      save([]);
      return { value: defence(xi as tf.Tensor4D), gradFunc: (dy: tf.Tensor) => dy };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return f(x) as tf.Tensor4D;
  };
}

/** The classifier behind a defence: probabilities of classifier(defence(x)). */
export function defended(classifier: Classifier, defence: InputDefence): (x: tf.Tensor4D) => tf.Tensor2D {
  return (x) => tf.tidy(() => classify(classifier, defence(x)));
}

/** Options of `adversarialTraining`. */
export interface AdversarialTrainingOptions {
  epochs: number;
  batchSize?: number;
  /** L∞ radius of the training attack. */
  epsilon: number;
  /** "fgsm" (default; with a random start, Wong, Rice & Kolter 2020) or "pgd" (stronger, `pgdSteps` times dearer). */
  attack?: "fgsm" | "pgd";
  pgdSteps?: number;
  /** Fraction of each batch replaced by its attacked version (default 0.5: half clean, half attacked). */
  adversarialFraction?: number;
  learningRate?: number;
  clipRange?: [number, number];
  /** Called after each epoch with the epoch and its mean loss. */
  onEpochEnd?: (epoch: number, loss: number) => void | Promise<void>;
}

/**
 * Trains `model` (softmax outputs) on batches in which a fraction of the images is replaced by
 * adversarial versions made against the current weights; returns the mean loss per epoch.
 */
export async function adversarialTraining(model: tf.LayersModel, x: tf.Tensor4D, oneHot: tf.Tensor2D, options: AdversarialTrainingOptions): Promise<number[]> {
  const { epochs, epsilon } = options;
  if (!(Number.isInteger(epochs) && epochs >= 1)) throw new Error(`adversarialTraining: epochs must be a positive integer, got ${epochs}`);
  if (!(epsilon > 0)) throw new Error(`adversarialTraining: epsilon must be > 0, got ${epsilon}`);
  const batchSize = options.batchSize ?? 64;
  const fraction = options.adversarialFraction ?? 0.5;
  if (!(fraction >= 0 && fraction <= 1)) throw new Error(`adversarialTraining: adversarialFraction must be in [0, 1], got ${fraction}`);
  const optimizer = tf.train.adam(options.learningRate ?? 1e-3);
  const vars = trainableVariables(model);
  const n = x.shape[0];
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = tf.util.createShuffledIndices(n);
    let sum = 0, batches = 0;
    for (let start = 0; start + batchSize <= n; start += batchSize) {
      const idx = tf.tensor1d(Array.from(order.subarray(start, start + batchSize)), "int32");
      const xb = tf.gather(x, idx) as tf.Tensor4D;
      const yb = tf.gather(oneHot, idx) as tf.Tensor2D;
      const nAdv = Math.round(fraction * batchSize);
      const advPart = tf.tidy(() => {
        const xa = xb.slice(0, nAdv);
        const ya = yb.slice(0, nAdv);
        if (options.attack === "pgd") return pgd(model, xa, ya, epsilon, { steps: options.pgdSteps ?? 5, clipRange: options.clipRange });
        // FGSM from a random point in the ball, step 1.25 ε, projected back (Wong et al. 2020).
        const start0 = xa.add(tf.randomUniform(xa.shape, -epsilon, epsilon)) as tf.Tensor4D;
        const stepped = fgsm(model, start0, ya, 1.25 * epsilon, { clipRange: options.clipRange });
        return tf.minimum(tf.maximum(stepped, xa.sub(epsilon)), xa.add(epsilon)) as tf.Tensor4D;
      });
      const mixed = tf.tidy(() => (nAdv < batchSize ? tf.concat([advPart, xb.slice(nAdv)], 0) : advPart.clone()) as tf.Tensor4D);
      const loss = optimizer.minimize(() => crossEntropy(model.apply(mixed, { training: true }) as tf.Tensor2D, yb), true, vars) as tf.Scalar;
      sum += loss.dataSync()[0];
      batches++;
      tf.dispose([idx, xb, yb, advPart, mixed, loss]);
    }
    losses.push(sum / Math.max(1, batches));
    if (options.onEpochEnd) await options.onEpochEnd(epoch, losses[epoch]);
  }
  optimizer.dispose();
  return losses;
}
