/**
 * Asteroseismic scaling relations for solar-like oscillators.
 *
 * The large frequency separation scales with the square root of the mean density,
 *   Δν = Δν☉ (M/M☉)^½ (R/R☉)^−3/2,
 * and the frequency of maximum oscillation power with the acoustic cut-off frequency,
 *   ν_max = ν_max☉ (M/M☉) (R/R☉)^−2 (Teff/Teff☉)^−½
 * (Kjeldsen & Bedding 1995, A&A 293, 87; Brown et al. 1991, ApJ 368, 599). The solar reference
 * values Δν☉ = 135.1 µHz and ν_max☉ = 3090 µHz are those of Huber et al. (2011, ApJ 743, 143),
 * measured with the same pipeline as their Kepler stars. The relations are good to a few per cent
 * on the main sequence and lower giant branch; corrections to Δν of up to ~5 % are known on the
 * red giant branch (e.g. Sharma et al. 2016, ApJ 822, 15), and none is applied here.
 */
import { TEFF_SUN_K } from "./hurley";

/** Solar large frequency separation, µHz (Huber et al. 2011). */
export const DELTA_NU_SUN_MUHZ = 135.1;
/** Solar frequency of maximum power, µHz (Huber et al. 2011). */
export const NUMAX_SUN_MUHZ = 3090;

/** Solar reference values of the scaling relations; every field defaults to the constants above. */
export interface SeismicReference {
  /** Δν☉, µHz. */
  deltaNuSunMuHz?: number;
  /** ν_max☉, µHz. */
  numaxSunMuHz?: number;
  /** Teff☉, K (default 5772 K). */
  teffSunK?: number;
}

function positive(name: string, x: number): void {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`${name} must be a positive finite number; got ${x}`);
}

/** Large frequency separation Δν in µHz from mass (M☉) and radius (R☉). */
export function deltaNuMuHz(massMsun: number, radiusRsun: number, ref: SeismicReference = {}): number {
  positive("massMsun", massMsun);
  positive("radiusRsun", radiusRsun);
  return (ref.deltaNuSunMuHz ?? DELTA_NU_SUN_MUHZ) * Math.sqrt(massMsun) * radiusRsun ** -1.5;
}

/** Frequency of maximum power ν_max in µHz from mass (M☉), radius (R☉) and Teff (K). */
export function numaxMuHz(massMsun: number, radiusRsun: number, teffK: number, ref: SeismicReference = {}): number {
  positive("massMsun", massMsun);
  positive("radiusRsun", radiusRsun);
  positive("teffK", teffK);
  const teffSun = ref.teffSunK ?? TEFF_SUN_K;
  return (ref.numaxSunMuHz ?? NUMAX_SUN_MUHZ) * massMsun * radiusRsun ** -2 * (teffK / teffSun) ** -0.5;
}

/** Mass and radius from the two scaling relations, inverted. */
export interface SeismicMassRadius {
  /** M☉. */
  massMsun: number;
  /** R☉. */
  radiusRsun: number;
}

/**
 * The "direct method": mass and radius from observed Δν (µHz), ν_max (µHz) and Teff (K), by
 * solving the two relations above for M and R:
 *   R/R☉ = (ν_max/ν_max☉) (Δν/Δν☉)^−2 (Teff/Teff☉)^½,
 *   M/M☉ = (ν_max/ν_max☉)³ (Δν/Δν☉)^−4 (Teff/Teff☉)^3/2.
 */
export function seismicMassRadius(deltaNuObsMuHz: number, numaxObsMuHz: number, teffK: number, ref: SeismicReference = {}): SeismicMassRadius {
  positive("deltaNuMuHz", deltaNuObsMuHz);
  positive("numaxMuHz", numaxObsMuHz);
  positive("teffK", teffK);
  const dn = deltaNuObsMuHz / (ref.deltaNuSunMuHz ?? DELTA_NU_SUN_MUHZ);
  const nm = numaxObsMuHz / (ref.numaxSunMuHz ?? NUMAX_SUN_MUHZ);
  const t = teffK / (ref.teffSunK ?? TEFF_SUN_K);
  return { massMsun: nm ** 3 * dn ** -4 * t ** 1.5, radiusRsun: nm * dn ** -2 * t ** 0.5 };
}
