/**
 * GAN building blocks (losses, conditional inputs, one training step), the evaluation statistics
 * (KS test, morphology statistics) and the adversarial attacks and defences.
 */
import * as tf from "@tensorflow/tfjs";
import { setupBackend } from "../src/backend/select";
import { seedEverything, unseedMathRandom, Rng } from "../src/random";
import {
  buildGenerator, buildDiscriminator, sigmoidCrossEntropy, discriminatorLoss, generatorLoss, withLabelPlanes, ganTrainStep,
  latentInterpolation, generateImages,
} from "../src/gan/dcgan";
import { ksTwoSample, kolmogorovQ, morphologyStatistics, classFractions } from "../src/gan/evaluation";
import { fgsm, pgd, crossEntropy, inputGradient, saliencyMap, accuracyOf } from "../src/adversarial/attacks";
import { featureSqueezing, medianSmoothing, gaussianNoiseDefence, straightThrough, adversarialTraining } from "../src/adversarial/defences";
import { drawMorphologyGalaxy, renderMorphologyGalaxy } from "../src/sim/morphology";

beforeAll(async () => {
  await setupBackend({ verbose: false });
  seedEverything(3);
});
afterAll(() => unseedMathRandom());

describe("GAN losses", () => {
  test("sigmoid cross-entropy matches −[y log σ(l) + (1 − y) log(1 − σ(l))], also for huge logits", () => {
    const logits = tf.tensor1d([-3, -0.5, 0, 2, 40]);
    for (const y of [0, 0.9, 1]) {
      const expected = [-3, -0.5, 0, 2, 40].map((l) => {
        const p = 1 / (1 + Math.exp(-l));
        return -(y * Math.log(p) + (1 - y) * Math.log(Math.max(1 - p, 1e-300)));
      });
      // Compare the finite part (l = 40 with y < 1 is ≈ 40(1 − y)).
      expect(sigmoidCrossEntropy(y, logits.slice(0, 4)).dataSync()[0]).toBeCloseTo(expected.slice(0, 4).reduce((a, b) => a + b) / 4, 5);
      expect(sigmoidCrossEntropy(y, tf.tensor1d([40])).dataSync()[0]).toBeCloseTo(40 * (1 - y), 3);
    }
    expect(() => sigmoidCrossEntropy(1.5, logits)).toThrow(/target must be in \[0, 1\]/);
  });

  test("when the discriminator rejects the fakes, the minimax generator gradient vanishes and the non-saturating one does not", () => {
    const logit = tf.scalar(-8); // D(G(z)) ≈ 3e-4
    const gMinimax = tf.grad((l: tf.Tensor) => generatorLoss(l, "minimax"))(logit).dataSync()[0];
    const gNonSat = tf.grad((l: tf.Tensor) => generatorLoss(l, "non-saturating"))(logit).dataSync()[0];
    expect(Math.abs(gMinimax)).toBeLessThan(1e-3);
    expect(Math.abs(gNonSat)).toBeGreaterThan(0.99);
    // Both push the logit up (towards "real").
    expect(gMinimax).toBeLessThan(0);
    expect(gNonSat).toBeLessThan(0);
  });

  test("the discriminator loss is 2 log 2 at D = ½ and smaller when it is right", () => {
    expect(discriminatorLoss(tf.zeros([4, 1]), tf.zeros([4, 1])).dataSync()[0]).toBeCloseTo(2 * Math.log(2), 5);
    expect(discriminatorLoss(tf.fill([4, 1], 5), tf.fill([4, 1], -5)).dataSync()[0]).toBeLessThan(0.02);
  });
});

describe("DCGAN", () => {
  test("generator and discriminator shapes, unconditional and conditional", () => {
    const g = buildGenerator({ latentDim: 8 });
    const d = buildDiscriminator({});
    const img = g.predict(tf.randomNormal([5, 8])) as tf.Tensor4D;
    expect(img.shape).toEqual([5, 32, 32, 1]);
    expect(Math.max(...Array.from(img.abs().dataSync()))).toBeLessThanOrEqual(1);
    expect((d.predict(img) as tf.Tensor).shape).toEqual([5, 1]);
    const gc = buildGenerator({ latentDim: 8, classes: 3 });
    const dc = buildDiscriminator({ classes: 3 });
    const oneHot = tf.oneHot(tf.tensor1d([0, 1, 2, 2, 0], "int32"), 3).toFloat() as tf.Tensor2D;
    const planes = withLabelPlanes(img, oneHot);
    expect(planes.shape).toEqual([5, 32, 32, 4]);
    // Image 1 is of class 1: its plane 2 (channel 1 + 1) is all ones, the others zero.
    expect(Array.from(planes.slice([1, 0, 0, 2], [1, 32, 32, 1]).dataSync()).every((v) => v === 1)).toBe(true);
    expect(Array.from(planes.slice([1, 0, 0, 1], [1, 32, 32, 1]).dataSync()).every((v) => v === 0)).toBe(true);
    expect((dc.predict(planes) as tf.Tensor).shape).toEqual([5, 1]);
    expect(generateImages(gc, 300, 8, Array.from({ length: 300 }, (_, i) => i % 3)).shape).toEqual([300, 32, 32, 1]);
    expect(latentInterpolation(g, tf.randomNormal([2, 8]) as tf.Tensor2D, tf.randomNormal([2, 8]) as tf.Tensor2D, 5).shape).toEqual([10, 32, 32, 1]);
    expect(() => buildGenerator({ sizePix: 30 })).toThrow(/multiple of 4/);
  });

  test("training steps move the generator towards the data: fakes of a fixed blob become blob-like", () => {
    // Real data: one Gaussian blob (in tanh range), the same in every image.
    const blob = new Float32Array(256).map((_, p) => Math.exp(-(((p % 16) - 7.5) ** 2 + (Math.floor(p / 16) - 7.5) ** 2) / 8));
    const makeBatch = () => tf.tensor4d(Float32Array.from({ length: 32 * 256 }, (_, p) => 0.9 * blob[p % 256] - 0.05), [32, 16, 16, 1]);
    const g = buildGenerator({ latentDim: 8, sizePix: 16, filters: [8, 4] });
    const d = buildDiscriminator({ sizePix: 16, filters: [8, 4] });
    const oG = tf.train.adam(2e-3, 0.5);
    const oD = tf.train.adam(2e-3, 0.5);
    const corr = () => tf.tidy(() => {
      const m = (g.predict(tf.randomNormal([32, 8])) as tf.Tensor).mean(0).flatten();
      const b = tf.tensor1d(blob);
      const mc = m.sub(m.mean());
      const bc = b.sub(b.mean());
      return mc.mul(bc).sum().div(mc.norm().mul(bc.norm())).dataSync()[0];
    });
    const before = corr();
    const real = makeBatch();
    let last = { discriminator: 0, generator: 0, dReal: 0, dFake: 0 };
    for (let s = 0; s < 100; s++) last = ganTrainStep(g, d, oG, oD, real, { latentDim: 8 });
    expect(Number.isFinite(last.discriminator) && Number.isFinite(last.generator)).toBe(true);
    expect(corr()).toBeGreaterThan(Math.max(0.8, before + 0.3));
  });
});

describe("evaluation statistics", () => {
  test("KS: the same distribution gives a large p, shifted ones a tiny p; Q(λ) matches tabulated values", () => {
    const rng = new Rng(5);
    // Same distribution: p is uniform, so about 5 % of 200 tests fall below 0.05.
    let rejected = 0;
    for (let k = 0; k < 200; k++) if (ksTwoSample(rng.array(150, (r) => r.normal()), rng.array(150, (r) => r.normal())).pValue < 0.05) rejected++;
    expect(rejected / 200).toBeGreaterThan(0.01);
    expect(rejected / 200).toBeLessThan(0.1);
    const a = rng.array(400, (r) => r.normal());
    const c = rng.array(400, (r) => r.normal(0.5));
    expect(ksTwoSample(a, c).pValue).toBeLessThan(1e-6);
    // Kolmogorov distribution: Q(1.36) ≈ 0.049, Q(1.63) ≈ 0.0098, Q(0.5) ≈ 0.964.
    expect(kolmogorovQ(1.36)).toBeCloseTo(0.0494, 3);
    expect(kolmogorovQ(1.63)).toBeCloseTo(0.0098, 3);
    expect(kolmogorovQ(0.5)).toBeCloseTo(0.9639, 3);
    expect(ksTwoSample([1, 2, 3], [1, 2, 3]).statistic).toBe(0);
    expect(() => ksTwoSample([1], [1, 2])).toThrow(/at least 2 values/);
  });

  test("morphology statistics: ellipticals are more concentrated than discs; an inclined disc is elongated; flux adds up", () => {
    const rng = new Rng(6);
    const images: number[] = [];
    const gs = [
      drawMorphologyGalaxy("elliptical", rng, {}, { sersicN: 5, reffPix: 3, ellipticity: 0, xPix: 15.5, yPix: 15.5, fluxCounts: 1e4 }),
      drawMorphologyGalaxy("spiral", rng, {}, { inclinationDeg: 0, bulgeFraction: 0.1, xPix: 15.5, yPix: 15.5, fluxCounts: 1e4 }),
      drawMorphologyGalaxy("spiral", rng, {}, { inclinationDeg: 60, xPix: 15.5, yPix: 15.5, fluxCounts: 1e4 }),
    ];
    const fluxes = gs.map((g) => { const { image, fluxOnStampCounts } = renderMorphologyGalaxy(g, 32, null, rng); images.push(...image); return fluxOnStampCounts; });
    const s = morphologyStatistics(images, 3, 32);
    expect(s.concentration[0]).toBeGreaterThan(s.concentration[1] + 0.5);
    expect(s.ellipticity[2]).toBeGreaterThan(0.3);
    expect(s.ellipticity[0]).toBeLessThan(0.05);
    s.flux.forEach((f, i) => expect(f).toBeLessThanOrEqual(fluxes[i] * 1.0001));
    expect(s.flux[0]).toBeGreaterThan(0.9 * fluxes[0]);
    expect(s.asymmetry[0]).toBeLessThan(0.02);                 // a centred elliptical is point-symmetric
    expect(classFractions([0, 0, 1, 2])).toEqual([0.5, 0.25, 0.25]);
  });
});

describe("adversarial attacks and defences", () => {
  // A linear softmax classifier on 4×4 images: gradients known in closed form.
  // Made after the backend is set up (tensors made before it would live on a backend that is gone).
  let model: tf.Sequential;
  let x: tf.Tensor4D;
  let y: tf.Tensor2D;
  beforeAll(() => {
    model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 3, activation: "softmax" })] });
    x = tf.randomUniform([16, 4, 4, 1], -0.5, 0.5) as tf.Tensor4D;
    y = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 3), "int32"), 3).toFloat() as tf.Tensor2D;
  });
  const loss = (xi: tf.Tensor4D) => crossEntropy(model.predict(xi) as tf.Tensor2D, y).dataSync()[0];

  test("FGSM moves every pixel by exactly ε and increases the loss; a step against the gradient decreases it", () => {
    const eps = 0.05;
    const adv = fgsm(model, x, y, eps);
    const diff = Array.from(adv.sub(x).abs().dataSync());
    expect(Math.min(...diff)).toBeGreaterThan(eps - 1e-6);
    expect(Math.max(...diff)).toBeLessThan(eps + 1e-6);
    expect(loss(adv)).toBeGreaterThan(loss(x));
    const away = x.sub(inputGradient(model, x, y).sign().mul(eps)) as tf.Tensor4D;
    expect(loss(away)).toBeLessThan(loss(x));
    // Clipping keeps pixels in range.
    const clipped = fgsm(model, x, y, 1, { clipRange: [-0.5, 0.5] });
    expect(Math.max(...Array.from(clipped.abs().dataSync()))).toBeLessThanOrEqual(0.5 + 1e-6);
  });

  test("PGD stays inside the ε-ball and reaches at least FGSM's loss", () => {
    const eps = 0.05;
    const adv = pgd(model, x, y, eps, { steps: 8 });
    expect(Math.max(...Array.from(adv.sub(x).abs().dataSync()))).toBeLessThanOrEqual(eps + 1e-6);
    expect(loss(adv)).toBeGreaterThan(loss(x));
    expect(loss(adv)).toBeGreaterThanOrEqual(loss(fgsm(model, x, y, eps)) - 1e-4);
    expect(() => pgd(model, x, y, -1)).toThrow(/epsilon must be a finite number ≥ 0/);
  });

  test("feature squeezing quantises to 2^bits levels; median smoothing removes a lone spike; noise has the right σ", () => {
    const v = tf.linspace(-1, 1, 101).reshape([1, 101, 1, 1]) as tf.Tensor4D;
    const squeezed = Array.from(featureSqueezing(2)(v).dataSync());
    expect(new Set(squeezed.map((s) => s.toFixed(5))).size).toBe(4);
    expect(squeezed.every((s) => [-1, -1 / 3, 1 / 3, 1].some((l) => Math.abs(s - l) < 1e-5))).toBe(true);
    const spike = tf.buffer([1, 5, 5, 1]);
    spike.set(1, 0, 2, 2, 0);
    const smoothed = medianSmoothing(3)(spike.toTensor() as tf.Tensor4D);
    expect(Math.max(...Array.from(smoothed.dataSync()))).toBe(0);
    const flat = tf.ones([1, 8, 8, 1]) as tf.Tensor4D;
    expect(Array.from(medianSmoothing(3)(flat).dataSync()).every((p) => p === 1)).toBe(true);
    const noisy = gaussianNoiseDefence(0.2)(tf.zeros([1, 64, 64, 1]) as tf.Tensor4D);
    const sd = Math.sqrt(noisy.square().mean().dataSync()[0]);
    expect(sd).toBeGreaterThan(0.18);
    expect(sd).toBeLessThan(0.22);
    expect(() => featureSqueezing(0)).toThrow(/bits must be an integer/);
  });

  test("straight-through (BPDA) gives the identity gradient through rounding", () => {
    const f = straightThrough(featureSqueezing(3));
    const g = tf.grad((xi: tf.Tensor) => f(xi as tf.Tensor4D).mul(2).sum())(tf.fill([1, 2, 2, 1], 0.3));
    expect(Array.from(g.dataSync())).toEqual([2, 2, 2, 2]);
  });

  test("saliency is |∂p_c/∂x|; for a linear softmax it is large where the weights separate class c", () => {
    const s = saliencyMap(model, x.slice(0, 3), [0, 1, 2]);
    expect(s.shape).toEqual([3, 4, 4, 1]);
    expect(Math.min(...Array.from(s.dataSync()))).toBeGreaterThanOrEqual(0);
  });

  test("adversarial training makes a network robust where plain training is not (it learns to ignore the many noise pixels)", async () => {
    // Class 1 has a bright 2×2 patch at the centre, class 0 not; every pixel has noise σ = 0.5. With
    // 144 pixels and 256 images, plain training spreads weight over noise pixels, and an L∞ attack
    // adds up ε × Σ|w| over all of them; adversarial training concentrates the weight on the patch.
    const rng = new Rng(7);
    const n = 256, side = 12;
    const vals = new Float32Array(n * side * side);
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      labels.push(i % 2);
      for (let p = 0; p < side * side; p++) {
        const centre = Math.abs(Math.floor(p / side) - 5.5) < 1 && Math.abs((p % side) - 5.5) < 1;
        vals[i * side * side + p] = (i % 2 === 1 && centre ? 1 : 0) + 0.5 * rng.normal();
      }
    }
    const xs = tf.tensor4d(vals, [n, side, side, 1]);
    const ys = tf.oneHot(tf.tensor1d(labels, "int32"), 2).toFloat() as tf.Tensor2D;
    const mlp = () => tf.sequential({ layers: [tf.layers.flatten({ inputShape: [side, side, 1] }), tf.layers.dense({ units: 32, activation: "relu" }), tf.layers.dense({ units: 2, activation: "softmax" })] });
    const eps = 0.15;
    seedEverything(8);
    const plain = mlp();
    plain.compile({ optimizer: tf.train.adam(3e-3), loss: "categoricalCrossentropy" });
    await plain.fit(xs, ys, { epochs: 12, batchSize: 32, verbose: 0 });
    seedEverything(8);
    const robust = mlp();
    const losses = await adversarialTraining(robust, xs, ys, { epochs: 12, batchSize: 32, epsilon: eps, learningRate: 3e-3 });
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    expect(accuracyOf(plain, xs, labels)).toBeGreaterThan(0.95);
    expect(accuracyOf(robust, xs, labels)).toBeGreaterThan(0.9);
    const attackedPlain = accuracyOf(plain, pgd(plain, xs, ys, eps), labels);
    const attackedRobust = accuracyOf(robust, pgd(robust, xs, ys, eps), labels);
    expect(attackedPlain).toBeLessThan(0.5);
    expect(attackedRobust).toBeGreaterThan(0.75);
  });
});
