/**
 * Training throughput of notebook 09's recurrent light-curve classifier, built by the same
 * `recurrentClassifier` the notebook uses (Masking → LSTM(20, sigmoid gates) → dropout → softmax
 * over 5 classes) and trained as the notebook trains it (Adam, categorical cross-entropy, batch
 * 64), on sequences shaped like the notebook's: 32 steps of 8 features, padded at the end. The
 * values are simulated light curves, so the mask sees the notebook's mix of sequence lengths.
 */
import * as tf from "@tensorflow/tfjs";
import { seedEverything } from "../../src/random";
import { simulateTransientSet } from "../../src/sim/supernovae";
import { classLabels, observationSequences } from "../../src/rnn/sequences";
import { LIGHT_CURVE_TRAINING, compileClassifier, recurrentClassifier } from "../../src/rnn/models";
import { median, timeIt, Workload } from "../workload";

const CLASSES = ["Ia", "Ibc", "IIP", "IIn", "AGN"] as const;

const supernovaRnn: Workload = {
  name: "supernova-rnn-train",
  description: "notebook 09 light-curve classifier: masking + LSTM(20) over 32 steps x 8 features -> softmax 5, Adam, batch 64",
  unit: "sequences/s",
  backends: ["node", "wasm", "wasm-shipped", "cpu"],
  async run(ctx) {
    seedEverything(9);
    const batch = LIGHT_CURVE_TRAINING.batchSize;
    const batches = ctx.backend === "cpu" ? 2 : ctx.quick ? 6 : 24;
    const n = batches * batch;
    const curves = simulateTransientSet(n, { seed: 9 });
    const seq = observationSequences(curves, { maxSteps: 32 });
    const x = tf.tensor3d(seq.x, [n, seq.steps, seq.features]);
    const y = tf.tensor2d(classLabels(curves, [...CLASSES]).oneHot, [n, CLASSES.length]);
    const model = compileClassifier(recurrentClassifier({ cell: "lstm", features: seq.features, classes: CLASSES.length }));
    // Warm-up: one batch, so kernel set-up and first allocations are not timed.
    const warmX = x.slice(0, batch);
    const warmY = y.slice(0, batch);
    await model.fit(warmX, warmY, { batchSize: batch, epochs: 1, verbose: 0 });
    const stamps: number[] = [];
    const now = () => Number(process.hrtime.bigint()) / 1e9;
    const epochs = ctx.backend === "cpu" || ctx.quick ? 1 : 2;
    const seconds = await timeIt(async () => {
      stamps.push(now());
      await model.fit(x, y, { batchSize: batch, epochs, verbose: 0, shuffle: true, callbacks: { onBatchEnd: async () => void stamps.push(now()) } });
    });
    tf.dispose([x, y, warmX, warmY]);
    model.dispose();
    const perBatch = stamps.slice(1).map((t, i) => t - stamps[i]);
    const med = median(perBatch);
    return {
      items: n * epochs,
      seconds,
      throughput: batch / med,
      note: `${n} light curves x ${epochs} epoch(s), median length ${median(Array.from(seq.lengths))} of 32 steps; ${(med * 1000).toFixed(1)} ms/batch (median of ${perBatch.length})`,
    };
  },
};

export const workloads: Workload[] = [supernovaRnn];
