// `npm run data`: generates the analytic stellar-track grid (src/stellar/grid.ts, Hurley et al. 2000
// fits) into data/stellar-grid.parquet plus data/stellar-grid-sample.csv, and prints its size,
// the time it took and a content checksum (the same options always give the same checksum).
// Usage: node scripts/make-grid.mjs [--dir <output folder>]
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const compiled = join(root, "dist", "stellar", "grid.js");
if (!existsSync(compiled)) {
  console.error(`make-grid: ${compiled} is missing; build the library first (npm run build).`);
  process.exit(1);
}
const args = process.argv.slice(2);
const dirFlag = args.indexOf("--dir");
const dir = dirFlag >= 0 ? resolve(args[dirFlag + 1] ?? ".") : join(root, "data");

// dist/ is CommonJS; createRequire loads it from this ES module.
const require = createRequire(import.meta.url);
const { makeStellarGrid, writeStellarGrid, DEFAULT_GRID_MASSES_MSUN, DEFAULT_GRID_METALLICITIES } = require(compiled);

const t0 = performance.now();
const grid = makeStellarGrid();
const t1 = performance.now();
const out = writeStellarGrid(grid, { dir });
const t2 = performance.now();

const mb = (bytes) => (bytes / 1e6).toFixed(2);
const tracks = DEFAULT_GRID_MASSES_MSUN.length * DEFAULT_GRID_METALLICITIES.length;
console.log(
  [
    `stellar grid: ${out.rows} rows, ${tracks} tracks ` +
      `(${DEFAULT_GRID_MASSES_MSUN.length} masses ${DEFAULT_GRID_MASSES_MSUN[0]}–${DEFAULT_GRID_MASSES_MSUN.at(-1)} M☉ × ` +
      `Z = ${DEFAULT_GRID_METALLICITIES.join(", ")})`,
    `  ${out.parquetPath}: ${mb(out.parquetBytes)} MB`,
    `  ${out.csvPath}: ${out.sampleRows} rows, ${mb(out.csvBytes)} MB`,
    `  generated in ${((t1 - t0) / 1000).toFixed(2)} s, written in ${((t2 - t1) / 1000).toFixed(2)} s`,
    `  content sha256 ${out.checksum}`,
  ].join("\n"),
);
