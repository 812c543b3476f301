/**
 * What the cluster models need from a stellar-model emulator, and a small analytic stand-in for
 * tests.
 *
 * The course's neural emulator (`StellarEmulator` in `../emulator`) has exactly this shape, so
 * the cluster code never depends on how an emulator was built: anything with a differentiable
 * `apply` (and, optionally, the fast float64 `evaluateInto`) can be fitted to a cluster.
 */
import * as tf from "@tensorflow/tfjs";
import { SOLAR_Z } from "../stellar/metallicity";

/** log10 observables of n stars, each a tfjs tensor of shape [n]. */
export interface EmulatedObservables {
  /** log10 Teff/K. */
  logTeff: tf.Tensor1D;
  /** log10 L/L☉. */
  logL: tf.Tensor1D;
  /** log10 Δν/µHz. */
  logDeltaNu: tf.Tensor1D;
  /** log10 ν_max/µHz. */
  logNumax: tf.Tensor1D;
}

/**
 * A stellar emulator as the cluster models use it.
 *
 * `apply` must be differentiable with tfjs (the hierarchical model takes its gradient by autodiff).
 * `evaluateInto` is an optional float64 path for one star at a time, used by the single-star fits
 * and the grid search because it avoids tfjs's per-call overhead.
 */
export interface ClusterEmulator {
  /** Observables of stars of initial mass `massMsun` (M☉), age `ageGyr` (Gyr) and metal fraction `Z`. */
  apply(massMsun: tf.Tensor1D, ageGyr: tf.Tensor1D, Z: tf.Tensor1D): EmulatedObservables;
  /**
   * One star in float64: writes the log10 outputs in `EMULATOR_LOG_OUTPUTS` order into `out`
   * and, when `jac` (length 3 × outputs) is given, d out[k] / d(M, age, Z) into jac[3k + 0, 1, 2].
   */
  evaluateInto?(massMsun: number, ageGyr: number, Z: number, out: Float64Array, jac?: Float64Array): number;
  /** Reference Z of the emulator's own [M/H] feature (informational: the cluster model's [M/H] always uses `SOLAR_Z`). */
  readonly solarZ?: number;
}

/** Order of the float64 outputs of `evaluateInto` (the course emulator's `EMULATOR_OUTPUTS`). */
export const EMULATOR_LOG_OUTPUTS = ["log_Teff", "log_L", "log_R", "log_g", "log_delta_nu", "log_nu_max"] as const;

/** Index in `EMULATOR_LOG_OUTPUTS` of each observable the cluster likelihood uses. */
export const OBSERVABLE_INDEX = { logTeff: 0, logL: 1, logDeltaNu: 4, logNumax: 5 } as const;

const LN10 = Math.LN10;
const TEFF_SUN = 5772;
const DNU_SUN = 135.1;
const NUMAX_SUN = 3090;
const G_SUN = 4.438;

/**
 * A smooth analytic imitation of a stellar grid, for unit tests and for trying the cluster code
 * without a trained emulator. It is NOT the stellar grid: main-sequence lifetime
 * t_MS = 10.7 Gyr · M^−3.3 · (Z/Z☉)^0.2, luminosity and radius that grow with x = t/t_MS (fast after
 * x ≈ 0.9, mimicking the subgiant expansion), Teff from L and R, Δν and ν_max from the scaling
 * relations. Same interface as the neural emulator, including a float64 path with an exact Jacobian.
 */
export function toyEmulator(): ClusterEmulator {
  const solarZ = SOLAR_Z;
  // Everything in terms of a = log10 M, t (Gyr), q = log10(Z/Z☉).
  const logTms = (a: number, q: number) => Math.log10(10.7) - 3.3 * a + 0.2 * q;
  const evaluateInto = (massMsun: number, ageGyr: number, Z: number, out: Float64Array, jac?: Float64Array): number => {
    const a = Math.log10(massMsun);
    const q = Math.log10(Z / solarZ);
    const tms = 10 ** logTms(a, q);
    const x = ageGyr / tms;
    // log L = 4.5a − 0.3q − 0.15 + log10(1 + 0.6x + 2x⁸); log R = 0.8a + 0.1q − 0.05 + log10(1 + 0.25x + x⁸)
    const pL = 1 + 0.6 * x + 2 * x ** 8;
    const pR = 1 + 0.25 * x + x ** 8;
    const logL = 4.5 * a - 0.3 * q - 0.15 + Math.log10(pL);
    const logR = 0.8 * a + 0.1 * q - 0.05 + Math.log10(pR);
    const logTeff = Math.log10(TEFF_SUN) + 0.25 * logL - 0.5 * logR;
    const logg = G_SUN + a - 2 * logR;
    const logDnu = Math.log10(DNU_SUN) + 0.5 * a - 1.5 * logR;
    const logNumax = Math.log10(NUMAX_SUN) + a - 2 * logR - 0.5 * (logTeff - Math.log10(TEFF_SUN));
    out[0] = logTeff;
    out[1] = logL;
    out[2] = logR;
    out[3] = logg;
    out[4] = logDnu;
    out[5] = logNumax;
    if (jac) {
      // Derivatives with respect to (a, t, q), then to (M, t, Z).
      const dxda = -x * LN10 * -3.3; // x = t / 10^(logTms): dx/da = −x ln10 · dlogTms/da
      const dxdq = -x * LN10 * 0.2;
      const dxdt = 1 / tms;
      const dLdx = (0.6 + 16 * x ** 7) / (pL * LN10);
      const dRdx = (0.25 + 8 * x ** 7) / (pR * LN10);
      const dL = [4.5 + dLdx * dxda, dLdx * dxdt, -0.3 + dLdx * dxdq];
      const dR = [0.8 + dRdx * dxda, dRdx * dxdt, 0.1 + dRdx * dxdq];
      const dT = dL.map((v, c) => 0.25 * v - 0.5 * dR[c]);
      const dg = dR.map((v, c) => (c === 0 ? 1 : 0) - 2 * v);
      const dD = dR.map((v, c) => (c === 0 ? 0.5 : 0) - 1.5 * v);
      const dN = dR.map((v, c) => (c === 0 ? 1 : 0) - 2 * v - 0.5 * dT[c]);
      const rows = [dT, dL, dR, dg, dD, dN];
      const toInput = [1 / (massMsun * LN10), 1, 1 / (Z * LN10)];
      rows.forEach((r, k) => r.forEach((v, c) => (jac[3 * k + c] = v * toInput[c])));
    }
    return x;
  };
  const apply = (massMsun: tf.Tensor1D, ageGyr: tf.Tensor1D, Z: tf.Tensor1D): EmulatedObservables =>
    tf.tidy(() => {
      const a = tf.log(massMsun).div(LN10);
      const q = tf.log(Z.div(solarZ)).div(LN10);
      const tms = tf.pow(10, a.mul(-3.3).add(q.mul(0.2)).add(Math.log10(10.7)));
      const x = ageGyr.div(tms);
      const x8 = x.pow(8);
      const logL = a.mul(4.5).sub(q.mul(0.3)).sub(0.15).add(tf.log(x.mul(0.6).add(x8.mul(2)).add(1)).div(LN10));
      const logR = a.mul(0.8).add(q.mul(0.1)).sub(0.05).add(tf.log(x.mul(0.25).add(x8).add(1)).div(LN10));
      const logTeff = logL.mul(0.25).sub(logR.mul(0.5)).add(Math.log10(TEFF_SUN));
      const logDeltaNu = a.mul(0.5).sub(logR.mul(1.5)).add(Math.log10(DNU_SUN));
      const logNumax = a.sub(logR.mul(2)).sub(logTeff.sub(Math.log10(TEFF_SUN)).mul(0.5)).add(Math.log10(NUMAX_SUN));
      return { logTeff, logL, logDeltaNu, logNumax } as unknown as tf.TensorContainerObject;
    }) as unknown as EmulatedObservables;
  return { apply, evaluateInto, solarZ };
}
