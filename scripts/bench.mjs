// Benchmark harness: `npm run bench [-- --quick] [--only <substring>] [--backend <name>[,<name>]] [--list]`.
// --only keeps workloads whose name contains the substring (repeatable); --backend keeps those
// backends out of each workload's own list; --quick shrinks every run for a smoke test.
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
  const opts = { quick: false, only: [], backends: null, list: false, timeout: 900 };
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
    else if (a === "--help" || a === "-h") {
      console.log("npm run bench -- [--quick] [--only <substring>]... [--backend wasm,cpu,...] [--list] [--timeout <s per run>]");
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
  return new Promise((resolve) => {
    const args = [join(outDir, "bench", "child.js"), w.file, w.name, backend, ...(opts.quick ? ["--quick"] : [])];
    const t0 = Date.now();
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
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
