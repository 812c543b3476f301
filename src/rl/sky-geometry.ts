/**
 * Where things are on the sky of an observatory: altitude from hour angle and declination,
 * airmass, angular separations, the Moon's phase and position, and how much the Moon brightens
 * the sky. Angles in degrees and hours as named; everything is simple spherical trigonometry.
 */

const RAD = Math.PI / 180;

/** Hour angle in hours, wrapped to [-12, 12): how far west of the meridian a target is. */
export function hourAngleHours(lstHours: number, raHours: number): number {
  let h = (lstHours - raHours) % 24;
  if (h < -12) h += 24;
  if (h >= 12) h -= 24;
  return h;
}

/**
 * Altitude above the horizon (degrees) of a target at hour angle H and declination δ seen
 * from latitude φ: sin(alt) = sin φ sin δ + cos φ cos δ cos H.
 */
export function altitudeDeg(hourAngleH: number, decDeg: number, latitudeDeg: number): number {
  if (!(Math.abs(decDeg) <= 90)) throw new Error(`altitudeDeg: declination must be in [-90, 90] deg, got ${decDeg}`);
  if (!(Math.abs(latitudeDeg) <= 90)) throw new Error(`altitudeDeg: latitude must be in [-90, 90] deg, got ${latitudeDeg}`);
  const h = hourAngleH * 15 * RAD;
  const d = decDeg * RAD;
  const p = latitudeDeg * RAD;
  const s = Math.sin(p) * Math.sin(d) + Math.cos(p) * Math.cos(d) * Math.cos(h);
  return Math.asin(Math.max(-1, Math.min(1, s))) / RAD;
}

/**
 * Airmass by the plane-parallel sec z law, X = 1 / sin(alt) = sec(zenith distance): 1 at the
 * zenith, 2 at 30° altitude. It overestimates the true airmass by < 1 % above 20° altitude
 * (X < 2.9; Young 1994, Appl. Opt. 33, 1108), which is where a telescope observes. Infinite at
 * or below the horizon.
 */
export function airmassFromAltitude(altitudeDegrees: number): number {
  if (Number.isNaN(altitudeDegrees)) throw new Error("airmassFromAltitude: altitude is NaN");
  if (altitudeDegrees <= 0) return Infinity;
  return 1 / Math.sin(altitudeDegrees * RAD);
}

/**
 * Great-circle separation (degrees) between two positions given as RA (hours) and Dec (degrees),
 * as atan2(|u × v|, u · v) of the unit vectors: accurate at 0° and 180°, where acos is not.
 */
export function angularSeparationDeg(ra1Hours: number, dec1Deg: number, ra2Hours: number, dec2Deg: number): number {
  const unit = (ra: number, dec: number) => {
    const [a, d] = [ra * 15 * RAD, dec * RAD];
    return [Math.cos(d) * Math.cos(a), Math.cos(d) * Math.sin(a), Math.sin(d)];
  };
  const [u, v] = [unit(ra1Hours, dec1Deg), unit(ra2Hours, dec2Deg)];
  const cross = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
  return Math.atan2(Math.hypot(cross[0], cross[1], cross[2]), u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / RAD;
}

/** Illuminated fraction of the Moon at synodic phase p (0 = new, 0.5 = full): (1 − cos 2πp) / 2. */
export function moonIllumination(phase: number): number {
  return (1 - Math.cos(2 * Math.PI * phase)) / 2;
}

/**
 * Approximate Moon position for a night: the Sun is opposite the meridian at local midnight
 * (RA⊙ ≈ LST_midnight − 12 h) and the Moon is 24 h × phase east of it, on the ecliptic
 * (δ = asin(sin 23.44° sin λ), λ ≈ RA; the Moon's 5° orbital tilt ignored).
 */
export function moonPosition(phase: number, lstMidnightHours: number): { raHours: number; decDeg: number } {
  const raHours = (((lstMidnightHours - 12 + 24 * phase) % 24) + 24) % 24;
  const decDeg = Math.asin(Math.sin(23.44 * RAD) * Math.sin(raHours * 15 * RAD)) / RAD;
  return { raHours, decDeg };
}

/**
 * Brightening of the night sky by the Moon, in magnitudes (how much brighter than the dark sky).
 * A smooth stand-in for the Krisciunas & Schaefer (1991, PASP 103, 1033) model with the right
 * size in V: scattered moonlight ∝ illumination^1.5, strongest within ~30° of the Moon, fading
 * as the Moon gets low; about 3 mag near a high full Moon, 2 mag far from it, 0 when it is down.
 */
export function moonSkyBrighteningMag(illumination: number, moonAltitudeDeg: number, separationDeg: number): number {
  if (moonAltitudeDeg <= 0 || illumination <= 0) return 0;
  const ratio = illumination ** 1.5 * (4 + 20 * Math.exp(-separationDeg / 30)) * Math.sqrt(Math.sin(moonAltitudeDeg * RAD));
  return 2.5 * Math.log10(1 + ratio);
}

export interface LimitingMagnitudeInputs {
  /** 5σ point-source limit at the zenith, dark sky, clear, full exposure, in magnitudes. */
  zenithLimitMag: number;
  airmass: number;
  /** Extinction coefficient, magnitudes per airmass. */
  extinctionMagPerAirmass: number;
  /** Sky brightening over the dark sky, magnitudes (moonlight). */
  skyBrighteningMag: number;
  /** Fraction of light that gets through the clouds, 0–1. */
  cloudTransmission: number;
  /** Exposure time as a fraction of the full exposure. */
  exposureFraction: number;
}

/**
 * 5σ limiting magnitude of a background-limited point source, S/N ∝ F √t / (√B · FWHM):
 *   m_lim = m_zenith − k (X − 1) − 1.5 log10 X + 1.25 log10(t / t_full) − 1.25 log10(B / B_dark)
 *           + 2.5 log10(transmission),
 * with seeing FWHM ∝ X^0.6 (so −2.5 log10 X^0.6) and B / B_dark = 10^(0.4 Δm_sky).
 * Returns −Infinity when nothing gets through (overcast, or no exposure time).
 */
export function limitingMagnitude(p: LimitingMagnitudeInputs): number {
  if (!(p.airmass >= 1)) throw new Error(`limitingMagnitude: airmass must be >= 1, got ${p.airmass}`);
  if (p.cloudTransmission <= 0 || p.exposureFraction <= 0) return -Infinity;
  return (
    p.zenithLimitMag -
    p.extinctionMagPerAirmass * (p.airmass - 1) -
    1.5 * Math.log10(p.airmass) +
    1.25 * Math.log10(p.exposureFraction) -
    0.5 * p.skyBrighteningMag +
    2.5 * Math.log10(p.cloudTransmission)
  );
}
