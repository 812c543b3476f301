import {
  binPeriodDays,
  fractionWithin,
  frequencyBin,
  logFrequencyBins,
  medianRelativeError,
  outcomeCounts,
  periodFeatureSet,
  periodGuides,
  periodOutcome,
  pooledPeriodogram,
} from "../src/timeseries/period-features";
import { evenLightCurveSet, ONE_SEASON_SURVEY, surveyLightCurveSet } from "../src/timeseries/lightcurve-sets";
import { frequencyGrid, lombScargle } from "../src/timeseries/lombscargle";
import { simulateLightCurve } from "../src/sim/lightcurves";

describe("logarithmic frequency bins", () => {
  const bins = logFrequencyBins(256, 1 / 32, 5);

  test("edges span the range and every bin has the same relative width", () => {
    expect(bins.edgesPerDay.length).toBe(257);
    expect(bins.edgesPerDay[0]).toBeCloseTo(1 / 32, 12);
    expect(bins.edgesPerDay[256]).toBeCloseTo(5, 10);
    const ratios = Array.from({ length: 256 }, (_, i) => bins.edgesPerDay[i + 1] / bins.edgesPerDay[i] - 1);
    ratios.forEach((r) => expect(r).toBeCloseTo(bins.relativeWidth, 10));
    expect(bins.relativeWidth).toBeCloseTo(0.0200, 3);
  });

  test("a frequency's bin contains it; out-of-range frequencies go to the end bins", () => {
    for (const f of [0.04, 0.3, 1.7, 4.9]) {
      const b = frequencyBin(bins, f);
      expect(bins.edgesPerDay[b]).toBeLessThanOrEqual(f);
      expect(bins.edgesPerDay[b + 1]).toBeGreaterThan(f);
      // the bin centre stands for the period to within half a bin
      expect(Math.abs(binPeriodDays(bins, b) * f - 1)).toBeLessThan(bins.relativeWidth / 2 + 1e-12);
    }
    expect(frequencyBin(bins, 0.001)).toBe(0);
    expect(frequencyBin(bins, 50)).toBe(255);
    expect(() => logFrequencyBins(10, 2, 1)).toThrow(/minimumFrequency/);
  });
});

describe("pooled periodogram", () => {
  const bins = logFrequencyBins(128, 1 / 32, 5);
  const lc = simulateLightCurve({ kind: "sinusoid", periodDays: 2.7, amplitudeMag: 0.4, noiseMag: 0.03, sampling: ONE_SEASON_SURVEY, seed: 5 });

  test("each bin holds the highest fine-grid power that falls in it", () => {
    const pooled = pooledPeriodogram(lc.timeDays, lc.mag, bins, { uncertainties: lc.magErr, normalise: false });
    const grid = frequencyGrid(lc.timeDays, { minimumFrequency: 1 / 32, maximumFrequency: 5, samplesPerPeak: 3 });
    const power = lombScargle(lc.timeDays, lc.mag, grid, { uncertainties: lc.magErr });
    const expected = new Float64Array(128);
    grid.forEach((f, j) => {
      const b = frequencyBin(bins, f);
      expected[b] = Math.max(expected[b], power[j]);
    });
    expected.forEach((v, b) => expect(pooled[b]).toBeCloseTo(v, 5));
  });

  test("the strongest bin is the true frequency's, scaled to 1", () => {
    const pooled = pooledPeriodogram(lc.timeDays, lc.mag, bins, { uncertainties: lc.magErr });
    const best = pooled.indexOf(Math.max(...pooled));
    expect(best).toBe(frequencyBin(bins, 1 / 2.7));
    expect(pooled[best]).toBe(1);
  });

  test("periodFeatureSet stacks features row by row with the true-frequency bins as labels", () => {
    const curves = surveyLightCurveSet({ count: 5, seed: 9 });
    const set = periodFeatureSet(curves, bins);
    expect(set.features.length).toBe(5 * 128);
    curves.forEach((c, i) => {
      expect(set.labels[i]).toBe(frequencyBin(bins, 1 / c.periodDays));
      const row = pooledPeriodogram(c.timeDays, c.mag, bins, { uncertainties: c.magErr });
      expect(Array.from(set.features.subarray(i * 128, (i + 1) * 128))).toEqual(Array.from(row));
    });
  });
});

describe("period outcomes", () => {
  test("classifies correct, imprecise, half, double, 1-day aliases and the rest", () => {
    expect(periodOutcome(0.6030, 0.6)).toBe("correct");
    expect(periodOutcome(0.62, 0.6)).toBe("imprecise");
    expect(periodOutcome(0.3, 0.6)).toBe("half");
    expect(periodOutcome(1.2, 0.6)).toBe("double");
    // f = 1/0.6 = 1.667 cycles/day: aliases at 2.667, 0.667, 3.667 and 0.333
    expect(periodOutcome(1 / 2.6667, 0.6)).toBe("1-day alias");
    expect(periodOutcome(1 / 0.6667, 0.6)).toBe("1-day alias");
    expect(periodOutcome(1 / 0.3333, 0.6)).toBe("1-day alias");
    // a long-period star picked up at ~1 day
    expect(periodOutcome(1 / (1 + 1 / 8.5), 8.5)).toBe("1-day alias");
    expect(periodOutcome(0.77, 0.6)).toBe("other");
  });

  test("fractions, medians and counts agree", () => {
    const truth = [1, 2, 3, 4];
    const pred = [1.005, 2.5, 1.5, 4.01];
    expect(fractionWithin(pred, truth)).toBe(0.5);
    expect(medianRelativeError(pred, truth)).toBeCloseTo(0.5 * (0.005 + 0.25), 12);
    const counts = outcomeCounts(pred, truth);
    expect(counts.correct).toBe(2);
    expect(counts.half).toBe(1);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(4);
  });

  test("guide curves pass through the failure modes they name", () => {
    const guides = periodGuides(0.1, 50);
    const at = (name: string, p: number) => {
      const g = guides.find((x) => x.name === name)!;
      const i = g.x.findIndex((x) => x >= p);
      return g.y[i] / g.x[i];
    };
    expect(at("P", 3)).toBeCloseTo(1, 12);
    expect(at("P/2", 3)).toBeCloseTo(0.5, 12);
    expect(at("2P", 3)).toBeCloseTo(2, 12);
    const g = guides.find((x) => x.name === "alias f + 1")!;
    g.x.forEach((p, i) => Number.isFinite(g.y[i]) && expect(1 / g.y[i] - 1 / p).toBeCloseTo(1, 9));
  });
});

describe("light-curve sets", () => {
  test("survey sets are reproducible, use the requested kinds and periods and the noise range", () => {
    const a = surveyLightCurveSet({ count: 20, kinds: ["contact"], periodRangeDays: [0.5, 5], noiseRangeMag: [0.05, 0.06], seed: 2 });
    const b = surveyLightCurveSet({ count: 20, kinds: ["contact"], periodRangeDays: [0.5, 5], noiseRangeMag: [0.05, 0.06], seed: 2 });
    expect(a.map((c) => c.periodDays)).toEqual(b.map((c) => c.periodDays));
    a.forEach((c) => {
      expect(c.kind).toBe("contact");
      expect(c.periodDays).toBeGreaterThanOrEqual(0.5);
      expect(c.periodDays).toBeLessThanOrEqual(5);
      expect(c.magErr[0]).toBeGreaterThanOrEqual(0.05);
      expect(c.magErr[0]).toBeLessThan(0.06);
    });
  });

  test("even sets: signals are magnitudes about the reference, on a shared time grid", () => {
    const set = evenLightCurveSet({ count: 6, nPoints: 32, cadenceDays: 0.2, referenceMag: 14, meanMagScatter: 0, noiseMag: 0, seed: 1 });
    expect(set.timeDays.length).toBe(32);
    expect(set.timeDays[31]).toBeCloseTo(6.2, 12);
    set.signals.forEach((s, i) => {
      expect(s.length).toBe(32);
      s.forEach((v, k) => expect(v).toBeCloseTo(set.curves[i].mag[k] - 14, 12));
      // zero scatter about 14 and a zero-mean template: the curve's mean is near 0
      expect(Math.abs(s.reduce((x, y) => x + y, 0) / 32)).toBeLessThan(0.5);
    });
  });
});
