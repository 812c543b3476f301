/**
 * The shipped stellar-grid emulator (data/emulator): stars per second through the plain-JavaScript
 * path (one star, a batch of 1000, one star with its 6×3 Jacobian) and through tfjs (a batch of
 * 1000, and value + gradient w.r.t. mass, age and Z of 100 stars, what a NUTS step over a cluster
 * needs). The plain-JS workloads do not touch tfjs, so they run once ("cpu").
 */
import * as tf from "@tensorflow/tfjs";
import { join, resolve } from "path";
import { loadEmulator } from "../../src/emulator/io";
import { StellarEmulator } from "../../src/emulator/model";
import { Rng } from "../../src/random";
import { median, timeIt, Workload } from "../workload";

// Compiled to build/bench-js/bench/workloads/: the project root is four levels up.
const EMULATOR_DIR = join(resolve(__dirname, "..", "..", "..", ".."), "data", "emulator");

function stars(n: number, seed = 3) {
  const rng = new Rng(seed);
  return {
    massMsun: Float64Array.from({ length: n }, () => rng.uniform(0.8, 2.0)),
    ageGyr: Float64Array.from({ length: n }, () => rng.uniform(0.5, 4)),
    Z: Float64Array.from({ length: n }, () => rng.uniform(0.008, 0.025)),
  };
}

/** Times `segments` runs of fn (each doing `items` stars) and reports the median segment's rate. */
async function segmented(segments: number, items: number, fn: () => void): Promise<{ items: number; seconds: number; throughput: number }> {
  fn(); // warm-up
  const rates: number[] = [];
  let total = 0;
  for (let s = 0; s < segments; s++) {
    const seconds = await timeIt(fn);
    total += seconds;
    rates.push(items / seconds);
  }
  return { items: items * segments, seconds: total, throughput: median(rates) };
}

let cached: StellarEmulator | undefined;
async function emulator(): Promise<StellarEmulator> {
  cached ??= await loadEmulator(EMULATOR_DIR);
  return cached;
}

export const workloads: Workload[] = [
  {
    name: "emulator-js-single",
    description: "stellar emulator, plain JS float64: one star per call (evaluate)",
    unit: "stars/s",
    backends: ["cpu"],
    async run(ctx) {
      const emu = await emulator();
      const s = stars(200);
      return segmented(ctx.quick ? 5 : 20, 200, () => {
        for (let i = 0; i < 200; i++) emu.evaluate(s.massMsun[i], s.ageGyr[i], s.Z[i]);
      });
    },
  },
  {
    name: "emulator-js-jacobian",
    description: "stellar emulator, plain JS: one star with its 6x3 Jacobian (evaluateWithJacobian)",
    unit: "stars/s",
    backends: ["cpu"],
    async run(ctx) {
      const emu = await emulator();
      const s = stars(200);
      return segmented(ctx.quick ? 5 : 20, 200, () => {
        for (let i = 0; i < 200; i++) emu.evaluateWithJacobian(s.massMsun[i], s.ageGyr[i], s.Z[i]);
      });
    },
  },
  {
    name: "emulator-js-batch-1000",
    description: "stellar emulator, plain JS: predict() on 1000 stars per call",
    unit: "stars/s",
    backends: ["cpu"],
    async run(ctx) {
      const emu = await emulator();
      const s = stars(1000);
      return segmented(ctx.quick ? 3 : 10, 1000, () => emu.predict(s));
    },
  },
  {
    name: "emulator-tfjs-batch-1000",
    description: "stellar emulator through tfjs ops: predict({engine: tfjs}) on 1000 stars per call",
    unit: "stars/s",
    backends: ["wasm", "cpu"],
    async run(ctx) {
      const emu = await emulator();
      const s = stars(1000);
      return segmented(ctx.quick ? 3 : 10, 1000, () => emu.predict(s, { engine: "tfjs" }));
    },
  },
  {
    name: "emulator-tfjs-grad-100",
    description: "stellar emulator: value + gradient w.r.t. (M, age, Z) of a chi^2 over 100 stars via tf.valueAndGrads",
    unit: "gradients/s",
    backends: ["wasm", "cpu"],
    async run(ctx) {
      const emu = await emulator();
      const s = stars(100);
      const vg = tf.valueAndGrads((m: tf.Tensor, a: tf.Tensor, z: tf.Tensor) => emu.apply(m as tf.Tensor1D, a as tf.Tensor1D, z as tf.Tensor1D).all.square().sum() as tf.Scalar);
      const once = () =>
        tf.tidy(() => {
          const { value, grads } = vg([tf.tensor1d(Float32Array.from(s.massMsun)), tf.tensor1d(Float32Array.from(s.ageGyr)), tf.tensor1d(Float32Array.from(s.Z))]);
          value.dataSync();
          for (const g of grads) g.dataSync();
        });
      const r = await segmented(ctx.quick ? 5 : 20, 1, once);
      return { ...r, note: `${(1000 / r.throughput).toFixed(2)} ms per gradient of 100 stars` };
    },
  },
];
