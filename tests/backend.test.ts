import * as tf from "@tensorflow/tfjs";
import { setupBackend, currentBackend } from "../src/backend/select";

describe("setupBackend", () => {
  const saved = process.env.NN4ASTRO_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.NN4ASTRO_BACKEND; else process.env.NN4ASTRO_BACKEND = saved;
  });

  test("picks the fastest backend present and explains the skipped ones", async () => {
    delete process.env.NN4ASTRO_BACKEND;
    const logs: string[] = [];
    const spy = jest.spyOn(console, "log").mockImplementation((m: string) => { logs.push(m); });
    const info = await setupBackend();
    spy.mockRestore();
    let nodeInstalled = true;
    try { require.resolve("@tensorflow/tfjs-node"); } catch { nodeInstalled = false; }
    // On this machine (offline install) tfjs-node is absent, so wasm must win over cpu.
    expect(info.kind).toBe(nodeInstalled ? "node" : "wasm");
    expect(tf.getBackend()).toBe(info.tfName);
    expect(info.skipped.map((s) => s.kind)).toEqual(nodeInstalled ? ["node-gpu"] : ["node-gpu", "node"]);
    expect(info.skipped[0].reason).toMatch(/not installed|no CUDA GPU|failed to load/);
    expect(logs.join("\n")).toContain(`using the ${info.kind} backend`);
    expect(currentBackend()).toBe(info);
  });

  test("honours NN4ASTRO_BACKEND", async () => {
    process.env.NN4ASTRO_BACKEND = "cpu";
    const info = await setupBackend({ verbose: false });
    expect(info.kind).toBe("cpu");
    expect(info.forced).toBe(true);
    expect(tf.getBackend()).toBe("cpu");
  });

  test("an unknown NN4ASTRO_BACKEND value is a clear error", async () => {
    process.env.NN4ASTRO_BACKEND = "tpu";
    await expect(setupBackend({ verbose: false })).rejects.toThrow(/NN4ASTRO_BACKEND="tpu" is not a backend I know. Use one of: node-gpu, node, wasm, cpu/);
  });

  test("forcing a backend that is not installed says why", async () => {
    let gpuInstalled = true;
    try { require.resolve("@tensorflow/tfjs-node-gpu"); } catch { gpuInstalled = false; }
    if (gpuInstalled) return;
    await expect(setupBackend({ backend: "node-gpu", verbose: false })).rejects.toThrow(/node-gpu backend was requested .* not installed/);
  });
});
