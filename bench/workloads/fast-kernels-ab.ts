/**
 * Before/after of src/backend/wasm-fast-kernels.ts and the fused LSTM (fused-recurrent.ts) in one process: training steps alternate
 * between the shipped wasm kernels and the replacements every few batches, so both see the same
 * machine load (separate processes on a shared 2-core machine differed by up to 2x run to run).
 * Throughput here is the speed-up: median shipped step time / median fast step time.
 */
import * as tf from "@tensorflow/tfjs";
import { patchLstmLayer, unpatchLstmLayer } from "../../src/backend/fused-recurrent";
import { registerWasmFastKernels, unregisterWasmFastKernels } from "../../src/backend/wasm-fast-kernels";
import { Rng, seedEverything } from "../../src/random";
import { normalTensor, oneHotLabels } from "../data";
import { median, timeIt, Workload } from "../workload";

interface AbSpec {
  name: string;
  description: string;
  build: () => tf.LayersModel;
  loss: string;
  data: (rng: Rng) => [tf.Tensor, tf.Tensor];
}

const SPECS: AbSpec[] = [
  {
    name: "ab:mlp-step",
    description: "MLP 2->64->64->2 training step, batch 256: fast kernels vs shipped",
    build: () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 64, activation: "relu" }), tf.layers.dense({ units: 64, activation: "relu" }), tf.layers.dense({ units: 2 })] }),
    loss: "meanSquaredError",
    data: (rng) => [normalTensor(rng, [256, 2]), normalTensor(rng, [256, 2])],
  },
  {
    name: "ab:cnn-step",
    description: "CNN conv16-pool-conv32-pool-dense10 training step, batch 64: fast kernels vs shipped",
    build: () =>
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
    data: (rng) => [normalTensor(rng, [64, 32, 32, 1]), oneHotLabels(rng, 64, 10)],
  },
  {
    name: "ab:lstm-step",
    description: "LSTM(32) over 50 steps training step, batch 64: fast kernels vs shipped",
    build: () => tf.sequential({ layers: [tf.layers.lstm({ inputShape: [50, 1], units: 32 }), tf.layers.dense({ units: 1 })] }),
    loss: "meanSquaredError",
    data: (rng) => [normalTensor(rng, [64, 50, 1]), normalTensor(rng, [64, 1])],
  },
];

export const workloads: Workload[] = SPECS.map((spec) => ({
  name: spec.name,
  description: spec.description,
  unit: "x faster",
  backends: ["wasm"],
  async run(ctx) {
    seedEverything(4);
    const [x, y] = spec.data(new Rng(4));
    const model = spec.build();
    const optimizer = tf.train.adam(1e-3);
    model.compile({ optimizer, loss: spec.loss });
    const times: Record<"shipped" | "fast", number[]> = { shipped: [], fast: [] };
    const rounds = ctx.quick ? 3 : 8;
    const perRound = ctx.quick ? 2 : 5;
    let seconds = 0;
    for (let i = 0; i < 3; i++) await model.trainOnBatch(x, y);
    for (let r = 0; r < rounds; r++) {
      for (const mode of ["shipped", "fast"] as const) {
        if (mode === "fast") {
          registerWasmFastKernels();
          patchLstmLayer();
        } else {
          unregisterWasmFastKernels();
          unpatchLstmLayer();
        }
        await model.trainOnBatch(x, y); // first step after a switch re-creates cached XNNPACK operators
        for (let i = 0; i < perRound; i++) {
          const s = await timeIt(() => model.trainOnBatch(x, y));
          times[mode].push(s);
          seconds += s;
        }
      }
    }
    registerWasmFastKernels();
    patchLstmLayer();
    tf.dispose([x, y]);
    model.dispose();
    optimizer.dispose();
    const shipped = median(times.shipped);
    const fast = median(times.fast);
    return {
      items: times.fast.length,
      seconds,
      throughput: shipped / fast,
      note: `median step ${(shipped * 1000).toFixed(1)} ms shipped -> ${(fast * 1000).toFixed(1)} ms fast (${times.fast.length} steps each, interleaved)`,
    };
  },
}));
