/**
 * Moving a network's weights between tfjs variables and one flat array of numbers, so that an
 * optimiser written on plain arrays (`src/optim/optimisers.ts`) can train a tfjs model: flatten
 * the gradients, take a step, write the new values back.
 */
import * as tf from "@tensorflow/tfjs";

/** All values of the tensors, concatenated in order (row-major within each tensor). */
export function flattenTensors(tensors: readonly tf.Tensor[]): number[] {
  const out: number[] = [];
  for (const t of tensors) {
    const values = t.dataSync();
    for (let i = 0; i < values.length; i++) out.push(values[i]);
  }
  return out;
}

/** Writes `values` (as produced by `flattenTensors`) back into the variables, in the same order. */
export function assignFlat(variables: readonly tf.Variable[], values: readonly number[]): void {
  const total = variables.reduce((n, v) => n + v.size, 0);
  if (values.length !== total) throw new Error(`assignFlat: ${values.length} values for ${total} variable entries`);
  let offset = 0;
  for (const v of variables) {
    const chunk = values.slice(offset, offset + v.size);
    tf.tidy(() => v.assign(tf.tensor(chunk, v.shape, v.dtype)));
    offset += v.size;
  }
}
