/**
 * NUTS chains in parallel on worker threads, with the same draws as the serial `sampleNuts`.
 *
 * A worker is a separate JavaScript engine: it cannot receive a model object or a closure, so
 * it builds its own copy of the model from a `ModelSource` — a module it can `require`, the name
 * of a factory function exported there, and arguments that survive structured cloning (numbers,
 * strings, arrays, typed arrays, plain objects, NaN; no functions, no tfjs tensors):
 *
 * ```ts
 * const fit = await sampleNutsParallel(
 *   { module: "nn4astro", export: "eightSchools", args: [{ centered: false }] },
 *   { chains: 4, warmup: 1000, draws: 1000, seed: 7 },
 * );
 * ```
 *
 * For your own model, put the factory in a .js file (`module.exports.myModel = (data) => params()...`)
 * and pass its absolute path (relative paths are resolved against the current directory).
 * Models defined in a notebook cell cannot be sent to a worker; use `sampleNuts` for those.
 *
 * Reproducibility: chain c always uses the (c+1)-th fork of `Rng(seed)`, whichever thread runs
 * it, so `sampleNutsParallel` and `sampleNuts` with the same seed and options give identical
 * draws. An `init` function runs here, in the calling thread, with the chain's stream (as the
 * serial path does), and the advanced stream is handed to the worker.
 */
import { existsSync } from "fs";
import { cpus } from "os";
import { dirname, isAbsolute, join, resolve } from "path";
import { performance } from "perf_hooks";
import { Worker } from "worker_threads";
import { Rng } from "../random";
import type { Model } from "./model";
import { assembleNutsResult, chainInitialPoint, chainRngs, nutsConfig, type ChainOutput, type NutsOptions, type NutsProgress, type NutsResult } from "./nuts";

/** Where a worker finds the model: `require(module)[export](...args)` (may return a Promise). */
export interface ModelSource {
  /** A package name (e.g. "nn4astro") or the path of a .js file. */
  module: string;
  /** Name of the exported factory function. */
  export: string;
  /** Arguments of the factory; they are structured-cloned into each worker. */
  args?: unknown[];
}

/** Options of `sampleNutsParallel`: those of `sampleNuts`, plus the number of workers. */
export interface ParallelNutsOptions extends NutsOptions {
  /** Worker threads (default: min(chains, CPU cores)). Each runs whole chains, one after another. */
  workers?: number;
}

/** The state of a random stream, to continue it in another thread. */
export type RngState = Record<string, unknown>;

/** Captures a generator's state (its own fields; the class has no hidden state). */
export function rngState(rng: Rng): RngState {
  return { ...(rng as unknown as RngState) };
}

/** A generator that continues from a captured state. */
export function rngFromState(state: RngState): Rng {
  return Object.assign(Object.create(Rng.prototype) as Rng, state);
}

/** Loads the module and calls the factory: what each worker does (also used here for the settings). */
export async function loadModelSource(source: ModelSource): Promise<Model> {
  if (!source || typeof source.module !== "string" || typeof source.export !== "string") {
    throw new Error(`loadModelSource: need { module: string, export: string, args?: [...] }, got ${JSON.stringify(source)}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mod = require(source.module) as Record<string, unknown>;
  const factory = mod[source.export];
  if (typeof factory !== "function") {
    throw new Error(`loadModelSource: "${source.export}" exported by ${source.module} is ${typeof factory}, not a function returning a model`);
  }
  const model = (await factory(...(source.args ?? []))) as Model;
  if (!model || typeof model.logDensityAndGrad !== "function" || !(model.dim > 0)) {
    throw new Error(`loadModelSource: ${source.module}#${source.export} did not return a model (an object with dim and logDensityAndGrad)`);
  }
  return model;
}

function resolveSource(source: ModelSource): ModelSource {
  const m = source.module;
  const isPath = m.startsWith(".") || m.includes("/") && !m.startsWith("@") && existsSync(m);
  return isPath && !isAbsolute(m) ? { ...source, module: resolve(process.cwd(), m) } : source;
}

/**
 * The compiled worker script: next to this file in dist/, or — when this file runs from the
 * sources (tests) or another build (the benchmark) — the project's dist/ found walking up.
 */
function workerScript(): string {
  const here = join(__dirname, "nuts-worker.js");
  if (existsSync(here)) return here;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const built = join(dir, "dist", "bayes", "nuts-worker.js");
    if (existsSync(built)) return built;
    if (dirname(dir) === dir) break;
  }
  throw new Error("sampleNutsParallel: no compiled worker (dist/bayes/nuts-worker.js); run `npm run build` first");
}

/** Options a worker can receive: everything but the callbacks (an init function has run here). */
function cloneableOptions(options: NutsOptions): NutsOptions {
  const { onProgress: _p, init, ...rest } = options;
  return typeof init === "function" ? rest : { ...rest, init };
}

interface ChainJob {
  c: number;
  rng: RngState;
  init?: Float64Array;
}

type WorkerMessage =
  | { type: "ready" }
  | { type: "done"; c: number; output: ChainOutput }
  | { type: "progress"; progress: NutsProgress }
  | { type: "error"; message: string };

/**
 * `sampleNuts` with the chains spread over worker threads. Returns the same `NutsResult` (same
 * draws for the same seed), with `elapsedMs` the wall-clock time and `workers` the thread count.
 * Start-up costs each worker the time to load the module and build the model (≈ 0.3–2 s when the
 * module loads TensorFlow.js), so it pays off for runs of more than a few seconds.
 */
export async function sampleNutsParallel(source: ModelSource, options: ParallelNutsOptions = {}): Promise<NutsResult> {
  const t0 = performance.now();
  const src = resolveSource(source);
  // The model is built here too: for the settings (names, transforms) and for init functions.
  const model = await loadModelSource(src);
  const cfg = nutsConfig(model, options);
  const nWorkers = Math.max(1, Math.min(cfg.chains, options.workers ?? cpus().length));
  if (!Number.isInteger(nWorkers)) throw new Error(`sampleNutsParallel: workers must be a positive integer, got ${options.workers}`);
  const rngs = chainRngs(cfg.seed, cfg.chains);
  const jobs: ChainJob[] = rngs.map((rng, c) => {
    if (typeof options.init === "function") {
      const init = chainInitialPoint(model, options, c, rng);
      return { c, rng: rngState(rng), init };
    }
    return { c, rng: rngState(rng) };
  });
  const workerOptions = cloneableOptions(options);
  const script = workerScript();
  const outputs: ChainOutput[] = new Array(cfg.chains);
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolvePromise, reject) => {
      let next = 0;
      let done = 0;
      let failed = false;
      const fail = (e: Error) => {
        if (!failed) {
          failed = true;
          reject(e);
        }
      };
      const give = (w: Worker) => {
        if (next < jobs.length) w.postMessage({ type: "run", job: jobs[next++] });
      };
      for (let k = 0; k < nWorkers; k++) {
        const w = new Worker(script, { workerData: { source: src, options: workerOptions } });
        workers.push(w);
        w.on("message", (m: WorkerMessage) => {
          if (m.type === "ready") give(w);
          else if (m.type === "progress") options.onProgress?.(m.progress);
          else if (m.type === "error") fail(new Error(`sampleNutsParallel (worker): ${m.message}`));
          else if (m.type === "done") {
            outputs[m.c] = m.output;
            done++;
            if (done === cfg.chains) resolvePromise();
            else give(w);
          }
        });
        w.on("error", (e) => fail(e instanceof Error ? e : new Error(String(e))));
        w.on("exit", (code) => {
          if (code !== 0 && done < cfg.chains) fail(new Error(`sampleNutsParallel: a worker exited with code ${code}`));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return assembleNutsResult(cfg, outputs, performance.now() - t0, nWorkers);
}
