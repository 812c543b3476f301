// `npm run notebooks -- [--quick] [--out DIR] [--timeout S] [-v] [NOTEBOOK|GLOB ...]`
// Runs scripts/run_notebooks.py with a python that has Jupyter, after making sure the notebooks
// will import an up-to-date build of the library (they load dist/ through node_modules/nn4astro,
// so a stale dist/ would silently test old code).
import { spawn, spawnSync } from "node:child_process";
import os from "node:os";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findPython, JUPYTER_INSTALL_HINT, RUNNER_MODULES } from "./python.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function distIsStale() {
  const built = join(root, "dist", "index.js");
  if (!existsSync(built)) return true;
  return existsSync(join(root, "src")) && newestMtime(join(root, "src")) > statSync(built).mtimeMs;
}

if (!existsSync(join(root, "node_modules", ".bin", "tslab")) || !existsSync(join(root, "node_modules", "nn4astro"))) {
  console.error("notebooks: node_modules is incomplete (no tslab kernel or no nn4astro link): run `npm install` first.");
  process.exit(2);
}

if (distIsStale()) {
  console.log("notebooks: dist/ is missing or older than src/: running `npm run build`");
  const build = spawnSync(npm, ["run", "build"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) {
    console.error("notebooks: `npm run build` failed; fix the library before running notebooks.");
    process.exit(build.status ?? 1);
  }
}

// The runner only needs nbclient (not the Notebook server), so accept any python that has it.
const python = findPython(RUNNER_MODULES);
if (!python) {
  console.error(`notebooks: no python found that can import ${RUNNER_MODULES.join(", ")}.\n${JUPYTER_INSTALL_HINT}`);
  process.exit(2);
}

// Asynchronous, so that a SIGTERM/SIGINT/SIGHUP sent to this process (`timeout`, Ctrl-C, a closed
// terminal) reaches the runner, which then shuts its kernel down; spawnSync would die and
// leave the runner and its kernel behind.
// --record: add this run's times and peak memory to notebooks/runtimes.json (then
// `npm run runtimes` renders them into the README and the notebooks' **Runtime** lines).
const args = process.argv.slice(2);
const record = args.includes("--record");
const runnerArgs = args.filter((a) => a !== "--record");
const outIndex = runnerArgs.indexOf("--out");
const outDir = outIndex >= 0 ? runnerArgs[outIndex + 1] : join(root, "build", "executed");
const run = spawn(python, [join(root, "scripts", "run_notebooks.py"), ...runnerArgs], {
  stdio: "inherit",
});
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) {
  process.on(signal, () => {
    if (run.exitCode === null) run.kill(signal);
  });
}
run.on("error", (error) => {
  console.error(`notebooks: could not start ${python}: ${error.message}`);
  process.exit(2);
});
// A signal leaves code null: report it as a failure, the way a shell would.
run.on("exit", (code, signal) => {
  const summary = join(outDir, "summary.json");
  if (record && existsSync(summary)) {
    spawnSync(process.execPath, [join(root, "scripts", "runtimes.mjs"), "record", summary], { stdio: "inherit" });
  }
  process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 1) : 1));
});
