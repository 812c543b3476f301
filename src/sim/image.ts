/**
 * Small image utilities shared by the sky, PSF, galaxy and transient simulators.
 *
 * Conventions used everywhere in `src/sim/`:
 * - an image is a `Float32Array` in row-major order, length height × width; pixel (x, y) (x = column,
 *   y = row) is element `y * width + x`;
 * - pixel (x, y) is centred on the coordinates (x, y) and covers [x − ½, x + ½] × [y − ½, y + ½], so
 *   the centre of an odd stamp of side n is ((n − 1)/2, (n − 1)/2) (the photutils/numpy convention;
 *   SExtractor and FITS WCS count from 1 instead);
 * - a batch of multi-channel images is laid out as tfjs wants it, [n, height, width, channels] with
 *   the channel index varying fastest.
 */
import * as tf from "@tensorflow/tfjs";

/** A batch of images in [n, height, width, channels] order (channel index fastest). */
export interface ImageBatchShape {
  n: number;
  heightPix: number;
  widthPix: number;
  channels: number;
}

/** Which image of a batch (and which channel) to take out. */
export interface ImageSelection {
  /** Image index in the batch (default 0). */
  index?: number;
  /** Channel to take (default 0). */
  channel?: number;
  /** Channels per pixel in `values` (default 1). */
  channels?: number;
}

/**
 * One image as nested rows [height][width] of plain numbers, for `heatmapChart` / `imageGrid`.
 * `values` may be a whole batch [n, h, w, c]; `selection` picks the image and channel.
 */
export function imageToRows(values: ArrayLike<number>, heightPix: number, widthPix: number, selection: ImageSelection = {}): number[][] {
  const c = selection.channels ?? 1;
  const k = selection.channel ?? 0;
  const i = selection.index ?? 0;
  if (k < 0 || k >= c) throw new Error(`imageToRows: channel ${k} is outside 0..${c - 1}`);
  const base = i * heightPix * widthPix * c;
  if (base + heightPix * widthPix * c > values.length) {
    throw new Error(`imageToRows: image ${i} of ${heightPix}×${widthPix}×${c} needs ${base + heightPix * widthPix * c} values, only ${values.length} given`);
  }
  const rows: number[][] = [];
  for (let y = 0; y < heightPix; y++) {
    const row = new Array<number>(widthPix);
    for (let x = 0; x < widthPix; x++) row[x] = values[base + (y * widthPix + x) * c + k];
    rows.push(row);
  }
  return rows;
}

/** A [n, height, width, channels] float32 tensor from a flat batch (the layout of every simulator here). */
export function imagesToTensor(values: Float32Array, shape: ImageBatchShape): tf.Tensor4D {
  const { n, heightPix, widthPix, channels } = shape;
  if (values.length !== n * heightPix * widthPix * channels) {
    throw new Error(`imagesToTensor: ${values.length} values do not fill [${n}, ${heightPix}, ${widthPix}, ${channels}]`);
  }
  return tf.tensor4d(values, [n, heightPix, widthPix, channels]);
}

/** Interleaves single-channel images of equal size into one [height, width, channels] image. */
export function stackChannels(channels: readonly Float32Array[]): Float32Array {
  const c = channels.length;
  if (c === 0) throw new Error("stackChannels: no channels given");
  const npix = channels[0].length;
  for (const ch of channels) if (ch.length !== npix) throw new Error("stackChannels: channels differ in size");
  const out = new Float32Array(npix * c);
  for (let k = 0; k < c; k++) {
    const ch = channels[k];
    for (let p = 0; p < npix; p++) out[p * c + k] = ch[p];
  }
  return out;
}

/** Sum of all pixels (float64 accumulation, so totals of large images stay exact to ~1e-12). */
export function imageSum(values: ArrayLike<number>): number {
  let s = 0;
  for (let p = 0; p < values.length; p++) s += values[p];
  return s;
}

/**
 * 2-D convolution of an image with a centred kernel of odd size, same-size output, zero outside the
 * image. Direct summation: O(npix × nkernel), fine for stamps and kernels of a few tens of pixels.
 */
export function convolve2d(image: Float32Array, widthPix: number, heightPix: number, kernel: ArrayLike<number>, kernelSizePix: number): Float32Array {
  if (kernelSizePix % 2 !== 1 || kernel.length !== kernelSizePix * kernelSizePix) {
    throw new Error(`convolve2d: kernel must be square with odd side, got ${kernel.length} values for side ${kernelSizePix}`);
  }
  const out = new Float32Array(widthPix * heightPix);
  const r = (kernelSizePix - 1) / 2;
  // Scatter each input pixel into the output: skips the many zero pixels of a source stamp.
  for (let y = 0; y < heightPix; y++) {
    for (let x = 0; x < widthPix; x++) {
      const v = image[y * widthPix + x];
      if (v === 0) continue;
      const ky0 = Math.max(0, r - y);
      const ky1 = Math.min(kernelSizePix - 1, heightPix - 1 - y + r);
      const kx0 = Math.max(0, r - x);
      const kx1 = Math.min(kernelSizePix - 1, widthPix - 1 - x + r);
      for (let ky = ky0; ky <= ky1; ky++) {
        const orow = (y + ky - r) * widthPix + (x - r);
        const krow = ky * kernelSizePix;
        for (let kx = kx0; kx <= kx1; kx++) out[orow + kx] += v * kernel[krow + kx];
      }
    }
  }
  return out;
}

/**
 * Convolution with a separable kernel k(x) k(y) (a circular Gaussian): two 1-D passes, O(npix × 2n)
 * instead of O(npix × n²). Same-size output, zero outside the image.
 */
export function convolveSeparable(image: Float32Array, widthPix: number, heightPix: number, kernel1d: ArrayLike<number>): Float32Array {
  const n = kernel1d.length;
  if (n % 2 !== 1) throw new Error(`convolveSeparable: kernel length must be odd, got ${n}`);
  const r = (n - 1) / 2;
  const tmp = new Float32Array(widthPix * heightPix);
  for (let y = 0; y < heightPix; y++) {
    const row = y * widthPix;
    for (let x = 0; x < widthPix; x++) {
      const v = image[row + x];
      if (v === 0) continue;
      const k0 = Math.max(0, r - x);
      const k1 = Math.min(n - 1, widthPix - 1 - x + r);
      for (let k = k0; k <= k1; k++) tmp[row + x + k - r] += v * kernel1d[k];
    }
  }
  const out = new Float32Array(widthPix * heightPix);
  for (let y = 0; y < heightPix; y++) {
    const k0 = Math.max(0, r - y);
    const k1 = Math.min(n - 1, heightPix - 1 - y + r);
    for (let k = k0; k <= k1; k++) {
      const w = kernel1d[k];
      const src = y * widthPix;
      const dst = (y + k - r) * widthPix;
      for (let x = 0; x < widthPix; x++) out[dst + x] += w * tmp[src + x];
    }
  }
  return out;
}

/** Copies `src` (srcWidth × srcHeight) into `dst` with its pixel (0, 0) at (x0, y0) of `dst`, adding and clipping at the edges. */
export function addStamp(dst: Float32Array, dstWidth: number, dstHeight: number, src: ArrayLike<number>, srcWidth: number, srcHeight: number, x0: number, y0: number, scale = 1): number {
  let added = 0;
  for (let sy = 0; sy < srcHeight; sy++) {
    const y = y0 + sy;
    if (y < 0 || y >= dstHeight) continue;
    for (let sx = 0; sx < srcWidth; sx++) {
      const x = x0 + sx;
      if (x < 0 || x >= dstWidth) continue;
      const v = scale * src[sy * srcWidth + sx];
      dst[y * dstWidth + x] += v;
      added += v;
    }
  }
  return added;
}

/** The central crop (or any offset crop) of an image. */
export function cropImage(image: Float32Array, widthPix: number, heightPix: number, x0: number, y0: number, cropWidth: number, cropHeight: number): Float32Array {
  if (x0 < 0 || y0 < 0 || x0 + cropWidth > widthPix || y0 + cropHeight > heightPix) {
    throw new Error(`cropImage: crop [${x0}, ${y0}] + ${cropWidth}×${cropHeight} leaves the ${widthPix}×${heightPix} image`);
  }
  const out = new Float32Array(cropWidth * cropHeight);
  for (let y = 0; y < cropHeight; y++) out.set(image.subarray((y0 + y) * widthPix + x0, (y0 + y) * widthPix + x0 + cropWidth), y * cropWidth);
  return out;
}
