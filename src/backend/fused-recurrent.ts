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

/** XNNPACK's vectorised sigmoid over a whole buffer, in place. */
function sigmoidInPlace(backend: BackendWasm, t: tf.TensorInfo): void {
  const wasm = (backend as unknown as { wasm: { cwrap: (...args: unknown[]) => UnaryFn } }).wasm;
  let fn = sigmoidFns.get(wasm);
  if (!fn) {
    fn = wasm.cwrap(tf.Sigmoid, null, ["number", "number"]);
    sigmoidFns.set(wasm, fn);
  }
  const id = idOf(backend, t);
  fn(id, id);
}

/** A fresh [rows, cols] buffer holding src (a TensorInfo's first rows*cols floats, optionally transposed from [cols, rows]). */
function freshCopy(backend: BackendWasm, src: tf.TensorInfo, rows: number, cols: number, transposeFrom?: boolean): tf.TensorInfo {
  const out = backend.makeOutput([rows, cols], "float32");
  if (transposeFrom) transposeInto(f32(backend, src), 0, f32(backend, out), 0, 1, cols, rows);
  else f32(backend, out).set(f32(backend, src).subarray(0, rows * cols));
  return out;
}

/** Sizes of the workspace the forward pass hands to the backward pass (float offsets). */
function layout(B: number, T: number, U: number) {
  const hAll = 0; // [T+1, B, U] hidden state before/after each processed step (slot 0 = zeros)
  const cAll = hAll + (T + 1) * B * U; // [T+1, B, U] cell state
  const tanhC = cAll + (T + 1) * B * U; // [T, B, U] tanh of the new cell state
  const gates = tanhC + T * B * U; // [T, B, 4U] activated gates i, f, g, o
  return { hAll, cAll, tanhC, gates, size: gates + T * B * 4 * U };
}

function dims(x: tf.TensorInfo, recurrentKernel: tf.TensorInfo) {
  const [B, T, F] = x.shape;
  const U = recurrentKernel.shape[0];
  return { B, T, F, U, G: 4 * U };
}

/**
 * Forward: inputs x [B, T, F], kernel [F, 4U], recurrentKernel [U, 4U], bias [4U], mask [B, T]
 * (1 = step used); outputs [output, workspace] with output [B, T, U] (returnSequences, in
 * processing order, as tfjs-layers returns it) or [B, U].
 */
function lstmSequence(args: WasmKernelArgs): tf.TensorInfo[] {
  const { backend } = args;
  const { x, kernel, recurrentKernel, bias, mask } = args.inputs as Record<string, tf.TensorInfo>;
  const attrs = args.attrs as unknown as LstmSequenceAttrs;
  const { B, T, F, U, G } = dims(x, recurrentKernel);
  const L = layout(B, T, U);
  const hard = attrs.recurrentActivation === "hardSigmoid";

  const ws = backend.makeOutput([L.size], "float32");
  const xp = backend.makeOutput([B * T, G], "float32"); // x·W + b, rows b*T + t (batch-major like x)
  const wCopy = freshCopy(backend, kernel, F, G);
  gemm(backend, x, B * T, F, wCopy, G, xp);
  {
    const XP = f32(backend, xp);
    const bv = f32(backend, bias);
    for (let r = 0; r < B * T; r++) for (let k = 0; k < G; k++) XP[r * G + k] += bv[k];
  }
  const rCopy = freshCopy(backend, recurrentKernel, U, G);
  const hPrev = backend.makeOutput([B, U], "float32");
  const zr = backend.makeOutput([B, G], "float32"); // h·R, then the gate pre-activations
  const z2c = backend.makeOutput([B, U], "float32"); // 2c, then sigmoid(2c)
  f32(backend, ws).fill(0, L.hAll, L.hAll + B * U);
  f32(backend, ws).fill(0, L.cAll, L.cAll + B * U);
  const BU = B * U;

  for (let t = 0; t < T; t++) {
    const ts = attrs.goBackwards ? T - 1 - t : t;
    if (t > 0) gemm(backend, hPrev, B, U, rCopy, G, zr);
    // Views after the GEMM: creating its operator may grow (and detach) the wasm heap.
    let Z = f32(backend, zr);
    let W = f32(backend, ws);
    const XP = f32(backend, xp);
    const hIn = L.hAll + t * BU;
    const hOut = hIn + BU;
    const cIn = L.cAll + t * BU;
    const cOut = cIn + BU;
    const tcOut = L.tanhC + t * BU;
    const gOut = L.gates + t * B * G;
    // Pre-activations; the g block doubled so that one vectorised sigmoid call gives
    // tanh(z) = 2·sigmoid(2z) − 1 as well (XNNPACK's sigmoid is ~20x faster than Math.exp here,
    // the shipped Tanh kernel is scalar). hardSigmoid gates are written straight away.
    for (let b = 0; b < B; b++) {
      const xRow = (b * T + ts) * G;
      const zRow = b * G;
      if (t > 0) for (let k = 0; k < G; k++) Z[zRow + k] += XP[xRow + k];
      else for (let k = 0; k < G; k++) Z[zRow + k] = XP[xRow + k];
      for (let u = 2 * U; u < 3 * U; u++) Z[zRow + u] *= 2;
      if (hard) {
        const gRow = gOut + b * G;
        for (let u = 0; u < 2 * U; u++) W[gRow + u] = Math.min(1, Math.max(0, 0.2 * Z[zRow + u] + 0.5));
        for (let u = 3 * U; u < G; u++) W[gRow + u] = Math.min(1, Math.max(0, 0.2 * Z[zRow + u] + 0.5));
      }
    }
    sigmoidInPlace(backend, zr);
    W = f32(backend, ws);
    Z = f32(backend, zr);
    let C2 = f32(backend, z2c);
    for (let b = 0; b < B; b++) {
      const zRow = b * G;
      const gRow = gOut + b * G;
      if (!hard) {
        for (let u = 0; u < 2 * U; u++) W[gRow + u] = Z[zRow + u];
        for (let u = 3 * U; u < G; u++) W[gRow + u] = Z[zRow + u];
      }
      for (let u = 0; u < U; u++) {
        const gg = 2 * Z[zRow + 2 * U + u] - 1;
        const k = b * U + u;
        const c = W[gRow + U + u] * W[cIn + k] + W[gRow + u] * gg;
        W[gRow + 2 * U + u] = gg;
        W[cOut + k] = c;
        C2[k] = 2 * c;
      }
    }
    sigmoidInPlace(backend, z2c);
    W = f32(backend, ws);
    C2 = f32(backend, z2c);
    const hp = f32(backend, hPrev);
    const mv = attrs.hasMask ? f32(backend, mask) : null;
    for (let b = 0; b < B; b++) {
      const m = mv === null ? 1 : mv[b * T + ts];
      const gRow = gOut + b * G;
      for (let u = 0; u < U; u++) {
        const k = b * U + u;
        const tc = 2 * C2[k] - 1;
        W[tcOut + k] = tc;
        if (m !== 0) {
          W[hOut + k] = W[gRow + 3 * U + u] * tc;
        } else {
          W[cOut + k] = W[cIn + k];
          W[hOut + k] = W[hIn + k];
        }
        hp[k] = W[hOut + k];
      }
    }
  }

  let out: tf.TensorInfo;
  if (attrs.returnSequences) {
    out = backend.makeOutput([B, T, U], "float32");
    const o = f32(backend, out);
    const W = f32(backend, ws);
    for (let t = 0; t < T; t++) {
      const src = L.hAll + (t + 1) * B * U;
      for (let b = 0; b < B; b++) o.set(W.subarray(src + b * U, src + (b + 1) * U), (b * T + t) * U);
    }
  } else {
    out = backend.makeOutput([B, U], "float32");
    const src = L.hAll + T * B * U;
    f32(backend, out).set(f32(backend, ws).subarray(src, src + B * U));
  }
  release(backend, xp, wCopy, rCopy, hPrev, zr, z2c);
  return [out, ws];
}

/**
 * Backward: inputs dy (like output), x, kernel, recurrentKernel, mask, workspace; outputs
 * [dx [B, T, F], dKernel [F, 4U], dRecurrentKernel [U, 4U], dBias [4U]].
 */
function lstmSequenceGrad(args: WasmKernelArgs): tf.TensorInfo[] {
  const { backend } = args;
  const { dy, x, kernel, recurrentKernel, mask, workspace } = args.inputs as Record<string, tf.TensorInfo>;
  const attrs = args.attrs as unknown as LstmSequenceAttrs;
  const { B, T, F, U, G } = dims(x, recurrentKernel);
  const L = layout(B, T, U);
  const hard = attrs.recurrentActivation === "hardSigmoid";
  const BU = B * U;

  const rT = freshCopy(backend, recurrentKernel, G, U, true); // Rᵀ [4U, U]
  const dZ = backend.makeOutput([T * B, G], "float32"); // gate pre-activation gradients, rows t*B + b
  const dzStep = backend.makeOutput([B, G], "float32");
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
    const tcAt = L.tanhC + t * BU;
    const gAt = L.gates + t * B * G;
    const dzAt = t * B * G;
    for (let b = 0; b < B; b++) {
      const m = mv === null ? 1 : mv[b * T + ts];
      const gRow = gAt + b * G;
      const dRow = dzAt + b * G;
      for (let u = 0; u < U; u++) {
        const k = b * U + u;
        if (m === 0) {
          DZ[dRow + u] = 0;
          DZ[dRow + U + u] = 0;
          DZ[dRow + 2 * U + u] = 0;
          DZ[dRow + 3 * U + u] = 0;
          carry[k] = dh[k];
          continue; // dc passes through unchanged
        }
        carry[k] = 0;
        const gi = W[gRow + u];
        const gf = W[gRow + U + u];
        const gg = W[gRow + 2 * U + u];
        const go = W[gRow + 3 * U + u];
        const tc = W[tcAt + k];
        const dht = dh[k];
        const dcTotal = dc[k] + dht * go * (1 - tc * tc);
        const dO = dht * tc;
        const dI = dcTotal * gg;
        const dF = dcTotal * W[cIn + k];
        const dG = dcTotal * gi;
        dc[k] = dcTotal * gf;
        let si: number, sf: number, so: number;
        if (hard) {
          si = gi > 0 && gi < 1 ? 0.2 : 0;
          sf = gf > 0 && gf < 1 ? 0.2 : 0;
          so = go > 0 && go < 1 ? 0.2 : 0;
        } else {
          si = gi * (1 - gi);
          sf = gf * (1 - gf);
          so = go * (1 - go);
        }
        DZ[dRow + u] = dI * si;
        DZ[dRow + U + u] = dF * sf;
        DZ[dRow + 2 * U + u] = dG * (1 - gg * gg);
        DZ[dRow + 3 * U + u] = dO * so;
      }
    }
    if (t > 0) {
      f32(backend, dzStep).set(DZ.subarray(dzAt, dzAt + B * G));
      gemm(backend, dzStep, B, G, rT, U, dhRec);
    }
  }

  // dR = Σ_t h_{t-1}ᵀ dZ_t = Hᵀ · dZ with H the states before each step, rows t*B + b.
  const hT = backend.makeOutput([U, T * B], "float32");
  transposeInto(f32(backend, workspace), L.hAll, f32(backend, hT), 0, 1, T * B, U);
  const dR = backend.makeOutput([U, G], "float32");
  gemm(backend, hT, U, T * B, dZ, G, dR);

  // [dW; db] = [X, 1]ᵀ · dZ, with X in the same time-major row order as dZ.
  const xT = backend.makeOutput([F + 1, T * B], "float32");
  {
    const XT = f32(backend, xT);
    const X = f32(backend, x);
    for (let t = 0; t < T; t++) {
      const ts = attrs.goBackwards ? T - 1 - t : t;
      for (let b = 0; b < B; b++) {
        const src = (b * T + ts) * F;
        const col = t * B + b;
        for (let f = 0; f < F; f++) XT[f * T * B + col] = X[src + f];
      }
    }
    XT.fill(1, F * T * B);
  }
  const dWb = backend.makeOutput([F + 1, G], "float32");
  gemm(backend, xT, F + 1, T * B, dZ, G, dWb);
  const dW = backend.makeOutput([F, G], "float32");
  const dB = backend.makeOutput([G], "float32");
  {
    const P = f32(backend, dWb);
    f32(backend, dW).set(P.subarray(0, F * G));
    f32(backend, dB).set(P.subarray(F * G, (F + 1) * G));
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
  release(backend, rT, dZ, dzStep, dhRec, hT, xT, dWb, wT, dxT);
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
