/**
 * Difference-imaging triplets for real/bogus classification, as produced by the ZTF and GOTO
 * transient pipelines: a science cut-out, the matching cut-out of a deeper reference (template)
 * image, and their difference, centred on a candidate (Duev et al. 2019, MNRAS 489, 3582, "braai",
 * 63 × 63 triplets; Killestein et al. 2021, MNRAS 503, 4838, GOTO). Kept small here (31 × 31 by
 * default) so a CNN trains on a CPU.
 *
 * Image subtraction. The reference is a co-add of `referenceFrames` exposures in better seeing, so
 * it is sharper and less noisy. It is blurred with a kernel K so its PSF matches the science PSF
 * and subtracted: D = (S − sky_S) − K ⊗ (R − sky_R) (Alard & Lupton 1998, ApJ 503, 325; for
 * Gaussian PSFs K is a Gaussian with σ_K² = σ_S² − σ_R²). A static star cancels; anything new in
 * the science image remains as a PSF-shaped source whose summed flux is the transient's flux.
 *
 * Candidate kinds.
 * - `transient` (real, label 1): a new point source near the stamp centre, on a host galaxy offset
 *   from its nucleus in a fraction `hostFraction` of cases.
 * - `dipole`: a bright star with the reference misaligned by 0.3–1.2 pixel (astrometric error):
 *   positive and negative lobes, net flux ≈ 0.
 * - `psf-mismatch`: a bright star with the matching kernel 15–35 % too wide or too narrow and a
 *   photometric scale error of up to 5 %: a ring or crater.
 * - `cosmic-ray`: a hit in the science exposure (the co-added reference is clean): sharp.
 * - `hot-pixel`: a single high-dark-current pixel in the science exposure.
 * - `bad-column`: a hot or dead column segment through the candidate in the science exposure.
 * - `saturated-star`: a star bright enough to saturate both images and bleed along columns; the
 *   clipped cores do not subtract.
 * - `edge`: the candidate is near the detector edge, where the science cut-out is zero-filled
 *   (as cut-out services pad off-chip pixels), leaving a step in the difference.
 *
 * To keep the task honest, nothing except the candidate itself tells the classes apart: field stars,
 * galaxies near the centre, small registration and kernel errors and stray cosmic rays appear in
 * real and bogus stamps alike.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../random";
import { Psf, addPointSource, cachedPsfStamp, gaussianSigmaPix, KOLMOGOROV_MOFFAT_BETA } from "./psf";
import { renderGalaxyStamp } from "./galaxy";
import { addStamp, convolveSeparable, cropImage, stackChannels } from "./image";
import { MASK, backgroundSigmaCounts, depositCosmicRay, drawCosmicRay, readOut } from "./detector";
import { countsToMag, magToCounts, snrForProfile } from "./sky";

// Local aliases: inside a jest/vm sandbox each `Math.f` in a hot loop is a slow global lookup.
const { sqrt, exp, log, cos, sin, ceil, max, min, round, PI } = Math;

/** The bogus (label 0) kinds. */
export type BogusKind = "dipole" | "psf-mismatch" | "cosmic-ray" | "hot-pixel" | "bad-column" | "saturated-star" | "edge";

/** Every candidate kind: "transient" is the only real one. */
export type CandidateKind = "transient" | BogusKind;

export const BOGUS_KINDS: readonly BogusKind[] = ["dipole", "psf-mismatch", "cosmic-ray", "hot-pixel", "bad-column", "saturated-star", "edge"];

/** Default relative frequencies of the bogus kinds (subtraction residuals dominate real streams). */
export const DEFAULT_BOGUS_MIX: Readonly<Record<BogusKind, number>> = {
  dipole: 0.3,
  "psf-mismatch": 0.15,
  "cosmic-ray": 0.2,
  "hot-pixel": 0.08,
  "bad-column": 0.1,
  "saturated-star": 0.07,
  edge: 0.1,
};

/** Options shared by `simulateTransientStamp` and `simulateTransientBatch`. */
export interface TransientOptions {
  /** Side of the square cut-outs, pixels, odd (default 31). */
  stampSize?: number;
  /** PSF shape of both images (default "gaussian", which the Gaussian matching kernel matches exactly). */
  psfKind?: "gaussian" | "moffat";
  /** Moffat β if `psfKind` is "moffat" (default 4.765). */
  moffatBeta?: number;
  /** Science seeing FWHM range, pixels (default [2.2, 4]). */
  sciFwhmRangePix?: [number, number];
  /** Reference seeing FWHM range, pixels (default [1.5, 2.5]); always at least 0.3 pixel sharper than the science. */
  refFwhmRangePix?: [number, number];
  /** Sky ranges, counts per pixel (default [100, 400] each). */
  sciSkyRangeCountsPerPix?: [number, number];
  refSkyRangeCountsPerPix?: [number, number];
  /** Gain, e⁻ per count (default 1). */
  gainEPerCount?: number;
  /** Read noise per exposure, e⁻ (default 6). */
  readNoiseE?: number;
  /** Exposures averaged into the reference (default 10: its noise is √10 lower). */
  referenceFrames?: number;
  /** Zero point, mag (default 27). */
  zeroPointMag?: number;
  /** Saturation level, counts (default 30000). */
  saturationCounts?: number;
  /** Transient magnitudes, uniform (default [17.5, 21.5]). */
  transientMagRange?: [number, number];
  /** Fraction of stamps (real and bogus alike) with a galaxy near the candidate (default 0.5). */
  hostFraction?: number;
  /** Host / nearby galaxy magnitudes (default [18, 22]) and half-light radii (default [1, 4] pixels). */
  hostMagRange?: [number, number];
  hostReffRangePix?: [number, number];
  /** Mean number of field stars per stamp (default 1.5), magnitudes (default [16, 22]). */
  fieldStarsPerStamp?: number;
  fieldStarMagRange?: [number, number];
  /** Bright-star magnitudes for dipole and PSF-mismatch bogus (default [14, 18]). */
  brightStarMagRange?: [number, number];
  /** Registration error of every stamp, pixels rms per axis (default 0.05). */
  registrationErrorPix?: number;
  /** Error of the kernel width (fraction of the science FWHM) in every stamp, rms (default 0.02). */
  kernelFwhmError?: number;
  /** Photometric scale error between reference and science in every stamp, rms (default 0.003). */
  photometricScaleError?: number;
  /** Probability of a stray cosmic ray away from the centre, any stamp (default 0.05). */
  strayCosmicRayRate?: number;
  /** Relative frequencies of the bogus kinds (default `DEFAULT_BOGUS_MIX`; missing kinds get 0 if any is given). */
  bogusMix?: Partial<Record<BogusKind, number>>;
  /** Keep noiseless versions of the three channels (default false). */
  includeNoiseless?: boolean;
  /** Seed for a fresh `Rng` (default 42); ignored if `rng` is given. */
  seed?: number;
  rng?: Rng;
}

/** What is in one triplet. */
export interface TransientTruth {
  /** 1 real, 0 bogus. */
  label: 0 | 1;
  kind: CandidateKind;
  /** Candidate position in the stamp, pixels. */
  xPix: number;
  yPix: number;
  /** Flux of the candidate object (transient, star, cosmic-ray charge, hot-pixel or column excess), counts. */
  fluxCounts: number;
  mag: number;
  /** Expected optimal S/N of `fluxCounts` as a point source in the difference image. */
  snr: number;
  sciFwhmPix: number;
  refFwhmPix: number;
  /** FWHM of the matching kernel used (including its error), pixels. */
  kernelFwhmPix: number;
  /** Reference minus science position offset, pixels. */
  shiftPix: [number, number];
  sciSkyCountsPerPix: number;
  refSkyCountsPerPix: number;
  /** Background noise per pixel of the science, reference and difference images, counts. */
  sciSigmaCounts: number;
  refSigmaCounts: number;
  diffSigmaCounts: number;
  /** A galaxy near the candidate, and its centre's distance from it (NaN if none). */
  hasGalaxy: boolean;
  galaxyOffsetPix: number;
}

/** One triplet: three single-channel images and the truth. */
export interface TransientStamp {
  sizePix: number;
  science: Float32Array;
  reference: Float32Array;
  difference: Float32Array;
  /** Noiseless channels (expected counts before noise, saturation and bleeding), if asked for. */
  noiseless?: { science: Float32Array; reference: Float32Array; difference: Float32Array };
  truth: TransientTruth;
}

function gaussianKernel1d(sigmaPix: number): Float64Array {
  // Below σ² = ½ a sampled Gaussian has the wrong variance (aliasing); a 3-tap kernel [a, 1 − 2a, a]
  // with 2a = σ² has exactly the right one.
  if (sigmaPix * sigmaPix < 0.5) {
    const a = (sigmaPix * sigmaPix) / 2;
    return Float64Array.from([a, 1 - 2 * a, a]);
  }
  const r = ceil(5 * sigmaPix);
  const k = new Float64Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) { k[i + r] = exp((-0.5 * i * i) / (sigmaPix * sigmaPix)); s += k[i + r]; }
  for (let i = 0; i < k.length; i++) k[i] /= s;
  return k;
}

function pickBogus(rng: Rng, mix: Partial<Record<BogusKind, number>> | undefined): BogusKind {
  const weights = BOGUS_KINDS.map((k) => (mix ? mix[k] ?? 0 : DEFAULT_BOGUS_MIX[k]));
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new Error("bogusMix: the weights must include a positive value");
  let u = rng.random() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0) return BOGUS_KINDS[i];
  }
  return BOGUS_KINDS[BOGUS_KINDS.length - 1];
}

/** A point source or galaxy of the static scene, in padded-grid coordinates. */
type SceneObject =
  | { kind: "star"; x: number; y: number; flux: number }
  | { kind: "galaxy"; x: number; y: number; flux: number; n: number; re: number; e: number; pa: number };

function renderScene(objects: SceneObject[], size: number, psf: Psf, dx: number, dy: number, scale: number): Float32Array {
  const img = new Float32Array(size * size);
  for (const o of objects) {
    if (o.kind === "star") addPointSource(img, size, size, psf, o.x + dx, o.y + dy, o.flux * scale);
    else {
      const st = renderGalaxyStamp({ xPix: o.x + dx, yPix: o.y + dy, fluxCounts: o.flux * scale, sersicN: o.n, reffPix: o.re, ellipticity: o.e, positionAngleDeg: o.pa }, psf);
      addStamp(img, size, size, st.pixels, st.sidePix, st.sidePix, st.x0Pix, st.y0Pix);
    }
  }
  return img;
}

/**
 * One science/reference/difference triplet of the given kind ("transient" = real). Random draws
 * come from `options.rng` (or a fresh `Rng(options.seed)`).
 */
export function simulateTransientStamp(kind: CandidateKind, options: TransientOptions = {}): TransientStamp {
  const rng = options.rng ?? new Rng(options.seed ?? 42);
  const S = options.stampSize ?? 31;
  if (S % 2 !== 1 || S < 9) throw new Error(`stampSize must be odd and >= 9, got ${S}`);
  const c = (S - 1) / 2;
  const gain = options.gainEPerCount ?? 1;
  const rn = options.readNoiseE ?? 6;
  const nRef = options.referenceFrames ?? 10;
  const zp = options.zeroPointMag ?? 27;
  const sat = options.saturationCounts ?? 30000;
  const psfKind = options.psfKind ?? "gaussian";
  const beta = options.moffatBeta ?? KOLMOGOROV_MOFFAT_BETA;
  const makePsf = (fwhmPix: number): Psf => (psfKind === "gaussian" ? { kind: "gaussian", fwhmPix } : { kind: "moffat", fwhmPix, beta });

  // Observing conditions.
  const [sf0, sf1] = options.sciFwhmRangePix ?? [2.2, 4];
  const [rf0, rf1] = options.refFwhmRangePix ?? [1.5, 2.5];
  const sciFwhm = rng.uniform(sf0, sf1);
  const refFwhm = min(rng.uniform(rf0, rf1), max(sciFwhm - 0.3, 1));
  const sciPsf = makePsf(sciFwhm);
  const refPsf = makePsf(refFwhm);
  const [ss0, ss1] = options.sciSkyRangeCountsPerPix ?? [100, 400];
  const [rs0, rs1] = options.refSkyRangeCountsPerPix ?? [100, 400];
  const skyS = rng.uniform(ss0, ss1);
  const skyR = rng.uniform(rs0, rs1);

  // Subtraction errors: every stamp has small ones; the residual bogus kinds have large ones.
  const regErr = options.registrationErrorPix ?? 0.05;
  let shiftX = rng.normal(0, regErr);
  let shiftY = rng.normal(0, regErr);
  let kernelErr = rng.normal(0, options.kernelFwhmError ?? 0.02);
  let scaleErr = rng.normal(0, options.photometricScaleError ?? 0.003);
  if (kind === "dipole") {
    const r = rng.uniform(0.3, 1.2);
    const a = rng.uniform(0, 2 * PI);
    shiftX = r * cos(a);
    shiftY = r * sin(a);
  } else if (kind === "psf-mismatch") {
    kernelErr = (rng.random() < 0.5 ? -1 : 1) * rng.uniform(0.15, 0.35);
    scaleErr = rng.uniform(-0.05, 0.05);
  }
  // The pipeline's idea of the science seeing is off by kernelErr; the kernel follows from it.
  const sigS = gaussianSigmaPix(sciFwhm * (1 + kernelErr));
  const sigR = gaussianSigmaPix(refFwhm);
  const sigK = sqrt(max(sigS * sigS - sigR * sigR, 0));
  const kernel = gaussianKernel1d(sigK);
  const kr = (kernel.length - 1) / 2;
  let k2 = 0;
  for (const v of kernel) k2 += v * v;
  k2 *= k2; // Σ of the squared 2-D separable kernel

  // The reference is simulated on a grid padded by the kernel radius so the convolution has data.
  const pad = kr + 2;
  const P = S + 2 * pad;
  const scene: SceneObject[] = [];
  const nField = rng.poisson(options.fieldStarsPerStamp ?? 1.5);
  const [fm0, fm1] = options.fieldStarMagRange ?? [16, 22];
  for (let k = 0; k < nField; k++) {
    scene.push({ kind: "star", x: rng.uniform(0, P - 1), y: rng.uniform(0, P - 1), flux: magToCounts(rng.uniform(fm0, fm1), zp) });
  }
  // Candidate position (stamps are centred on the detection, to within a pixel).
  const candX = c + rng.uniform(-0.5, 0.5);
  const candY = c + rng.uniform(-0.5, 0.5);
  let hasGalaxy = false;
  let galaxyOffset = NaN;
  if (rng.random() < (options.hostFraction ?? 0.5)) {
    const [re0, re1] = options.hostReffRangePix ?? [1, 4];
    const re = rng.uniform(re0, re1);
    const off = rng.uniform(0, 1.5) * re;
    const a = rng.uniform(0, 2 * PI);
    const [hm0, hm1] = options.hostMagRange ?? [18, 22];
    scene.push({ kind: "galaxy", x: candX + pad - off * cos(a), y: candY + pad - off * sin(a), flux: magToCounts(rng.uniform(hm0, hm1), zp), n: rng.uniform(0.5, 4), re, e: rng.uniform(0, 0.6), pa: rng.uniform(0, 180) });
    hasGalaxy = true;
    galaxyOffset = off;
  }

  // The candidate object itself.
  let flux = 0;
  let objX = candX;
  let objY = candY;
  const sciExtra: Array<(img: Float32Array) => void> = []; // science-only point sources, in stamp coordinates
  const nScience = S * S;
  const sciDark = new Float32Array(nScience); // hot pixels and hot columns, counts
  const sciDeposit = new Float32Array(nScience); // cosmic-ray charge, e⁻
  const sciMask = new Uint8Array(nScience);
  let deadColumn: { x: number; y0: number; y1: number; factor: number } | null = null;
  let edge: { axis: 0 | 1; side: -1 | 1; at: number } | null = null;
  if (kind === "transient") {
    const [tm0, tm1] = options.transientMagRange ?? [17.5, 21.5];
    flux = magToCounts(rng.uniform(tm0, tm1), zp);
    sciExtra.push((img) => addPointSource(img, S, S, sciPsf, candX, candY, flux));
  } else if (kind === "dipole" || kind === "psf-mismatch") {
    const [bm0, bm1] = options.brightStarMagRange ?? [14, 18];
    flux = magToCounts(rng.uniform(bm0, bm1), zp);
    scene.push({ kind: "star", x: candX + pad, y: candY + pad, flux });
  } else if (kind === "saturated-star") {
    flux = magToCounts(rng.uniform(10.5, 13), zp);
    objX = c + rng.uniform(-3, 3);
    objY = c + rng.uniform(-3, 3);
    scene.push({ kind: "star", x: objX + pad, y: objY + pad, flux });
  } else if (kind === "cosmic-ray") {
    const ray = drawCosmicRay(rng, candX, candY);
    flux = depositCosmicRay(sciDeposit, S, S, ray, {}, sciMask) / gain;
  } else if (kind === "hot-pixel") {
    objX = round(candX);
    objY = round(candY);
    flux = exp(rng.uniform(log(300), log(30000)));
    sciDark[objY * S + objX] += flux;
    sciMask[objY * S + objX] |= MASK.hotPixel;
  } else if (kind === "bad-column") {
    const x = round(candX);
    objX = x;
    // A segment from a random row through the candidate to one edge (charge traps block the rest).
    const y0 = rng.random() < 0.5 ? 0 : rng.integer(0, c);
    const y1 = rng.random() < 0.5 ? S - 1 : rng.integer(c + 1, S);
    if (rng.random() < 0.7) {
      const level = rng.uniform(5, 50) * backgroundSigmaCounts(skyS, rn, gain);
      for (let y = y0; y <= y1; y++) { sciDark[y * S + x] += level; sciMask[y * S + x] |= MASK.badColumn; }
      flux = level * (y1 - y0 + 1);
    } else {
      deadColumn = { x, y0, y1, factor: rng.uniform(0, 0.3) };
      flux = 0;
    }
  } else if (kind === "edge") {
    edge = { axis: rng.random() < 0.5 ? 0 : 1, side: rng.random() < 0.5 ? -1 : 1, at: rng.uniform(2, c - 2) };
    // Half the time a faint star sits at the centre: something for the edge step to hide or mimic.
    if (rng.random() < 0.5) {
      flux = magToCounts(rng.uniform(19, 21.5), zp);
      scene.push({ kind: "star", x: candX + pad, y: candY + pad, flux });
    }
  }
  if (rng.random() < (options.strayCosmicRayRate ?? 0.05)) {
    // Keep strays at least 6 pixels from the centre so they do not become the candidate.
    let x: number, y: number;
    do { x = rng.uniform(0, S - 1); y = rng.uniform(0, S - 1); } while ((x - c) ** 2 + (y - c) ** 2 < 36);
    depositCosmicRay(sciDeposit, S, S, drawCosmicRay(rng, x, y), {}, sciMask);
  }

  // Noiseless science (stamp grid) and reference (padded grid, shifted and rescaled).
  const sciScene = cropImage(renderScene(scene, P, sciPsf, 0, 0, 1), P, P, pad, pad, S, S);
  for (const f of sciExtra) f(sciScene);
  const refScene = renderScene(scene, P, refPsf, shiftX, shiftY, 1 + scaleErr);
  const sciExpected = new Float32Array(nScience);
  for (let p = 0; p < nScience; p++) sciExpected[p] = skyS + sciScene[p] + sciDark[p];
  if (deadColumn) {
    for (let y = deadColumn.y0; y <= deadColumn.y1; y++) {
      sciExpected[y * S + deadColumn.x] *= deadColumn.factor;
      sciMask[y * S + deadColumn.x] |= MASK.badColumn;
    }
  }
  const refExpected = new Float32Array(P * P);
  for (let p = 0; p < P * P; p++) refExpected[p] = skyR + refScene[p];

  // Read out: the reference as the mean of nRef exposures (gain × nRef, read noise × √nRef in the
  // equivalent single read-out gives variance (λ/g + σ_r²/g²) / nRef).
  const sci = readOut(sciExpected, S, S, rng, { gainEPerCount: gain, readNoiseE: rn, saturationCounts: sat }, sciDeposit, sciMask).image;
  const refPadded = readOut(refExpected, P, P, rng, { gainEPerCount: gain * nRef, readNoiseE: rn * sqrt(nRef), saturationCounts: sat }).image;
  if (edge) {
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
      const d = (edge.axis === 0 ? x : y) - c;
      if (d * edge.side > edge.at) { sci[y * S + x] = 0; sciExpected[y * S + x] = 0; sciMask[y * S + x] |= MASK.edge; }
    }
  }

  const subtract = (sciImg: Float32Array, refImg: Float32Array): Float32Array => {
    const bg = new Float32Array(P * P);
    for (let p = 0; p < P * P; p++) bg[p] = refImg[p] - skyR;
    const matched = cropImage(convolveSeparable(bg, P, P, kernel), P, P, pad, pad, S, S);
    const d = new Float32Array(nScience);
    for (let p = 0; p < nScience; p++) d[p] = sciImg[p] - skyS - matched[p];
    return d;
  };
  const difference = subtract(sci, refPadded);
  const reference = cropImage(refPadded, P, P, pad, pad, S, S);

  const sigSci = backgroundSigmaCounts(skyS, rn, gain);
  const sigRef = backgroundSigmaCounts(skyR, rn * sqrt(nRef), gain * nRef);
  const diffVar = sigSci * sigSci + sigRef * sigRef * k2;
  const truth: TransientTruth = {
    label: kind === "transient" ? 1 : 0,
    kind,
    xPix: objX,
    yPix: objY,
    fluxCounts: flux,
    mag: countsToMag(flux, zp),
    snr: flux > 0 ? snrForProfile(flux, cachedPsfStamp(sciPsf), diffVar, gain) : 0,
    sciFwhmPix: sciFwhm,
    refFwhmPix: refFwhm,
    kernelFwhmPix: sigK * 2 * sqrt(2 * log(2)),
    shiftPix: [shiftX, shiftY],
    sciSkyCountsPerPix: skyS,
    refSkyCountsPerPix: skyR,
    sciSigmaCounts: sigSci,
    refSigmaCounts: sigRef,
    diffSigmaCounts: sqrt(diffVar),
    hasGalaxy,
    galaxyOffsetPix: galaxyOffset,
  };
  const out: TransientStamp = { sizePix: S, science: sci, reference, difference, truth };
  if (options.includeNoiseless) {
    const sciN = new Float32Array(nScience);
    for (let p = 0; p < nScience; p++) sciN[p] = sciExpected[p] + sciDeposit[p] / gain;
    out.noiseless = { science: sciN, reference: cropImage(refExpected, P, P, pad, pad, S, S), difference: subtract(sciN, refExpected) };
  }
  return out;
}

/** How to scale the triplets for a network. */
export type StampNormalisation = "none" | "l2" | "sigma";

/** Options for `simulateTransientBatch`. */
export interface TransientBatchOptions extends TransientOptions {
  /** Fraction of real candidates (default 0.5); the count is exactly round(n × realFraction), in random order. */
  realFraction?: number;
  /**
   * "none" (default): counts. "l2": each channel of each stamp divided by its L2 norm, as braai does
   * (Duev et al. 2019). "sigma": science and reference become (counts − sky)/σ, the difference D/σ_D.
   */
  normalise?: StampNormalisation;
}

/** A batch of triplets, ready for tfjs. */
export interface TransientBatch {
  n: number;
  sizePix: number;
  channels: 3;
  /** [n, size, size, 3]: science, reference, difference. */
  x: Float32Array;
  /** [n] 1 real, 0 bogus. */
  labels: Float32Array;
  truths: TransientTruth[];
  /** [n, size, size, 3] noiseless channels in counts, if `includeNoiseless`. */
  noiseless: Float32Array | null;
  /** The stamps as a [n, size, size, 3] tensor (dispose it when done). */
  xTensor(): tf.Tensor4D;
  /** The labels as a [n, 1] tensor. */
  yTensor(): tf.Tensor2D;
}

/** `n` triplets with the requested real fraction. */
export function simulateTransientBatch(n: number, options: TransientBatchOptions = {}): TransientBatch {
  const rng = options.rng ?? new Rng(options.seed ?? 42);
  const S = options.stampSize ?? 31;
  const frac = options.realFraction ?? 0.5;
  if (!(frac >= 0 && frac <= 1)) throw new Error(`realFraction must be in [0, 1], got ${frac}`);
  const nReal = round(n * frac);
  const order = rng.permutation(n);
  const isReal = new Uint8Array(n);
  for (let i = 0; i < nReal; i++) isReal[order[i]] = 1;
  const per = S * S * 3;
  const x = new Float32Array(n * per);
  const labels = new Float32Array(n);
  const noiseless = options.includeNoiseless ? new Float32Array(n * per) : null;
  const truths: TransientTruth[] = [];
  const norm = options.normalise ?? "none";
  for (let i = 0; i < n; i++) {
    const sub = rng.fork();
    const kind: CandidateKind = isReal[i] ? "transient" : pickBogus(sub, options.bogusMix);
    const st = simulateTransientStamp(kind, { ...options, rng: sub });
    const chans = [st.science, st.reference, st.difference].map((ch, k) => normaliseChannel(ch, k, st.truth, norm));
    x.set(stackChannels(chans), i * per);
    if (noiseless && st.noiseless) noiseless.set(stackChannels([st.noiseless.science, st.noiseless.reference, st.noiseless.difference]), i * per);
    labels[i] = st.truth.label;
    truths.push(st.truth);
  }
  return {
    n, sizePix: S, channels: 3, x, labels, truths, noiseless,
    xTensor: () => tf.tensor4d(x, [n, S, S, 3]),
    yTensor: () => tf.tensor2d(labels, [n, 1]),
  };
}

function normaliseChannel(ch: Float32Array, k: number, t: TransientTruth, how: StampNormalisation): Float32Array {
  if (how === "none") return ch;
  const out = new Float32Array(ch.length);
  if (how === "l2") {
    let s = 0;
    for (let p = 0; p < ch.length; p++) s += ch[p] * ch[p];
    const inv = s > 0 ? 1 / sqrt(s) : 0;
    for (let p = 0; p < ch.length; p++) out[p] = ch[p] * inv;
    return out;
  }
  const sky = k === 0 ? t.sciSkyCountsPerPix : k === 1 ? t.refSkyCountsPerPix : 0;
  const sig = k === 0 ? t.sciSigmaCounts : k === 1 ? t.refSigmaCounts : t.diffSigmaCounts;
  for (let p = 0; p < ch.length; p++) out[p] = (ch[p] - sky) / sig;
  return out;
}
