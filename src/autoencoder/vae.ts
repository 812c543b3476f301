/**
 * Helpers around a variational autoencoder (Kingma & Welling 2014, arXiv:1312.6114; Rezende,
 * Mohamed & Wierstra 2014): reading the encoder's output as a Gaussian, the KL divergence of each
 * latent from the prior, and decoding prior samples and latent traversals.
 *
 * The encoder outputs 2d numbers per image: the means μ and the log-variances log σ² of a diagonal
 * Gaussian q(z|x). Against the prior p(z) = N(0, I) the KL divergence has the closed form
 *
 *   KL(q ‖ p) = ½ Σ_j ( σ_j² + μ_j² − 1 − log σ_j² ),
 *
 * zero only when q equals the prior. Averaged over data, each latent's term measures how much
 * information it carries about the images: latents with a KL near zero are unused ("inactive";
 * Burda, Grosse & Salakhutdinov 2016 count a unit as active when Var_x[μ_j] > 0.01).
 *
 * The training loss itself (reparameterisation and ELBO) is written out in the lesson notebook.
 */
import * as tf from "@tensorflow/tfjs";

/** The encoder output [n, 2d] split into means and log-variances, each [n, d]. */
export function splitMeanLogVar(stats: tf.Tensor2D, latentDim: number): { mean: tf.Tensor2D; logVar: tf.Tensor2D } {
  if (stats.rank !== 2 || stats.shape[1] !== 2 * latentDim) {
    throw new Error(`splitMeanLogVar: expected [n, ${2 * latentDim}] encoder output, got [${stats.shape}]`);
  }
  return {
    mean: stats.slice([0, 0], [-1, latentDim]),
    logVar: stats.slice([0, latentDim], [-1, latentDim]),
  };
}

/** ½(σ² + μ² − 1 − log σ²) per latent, averaged over the batch: nats of information each latent carries. */
export function klPerLatent(mean: tf.Tensor2D, logVar: tf.Tensor2D): number[] {
  return Array.from(tf.tidy(() => logVar.exp().add(mean.square()).sub(1).sub(logVar).mul(0.5).mean(0)).dataSync());
}

/** `n` images decoded from prior draws z ~ N(0, I) (seeded through tfjs's generator, or by `seed`). */
export function samplePrior(decoder: tf.LayersModel, n: number, latentDim: number, seed?: number): tf.Tensor4D {
  return tf.tidy(() => decoder.predict(tf.randomNormal([n, latentDim], 0, 1, "float32", seed)) as tf.Tensor4D);
}

/**
 * A latent traversal: for each latent index in `dims`, decode `base` (default the prior mean, 0)
 * with that one coordinate set to each of `values` (in prior standard deviations). Returns
 * [dims.length × values.length, h, w, 1] images, one row of the grid per latent.
 */
export function latentTraversal(decoder: tf.LayersModel, latentDim: number, dims: readonly number[], values: readonly number[], base?: readonly number[]): tf.Tensor4D {
  const z0 = base ?? new Array<number>(latentDim).fill(0);
  if (z0.length !== latentDim) throw new Error(`latentTraversal: base has ${z0.length} values, latentDim is ${latentDim}`);
  const rows: number[][] = [];
  for (const d of dims) {
    if (!(d >= 0 && d < latentDim)) throw new Error(`latentTraversal: latent index ${d} outside 0..${latentDim - 1}`);
    for (const v of values) {
      const z = z0.slice();
      z[d] = v;
      rows.push(z);
    }
  }
  return tf.tidy(() => decoder.predict(tf.tensor2d(rows)) as tf.Tensor4D);
}

/** Images `indices` of a [n, h, w, 1] batch (tensor or flat array) as [h][w] rows for `imageGrid`. */
export function imagesAt(batch: tf.Tensor4D | { values: ArrayLike<number>; sizePix: number }, indices: readonly number[]): number[][][] {
  let values: ArrayLike<number>;
  let h: number;
  let w: number;
  if (batch instanceof tf.Tensor) {
    [, h, w] = batch.shape;
    values = batch.dataSync();
  } else {
    values = batch.values;
    h = w = batch.sizePix;
  }
  const npix = h * w;
  const n = values.length / npix;
  return indices.map((i) => {
    if (!(i >= 0 && i < n)) throw new Error(`imagesAt: index ${i} outside 0..${n - 1}`);
    return Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => values[i * npix + y * w + x]));
  });
}
