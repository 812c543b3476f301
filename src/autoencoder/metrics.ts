/**
 * Image-quality measures for denoisers, and the classical baseline they must beat.
 *
 * PSNR (peak signal-to-noise ratio), per image, in decibels:
 *
 *   PSNR = 10 log10( R² / MSE ),  MSE = mean over pixels of (estimate − truth)²,
 *
 * with R the dynamic range of the true image (max − min). It is a log-scaled mean squared error:
 * +3 dB halves the MSE, +10 dB divides it by 10. Because R is the true galaxy's own peak, a faint
 * galaxy cannot score well just because its pixels are all small.
 *
 * SSIM (structural similarity; Wang, Bovik, Sheikh & Simoncelli 2004, IEEE TIP 13, 600) compares
 * local means, variances and covariance in a Gaussian window (σ = 1.5 pixels, 11 × 11) and averages
 * the map over the image: 1 for a perfect copy, ~0 for unrelated images. It rewards getting the
 * structure right rather than the pixel values, and is the usual second opinion next to PSNR.
 *
 * Baseline: convolution with a Gaussian of width σ, the matched-filter-like smoothing astronomers
 * apply by eye (ds9's "smooth"). It trades noise for resolution with one knob; `bestBlurSigma`
 * picks the knob on training data so the comparison with a network is fair.
 */
import * as tf from "@tensorflow/tfjs";

function check4d(name: string, ...ts: tf.Tensor[]): void {
  for (const t of ts) if (t.rank !== 4 || t.shape[3] !== 1) throw new Error(`${name}: expected [n, h, w, 1] images, got shape [${t.shape}]`);
  if (ts.length === 2 && ts[0].shape.join() !== ts[1].shape.join()) throw new Error(`${name}: shapes differ: [${ts[0].shape}] vs [${ts[1].shape}]`);
}

/** Per-image PSNR in dB of `estimate` against `truth` (both [n, h, w, 1]), with R = max − min of each true image. */
export function psnr(truth: tf.Tensor4D, estimate: tf.Tensor4D): Float32Array {
  check4d("psnr", truth, estimate);
  return tf.tidy(() => {
    const range = truth.max([1, 2, 3]).sub(truth.min([1, 2, 3]));
    const mse = estimate.sub(truth).square().mean([1, 2, 3]);
    return range.square().div(mse).log().mul(10 / Math.LN10);
  }).dataSync() as Float32Array;
}

/** Normalised 1-D Gaussian of width `sigmaPix` on 2⌈3σ⌉ + 1 taps (or an explicit `radiusPix`). */
export function gaussianKernel1d(sigmaPix: number, radiusPix = Math.ceil(3 * sigmaPix)): Float32Array {
  if (!(sigmaPix > 0)) throw new Error(`gaussianKernel1d: sigma must be > 0, got ${sigmaPix}`);
  const k = new Float32Array(2 * radiusPix + 1);
  let s = 0;
  for (let i = -radiusPix; i <= radiusPix; i++) { k[i + radiusPix] = Math.exp((-0.5 * i * i) / (sigmaPix * sigmaPix)); s += k[i + radiusPix]; }
  for (let i = 0; i < k.length; i++) k[i] /= s;
  return k;
}

function separable(images: tf.Tensor4D, k: Float32Array, padding: "same" | "valid"): tf.Tensor4D {
  const n = k.length;
  return tf.tidy(() => {
    const rows = tf.conv2d(images, tf.tensor4d(k, [n, 1, 1, 1]), 1, padding);
    return tf.conv2d(rows, tf.tensor4d(k, [1, n, 1, 1]), 1, padding);
  });
}

/**
 * Gaussian smoothing of [n, h, w, 1] images (separable convolution). Pixels beyond the edge count as
 * zero, which is the sky level for images in noise units (`simulateGalaxyCutouts`). σ = 0 returns a copy.
 */
export function gaussianBlur(images: tf.Tensor4D, sigmaPix: number): tf.Tensor4D {
  check4d("gaussianBlur", images);
  if (sigmaPix === 0) return images.clone();
  return separable(images, gaussianKernel1d(sigmaPix), "same");
}

/** One row of `bestBlurSigma`'s scan. */
export interface BlurScore {
  sigmaPix: number;
  meanPsnrDb: number;
}

/**
 * The Gaussian width (from `sigmasPix`) with the highest mean PSNR on a set of noisy/clean pairs,
 * and the whole scan. Run it on training data; report on held-out data.
 */
export function bestBlurSigma(noisy: tf.Tensor4D, clean: tf.Tensor4D, sigmasPix: readonly number[]): { sigmaPix: number; scan: BlurScore[] } {
  check4d("bestBlurSigma", noisy, clean);
  if (sigmasPix.length === 0) throw new Error("bestBlurSigma: no widths to try");
  const scan = sigmasPix.map((sigmaPix) => {
    const blurred = gaussianBlur(noisy, sigmaPix);
    const p = psnr(clean, blurred);
    blurred.dispose();
    return { sigmaPix, meanPsnrDb: meanOf(p) };
  });
  const best = scan.reduce((a, b) => (b.meanPsnrDb > a.meanPsnrDb ? b : a));
  return { sigmaPix: best.sigmaPix, scan };
}

/**
 * Per-image mean SSIM (Wang et al. 2004) of `estimate` against `truth`, Gaussian window σ = 1.5
 * pixels on 11 × 11 taps, constants C1 = (0.01 R)², C2 = (0.03 R)² with R the true image's range;
 * the map is averaged over the positions where the window fits inside the image.
 */
export function ssim(truth: tf.Tensor4D, estimate: tf.Tensor4D, windowSigmaPix = 1.5, windowRadiusPix = 5): Float32Array {
  check4d("ssim", truth, estimate);
  const [, h, w] = truth.shape;
  if (h < 2 * windowRadiusPix + 1 || w < 2 * windowRadiusPix + 1) throw new Error(`ssim: images ${h}×${w} are smaller than the ${2 * windowRadiusPix + 1}-pixel window`);
  const k = gaussianKernel1d(windowSigmaPix, windowRadiusPix);
  return tf.tidy(() => {
    const range = truth.max([1, 2, 3], true).sub(truth.min([1, 2, 3], true));
    const c1 = range.mul(0.01).square();
    const c2 = range.mul(0.03).square();
    const win = (t: tf.Tensor4D) => separable(t, k, "valid");
    const mx = win(truth);
    const my = win(estimate);
    const sxx = win(truth.square()).sub(mx.square());
    const syy = win(estimate.square()).sub(my.square());
    const sxy = win(truth.mul(estimate) as tf.Tensor4D).sub(mx.mul(my));
    const num = mx.mul(my).mul(2).add(c1).mul(sxy.mul(2).add(c2));
    const den = mx.square().add(my.square()).add(c1).mul(sxx.add(syy).add(c2));
    return num.div(den).mean([1, 2, 3]);
  }).dataSync() as Float32Array;
}

/** Arithmetic mean of an array. */
export function meanOf(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}
