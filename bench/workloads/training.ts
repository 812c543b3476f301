/**
 * Training throughput of the course's three model families, as the notebooks train them
 * (model.fit, Adam). The timed part follows a one-batch warm-up fit, so kernel set-up and the
 * first allocations are not counted.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng, seedEverything } from "../../src/random";
import { normalTensor, oneHotLabels } from "../data";
import { cpuSecondsSince, median, timeIt, Workload, WorkloadContext, WorkloadResult } from "../workload";

interface FitSpec {
  model: () => tf.LayersModel;
  loss: string;
  x: tf.Tensor;
  y: tf.Tensor;
  batchSize: number;
  epochs: number;
  note?: string;
}

/**
 * Times model.fit; throughput is batch size / median time between consecutive batch ends (the
 * whole training loop, robust to other processes sharing the CPU).
 */
async function timeFit(spec: FitSpec): Promise<WorkloadResult> {
  const model = spec.model();
  model.compile({ optimizer: tf.train.adam(1e-3), loss: spec.loss });
  const n = spec.x.shape[0];
  const warmX = spec.x.slice(0, spec.batchSize);
  const warmY = spec.y.slice(0, spec.batchSize);
  await model.fit(warmX, warmY, { batchSize: spec.batchSize, epochs: 1, verbose: 0 });
  const stamps: number[] = [];
  const now = () => Number(process.hrtime.bigint()) / 1e9;
  const cpu0 = process.cpuUsage();
  const seconds = await timeIt(async () => {
    stamps.push(now());
    await model.fit(spec.x, spec.y, {
      batchSize: spec.batchSize,
      epochs: spec.epochs,
      verbose: 0,
      shuffle: true,
      callbacks: { onBatchEnd: async () => void stamps.push(now()) },
    });
  });
  const cpuSeconds = cpuSecondsSince(cpu0);
  tf.dispose([warmX, warmY, spec.x, spec.y]);
  model.dispose();
  const perBatch = stamps.slice(1).map((t, i) => t - stamps[i]);
  const med = median(perBatch);
  return {
    items: n * spec.epochs,
    seconds,
    throughput: spec.batchSize / med,
    cpuSeconds,
    note: `${spec.note ?? `${n} samples x ${spec.epochs} epochs, batch ${spec.batchSize}`}; ${(med * 1000).toFixed(1)} ms/batch (median of ${perBatch.length})`,
  };
}

/** The cpu backend is ~100x slower on convolutions: a few batches give its throughput. */
function capped(ctx: WorkloadContext, full: number, cpuBatches: number, batch: number): { n: number; note?: string } {
  if (ctx.backend !== "cpu") return { n: full };
  const n = cpuBatches * batch;
  return { n, note: `cpu capped to ${cpuBatches} batch(es) of ${batch}` };
}

const mlp: Workload = {
  name: "mlp-train",
  description: "MLP 2->64->64->2 (relu), 20k samples, Adam, batch 256",
  unit: "samples/s",
  backends: ["node", "wasm", "wasm-shipped", "cpu"],
  async run(ctx) {
    seedEverything(1);
    const rng = new Rng(1);
    const n = 20000;
    const epochs = ctx.quick ? 1 : 3;
    const x = normalTensor(rng, [n, 2]);
    const y = tf.tidy(() => tf.concat([tf.sin(x.slice([0, 0], [n, 1])), tf.mul(x.slice([0, 0], [n, 1]), x.slice([0, 1], [n, 1]))], 1));
    return timeFit({
      model: () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 64, activation: "relu" }), tf.layers.dense({ units: 64, activation: "relu" }), tf.layers.dense({ units: 2 })] }),
      loss: "meanSquaredError",
      x,
      y,
      batchSize: 256,
      epochs,
    });
  },
};

const cnn: Workload = {
  name: "cnn-train",
  description: "CNN conv16-pool-conv32-pool-dense10 on 32x32x1, Adam, batch 64",
  unit: "samples/s",
  backends: ["node", "wasm", "wasm-shipped", "cpu"],
  async run(ctx) {
    seedEverything(2);
    const rng = new Rng(2);
    const batch = 64;
    const { n, note } = capped(ctx, ctx.quick ? 512 : 2048, ctx.quick ? 1 : 2, batch);
    const epochs = ctx.backend === "cpu" || ctx.quick ? 1 : 2;
    return timeFit({
      model: () =>
        tf.sequential({
          layers: [
            tf.layers.conv2d({ inputShape: [32, 32, 1], filters: 16, kernelSize: 3, padding: "same", activation: "relu" }),
            tf.layers.maxPooling2d({ poolSize: 2 }),
            tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: "same", activation: "relu" }),
            tf.layers.maxPooling2d({ poolSize: 2 }),
            tf.layers.flatten(),
            tf.layers.dense({ units: 10, activation: "softmax" }),
          ],
        }),
      loss: "categoricalCrossentropy",
      x: normalTensor(rng, [n, 32, 32, 1]),
      y: oneHotLabels(rng, n, 10),
      batchSize: batch,
      epochs,
      note: note ?? `${n} images x ${epochs} epochs`,
    });
  },
};

const lstm: Workload = {
  name: "lstm-train",
  description: "LSTM(32) over 50 steps of 1 feature -> dense 1, Adam, batch 64",
  unit: "samples/s",
  backends: ["node", "wasm", "wasm-shipped", "cpu"],
  async run(ctx) {
    seedEverything(3);
    const rng = new Rng(3);
    const batch = 64;
    const { n, note } = capped(ctx, ctx.quick ? 256 : 1024, ctx.quick ? 2 : 4, batch);
    const epochs = ctx.quick || ctx.backend === "cpu" ? 1 : 2;
    return timeFit({
      model: () => tf.sequential({ layers: [tf.layers.lstm({ inputShape: [50, 1], units: 32 }), tf.layers.dense({ units: 1 })] }),
      loss: "meanSquaredError",
      x: normalTensor(rng, [n, 50, 1]),
      y: normalTensor(rng, [n, 1]),
      batchSize: batch,
      epochs,
      note: note ?? `${n} sequences x ${epochs} epochs`,
    });
  },
};

export const workloads: Workload[] = [mlp, cnn, lstm];
