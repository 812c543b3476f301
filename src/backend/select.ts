/**
 * Picks the fastest TensorFlow.js backend present on this machine and says which one it got.
 *
 * Order tried: `@tensorflow/tfjs-node-gpu` (CUDA), `@tensorflow/tfjs-node` (native libtensorflow),
 * WebAssembly with SIMD, then the pure-JavaScript cpu backend. The native packages download
 * libtensorflow when they are installed, which fails offline; the course then runs on wasm.
 */
import * as tf from "@tensorflow/tfjs";
import { registerCpuKernelFixes, registerSecondOrderGradients, registerWasmGradients } from "./wasm-kernels";
import { loadPlotly } from "../plot/render";

/** What the course calls each backend (and what `NN4ASTRO_BACKEND` accepts). */
export type BackendKind = "node-gpu" | "node" | "wasm" | "cpu";

export interface SkippedBackend {
  kind: BackendKind;
  reason: string;
}

export interface BackendInfo {
  /** The backend that runs every tensor operation from now on. */
  kind: BackendKind;
  /** tfjs's own name for it (`tensorflow`, `wasm` or `cpu`). */
  tfName: string;
  /** Faster backends that were not used, and why. */
  skipped: SkippedBackend[];
  /** True when the choice came from the NN4ASTRO_BACKEND environment variable. */
  forced: boolean;
  /** One line for humans, also printed by `setupBackend`. */
  summary: string;
}

export interface SetupBackendOptions {
  /** Force a backend; defaults to the NN4ASTRO_BACKEND environment variable, else the fastest present. */
  backend?: BackendKind;
  /** Print the choice (default true). */
  verbose?: boolean;
}

export const BACKEND_ORDER: readonly BackendKind[] = ["node-gpu", "node", "wasm", "cpu"];

const HOW_TO_GET: Record<BackendKind, string> = {
  "node-gpu": "needs an NVIDIA GPU with CUDA 11.2 + cuDNN 8: `npm install @tensorflow/tfjs-node-gpu` (see README, 'Running on a GPU')",
  node: "`npm install @tensorflow/tfjs-node` downloads libtensorflow at install time (needs internet)",
  wasm: "`npm install @tensorflow/tfjs-backend-wasm`",
  cpu: "always present",
};

let current: BackendInfo | undefined;

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0].slice(0, 200);
}

function isModuleMissing(e: unknown, pkg: string): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === "MODULE_NOT_FOUND" && String(err.message).includes(pkg);
}

/** Tries to bring one backend up; returns null on success or the reason it is unavailable. */
async function tryBackend(kind: BackendKind): Promise<string | null> {
  try {
    if (kind === "node-gpu" || kind === "node") {
      const pkg = kind === "node-gpu" ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node";
      try {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        require(pkg);
      } catch (e) {
        if (isModuleMissing(e, pkg)) return `not installed (${HOW_TO_GET[kind]})`;
        return `installed but failed to load: ${firstLine(e)}`;
      }
      if (!(await tf.setBackend("tensorflow"))) return "libtensorflow did not initialise";
      if (kind === "node-gpu") {
        // tfjs-node-gpu falls back to the CPU silently when CUDA is missing: check for a GPU device.
        const devices = (tf.backend() as unknown as { binding?: { isUsingGpuDevice?: () => boolean } }).binding;
        if (devices?.isUsingGpuDevice && !devices.isUsingGpuDevice()) return "installed, but no CUDA GPU was found";
      }
      return null;
    }
    if (kind === "wasm") {
      try {
        require("@tensorflow/tfjs-backend-wasm");
      } catch (e) {
        return isModuleMissing(e, "@tensorflow/tfjs-backend-wasm") ? `not installed (${HOW_TO_GET.wasm})` : firstLine(e);
      }
      if (!(await tf.setBackend("wasm"))) return "WebAssembly module did not initialise";
      registerWasmGradients();
      return null;
    }
    if (!(await tf.setBackend("cpu"))) return "cpu backend failed (this should not happen)";
    // The cpu backend greets its first tensor with a "install tfjs-node" banner; setupBackend
    // already explains the choice, so mark it as used.
    (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
    return null;
  } catch (e) {
    return firstLine(e);
  }
}

function parseKind(value: string | undefined): BackendKind | undefined {
  if (!value) return undefined;
  const v = value.trim().toLowerCase();
  const aliases: Record<string, BackendKind> = {
    gpu: "node-gpu", "node-gpu": "node-gpu", "tfjs-node-gpu": "node-gpu", cuda: "node-gpu",
    node: "node", tensorflow: "node", "tfjs-node": "node", native: "node",
    wasm: "wasm", webassembly: "wasm",
    cpu: "cpu", js: "cpu",
  };
  const kind = aliases[v];
  if (!kind) {
    throw new Error(
      `NN4ASTRO_BACKEND="${value}" is not a backend I know. Use one of: ${BACKEND_ORDER.join(", ")} (or unset it to pick the fastest).`,
    );
  }
  return kind;
}

/**
 * Selects the fastest backend present (or the one forced by `options.backend` / NN4ASTRO_BACKEND),
 * prints which one and why faster ones were skipped, and returns the same as a record.
 */
export async function setupBackend(options: SetupBackendOptions = {}): Promise<BackendInfo> {
  const forcedKind = options.backend ?? parseKind(process.env.NN4ASTRO_BACKEND);
  const skipped: SkippedBackend[] = [];
  let chosen: BackendKind | undefined;
  if (forcedKind) {
    const reason = await tryBackend(forcedKind);
    if (reason !== null) {
      throw new Error(`The ${forcedKind} backend was requested (NN4ASTRO_BACKEND or options.backend) but is unavailable: ${reason}`);
    }
    chosen = forcedKind;
    for (const k of BACKEND_ORDER.slice(0, BACKEND_ORDER.indexOf(forcedKind))) skipped.push({ kind: k, reason: "skipped: another backend was requested" });
  } else {
    for (const kind of BACKEND_ORDER) {
      const reason = await tryBackend(kind);
      if (reason === null) {
        chosen = kind;
        break;
      }
      skipped.push({ kind, reason });
    }
  }
  if (!chosen) throw new Error("No TensorFlow.js backend could be initialised: " + skipped.map((s) => `${s.kind}: ${s.reason}`).join("; "));
  await tf.ready();
  // Grad-of-grad through elu/tanh/sigmoid/softmax (gradients of an emulator inside a sampler) and
  // the cpu backend's wrong UpSampling2D gradient for batch > 1 are fixed on every backend.
  registerSecondOrderGradients();
  registerCpuKernelFixes();
  const extra = chosen === "wasm" ? ` (SIMD ${tf.env().getBool("WASM_HAS_SIMD_SUPPORT") ? "on" : "off"})` : "";
  const summary = `nn4astro: using the ${chosen} backend${extra}${forcedKind ? " as requested" : ""}.`;
  current = { kind: chosen, tfName: tf.getBackend(), skipped, forced: Boolean(forcedKind), summary };
  if (options.verbose ?? true) {
    const lines = [summary, ...skipped.map((s) => `  ${s.kind}: ${s.reason}`)];
    console.log(lines.join("\n"));
  }
  // Figures need plotly.js in the page. Embedding it here makes "re-run the set-up cell" the
  // true fix after Clear All Outputs or a page reload with the kernel still running.
  loadPlotly();
  return current;
}

/** The backend chosen by the last `setupBackend` call, if any. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}
