/**
 * Looking inside a layers model: what every layer outputs for a batch (to watch activations
 * vanish or saturate through a deep stack) and the values of its weight matrices (to watch a
 * penalty shrink them or set them to zero).
 */
import * as tf from "@tensorflow/tfjs";

/** The layers that compute something: an explicit `tf.layers.inputLayer` only passes the input on. */
function computingLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((l) => l.getClassName() !== "InputLayer");
}

/**
 * The output of every layer of a sequential-style model for input `x`, in layer order. Builds a
 * second model sharing the same weights, so nothing is re-initialised. Dispose the results.
 */
export function layerOutputs(model: tf.LayersModel, x: tf.Tensor): tf.Tensor[] {
  const outputs = computingLayers(model).map((l) => l.output as tf.SymbolicTensor);
  const probe = tf.model({ inputs: model.inputs, outputs });
  const out = probe.predict(x);
  return Array.isArray(out) ? out : [out];
}

export interface ActivationStats {
  layer: string;
  mean: number;
  std: number;
  /** Fraction of values with |a| > 0.99: saturated tanh units (meaningless for unbounded activations). */
  saturated: number;
  /** Fraction of values exactly 0 (dead ReLUs). */
  zero: number;
}

/** Mean, standard deviation, saturated and zero fractions of each layer's output for input `x`. */
export function activationStats(model: tf.LayersModel, x: tf.Tensor): ActivationStats[] {
  const outs = layerOutputs(model, x);
  const stats = outs.map((o, k) => {
    const v = o.dataSync();
    let s = 0;
    let s2 = 0;
    let sat = 0;
    let zero = 0;
    for (let i = 0; i < v.length; i++) {
      s += v[i];
      s2 += v[i] * v[i];
      if (Math.abs(v[i]) > 0.99) sat++;
      if (v[i] === 0) zero++;
    }
    const mean = s / v.length;
    return {
      layer: computingLayers(model)[k].name,
      mean,
      std: Math.sqrt(Math.max(0, s2 / v.length - mean * mean)),
      saturated: sat / v.length,
      zero: zero / v.length,
    };
  });
  outs.forEach((o) => o.dispose());
  return stats;
}

/**
 * All kernel (weight-matrix) values of the model's layers, biases excluded: the numbers a weight
 * penalty acts on. `layers` picks layers by index (default all).
 */
export function kernelValues(model: tf.LayersModel, layers?: number[]): Float32Array {
  const chosen = layers ? layers.map((k) => model.layers[k]) : model.layers;
  const parts: Float32Array[] = [];
  for (const layer of chosen) {
    for (const w of layer.getWeights(true)) {
      // Dense/conv kernels have rank ≥ 2; biases and batch-norm parameters are vectors.
      if (w.rank >= 2) parts.push(w.dataSync() as Float32Array);
    }
  }
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface LayerHistograms {
  /** Bin centres (values outside [min, max] are counted in the end bins). */
  centres: number[];
  /** fractions[layer][bin]: fraction of that layer's outputs in the bin (each row sums to 1). */
  fractions: number[][];
  /** Layer names, in order. */
  layers: string[];
}

/**
 * A histogram of every layer's outputs for input `x` on shared bins, ready for a heat map with one
 * row per layer: shows at a glance whether activations keep their spread through a deep stack,
 * shrink to zero or pile up at the saturation limits.
 */
export function layerHistograms(model: tf.LayersModel, x: tf.Tensor, range: { min: number; max: number; bins: number }): LayerHistograms {
  const { min, max, bins } = range;
  if (!(max > min) || !(bins >= 1)) throw new Error(`layerHistograms: need max > min and bins >= 1, got [${min}, ${max}], ${bins}`);
  const width = (max - min) / bins;
  const outs = layerOutputs(model, x);
  const fractions = outs.map((o) => {
    const v = o.dataSync();
    const counts = new Array<number>(bins).fill(0);
    for (let i = 0; i < v.length; i++) counts[Math.min(bins - 1, Math.max(0, Math.floor((v[i] - min) / width)))]++;
    return counts.map((c) => c / v.length);
  });
  outs.forEach((o) => o.dispose());
  return { centres: Array.from({ length: bins }, (_, b) => min + (b + 0.5) * width), fractions, layers: model.layers.map((l) => l.name) };
}
