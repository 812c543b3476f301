/**
 * Convolutional encoders and decoders for small square cut-outs.
 *
 * The encoder halves the image twice with strided convolutions (32 → 16 → 8 pixels), flattens and
 * maps to `outputs` numbers with a dense layer: the latent code (or, for a VAE, the mean and log
 * variance of each latent). The decoder mirrors it: a dense layer back to an 8 × 8 feature map, then
 * two transposed convolutions that double the size each time (Conv2DTranspose: each input pixel
 * stamps a learned kernel on the output, the gradient of a strided convolution).
 *
 * Sizes were chosen for speed on a CPU: with no convolution at full resolution, a 32 × 32 model of
 * ~40 000 weights trains at several hundred images per second on the wasm backend.
 */
import * as tf from "@tensorflow/tfjs";

/** Options shared by the encoder and decoder builders. */
export interface ConvCoderOptions {
  /** Cut-out side, pixels; a multiple of 4 (default 32). */
  sizePix?: number;
  /** Filters of the two convolution stages (default [16, 32]). */
  filters?: [number, number];
}

function sizes(options: ConvCoderOptions): { s: number; f: [number, number] } {
  const s = options.sizePix ?? 32;
  if (s % 4 !== 0) throw new Error(`conv coder: sizePix must be a multiple of 4, got ${s}`);
  return { s, f: options.filters ?? [16, 32] };
}

/**
 * Encoder [n, s, s, 1] → [n, outputs]: conv 5×5 stride 2 (ReLU) → conv 3×3 stride 2 (ReLU) →
 * flatten → dense(outputs), linear.
 */
export function buildConvEncoder(outputs: number, options: ConvCoderOptions = {}): tf.Sequential {
  const { s, f } = sizes(options);
  return tf.sequential({
    name: "encoder",
    layers: [
      tf.layers.conv2d({ inputShape: [s, s, 1], filters: f[0], kernelSize: 5, strides: 2, padding: "same", activation: "relu" }),
      tf.layers.conv2d({ filters: f[1], kernelSize: 3, strides: 2, padding: "same", activation: "relu" }),
      tf.layers.flatten(),
      tf.layers.dense({ units: outputs }),
    ],
  });
}

/**
 * Decoder [n, latentDim] → [n, s, s, 1]: dense to an (s/4) × (s/4) × filters[1] map (ReLU) →
 * transposed conv 3×3 stride 2 (ReLU) → transposed conv 5×5 stride 2 to one linear channel.
 */
export function buildConvDecoder(latentDim: number, options: ConvCoderOptions = {}): tf.Sequential {
  const { s, f } = sizes(options);
  const q = s / 4;
  return tf.sequential({
    name: "decoder",
    layers: [
      tf.layers.dense({ inputShape: [latentDim], units: q * q * f[1], activation: "relu" }),
      tf.layers.reshape({ targetShape: [q, q, f[1]] }),
      tf.layers.conv2dTranspose({ filters: f[0], kernelSize: 3, strides: 2, padding: "same", activation: "relu" }),
      tf.layers.conv2dTranspose({ filters: 1, kernelSize: 5, strides: 2, padding: "same" }),
    ],
  });
}

/** An encoder, a decoder and the autoencoder that chains them (sharing their weights). */
export interface ConvAutoencoder {
  encoder: tf.Sequential;
  decoder: tf.Sequential;
  /** decoder(encoder(x)), ready to `compile` and `fit`. */
  autoencoder: tf.LayersModel;
  latentDim: number;
}

/** A bottleneck autoencoder with a `latentDim`-number code between `buildConvEncoder` and `buildConvDecoder`. */
export function convAutoencoder(latentDim: number, options: ConvCoderOptions = {}): ConvAutoencoder {
  const { s } = sizes(options);
  const encoder = buildConvEncoder(latentDim, options);
  const decoder = buildConvDecoder(latentDim, options);
  const input = tf.input({ shape: [s, s, 1] });
  const output = decoder.apply(encoder.apply(input)) as tf.SymbolicTensor;
  return { encoder, decoder, autoencoder: tf.model({ inputs: input, outputs: output, name: "autoencoder" }), latentDim };
}

/** Runs a model over a big tensor in batches (keeps peak memory down), returning one tensor. */
export function predictInBatches(model: tf.LayersModel | ((x: tf.Tensor) => tf.Tensor), x: tf.Tensor, batchSize = 256): tf.Tensor {
  const n = x.shape[0];
  const f = typeof model === "function" ? model : (t: tf.Tensor) => model.predict(t) as tf.Tensor;
  const parts: tf.Tensor[] = [];
  for (let i = 0; i < n; i += batchSize) {
    parts.push(tf.tidy(() => f(x.slice(i, Math.min(batchSize, n - i)))));
  }
  const out = tf.concat(parts, 0);
  parts.forEach((p) => p.dispose());
  return out;
}
