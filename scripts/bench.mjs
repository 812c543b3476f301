// Benchmark harness: `npm run bench [-- --quick] [--only <substring>] [--backend <name>[,<name>]] [--list]`.
// --only keeps workloads whose name contains the substring (repeatable); --backend keeps those
// backends out of each workload's own list; --quick shrinks every run for a smoke test.
// `--peer torch [--rounds N]` instead runs each workload that has a PyTorch twin
// (bench/torch/twins.py) interleaved with its tfjs run, A B A B, N rounds (default 5), both on
// one thread, and prints the tfjs / PyTorch throughput ratio per workload (median over rounds).
//
// Compiles bench/**/*.ts (with the library sources they import) into build/bench-js, then runs
// every workload x backend in its own child process (so peak RSS belongs to that run and no
// backend state leaks into the next), prints a table as results arrive and writes the same to
// bench/results/latest.json. Workloads live in bench/workloads/*.ts (see bench/workload.ts).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "build", "bench-js");
const require = createRequire(import.meta.url);

function parseArgs(argv) {
  const opts = { quick: false, only: [], backends: null, list: false, timeout: 900, peer: null, rounds: 5 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--quick") opts.quick = true;
    else if (a === "--list") opts.list = true;
    else if (a === "--only") opts.only.push(value());
    else if (a.startsWith("--only=")) opts.only.push(a.slice(7));
    else if (a === "--backend") opts.backends = value().split(",");
    else if (a.startsWith("--backend=")) opts.backends = a.slice(10).split(",");
    else if (a === "--timeout") opts.timeout = Number(value());
    else if (a === "--peer") opts.peer = value();
    else if (a.startsWith("--peer=")) opts.peer = a.slice(7);
    else if (a === "--rounds") opts.rounds = Number(value());
    else if (a === "--help" || a === "-h") {
      console.log("npm run bench -- [--quick] [--only <substring>]... [--backend wasm,cpu,...] [--list] [--timeout <s per run>]");
      console.log("npm run bench -- --peer torch [--rounds 5] [--only <substring>] [--backend wasm] [--quick]");
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  return opts;
}

function compile() {
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", join(root, "bench", "tsconfig.json")], { cwd: root, stdio: "pipe" });
  } catch (e) {
    // tsc still emits JavaScript on type errors; report them and carry on if the runner exists.
    const text = String(e.stdout ?? "") + String(e.stderr ?? "");
    console.warn(`bench: tsc reported problems (continuing with the emitted JavaScript):\n${text.split("\n").slice(0, 15).join("\n")}`);
  }
  if (!existsSync(join(outDir, "bench", "child.js"))) throw new Error("bench: compilation produced no build/bench-js/bench/child.js");
}

function loadWorkloads() {
  const dir = join(outDir, "bench", "workloads");
  const list = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".js")).sort()) {
    const file = join(dir, f);
    const mod = require(file);
    for (const w of mod.workloads ?? []) list.push({ file, name: w.name, description: w.description, unit: w.unit, backends: w.backends });
  }
  // Whole-model workloads first, single-kernel timings after.
  list.sort((a, b) => Number(a.name.startsWith("kernel:")) - Number(b.name.startsWith("kernel:")));
  const seen = new Set();
  for (const w of list) {
    if (seen.has(w.name)) throw new Error(`bench: two workloads are named ${w.name}`);
    seen.add(w.name);
  }
  return list;
}

function runChild(w, backend, opts) {
  const args = [join(outDir, "bench", "child.js"), w.file, w.name, backend, ...(opts.quick ? ["--quick"] : [])];
  return runProcess(process.execPath, args, w, backend, opts);
}

/** The same one-thread limit for both sides of a peer comparison (tfjs-wasm is single-threaded in Node). */
const ONE_THREAD = { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };

function runProcess(command, args, w, backend, opts, env = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...ONE_THREAD, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeout * 1000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const wallSeconds = (Date.now() - t0) / 1000;
      const line = stdout.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
      if (line) return resolve({ ...JSON.parse(line.slice("BENCH_RESULT ".length)), wallSeconds });
      const why = signal === "SIGKILL" ? `timed out after ${opts.timeout} s` : `exited with ${code ?? signal}`;
      resolve({ workload: w.name, backend, unit: w.unit, error: `${why}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`, wallSeconds });
    });
  });
}

function fmtNumber(x) {
  if (x === undefined || x === null || !Number.isFinite(x)) return "-";
  if (x >= 1000) return Math.round(x).toLocaleString("en-US");
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

const COLUMNS = [
  ["workload", 16, (r) => r.workload],
  ["backend", 12, (r) => r.backend],
  ["throughput", 22, (r) => (r.throughput ? `${fmtNumber(r.throughput)} ${r.unit}` : r.skipped ? "skipped" : "ERROR")],
  ["time s", 8, (r) => (r.seconds ? r.seconds.toFixed(2) : "-")],
  ["peak MB", 8, (r) => (r.peakMB ? r.peakMB.toFixed(0) : "-")],
  ["note", 0, (r) => r.skipped ?? r.error ?? r.note ?? ""],
];

function row(cells) {
  return cells.map((c, i) => (COLUMNS[i][1] ? String(c).padEnd(COLUMNS[i][1]) : String(c))).join(" ");
}

/** A python3 that can import torch (Debian: apt-get install python3-torch), or null. */
function findTorchPython() {
  const candidates = [...new Set([process.env.NN4ASTRO_PYTHON, "/usr/bin/python3", "python3"].filter(Boolean))];
  for (const py of candidates) {
    try {
      const v = execFileSync(py, ["-c", "import torch; print(torch.__version__)"], { stdio: ["ignore", "pipe", "pipe"], timeout: 60000, env: { ...process.env, ...ONE_THREAD } });
      return { python: py, version: String(v).trim() };
    } catch {
      /* next */
    }
  }
  return null;
}

const TORCH_TWINS = ["mlp-train", "cnn-train", "lstm-train", "realbogus-train"];

/** Interleaved tfjs / PyTorch rounds (A B A B) and a ratio table. */
async function runPeer(opts, workloads) {
  if (opts.peer !== "torch") throw new Error(`bench: --peer ${opts.peer}: only "torch" is known`);
  const torch = findTorchPython();
  if (!torch) {
    console.log("bench --peer torch: no python3 can `import torch` (Debian: apt-get install python3-torch); nothing to compare.");
    return;
  }
  const twins = workloads.filter((w) => TORCH_TWINS.includes(w.name));
  if (!twins.length) throw new Error(`bench: no workload with a PyTorch twin matches --only (twins: ${TORCH_TWINS.join(", ")})`);
  const backends = opts.backends ?? ["wasm"];
  const script = join(root, "bench", "torch", "twins.py");
  console.log(`nn4astro bench vs PyTorch ${torch.version} (${torch.python}): ${opts.rounds} interleaved round(s)${opts.quick ? " (quick)" : ""}, 1 thread each, node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}`);
  console.log(`NN4ASTRO_WASM_FAST=${process.env.NN4ASTRO_WASM_FAST ?? "(unset: course kernels on)"}`);
  const results = [];
  const summary = [];
  for (const w of twins) {
    const per = Object.fromEntries([...backends, "torch"].map((b) => [b, []]));
    const perCpu = Object.fromEntries([...backends, "torch"].map((b) => [b, []]));
    for (let r = 0; r < opts.rounds; r++) {
      for (const b of [...backends, "torch"]) {
        const res = b === "torch" ? await runProcess(torch.python, [script, w.name, ...(opts.quick ? ["--quick"] : [])], w, "torch", opts) : await runChild(w, b, opts);
        res.round = r + 1;
        results.push(res);
        per[b].push(res.throughput ?? NaN);
        perCpu[b].push(res.cpuThroughput ?? NaN);
        const cpuNote = res.cpuThroughput ? ` (per CPU second: ${fmtNumber(res.cpuThroughput)})` : "";
        console.log(`  ${w.name.padEnd(16)} round ${r + 1} ${b.padEnd(12)} ${res.throughput ? fmtNumber(res.throughput) : res.error ?? res.skipped ?? "?"} ${res.unit ?? ""}${cpuNote}`);
      }
    }
    for (const b of backends) {
      // Ratio per round (each tfjs run against the PyTorch run right after it), then the median.
      const ratios = per[b].map((v, i) => v / per.torch[i]).filter(Number.isFinite);
      const cpuRatios = perCpu[b].map((v, i) => v / perCpu.torch[i]).filter(Number.isFinite);
      summary.push({ workload: w.name, backend: b, unit: w.unit, tfjs: medianOf(per[b]), torch: medianOf(per.torch), ratio: medianOf(ratios), ratioRange: ratios.length ? [Math.min(...ratios), Math.max(...ratios)] : null, cpuRatio: medianOf(cpuRatios) });
    }
  }
  console.log("");
  console.log("Throughput: batch size / median batch time. Ratio: tfjs / PyTorch per round, median (range); CPU ratio: the same per CPU second.");
  console.log(`${"workload".padEnd(18)}${"backend".padEnd(14)}${"tfjs".padStart(12)}${"PyTorch".padStart(12)}  ${"ratio (range)".padEnd(22)}CPU ratio`);
  for (const s of summary) {
    const range = s.ratioRange ? ` (${s.ratioRange[0].toFixed(2)}–${s.ratioRange[1].toFixed(2)})` : "";
    const ratio = `${Number.isFinite(s.ratio) ? s.ratio.toFixed(3) : "-"}${range}`;
    console.log(`${s.workload.padEnd(18)}${s.backend.padEnd(14)}${fmtNumber(s.tfjs).padStart(12)}${fmtNumber(s.torch).padStart(12)}  ${ratio.padEnd(22)}${Number.isFinite(s.cpuRatio) ? s.cpuRatio.toFixed(3) : "-"}`);
  }
  const dir = join(root, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const report = { date: new Date().toISOString(), quick: opts.quick, peer: `torch ${torch.version}`, rounds: opts.rounds, node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, wasmFast: process.env.NN4ASTRO_WASM_FAST ?? null, summary, results };
  writeFileSync(join(dir, "peer-torch.json"), JSON.stringify(report, null, 2) + "\n");
  console.log(`\nwrote bench/results/peer-torch.json`);
  if (results.some((r) => r.error)) process.exitCode = 1;
}

function medianOf(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  compile();
  let workloads = loadWorkloads();
  if (opts.only.length) workloads = workloads.filter((w) => opts.only.some((s) => w.name.includes(s)));
  if (opts.list) {
    const width = Math.max(...workloads.map((w) => w.name.length)) + 1;
    for (const w of workloads) console.log(`${w.name.padEnd(width)} [${w.backends.join(", ")}]  ${w.description}`);
    return;
  }
  if (!workloads.length) throw new Error("bench: no workload matches --only");
  if (opts.peer) return runPeer(opts, workloads);
  const known = ["node-gpu", "node", "wasm", "wasm-shipped", "cpu"];
  for (const b of opts.backends ?? []) if (!known.includes(b)) throw new Error(`bench: unknown backend ${b} (one of ${known.join(", ")})`);
  COLUMNS[0][1] = Math.max(COLUMNS[0][1], ...workloads.map((w) => w.name.length + 1));
  const runs = [];
  // --backend narrows each workload's own list (an A/B or kernel workload only makes sense on wasm).
  for (const w of workloads) for (const b of w.backends) if (!opts.backends || opts.backends.includes(b)) runs.push([w, b]);
  if (!runs.length) throw new Error("bench: no workload runs on the requested backend(s)");

  console.log(`nn4astro bench: ${runs.length} run(s)${opts.quick ? " (quick)" : ""}, node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}`);
  console.log(row(COLUMNS.map((c) => c[0])));
  console.log(row(COLUMNS.map((c) => "-".repeat(Math.max(c[1], c[0].length) - 1))));
  const results = [];
  for (const [w, b] of runs) {
    const r = await runChild(w, b, opts);
    results.push(r);
    console.log(row(COLUMNS.map((c) => c[2](r))));
  }
  const dir = join(root, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const report = {
    date: new Date().toISOString(),
    quick: opts.quick,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
    results,
  };
  writeFileSync(join(dir, "latest.json"), JSON.stringify(report, null, 2) + "\n");
  console.log(`\nwrote bench/results/latest.json`);
  if (results.some((r) => r.error)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e.message ?? e);
  process.exit(1);
});
