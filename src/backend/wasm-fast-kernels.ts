/**
 * Faster replacements for kernels of `@tensorflow/tfjs-backend-wasm` 4.22 that fall off its fast
 * paths during training, plus the low-level helpers that wasm-kernels.ts shares.
 *
 * Measured slow paths (numbers: `npm run bench -- --only kernel:`; correctness against the cpu
 * backend: tests/wasm-kernels.test.ts). Each replacement is registered only because it measured
 * faster on the shapes the course's models produce:
 * - BatchMatMul only reaches XNNPACK for an untransposed, batch-1 product; every backward matmul
 *   (transposeA or transposeB) and every batched product runs a scalar loop: 3-20x slower.
 * - Conv2DBackpropInput and MaxPoolGrad are naive loops (6x and 3x slower).
 * - Slice copies the whole input out of the wasm heap before taking its part, so Unpack (RNN time
 *   steps) is quadratic in sequence length (45x) and SplitV/StridedSlice copy the input per part.
 *
 * The replacements work at the backend level (TensorInfo in, TensorInfo out, heap views, calls to
 * the shipped kernels for the XNNPACK parts) because tf ops inside a kernel would add engine
 * bookkeeping to every call. Rules that keep this safe:
 * - Any wasm allocation (makeOutput or a kernel call) may grow the heap and detach earlier views,
 *   so views are taken after the last allocation that precedes a loop.
 * - Every intermediate TensorInfo is released with backend.disposeData; the tests count data ids.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

export interface WasmKernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: tf.NamedAttrMap;
}
export type WasmKernelImpl = (args: WasmKernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/** Kernels as tfjs-backend-wasm shipped them, saved before we replace any. */
const shipped = new Map<string, tf.KernelConfig>();

/** The kernel tfjs-backend-wasm registered under `name` (never one of our replacements). */
export function shippedKernel(name: string): tf.KernelConfig | undefined {
  return shipped.get(name) ?? tf.getKernel(name, "wasm");
}

/** Runs a shipped wasm kernel directly on TensorInfos (no engine, no tape). */
export function callShipped(name: string, backend: BackendWasm, inputs: tf.NamedTensorInfoMap, attrs: object = {}): tf.TensorInfo {
  const kernel = shippedKernel(name);
  if (!kernel) throw new Error(`tfjs-backend-wasm has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, backend, attrs } as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function f32(backend: BackendWasm, t: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** The same buffer seen with another shape; never dispose it (it holds no reference of its own). */
export function view(t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

export function release(backend: BackendWasm, ...infos: Array<tf.TensorInfo | undefined>): void {
  for (const t of infos) if (t) backend.disposeData(t.dataId);
}

/**
 * dst[b] = src[b]^T for `batch` row-major R x C matrices. The strided side of the copy goes over
 * the smaller dimension: with power-of-two strides the other order thrashes the cache (measured
 * 2.5 ms vs 13 ms for 16384x144; the wasm Transpose kernel takes 43 ms there).
 */
export function transposeInto(src: Float32Array, srcOff: number, dst: Float32Array, dstOff: number, batch: number, R: number, C: number): void {
  const B = 8;
  const mat = R * C;
  for (let b = 0; b < batch; b++) {
    const s0 = srcOff + b * mat;
    const d0 = dstOff + b * mat;
    if (R >= C) {
      for (let i0 = 0; i0 < R; i0 += B) {
        const i1 = Math.min(R, i0 + B);
        for (let j0 = 0; j0 < C; j0 += B) {
          const j1 = Math.min(C, j0 + B);
          for (let j = j0; j < j1; j++) {
            const d = d0 + j * R;
            for (let i = i0; i < i1; i++) dst[d + i] = src[s0 + i * C + j];
          }
        }
      }
    } else {
      for (let i0 = 0; i0 < R; i0 += B) {
        const i1 = Math.min(R, i0 + B);
        for (let j0 = 0; j0 < C; j0 += B) {
          const j1 = Math.min(C, j0 + B);
          for (let i = i0; i < i1; i++) {
            const s = s0 + i * C;
            for (let j = j0; j < j1; j++) dst[d0 + j * R + i] = src[s + j];
          }
        }
      }
    }
  }
}

/** A fresh [batch, C, R] buffer holding the transposes of t seen as [batch, R, C]. */
function transposed(backend: BackendWasm, t: tf.TensorInfo, batch: number, R: number, C: number): tf.TensorInfo {
  const out = backend.makeOutput([batch, C, R], "float32");
  transposeInto(f32(backend, t), 0, f32(backend, out), 0, batch, R, C);
  return out;
}

/** A fresh buffer holding `count` floats of t starting at `offset`. */
export function copyRange(backend: BackendWasm, t: tf.TensorInfo, offset: number, count: number, shape: number[]): tf.TensorInfo {
  const out = backend.makeOutput(shape, "float32");
  const src = f32(backend, t);
  f32(backend, out).set(src.subarray(offset, offset + count));
  return out;
}

/**
 * [M,K] x [K,N] on XNNPACK: the shipped BatchMatMul's fast path (batch 1, no transposes).
 * Inputs are read as views, so any buffer with the right number of elements will do.
 *
 * The shipped kernel caches one XNNPACK operator per *buffer* of b (keyed by its id, not its
 * shape) until that buffer is freed. Viewing someone else's tensor as b with a new [K,N]
 * factorisation could therefore meet a stale operator built for other dimensions, so unless b
 * was allocated by the calling kernel (`bOwned`) it is copied into a fresh buffer first.
 */
export function matMulPlain(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo, M: number, K: number, N: number, bOwned: boolean): tf.TensorInfo {
  const fresh = bOwned ? b : copyRange(backend, b, 0, K * N, [1, K, N]);
  const out = callShipped(tf.BatchMatMul, backend, { a: view(a, [1, M, K]), b: view(fresh, [1, K, N]) }, {
    transposeA: false,
    transposeB: false,
  });
  if (fresh !== b) release(backend, fresh);
  return out;
}

/** Below ~4k multiply-adds the shipped scalar loop is as fast as the copies plus XNNPACK set-up (measured). */
const MATMUL_MIN_WORK = 4096;

/**
 * BatchMatMul that always reaches XNNPACK: transposed operands are materialised (whichever of
 * C = op(A)op(B) and C^T = op(B)^T op(A)^T moves fewer floats), a broadcast right operand folds
 * the batch into the rows, and other batches loop over batch-1 products.
 */
function batchMatMul(args: WasmKernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  const fallback = () => callShipped(tf.BatchMatMul, backend, args.inputs, args.attrs);
  if (a.dtype !== "float32" || b.dtype !== "float32") return fallback();
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  const [aR, aC] = a.shape.slice(-2);
  const [bR, bC] = b.shape.slice(-2);
  const M = transposeA ? aC : aR;
  const K = transposeA ? aR : aC;
  const N = transposeB ? bR : bC;
  if ((transposeB ? bC : bR) !== K) return fallback(); // let the shipped kernel word the error
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return fallback();
  const batch = Math.max(batchA, batchB);
  if ((!transposeA && !transposeB && batch === 1) || batch * M * N * K < MATMUL_MIN_WORK) return fallback();
  const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)).concat([M, N]);

  // Direct: C = A' B' with A' = op(A) [M,K], B' = op(B) [K,N]. Flipped: C^T = B'^T A'^T, then transpose.
  const costDirect = (transposeA ? batchA * M * K : 0) + (transposeB ? batchB * K * N : 0);
  const costFlipped = (transposeB ? 0 : batchB * K * N) + (transposeA ? 0 : batchA * M * K) + batch * M * N;
  const flipped = costFlipped < costDirect;
  // Left and right factors in stored-or-transposed form, each as [batch, rows, cols] row-major.
  const temps: tf.TensorInfo[] = [];
  const plain = (t: tf.TensorInfo, bt: number, rows: number, cols: number, storedAsTranspose: boolean): tf.TensorInfo => {
    if (!storedAsTranspose) return view(t, [bt, rows, cols]);
    const p = transposed(backend, t, bt, cols, rows);
    temps.push(p);
    return p;
  };
  let left: tf.TensorInfo, right: tf.TensorInfo, bl: number, br: number, L: number, R: number;
  if (!flipped) {
    left = plain(a, batchA, M, K, transposeA);
    right = plain(b, batchB, K, N, transposeB);
    [bl, br, L, R] = [batchA, batchB, M, N];
  } else {
    // B'^T is [N,K]: stored as-is when transposeB, else needs a transpose; likewise A'^T [K,M].
    left = plain(b, batchB, N, K, !transposeB);
    right = plain(a, batchA, K, M, !transposeA);
    [bl, br, L, R] = [batchB, batchA, N, M];
  }
  let prod: tf.TensorInfo; // [batch, L, R]
  if (br === 1) {
    prod = matMulPlain(backend, left, right, bl * L, K, R, temps.includes(right));
  } else {
    prod = backend.makeOutput([batch, L, R], "float32");
    for (let i = 0; i < batch; i++) {
      const li = bl === 1 ? left : copyRange(backend, left, i * L * K, L * K, [1, L, K]);
      const ri = copyRange(backend, right, i * K * R, K * R, [1, K, R]);
      const pi = matMulPlain(backend, li, ri, L, K, R, true);
      f32(backend, prod).set(f32(backend, pi), i * L * R);
      release(backend, pi, ri, li === left ? undefined : li);
    }
  }
  release(backend, ...temps);
  let out = prod;
  if (flipped) {
    out = transposed(backend, prod, batch, L, R);
    release(backend, prod);
  }
  return { dataId: out.dataId, shape: outShape, dtype: "float32" };
}

type PadAttr = tf.Conv2DBackpropInputAttrs["pad"];

/**
 * dL/dx of conv2d as one matmul and a scatter-add: cols = dy . W^T gives, for every output pixel,
 * its contribution to each filter tap; col2im adds those into the input image. Works for any
 * stride and padding; the shipped kernel is a naive loop (45 ms vs 7 ms on the bench CNN).
 * Rows of dy are processed in chunks so the cols buffer stays below the chunk budget.
 */
let colsBudget = 1 << 22;

/**
 * Largest im2col/col2im buffer (in floats, default 2^22 = 16 MB) the convolution gradients build
 * at once; bigger batches or images are processed in chunks of output rows. Lower it to cap
 * memory, raise it for slightly fewer matmul calls. Returns the previous value.
 */
export function setConvChunkBudget(floats: number): number {
  if (!(floats >= 1)) throw new Error(`setConvChunkBudget needs a positive number of floats, got ${floats}`);
  const previous = colsBudget;
  colsBudget = Math.floor(floats);
  return previous;
}

export function convChunkBudget(): number {
  return colsBudget;
}

function conv2DBackpropInput(args: WasmKernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  if (attrs.dataFormat === "NCHW" || dy.dtype !== "float32") return callShipped(tf.Conv2DBackpropInput, backend, args.inputs, args.attrs);
  const conv = tf.backend_util.computeConv2DInfo(attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad as PadAttr, attrs.dimRoundingMode, false, "channelsLast");
  const { batchSize, inHeight: H, inWidth: W, inChannels: cin, outHeight: OH, outWidth: OW, outChannels: cout } = conv;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = conv;
  const top = conv.padInfo.top;
  const left = conv.padInfo.left;
  const K = kh * kw * cin;

  const dx = backend.makeOutput([batchSize, H, W, cin], "float32");
  f32(backend, dx).fill(0);
  if (sizeOf(dy.shape) === 0 || K === 0) return dx;
  // W^T: [cout, K] so that dy [n, cout] . W^T is a plain product.
  const wT = transposed(backend, filter, 1, K, cout);
  const rowsTotal = batchSize * OH;
  const rowsPerChunk = Math.max(1, Math.floor(colsBudget / (OW * K)));
  for (let r0 = 0; r0 < rowsTotal; r0 += rowsPerChunk) {
    const r1 = Math.min(rowsTotal, r0 + rowsPerChunk);
    const n = (r1 - r0) * OW;
    const dyChunk = r0 === 0 && r1 === rowsTotal ? dy : copyRange(backend, dy, r0 * OW * cout, n * cout, [1, n, cout]);
    const cols = matMulPlain(backend, dyChunk, wT, n, cout, K, true);
    const c = f32(backend, cols);
    const out = f32(backend, dx);
    for (let r = r0; r < r1; r++) {
      const bImg = Math.floor(r / OH);
      const oh = r - bImg * OH;
      for (let i = 0; i < kh; i++) {
        const ih = oh * sh + i - top;
        if (ih < 0 || ih >= H) continue;
        const rowBase = (bImg * H + ih) * W;
        for (let ow = 0; ow < OW; ow++) {
          const colBase = ((r - r0) * OW + ow) * K + i * kw * cin;
          const iw0 = ow * sw - left;
          for (let j = 0; j < kw; j++) {
            const iw = iw0 + j;
            if (iw < 0 || iw >= W) continue;
            const d = (rowBase + iw) * cin;
            const s = colBase + j * cin;
            for (let ch = 0; ch < cin; ch++) out[d + ch] += c[s + ch];
          }
        }
      }
    }
    release(backend, cols, dyChunk === dy ? undefined : dyChunk);
  }
  release(backend, wT);
  return dx;
}

/**
 * dL/dx of max pooling: each output's gradient goes to the first maximum of its window, scanned
 * row by row (the cpu backend's rule, so ties and NaNs match it). One pass over the windows with
 * the channel loop innermost; the shipped kernel is a naive loop (12 ms vs 2 ms per call).
 */
function maxPoolGrad(args: WasmKernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs;
  if (input.dtype !== "float32") return callShipped(tf.MaxPoolGrad, backend, args.inputs, args.attrs);
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dx = backend.makeOutput(input.shape, "float32");
  const out = f32(backend, dx);
  out.fill(0);
  const x = f32(backend, input);
  const g = f32(backend, dy);
  // Window offsets (pixel bases) are gathered once per output pixel; the channel loop then scans
  // them in row-major order with scalars (no per-window arrays to reset).
  const bases = new Int32Array(fh * fw);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sh - top;
      const hs = Math.max(0, h0);
      const he = Math.min(H, h0 + fh);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * sw - left;
        const ws = Math.max(0, w0);
        const we = Math.min(W, w0 + fw);
        let nb = 0;
        for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) bases[nb++] = ((b * H + h) * W + w) * C;
        const gBase = ((b * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let where = -1;
          for (let q = 0; q < nb; q++) {
            const v = x[bases[q] + c];
            if (v > best) {
              best = v;
              where = bases[q] + c;
            }
          }
          if (where >= 0) out[where] += g[gBase + c];
        }
      }
    }
  }
  return dx;
}

/** Copies a box out of x using heap views (the shipped Slice first copies all of x to JS). */
function sliceBox(backend: BackendWasm, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const total = sizeOf(size);
  if (total === 0) return out;
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  const strides = tf.util.computeStrides(x.shape);
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const off = tf.slice_util.computeFlatOffset(begin, strides);
    dst.set(src.subarray(off, off + total));
    return out;
  }
  // Copy runs along the last axis, walking the other axes like an odometer.
  const run = size[rank - 1];
  const idx = new Array<number>(rank - 1).fill(0);
  let o = 0;
  for (;;) {
    let off = begin[rank - 1];
    for (let d = 0; d < rank - 1; d++) off += (begin[d] + idx[d]) * strides[d];
    dst.set(src.subarray(off, off + run), o);
    o += run;
    let d = rank - 2;
    while (d >= 0 && ++idx[d] === size[d]) idx[d--] = 0;
    if (d < 0) break;
  }
  return out;
}

function isNumeric(t: tf.TensorInfo): boolean {
  return t.dtype !== "string" && t.dtype !== "complex64";
}

function slice(args: WasmKernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
  if (!isNumeric(x)) return callShipped(tf.Slice, backend, args.inputs, args.attrs);
  const [b, s] = tf.slice_util.parseSliceParams(x, begin, size);
  return sliceBox(backend, x, b, s);
}

function unpack(args: WasmKernelArgs): tf.TensorInfo[] {
  const { backend } = args;
  const { value } = args.inputs as { value: tf.TensorInfo };
  if (!isNumeric(value)) return callShipped(tf.Unpack, backend, args.inputs, args.attrs) as unknown as tf.TensorInfo[];
  let axis = (args.attrs as unknown as tf.UnpackAttrs).axis;
  if (axis < 0) axis += value.shape.length;
  const outShape = value.shape.filter((_, i) => i !== axis);
  const begin = new Array<number>(value.shape.length).fill(0);
  const size = value.shape.slice();
  size[axis] = 1;
  const outs: tf.TensorInfo[] = [];
  for (let i = 0; i < value.shape[axis]; i++) {
    begin[axis] = i;
    const s = sliceBox(backend, value, begin, size);
    outs.push({ dataId: s.dataId, shape: outShape, dtype: s.dtype });
  }
  return outs;
}

function splitV(args: WasmKernelArgs): tf.TensorInfo[] {
  const { backend } = args;
  const { x } = args.inputs as { x: tf.TensorInfo };
  if (!isNumeric(x)) return callShipped(tf.SplitV, backend, args.inputs, args.attrs) as unknown as tf.TensorInfo[];
  const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
  const ax = tf.util.parseAxisParam(axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x, numOrSizeSplits, ax);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = x.shape.slice();
    size[ax] = s;
    const out = sliceBox(backend, x, begin, size);
    begin[ax] += s;
    return out;
  });
}

function stridedSlice(args: WasmKernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const a = args.attrs as unknown as tf.StridedSliceAttrs;
  if (!isNumeric(x)) return callShipped(tf.StridedSlice, backend, args.inputs, args.attrs);
  const info = tf.slice_util.sliceInfo(x.shape, a.begin, a.end, a.strides, a.beginMask, a.endMask, a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask);
  // Only the unit-stride case went through the slow Slice; the strided one is native code.
  if (info.isIdentity || !(info.sliceDim0 || info.isSimpleSlice)) return callShipped(tf.StridedSlice, backend, args.inputs, args.attrs);
  const size = tf.slice_util.computeOutShape(info.begin, info.end, info.strides);
  const out = sliceBox(backend, x, info.begin, size);
  return { dataId: out.dataId, shape: info.finalShape, dtype: out.dtype };
}

/** The replacements, by kernel name. Each is checked against the cpu backend in the tests. */
export const FAST_KERNELS: ReadonlyArray<[string, WasmKernelImpl]> = [
  [tf.BatchMatMul, batchMatMul],
  [tf.Conv2DBackpropInput, conv2DBackpropInput],
  [tf.MaxPoolGrad, maxPoolGrad],
  [tf.Slice, slice],
  [tf.Unpack, unpack],
  [tf.SplitV, splitV],
  [tf.StridedSlice, stridedSlice],
];

const active = new Set<string>();

/**
 * Swaps in a kernel for the wasm backend, remembering the shipped one (whose setupFunc is kept so
 * its wasm function bindings are refreshed if the backend is re-initialised).
 */
export function replaceWasmKernel(name: string, impl: WasmKernelImpl): void {
  const current = tf.getKernel(name, "wasm");
  if (current && !shipped.has(name)) shipped.set(name, current);
  if (current) tf.unregisterKernel(name, "wasm");
  const orig = shipped.get(name);
  tf.registerKernel({ kernelName: name, backendName: "wasm", kernelFunc: impl as unknown as tf.KernelFunc, setupFunc: orig?.setupFunc, disposeFunc: orig?.disposeFunc });
}

/** Registers the faster kernels on wasm (idempotent); returns the names newly registered. */
export function registerWasmFastKernels(): string[] {
  const added: string[] = [];
  for (const [name, impl] of FAST_KERNELS) {
    if (active.has(name) || !tf.getKernel(name, "wasm")) continue;
    replaceWasmKernel(name, impl);
    active.add(name);
    added.push(name);
  }
  return added;
}

/** Puts the shipped kernels back (for before/after benchmarks and tests); returns their names. */
export function unregisterWasmFastKernels(): string[] {
  const removed: string[] = [];
  for (const name of active) {
    const orig = shipped.get(name);
    tf.unregisterKernel(name, "wasm");
    if (orig) tf.registerKernel(orig);
    removed.push(name);
  }
  active.clear();
  return removed;
}

/** Names of the replacement kernels currently registered. */
export function activeWasmFastKernels(): string[] {
  return [...active];
}
