/**
 * How good is an emulator, and where is it wrong: errors on held-out tracks by evolutionary region,
 * tracks the grid never had, derivatives along a track (smoothness), and evaluation speed.
 *
 * Regions: main sequence (MS), subgiants (the Hertzsprung gap, HG), the lower giant branch
 * (GB with log L < 1.5, i.e. ν_max ≳ 40–90 µHz over 0.7–2.5 M☉: the giants with the best seismology),
 * and the upper giant branch above it.
 */
import * as tf from "@tensorflow/tfjs";
import * as pl from "nodejs-polars";
import { Rng } from "../random";
import { makeStellarGrid } from "../stellar/grid";
import { EMULATOR_OUTPUT_COLUMNS, EMULATOR_OUTPUTS } from "./features";
import { StellarEmulator } from "./model";

/** log L (L☉) below which a giant counts as "lower giant branch". */
export const LOWER_GB_MAX_LOG_L = 1.5;

export type EmulatorRegion = "MS" | "HG" | "lower GB" | "upper GB";
export const EMULATOR_REGIONS: readonly EmulatorRegion[] = ["MS", "HG", "lower GB", "upper GB"];

/** Region of a grid row from its phase and log L. */
export function regionOf(phase: string, logL: number): EmulatorRegion {
  if (phase === "MS") return "MS";
  if (phase === "HG") return "HG";
  return logL < LOWER_GB_MAX_LOG_L ? "lower GB" : "upper GB";
}

/** Per-row errors of an emulator against grid rows (emulated − grid). */
export interface EmulatorErrors {
  region: EmulatorRegion[];
  massMsun: Float64Array;
  Z: Float64Array;
  ageGyr: Float64Array;
  /** The grid's evolutionary coordinate. */
  fracAge: Float64Array;
  trackId: Int32Array;
  /** Grid values, for plotting. */
  logTeff: Float64Array;
  logL: Float64Array;
  /** Teff error, K. */
  dTeffK: Float64Array;
  /** log10 L error, dex. */
  dLogL: Float64Array;
  /** Relative errors, per cent. */
  dRPct: Float64Array;
  dDeltaNuPct: Float64Array;
  dNumaxPct: Float64Array;
  /** log g error, dex. */
  dLogg: Float64Array;
}

/** What to evaluate: at the rows' ages through the clock (default), or at their `frac_age` (network only). */
export type ErrorMode = "age" | "fracAge";

/** Errors of the emulator on every row of `rows` (a grid DataFrame, e.g. the held-out tracks). */
export function emulatorErrors(emulator: StellarEmulator, rows: pl.DataFrame, mode: ErrorMode = "age"): EmulatorErrors {
  const get = (c: string) => Float64Array.from(rows.getColumn(c).toArray() as number[]);
  const massMsun = get("star_mass");
  const Z = get("initial_Z");
  const ageGyr = get("star_age").map((a) => a / 1e9);
  const fracAge = get("frac_age");
  const phase = rows.getColumn("phase").toArray() as string[];
  const truth = EMULATOR_OUTPUTS.map((name) => {
    const { column, linear } = EMULATOR_OUTPUT_COLUMNS[name];
    const v = get(column);
    return linear ? v.map(Math.log10) : v;
  });
  const p = mode === "age" ? emulator.predict({ massMsun, ageGyr, Z }) : emulator.predictAtFracAge({ massMsun, fracAge, Z });
  const n = rows.height;
  const pct = (j: number) => Float64Array.from({ length: n }, (_, i) => 100 * (10 ** (p.log[j][i] - truth[j][i]) - 1));
  return {
    region: phase.map((ph, i) => regionOf(ph, truth[1][i])),
    massMsun,
    Z,
    ageGyr,
    fracAge,
    trackId: Int32Array.from(rows.getColumn("track_id").toArray() as number[]),
    logTeff: truth[0],
    logL: truth[1],
    dTeffK: Float64Array.from({ length: n }, (_, i) => p.teffK[i] - 10 ** truth[0][i]),
    dLogL: Float64Array.from({ length: n }, (_, i) => p.log[1][i] - truth[1][i]),
    dRPct: pct(2),
    dLogg: Float64Array.from({ length: n }, (_, i) => p.log[3][i] - truth[3][i]),
    dDeltaNuPct: pct(4),
    dNumaxPct: pct(5),
  };
}

/** Quantiles of |error| of one quantity in one region. */
export interface ErrorQuantiles {
  median: number;
  p95: number;
  p99: number;
  max: number;
}

/** One row of the error table. */
export interface ErrorTableRow {
  region: EmulatorRegion | "all";
  rows: number;
  teffK: ErrorQuantiles;
  logL: ErrorQuantiles;
  radiusPct: ErrorQuantiles;
  logg: ErrorQuantiles;
  deltaNuPct: ErrorQuantiles;
  numaxPct: ErrorQuantiles;
}

/** The q-quantile (0–1) of |values| (linear interpolation between order statistics). */
export function absQuantile(values: ArrayLike<number>, q: number): number {
  const a = Float64Array.from(values, Math.abs).sort();
  if (a.length === 0) return NaN;
  const pos = q * (a.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(a.length - 1, lo + 1);
  return a[lo] + (a[hi] - a[lo]) * (pos - lo);
}

function quantiles(values: ArrayLike<number>): ErrorQuantiles {
  return { median: absQuantile(values, 0.5), p95: absQuantile(values, 0.95), p99: absQuantile(values, 0.99), max: absQuantile(values, 1) };
}

/** Median, 95th and 99th percentile and maximum |error| per region (and over all rows). */
export function errorTable(errors: EmulatorErrors): ErrorTableRow[] {
  const regions: Array<EmulatorRegion | "all"> = [...EMULATOR_REGIONS, "all"];
  return regions
    .map((region) => {
      const idx: number[] = [];
      errors.region.forEach((r, i) => {
        if (region === "all" || r === region) idx.push(i);
      });
      const pick = (a: Float64Array) => idx.map((i) => a[i]);
      return {
        region,
        rows: idx.length,
        teffK: quantiles(pick(errors.dTeffK)),
        logL: quantiles(pick(errors.dLogL)),
        radiusPct: quantiles(pick(errors.dRPct)),
        logg: quantiles(pick(errors.dLogg)),
        deltaNuPct: quantiles(pick(errors.dDeltaNuPct)),
        numaxPct: quantiles(pick(errors.dNumaxPct)),
      };
    })
    .filter((r) => r.rows > 0);
}

/** The error table as a DataFrame for display (median / 95 % / 99 % per quantity). */
export function errorTableFrame(table: ErrorTableRow[]): pl.DataFrame {
  const fmt = (q: ErrorQuantiles, digits: number) => `${q.median.toFixed(digits)} / ${q.p95.toFixed(digits)} / ${q.p99.toFixed(digits)}`;
  return pl.DataFrame({
    region: table.map((r) => r.region),
    rows: table.map((r) => r.rows),
    "|ΔTeff| K": table.map((r) => fmt(r.teffK, 1)),
    "|Δlog L| dex": table.map((r) => fmt(r.logL, 4)),
    "|ΔR| %": table.map((r) => fmt(r.radiusPct, 2)),
    "|Δlog g| dex": table.map((r) => fmt(r.logg, 4)),
    "|ΔΔν| %": table.map((r) => fmt(r.deltaNuPct, 2)),
    "|Δν_max| %": table.map((r) => fmt(r.numaxPct, 2)),
  });
}

/** The error table as Markdown (for reports and the training script's log). */
export function errorTableMarkdown(table: ErrorTableRow[]): string {
  const head = "| region | rows | abs(ΔTeff) K | abs(Δlog L) dex | abs(ΔR) % | abs(Δlog g) dex | abs(ΔΔν) % | abs(Δν_max) % |";
  const sep = "|---|---:|---|---|---|---|---|---|";
  const f = (q: ErrorQuantiles, d: number) => `${q.median.toFixed(d)} / ${q.p95.toFixed(d)} / ${q.p99.toFixed(d)}`;
  const lines = table.map((r) => `| ${r.region} | ${r.rows} | ${f(r.teffK, 1)} | ${f(r.logL, 4)} | ${f(r.radiusPct, 2)} | ${f(r.logg, 4)} | ${f(r.deltaNuPct, 2)} | ${f(r.numaxPct, 2)} |`);
  return [head, sep, ...lines].join("\n");
}

/** Options of `offGridTracks`. */
export interface OffGridOptions {
  /** Number of tracks (default 40). */
  count?: number;
  seed?: number;
  /** Mass range, M☉ (default 0.72–2.48: inside the grid's box). */
  massRangeMsun?: [number, number];
  /** Z range, drawn uniformly in log Z (default 0.0045–0.028). */
  zRange?: [number, number];
}

/**
 * Tracks at random masses and metallicities that no grid track has (made by the same generator):
 * a test of interpolation in both directions at once. Track ids start at 10000.
 */
export function offGridTracks(options: OffGridOptions = {}): pl.DataFrame {
  const rng = new Rng(options.seed ?? 12);
  const [m0, m1] = options.massRangeMsun ?? [0.72, 2.48];
  const [z0, z1] = options.zRange ?? [0.0045, 0.028];
  const frames: pl.DataFrame[] = [];
  for (let k = 0; k < (options.count ?? 40); k++) {
    const m = Math.round(rng.uniform(m0, m1) * 1e4) / 1e4;
    const z = Math.round(Math.exp(rng.uniform(Math.log(z0), Math.log(z1))) * 1e6) / 1e6;
    const df = makeStellarGrid({ massesMsun: [m], metallicities: [z] });
    frames.push(df.withColumns(pl.lit(10000 + k).cast(pl.Int32).alias("track_id")));
  }
  return pl.concat(frames);
}

/**
 * d(output)/d(age) along a track, by automatic differentiation through the whole emulator (clock
 * included). Returns the derivative of the chosen log10 output per Gyr at each age, and of Teff
 * in K per Gyr when the output is log_Teff.
 */
export function derivativeAlongTrack(
  emulator: StellarEmulator,
  massMsun: number,
  Z: number,
  agesGyr: ArrayLike<number>,
  output: (typeof EMULATOR_OUTPUTS)[number] = "log_Teff",
): { value: Float64Array; dPerGyr: Float64Array; teffK?: Float64Array; dTeffKPerGyr?: Float64Array } {
  const j = EMULATOR_OUTPUTS.indexOf(output);
  const n = agesGyr.length;
  const [value, grad] = tf.tidy(() => {
    const m = tf.fill([n], massMsun) as tf.Tensor1D;
    const z = tf.fill([n], Z) as tf.Tensor1D;
    const f = (age: tf.Tensor) => emulator.apply(m, age as tf.Tensor1D, z).all.slice([0, j], [n, 1]).sum();
    const age = tf.tensor1d(Float32Array.from(agesGyr));
    const g = tf.grad(f)(age);
    const v = emulator.apply(m, age, z).all.slice([0, j], [n, 1]).reshape([n]);
    return [v, g];
  });
  const v = Float64Array.from(value.dataSync());
  const d = Float64Array.from(grad.dataSync());
  value.dispose();
  grad.dispose();
  if (output !== "log_Teff") return { value: v, dPerGyr: d };
  const teffK = v.map((x) => 10 ** x);
  return { value: v, dPerGyr: d, teffK, dTeffKPerGyr: Float64Array.from(d, (x, i) => x * Math.LN10 * teffK[i]) };
}

/** Total variation Σ|y_{i+1} − y_i| of a sampled curve. */
export function totalVariation(y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 1; i < y.length; i++) s += Math.abs(y[i] - y[i - 1]);
  return s;
}

/** Evaluation speed of an emulator. */
export interface EmulatorBenchmark {
  backend: string;
  /** Stars per second through `evaluate` (plain JS, one star per call: a sampler's inner loop). */
  starsPerSecondSingle: number;
  /** Stars per second through `evaluateWithJacobian` (one star with its 6×3 Jacobian). */
  starsPerSecondJacobian: number;
  /** Stars per second through `predict` on `batchSize` stars per call (plain JS) and through tfjs. */
  starsPerSecondBatch: number;
  starsPerSecondBatchTfjs: number;
  batchSize: number;
  /** Milliseconds for one value-and-gradient through `apply` and tf.valueAndGrads (w.r.t. mass, age and Z of every star). */
  gradientMs: Array<{ stars: number; ms: number }>;
}

/** Times the plain-JS and tfjs evaluation paths and a value-and-gradient through `apply`. */
export function benchmarkEmulator(emulator: StellarEmulator, options: { batchSize?: number; seconds?: number; gradBatchSizes?: number[] } = {}): EmulatorBenchmark {
  const batch = options.batchSize ?? 1000;
  // Each of the six measurements gets a sixth of the time budget.
  const budgetMs = (1000 * (options.seconds ?? 1)) / 6;
  const rng = new Rng(7);
  const stars = (n: number) => ({
    massMsun: Float64Array.from({ length: n }, () => rng.uniform(0.8, 2.0)),
    ageGyr: Float64Array.from({ length: n }, () => rng.uniform(0.5, 4)),
    Z: Float64Array.from({ length: n }, () => rng.uniform(0.008, 0.025)),
  });
  /** Calls fn (which handles `items` stars) repeatedly for the budget; returns calls per second × items. */
  const rate = (items: number, fn: () => void, budget = budgetMs) => {
    fn(); // warm-up (JIT, kernel set-up, tensor caches)
    let calls = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < budget || calls < 3) {
      fn();
      calls++;
    }
    return (calls * items) / ((performance.now() - t0) / 1000);
  };
  const few = stars(100);
  const single = rate(100, () => {
    for (let i = 0; i < 100; i++) emulator.evaluate(few.massMsun[i], few.ageGyr[i], few.Z[i]);
  });
  const jacobian = rate(100, () => {
    for (let i = 0; i < 100; i++) emulator.evaluateWithJacobian(few.massMsun[i], few.ageGyr[i], few.Z[i]);
  });
  const many = stars(batch);
  const batchJs = rate(batch, () => emulator.predict(many));
  const batchTfjs = rate(batch, () => emulator.predict(many, { engine: "tfjs" }));
  const sizes = options.gradBatchSizes ?? [1, 100, 1000];
  const gradientMs = sizes.map((n) => {
    const s = stars(n);
    const vg = tf.valueAndGrads((m: tf.Tensor, a: tf.Tensor, z: tf.Tensor) => {
      // A χ²-like scalar of all outputs, as a likelihood would be.
      return emulator.apply(m as tf.Tensor1D, a as tf.Tensor1D, z as tf.Tensor1D).all.square().sum() as tf.Scalar;
    });
    const once = () =>
      tf.tidy(() => {
        const { value, grads } = vg([tf.tensor1d(Float32Array.from(s.massMsun)), tf.tensor1d(Float32Array.from(s.ageGyr)), tf.tensor1d(Float32Array.from(s.Z))]);
        value.dataSync();
        grads.forEach((g) => g.dataSync());
      });
    return { stars: n, ms: 1000 / rate(1, once, (2 * budgetMs) / sizes.length) };
  });
  return {
    backend: tf.getBackend(),
    starsPerSecondSingle: single,
    starsPerSecondJacobian: jacobian,
    starsPerSecondBatch: batchJs,
    starsPerSecondBatchTfjs: batchTfjs,
    batchSize: batch,
    gradientMs,
  };
}

/**
 * Median |value| per region of grid rows (e.g. the Teff errors of any model against `rows`):
 * a quick summary for models that are not a `StellarEmulator`.
 */
export function medianAbsByRegion(rows: pl.DataFrame, values: ArrayLike<number>): Record<EmulatorRegion, number> {
  if (values.length !== rows.height) throw new Error(`medianAbsByRegion: ${values.length} values for ${rows.height} rows`);
  const phase = rows.getColumn("phase").toArray() as string[];
  const logL = rows.getColumn("log_L").toArray() as number[];
  const groups: Record<EmulatorRegion, number[]> = { MS: [], HG: [], "lower GB": [], "upper GB": [] };
  phase.forEach((p, i) => groups[regionOf(p, logL[i])].push(values[i]));
  const out = {} as Record<EmulatorRegion, number>;
  for (const r of EMULATOR_REGIONS) out[r] = absQuantile(groups[r], 0.5);
  return out;
}
