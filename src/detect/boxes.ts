/**
 * Axis-aligned boxes and the arithmetic object detectors are judged by: intersection over union
 * (IoU), non-maximum suppression (NMS), greedy matching of scored predictions to truths, and
 * average precision (AP) as detection papers compute it.
 *
 * Coordinates are pixels with pixel i covering [i, i + 1): a box (x0, y0, x1, y1) has width
 * x1 − x0. AP follows PASCAL VOC from 2010 on (Everingham et al. 2010, IJCV 88, 303): the area
 * under the precision–recall curve after precision is made monotonically non-increasing, using
 * every recall step ("all-point interpolation"). COCO averages 101 recall points instead; the two
 * agree to about a per cent.
 */

/** An axis-aligned box in pixels, x0 < x1 and y0 < y1. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** A predicted box with a class index and a score in [0, 1]. */
export interface ScoredBox extends Box {
  classIndex: number;
  score: number;
}

/** A true box with a class index. */
export interface LabelledBox extends Box {
  classIndex: number;
}

function checkBox(fn: string, b: Box): void {
  if (!(b.x1 >= b.x0 && b.y1 >= b.y0) || ![b.x0, b.y0, b.x1, b.y1].every(Number.isFinite)) {
    throw new Error(`${fn}: a box needs finite x0 <= x1 and y0 <= y1, got (${b.x0}, ${b.y0}, ${b.x1}, ${b.y1})`);
  }
}

/** Area of a box, pixels². */
export function boxArea(b: Box): number {
  return Math.max(0, b.x1 - b.x0) * Math.max(0, b.y1 - b.y0);
}

/** Intersection over union of two boxes: 0 for disjoint boxes, 1 for identical ones. */
export function iou(a: Box, b: Box): number {
  checkBox("iou", a);
  checkBox("iou", b);
  const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (boxArea(a) + boxArea(b) - inter);
}

/** A box grown by `padPix` on every side and clipped to a square image of side `sizePix`. */
export function padBox(b: Box, padPix: number, sizePix = Infinity): Box {
  return { x0: Math.max(0, b.x0 - padPix), y0: Math.max(0, b.y0 - padPix), x1: Math.min(sizePix, b.x1 + padPix), y1: Math.min(sizePix, b.y1 + padPix) };
}

/** Centre (x, y) and size (w, h) of a box. */
export function boxCentreSize(b: Box): { cx: number; cy: number; w: number; h: number } {
  return { cx: (b.x0 + b.x1) / 2, cy: (b.y0 + b.y1) / 2, w: b.x1 - b.x0, h: b.y1 - b.y0 };
}

/** Options for `nonMaxSuppression`. */
export interface NmsOptions {
  /** A box is dropped when it overlaps an already kept, higher-scoring box by more than this IoU (default 0.45). */
  iouThreshold?: number;
  /** Boxes scoring below this are dropped first (default 0). */
  minScore?: number;
  /** Keep at most this many (default unlimited). */
  maxBoxes?: number;
  /** Suppress only within a class (default true); false suppresses across classes. */
  perClass?: boolean;
}

/**
 * Greedy non-maximum suppression: take the highest-scoring box, drop every remaining box that
 * overlaps it by more than `iouThreshold`, repeat. Returns the kept boxes, highest score first.
 */
export function nonMaxSuppression<T extends ScoredBox>(boxes: readonly T[], options: NmsOptions = {}): T[] {
  const thr = options.iouThreshold ?? 0.45;
  if (!(thr >= 0 && thr <= 1)) throw new Error(`nonMaxSuppression: iouThreshold must be in [0, 1], got ${thr}`);
  const minScore = options.minScore ?? 0;
  const maxBoxes = options.maxBoxes ?? Infinity;
  const perClass = options.perClass ?? true;
  const order = boxes.filter((b) => b.score >= minScore).sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const b of order) {
    if (kept.length >= maxBoxes) break;
    if (kept.some((k) => (!perClass || k.classIndex === b.classIndex) && iou(k, b) > thr)) continue;
    kept.push(b);
  }
  return kept;
}

/** One prediction after matching: whether it found an unclaimed truth of its class. */
export interface MatchedPrediction {
  image: number;
  score: number;
  classIndex: number;
  truePositive: boolean;
  /** Index of the matched truth within its image, or −1. */
  truthIndex: number;
  iou: number;
}

/** Options for `matchDetections`. */
export interface MatchDetectionsOptions {
  /** A prediction counts only if it overlaps a truth by at least this IoU (default 0.5). */
  iouThreshold?: number;
  /** Ignore classes: any truth may match any prediction (default false). */
  classAgnostic?: boolean;
}

/**
 * Matches predictions to truths image by image, as detection benchmarks do: predictions in order
 * of decreasing score each claim the unclaimed truth (of the same class, unless class-agnostic)
 * with which they have the largest IoU, if that IoU is at least the threshold; a prediction with
 * nothing left to claim is a false positive (a duplicate of an already found source counts as
 * one, which is why detectors need NMS).
 */
export function matchDetections(
  predictions: readonly (readonly ScoredBox[])[],
  truths: readonly (readonly LabelledBox[])[],
  options: MatchDetectionsOptions = {},
): { predictions: MatchedPrediction[]; truthMatched: boolean[][] } {
  if (predictions.length !== truths.length) {
    throw new Error(`matchDetections: ${predictions.length} images of predictions but ${truths.length} of truths`);
  }
  const thr = options.iouThreshold ?? 0.5;
  const agnostic = options.classAgnostic ?? false;
  const out: MatchedPrediction[] = [];
  const truthMatched = truths.map((t) => t.map(() => false));
  predictions.forEach((preds, image) => {
    const sorted = [...preds].sort((a, b) => b.score - a.score);
    for (const p of sorted) {
      let best = -1;
      let bestIou = thr;
      truths[image].forEach((t, k) => {
        if (truthMatched[image][k] || (!agnostic && t.classIndex !== p.classIndex)) return;
        const o = iou(p, t);
        if (o >= bestIou) { bestIou = o; best = k; }
      });
      if (best >= 0) truthMatched[image][best] = true;
      out.push({ image, score: p.score, classIndex: p.classIndex, truePositive: best >= 0, truthIndex: best, iou: best >= 0 ? bestIou : 0 });
    }
  });
  return { predictions: out, truthMatched };
}

/** Precision and recall at every score cut, and the average precision. */
export interface ApResult {
  /** Average precision: area under the interpolated precision–recall curve. */
  ap: number;
  /** Recall after each prediction, predictions sorted by decreasing score. */
  recall: number[];
  /** Precision after each prediction. */
  precision: number[];
  /** Scores in the same order. */
  scores: number[];
  /** Number of true objects. */
  nTruth: number;
}

/**
 * Average precision from matched predictions and the number of true objects: sort by score, walk
 * down accumulating true and false positives, make precision non-increasing from the right, and sum
 * precision × recall step. 0 when nothing was found; NaN when there are no true objects.
 */
export function averagePrecision(matched: readonly Pick<MatchedPrediction, "score" | "truePositive">[], nTruth: number): ApResult {
  if (!(nTruth >= 0) || !Number.isInteger(nTruth)) throw new Error(`averagePrecision: nTruth must be a whole number >= 0, got ${nTruth}`);
  const sorted = [...matched].sort((a, b) => b.score - a.score);
  const recall: number[] = [];
  const precision: number[] = [];
  let tp = 0;
  sorted.forEach((m, i) => {
    if (m.truePositive) tp++;
    recall.push(nTruth > 0 ? tp / nTruth : NaN);
    precision.push(tp / (i + 1));
  });
  const scores = sorted.map((m) => m.score);
  if (nTruth === 0) return { ap: NaN, recall, precision, scores, nTruth };
  if (tp > nTruth) throw new Error(`averagePrecision: ${tp} true positives but only ${nTruth} true objects`);
  const envelope = [...precision];
  for (let i = envelope.length - 2; i >= 0; i--) envelope[i] = Math.max(envelope[i], envelope[i + 1]);
  let ap = 0;
  let prevRecall = 0;
  recall.forEach((r, i) => {
    ap += (r - prevRecall) * envelope[i];
    prevRecall = r;
  });
  return { ap, recall, precision, scores, nTruth };
}

/** Per-class and mean average precision over a set of images. */
export interface DetectionEvaluation {
  /** AP per class index (NaN for a class with no true objects). */
  apPerClass: number[];
  /** Mean AP over the classes that have true objects. */
  mAP: number;
  /** Class-agnostic AP: are the sources found and boxed, whatever their label? */
  boxAp: number;
  /** Precision–recall curves per class. */
  curves: ApResult[];
  /** Per image, per truth: was it matched by a prediction of its own class? */
  truthMatched: boolean[][];
}

/** AP at an IoU threshold for every class, their mean (mAP) and the class-agnostic box AP. */
export function evaluateDetections(
  predictions: readonly (readonly ScoredBox[])[],
  truths: readonly (readonly LabelledBox[])[],
  nClasses: number,
  iouThreshold = 0.5,
): DetectionEvaluation {
  const matched = matchDetections(predictions, truths, { iouThreshold });
  const curves: ApResult[] = [];
  for (let c = 0; c < nClasses; c++) {
    const nTruth = truths.reduce((s, t) => s + t.filter((b) => b.classIndex === c).length, 0);
    curves.push(averagePrecision(matched.predictions.filter((m) => m.classIndex === c), nTruth));
  }
  const apPerClass = curves.map((c) => c.ap);
  const present = apPerClass.filter((a) => !Number.isNaN(a));
  const agnostic = matchDetections(predictions, truths, { iouThreshold, classAgnostic: true });
  const nAll = truths.reduce((s, t) => s + t.length, 0);
  return {
    apPerClass,
    mAP: present.length ? present.reduce((a, b) => a + b, 0) / present.length : NaN,
    boxAp: averagePrecision(agnostic.predictions, nAll).ap,
    curves,
    truthMatched: matched.truthMatched,
  };
}

/**
 * Fraction of the truths (optionally only those passing `select`) overlapped by at least one
 * prediction scoring ≥ `minScore` with IoU ≥ `iouThreshold`, any class: how many sources got a
 * correct box at a chosen operating point.
 */
export function boxRecall(
  predictions: readonly (readonly ScoredBox[])[],
  truths: readonly (readonly LabelledBox[])[],
  options: { minScore?: number; iouThreshold?: number; select?: (t: LabelledBox, image: number) => boolean } = {},
): { recall: number; found: number; total: number } {
  const minScore = options.minScore ?? 0.5;
  const thr = options.iouThreshold ?? 0.5;
  const kept = predictions.map((p) => p.filter((b) => b.score >= minScore));
  const { truthMatched } = matchDetections(kept, truths, { iouThreshold: thr, classAgnostic: true });
  let found = 0;
  let total = 0;
  truths.forEach((ts, i) => ts.forEach((t, k) => {
    if (options.select && !options.select(t, i)) return;
    total++;
    if (truthMatched[i][k]) found++;
  }));
  return { recall: total ? found / total : NaN, found, total };
}
