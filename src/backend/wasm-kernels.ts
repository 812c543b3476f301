/**
 * Makes every gradient the course's models need available on the wasm backend.
 *
 * `@tensorflow/tfjs-backend-wasm` 4.22 ships no Conv2DBackpropFilter (CNN training),
 * UnsortedSegmentSum (the gradient of Embedding/gather) or depthwise-convolution gradients
 * (DepthwiseConv2D, SeparableConv2D). They are written here at the backend level (heap views and
 * the shipped XNNPACK matmul) because the cpu backend is ~100x slower on convolutions.
 *
 * Second-order gradients (grad of grad, e.g. a gradient penalty or the Hessian of an emulator with
 * respect to its inputs) fail on every tfjs backend for two reasons fixed in
 * `registerSecondOrderGradients`:
 * - Tanh, Sigmoid, Elu, Softmax and Exp save their *output* for the backward pass. The engine
 *   records that saved copy on the tape before the op itself, so the outer gradient cannot see
 *   that the copy depends on the input: grad-of-grad either throws ("Cannot compute gradient of
 *   y=f(x)") or silently drops those terms. Under nested tapes we save the input instead and
 *   recompute the output in the backward pass (one extra elementwise op).
 * - The gradients of selu, leakyRelu and prelu use `greater`, which has no registered gradient.
 *   Comparisons are piecewise constant, so their gradient is zero.
 *
 * Every kernel is compared with the cpu backend in tests/wasm-kernels.test.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { patchLstmLayer, unpatchLstmLayer } from "./fused-recurrent";
import { callShipped, convChunkBudget, copyRange, f32, matMulPlain, registerWasmFastKernels, release, replaceWasmKernel, sizeOf, WasmKernelArgs, WasmKernelImpl } from "./wasm-fast-kernels";

type PadAttr = tf.Conv2DBackpropFilterAttrs["pad"];
type Shape4 = [number, number, number, number];

/**
 * dL/dW of conv2d = cols^T . dy, where cols holds the input patch seen by each output pixel
 * (im2col). cols^T ([taps*inC, pixels]) is written directly by a JS loop on the wasm heap so the
 * product is a plain XNNPACK matmul. Building cols with tf.stack of strided slices and a
 * materialised transpose (the first version) took 127 ms for the bench CNN's two layers; this
 * takes 10.5 ms.
 */
function conv2DBackpropFilter(args: WasmKernelArgs): tf.TensorInfo {
  const { backend } = args;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  let { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const channelsFirst = attrs.dataFormat === "NCHW";
  // Geometry from the original layout (explicit padding is given in that layout's axis order).
  const conv = tf.backend_util.computeConv2DInfo(x.shape as Shape4, attrs.filterShape, attrs.strides, 1, attrs.pad as PadAttr, attrs.dimRoundingMode, false, channelsFirst ? "channelsFirst" : "channelsLast");
  const temps: tf.TensorInfo[] = [];
  if (channelsFirst) {
    x = callShipped(tf.Transpose, backend, { x }, { perm: [0, 2, 3, 1] });
    dy = callShipped(tf.Transpose, backend, { x: dy }, { perm: [0, 2, 3, 1] });
    temps.push(x, dy);
  }
  const { batchSize, inHeight: H, inWidth: W, inChannels: cin, outHeight: OH, outWidth: OW, outChannels: cout } = conv;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = conv;
  const top = conv.padInfo.top;
  const left = conv.padInfo.left;
  const K = kh * kw * cin;
  const rowsTotal = batchSize * OH;
  if (rowsTotal * OW === 0 || K * cout === 0) {
    const zeros = backend.makeOutput(attrs.filterShape, "float32");
    f32(backend, zeros).fill(0);
    release(backend, ...temps);
    return zeros;
  }
  const needZero = top > 0 || left > 0 || (OH - 1) * sh + kh - 1 - top >= H || (OW - 1) * sw + kw - 1 - left >= W;
  const rowsPerChunk = Math.max(1, Math.floor(convChunkBudget() / (OW * K)));
  let dw: tf.TensorInfo | undefined;
  for (let r0 = 0; r0 < rowsTotal; r0 += rowsPerChunk) {
    const r1 = Math.min(rowsTotal, r0 + rowsPerChunk);
    const n = (r1 - r0) * OW;
    // A copy even when whole: dy becomes XNNPACK's cached "weights" operand (see matMulPlain).
    const dyChunk = copyRange(backend, dy, r0 * OW * cout, n * cout, [1, n, cout]);
    const colsT = backend.makeOutput([1, K, n], "float32");
    const ct = f32(backend, colsT);
    const xs = f32(backend, x);
    // Loop order keeps the writes contiguous (one output row of one tap and channel at a time,
    // the valid column range computed once): 2-3x faster than channel-innermost.
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const tap = (i * kw + j) * cin;
        // Output columns whose input column ow*sw + j - left lies inside the image.
        const owLo = Math.max(0, Math.ceil((left - j) / sw));
        const owHi = Math.min(OW, Math.floor((W - 1 + left - j) / sw) + 1);
        for (let c = 0; c < cin; c++) {
          const dst = (tap + c) * n;
          for (let r = r0; r < r1; r++) {
            const bImg = Math.floor(r / OH);
            const ih = (r - bImg * OH) * sh + i - top;
            const pBase = dst + (r - r0) * OW;
            // Zero only what padding leaves (the buffer is fresh, not cleared).
            if (ih < 0 || ih >= H) {
              ct.fill(0, pBase, pBase + OW);
              continue;
            }
            if (needZero) {
              ct.fill(0, pBase, pBase + owLo);
              ct.fill(0, pBase + Math.max(owLo, owHi), pBase + OW);
            }
            const xBase = ((bImg * H + ih) * W + j - left) * cin + c;
            if (sw === 1) {
              for (let ow = owLo; ow < owHi; ow++) ct[pBase + ow] = xs[xBase + ow * cin];
            } else {
              const step = sw * cin;
              for (let ow = owLo; ow < owHi; ow++) ct[pBase + ow] = xs[xBase + ow * step];
            }
          }
        }
      }
    }
    const part = matMulPlain(backend, colsT, dyChunk, K, n, cout, true);
    release(backend, colsT, dyChunk);
    if (!dw) {
      dw = part;
    } else {
      const acc = f32(backend, dw);
      const add = f32(backend, part);
      for (let k = 0; k < acc.length; k++) acc[k] += add[k];
      release(backend, part);
    }
  }
  release(backend, ...temps);
  return { dataId: dw!.dataId, shape: attrs.filterShape, dtype: "float32" };
}

/**
 * Sum of the rows of x that share a segment id (the gradient of gather, hence of Embedding).
 * Ids outside [0, numSegments) are dropped, as the cpu backend does.
 */
function unsortedSegmentSum(args: WasmKernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  if (segmentIds.shape.length !== 1 || segmentIds.shape[0] !== x.shape[0]) {
    throw new Error(`unsortedSegmentSum on wasm expects 1-D segmentIds of length x.shape[0] (${x.shape[0]}), got shape [${segmentIds.shape}]`);
  }
  const inner = sizeOf(x.shape.slice(1));
  const out = backend.makeOutput([numSegments, ...x.shape.slice(1)], x.dtype);
  const o = backend.typedArrayFromHeap(out);
  const xs = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  o.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let k = 0; k < inner; k++) o[dst + k] += xs[src + k];
  }
  return out;
}

function depthwiseInfo(inShape: Shape4, filterShape: Shape4, a: tf.DepthwiseConv2dNativeBackpropInputAttrs | tf.DepthwiseConv2dNativeBackpropFilterAttrs) {
  return tf.backend_util.computeConv2DInfo(inShape, filterShape, a.strides, a.dilations, a.pad as PadAttr, a.dimRoundingMode, true, "channelsLast");
}

/**
 * Calls body(b, oh, ow, i, j, ih, iw) for every (output pixel, filter tap) whose input pixel is
 * inside the image: the loop nest shared by both depthwise gradients.
 */
function forEachTap(conv: tf.backend_util.Conv2DInfo, body: (b: number, oh: number, ow: number, i: number, j: number, ih: number, iw: number) => void): void {
  const { batchSize, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, filterHeight: kh, filterWidth: kw } = conv;
  for (let b = 0; b < batchSize; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let i = 0; i < kh; i++) {
        const ih = oh * conv.strideHeight + i * conv.dilationHeight - conv.padInfo.top;
        if (ih < 0 || ih >= H) continue;
        for (let ow = 0; ow < OW; ow++)
          for (let j = 0; j < kw; j++) {
            const iw = ow * conv.strideWidth + j * conv.dilationWidth - conv.padInfo.left;
            if (iw >= 0 && iw < W) body(b, oh, ow, i, j, ih, iw);
          }
      }
}

/** dL/dx of a depthwise convolution (filter [kh, kw, inC, multiplier]). Plain loops: rare in the course. */
function depthwiseBackpropInput(args: WasmKernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const conv = depthwiseInfo(a.inputShape, filter.shape as Shape4, a);
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterWidth: kw } = conv;
  const M = filter.shape[3];
  const dx = backend.makeOutput(a.inputShape, "float32");
  const out = f32(backend, dx);
  const g = f32(backend, dy);
  const w = f32(backend, filter);
  out.fill(0);
  forEachTap(conv, (b, oh, ow, i, j, ih, iw) => {
    const d = ((b * H + ih) * W + iw) * C;
    const s = ((b * OH + oh) * OW + ow) * C * M;
    const f = (i * kw + j) * C * M;
    for (let c = 0; c < C; c++) {
      let acc = 0;
      for (let m = 0; m < M; m++) acc += g[s + c * M + m] * w[f + c * M + m];
      out[d + c] += acc;
    }
  });
  return dx;
}

/** dL/dW of a depthwise convolution, accumulated in float64 (the sums run over every pixel). */
function depthwiseBackpropFilter(args: WasmKernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const conv = depthwiseInfo(x.shape as Shape4, a.filterShape, a);
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterWidth: kw } = conv;
  const M = a.filterShape[3];
  const acc = new Float64Array(sizeOf(a.filterShape));
  const dw = backend.makeOutput(a.filterShape, "float32");
  const xs = f32(backend, x);
  const g = f32(backend, dy);
  forEachTap(conv, (b, oh, ow, i, j, ih, iw) => {
    const xo = ((b * H + ih) * W + iw) * C;
    const s = ((b * OH + oh) * OW + ow) * C * M;
    const f = (i * kw + j) * C * M;
    for (let c = 0; c < C; c++) {
      const xv = xs[xo + c];
      for (let m = 0; m < M; m++) acc[f + c * M + m] += xv * g[s + c * M + m];
    }
  });
  f32(backend, dw).set(acc);
  return dw;
}

/**
 * dL/dimages of nearest-neighbour resizing (UpSampling2D): each dy pixel is added to the source
 * pixel the forward pass copied it from, using the forward kernel's own rule (alignCorners and
 * halfPixelCenters included). O(size of dy).
 */
function resizeNearestGradInto(dy: ArrayLike<number>, out: Float32Array, imagesShape: number[], dyShape: number[], attrs: tf.ResizeNearestNeighborGradAttrs): void {
  const [batch, xH, xW, C] = imagesShape;
  const [, yH, yW] = dyShape;
  const { alignCorners, halfPixelCenters } = attrs;
  const rowRatio = alignCorners && yH > 1 ? (xH - 1) / (yH - 1) : xH / yH;
  const colRatio = alignCorners && yW > 1 ? (xW - 1) / (yW - 1) : xW / yW;
  const source = (i: number, ratio: number, size: number) => {
    const frac = halfPixelCenters ? ratio * (i + 0.5) : ratio * i;
    const s = Math.min(size - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
    return halfPixelCenters ? Math.max(0, s) : s;
  };
  const srcCol = Int32Array.from({ length: yW }, (_, c) => source(c, colRatio, xW));
  out.fill(0);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < yH; r++) {
      const rowBase = (b * xH + source(r, rowRatio, xH)) * xW;
      for (let c = 0; c < yW; c++) {
        const d = (rowBase + srcCol[c]) * C;
        for (let ch = 0; ch < C; ch++) out[d + ch] += dy[o++];
      }
    }
  }
}

/**
 * Replaces the shipped wasm kernel, which ignores halfPixelCenters (its results are right for
 * the default, which UpSampling2D uses).
 */
function resizeNearestNeighborGradWasm(args: WasmKernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { images, dy } = args.inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
  const dx = backend.makeOutput(images.shape, "float32");
  resizeNearestGradInto(f32(backend, dy), f32(backend, dx), images.shape, dy.shape, args.attrs as unknown as tf.ResizeNearestNeighborGradAttrs);
  return dx;
}

/** The parts of tfjs-backend-cpu's MathBackendCPU a kernel uses. */
interface CpuBackendLike {
  data: { get(dataId: tf.DataId): { values: tf.backend_util.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
}

/**
 * The cpu backend's ResizeNearestNeighborGrad (tfjs 4.22) reads dy with the *image's* batch
 * stride, so every sample after the first gets a wrong gradient: UpSampling2D trains wrongly on
 * cpu with batch > 1 (found by the audit in tests/wasm-kernels.test.ts).
 */
function resizeNearestNeighborGradCpu(args: { inputs: tf.NamedTensorInfoMap; backend: CpuBackendLike; attrs: tf.NamedAttrMap }): tf.TensorInfo {
  const { images, dy } = args.inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
  const out = new Float32Array(sizeOf(images.shape));
  resizeNearestGradInto(args.backend.data.get(dy.dataId).values as Float32Array, out, images.shape, dy.shape, args.attrs as unknown as tf.ResizeNearestNeighborGradAttrs);
  return args.backend.makeTensorInfo(images.shape, "float32", out);
}

const cpuFixed = new Set<string>();

/**
 * Corrects cpu-backend kernels that give wrong gradients (currently ResizeNearestNeighborGrad,
 * i.e. UpSampling2D). Idempotent; returns the kernel names it replaced. Safe to call whatever
 * backend is active.
 */
export function registerCpuKernelFixes(): string[] {
  const fixes: Array<[string, (args: { inputs: tf.NamedTensorInfoMap; backend: CpuBackendLike; attrs: tf.NamedAttrMap }) => tf.TensorInfo]> = [
    [tf.ResizeNearestNeighborGrad, resizeNearestNeighborGradCpu],
  ];
  const added: string[] = [];
  for (const [kernelName, impl] of fixes) {
    if (cpuFixed.has(kernelName) || !tf.getKernel(kernelName, "cpu")) continue;
    tf.unregisterKernel(kernelName, "cpu");
    tf.registerKernel({ kernelName, backendName: "cpu", kernelFunc: impl as unknown as tf.KernelFunc });
    cpuFixed.add(kernelName);
    added.push(kernelName);
  }
  return added;
}

/** Kernels tfjs-backend-wasm 4.22 lacks that training the course's models needs. */
export const MISSING_KERNELS: ReadonlyArray<[string, WasmKernelImpl]> = [
  [tf.Conv2DBackpropFilter, conv2DBackpropFilter],
  [tf.UnsortedSegmentSum, unsortedSegmentSum],
  [tf.DepthwiseConv2dNativeBackpropInput, depthwiseBackpropInput],
  [tf.DepthwiseConv2dNativeBackpropFilter, depthwiseBackpropFilter],
];

/** Gradient of a saved-output op rebuilt from its saved input, so grad-of-grad sees the dependence. */
function fromInput(kernelName: string, inputName: string, grad: (dy: tf.Tensor, x: tf.Tensor, attrs: tf.NamedAttrMap) => tf.Tensor): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: [inputName],
    outputsToSave: [],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      return { [inputName]: () => grad(dy as tf.Tensor, x, attrs) };
    },
  };
}

const RECOMPUTED_GRADIENTS: tf.GradConfig[] = [
  fromInput(tf.Tanh, "x", (dy, x) => tf.mul(dy, tf.sub(1, tf.square(tf.tanh(x))))),
  fromInput(tf.Sigmoid, "x", (dy, x) => {
    const s = tf.sigmoid(x);
    return tf.mul(dy, tf.mul(s, tf.sub(1, s)));
  }),
  // elu'(x) = 1 for x > 0, exp(x) = elu(x) + 1 otherwise; min(elu(x), 0) + 1 is both, without a comparison.
  fromInput(tf.Elu, "x", (dy, x) => tf.mul(dy, tf.add(tf.minimum(tf.elu(x), 0), 1))),
  fromInput(tf.Softmax, "logits", (dy, logits, attrs) => {
    const dim = (attrs as unknown as tf.SoftmaxAttrs).dim;
    const y = tf.softmax(logits, dim);
    const dyY = tf.mul(dy, y);
    return tf.sub(dyY, tf.mul(tf.sum(dyY, [dim], true), y));
  }),
  fromInput(tf.Exp, "x", (dy, x) => tf.mul(dy, tf.exp(x))),
];

/** How many gradient tapes are recording: 2 or more while the forward pass of an inner tf.grad runs inside an outer one. */
function tapeDepth(): number {
  const depth = (tf.engine() as unknown as { state?: { gradientDepth?: number } }).state?.gradientDepth;
  return typeof depth === "number" ? depth : Number.POSITIVE_INFINITY;
}

/**
 * Uses the recomputing gradient only when a higher-order gradient may be taken (an op run under
 * two or more tapes); plain training keeps the shipped, cheaper saved-output form (recomputing
 * costs 8-12% of an LSTM training step). The engine reads what to save and the gradient function
 * in the same runKernel call, so the two always agree.
 */
function depthAware(shipped: tf.GradConfig, recompute: tf.GradConfig): tf.GradConfig {
  const nested = () => tapeDepth() > 1;
  return {
    kernelName: shipped.kernelName,
    get inputsToSave() {
      return nested() ? recompute.inputsToSave : shipped.inputsToSave;
    },
    get outputsToSave() {
      return nested() ? recompute.outputsToSave : shipped.outputsToSave;
    },
    get saveAllInputs() {
      return nested() ? recompute.saveAllInputs : shipped.saveAllInputs;
    },
    get gradFunc() {
      return nested() ? recompute.gradFunc : shipped.gradFunc;
    },
  };
}

/** Comparisons and logical ops are piecewise constant: zero gradient for every input. */
// Any/All: the Masking layer's mask (any(x != maskValue)) is on the tape when x depends on a
// trainable layer or is differentiated; tfjs 4.22 has no gradient for them and throws.
const ZERO_GRADIENT_KERNELS = [tf.Greater, tf.Less, tf.LessEqual, tf.Equal, tf.NotEqual, tf.LogicalAnd, tf.LogicalOr, tf.LogicalNot, tf.IsNan, tf.IsInf, tf.IsFinite, tf.Any, tf.All];

function zeroGradient(kernelName: string): tf.GradConfig {
  const unary = [tf.LogicalNot, tf.IsNan, tf.IsInf, tf.IsFinite, tf.Any, tf.All].includes(kernelName);
  const names = unary ? ["x"] : ["a", "b"]; // tfjs-core's input names for these kernels
  return {
    kernelName,
    inputsToSave: names,
    // float32 whatever the input's dtype (Any/All take bool): the engine insists on it.
    gradFunc: (_dy, saved) => Object.fromEntries(names.map((name, i) => [name, () => tf.zeros(saved[i].shape, "float32")])),
  };
}

const registeredGradients = new Set<string>();

/**
 * Fixes grad-of-grad for the course's activations on every backend (gradient configs are shared by
 * all backends). Replaces a shipped gradient only if it still has the saved-output form, and adds
 * zero gradients only where none exists, so a future tfjs that fixes either is left alone.
 * Returns the kernel names whose gradient it registered.
 */
export function registerSecondOrderGradients(): string[] {
  const added: string[] = [];
  for (const config of RECOMPUTED_GRADIENTS) {
    if (registeredGradients.has(config.kernelName)) continue;
    const current = tf.getGradient(config.kernelName);
    if (current && !(current.outputsToSave ?? []).some(Boolean)) continue;
    tf.registerGradient(current ? depthAware(current, config) : config);
    registeredGradients.add(config.kernelName);
    added.push(config.kernelName);
  }
  for (const kernelName of ZERO_GRADIENT_KERNELS) {
    if (registeredGradients.has(kernelName) || tf.getGradient(kernelName)) continue;
    tf.registerGradient(zeroGradient(kernelName));
    registeredGradients.add(kernelName);
    added.push(kernelName);
  }
  return added;
}

export interface RegisterWasmOptions {
  /**
   * Also replace the slow shipped kernels (BatchMatMul, Conv2DBackpropInput, MaxPoolGrad, Slice,
   * ...) with the faster ones from wasm-fast-kernels.ts and run tf.layers.lstm through the fused
   * whole-sequence kernels of fused-recurrent.ts. Default: true unless the environment
   * variable NN4ASTRO_WASM_FAST is "0" (for comparing against the shipped kernels).
   */
  fast?: boolean;
  /** Also apply registerSecondOrderGradients (default true). */
  secondOrder?: boolean;
}

const registeredKernels = new Set<string>();

/**
 * Registers the missing gradient kernels on the wasm backend, the second-order gradient fixes and
 * (by default) the faster kernels. Idempotent; returns the names newly registered (kernels, then
 * gradients as "grad:<kernel>").
 */
export function registerWasmGradients(options: RegisterWasmOptions = {}): string[] {
  const added: string[] = [];
  for (const [kernelName, impl] of MISSING_KERNELS) {
    if (registeredKernels.has(kernelName) || tf.getKernel(kernelName, "wasm")) continue;
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc: impl as unknown as tf.KernelFunc });
    registeredKernels.add(kernelName);
    added.push(kernelName);
  }
  const fast = options.fast ?? (typeof process === "undefined" || process.env.NN4ASTRO_WASM_FAST !== "0");
  if (fast) {
    added.push(...registerWasmFastKernels());
    // tf.layers.lstm runs whole sequences in two kernels (src/backend/fused-recurrent.ts).
    if (patchLstmLayer()) added.push("LSTM layer (fused sequence)");
    if (!registeredKernels.has(tf.ResizeNearestNeighborGrad) && tf.getKernel(tf.ResizeNearestNeighborGrad, "wasm")) {
      replaceWasmKernel(tf.ResizeNearestNeighborGrad, resizeNearestNeighborGradWasm);
      registeredKernels.add(tf.ResizeNearestNeighborGrad);
      added.push(tf.ResizeNearestNeighborGrad);
    }
  }
  if (!fast) unpatchLstmLayer();
  if (options.secondOrder ?? true) added.push(...registerSecondOrderGradients().map((k) => `grad:${k}`));
  return added;
}
