/**
 * The evolutionary clock of an emulator: for a star of mass M and metallicity Z, the ages at which
 * it leaves the main sequence (t_MS), reaches the base of the giant branch (t_BGB) and ignites
 * helium (t_HeI). With them an age becomes the grid's fractional evolutionary coordinate
 * (`frac_age`: 0–1 on the MS, 1–2 across the Hertzsprung gap, 2–3 up the giant branch).
 *
 * Why this matters for a sampler: the emulator's network takes the evolutionary coordinate, but a
 * cluster model samples *age*, so age → coordinate must be differentiable as well, and accurate.
 * The Hertzsprung gap lasts only ~2–5 % of the MS lifetime, so a 1 % error in its duration moves a
 * subgiant by 1 % of the gap (≈ 15 K in Teff). A small network fitted to the 3 × 728 boundary ages
 * reaches ~0.5 % (tested while building this module); interpolating the per-track table does ~100×
 * better, so that is what the clock does.
 *
 * The table holds log10 t_MS, log10(Δt_HG / t_MS) and log10(Δt_GB / t_BGB) on a rectilinear grid
 * of (log10 M, [M/H]) and is interpolated with bicubic Hermite patches. The slopes at the nodes follow
 * Steffen (1990, A&A 239, 443) along each direction: monotone between nodes (no overshoot at the
 * kinks of the fits, e.g. where the MS hook starts setting t_MS); shared nodal values, slopes and
 * cross-derivatives make the surface continuously differentiable, so the gradient a sampler sees has
 * no jumps. Each patch is stored as its 4 × 4 polynomial coefficients, so evaluating it is one table
 * lookup and a polynomial, the same on plain numbers (`boundaries`) and on tfjs tensors
 * (`boundariesTensor`, differentiable through `tf.grad`).
 */
import * as tf from "@tensorflow/tfjs";
import { SOLAR_Z } from "../stellar/metallicity";

/** Phase-boundary ages of one star, Gyr. */
export interface PhaseBoundaries {
  /** End of the main sequence. */
  tMSGyr: number;
  /** Base of the giant branch (end of the Hertzsprung gap). */
  tBGBGyr: number;
  /** Helium ignition (tip of the giant branch). */
  tHeIGyr: number;
}

/** The same as tensors of shape [n] (Gyr). */
export interface PhaseBoundariesTensor {
  tMSGyr: tf.Tensor1D;
  tBGBGyr: tf.Tensor1D;
  tHeIGyr: tf.Tensor1D;
}

/** What `EvolutionClock.toJSON` writes and `fromJSON` reads. */
export interface EvolutionClockJSON {
  /** log10 M (M☉) of the mass nodes, ascending. */
  logMassNodes: number[];
  /** [M/H] = log10(Z / Z☉) of the metallicity nodes, ascending. */
  mhNodes: number[];
  /** Values [mass][metallicity][3]: log10 t_MS/Gyr, log10(Δt_HG/t_MS), log10(Δt_GB/t_BGB). */
  values: number[][][];
}

/** Steffen (1990) slopes at the nodes: monotone between nodes, C¹ overall. */
export function steffenSlopes(x: readonly number[], f: readonly number[]): number[] {
  const n = x.length;
  if (n < 2) throw new RangeError("steffenSlopes: need at least two nodes");
  const d = new Array<number>(n);
  const secant = (i: number) => (f[i + 1] - f[i]) / (x[i + 1] - x[i]);
  for (let i = 1; i < n - 1; i++) {
    const h0 = x[i] - x[i - 1];
    const h1 = x[i + 1] - x[i];
    const s0 = secant(i - 1);
    const s1 = secant(i);
    const p = (s0 * h1 + s1 * h0) / (h0 + h1);
    d[i] = (Math.sign(s0) + Math.sign(s1)) * Math.min(Math.abs(s0), Math.abs(s1), 0.5 * Math.abs(p));
  }
  if (n === 2) {
    d[0] = d[1] = secant(0);
    return d;
  }
  // Steffen's end conditions: a parabola through the first (last) three points, limited likewise.
  const ends = (i0: number, i1: number, i2: number): number => {
    const h0 = x[i1] - x[i0];
    const h1 = x[i2] - x[i1];
    const s0 = (f[i1] - f[i0]) / h0;
    const s1 = (f[i2] - f[i1]) / h1;
    const p = s0 * (1 + h0 / (h0 + h1)) - s1 * (h0 / (h0 + h1));
    if (p * s0 <= 0) return 0;
    if (Math.abs(p) > 2 * Math.abs(s0)) return 2 * s0;
    return p;
  };
  d[0] = ends(0, 1, 2);
  // Mirror the last three points so the same formula applies at the right end.
  {
    const h0 = x[n - 1] - x[n - 2];
    const h1 = x[n - 2] - x[n - 3];
    const s0 = (f[n - 1] - f[n - 2]) / h0;
    const s1 = (f[n - 2] - f[n - 3]) / h1;
    const p = s0 * (1 + h0 / (h0 + h1)) - s1 * (h0 / (h0 + h1));
    d[n - 1] = p * s0 <= 0 ? 0 : Math.abs(p) > 2 * Math.abs(s0) ? 2 * s0 : p;
  }
  return d;
}

/** Index i of the interval [x_i, x_{i+1}] holding v (clamped to the first/last interval). */
function intervalIndex(x: readonly number[], v: number): number {
  let lo = 0;
  let hi = x.length - 2;
  if (v <= x[0]) return 0;
  if (v >= x[hi]) return hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (v >= x[mid]) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Power coefficients of the cubic Hermite basis h00, h10, h01, h11 (rows) in 1, t, t², t³ (columns). */
const HERMITE: readonly (readonly number[])[] = [
  [1, 0, -3, 2],
  [0, 1, -2, 1],
  [0, 0, 3, -2],
  [0, 0, -1, 1],
];

/** Three-point derivative on non-uniform nodes (one-sided at the ends). */
function finiteDifference(x: readonly number[], f: readonly number[]): number[] {
  const n = x.length;
  return x.map((_, i) => {
    if (i === 0) return (f[1] - f[0]) / (x[1] - x[0]);
    if (i === n - 1) return (f[n - 1] - f[n - 2]) / (x[n - 1] - x[n - 2]);
    const h0 = x[i] - x[i - 1];
    const h1 = x[i + 1] - x[i];
    return (h1 * h1 * (f[i] - f[i - 1]) + h0 * h0 * (f[i + 1] - f[i])) / (h0 * h1 * (h0 + h1));
  });
}

/** Number of interpolated quantities (log t_MS, log Δt_HG/t_MS, log Δt_GB/t_BGB). */
const NQ = 3;

/**
 * The phase-boundary ages of a grid, interpolated smoothly in mass and metallicity.
 *
 * @example
 * const clock = EvolutionClock.fromTracks(gridTracks(grid));
 * clock.boundaries(1.0, SOLAR_Z); // { tMSGyr: 10.0…, tBGBGyr: …, tHeIGyr: … }
 */
export class EvolutionClock {
  /**
   * Patch coefficients: for cell (i, j) (mass interval i, metallicity interval j) and quantity k,
   * the 16 numbers A[p][q] of Σ A[p][q] t^p s^q, t and s the cell's local coordinates in [0, 1],
   * at offset ((i·(nZ−1) + j)·3 + k)·16.
   */
  private readonly coefficients: Float64Array;
  private tensors?: {
    massLower: tf.Tensor1D;
    massUpper: tf.Tensor1D;
    massLeft: tf.Tensor2D;
    massWidth: tf.Tensor2D;
    mhLower: tf.Tensor1D;
    mhUpper: tf.Tensor1D;
    mhLeft: tf.Tensor2D;
    mhWidth: tf.Tensor2D;
    cells: tf.Tensor2D;
    backend: string;
  };

  constructor(
    /** log10 M of the mass nodes (ascending). */
    readonly logMassNodes: readonly number[],
    /** [M/H] of the metallicity nodes (ascending). */
    readonly mhNodes: readonly number[],
    /** [mass][metallicity][3] table (see `EvolutionClockJSON.values`). */
    readonly values: readonly (readonly (readonly number[])[])[],
    /** Z☉ that defines [M/H] = log10(Z / Z☉). */
    readonly solarZ: number,
  ) {
    if (logMassNodes.length < 3 || mhNodes.length < 3) throw new RangeError("EvolutionClock: need ≥ 3 masses and ≥ 3 metallicities");
    if (values.length !== logMassNodes.length || values.some((row) => row.length !== mhNodes.length || row.some((v) => v.length !== NQ || v.some((x) => !Number.isFinite(x))))) {
      throw new RangeError("EvolutionClock: values must be a finite [mass][metallicity][3] table");
    }
    for (const nodes of [logMassNodes, mhNodes]) {
      for (let i = 1; i < nodes.length; i++) if (!(nodes[i] > nodes[i - 1])) throw new RangeError("EvolutionClock: nodes must increase");
    }
    const x = logMassNodes;
    const y = mhNodes;
    const nM = x.length;
    const nZ = y.length;
    const fx: number[][][] = x.map(() => y.map(() => [0, 0, 0]));
    const fy: number[][][] = x.map(() => y.map(() => [0, 0, 0]));
    const fxy: number[][][] = x.map(() => y.map(() => [0, 0, 0]));
    for (let k = 0; k < NQ; k++) {
      for (let j = 0; j < nZ; j++) {
        const d = steffenSlopes(x, x.map((_, i) => values[i][j][k]));
        d.forEach((v, i) => (fx[i][j][k] = v));
      }
      for (let i = 0; i < nM; i++) {
        const d = steffenSlopes(y, y.map((_, j) => values[i][j][k]));
        d.forEach((v, j) => (fy[i][j][k] = v));
      }
      for (let j = 0; j < nZ; j++) {
        const d = finiteDifference(x, x.map((_, i) => fy[i][j][k]));
        d.forEach((v, i) => (fxy[i][j][k] = v));
      }
    }
    this.coefficients = new Float64Array((nM - 1) * (nZ - 1) * NQ * 16);
    for (let i = 0; i < nM - 1; i++) {
      const hx = x[i + 1] - x[i];
      for (let j = 0; j < nZ - 1; j++) {
        const hy = y[j + 1] - y[j];
        for (let k = 0; k < NQ; k++) {
          // G[r][q]: r over (f, hx·∂x) at the left then right mass node, q likewise along metallicity.
          const G = [0, 1].flatMap((a) => [
            [0, 1].flatMap((b) => [values[i + a][j + b][k], hy * fy[i + a][j + b][k]]),
            [0, 1].flatMap((b) => [hx * fx[i + a][j + b][k], hx * hy * fxy[i + a][j + b][k]]),
          ]);
          const off = ((i * (nZ - 1) + j) * NQ + k) * 16;
          for (let p = 0; p < 4; p++) {
            for (let q = 0; q < 4; q++) {
              let sum = 0;
              for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) sum += HERMITE[r][p] * G[r][c] * HERMITE[c][q];
              this.coefficients[off + p * 4 + q] = sum;
            }
          }
        }
      }
    }
  }

  /**
   * Builds the clock from per-track boundary ages (Gyr) on a rectilinear set of masses × metallicities.
   * NaN where a track never got there (e.g. it stopped at the grid's maximum age on the MS): such
   * entries take the value of the nearest mass that has one, which only matters beyond the grid's ages.
   */
  static fromTracks(
    tracks: ReadonlyArray<{ massMsun: number; Z: number; tMSGyr: number; tBGBGyr: number; tHeIGyr: number }>,
    solarZ: number = SOLAR_Z,
  ): EvolutionClock {
    const masses = [...new Set(tracks.map((t) => t.massMsun))].sort((a, b) => a - b);
    const zs = [...new Set(tracks.map((t) => t.Z))].sort((a, b) => a - b);
    const byKey = new Map(tracks.map((t) => [`${t.massMsun}|${t.Z}`, t]));
    const values: number[][][] = masses.map(() => zs.map(() => [NaN, NaN, NaN]));
    masses.forEach((m, i) =>
      zs.forEach((z, j) => {
        const t = byKey.get(`${m}|${z}`);
        if (!t) throw new Error(`EvolutionClock.fromTracks: no track for M = ${m} M☉, Z = ${z}: the tracks must form a full masses × metallicities grid`);
        if (!(t.tMSGyr > 0)) throw new Error(`EvolutionClock.fromTracks: track M = ${m}, Z = ${z} has no main-sequence lifetime`);
        values[i][j] = [Math.log10(t.tMSGyr), Math.log10((t.tBGBGyr - t.tMSGyr) / t.tMSGyr), Math.log10((t.tHeIGyr - t.tBGBGyr) / t.tBGBGyr)];
      }),
    );
    for (let j = 0; j < zs.length; j++) {
      for (const k of [1, 2]) {
        const known = masses.map((_, i) => i).filter((i) => Number.isFinite(values[i][j][k]));
        if (known.length === 0) throw new Error(`EvolutionClock.fromTracks: no track at Z = ${zs[j]} reaches phase boundary ${k + 1}`);
        for (let i = 0; i < masses.length; i++) {
          if (!Number.isFinite(values[i][j][k])) {
            const nearest = known.reduce((best, q) => (Math.abs(q - i) < Math.abs(best - i) ? q : best), known[0]);
            values[i][j][k] = values[nearest][j][k];
          }
        }
      }
    }
    let mh = zs.map((z) => Math.log10(z / solarZ));
    let table = values;
    if (mh.length < 3) {
      // One or two metallicities (e.g. a single-Z demonstration grid): pad with nodes 0.5 dex
      // outside, continuing the table linearly (constant for one metallicity).
      const last = mh.length - 1;
      const step = (row: number[][], k: number) => (last > 0 ? (row[last][k] - row[0][k]) / (mh[last] - mh[0]) : 0);
      table = values.map((row) => [
        [0, 1, 2].map((k) => row[0][k] - 0.5 * step(row, k)),
        ...row,
        [0, 1, 2].map((k) => row[last][k] + 0.5 * step(row, k)),
      ]);
      mh = [mh[0] - 0.5, ...mh, mh[last] + 0.5];
    }
    return new EvolutionClock(masses.map(Math.log10), mh, table, solarZ);
  }

  static fromJSON(json: EvolutionClockJSON, solarZ: number): EvolutionClock {
    return new EvolutionClock(json.logMassNodes, json.mhNodes, json.values, solarZ);
  }

  toJSON(): EvolutionClockJSON {
    return { logMassNodes: [...this.logMassNodes], mhNodes: [...this.mhNodes], values: this.values.map((row) => row.map((v) => [...v])) };
  }

  /**
   * The three interpolated log quantities at (log10 M, [M/H]) and, if `grad` is given, their
   * derivatives with respect to log10 M (grad[k]) and [M/H] (grad[3 + k]).
   */
  logQuantities(logM: number, mh: number, grad?: Float64Array): [number, number, number] {
    const x = this.logMassNodes;
    const y = this.mhNodes;
    const i = intervalIndex(x, logM);
    const j = intervalIndex(y, mh);
    const hx = x[i + 1] - x[i];
    const hy = y[j + 1] - y[j];
    const t = (logM - x[i]) / hx;
    const s = (mh - y[j]) / hy;
    const tp = [1, t, t * t, t * t * t];
    const sp = [1, s, s * s, s * s * s];
    const dtp = [0, 1, 2 * t, 3 * t * t];
    const dsp = [0, 1, 2 * s, 3 * s * s];
    const out: [number, number, number] = [0, 0, 0];
    for (let k = 0; k < NQ; k++) {
      const off = ((i * (y.length - 1) + j) * NQ + k) * 16;
      let v = 0;
      let dv = 0;
      let ds = 0;
      for (let p = 0; p < 4; p++) {
        for (let q = 0; q < 4; q++) {
          const a = this.coefficients[off + p * 4 + q];
          v += a * tp[p] * sp[q];
          if (grad) {
            dv += a * dtp[p] * sp[q];
            ds += a * tp[p] * dsp[q];
          }
        }
      }
      out[k] = v;
      if (grad) {
        grad[k] = dv / hx;
        grad[3 + k] = ds / hy;
      }
    }
    return out;
  }

  /** Phase-boundary ages (Gyr) of a star of mass `massMsun` and metallicity `Z`. */
  boundaries(massMsun: number, Z: number): PhaseBoundaries {
    if (!(massMsun > 0 && Z > 0)) throw new RangeError(`EvolutionClock: mass and Z must be positive; got M = ${massMsun}, Z = ${Z}`);
    const [lt, lhg, lgb] = this.logQuantities(Math.log10(massMsun), Math.log10(Z / this.solarZ));
    const tMS = 10 ** lt;
    const tBGB = tMS * (1 + 10 ** lhg);
    return { tMSGyr: tMS, tBGBGyr: tBGB, tHeIGyr: tBGB * (1 + 10 ** lgb) };
  }

  private ensureTensors(): NonNullable<EvolutionClock["tensors"]> {
    const backend = tf.getBackend();
    if (this.tensors && this.tensors.backend === backend && !this.tensors.cells.isDisposed) return this.tensors;
    const nodes = (v: readonly number[]) => {
      const n = v.length;
      // Interval k is [v_k, v_{k+1}); the first and last are open-ended (the end patches extrapolate).
      return {
        lower: tf.keep(tf.tensor1d(v.slice(0, n - 1).map((a, k) => (k === 0 ? -1e30 : a)))),
        upper: tf.keep(tf.tensor1d(v.slice(1).map((a, k) => (k === n - 2 ? 1e30 : a)))),
        left: tf.keep(tf.tensor2d(v.slice(0, n - 1) as number[], [n - 1, 1])),
        width: tf.keep(tf.tensor2d(v.slice(1).map((a, k) => a - v[k]), [n - 1, 1])),
      };
    };
    const nCells = (this.logMassNodes.length - 1) * (this.mhNodes.length - 1);
    this.tensors = tf.tidy(() => {
      const m = nodes(this.logMassNodes);
      const z = nodes(this.mhNodes);
      return {
        massLower: m.lower,
        massUpper: m.upper,
        massLeft: m.left,
        massWidth: m.width,
        mhLower: z.lower,
        mhUpper: z.upper,
        mhLeft: z.left,
        mhWidth: z.width,
        cells: tf.keep(tf.tensor2d(Float32Array.from(this.coefficients), [nCells, NQ * 16])),
        backend,
      };
    });
    return this.tensors;
  }

  /**
   * The same interpolation with tfjs ops on tensors of shape [n]: log10 M and [M/H] in, the three
   * log quantities out ([n, 3]). Differentiable with respect to both inputs. The patch of each star
   * is picked by a one-hot mask built from comparisons (whose gradient is zero) and a matrix
   * product with the coefficient table: integer indices and gathers would break tfjs's gradient
   * bookkeeping, and the gradient of a gather needs a kernel the wasm backend lacks.
   */
  logQuantitiesTensor(logM: tf.Tensor1D, mh: tf.Tensor1D): tf.Tensor2D {
    const T = this.ensureTensors();
    return tf.tidy(() => {
      // Only GreaterEqual has a registered gradient among tfjs's comparisons, so v < hi is 1 − (v ≥ hi).
      const interval = (v: tf.Tensor1D, lo: tf.Tensor1D, hi: tf.Tensor1D) =>
        tf.greaterEqual(v.expandDims(1), lo.expandDims(0)).toFloat().mul(tf.sub(1, tf.greaterEqual(v.expandDims(1), hi.expandDims(0)).toFloat())) as tf.Tensor2D;
      const powers = (u: tf.Tensor2D) => {
        const u2 = u.square();
        return tf.concat([tf.onesLike(u), u, u2, u2.mul(u)], 1); // [n, 4]
      };
      const maskM = interval(logM, T.massLower, T.massUpper); // [n, nM−1]
      const maskZ = interval(mh, T.mhLower, T.mhUpper); // [n, nZ−1]
      const t = logM.expandDims(1).sub(tf.matMul(maskM, T.massLeft)).div(tf.matMul(maskM, T.massWidth)) as tf.Tensor2D;
      const s = mh.expandDims(1).sub(tf.matMul(maskZ, T.mhLeft)).div(tf.matMul(maskZ, T.mhWidth)) as tf.Tensor2D;
      const cell = maskM.expandDims(2).mul(maskZ.expandDims(1)).reshape([-1, T.cells.shape[0]]) as tf.Tensor2D;
      const A = tf.matMul(cell, T.cells).reshape([-1, NQ, 4, 4]); // [n, 3, p, q]
      const tp = powers(t).reshape([-1, 1, 4, 1]);
      const sp = powers(s).reshape([-1, 1, 1, 4]);
      return A.mul(tp).mul(sp).sum([2, 3]) as tf.Tensor2D;
    });
  }

  /** Phase-boundary ages as tensors ([n], Gyr) from log10 M and [M/H] tensors; differentiable. */
  boundariesTensor(logM: tf.Tensor1D, mh: tf.Tensor1D): PhaseBoundariesTensor {
    return tf.tidy(() => {
      const q = this.logQuantitiesTensor(logM, mh);
      const [lt, lhg, lgb] = tf.unstack(q, 1) as tf.Tensor1D[];
      const ten = (x: tf.Tensor1D) => tf.exp(x.mul(Math.LN10)) as tf.Tensor1D;
      const tMS = ten(lt);
      const tBGB = tMS.mul(ten(lhg).add(1)) as tf.Tensor1D;
      return { tMSGyr: tMS, tBGBGyr: tBGB, tHeIGyr: tBGB.mul(ten(lgb).add(1)) as tf.Tensor1D };
    });
  }
}
