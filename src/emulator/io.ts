/**
 * Saving and loading tfjs models (and whole emulators) as files, on every backend.
 *
 * Pure `@tensorflow/tfjs` in Node has no `file://` handler (that lives in tfjs-node, which cannot be
 * installed here), so `model.save("file://…")` fails on the wasm and cpu backends. `fileIOHandler`
 * is a `tf.io.IOHandler` that writes and reads the same two files tfjs-node does — `model.json`
 * (topology + weights manifest) and `weights.bin` (the weights, little-endian float32, in manifest
 * order) — so models move freely between backends, tfjs-node and the browser's `tf.loadLayersModel`.
 * `registerFileRouter` makes `model.save("file://dir")` and `tf.loadLayersModel("file://dir/model.json")`
 * use it when no other handler claims file:// URLs.
 */
import * as tf from "@tensorflow/tfjs";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import { dirname, join, resolve } from "path";
import { dataDir } from "../catalog/files";
import { EmulatorSpec, StellarEmulator } from "./model";

const MODEL_JSON = "model.json";
const WEIGHTS_BIN = "weights.bin";

function modelJsonPath(path: string): string {
  const p = path.replace(/^file:\/\//, "");
  return p.endsWith(".json") ? resolve(p) : resolve(join(p, MODEL_JSON));
}

function asArrayBuffer(data: tf.io.WeightData): ArrayBuffer {
  return Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : (data as ArrayBuffer);
}

/**
 * An IOHandler for a folder (or a path to its `model.json`): `await model.save(fileIOHandler(dir))`,
 * `await tf.loadLayersModel(fileIOHandler(dir))`. The weights file sits next to model.json.
 */
export function fileIOHandler(path: string): tf.io.IOHandler {
  const jsonPath = modelJsonPath(path);
  const dir = dirname(jsonPath);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error("fileIOHandler: binary (graph-model protobuf) topologies are not supported");
      mkdirSync(dir, { recursive: true });
      const weightsManifest: tf.io.WeightsManifestConfig = [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }];
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest,
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      if (artifacts.signature) modelJson.signature = artifacts.signature;
      const weights = artifacts.weightData ? Buffer.from(asArrayBuffer(artifacts.weightData)) : Buffer.alloc(0);
      writeFileSync(join(dir, WEIGHTS_BIN), weights);
      writeFileSync(jsonPath, JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      if (!existsSync(jsonPath)) throw new Error(`fileIOHandler: ${jsonPath} does not exist`);
      const modelJson = JSON.parse(readFileSync(jsonPath, "utf8")) as tf.io.ModelJSON;
      if (!modelJson.modelTopology) throw new Error(`fileIOHandler: ${jsonPath} has no modelTopology`);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: Buffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const file = resolve(dir, p);
            if (!existsSync(file)) throw new Error(`fileIOHandler: weights file ${file} (listed in ${jsonPath}) does not exist`);
            buffers.push(readFileSync(file));
          }
        }
        const all = Buffer.concat(buffers);
        const data = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
        return [specs, data];
      });
    },
  };
}

let routerRegistered = false;

/**
 * Lets `model.save("file://dir")` and `tf.loadLayersModel("file://dir/model.json")` use
 * `fileIOHandler`. Does nothing when a file:// handler already exists (e.g. tfjs-node's). Idempotent.
 */
export function registerFileRouter(): boolean {
  if (routerRegistered) return false;
  const probe = "file:///nn4astro-probe";
  if (tf.io.getSaveHandlers(probe).length > 0 || tf.io.getLoadHandlers(probe).length > 0) {
    routerRegistered = true;
    return false;
  }
  const router = (url: string | string[]) => {
    const u = Array.isArray(url) ? url[0] : url;
    return typeof u === "string" && u.startsWith("file://") ? fileIOHandler(u) : null;
  };
  // tfjs's IORouter type says IOHandler, but its registry skips routers that return null.
  tf.io.registerSaveRouter(router as never);
  tf.io.registerLoadRouter(router as never);
  routerRegistered = true;
  return true;
}

/** Name of the emulator's description file (feature definitions, normalisation, clock table, provenance). */
export const EMULATOR_JSON = "emulator.json";

/** Default folder of the shipped emulator: `data/emulator`. */
export function defaultEmulatorDir(): string {
  return join(dataDir(), "emulator");
}

/** Writes model.json + weights.bin + emulator.json into `dir`. Returns the paths written. */
export async function saveEmulator(emulator: StellarEmulator, dir: string, extra: { validation?: Record<string, unknown> } = {}): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  await emulator.network.save(fileIOHandler(dir));
  const spec: EmulatorSpec = { ...emulator.spec, ...(extra.validation ? { validation: extra.validation } : {}) };
  writeFileSync(join(dir, EMULATOR_JSON), JSON.stringify(spec, (_k, v) => (typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(10)) : v), 1) + "\n");
  return [MODEL_JSON, WEIGHTS_BIN, EMULATOR_JSON].map((f) => join(dir, f));
}

/** Loads an emulator saved by `saveEmulator` (default: the shipped one in data/emulator). */
export async function loadEmulator(dir: string = defaultEmulatorDir()): Promise<StellarEmulator> {
  const specPath = join(dir, EMULATOR_JSON);
  if (!existsSync(specPath)) {
    throw new Error(`loadEmulator: ${specPath} does not exist. Train one with \`npm run train:emulator\` (or pass the folder that holds emulator.json).`);
  }
  const spec = JSON.parse(readFileSync(specPath, "utf8")) as EmulatorSpec;
  const network = await tf.loadLayersModel(fileIOHandler(dir));
  return new StellarEmulator(network, spec);
}
