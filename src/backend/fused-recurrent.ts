/**
 * Whole-sequence LSTM forward and backward as two wasm-backend kernels, used by the standard
 * `tf.layers.lstm` layer itself, so student code stays plain tfjs.
 *
 * Why: tfjs-layers runs an LSTM as a JavaScript loop over time steps, each step a dozen small
 * kernels (matmuls, split, activations, their gradients): ~7 000 kernel calls per training step
 * of LSTM(32) over 50 steps, each with a fixed ~10 µs cost, while the arithmetic takes ~3 ms.
 * Here one kernel runs the whole sequence forward and one runs it backward:
 * - the input projection x·W for all steps is one XNNPACK GEMM;
 * - each step's recurrent product h·R reuses one XNNPACK operator (R packed once per call);
 * - gates, cell and hidden state are updated in one JavaScript pass per step, the recurrent
 *   activation's gradient read from its saved output (no comparison kernels for hardSigmoid);
 * - the weight gradients are single GEMMs over all steps (Hᵀ·dZ and [X, 1]ᵀ·dZ, which also
 *   gives the bias gradient).
 *
 * `patchLstmLayer` overrides `LSTM.prototype.call` for the common configuration (tanh
 * activation, sigmoid or hardSigmoid recurrent activation, no initial state, not stateful, no
 * returnState, no dropout while training; masks and goBackwards supported) when the wasm backend
 * is active, and falls back to tfjs's own code otherwise. `NN4ASTRO_WASM_FAST=0` leaves it out.
 * Values and gradients are checked against the cpu backend's stock layer in
 * tests/wasm-kernels.test.ts.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { f32, release, transposeInto, WasmKernelArgs } from "./wasm-fast-kernels";

export const LSTM_SEQUENCE = "Nn4astroLstmSequence";
export const LSTM_SEQUENCE_GRAD = "Nn4astroLstmSequenceGrad";

export type RecurrentActivationName = "sigmoid" | "hardSigmoid";

export interface LstmSequenceAttrs {
  recurrentActivation: RecurrentActivationName;
  goBackwards: boolean;
  returnSequences: boolean;
  /** False: the mask input is all ones and is not read. */
  hasMask: boolean;
}

type MatMulFn = (aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number, tA: number, tB: number, outId: number) => void;
const matMulFns = new WeakMap<object, MatMulFn>();

function idOf(backend: BackendWasm, t: tf.TensorInfo): number {
  return (backend as unknown as { dataIdMap: { get(d: tf.DataId): { id: number } } }).dataIdMap.get(t.dataId).id;
}

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

/**
 * out[M,N] = a[M,K] · b[K,N] on XNNPACK, writing into an existing buffer (no allocation, no
 * engine). XNNPACK packs b into an operator cached under b's buffer id, so b must be a buffer
 * this module allocated, never rewritten and always used with the same [K, N].
 */
function gemm(backend: BackendWasm, a: tf.TensorInfo, M: number, K: number, b: tf.TensorInfo, N: number, out: tf.TensorInfo): void {
  const wasm = (backend as unknown as { wasm: { cwrap: (...args: unknown[]) => MatMulFn } }).wasm;
  let fn = matMulFns.get(wasm);
  if (!fn) {
    fn = wasm.cwrap(tf.BatchMatMul, null, ["number", "array", "number", "number", "array", "number", "number", "number", "number"]);
    matMulFns.set(wasm, fn);
  }
  fn(idOf(backend, a), shapeBytes([1, M, K]), 3, idOf(backend, b), shapeBytes([1, K, N]), 3, 0, 0, idOf(backend, out));
}

type UnaryFn = (xId: number, outId: number) => void;
const sigmoidFns = new WeakMap<object, UnaryFn>();

/** XNNPACK's vectorised sigmoid of x written to out (which may be x). */
function sigmoidInto(backend: BackendWasm, x: tf.TensorInfo, out: tf.TensorInfo): void {
  const wasm = (backend as unknown as { wasm: { cwrap: (...args: unknown[]) => UnaryFn } }).wasm;
  let fn = sigmoidFns.get(wasm);
  if (!fn) {
    fn = wasm.cwrap(tf.Sigmoid, null, ["number", "number"]);
    sigmoidFns.set(wasm, fn);
  }
  fn(idOf(backend, x), idOf(backend, out));
}

/** A fresh [rows, cols] buffer holding src (a TensorInfo's first rows*cols floats, optionally transposed from [cols, rows]). */
function freshCopy(backend: BackendWasm, src: tf.TensorInfo, rows: number, cols: number, transposeFrom?: boolean): tf.TensorInfo {
  const out = backend.makeOutput([rows, cols], "float32");
  if (transposeFrom) transposeInto(f32(backend, src), 0, f32(backend, out), 0, 1, cols, rows);
  else f32(backend, out).set(f32(backend, src).subarray(0, rows * cols));
  return out;
}

/** Sizes of the workspace the forward pass hands to the backward pass (float offsets). */
function layout(B: number, T: number, U: number, F: number) {
  const G = 4 * U;
  const K = U + F + 1;
  const cAll = 0; // [T+1, B, U] cell state before/after each processed step (slot 0 = zeros)
  const hx = cAll + (T + 1) * B * U; // [T, B, U+F+1] each step's GEMM operand [h, x, 1]
  // [T, B, 4U] gates: sigmoid(pre) for the sigmoid activation; for hardSigmoid the i, f, o blocks
  // keep the pre-activations (the gradient rule needs them) and the g block holds sigmoid(2z).
  const gates = hx + T * B * K;
  const sc = gates + T * B * G; // [T, B, U] sigmoid(2c): tanh(c) = 2·sc − 1
  return { cAll, hx, gates, sc, K, size: sc + T * B * U };
}

function dims(x: tf.TensorInfo, recurrentKernel: tf.TensorInfo) {
  const [B, T, F] = x.shape;
  const U = recurrentKernel.shape[0];
  return { B, T, F, U, G: 4 * U };
}

interface WasmDataMap {
  dataIdMap: { get(d: tf.DataId): { id: number; memoryOffset: number }; delete(d: tf.DataId): void };
  wasm: { tfjs: { disposeData(id: number): void } };
}

/** A tensor registered on the wasm side that aliases `count` floats of `base` from `offset` (no copy). */
function alias(backend: BackendWasm, base: tf.TensorInfo, offset: number, shape: number[]): tf.TensorInfo {
  const off = (backend as unknown as WasmDataMap).dataIdMap.get(base.dataId).memoryOffset + offset * 4;
  return backend.makeOutput(shape, "float32", off);
}

/** Forgets an alias without freeing the memory it points into. */
function dropAlias(backend: BackendWasm, t: tf.TensorInfo): void {
  const map = backend as unknown as WasmDataMap;
  map.wasm.tfjs.disposeData(map.dataIdMap.get(t.dataId).id);
  map.dataIdMap.delete(t.dataId);
}

/**
 * Forward: inputs x [B, T, F], kernel [F, 4U], recurrentKernel [U, 4U], bias [4U], mask [B, T]
 * (1 = step used); outputs [output, workspace] with output [B, T, U] (returnSequences, in
 * processing order, as tfjs-layers returns it) or [B, U].
 *
 * Each step is one GEMM [h, x, 1]·[R; W; b] straight into the workspace (input projection and
 * bias folded in), one vectorised sigmoid over all four gate blocks (the g block's weights are
 * doubled so that tanh(z) = 2·sigmoid(2z) − 1 comes out of the same call: XNNPACK's sigmoid is
 * ~20x faster than Math.exp, the shipped Tanh kernel is scalar), a JS pass for the cell state,
 * a second sigmoid for tanh(c) and a JS pass for h.
 */
function lstmSequence(args: WasmKernelArgs): tf.TensorInfo[] {
  const { backend } = args;
  const { x, kernel, recurrentKernel, bias, mask } = args.inputs as Record<string, tf.TensorInfo>;
  const attrs = args.attrs as unknown as LstmSequenceAttrs;
  const { B, T, F, U, G } = dims(x, recurrentKernel);
  const L = layout(B, T, U, F);
  const K = L.K;
  const BU = B * U;
  const hard = attrs.recurrentActivation === "hardSigmoid";
  const srcStep = (t: number) => (attrs.goBackwards ? T - 1 - t : t);

  const ws = backend.makeOutput([L.size], "float32");
  const hAll = backend.makeOutput([(T + 1) * BU], "float32"); // h before/after each step (slot 0 = zeros)
  const act = hard ? backend.makeOutput([B, G], "float32") : null; // sigmoid of one step's gates
  // [R; W; b] with the g block doubled.
  const wcat = backend.makeOutput([K, G], "float32");
  {
    const Wc = f32(backend, wcat);
    Wc.set(f32(backend, recurrentKernel));
    Wc.set(f32(backend, kernel), U * G);
    Wc.set(f32(backend, bias), (U + F) * G);
    for (let r = 0; r < K; r++) for (let u = 2 * U; u < 3 * U; u++) Wc[r * G + u] *= 2;
    const W = f32(backend, ws);
    const X = f32(backend, x);
    f32(backend, hAll).fill(0, 0, BU);
    W.fill(0, L.cAll, L.cAll + BU);
    // Step 0's operand: h = 0, x, 1.
    const ts = srcStep(0);
    for (let b = 0; b < B; b++) {
      const row = L.hx + b * K;
      W.fill(0, row, row + U);
      for (let f = 0; f < F; f++) W[row + U + f] = X[(b * T + ts) * F + f];
      W[row + U + F] = 1;
    }
  }

  for (let t = 0; t < T; t++) {
    const ts = srcStep(t);
    const hxT = alias(backend, ws, L.hx + t * B * K, [B, K]);
    const gT = alias(backend, ws, L.gates + t * B * G, [B, G]);
    const scT = alias(backend, ws, L.sc + t * BU, [B, U]);
    gemm(backend, hxT, B, K, wcat, G, gT);
    sigmoidInto(backend, gT, act ?? gT);
    // Views after the wasm calls: creating an XNNPACK operator may grow (and detach) the heap.
    let W = f32(backend, ws);
    const A = act ? f32(backend, act) : W;
    const cIn = L.cAll + t * BU;
    const cOut = cIn + BU;
    const gAt = L.gates + t * B * G;
    const sAt = L.sc + t * BU;
    for (let b = 0; b < B; b++) {
      const p = gAt + b * G;
      const a = act ? b * G : p;
      for (let u = 0; u < U; u++) {
        let gi: number, gf: number;
        if (hard) {
          gi = Math.min(1, Math.max(0, 0.2 * W[p + u] + 0.5));
          gf = Math.min(1, Math.max(0, 0.2 * W[p + U + u] + 0.5));
          W[p + 2 * U + u] = A[a + 2 * U + u];
        } else {
          gi = W[p + u];
          gf = W[p + U + u];
        }
        const k = b * U + u;
        const c = gf * W[cIn + k] + gi * (2 * A[a + 2 * U + u] - 1);
        W[cOut + k] = c;
        W[sAt + k] = 2 * c;
      }
    }
    sigmoidInto(backend, scT, scT);
    W = f32(backend, ws);
    const H = f32(backend, hAll);
    const X = f32(backend, x);
    const mv = attrs.hasMask ? f32(backend, mask) : null;
    const hIn = t * BU;
    const hOut = hIn + BU;
    const next = L.hx + (t + 1) * B * K; // step t+1's operand row block
    const tsNext = srcStep(t + 1);
    for (let b = 0; b < B; b++) {
      const m = mv === null ? 1 : mv[b * T + ts];
      const p = gAt + b * G;
      for (let u = 0; u < U; u++) {
        const k = b * U + u;
        let h: number;
        if (m !== 0) {
          const go = hard ? Math.min(1, Math.max(0, 0.2 * W[p + 3 * U + u] + 0.5)) : W[p + 3 * U + u];
          h = go * (2 * W[sAt + k] - 1);
        } else {
          W[cOut + k] = W[cIn + k];
          h = H[hIn + k];
        }
        H[hOut + k] = h;
        if (t + 1 < T) W[next + b * K + u] = h;
      }
      if (t + 1 < T) {
        const row = next + b * K;
        for (let f = 0; f < F; f++) W[row + U + f] = X[(b * T + tsNext) * F + f];
        W[row + U + F] = 1;
      }
    }
    dropAlias(backend, hxT);
    dropAlias(backend, gT);
    dropAlias(backend, scT);
  }

  let out: tf.TensorInfo;
  if (attrs.returnSequences) {
    out = backend.makeOutput([B, T, U], "float32");
    const o = f32(backend, out);
    const H = f32(backend, hAll);
    for (let t = 0; t < T; t++) {
      const src = (t + 1) * BU;
      for (let b = 0; b < B; b++) o.set(H.subarray(src + b * U, src + (b + 1) * U), (b * T + t) * U);
    }
  } else {
    out = backend.makeOutput([B, U], "float32");
    f32(backend, out).set(f32(backend, hAll).subarray(T * BU, (T + 1) * BU));
  }
  release(backend, wcat, hAll, act ?? undefined);
  return [out, ws];
}

/**
 * Backward: inputs dy (like output), x, kernel, recurrentKernel, mask, workspace; outputs
 * [dx [B, T, F], dKernel [F, 4U], dRecurrentKernel [U, 4U], dBias [4U]]. One JS pass and one
 * GEMM (dZ_t·Rᵀ) per step, then all weight gradients as one GEMM [h, x, 1]ᵀ·dZ over all steps.
 */
function lstmSequenceGrad(args: WasmKernelArgs): tf.TensorInfo[] {
  const { backend } = args;
  const { dy, x, kernel, recurrentKernel, mask, workspace } = args.inputs as Record<string, tf.TensorInfo>;
  const attrs = args.attrs as unknown as LstmSequenceAttrs;
  const { B, T, F, U, G } = dims(x, recurrentKernel);
  const L = layout(B, T, U, F);
  const K = L.K;
  const hard = attrs.recurrentActivation === "hardSigmoid";
  const BU = B * U;

  const rT = freshCopy(backend, recurrentKernel, G, U, true); // Rᵀ [4U, U]
  const dZ = backend.makeOutput([T * B, G], "float32"); // gate pre-activation gradients, rows t*B + b
  const dhRec = backend.makeOutput([B, U], "float32"); // dZ_t · Rᵀ
  const dh = new Float32Array(BU);
  const dc = new Float32Array(BU);
  const carry = new Float32Array(BU); // dh passed straight through masked steps

  for (let t = T - 1; t >= 0; t--) {
    const ts = attrs.goBackwards ? T - 1 - t : t;
    const W = f32(backend, workspace);
    const DY = f32(backend, dy);
    const DZ = f32(backend, dZ);
    const mv = attrs.hasMask ? f32(backend, mask) : null;
    if (t < T - 1) {
      const rec = f32(backend, dhRec);
      for (let k = 0; k < BU; k++) dh[k] = rec[k] + carry[k];
    } else {
      dh.fill(0);
    }
    if (attrs.returnSequences) {
      for (let b = 0; b < B; b++) {
        const src = (b * T + t) * U;
        for (let u = 0; u < U; u++) dh[b * U + u] += DY[src + u];
      }
    } else if (t === T - 1) {
      for (let k = 0; k < BU; k++) dh[k] += DY[k];
    }
    const cIn = L.cAll + t * BU;
    const sAt = L.sc + t * BU;
    const gAt = L.gates + t * B * G;
    const dzAt = t * B * G;
    for (let b = 0; b < B; b++) {
      const m = mv === null ? 1 : mv[b * T + ts];
      const p = gAt + b * G;
      const d = dzAt + b * G;
      for (let u = 0; u < U; u++) {
        const k = b * U + u;
        if (m === 0) {
          DZ[d + u] = 0;
          DZ[d + U + u] = 0;
          DZ[d + 2 * U + u] = 0;
          DZ[d + 3 * U + u] = 0;
          carry[k] = dh[k];
          continue; // dc passes through unchanged
        }
        carry[k] = 0;
        let gi: number, gf: number, go: number, si: number, sf: number, so: number;
        if (hard) {
          // clip(0.2z + 0.5, 0, 1) and tfjs's gradient rule for it (boundaries included).
          const yi = 0.2 * W[p + u] + 0.5;
          const yf = 0.2 * W[p + U + u] + 0.5;
          const yo = 0.2 * W[p + 3 * U + u] + 0.5;
          gi = Math.min(1, Math.max(0, yi));
          gf = Math.min(1, Math.max(0, yf));
          go = Math.min(1, Math.max(0, yo));
          si = yi >= 0 && yi <= 1 ? 0.2 : 0;
          sf = yf >= 0 && yf <= 1 ? 0.2 : 0;
          so = yo >= 0 && yo <= 1 ? 0.2 : 0;
        } else {
          gi = W[p + u];
          gf = W[p + U + u];
          go = W[p + 3 * U + u];
          si = gi * (1 - gi);
          sf = gf * (1 - gf);
          so = go * (1 - go);
        }
        const gg = 2 * W[p + 2 * U + u] - 1;
        const tc = 2 * W[sAt + k] - 1;
        const dht = dh[k];
        const dcTotal = dc[k] + dht * go * (1 - tc * tc);
        dc[k] = dcTotal * gf;
        DZ[d + u] = dcTotal * gg * si;
        DZ[d + U + u] = dcTotal * W[cIn + k] * sf;
        DZ[d + 2 * U + u] = dcTotal * gi * (1 - gg * gg);
        DZ[d + 3 * U + u] = dht * tc * so;
      }
    }
    if (t > 0) {
      const dzT = alias(backend, dZ, dzAt, [B, G]);
      gemm(backend, dzT, B, G, rT, U, dhRec);
      dropAlias(backend, dzT);
    }
  }

  // [dR; dW; db] = Σ_t [h, x, 1]_tᵀ dZ_t: one GEMM over all steps.
  const hxT = backend.makeOutput([K, T * B], "float32");
  transposeInto(f32(backend, workspace), L.hx, f32(backend, hxT), 0, 1, T * B, K);
  const dAll = backend.makeOutput([K, G], "float32");
  gemm(backend, hxT, K, T * B, dZ, G, dAll);
  const dR = backend.makeOutput([U, G], "float32");
  const dW = backend.makeOutput([F, G], "float32");
  const dB = backend.makeOutput([G], "float32");
  {
    const P = f32(backend, dAll);
    f32(backend, dR).set(P.subarray(0, U * G));
    f32(backend, dW).set(P.subarray(U * G, (U + F) * G));
    f32(backend, dB).set(P.subarray((U + F) * G, K * G));
  }

  // dx = dZ · Wᵀ, back to [B, T, F] in the input's time order.
  const wT = freshCopy(backend, kernel, G, F, true);
  const dxT = backend.makeOutput([T * B, F], "float32");
  gemm(backend, dZ, T * B, G, wT, F, dxT);
  const dx = backend.makeOutput([B, T, F], "float32");
  {
    const S = f32(backend, dxT);
    const D = f32(backend, dx);
    for (let t = 0; t < T; t++) {
      const ts = attrs.goBackwards ? T - 1 - t : t;
      for (let b = 0; b < B; b++) D.set(S.subarray((t * B + b) * F, (t * B + b + 1) * F), (b * T + ts) * F);
    }
  }
  release(backend, rT, dZ, dhRec, hxT, dAll, wT, dxT);
  return [dx, dW, dR, dB];
}

/** Registers the two kernels (idempotent). Returns the names newly registered. */
export function registerFusedRecurrentKernels(): string[] {
  const added: string[] = [];
  for (const [name, impl] of [
    [LSTM_SEQUENCE, lstmSequence],
    [LSTM_SEQUENCE_GRAD, lstmSequenceGrad],
  ] as const) {
    if (tf.getKernel(name, "wasm")) continue;
    tf.registerKernel({ kernelName: name, backendName: "wasm", kernelFunc: impl as unknown as tf.KernelFunc });
    added.push(name);
  }
  return added;
}

/**
 * The whole-sequence LSTM as a tf op (wasm backend only): x [B, T, F] → [B, T, U] or [B, U].
 * `mask` [B, T] (1 = use the step, 0 = carry the state over) may be null.
 */
export function lstmSequenceOp(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D | null, mask: tf.Tensor2D | null, attrs: Omit<LstmSequenceAttrs, "hasMask">): tf.Tensor {
  const kernelAttrs = { ...attrs, hasMask: mask !== null } as unknown as tf.NamedAttrMap;
  // customGrad rather than a registered gradient: the engine would otherwise build a zero
  // gradient for the (large) workspace output on every backward pass.
  const op = tf.customGrad((...args: unknown[]) => {
    const [xs, w, r, b, m] = args as tf.Tensor[];
    const save = args[5] as tf.GradSaveFunc;
    const [out, ws] = tf.engine().runKernel(LSTM_SEQUENCE, { x: xs, kernel: w, recurrentKernel: r, bias: b, mask: m } as unknown as tf.NamedTensorMap, kernelAttrs) as tf.Tensor[];
    save([xs, w, r, m, ws]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, sw, sr, sm, sws] = saved;
        const grads = tf.engine().runKernel(LSTM_SEQUENCE_GRAD, { dy: dy as tf.Tensor, x: sx, kernel: sw, recurrentKernel: sr, mask: sm, workspace: sws } as unknown as tf.NamedTensorMap, kernelAttrs) as tf.Tensor[];
        return [...grads, tf.zeros(sm.shape)];
      },
    };
  });
  return tf.tidy(() => {
    const [B, T] = x.shape;
    const G = recurrentKernel.shape[1];
    const b = bias ?? tf.zeros([G]);
    const m = mask ? mask.toFloat() : tf.ones([B, T]);
    return (op as unknown as (...t: tf.Tensor[]) => tf.Tensor)(x, kernel, recurrentKernel, b, m);
  });
}

// ---------------------------------------------------------------------------------------------
// The layer patch.

interface ActivationLike {
  getClassName(): string;
}
interface LstmCellLike {
  activation: ActivationLike;
  recurrentActivation: ActivationLike;
  dropout: number;
  recurrentDropout: number;
  useBias: boolean;
  units: number;
  kernel: { read(): tf.Tensor };
  recurrentKernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
  dropoutMask: tf.Tensor[] | null;
  recurrentDropoutMask: tf.Tensor[] | null;
}
interface LstmLayerLike {
  cell: LstmCellLike;
  stateful: boolean;
  returnState: boolean;
  returnSequences: boolean;
  goBackwards: boolean;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}

let fusedOn = false;
let stockLstmCall: LstmLayerLike["call"] | undefined;

/** Runs the fused kernels for this call, or returns null when the configuration needs the stock code. */
function fusedLstmCall(layer: LstmLayerLike, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown> | undefined): tf.Tensor | null {
  if (!fusedOn || tf.getBackend() !== "wasm") return null;
  let x = inputs;
  if (Array.isArray(x)) {
    if (x.length !== 1) return null;
    x = x[0];
  }
  if (!(x instanceof tf.Tensor) || x.rank !== 3 || x.dtype !== "float32" || x.shape[1] === 0 || x.shape[0] === 0) return null;
  if (kwargs?.initialState != null || layer.stateful || layer.returnState) return null;
  const cell = layer.cell;
  if (cell.activation?.getClassName?.() !== "tanh") return null;
  const rec = cell.recurrentActivation?.getClassName?.();
  if (rec !== "sigmoid" && rec !== "hardSigmoid") return null;
  if (kwargs?.training === true && (cell.dropout > 0 || cell.recurrentDropout > 0)) return null;
  let mask = (kwargs?.mask ?? null) as tf.Tensor | null;
  if (mask !== null && (mask.rank !== 2 || mask.shape[0] !== x.shape[0] || mask.shape[1] !== x.shape[1])) return null;
  return tf.tidy(() => {
    if (mask !== null) mask = tf.cast(mask, "float32");
    return lstmSequenceOp(x as tf.Tensor3D, cell.kernel.read() as tf.Tensor2D, cell.recurrentKernel.read() as tf.Tensor2D, cell.useBias && cell.bias ? (cell.bias.read() as tf.Tensor1D) : null, mask as tf.Tensor2D | null, {
      recurrentActivation: rec,
      goBackwards: layer.goBackwards,
      returnSequences: layer.returnSequences,
    });
  });
}

function lstmPrototype(): LstmLayerLike {
  const probe = tf.layers.lstm({ units: 1 });
  return Object.getPrototypeOf(probe) as LstmLayerLike;
}

/**
 * Makes `tf.layers.lstm` layers use the fused kernels on the wasm backend (idempotent). The
 * stock call stays in place for every other backend and configuration.
 */
export function patchLstmLayer(): boolean {
  registerFusedRecurrentKernels();
  const proto = lstmPrototype();
  if (!stockLstmCall) {
    stockLstmCall = proto.call;
    proto.call = function patchedLstmCall(this: LstmLayerLike, inputs, kwargs) {
      const fused = fusedLstmCall(this, inputs, kwargs);
      return fused ?? (stockLstmCall as LstmLayerLike["call"]).call(this, inputs, kwargs);
    };
  }
  const was = fusedOn;
  fusedOn = true;
  return !was;
}

/** Switches the layer back to tfjs's own step-by-step code (for A/B runs and tests). */
export function unpatchLstmLayer(): void {
  fusedOn = false;
}

/** True while `tf.layers.lstm` uses the fused kernels on wasm. */
export function fusedLstmActive(): boolean {
  return fusedOn;
}
