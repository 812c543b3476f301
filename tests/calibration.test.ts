/**
 * Calibration metrics on draws whose calibration is known: Gaussian errors with the right σ
 * cover 68.3/95.5/99.7 %; σ too small by 2 is found by the scale fit; heavy-tailed errors that
 * no single scale can fix are fixed by quantile recalibration on held-out data; labels drawn
 * from the predicted probabilities give a small ECE, labels drawn from other probabilities a large one.
 */
import { Rng } from "../src/random";
import {
  SIGMA_LEVELS, coverageCurve, fitQuantileRecalibration, fitSigmaScale, gaussianCoverage, intervalCoverage, normalCdf, reliabilityDiagram,
} from "../src/metrics/calibration";

const rng = new Rng(17);
function draws(n: number, errorSd: number, tails: "gauss" | "student3") {
  const mean = Array.from({ length: n }, () => rng.normal(0, 3));
  const sigma = Array.from({ length: n }, () => 0.5 + rng.random());
  const y = mean.map((m, i) => {
    let e = rng.normal();
    if (tails === "student3") {
      const chi2 = [0, 1, 2].reduce((a) => a + rng.normal() ** 2, 0);
      e = rng.normal() / Math.sqrt(chi2 / 3);
    }
    return m + errorSd * sigma[i] * e;
  });
  return { y, mean, sigma };
}

test("normalCdf matches known values", () => {
  expect(normalCdf(0)).toBeCloseTo(0.5, 6); // erf is accurate to ~1e-7
  expect(normalCdf(1) - normalCdf(-1)).toBeCloseTo(0.682689, 5);
  expect(normalCdf(1.959964)).toBeCloseTo(0.975, 5);
});

test("calibrated Gaussian errors cover the nominal 68.3/95.5/99.7 %", () => {
  const { y, mean, sigma } = draws(20000, 1, "gauss");
  SIGMA_LEVELS.forEach((c) => expect(Math.abs(gaussianCoverage(y, mean, sigma, c) - c)).toBeLessThan(0.01));
  const curve = coverageCurve(y, mean, sigma);
  curve.nominal.forEach((c, k) => expect(Math.abs(curve.observed[k] - c)).toBeLessThan(0.015));
  expect(fitSigmaScale(y, mean, sigma)).toBeCloseTo(1, 1);
});

test("overconfident σ: coverage too low, and the scale fit recovers the factor", () => {
  const { y, mean, sigma } = draws(20000, 2, "gauss");
  expect(gaussianCoverage(y, mean, sigma, 0.6827)).toBeCloseTo(0.383, 1); // P(|z| < 0.5)
  const s = fitSigmaScale(y, mean, sigma);
  expect(s).toBeGreaterThan(1.95);
  expect(s).toBeLessThan(2.05);
});

test("heavy tails: quantile recalibration fitted on validation data fixes test coverage at every level", () => {
  const val = draws(5000, 1, "student3");
  const test = draws(5000, 1, "student3");
  const s = fitSigmaScale(val.y, val.mean, val.sigma);
  const scaled = test.sigma.map((v) => v * s);
  // One scale fixes the variance, but Student-t(3) errors then over-cover at 68 % and under-cover far out.
  expect(gaussianCoverage(test.y, test.mean, scaled, 0.6827)).toBeGreaterThan(0.75);
  const recal = fitQuantileRecalibration(val.y, val.mean, val.sigma);
  for (const c of SIGMA_LEVELS) {
    const { lower, upper } = recal.interval(test.mean, test.sigma, c);
    expect(Math.abs(intervalCoverage(test.y, lower, upper) - c)).toBeLessThan(0.02);
  }
  expect(recal.calibrate(recal.inverse(0.3))).toBeCloseTo(0.3, 6);
  expect(() => fitQuantileRecalibration([1], [1], [1])).toThrow(/at least 20 calibration objects, got 1/);
});

test("reliability diagram and ECE of class probabilities", () => {
  const p = Array.from({ length: 20000 }, () => rng.random());
  const honest = p.map((v) => (rng.random() < v ? 1 : 0));
  const overconfident = p.map((v) => (rng.random() < 0.5 + 0.5 * (v - 0.5) ? 1 : 0));
  const good = reliabilityDiagram(honest, p);
  const bad = reliabilityDiagram(overconfident, p);
  expect(good.expectedCalibrationError).toBeLessThan(0.02);
  expect(bad.expectedCalibrationError).toBeGreaterThan(0.1);
  expect(good.bins.reduce((a, b) => a + b.count, 0)).toBe(20000);
  expect(() => reliabilityDiagram([0, 2], [0.1, 0.2])).toThrow(/labels must be 0 or 1, got 2 at index 1/);
  expect(() => gaussianCoverage([1], [1], [0], 0.5)).toThrow(/sigma must be > 0, got 0 at index 0/);
});
