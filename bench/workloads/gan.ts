/**
 * Training throughput of notebook 10's DCGAN: one round of the game (a discriminator step on 64 real
 * and 64 generated 32 × 32 images, then a generator step on 64 fresh ones) with the library's
 * `ganTrainStep`, the same losses and optimisers as the notebook's written-out loop (non-saturating
 * loss, label smoothing 0.9, Adam 1e-3, β₁ = 0.5). "gan-step" times whole rounds; "gan-generator-step"
 * and "gan-discriminator-step" time each player's step alone, to see where the time goes.
 * Image values do not change the speed, so the "real" images are noise in the tanh range.
 */
import * as tf from "@tensorflow/tfjs";
import { seedEverything } from "../../src/random";
import { buildDiscriminator, buildGenerator, discriminatorLoss, ganTrainStep, generatorLoss, trainableVariables } from "../../src/gan/dcgan";
import { median, timeIt, Workload } from "../workload";

const BATCH = 64;
const LATENT = 32;

function setUp() {
  seedEverything(10);
  const generator = buildGenerator({ latentDim: LATENT });
  const discriminator = buildDiscriminator({});
  const optG = tf.train.adam(1e-3, 0.5);
  const optD = tf.train.adam(1e-3, 0.5);
  const real = tf.randomUniform([BATCH, 32, 32, 1], -0.3, 0.9) as tf.Tensor4D;
  const dispose = () => { generator.dispose(); discriminator.dispose(); optG.dispose(); optD.dispose(); real.dispose(); };
  return { generator, discriminator, optG, optD, real, dispose };
}

async function timeSteps(steps: number, step: () => void): Promise<{ seconds: number; perStep: number[] }> {
  step(); // warm-up: kernel set-up and first allocations
  const perStep: number[] = [];
  const seconds = await timeIt(() => {
    for (let s = 0; s < steps; s++) {
      const t0 = process.hrtime.bigint();
      step();
      perStep.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
  });
  return { seconds, perStep };
}

function stepsFor(backend: string, quick: boolean): number {
  return backend === "cpu" ? 1 : quick ? 6 : 30;
}

const ganStep: Workload = {
  name: "gan-step",
  description: "notebook 10 DCGAN round: D step (64 real + 64 fake) then G step (64), 32x32, Adam, non-saturating loss",
  unit: "rounds/s",
  backends: ["node", "wasm", "wasm-shipped", "cpu"],
  async run(ctx) {
    const s = setUp();
    const steps = stepsFor(ctx.backend, ctx.quick);
    const { seconds, perStep } = await timeSteps(steps, () => void ganTrainStep(s.generator, s.discriminator, s.optG, s.optD, s.real, { latentDim: LATENT, realTarget: 0.9 }));
    s.dispose();
    const med = median(perStep);
    return { items: steps, seconds, throughput: 1 / med, note: `${(med * 1000).toFixed(0)} ms/round (median of ${steps}); ${(BATCH / med).toFixed(0)} generated images/s trained` };
  },
};

const generatorStep: Workload = {
  name: "gan-generator-step",
  description: "notebook 10 generator step alone: G forward + D forward, gradients to G's weights, batch 64",
  unit: "steps/s",
  backends: ["wasm", "wasm-shipped"],
  async run(ctx) {
    const s = setUp();
    const steps = stepsFor(ctx.backend, ctx.quick);
    const vars = trainableVariables(s.generator);
    const { seconds, perStep } = await timeSteps(steps, () => {
      const loss = s.optG.minimize(() => generatorLoss(s.discriminator.apply(s.generator.apply(tf.randomNormal([BATCH, LATENT]))) as tf.Tensor), true, vars);
      loss?.dispose();
    });
    s.dispose();
    const med = median(perStep);
    return { items: steps, seconds, throughput: 1 / med, note: `${(med * 1000).toFixed(0)} ms/step (median of ${steps})` };
  },
};

const discriminatorStep: Workload = {
  name: "gan-discriminator-step",
  description: "notebook 10 discriminator step alone: D on 64 real + 64 fixed fakes, gradients to D's weights",
  unit: "steps/s",
  backends: ["wasm", "wasm-shipped"],
  async run(ctx) {
    const s = setUp();
    const steps = stepsFor(ctx.backend, ctx.quick);
    const vars = trainableVariables(s.discriminator);
    const fake = s.generator.predict(tf.randomNormal([BATCH, LATENT])) as tf.Tensor4D;
    const { seconds, perStep } = await timeSteps(steps, () => {
      const loss = s.optD.minimize(() => discriminatorLoss(s.discriminator.apply(s.real) as tf.Tensor, s.discriminator.apply(fake) as tf.Tensor, 0.9), true, vars);
      loss?.dispose();
    });
    fake.dispose();
    s.dispose();
    const med = median(perStep);
    return { items: steps, seconds, throughput: 1 / med, note: `${(med * 1000).toFixed(0)} ms/step (median of ${steps})` };
  },
};

export const workloads: Workload[] = [ganStep, generatorStep, discriminatorStep];
