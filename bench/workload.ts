/**
 * What a benchmark workload is. To add one, drop a file in bench/workloads/ that exports
 * `workloads: Workload[]`; `npm run bench` finds it, runs it once per backend in a fresh child
 * process (backend already set up) and reports throughput, time and peak memory:
 *
 *   import * as tf from "@tensorflow/tfjs";
 *   import { timeIt, Workload } from "../workload";
 *   export const workloads: Workload[] = [{
 *     name: "matmul-512", description: "512x512 matmul", unit: "calls/s", backends: ["wasm", "cpu"],
 *     async run(ctx) {
 *       const a = tf.randomNormal([512, 512]);
 *       const n = ctx.quick ? 5 : 50;
 *       const seconds = await timeIt(() => { for (let i = 0; i < n; i++) tf.matMul(a, a).dispose(); });
 *       return { items: n, seconds };
 *     },
 *   }];
 *
 * training.ts (model.fit), kernels.ts (single kernels) and fast-kernels-ab.ts (interleaved
 * before/after) are the three patterns in use.
 */

/**
 * Backends a workload can run on. "wasm" is what the course uses (missing gradients + faster
 * kernels); "wasm-shipped" keeps tfjs-backend-wasm's own kernels where they exist (the "before"
 * of the faster kernels); "node"/"node-gpu" need @tensorflow/tfjs-node(-gpu) and are skipped
 * when it is not installed.
 */
export type BenchBackend = "wasm" | "wasm-shipped" | "cpu" | "node" | "node-gpu";

export const ALL_BACKENDS: readonly BenchBackend[] = ["node-gpu", "node", "wasm", "wasm-shipped", "cpu"];

export interface WorkloadContext {
  backend: BenchBackend;
  /** --quick: a smaller run for a smoke test (throughput is noisier). */
  quick: boolean;
}

export interface WorkloadResult {
  /** Units of work done in the timed part (samples, calls, ...), in the workload's `unit`. */
  items: number;
  /** Seconds spent in the timed part (set-up and warm-up excluded). */
  seconds: number;
  /**
   * Items per second to report; defaults to items / seconds. Workloads that time many short
   * segments (batches, groups of calls) report the median segment's rate instead, which is
   * robust to other processes sharing the CPU.
   */
  throughput?: number;
  /** Anything a reader of the table should know (e.g. "capped to 2 batches"). */
  note?: string;
  /**
   * CPU seconds this process (all its threads) spent in the timed part, when the workload
   * measures it: items / cpuSeconds is less sensitive than wall time to other jobs on a shared
   * machine (the PyTorch peer reports the same).
   */
  cpuSeconds?: number;
}

export interface Workload {
  /** Unique, short; `--only <substring>` matches it. */
  name: string;
  description: string;
  /** Throughput unit, e.g. "samples/s": items per second. */
  unit: string;
  /** Backends run by default (`--backend` overrides). */
  backends: readonly BenchBackend[];
  run(ctx: WorkloadContext): Promise<WorkloadResult>;
}

/** Runs fn and returns its duration in seconds. */
export async function timeIt(fn: () => unknown | Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** CPU seconds (user + system, all threads) used by this process since `since` (process.cpuUsage()). */
export function cpuSecondsSince(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

export function median(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
