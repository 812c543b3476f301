/**
 * The real/bogus classifier of notebook 07 (and of the `realbogus` benchmark, which must time the
 * same network): a small VGG-like CNN on science/reference/difference triplets stacked as three
 * channels, after braai (Duev et al. 2019, MNRAS 489, 3582), shrunk to train in seconds on a CPU.
 *
 * Each block is a 3 × 3 convolution (ReLU) and a 2 × 2 max-pool: 31 → 15 → 7 → 3 pixels while the
 * channels grow 3 → 8 → 16 → 32, so the last block's units each see a 22-pixel-wide patch, most
 * of the stamp. Dropout before the dense layer is the only explicit regulariser; the rest comes
 * from data augmentation.
 */
import * as tf from "@tensorflow/tfjs";
import { imageToRows } from "../sim/image";

/** Options for `realBogusCnn`. */
export interface RealBogusCnnOptions {
  /** Stamp side, pixels (default 31). */
  stampSize?: number;
  /** Input channels (default 3: science, reference, difference). */
  channels?: number;
  /** Filters of the convolution blocks (default [8, 16, 32]). */
  filters?: number[];
  /** Units of the hidden dense layer (default 32). */
  denseUnits?: number;
  /** Dropout rate before it (default 0.3). */
  dropout?: number;
}

/** The notebook's batch size and learning rate, shared with the benchmark. */
export const REAL_BOGUS_TRAINING = { batchSize: 64, learningRate: 1e-3 } as const;

/** The (uncompiled) classifier: stamps [n, S, S, 3] → probability of "real" [n, 1]. */
export function realBogusCnn(options: RealBogusCnnOptions = {}): tf.Sequential {
  const s = options.stampSize ?? 31;
  const filters = options.filters ?? [8, 16, 32];
  const model = tf.sequential({ name: "real_bogus" });
  filters.forEach((f, k) => {
    model.add(tf.layers.conv2d({ ...(k === 0 ? { inputShape: [s, s, options.channels ?? 3] } : {}), filters: f, kernelSize: 3, padding: "same", activation: "relu" }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  });
  model.add(tf.layers.flatten());
  model.add(tf.layers.dropout({ rate: options.dropout ?? 0.3 }));
  model.add(tf.layers.dense({ units: options.denseUnits ?? 32, activation: "relu" }));
  model.add(tf.layers.dense({ units: 1, activation: "sigmoid" }));
  return model;
}

/** The three channels of stamp `index` of a flat [n, S, S, 3] batch, as rows for `imageGrid`. */
export function tripletRows(x: ArrayLike<number>, stampSize: number, index: number): [number[][], number[][], number[][]] {
  const get = (channel: number) => imageToRows(x, stampSize, stampSize, { index, channel, channels: 3 });
  return [get(0), get(1), get(2)];
}
