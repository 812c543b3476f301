/**
 * What the stellar emulator's network sees and what it predicts.
 *
 * Inputs (before standardisation), for a star of mass M, metallicity Z and fractional evolutionary
 * coordinate f (the grid's `frac_age`: 0–1 main sequence, 1–2 Hertzsprung gap, 2–3 giant branch):
 *   log_mass    log10 M/M☉: masses enter lifetimes and luminosities as powers
 *   mh          [M/H] = log10(Z / Z☉), Z☉ = SOLAR_Z, the course's one solar scale (../stellar/metallicity)
 *   tau_ms      τ = min(f, 1): time as a fraction of the MS lifetime (t/t_MS ∝ t M^2.5…3.2)
 *   tau_ms_end  τ stretched towards the turn-off, ln(1 − (1−δ)τ)/ln δ: the MS hook and the steep
 *               rise of R in the last per cent of the MS become resolvable
 *   u_hg        fraction of the Hertzsprung gap crossed, clip(f − 1, 0, 1)
 *   v_gb        fraction of the giant-branch time elapsed, clip(f − 2, 0, 1), stretched the same way:
 *               L grows like a power of the time left before the helium flash, so equal steps in
 *               time crowd the whole upper giant branch into the last ~10 %
 * Splitting f into one coordinate per phase puts the kinks of the tracks (the derivative jumps at the
 * end of the MS and at the base of the giant branch) into the inputs, so a smooth network need not
 * bend sharply there: everywhere else its output is as smooth as its activation.
 *
 * Outputs: log10 of Teff (K), L (L☉), R (R☉), g (cm s⁻²), Δν and ν_max (µHz): logarithms because they
 * span decades (L: 0.3–2500 L☉; ν_max: 10⁰–10⁴ µHz) and because the errors we care about are relative.
 */
import * as tf from "@tensorflow/tfjs";
import { SOLAR_Z } from "../stellar/metallicity";

/** Input feature names, in the network's column order. */
export const EMULATOR_INPUTS = ["log_mass", "mh", "tau_ms", "tau_ms_end", "u_hg", "v_gb"] as const;

/** Output names (all log10), in the network's column order. */
export const EMULATOR_OUTPUTS = ["log_Teff", "log_L", "log_R", "log_g", "log_delta_nu", "log_nu_max"] as const;

/** The grid column behind each output, and whether the grid stores it linearly (then log10 is taken). */
export const EMULATOR_OUTPUT_COLUMNS: Readonly<Record<(typeof EMULATOR_OUTPUTS)[number], { column: string; linear: boolean }>> = {
  log_Teff: { column: "log_Teff", linear: false },
  log_L: { column: "log_L", linear: false },
  log_R: { column: "log_R", linear: false },
  log_g: { column: "log_g", linear: false },
  log_delta_nu: { column: "delta_nu", linear: true },
  log_nu_max: { column: "nu_max", linear: true },
};

/** How the evolutionary coordinate is turned into inputs. */
export interface PhaseFeatureOptions {
  /** δ of the turn-off stretch of τ (default 0.01: the last 1 % of the MS gets ~15 % of the coordinate). */
  msStretch?: number;
  /** δ of the giant-branch stretch (default 0.05). */
  gbStretch?: number;
}

export const DEFAULT_PHASE_FEATURES: Required<PhaseFeatureOptions> = { msStretch: 0.01, gbStretch: 0.05 };

/** ln(1 − (1−δ)x)/ln δ: 0 at x = 0, 1 at x = 1, slope 1/δ times steeper at the end than at the start. */
export function endStretch(x: number, delta: number): number {
  return Math.log1p(-(1 - delta) * x) / Math.log(delta) + 0; // + 0 turns −0 into 0
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** The four phase inputs (tau_ms, tau_ms_end, u_hg, v_gb) for an evolutionary coordinate f. */
export function phaseFeatures(fracAge: number, options: PhaseFeatureOptions = {}): [number, number, number, number] {
  const o = { ...DEFAULT_PHASE_FEATURES, ...options };
  const tau = clamp01(fracAge);
  return [tau, endStretch(tau, o.msStretch), clamp01(fracAge - 1), endStretch(clamp01(fracAge - 2), o.gbStretch)];
}

/** One input row (EMULATOR_INPUTS order) for mass (M☉), Z, evolutionary coordinate and Z☉. */
export function featureRow(massMsun: number, Z: number, fracAge: number, solarZ: number = SOLAR_Z, options: PhaseFeatureOptions = {}): number[] {
  return [Math.log10(massMsun), Math.log10(Z / solarZ), ...phaseFeatures(fracAge, options)];
}

/** Tensor version of `endStretch` (differentiable). */
export function endStretchTensor(x: tf.Tensor, delta: number): tf.Tensor {
  return tf.tidy(() => tf.log(tf.sub(1, x.mul(1 - delta))).div(Math.log(delta)));
}

/**
 * The evolutionary coordinate of an age, given the phase-boundary ages (all Gyr): t/t_MS on the MS,
 * 1 + the fraction of the gap crossed, 2 + the fraction of the giant-branch time elapsed. Ages past
 * helium ignition give f > 3 (outside the grid).
 */
export function fracAgeFromBoundaries(ageGyr: number, tMSGyr: number, tBGBGyr: number, tHeIGyr: number): number {
  if (ageGyr < tMSGyr) return ageGyr / tMSGyr;
  if (ageGyr < tBGBGyr) return 1 + (ageGyr - tMSGyr) / (tBGBGyr - tMSGyr);
  return 2 + (ageGyr - tBGBGyr) / (tHeIGyr - tBGBGyr);
}

/** The phase pieces of an age as tensors: τ, u, v (each clipped to [0, 1]) and f = τ + u + unclipped v. */
export interface PhasePiecesTensor {
  tau: tf.Tensor1D;
  u: tf.Tensor1D;
  v: tf.Tensor1D;
  fracAge: tf.Tensor1D;
}

/**
 * Age → phase pieces with tfjs ops, differentiable in the age and in the boundary ages. The pieces
 * are continuous in age; their derivatives jump only at t_MS and t_BGB, where the tracks' own
 * derivatives jump.
 */
export function phasePiecesTensor(ageGyr: tf.Tensor1D, tMSGyr: tf.Tensor1D, tBGBGyr: tf.Tensor1D, tHeIGyr: tf.Tensor1D): PhasePiecesTensor {
  return tf.tidy(() => {
    const tau = tf.clipByValue(ageGyr.div(tMSGyr), 0, 1) as tf.Tensor1D;
    const u = tf.clipByValue(ageGyr.sub(tMSGyr).div(tBGBGyr.sub(tMSGyr)), 0, 1) as tf.Tensor1D;
    const vRaw = tf.relu(ageGyr.sub(tBGBGyr).div(tHeIGyr.sub(tBGBGyr))) as tf.Tensor1D;
    const v = tf.minimum(vRaw, 1) as tf.Tensor1D;
    return { tau, u, v, fracAge: tau.add(u).add(vRaw) as tf.Tensor1D };
  });
}

/** Network inputs ([n, 6], EMULATOR_INPUTS order, not yet standardised) from log10 M, [M/H] and the phase pieces. */
export function featuresTensor(logM: tf.Tensor1D, mh: tf.Tensor1D, pieces: PhasePiecesTensor, options: PhaseFeatureOptions = {}): tf.Tensor2D {
  const o = { ...DEFAULT_PHASE_FEATURES, ...options };
  return tf.tidy(() =>
    tf.stack([logM, mh, pieces.tau, endStretchTensor(pieces.tau, o.msStretch), pieces.u, endStretchTensor(pieces.v, o.gbStretch)], 1) as tf.Tensor2D,
  );
}
