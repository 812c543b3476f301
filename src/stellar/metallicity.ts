/**
 * The course's one solar metallicity scale. Every "[M/H]" in the grid, the emulator's inputs, the
 * cluster model and the notebooks is `mhFromZ(Z)` below, with Z☉ = `SOLAR_Z`; nothing else in
 * src/ defines a solar Z (tests/stellar.test.ts searches for one).
 *
 * Why Z☉ = 0.0188 and not 0.02 or 0.0142. The stellar physics (./hurley) is the Hurley, Pols & Tout
 * (2000) fit to the Pols et al. (1998, MNRAS 298, 525) models, which have X = 0.76 − 3Z,
 * Y = 0.24 + 2Z and a scaled-solar metal mixture; the fits' own variable is ζ = log10(Z/0.02), but
 * 0.02 is a label, not a solar calibration: at Z = 0.02 a 1 M☉ star at 4.57 Gyr has L = 0.956 L☉.
 * Stellar-model grids calibrate their solar composition on the Sun (MESA/MIST also tune the mixing
 * length, so that both L and R come out right); with only Z to tune, we take the Z whose 1 M☉
 * track at 4.57 Gyr comes closest to the Sun, weighting the misfit in L and in surface flux σTeff⁴
 * equally: minimise (ln L/L☉)² + (4 ln Teff/Teff☉)². That gives Z☉ = 0.0188 (X☉ = 0.704,
 * Y☉ = 0.278, Z/X = 0.0267), where the model Sun has L = 0.988 L☉ and Teff = 5791 K
 * (`calibrateSolarZ()` in ./hurley recomputes it).
 *
 * Talking to catalogues. Spectroscopic [Fe/H] and [M/H] are number ratios relative to the Sun:
 * [M/H] = log10(Z/X) − log10(Z☉/X☉), and [M/H] = [Fe/H] for a scaled-solar mixture; for
 * α-enhanced stars [M/H] ≈ [Fe/H] + log10(0.694·10^[α/Fe] + 0.306) (Salaris, Chieffi & Straniero
 * 1993, ApJ 414, 580). Here [M/H] ≡ log10(Z/Z☉): it ignores the few-per-cent change of X with Z
 * (X = 0.76 − 3Z), which shifts it from the number-ratio definition by at most 0.03 dex over the
 * grid (−0.7 ≤ [M/H] ≤ +0.2). `zFromFeH` converts a catalogue [Fe/H] exactly, through Z/X.
 *
 * Comparing with MIST or MESA. A MIST track labelled [Fe/H] = 0 has Z = 0.0142 (its protosolar
 * Asplund et al. 2009 mixture, `ASPLUND09_SOLAR_Z`); our [Fe/H] = 0 track has Z = 0.0188. Compare
 * the two at the same [Fe/H] (each code's own solar calibration), never at the same Z: Z = 0.0142
 * in these fits is a metal-poor star ([M/H] = −0.12), brighter by ~0.06 dex at fixed mass and age.
 */

/** The model's solar metal mass fraction: the zero point of every [M/H] in the course. */
export const SOLAR_Z = 0.0188;

/**
 * Asplund et al. (2009) protosolar Z, the Z of MIST's [Fe/H] = 0 tracks (Choi et al. 2016). Only
 * for comparisons with such grids (see the module comment): it is not this course's solar Z.
 */
export const ASPLUND09_SOLAR_Z = 0.0142;

/** Hydrogen, helium and metal mass fractions of the Pols et al. (1998) models: X = 0.76 − 3Z, Y = 0.24 + 2Z. */
export function compositionOfZ(Z: number): { X: number; Y: number; Z: number } {
  checkZ(Z, "compositionOfZ");
  return { X: 0.76 - 3 * Z, Y: 0.24 + 2 * Z, Z };
}

/** [M/H] ≡ log10(Z / Z☉) with Z☉ = `SOLAR_Z`: the metallicity coordinate of the grid, emulator and cluster model. */
export function mhFromZ(Z: number): number {
  checkZ(Z, "mhFromZ");
  return Math.log10(Z / SOLAR_Z);
}

/** Z of a given [M/H] (inverse of `mhFromZ`). */
export function zFromMh(mh: number): number {
  if (!Number.isFinite(mh)) throw new RangeError(`zFromMh: [M/H] must be a finite number of dex; got ${mh}`);
  return SOLAR_Z * 10 ** mh;
}

/** Options of `zFromFeH`. */
export interface FeHOptions {
  /** [α/Fe] of the star, dex (default 0: scaled-solar). */
  alphaFe?: number;
}

/**
 * Z of a star with a catalogue [Fe/H] (and optionally [α/Fe]) on this model's solar scale: the
 * number-ratio [M/H] (Salaris et al. 1993 for α-enhancement), then Z/X = (Z☉/X☉)·10^[M/H] with
 * X = 0.76 − 3Z solved for Z.
 */
export function zFromFeH(feh: number, options: FeHOptions = {}): number {
  const alphaFe = options.alphaFe ?? 0;
  if (!Number.isFinite(feh) || !Number.isFinite(alphaFe)) {
    throw new RangeError(`zFromFeH: [Fe/H] and [α/Fe] must be finite numbers of dex; got ${feh}, ${alphaFe}`);
  }
  const mhNumber = feh + Math.log10(0.694 * 10 ** alphaFe + 0.306);
  const sun = compositionOfZ(SOLAR_Z);
  const zOverX = (sun.Z / sun.X) * 10 ** mhNumber;
  return (0.76 * zOverX) / (1 + 3 * zOverX);
}

/** Scaled-solar [Fe/H] of a metal fraction Z on this model's solar scale (inverse of `zFromFeH` at [α/Fe] = 0). */
export function feHFromZ(Z: number): number {
  const star = compositionOfZ(Z);
  const sun = compositionOfZ(SOLAR_Z);
  return Math.log10(star.Z / star.X) - Math.log10(sun.Z / sun.X);
}

function checkZ(Z: number, fn: string): void {
  if (!(Z > 0 && Z < 0.25)) throw new RangeError(`${fn}: Z must be a metal mass fraction between 0 and 0.25; got ${Z}`);
}
