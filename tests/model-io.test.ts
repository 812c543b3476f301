/**
 * Saving and loading models as files with nn4astro's file IOHandler (pure tfjs has no file:// in
 * Node), on the cpu and wasm backends and across them, and the emulator's own save/load.
 */
import * as tf from "@tensorflow/tfjs";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { setupBackend } from "../src/backend/select";
import { buildMlp } from "../src/emulator/mlp";
import { defaultEmulatorDir, EMULATOR_JSON, fileIOHandler, loadEmulator, registerFileRouter, saveEmulator } from "../src/emulator/io";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "nn4astro-io-"));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const probe = () => tf.tensor2d([[0.1, -0.3, 0.5], [1.2, 0.0, -2.0], [-0.7, 0.4, 0.9]]);

async function predictions(model: tf.LayersModel): Promise<Float32Array> {
  const x = probe();
  const y = model.predict(x) as tf.Tensor;
  const out = (await y.data()) as Float32Array;
  x.dispose();
  y.dispose();
  return out;
}

describe.each(["cpu", "wasm"] as const)("file IOHandler on the %s backend", (backend) => {
  beforeAll(async () => {
    await setupBackend({ backend, verbose: false });
  });

  test("round trip writes model.json + weights.bin and restores identical predictions", async () => {
    const model = buildMlp({ inputs: 3, hidden: [8, 8], outputs: 2, activation: "elu", seed: 5 });
    const before = await predictions(model);
    const dir = tempDir();
    const result = await model.save(fileIOHandler(dir));
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(4 * model.countParams());
    expect(statSync(join(dir, "weights.bin")).size).toBe(4 * model.countParams());
    const json = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
    expect(json.format).toBe("layers-model");
    expect(json.weightsManifest[0].paths).toEqual(["./weights.bin"]);
    expect(json.weightsManifest[0].weights).toHaveLength(6);

    const loaded = await tf.loadLayersModel(fileIOHandler(join(dir, "model.json")));
    expect(Array.from(await predictions(loaded))).toEqual(Array.from(before));
    model.dispose();
    loaded.dispose();
  });

  test("file:// URLs work once the router is registered", async () => {
    registerFileRouter();
    const model = buildMlp({ inputs: 3, hidden: [4], outputs: 1, activation: "relu", seed: 9 });
    const dir = tempDir();
    await model.save(`file://${dir}`);
    const loaded = await tf.loadLayersModel(`file://${join(dir, "model.json")}`);
    expect(Array.from(await predictions(loaded))).toEqual(Array.from(await predictions(model)));
    model.dispose();
    loaded.dispose();
  });

  test("a missing model or weights file is an error that names the file", async () => {
    const dir = tempDir();
    await expect(tf.loadLayersModel(fileIOHandler(dir))).rejects.toThrow(/model\.json does not exist/);
    const model = buildMlp({ inputs: 3, hidden: [4], outputs: 1, activation: "elu" });
    await model.save(fileIOHandler(dir));
    rmSync(join(dir, "weights.bin"));
    await expect(tf.loadLayersModel(fileIOHandler(dir))).rejects.toThrow(/weights\.bin/);
    model.dispose();
  });

  test("the shipped emulator saves and loads to the same predictions (tensor and plain-JS paths)", async () => {
    const emulator = await loadEmulator();
    const stars = { massMsun: [0.9, 1.25, 1.9], ageGyr: [8, 3, 1.1], Z: [0.01, 0.0185, 0.025] };
    const dir = tempDir();
    const written = await saveEmulator(emulator, dir);
    expect(written.map((p) => p.split("/").pop())).toEqual(["model.json", "weights.bin", EMULATOR_JSON]);
    const copy = await loadEmulator(dir);
    for (const engine of ["js", "tfjs"] as const) {
      const a = emulator.predict(stars, { engine });
      const b = copy.predict(stars, { engine });
      for (let k = 0; k < 6; k++) for (let i = 0; i < 3; i++) expect(b.log[k][i]).toBeCloseTo(a.log[k][i], 7);
    }
    emulator.dispose();
    copy.dispose();
  });
});

test("a model saved on cpu loads on wasm with the same predictions (to float32 rounding)", async () => {
  await setupBackend({ backend: "cpu", verbose: false });
  const model = buildMlp({ inputs: 3, hidden: [16, 16], outputs: 3, activation: "elu", seed: 3 });
  const onCpu = await predictions(model);
  const dir = tempDir();
  await model.save(fileIOHandler(dir));
  model.dispose();
  await setupBackend({ backend: "wasm", verbose: false });
  const loaded = await tf.loadLayersModel(fileIOHandler(dir));
  const onWasm = await predictions(loaded);
  onCpu.forEach((v, i) => expect(onWasm[i]).toBeCloseTo(v, 5));
  loaded.dispose();
});

test("loadEmulator explains how to get an emulator when the folder has none", async () => {
  const dir = tempDir();
  await expect(loadEmulator(dir)).rejects.toThrow(/npm run train:emulator/);
  expect(existsSync(join(defaultEmulatorDir(), EMULATOR_JSON))).toBe(true);
});
