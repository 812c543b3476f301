/**
 * A small CNN that sorts galaxy cut-outs into ellipticals, spirals and barred spirals: the judge
 * of notebook 10's generated galaxies and the target of its adversarial attacks.
 *
 * conv 3×3 (16) → max-pool → conv 3×3 (32) → max-pool → conv 3×3 (32) → max-pool → dropout →
 * dense (3, softmax): 32 → 16 → 8 → 4 pixels, about 15 000 weights. Deliberately small, so it trains
 * in seconds on a CPU; Galaxy Zoo classifiers (Dieleman, Willett & Dambre 2015) are deeper and see
 * bigger images, but the task here — arms or not, bar or not — is simpler.
 */
import * as tf from "@tensorflow/tfjs";

/** Options of `morphologyClassifier`. */
export interface MorphologyClassifierOptions {
  /** Image side, pixels (default 32). */
  sizePix?: number;
  /** Number of classes (default 3). */
  classes?: number;
  /** Dropout before the output layer (default 0.3). */
  dropout?: number;
}

/** The morphology classifier (uncompiled): [n, s, s, 1] → [n, classes] probabilities. */
export function morphologyClassifier(options: MorphologyClassifierOptions = {}): tf.Sequential {
  const s = options.sizePix ?? 32;
  if (!(Number.isInteger(s) && s >= 16 && s % 8 === 0)) throw new Error(`morphologyClassifier: sizePix must be a multiple of 8 and ≥ 16, got ${s}`);
  const classes = options.classes ?? 3;
  return tf.sequential({
    name: "morphology_classifier",
    layers: [
      tf.layers.conv2d({ inputShape: [s, s, 1], filters: 16, kernelSize: 3, padding: "same", activation: "relu" }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: "same", activation: "relu" }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: "same", activation: "relu" }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dropout({ rate: options.dropout ?? 0.3 }),
      tf.layers.dense({ units: classes, activation: "softmax" }),
    ],
  });
}
