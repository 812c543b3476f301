/**
 * Hierarchical (multilevel) models, warm-up example: the distance of every star in a star cluster
 * from noisy Gaia-like parallaxes.
 *
 * Three ways to use N parallaxes ϖᵢ ± σᵢ of stars that belong to one cluster:
 * - no pooling: each star's distance dᵢ from its own parallax (flat prior);
 * - complete pooling: every star at the same distance d;
 * - partial pooling: dᵢ ~ N(μ, τ), with the cluster distance μ and its line-of-sight depth τ as
 *   hyper-parameters learnt from the data. Written *centred* (sample dᵢ) the posterior has a
 *   funnel at small τ that NUTS cannot follow (divergences); written *non-centred*
 *   (dᵢ = μ + τ·ηᵢ, ηᵢ ~ N(0, 1)) the sampler sees a near-Gaussian instead
 *   (Papaspiliopoulos, Roberts & Sköld 2007; Betancourt & Girolami 2015).
 *
 * The models have hand-written gradients (plain JavaScript, float64), so a run of thousands of draws
 * takes a second or two. Also here: a few prior densities the cluster models share, and
 * `withQuantities`, which adds derived quantities ("generated quantities" in Stan) to a NUTS result
 * so that they can be summarised and plotted like parameters.
 */
import { Rng } from "../random";
import { params, type Model } from "./model";
import type { NutsResult } from "./nuts";

// ---------------------------------------------------------------------------------------------
// Priors used by the hierarchical models
// ---------------------------------------------------------------------------------------------

/**
 * log density (up to a constant) of a Beta(a, b) distribution stretched over (lo, hi), and its
 * derivative. With a = b = 1.2 this is the weakly informative "grid box" prior of Lyttle et al.
 * (2021, MNRAS 505, 2427): nearly flat, but falling to zero at the edges of the grid, so that a
 * sampler is not pushed against a wall where the emulator was never trained.
 */
export function betaBoxLogPrior(x: number, lo: number, hi: number, a = 1.2, b = 1.2): [number, number] {
  const u = x - lo;
  const v = hi - x;
  if (!(u > 0 && v > 0)) return [-Infinity, 0];
  return [(a - 1) * Math.log(u) + (b - 1) * Math.log(v), (a - 1) / u - (b - 1) / v];
}

/** log density (up to a constant) of a half-normal with the given scale, at x ≥ 0, and its derivative. */
export function halfNormalLogPrior(x: number, scale: number): [number, number] {
  if (!(x >= 0)) return [-Infinity, 0];
  return [-0.5 * (x / scale) ** 2, -x / (scale * scale)];
}

// ---------------------------------------------------------------------------------------------
// Simulated cluster parallaxes
// ---------------------------------------------------------------------------------------------

/**
 * Parallax uncertainty (mas) of a Gaia DR3 five-parameter solution at G magnitude `gMag`: a
 * smooth fit to Lindegren et al. (2021, A&A 649, A2, Table 4 and Fig. 7): ≈ 0.013 mas at G ≤ 13,
 * 0.03 mas at G = 15, 0.08 mas at G = 17, 0.6 mas at G = 20.
 */
export function gaiaParallaxErrorMas(gMag: number): number {
  const z = 10 ** (0.4 * (Math.max(gMag, 13) - 15));
  return Math.sqrt(40 + 800 * z + 30 * z * z) / 1000;
}

/** Simulated parallaxes of the members of one cluster. */
export interface ParallaxCluster {
  /** True distance of the cluster centre, pc. */
  distancePc: number;
  /** True line-of-sight depth (sd of the members' distances), pc. */
  depthPc: number;
  /** True distance of each star, pc. */
  trueDistancePc: Float64Array;
  /** G magnitude of each star. */
  gMag: Float64Array;
  /** Measured parallax, mas. */
  parallaxMas: Float64Array;
  /** Its 1σ uncertainty, mas. */
  parallaxErrorMas: Float64Array;
}

/** Options of `simulateParallaxCluster`. */
export interface ParallaxClusterOptions {
  nStars?: number;
  /** Cluster distance, pc (default 860: M67, Cantat-Gaudin et al. 2018). */
  distancePc?: number;
  /** Line-of-sight depth, pc (default 3: roughly M67's core radius). */
  depthPc?: number;
  /** Magnitude range of the members, drawn uniformly (default [12, 18]). */
  gMagRange?: [number, number];
  seed?: number;
}

/**
 * Members of a cluster at `distancePc` with a Gaussian depth `depthPc`, observed with Gaia DR3
 * parallax errors for their magnitudes. No zero-point offset or correlated systematics are added
 * (real Gaia parallaxes have both, at the 0.01–0.02 mas level: Lindegren et al. 2021).
 */
export function simulateParallaxCluster(options: ParallaxClusterOptions = {}): ParallaxCluster {
  const n = options.nStars ?? 40;
  const distancePc = options.distancePc ?? 860;
  const depthPc = options.depthPc ?? 3;
  const [g0, g1] = options.gMagRange ?? [12, 18];
  if (!(Number.isInteger(n) && n >= 2)) throw new RangeError(`simulateParallaxCluster: nStars must be an integer ≥ 2, got ${n}`);
  if (!(distancePc > 0 && depthPc >= 0)) throw new RangeError("simulateParallaxCluster: need distancePc > 0 and depthPc ≥ 0");
  const rng = new Rng(options.seed ?? 1);
  const trueDistancePc = new Float64Array(n);
  const gMag = new Float64Array(n);
  const parallaxMas = new Float64Array(n);
  const parallaxErrorMas = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    trueDistancePc[i] = rng.normal(distancePc, depthPc);
    gMag[i] = rng.uniform(g0, g1);
    parallaxErrorMas[i] = gaiaParallaxErrorMas(gMag[i]);
    parallaxMas[i] = rng.normal(1000 / trueDistancePc[i], parallaxErrorMas[i]);
  }
  return { distancePc, depthPc, trueDistancePc, gMag, parallaxMas, parallaxErrorMas };
}

// ---------------------------------------------------------------------------------------------
// The three models
// ---------------------------------------------------------------------------------------------

/** Priors of the distance models. */
export interface DistancePriors {
  /** Box for every distance (no pooling) and for the cluster distance, pc (default [100, 3000]). */
  distanceBoxPc?: [number, number];
  /** Scale of the half-normal prior on the depth τ, pc (default 20: about M67's tidal radius). */
  depthScalePc?: number;
}

/** How the partially pooled model is written. */
export type Parametrisation = "centred" | "noncentred";

/** log N(ϖ | 1000/d, σ) for one star (up to a constant), and its derivative with respect to d. */
function parallaxLogLik(parallaxMas: number, errMas: number, dPc: number): [number, number] {
  const r = (parallaxMas - 1000 / dPc) / errMas;
  // r grows with d (the model parallax falls), dr/dd = 1000/(σ d²).
  return [-0.5 * r * r, (-r * 1000) / (errMas * dPc * dPc)];
}

/**
 * No pooling: N independent distances with a flat prior in `distanceBoxPc`. Parameters `d[i]`.
 * The posterior of each is just what its own parallax says.
 */
export function noPoolingDistanceModel(data: ParallaxCluster, priors: DistancePriors = {}): Model {
  const [lo, hi] = priors.distanceBoxPc ?? [100, 3000];
  const n = data.parallaxMas.length;
  return params()
    .interval("d", lo, hi, n)
    .model((v, g) => {
      let lp = 0;
      for (let i = 0; i < n; i++) {
        const [l, dl] = parallaxLogLik(data.parallaxMas[i], data.parallaxErrorMas[i], v.d[i]);
        lp += l;
        g.d[i] += dl;
      }
      return lp;
    });
}

/** Complete pooling: one distance `d` for every star (flat prior in `distanceBoxPc`). */
export function completePoolingDistanceModel(data: ParallaxCluster, priors: DistancePriors = {}): Model {
  const [lo, hi] = priors.distanceBoxPc ?? [100, 3000];
  const n = data.parallaxMas.length;
  return params()
    .interval("d", lo, hi)
    .model((v, g) => {
      let lp = 0;
      for (let i = 0; i < n; i++) {
        const [l, dl] = parallaxLogLik(data.parallaxMas[i], data.parallaxErrorMas[i], v.d);
        lp += l;
        g.d += dl;
      }
      return lp;
    });
}

/**
 * Partial pooling: cluster distance `mu` (flat in `distanceBoxPc`), depth `tau` (half-normal) and
 * the stars' distances. Centred: parameters `d[i]` ~ N(mu, tau). Non-centred: parameters `eta[i]`
 * ~ N(0, 1) with dᵢ = mu + tau·etaᵢ (use `withQuantities` to get the dᵢ back).
 */
export function partialPoolingDistanceModel(data: ParallaxCluster, parametrisation: Parametrisation, priors: DistancePriors = {}): Model {
  const [lo, hi] = priors.distanceBoxPc ?? [100, 3000];
  const scale = priors.depthScalePc ?? 20;
  const n = data.parallaxMas.length;
  if (parametrisation === "centred") {
    return params()
      .interval("mu", lo, hi)
      .positive("tau")
      .real("d", n)
      .model((v, g) => {
        const [lp0, dtau] = halfNormalLogPrior(v.tau, scale);
        let lp = lp0 - n * Math.log(v.tau);
        g.tau = dtau - n / v.tau;
        for (let i = 0; i < n; i++) {
          const [l, dl] = parallaxLogLik(data.parallaxMas[i], data.parallaxErrorMas[i], v.d[i]);
          const z = (v.d[i] - v.mu) / v.tau;
          lp += l - 0.5 * z * z;
          g.d[i] += dl - z / v.tau;
          g.mu += z / v.tau;
          g.tau += (z * z) / v.tau;
        }
        return lp;
      });
  }
  return params()
    .interval("mu", lo, hi)
    .positive("tau")
    .real("eta", n)
    .model((v, g) => {
      const [lp0, dtau] = halfNormalLogPrior(v.tau, scale);
      let lp = lp0;
      g.tau = dtau;
      for (let i = 0; i < n; i++) {
        const d = v.mu + v.tau * v.eta[i];
        const [l, dl] = parallaxLogLik(data.parallaxMas[i], data.parallaxErrorMas[i], d);
        lp += l - 0.5 * v.eta[i] * v.eta[i];
        g.eta[i] += dl * v.tau - v.eta[i];
        g.mu += dl;
        g.tau += dl * v.eta[i];
      }
      return lp;
    });
}

// ---------------------------------------------------------------------------------------------
// Derived quantities
// ---------------------------------------------------------------------------------------------

/** Constrained values of one draw by name (`mu`, `d[3]`, ...). */
export type DrawValues = Record<string, number>;

/**
 * A copy of `result` with extra quantities computed draw by draw from the constrained values,
 * e.g. `{ "log_tau": (v) => Math.log(v.tau), "offset[0]": (v) => v["d[0]"] - v.mu }`. The new
 * columns are appended on both scales, so `summary`, `pairPlot`, `tracePlot` and `intervalPlot`
 * all accept them (and divergent draws stay marked).
 */
export function withQuantities(result: NutsResult, quantities: Record<string, (v: DrawValues) => number>): NutsResult {
  const names = Object.keys(quantities);
  for (const name of names) {
    if (result.paramNames.includes(name) || result.unconstrainedNames.includes(name)) throw new Error(`withQuantities: "${name}" already exists`);
  }
  const fns = names.map((n) => quantities[n]);
  const values: DrawValues = {};
  const extra = result.draws.map((chain) => {
    const nDraws = chain[0].length;
    const cols = names.map(() => new Float64Array(nDraws));
    for (let k = 0; k < nDraws; k++) {
      result.paramNames.forEach((p, j) => (values[p] = chain[j][k]));
      fns.forEach((f, q) => (cols[q][k] = f(values)));
    }
    return cols;
  });
  const sameArrays = result.draws === result.unconstrainedDraws;
  const draws = result.draws.map((chain, c) => [...chain, ...extra[c]]);
  return {
    ...result,
    paramNames: [...result.paramNames, ...names],
    unconstrainedNames: [...result.unconstrainedNames, ...names],
    draws,
    unconstrainedDraws: sameArrays ? draws : result.unconstrainedDraws.map((chain, c) => [...chain, ...extra[c]]),
  };
}

/** Which of the distance models an initial point is for. */
export type DistanceModelKind = "none" | "complete" | Parametrisation;

/**
 * Initial points for the distance models (pass as `init` to `sampleNuts`): distances at 1000/ϖ
 * (clipped to the prior box), the cluster distance at the median of those, a depth of a few pc,
 * each chain jittered differently. Random initial values in (−2, 2) on the unconstrained scale
 * would put stars at a few pc, where 1000/d is a huge parallax and the chains can get stuck.
 */
export function distanceModelInit(data: ParallaxCluster, kind: DistanceModelKind, priors: DistancePriors = {}): (chain: number, rng: Rng) => Float64Array {
  const [lo, hi] = priors.distanceBoxPc ?? [100, 3000];
  const n = data.parallaxMas.length;
  const clip = (d: number) => Math.min(hi - 1e-6 * (hi - lo), Math.max(lo + 1e-6 * (hi - lo), d));
  const naive = Array.from(data.parallaxMas, (p) => clip(p > 0 ? 1000 / p : hi));
  const centre = naive.slice().sort((a, b) => a - b)[Math.floor(n / 2)];
  return (_chain, rng) => {
    const mu = clip(centre * (1 + 0.003 * rng.normal()));
    const tau = 5 * Math.exp(0.5 * rng.normal());
    if (kind === "none") return params().interval("d", lo, hi, n).unconstrain({ d: naive.map((d) => clip(d * (1 + 0.003 * rng.normal()))) });
    if (kind === "complete") return params().interval("d", lo, hi).unconstrain({ d: mu });
    if (kind === "centred") return params().interval("mu", lo, hi).positive("tau").real("d", n).unconstrain({ mu, tau, d: naive });
    return params().interval("mu", lo, hi).positive("tau").real("eta", n).unconstrain({ mu, tau, eta: naive.map(() => rng.normal()) });
  };
}
