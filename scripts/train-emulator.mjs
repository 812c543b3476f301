// `npm run train:emulator`: trains the stellar-grid emulator (src/emulator) on data/stellar-grid.parquet
// with every fifth mass held out, saves it to data/emulator (model.json, weights.bin, emulator.json),
// reloads it, and records its errors on the held-out tracks and on 40 off-grid tracks in emulator.json.
// Deterministic for a given seed and backend. About 7–9 minutes on 2 shared CPU cores (wasm backend).
//
// Usage: node scripts/train-emulator.mjs [--out DIR] [--epochs N] [--hidden 64,64,64,64]
//          [--activation elu] [--seed N] [--batch N] [--lr 2e-3,3e-5] [--stride K] [--l2 X]
//          [--turnoff-weight W] [--init DIR: continue from that emulator's weights] [--no-bench]
//        node scripts/train-emulator.mjs --validate-only [--out DIR]   (re-record the validation of an existing emulator)
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const compiled = join(root, "dist", "index.js");
if (!existsSync(compiled)) {
  console.error(`train-emulator: ${compiled} is missing; build the library first (npm run build).`);
  process.exit(1);
}
const require = createRequire(import.meta.url);
const nn = require(compiled);

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const numbers = (s) => s.split(",").map(Number);
const out = resolve(flag("out", join(root, "data", "emulator")));
const options = {
  epochs: Number(flag("epochs", "350")),
  hidden: numbers(flag("hidden", "64,64,64,64")),
  activation: flag("activation", "elu"),
  seed: Number(flag("seed", "2021")),
  batchSize: Number(flag("batch", "256")),
  learningRate: numbers(flag("lr", "2e-3,3e-5")),
  earlyMsStride: Number(flag("stride", "2")),
  l2: Number(flag("l2", "1e-8")),
  turnOffWeight: Number(flag("turnoff-weight", "1")),
};

const t0 = Date.now();
await nn.setupBackend();
nn.seedEverything(options.seed);
const grid = nn.loadStellarGrid();
// --validate-only: keep the emulator in --out as it is and re-record its validation on the current grid.
const validateOnly = args.includes("--validate-only");
let trained;
let trainSeconds;
if (validateOnly) {
  const existing = await nn.loadEmulator(out);
  trainSeconds = existing.spec.validation?.trainSeconds ?? existing.spec.training.seconds;
  trained = { split: nn.splitTracks(nn.gridTracks(grid)) };
  existing.dispose();
  console.log(`validating ${out} on the current grid (no training)`);
} else {
  console.log(`training the emulator: ${JSON.stringify(options)}`);
  const initDir = flag("init", undefined);
  const initFrom = initDir ? await nn.loadEmulator(resolve(initDir)) : undefined;
  if (initDir) console.log(`continuing from ${initDir} (${initFrom.spec.training.epochs} epochs)`);
  trained = await nn.trainStellarEmulator({ grid, ...options, initFrom, callbacks: [nn.trainingProgress({ label: "emulator", printEvery: 10 })] });
  trainSeconds = (Date.now() - t0) / 1000;
  console.log(`trained on ${trained.trainingRows} rows of ${trained.split.train.length} tracks in ${trainSeconds.toFixed(0)} s`);
  await nn.saveEmulator(trained.emulator, out);
  trained.emulator.dispose();
}
// Validate the emulator as shipped: the files, not the object in memory.
const emulator = await nn.loadEmulator(out);
const heldOut = nn.rowsOfTracks(grid, trained.split.heldOut);
const tables = {
  heldOutTracks: nn.errorTable(nn.emulatorErrors(emulator, heldOut, "age")),
  heldOutTracksNetworkOnly: nn.errorTable(nn.emulatorErrors(emulator, heldOut, "fracAge")),
  offGridTracks: nn.errorTable(nn.emulatorErrors(emulator, nn.offGridTracks({ count: 40, seed: 12 }), "age")),
};
const round = (x) => Number(x.toPrecision(4));
const compact = (table) =>
  Object.fromEntries(
    table.map((r) => [
      r.region,
      Object.fromEntries(Object.entries(r).filter(([k]) => k !== "region").map(([k, v]) => [k, typeof v === "number" ? v : Object.fromEntries(Object.entries(v).map(([q, x]) => [q, round(x)]))])),
    ]),
  );
const validation = {
  heldOutTrackIds: trained.split.heldOut,
  lowerGiantBranchMaxLogL: nn.LOWER_GB_MAX_LOG_L,
  heldOutTracks: compact(tables.heldOutTracks),
  heldOutTracksNetworkOnly: compact(tables.heldOutTracksNetworkOnly),
  offGridTracks: { count: 40, seed: 12, ...compact(tables.offGridTracks) },
  trainSeconds: Math.round(trainSeconds),
};
emulator.dispose();
const written = await nn.saveEmulator(await nn.loadEmulator(out), out, { validation });
for (const [name, table] of Object.entries(tables)) console.log(`\n${name} (median / 95th / 99th percentile of |error|):\n${nn.errorTableMarkdown(table)}`);
console.log(`\nwrote ${written.join(", ")}`);

if (!args.includes("--no-bench")) {
  const reloaded = await nn.loadEmulator(out);
  const b = nn.benchmarkEmulator(reloaded, { batchSize: 1000, seconds: 6 });
  console.log(
    `\nthroughput: ${b.starsPerSecondSingle.toFixed(0)} stars/s one at a time (plain JS), ${b.starsPerSecondJacobian.toFixed(0)} stars/s with the 6×3 Jacobian, ` +
      `${b.starsPerSecondBatch.toFixed(0)} stars/s in batches of ${b.batchSize} (plain JS), ${b.starsPerSecondBatchTfjs.toFixed(0)} stars/s through tfjs (${b.backend}); ` +
      `value + gradient through tfjs: ${b.gradientMs.map((g) => `${g.ms.toFixed(2)} ms for ${g.stars}`).join(", ")}`,
  );
  reloaded.dispose();
}
console.log(`total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
