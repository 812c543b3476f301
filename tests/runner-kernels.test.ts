/**
 * The runner and the tslab kernel as a student meets them: object shorthand across cells works
 * (our patch of tslab, patches/tslab+1.0.22.patch), and a runner that is stopped, however it is
 * stopped, leaves no kernel computing behind.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeTestNotebook } from "./notebook-files";

const root = path.join(__dirname, "..");
const notebookDir = path.join(root, "notebooks");
const prefix = `.runner-kernels-test-${process.pid}-`;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "nn4astro-kernels-"));
const created: string[] = [];

function writeNotebook(name: string, sources: string[]): string {
  const file = writeTestNotebook(path.join(notebookDir, `${prefix}${name}.ipynb`), sources);
  created.push(file);
  return file;
}

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return false;
  }
}

async function waitFor(what: string, ok: () => boolean, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts a runner on a notebook whose second cell computes forever; resolves with the kernel's pid. */
async function startBusyRunner(label: string): Promise<{ runner: ChildProcess; kernelPid: number; exited: Promise<void> }> {
  const pidFile = path.join(scratch, `${label}.pid`);
  const file = writeNotebook(label, [
    `require("fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));`,
    "let spins = 0;\nwhile (true) { spins++; }",
  ]);
  const runner = spawn(process.execPath, [path.join(root, "scripts", "notebooks.mjs"), "--out", path.join(scratch, label), file], {
    cwd: root,
    stdio: "ignore",
  });
  const exited = new Promise<void>((resolve) => runner.on("exit", () => resolve()));
  await waitFor("the kernel to write its pid", () => fs.existsSync(pidFile) && fs.readFileSync(pidFile, "utf8").length > 0, 60);
  const kernelPid = Number(fs.readFileSync(pidFile, "utf8"));
  // Let the busy cell start, so the kernel is computing when we interrupt.
  await new Promise((r) => setTimeout(r, 1500));
  expect(alive(kernelPid)).toBe(true);
  return { runner, kernelPid, exited };
}

afterAll(() => {
  for (const file of created) fs.rmSync(file, { force: true });
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe("tslab object shorthand across cells", () => {
  test("`{ x }` naming a variable from an earlier cell runs (and a local one still wins)", () => {
    const file = writeNotebook("shorthand", [
      "const grid = 5;\nlet massMsun = 1.2;",
      "const options = { grid, massMsun, k: 1 };\nconsole.log(\"options=\" + JSON.stringify(options));",
      "function local(grid: number) { return { grid }; }\nconsole.log(\"local=\" + JSON.stringify(local(7)));",
    ]);
    const out = path.join(scratch, "shorthand");
    const r = spawnSync(process.execPath, [path.join(root, "scripts", "notebooks.mjs"), "--out", out, file], {
      cwd: root, encoding: "utf8", timeout: 100_000,
    });
    expect(`${r.stdout}${r.stderr}`).toMatch(/notebooks: 1 passed, 0 failed/);
    const executed = fs.readFileSync(path.join(out, path.basename(file)), "utf8");
    expect(executed).toContain('options={\\"grid\\":5,\\"massMsun\\":1.2,\\"k\\":1}');
    expect(executed).toContain('local={\\"grid\\":7}');
  });
});

describe("the runner leaves no kernel behind", () => {
  test("SIGTERM (what `timeout` sends) stops the runner and its busy kernel", async () => {
    const { runner, kernelPid, exited } = await startBusyRunner("sigterm");
    runner.kill("SIGTERM");
    await exited;
    await waitFor("the kernel to end", () => !alive(kernelPid), 10);
    expect(runner.exitCode ?? 128).not.toBe(0);
  });

  test("SIGINT (Ctrl-C) does too", async () => {
    const { runner, kernelPid, exited } = await startBusyRunner("sigint");
    runner.kill("SIGINT");
    await exited;
    await waitFor("the kernel to end", () => !alive(kernelPid), 10);
  });

  test("a parent killed outright (SIGKILL) takes its kernel with it", async () => {
    const { runner, kernelPid, exited } = await startBusyRunner("sigkill");
    runner.kill("SIGKILL");
    await exited;
    // The python runner notices it was re-parented within ~0.5 s, then kills the kernel.
    await waitFor("the kernel to end", () => !alive(kernelPid), 15);
  });
});
