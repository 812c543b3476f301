/**
 * Training throughput of notebook 15's radio-source detector, trained as the notebook trains it:
 * `radioDetector()` on 48 × 48 FIRST-like cut-outs, batches of 32 built by `detectorBatch` (random
 * grid symmetry, anchor targets computed in JavaScript) and one Adam step of `detectorTrainStep`
 * with the focal loss. Real simulated cut-outs, since the number of positive anchors (and so the
 * target-building work) depends on the sources.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng, seedEverything } from "../../src/random";
import { detectorBatch, detectorTrainStep, radioDetector } from "../../src/detect/retina";
import { radioNetworkInput, simulateRadioBatch } from "../../src/sim/radio";
import { median, timeIt, Workload } from "../workload";

const detectorTrain: Workload = {
  name: "detector-train",
  description: "notebook 15 radio detector (conv 8-16-24-24-32-32, two anchor levels, focal loss) on 48x48 cut-outs, Adam, batch 32",
  unit: "images/s",
  backends: ["wasm", "wasm-shipped", "cpu"],
  async run(ctx) {
    seedEverything(15);
    const batch = 32;
    const steps = ctx.backend === "cpu" ? 2 : ctx.quick ? 6 : 30;
    const sky = simulateRadioBatch(batch * 4, { seed: 15 });
    const x = radioNetworkInput(sky.images);
    const truths = sky.cutouts.map((c) => c.sources.map((s) => ({ ...s.box, classIndex: s.classIndex })));
    const det = radioDetector();
    const optimizer = tf.train.adam(2e-3);
    const rng = new Rng(1);
    const order = (s: number) => Array.from({ length: batch }, (_, i) => ((s % 4) * batch + i));
    const step = async (s: number) => {
      const b = detectorBatch(det, x, truths, order(s), rng);
      const terms = detectorTrainStep(det, optimizer, b);
      await terms.data();
      [terms, b.x, b.cls, b.box].forEach((t) => t.dispose());
    };
    await step(0);   // warm-up: kernel set-up and first allocations
    const perStep: number[] = [];
    const seconds = await timeIt(async () => {
      for (let s = 0; s < steps; s++) perStep.push(await timeIt(() => step(s)));
    });
    det.model.dispose();
    optimizer.dispose();
    const med = median(perStep);
    return {
      items: steps * batch, seconds, throughput: batch / med,
      note: `${steps} steps of ${batch}; ${(med * 1000).toFixed(0)} ms/step (median), targets and augmentation included`,
    };
  },
};

export const workloads: Workload[] = [detectorTrain];
