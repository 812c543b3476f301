import * as tf from "@tensorflow/tfjs";
import { setupBackend } from "../src/backend/select";
import { Rng } from "../src/random";
import { ANOMALY_KINDS, drawCutoutGalaxy, imageSums, simulateAnomalyCutouts, simulateGalaxyCutouts } from "../src/autoencoder/cutouts";
import { bestBlurSigma, gaussianBlur, gaussianKernel1d, meanOf, psnr, ssim } from "../src/autoencoder/metrics";
import { linearProbe, pca } from "../src/autoencoder/latent";
import { buildConvDecoder, buildConvEncoder, convAutoencoder, predictInBatches } from "../src/autoencoder/models";
import { imagesAt, klPerLatent, latentTraversal, samplePrior, splitMeanLogVar } from "../src/autoencoder/vae";

beforeAll(async () => {
  await setupBackend({ verbose: false });
});

function std(v: number[]): number {
  const m = meanOf(v);
  return Math.sqrt(meanOf(v.map((x) => (x - m) ** 2)));
}

describe("galaxy cut-outs", () => {
  test("empty sky is in noise units: mean 0, standard deviation 1", () => {
    const b = simulateGalaxyCutouts(200, { seed: 5, reffRangePix: [1.5, 2], fluxRangeCounts: [300, 1000] });
    expect(b.noisy.length).toBe(200 * 32 * 32);
    // 4 × 4 corners of every cut-out are far from a small galaxy at the centre.
    const corner: number[] = [];
    for (let i = 0; i < b.n; i++) for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) corner.push(b.noisy[i * 1024 + y * 32 + x]);
    expect(Math.abs(meanOf(corner))).toBeLessThan(0.05);
    expect(std(corner)).toBeGreaterThan(0.95);
    expect(std(corner)).toBeLessThan(1.05);
    expect(b.backgroundSigmaCounts).toBeCloseTo(Math.sqrt(100 + 25), 6);
  });

  test("the noiseless image holds the galaxy's flux, and noisy minus clean is pure noise on average", () => {
    const b = simulateGalaxyCutouts(100, { seed: 6, reffRangePix: [1.5, 2.5], sersicNRange: [0.5, 1.5] });
    const clean = imageSums(b.clean, b.n, b.backgroundSigmaCounts);
    const noisy = imageSums(b.noisy, b.n, b.backgroundSigmaCounts);
    b.galaxies.forEach((g, i) => expect(clean[i] / g.fluxCounts).toBeGreaterThan(0.97));
    b.galaxies.forEach((g, i) => expect(clean[i] / g.fluxCounts).toBeLessThan(1.001));
    // Sum of 1024 unit-noise pixels: σ = 32 noise units per image; averaged over 100 images, 3.2.
    const diff = Array.from(noisy).map((f, i) => (f - clean[i]) / b.backgroundSigmaCounts);
    expect(Math.abs(meanOf(diff))).toBeLessThan(4 * 3.5);
  });

  test("shapes come from the requested ranges and the galaxy sits at the centre", () => {
    const rng = new Rng(3);
    for (let k = 0; k < 300; k++) {
      const g = drawCutoutGalaxy(rng, { sizePix: 32, centreJitterPix: 0.25, sersicNRange: [1, 2], reffRangePix: [2, 3], maxEllipticity: 0.5, fluxRangeCounts: [100, 200] });
      expect(Math.abs(g.xPix - 15.5)).toBeLessThanOrEqual(0.25);
      expect(Math.abs(g.yPix - 15.5)).toBeLessThanOrEqual(0.25);
      expect(g.sersicN).toBeGreaterThanOrEqual(1);
      expect(g.sersicN).toBeLessThan(2);
      expect(g.reffPix).toBeGreaterThanOrEqual(2);
      expect(g.reffPix).toBeLessThan(3);
      expect(g.ellipticity).toBeLessThan(0.5);
      expect(g.fluxCounts).toBeGreaterThanOrEqual(100);
      expect(g.fluxCounts).toBeLessThan(200);
    }
  });

  test("the light-weighted centre of the clean image is where the galaxy was put", () => {
    const b = simulateGalaxyCutouts(20, { seed: 8, reffRangePix: [1.5, 2.5] });
    for (let i = 0; i < b.n; i++) {
      let s = 0, sx = 0, sy = 0;
      for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) { const v = b.clean[i * 1024 + y * 32 + x]; s += v; sx += v * x; sy += v * y; }
      expect(sx / s).toBeCloseTo(b.galaxies[i].xPix, 1);
      expect(sy / s).toBeCloseTo(b.galaxies[i].yPix, 1);
    }
  });

  test("a seed gives the same cut-outs, another seed different ones", () => {
    const a = simulateGalaxyCutouts(5, { seed: 11 });
    const b = simulateGalaxyCutouts(5, { seed: 11 });
    const c = simulateGalaxyCutouts(5, { seed: 12 });
    expect(Array.from(a.noisy)).toEqual(Array.from(b.noisy));
    expect(Array.from(a.noisy)).not.toEqual(Array.from(c.noisy));
  });

  test("anomalies: the requested fraction, every kind equally often, each leaving its mark", () => {
    const b = simulateAnomalyCutouts(120, { seed: 21, anomalousFraction: 0.5 });
    const counts = new Map<string, number>();
    b.kinds.forEach((k) => counts.set(k, (counts.get(k) ?? 0) + 1));
    expect(counts.get("normal")).toBe(60);
    for (const k of ANOMALY_KINDS) expect(counts.get(k)).toBe(10);
    const cleanFlux = imageSums(b.clean, b.n, b.backgroundSigmaCounts);
    const maxNoisy = (i: number) => Math.max(...Array.from(b.noisy.subarray(i * 1024, (i + 1) * 1024)));
    const maxExcess = (i: number) => Math.max(...Array.from(b.noisy.subarray(i * 1024, (i + 1) * 1024)).map((v, p) => v - b.clean[i * 1024 + p]));
    b.kinds.forEach((k, i) => {
      const g = b.galaxies[i];
      if (k === "normal") expect(cleanFlux[i] / g.fluxCounts).toBeLessThan(1.001);
      // Astrophysical additions are in the clean image too.
      if (k === "merger") expect(cleanFlux[i] / g.fluxCounts).toBeGreaterThan(1.2);
      if (k === "lensed-arc") expect(cleanFlux[i] / g.fluxCounts).toBeGreaterThan(1.05);
      if (k === "satellite-trail") expect(cleanFlux[i] - g.fluxCounts).toBeGreaterThan(300);
      // A star bright enough to bleed reaches the converter's ceiling.
      if (k === "bleed-trail") expect(maxNoisy(i)).toBeCloseTo(b.saturationLevel, 3);
      // Detector artefacts are only in the noisy image: a pixel well above the noise.
      if (k === "hot-pixel" || k === "cosmic-ray") expect(maxExcess(i)).toBeGreaterThan(4);
    });
  });

  test("imageSums adds each image's pixels and scales", () => {
    expect(Array.from(imageSums([1, 2, 3, 4, 5, 6], 2, 10))).toEqual([60, 150]);
    expect(() => imageSums([1, 2, 3], 2)).toThrow(/do not split/);
  });
});

describe("image-quality metrics", () => {
  test("PSNR is 10 log10(R² / MSE) per image", () => {
    const truth = tf.tensor4d([0, 1, 2, 3, 0, 0, 0, 4], [2, 2, 2, 1]);
    const est = truth.add(tf.tensor4d([0.1, -0.1, 0.1, -0.1, 0.5, 0.5, -0.5, -0.5], [2, 2, 2, 1])) as tf.Tensor4D;
    const p = psnr(truth, est);
    expect(p[0]).toBeCloseTo(10 * Math.log10(9 / 0.01), 3);
    expect(p[1]).toBeCloseTo(10 * Math.log10(16 / 0.25), 3);
    expect(psnr(truth, truth)[0]).toBe(Infinity);
    expect(() => psnr(truth, tf.zeros([2, 2, 2, 2]) as tf.Tensor4D)).toThrow(/expected \[n, h, w, 1\]/);
  });

  test("Gaussian blur conserves flux and spreads a point to variance σ² per axis", () => {
    const k = gaussianKernel1d(1.3);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    const delta = tf.buffer([1, 33, 33, 1]);
    delta.set(1, 0, 16, 16, 0);
    const blurred = gaussianBlur(delta.toTensor() as tf.Tensor4D, 2).dataSync();
    let s = 0, vx = 0;
    for (let y = 0; y < 33; y++) for (let x = 0; x < 33; x++) { s += blurred[y * 33 + x]; vx += blurred[y * 33 + x] * (x - 16) ** 2; }
    expect(s).toBeCloseTo(1, 5);
    expect(vx).toBeCloseTo(4, 1);
    const img = tf.randomNormal([1, 8, 8, 1]) as tf.Tensor4D;
    expect(Array.from(gaussianBlur(img, 0).dataSync())).toEqual(Array.from(img.dataSync()));
  });

  test("bestBlurSigma: no smoothing for clean images, some for noisy ones", () => {
    const b = simulateGalaxyCutouts(60, { seed: 31 });
    const sigmas = [0.5, 1, 1.5, 2];
    const clean = b.cleanTensor();
    expect(bestBlurSigma(clean, clean, sigmas).sigmaPix).toBe(0.5);
    const noisy = bestBlurSigma(b.noisyTensor(), clean, sigmas);
    expect(noisy.sigmaPix).toBeGreaterThan(0.5);
    expect(noisy.scan.map((r) => r.sigmaPix)).toEqual(sigmas);
    expect(Math.max(...noisy.scan.map((r) => r.meanPsnrDb))).toBe(noisy.scan.find((r) => r.sigmaPix === noisy.sigmaPix)!.meanPsnrDb);
  });

  test("SSIM is 1 for a copy and falls as noise is added", () => {
    const b = simulateGalaxyCutouts(20, { seed: 41, fluxRangeCounts: [5000, 20000] });
    const clean = b.cleanTensor();
    expect(meanOf(ssim(clean, clean))).toBeCloseTo(1, 5);
    const noisy = (s: number) => clean.add(tf.randomNormal(clean.shape, 0, s, "float32", 1)) as tf.Tensor4D;
    const [a, c] = [meanOf(ssim(clean, noisy(0.3))), meanOf(ssim(clean, noisy(3)))];
    expect(a).toBeLessThan(1);
    expect(c).toBeLessThan(a);
    expect(() => ssim(tf.zeros([1, 8, 8, 1]) as tf.Tensor4D, tf.zeros([1, 8, 8, 1]) as tf.Tensor4D)).toThrow(/smaller than/);
  });
});

describe("latent-space tools", () => {
  test("PCA recovers the axes and variances of a known Gaussian", () => {
    const rng = new Rng(7);
    const theta = 0.6;
    const rows: number[][] = [];
    for (let i = 0; i < 4000; i++) {
      const [a, b, c] = [3 * rng.normal(), 2 * rng.normal(), 0.5 * rng.normal()];
      rows.push([a * Math.cos(theta) - b * Math.sin(theta) + 5, a * Math.sin(theta) + b * Math.cos(theta) - 2, c]);
    }
    const x = tf.tensor2d(rows);
    const p = pca(x, 2);
    const comps = p.components.arraySync();
    expect(Math.abs(comps[0][0] * Math.cos(theta) + comps[1][0] * Math.sin(theta))).toBeGreaterThan(0.999);
    expect(Math.abs(-comps[0][1] * Math.sin(theta) + comps[1][1] * Math.cos(theta))).toBeGreaterThan(0.999);
    expect(p.explainedVariance[0]).toBeGreaterThan(9 * 0.93);
    expect(p.explainedVariance[0]).toBeLessThan(9 * 1.07);
    expect(p.explainedVariance[1]).toBeGreaterThan(4 * 0.93);
    expect(p.explainedVariance[1]).toBeLessThan(4 * 1.07);
    expect(p.explainedVarianceRatio[0] + p.explainedVarianceRatio[1]).toBeCloseTo(13 / 13.25, 1);
    expect(Array.from(p.mean.dataSync())[0]).toBeCloseTo(5, 0);
    // With all axes kept, project + reconstruct is the identity.
    const full = pca(x, 3);
    const back = full.reconstruct(full.project(x)).arraySync();
    expect(back[17][2]).toBeCloseTo(rows[17][2], 3);
    expect(back[99][0]).toBeCloseTo(rows[99][0], 3);
    expect(() => pca(x, 4)).toThrow(/k must be/);
  });

  test("the linear probe recovers an exact linear relation and finds nothing in noise", () => {
    const rng = new Rng(9);
    const feats = Array.from({ length: 500 }, () => [rng.normal(), 10 * rng.normal(), rng.normal() + 3]);
    const y = feats.map((f) => 2 + 0.5 * f[0] - 0.1 * f[1] + 3 * f[2]);
    const probe = linearProbe(feats, y);
    expect(probe.r2).toBeCloseTo(1, 8);
    [2, 0.5, -0.1, 3].forEach((c, i) => expect(probe.coefficients[i]).toBeCloseTo(c, 6));
    const noise = feats.map(() => rng.normal());
    expect(linearProbe(feats, noise).r2).toBeLessThan(0.03);
    expect(linearProbe(tf.tensor2d(feats), y).r2).toBeCloseTo(1, 5);
  });
});

describe("autoencoder models and VAE helpers", () => {
  test("encoder, decoder and autoencoder have the right shapes and share weights", () => {
    const x = tf.randomNormal([3, 32, 32, 1]) as tf.Tensor4D;
    const enc = buildConvEncoder(6);
    expect((enc.predict(x) as tf.Tensor).shape).toEqual([3, 6]);
    const dec = buildConvDecoder(4, { sizePix: 16 });
    expect((dec.predict(tf.zeros([2, 4])) as tf.Tensor).shape).toEqual([2, 16, 16, 1]);
    const ae = convAutoencoder(5);
    const direct = ae.autoencoder.predict(x) as tf.Tensor;
    const chained = ae.decoder.predict(ae.encoder.predict(x) as tf.Tensor) as tf.Tensor;
    expect(direct.sub(chained).abs().max().dataSync()[0]).toBeLessThan(1e-5);
    const batched = predictInBatches(ae.autoencoder, x, 2);
    expect(batched.sub(direct).abs().max().dataSync()[0]).toBeLessThan(1e-5);
    expect(() => buildConvEncoder(2, { sizePix: 30 })).toThrow(/multiple of 4/);
  });

  test("a bottleneck autoencoder learns to reconstruct galaxies better than their mean image", async () => {
    const b = simulateGalaxyCutouts(400, { seed: 51, fluxRangeCounts: [2000, 20000] });
    const [x, y] = [b.noisyTensor(), b.cleanTensor()];
    const ae = convAutoencoder(4);
    ae.autoencoder.compile({ optimizer: tf.train.adam(2e-3), loss: "meanSquaredError" });
    await ae.autoencoder.fit(x, y, { epochs: 8, batchSize: 32, verbose: 0 });
    const mseAe = (ae.autoencoder.predict(x) as tf.Tensor).sub(y).square().mean().dataSync()[0];
    const mseMean = y.sub(y.mean(0)).square().mean().dataSync()[0];
    expect(mseAe).toBeLessThan(0.5 * mseMean);
  });

  test("KL per latent matches ½(σ² + μ² − 1 − log σ²), and is zero for the prior itself", () => {
    const mean = tf.tensor2d([[0, 1], [0, -1]]);
    const logVar = tf.tensor2d([[0, Math.log(4)], [0, Math.log(4)]]);
    const kl = klPerLatent(mean, logVar);
    expect(kl[0]).toBeCloseTo(0, 6);
    expect(kl[1]).toBeCloseTo(0.5 * (4 + 1 - 1 - Math.log(4)), 5);
    const { mean: m, logVar: lv } = splitMeanLogVar(tf.tensor2d([[1, 2, 3, 4]]), 2);
    expect(Array.from(m.dataSync())).toEqual([1, 2]);
    expect(Array.from(lv.dataSync())).toEqual([3, 4]);
    expect(() => splitMeanLogVar(tf.zeros([1, 3]) as tf.Tensor2D, 2)).toThrow(/expected \[n, 4\]/);
  });

  test("prior samples and traversals decode to images; a traversal varies only along its row", () => {
    const dec = buildConvDecoder(3);
    expect(samplePrior(dec, 5, 3, 1).shape).toEqual([5, 32, 32, 1]);
    const steps = [-1, 0, 1];
    const t = latentTraversal(dec, 3, [0, 2], steps);
    expect(t.shape).toEqual([6, 32, 32, 1]);
    // The middle of each row decodes z = 0: the same image in both rows.
    const imgs = imagesAt(t, [1, 4]);
    expect(imgs[0]).toEqual(imgs[1]);
    expect(imagesAt({ values: [1, 2, 3, 4, 5, 6, 7, 8], sizePix: 2 }, [1])).toEqual([[[5, 6], [7, 8]]]);
    expect(() => latentTraversal(dec, 3, [3], steps)).toThrow(/outside/);
  });
});
