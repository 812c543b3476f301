/**
 * Galaxy cut-outs for autoencoders: one centred Sérsic galaxy per small square image, read out with
 * photon and read noise, returned with its noiseless twin and its shape parameters; and test sets in
 * which some cut-outs carry an injected artefact or a rare object, for anomaly detection.
 *
 * Why cut-outs. A survey pipeline detects sources first and then measures each on a postage stamp
 * centred on it (e.g. the HSC and Rubin pipelines; Bosch et al. 2018, PASJ 70, S5). Networks that
 * denoise, compress or screen galaxies work on such stamps, so the galaxy sits near the centre and
 * only its shape, size and brightness vary.
 *
 * Units. Images are returned in units of the background noise: (counts − sky) / σ_bg, with
 * σ_bg = √(sky/g + σ_r²/g²). Empty sky then has mean 0 and standard deviation 1, so a pixel value
 * reads directly as a per-pixel signal-to-noise ratio, and a squared residual summed over pixels is
 * a χ² (for the sky-dominated pixels). The noiseless target is scaled the same way.
 *
 * Anomalies. Each anomalous cut-out holds a normal galaxy plus exactly one of:
 * - "cosmic-ray": a charged-particle track (blob or worm), `drawCosmicRay` / `depositCosmicRay`;
 * - "hot-pixel": one pixel with extra dark counts;
 * - "satellite-trail": a straight streak crossing the stamp with the PSF's cross-section (a
 *   satellite or aircraft; Starlink-era surveys lose a few per cent of exposures to them,
 *   Tyson et al. 2020, AJ 160, 226);
 * - "bleed-trail": a star bright enough to saturate, on or just off the stamp, whose excess charge
 *   bleeds along the column (`readOut`);
 * - "merger": a second galaxy overlapping the first (a stand-in for mergers and blends);
 * - "lensed-arc": a thin tangential arc at an Einstein radius of 5–9 pixels around the galaxy, as
 *   a strong gravitational lens makes of a background source.
 * The artefact strengths are drawn over wide ranges, from barely visible to glaring, so that
 * detecting them is not trivially perfect.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng, defaultRng } from "../random";
import { Psf, gaussianPsf, gaussianSigmaPix, psfKernel, addPointSource, psfRadiusPix } from "../sim/psf";
import { addGalaxy, SersicGalaxy } from "../sim/galaxy";
import { backgroundSigmaCounts, depositCosmicRay, drawCosmicRay, readOut } from "../sim/detector";
import { convolve2d, cropImage } from "../sim/image";

const { exp, log, sqrt, cos, sin, PI, abs, round, max, atan2 } = Math;

/** Shape and brightness of the galaxy in one cut-out. */
export interface CutoutGalaxy {
  /** Centre, pixels (x = column, y = row; the stamp centre is ((size − 1)/2, (size − 1)/2)). */
  xPix: number;
  yPix: number;
  fluxCounts: number;
  sersicN: number;
  reffPix: number;
  /** 1 − b/a. */
  ellipticity: number;
  /** Major-axis direction, degrees from +x towards +y, in [0, 180). */
  positionAngleDeg: number;
}

/** Options for `simulateGalaxyCutouts` and `simulateAnomalyCutouts`. */
export interface GalaxyCutoutOptions {
  /** Stamp side, pixels (default 32). */
  sizePix?: number;
  /** PSF (default a Gaussian of FWHM 2.5 pixels). */
  psf?: Psf;
  /** Sky, counts per pixel (default 100). */
  skyCountsPerPix?: number;
  /** Read noise, e⁻ (default 5). */
  readNoiseE?: number;
  /** Gain, e⁻ per count (default 1). */
  gainEPerCount?: number;
  /** Saturation / full well, counts (default 30000). */
  saturationCounts?: number;
  /** Total galaxy flux range, counts, drawn log-uniformly (default [300, 20000]). */
  fluxRangeCounts?: [number, number];
  /** Sérsic index range, drawn uniformly (default [0.5, 4]). */
  sersicNRange?: [number, number];
  /** Half-light radius range, pixels, drawn log-uniformly (default [1.5, 5]). */
  reffRangePix?: [number, number];
  /** Largest ellipticity, drawn uniformly from [0, max] (default 0.7). */
  maxEllipticity?: number;
  /** Centre offset from the stamp centre, uniform in ±this per axis, pixels (default 1). */
  centreJitterPix?: number;
  /** Seed for a fresh generator (default: a fork of the generator from `seedEverything`). */
  seed?: number;
  rng?: Rng;
}

/** What was injected into a cut-out ("normal": nothing). */
export type AnomalyKind = "cosmic-ray" | "hot-pixel" | "satellite-trail" | "bleed-trail" | "merger" | "lensed-arc";

/** Every anomaly kind, in a fixed order. */
export const ANOMALY_KINDS: readonly AnomalyKind[] = ["cosmic-ray", "hot-pixel", "satellite-trail", "bleed-trail", "merger", "lensed-arc"];

/** A batch of cut-outs, flat [n, size, size, 1] arrays in noise units, with the truth. */
export interface CutoutBatch {
  n: number;
  sizePix: number;
  /** Observed images, (counts − sky) / σ_bg. */
  noisy: Float32Array;
  /** The same without noise (and without detector artefacts), same units. */
  clean: Float32Array;
  /** The main galaxy of each cut-out. */
  galaxies: CutoutGalaxy[];
  /** "normal" or the anomaly injected into each cut-out. */
  kinds: Array<AnomalyKind | "normal">;
  /** σ_bg, counts: multiply an image by it to get counts above sky. */
  backgroundSigmaCounts: number;
  /** The converter's ceiling in the same noise units: pixels at this value are saturated. */
  saturationLevel: number;
  psf: Psf;
  /** Noisy images as a [n, size, size, 1] tensor (dispose it when done). */
  noisyTensor(): tf.Tensor4D;
  /** Noiseless images as a [n, size, size, 1] tensor. */
  cleanTensor(): tf.Tensor4D;
}

interface Resolved {
  size: number;
  psf: Psf;
  sky: number;
  readNoise: number;
  gain: number;
  sat: number;
  sigmaBg: number;
  rng: Rng;
  options: GalaxyCutoutOptions;
}

function resolve(options: GalaxyCutoutOptions): Resolved {
  const sky = options.skyCountsPerPix ?? 100;
  const readNoise = options.readNoiseE ?? 5;
  const gain = options.gainEPerCount ?? 1;
  return {
    size: options.sizePix ?? 32,
    psf: options.psf ?? gaussianPsf(2.5),
    sky, readNoise, gain,
    sat: options.saturationCounts ?? 30000,
    sigmaBg: backgroundSigmaCounts(sky, readNoise, gain),
    rng: options.rng ?? (options.seed !== undefined ? new Rng(options.seed) : defaultRng().fork()),
    options,
  };
}

function logUniform(rng: Rng, [lo, hi]: [number, number]): number {
  return exp(rng.uniform(log(lo), log(hi)));
}

/** Draws the shape of a galaxy near the stamp centre from the option ranges. */
export function drawCutoutGalaxy(rng: Rng, options: GalaxyCutoutOptions = {}): CutoutGalaxy {
  const size = options.sizePix ?? 32;
  const c = (size - 1) / 2;
  const jitter = options.centreJitterPix ?? 1;
  const [n0, n1] = options.sersicNRange ?? [0.5, 4];
  return {
    xPix: c + rng.uniform(-jitter, jitter),
    yPix: c + rng.uniform(-jitter, jitter),
    fluxCounts: logUniform(rng, options.fluxRangeCounts ?? [300, 20000]),
    sersicN: rng.uniform(n0, n1),
    reffPix: logUniform(rng, options.reffRangePix ?? [1.5, 5]),
    ellipticity: rng.uniform(0, options.maxEllipticity ?? 0.7),
    positionAngleDeg: rng.uniform(0, 180),
  };
}

function toSersic(g: CutoutGalaxy): SersicGalaxy {
  return { ...g };
}

function makeBatch(r: Resolved, noisy: Float32Array, clean: Float32Array, galaxies: CutoutGalaxy[], kinds: Array<AnomalyKind | "normal">): CutoutBatch {
  const n = galaxies.length;
  const s = r.size;
  return {
    n, sizePix: s, noisy, clean, galaxies, kinds, backgroundSigmaCounts: r.sigmaBg, saturationLevel: (r.sat - r.sky) / r.sigmaBg, psf: r.psf,
    noisyTensor: () => tf.tensor4d(noisy, [n, s, s, 1]),
    cleanTensor: () => tf.tensor4d(clean, [n, s, s, 1]),
  };
}

/**
 * `n` cut-outs of single Sérsic galaxies (index, radius, ellipticity, angle and flux drawn from the
 * option ranges), convolved with the PSF, with Poisson photon noise and Gaussian read noise.
 * About 1–2 ms per 32 × 32 cut-out (rendering cuspy high-n profiles is the slow part).
 */
export function simulateGalaxyCutouts(n: number, options: GalaxyCutoutOptions = {}): CutoutBatch {
  return simulateAnomalyCutouts(n, { ...options, anomalousFraction: 0 });
}

/** Options for `simulateAnomalyCutouts`. */
export interface AnomalyCutoutOptions extends GalaxyCutoutOptions {
  /** Fraction of cut-outs that get an anomaly (default 0.25); exactly round(n × fraction) do. */
  anomalousFraction?: number;
  /** Which anomalies to inject, cycled evenly (default all of `ANOMALY_KINDS`). */
  kinds?: readonly AnomalyKind[];
}

/**
 * `n` galaxy cut-outs as `simulateGalaxyCutouts`, of which a fraction (placed at random) also hold
 * one injected anomaly; `kinds[i]` says which. The clean images hold all the light (second galaxy,
 * arc, star, satellite) but neither the noise nor what the detector adds (cosmic rays, hot pixels,
 * saturation and bleeding).
 */
export function simulateAnomalyCutouts(n: number, options: AnomalyCutoutOptions = {}): CutoutBatch {
  const r = resolve(options);
  const { size, rng } = r;
  const npix = size * size;
  const noisy = new Float32Array(n * npix);
  const clean = new Float32Array(n * npix);
  const galaxies: CutoutGalaxy[] = [];
  const kinds: Array<AnomalyKind | "normal"> = new Array(n).fill("normal");
  const list = options.kinds ?? ANOMALY_KINDS;
  const nAnom = round(n * (options.anomalousFraction ?? 0.25));
  if (nAnom > 0 && list.length === 0) throw new Error("simulateAnomalyCutouts: no anomaly kinds given");
  // A random subset of the images, with the kinds cycled so each is equally common.
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = rng.integer(0, i + 1); [order[i], order[j]] = [order[j], order[i]]; }
  for (let k = 0; k < nAnom; k++) kinds[order[k]] = list[k % list.length];
  for (let i = 0; i < n; i++) {
    const g = drawCutoutGalaxy(rng, { ...options, sizePix: size });
    galaxies.push(g);
    const { image, model } = renderCutout(r, g, kinds[i], rng.fork());
    const off = i * npix;
    for (let p = 0; p < npix; p++) {
      noisy[off + p] = (image[p] - r.sky) / r.sigmaBg;
      clean[off + p] = model[p] / r.sigmaBg;
    }
  }
  return makeBatch(r, noisy, clean, galaxies, kinds);
}

// Stars that saturate and bleed are rendered on a canvas taller than the stamp so that a star just
// above or below it can send its trail in.
const BLEED_MARGIN_PIX = 24;

function renderCutout(r: Resolved, g: CutoutGalaxy, kind: AnomalyKind | "normal", rng: Rng): { image: Float32Array; model: Float32Array } {
  const { size, psf, sky, gain } = r;
  const margin = kind === "bleed-trail" ? BLEED_MARGIN_PIX : 0;
  const w = size;
  const h = size + 2 * margin;
  const model = new Float32Array(w * h); // astrophysical light above the sky, counts
  addGalaxy(model, w, h, toSersic({ ...g, yPix: g.yPix + margin }), psf);
  let deposit: Float32Array | undefined;
  const extraCounts = new Float32Array(w * h); // dark current and other non-sky additions, counts
  switch (kind) {
    case "normal":
      break;
    case "merger": {
      // A companion of comparable brightness, overlapping: separation 0.8–2 × the larger R_e, at least 3 pixels.
      const companion = drawCutoutGalaxy(rng, r.options);
      const sep = max(3, rng.uniform(0.8, 2) * max(g.reffPix, companion.reffPix));
      const phi = rng.uniform(0, 2 * PI);
      addGalaxy(model, w, h, {
        ...companion, xPix: g.xPix + sep * cos(phi), yPix: g.yPix + sep * sin(phi) + margin,
        fluxCounts: g.fluxCounts * rng.uniform(0.3, 1),
      }, psf);
      break;
    }
    case "lensed-arc":
      addArc(model, w, h, g.xPix, g.yPix + margin, psf, rng, g.fluxCounts);
      break;
    case "satellite-trail":
      addTrail(model, w, h, psf, rng, r.sigmaBg);
      break;
    case "hot-pixel": {
      const x = rng.integer(0, w);
      const y = rng.integer(0, h);
      extraCounts[y * w + x] += logUniform(rng, [5 * r.sigmaBg, 300 * r.sigmaBg]);
      break;
    }
    case "cosmic-ray": {
      deposit = new Float32Array(w * h);
      const ray = drawCosmicRay(rng, rng.uniform(0, w - 1), rng.uniform(0, h - 1), { electronsNormal: logUniform(rng, [100, 3000]) });
      depositCosmicRay(deposit, w, h, ray);
      break;
    }
    case "bleed-trail": {
      // Peak pixel ≈ 0.14 × flux for FWHM 2.5: 5 × 10⁵–10⁷ counts saturates by 2–50× and bleeds.
      // The star sits on the stamp or up to 3 pixels off its top or bottom edge, so its trail crosses the stamp.
      const x = rng.uniform(0, w - 1);
      const y = margin + rng.uniform(-3, size + 2);
      addPointSource(model, w, h, psf, x, y, logUniform(rng, [5e5, 1e7]));
      break;
    }
  }
  const expected = new Float32Array(w * h);
  for (let p = 0; p < w * h; p++) expected[p] = sky + model[p] + extraCounts[p];
  const { image } = readOut(expected, w, h, rng, { gainEPerCount: gain, readNoiseE: r.readNoise, saturationCounts: r.sat }, deposit);
  if (!margin) return { image, model };
  return { image: cropImage(image, w, h, 0, margin, size, size), model: cropImage(model, w, h, 0, margin, size, size) };
}

/**
 * A lensed arc: light along a circle of radius θ_E around the lens centre, Gaussian across it
 * (intrinsic width 0.5 pixel) and tapered along it over an opening angle of 40°–140°, convolved
 * with the PSF. Its total flux is 0.1–0.6 × the lens galaxy's (arcs are faint next to the lens).
 */
function addArc(model: Float32Array, w: number, h: number, xc: number, yc: number, psf: Psf, rng: Rng, lensFluxCounts: number): void {
  const thetaE = rng.uniform(5, 9);
  const phi0 = rng.uniform(-PI, PI);
  const halfOpening = (rng.uniform(40, 140) * PI) / 360;
  const widthPix = 0.5;
  const arc = new Float32Array(w * h);
  let total = 0;
  const sub = 4; // sub-samples per pixel axis: the arc is narrower than a pixel
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let j = 0; j < sub; j++) {
        for (let i = 0; i < sub; i++) {
          const dx = x - 0.5 + (i + 0.5) / sub - xc;
          const dy = y - 0.5 + (j + 0.5) / sub - yc;
          const rr = sqrt(dx * dx + dy * dy);
          let dphi = atan2(dy, dx) - phi0;
          dphi = dphi - 2 * PI * round(dphi / (2 * PI));
          const t = dphi / halfOpening;
          if (abs(t) >= 1) continue;
          acc += exp(-0.5 * ((rr - thetaE) / widthPix) ** 2) * (1 - t * t) ** 2;
        }
      }
      arc[y * w + x] = acc;
      total += acc;
    }
  }
  if (total <= 0) return;
  const ks = 2 * Math.ceil(psfRadiusPix(psf, 1e-3)) + 1;
  const blurred = convolve2d(arc, w, h, psfKernel(psf, ks), ks);
  const flux = lensFluxCounts * rng.uniform(0.1, 0.6);
  for (let p = 0; p < w * h; p++) model[p] += (blurred[p] * flux) / total;
}

/**
 * A straight trail crossing the stamp at a random angle and offset, with a Gaussian cross-section of
 * the PSF's width and a peak of 0.5–20 σ_bg per pixel (faint trails are visible only because they
 * are long).
 */
function addTrail(model: Float32Array, w: number, h: number, psf: Psf, rng: Rng, sigmaBg: number): void {
  const angle = rng.uniform(0, PI);
  const nx = -sin(angle);
  const ny = cos(angle);
  const xc = (w - 1) / 2 + rng.uniform(-w / 4, w / 4);
  const yc = (h - 1) / 2 + rng.uniform(-h / 4, h / 4);
  const s = gaussianSigmaPix(psf.fwhmPix);
  const peak = logUniform(rng, [0.5 * sigmaBg, 20 * sigmaBg]);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const d = (x - xc) * nx + (y - yc) * ny; // distance from the trail's centre line
      model[y * w + x] += peak * exp(-0.5 * (d / s) ** 2);
    }
  }
}

/** Sum of each image's pixels in a flat [n, …] batch, times `scale`: e.g. the total flux of each cut-out. */
export function imageSums(images: ArrayLike<number>, n: number, scale = 1): Float64Array {
  const npix = images.length / n;
  if (!Number.isInteger(npix)) throw new Error(`imageSums: ${images.length} values do not split into ${n} images`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let p = i * npix; p < (i + 1) * npix; p++) s += images[p];
    out[i] = s * scale;
  }
  return out;
}
