/**
 * Peaks of a detection map as a list of detections: the step shared by the classical detector
 * (peaks of the PSF-filtered S/N map above k σ) and a CNN's source-probability map.
 *
 * A pixel is a peak when it exceeds the threshold and is a local maximum of its 3 × 3 neighbourhood.
 * Ties (flat tops, e.g. a saturated probability map) are broken by raster order: a pixel must be
 * strictly above the neighbours before it and at least equal to those after it, so a plateau gives
 * one peak. Peaks closer than `minSeparationPix` to a higher peak are then dropped (non-maximum
 * suppression): one bumpy source should give one detection. Positions are refined to the centroid of
 * the 3 × 3 values above the threshold around the peak.
 */

/** One detection. */
export interface Detection {
  /** Index of the image in its batch. */
  image: number;
  /** Position, pixels (sub-pixel centroid). */
  xPix: number;
  yPix: number;
  /** Map value at the peak pixel (S/N for the matched filter, probability for a CNN). */
  score: number;
}

/** Options for `findPeaks`. */
export interface PeakOptions {
  /** Keep peaks with map value ≥ threshold (default 0). */
  threshold?: number;
  /** Drop peaks closer than this to a higher one, pixels (default 3). */
  minSeparationPix?: number;
  /** Ignore peaks within this many pixels of the edge (default 0). */
  borderPix?: number;
  /** Image index recorded in the detections (default 0). */
  image?: number;
}

/** Detections in one map (row-major, width × height), highest score first. */
export function findPeaks(map: ArrayLike<number>, widthPix: number, heightPix: number, options: PeakOptions = {}, offset = 0): Detection[] {
  const thr = options.threshold ?? 0;
  const sep2 = (options.minSeparationPix ?? 3) ** 2;
  const border = options.borderPix ?? 0;
  const img = options.image ?? 0;
  const at = (x: number, y: number) => map[offset + y * widthPix + x];
  const cands: Detection[] = [];
  for (let y = border; y < heightPix - border; y++) {
    for (let x = border; x < widthPix - border; x++) {
      const v = at(x, y);
      if (!(v >= thr)) continue;
      let peak = true;
      for (let dy = -1; dy <= 1 && peak; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= heightPix) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if ((dx === 0 && dy === 0) || xx < 0 || xx >= widthPix) continue;
          const u = at(xx, yy);
          const before = dy < 0 || (dy === 0 && dx < 0);
          if (before ? u >= v : u > v) { peak = false; break; }
        }
      }
      if (!peak) continue;
      // Centroid of the neighbourhood above threshold: sub-pixel position for matching.
      let s = 0, sx = 0, sy = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx, yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= widthPix || yy >= heightPix) continue;
        const w = at(xx, yy) - thr;
        if (w > 0) { s += w; sx += w * dx; sy += w * dy; }
      }
      cands.push({ image: img, xPix: s > 0 ? x + sx / s : x, yPix: s > 0 ? y + sy / s : y, score: v });
    }
  }
  cands.sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const c of cands) {
    if (kept.every((k) => (k.xPix - c.xPix) ** 2 + (k.yPix - c.yPix) ** 2 >= sep2)) kept.push(c);
  }
  return kept;
}

/** Detections in every map of a batch laid out [n, height, width, 1]: one list per image. */
export function findPeaksBatch(maps: ArrayLike<number>, n: number, heightPix: number, widthPix: number, options: Omit<PeakOptions, "image"> = {}): Detection[][] {
  if (maps.length !== n * heightPix * widthPix) throw new Error(`findPeaksBatch: ${maps.length} values do not fill [${n}, ${heightPix}, ${widthPix}, 1]`);
  const out: Detection[][] = [];
  for (let i = 0; i < n; i++) out.push(findPeaks(maps, widthPix, heightPix, { ...options, image: i }, i * heightPix * widthPix));
  return out;
}
