/**
 * Judging generated galaxies as a population: simple non-parametric morphology statistics, measured
 * the same way on real and generated cut-outs, compared with a two-sample test.
 *
 * Statistics (all inside a circular aperture centred on the stamp; the images are cut-outs
 * centred on a detection):
 * - concentration C = 5 log₁₀(r₈₀/r₂₀), with r_x the radius enclosing x % of the aperture flux
 *   (Bershady, Jangren & Conselice 2000; Conselice 2003, ApJS 147, 1): ≈ 2.7 for an exponential
 *   disc, ≈ 5 for a de Vaucouleurs profile (before the PSF, which lowers both);
 * - asymmetry A = Σ|I − I₁₈₀| / (2 Σ|I|), I₁₈₀ the image rotated by 180° (Conselice 2003; no
 *   background correction, so noise adds the same floor to real and generated images);
 * - ellipticity 1 − b/a from the second moments of the light (`apertureEllipticity`);
 * - flux, the sum of the aperture (noise units, or counts when scaled by σ_bg).
 */
import { apertureEllipticity } from "../sim/morphology";

const { abs, log10, sqrt, exp, min, max } = Math;

/** Per-image morphology statistics of a batch. */
export interface MorphologyStatistics {
  concentration: number[];
  asymmetry: number[];
  ellipticity: number[];
  flux: number[];
}

/** Names of the statistics, in a fixed order. */
export const MORPHOLOGY_STATISTICS = ["concentration", "asymmetry", "ellipticity", "flux"] as const;

/**
 * Concentration, asymmetry, ellipticity and flux of each image in a flat [n, size, size] batch (in
 * linear units: noise units or counts, not a stretched scale), within `apertureRadiusPix`
 * (default 0.45 × size) of the stamp centre.
 */
export function morphologyStatistics(images: ArrayLike<number>, n: number, sizePix: number, apertureRadiusPix = 0.45 * sizePix): MorphologyStatistics {
  const npix = sizePix * sizePix;
  if (images.length !== n * npix) throw new Error(`morphologyStatistics: ${images.length} values are not ${n} images of ${sizePix}×${sizePix}`);
  if (!(apertureRadiusPix > 1 && apertureRadiusPix <= sizePix / 2)) throw new Error(`morphologyStatistics: apertureRadiusPix must be in (1, ${sizePix / 2}], got ${apertureRadiusPix}`);
  const c = (sizePix - 1) / 2;
  const radius = new Float64Array(npix);
  for (let y = 0; y < sizePix; y++) for (let x = 0; x < sizePix; x++) radius[y * sizePix + x] = sqrt((x - c) ** 2 + (y - c) ** 2);
  const inside: number[] = [];
  for (let p = 0; p < npix; p++) if (radius[p] <= apertureRadiusPix) inside.push(p);
  // Pixels sorted by radius once: the curve of growth is then a running sum.
  const byRadius = [...inside].sort((a, b) => radius[a] - radius[b]);
  const out: MorphologyStatistics = { concentration: [], asymmetry: [], ellipticity: [], flux: [] };
  const one = new Float64Array(npix);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < npix; p++) one[p] = images[i * npix + p];
    let total = 0;
    for (const p of inside) total += one[p];
    const radiusAt = (fraction: number): number => {
      let acc = 0;
      for (let k = 0; k < byRadius.length; k++) {
        acc += one[byRadius[k]];
        if (acc >= fraction * total) return max(radius[byRadius[k]], 0.5);
      }
      return apertureRadiusPix;
    };
    out.concentration.push(total > 0 ? 5 * log10(radiusAt(0.8) / radiusAt(0.2)) : 0);
    let diff = 0, sumAbs = 0;
    for (const p of inside) { diff += abs(one[p] - one[npix - 1 - p]); sumAbs += abs(one[p]); }
    out.asymmetry.push(sumAbs > 0 ? diff / (2 * sumAbs) : 0);
    out.ellipticity.push(apertureEllipticity(one, sizePix, min(apertureRadiusPix, 0.35 * sizePix)));
    out.flux.push(total);
  }
  return out;
}

/** Result of `ksTwoSample`. */
export interface KsResult {
  /** D = max |F_a(x) − F_b(x)|, the largest gap between the two empirical distribution functions. */
  statistic: number;
  /** Asymptotic p-value of D under "both samples come from one distribution". */
  pValue: number;
  nA: number;
  nB: number;
}

/**
 * Two-sample Kolmogorov–Smirnov test. p-value from the Kolmogorov distribution,
 * Q(λ) = 2 Σ (−1)^(j−1) exp(−2 j² λ²), λ = (√nₑ + 0.12 + 0.11/√nₑ) D, nₑ = n_a n_b/(n_a + n_b)
 * (Stephens 1970; Press et al., Numerical Recipes §14.3). Good for nₑ ≳ 4.
 */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  if (a.length < 2 || b.length < 2) throw new Error(`ksTwoSample: each sample needs at least 2 values, got ${a.length} and ${b.length}`);
  const xa = Float64Array.from(a).sort();
  const xb = Float64Array.from(b).sort();
  if (xa.some((v) => !Number.isFinite(v)) || xb.some((v) => !Number.isFinite(v))) throw new Error("ksTwoSample: samples must be finite numbers");
  let i = 0, j = 0, d = 0;
  while (i < xa.length && j < xb.length) {
    const v = min(xa[i], xb[j]);
    while (i < xa.length && xa[i] <= v) i++;
    while (j < xb.length && xb[j] <= v) j++;
    d = max(d, abs(i / xa.length - j / xb.length));
  }
  const ne = (xa.length * xb.length) / (xa.length + xb.length);
  const lambda = (sqrt(ne) + 0.12 + 0.11 / sqrt(ne)) * d;
  return { statistic: d, pValue: kolmogorovQ(lambda), nA: xa.length, nB: xb.length };
}

/** Q_KS(λ) = 2 Σ_{j≥1} (−1)^(j−1) exp(−2 j² λ²); 1 at λ = 0. */
export function kolmogorovQ(lambda: number): number {
  if (lambda < 1e-3) return 1;
  let sum = 0;
  let sign = 1;
  let prev = 0;
  for (let j = 1; j <= 100; j++) {
    const term = sign * 2 * exp(-2 * j * j * lambda * lambda);
    sum += term;
    if (abs(term) <= 1e-10 * abs(sum) || abs(term) <= 1e-12 * prev) return min(1, max(0, sum));
    prev = abs(term);
    sign = -sign;
  }
  return 1; // the series did not converge: λ so small that Q = 1
}

/** Fraction of each class among predicted labels (length `classes`). */
export function classFractions(predicted: ArrayLike<number>, classes = 3): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < predicted.length; i++) {
    const k = predicted[i];
    if (!(Number.isInteger(k) && k >= 0 && k < classes)) throw new Error(`classFractions: label ${k} is not an integer in [0, ${classes})`);
    counts[k]++;
  }
  return counts.map((c) => c / max(1, predicted.length));
}
