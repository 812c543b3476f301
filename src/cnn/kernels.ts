/**
 * Small convolution kernels to apply by hand before letting a network learn its own: smoothing
 * (box, Gaussian), derivatives (Sobel, Laplacian) and the PSF-matched filter.
 *
 * Conventions. A kernel is a square, odd-sided array of weights in row-major order (row 0 at the
 * top, like images in `src/sim/`). `tf.conv2d` computes a cross-correlation, out(x, y) =
 * Σ k(i, j) in(x + i − r, y + j − r), which equals a convolution for the symmetric kernels here
 * and is what a CNN layer computes anyway. `kernelTensor` gives the [k, k, 1, 1] filter shape
 * (height, width, input channels, output channels) that `tf.conv2d` wants.
 *
 * Why the matched filter is special. For a point source of flux F and (normalised) PSF p on white
 * noise of σ per pixel, Σ p_i d_i has mean F Σ p² and standard deviation σ √Σp², so correlating with
 * p / √Σp² and dividing by σ gives a map whose value at the source is its optimal signal-to-noise
 * ratio, F √Σp² / σ, and whose noise is exactly 1 everywhere: thresholding it at k is a k-σ
 * detection (Irwin 1985, MNRAS 214, 575; Bertin & Arnouts 1996, A&AS 117, 393, for SExtractor's
 * filtering step). No other linear filter gives a higher S/N for an isolated point source.
 */
import * as tf from "@tensorflow/tfjs";
import { Psf, renderPsf } from "../sim/psf";

/** A square kernel of odd side. */
export interface Kernel2d {
  /** Short name for plot captions. */
  name: string;
  sizePix: number;
  /** Row-major weights, sizePix × sizePix. */
  values: Float32Array;
}

function checkSize(sizePix: number): void {
  if (!(Number.isInteger(sizePix) && sizePix >= 1 && sizePix % 2 === 1)) throw new Error(`kernel size must be an odd positive integer, got ${sizePix}`);
}

/** The mean of the size × size neighbourhood (weights 1/size²): the crudest smoothing. */
export function boxKernel(sizePix = 3): Kernel2d {
  checkSize(sizePix);
  return { name: `box ${sizePix}×${sizePix}`, sizePix, values: new Float32Array(sizePix * sizePix).fill(1 / (sizePix * sizePix)) };
}

/** A circular Gaussian sampled at pixel centres and normalised to sum 1 (default size 2⌈3σ⌉ + 1). */
export function gaussianKernel(sigmaPix: number, sizePix?: number): Kernel2d {
  if (!(sigmaPix > 0)) throw new Error(`gaussianKernel: sigma must be positive, got ${sigmaPix}`);
  const n = sizePix ?? 2 * Math.ceil(3 * sigmaPix) + 1;
  checkSize(n);
  const r = (n - 1) / 2;
  const v = new Float32Array(n * n);
  let s = 0;
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
    const w = Math.exp(-((x - r) ** 2 + (y - r) ** 2) / (2 * sigmaPix * sigmaPix));
    v[y * n + x] = w;
    s += w;
  }
  for (let i = 0; i < v.length; i++) v[i] /= s;
  return { name: `Gaussian σ=${sigmaPix}`, sizePix: n, values: v };
}

/**
 * The discrete Laplacian ∇² (4-neighbour stencil, sign flipped so a sharp peak gives a positive
 * response): zero on any linear gradient, large on features narrower than a couple of pixels. The
 * basis of cosmic-ray finding by Laplacian edge detection (van Dokkum 2001, PASP 113, 1420).
 */
export function laplacianKernel(): Kernel2d {
  return { name: "Laplacian", sizePix: 3, values: Float32Array.from([0, -1, 0, -1, 4, -1, 0, -1, 0]) };
}

/** The Sobel derivative along x (columns) or y (rows): smooths across, differentiates along. */
export function sobelKernel(axis: "x" | "y"): Kernel2d {
  const x = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
  const y = [-1, -2, -1, 0, 0, 0, 1, 2, 1];
  return { name: `Sobel ${axis}`, sizePix: 3, values: Float32Array.from(axis === "x" ? x : y) };
}

/**
 * The PSF-matched filter p / √Σp² (p: the pixel-integrated PSF, sum 1). Applied to an image in units
 * of the background σ (sky subtracted), it returns a map of signal-to-noise ratio with unit noise.
 */
export function psfMatchedKernel(psf: Psf, sizePix?: number): Kernel2d {
  const p = renderPsf(psf, { sizePix, wingFraction: 1e-3 });
  const n = Math.round(Math.sqrt(p.length));
  let s2 = 0;
  for (let i = 0; i < p.length; i++) s2 += p[i] * p[i];
  const inv = 1 / Math.sqrt(s2);
  return { name: `PSF-matched (FWHM ${psf.fwhmPix} px)`, sizePix: n, values: p.map((v) => v * inv) };
}

/** The kernel as a [size, size, 1, 1] filter for `tf.conv2d`. */
export function kernelTensor(kernel: Kernel2d): tf.Tensor4D {
  return tf.tensor4d(kernel.values, [kernel.sizePix, kernel.sizePix, 1, 1]);
}

/**
 * Every image of a [n, h, w, 1] batch filtered with the kernel ("same" size, zero padding: right
 * for sky-subtracted images, whose background is 0).
 */
export function filterImages(images: tf.Tensor4D, kernel: Kernel2d): tf.Tensor4D {
  return tf.tidy(() => tf.conv2d(images, kernelTensor(kernel), 1, "same"));
}
