/**
 * Around the sampler: FFT autocovariances (checked against the lag-by-lag sums they replaced),
 * parallel chains (identical to the serial ones), kept warm-up draws and timings, the labelled
 * CSV/parquet export, and the exact eight-schools reference.
 */
import { existsSync, mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import * as pl from "nodejs-polars";
import { Rng } from "../src/random";
import { autocovariance, essBulk, essRaw } from "../src/bayes/diagnostics";
import { sampleNuts, type NutsResult } from "../src/bayes/nuts";
import { sampleNutsParallel, rngFromState, rngState } from "../src/bayes/parallel";
import { drawsFrame, drawsLong, samplerStatsFrame, writeDraws } from "../src/bayes/draws";
import { EIGHT_SCHOOLS_REFERENCE, eightSchools, eightSchoolsQuadrature } from "../src/bayes/validation";

/** The lag-by-lag autocovariance diagnostics.ts used before the FFT (the reference). */
function acovLagByLag(x: ArrayLike<number>, lag: number): number {
  const n = x.length;
  let mu = 0;
  for (let i = 0; i < n; i++) mu += x[i];
  mu /= n;
  let a = 0;
  for (let i = 0; i + lag < n; i++) a += (x[i] - mu) * (x[i + lag] - mu);
  return a / n;
}

/** The old multi-chain ESS with lag-by-lag autocovariances, verbatim apart from acov. */
function essRawLagByLag(chains: Float64Array[]): number {
  const n = chains[0].length;
  const m = chains.length;
  const meanOf = (x: ArrayLike<number>) => Array.from(x).reduce((s, v) => s + v, 0) / x.length;
  const varianceOf = (x: ArrayLike<number>) => {
    const mu = meanOf(x);
    return Array.from(x).reduce((s, v) => s + (v - mu) ** 2, 0) / (x.length - 1);
  };
  const acov = (lag: number) => chains.reduce((s, c) => s + acovLagByLag(c, lag), 0) / m;
  const meanVar = (acov(0) * n) / (n - 1);
  let varPlus = (meanVar * (n - 1)) / n;
  if (m > 1) varPlus += varianceOf(chains.map(meanOf));
  const rhoHat = new Float64Array(n);
  let t = 0;
  let rhoEven = 1;
  rhoHat[0] = rhoEven;
  let rhoOdd = 1 - (meanVar - acov(1)) / varPlus;
  rhoHat[1] = rhoOdd;
  while (t < n - 5 && !Number.isNaN(rhoEven + rhoOdd) && rhoEven + rhoOdd > 0) {
    t += 2;
    rhoEven = 1 - (meanVar - acov(t)) / varPlus;
    rhoOdd = 1 - (meanVar - acov(t + 1)) / varPlus;
    if (rhoEven + rhoOdd >= 0) {
      rhoHat[t] = rhoEven;
      rhoHat[t + 1] = rhoOdd;
    }
  }
  const maxT = t;
  if (rhoEven > 0) rhoHat[maxT] = rhoEven;
  t = 0;
  while (t <= maxT - 4) {
    t += 2;
    if (rhoHat[t] + rhoHat[t + 1] > rhoHat[t - 2] + rhoHat[t - 1]) {
      rhoHat[t] = (rhoHat[t - 2] + rhoHat[t - 1]) / 2;
      rhoHat[t + 1] = rhoHat[t];
    }
  }
  const S = m * n;
  let sum = 0;
  for (let i = 0; i < maxT; i++) sum += rhoHat[i];
  const tau = Math.max(-1 + 2 * sum + rhoHat[maxT], 1 / Math.log10(S));
  return S / tau;
}

function ar1(n: number, phi: number, rng: Rng): Float64Array {
  const x = new Float64Array(n);
  for (let i = 1; i < n; i++) x[i] = phi * x[i - 1] + rng.normal();
  return x;
}

describe("FFT autocovariance", () => {
  test("equals the lag-by-lag sums at every lag (odd and power-of-two lengths)", () => {
    const rng = new Rng(1);
    for (const n of [1, 2, 7, 64, 1001]) {
      const x = ar1(n, 0.8, rng).map((v) => v + 3);
      const fft = autocovariance(x);
      const scale = Math.max(1e-300, acovLagByLag(x, 0));
      for (let k = 0; k < n; k++) expect(Math.abs(fft[k] - acovLagByLag(x, k)) / scale).toBeLessThan(1e-12);
    }
  });

  test("ESS is unchanged: FFT vs the old lag-by-lag version, from iid to a chain that barely moves", () => {
    const rng = new Rng(2);
    for (const phi of [0, 0.5, 0.95, 0.999]) {
      const chains = Array.from({ length: 4 }, () => ar1(2000, phi, rng));
      const now = essRaw(chains);
      const before = essRawLagByLag(chains);
      expect(Math.abs(now - before) / before).toBeLessThan(1e-9);
    }
  });

  test("a summary-row ESS of 4 × 20 000 slowly mixing draws takes well under a second", () => {
    const rng = new Rng(3);
    const chains = Array.from({ length: 4 }, () => ar1(20000, 0.999, rng));
    const t0 = performance.now();
    const ess = essBulk(chains);
    const seconds = (performance.now() - t0) / 1000;
    console.log(`essBulk of 4 × 20 000 AR(1) draws with φ = 0.999: ${ess.toFixed(0)} in ${seconds.toFixed(3)} s`);
    expect(ess).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(2); // lag by lag: tens of seconds at φ = 0.999
  });
});

describe("warm-up draws and timings", () => {
  const opts = { chains: 2, warmup: 150, draws: 100, seed: 12 };
  let plain: NutsResult;
  let withWarmup: NutsResult;
  beforeAll(() => {
    plain = sampleNuts(eightSchools(), opts);
    withWarmup = sampleNuts(eightSchools(), { ...opts, saveWarmup: true });
  });

  test("saveWarmup keeps the warm-up draws without changing the kept ones", () => {
    expect(plain.warmupDraws).toBeUndefined();
    expect(withWarmup.warmupDraws).toHaveLength(2);
    expect(withWarmup.warmupDraws![0]).toHaveLength(withWarmup.paramNames.length);
    expect(withWarmup.warmupDraws![0][0]).toHaveLength(150);
    expect(withWarmup.warmupUnconstrainedDraws![1][1]).toHaveLength(150);
    plain.draws.forEach((chain, c) => chain.forEach((col, i) => expect(Array.from(withWarmup.draws[c][i])).toEqual(Array.from(col))));
    // τ > 0 on the constrained scale, log τ on the unconstrained one.
    const tau = withWarmup.paramNames.indexOf("tau");
    withWarmup.warmupDraws![0][tau].forEach((v, k) => expect(Math.log(v)).toBeCloseTo(withWarmup.warmupUnconstrainedDraws![0][tau][k], 10));
  });

  test("warm-up and sampling times add up to each chain's wall time", () => {
    withWarmup.wallTimeMs.forEach((t, c) => {
      expect(withWarmup.warmupTimeMs[c]).toBeGreaterThan(0);
      expect(withWarmup.samplingTimeMs[c]).toBeGreaterThan(0);
      expect(withWarmup.warmupTimeMs[c] + withWarmup.samplingTimeMs[c]).toBeCloseTo(t, 6);
    });
    expect(withWarmup.workers).toBe(0);
    expect(withWarmup.elapsedMs).toBeGreaterThanOrEqual(withWarmup.totalWallTimeMs * 0.99);
  });

  test("labelled views: wide and long tables with chain and draw columns, warm-up flagged", () => {
    const wide = drawsFrame(withWarmup);
    expect(wide.columns.slice(0, 4)).toEqual(["chain", "draw", "mu", "tau"]);
    expect(wide.height).toBe(200);
    const mu = withWarmup.paramNames.indexOf("mu");
    expect(wide.getColumn("mu").toArray()[100 + 7]).toBe(withWarmup.draws[1][mu][7]);
    expect(wide.getColumn("chain").toArray()[100 + 7]).toBe(1);
    expect(wide.getColumn("draw").toArray()[100 + 7]).toBe(7);
    const all = drawsFrame(withWarmup, { warmup: true, params: ["tau"] });
    expect(all.columns).toEqual(["chain", "draw", "warmup", "tau"]);
    expect(all.height).toBe(2 * 250);
    expect(all.filter(pl.col("warmup")).height).toBe(300);
    const long = drawsLong(withWarmup, { params: ["mu", "tau"] });
    expect(long.columns).toEqual(["chain", "draw", "parameter", "value"]);
    expect(long.height).toBe(2 * 200);
    const row = long.filter(pl.col("parameter").eq(pl.lit("mu")).and(pl.col("chain").eq(1)).and(pl.col("draw").eq(7)));
    expect(row.getColumn("value").toArray()[0]).toBe(withWarmup.draws[1][mu][7]);
    expect(() => drawsFrame(plain, { warmup: true })).toThrow(/saveWarmup/);
    expect(() => drawsFrame(plain, { params: ["nope"] })).toThrow(/no parameter "nope"/);
  });

  test("CSV and parquet files read back with the same numbers; stats under ArviZ's names", () => {
    const dir = mkdtempSync(join(tmpdir(), "nn4astro-draws-"));
    try {
      const [pq, pqStats] = writeDraws(withWarmup, join(dir, "fit.parquet"));
      const [csv] = writeDraws(withWarmup, join(dir, "fit.csv"), { layout: "long", stats: false });
      expect(existsSync(pqStats)).toBe(true);
      const back = pl.readParquet(pq);
      const orig = drawsFrame(withWarmup);
      expect(back.columns).toEqual(orig.columns);
      for (const c of orig.columns) expect(back.getColumn(c).toArray()).toEqual(orig.getColumn(c).toArray());
      const stats = pl.readParquet(pqStats);
      expect(stats.columns).toEqual(["chain", "draw", "lp", "acceptance_rate", "step_size", "tree_depth", "n_steps", "diverging", "energy"]);
      expect(stats.getColumn("lp").toArray()[3]).toBe(withWarmup.stats[0].lp[3]);
      expect(samplerStatsFrame(withWarmup, { warmup: true }).height).toBe(2 * 250);
      const longBack = pl.readCSV(csv);
      expect(longBack.height).toBe(200 * withWarmup.paramNames.length);
      const v = longBack.getColumn("value").toArray() as number[];
      expect(v[5]).toBeCloseTo(withWarmup.draws[0][0][5], 12);
      expect(() => writeDraws(withWarmup, join(dir, "fit.txt"))).toThrow(/\.csv or \.parquet/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("parallel chains", () => {
  const workerBuilt = existsSync(join(__dirname, "..", "dist", "bayes", "nuts-worker.js"));
  const source = { module: join(__dirname, "..", "dist", "bayes", "validation.js"), export: "eightSchools", args: [{}] };

  test("a random stream continues in another thread from its captured state", () => {
    const a = new Rng(9);
    a.random();
    const b = rngFromState(rngState(a));
    for (let k = 0; k < 5; k++) expect(b.random()).toBe(a.random());
  });

  test("the worker script is built (npm run build)", () => {
    expect(workerBuilt).toBe(true);
  });

  (workerBuilt ? test : test.skip)("same seed, same draws as the serial path; init functions and progress work", async () => {
    const opts = { chains: 3, warmup: 120, draws: 80, seed: 31, saveWarmup: true };
    const init = (c: number, rng: Rng) => Float64Array.from({ length: 10 }, () => 0.5 * rng.normal() + 0.1 * c);
    const serial = sampleNuts(eightSchools(), { ...opts, init });
    const progress: number[] = [];
    const par = await sampleNutsParallel(source, { ...opts, init, workers: 2, progressEvery: 50, onProgress: (p) => progress.push(p.chain) });
    expect(par.workers).toBe(2);
    expect(par.paramNames).toEqual(serial.paramNames);
    serial.draws.forEach((chain, c) => chain.forEach((col, i) => expect(Array.from(par.draws[c][i])).toEqual(Array.from(col))));
    serial.warmupDraws!.forEach((chain, c) => chain.forEach((col, i) => expect(Array.from(par.warmupDraws![c][i])).toEqual(Array.from(col))));
    expect(par.stepSize).toEqual(serial.stepSize);
    expect(Array.from(par.stats[2].energy)).toEqual(Array.from(serial.stats[2].energy));
    expect(par.gradEvals).toEqual(serial.gradEvals);
    expect(new Set(progress)).toEqual(new Set([0, 1, 2]));
    // Random initialisation (no init) is reproduced too.
    const s2 = sampleNuts(eightSchools(), { chains: 2, warmup: 50, draws: 30, seed: 4 });
    const p2 = await sampleNutsParallel(source, { chains: 2, warmup: 50, draws: 30, seed: 4 });
    expect(Array.from(p2.draws[1][0])).toEqual(Array.from(s2.draws[1][0]));
  });

  (workerBuilt ? test : test.skip)("a bad source is reported clearly", async () => {
    await expect(sampleNutsParallel({ module: source.module, export: "nope" })).rejects.toThrow(/"nope" exported by .* is undefined/);
  });
});

describe("eight schools reference", () => {
  test("the exact values are what quadrature gives", () => {
    const q = eightSchoolsQuadrature();
    // Four decimals: |difference| < 5e-5.
    expect(Math.abs(q.mu.mean - EIGHT_SCHOOLS_REFERENCE.mu.mean)).toBeLessThan(5e-5);
    expect(Math.abs(q.mu.sd - EIGHT_SCHOOLS_REFERENCE.mu.sd)).toBeLessThan(5e-5);
    expect(Math.abs(q.tau.mean - EIGHT_SCHOOLS_REFERENCE.tau.mean)).toBeLessThan(5e-5);
    expect(Math.abs(q.tau.sd - EIGHT_SCHOOLS_REFERENCE.tau.sd)).toBeLessThan(5e-5);
    // The posteriordb estimates the course used before are off by more than that.
    expect(Math.abs(4.41 - q.mu.mean)).toBeGreaterThan(0.01);
  });
});
