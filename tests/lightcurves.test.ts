import {
  TYPICAL_PERIOD_DAYS,
  VARIABLE_KINDS,
  phaseFold,
  sampleTimes,
  simulateLightCurve,
  variableShape,
} from "../src/sim/lightcurves";
import { Rng } from "../src/random";

function ptp(a: ArrayLike<number>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < a.length; k++) {
    lo = Math.min(lo, a[k]);
    hi = Math.max(hi, a[k]);
  }
  return hi - lo;
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k];
  return s / a.length;
}

/** Amplitude of harmonic k of a template sampled on a uniform phase grid (direct Fourier sum). */
function harmonicAmplitude(values: Float64Array, k: number): number {
  let c = 0;
  let s = 0;
  const n = values.length;
  for (let j = 0; j < n; j++) {
    c += (2 / n) * values[j] * Math.cos((2 * Math.PI * k * j) / n);
    s += (2 / n) * values[j] * Math.sin((2 * Math.PI * k * j) / n);
  }
  return Math.hypot(c, s);
}

describe("variable-star templates", () => {
  const grid = Float64Array.from({ length: 2000 }, (_, j) => j / 2000);

  test("every template is periodic with zero mean and unit peak-to-peak amplitude", () => {
    for (const kind of VARIABLE_KINDS) {
      const v = grid.map((p) => variableShape(kind, p));
      expect(Math.abs(mean(v))).toBeLessThan(2e-3);
      expect(Math.abs(ptp(v) - 1)).toBeLessThan(2e-3);
      for (const p of [0.1, 0.37, 0.8]) expect(variableShape(kind, p + 3)).toBeCloseTo(variableShape(kind, p), 10);
    }
  });

  test("RR Lyrae rise fast and fade slowly, Cepheids rise more slowly; a sinusoid is symmetric", () => {
    const riseFraction = (kind: "rrlyrae" | "cepheid" | "sinusoid") => {
      let rising = 0;
      for (let j = 0; j < grid.length; j++) {
        // brightening = magnitude decreasing
        if (variableShape(kind, grid[j] + 1e-4) < variableShape(kind, grid[j])) rising++;
      }
      return rising / grid.length;
    };
    expect(riseFraction("rrlyrae")).toBeGreaterThan(0.07);
    expect(riseFraction("rrlyrae")).toBeLessThan(0.2);
    expect(riseFraction("cepheid")).toBeGreaterThan(0.25);
    expect(riseFraction("cepheid")).toBeLessThan(0.4);
    expect(riseFraction("sinusoid")).toBeCloseTo(0.5, 2);
  });

  test("RRab Fourier amplitude ratios R21 ~ 0.5, R31 ~ 0.3 (Simon & Teays 1982); a sinusoid has no harmonics", () => {
    const rr = grid.map((p) => variableShape("rrlyrae", p));
    const r21 = harmonicAmplitude(rr, 2) / harmonicAmplitude(rr, 1);
    const r31 = harmonicAmplitude(rr, 3) / harmonicAmplitude(rr, 1);
    expect(r21).toBeGreaterThan(0.4);
    expect(r21).toBeLessThan(0.6);
    expect(r31).toBeGreaterThan(0.2);
    expect(r31).toBeLessThan(0.4);
    const sine = grid.map((p) => variableShape("sinusoid", p));
    expect(harmonicAmplitude(sine, 1)).toBeCloseTo(0.5, 6);
    expect(harmonicAmplitude(sine, 2)).toBeLessThan(1e-9);
  });

  test("a detached binary is flat between eclipses; the secondary eclipse is 0.4 of the primary", () => {
    const v = grid.map((p) => variableShape("eclipsing", p));
    const outside = Math.min(...Array.from(v));
    let flat = 0;
    for (const x of v) if (x - outside < 1e-6) flat++;
    expect(flat / v.length).toBeGreaterThan(0.8);
    const primary = variableShape("eclipsing", 0) - outside;
    const secondary = variableShape("eclipsing", 0.5) - outside;
    expect(primary).toBeCloseTo(1, 6);
    expect(secondary / primary).toBeCloseTo(0.4, 6);
  });

  test("a contact binary has two minima per orbit, the primary slightly deeper", () => {
    const primary = variableShape("contact", 0);
    const secondary = variableShape("contact", 0.5);
    const maximum = variableShape("contact", 0.25);
    expect(primary).toBeGreaterThan(secondary);
    expect(secondary - maximum).toBeGreaterThan(0.8);
  });
});

describe("simulated light curves", () => {
  test("evenly sampled light curve has the requested period, amplitude and mean", () => {
    const P = 1.7;
    const lc = simulateLightCurve({
      kind: "rrlyrae",
      periodDays: P,
      amplitudeMag: 0.8,
      meanMag: 16.2,
      noiseMag: 0,
      sampling: { kind: "even", nPoints: 1700, cadenceDays: 0.01 }, // 10 cycles exactly
      seed: 1,
    });
    expect(lc.timeDays[1] - lc.timeDays[0]).toBeCloseTo(0.01, 12);
    expect(Math.abs(ptp(lc.magTrue) - 0.8)).toBeLessThan(2e-3);
    expect(Math.abs(mean(lc.magTrue) - 16.2)).toBeLessThan(1e-3);
    // one period later the star is back where it was
    for (let k = 0; k + 170 < lc.timeDays.length; k += 97) expect(lc.magTrue[k + 170]).toBeCloseTo(lc.magTrue[k], 9);
    // the discrete Fourier transform of the even series peaks at the bin of 1/P (10 cycles in the span)
    const n = lc.mag.length;
    const m = mean(lc.mag);
    let bestBin = 0;
    let bestPower = 0;
    for (let bin = 1; bin < 60; bin++) {
      let c = 0;
      let s = 0;
      for (let j = 0; j < n; j++) {
        c += (lc.mag[j] - m) * Math.cos((2 * Math.PI * bin * j) / n);
        s += (lc.mag[j] - m) * Math.sin((2 * Math.PI * bin * j) / n);
      }
      if (c * c + s * s > bestPower) {
        bestPower = c * c + s * s;
        bestBin = bin;
      }
    }
    expect(bestBin).toBe(10);
  });

  test("noise has the requested standard deviation and is reported per point", () => {
    const lc = simulateLightCurve({ kind: "cepheid", periodDays: 5.3, amplitudeMag: 0.6, noiseMag: 0.05, seed: 4,
      sampling: { kind: "even", nPoints: 4000, cadenceDays: 0.1 } });
    const resid = lc.mag.map((v, k) => v - lc.magTrue[k]);
    const sd = Math.sqrt(mean(resid.map((r) => r * r)));
    expect(Math.abs(sd / 0.05 - 1)).toBeLessThan(0.05);
    expect(Array.from(lc.magErr).every((e) => e === 0.05)).toBe(true);
  });

  test("survey sampling: nightly visits near transit, weather losses and a seasonal gap every year", () => {
    const t = sampleTimes({ kind: "survey", durationDays: 3 * 365.25, seasonLengthDays: 240, nightFraction: 0.4 }, new Rng(7));
    for (let k = 1; k < t.length; k++) expect(t[k]).toBeGreaterThanOrEqual(t[k - 1]);
    // nothing observed in the part of the year when the object is behind the Sun
    // (half a day of slack: a visit can fall an hour or two before midnight of the season's first night)
    for (const x of t) expect((x + 0.5) % 365.25).toBeLessThan(241);
    // observations cluster near integer days (transit), giving the 1 cycle/day alias
    const offsets = Array.from(t, (x) => Math.abs(x - Math.round(x)));
    expect(mean(offsets)).toBeLessThan(0.1);
    // expected number of nights: 3 seasons × 240 nights × 40 % clear
    expect(Math.abs(t.length - 3 * 240 * 0.4)).toBeLessThan(4 * Math.sqrt(3 * 240 * 0.4));
    const gaps = Array.from(t.slice(1), (x, k) => x - t[k]).filter((g) => g > 100);
    expect(gaps.length).toBe(2);
  });

  test("phase folding at the true period lines the points up on the template", () => {
    const lc = simulateLightCurve({ kind: "eclipsing", periodDays: 3.21, amplitudeMag: 0.9, noiseMag: 0, phase0: 0.3, seed: 8 });
    const phase = phaseFold(lc.timeDays, lc.periodDays);
    for (let k = 0; k < lc.timeDays.length; k++) {
      const expected = lc.meanMag + 0.9 * variableShape("eclipsing", phase[k] + 0.3);
      expect(lc.magTrue[k]).toBeCloseTo(expected, 9);
    }
  });

  test("periods and amplitudes drawn from the class ranges when not given", () => {
    for (const kind of VARIABLE_KINDS) {
      for (let seed = 0; seed < 5; seed++) {
        const lc = simulateLightCurve({ kind, seed, sampling: { kind: "even", nPoints: 10, cadenceDays: 1 } });
        expect(lc.periodDays).toBeGreaterThanOrEqual(TYPICAL_PERIOD_DAYS[kind][0]);
        expect(lc.periodDays).toBeLessThanOrEqual(TYPICAL_PERIOD_DAYS[kind][1]);
        expect(lc.amplitudeMag).toBeGreaterThan(0);
      }
    }
  });

  test("same seed, same light curve; another seed, another one", () => {
    const a = simulateLightCurve({ kind: "rrlyrae", seed: 12 });
    const b = simulateLightCurve({ kind: "rrlyrae", seed: 12 });
    const c = simulateLightCurve({ kind: "rrlyrae", seed: 13 });
    expect(Array.from(b.timeDays)).toEqual(Array.from(a.timeDays));
    expect(Array.from(b.mag)).toEqual(Array.from(a.mag));
    expect(b.periodDays).toBe(a.periodDays);
    expect(c.periodDays).not.toBe(a.periodDays);
    const df = a.toDataFrame();
    expect(df.height).toBe(a.timeDays.length);
    expect(df.columns).toEqual(["time_days", "mag", "mag_err", "mag_true"]);
  });
});
