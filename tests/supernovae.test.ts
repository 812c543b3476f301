import {
  BAND_WAVELENGTH_ANGSTROM,
  FLUXCAL_ZERO_POINT_MAG,
  TransientClass,
  distanceModulusMag,
  drawTransientParams,
  observeTransient,
  simulateTransient,
  simulateTransientSet,
  supernovaModelFlux,
} from "../src/sim/supernovae";
import { Rng } from "../src/random";

const SN_CLASSES: TransientClass[] = ["Ia", "Ibc", "IIP", "IIL", "IIn"];

/** Days from explosion to the band's maximum, and days spent above half of it (dense, noiseless). */
function bandTimescales(cls: TransientClass, redshift: number, band: "r" | "i"): { riseDays: number; aboveHalfDays: number } {
  const p = drawTransientParams(cls, new Rng(11), { redshift, explosionDays: 0 });
  const step = 0.05;
  const t = Float64Array.from({ length: 8000 }, (_, k) => k * step);
  const f = supernovaModelFlux(p, band, t);
  let kMax = 0;
  for (let k = 1; k < f.length; k++) if (f[k] > f[kMax]) kMax = k;
  const above = f.filter((v) => v >= f[kMax] / 2).length;
  return { riseDays: t[kMax], aboveHalfDays: above * step };
}

describe("time dilation", () => {
  // r at z1 and i at z2 sample the same rest wavelength when (1 + z2) / (1 + z1) = λi / λr, so
  // the two light curves must have the same shape, stretched in time by exactly that factor.
  const z1 = 0.1;
  const stretch = BAND_WAVELENGTH_ANGSTROM.i / BAND_WAVELENGTH_ANGSTROM.r;
  const z2 = (1 + z1) * stretch - 1;
  test.each(SN_CLASSES)("%s: observed durations scale as (1 + z)", (cls) => {
    const near = bandTimescales(cls, z1, "r");
    const far = bandTimescales(cls, z2, "i");
    expect(far.riseDays / near.riseDays).toBeCloseTo(stretch, 2);
    expect(far.aboveHalfDays / near.aboveHalfDays).toBeCloseTo(stretch, 2);
  });
});

describe("colours and distances", () => {
  test.each(SN_CLASSES)("%s: observed g − r at maximum reddens monotonically from z = 0.1 to 0.6", (cls) => {
    const colour = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6].map((z) => {
      const p = drawTransientParams(cls, new Rng(5), { redshift: z, explosionDays: 0 });
      const g = supernovaModelFlux(p, "g", [p.peakDays])[0];
      const r = supernovaModelFlux(p, "r", [p.peakDays])[0];
      return -2.5 * Math.log10(g / r);
    });
    for (let k = 1; k < colour.length; k++) expect(colour[k]).toBeGreaterThan(colour[k - 1]);
  });

  test("distance modulus matches flat ΛCDM (H0 = 70, Ωm = 0.3) and apparent peaks follow it", () => {
    expect(distanceModulusMag(0.1)).toBeCloseTo(38.316, 2);
    expect(distanceModulusMag(1.0)).toBeCloseTo(44.10, 1);
    // Rest-frame B at z = 0.1 falls at 4840 Å, near g (4770 Å): g at peak ≈ M + μ − 2.5 log10(1.1)
    const p = drawTransientParams("Ia", new Rng(2), { redshift: 0.1, explosionDays: 0 });
    const gMag = FLUXCAL_ZERO_POINT_MAG - 2.5 * Math.log10(supernovaModelFlux(p, "g", [p.peakDays])[0]);
    expect(Math.abs(gMag - (p.peakAbsMag + p.distanceModulusMag - 2.5 * Math.log10(1.1)))).toBeLessThan(0.1);
  });
});

describe("noise model", () => {
  test("errors follow σ² = (F_lim/5)² + F/G and the scatter matches the errors", () => {
    const survey = { limitingMagScatter: 0, countsPerFluxcal: 10 };
    const rng = new Rng(8);
    const pulls: number[] = [];
    for (let i = 0; i < 60; i++) {
      const p = drawTransientParams("Ia", rng, { redshift: 0.05 + 0.01 * i, explosionDays: 20 });
      const lc = observeTransient(p, survey, rng);
      for (let k = 0; k < lc.flux.length; k++) {
        const sky = 10 ** (-0.4 * (lc.limitingMag[k] - FLUXCAL_ZERO_POINT_MAG)) / 5;
        expect(lc.fluxErr[k]).toBeCloseTo(Math.sqrt(sky * sky + lc.fluxTrue[k] / 10), 8);
        pulls.push((lc.flux[k] - lc.fluxTrue[k]) / lc.fluxErr[k]);
      }
    }
    const mean = pulls.reduce((a, b) => a + b, 0) / pulls.length;
    const sd = Math.sqrt(pulls.reduce((a, b) => a + (b - mean) ** 2, 0) / pulls.length);
    expect(pulls.length).toBeGreaterThan(3000);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(sd - 1)).toBeLessThan(0.04);
  });

  test("S/N grows ∝ F when the sky dominates and ∝ √F when the source does", () => {
    const survey = { limitingMagScatter: 0, countsPerFluxcal: 10 };
    // a bright, nearby IIn and a faint, distant Ia: g-band points spanning both regimes
    const near = observeTransient(drawTransientParams("IIn", new Rng(3), { redshift: 0.02, explosionDays: 0 }), survey, new Rng(4));
    const far = observeTransient(drawTransientParams("Ia", new Rng(3), { redshift: 0.9, explosionDays: 20 }), survey, new Rng(4));
    const sky = 10 ** (-0.4 * (24.2 - FLUXCAL_ZERO_POINT_MAG)) / 5; // g band, same every night here
    const points = [near, far].flatMap((lc) => Array.from(lc.band.keys())
      .filter((k) => lc.band[k] === 0 && lc.fluxTrue[k] > 0)
      .map((k) => ({ flux: lc.fluxTrue[k], snr: lc.fluxTrue[k] / lc.fluxErr[k] })));
    // sky-dominated limit: S/N → F / σ_sky; source-dominated: S/N → √(F G)
    const faint = points.filter((p) => p.flux < 0.05 * sky * sky * 10);
    const bright = points.filter((p) => p.flux > 20 * sky * sky * 10);
    expect(bright.length).toBeGreaterThan(3);
    expect(faint.length).toBeGreaterThan(3);
    for (const p of bright) expect(p.snr / Math.sqrt(p.flux * 10)).toBeGreaterThan(0.97);
    for (const p of faint) expect(p.snr / (p.flux / sky)).toBeGreaterThan(0.97);
    // and in between, the full formula
    for (const p of points) expect(p.snr).toBeCloseTo(p.flux / Math.sqrt(sky * sky + p.flux / 10), 8);
  });
});

describe("samples", () => {
  test("a fixed seed reproduces a sample bit for bit, and each curve from its own seed", () => {
    const a = simulateTransientSet(40, { seed: 77 });
    const b = simulateTransientSet(40, { seed: 77 });
    a.forEach((lc, i) => {
      expect(Buffer.from(lc.flux.buffer).equals(Buffer.from(b[i].flux.buffer))).toBe(true);
      expect(Buffer.from(lc.timeDays.buffer).equals(Buffer.from(b[i].timeDays.buffer))).toBe(true);
      expect(lc.params).toEqual(b[i].params);
    });
    const again = simulateTransient({ cls: a[7].params.cls, seed: a[7].seed });
    expect(Buffer.from(again.flux.buffer).equals(Buffer.from(a[7].flux.buffer))).toBe(true);
    expect(simulateTransientSet(5, { seed: 78 })[0].flux).not.toEqual(a[0].flux);
  });

  test("class fractions follow the requested mix", () => {
    const mix = { Ia: 0.5, IIP: 0.3, AGN: 0.2 };
    const n = 2000;
    const set = simulateTransientSet(n, { mix, seed: 5 });
    for (const [cls, frac] of Object.entries(mix)) {
      const got = set.filter((lc) => lc.params.cls === cls).length / n;
      expect(Math.abs(got - frac)).toBeLessThan(3 * Math.sqrt((frac * (1 - frac)) / n));
    }
  });

  test("every curve in a sample is detected, starts before, at or after peak, and is time-ordered", () => {
    const set = simulateTransientSet(200, { seed: 6 });
    let prePeak = 0;
    for (const lc of set) {
      expect(lc.nDetections).toBeGreaterThanOrEqual(2);
      for (let k = 1; k < lc.timeDays.length; k++) expect(lc.timeDays[k]).toBeGreaterThanOrEqual(lc.timeDays[k - 1]);
      if (lc.params.cls !== "AGN" && lc.timeDays[0] < lc.params.peakDays) prePeak++;
    }
    const sn = set.filter((lc) => lc.params.cls !== "AGN").length;
    expect(prePeak / sn).toBeGreaterThan(0.5);
    expect(prePeak / sn).toBeLessThan(0.99);
  });

  test("bad input names the function and the value", () => {
    expect(() => simulateTransient({ cls: "SLSN" as TransientClass })).toThrow(/simulateTransient.*SLSN/);
    expect(() => simulateTransientSet(10, { mix: { Ia: -1 } })).toThrow(/mix fraction of Ia/);
    expect(() => distanceModulusMag(-0.1)).toThrow(/redshift must be > 0/);
    expect(() => simulateTransient({ survey: { nightFraction: 2 } })).toThrow(/nightFraction.*2/);
  });
});
