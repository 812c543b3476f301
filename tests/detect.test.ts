import * as tf from "@tensorflow/tfjs";
import { Rng } from "../src/random";
import { boxKernel, filterImages, gaussianKernel, kernelTensor, laplacianKernel, psfMatchedKernel, sobelKernel } from "../src/cnn/kernels";
import { findPeaks, findPeaksBatch, Detection } from "../src/detect/peaks";
import { completenessByMagnitude, detectionRates, magnitudeAtCompleteness, outcomesPerImage, scoreDetections, thresholdAtFalseRate } from "../src/detect/match";
import { magnitudeAtSnr, matchedFilterDetect, matchedFilterSnr } from "../src/detect/matched-filter";
import { completenessChart, cutoutRows, detectionOverlay, outcomeChart } from "../src/detect/plots";
import { addPointSource, gaussianPsf, renderPsf } from "../src/sim/psf";
import { expectedSnr, magToCounts, simulateSkyBatch, SkySource } from "../src/sim/sky";
import { MASK } from "../src/sim/detector";

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("kernels", () => {
  test("smoothing kernels sum to 1, derivative kernels to 0", () => {
    expect(sum(boxKernel(5).values)).toBeCloseTo(1, 6);
    expect(sum(gaussianKernel(1.5).values)).toBeCloseTo(1, 6);
    expect(gaussianKernel(1.5).sizePix).toBe(11);
    expect(sum(laplacianKernel().values)).toBe(0);
    expect(sum(sobelKernel("x").values)).toBe(0);
    expect(() => boxKernel(4)).toThrow(/odd/);
  });

  test("the PSF-matched kernel has unit L2 norm and the PSF's shape", () => {
    const k = psfMatchedKernel(gaussianPsf(3));
    expect(sum(k.values.map((v) => v * v))).toBeCloseTo(1, 5);
    const c = (k.sizePix - 1) / 2;
    const centre = k.values[c * k.sizePix + c];
    expect(Math.max(...k.values)).toBe(centre);
    // Symmetric under x ↔ −x.
    expect(k.values[c * k.sizePix + c - 1]).toBeCloseTo(k.values[c * k.sizePix + c + 1], 6);
  });

  test("the Laplacian ignores linear gradients and the Sobel x kernel measures their slope", () => {
    const n = 9;
    const ramp = Float32Array.from({ length: n * n }, (_, p) => 3 * (p % n) + 2 * Math.floor(p / n));
    const img = tf.tensor4d(ramp, [1, n, n, 1]);
    const lap = filterImages(img, laplacianKernel()).dataSync();
    const sob = filterImages(img, sobelKernel("x")).dataSync();
    const mid = 4 * n + 4;
    expect(lap[mid]).toBeCloseTo(0, 5);
    expect(sob[mid]).toBeCloseTo(8 * 3, 4); // Sobel weights sum to 8 × the slope along x
    img.dispose();
  });

  test("filtering white noise scales its σ by √Σk²", () => {
    const rng = new Rng(3);
    const n = 128;
    const img = tf.tensor4d(Float32Array.from({ length: n * n }, () => rng.normal()), [1, n, n, 1]);
    for (const k of [boxKernel(3), gaussianKernel(1.2), laplacianKernel()]) {
      const out = filterImages(img, k).slice([0, 4, 4, 0], [1, n - 8, n - 8, 1]);
      const sd = Math.sqrt(tf.moments(out).variance.dataSync()[0]);
      const predicted = Math.sqrt(sum(k.values.map((v) => v * v)));
      expect(Math.abs(sd / predicted - 1)).toBeLessThan(0.04);
      out.dispose();
    }
    expect(kernelTensor(boxKernel(3)).shape).toEqual([3, 3, 1, 1]);
    img.dispose();
  });
});

describe("peaks", () => {
  const w = 32, h = 24;
  const twoStars = () => {
    const img = new Float32Array(w * h);
    addPointSource(img, w, h, gaussianPsf(3), 8.3, 10.6, 100);
    addPointSource(img, w, h, gaussianPsf(3), 22, 7, 50);
    return img;
  };

  test("finds local maxima above the threshold, brightest first, with sub-pixel centroids", () => {
    const d = findPeaks(twoStars(), w, h, { threshold: 0.5 });
    expect(d).toHaveLength(2);
    expect(d[0].score).toBeGreaterThan(d[1].score);
    expect(Math.abs(d[0].xPix - 8.3)).toBeLessThan(0.3);
    expect(Math.abs(d[0].yPix - 10.6)).toBeLessThan(0.3);
    expect(Math.round(d[1].xPix)).toBe(22);
    expect(findPeaks(twoStars(), w, h, { threshold: 6 })).toHaveLength(1); // the fainter peak is ~4.6
  });

  test("a flat plateau gives one peak, and nearby secondary peaks are suppressed", () => {
    const img = new Float32Array(w * h);
    for (let y = 5; y < 9; y++) for (let x = 5; x < 9; x++) img[y * w + x] = 1;
    expect(findPeaks(img, w, h, { threshold: 0.5 })).toHaveLength(1);
    const two = new Float32Array(w * h);
    two[10 * w + 10] = 5;
    two[10 * w + 12] = 4; // a separate local maximum 2 pixels away
    expect(findPeaks(two, w, h, { threshold: 1, minSeparationPix: 1 })).toHaveLength(2);
    expect(findPeaks(two, w, h, { threshold: 1, minSeparationPix: 3 })).toHaveLength(1);
  });

  test("batch version labels each image", () => {
    const a = twoStars();
    const batch = new Float32Array(2 * w * h);
    batch.set(a, w * h);
    const d = findPeaksBatch(batch, 2, h, w, { threshold: 0.5 });
    expect(d[0]).toHaveLength(0);
    expect(d[1].every((x) => x.image === 1)).toBe(true);
    expect(() => findPeaksBatch(batch, 3, h, w)).toThrow(/fill/);
  });
});

describe("matched filter", () => {
  test("gives the optimal S/N at a noiseless star and unit noise in empty sky", () => {
    const psf = gaussianPsf(3);
    const n = 33;
    const star = new Float32Array(n * n);
    const flux = 200; // in units of σ, sky-limited
    addPointSource(star, n, n, psf, 16, 16, flux);
    const snr = matchedFilterSnr(tf.tensor4d(star, [1, n, n, 1]), psf).dataSync();
    const p = renderPsf(psf);
    const optimal = flux * Math.sqrt(sum(p.map((v) => v * v)));
    expect(snr[16 * n + 16] / optimal).toBeCloseTo(1, 2);

    const rng = new Rng(5);
    const m = 96;
    const noise = tf.tensor4d(Float32Array.from({ length: m * m }, () => rng.normal()), [1, m, m, 1]);
    const map = matchedFilterSnr(noise, psf).slice([0, 6, 6, 0], [1, m - 12, m - 12, 1]);
    expect(Math.abs(Math.sqrt(tf.moments(map).variance.dataSync()[0]) - 1)).toBeLessThan(0.06);
  });

  test("magnitudeAtSnr inverts the CCD equation", () => {
    const c = { psf: gaussianPsf(3), skyCountsPerPix: 100, readNoiseE: 5, zeroPointMag: 27 };
    for (const target of [3, 5, 20]) {
      const m = magnitudeAtSnr(target, c);
      expect(expectedSnr(magToCounts(m, 27), c.psf, 100, 5)).toBeCloseTo(target, 4);
    }
    expect(magnitudeAtSnr(5, c)).toBeGreaterThan(magnitudeAtSnr(10, c));
  });

  test("a 5σ matched filter is 50 % complete near the S/N = 5 magnitude on simulated skies", () => {
    const psf = gaussianPsf(3);
    const batch = simulateSkyBatch(120, { psf, output: "snr", includeNoiseless: false, seed: 9, stars: { meanCount: 30, magRange: [19.5, 22.5], countSlopePerMag: 0 }, galaxies: { meanCount: 0 },
      cosmicRays: { meanCount: 0 }, hotPixels: { meanCount: 0 }, saturatedStars: { meanCount: 0 } });
    const x = batch.imageTensor();
    const cat = scoreDetections(matchedFilterDetect(x, psf, { kSigma: 5 }), batch.sources);
    x.dispose();
    const edges = Array.from({ length: 13 }, (_, i) => 19.5 + 0.25 * i);
    const m50 = magnitudeAtCompleteness(completenessByMagnitude(cat, 5, edges));
    const m5 = magnitudeAtSnr(5, { psf, skyCountsPerPix: 100, readNoiseE: 5, zeroPointMag: 27 });
    expect(Math.abs(m50 - m5)).toBeLessThan(0.2);
    // No artefacts in these skies, so almost no false detections at 5σ.
    expect(detectionRates(cat, 5).falsePerImage).toBeLessThan(0.05);
  });
});

describe("matching", () => {
  const star = (x: number, y: number, mag: number, snr = 10): SkySource => ({ kind: "star", xPix: x, yPix: y, fluxCounts: 1, mag, snr, saturated: false, inTruthMap: snr >= 5 });
  const det = (x: number, y: number, score: number): Detection => ({ image: 0, xPix: x, yPix: y, score });

  test("each source is claimed once, by the highest-scored detection nearby; the rest are classified", () => {
    const sources = [[star(10, 10, 20), star(30, 30, 22, 3)]];
    const masks = new Uint8Array(64 * 64);
    masks[50 * 64 + 50] = MASK.cosmicRay;
    const dets = [[det(10.5, 10, 9), det(11, 11.2, 6), det(30, 31, 4), det(50, 50, 40), det(5, 60, 3)]];
    const cat = scoreDetections(dets, sources, { radiusPix: 2, masks, heightPix: 64, widthPix: 64 });
    const byScore = Object.fromEntries(cat.detections.map((d) => [d.score, d.outcome]));
    expect(byScore).toEqual({ 40: "artefact", 9: "source", 6: "duplicate", 4: "source", 3: "spurious" });
    expect(cat.sources.map((s) => s.score)).toEqual([9, 4]);
    const r = detectionRates(cat, 5, { kind: "star" });
    expect(r.falsePerImage).toBe(2); // the artefact and the duplicate
    expect(r.completeness).toBe(0.5);
    expect(outcomesPerImage(cat, 0)).toEqual({ source: 2, duplicate: 1, artefact: 1, spurious: 1 });
  });

  test("scoring once at a low threshold equals scoring the detections above each threshold", () => {
    const rng = new Rng(8);
    const sources = [Array.from({ length: 12 }, () => star(rng.uniform(0, 40), rng.uniform(0, 40), rng.uniform(18, 23)))];
    const dets = [Array.from({ length: 40 }, () => det(rng.uniform(0, 40), rng.uniform(0, 40), rng.uniform(0, 10)))];
    const all = scoreDetections(dets, sources, { radiusPix: 3 });
    for (const t of [2, 5, 8]) {
      const cut = scoreDetections([dets[0].filter((d) => d.score >= t)], sources, { radiusPix: 3 });
      const a = detectionRates(all, t, {});
      const b = detectionRates(cut, t, {});
      expect(a).toEqual(b);
    }
  });

  test("thresholdAtFalseRate gives the lowest threshold within the false-detection budget", () => {
    const sources = [[star(10, 10, 20)], [star(10, 10, 20)]];
    const dets = [[det(10, 10, 0.9), det(30, 30, 0.7), det(40, 40, 0.3)], [det(20, 20, 0.5), det(10, 10.5, 0.2)]];
    const cat = scoreDetections(dets, sources);
    // False scores: 0.7, 0.5, 0.3 over 2 images. Budget 0.5/image allows one false detection.
    const t = thresholdAtFalseRate(cat, 0.5);
    expect(t).toBe(0.7);
    expect(detectionRates(cat, t).falsePerImage).toBeLessThanOrEqual(0.5);
    expect(thresholdAtFalseRate(cat, 0)).toBe(0.9);
    expect(thresholdAtFalseRate(cat, 10)).toBe(0.2);
  });

  test("completeness per magnitude bin and the 50 % crossing", () => {
    const sources = [[19.1, 19.2, 19.3, 19.4, 20.1, 20.2, 20.3, 20.4, 21.1, 21.2].map((m, i) => star(5 * i, 0, m))];
    const found = [0, 1, 2, 3, 4, 5]; // all of the first bin and half of the second
    const dets = [found.map((i) => det(5 * i, 0, 1))];
    const curve = completenessByMagnitude(scoreDetections(dets, sources), 0.5, [19, 20, 21, 22]);
    expect(curve.completeness).toEqual([1, 0.5, 0]);
    expect(curve.counts).toEqual([4, 4, 2]);
    expect(magnitudeAtCompleteness(curve)).toBeCloseTo(20.5, 6);
    expect(curve.errors[0]).toBeGreaterThan(0);
  });
});

describe("plots", () => {
  test("cut-outs are zero-padded at the edges", () => {
    const img = Float32Array.from({ length: 16 }, (_, i) => i + 1); // 4 × 4
    const c = cutoutRows(img, 4, 4, 0, 0, 0, 3);
    expect(c).toEqual([[0, 0, 0], [0, 1, 2], [0, 5, 6]]);
  });

  test("figures carry the data they are given", () => {
    const ov = detectionOverlay([[1, 2], [3, 4]], [{ name: "a", xPix: [1], yPix: [0] }]);
    expect(ov.data).toHaveLength(2);
    const curve = { magCentres: [20, 21], completeness: [1, 0.2], errors: [0.1, 0.1], counts: [10, 10] };
    const cc = completenessChart([{ name: "x", curve }], [{ magnitude: 20.5, label: "S/N 5" }]);
    expect(cc.data[0].y).toEqual([1, 0.2]);
    expect((cc.layout.shapes as unknown[]).length).toBe(1);
    const oc = outcomeChart([{ name: "mf", outcomes: { source: 3, duplicate: 0, artefact: 0.5, spurious: 0.1 } }]);
    expect(oc.data.map((t) => (t.y as number[])[0])).toEqual([0.5, 0.1, 0]);
  });
});
