/**
 * Simulated sky cut-outs for source finding and denoising: a flat sky, stars and galaxies from
 * luminosity functions, photon and read noise, and the artefacts a real detector adds (cosmic rays,
 * hot pixels, saturated stars with bleed trails), with the truth a network is trained against.
 *
 * Photometry. Fluxes are in counts (ADU) with a zero point: m = zp − 2.5 log10(F / counts). Every
 * source's expected signal-to-noise ratio is known from the CCD equation (`expectedSnr`), so a
 * detection network's completeness can be plotted against S/N and compared with the classical
 * 5σ limit.
 *
 * Number counts. Star and galaxy magnitudes follow dN/dm ∝ 10^(α m) between two limits: α = 0.6 is
 * a uniform (Euclidean) population; star counts at high latitude have α ≈ 0.2–0.35 at m ≈ 18–24
 * (Bahcall & Soneira 1980, ApJS 44, 73), galaxy counts α ≈ 0.3–0.45 in r (Yasuda et al. 2001,
 * AJ 122, 1104). Faint sources dominate, as in real images.
 *
 * Truth. Besides the noiseless image (sky + sources, the denoising target) a "truth map" marks the
 * pixels within `radiusFwhm` × FWHM of every source whose expected S/N exceeds `minSnr` (the target of
 * a source-finding network, cf. the U-Net-like detectors of e.g. Hausen & Robertson 2020, ApJS 248,
 * 20), and a segmentation map labels each pixel by the source contributing most to it, where the
 * sources together exceed `segmentationSigma` × the background noise.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../random";
import { Psf, addPointSource, cachedPsfStamp, gaussianPsf } from "./psf";
import { SersicGalaxy, renderGalaxyStamp } from "./galaxy";
import { CosmicRayOptions, DetectorOptions, MASK, backgroundSigmaCounts, depositCosmicRay, drawCosmicRay, readOut } from "./detector";

// Local aliases: inside a jest/vm sandbox each `Math.f` in a hot loop is a slow global lookup.
const { sqrt, log10, pow, floor, ceil, max, min, exp, log, abs, round, PI } = Math;

/** Magnitude ↔ counts with a zero point: m = zp − 2.5 log10(F). */
export function magToCounts(mag: number, zeroPointMag: number): number {
  return pow(10, -0.4 * (mag - zeroPointMag));
}

/** Counts → magnitude with a zero point (NaN for F ≤ 0). */
export function countsToMag(fluxCounts: number, zeroPointMag: number): number {
  return fluxCounts > 0 ? zeroPointMag - 2.5 * log10(fluxCounts) : NaN;
}

/**
 * A magnitude from dN/dm ∝ 10^(α m) on [mBright, mFaint] by inverting the cumulative distribution
 * (α = 0: uniform in magnitude).
 */
export function drawPowerLawMag(rng: Rng, magRange: readonly [number, number], countSlopePerMag: number): number {
  const [m1, m2] = magRange;
  const u = rng.random();
  if (abs(countSlopePerMag) < 1e-9) return m1 + u * (m2 - m1);
  const a = pow(10, countSlopePerMag * m1);
  const b = pow(10, countSlopePerMag * m2);
  return log10(a + u * (b - a)) / countSlopePerMag;
}

/** Options for `expectedSnr`. */
export interface SnrOptions {
  /** Gain, e⁻ per count (default 1). */
  gainEPerCount?: number;
  /**
   * "optimal" (default): PSF-weighted photometry, S/N² = Σ F²p_i² / (F p_i / g + σ_bg²), the best any
   * unbiased linear flux estimator can do (Naylor 1998, MNRAS 296, 339). "aperture": a circular
   * aperture, S/N = F f_ap / √(F f_ap / g + N_pix σ_bg²).
   */
  method?: "optimal" | "aperture";
  /** Aperture radius, pixels (default 0.68 × FWHM, near-optimal for a Gaussian at the sky limit). */
  apertureRadiusPix?: number;
}

/**
 * Expected signal-to-noise ratio of a point source of `fluxCounts` centred on a pixel, over a flat
 * sky of `skyCountsPerPix` with read noise `readNoiseE` (the CCD equation; Howell 2006, "Handbook of CCD
 * Astronomy"). At the
 * sky-limited end S/N ∝ F (≈ F / √(NEA σ_bg²), NEA = 1/Σp² ≈ 4πσ² for a Gaussian); at the
 * source-limited end S/N → √(F g), pure photon statistics.
 */
export function expectedSnr(fluxCounts: number, psf: Psf, skyCountsPerPix: number, readNoiseE: number, options: SnrOptions = {}): number {
  const gain = options.gainEPerCount ?? 1;
  const stamp = cachedPsfStamp(psf);
  const side = round(sqrt(stamp.length));
  const sigma = backgroundSigmaCounts(skyCountsPerPix, readNoiseE, gain);
  if ((options.method ?? "optimal") === "optimal") return snrForProfile(fluxCounts, stamp, sigma * sigma, gain);
  const r = options.apertureRadiusPix ?? 0.68 * psf.fwhmPix;
  const c = (side - 1) / 2;
  let fAp = 0;
  let nPix = 0;
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
    if ((x - c) * (x - c) + (y - c) * (y - c) <= r * r) { fAp += stamp[y * side + x]; nPix++; }
  }
  // Pixels of the aperture beyond the stamp hold sky only.
  nPix = max(nPix, PI * r * r);
  const s = fluxCounts * fAp;
  return s / sqrt(s / gain + nPix * sigma * sigma);
}

/**
 * Optimal S/N of a source of `fluxCounts` with normalised profile `profile` (pixel fractions summing
 * to 1) on a background of variance `backgroundVarianceCounts2` (counts² per pixel): √(Σ F²p² / (F p / g + σ²)).
 */
export function snrForProfile(fluxCounts: number, profile: ArrayLike<number>, backgroundVarianceCounts2: number, gainEPerCount = 1): number {
  let s2 = 0;
  for (let i = 0; i < profile.length; i++) {
    const sig = fluxCounts * profile[i];
    if (sig === 0) continue;
    s2 += (sig * sig) / (max(sig, 0) / gainEPerCount + backgroundVarianceCounts2);
  }
  return sqrt(s2);
}

/** A flux measured on an image, with its 1σ error. */
export interface FluxMeasurement {
  fluxCounts: number;
  fluxErrCounts: number;
}

/**
 * PSF-fit flux at a known position: F̂ = Σ w_i (d_i − sky) / Σ w_i p_i with inverse-variance weights
 * w_i = p_i / V_i, V_i = F₀ p_i / g + σ_bg² (F₀ = `fluxGuessCounts`, default 0: sky-limited weights,
 * still unbiased). With F₀ equal to the true flux its error is the optimal one of `expectedSnr`.
 */
export function measurePsfFlux(
  image: ArrayLike<number>,
  widthPix: number,
  heightPix: number,
  psf: Psf,
  xPix: number,
  yPix: number,
  skyCountsPerPix: number,
  readNoiseE: number,
  gainEPerCount = 1,
  fluxGuessCounts = 0,
): FluxMeasurement {
  const p = new Float32Array(widthPix * heightPix);
  addPointSource(p, widthPix, heightPix, psf, xPix, yPix, 1, { wingFraction: 1e-4 });
  const s2 = backgroundSigmaCounts(skyCountsPerPix, readNoiseE, gainEPerCount) ** 2;
  let num = 0;
  let den = 0;
  let varNum = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    const v = (fluxGuessCounts * p[i]) / gainEPerCount + s2;
    const w = p[i] / v;
    num += w * (image[i] - skyCountsPerPix);
    den += w * p[i];
    varNum += w * w * v;
  }
  return { fluxCounts: num / den, fluxErrCounts: sqrt(varNum) / den };
}

/** Sky-subtracted sum of the pixels whose centres lie within `radiusPix` of (xPix, yPix). */
export function apertureFlux(image: ArrayLike<number>, widthPix: number, heightPix: number, xPix: number, yPix: number, radiusPix: number, skyCountsPerPix: number): FluxMeasurement & { nPix: number } {
  let s = 0;
  let n = 0;
  for (let y = max(0, floor(yPix - radiusPix)); y <= min(heightPix - 1, ceil(yPix + radiusPix)); y++) {
    for (let x = max(0, floor(xPix - radiusPix)); x <= min(widthPix - 1, ceil(xPix + radiusPix)); x++) {
      if ((x - xPix) ** 2 + (y - yPix) ** 2 <= radiusPix * radiusPix) { s += image[y * widthPix + x] - skyCountsPerPix; n++; }
    }
  }
  return { fluxCounts: s, fluxErrCounts: NaN, nPix: n };
}

/** A population of sources drawn per image. */
export interface PopulationOptions {
  /** Mean number per image (the number is Poisson-distributed). */
  meanCount?: number;
  /** [bright, faint] magnitude limits. */
  magRange?: [number, number];
  /** α of dN/dm ∝ 10^(α m), per magnitude. */
  countSlopePerMag?: number;
}

/** Galaxies: a population plus the ranges their shapes are drawn from (uniformly). */
export interface GalaxyPopulationOptions extends PopulationOptions {
  /** Sérsic index range (default [0.5, 4]). */
  sersicNRange?: [number, number];
  /** Half-light radius range, pixels (default [1, 4]). */
  reffRangePix?: [number, number];
  /** Largest ellipticity 1 − b/a (default 0.6). */
  maxEllipticity?: number;
}

/** Cosmic rays per image and their physics. */
export interface CosmicRayPopulationOptions extends CosmicRayOptions {
  /** Mean hits per image (default 0.3). */
  meanCount?: number;
}

/** Hot pixels (high dark current) per image. */
export interface HotPixelOptions {
  /** Mean number per image (default 0.3). */
  meanCount?: number;
  /** Range of their excess counts, drawn log-uniformly (default [200, 20000]). */
  countsRange?: [number, number];
}

/** What the truth map marks. */
export interface TruthMapOptions {
  /** Radius around each source, in units of the PSF FWHM (default 0.75); galaxies add R_e in quadrature. */
  radiusFwhm?: number;
  /** Only sources with expected S/N above this are marked (default 5). */
  minSnr?: number;
  /** "disk" (default): 1 inside the radius, 0 outside; "gaussian": exp(−r²/2σ²) with σ = radius / 2, max over sources. */
  shape?: "disk" | "gaussian";
  /** Mark galaxies as well as stars (default true). */
  includeGalaxies?: boolean;
  /** Segmentation: pixels where the sources' model exceeds this many background σ (default 1). */
  segmentationSigma?: number;
}

/** A source placed by hand (overrides the random populations unless those are given explicitly). */
export type SourceSpec =
  | { kind: "star"; xPix: number; yPix: number; fluxCounts?: number; mag?: number }
  | ({ kind: "galaxy"; mag?: number; fluxCounts?: number } & Omit<SersicGalaxy, "fluxCounts">);

/** Options for `simulateSkyImage`. */
export interface SkyImageOptions {
  /** Image size, pixels (default 64 × 64). */
  widthPix?: number;
  heightPix?: number;
  /** PSF (default Gaussian, FWHM 3 pixels). */
  psf?: Psf;
  /** Sky background, counts per pixel (default 100). */
  skyCountsPerPix?: number;
  /** Gain, e⁻ per count (default 1). */
  gainEPerCount?: number;
  /** Read noise, e⁻ (default 5). */
  readNoiseE?: number;
  /** Photometric zero point: magnitude of a 1-count source (default 27). */
  zeroPointMag?: number;
  /** Saturation / full well, counts (default 30000). */
  saturationCounts?: number;
  /** Stars (default 15 per image, m 16–24, α = 0.3). */
  stars?: PopulationOptions;
  /** Galaxies (default 1 per image, m 18–23, α = 0.4). */
  galaxies?: GalaxyPopulationOptions;
  /** Stars bright enough to saturate (default 0.05 per image, m 11–13.5, uniform in m). */
  saturatedStars?: PopulationOptions;
  cosmicRays?: CosmicRayPopulationOptions;
  hotPixels?: HotPixelOptions;
  truthMap?: TruthMapOptions;
  /** Sources placed by hand; when given, the random populations default to none. */
  sources?: SourceSpec[];
  /** Seed for a fresh `Rng` (default 42); ignored if `rng` is given. */
  seed?: number;
  rng?: Rng;
}

/** Truth for one source of a simulated image. */
export interface SkySource {
  kind: "star" | "galaxy";
  /** Centre, pixels. */
  xPix: number;
  yPix: number;
  /** Total flux, counts, and the magnitude it corresponds to. */
  fluxCounts: number;
  mag: number;
  /** Expected optimal S/N (CCD equation, PSF- or galaxy-profile-weighted). */
  snr: number;
  /** Its peak reaches the saturation level. */
  saturated: boolean;
  /** Marked in the truth map. */
  inTruthMap: boolean;
  /** Galaxy shape (galaxies only). */
  sersicN?: number;
  reffPix?: number;
  ellipticity?: number;
  positionAngleDeg?: number;
}

/** Truth for one artefact. */
export interface SkyArtefact {
  kind: "cosmic-ray" | "hot-pixel";
  xPix: number;
  yPix: number;
  /** Charge (cosmic ray) or dark counts (hot pixel), counts. */
  counts: number;
  /** Projected length of a cosmic-ray track, pixels. */
  lengthPix?: number;
}

/** A simulated image and its truth. */
export interface SkyImage {
  widthPix: number;
  heightPix: number;
  /** Observed counts (row-major). */
  image: Float32Array;
  /** Sky + sources without noise, saturation or artefacts (the denoising target). */
  noiseless: Float32Array;
  /** 1 (or a Gaussian weight) near sources above the S/N threshold, 0 elsewhere. */
  truthMap: Float32Array;
  /** 0 = background, k + 1 = `sources[k]`. */
  segmentation: Int32Array;
  /** Per-pixel `MASK` flags (cosmic ray, hot pixel, saturated, bleed trail). */
  mask: Uint8Array;
  sources: SkySource[];
  artefacts: SkyArtefact[];
  psf: Psf;
  skyCountsPerPix: number;
  gainEPerCount: number;
  readNoiseE: number;
  zeroPointMag: number;
  saturationCounts: number;
  /** Background noise per pixel, counts: √(sky/g + σ_r²/g²). */
  backgroundSigmaCounts: number;
}

function poissonCount(rng: Rng, mean: number): number {
  return mean > 0 ? rng.poisson(mean) : 0;
}

/**
 * One simulated sky cut-out: sources drawn from the populations (or placed by hand), rendered
 * through the PSF onto a flat sky, read out with photon and read noise, cosmic rays, hot pixels
 * and saturation; returned with the noiseless image, truth map, segmentation, artefact mask and
 * per-source truth (position, flux, magnitude, expected S/N).
 */
export function simulateSkyImage(options: SkyImageOptions = {}): SkyImage {
  const rng = options.rng ?? new Rng(options.seed ?? 42);
  const w = options.widthPix ?? 64;
  const h = options.heightPix ?? 64;
  const psf = options.psf ?? gaussianPsf(3);
  const sky = options.skyCountsPerPix ?? 100;
  const gain = options.gainEPerCount ?? 1;
  const readNoise = options.readNoiseE ?? 5;
  const zp = options.zeroPointMag ?? 27;
  const sat = options.saturationCounts ?? 30000;
  const sigmaBg = backgroundSigmaCounts(sky, readNoise, gain);
  const manual = options.sources !== undefined;
  const tm = options.truthMap ?? {};
  const radiusFwhm = tm.radiusFwhm ?? 0.75;
  const minSnr = tm.minSnr ?? 5;
  const npix = w * h;

  const model = new Float32Array(npix); // sources only
  const segLabels = new Int32Array(npix);
  const segBest = new Float32Array(npix);
  const psfStamp = cachedPsfStamp(psf);
  const peakFraction = maxOf(psfStamp);
  const sources: SkySource[] = [];
  const bgVar = sigmaBg * sigmaBg;

  const addStar = (x: number, y: number, flux: number) => {
    const label = sources.length + 1;
    addPointSource(model, w, h, psf, x, y, flux, { segmentation: { label, labels: segLabels, best: segBest } });
    sources.push({
      kind: "star", xPix: x, yPix: y, fluxCounts: flux, mag: countsToMag(flux, zp), snr: snrForProfile(flux, psfStamp, bgVar, gain),
      saturated: flux * peakFraction + sky >= sat, inTruthMap: false,
    });
  };
  const addGal = (g: SersicGalaxy) => {
    const label = sources.length + 1;
    const st = renderGalaxyStamp(g, psf);
    let peak = 0;
    const profile = new Float32Array(st.pixels.length);
    for (let k = 0; k < st.pixels.length; k++) {
      profile[k] = st.pixels[k] / g.fluxCounts;
      peak = max(peak, st.pixels[k]);
    }
    for (let j = 0; j < st.sidePix; j++) {
      const y = st.y0Pix + j;
      if (y < 0 || y >= h) continue;
      for (let i = 0; i < st.sidePix; i++) {
        const x = st.x0Pix + i;
        if (x < 0 || x >= w) continue;
        const v = st.pixels[j * st.sidePix + i];
        const p = y * w + x;
        model[p] += v;
        if (v > segBest[p]) { segBest[p] = v; segLabels[p] = label; }
      }
    }
    sources.push({
      kind: "galaxy", xPix: g.xPix, yPix: g.yPix, fluxCounts: g.fluxCounts, mag: countsToMag(g.fluxCounts, zp), snr: snrForProfile(g.fluxCounts, profile, bgVar, gain),
      saturated: peak + sky >= sat, inTruthMap: false, sersicN: g.sersicN, reffPix: g.reffPix, ellipticity: g.ellipticity ?? 0, positionAngleDeg: g.positionAngleDeg ?? 0,
    });
  };

  for (const s of options.sources ?? []) {
    const flux = s.fluxCounts ?? magToCounts(s.mag ?? 20, zp);
    if (s.kind === "star") addStar(s.xPix, s.yPix, flux);
    else addGal({ xPix: s.xPix, yPix: s.yPix, fluxCounts: flux, sersicN: s.sersicN, reffPix: s.reffPix, ellipticity: s.ellipticity, positionAngleDeg: s.positionAngleDeg });
  }
  const where = () => [rng.uniform(-0.5, w - 0.5), rng.uniform(-0.5, h - 0.5)];
  const st = options.stars ?? {};
  const nStars = poissonCount(rng, st.meanCount ?? (manual ? 0 : 15));
  for (let k = 0; k < nStars; k++) {
    const [x, y] = where();
    addStar(x, y, magToCounts(drawPowerLawMag(rng, st.magRange ?? [16, 24], st.countSlopePerMag ?? 0.3), zp));
  }
  const ss = options.saturatedStars ?? {};
  const nSat = poissonCount(rng, ss.meanCount ?? (manual ? 0 : 0.05));
  for (let k = 0; k < nSat; k++) {
    const [x, y] = where();
    addStar(x, y, magToCounts(drawPowerLawMag(rng, ss.magRange ?? [11, 13.5], ss.countSlopePerMag ?? 0), zp));
  }
  const gp = options.galaxies ?? {};
  const nGal = poissonCount(rng, gp.meanCount ?? (manual ? 0 : 1));
  const nRange = gp.sersicNRange ?? [0.5, 4];
  const reRange = gp.reffRangePix ?? [1, 4];
  for (let k = 0; k < nGal; k++) {
    const [x, y] = where();
    addGal({
      xPix: x, yPix: y, fluxCounts: magToCounts(drawPowerLawMag(rng, gp.magRange ?? [18, 23], gp.countSlopePerMag ?? 0.4), zp),
      sersicN: rng.uniform(nRange[0], nRange[1]), reffPix: rng.uniform(reRange[0], reRange[1]),
      ellipticity: rng.uniform(0, gp.maxEllipticity ?? 0.6), positionAngleDeg: rng.uniform(0, 180),
    });
  }

  // Truth map: discs (or Gaussian blobs) around every source the S/N threshold admits.
  const truthMap = new Float32Array(npix);
  const fw = psf.fwhmPix;
  for (const s of sources) {
    if (s.snr < minSnr || (s.kind === "galaxy" && !(tm.includeGalaxies ?? true))) continue;
    s.inTruthMap = true;
    const r = s.kind === "galaxy" ? sqrt((radiusFwhm * fw) ** 2 + (s.reffPix ?? 0) ** 2) : radiusFwhm * fw;
    const gaussian = tm.shape === "gaussian";
    const reach = gaussian ? 2 * r : r;
    const inv2s2 = gaussian ? 1 / (2 * (r / 2) ** 2) : 0;
    for (let y = max(0, floor(s.yPix - reach)); y <= min(h - 1, ceil(s.yPix + reach)); y++) {
      for (let x = max(0, floor(s.xPix - reach)); x <= min(w - 1, ceil(s.xPix + reach)); x++) {
        const d2 = (x - s.xPix) ** 2 + (y - s.yPix) ** 2;
        if (d2 > reach * reach) continue;
        const v = gaussian ? exp(-d2 * inv2s2) : 1;
        const p = y * w + x;
        if (v > truthMap[p]) truthMap[p] = v;
      }
    }
  }
  const segThreshold = (tm.segmentationSigma ?? 1) * sigmaBg;
  for (let p = 0; p < npix; p++) if (model[p] < segThreshold) segLabels[p] = 0;

  // Detector: hot pixels are dark current (Poisson, counted in the expectation), cosmic rays are
  // charge deposited directly.
  const expected = new Float32Array(npix);
  const noiseless = new Float32Array(npix);
  for (let p = 0; p < npix; p++) { noiseless[p] = sky + model[p]; expected[p] = noiseless[p]; }
  const mask = new Uint8Array(npix);
  const artefacts: SkyArtefact[] = [];
  const hp = options.hotPixels ?? {};
  const nHot = poissonCount(rng, hp.meanCount ?? (manual ? 0 : 0.3));
  const [hLo, hHi] = hp.countsRange ?? [200, 20000];
  for (let k = 0; k < nHot; k++) {
    const x = rng.integer(0, w);
    const y = rng.integer(0, h);
    const counts = exp(rng.uniform(log(hLo), log(hHi)));
    expected[y * w + x] += counts;
    mask[y * w + x] |= MASK.hotPixel;
    artefacts.push({ kind: "hot-pixel", xPix: x, yPix: y, counts });
  }
  const cr = options.cosmicRays ?? {};
  const nCr = poissonCount(rng, cr.meanCount ?? (manual ? 0 : 0.3));
  let deposit: Float32Array | undefined;
  for (let k = 0; k < nCr; k++) {
    deposit ??= new Float32Array(npix);
    const [x, y] = where();
    const ray = drawCosmicRay(rng, x, y, cr);
    const landed = depositCosmicRay(deposit, w, h, ray, cr, mask);
    artefacts.push({ kind: "cosmic-ray", xPix: x, yPix: y, counts: landed / gain, lengthPix: ray.lengthPix });
  }
  const detector: DetectorOptions = { gainEPerCount: gain, readNoiseE: readNoise, saturationCounts: sat };
  const { image } = readOut(expected, w, h, rng, detector, deposit, mask);
  return {
    widthPix: w, heightPix: h, image, noiseless, truthMap, segmentation: segLabels, mask, sources, artefacts, psf,
    skyCountsPerPix: sky, gainEPerCount: gain, readNoiseE: readNoise, zeroPointMag: zp, saturationCounts: sat, backgroundSigmaCounts: sigmaBg,
  };
}

function maxOf(a: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}

/** Options for `simulateSkyBatch`: those of `simulateSkyImage`, plus per-image variation and the output scaling. */
export interface SkyBatchOptions extends Omit<SkyImageOptions, "sources"> {
  /** Draw each image's PSF FWHM uniformly from this range, pixels (default: fixed `psf`). */
  fwhmRangePix?: [number, number];
  /** Draw each image's sky level uniformly from this range, counts per pixel (default: fixed). */
  skyRangeCountsPerPix?: [number, number];
  /**
   * "counts" (default): raw counts. "snr": (counts − sky) / σ_bg per image, for images and the
   * noiseless target alike: the scaling a network trains best on (zero background, unit noise).
   */
  output?: "counts" | "snr";
  /** Keep the noiseless images (default true). */
  includeNoiseless?: boolean;
}

/** Observing conditions of one image of a batch. */
export interface SkyConditions {
  fwhmPix: number;
  skyCountsPerPix: number;
  backgroundSigmaCounts: number;
}

/** A batch of sky images, ready for tfjs: flat [n, h, w, 1] arrays plus per-image truth. */
export interface SkyBatch {
  n: number;
  heightPix: number;
  widthPix: number;
  /** [n, h, w, 1] observed images (scaled as `output` says). */
  images: Float32Array;
  /** [n, h, w, 1] noiseless images, same scaling (null if not kept). */
  noiseless: Float32Array | null;
  /** [n, h, w, 1] truth maps. */
  maps: Float32Array;
  /** [n, h, w] artefact flags. */
  masks: Uint8Array;
  sources: SkySource[][];
  artefacts: SkyArtefact[][];
  conditions: SkyConditions[];
  /** The images as a [n, h, w, 1] tensor (dispose it when done). */
  imageTensor(): tf.Tensor4D;
  /** The truth maps as a [n, h, w, 1] tensor. */
  mapTensor(): tf.Tensor4D;
  /** The noiseless images as a [n, h, w, 1] tensor. */
  noiselessTensor(): tf.Tensor4D;
}

/**
 * `n` independent sky images for training a source finder or a denoiser. About 0.5–1 ms per 64×64
 * image with the defaults (galaxies are the slow part).
 */
export function simulateSkyBatch(n: number, options: SkyBatchOptions = {}): SkyBatch {
  const rng = options.rng ?? new Rng(options.seed ?? 42);
  const w = options.widthPix ?? 64;
  const h = options.heightPix ?? 64;
  const npix = w * h;
  const keep = options.includeNoiseless ?? true;
  const images = new Float32Array(n * npix);
  const noiseless = keep ? new Float32Array(n * npix) : null;
  const maps = new Float32Array(n * npix);
  const masks = new Uint8Array(n * npix);
  const sources: SkySource[][] = [];
  const artefacts: SkyArtefact[][] = [];
  const conditions: SkyConditions[] = [];
  const basePsf = options.psf ?? gaussianPsf(3);
  for (let i = 0; i < n; i++) {
    // Quantised FWHM so non-Gaussian PSFs can reuse their cached sub-pixel stamps.
    const fwhm = options.fwhmRangePix ? round(rng.uniform(options.fwhmRangePix[0], options.fwhmRangePix[1]) * 20) / 20 : basePsf.fwhmPix;
    const sky = options.skyRangeCountsPerPix ? rng.uniform(options.skyRangeCountsPerPix[0], options.skyRangeCountsPerPix[1]) : options.skyCountsPerPix ?? 100;
    const img = simulateSkyImage({ ...options, psf: { ...basePsf, fwhmPix: fwhm }, skyCountsPerPix: sky, rng: rng.fork() });
    const off = i * npix;
    const scale = options.output === "snr" ? 1 / img.backgroundSigmaCounts : 1;
    const shift = options.output === "snr" ? sky : 0;
    for (let p = 0; p < npix; p++) {
      images[off + p] = (img.image[p] - shift) * scale;
      if (noiseless) noiseless[off + p] = (img.noiseless[p] - shift) * scale;
    }
    maps.set(img.truthMap, off);
    masks.set(img.mask, off);
    sources.push(img.sources);
    artefacts.push(img.artefacts);
    conditions.push({ fwhmPix: fwhm, skyCountsPerPix: sky, backgroundSigmaCounts: img.backgroundSigmaCounts });
  }
  return {
    n, heightPix: h, widthPix: w, images, noiseless, maps, masks, sources, artefacts, conditions,
    imageTensor: () => tf.tensor4d(images, [n, h, w, 1]),
    mapTensor: () => tf.tensor4d(maps, [n, h, w, 1]),
    noiselessTensor: () => {
      if (!noiseless) throw new Error("simulateSkyBatch: noiseless images were not kept (includeNoiseless: false)");
      return tf.tensor4d(noiseless, [n, h, w, 1]);
    },
  };
}
