/**
 * Islands: connected groups of pixels above a threshold, the unit a classical radio source finder
 * starts from (FIRST's HAPPY, PyBDSF, Aegean all begin by thresholding and flood-filling), and the
 * unit the ClaRAN labels count: a source with two islands is "2C", and the number of local maxima
 * above the threshold is its number of peaks ("nP").
 *
 * Islands are 8-connected (pixels touching at a corner belong together, as in PyBDSF). A peak is a
 * pixel above the threshold that is the largest within a (2r + 1) × (2r + 1) window (ties broken by
 * pixel order), with r = `peakRadiusPix`: two maxima closer than r pixels count as one peak, because
 * a beam a few pixels wide cannot separate them.
 */
import { Box, padBox } from "./boxes";

/** One island of an image. */
export interface Island {
  /** Bounding box of its pixels (pixel i covers [i, i + 1)). */
  box: Box;
  /** Number of pixels above the threshold. */
  nPix: number;
  /** Sum of its pixel values (image units × pixels). */
  sum: number;
  /** Brightest pixel value and position. */
  peakValue: number;
  peakXPix: number;
  peakYPix: number;
  /** Local maxima above the threshold inside the island. */
  peaks: Array<{ xPix: number; yPix: number; value: number }>;
}

/** Options for `findIslands`. */
export interface IslandOptions {
  /** Pixels strictly above this value belong to islands (image units). */
  threshold: number;
  /** Half-width of the window a peak must be the maximum of (default 2 pixels). */
  peakRadiusPix?: number;
  /** Islands with fewer pixels are dropped (default 1). */
  minPix?: number;
}

/** Islands of a (row-major, width × height) image above `threshold`, largest peak first. */
export function findIslands(image: ArrayLike<number>, widthPix: number, heightPix: number, options: IslandOptions): Island[] {
  if (image.length !== widthPix * heightPix) {
    throw new Error(`findIslands: image has ${image.length} values, expected ${widthPix} × ${heightPix} = ${widthPix * heightPix}`);
  }
  if (!Number.isFinite(options.threshold)) throw new Error(`findIslands: threshold must be a finite number, got ${options.threshold}`);
  const thr = options.threshold;
  const r = options.peakRadiusPix ?? 2;
  const minPix = options.minPix ?? 1;
  const label = new Int32Array(widthPix * heightPix).fill(-1);
  const islands: Island[] = [];
  const stack: number[] = [];
  for (let start = 0; start < image.length; start++) {
    if (label[start] !== -1 || !(image[start] > thr)) continue;
    const id = islands.length;
    const isl: Island = { box: { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity }, nPix: 0, sum: 0, peakValue: -Infinity, peakXPix: 0, peakYPix: 0, peaks: [] };
    label[start] = id;
    stack.push(start);
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % widthPix;
      const y = (p - x) / widthPix;
      const v = image[p];
      isl.nPix++;
      isl.sum += v;
      if (v > isl.peakValue) { isl.peakValue = v; isl.peakXPix = x; isl.peakYPix = y; }
      isl.box.x0 = Math.min(isl.box.x0, x);
      isl.box.y0 = Math.min(isl.box.y0, y);
      isl.box.x1 = Math.max(isl.box.x1, x + 1);
      isl.box.y1 = Math.max(isl.box.y1, y + 1);
      if (isLocalMax(image, widthPix, heightPix, x, y, r)) isl.peaks.push({ xPix: x, yPix: y, value: v });
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= heightPix) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= widthPix) continue;
          const q = yy * widthPix + xx;
          if (label[q] === -1 && image[q] > thr) { label[q] = id; stack.push(q); }
        }
      }
    }
    islands.push(isl);
  }
  return islands
    .filter((i) => i.nPix >= minPix)
    .map((i) => ({ ...i, peaks: i.peaks.sort((a, b) => b.value - a.value) }))
    .sort((a, b) => b.peakValue - a.peakValue);
}

function isLocalMax(image: ArrayLike<number>, w: number, h: number, x: number, y: number, r: number): boolean {
  const p = y * w + x;
  const v = image[p];
  for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
    for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) {
      const q = yy * w + xx;
      if (q === p) continue;
      const u = image[q];
      if (u > v || (u === v && q < p)) return false;
    }
  }
  return true;
}

/**
 * The classical baseline: every island above `threshold` is one source, boxed by its bounding box
 * and labelled 1C1P, 1C2P or 1C3P by its number of peaks (class index = peaks − 1, capped at 2: the
 * order of the ClaRAN classes). Score: 1 − threshold / peak, from 0 at the threshold towards 1 for
 * bright islands. `padPix` grows each box as the truth boxes are grown (see `simulateRadioBatch`). By construction it can never say "2C" or "3C": a source finder does not know which
 * islands belong together.
 */
export function islandDetections(
  images: Float32Array, sizePix: number, threshold: number, options: { peakRadiusPix?: number; padPix?: number } = {},
): Array<Array<Box & { classIndex: number; score: number }>> {
  const px = sizePix * sizePix;
  if (images.length % px !== 0) throw new Error(`islandDetections: ${images.length} values is not a whole number of ${sizePix} × ${sizePix} images`);
  if (!(threshold > 0)) throw new Error(`islandDetections: threshold must be > 0, got ${threshold}`);
  const pad = options.padPix ?? 0;
  const out: Array<Array<Box & { classIndex: number; score: number }>> = [];
  for (let i = 0; i < images.length / px; i++) {
    const islands = findIslands(images.subarray(i * px, (i + 1) * px), sizePix, sizePix, { threshold, peakRadiusPix: options.peakRadiusPix });
    out.push(islands.map((isl) => ({ ...padBox(isl.box, pad, sizePix), classIndex: Math.min(isl.peaks.length, 3) - 1, score: 1 - threshold / isl.peakValue })));
  }
  return out;
}
