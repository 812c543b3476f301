/**
 * Adversarial examples: small, deliberately chosen changes of an input that change a classifier's
 * answer (Szegedy et al. 2014). Both attacks here follow the gradient of the classifier's loss with
 * respect to the *input* pixels — the same gradient training uses for the weights.
 *
 * - FGSM, the fast gradient sign method (Goodfellow, Shlens & Szegedy 2015): one step
 *   x' = x + ε sign(∇ₓ L(x, y)). For a locally linear model this is the L∞-bounded change that
 *   raises the loss most: each pixel moves by ±ε, and the effects add up over all pixels.
 * - PGD, projected gradient descent (Madry et al. 2018): k smaller steps of size α, each followed
 *   by projection back into the ε-ball around x (and the valid pixel range); a random start inside
 *   the ball. Stronger than FGSM: it follows the loss surface where it is not linear.
 *
 * A classifier is anything mapping a batch of images [n, h, w, c] to class probabilities [n, k]: a
 * tf.LayersModel, or a function, which lets an attacker differentiate through a defence (an
 * *adaptive* attack, Athalye, Carlini & Wagner 2018).
 */
import * as tf from "@tensorflow/tfjs";

/** A model or function from images to class probabilities. */
export type Classifier = tf.LayersModel | ((x: tf.Tensor4D) => tf.Tensor2D);

/** Class probabilities of `classifier` for `x` (the forward pass only). */
export function classify(classifier: Classifier, x: tf.Tensor4D): tf.Tensor2D {
  return typeof classifier === "function" ? classifier(x) : (classifier.apply(x) as tf.Tensor2D);
}

/** Mean categorical cross-entropy of probabilities against one-hot labels (probabilities clipped at 1e-7). */
export function crossEntropy(probs: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => oneHot.mul(probs.clipByValue(1e-7, 1).log()).sum(1).neg().mean() as tf.Scalar);
}

function checkBatch(name: string, x: tf.Tensor4D, oneHot: tf.Tensor2D): void {
  if (x.rank !== 4) throw new Error(`${name}: images must be a rank-4 tensor [n, h, w, c], got rank ${x.rank}`);
  if (oneHot.shape[0] !== x.shape[0]) throw new Error(`${name}: ${x.shape[0]} images but ${oneHot.shape[0]} labels`);
}

/** ∇ₓ of the cross-entropy loss: how each pixel would change the loss. Same shape as x. */
export function inputGradient(classifier: Classifier, x: tf.Tensor4D, oneHot: tf.Tensor2D): tf.Tensor4D {
  checkBatch("inputGradient", x, oneHot);
  return tf.tidy(() => tf.grad((xi: tf.Tensor) => crossEntropy(classify(classifier, xi as tf.Tensor4D), oneHot))(x) as tf.Tensor4D);
}

/** Options shared by the attacks. */
export interface AttackOptions {
  /** Valid pixel range; adversarial images are clipped to it (default: no clipping). */
  clipRange?: [number, number];
}

function clip(x: tf.Tensor4D, options: AttackOptions): tf.Tensor4D {
  return options.clipRange ? (x.clipByValue(options.clipRange[0], options.clipRange[1]) as tf.Tensor4D) : x;
}

function checkEpsilon(name: string, epsilon: number): void {
  if (!(epsilon >= 0 && Number.isFinite(epsilon))) throw new Error(`${name}: epsilon must be a finite number ≥ 0, got ${epsilon}`);
}

/** FGSM: x + ε sign(∇ₓ L), clipped to the valid range. */
export function fgsm(classifier: Classifier, x: tf.Tensor4D, oneHot: tf.Tensor2D, epsilon: number, options: AttackOptions = {}): tf.Tensor4D {
  checkEpsilon("fgsm", epsilon);
  return tf.tidy(() => clip(x.add(inputGradient(classifier, x, oneHot).sign().mul(epsilon)) as tf.Tensor4D, options));
}

/** Options of `pgd`. */
export interface PgdOptions extends AttackOptions {
  /** Number of steps (default 10). */
  steps?: number;
  /** Step size α (default 2.5 ε / steps, Madry et al.'s choice). */
  stepSize?: number;
  /** Start from a uniform random point in the ε-ball (default true). */
  randomStart?: boolean;
}

/** PGD in the L∞ ball: `steps` signed-gradient steps of size α, each projected back into [x − ε, x + ε]. */
export function pgd(classifier: Classifier, x: tf.Tensor4D, oneHot: tf.Tensor2D, epsilon: number, options: PgdOptions = {}): tf.Tensor4D {
  checkEpsilon("pgd", epsilon);
  const steps = options.steps ?? 10;
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`pgd: steps must be a positive integer, got ${steps}`);
  const alpha = options.stepSize ?? (2.5 * epsilon) / steps;
  let adv = tf.tidy(() => clip((options.randomStart ?? true) ? (x.add(tf.randomUniform(x.shape, -epsilon, epsilon)) as tf.Tensor4D) : x.clone(), options));
  for (let k = 0; k < steps; k++) {
    const next = tf.tidy(() => {
      const stepped = adv.add(inputGradient(classifier, adv, oneHot).sign().mul(alpha));
      // Projection onto the ε-ball around x, then onto the valid range.
      return clip(tf.minimum(tf.maximum(stepped, x.sub(epsilon)), x.add(epsilon)) as tf.Tensor4D, options);
    });
    adv.dispose();
    adv = next;
  }
  return adv;
}

/** Predicted class of each image (argmax of the probabilities), in batches of 256. */
export function predictClasses(classifier: Classifier, x: tf.Tensor4D): Int32Array {
  const out = new Int32Array(x.shape[0]);
  for (let start = 0; start < x.shape[0]; start += 256) {
    const m = Math.min(256, x.shape[0] - start);
    const labels = tf.tidy(() => classify(classifier, x.slice(start, m)).argMax(1));
    out.set(labels.dataSync() as Int32Array, start);
    labels.dispose();
  }
  return out;
}

/** Fraction of images whose predicted class equals the label. */
export function accuracyOf(classifier: Classifier, x: tf.Tensor4D, labels: ArrayLike<number>): number {
  if (labels.length !== x.shape[0]) throw new Error(`accuracyOf: ${x.shape[0]} images but ${labels.length} labels`);
  const predicted = predictClasses(classifier, x);
  let right = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) right++;
  return right / predicted.length;
}

/** Runs an attack batch by batch (256 images at a time) to keep memory flat; returns the adversarial images. */
export function attackInBatches(attack: (x: tf.Tensor4D, oneHot: tf.Tensor2D) => tf.Tensor4D, x: tf.Tensor4D, oneHot: tf.Tensor2D, batchSize = 256): tf.Tensor4D {
  checkBatch("attackInBatches", x, oneHot);
  const parts: tf.Tensor4D[] = [];
  for (let start = 0; start < x.shape[0]; start += batchSize) {
    const m = Math.min(batchSize, x.shape[0] - start);
    const xb = x.slice(start, m);
    const yb = oneHot.slice(start, m);
    parts.push(attack(xb, yb));
    xb.dispose();
    yb.dispose();
  }
  const out = tf.concat(parts, 0) as tf.Tensor4D;
  parts.forEach((p) => p.dispose());
  return out;
}

/**
 * Saliency map (Simonyan, Vedaldi & Zisserman 2014): |∂ p_c / ∂x| for the class c of each image,
 * the pixels whose change would most change the classifier's belief in c. The attacks' gradient,
 * used to look rather than to fool. Returns [n, h, w, c].
 */
export function saliencyMap(classifier: Classifier, x: tf.Tensor4D, classIndex: ArrayLike<number>): tf.Tensor4D {
  if (classIndex.length !== x.shape[0]) throw new Error(`saliencyMap: ${x.shape[0]} images but ${classIndex.length} class indices`);
  return tf.tidy(() => {
    const pick = tf.oneHot(tf.tensor1d(Array.from(classIndex), "int32"), (classify(classifier, x.slice(0, 1)) as tf.Tensor2D).shape[1]).toFloat();
    return tf.grad((xi: tf.Tensor) => classify(classifier, xi as tf.Tensor4D).mul(pick).sum())(x).abs() as tf.Tensor4D;
  });
}
