/**
 * Training throughput of notebook 07's real/bogus classifier, trained exactly as the notebook trains
 * it: `realBogusCnn()` on 31 × 31 × 3 stamps, Adam at the notebook's learning rate, batches of 64
 * from `augmentedDataset` with column-preserving dihedral augmentation, through `fitDataset`.
 * Stamp values do not change the speed, so the stamps are Gaussian noise. The augmentation (plain
 * JavaScript) is part of the timed loop because it is part of the notebook's.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng, seedEverything } from "../../src/random";
import { augmentedDataset } from "../../src/cnn/augmented-dataset";
import { REAL_BOGUS_TRAINING, realBogusCnn } from "../../src/cnn/realbogus";
import { COLUMN_PRESERVING } from "../../src/sim/augment";
import { cpuSecondsSince, median, timeIt, Workload } from "../workload";

const STAMP = 31;

const realBogusTrain: Workload = {
  name: "realbogus-train",
  description: "notebook 07 real/bogus CNN (conv8-16-32, dense 32) on 31x31x3 stamps, fitDataset + augmentation, Adam, batch 64",
  unit: "stamps/s",
  backends: ["node", "wasm", "wasm-shipped", "cpu"],
  async run(ctx) {
    seedEverything(7);
    const rng = new Rng(7);
    const batch = REAL_BOGUS_TRAINING.batchSize;
    // The cpu backend needs seconds per batch for convolutions: two batches give its rate.
    const batches = ctx.backend === "cpu" ? 2 : ctx.quick ? 8 : 40;
    const epochs = ctx.backend === "cpu" || ctx.quick ? 1 : 2;
    const n = batches * batch;
    const x = Float32Array.from({ length: n * STAMP * STAMP * 3 }, () => rng.normal());
    const y = Float32Array.from({ length: n }, () => (rng.random() < 0.5 ? 1 : 0));
    const shape = { n, heightPix: STAMP, widthPix: STAMP, channels: 3 };
    const model = realBogusCnn({ stampSize: STAMP });
    model.compile({ optimizer: tf.train.adam(REAL_BOGUS_TRAINING.learningRate), loss: "binaryCrossentropy", metrics: ["accuracy"] });
    // Warm-up: one batch, so kernel set-up and first allocations are not timed.
    const warm = augmentedDataset(x.subarray(0, batch * STAMP * STAMP * 3), y.subarray(0, batch), { ...shape, n: batch }, { batchSize: batch, allowed: COLUMN_PRESERVING, seed: 1 });
    await model.fitDataset(warm, { epochs: 1, verbose: 0 });
    const data = augmentedDataset(x, y, shape, { batchSize: batch, allowed: COLUMN_PRESERVING, seed: 2 });
    const stamps: number[] = [];
    const now = () => Number(process.hrtime.bigint()) / 1e9;
    const cpu0 = process.cpuUsage();
    const seconds = await timeIt(async () => {
      stamps.push(now());
      await model.fitDataset(data, { epochs, verbose: 0, callbacks: { onBatchEnd: async () => void stamps.push(now()) } });
    });
    const cpuSeconds = cpuSecondsSince(cpu0);
    model.dispose();
    // Batch-to-batch intervals; the first of each later epoch also holds the epoch boundary.
    const perBatch = stamps.slice(1).map((t, i) => t - stamps[i]);
    const med = median(perBatch);
    return {
      items: n * epochs,
      seconds,
      throughput: batch / med,
      cpuSeconds,
      note: `${n} stamps x ${epochs} epoch(s)${ctx.backend === "cpu" ? " (cpu capped to 2 batches)" : ""}; ${(med * 1000).toFixed(1)} ms/batch (median of ${perBatch.length})`,
    };
  },
};

export const workloads: Workload[] = [realBogusTrain];
