import { Rng } from "../src/random";
import {
  FWHM_PER_SIGMA,
  Psf,
  addPointSource,
  gaussianPsf,
  measureFwhmPix,
  moffatAlphaPix,
  moffatPsf,
  psfDensity,
  psfEnclosedFraction,
  renderPsf,
} from "../src/sim/psf";
import {
  defaultSersicTruncationReff,
  renderGalaxyStamp,
  renderSersic,
  sersicBn,
  sersicBnCiottiBertin,
  sersicEnclosedFraction,
  sersicIntensityAtReff,
  sersicTotalFlux,
} from "../src/sim/galaxy";
import { gammaP, lnGamma } from "../src/sim/special";
import { MASK, bleedColumns, depositCosmicRay, drawCosmicRay, poissonDraw, readOut } from "../src/sim/detector";
import { expectedSnr, magToCounts, countsToMag, measurePsfFlux, simulateSkyBatch, simulateSkyImage } from "../src/sim/sky";
import { imageToRows, convolve2d } from "../src/sim/image";

const sum = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};
const meanVar = (a: ArrayLike<number>) => {
  const m = sum(a) / a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i] - m) ** 2;
  return { mean: m, variance: v / (a.length - 1) };
};

describe("PSF", () => {
  const psfs: Psf[] = [gaussianPsf(1), gaussianPsf(2.5), gaussianPsf(3, 0.3, 40), moffatPsf(1.2, 2.5), moffatPsf(3), moffatPsf(5, 3, 0.2, 100)];

  test("a rendered PSF sums to 1, and before renormalisation it holds the analytic flux inside the stamp even for FWHM ≈ 1 pixel", () => {
    for (const psf of psfs) {
      expect(Math.abs(sum(renderPsf(psf)) - 1)).toBeLessThan(1e-6);
      if (psf.ellipticity) continue;
      const n = 25;
      const raw = sum(renderPsf(psf, { sizePix: n, normalise: false }));
      // The square stamp contains the inscribed circle and is inside the circumscribed one.
      expect(raw).toBeGreaterThanOrEqual(psfEnclosedFraction(psf, (n - 1) / 2 + 0.5) - 2e-5);
      expect(raw).toBeLessThanOrEqual(psfEnclosedFraction(psf, ((n - 1) / 2 + 0.5) * Math.SQRT2) + 2e-5);
    }
    // Sampling at pixel centres instead of integrating gets a 1-pixel star badly wrong.
    const sampled = sum(renderPsf(gaussianPsf(1), { sizePix: 9, oversample: 1, normalise: false }));
    expect(Math.abs(sampled - 1)).toBeGreaterThan(0.05);
  });

  test("pixel values are the integral of the profile over the pixel (independent 2-D Simpson integration)", () => {
    for (const psf of [moffatPsf(1.5, 2.5), gaussianPsf(1.2), moffatPsf(2.2, 4, 0.3, 30)]) {
      const n = 15;
      const c = 7.3; // off-centre
      const img = renderPsf(psf, { sizePix: n, centerXPix: c, centerYPix: c - 0.6, normalise: false });
      for (const [x, y] of [[7, 7], [8, 6], [6, 7], [10, 9]]) {
        const m = 40; // Simpson panels per axis
        let acc = 0;
        for (let j = 0; j <= m; j++) {
          const wy = j === 0 || j === m ? 1 : j % 2 ? 4 : 2;
          for (let i = 0; i <= m; i++) {
            const wx = i === 0 || i === m ? 1 : i % 2 ? 4 : 2;
            acc += wx * wy * psfDensity(psf, x - 0.5 + i / m - c, y - 0.5 + j / m - (c - 0.6));
          }
        }
        const exact = (acc / (9 * m * m));
        expect(Math.abs(img[y * n + x] - exact) / exact).toBeLessThan(2e-3);
      }
    }
  });

  test("measured FWHM matches the input within 2 % (Gaussian from 1.5 pixels, Moffat β = 2.5 and 4.765 from 4 pixels)", () => {
    const cases: Psf[] = [
      gaussianPsf(1.5), gaussianPsf(2.5), gaussianPsf(4), gaussianPsf(7),
      moffatPsf(4, 2.5), moffatPsf(6, 2.5), moffatPsf(4), moffatPsf(6), moffatPsf(9),
    ];
    for (const psf of cases) {
      const st = renderPsf(psf, { wingFraction: 1e-4 });
      const n = Math.round(Math.sqrt(st.length));
      const f = measureFwhmPix(st, n, n);
      expect(Math.abs(f / psf.fwhmPix - 1)).toBeLessThan(0.02);
    }
    // Moffat FWHM ↔ α relation: I(FWHM/2) = I(0)/2.
    const psf = moffatPsf(3, 3.2);
    expect(psfDensity(psf, 1.5, 0) / psfDensity(psf, 0, 0)).toBeCloseTo(0.5, 10);
    expect(moffatAlphaPix(3, 3.2)).toBeCloseTo(3 / (2 * Math.sqrt(2 ** (1 / 3.2) - 1)), 12);
  });

  test("an elliptical Gaussian has the stated axis ratio and position angle (second moments)", () => {
    const psf = gaussianPsf(4, 0.36, 30); // q = 0.64
    const n = 41;
    const img = renderPsf(psf, { sizePix: n });
    const c = 20;
    let ixx = 0, iyy = 0, ixy = 0;
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
      const v = img[y * n + x];
      ixx += v * (x - c) ** 2; iyy += v * (y - c) ** 2; ixy += v * (x - c) * (y - c);
    }
    ixx -= 1 / 12; iyy -= 1 / 12; // pixel box
    const tr = ixx + iyy;
    const det = ixx * iyy - ixy * ixy;
    const l1 = tr / 2 + Math.sqrt(tr * tr / 4 - det);
    const l2 = tr / 2 - Math.sqrt(tr * tr / 4 - det);
    expect(Math.sqrt(l2 / l1)).toBeCloseTo(0.64, 3);
    expect(FWHM_PER_SIGMA * Math.pow(l1 * l2, 0.25)).toBeCloseTo(4, 2); // geometric-mean FWHM
    expect((0.5 * Math.atan2(2 * ixy, ixx - iyy) * 180) / Math.PI).toBeCloseTo(30, 1);
  });
});

describe("Sérsic galaxies", () => {
  test("b_n solves Γ(2n) = 2γ(2n, b_n) and matches the known values and the Ciotti & Bertin expansion", () => {
    expect(sersicBn(1)).toBeCloseTo(1.678347, 5);
    expect(sersicBn(4)).toBeCloseTo(7.669249, 5);
    expect(sersicBn(0.5)).toBeCloseTo(Math.LN2, 10); // n = ½ is a Gaussian: P(1, b) = 1 − e^(−b)
    for (const n of [0.5, 1, 2.5, 4, 6]) {
      expect(gammaP(2 * n, sersicBn(n))).toBeCloseTo(0.5, 12);
      expect(Math.abs(sersicBnCiottiBertin(n) / sersicBn(n) - 1)).toBeLessThan(n >= 1 ? 3e-5 : 5e-4);
    }
  });

  test("the closed-form total flux equals a radial integral of the profile", () => {
    for (const n of [0.7, 1, 4]) {
      const re = 3;
      const ie = 2.5;
      const b = sersicBn(n);
      // ∫ 2πR I(R) dR with the substitution R = R_e (t/b)^n, midpoint rule in t on [0, 200].
      let acc = 0;
      const m = 200000;
      const tMax = 200;
      for (let k = 0; k < m; k++) {
        const t = ((k + 0.5) / m) * tMax;
        const r = re * Math.pow(t / b, n);
        const drdt = (n * r) / t;
        acc += 2 * Math.PI * r * ie * Math.exp(b - t) * drdt * (tMax / m);
      }
      expect(sersicTotalFlux(n, re, ie) / acc).toBeCloseTo(1, 4);
    }
    expect(sersicTotalFlux(1, 3, 1, 0.4) / sersicTotalFlux(1, 3, 1, 0)).toBeCloseTo(0.6, 12);
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
  });

  test("rendered profiles (n = 1 and 4, round and elliptical, cuspy centres) integrate to the stated flux over a big grid", () => {
    const cases = [
      { n: 1, re: 3, e: 0, size: 121 },
      { n: 1, re: 1.2, e: 0.5, size: 61 },
      { n: 4, re: 2, e: 0, size: 301 },
      { n: 4, re: 0.8, e: 0.3, size: 301 },
    ];
    for (const c of cases) {
      const flux = 5000;
      const img = renderSersic(
        { xPix: (c.size - 1) / 2 + 0.37, yPix: (c.size - 1) / 2 - 0.21, fluxCounts: flux, sersicN: c.n, reffPix: c.re, ellipticity: c.e, positionAngleDeg: 25 },
        { widthPix: c.size, heightPix: c.size, truncateReff: Infinity },
      );
      // What lies beyond the grid (the inscribed circle's minor-axis radius bounds it).
      const outside = 1 - sersicEnclosedFraction(c.n, (((c.size - 1) / 2 - 1) * (1 - c.e)) / c.re);
      expect(outside).toBeLessThan(2e-3);
      expect(Math.abs(sum(img) / flux - 1)).toBeLessThan(outside + 1e-3);
    }
  });

  test("half the light is inside R_e, and a PSF-convolved stamp keeps all the flux", () => {
    const re = 8;
    const size = 201;
    const img = renderSersic({ xPix: 100, yPix: 100, fluxCounts: 1, sersicN: 2, reffPix: re }, { widthPix: size, heightPix: size, truncateReff: Infinity });
    let inside = 0;
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if ((x - 100) ** 2 + (y - 100) ** 2 <= re * re) inside += img[y * size + x];
    expect(inside).toBeCloseTo(0.5, 2);
    for (const psf of [gaussianPsf(3), moffatPsf(3, 3)]) {
      const st = renderGalaxyStamp({ xPix: 10.4, yPix: -3.2, fluxCounts: 1234, sersicN: 4, reffPix: 2, ellipticity: 0.4, positionAngleDeg: 70 }, psf);
      expect(sum(st.pixels) / 1234).toBeCloseTo(1, 4);
    }
    expect(defaultSersicTruncationReff(1)).toBe(4);
    expect(defaultSersicTruncationReff(4)).toBe(8);
    expect(sersicIntensityAtReff(sersicTotalFlux(2, 3, 7), 2, 3)).toBeCloseTo(7, 10);
  });
});

describe("detector noise", () => {
  test("Poisson draws have mean = variance = μ (small μ by multiplication, large by PTRS)", () => {
    const rng = new Rng(11);
    for (const mu of [0.7, 6, 25, 300, 5000]) {
      const n = 40000;
      const draws = new Float64Array(n);
      for (let i = 0; i < n; i++) draws[i] = poissonDraw(rng, mu);
      const { mean, variance } = meanVar(draws);
      expect(Math.abs(mean - mu)).toBeLessThan(4 * Math.sqrt(mu / n));
      expect(Math.abs(variance / mu - 1)).toBeLessThan(4 * Math.sqrt(2 / n) + 0.01);
      for (const v of draws.slice(0, 100)) expect(Number.isInteger(v)).toBe(true);
    }
  });

  test("a blank sky has mean = sky and variance = sky/gain + readNoise²/gain² (counts)", () => {
    for (const [sky, gain, rn] of [[200, 2, 8], [50, 1, 3], [1000, 4, 12]]) {
      const im = simulateSkyImage({ widthPix: 128, heightPix: 128, skyCountsPerPix: sky, gainEPerCount: gain, readNoiseE: rn, sources: [], seed: 7 });
      const { mean, variance } = meanVar(im.image);
      const expectVar = sky / gain + (rn * rn) / (gain * gain);
      const n = im.image.length;
      expect(Math.abs(mean - sky)).toBeLessThan(4 * Math.sqrt(expectVar / n));
      expect(Math.abs(variance / expectVar - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
      expect(im.backgroundSigmaCounts).toBeCloseTo(Math.sqrt(expectVar), 10);
      expect(sum(im.truthMap)).toBe(0);
    }
  });
});

describe("point sources: flux and S/N", () => {
  test("the noiseless flux of a star equals its input within 0.5 %, at any sub-pixel position", () => {
    for (const psf of [gaussianPsf(2.7), moffatPsf(3, 3), moffatPsf(1.3, 2.5), gaussianPsf(3, 0.3, 60)]) {
      for (const [x, y] of [[40, 40], [40.37, 39.81], [39.5, 40.5]]) {
        const im = simulateSkyImage({ widthPix: 81, heightPix: 81, psf, sources: [{ kind: "star", xPix: x, yPix: y, fluxCounts: 10000 }], seed: 1 });
        const total = sum(im.noiseless) - 100 * 81 * 81;
        expect(Math.abs(total / 10000 - 1)).toBeLessThan(0.005);
        // The analytic PSF flux inside the image agrees too (wings past the stamp ≤ 1e-3).
        if (!psf.ellipticity) expect(total / 10000).toBeGreaterThan(psfEnclosedFraction(psf, 40) - 1.1e-3);
      }
    }
    // A star centred on the outer edge of the first column (x = −½) has half its light on the image.
    const edge = new Float32Array(21 * 21);
    expect(addPointSource(edge, 21, 21, gaussianPsf(3), -0.5, 10, 100)).toBeCloseTo(50, 4);
  });

  test("with noise, the sky-subtracted sum over the stamp recovers the flux within the expected noise", () => {
    const flux = 5000;
    const sky = 100;
    const n = 33;
    const fluxes: number[] = [];
    for (let s = 0; s < 300; s++) {
      const im = simulateSkyImage({ widthPix: n, heightPix: n, psf: gaussianPsf(3), skyCountsPerPix: sky, readNoiseE: 5, sources: [{ kind: "star", xPix: 16.2, yPix: 15.9, fluxCounts: flux }], seed: 1000 + s });
      fluxes.push(sum(im.image) - sky * n * n);
    }
    const { mean, variance } = meanVar(fluxes);
    const expectedVar = flux + n * n * (sky + 25); // photon noise of the star + every pixel's background
    expect(Math.abs(mean - flux)).toBeLessThan(4 * Math.sqrt(expectedVar / fluxes.length));
    expect(Math.abs(variance / expectedVar - 1)).toBeLessThan(4 * Math.sqrt(2 / fluxes.length));
  });

  test("measured PSF-photometry S/N agrees with expectedSnr from the sky-limited to the source-limited regime", () => {
    const psf = gaussianPsf(3);
    const sky = 100;
    const rn = 5;
    const n = 25;
    const ratios: number[] = [];
    for (const flux of [150, 600, 3000, 30000, 3e5]) {
      const est: number[] = [];
      for (let s = 0; s < 200; s++) {
        const im = simulateSkyImage({ widthPix: n, heightPix: n, psf, skyCountsPerPix: sky, readNoiseE: rn, saturationCounts: Infinity, sources: [{ kind: "star", xPix: 12, yPix: 12, fluxCounts: flux }], seed: 5000 + s });
        est.push(measurePsfFlux(im.image, n, n, psf, 12, 12, sky, rn, 1, flux).fluxCounts);
        if (s === 0) expect(im.sources[0].snr).toBeCloseTo(expectedSnr(flux, psf, sky, rn), 6);
      }
      const { mean, variance } = meanVar(est);
      const measured = mean / Math.sqrt(variance);
      const predicted = expectedSnr(flux, psf, sky, rn);
      ratios.push(measured / predicted);
      expect(Math.abs(mean / flux - 1)).toBeLessThan(5 / predicted / Math.sqrt(est.length) + 1e-3); // unbiased
      expect(Math.abs(measured / predicted - 1)).toBeLessThan(0.15); // 200 draws: σ of a std ≈ 5 %
    }
    // Scaling: ∝ F where the sky dominates, ∝ √F where the source does.
    const snr = (f: number) => expectedSnr(f, psf, sky, rn);
    expect(snr(20) / snr(10)).toBeCloseTo(2, 1);
    expect(snr(4e7) / snr(1e7)).toBeCloseTo(2, 1);
    expect(snr(4e7)).toBeCloseTo(Math.sqrt(4e7), -2); // pure photon noise: √(F g)
    // Sky-limited: S/N ≈ F / √(NEA σ²) with NEA ≈ 4πσ_psf² (+ the pixel).
    const sig = 3 / FWHM_PER_SIGMA;
    expect(snr(10) / (10 / Math.sqrt(4 * Math.PI * (sig * sig + 1 / 12) * (sky + rn * rn)))).toBeCloseTo(1, 1);
    // A circular aperture is worse than PSF weighting.
    expect(expectedSnr(500, psf, sky, rn, { method: "aperture" })).toBeLessThan(snr(500));
    expect(expectedSnr(500, psf, sky, rn, { method: "aperture" })).toBeGreaterThan(0.8 * snr(500));
    expect(countsToMag(magToCounts(21.3, 27), 27)).toBeCloseTo(21.3, 10);
  });
});

describe("artefacts and truth", () => {
  test("cosmic rays are sharper than the PSF (peak/flux and peak over 3×3)", () => {
    const rng = new Rng(3);
    const psf = renderPsf(gaussianPsf(2.5), { sizePix: 25 });
    const psfPeak = Math.max(...psf);
    const psf3x3 = psfPeak / [-1, 0, 1].flatMap((dy) => [-1, 0, 1].map((dx) => psf[(12 + dy) * 25 + 12 + dx])).reduce((a, b) => a + b);
    let sharperPeak = 0;
    let sharper3x3 = 0;
    const nRays = 300;
    for (let k = 0; k < nRays; k++) {
      const img = new Float32Array(41 * 41);
      const ray = drawCosmicRay(rng, 20, 20);
      const landed = depositCosmicRay(img, 41, 41, ray);
      let p = 0;
      for (let i = 1; i < img.length; i++) if (img[i] > img[p]) p = i;
      let s3 = 0;
      for (const dy of [-1, 0, 1]) for (const dx of [-1, 0, 1]) s3 += img[p + dy * 41 + dx];
      if (img[p] / landed > psfPeak) sharperPeak++;
      if (img[p] / s3 > psf3x3) sharper3x3++;
    }
    expect(sharperPeak / nRays).toBeGreaterThan(0.8);
    expect(sharper3x3 / nRays).toBeGreaterThan(0.95);
  });

  test("bleed trails run along columns, conserve charge, and saturated pixels sit at the saturation level", () => {
    const e = new Float64Array(15 * 40);
    e[20 * 15 + 7] = 100000;
    e[20 * 15 + 8] = 40000;
    const before = sum(e);
    const mask = new Uint8Array(e.length);
    const lost = bleedColumns(e, 15, 40, 10000, mask);
    expect(sum(e) + lost).toBeCloseTo(before, 6);
    for (let p = 0; p < e.length; p++) if (mask[p] & MASK.bleedTrail) expect([7, 8]).toContain(p % 15);
    expect(Math.max(...e)).toBeLessThanOrEqual(10000);

    const im = simulateSkyImage({ widthPix: 64, heightPix: 64, sources: [{ kind: "star", xPix: 31.6, yPix: 30.2, mag: 11 }], seed: 4 });
    const bleed: Array<[number, number]> = [];
    for (let p = 0; p < im.mask.length; p++) if (im.mask[p] & MASK.bleedTrail) bleed.push([p % 64, Math.floor(p / 64)]);
    const xs = bleed.map((b) => b[0]);
    const ys = bleed.map((b) => b[1]);
    expect(bleed.length).toBeGreaterThan(20);
    expect(Math.max(...ys) - Math.min(...ys)).toBeGreaterThan(3 * (Math.max(...xs) - Math.min(...xs) + 1));
    expect(Math.max(...ys) - Math.min(...ys)).toBeGreaterThan(20); // far beyond the 3-pixel PSF
    for (let p = 0; p < im.mask.length; p++) if (im.mask[p] & MASK.saturated) expect(im.image[p]).toBe(im.saturationCounts);
    expect(im.sources[0].saturated).toBe(true);
  });

  test("the truth map marks exactly the sources above the S/N threshold; segmentation labels them", () => {
    const im = simulateSkyImage({
      psf: gaussianPsf(3),
      sources: [
        { kind: "star", xPix: 10, yPix: 10, fluxCounts: 3000 },
        { kind: "star", xPix: 50, yPix: 12, fluxCounts: 60 },
        { kind: "galaxy", xPix: 30, yPix: 45, fluxCounts: 8000, sersicN: 1, reffPix: 3, ellipticity: 0.3, positionAngleDeg: 10 },
      ],
      truthMap: { radiusFwhm: 1, minSnr: 5 },
      seed: 2,
    });
    const [bright, faint, gal] = im.sources;
    expect(bright.snr).toBeGreaterThan(5);
    expect(faint.snr).toBeLessThan(5);
    expect([bright.inTruthMap, faint.inTruthMap, gal.inTruthMap]).toEqual([true, false, true]);
    const at = (x: number, y: number) => im.truthMap[y * 64 + x];
    expect(at(10, 10)).toBe(1);
    expect(at(12, 12)).toBe(1); // within 1 FWHM = 3 pixels
    expect(at(14, 10)).toBe(0);
    expect(at(50, 12)).toBe(0);
    expect(at(30, 45)).toBe(1);
    expect(im.segmentation[10 * 64 + 10]).toBe(1);
    expect(im.segmentation[45 * 64 + 30]).toBe(3);
    expect(im.segmentation[0]).toBe(0);
    const rows = imageToRows(im.image, 64, 64);
    expect(rows.length).toBe(64);
    expect(rows[10][10]).toBe(im.image[10 * 64 + 10]);
  });

  test("the same seed gives the same image; a different seed a different one", () => {
    const a = simulateSkyImage({ seed: 99, cosmicRays: { meanCount: 2 } });
    const b = simulateSkyImage({ seed: 99, cosmicRays: { meanCount: 2 } });
    const c = simulateSkyImage({ seed: 100, cosmicRays: { meanCount: 2 } });
    expect(Array.from(a.image)).toEqual(Array.from(b.image));
    expect(a.sources).toEqual(b.sources);
    expect(Array.from(a.image)).not.toEqual(Array.from(c.image));
  });
});

describe("batches", () => {
  test("a batch has tfjs layout, per-image conditions, a usable 'snr' scaling, and is fast", () => {
    const nImg = 150;
    const c0 = process.cpuUsage();
    const b = simulateSkyBatch(nImg, { seed: 5, fwhmRangePix: [2, 4], skyRangeCountsPerPix: [50, 300], output: "snr" });
    const cpu = process.cpuUsage(c0);
    const rate = nImg / ((cpu.user + cpu.system) / 1e6);
    // eslint-disable-next-line no-console
    console.log(`simulateSkyBatch: ${rate.toFixed(0)} 64×64 images per CPU second`);
    // Generous floor: inside jest every Math.imul of the generator is a slow sandbox lookup.
    expect(rate).toBeGreaterThan(80);
    expect(b.images.length).toBe(nImg * 64 * 64);
    // In "snr" units the background is ~N(0, 1): check image 0 away from sources and artefacts.
    const bg: number[] = [];
    for (let p = 0; p < 64 * 64; p++) if (b.noiseless![p] < 0.2 && b.masks[p] === 0) bg.push(b.images[p]);
    const { mean, variance } = meanVar(bg);
    expect(Math.abs(mean)).toBeLessThan(0.15);
    expect(Math.abs(variance - 1)).toBeLessThan(0.15);
    const fw = b.conditions.map((c) => c.fwhmPix);
    expect(Math.min(...fw)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...fw)).toBeLessThanOrEqual(4);
    const t = b.imageTensor();
    expect(t.shape).toEqual([nImg, 64, 64, 1]);
    t.dispose();
    const m = b.mapTensor();
    expect(m.shape).toEqual([nImg, 64, 64, 1]);
    m.dispose();
    // Maps mark sources: on average the noiseless signal is far higher inside the map than outside.
    let inside = 0, nIn = 0, outside = 0, nOut = 0;
    for (let p = 0; p < b.maps.length; p++) {
      if (b.maps[p] > 0) { inside += b.noiseless![p]; nIn++; } else { outside += b.noiseless![p]; nOut++; }
    }
    expect(inside / nIn).toBeGreaterThan(10 * Math.max(outside / nOut, 0.01));
  });

  test("convolve2d conserves flux in the interior", () => {
    const img = new Float32Array(21 * 21);
    img[10 * 21 + 10] = 5;
    const k = renderPsf(moffatPsf(2, 3), { sizePix: 9 });
    expect(sum(convolve2d(img, 21, 21, k, 9))).toBeCloseTo(5, 5);
  });
});

// Runs `readOut` once so its gain/saturation path is covered without a full image.
test("readOut clips at the saturation level and reports counts in ADU", () => {
  const expected = new Float32Array([10, 1e6, 100, 0]);
  const r = readOut(expected, 4, 1, new Rng(1), { gainEPerCount: 2, readNoiseE: 0, saturationCounts: 1000, bleed: false });
  expect(r.image[1]).toBe(1000);
  expect(r.mask[1] & MASK.saturated).toBeTruthy();
  expect(r.image[3]).toBe(0);
  expect(Number.isInteger(r.image[2] * 2)).toBe(true); // whole electrons / gain
});
