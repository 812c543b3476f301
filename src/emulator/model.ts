/**
 * A neural emulator of a stellar-evolution grid: (mass, age, metallicity) → (Teff, L, R, log g, Δν,
 * ν_max), smooth and differentiable, for use inside a gradient-based sampler (cf. Lyttle et al. 2021,
 * MNRAS 505, 2427, who emulate a MESA grid with a 6 × 128 ELU network and sample with NUTS).
 *
 * Two stages, both written in tfjs ops:
 *   1. the clock (`./clock`): interpolated phase-boundary ages turn the age into the grid's
 *      evolutionary coordinate, split into one coordinate per phase (`./features`);
 *   2. the network (`./mlp`): a dense ELU network maps standardised (log M, [M/H], phase inputs) to
 *      the standardised log outputs.
 * `apply` chains them on tensors (use it inside tf.grad / tf.valueAndGrad); `predict` does the same
 * on plain arrays in batches and returns physical units.
 */
import * as tf from "@tensorflow/tfjs";
import { Standardizer } from "../table/tensors";
import { EvolutionClock, EvolutionClockJSON } from "./clock";
import {
  EMULATOR_INPUTS,
  EMULATOR_OUTPUTS,
  featureRow,
  featuresTensor,
  fracAgeFromBoundaries,
  phasePiecesTensor,
  PhaseFeatureOptions,
} from "./features";
import { MlpActivation, mlpForward, mlpLayers } from "./mlp";

/** Everything about an emulator except its network weights: what `emulator.json` holds. */
export interface EmulatorSpec {
  format: "nn4astro-stellar-emulator";
  version: 1;
  /** Reference Z of the network's [M/H] input feature (`SOLAR_Z` for emulators trained now). */
  solarZ: number;
  phaseFeatures: Required<PhaseFeatureOptions>;
  inputs: string[];
  outputs: string[];
  /** Standardisation of the inputs and outputs (training rows only). */
  inputScaling: { mean: number[]; sd: number[] };
  outputScaling: { mean: number[]; sd: number[] };
  clock: EvolutionClockJSON;
  network: { hidden: number[]; activation: MlpActivation };
  /** Where the emulator is meant to be used (the training grid's box). */
  domain: { massMsun: [number, number]; Z: [number, number]; maxAgeGyr: number };
  /** How it was trained (free-form record for reproducibility). */
  training: Record<string, unknown>;
  /** Held-out validation summary written by the training script (optional). */
  validation?: Record<string, unknown>;
}

/** Emulator outputs as tensors of shape [n]: log10 quantities plus the evolutionary coordinate. */
export interface EmulatorTensors {
  logTeff: tf.Tensor1D;
  logL: tf.Tensor1D;
  logR: tf.Tensor1D;
  logg: tf.Tensor1D;
  logDeltaNu: tf.Tensor1D;
  logNumax: tf.Tensor1D;
  /** Evolutionary coordinate of the age (0–1 MS, 1–2 HG, 2–3 GB; > 3 is past the grid's tracks). */
  fracAge: tf.Tensor1D;
  /** All six log outputs as [n, 6] (EMULATOR_OUTPUTS order). */
  all: tf.Tensor2D;
}

/** Emulator outputs in physical units, one entry per star. */
export interface EmulatorPrediction {
  teffK: Float64Array;
  lumLsun: Float64Array;
  radiusRsun: Float64Array;
  loggCgs: Float64Array;
  deltaNuMuHz: Float64Array;
  numaxMuHz: Float64Array;
  fracAge: Float64Array;
  /** The raw log outputs [EMULATOR_OUTPUTS order][star]. */
  log: Float64Array[];
}

/** Stars to evaluate: equal-length arrays (or one number, broadcast to the others' length). */
export interface StarInputs {
  massMsun: ArrayLike<number> | number;
  ageGyr: ArrayLike<number> | number;
  Z: ArrayLike<number> | number;
}

function broadcastInputs(stars: StarInputs): { m: Float64Array; t: Float64Array; z: Float64Array } {
  const lens = [stars.massMsun, stars.ageGyr, stars.Z].map((v) => (typeof v === "number" ? 1 : v.length));
  const n = Math.max(...lens);
  for (const l of lens) if (l !== 1 && l !== n) throw new Error(`StellarEmulator: inputs have different lengths (${lens.join(", ")})`);
  const expand = (v: ArrayLike<number> | number) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = typeof v === "number" ? v : v.length === 1 ? v[0] : v[i];
    return out;
  };
  return { m: expand(stars.massMsun), t: expand(stars.ageGyr), z: expand(stars.Z) };
}

/** The trained emulator: network + clock + feature definitions. */
export class StellarEmulator {
  readonly clock: EvolutionClock;
  private readonly inScale: Standardizer;
  private readonly outScale: Standardizer;
  private scaleTensors?: { inMean: tf.Tensor1D; inSd: tf.Tensor1D; outMean: tf.Tensor1D; outSd: tf.Tensor1D; backend: string };
  /** float64 copies of the network's weights for the plain-JavaScript path (read once, on first use). */
  private jsLayers?: Array<{ w: Float64Array; b: Float64Array; nIn: number; nOut: number; act: string }>;

  constructor(
    /** The dense network (standardised inputs → standardised outputs). */
    readonly network: tf.LayersModel,
    readonly spec: EmulatorSpec,
  ) {
    if (spec.format !== "nn4astro-stellar-emulator") throw new Error(`StellarEmulator: not an emulator spec (format ${String(spec.format)})`);
    const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    if (!same(spec.inputs, EMULATOR_INPUTS) || !same(spec.outputs, EMULATOR_OUTPUTS)) {
      throw new Error(`StellarEmulator: spec inputs/outputs (${spec.inputs} → ${spec.outputs}) differ from this library's (${EMULATOR_INPUTS} → ${EMULATOR_OUTPUTS})`);
    }
    this.clock = EvolutionClock.fromJSON(spec.clock, spec.solarZ);
    this.inScale = Standardizer.fromJSON({ ...spec.inputScaling, columns: spec.inputs });
    this.outScale = Standardizer.fromJSON({ ...spec.outputScaling, columns: spec.outputs });
  }

  /**
   * Reference Z of the network's own [M/H] input feature, log10(Z / solarZ): `SOLAR_Z` for every
   * emulator this library trains. Callers always pass Z, so it never leaks into a user's [M/H].
   */
  get solarZ(): number {
    return this.spec.solarZ;
  }

  private scales() {
    const backend = tf.getBackend();
    if (this.scaleTensors && this.scaleTensors.backend === backend && !this.scaleTensors.inMean.isDisposed) return this.scaleTensors;
    this.scaleTensors = {
      inMean: tf.keep(tf.tensor1d(this.inScale.mean)),
      inSd: tf.keep(tf.tensor1d(this.inScale.sd)),
      outMean: tf.keep(tf.tensor1d(this.outScale.mean)),
      outSd: tf.keep(tf.tensor1d(this.outScale.sd)),
      backend,
    };
    return this.scaleTensors;
  }

  /** Network only: raw inputs [n, 6] (EMULATOR_INPUTS order) → log outputs [n, 6]. Differentiable. */
  applyFeatures(features: tf.Tensor2D): tf.Tensor2D {
    const s = this.scales();
    return tf.tidy(() => mlpForward(this.network, features.sub(s.inMean).div(s.inSd) as tf.Tensor2D).mul(s.outSd).add(s.outMean) as tf.Tensor2D);
  }

  /**
   * The emulator on tensors of shape [n]: log10 M, age in Gyr and [M/H] = log10(Z/Z☉). Every output
   * is differentiable with respect to all three inputs (e.g. `tf.grad` of a log-likelihood).
   */
  applyLog(logMass: tf.Tensor1D, ageGyr: tf.Tensor1D, mh: tf.Tensor1D): EmulatorTensors {
    return tf.tidy((): tf.TensorContainerObject => {
      const b = this.clock.boundariesTensor(logMass, mh);
      const pieces = phasePiecesTensor(ageGyr, b.tMSGyr, b.tBGBGyr, b.tHeIGyr);
      const out = this.applyFeatures(featuresTensor(logMass, mh, pieces, this.spec.phaseFeatures));
      const cols = tf.unstack(out, 1) as tf.Tensor1D[];
      return { logTeff: cols[0], logL: cols[1], logR: cols[2], logg: cols[3], logDeltaNu: cols[4], logNumax: cols[5], fracAge: pieces.fracAge, all: out };
    }) as unknown as EmulatorTensors;
  }

  /** The emulator on tensors [n] of mass (M☉), age (Gyr) and metal fraction Z. Differentiable. */
  apply(massMsun: tf.Tensor1D, ageGyr: tf.Tensor1D, Z: tf.Tensor1D): EmulatorTensors {
    return tf.tidy(
      () => this.applyLog(tf.log(massMsun).div(Math.LN10) as tf.Tensor1D, ageGyr, tf.log(Z.div(this.solarZ)).div(Math.LN10) as tf.Tensor1D) as unknown as tf.TensorContainerObject,
    ) as unknown as EmulatorTensors;
  }

  /** The evolutionary coordinate (0–3) of stars, from the clock (plain numbers). */
  fracAge(massMsun: number, ageGyr: number, Z: number): number {
    const b = this.clock.boundaries(massMsun, Z);
    return fracAgeFromBoundaries(ageGyr, b.tMSGyr, b.tBGBGyr, b.tHeIGyr);
  }

  /**
   * Batch prediction on plain arrays, in physical units. By default in plain JavaScript (float64,
   * `evaluate` per star: no tensor set-up, fastest for the batch sizes a sampler uses); with
   * `{ engine: "tfjs" }` through `apply` in chunks of 16384 stars (float32).
   */
  predict(stars: StarInputs, options: { engine?: "js" | "tfjs" } = {}): EmulatorPrediction {
    const { m, t, z } = broadcastInputs(stars);
    const n = m.length;
    const log = EMULATOR_OUTPUTS.map(() => new Float64Array(n));
    const frac = new Float64Array(n);
    const k = EMULATOR_OUTPUTS.length;
    if ((options.engine ?? "js") === "js") {
      const out = new Float64Array(k);
      for (let i = 0; i < n; i++) {
        frac[i] = this.evaluateInto(m[i], t[i], z[i], out);
        for (let j = 0; j < k; j++) log[j][i] = out[j];
      }
      return physical(log, frac);
    }
    const chunk = 16384;
    for (let start = 0; start < n; start += chunk) {
      const end = Math.min(n, start + chunk);
      const [outs, f] = tf.tidy(() => {
        const r = this.apply(
          tf.tensor1d(Float32Array.from(m.subarray(start, end))),
          tf.tensor1d(Float32Array.from(t.subarray(start, end))),
          tf.tensor1d(Float32Array.from(z.subarray(start, end))),
        );
        return [r.all, r.fracAge];
      });
      const data = outs.dataSync();
      const fd = f.dataSync();
      outs.dispose();
      f.dispose();
      for (let i = start; i < end; i++) {
        for (let j = 0; j < k; j++) log[j][i] = data[(i - start) * k + j];
        frac[i] = fd[i - start];
      }
    }
    return physical(log, frac);
  }

  private weightsJs(): NonNullable<StellarEmulator["jsLayers"]> {
    if (this.jsLayers) return this.jsLayers;
    this.jsLayers = mlpLayers(this.network).map(({ kernel, bias, activation }) => {
      const [nIn, nOut] = kernel.shape as [number, number];
      return { w: Float64Array.from(kernel.dataSync()), b: Float64Array.from(bias.dataSync()), nIn, nOut, act: activation };
    });
    return this.jsLayers;
  }

  private scratchBuffers?: { h: Float64Array[]; t0: Float64Array[]; t1: Float64Array[]; t2: Float64Array[] };

  private scratch(layers: NonNullable<StellarEmulator["jsLayers"]>) {
    if (!this.scratchBuffers) {
      const width = Math.max(EMULATOR_INPUTS.length, ...layers.map((l) => l.nOut));
      const pair = () => [new Float64Array(width), new Float64Array(width)];
      this.scratchBuffers = { h: pair(), t0: pair(), t1: pair(), t2: pair() };
    }
    return this.scratchBuffers;
  }

  /**
   * Forgets the float64 copy of the weights used by `evaluate`/`predict`: call it after changing the
   * network's weights (e.g. training it further).
   */
  refreshWeights(): void {
    this.jsLayers = undefined;
    this.scratchBuffers = undefined;
  }

  /**
   * One star in plain JavaScript (float64): writes the six log outputs into `out` and returns the
   * evolutionary coordinate. With `jac` (length 18), also writes d(log output k)/d(M, age, Z) at
   * jac[3k + (0, 1, 2)] — per M☉, per Gyr and per unit Z — by forward-mode differentiation.
   */
  evaluateInto(massMsun: number, ageGyr: number, Z: number, out: Float64Array, jac?: Float64Array): number {
    const logM = Math.log10(massMsun);
    const mh = Math.log10(Z / this.solarZ);
    const cg = jac ? new Float64Array(6) : undefined;
    const [lt, lhg, lgb] = this.clock.logQuantities(logM, mh, cg);
    const tMS = 10 ** lt;
    const r1 = 10 ** lhg;
    const dHG = tMS * r1;
    const tBGB = tMS + dHG;
    const r2 = 10 ** lgb;
    const dGB = tBGB * r2;
    const t = ageGyr;
    const tauRaw = t / tMS;
    const uRaw = (t - tMS) / dHG;
    const vRaw = (t - tBGB) / dGB;
    const clip = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);
    const { msStretch, gbStretch } = this.spec.phaseFeatures;
    const stretch = (x: number, d: number) => Math.log(1 - (1 - d) * x) / Math.log(d);
    const tau = clip(tauRaw);
    const v = clip(vRaw);
    const x = [logM, mh, tau, stretch(tau, msStretch), clip(uRaw), stretch(v, gbStretch)];
    const fracAge = tau + clip(uRaw) + Math.max(0, vRaw);
    // Tangents of the features along θ = (log10 M, age, [M/H]): dx[f][c].
    let dx: number[][] | undefined;
    if (jac && cg) {
      const L = Math.LN10;
      const dlt = [cg[0], 0, cg[3]];
      const dlhg = [cg[1], 0, cg[4]];
      const dlgb = [cg[2], 0, cg[5]];
      const dt = [0, 1, 0];
      const dtMS = dlt.map((d) => tMS * L * d);
      const ddHG = dlt.map((d, c) => dHG * L * (d + dlhg[c]));
      const dtBGB = dtMS.map((d, c) => d + ddHG[c]);
      const ddGB = dtBGB.map((d, c) => r2 * d + dGB * L * dlgb[c]);
      const inside = (raw: number) => raw > 0 && raw < 1;
      const dTau = dt.map((d, c) => (inside(tauRaw) ? d / tMS - (tauRaw * dtMS[c]) / tMS : 0));
      const dU = dt.map((d, c) => (inside(uRaw) ? (d - dtMS[c]) / dHG - (uRaw * ddHG[c]) / dHG : 0));
      const dV = dt.map((d, c) => (inside(vRaw) ? (d - dtBGB[c]) / dGB - (vRaw * ddGB[c]) / dGB : 0));
      const dStretch = (xv: number, d: number) => -(1 - d) / ((1 - (1 - d) * xv) * Math.log(d));
      dx = [[1, 0, 0], [0, 0, 1], dTau, dTau.map((d) => d * dStretch(tau, msStretch)), dU, dV.map((d) => d * dStretch(v, gbStretch))];
    }
    const tangents = this.forwardJs(x, out, dx);
    if (jac && tangents) {
      for (let k = 0; k < EMULATOR_OUTPUTS.length; k++) {
        // Chain rule from (log10 M, age, [M/H]) to (M, age, Z).
        jac[3 * k] = tangents[0][k] / (massMsun * Math.LN10);
        jac[3 * k + 1] = tangents[1][k];
        jac[3 * k + 2] = tangents[2][k] / (Z * Math.LN10);
      }
    }
    return fracAge;
  }

  /**
   * The network in plain JavaScript on one raw feature row `x` (EMULATOR_INPUTS order): writes the six
   * log outputs into `out`. With feature tangents `dx[f][c]` (c = 0, 1, 2), also returns the output
   * tangents [c][k] (forward-mode differentiation).
   */
  private forwardJs(x: ArrayLike<number>, out: Float64Array, dx?: number[][]): Float64Array[] | undefined {
    const nIn = EMULATOR_INPUTS.length;
    // Standardise, then the dense layers (value plus three tangents when differentiating), in
    // preallocated scratch buffers: this runs once per star inside a sampler's inner loop.
    const layers = this.weightsJs();
    const sc = this.scratch(layers);
    // Value h and its three tangents t0, t1, t2 (along log10 M, age, [M/H]), ping-ponging between buffers.
    let [h, t0, t1, t2] = [sc.h[0], sc.t0[0], sc.t1[0], sc.t2[0]];
    let [hn, t0n, t1n, t2n] = [sc.h[1], sc.t0[1], sc.t1[1], sc.t2[1]];
    for (let f = 0; f < nIn; f++) {
      const sd = this.inScale.sd[f];
      h[f] = (x[f] - this.inScale.mean[f]) / sd;
      if (dx) {
        t0[f] = dx[f][0] / sd;
        t1[f] = dx[f][1] / sd;
        t2[f] = dx[f][2] / sd;
      }
    }
    const tangents = dx !== undefined;
    for (let l = 0; l < layers.length; l++) {
      const { w, b, nIn: ni, nOut: no, act } = layers[l];
      for (let o = 0; o < no; o++) hn[o] = b[o];
      if (tangents) {
        t0n.fill(0, 0, no);
        t1n.fill(0, 0, no);
        t2n.fill(0, 0, no);
      }
      for (let i = 0; i < ni; i++) {
        const hi = h[i];
        const row = i * no;
        for (let o = 0; o < no; o++) hn[o] += hi * w[row + o];
        if (tangents) {
          const a0 = t0[i];
          const a1 = t1[i];
          const a2 = t2[i];
          for (let o = 0; o < no; o++) {
            const wv = w[row + o];
            t0n[o] += a0 * wv;
            t1n[o] += a1 * wv;
            t2n[o] += a2 * wv;
          }
        }
      }
      if (act !== "linear") {
        for (let o = 0; o < no; o++) {
          let a: number;
          let da: number;
          const z = hn[o];
          if (act === "elu") {
            if (z > 0) continue;
            da = Math.exp(z);
            a = da - 1;
          } else {
            [a, da] = activateJs(z, act);
          }
          hn[o] = a;
          if (tangents) {
            t0n[o] *= da;
            t1n[o] *= da;
            t2n[o] *= da;
          }
        }
      }
      let swap = h;
      h = hn;
      hn = swap;
      swap = t0;
      t0 = t0n;
      t0n = swap;
      swap = t1;
      t1 = t1n;
      t1n = swap;
      swap = t2;
      t2 = t2n;
      t2n = swap;
    }
    const nOut = EMULATOR_OUTPUTS.length;
    const tangentsOut = dx ? [new Float64Array(nOut), new Float64Array(nOut), new Float64Array(nOut)] : undefined;
    for (let k = 0; k < nOut; k++) {
      const sd = this.outScale.sd[k];
      out[k] = h[k] * sd + this.outScale.mean[k];
      if (tangentsOut) {
        tangentsOut[0][k] = t0[k] * sd;
        tangentsOut[1][k] = t1[k] * sd;
        tangentsOut[2][k] = t2[k] * sd;
      }
    }
    return tangentsOut;
  }

  /** One star (plain JavaScript, float64): the six log outputs (EMULATOR_OUTPUTS order) and the evolutionary coordinate. */
  evaluate(massMsun: number, ageGyr: number, Z: number): { log: Float64Array; fracAge: number } {
    const log = new Float64Array(EMULATOR_OUTPUTS.length);
    const fracAge = this.evaluateInto(massMsun, ageGyr, Z, log);
    return { log, fracAge };
  }

  /**
   * One star with its Jacobian: jacobian[k][c] = d(log output k)/d(input c), inputs (M in M☉,
   * age in Gyr, Z). The derivative a gradient-based sampler needs, without tfjs overhead.
   */
  evaluateWithJacobian(massMsun: number, ageGyr: number, Z: number): { log: Float64Array; fracAge: number; jacobian: number[][] } {
    const log = new Float64Array(EMULATOR_OUTPUTS.length);
    const jac = new Float64Array(EMULATOR_OUTPUTS.length * 3);
    const fracAge = this.evaluateInto(massMsun, ageGyr, Z, log, jac);
    return { log, fracAge, jacobian: EMULATOR_OUTPUTS.map((_, k) => [jac[3 * k], jac[3 * k + 1], jac[3 * k + 2]]) };
  }

  /**
   * The network alone at given evolutionary coordinates (the grid's `frac_age`), bypassing the
   * clock (plain JavaScript, float64): comparing this with `predict` separates the network's error
   * from the clock's.
   */
  predictAtFracAge(stars: { massMsun: ArrayLike<number> | number; fracAge: ArrayLike<number> | number; Z: ArrayLike<number> | number }): EmulatorPrediction {
    const { m, t: f, z } = broadcastInputs({ massMsun: stars.massMsun, ageGyr: stars.fracAge, Z: stars.Z });
    const n = m.length;
    const log = EMULATOR_OUTPUTS.map(() => new Float64Array(n));
    const out = new Float64Array(EMULATOR_OUTPUTS.length);
    for (let i = 0; i < n; i++) {
      this.forwardJs(featureRow(m[i], z[i], f[i], this.solarZ, this.spec.phaseFeatures), out);
      for (let k = 0; k < out.length; k++) log[k][i] = out[k];
    }
    return physical(log, Float64Array.from(f));
  }

  /** Number of trainable weights of the network. */
  get parameterCount(): number {
    return this.network.countParams();
  }

  /** One-line description. */
  describe(): string {
    const net = this.spec.network;
    return `StellarEmulator: ${EMULATOR_INPUTS.length} inputs → ${net.hidden.join("×")} ${net.activation} → ${EMULATOR_OUTPUTS.length} log outputs (${this.parameterCount} weights); clock on ${this.spec.clock.logMassNodes.length} masses × ${this.spec.clock.mhNodes.length} metallicities`;
  }

  dispose(): void {
    this.network.dispose();
    if (this.scaleTensors) for (const t of [this.scaleTensors.inMean, this.scaleTensors.inSd, this.scaleTensors.outMean, this.scaleTensors.outSd]) t.dispose();
  }
}

/** An activation and its derivative at h, matching tfjs's definitions. */
function activateJs(h: number, act: string): [number, number] {
  switch (act) {
    case "linear":
      return [h, 1];
    case "elu":
      return h > 0 ? [h, 1] : [Math.expm1(h), Math.exp(h)];
    case "relu":
      return h > 0 ? [h, 1] : [0, 0];
    case "tanh": {
      const a = Math.tanh(h);
      return [a, 1 - a * a];
    }
    case "softplus":
      return [h > 30 ? h : Math.log1p(Math.exp(h)), 1 / (1 + Math.exp(-h))];
    case "selu": {
      const scale = 1.0507009873554805;
      const alpha = 1.6732632423543772;
      return h > 0 ? [scale * h, scale] : [scale * alpha * Math.expm1(h), scale * alpha * Math.exp(h)];
    }
    case "swish": {
      const sg = 1 / (1 + Math.exp(-h));
      return [h * sg, sg + h * sg * (1 - sg)];
    }
    default:
      throw new Error(`StellarEmulator: unsupported activation "${act}"`);
  }
}

function physical(log: Float64Array[], frac: Float64Array): EmulatorPrediction {
  const pow = (a: Float64Array) => a.map((v) => 10 ** v);
  return {
    teffK: pow(log[0]),
    lumLsun: pow(log[1]),
    radiusRsun: pow(log[2]),
    loggCgs: Float64Array.from(log[3]),
    deltaNuMuHz: pow(log[4]),
    numaxMuHz: pow(log[5]),
    fracAge: frac,
    log,
  };
}

