/**
 * Single-kernel timings for the kernels src/backend/wasm-fast-kernels.ts replaces: run on "wasm"
 * (replacement) and "wasm-shipped" (tfjs-backend-wasm's own) to see each speed-up on the shapes
 * the course's models produce. Conv2DBackpropFilter has no shipped version (it is missing).
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../src/random";
import { normalTensor } from "../data";
import { median, timeIt, Workload } from "../workload";

interface KernelCase {
  label: string;
  kernel: string;
  inputs: Record<string, number[]>;
  attrs: object;
}


const CASES: KernelCase[] = [
  // Dense layers of the MLP (batch 256): dW = x^T dy and dx = dy W^T.
  { label: "BatchMatMul 256x64^T . 256x64 (dense dW)", kernel: "BatchMatMul", inputs: { a: [256, 64], b: [256, 64] }, attrs: { transposeA: true, transposeB: false } },
  { label: "BatchMatMul 256x64 . 64x64^T (dense dx)", kernel: "BatchMatMul", inputs: { a: [256, 64], b: [64, 64] }, attrs: { transposeA: false, transposeB: true } },
  // CNN head: flatten 2048 -> 10.
  { label: "BatchMatMul 64x2048^T . 64x10 (CNN dense dW)", kernel: "BatchMatMul", inputs: { a: [64, 2048], b: [64, 10] }, attrs: { transposeA: true, transposeB: false } },
  // LSTM(32) step, batch 64: recurrent kernel 32x128.
  { label: "BatchMatMul 64x32^T . 64x128 (LSTM dW)", kernel: "BatchMatMul", inputs: { a: [64, 32], b: [64, 128] }, attrs: { transposeA: true, transposeB: false } },
  { label: "BatchMatMul 64x128 . 32x128^T (LSTM dh)", kernel: "BatchMatMul", inputs: { a: [64, 128], b: [32, 128] }, attrs: { transposeA: false, transposeB: true } },
  { label: "BatchMatMul 8x128x64 . 8x64x128 (batched)", kernel: "BatchMatMul", inputs: { a: [8, 128, 64], b: [8, 64, 128] }, attrs: { transposeA: false, transposeB: false } },
  { label: "BatchMatMul 32x16^T . 32x32 (small)", kernel: "BatchMatMul", inputs: { a: [32, 16], b: [32, 32] }, attrs: { transposeA: true, transposeB: false } },
  // The bench CNN's second conv (16 -> 32 channels on 16x16, batch 64) and a stride-2 decoder.
  { label: "Conv2DBackpropInput 64x16x16x32 -> 16ch 3x3 s1", kernel: "Conv2DBackpropInput", inputs: { dy: [64, 16, 16, 32], filter: [3, 3, 16, 32] }, attrs: { strides: 1, pad: "same", dataFormat: "NHWC", inputShape: [64, 16, 16, 16] } },
  { label: "Conv2DBackpropInput 32x8x8x16 -> 16x16x8 s2 (ConvT)", kernel: "Conv2DBackpropInput", inputs: { dy: [32, 8, 8, 16], filter: [3, 3, 8, 16] }, attrs: { strides: 2, pad: "same", dataFormat: "NHWC", inputShape: [32, 16, 16, 8] } },
  { label: "Conv2DBackpropFilter 64x32x32x1 -> 16ch 3x3", kernel: "Conv2DBackpropFilter", inputs: { x: [64, 32, 32, 1], dy: [64, 32, 32, 16] }, attrs: { strides: 1, pad: "same", dataFormat: "NHWC", filterShape: [3, 3, 1, 16] } },
  { label: "Conv2DBackpropFilter 64x16x16x16 -> 32ch 3x3", kernel: "Conv2DBackpropFilter", inputs: { x: [64, 16, 16, 16], dy: [64, 16, 16, 32] }, attrs: { strides: 1, pad: "same", dataFormat: "NHWC", filterShape: [3, 3, 16, 32] } },
  { label: "MaxPoolGrad 64x32x32x16 pool 2", kernel: "MaxPoolGrad", inputs: { dy: [64, 16, 16, 16], input: [64, 32, 32, 16], output: [64, 16, 16, 16] }, attrs: { filterSize: 2, strides: 2, pad: "valid" } },
  { label: "MaxPoolGrad 64x16x16x32 pool 2", kernel: "MaxPoolGrad", inputs: { dy: [64, 8, 8, 32], input: [64, 16, 16, 32], output: [64, 8, 8, 32] }, attrs: { filterSize: 2, strides: 2, pad: "valid" } },
  { label: "ResizeNearestNeighborGrad 32x16x16x8 x2", kernel: "ResizeNearestNeighborGrad", inputs: { images: [32, 16, 16, 8], dy: [32, 32, 32, 8] }, attrs: { alignCorners: false, halfPixelCenters: false } },
  // RNN plumbing: one time step out of a [64, 50, 32] sequence, and the LSTM gate split.
  { label: "Slice 64x50x32 -> one step", kernel: "Slice", inputs: { x: [64, 50, 32] }, attrs: { begin: [0, 17, 0], size: [64, 1, 32] } },
  { label: "Unpack 64x50x32 along time", kernel: "Unpack", inputs: { value: [64, 50, 32] }, attrs: { axis: 1 } },
  { label: "SplitV 64x128 into 4 gates", kernel: "SplitV", inputs: { x: [64, 128] }, attrs: { numOrSizeSplits: 4, axis: 1 } },
  { label: "StridedSlice 64x50x32 [:, 10:20]", kernel: "StridedSlice", inputs: { x: [64, 50, 32] }, attrs: { begin: [0, 10, 0], end: [64, 20, 32], strides: [1, 1, 1], beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 } },
];

function slug(label: string): string {
  return "kernel:" + label.split(" (")[0].replace(/\s+/g, " ");
}

export const workloads: Workload[] = CASES.map((c) => ({
  name: slug(c.label),
  description: c.label,
  unit: "calls/s",
  backends: c.kernel === "Conv2DBackpropFilter" ? ["wasm"] : ["wasm", "wasm-shipped"],
  async run(ctx) {
    const rng = new Rng(5);
    const inputs: Record<string, tf.Tensor> = {};
    for (const [k, shape] of Object.entries(c.inputs)) inputs[k] = normalTensor(rng, shape);
    const call = () => tf.dispose(tf.engine().runKernel(c.kernel, inputs as unknown as tf.NamedTensorMap, c.attrs as tf.NamedAttrMap));
    // Calls in groups of ~20 ms; the median group's rate is the throughput.
    let reps = 1;
    while ((await timeIt(() => { for (let i = 0; i < reps; i++) call(); })) < 0.02) reps *= 2;
    const budget = ctx.quick ? 0.3 : 1.5;
    const groups: number[] = [];
    let seconds = 0;
    while (seconds < budget || groups.length < 5) {
      const s = await timeIt(() => {
        for (let i = 0; i < reps; i++) call();
      });
      groups.push(s);
      seconds += s;
    }
    tf.dispose(Object.values(inputs));
    const perCall = median(groups) / reps;
    return { items: reps * groups.length, seconds, throughput: 1 / perCall, note: `${(perCall * 1000).toFixed(3)} ms/call` };
  },
}));
