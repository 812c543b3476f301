/**
 * Notebook 11's two costs: training a heteroscedastic regression network whose dropout rate is
 * learned (concrete dropout, Gaussian NLL loss), and T-pass MC-dropout prediction (inputs tiled
 * so several passes run as one batch). Shapes as in the photo-z section: 5 inputs, 128 + 128
 * hidden units, outputs [mean, log variance].
 */
import * as tf from "@tensorflow/tfjs";
import { Rng, seedEverything } from "../../src/random";
import { gaussianNll, nllTargets } from "../../src/uncertainty/gaussian-nll";
import { heteroscedasticMlp, mcDropoutPredict } from "../../src/uncertainty/mc-dropout";
import { normalTensor } from "../data";
import { median, timeIt, Workload } from "../workload";

const now = () => Number(process.hrtime.bigint()) / 1e9;

const concreteTrain: Workload = {
  name: "uncertainty-concrete-train",
  description: "concrete-dropout MLP 5->128->128->[mu, log var], Gaussian NLL, 20k samples, Adam, batch 256",
  unit: "samples/s",
  backends: ["wasm", "cpu"],
  async run(ctx) {
    seedEverything(1);
    const rng = new Rng(1);
    const n = ctx.backend === "cpu" ? 2560 : 20000;
    const epochs = ctx.quick ? 1 : 3;
    const x = normalTensor(rng, [n, 5]) as tf.Tensor2D;
    const y = nllTargets(Array.from({ length: n }, () => rng.normal()));
    const model = heteroscedasticMlp({ inputs: 5, hidden: [128, 128], dropout: "concrete", nTrain: n, seed: 1 });
    model.compile({ optimizer: tf.train.adam(1e-3), loss: gaussianNll });
    await model.fit(x.slice(0, 256), y.slice(0, 256), { batchSize: 256, epochs: 1, verbose: 0 }); // warm-up
    const stamps: number[] = [];
    const seconds = await timeIt(async () => {
      stamps.push(now());
      await model.fit(x, y, { batchSize: 256, epochs, verbose: 0, callbacks: { onBatchEnd: async () => void stamps.push(now()) } });
    });
    const perBatch = stamps.slice(1).map((t, i) => t - stamps[i]);
    const med = median(perBatch);
    tf.dispose([x, y]);
    model.dispose();
    return { items: n * epochs, seconds, throughput: 256 / med, note: `${n} x ${epochs} epochs; ${(med * 1000).toFixed(1)} ms/batch (median of ${perBatch.length})` };
  },
};

const mcPredict: Workload = {
  name: "uncertainty-mc-predict",
  description: "MC-dropout prediction, MLP 5->128->128->[mu, log var] with dropout 0.1, 2000 rows x T = 50 passes",
  unit: "rows x passes/s",
  backends: ["wasm", "cpu"],
  async run(ctx) {
    seedEverything(2);
    const rng = new Rng(2);
    const rows = 2000;
    const passes = ctx.quick ? 10 : 50;
    const repeats = ctx.quick ? 2 : 5;
    const x = normalTensor(rng, [rows, 5]) as tf.Tensor2D;
    const model = heteroscedasticMlp({ inputs: 5, hidden: [128, 128], dropout: "fixed", rate: 0.1, seed: 2 });
    mcDropoutPredict(model, x, { passes: 2 }); // warm-up
    const times: number[] = [];
    const seconds = await timeIt(() => {
      for (let r = 0; r < repeats; r++) {
        const t0 = now();
        mcDropoutPredict(model, x, { passes });
        times.push(now() - t0);
      }
    });
    x.dispose();
    model.dispose();
    return { items: rows * passes * repeats, seconds, throughput: (rows * passes) / median(times), note: `median of ${repeats} calls: ${(median(times) * 1000).toFixed(0)} ms for ${passes} passes` };
  },
};

export const workloads: Workload[] = [concreteTrain, mcPredict];
