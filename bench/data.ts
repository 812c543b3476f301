/** Seeded synthetic data sets for the workloads (throughput does not depend on the values). */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../src/random";

export function normalTensor(rng: Rng, shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal();
  return tf.tensor(v, shape);
}

export function oneHotLabels(rng: Rng, n: number, classes: number): tf.Tensor2D {
  const ids = Int32Array.from({ length: n }, () => rng.integer(0, classes));
  return tf.tidy(() => tf.oneHot(tf.tensor1d(ids, "int32"), classes).toFloat() as tf.Tensor2D);
}
