/**
 * Scoring a detector against the truth of simulated images: which detections are real sources,
 * which are duplicates, artefacts or noise, and which sources were found, as a function of the
 * detection threshold.
 *
 * Matching. In each image the detections are taken from the highest score down; each claims the
 * nearest unclaimed source within `radiusPix` (galaxies: `radiusPix` + their half-light radius).
 * Because a detection's claim depends only on detections scored above it, the outcome of every
 * detection above a threshold t is the same as if the detector had been run at t. So one pass at a
 * low threshold gives completeness and false detections at every higher threshold: the curves a
 * survey uses to compare detectors at equal false-positive rate.
 *
 * A detection that claims no source is false. It is a "duplicate" if a source lies within the
 * radius (a second peak of one object), an "artefact" if it sits on a pixel flagged as a cosmic ray,
 * hot pixel, saturated core or bleed trail, and "spurious" (a noise peak, or an unmodelled feature)
 * otherwise.
 */
import { MASK } from "../sim/detector";
import type { SkyArtefact, SkySource } from "../sim/sky";
import type { Detection } from "./peaks";

/** What a detection turned out to be. */
export type DetectionOutcome = "source" | "duplicate" | "artefact" | "spurious";

export interface ScoredDetection extends Detection {
  outcome: DetectionOutcome;
  /** Index into `ScoredCatalogue.sources` of the source it claimed (−1 if none). */
  sourceIndex: number;
}

/** One true source and the best score of a detection that claimed it. */
export interface ScoredSource {
  image: number;
  kind: SkySource["kind"];
  mag: number;
  snr: number;
  xPix: number;
  yPix: number;
  /** Score of the detection that claimed it; −Infinity if none did (found at threshold t ⇔ score ≥ t). */
  score: number;
}

/** Every detection and every source of a batch of images, matched. */
export interface ScoredCatalogue {
  nImages: number;
  detections: ScoredDetection[];
  sources: ScoredSource[];
  radiusPix: number;
}

/** Options for `scoreDetections`. */
export interface MatchOptions {
  /** Matching radius for point sources, pixels (default 2). */
  radiusPix?: number;
  /** Per-pixel `MASK` flags of the images, [n, h, w] (from `simulateSkyBatch().masks`): labels artefact detections. */
  masks?: Uint8Array;
  heightPix?: number;
  widthPix?: number;
  /** Artefact list per image: detections within `radiusPix` of one (or of a cosmic-ray track) count as artefacts too. */
  artefacts?: SkyArtefact[][];
}

const ARTEFACT_FLAGS = MASK.cosmicRay | MASK.hotPixel | MASK.saturated | MASK.bleedTrail;

function nearArtefact(d: Detection, arts: SkyArtefact[] | undefined, r: number): boolean {
  if (!arts) return false;
  for (const a of arts) {
    const len = a.lengthPix ?? 0;
    // A cosmic-ray track starts at (x, y) and may point anywhere: its pixels lie within `len` of the start.
    if ((d.xPix - a.xPix) ** 2 + (d.yPix - a.yPix) ** 2 <= (r + len) ** 2) return true;
  }
  return false;
}

function onFlaggedPixel(d: Detection, masks: Uint8Array | undefined, h: number, w: number): boolean {
  if (!masks) return false;
  const x0 = Math.round(d.xPix), y0 = Math.round(d.yPix);
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
    const x = x0 + dx, y = y0 + dy;
    if (x < 0 || y < 0 || x >= w || y >= h) continue;
    if (masks[d.image * h * w + y * w + x] & ARTEFACT_FLAGS) return true;
  }
  return false;
}

/** Matches the detections of each image (one list per image) to the true sources of that image. */
export function scoreDetections(detections: Detection[][], sources: SkySource[][], options: MatchOptions = {}): ScoredCatalogue {
  if (detections.length !== sources.length) throw new Error(`scoreDetections: ${detections.length} detection lists but ${sources.length} source lists`);
  const r = options.radiusPix ?? 2;
  const h = options.heightPix ?? 0;
  const w = options.widthPix ?? 0;
  if (options.masks && !(h > 0 && w > 0)) throw new Error("scoreDetections: masks need heightPix and widthPix");
  const outDet: ScoredDetection[] = [];
  const outSrc: ScoredSource[] = [];
  for (let i = 0; i < detections.length; i++) {
    const base = outSrc.length;
    const srcs = sources[i];
    for (const s of srcs) outSrc.push({ image: i, kind: s.kind, mag: s.mag, snr: s.snr, xPix: s.xPix, yPix: s.yPix, score: -Infinity });
    const reach = srcs.map((s) => r + (s.kind === "galaxy" ? s.reffPix ?? 0 : 0));
    const claimed = new Uint8Array(srcs.length);
    const dets = [...detections[i]].sort((a, b) => b.score - a.score);
    for (const d of dets) {
      let best = -1;
      let bestD2 = Infinity;
      let near = false;
      for (let k = 0; k < srcs.length; k++) {
        const d2 = (d.xPix - srcs[k].xPix) ** 2 + (d.yPix - srcs[k].yPix) ** 2;
        if (d2 > reach[k] * reach[k]) continue;
        near = true;
        if (!claimed[k] && d2 < bestD2) { best = k; bestD2 = d2; }
      }
      let outcome: DetectionOutcome;
      if (best >= 0) {
        claimed[best] = 1;
        outSrc[base + best].score = d.score;
        outcome = "source";
      } else if (near) outcome = "duplicate";
      else if (onFlaggedPixel({ ...d, image: i }, options.masks, h, w) || nearArtefact(d, options.artefacts?.[i], r)) outcome = "artefact";
      else outcome = "spurious";
      outDet.push({ ...d, image: i, outcome, sourceIndex: best >= 0 ? base + best : -1 });
    }
  }
  return { nImages: detections.length, detections: outDet, sources: outSrc, radiusPix: r };
}

/** Counts at one threshold. */
export interface DetectionRates {
  threshold: number;
  /** False detections (duplicates, artefacts, spurious) per image. */
  falsePerImage: number;
  /** Of which on artefacts, per image. */
  artefactsPerImage: number;
  /** True detections per image. */
  truePerImage: number;
  /** Fraction of the selected sources found (default: stars with S/N ≥ 5). */
  completeness: number;
}

/** Which sources a completeness counts. */
export interface SourceFilter {
  kind?: SkySource["kind"];
  minSnr?: number;
  magRange?: [number, number];
}

function selectSources(cat: ScoredCatalogue, f: SourceFilter): ScoredSource[] {
  return cat.sources.filter((s) => (f.kind === undefined || s.kind === f.kind) && (f.minSnr === undefined || s.snr >= f.minSnr)
    && (f.magRange === undefined || (s.mag >= f.magRange[0] && s.mag < f.magRange[1])));
}

/** False and true detections per image, and completeness, for detections with score ≥ threshold. */
export function detectionRates(cat: ScoredCatalogue, threshold: number, filter: SourceFilter = { kind: "star", minSnr: 5 }): DetectionRates {
  let nFalse = 0, nArt = 0, nTrue = 0;
  for (const d of cat.detections) {
    if (!(d.score >= threshold)) continue;
    if (d.outcome === "source") nTrue++;
    else { nFalse++; if (d.outcome === "artefact") nArt++; }
  }
  const sel = selectSources(cat, filter);
  const found = sel.filter((s) => s.score >= threshold).length;
  return { threshold, falsePerImage: nFalse / cat.nImages, artefactsPerImage: nArt / cat.nImages, truePerImage: nTrue / cat.nImages, completeness: sel.length ? found / sel.length : NaN };
}

/**
 * The lowest threshold at which the detector makes at most `falsePerImage` false detections per
 * image on this catalogue: how to put two detectors on an equal footing.
 */
export function thresholdAtFalseRate(cat: ScoredCatalogue, falsePerImage: number): number {
  const falseScores = cat.detections.filter((d) => d.outcome !== "source").map((d) => d.score).sort((a, b) => b - a);
  const allowed = Math.floor(falsePerImage * cat.nImages + 1e-9);
  if (allowed >= falseScores.length) return Math.min(...cat.detections.map((d) => d.score), Infinity);
  const limit = falseScores[allowed]; // the first false detection we must exclude
  let t = Infinity;
  for (const d of cat.detections) if (d.score > limit && d.score < t) t = d.score;
  return t;
}

/** Completeness in magnitude bins with binomial errors. */
export interface CompletenessCurve {
  /** Bin centres, mag. */
  magCentres: number[];
  completeness: number[];
  /** √(c (1 − c) / n), with c clipped to [1/n, 1 − 1/n] so empty tails still show an error. */
  errors: number[];
  counts: number[];
}

/** Fraction of the selected sources (default: all stars) found at `threshold`, per magnitude bin (edges ascending). */
export function completenessByMagnitude(cat: ScoredCatalogue, threshold: number, magEdges: number[], filter: SourceFilter = { kind: "star" }): CompletenessCurve {
  const sel = selectSources(cat, filter);
  const out: CompletenessCurve = { magCentres: [], completeness: [], errors: [], counts: [] };
  for (let b = 0; b + 1 < magEdges.length; b++) {
    const lo = magEdges[b], hi = magEdges[b + 1];
    const inBin = sel.filter((s) => s.mag >= lo && s.mag < hi);
    const n = inBin.length;
    const c = n ? inBin.filter((s) => s.score >= threshold).length / n : NaN;
    const cc = n ? Math.min(Math.max(c, 1 / n), 1 - 1 / n) : NaN;
    out.magCentres.push((lo + hi) / 2);
    out.completeness.push(c);
    out.errors.push(n ? Math.sqrt((cc * (1 - cc)) / n) : NaN);
    out.counts.push(n);
  }
  return out;
}

/**
 * The magnitude where a completeness curve first falls through `level` (default 0.5), by linear
 * interpolation between bin centres; NaN if it never does.
 */
export function magnitudeAtCompleteness(curve: CompletenessCurve, level = 0.5): number {
  const m = curve.magCentres, c = curve.completeness;
  for (let k = 0; k + 1 < m.length; k++) {
    if (!Number.isFinite(c[k]) || !Number.isFinite(c[k + 1])) continue;
    if (c[k] >= level && c[k + 1] < level) return m[k] + ((c[k] - level) / (c[k] - c[k + 1])) * (m[k + 1] - m[k]);
  }
  return NaN;
}

/** Detections grouped by outcome, per image (for a bar chart or a table). */
export function outcomesPerImage(cat: ScoredCatalogue, threshold: number): Record<DetectionOutcome, number> {
  const out: Record<DetectionOutcome, number> = { source: 0, duplicate: 0, artefact: 0, spurious: 0 };
  for (const d of cat.detections) if (d.score >= threshold) out[d.outcome]++;
  for (const k of Object.keys(out) as DetectionOutcome[]) out[k] /= cat.nImages;
  return out;
}
