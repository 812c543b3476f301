/**
 * Photometric redshifts of quasars: the inputs a network sees (four SDSS colours and the r
 * magnitude, which sets how noisy the colours are) and the true redshift, from the course's
 * physical quasar simulator (`simulatePhotometry`). Redshift moves the Lyman-α forest and the
 * broad emission lines through the ugriz filters, so colours encode z — ambiguously in places,
 * which is why a photo-z needs an error bar.
 */
import { colours, simulatePhotometry, type PhotometryOptions, type PhotometrySample } from "./photometry";

/** Names of the photo-z input columns, in order. */
export const PHOTOZ_FEATURES = ["u−g", "g−r", "r−i", "i−z", "r"] as const;

/** A photo-z data set: features row-major [n, 5] and the true redshifts (0 for stars). */
export interface PhotozSet {
  n: number;
  /** Rows of u−g, g−r, r−i, i−z, r. */
  features: number[][];
  redshift: Float64Array;
  /** 0 star, 1 quasar. */
  label: Int32Array;
  catalogue: PhotometrySample;
}

/** Options of `simulatePhotozSet`: the quasar (and star) simulator's options. */
export interface PhotozSetOptions extends Pick<PhotometryOptions, "redshiftRange" | "redshiftDistribution" | "magRangeR" | "seed"> {
  /** Quasars drawn before the depth cut (default 5000). */
  nQuasars?: number;
  /** Stars drawn before the depth cut (default 0). */
  nStars?: number;
}

/** Simulates an SDSS-like catalogue (r < 22.2) and returns photo-z features and true redshifts. */
export function simulatePhotozSet(options: PhotozSetOptions = {}): PhotozSet {
  const catalogue = simulatePhotometry({
    nQuasars: options.nQuasars ?? 5000,
    nStars: options.nStars ?? 0,
    redshiftRange: options.redshiftRange ?? [0.1, 3],
    redshiftDistribution: options.redshiftDistribution ?? "uniform",
    magRangeR: options.magRangeR ?? [16, 22.5],
    seed: options.seed ?? 1,
  });
  return photozSetFrom(catalogue);
}

/** Photo-z features of an existing catalogue. */
export function photozSetFrom(catalogue: PhotometrySample): PhotozSet {
  const c = colours(catalogue);
  const features = Array.from({ length: catalogue.n }, (_, i) => [c.ug[i], c.gr[i], c.ri[i], c.iz[i], catalogue.r[i]]);
  return { n: catalogue.n, features, redshift: Float64Array.from(catalogue.redshift), label: Int32Array.from(catalogue.label), catalogue };
}
