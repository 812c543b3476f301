/**
 * A CCD reading out an image: photon (Poisson) noise, cosmic rays, hot pixels, full-well
 * saturation with charge bleeding along columns, read noise, gain and the converter's ceiling.
 *
 * Units. Model images are in counts (ADU); the detector works in electrons, e⁻ = counts × gain
 * (gain in e⁻ per count). Photon noise is Poisson in electrons, so a pixel expecting λ counts has
 * variance λ / gain in counts, and read noise σ_r (e⁻) adds σ_r² / gain² (the "CCD equation",
 * Merline & Howell 1995, Exp. Astron. 6, 163; Howell 2006, "Handbook of CCD Astronomy").
 *
 * Saturation. A pixel holds at most a full well of electrons; in a three-phase CCD the excess spills
 * into its neighbours along the column (the channel stops block the rows), so a saturated star
 * grows vertical "bleed trails" (Janesick 2001, "Scientific Charge-Coupled Devices"). Here the
 * excess of each over-full pixel is split equally up and down the column and fills pixels to the
 * full well until it is used up; charge reaching the top or bottom edge is lost. Then the converter
 * clips at `saturationCounts`.
 *
 * Cosmic rays are charged particles (mostly muons at sea level) crossing the silicon: they free
 * ~80 e⁻ per µm of path, in a straight track whose projection on the detector is the depletion
 * depth × tan(incidence angle). Muons arrive nearly isotropically, so the rate through the detector
 * plane goes as cos θ: most tracks are 1–3 pixel "blobs", a few are long "worms". Charge diffusion
 * spreads the track by a fraction of a pixel. They are much sharper than any star: the basis of
 * Laplacian edge detection (van Dokkum 2001, PASP 113, 1420).
 */
import { Rng } from "../random";
import { lnGamma } from "./special";

// Local aliases: inside a jest/vm sandbox each `Math.f` in a hot loop is a slow global lookup.
const { exp, sqrt, log, floor, abs, min, max, cos, sin, PI, round } = Math;

const TWO_POW_M32 = 2.3283064365386963e-10;

/** Uniform on (0, 1) from 32 random bits: enough resolution for noise, half the cost of `rng.random()`. */
function uniform32(rng: Rng): number {
  return (rng.nextUint32() + 0.5) * TWO_POW_M32;
}

/**
 * A Poisson draw with mean `mu` from the seeded generator. Multiplication of uniforms (Knuth) for
 * mu < 10; above, the transformed rejection with squeeze "PTRS" of Hörmann (1993, Insurance:
 * Mathematics and Economics 12, 39), which needs ~2.3 uniforms per draw whatever the mean (the
 * `Rng.poisson` splitting method costs ~mean uniforms, too slow for a sky of hundreds of e⁻ in
 * millions of pixels).
 */
export function poissonDraw(rng: Rng, mu: number): number {
  if (!(mu > 0)) {
    if (mu === 0) return 0;
    throw new Error(`Poisson mean must be >= 0, got ${mu}`);
  }
  if (mu < 10) {
    const limit = exp(-mu);
    let k = 0;
    let p = uniform32(rng);
    while (p > limit) {
      k++;
      p *= uniform32(rng);
    }
    return k;
  }
  const smu = sqrt(mu);
  const b = 0.931 + 2.53 * smu;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = uniform32(rng) - 0.5;
    const v = uniform32(rng);
    const us = 0.5 - abs(u);
    const k = floor(((2 * a) / us + b) * u + mu + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (log(v) + log(invAlpha) - log(a / (us * us) + b) <= -mu + k * log(mu) - lnGamma(k + 1)) return k;
  }
}

/**
 * Standard normal draws (Marsaglia polar method on 32-bit uniforms), using both values of each pair.
 * One per read-out: the spare must not leak between generators.
 */
function normalSource(rng: Rng): () => number {
  let spare = 0;
  let hasSpare = false;
  return () => {
    if (hasSpare) { hasSpare = false; return spare; }
    for (;;) {
      const u = 2 * uniform32(rng) - 1;
      const v = 2 * uniform32(rng) - 1;
      const s = u * u + v * v;
      if (s < 1 && s > 0) {
        const f = sqrt((-2 * log(s)) / s);
        spare = v * f;
        hasSpare = true;
        return u * f;
      }
    }
  };
}

/** Bit flags of `ReadoutResult.mask`. */
export const MASK = {
  cosmicRay: 1,
  hotPixel: 2,
  saturated: 4,
  bleedTrail: 8,
  badColumn: 16,
  edge: 32,
} as const;

/** Detector properties. */
export interface DetectorOptions {
  /** Gain, e⁻ per count (default 1). */
  gainEPerCount?: number;
  /** Read noise, e⁻ rms (default 5). */
  readNoiseE?: number;
  /** Converter ceiling and full well, counts (default 30000; Infinity: never saturates). */
  saturationCounts?: number;
  /** Spill charge above the full well along columns (default true); false just clips. */
  bleed?: boolean;
}

/** A read-out image and what happened to each pixel. */
export interface ReadoutResult {
  /** Observed counts (ADU), row-major. */
  image: Float32Array;
  /** Per-pixel bit flags (`MASK`): saturated, bleed trail, and any flags passed in. */
  mask: Uint8Array;
  /** Electrons lost off the top/bottom edges by bleeding. */
  bledOffEdgeE: number;
}

/**
 * Reads out an image: Poisson photon noise on `expectedCounts` (sky + sources + dark, counts), plus
 * `depositE` (charge already in the pixels, e⁻: cosmic rays), then bleeding above the full well,
 * Gaussian read noise, division by the gain and clipping at the saturation level.
 */
export function readOut(expectedCounts: Float32Array, widthPix: number, heightPix: number, rng: Rng, options: DetectorOptions = {}, depositE?: Float32Array, mask?: Uint8Array): ReadoutResult {
  const gain = options.gainEPerCount ?? 1;
  const readNoise = options.readNoiseE ?? 5;
  const sat = options.saturationCounts ?? 30000;
  const npix = widthPix * heightPix;
  const e = new Float64Array(npix);
  for (let p = 0; p < npix; p++) {
    const lam = expectedCounts[p] * gain;
    e[p] = lam > 0 ? poissonDraw(rng, lam) : 0;
  }
  if (depositE) for (let p = 0; p < npix; p++) e[p] += depositE[p];
  const m = mask ?? new Uint8Array(npix);
  const fullWell = sat * gain;
  let lost = 0;
  if (Number.isFinite(fullWell)) {
    if (options.bleed ?? true) lost = bleedColumns(e, widthPix, heightPix, fullWell, m);
  }
  const image = new Float32Array(npix);
  const invGain = 1 / gain;
  const normal = normalSource(rng);
  for (let p = 0; p < npix; p++) {
    let v = (readNoise > 0 ? e[p] + readNoise * normal() : e[p]) * invGain;
    if (v >= sat) { v = sat; m[p] |= MASK.saturated; }
    image[p] = v;
  }
  return { image, mask: m, bledOffEdgeE: lost };
}

/**
 * Spills the charge above `fullWellE` along each column, half up and half down, filling pixels to
 * the full well; flags the pixels that received charge. Returns the charge lost off the edges.
 */
export function bleedColumns(electrons: Float64Array | Float32Array, widthPix: number, heightPix: number, fullWellE: number, mask?: Uint8Array): number {
  let lost = 0;
  for (let x = 0; x < widthPix; x++) {
    for (let y = 0; y < heightPix; y++) {
      const p = y * widthPix + x;
      const excess = electrons[p] - fullWellE;
      if (excess <= 0) continue;
      electrons[p] = fullWellE;
      for (const dir of [-1, 1]) {
        let left = excess / 2;
        let yy = y + dir;
        while (left > 0) {
          if (yy < 0 || yy >= heightPix) { lost += left; break; }
          const q = yy * widthPix + x;
          const room = fullWellE - electrons[q];
          if (room > 0) {
            const take = min(room, left);
            electrons[q] += take;
            left -= take;
            if (mask) mask[q] |= MASK.bleedTrail;
          }
          yy += dir;
        }
      }
    }
  }
  return lost;
}

/** One cosmic-ray hit. */
export interface CosmicRay {
  /** Entry point of the track, pixels. */
  xPix: number;
  yPix: number;
  /** Projected track length, pixels (0 = a blob at normal incidence). */
  lengthPix: number;
  /** Track direction, degrees from +x towards +y. */
  angleDeg: number;
  /** Charge deposited, e⁻. */
  electrons: number;
}

/** How cosmic rays are drawn. */
export interface CosmicRayOptions {
  /** Depletion depth in pixel units: the projected track length is depth × tan θ (default 1.5). */
  depthPix?: number;
  /** Median charge of a normal-incidence hit, e⁻ (default 2000: ~80 e⁻/µm × 25 µm). */
  electronsNormal?: number;
  /** Longest track, pixels (default 16). */
  maxLengthPix?: number;
  /** Fraction of each sample's charge diffusing into each of the 4 neighbouring pixels (default 0.04). */
  diffusion?: number;
}

/**
 * Draws a cosmic ray hitting at (xPix, yPix): incidence angle with cos θ = √u (a cos θ-weighted
 * isotropic flux), charge ∝ path length in the silicon with a log-normal (Landau-like) spread of
 * 0.4 in ln.
 */
export function drawCosmicRay(rng: Rng, xPix: number, yPix: number, options: CosmicRayOptions = {}): CosmicRay {
  const depth = options.depthPix ?? 1.5;
  const cosTheta = max(sqrt(rng.random()), 0.05);
  const tanTheta = sqrt(1 - cosTheta * cosTheta) / cosTheta;
  const lengthPix = min(options.maxLengthPix ?? 16, depth * tanTheta);
  const electrons = ((options.electronsNormal ?? 2000) / cosTheta) * exp(0.4 * rng.normal());
  return { xPix, yPix, lengthPix, angleDeg: rng.uniform(0, 360), electrons };
}

/**
 * Deposits a cosmic ray into a charge image (e⁻): samples every 0.25 pixel along the track, each
 * putting its share in the pixel it falls in, less a `diffusion` fraction to each 4-neighbour.
 * Returns the charge that landed on the image.
 */
export function depositCosmicRay(depositE: Float32Array, widthPix: number, heightPix: number, ray: CosmicRay, options: CosmicRayOptions = {}, mask?: Uint8Array): number {
  const f = options.diffusion ?? 0.04;
  const nSamples = max(1, round(ray.lengthPix * 4) + 1);
  const share = ray.electrons / nSamples;
  const a = (ray.angleDeg * PI) / 180;
  const dx = cos(a);
  const dy = sin(a);
  let added = 0;
  const put = (x: number, y: number, q: number) => {
    if (x < 0 || y < 0 || x >= widthPix || y >= heightPix) return;
    const p = y * widthPix + x;
    depositE[p] += q;
    added += q;
    if (mask) mask[p] |= MASK.cosmicRay;
  };
  for (let k = 0; k < nSamples; k++) {
    const t = nSamples === 1 ? 0 : (k / (nSamples - 1)) * ray.lengthPix;
    const x = round(ray.xPix + t * dx);
    const y = round(ray.yPix + t * dy);
    put(x, y, share * (1 - 4 * f));
    put(x + 1, y, share * f);
    put(x - 1, y, share * f);
    put(x, y + 1, share * f);
    put(x, y - 1, share * f);
  }
  return added;
}

/** Background noise per pixel in counts for a flat sky: √(sky / gain + readNoise² / gain²). */
export function backgroundSigmaCounts(skyCountsPerPix: number, readNoiseE: number, gainEPerCount = 1): number {
  return sqrt(skyCountsPerPix / gainEPerCount + (readNoiseE * readNoiseE) / (gainEPerCount * gainEPerCount));
}
