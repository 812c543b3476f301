/**
 * The worker thread of `sampleNutsParallel`: builds the model from its `ModelSource`, then runs
 * the chains the main thread sends, one at a time, and posts each chain's output back.
 */
import { parentPort, workerData } from "worker_threads";
import { nutsConfig, runNutsChain, type ChainOutput, type NutsOptions } from "./nuts";
import { loadModelSource, rngFromState, type ModelSource, type RngState } from "./parallel";

interface Job {
  c: number;
  rng: RngState;
  init?: Float64Array;
}

function buffersOf(out: ChainOutput): ArrayBuffer[] {
  // Draws are handed over without copying; the stats are small and are cloned.
  const arrays = [...out.draws, ...out.unconstrainedDraws, ...(out.warmupDraws ?? []), ...(out.warmupUnconstrainedDraws ?? [])];
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("nuts-worker must run in a worker thread");
  const { source, options } = workerData as { source: ModelSource; options: NutsOptions };
  try {
    const model = await loadModelSource(source);
    const cfg = nutsConfig(model, options);
    port.on("message", (msg: { type: string; job: Job }) => {
      if (msg.type !== "run") return;
      try {
        const { c, rng, init } = msg.job;
        const opts: NutsOptions = { ...options, onProgress: (progress) => port.postMessage({ type: "progress", progress }) };
        const output = runNutsChain(model, opts, cfg, c, rngFromState(rng), init ? Float64Array.from(init) : undefined);
        port.postMessage({ type: "done", c, output }, buffersOf(output));
      } catch (e) {
        port.postMessage({ type: "error", message: String((e as Error)?.stack ?? e) });
      }
    });
    port.postMessage({ type: "ready" });
  } catch (e) {
    port.postMessage({ type: "error", message: String((e as Error)?.stack ?? e) });
  }
}

void main();
