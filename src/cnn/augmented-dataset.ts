/**
 * A `tf.data` dataset of image batches with fresh random dihedral augmentation every epoch, for
 * `model.fitDataset`. Augmenting on the fly (rather than storing 8 copies of every image) means the
 * network rarely sees exactly the same array twice: the regularising effect, at no cost in memory.
 *
 * Each batch is built from a contiguous slice of a shuffled index list, one random element of D4 (or
 * of `allowed`, e.g. `COLUMN_PRESERVING`) is applied per image with `augmentBatch`, and the tensors
 * are handed to `fitDataset`, which disposes them after the step.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../random";
import { AugmentOptions, Dihedral, augmentBatch } from "../sim/augment";
import { ImageBatchShape } from "../sim/image";

/** Options for `augmentedDataset`. */
export interface AugmentedDatasetOptions {
  /** Images per batch (default 64). */
  batchSize?: number;
  /** D4 elements to draw from (default all 8); an empty list or null turns augmentation off. */
  allowed?: readonly Dihedral[] | null;
  /** Reshuffle the order every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffling and augmentation draws (default 1); ignored if `rng` is given. */
  seed?: number;
  rng?: Rng;
}

/** A dataset for `fitDataset`: images [n, h, w, c] (flat, as the simulators give them) and labels [n]. */
export function augmentedDataset(images: Float32Array, labels: ArrayLike<number>, shape: ImageBatchShape, options: AugmentedDatasetOptions = {}): tf.data.Dataset<{ xs: tf.Tensor4D; ys: tf.Tensor2D }> {
  const { n, heightPix: h, widthPix: w, channels: c } = shape;
  if (images.length !== n * h * w * c) throw new Error(`augmentedDataset: ${images.length} values do not fill [${n}, ${h}, ${w}, ${c}]`);
  if (labels.length !== n) throw new Error(`augmentedDataset: ${labels.length} labels for ${n} images`);
  const batch = options.batchSize ?? 64;
  const rng = options.rng ?? new Rng(options.seed ?? 1);
  const allowed = options.allowed && options.allowed.length > 0 ? options.allowed : null;
  const per = h * w * c;
  function* batches(): Generator<{ xs: tf.Tensor4D; ys: tf.Tensor2D }> {
    const order = options.shuffle ?? true ? rng.permutation(n) : Array.from({ length: n }, (_, i) => i);
    for (let start = 0; start < n; start += batch) {
      const idx = order.slice(start, start + batch);
      const x = new Float32Array(idx.length * per);
      const y = new Float32Array(idx.length);
      idx.forEach((i, k) => { x.set(images.subarray(i * per, (i + 1) * per), k * per); y[k] = labels[i]; });
      const aug: AugmentOptions = { allowed: allowed ?? undefined };
      const xb = allowed ? augmentBatch(x, { n: idx.length, heightPix: h, widthPix: w, channels: c }, rng, aug).images : x;
      yield { xs: tf.tensor4d(xb, [idx.length, h, w, c]), ys: tf.tensor2d(y, [idx.length, 1]) };
    }
  }
  return tf.data.generator(batches as unknown as () => Iterator<{ xs: tf.Tensor4D; ys: tf.Tensor2D }>);
}
