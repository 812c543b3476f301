/**
 * A labelled view of a NUTS result — every draw tagged with its chain, its draw number and
 * the parameter's name — as polars DataFrames, and export to CSV or parquet in the layout
 * ArviZ (Python) reads.
 *
 * Two layouts, both "tidy" (one observation per row):
 * - wide (`drawsFrame`): one row per (chain, draw), one column per parameter — what
 *   `xarray`/ArviZ turn into an InferenceData:
 *
 *   ```python
 *   import pandas as pd, arviz as az
 *   df = pd.read_parquet("fit.parquet")                    # or pd.read_csv("fit.csv")
 *   idata = az.convert_to_inference_data(df.set_index(["chain", "draw"]).to_xarray())
 *   stats = pd.read_parquet("fit-stats.parquet").set_index(["chain", "draw"]).to_xarray()
 *   idata.add_groups(sample_stats=stats)                  # ArviZ's names: diverging, lp, ...
 *   ```
 *   (with `warmup: true`, keep `df[~df.warmup].drop(columns="warmup")` for the posterior);
 * - long (`drawsLong`): one row per (chain, draw, parameter) with a `value` column — for
 *   group-bys and faceted plots.
 *
 * Chains and draws are numbered from 0 (as ArviZ does); warm-up draws, when kept
 * (`saveWarmup: true`) and asked for, carry `warmup = true` and their own draw numbers 0 … W−1.
 */
import * as pl from "nodejs-polars";
import type { DrawScale, NutsResult, SamplerStats } from "./nuts";

/** Options of the labelled views. */
export interface DrawsFrameOptions {
  /** Parameters to include (default: all). */
  params?: string[];
  /** Constrained (default) or unconstrained draws. */
  scale?: DrawScale;
  /** Also the warm-up draws (needs a result sampled with `saveWarmup: true`), flagged by a `warmup` column. */
  warmup?: boolean;
}

function pick(result: NutsResult, options: DrawsFrameOptions): { names: string[]; cols: number[]; kept: Float64Array[][]; warm?: Float64Array[][] } {
  const unconstrained = options.scale === "unconstrained";
  const all = unconstrained ? result.unconstrainedNames : result.paramNames;
  const names = options.params ?? all;
  const cols = names.map((n) => {
    const i = all.indexOf(n);
    if (i < 0) throw new Error(`drawsFrame: no parameter "${n}" on the ${unconstrained ? "unconstrained" : "constrained"} scale (have: ${all.slice(0, 10).join(", ")}${all.length > 10 ? ", ..." : ""})`);
    return i;
  });
  let warm: Float64Array[][] | undefined;
  if (options.warmup) {
    warm = unconstrained ? result.warmupUnconstrainedDraws : result.warmupDraws;
    if (!warm) throw new Error("drawsFrame: warmup: true needs a result sampled with saveWarmup: true");
  }
  return { names, cols, kept: unconstrained ? result.unconstrainedDraws : result.draws, warm };
}

function chainDrawColumns(lengths: Array<[number, number, boolean]>): { chain: Int32Array; draw: Int32Array; warmup: boolean[] } {
  const total = lengths.reduce((s, [, n]) => s + n, 0);
  const chain = new Int32Array(total);
  const draw = new Int32Array(total);
  const warmup: boolean[] = new Array(total);
  let r = 0;
  for (const [c, n, w] of lengths) {
    for (let k = 0; k < n; k++, r++) {
      chain[r] = c;
      draw[r] = k;
      warmup[r] = w;
    }
  }
  return { chain, draw, warmup };
}

/** Blocks of rows in output order: per chain, warm-up first (if asked) then the kept draws. */
function blocks(kept: Float64Array[][], warm?: Float64Array[][]): Array<{ c: number; src: Float64Array[]; warmup: boolean }> {
  const out: Array<{ c: number; src: Float64Array[]; warmup: boolean }> = [];
  kept.forEach((chain, c) => {
    if (warm) out.push({ c, src: warm[c], warmup: true });
    out.push({ c, src: chain, warmup: false });
  });
  return out;
}

/** Wide tidy table: columns chain, draw, (warmup), then one per parameter. */
export function drawsFrame(result: NutsResult, options: DrawsFrameOptions = {}): pl.DataFrame {
  const { names, cols, kept, warm } = pick(result, options);
  const bl = blocks(kept, warm);
  const len = (b: { src: Float64Array[] }) => (b.src.length ? b.src[0].length : 0);
  const { chain, draw, warmup } = chainDrawColumns(bl.map((b) => [b.c, len(b), b.warmup]));
  const data: Record<string, unknown> = { chain, draw };
  if (warm) data.warmup = warmup;
  names.forEach((name, j) => {
    const col = new Float64Array(chain.length);
    let r = 0;
    for (const b of bl) {
      col.set(b.src[cols[j]], r);
      r += len(b);
    }
    data[name] = col;
  });
  return pl.DataFrame(data);
}

/** Long tidy table: columns chain, draw, (warmup), parameter, value. */
export function drawsLong(result: NutsResult, options: DrawsFrameOptions = {}): pl.DataFrame {
  const { names, cols, kept, warm } = pick(result, options);
  const bl = blocks(kept, warm);
  const len = (b: { src: Float64Array[] }) => (b.src.length ? b.src[0].length : 0);
  const rows = bl.reduce((s, b) => s + len(b), 0) * names.length;
  const chain = new Int32Array(rows);
  const draw = new Int32Array(rows);
  const warmup: boolean[] = new Array(rows);
  const parameter: string[] = new Array(rows);
  const value = new Float64Array(rows);
  let r = 0;
  names.forEach((name, j) => {
    for (const b of bl) {
      const src = b.src[cols[j]];
      for (let k = 0; k < src.length; k++, r++) {
        chain[r] = b.c;
        draw[r] = k;
        warmup[r] = b.warmup;
        parameter[r] = name;
        value[r] = src[k];
      }
    }
  });
  const data: Record<string, unknown> = { chain, draw };
  if (warm) data.warmup = warmup;
  data.parameter = parameter;
  data.value = value;
  return pl.DataFrame(data);
}

/**
 * Sampler statistics per (chain, draw) under ArviZ's `sample_stats` names: lp, acceptance_rate,
 * step_size, tree_depth, n_steps, diverging, energy (with `warmup`: the warm-up iterations too).
 */
export function samplerStatsFrame(result: NutsResult, options: { warmup?: boolean } = {}): pl.DataFrame {
  const bl: Array<{ c: number; s: SamplerStats; warmup: boolean }> = [];
  result.stats.forEach((s, c) => {
    if (options.warmup) bl.push({ c, s: result.warmupStats[c], warmup: true });
    bl.push({ c, s, warmup: false });
  });
  const { chain, draw, warmup } = chainDrawColumns(bl.map((b) => [b.c, b.s.lp.length, b.warmup]));
  const cat = <A extends Float64Array | Int32Array>(get: (s: SamplerStats) => ArrayLike<number>, make: (n: number) => A): A => {
    const out = make(chain.length);
    let r = 0;
    for (const b of bl) {
      const src = get(b.s);
      for (let k = 0; k < src.length; k++) out[r++] = src[k];
    }
    return out;
  };
  const f64 = (n: number) => new Float64Array(n);
  const i32 = (n: number) => new Int32Array(n);
  const data: Record<string, unknown> = { chain, draw };
  if (options.warmup) data.warmup = warmup;
  Object.assign(data, {
    lp: cat((s) => s.lp, f64),
    acceptance_rate: cat((s) => s.acceptStat, f64),
    step_size: cat((s) => s.stepSize, f64),
    tree_depth: cat((s) => s.treeDepth, i32),
    n_steps: cat((s) => s.nLeapfrog, i32),
    diverging: Array.from(cat((s) => s.divergent, i32), (d) => d === 1),
    energy: cat((s) => s.energy, f64),
  });
  return pl.DataFrame(data);
}

/** Options of `writeDraws`. */
export interface WriteDrawsOptions extends DrawsFrameOptions {
  /** "csv" or "parquet" (default: from the file's extension). */
  format?: "csv" | "parquet";
  /** Wide (default) or long layout. */
  layout?: "wide" | "long";
  /** Also write the sampler statistics next to it, as `<name>-stats.<ext>` (default true). */
  stats?: boolean;
}

/**
 * Writes the draws (and, by default, the sampler statistics to `<name>-stats.<ext>`) as CSV or
 * parquet. Returns the paths written. See the module comment for reading them with ArviZ.
 */
export function writeDraws(result: NutsResult, path: string, options: WriteDrawsOptions = {}): string[] {
  const format = options.format ?? (/\.parquet$/i.test(path) ? "parquet" : /\.csv$/i.test(path) ? "csv" : undefined);
  if (!format) throw new Error(`writeDraws: cannot tell the format of "${path}": end it in .csv or .parquet, or pass format`);
  const df = (options.layout ?? "wide") === "long" ? drawsLong(result, options) : drawsFrame(result, options);
  const write = (d: pl.DataFrame, p: string) => (format === "csv" ? d.writeCSV(p) : d.writeParquet(p));
  write(df, path);
  const out = [path];
  if (options.stats ?? true) {
    const dot = path.lastIndexOf(".");
    const statsPath = dot > path.lastIndexOf("/") ? `${path.slice(0, dot)}-stats${path.slice(dot)}` : `${path}-stats`;
    write(samplerStatsFrame(result, { warmup: options.warmup }), statsPath);
    out.push(statsPath);
  }
  return out;
}
