import { Rng } from "../src/random";
import { BOGUS_KINDS, CandidateKind, simulateTransientBatch, simulateTransientStamp } from "../src/sim/transients";
import { measurePsfFlux } from "../src/sim/sky";
import { gaussianPsf, renderPsf } from "../src/sim/psf";

const S = 31;
const C = 15;

/** Sums of the positive and negative pixels of a noiseless difference within `r` of (x, y). */
function lobes(d: Float32Array, x: number, y: number, r: number) {
  let pos = 0;
  let neg = 0;
  for (let j = 0; j < S; j++) for (let i = 0; i < S; i++) {
    if ((i - x) ** 2 + (j - y) ** 2 > r * r) continue;
    const v = d[j * S + i];
    if (v > 0) pos += v;
    else neg -= v;
  }
  return { pos, neg, net: pos - neg };
}

describe("real/bogus triplets", () => {
  test("a batch has exactly the requested real fraction, consistent labels and kinds, and tfjs layout", () => {
    const b = simulateTransientBatch(120, { realFraction: 0.25, seed: 8 });
    expect(b.labels.reduce((a, v) => a + v, 0)).toBe(30);
    b.truths.forEach((t, i) => {
      expect(t.label).toBe(b.labels[i]);
      expect(t.label === 1).toBe(t.kind === "transient");
    });
    // Every bogus kind shows up with the default mix.
    const kinds = new Set(b.truths.map((t) => t.kind));
    for (const k of BOGUS_KINDS) expect(kinds.has(k)).toBe(true);
    expect(b.x.length).toBe(120 * S * S * 3);
    const x = b.xTensor();
    expect(x.shape).toEqual([120, S, S, 3]);
    x.dispose();
    // Reals are not all first: the order is shuffled.
    expect(Array.from(b.labels.slice(0, 30)).every((v) => v === 1)).toBe(false);
    expect(simulateTransientBatch(10, { realFraction: 0, seed: 1 }).labels.every((v) => v === 0)).toBe(true);
  });

  test("the same seed reproduces a batch exactly", () => {
    const a = simulateTransientBatch(12, { seed: 21 });
    const b = simulateTransientBatch(12, { seed: 21 });
    const c = simulateTransientBatch(12, { seed: 22 });
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(a.truths).toEqual(b.truths);
    expect(Array.from(a.x)).not.toEqual(Array.from(c.x));
  });

  test("a real transient's difference holds its injected flux at its position (noiseless and with noise)", () => {
    const rng = new Rng(31);
    const pulls: number[] = [];
    const noiselessRatios: number[] = [];
    for (let k = 0; k < 120; k++) {
      const st = simulateTransientStamp("transient", { rng: rng.fork(), includeNoiseless: true, strayCosmicRayRate: 0 });
      const t = st.truth;
      const psf = gaussianPsf(t.sciFwhmPix);
      // PSF-fit photometry on the difference (background 0, noise σ_D).
      const rnEquiv = t.diffSigmaCounts; // background variance of D, as "read noise" with zero sky and gain 1
      const clean = measurePsfFlux(st.noiseless!.difference, S, S, psf, t.xPix, t.yPix, 0, rnEquiv, 1, t.fluxCounts);
      noiselessRatios.push(clean.fluxCounts / t.fluxCounts);
      const noisy = measurePsfFlux(st.difference, S, S, psf, t.xPix, t.yPix, 0, rnEquiv, 1, t.fluxCounts);
      pulls.push((noisy.fluxCounts - t.fluxCounts) / noisy.fluxErrCounts);
    }
    noiselessRatios.sort((a, b) => a - b);
    const median = noiselessRatios[60];
    expect(Math.abs(median - 1)).toBeLessThan(0.01);
    // Hosts and field stars leave small residuals; nearly all stamps are within 5 %.
    expect(noiselessRatios.filter((r) => Math.abs(r - 1) < 0.05).length).toBeGreaterThan(108);
    const mean = pulls.reduce((a, v) => a + v, 0) / pulls.length;
    const sd = Math.sqrt(pulls.reduce((a, v) => a + (v - mean) ** 2, 0) / (pulls.length - 1));
    expect(Math.abs(mean)).toBeLessThan(0.35);
    // σ_D treats the reference's convolved noise as white, and residuals add scatter: within 30 %.
    expect(sd).toBeGreaterThan(0.8);
    expect(sd).toBeLessThan(1.3);
  });

  test("a misaligned bright star leaves a dipole with near-zero net flux; a real source is one-signed", () => {
    const rng = new Rng(5);
    for (let k = 0; k < 20; k++) {
      const st = simulateTransientStamp("dipole", { rng: rng.fork(), includeNoiseless: true, fieldStarsPerStamp: 0, hostFraction: 0, strayCosmicRayRate: 0 });
      const t = st.truth;
      const shift = Math.hypot(...t.shiftPix);
      expect(shift).toBeGreaterThanOrEqual(0.3);
      const l = lobes(st.noiseless!.difference, t.xPix, t.yPix, 4 * t.sciFwhmPix);
      expect(Math.abs(l.net)).toBeLessThan(0.02 * t.fluxCounts);
      // Both lobes are strong (each ≈ shift × the PSF's gradient: several % of the flux)…
      expect(l.pos).toBeGreaterThan(0.03 * t.fluxCounts);
      expect(l.neg).toBeGreaterThan(0.03 * t.fluxCounts);
      expect(l.neg / l.pos).toBeGreaterThan(0.9); // …and balanced
    }
    const real = simulateTransientStamp("transient", { seed: 2, includeNoiseless: true, fieldStarsPerStamp: 0, hostFraction: 0 });
    const lr = lobes(real.noiseless!.difference, real.truth.xPix, real.truth.yPix, 4 * real.truth.sciFwhmPix);
    expect(lr.neg).toBeLessThan(0.02 * lr.pos);
    expect(lr.net / real.truth.fluxCounts).toBeCloseTo(1, 1);
  });

  test("PSF-mismatch residuals are rings with near-zero net flux; static stars subtract cleanly in good stamps", () => {
    const rng = new Rng(6);
    for (let k = 0; k < 10; k++) {
      const st = simulateTransientStamp("psf-mismatch", { rng: rng.fork(), includeNoiseless: true, fieldStarsPerStamp: 0, hostFraction: 0, strayCosmicRayRate: 0 });
      const l = lobes(st.noiseless!.difference, st.truth.xPix, st.truth.yPix, 5 * st.truth.sciFwhmPix);
      expect(Math.abs(l.net)).toBeLessThan(0.06 * st.truth.fluxCounts); // scale error ≤ 5 %
      expect(l.pos + l.neg).toBeGreaterThan(0.05 * st.truth.fluxCounts);
    }
    // Perfect registration, kernel and photometry: a field of static stars vanishes from the difference.
    const clean = simulateTransientStamp("edge", {
      seed: 3, includeNoiseless: true, fieldStarsPerStamp: 6, fieldStarMagRange: [15, 17], hostFraction: 1,
      registrationErrorPix: 0, kernelFwhmError: 0, photometricScaleError: 0, strayCosmicRayRate: 0,
    });
    // Compare away from the zero-filled edge region.
    const d = clean.noiseless!.difference;
    const sci = clean.noiseless!.science;
    let resid = 0, signal = 0;
    for (let p = 0; p < d.length; p++) if (sci[p] > 0) { resid += Math.abs(d[p]); signal += sci[p] - clean.truth.sciSkyCountsPerPix; }
    expect(resid / signal).toBeLessThan(0.01);
  });

  test("a cosmic ray is only in the science image and is sharper than the PSF", () => {
    const rng = new Rng(9);
    let sharper = 0;
    const n = 30;
    for (let k = 0; k < n; k++) {
      const st = simulateTransientStamp("cosmic-ray", { rng: rng.fork(), includeNoiseless: true, strayCosmicRayRate: 0 });
      const d = st.noiseless!.difference;
      let p = 0;
      for (let i = 1; i < d.length; i++) if (d[i] > d[p]) p = i;
      // The reference does not know about it: the noiseless reference there is just sky + scene.
      expect(st.noiseless!.science[p] - st.truth.sciSkyCountsPerPix).toBeGreaterThan(10 * Math.abs(st.noiseless!.reference[p] - st.truth.refSkyCountsPerPix) - 1);
      const psfPeak = Math.max(...renderPsf(gaussianPsf(st.truth.sciFwhmPix)));
      if (d[p] / st.truth.fluxCounts > psfPeak) sharper++;
    }
    expect(sharper / n).toBeGreaterThan(0.8);
  });

  test("bad columns are vertical; edge stamps are zero-filled; saturated stars bleed in the science image", () => {
    const rng = new Rng(12);
    for (let k = 0; k < 8; k++) {
      const st = simulateTransientStamp("bad-column", { rng: rng.fork(), includeNoiseless: true });
      const x = Math.round(st.truth.xPix);
      // Pixels of the flagged column differ from their row neighbours far more than noise allows.
      let dev = 0, rows = 0;
      for (let y = 0; y < S; y++) {
        const v = st.noiseless!.science[y * S + x];
        const nb = 0.5 * (st.noiseless!.science[y * S + x - 1] + st.noiseless!.science[y * S + x + 1]);
        if (Math.abs(v - nb) > 5 * st.truth.sciSigmaCounts) { dev++; rows++; } else rows++;
      }
      expect(dev).toBeGreaterThanOrEqual(C / 2);
      expect(rows).toBe(S);
    }
    const edge = simulateTransientStamp("edge", { seed: 4 });
    const zeros = Array.from(edge.science).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThanOrEqual(S); // at least a full row or column
    expect(edge.science[C * S + C]).not.toBe(0); // the candidate itself is on the chip
    const sat = simulateTransientStamp("saturated-star", { seed: 13 });
    expect(Math.max(...sat.science)).toBe(30000);
    expect(sat.truth.fluxCounts).toBeGreaterThan(5e5);
  });

  test("normalisation options: 'l2' gives unit-norm channels, 'sigma' unit background noise", () => {
    const l2 = simulateTransientBatch(4, { seed: 3, normalise: "l2" });
    for (let i = 0; i < 4; i++) for (let k = 0; k < 3; k++) {
      let s = 0;
      for (let p = 0; p < S * S; p++) s += l2.x[(i * S * S + p) * 3 + k] ** 2;
      expect(s).toBeCloseTo(1, 4);
    }
    const sg = simulateTransientBatch(40, { seed: 3, normalise: "sigma", bogusMix: { "hot-pixel": 1 }, realFraction: 0, fieldStarsPerStamp: 0, hostFraction: 0, strayCosmicRayRate: 0 });
    for (const k of [0, 1]) {
      const v: number[] = [];
      for (let i = 0; i < 40; i++) for (let p = 0; p < S * S; p++) if (p !== C * S + C && p % 7 === 0) v.push(sg.x[(i * S * S + p) * 3 + k]);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
      expect(Math.abs(m)).toBeLessThan(0.1);
      expect(Math.abs(sd - 1)).toBeLessThan(0.1);
    }
  });

  test("generation is fast enough for training sets", () => {
    const c0 = process.cpuUsage();
    simulateTransientBatch(200, { seed: 1 });
    const c = process.cpuUsage(c0);
    const rate = 200 / ((c.user + c.system) / 1e6);
    // eslint-disable-next-line no-console
    console.log(`simulateTransientBatch: ${rate.toFixed(0)} 31×31×3 triplets per CPU second`);
    expect(rate).toBeGreaterThan(100);
    const kinds: CandidateKind[] = ["transient", ...BOGUS_KINDS];
    expect(kinds.length).toBe(8);
  });
});
