/**
 * Runs one workload on one backend in this (fresh) process and prints one line
 * `BENCH_RESULT {json}` for scripts/bench.mjs. A process per run makes the peak-memory number
 * (VmHWM) belong to that run alone and keeps one backend's state out of the next.
 *
 * Usage: node build/bench-js/bench/child.js <workload-module.js> <workload-name> <backend> [--quick]
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { registerWasmGradients } from "../src/backend/wasm-kernels";
import { BenchBackend, Workload } from "./workload";

export interface ChildResult {
  workload: string;
  backend: BenchBackend;
  unit: string;
  items?: number;
  seconds?: number;
  throughput?: number;
  /** items / CPU seconds of the timed part, when the workload measures CPU time. */
  cpuThroughput?: number;
  note?: string;
  peakMB: number;
  skipped?: string;
  error?: string;
}

function isMissing(e: unknown, pkg: string): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === "MODULE_NOT_FOUND" && String(err.message).includes(pkg);
}

/** Brings the backend up; returns why it is unavailable, or null. */
async function setup(backend: BenchBackend): Promise<string | null> {
  if (backend === "node" || backend === "node-gpu") {
    const pkg = backend === "node" ? "@tensorflow/tfjs-node" : "@tensorflow/tfjs-node-gpu";
    try {
      require(pkg);
    } catch (e) {
      return isMissing(e, pkg) ? `${pkg} not installed` : `${pkg} failed to load: ${String((e as Error).message).split("\n")[0]}`;
    }
    return (await tf.setBackend("tensorflow")) ? null : "libtensorflow did not initialise";
  }
  if (backend === "wasm" || backend === "wasm-shipped") {
    require("@tensorflow/tfjs-backend-wasm");
    if (!(await tf.setBackend("wasm"))) return "wasm did not initialise";
    // "wasm" leaves the choice to NN4ASTRO_WASM_FAST (default on), as notebooks do, so
    // `NN4ASTRO_WASM_FAST=0 npm run bench` measures tfjs's own kernels; "wasm-shipped" forces them.
    registerWasmGradients(backend === "wasm" ? {} : { fast: false });
    return null;
  }
  return (await tf.setBackend("cpu")) ? null : "cpu did not initialise";
}

/** Peak resident set size of this process in MB (Linux VmHWM; maxRSS elsewhere). */
function peakMB(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) / 1024;
  } catch {
    /* not Linux */
  }
  return process.resourceUsage().maxRSS / 1024;
}

async function main(): Promise<void> {
  const [file, name, backend] = process.argv.slice(2) as [string, string, BenchBackend];
  const quick = process.argv.includes("--quick");
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mod = require(file) as { workloads?: Workload[] };
  const w = (mod.workloads ?? []).find((x) => x.name === name);
  const out: ChildResult = { workload: name, backend, unit: w?.unit ?? "", peakMB: 0 };
  try {
    if (!w) throw new Error(`no workload named ${name} in ${file}`);
    const skipped = await setup(backend);
    if (skipped) {
      out.skipped = skipped;
    } else {
      const r = await w.run({ backend, quick });
      Object.assign(out, { items: r.items, seconds: r.seconds, throughput: r.throughput ?? r.items / r.seconds, note: r.note });
      if (r.cpuSeconds) out.cpuThroughput = r.items / r.cpuSeconds;
    }
  } catch (e) {
    out.error = String((e as Error)?.stack ?? e).split("\n").slice(0, 4).join(" | ");
  }
  out.peakMB = peakMB();
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(out)}\n`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
