/**
 * Choosing where to cut a classifier's score: the operating point of a real/bogus (or any binary)
 * classifier, and what it means for a survey whose stream is mostly bogus.
 *
 * A score threshold t splits candidates into "keep" (score ≥ t) and "reject". Recall (true-positive
 * rate) is the fraction of real events kept; the false-positive rate (FPR) the fraction of bogus ones
 * kept; precision the fraction of kept candidates that are real. Recall and FPR are properties of the
 * classifier alone; precision also depends on the real fraction π of the stream:
 *
 *   precision = recall π / (recall π + FPR (1 − π)),
 *
 * so a classifier tested on a balanced set (π = ½) looks far better than it will on a survey's
 * stream, where bogus candidates outnumber real ones many times over. Thresholds are chosen on a
 * validation set and then quoted on a held-out test set, never tuned on the test set itself.
 */
import type { Figure, Trace } from "../plot/render";
import { baseLayout, type FigureOptions } from "../plot/charts";

/** The confusion counts and rates at one threshold (candidates with score ≥ threshold are called real). */
export interface OperatingPoint {
  threshold: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  /** tp / (tp + fn): the fraction of real events kept. */
  recall: number;
  /** fp / (fp + tn): the fraction of bogus candidates kept. */
  falsePositiveRate: number;
  /** tp / (tp + fp) on this set (NaN if nothing is kept). */
  precision: number;
}

function check(labels: ArrayLike<number>, scores: ArrayLike<number>, what: string): void {
  if (labels.length !== scores.length) throw new Error(`${what}: ${labels.length} labels but ${scores.length} scores`);
  for (let i = 0; i < labels.length; i++) if (labels[i] !== 0 && labels[i] !== 1) throw new Error(`${what}: label ${i} is ${labels[i]}, expected 0 or 1`);
}

/** Counts and rates when candidates with score ≥ threshold are called real. */
export function evaluateAtThreshold(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number): OperatingPoint {
  check(labels, scores, "evaluateAtThreshold");
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const keep = scores[i] >= threshold;
    if (labels[i] === 1) { if (keep) tp++; else fn++; } else if (keep) fp++; else tn++;
  }
  return { threshold, tp, fp, tn, fn, recall: tp / (tp + fn), falsePositiveRate: fp / (fp + tn), precision: tp + fp > 0 ? tp / (tp + fp) : NaN };
}

function sortedUnique(values: number[]): number[] {
  const v = [...values].sort((a, b) => a - b);
  return v.filter((x, i) => i === 0 || x !== v[i - 1]);
}

/**
 * The lowest threshold (highest recall) whose false-positive rate on this set is at most
 * `maxFalsePositiveRate`: "keep at most 1 % of the bogus".
 */
export function thresholdForFalsePositiveRate(labels: ArrayLike<number>, scores: ArrayLike<number>, maxFalsePositiveRate: number): number {
  check(labels, scores, "thresholdForFalsePositiveRate");
  const bogus: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] === 0) bogus.push(scores[i]);
  if (bogus.length === 0) throw new Error("thresholdForFalsePositiveRate: no bogus candidates");
  bogus.sort((a, b) => b - a);
  const allowed = Math.floor(maxFalsePositiveRate * bogus.length + 1e-9);
  if (allowed >= bogus.length) return -Infinity;
  const limit = bogus[allowed]; // the highest-scored bogus candidate that must be rejected
  const above = sortedUnique(Array.from(scores).filter((s) => s > limit));
  return above.length ? above[0] : Infinity; // nothing scores above the bogus we must reject: keep nothing
}

/** The highest threshold (fewest false positives) that keeps at least `minRecall` of the real events: "miss at most 5 %". */
export function thresholdForRecall(labels: ArrayLike<number>, scores: ArrayLike<number>, minRecall: number): number {
  check(labels, scores, "thresholdForRecall");
  const real: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) real.push(scores[i]);
  if (real.length === 0) throw new Error("thresholdForRecall: no real candidates");
  real.sort((a, b) => b - a);
  const need = Math.min(real.length, Math.max(1, Math.ceil(minRecall * real.length - 1e-9)));
  return real[need - 1];
}

/** Precision the operating point would have on a stream whose real fraction is `realFraction`. */
export function precisionAtRealFraction(op: Pick<OperatingPoint, "recall" | "falsePositiveRate">, realFraction: number): number {
  const t = op.recall * realFraction;
  const f = op.falsePositiveRate * (1 - realFraction);
  return t + f > 0 ? t / (t + f) : NaN;
}

/** Precision against recall for every threshold, and the average precision (area under it, step-wise). */
export interface PrecisionRecallCurve {
  precision: number[];
  recall: number[];
  thresholds: number[];
  averagePrecision: number;
}

/** The precision–recall curve, thresholds from the highest score down. */
export function precisionRecallCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): PrecisionRecallCurve {
  check(labels, scores, "precisionRecallCurve");
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let pos = 0;
  for (let i = 0; i < labels.length; i++) pos += labels[i];
  if (pos === 0) throw new Error("precisionRecallCurve: no real candidates");
  const out: PrecisionRecallCurve = { precision: [], recall: [], thresholds: [], averagePrecision: 0 };
  let tp = 0, fp = 0, lastRecall = 0;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    if (labels[i] === 1) tp++; else fp++;
    if (k === idx.length - 1 || scores[idx[k + 1]] !== scores[i]) {
      const r = tp / pos, p = tp / (tp + fp);
      out.precision.push(p);
      out.recall.push(r);
      out.thresholds.push(scores[i]);
      out.averagePrecision += (r - lastRecall) * p;
      lastRecall = r;
    }
  }
  return out;
}

/** Precision–recall curves with optional marked operating points. */
export function precisionRecallChart(
  curves: Array<{ name: string; curve: PrecisionRecallCurve }>,
  points: Array<{ name: string; point: Pick<OperatingPoint, "recall" | "precision"> }> = [],
  options: FigureOptions = {},
): Figure {
  const data: Trace[] = curves.map(({ name, curve }) => ({
    type: "scatter", mode: "lines", name: `${name} (AP = ${curve.averagePrecision.toFixed(3)})`,
    x: curve.recall, y: curve.precision, text: curve.thresholds.map((t) => `threshold ${t.toPrecision(3)}`),
  }));
  for (const { name, point } of points) {
    data.push({ type: "scatter", mode: "markers", name, x: [point.recall], y: [point.precision], marker: { size: 12, symbol: "x" } });
  }
  const layout = baseLayout({ title: "Precision–recall", xTitle: "recall (fraction of real events kept)", yTitle: "precision (fraction of kept that are real)", ...options });
  return { data, layout };
}
