import {
  accuracy, binaryCounts, classificationReport, f1Score, falsePositiveRate, precision, precisionAtPrevalence,
  predictLabels, rateByBin, recall, thresholdSweep,
} from "../src/metrics/classification";
import { rocCurve } from "../src/plot/charts";
import { Rng } from "../src/random";

describe("counts, precision, recall, F1", () => {
  // 10 objects: 4 quasars (1), 6 stars (0). Predictions find 3 quasars and call 1 star a quasar.
  const labels = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
  const predicted = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0];

  test("a hand-counted example", () => {
    const c = binaryCounts(labels, predicted);
    expect(c).toEqual({ tp: 3, fp: 1, tn: 5, fn: 1 });
    expect(precision(c)).toBeCloseTo(3 / 4);
    expect(recall(c)).toBeCloseTo(3 / 4);
    expect(f1Score(c)).toBeCloseTo(3 / 4);
    expect(accuracy(c)).toBeCloseTo(8 / 10);
    expect(falsePositiveRate(c)).toBeCloseTo(1 / 6);
  });

  test("F1 is the harmonic mean of precision and recall", () => {
    const c = { tp: 30, fp: 10, tn: 100, fn: 20 };
    const p = precision(c);
    const r = recall(c);
    expect(f1Score(c)).toBeCloseTo((2 * p * r) / (p + r), 12);
    expect(f1Score(c)).toBeLessThan((p + r) / 2); // harmonic ≤ arithmetic mean
  });

  test("a classifier that calls everything a star: high accuracy, zero recall, undefined precision", () => {
    const allStars = new Array(labels.length).fill(0);
    const c = binaryCounts(labels, allStars);
    expect(accuracy(c)).toBeCloseTo(0.6);
    expect(recall(c)).toBe(0);
    expect(precision(c)).toBeNaN();
    expect(f1Score(c)).toBe(0);
  });

  test("bad input is named", () => {
    expect(() => binaryCounts([1, 0], [1])).toThrow(/2 labels but 1 predictions/);
    expect(() => binaryCounts([1, 2], [1, 0])).toThrow(/index 1 is 2, expected 0 or 1/);
  });

  test("predictLabels and classificationReport cut at the threshold (score = threshold counts as positive)", () => {
    expect(Array.from(predictLabels([0.2, 0.5, 0.9], 0.5))).toEqual([0, 1, 1]);
    const rep = classificationReport([1, 0, 1, 0], [0.9, 0.6, 0.4, 0.1], 0.5);
    expect(rep.counts).toEqual({ tp: 1, fp: 1, tn: 1, fn: 1 });
    expect(rep.precision).toBeCloseTo(0.5);
    expect(classificationReport([1, 0, 1, 0], [0.9, 0.6, 0.4, 0.1], 0.3).recall).toBe(1);
  });
});

describe("threshold sweep", () => {
  const rng = new Rng(3);
  const n = 2000;
  const labels = Array.from({ length: n }, () => (rng.random() < 0.2 ? 1 : 0));
  const scores = labels.map((l) => 1 / (1 + Math.exp(-(rng.normal(l ? 1.5 : -1.5, 1.2)))));

  test("agrees with classificationReport at every threshold", () => {
    const ts = [0.05, 0.3, 0.5, 0.77, 0.95];
    const sweep = thresholdSweep(labels, scores, ts);
    ts.forEach((t, j) => {
      const rep = classificationReport(labels, scores, t);
      expect(sweep.precision[j]).toBeCloseTo(rep.precision, 12);
      expect(sweep.recall[j]).toBeCloseTo(rep.recall, 12);
      expect(sweep.f1[j]).toBeCloseTo(rep.f1, 12);
      expect(sweep.falsePositiveRate[j]).toBeCloseTo(rep.falsePositiveRate, 12);
      expect(sweep.accuracy[j]).toBeCloseTo(rep.accuracy, 12);
    });
  });

  test("raising the threshold never raises recall; precision mostly rises", () => {
    const sweep = thresholdSweep(labels, scores);
    expect(sweep.threshold).toHaveLength(99);
    for (let j = 1; j < sweep.recall.length; j++) expect(sweep.recall[j]).toBeLessThanOrEqual(sweep.recall[j - 1]);
    expect(sweep.precision[90]).toBeGreaterThan(sweep.precision[5] + 0.2);
  });

  test("its (false-positive rate, recall) points lie on the ROC curve's area", () => {
    // Trapezoid area under the sweep's own points approaches the exact AUC with fine thresholds.
    const ts = Array.from({ length: 999 }, (_, k) => (k + 1) / 1000);
    const s = thresholdSweep(labels, scores, ts);
    const x = [1, ...s.falsePositiveRate, 0];
    const y = [1, ...s.recall, 0];
    let area = 0;
    for (let j = 1; j < x.length; j++) area += ((x[j - 1] - x[j]) * (y[j] + y[j - 1])) / 2;
    expect(area).toBeCloseTo(rocCurve(labels, scores).auc, 2);
  });
});

describe("precision in a field with a different class mix", () => {
  test("matches counting in a simulated field with that mix", () => {
    const recallValue = 0.9;
    const fpr = 0.02;
    const rng = new Rng(8);
    let tp = 0;
    let fp = 0;
    for (let i = 0; i < 400000; i++) {
      const isQuasar = rng.random() < 1 / 16; // 15 stars per quasar
      const called = rng.random() < (isQuasar ? recallValue : fpr);
      if (called && isQuasar) tp++;
      if (called && !isQuasar) fp++;
    }
    expect(precisionAtPrevalence(recallValue, fpr, 1 / 16)).toBeCloseTo(tp / (tp + fp), 2);
  });

  test("rarer positives mean lower precision for the same classifier", () => {
    expect(precisionAtPrevalence(0.95, 0.01, 0.2)).toBeGreaterThan(precisionAtPrevalence(0.95, 0.01, 1 / 16));
    expect(() => precisionAtPrevalence(0.9, 0.1, 0)).toThrow(/prevalence/);
  });
});

describe("rate in bins", () => {
  test("counts successes per bin, ignores values outside the edges", () => {
    const z = [0.1, 0.4, 0.6, 0.7, 0.8, 1.5, 2.5];
    const found = [1, 0, 1, 1, 0, 1, 1];
    const b = rateByBin(z, found, [0, 0.5, 1, 2]);
    expect(b.n).toEqual([2, 3, 1]);
    expect(b.k).toEqual([1, 2, 1]);
    expect(b.rate[0]).toBeCloseTo(0.5);
    expect(b.rate[1]).toBeCloseTo(2 / 3);
    expect(b.centre).toEqual([0.25, 0.75, 1.5]);
  });

  test("the uncertainty shrinks like 1/sqrt(n) and is positive at rate 1", () => {
    const many = rateByBin(new Array(400).fill(0.5), Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? 1 : 0)), [0, 1]);
    expect(many.sigma[0]).toBeCloseTo(Math.sqrt(0.25 / 400), 3);
    const perfect = rateByBin([0.5, 0.5, 0.5], [true, true, true], [0, 1]);
    expect(perfect.rate[0]).toBe(1);
    expect(perfect.sigma[0]).toBeGreaterThan(0.05);
    const empty = rateByBin([5], [1], [0, 1]);
    expect(empty.rate[0]).toBeNaN();
  });

  test("bad edges are rejected", () => {
    expect(() => rateByBin([1], [1], [0, 2, 1])).toThrow(/edges must increase/);
  });
});
