/**
 * Scores for a binary classifier (positive class = 1, e.g. "quasar"): the four counts of the
 * confusion matrix, precision, recall, F1, how they move with the decision threshold, what
 * precision becomes in a field with a different class mix, and a rate (e.g. recall) in bins of
 * another quantity (e.g. redshift) with its uncertainty.
 *
 * Undefined ratios (0/0: no object predicted positive, no true positive present) are NaN, not 0,
 * so a plot shows a gap instead of a made-up value.
 */

/** The confusion matrix of a binary classifier. */
export interface BinaryCounts {
  /** True positives: positives predicted positive. */
  tp: number;
  /** False positives: negatives predicted positive (contaminants). */
  fp: number;
  /** True negatives. */
  tn: number;
  /** False negatives: positives missed. */
  fn: number;
}

function checkLabel(v: number, i: number, what: string): void {
  if (v !== 0 && v !== 1) throw new Error(`${what}: value at index ${i} is ${v}, expected 0 or 1`);
}

/** 1 where score ≥ threshold, else 0. */
export function predictLabels(scores: ArrayLike<number>, threshold = 0.5): Int32Array {
  const out = new Int32Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] >= threshold ? 1 : 0;
  return out;
}

/** Counts tp, fp, tn, fn from true 0/1 labels and predicted 0/1 labels. */
export function binaryCounts(labels: ArrayLike<number>, predicted: ArrayLike<number>): BinaryCounts {
  if (labels.length !== predicted.length) throw new Error(`binaryCounts: ${labels.length} labels but ${predicted.length} predictions`);
  const c: BinaryCounts = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    checkLabel(labels[i], i, "binaryCounts labels");
    checkLabel(predicted[i], i, "binaryCounts predictions");
    if (labels[i] === 1) predicted[i] === 1 ? c.tp++ : c.fn++;
    else predicted[i] === 1 ? c.fp++ : c.tn++;
  }
  return c;
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : NaN);

/** Fraction of the objects called positive that are positive: tp / (tp + fp) (purity). */
export function precision(c: BinaryCounts): number {
  return ratio(c.tp, c.tp + c.fp);
}

/** Fraction of the positives that were found: tp / (tp + fn) (completeness, true positive rate). */
export function recall(c: BinaryCounts): number {
  return ratio(c.tp, c.tp + c.fn);
}

/** Harmonic mean of precision and recall, 2tp / (2tp + fp + fn); 0 when nothing is found. */
export function f1Score(c: BinaryCounts): number {
  return ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn);
}

/** Fraction of all objects classified correctly. */
export function accuracy(c: BinaryCounts): number {
  return ratio(c.tp + c.tn, c.tp + c.tn + c.fp + c.fn);
}

/** Fraction of the negatives called positive: fp / (fp + tn). */
export function falsePositiveRate(c: BinaryCounts): number {
  return ratio(c.fp, c.fp + c.tn);
}

export interface ClassificationReport {
  threshold: number;
  counts: BinaryCounts;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  falsePositiveRate: number;
}

/** Every score above for scores (probabilities) cut at `threshold`. */
export function classificationReport(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): ClassificationReport {
  const counts = binaryCounts(labels, predictLabels(scores, threshold));
  return {
    threshold,
    counts,
    accuracy: accuracy(counts),
    precision: precision(counts),
    recall: recall(counts),
    f1: f1Score(counts),
    falsePositiveRate: falsePositiveRate(counts),
  };
}

export interface ThresholdSweep {
  threshold: number[];
  precision: number[];
  recall: number[];
  f1: number[];
  falsePositiveRate: number[];
  accuracy: number[];
}

/**
 * Precision, recall, F1, false-positive rate and accuracy at each threshold (default 0.01 … 0.99
 * in steps of 0.01). Sorting once makes this O(n log n + thresholds), not O(n × thresholds).
 */
export function thresholdSweep(labels: ArrayLike<number>, scores: ArrayLike<number>, thresholds?: number[]): ThresholdSweep {
  if (labels.length !== scores.length) throw new Error(`thresholdSweep: ${labels.length} labels but ${scores.length} scores`);
  const ts = (thresholds ?? Array.from({ length: 99 }, (_, k) => (k + 1) / 100)).slice().sort((a, b) => a - b);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    checkLabel(labels[i], i, "thresholdSweep labels");
    positives += labels[i];
  }
  const negatives = labels.length - positives;
  const out: ThresholdSweep = { threshold: [], precision: [], recall: [], f1: [], falsePositiveRate: [], accuracy: [] };
  // Walk up the sorted scores: everything below the threshold is predicted negative.
  let k = 0;
  let fn = 0;
  let tn = 0;
  for (const t of ts) {
    while (k < order.length && scores[order[k]] < t) {
      labels[order[k]] === 1 ? fn++ : tn++;
      k++;
    }
    const c: BinaryCounts = { tp: positives - fn, fn, tn, fp: negatives - tn };
    out.threshold.push(t);
    out.precision.push(precision(c));
    out.recall.push(recall(c));
    out.f1.push(f1Score(c));
    out.falsePositiveRate.push(falsePositiveRate(c));
    out.accuracy.push(accuracy(c));
  }
  return out;
}

/**
 * Precision the same classifier would have where positives are a fraction `prevalence` of all
 * objects (Bayes' theorem): recall and false-positive rate are properties of the classifier,
 * precision also depends on how rare the positives are.
 */
export function precisionAtPrevalence(recallValue: number, falsePositiveRateValue: number, prevalence: number): number {
  if (!(prevalence > 0 && prevalence < 1)) throw new Error(`precisionAtPrevalence: prevalence must be in (0, 1), got ${prevalence}`);
  const found = recallValue * prevalence;
  return ratio(found, found + falsePositiveRateValue * (1 - prevalence));
}

export interface BinnedRate {
  /** Bin edges used (length = bins + 1). */
  edges: number[];
  /** Bin centres. */
  centre: number[];
  /** Objects in each bin. */
  n: number[];
  /** Successes in each bin. */
  k: number[];
  /** k / n (NaN for an empty bin). */
  rate: number[];
  /**
   * 1σ uncertainty: standard deviation of the Beta(k + 1, n − k + 1) posterior (uniform prior), which
   * stays positive when k = 0 or k = n, unlike the naive sqrt(p(1 − p)/n).
   */
  sigma: number[];
}

/**
 * Fraction of successes in bins of x, e.g. recall against redshift: x = redshift of each true
 * quasar, success = 1 if it was classified as a quasar. Values outside the edges are ignored.
 */
export function rateByBin(x: ArrayLike<number>, success: ArrayLike<number | boolean>, edges: number[]): BinnedRate {
  if (x.length !== success.length) throw new Error(`rateByBin: ${x.length} values but ${success.length} outcomes`);
  if (edges.length < 2) throw new Error("rateByBin: need at least two bin edges");
  for (let b = 1; b < edges.length; b++) {
    if (!(edges[b] > edges[b - 1])) throw new Error(`rateByBin: edges must increase, got ${edges[b - 1]} then ${edges[b]}`);
  }
  const bins = edges.length - 1;
  const n = new Array<number>(bins).fill(0);
  const k = new Array<number>(bins).fill(0);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!(v >= edges[0] && v < edges[bins])) continue;
    let lo = 0;
    let hi = bins;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (v >= edges[mid]) lo = mid; else hi = mid;
    }
    n[lo]++;
    if (Number(success[i])) k[lo]++;
  }
  const sigma = n.map((nb, b) => {
    const a = k[b] + 1;
    const c = nb - k[b] + 1;
    return Math.sqrt((a * c) / ((a + c) ** 2 * (a + c + 1)));
  });
  return {
    edges: edges.slice(),
    centre: edges.slice(0, -1).map((e, b) => (e + edges[b + 1]) / 2),
    n,
    k,
    rate: n.map((nb, b) => ratio(k[b], nb)),
    sigma,
  };
}
