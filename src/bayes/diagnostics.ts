/**
 * Convergence diagnostics for MCMC output, following Vehtari, Gelman, Simpson, Carpenter &
 * Bürkner 2021 ("Rank-normalization, folding, and localization: an improved R-hat", Bayesian
 * Analysis 16, 667) as implemented in the R package `posterior`:
 *
 * - split chains in halves, so a chain that drifts shows up as two disagreeing halves;
 * - rank-normalise (pooled ranks → normal scores), so R-hat and ESS work for heavy tails too;
 * - R-hat = max(bulk R-hat, R-hat of the draws folded about the median) — the folded version
 *   catches chains with equal means but different spreads;
 * - ESS from Geyer's initial monotone sequence of the multi-chain autocorrelation; bulk ESS on
 *   the rank-normalised draws, tail ESS as the smaller ESS of the 5 % and 95 % quantile indicators.
 *
 * Autocovariances come from an FFT (zero-padded to avoid wrap-around): O(N log N) whatever the
 * chain's mixing, where a lag-by-lag sum costs O(N) per lag and O(N²) for a chain that barely
 * moves (seconds for 4 × 20 000 draws).
 */
import * as pl from "nodejs-polars";
import type { DrawScale, NutsResult } from "./nuts";

/** Draws of one quantity: one array per chain, all the same length. */
export type ChainDraws = ArrayLike<number>[];

function checkChains(chains: ChainDraws, what: string): number {
  if (chains.length === 0) throw new Error(`${what}: no chains`);
  const n = chains[0].length;
  for (let c = 1; c < chains.length; c++) {
    if (chains[c].length !== n) throw new Error(`${what}: chain ${c} has ${chains[c].length} draws, chain 0 has ${n}`);
  }
  return n;
}

function pool(chains: ChainDraws): Float64Array {
  const n = chains[0].length;
  const out = new Float64Array(chains.length * n);
  chains.forEach((c, k) => {
    for (let i = 0; i < n; i++) out[k * n + i] = c[i];
  });
  return out;
}

function meanOf(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

function varianceOf(x: ArrayLike<number>): number {
  const m = meanOf(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - m) ** 2;
  return s / (x.length - 1);
}

function isConstant(x: ArrayLike<number>): boolean {
  for (let i = 1; i < x.length; i++) if (x[i] !== x[0]) return false;
  return true;
}

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error
 * < 1.2e-9: ample for normal scores of ranks).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Splits every chain into its first and second half (an odd middle draw is dropped). */
export function splitChains(chains: ChainDraws): Float64Array[] {
  const n = checkChains(chains, "splitChains");
  if (n < 2) return chains.map((c) => Float64Array.from(c));
  const half = Math.floor(n / 2);
  const out: Float64Array[] = [];
  for (const c of chains) {
    const a = Float64Array.from(c);
    out.push(a.slice(0, half), a.slice(n - half));
  }
  return out;
}

/**
 * Rank normalisation: pooled ranks r (ties averaged) → Φ⁻¹((r − 3/8) / (S + 1/4)), keeping
 * the chain structure. Makes the diagnostics indifferent to heavy tails and monotone transforms.
 */
export function rankNormalize(chains: ChainDraws): Float64Array[] {
  const n = checkChains(chains, "rankNormalize");
  const all = pool(chains);
  const S = all.length;
  const order = Array.from({ length: S }, (_, i) => i).sort((i, j) => all[i] - all[j]);
  const z = new Float64Array(S);
  for (let i = 0; i < S; ) {
    let j = i;
    while (j + 1 < S && all[order[j + 1]] === all[order[i]]) j++;
    const rank = (i + j) / 2 + 1; // average 1-based rank of the tie group
    const score = normalQuantile((rank - 0.375) / (S + 0.25));
    for (let k = i; k <= j; k++) z[order[k]] = score;
    i = j + 1;
  }
  return chains.map((_, c) => z.slice(c * n, (c + 1) * n));
}

/** Classic potential scale reduction on the chains as given (no splitting or ranking). */
export function rhatBasic(chains: ChainDraws): number {
  const n = checkChains(chains, "rhatBasic");
  if (n < 2 || chains.length < 2) return NaN;
  const means = chains.map(meanOf);
  const within = meanOf(chains.map(varianceOf));
  const between = n * varianceOf(means);
  if (!(within > 0)) return NaN;
  return Math.sqrt((between / within + n - 1) / n);
}

/** Median of the pooled draws. */
function median(x: ArrayLike<number>): number {
  return quantile(x, 0.5);
}

/**
 * Rank-normalised split R-hat (Vehtari et al. 2021): the larger of the bulk and the folded
 * (tail) versions. Values below 1.01 indicate the chains agree.
 */
export function rhat(chains: ChainDraws): number {
  checkChains(chains, "rhat");
  const all = pool(chains);
  if (isConstant(all)) return NaN;
  const bulk = rhatBasic(rankNormalize(splitChains(chains)));
  const med = median(all);
  const folded = chains.map((c) => Float64Array.from(c, (v) => Math.abs(v - med)));
  const tail = rhatBasic(rankNormalize(splitChains(folded)));
  return Math.max(bulk, tail);
}

/** In-place iterative radix-2 FFT of (re, im); length a power of two. `inverse` omits the 1/n. */
function fftInPlace(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i]; re[i] = re[j]; re[j] = t;
      t = im[i]; im[i] = im[j]; im[j] = t;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    const half = len >> 1;
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < half; k++) {
        const a = i + k;
        const b = a + half;
        const xr = re[b] * cr - im[b] * ci;
        const xi = re[b] * ci + im[b] * cr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
}

/**
 * Biased autocovariance of one chain, γ(k) = (1/n) Σᵢ (xᵢ − x̄)(xᵢ₊ₖ − x̄) for k = 0 … n−1, by FFT:
 * the inverse transform of |FFT(x − x̄)|², zero-padded to ≥ 2n so that no lag wraps around.
 */
export function autocovariance(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  const mu = meanOf(x);
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < n; i++) re[i] = x[i] - mu;
  fftInPlace(re, im, false);
  for (let k = 0; k < size; k++) {
    re[k] = re[k] * re[k] + im[k] * im[k];
    im[k] = 0;
  }
  fftInPlace(re, im, true);
  for (let k = 0; k < n; k++) out[k] = re[k] / size / n;
  return out;
}

/**
 * Multi-chain ESS of the chains exactly as given (Geyer's initial monotone sequence with the
 * "improved" last term and the S·log10(S) cap, as in `posterior`).
 */
export function essRaw(chains: ChainDraws): number {
  const n = checkChains(chains, "ess");
  const m = chains.length;
  if (n < 4) return NaN;
  const all = pool(chains);
  if (isConstant(all) || !all.every(Number.isFinite)) return NaN;
  const chainMeans = chains.map(meanOf);
  // Biased autocovariance (divide by n at every lag), as Geyer recommends; averaged over chains.
  const acovMean = new Float64Array(n);
  for (const c of chains) {
    const a = autocovariance(c);
    for (let k = 0; k < n; k++) acovMean[k] += a[k] / m;
  }
  const acov = (lag: number): number => acovMean[lag];
  const meanVar = (acov(0) * n) / (n - 1);
  let varPlus = (meanVar * (n - 1)) / n;
  if (m > 1) varPlus += varianceOf(chainMeans);
  if (!(varPlus > 0)) return NaN;
  const rhoHat = new Float64Array(n);
  let t = 0;
  let rhoEven = 1;
  rhoHat[0] = rhoEven;
  let rhoOdd = 1 - (meanVar - acov(1)) / varPlus;
  rhoHat[1] = rhoOdd;
  // Geyer's initial positive sequence: sum autocorrelation pairs while they stay positive.
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
  // Keeping a positive last even term reduces the variance for antithetic chains (ESS > S).
  if (rhoEven > 0) rhoHat[maxT] = rhoEven;
  // Initial monotone sequence: pair sums may not increase.
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
  let tau = -1 + 2 * sum + rhoHat[maxT];
  tau = Math.max(tau, 1 / Math.log10(S));
  return S / tau;
}

/** ESS of the mean (split chains, no rank normalisation): what the MCSE of the mean uses. */
export function essMean(chains: ChainDraws): number {
  return essRaw(splitChains(chains));
}

/** Bulk ESS: ESS of the rank-normalised split chains (efficiency for central quantities). */
export function essBulk(chains: ChainDraws): number {
  return essRaw(rankNormalize(splitChains(chains)));
}

/** ESS for estimating the `prob` quantile: ESS of the indicator draws ≤ that quantile. */
export function essQuantile(chains: ChainDraws, prob: number): number {
  const q = quantile(pool(chains), prob);
  return essRaw(splitChains(chains.map((c) => Float64Array.from(c, (v) => (v <= q ? 1 : 0)))));
}

/** Tail ESS: the smaller ESS of the 5 % and 95 % quantiles (efficiency for intervals). */
export function essTail(chains: ChainDraws): number {
  return Math.min(essQuantile(chains, 0.05), essQuantile(chains, 0.95));
}

/** Monte Carlo standard error of the posterior mean: sd / √ESS_mean. */
export function mcseMean(chains: ChainDraws): number {
  return Math.sqrt(varianceOf(pool(chains)) / essMean(chains));
}

/** Quantile with linear interpolation between order statistics (R's type 7, numpy's default). */
export function quantile(x: ArrayLike<number>, prob: number): number {
  return quantiles(x, [prob])[0];
}

/** Several quantiles with one sort. */
export function quantiles(x: ArrayLike<number>, probs: readonly number[]): number[] {
  const s = Float64Array.from(x).sort();
  const n = s.length;
  if (n === 0) return probs.map(() => NaN);
  return probs.map((p) => {
    if (!(p >= 0 && p <= 1)) throw new Error(`quantile probability must be in [0, 1], got ${p}`);
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, n - 1);
    return s[lo] + (h - lo) * (s[hi] - s[lo]);
  });
}

/**
 * Energy Bayesian fraction of missing information (Betancourt 2016) of one chain:
 * mean squared energy change between draws over the energy variance. Below ~0.3 the momentum
 * resampling cannot move the chain across the energy levels of the posterior (heavy tails,
 * funnels): estimates may be biased.
 */
export function ebfmi(energy: ArrayLike<number>): number {
  const n = energy.length;
  if (n < 2) return NaN;
  let num = 0;
  for (let i = 1; i < n; i++) num += (energy[i] - energy[i - 1]) ** 2;
  const m = meanOf(energy);
  let den = 0;
  for (let i = 0; i < n; i++) den += (energy[i] - m) ** 2;
  return num / (n - 1) / (den / n);
}

/** One row of `summary`. */
export interface SummaryRow {
  param: string;
  mean: number;
  sd: number;
  q5: number;
  q50: number;
  q95: number;
  mcse_mean: number;
  ess_bulk: number;
  ess_tail: number;
  r_hat: number;
}

/** Options for `summary`. */
export interface SummaryOptions {
  /** Parameters to include (default: all). */
  params?: string[];
  /** Constrained (default) or unconstrained draws. */
  scale?: DrawScale;
}

/** Draws by name, for summarising output that did not come from `sampleNuts`. */
export type DrawsByName = Record<string, ChainDraws>;

function isNutsResult(x: NutsResult | DrawsByName): x is NutsResult {
  return Array.isArray((x as NutsResult).draws) && Array.isArray((x as NutsResult).stats);
}

/** The summary rows as plain objects (what `summary` puts in a DataFrame). */
export function summaryRecords(result: NutsResult | DrawsByName, options: SummaryOptions = {}): SummaryRow[] {
  let names: string[];
  let get: (name: string) => ChainDraws;
  if (isNutsResult(result)) {
    const unconstrained = options.scale === "unconstrained";
    const all = unconstrained ? result.unconstrainedNames : result.paramNames;
    const src = unconstrained ? result.unconstrainedDraws : result.draws;
    names = options.params ?? all;
    get = (name) => {
      const i = all.indexOf(name);
      if (i < 0) throw new Error(`summary: no parameter "${name}"`);
      return src.map((chain) => chain[i]);
    };
  } else {
    names = options.params ?? Object.keys(result);
    get = (name) => {
      if (!result[name]) throw new Error(`summary: no parameter "${name}"`);
      return result[name];
    };
  }
  return names.map((param) => {
    const chains = get(param);
    const all = pool(chains);
    const [q5, q50, q95] = quantiles(all, [0.05, 0.5, 0.95]);
    return {
      param,
      mean: meanOf(all),
      sd: Math.sqrt(varianceOf(all)),
      q5, q50, q95,
      mcse_mean: mcseMean(chains),
      ess_bulk: essBulk(chains),
      ess_tail: essTail(chains),
      r_hat: rhat(chains),
    };
  });
}

/**
 * Posterior summary table: mean, sd, 5/50/95 % quantiles, MCSE of the mean, bulk and tail ESS
 * and rank-normalised R-hat per parameter. Rules of thumb: r_hat < 1.01 and ess_bulk, ess_tail
 * > 100 per chain before trusting the numbers; mcse_mean says how many digits of the mean are real.
 */
export function summary(result: NutsResult | DrawsByName, options: SummaryOptions = {}): pl.DataFrame {
  const rows = summaryRecords(result, options);
  const col = (k: keyof SummaryRow) => rows.map((r) => r[k] as number);
  return pl.DataFrame({
    param: rows.map((r) => r.param),
    mean: col("mean"),
    sd: col("sd"),
    q5: col("q5"),
    q50: col("q50"),
    q95: col("q95"),
    mcse_mean: col("mcse_mean"),
    ess_bulk: col("ess_bulk"),
    ess_tail: col("ess_tail"),
    r_hat: col("r_hat"),
  });
}

/** Sampler health per chain and overall. */
export interface SamplerDiagnostics {
  /** Divergent transitions per chain (after warm-up). */
  divergences: number[];
  totalDivergences: number;
  /** Draws whose tree reached the maximum depth, per chain (trajectories cut short). */
  maxTreeDepthHits: number[];
  /** E-BFMI per chain. */
  ebfmi: number[];
  meanAcceptStat: number[];
  stepSize: number[];
  meanTreeDepth: number[];
  meanLeapfrog: number[];
  gradEvals: number[];
  wallTimeMs: number[];
  /** Plain-language problems found (empty when all is well). */
  warnings: string[];
}

/** Options for `samplerDiagnostics`. */
export interface SamplerDiagnosticsOptions {
  /** Also warn about R-hat > 1.01 and ESS < 100 per chain (default true). */
  convergence?: boolean;
}

/** Divergences, tree-depth saturation, E-BFMI and (optionally) R-hat/ESS warnings. */
export function samplerDiagnostics(result: NutsResult, options: SamplerDiagnosticsOptions = {}): SamplerDiagnostics {
  const sum = (a: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i];
    return s;
  };
  const maxDepth = result.settings.maxTreeDepth;
  const divergences = result.stats.map((s) => sum(s.divergent));
  const totalDivergences = sum(divergences);
  const maxTreeDepthHits = result.stats.map((s) => s.treeDepth.filter((d) => d >= maxDepth).length);
  const e = result.stats.map((s) => ebfmi(s.energy));
  const draws = result.settings.draws * result.settings.chains;
  const warnings: string[] = [];
  if (totalDivergences > 0) {
    warnings.push(`${totalDivergences} of ${draws} draws ended in a divergence: the posterior has regions the step size cannot follow (try targetAccept: 0.95 or a non-centred parameterisation).`);
  }
  const hits = sum(maxTreeDepthHits);
  if (hits > 0) warnings.push(`${hits} of ${draws} draws hit the maximum tree depth ${maxDepth}: sampling is inefficient (raise maxTreeDepth or reparameterise).`);
  e.forEach((v, c) => {
    if (v < 0.3) warnings.push(`chain ${c}: E-BFMI = ${v.toFixed(2)} < 0.3: the chain explores energy levels poorly (heavy tails or a funnel).`);
  });
  if (options.convergence ?? true) {
    const rows = summaryRecords(result);
    const badR = rows.filter((r) => r.r_hat > 1.01);
    if (badR.length) warnings.push(`R-hat > 1.01 for ${badR.length} parameter(s) (worst ${badR.reduce((a, b) => (b.r_hat > a.r_hat ? b : a)).param}): chains disagree; run longer or check the model.`);
    const minEss = 100 * result.settings.chains;
    const lowEss = rows.filter((r) => Math.min(r.ess_bulk, r.ess_tail) < minEss);
    if (lowEss.length) warnings.push(`ESS < ${minEss} for ${lowEss.length} parameter(s) (e.g. ${lowEss[0].param}): estimates are noisy; run longer.`);
  }
  return {
    divergences,
    totalDivergences,
    maxTreeDepthHits,
    ebfmi: e,
    meanAcceptStat: result.stats.map((s) => meanOf(s.acceptStat)),
    stepSize: result.stepSize.slice(),
    meanTreeDepth: result.stats.map((s) => meanOf(s.treeDepth)),
    meanLeapfrog: result.stats.map((s) => meanOf(s.nLeapfrog)),
    gradEvals: result.gradEvals.slice(),
    wallTimeMs: result.wallTimeMs.slice(),
    warnings,
  };
}

/** `samplerDiagnostics` as a table, one row per chain. */
export function samplerTable(result: NutsResult): pl.DataFrame {
  const d = samplerDiagnostics(result, { convergence: false });
  return pl.DataFrame({
    chain: d.divergences.map((_, c) => c),
    divergences: d.divergences,
    max_depth_hits: d.maxTreeDepthHits,
    ebfmi: d.ebfmi,
    mean_accept: d.meanAcceptStat,
    step_size: d.stepSize,
    mean_leapfrog: d.meanLeapfrog,
    grad_evals: d.gradEvals,
    seconds: d.wallTimeMs.map((t) => t / 1000),
  });
}
