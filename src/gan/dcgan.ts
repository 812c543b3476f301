/**
 * A deep convolutional GAN (Radford, Metz & Chintala 2015) for small single-band cut-outs, and its
 * conditional variant (Mirza & Osindero 2014).
 *
 * Generator: z (and, if conditional, a one-hot class) → dense → (s/4)² × filters[0] map →
 * transposed convolution ×2 → s × s × 1, tanh. Discriminator: image (with one constant plane per
 * class, if conditional) → strided convolution ×2, leaky ReLU → dense → one logit ("real" > 0).
 * DCGAN's recipe, shrunk to train in a minute on a CPU: strided (transposed) convolutions instead of
 * pooling, leaky ReLU in the discriminator, tanh output, Adam with β₁ = 0.5. No batch
 * normalisation: with these small networks it bought nothing but time.
 *
 * The losses are written with logits (numerically stable):
 * - discriminator: −[y log D(x) + log(1 − D(G(z)))], with y = 1, or 0.9 with one-sided label
 *   smoothing (Salimans et al. 2016);
 * - generator, "minimax" (Goodfellow et al. 2014's game): minimise log(1 − D(G(z))) — its gradient
 *   vanishes when the discriminator confidently rejects the fakes, exactly when the generator
 *   needs it most;
 * - generator, "non-saturating" (the same paper's practical fix): minimise −log D(G(z)).
 */
import * as tf from "@tensorflow/tfjs";

/** Architecture of `buildGenerator` / `buildDiscriminator`. */
export interface DcganOptions {
  /** Image side, pixels; a multiple of 4 (default 32). */
  sizePix?: number;
  /** Length of the noise vector z (default 32). */
  latentDim?: number;
  /** Number of classes for a conditional GAN (default 0: unconditional). */
  classes?: number;
  /** Filters of the two convolution stages, coarse to fine for the generator (default [32, 16]). */
  filters?: [number, number];
}

function resolve(options: DcganOptions): Required<DcganOptions> {
  const sizePix = options.sizePix ?? 32;
  if (!(Number.isInteger(sizePix) && sizePix % 4 === 0 && sizePix >= 8)) throw new Error(`DCGAN: sizePix must be a multiple of 4 and ≥ 8, got ${sizePix}`);
  const latentDim = options.latentDim ?? 32;
  if (!(Number.isInteger(latentDim) && latentDim > 0)) throw new Error(`DCGAN: latentDim must be a positive integer, got ${latentDim}`);
  const classes = options.classes ?? 0;
  if (!(Number.isInteger(classes) && classes >= 0)) throw new Error(`DCGAN: classes must be an integer ≥ 0, got ${classes}`);
  return { sizePix, latentDim, classes, filters: options.filters ?? [32, 16] };
}

/** Generator [n, latentDim + classes] → [n, s, s, 1] in (−1, 1). */
export function buildGenerator(options: DcganOptions = {}): tf.Sequential {
  const { sizePix: s, latentDim, classes, filters: [f0, f1] } = resolve(options);
  const q = s / 4;
  return tf.sequential({
    name: classes ? "conditional_generator" : "generator",
    layers: [
      tf.layers.dense({ inputShape: [latentDim + classes], units: q * q * f0, activation: "relu" }),
      tf.layers.reshape({ targetShape: [q, q, f0] }),
      tf.layers.conv2dTranspose({ filters: f1, kernelSize: 5, strides: 2, padding: "same", activation: "relu" }),
      tf.layers.conv2dTranspose({ filters: 1, kernelSize: 5, strides: 2, padding: "same", activation: "tanh" }),
    ],
  });
}

/** Discriminator [n, s, s, 1 + classes] → [n, 1] logits. */
export function buildDiscriminator(options: DcganOptions = {}): tf.Sequential {
  const { sizePix: s, classes, filters: [f0, f1] } = resolve(options);
  return tf.sequential({
    name: classes ? "conditional_discriminator" : "discriminator",
    layers: [
      tf.layers.conv2d({ inputShape: [s, s, 1 + classes], filters: f1, kernelSize: 5, strides: 2, padding: "same" }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2d({ filters: f0, kernelSize: 5, strides: 2, padding: "same" }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1 }),
    ],
  });
}

/** The trainable variables of a model, for `optimizer.minimize(f, returnCost, varList)`. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * Mean sigmoid cross-entropy of logits against a constant target y ∈ [0, 1]:
 * mean(max(l, 0) − l·y + log(1 + e^(−|l|))), stable for logits of any size.
 */
export function sigmoidCrossEntropy(target: number, logits: tf.Tensor): tf.Scalar {
  if (!(target >= 0 && target <= 1)) throw new Error(`sigmoidCrossEntropy: target must be in [0, 1], got ${target}`);
  return tf.tidy(() => logits.relu().sub(logits.mul(target)).add(logits.abs().neg().exp().log1p()).mean() as tf.Scalar);
}

/** The generator's loss flavours. */
export type GeneratorLoss = "non-saturating" | "minimax";

/** Discriminator loss: real images should score `realTarget` (1, or 0.9 with label smoothing), fakes 0. */
export function discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor, realTarget = 1): tf.Scalar {
  return tf.tidy(() => sigmoidCrossEntropy(realTarget, realLogits).add(sigmoidCrossEntropy(0, fakeLogits)) as tf.Scalar);
}

/** Generator loss: −log D(G(z)) ("non-saturating") or log(1 − D(G(z))) ("minimax"). */
export function generatorLoss(fakeLogits: tf.Tensor, kind: GeneratorLoss = "non-saturating"): tf.Scalar {
  if (kind !== "non-saturating" && kind !== "minimax") throw new Error(`generatorLoss: kind must be "non-saturating" or "minimax", got "${kind}"`);
  return kind === "non-saturating" ? sigmoidCrossEntropy(1, fakeLogits) : tf.tidy(() => sigmoidCrossEntropy(0, fakeLogits).neg() as tf.Scalar);
}

/** Appends one constant image plane per class (1 in the plane of the image's class): [n, s, s, 1] → [n, s, s, 1 + k]. */
export function withLabelPlanes(images: tf.Tensor4D, oneHot: tf.Tensor2D): tf.Tensor4D {
  const [n, h, w] = images.shape;
  if (oneHot.shape[0] !== n) throw new Error(`withLabelPlanes: ${n} images but ${oneHot.shape[0]} labels`);
  return tf.tidy(() => tf.concat([images, oneHot.reshape([n, 1, 1, oneHot.shape[1]]).tile([1, h, w, 1])], 3) as tf.Tensor4D);
}

/** Generator input: noise z, with the one-hot class appended for a conditional GAN. */
export function generatorInput(z: tf.Tensor2D, oneHot?: tf.Tensor2D): tf.Tensor2D {
  return oneHot ? tf.concat([z, oneHot], 1) : z;
}

/** What one `ganTrainStep` reports. */
export interface GanStepLosses {
  discriminator: number;
  generator: number;
  /** Mean D(x) on the real batch and D(G(z)) on the fakes (probabilities). */
  dReal: number;
  dFake: number;
}

/** Settings of one adversarial training step. */
export interface GanStepOptions {
  latentDim: number;
  generatorLoss?: GeneratorLoss;
  /** Target for real images in the discriminator loss (default 1; 0.9 = one-sided label smoothing). */
  realTarget?: number;
  /** One-hot classes of the real batch, for a conditional GAN (fakes get the same classes). */
  oneHot?: tf.Tensor2D;
}

/**
 * One round of the game: a discriminator step on a real batch and as many fakes, then a generator
 * step on fresh noise. The library's copy of the loop notebook 10 writes out; the benchmark times it.
 */
export function ganTrainStep(generator: tf.LayersModel, discriminator: tf.LayersModel, generatorOptimizer: tf.Optimizer, discriminatorOptimizer: tf.Optimizer,
  real: tf.Tensor4D, options: GanStepOptions): GanStepLosses {
  const n = real.shape[0];
  const { latentDim, oneHot } = options;
  const dIn = (x: tf.Tensor4D) => (oneHot ? withLabelPlanes(x, oneHot) : x);
  let dReal = 0, dFake = 0;
  const dLoss = tf.tidy(() => {
    const fake = generator.predict(generatorInput(tf.randomNormal([n, latentDim]), oneHot)) as tf.Tensor4D;
    return discriminatorOptimizer.minimize(() => {
      const realLogits = discriminator.apply(dIn(real), { training: true }) as tf.Tensor;
      const fakeLogits = discriminator.apply(dIn(fake), { training: true }) as tf.Tensor;
      dReal = realLogits.sigmoid().mean().dataSync()[0];
      dFake = fakeLogits.sigmoid().mean().dataSync()[0];
      return discriminatorLoss(realLogits, fakeLogits, options.realTarget ?? 1);
    }, true, trainableVariables(discriminator)) as tf.Scalar;
  });
  const gLoss = tf.tidy(() => generatorOptimizer.minimize(() => {
    const fake = generator.apply(generatorInput(tf.randomNormal([n, latentDim]), oneHot), { training: true }) as tf.Tensor4D;
    return generatorLoss(discriminator.apply(dIn(fake), { training: true }) as tf.Tensor, options.generatorLoss ?? "non-saturating");
  }, true, trainableVariables(generator)) as tf.Scalar);
  const out = { discriminator: dLoss.dataSync()[0], generator: gLoss.dataSync()[0], dReal, dFake };
  dLoss.dispose();
  gLoss.dispose();
  return out;
}

/**
 * Images along straight lines in latent space: for each pair (z_a, z_b), `steps` points
 * z = (1 − t) z_a + t z_b, t from 0 to 1, decoded by the generator. Returns [pairs × steps, s, s, 1].
 * (For Gaussian z a spherical path keeps |z| typical; at these latent sizes a straight line is fine.)
 */
export function latentInterpolation(generator: tf.LayersModel, zA: tf.Tensor2D, zB: tf.Tensor2D, steps: number, oneHot?: tf.Tensor2D): tf.Tensor4D {
  if (!(Number.isInteger(steps) && steps >= 2)) throw new Error(`latentInterpolation: steps must be an integer ≥ 2, got ${steps}`);
  if (zA.shape[0] !== zB.shape[0] || zA.shape[1] !== zB.shape[1]) throw new Error(`latentInterpolation: zA ${zA.shape} and zB ${zB.shape} differ in shape`);
  return tf.tidy(() => {
    const [pairs, d] = zA.shape;
    const t = tf.linspace(0, 1, steps).reshape([1, steps, 1]);
    const z = zA.reshape([pairs, 1, d]).mul(tf.sub(1, t)).add(zB.reshape([pairs, 1, d]).mul(t)).reshape([pairs * steps, d]) as tf.Tensor2D;
    const labels = oneHot ? (oneHot.reshape([pairs, 1, oneHot.shape[1]]).tile([1, steps, 1]).reshape([pairs * steps, oneHot.shape[1]]) as tf.Tensor2D) : undefined;
    return generator.predict(generatorInput(z, labels)) as tf.Tensor4D;
  });
}

/** `n` generated images (no gradient), in batches; `classes` gives each image's class for a conditional generator. */
export function generateImages(generator: tf.LayersModel, n: number, latentDim: number, classes?: ArrayLike<number>, numClasses = 3): tf.Tensor4D {
  if (classes && classes.length !== n) throw new Error(`generateImages: ${classes.length} classes for ${n} images`);
  const parts: tf.Tensor4D[] = [];
  for (let start = 0; start < n; start += 256) {
    const m = Math.min(256, n - start);
    parts.push(tf.tidy(() => {
      const oneHot = classes ? (tf.oneHot(tf.tensor1d(Array.from(classes).slice(start, start + m), "int32"), numClasses).toFloat() as tf.Tensor2D) : undefined;
      return generator.predict(generatorInput(tf.randomNormal([m, latentDim]), oneHot)) as tf.Tensor4D;
    }));
  }
  const out = parts.length === 1 ? parts[0] : (tf.concat(parts, 0) as tf.Tensor4D);
  if (parts.length > 1) parts.forEach((p) => p.dispose());
  return out;
}
