/**
 * The wasm kernels of src/backend/wasm-kernels.ts and wasm-fast-kernels.ts against the cpu
 * backend (the reference: plain JavaScript, no shortcuts), then an audit that every layer the
 * course uses trains one step on wasm with the same gradients as on cpu.
 *
 * Tolerance: float32 sums of n products differ between summation orders by about
 * sqrt(n) * 6e-8 relative to the result; n is at most a few thousand here, so a max-abs
 * difference below 1e-4 of the reference's largest magnitude leaves a wide margin.
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerCpuKernelFixes, registerWasmGradients } from "../src/backend/wasm-kernels";
import { activeWasmFastKernels, setConvChunkBudget } from "../src/backend/wasm-fast-kernels";
import { Rng, seedEverything, unseedMathRandom } from "../src/random";

type Arr = Float32Array | Int32Array;
interface Input {
  data: Arr;
  shape: number[];
  dtype: "float32" | "int32";
}
interface Row {
  kernel: string;
  config: string;
  maxAbsDiff: number;
  relErr: number;
}

const rows: Row[] = [];
const REL_TOL = 1e-4;

function randn(rng: Rng, shape: number[]): Input {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.normal();
  return { data, shape, dtype: "float32" };
}

/** Small integers, so pooling windows contain ties (the tie rule must match cpu). */
function randInt(rng: Rng, shape: number[], lo: number, hi: number, dtype: "float32" | "int32" = "float32"): Input {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === "int32" ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.integer(lo, hi);
  return { data, shape, dtype };
}

interface KernelRun {
  outs: Arr[];
  shapes: number[][];
}

/** Runs one kernel by name on a backend and checks that it leaves no tensor or wasm buffer behind. */
async function runKernel(backend: string, kernel: string, inputs: Record<string, Input>, attrs: object): Promise<KernelRun> {
  await tf.setBackend(backend);
  const ts: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.data, v.shape, v.dtype);
  const tensorsBefore = tf.memory().numTensors;
  const buffersBefore = tf.engine().backend.numDataIds();
  const res = tf.engine().runKernel(kernel, ts as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap);
  const list = Array.isArray(res) ? res : [res];
  const outs = list.map((t) => t.dataSync() as Arr);
  const shapes = list.map((t) => t.shape);
  tf.dispose(list);
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  expect(tf.engine().backend.numDataIds()).toBe(buffersBefore);
  tf.dispose(Object.values(ts));
  return { outs, shapes };
}

async function compare(kernel: string, config: string, inputs: Record<string, Input>, attrs: object): Promise<void> {
  const ref = await runKernel("cpu", kernel, inputs, attrs);
  const got = await runKernel("wasm", kernel, inputs, attrs);
  expect(got.shapes).toEqual(ref.shapes);
  let maxAbsDiff = 0;
  let maxRef = 0;
  ref.outs.forEach((r, k) => {
    const g = got.outs[k];
    expect(g.length).toBe(r.length);
    for (let i = 0; i < r.length; i++) {
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(g[i] - r[i]));
      maxRef = Math.max(maxRef, Math.abs(r[i]));
      if (Number.isNaN(r[i]) !== Number.isNaN(g[i])) throw new Error(`${kernel} ${config}: NaN mismatch at ${i}`);
    }
  });
  const relErr = maxAbsDiff / Math.max(maxRef, 1e-30);
  rows.push({ kernel, config, maxAbsDiff, relErr });
  expect(relErr).toBeLessThan(REL_TOL);
}

type Pad = "same" | "valid" | number | [[number, number], [number, number], [number, number], [number, number]];
interface ConvCase {
  x: [number, number, number, number];
  f: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
}

const CONV_CASES: ConvCase[] = [
  { x: [2, 7, 9, 3], f: [3, 3, 3, 4], strides: 1, pad: "same" },
  { x: [2, 7, 9, 3], f: [3, 3, 3, 4], strides: 2, pad: "same" },
  { x: [3, 8, 7, 2], f: [3, 2, 2, 5], strides: [2, 1], pad: "valid" },
  { x: [2, 9, 9, 3], f: [5, 5, 3, 2], strides: 2, pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
  { x: [1, 5, 5, 1], f: [1, 1, 1, 3], strides: 1, pad: "valid" },
  { x: [4, 11, 10, 4], f: [3, 3, 4, 6], strides: 3, pad: "same" },
  { x: [2, 6, 7, 3], f: [3, 3, 3, 2], strides: 1, pad: 1 },
  { x: [2, 8, 8, 3], f: [2, 2, 3, 4], strides: 2, pad: "valid" },
  { x: [5, 16, 15, 8], f: [3, 3, 8, 16], strides: 1, pad: "same" },
];

/** Budgets (floats) small enough to force several row chunks: 1 row per chunk, and a few rows. */
const CHUNKED: Array<[number, ConvCase]> = [
  [1, { x: [3, 9, 8, 3], f: [3, 3, 3, 4], strides: 2, pad: "same" }],
  [500, { x: [4, 12, 11, 2], f: [3, 2, 2, 3], strides: [1, 2], pad: "valid" }],
];

function convLabel(c: ConvCase): string {
  const pad = Array.isArray(c.pad) ? `[${c.pad.slice(1, 3).map((p) => p.join(",")).join(";")}]` : String(c.pad);
  return `x${c.x.join("x")} f${c.f.join("x")} s${c.strides} ${pad}`;
}

function convOutShape(c: ConvCase): [number, number, number, number] {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.strides, 1, c.pad);
  return info.outShape;
}

beforeAll(async () => {
  await tf.setBackend("wasm");
  registerWasmGradients();
  await tf.setBackend("cpu");
  // The reference must be right too: cpu's ResizeNearestNeighborGrad is wrong for batch > 1.
  expect(registerCpuKernelFixes()).toEqual(["ResizeNearestNeighborGrad"]);
  // tests/setup-tfjs.ts sets IS_TEST, which also turns on tfjs's per-kernel leak check; that check
  // miscounts on wasm (its Identity copies saved tensors) and fails any training step there, with
  // or without our kernels.
  tf.env().set("IS_TEST", false);
});

afterAll(() => {
  unseedMathRandom();
  const line = (r: Row) => `${r.kernel.padEnd(36)} ${r.config.padEnd(44)} ${r.maxAbsDiff.toExponential(2).padStart(9)} ${r.relErr.toExponential(2).padStart(9)}`;
  const head = `${"kernel (wasm vs cpu)".padEnd(36)} ${"configuration".padEnd(44)} ${"max|diff|".padStart(9)} ${"rel".padStart(9)}`;
  console.log([head, ...rows.map(line)].join("\n"));
});

describe("registration", () => {
  test("is idempotent and replaces the slow shipped kernels", async () => {
    await tf.setBackend("wasm");
    expect(registerWasmGradients()).toEqual([]);
    for (const k of ["Conv2DBackpropFilter", "UnsortedSegmentSum", "DepthwiseConv2dNativeBackpropInput", "DepthwiseConv2dNativeBackpropFilter"]) {
      expect(tf.getKernel(k, "wasm")).toBeDefined();
    }
    expect(tf.getKernel("ResizeNearestNeighborGrad", "wasm")).toBeDefined();
    expect(activeWasmFastKernels().sort()).toEqual(["BatchMatMul", "Conv2DBackpropInput", "MaxPoolGrad", "Slice", "SplitV", "StridedSlice", "Unpack"]);
    // Switching backends re-runs kernel set-up functions; ours must survive it.
    await tf.setBackend("cpu");
    await tf.setBackend("wasm");
    expect(tf.tidy(() => tf.matMul(tf.ones([40, 30]), tf.ones([50, 30]), false, true).sum().dataSync()[0])).toBe(40 * 50 * 30);
  });
});

describe("kernels match the cpu backend", () => {
  const rng = new Rng(20240611);

  test.each(CONV_CASES.map((c) => [convLabel(c), c] as const))("Conv2DBackpropFilter %s", async (_label, c) => {
    const dy = randn(rng, convOutShape(c));
    await compare("Conv2DBackpropFilter", convLabel(c), { x: randn(rng, c.x), dy }, { strides: c.strides, pad: c.pad, dataFormat: "NHWC", filterShape: c.f });
  });

  test.each(CONV_CASES.map((c) => [convLabel(c), c] as const))("Conv2DBackpropInput %s", async (_label, c) => {
    const dy = randn(rng, convOutShape(c));
    await compare("Conv2DBackpropInput", convLabel(c), { dy, filter: randn(rng, c.f) }, { strides: c.strides, pad: c.pad, dataFormat: "NHWC", inputShape: c.x });
  });

  // Channels-first data (the tfjs-layers path is always NHWC, but tf.conv2d accepts NCHW).
  test.each([
    ["NCHW x2x3x7x9 f3x3x3x4 s1 same", [2, 3, 7, 9], [3, 3, 3, 4], 1, "same"],
    ["NCHW x2x3x9x8 f3x2x3x2 s2 explicit [1,0;2,1]", [2, 3, 9, 8], [3, 2, 3, 2], 2, [[0, 0], [0, 0], [1, 0], [2, 1]]],
  ] as Array<[string, [number, number, number, number], [number, number, number, number], number, Pad]>)("Conv2DBackpropFilter %s", async (label, xShape, f, strides, pad) => {
    const info = tf.backend_util.computeConv2DInfo(xShape, f, strides, 1, pad, undefined, false, "channelsFirst");
    const dy = randn(rng, info.outShape);
    await compare("Conv2DBackpropFilter", label, { x: randn(rng, xShape), dy }, { strides, pad, dataFormat: "NCHW", filterShape: f });
    await compare("Conv2DBackpropInput", label, { dy, filter: randn(rng, f) }, { strides, pad, dataFormat: "NCHW", inputShape: xShape });
  });

  test.each(CHUNKED.map(([budget, c]) => [`${convLabel(c)} budget ${budget}`, budget, c] as const))("Conv2D gradients in row chunks %s", async (label, budget, c) => {
    const previous = setConvChunkBudget(budget);
    try {
      const dy = randn(rng, convOutShape(c));
      const common = { strides: c.strides, pad: c.pad, dataFormat: "NHWC" };
      await compare("Conv2DBackpropFilter", label, { x: randn(rng, c.x), dy }, { ...common, filterShape: c.f });
      await compare("Conv2DBackpropInput", label, { dy, filter: randn(rng, c.f) }, { ...common, inputShape: c.x });
    } finally {
      setConvChunkBudget(previous);
    }
  });

  const POOL_CASES: Array<{ x: [number, number, number, number]; size: number | [number, number]; strides: number | [number, number]; pad: "same" | "valid" | number }> = [
    { x: [2, 8, 8, 3], size: 2, strides: 2, pad: "valid" },
    { x: [2, 7, 9, 3], size: 3, strides: 2, pad: "same" },
    { x: [1, 9, 9, 2], size: 3, strides: 1, pad: "same" },
    { x: [2, 6, 5, 4], size: [2, 3], strides: [2, 1], pad: "valid" },
    { x: [3, 7, 7, 5], size: 2, strides: 2, pad: "same" },
    { x: [2, 10, 10, 2], size: 3, strides: 3, pad: 1 },
  ];
  test.each(POOL_CASES.map((c) => [`x${c.x.join("x")} k${c.size} s${c.strides} ${c.pad}`, c] as const))("MaxPoolGrad %s (ties included)", async (label, c) => {
    const x = randInt(rng, c.x, -3, 4);
    const info = tf.backend_util.computePool2DInfo(c.x, c.size, c.strides, 1, c.pad);
    const pooled = tf.tidy(() => tf.maxPool(tf.tensor4d(x.data, c.x), c.size, c.strides, c.pad));
    const output: Input = { data: pooled.dataSync() as Float32Array, shape: pooled.shape, dtype: "float32" };
    pooled.dispose();
    await compare("MaxPoolGrad", label, { dy: randn(rng, info.outShape), input: x, output }, { filterSize: c.size, strides: c.strides, pad: c.pad });
  });

  const MATMUL_CASES: Array<[number[], number[], boolean, boolean]> = [
    [[40, 30], [30, 50], false, false],
    [[30, 40], [30, 50], true, false],
    [[40, 30], [50, 30], false, true],
    [[30, 40], [50, 30], true, true],
    [[256, 64], [256, 10], true, false], // dense dW, flipped product is cheaper
    [[64, 2048], [10, 2048], false, true],
    [[3, 17, 30], [3, 30, 20], false, false],
    [[3, 30, 17], [3, 20, 30], true, true],
    [[4, 17, 30], [1, 30, 20], false, false], // broadcast right operand: batch folded into rows
    [[1, 30, 17], [4, 30, 20], true, false], // broadcast left operand
    [[2, 3, 16, 30], [2, 3, 20, 30], false, true], // rank 4
    [[4, 3], [4, 5], true, false], // tiny: left to the shipped loop
  ];
  test.each(MATMUL_CASES.map((c) => [`a${c[0].join("x")}${c[2] ? "ᵀ" : ""} b${c[1].join("x")}${c[3] ? "ᵀ" : ""}`, c] as const))("BatchMatMul %s", async (label, [a, b, tA, tB]) => {
    await compare("BatchMatMul", label, { a: randn(rng, a), b: randn(rng, b) }, { transposeA: tA, transposeB: tB });
  });

  test.each([
    ["x5x7x3 begin[1,2,0] size[3,4,3]", [5, 7, 3], [1, 2, 0], [3, 4, 3]],
    ["x5x7x3 begin[2,0,0] size[2,-1,-1] (contiguous)", [5, 7, 3], [2, 0, 0], [2, -1, -1]],
    ["x4x3x5x6 begin[1,1,2,3] size[2,2,3,2]", [4, 3, 5, 6], [1, 1, 2, 3], [2, 2, 3, 2]],
    ["x2x3x4x5x3 begin[0,1,1,2,1] size[2,2,2,3,2] (rank 5)", [2, 3, 4, 5, 3], [0, 1, 1, 2, 1], [2, 2, 2, 3, 2]],
    ["x9 begin[3] size[4]", [9], [3], [4]],
  ] as Array<[string, number[], number[], number[]]>)("Slice %s", async (label, shape, begin, size) => {
    await compare("Slice", label, { x: randn(rng, shape) }, { begin, size });
    await compare("Slice", `${label} int32`, { x: randInt(rng, shape, -50, 50, "int32") }, { begin, size });
  });

  test.each([
    ["x6x4x3 axis 0", [6, 4, 3], 0],
    ["x6x4x3 axis 1", [6, 4, 3], 1],
    ["x6x4x3 axis -1", [6, 4, 3], -1],
  ] as Array<[string, number[], number]>)("Unpack %s", async (label, shape, axis) => {
    await compare("Unpack", label, { value: randn(rng, shape) }, { axis });
  });

  test.each([
    ["x8x12 into 4 on axis 1", [8, 12], 4, 1],
    ["x8x12 sizes [2,5,1] on axis 0", [8, 12], [2, 5, 1], 0],
    ["x3x5x8 sizes [3,-1] on axis 2", [3, 5, 8], [3, -1], 2],
  ] as Array<[string, number[], number | number[], number]>)("SplitV %s", async (label, shape, numOrSizeSplits, axis) => {
    await compare("SplitV", label, { x: randn(rng, shape) }, { numOrSizeSplits, axis });
  });

  const ss = (begin: number[], end: number[], strides: number[], masks: Partial<Record<"beginMask" | "endMask" | "ellipsisMask" | "newAxisMask" | "shrinkAxisMask", number>> = {}) => ({
    begin, end, strides, beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0, ...masks,
  });
  test.each([
    ["x6x5x4 [1:4, 0:5, 1:3] (simple)", [6, 5, 4], ss([1, 0, 1], [4, 5, 3], [1, 1, 1])],
    ["x6x5x4 [2:5] (dim 0)", [6, 5, 4], ss([2], [5], [1])],
    ["x6x5x4 [::2, 1:4:2] (strided: native)", [6, 5, 4], ss([0, 1], [6, 4], [2, 2])],
    ["x6x5x4 [3, :, 1:3] (shrink axis 0)", [6, 5, 4], ss([3, 0, 1], [4, 5, 3], [1, 1, 1], { shrinkAxisMask: 1, endMask: 2 })],
  ] as Array<[string, number[], object]>)("StridedSlice %s", async (label, shape, attrs) => {
    await compare("StridedSlice", label, { x: randn(rng, shape) }, attrs);
  });

  test.each([
    ["x10x4 ids in [0,6)", [10, 4], 6, false],
    ["x12x2x3 ids with repeats, 3 segments", [12, 2, 3], 3, false],
    ["x9x5 some ids out of range (dropped)", [9, 5], 4, true],
  ] as Array<[string, number[], number, boolean]>)("UnsortedSegmentSum %s", async (label, shape, numSegments, outOfRange) => {
    const ids = randInt(rng, [shape[0]], outOfRange ? -1 : 0, numSegments + (outOfRange ? 2 : 0), "int32");
    await compare("UnsortedSegmentSum", label, { x: randn(rng, shape), segmentIds: ids }, { numSegments });
  });

  test.each([
    ["x2x3x3x2 -> 6x6", [2, 3, 3, 2], [6, 6], false, false],
    ["x3x4x3x3 -> 8x9", [3, 4, 3, 3], [8, 9], false, false],
    ["x2x3x4x1 -> 7x5 alignCorners", [2, 3, 4, 1], [7, 5], true, false],
    ["x2x5x4x2 -> 7x9 halfPixelCenters", [2, 5, 4, 2], [7, 9], false, true],
  ] as Array<[string, [number, number, number, number], [number, number], boolean, boolean]>)("ResizeNearestNeighborGrad %s", async (label, shape, size, alignCorners, halfPixelCenters) => {
    const images = randn(rng, shape);
    const dy = randn(rng, [shape[0], size[0], size[1], shape[3]]);
    const attrs = { alignCorners, halfPixelCenters, size };
    // Independent reference: the gradient of sum(resize(x) * dy) is linear in dy, so push each
    // dy pixel back to the pixel the cpu forward kernel copied.
    await tf.setBackend("cpu");
    const index = tf.tidy(() => {
      const ids = tf.range(0, shape.reduce((a, b) => a * b, 1)).reshape(shape) as tf.Tensor4D;
      return tf.image.resizeNearestNeighbor(ids, size, alignCorners, halfPixelCenters).dataSync();
    });
    const manual = new Float32Array(images.data.length);
    index.forEach((src, i) => (manual[src] += dy.data[i]));
    const got = await runKernel("wasm", "ResizeNearestNeighborGrad", { images, dy }, attrs);
    const diff = Math.max(...Array.from(manual, (v, i) => Math.abs(v - got.outs[0][i])));
    expect(diff / Math.max(...Array.from(manual, Math.abs))).toBeLessThan(REL_TOL);
    await compare("ResizeNearestNeighborGrad", label, { images, dy }, attrs);
  });

  const DW_CASES: Array<{ x: [number, number, number, number]; f: [number, number, number, number]; strides: number; pad: "same" | "valid"; dilations: number }> = [
    { x: [2, 7, 8, 3], f: [3, 3, 3, 1], strides: 1, pad: "same", dilations: 1 },
    { x: [2, 9, 7, 2], f: [3, 3, 2, 2], strides: 2, pad: "same", dilations: 1 },
    { x: [1, 8, 8, 3], f: [2, 3, 3, 2], strides: 1, pad: "valid", dilations: 1 },
    { x: [2, 9, 9, 2], f: [3, 3, 2, 2], strides: 1, pad: "same", dilations: 2 },
  ];
  test.each(DW_CASES.filter((c) => c.dilations === 1).map((c) => [`x${c.x.join("x")} f${c.f.join("x")} s${c.strides} ${c.pad}`, c] as const))("Depthwise conv gradients %s", async (label, c) => {
    const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.strides, 1, c.pad, undefined, true);
    const dy = randn(rng, info.outShape);
    const common = { strides: c.strides, pad: c.pad, dilations: 1 };
    await compare("DepthwiseConv2dNativeBackpropInput", label, { dy, filter: randn(rng, c.f) }, { ...common, inputShape: c.x });
    await compare("DepthwiseConv2dNativeBackpropFilter", label, { x: randn(rng, c.x), dy }, { ...common, filterShape: c.f });
  });

  // The cpu kernels ignore dilations (tfjs-core's gradient never passes them), so the reference
  // here is cpu with the equivalent undilated filter: zeros inserted between the taps.
  test.each(DW_CASES.filter((c) => c.dilations > 1).map((c) => [`x${c.x.join("x")} f${c.f.join("x")} s${c.strides} ${c.pad} d${c.dilations}`, c] as const))("Depthwise conv gradients with dilation %s", async (label, c) => {
    const d = c.dilations;
    const [kh, kw, C, M] = c.f;
    const eff: [number, number, number, number] = [(kh - 1) * d + 1, (kw - 1) * d + 1, C, M];
    const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.strides, d, c.pad, undefined, true);
    const dy = randn(rng, info.outShape);
    const x = randn(rng, c.x);
    const w = randn(rng, c.f);
    const wEff = new Float32Array(eff.reduce((a, b) => a * b, 1));
    const tapOffset = (i: number, j: number, k: number[]) => ((i * k[1] + j) * C) * M;
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) wEff.set(w.data.subarray(tapOffset(i, j, c.f), tapOffset(i, j, c.f) + C * M), tapOffset(i * d, j * d, eff));
    const dilated = { strides: c.strides, pad: c.pad, dilations: d };
    const plain = { strides: c.strides, pad: c.pad, dilations: 1 };
    const refDx = await runKernel("cpu", "DepthwiseConv2dNativeBackpropInput", { dy, filter: { data: wEff, shape: eff, dtype: "float32" } }, { ...plain, inputShape: c.x });
    const gotDx = await runKernel("wasm", "DepthwiseConv2dNativeBackpropInput", { dy, filter: w }, { ...dilated, inputShape: c.x });
    const refDwEff = await runKernel("cpu", "DepthwiseConv2dNativeBackpropFilter", { x, dy }, { ...plain, filterShape: eff });
    const gotDw = await runKernel("wasm", "DepthwiseConv2dNativeBackpropFilter", { x, dy }, { ...dilated, filterShape: c.f });
    const refDw = new Float32Array(w.data.length);
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) refDw.set(refDwEff.outs[0].subarray(tapOffset(i * d, j * d, eff), tapOffset(i * d, j * d, eff) + C * M), tapOffset(i, j, c.f));
    for (const [kernel, ref, got] of [["DepthwiseConv2dNativeBackpropInput", refDx.outs[0], gotDx.outs[0]], ["DepthwiseConv2dNativeBackpropFilter", refDw, gotDw.outs[0]]] as const) {
      let maxAbsDiff = 0;
      let maxRef = 0;
      for (let i = 0; i < ref.length; i++) {
        maxAbsDiff = Math.max(maxAbsDiff, Math.abs(got[i] - ref[i]));
        maxRef = Math.max(maxRef, Math.abs(ref[i]));
      }
      rows.push({ kernel, config: label, maxAbsDiff, relErr: maxAbsDiff / maxRef });
      expect(maxAbsDiff / maxRef).toBeLessThan(REL_TOL);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Audit: one training step of every layer/loss/regulariser the course uses, on wasm, with the
// same gradients as on cpu.

interface AuditCase {
  name: string;
  build: () => tf.LayersModel;
  loss: string;
  x: (rng: Rng) => tf.Tensor;
  y: (rng: Rng) => tf.Tensor;
}

const batch = 6;
const t = (rng: Rng, shape: number[]) => {
  const v = randn(rng, shape);
  return tf.tensor(v.data, shape);
};
const oneHot = (rng: Rng, n: number) => {
  const ids = Array.from({ length: batch }, () => rng.integer(0, n));
  return tf.tidy(() => tf.oneHot(tf.tensor1d(ids, "int32"), n).toFloat());
};
const labels = (rng: Rng, n: number) => tf.tensor1d(Array.from({ length: batch }, () => rng.integer(0, n)), "float32");
const bits = (rng: Rng) => tf.tensor2d(Array.from({ length: batch }, () => [rng.integer(0, 2)]), [batch, 1]);

function dense(activation: string): AuditCase {
  return {
    name: `Dense ${activation}`,
    build: () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 8, activation: activation as never }), tf.layers.dense({ units: 2 })] }),
    loss: "meanSquaredError",
    x: (r) => t(r, [batch, 3]),
    y: (r) => t(r, [batch, 2]),
  };
}

const AUDIT: AuditCase[] = [
  ...["relu", "elu", "selu", "tanh", "sigmoid", "softplus", "softmax", "linear"].map(dense),
  {
    name: "LeakyReLU, PReLU, ELU layers",
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [3], units: 8 }), tf.layers.leakyReLU({ alpha: 0.1 }),
          tf.layers.dense({ units: 8 }), tf.layers.prelu({ alphaInitializer: tf.initializers.constant({ value: 0.25 }) }),
          tf.layers.dense({ units: 8 }), tf.layers.elu(),
          tf.layers.dense({ units: 1 }),
        ],
      }),
    loss: "meanSquaredError",
    x: (r) => t(r, [batch, 3]),
    y: (r) => t(r, [batch, 1]),
  },
  {
    name: "Dense + Dropout + BatchNormalization, L1/L2, categoricalCrossentropy",
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [5], units: 16, activation: "relu", kernelRegularizer: tf.regularizers.l2({ l2: 0.01 }), biasRegularizer: tf.regularizers.l1({ l1: 0.01 }) }),
          tf.layers.dropout({ rate: 0.3 }),
          tf.layers.batchNormalization(),
          tf.layers.dense({ units: 3, activation: "softmax", kernelRegularizer: tf.regularizers.l1l2({ l1: 0.001, l2: 0.001 }) }),
        ],
      }),
    loss: "categoricalCrossentropy",
    x: (r) => t(r, [batch, 5]),
    y: (r) => oneHot(r, 3),
  },
  {
    name: "Dense sigmoid, binaryCrossentropy",
    build: () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 6, activation: "tanh" }), tf.layers.dense({ units: 1, activation: "sigmoid" })] }),
    loss: "binaryCrossentropy",
    x: (r) => t(r, [batch, 4]),
    y: (r) => bits(r),
  },
  {
    name: "Conv2D s1 same/s2 valid, MaxPool, AvgPool, Flatten, sparse CE",
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [13, 12, 2], filters: 4, kernelSize: 3, padding: "same", activation: "relu" }),
          tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: "valid", activation: "elu" }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 3, kernelSize: [2, 1], strides: [2, 1], padding: "same" }),
          tf.layers.averagePooling2d({ poolSize: [1, 2], padding: "same" }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 4, activation: "softmax" }),
        ],
      }),
    loss: "sparseCategoricalCrossentropy",
    x: (r) => t(r, [batch, 13, 12, 2]),
    y: (r) => labels(r, 4),
  },
  {
    name: "Conv2D + GlobalAveragePooling2D",
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [9, 9, 1], filters: 6, kernelSize: 3, strides: 2, padding: "same", activation: "relu" }),
          tf.layers.globalAveragePooling2d({}),
          tf.layers.dense({ units: 2 }),
        ],
      }),
    loss: "meanSquaredError",
    x: (r) => t(r, [batch, 9, 9, 1]),
    y: (r) => t(r, [batch, 2]),
  },
  {
    name: "Dense, Reshape, UpSampling2D, Conv2DTranspose s2, Flatten",
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [4], units: 3 * 3 * 4, activation: "relu" }),
          tf.layers.reshape({ targetShape: [3, 3, 4] }),
          tf.layers.upSampling2d({ size: [2, 2] }),
          tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: "same", activation: "relu" }),
          tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: "valid" }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 2 }),
        ],
      }),
    loss: "meanSquaredError",
    x: (r) => t(r, [batch, 4]),
    y: (r) => t(r, [batch, 2]),
  },
  {
    name: "Conv autoencoder (Conv2D s2 -> Conv2DTranspose s2)",
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, strides: 2, padding: "same", activation: "relu" }),
          tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: "same" }),
        ],
      }),
    loss: "meanSquaredError",
    x: (r) => t(r, [batch, 8, 8, 1]),
    y: (r) => t(r, [batch, 8, 8, 1]),
  },
  {
    name: "LSTM (sequences) -> GRU -> Dense",
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.lstm({ inputShape: [7, 3], units: 5, returnSequences: true }),
          tf.layers.gru({ units: 4 }),
          tf.layers.dense({ units: 1 }),
        ],
      }),
    loss: "meanSquaredError",
    x: (r) => t(r, [batch, 7, 3]),
    y: (r) => t(r, [batch, 1]),
  },
  {
    name: "SimpleRNN",
    build: () => tf.sequential({ layers: [tf.layers.simpleRNN({ inputShape: [6, 2], units: 4 }), tf.layers.dense({ units: 1 })] }),
    loss: "meanSquaredError",
    x: (r) => t(r, [batch, 6, 2]),
    y: (r) => t(r, [batch, 1]),
  },
  {
    name: "Embedding -> LSTM -> sigmoid, binaryCrossentropy",
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 12, outputDim: 4, inputLength: 5 }),
          tf.layers.lstm({ units: 3 }),
          tf.layers.dense({ units: 1, activation: "sigmoid" }),
        ],
      }),
    loss: "binaryCrossentropy",
    x: (r) => tf.tensor2d(Array.from({ length: batch }, () => Array.from({ length: 5 }, () => r.integer(0, 12))), [batch, 5]),
    y: (r) => bits(r),
  },
  {
    name: "DepthwiseConv2D + SeparableConv2D",
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.depthwiseConv2d({ inputShape: [8, 8, 2], kernelSize: 3, depthMultiplier: 2, padding: "same" }),
          tf.layers.separableConv2d({ filters: 3, kernelSize: 3, strides: 2, padding: "same" }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 1 }),
        ],
      }),
    loss: "meanSquaredError",
    x: (r) => t(r, [batch, 8, 8, 2]),
    y: (r) => t(r, [batch, 1]),
  },
];

interface StepResult {
  loss: number;
  before: Float32Array[];
  after: Float32Array[];
}

/** One SGD step (lr 1, so weight change = gradient) from given weights on the current backend. */
async function oneStep(c: AuditCase, weights: Array<{ data: Float32Array; shape: number[] }> | null): Promise<StepResult & { weights: Array<{ data: Float32Array; shape: number[] }> }> {
  seedEverything(7);
  const model = c.build();
  if (weights) {
    const ws = weights.map((w) => tf.tensor(w.data, w.shape));
    model.setWeights(ws);
    tf.dispose(ws);
  }
  const snapshot = () => model.getWeights().map((w) => ({ data: w.dataSync() as Float32Array, shape: w.shape }));
  const before = snapshot();
  const optimizer = tf.train.sgd(1);
  model.compile({ optimizer, loss: c.loss });
  const rng = new Rng(99);
  const x = c.x(rng);
  const y = c.y(rng);
  seedEverything(11); // same dropout mask on both backends
  const loss = (await model.trainOnBatch(x, y)) as number;
  const after = snapshot();
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  return { loss, before: before.map((w) => w.data), after: after.map((w) => w.data), weights: before };
}

describe("every course layer trains one step on wasm", () => {
  test.each(AUDIT.map((c) => [c.name, c] as const))("%s", async (name, c) => {
    await tf.setBackend("cpu");
    const ref = await oneStep(c, null);
    await tf.setBackend("wasm");
    const got = await oneStep(c, ref.weights);
    // tfjs-layers caches a few constants (regulariser weights) on first use: count on a second run.
    const tensorsBefore = tf.memory().numTensors;
    const buffersBefore = tf.engine().backend.numDataIds();
    await oneStep(c, ref.weights);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(tf.engine().backend.numDataIds()).toBe(buffersBefore);
    expect(Number.isFinite(got.loss)).toBe(true);
    expect(Math.abs(got.loss - ref.loss)).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref.loss)));
    // Every trainable weight moved, and by the same amount as on cpu.
    let maxAbsDiff = 0;
    let maxStep = 0;
    let moved = 0;
    got.after.forEach((w, k) => {
      const b = got.before[k];
      const r = ref.after[k];
      let changed = false;
      for (let i = 0; i < w.length; i++) {
        maxAbsDiff = Math.max(maxAbsDiff, Math.abs(w[i] - r[i]));
        maxStep = Math.max(maxStep, Math.abs(r[i] - ref.before[k][i]));
        if (w[i] !== b[i]) changed = true;
      }
      if (changed) moved++;
    });
    expect(moved).toBeGreaterThan(0);
    const relErr = maxAbsDiff / Math.max(maxStep, 1e-30);
    rows.push({ kernel: "train step (weights after SGD)", config: name.slice(0, 44), maxAbsDiff, relErr });
    // A training step chains many float32 kernels (BatchNorm divides by a batch variance): 1e-3.
    expect(relErr).toBeLessThan(1e-3);
  });

  test("grad of grad of an ELU/tanh/selu/softplus emulator w.r.t. its inputs matches finite differences", async () => {
    for (const backend of ["cpu", "wasm"]) {
      await tf.setBackend(backend);
      seedEverything(3);
      for (const act of ["elu", "tanh", "selu", "softplus", "sigmoid"]) {
        const model = tf.sequential({
          layers: [
            tf.layers.dense({ inputShape: [4], units: 16, activation: act as never }),
            tf.layers.dense({ units: 16, activation: act as never }),
            tf.layers.dense({ units: 2 }),
          ],
        });
        const x0 = [[0.3, -0.2, 0.5, -0.7]];
        const tensorsBefore = tf.memory().numTensors;
        // g(x) = d sum(f(x)) / dx;  h = d sum(g(x)^2) / dx: needs grad of grad through the activation.
        const g = tf.grad((x: tf.Tensor) => (model.apply(x) as tf.Tensor).sum());
        const phi = (x: tf.Tensor) => g(x).square().sum();
        const h = tf.tidy(() => tf.grad(phi)(tf.tensor2d(x0)).dataSync());
        const eps = 1e-2;
        for (let k = 0; k < 4; k++) {
          const at = (d: number) => tf.tidy(() => {
            const x = x0.map((r) => r.slice());
            x[0][k] += d;
            return phi(tf.tensor2d(x)).dataSync()[0];
          });
          const fd = (at(eps) - at(-eps)) / (2 * eps);
          expect(Math.abs(h[k] - fd)).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd)));
        }
        // Gradient penalty: the weights' gradient of sum(g^2) also needs second order.
        const { value, grads } = tf.variableGrads(() => phi(tf.tensor2d(x0)) as tf.Scalar);
        expect(Object.keys(grads).length).toBeGreaterThan(0);
        tf.dispose([value, ...Object.values(grads)]);
        expect(tf.memory().numTensors).toBe(tensorsBefore);
        model.dispose();
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The fused whole-sequence LSTM (src/backend/fused-recurrent.ts): tf.layers.lstm on wasm runs two
// kernels instead of the step loop; values and gradients (input and every weight) must match the
// cpu backend's stock layer.

interface LstmCase {
  B: number;
  T: number;
  F: number;
  U: number;
  rec: "sigmoid" | "hardSigmoid";
  returnSequences: boolean;
  goBackwards: boolean;
  useBias: boolean;
  masked: boolean;
}

const LSTM_CASES: LstmCase[] = [
  { B: 5, T: 7, F: 3, U: 4, rec: "sigmoid", returnSequences: false, goBackwards: false, useBias: true, masked: false },
  { B: 5, T: 7, F: 3, U: 4, rec: "hardSigmoid", returnSequences: true, goBackwards: false, useBias: true, masked: false },
  { B: 3, T: 11, F: 1, U: 9, rec: "hardSigmoid", returnSequences: false, goBackwards: true, useBias: true, masked: false },
  { B: 4, T: 6, F: 5, U: 3, rec: "sigmoid", returnSequences: true, goBackwards: true, useBias: false, masked: false },
  { B: 6, T: 9, F: 2, U: 5, rec: "sigmoid", returnSequences: false, goBackwards: false, useBias: true, masked: true },
  { B: 6, T: 9, F: 2, U: 5, rec: "hardSigmoid", returnSequences: true, goBackwards: true, useBias: true, masked: true },
  // (T = 1 is not compared: the stock layer's gradient fails there on every backend, tfjs 4.22.)
  { B: 1, T: 2, F: 2, U: 3, rec: "sigmoid", returnSequences: true, goBackwards: false, useBias: true, masked: false },
  { B: 3, T: 8, F: 1, U: 32, rec: "hardSigmoid", returnSequences: false, goBackwards: false, useBias: true, masked: false },
];

function lstmLabel(c: LstmCase): string {
  return `B${c.B} T${c.T} F${c.F} U${c.U} ${c.rec}${c.returnSequences ? " seq" : ""}${c.goBackwards ? " back" : ""}${c.useBias ? "" : " nobias"}${c.masked ? " masked" : ""}`;
}

interface LstmRun {
  values: Float32Array;
  grads: Float32Array[];
  kernels: string[];
}

/** Output and d(sum(output * r))/d(x, weights) of an LSTM layer (behind Masking when masked). */
async function lstmRun(backend: string, c: LstmCase, x: Input, weights: Input[] | null, r: Input): Promise<LstmRun & { weights: Input[] }> {
  await tf.setBackend(backend);
  seedEverything(5);
  const layers: tf.layers.Layer[] = [];
  if (c.masked) layers.push(tf.layers.masking({ inputShape: [c.T, c.F], maskValue: 0 }));
  layers.push(tf.layers.lstm({ ...(c.masked ? {} : { inputShape: [c.T, c.F] }), units: c.U, recurrentActivation: c.rec, returnSequences: c.returnSequences, goBackwards: c.goBackwards, useBias: c.useBias }));
  const model = tf.sequential({ layers });
  if (weights) model.setWeights(weights.map((w) => tf.tensor(w.data, w.shape)));
  const ws = model.getWeights().map((w) => ({ data: w.dataSync() as Float32Array, shape: w.shape, dtype: "float32" as const }));
  if (!weights) {
    model.dispose();
    return { values: new Float32Array(), grads: [], kernels: [], weights: ws };
  }
  const xv = tf.variable(tf.tensor(x.data, x.shape));
  const rt = tf.tensor(r.data, r.shape);
  const loss = () => tf.sum(tf.mul(model.apply(xv, { training: true }) as tf.Tensor, rt)) as tf.Scalar;
  const names = [xv.name, ...model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val.name)];
  const values = tf.tidy(() => (model.apply(xv, { training: true }) as tf.Tensor).dataSync() as Float32Array);
  // The first run also warms tfjs-layers' cached constants, so the leak check below is exact.
  const profile = await tf.profile(() => tf.dispose(tf.variableGrads(loss).grads));
  const tensorsBefore = tf.memory().numTensors;
  const buffersBefore = tf.engine().backend.numDataIds();
  const { grads, value } = tf.variableGrads(loss);
  const gradArrays = names.map((n) => grads[n].dataSync() as Float32Array);
  tf.dispose([value, ...Object.values(grads)]);
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  expect(tf.engine().backend.numDataIds()).toBe(buffersBefore);
  tf.dispose([xv, rt]);
  model.dispose();
  return { values, grads: gradArrays, kernels: profile.kernelNames, weights: ws };
}

describe("fused LSTM layer matches the cpu backend's stock layer", () => {
  const rng = new Rng(777);
  test.each(LSTM_CASES.map((c) => [lstmLabel(c), c] as const))("%s", async (label, c) => {
    const x = randn(rng, [c.B, c.T, c.F]);
    if (c.masked) {
      // Zero out a tail of each sequence (padding) and one step in the middle of one of them.
      for (let b = 0; b < c.B; b++) {
        const len = c.T - (b % 4);
        for (let t = len; t < c.T; t++) for (let f = 0; f < c.F; f++) x.data[(b * c.T + t) * c.F + f] = 0;
      }
      for (let f = 0; f < c.F; f++) x.data[(1 * c.T + 2) * c.F + f] = 0;
    }
    const r = randn(rng, c.returnSequences ? [c.B, c.T, c.U] : [c.B, c.U]);
    const init = await lstmRun("cpu", c, x, null, r);
    // Random biases too (the default initialiser gives zeros, which would hide a bias bug).
    const weights = init.weights.map((w, i) => (i === 2 ? randn(rng, w.shape) : w));
    const ref2 = await lstmRun("cpu", c, x, weights, r);
    const got = await lstmRun("wasm", c, x, weights, r);
    expect(got.kernels).toContain("Nn4astroLstmSequence");
    expect(got.kernels).toContain("Nn4astroLstmSequenceGrad");
    const check = (what: string, a: Float32Array, b: Float32Array) => {
      expect(a.length).toBe(b.length);
      let maxAbsDiff = 0;
      let maxRef = 0;
      for (let i = 0; i < a.length; i++) {
        maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[i] - b[i]));
        maxRef = Math.max(maxRef, Math.abs(b[i]));
      }
      const relErr = maxAbsDiff / Math.max(maxRef, 1e-30);
      rows.push({ kernel: `fused LSTM ${what}`, config: label, maxAbsDiff, relErr });
      expect(relErr).toBeLessThan(REL_TOL);
    };
    check("output", got.values, ref2.values);
    const names = ["dx", "dKernel", "dRecurrent", "dBias"];
    ref2.grads.forEach((g, i) => check(names[i], got.grads[i], g));
  });
});
