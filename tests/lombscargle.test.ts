import { bestPeriod, frequencyGrid, lombScargle, sinusoidFitPower } from "../src/timeseries/lombscargle";
import { simulateLightCurve } from "../src/sim/lightcurves";
import { Rng } from "../src/random";

/** Textbook Scargle (1982) periodogram with the time offset tau, unit weights, for cross-checking. */
function scargleTau(t: ArrayLike<number>, y: ArrayLike<number>, f: number): number {
  const n = t.length;
  const w = 2 * Math.PI * f;
  let ybar = 0;
  for (let k = 0; k < n; k++) ybar += y[k] / n;
  let s2 = 0;
  let c2 = 0;
  for (let k = 0; k < n; k++) {
    s2 += Math.sin(2 * w * t[k]);
    c2 += Math.cos(2 * w * t[k]);
  }
  const tau = Math.atan2(s2, c2) / (2 * w);
  let yc = 0;
  let ys = 0;
  let cc = 0;
  let ss = 0;
  for (let k = 0; k < n; k++) {
    const c = Math.cos(w * (t[k] - tau));
    const s = Math.sin(w * (t[k] - tau));
    yc += (y[k] - ybar) * c;
    ys += (y[k] - ybar) * s;
    cc += c * c;
    ss += s * s;
  }
  return 0.5 * (yc * yc / cc + ys * ys / ss);
}

describe("Lomb-Scargle periodogram", () => {
  const lc = simulateLightCurve({ kind: "sinusoid", periodDays: 0.731, amplitudeMag: 0.3, noiseMag: 0.08, seed: 2 });
  const errors = Float64Array.from(lc.magErr, (e, k) => e * (1 + (k % 3))); // unequal weights
  const freqs = [0.05, 0.4, 1 / 0.731, 2.2, 3.9, 7.3];

  test("generalised power equals a direct weighted least-squares fit of sinusoid + constant", () => {
    const p = lombScargle(lc.timeDays, lc.mag, freqs, { uncertainties: errors });
    freqs.forEach((f, j) => {
      expect(p[j]).toBeCloseTo(sinusoidFitPower(lc.timeDays, lc.mag, f, { uncertainties: errors }).power, 9);
    });
  });

  test("classic power equals the fit without a constant and Scargle's tau formula", () => {
    const p = lombScargle(lc.timeDays, lc.mag, freqs, { fitMean: false });
    const psd = lombScargle(lc.timeDays, lc.mag, freqs, { fitMean: false, normalization: "psd" });
    freqs.forEach((f, j) => {
      expect(p[j]).toBeCloseTo(sinusoidFitPower(lc.timeDays, lc.mag, f, { fitMean: false }).power, 9);
      expect(psd[j] / scargleTau(lc.timeDays, lc.mag, f)).toBeCloseTo(1, 9);
    });
  });

  test("the fast rotation recurrence on an even grid matches direct evaluation", () => {
    const grid = frequencyGrid(lc.timeDays, { maximumFrequency: 4, samplesPerPeak: 10 });
    expect(grid.length).toBeGreaterThan(2000); // several re-anchoring blocks
    const fast = lombScargle(lc.timeDays, lc.mag, grid, { uncertainties: lc.magErr });
    const picks = [0, 1, 511, 512, 513, 1777, grid.length - 1];
    // a grid that is not evenly spaced takes the direct path
    const direct = lombScargle(lc.timeDays, lc.mag, [...picks.map((j) => grid[j]), 100], { uncertainties: lc.magErr });
    picks.forEach((j, i) => expect(fast[j]).toBeCloseTo(direct[i], 9));
  });

  test("recovers a known period from unevenly sampled survey data", () => {
    const cases: { kind: "sinusoid" | "rrlyrae" | "cepheid"; periodDays: number }[] = [
      { kind: "sinusoid", periodDays: 0.4137 },
      { kind: "rrlyrae", periodDays: 0.5623 },
      { kind: "rrlyrae", periodDays: 0.7012 },
      { kind: "cepheid", periodDays: 11.38 },
    ];
    cases.forEach(({ kind, periodDays }, i) => {
      const curve = simulateLightCurve({ kind, periodDays, amplitudeMag: 0.5, noiseMag: 0.05, seed: 100 + i });
      const baseline = curve.timeDays[curve.timeDays.length - 1] - curve.timeDays[0];
      const res = bestPeriod(curve.timeDays, curve.mag, { uncertainties: curve.magErr, maximumFrequency: 5 });
      // the peak width in frequency is ~1/T: the period is good to ~P²/T, far better than 1e-3
      expect(Math.abs(res.frequencyPerDay - 1 / periodDays)).toBeLessThan(0.1 / baseline);
      expect(Math.abs(res.periodDays / periodDays - 1)).toBeLessThan(1e-3);
      expect(res.power).toBeGreaterThan(0.5);
    });
  });

  test("a contact binary shows up at half its orbital period", () => {
    const curve = simulateLightCurve({ kind: "contact", periodDays: 0.3712, amplitudeMag: 0.4, noiseMag: 0.02, seed: 5 });
    const res = bestPeriod(curve.timeDays, curve.mag, { maximumFrequency: 10 });
    expect(res.periodDays / (0.3712 / 2)).toBeCloseTo(1, 3);
  });

  test("pure noise gives the null-hypothesis mean power 2/(N-1)", () => {
    const rng = new Rng(17);
    const n = 150;
    const t = Float64Array.from({ length: n }, () => rng.uniform(0, 500)).sort();
    const y = Float64Array.from({ length: n }, () => rng.normal(0, 1));
    const grid = frequencyGrid(t, { maximumFrequency: 2, samplesPerPeak: 1 });
    const p = lombScargle(t, y, grid);
    let m = 0;
    for (const v of p) m += v / p.length;
    expect(m / (2 / (n - 1))).toBeGreaterThan(0.85);
    expect(m / (2 / (n - 1))).toBeLessThan(1.15);
  });

  test("frequency grid: step 1/(samplesPerPeak*T) between the requested limits", () => {
    const t = [0, 1.5, 3, 100];
    const g = frequencyGrid(t, { samplesPerPeak: 4, minimumFrequency: 0.1, maximumFrequency: 2 });
    expect(g[1] - g[0]).toBeCloseTo(1 / 400, 12);
    expect(g[0]).toBe(0.1);
    expect(g[g.length - 1]).toBeLessThanOrEqual(2);
    expect(g[g.length - 1]).toBeGreaterThan(2 - 1 / 400);
    const res = bestPeriod(lc.timeDays, lc.mag, { minPeriodDays: 0.5, maxPeriodDays: 1 });
    expect(res.frequencyGridPerDay[0]).toBeCloseTo(1, 12);
    expect(res.periodDays).toBeCloseTo(0.731, 3);
  });
});
