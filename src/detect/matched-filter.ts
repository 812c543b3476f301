/**
 * The classical point-source detector: filter the sky-subtracted image with its PSF, scaled so the
 * result is a signal-to-noise map with unit noise, and keep the peaks above k σ (Irwin 1985, MNRAS
 * 214, 575; SExtractor, Bertin & Arnouts 1996). For isolated point sources on white background
 * noise it is the optimal linear detector; it knows nothing about cosmic rays or hot pixels, which
 * are bright and compact enough to pass any threshold.
 */
import * as tf from "@tensorflow/tfjs";
import { filterImages, psfMatchedKernel } from "../cnn/kernels";
import { Psf } from "../sim/psf";
import { expectedSnr, magToCounts } from "../sim/sky";
import { Detection, findPeaksBatch, PeakOptions } from "./peaks";

/**
 * S/N maps of a [n, h, w, 1] batch of images in background-σ units (sky subtracted, e.g.
 * `simulateSkyBatch(..., { output: "snr" })`): correlation with p / √Σp². At a point source's
 * position the expected value is its optimal S/N (sky-limited); in empty sky it is N(0, 1).
 */
export function matchedFilterSnr(imagesSigma: tf.Tensor4D, psf: Psf): tf.Tensor4D {
  return filterImages(imagesSigma, psfMatchedKernel(psf));
}

/** Options for `matchedFilterDetect`. */
export interface MatchedFilterOptions extends Omit<PeakOptions, "image" | "threshold"> {
  /** Detection threshold, σ (default 5). */
  kSigma?: number;
}

/** Peaks of the S/N map above k σ in every image of a batch (one detection list per image; score = S/N). */
export function matchedFilterDetect(imagesSigma: tf.Tensor4D, psf: Psf, options: MatchedFilterOptions = {}): Detection[][] {
  const [n, h, w] = imagesSigma.shape;
  const snr = matchedFilterSnr(imagesSigma, psf);
  const values = snr.dataSync();
  snr.dispose();
  return findPeaksBatch(values, n, h, w, { minSeparationPix: options.minSeparationPix ?? psf.fwhmPix, borderPix: options.borderPix, threshold: options.kSigma ?? 5 });
}

/** Observing conditions needed to turn an S/N into a magnitude. */
export interface SnrConditions {
  psf: Psf;
  skyCountsPerPix: number;
  readNoiseE: number;
  zeroPointMag: number;
  gainEPerCount?: number;
}

/**
 * The magnitude of a point source whose expected optimal S/N (`expectedSnr`, CCD equation) equals
 * `snr`: where a k σ detector should reach 50 % completeness for k = snr. Found by bisection.
 */
export function magnitudeAtSnr(snr: number, c: SnrConditions): number {
  let bright = c.zeroPointMag - 40;
  let faint = c.zeroPointMag + 10;
  const f = (m: number) => expectedSnr(magToCounts(m, c.zeroPointMag), c.psf, c.skyCountsPerPix, c.readNoiseE, { gainEPerCount: c.gainEPerCount }) - snr;
  for (let k = 0; k < 80; k++) {
    const mid = (bright + faint) / 2;
    if (f(mid) > 0) bright = mid; else faint = mid;
  }
  return (bright + faint) / 2;
}
