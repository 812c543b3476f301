/**
 * Bayesian models of the ages of cluster stars, with a stellar emulator as the forward model.
 *
 * Likelihood: every observed quantity is Gaussian in log10, with the observed fractional error
 * (plus an optional "model error" in quadrature for what the emulator and the stellar models get
 * wrong). Priors follow Lyttle et al. (2021, MNRAS 505, 2427): Beta(1.2, 1.2) distributions
 * stretched over the box of the training grid for mass, age and [M/H].
 *
 * - `singleStarModel` / `fitStarsIndividually`: one star at a time, parameters (mass, age, [M/H])
 *   — what you do when you fit stars separately ("no pooling").
 * - `clusterModel` / `fitCluster`: all stars at once, with a shared cluster age and [M/H], an
 *   age-spread hyper-parameter σ_age (half-normal prior) and one mass per star. Each star's age is
 *   age + σ_age·offsetᵢ with offsetᵢ ~ N(0, 1) (non-centred), or drawn as N(age, σ_age) directly
 *   (centred). The gradient comes from tfjs autodiff through the emulator (`engine: "tfjs"`) or
 *   from the emulator's float64 Jacobian (`engine: "js"`, several times cheaper per call).
 * - The evolved stars' mass–age degeneracy is a razor-thin ridge; `isochroneMassReference`
 *   linearises it so that masses can be sampled as offsets from the ridge (`massOffset`), the same
 *   non-centring idea that removes the funnel of σ_age.
 * - `emulatorGrid`, `clusterGridSearch`, `clusterInit`, `clusterMetricGuess`: a brute-force grid
 *   evaluation of the emulator that starts every chain in the right place with the right scales.
 */
import * as tf from "@tensorflow/tfjs";
import * as pl from "nodejs-polars";
import { performance } from "perf_hooks";
import { Rng } from "../random";
import { params, type Model, type Params, type ParamValues } from "../bayes/model";
import { sampleNuts, pooledDraws, type NutsOptions, type NutsResult } from "../bayes/nuts";
import { quantiles, summaryRecords } from "../bayes/diagnostics";
import { samplerDiagnostics } from "../bayes/diagnostics";
import { betaBoxLogPrior, halfNormalLogPrior, withQuantities } from "../bayes/hierarchical";
import { SOLAR_Z } from "../stellar/metallicity";
import { EMULATOR_LOG_OUTPUTS, OBSERVABLE_INDEX, type ClusterEmulator } from "./emulator";

const LN10 = Math.LN10;

/** What the models need to know about one observed star (`ClusterStar` from `simulateCluster` has all of it). */
export interface StarObservation {
  id: string;
  obsTeffK: number;
  errTeffK: number;
  obsLumLsun: number;
  errLumLsun: number;
  /** NaN when not observed. */
  obsDeltaNuMuHz: number;
  errDeltaNuMuHz: number;
  /** NaN when not observed. */
  obsNumaxMuHz: number;
  errNumaxMuHz: number;
}

/** Extra uncertainty (dex) added in quadrature for what the forward model gets wrong. */
export interface ModelError {
  logTeff?: number;
  logL?: number;
  logDeltaNu?: number;
  logNumax?: number;
}

/** Priors of the stellar parameters. */
export interface StarPriors {
  /** Box for the mass, M☉ (default [0.7, 2.5]: the training grid). */
  massBoxMsun?: [number, number];
  /** Box for ages, Gyr (default [0.5, 13.8]: nothing older than the Universe). */
  ageBoxGyr?: [number, number];
  /**
   * Box for [M/H] = log10(Z/Z☉) (default [−0.67, 0.2]: where the shipped emulator was trained,
   * Z = 0.004–0.03, on the `SOLAR_Z` scale; the grid itself spans −0.7 … +0.2).
   */
  mhBox?: [number, number];
  /** Shape a = b of the Beta priors stretched over the boxes (default 1.2; 1 = uniform). */
  betaShape?: number;
  /**
   * A Gaussian prior on [M/H] (e.g. from spectroscopy), multiplied into the box prior. For the
   * cluster model it applies to the cluster's [M/H]; for single stars to each star's.
   */
  mhPrior?: { mean: number; sd: number };
}

/** Priors of the cluster model: the stars' priors plus the age spread's. */
export interface ClusterPriors extends StarPriors {
  /** Scale of the half-normal prior on σ_age, Gyr (default 1: allows the Gyr spreads that have been claimed). */
  ageSpreadScaleGyr?: number;
}

const DEFAULT_PRIORS = {
  massBoxMsun: [0.7, 2.5] as [number, number],
  ageBoxGyr: [0.5, 13.8] as [number, number],
  mhBox: [-0.67, 0.2] as [number, number],
  betaShape: 1.2,
  ageSpreadScaleGyr: 1,
};

function priorsWithDefaults(p: ClusterPriors = {}) {
  return { ...DEFAULT_PRIORS, ...p };
}

/**
 * The observations as log10 values and σ in dex, one Float64Array per observable in
 * (logTeff, logL, logDeltaNu, logNumax) order; `invSigma` is 0 where a quantity was not observed
 * (so the same vectorised likelihood serves stars with and without seismology).
 */
export interface ObservationArrays {
  n: number;
  y: Float64Array[];
  invSigma: Float64Array[];
}

const OBS_KEYS = ["logTeff", "logL", "logDeltaNu", "logNumax"] as const;

/** The stars' observations in the form the likelihoods use (see `ObservationArrays`). */
export function observationArrays(stars: StarObservation[], modelError: ModelError = {}): ObservationArrays {
  const n = stars.length;
  const y = OBS_KEYS.map(() => new Float64Array(n));
  const invSigma = OBS_KEYS.map(() => new Float64Array(n));
  const pairs = (s: StarObservation): Array<[number, number]> => [
    [s.obsTeffK, s.errTeffK],
    [s.obsLumLsun, s.errLumLsun],
    [s.obsDeltaNuMuHz, s.errDeltaNuMuHz],
    [s.obsNumaxMuHz, s.errNumaxMuHz],
  ];
  stars.forEach((s, i) => {
    pairs(s).forEach(([v, e], k) => {
      if (Number.isFinite(v) && v > 0 && Number.isFinite(e) && e > 0) {
        const sdDex = e / (v * LN10);
        const extra = modelError[OBS_KEYS[k]] ?? 0;
        y[k][i] = Math.log10(v);
        invSigma[k][i] = 1 / Math.sqrt(sdDex * sdDex + extra * extra);
      }
    });
  });
  return { n, y, invSigma };
}

/** Which emulator outputs (index into `EMULATOR_LOG_OUTPUTS`) the four observables are. */
const OUT_INDEX = OBS_KEYS.map((k) => OBSERVABLE_INDEX[k]);

function solarZOf(emulator: ClusterEmulator): number {
  // The cluster's [M/H] is always the course's scale; an emulator takes Z, whatever its own feature reference.
  void emulator;
  return SOLAR_Z;
}

function requireJs(emulator: ClusterEmulator, what: string): NonNullable<ClusterEmulator["evaluateInto"]> {
  if (!emulator.evaluateInto) throw new Error(`${what}: this emulator has no float64 evaluateInto; use engine "tfjs"`);
  return emulator.evaluateInto.bind(emulator);
}

/**
 * log-likelihood of star i at (m, t, Z) in float64 and, when `grad` is given, its gradient with
 * respect to (m, t, Z) written into grad[0..2].
 */
function starLogLikJs(
  evaluate: NonNullable<ClusterEmulator["evaluateInto"]>,
  obs: ObservationArrays,
  i: number,
  m: number,
  t: number,
  Z: number,
  out: Float64Array,
  jac: Float64Array | undefined,
  grad?: Float64Array,
): number {
  evaluate(m, t, Z, out, jac);
  let lp = 0;
  if (grad) grad.fill(0);
  for (let k = 0; k < 4; k++) {
    const w = obs.invSigma[k][i];
    if (w === 0) continue;
    const o = OUT_INDEX[k];
    const r = (obs.y[k][i] - out[o]) * w;
    lp -= 0.5 * r * r;
    if (grad && jac) {
      const d = r * w; // d(−r²/2)/d(out) = r·w
      grad[0] += d * jac[3 * o];
      grad[1] += d * jac[3 * o + 1];
      grad[2] += d * jac[3 * o + 2];
    }
  }
  return lp;
}

// ---------------------------------------------------------------------------------------------
// One star at a time
// ---------------------------------------------------------------------------------------------

/** Options of `singleStarModel`. */
export interface SingleStarOptions {
  priors?: StarPriors;
  modelError?: ModelError;
  /** float64 Jacobian of the emulator (default when it has one) or tfjs autodiff. */
  engine?: "js" | "tfjs";
  /**
   * A one-star `MassReference` (from `isochroneMassReference(emulator, [star], ...)`): the mass is
   * then sampled as `massOffset`, its distance from the star's mass–age ridge (see `clusterModel`).
   */
  reference?: MassReference;
}

/**
 * One star, parameters `ageGyr`, `mh` and `massMsun` (or `massOffset` with a reference), with Beta
 * box priors on mass, age and [M/H].
 */
export function singleStarModel(emulator: ClusterEmulator, star: StarObservation, options: SingleStarOptions = {}): Model {
  const p = priorsWithDefaults(options.priors);
  const obs = observationArrays([star], options.modelError);
  const zSun = solarZOf(emulator);
  const ref = options.reference;
  if (ref && ref.logMass.length !== 1) throw new Error("singleStarModel: the reference must be for this one star");
  const [mLo, mHi] = p.massBoxMsun;
  const a = p.betaShape;
  const spec = params().interval("ageGyr", ...p.ageBoxGyr).interval("mh", ...p.mhBox) as unknown as Params<ParamValues>;
  if (ref) spec.real("massOffset");
  else spec.interval("massMsun", mLo, mHi);
  const engine = options.engine ?? (emulator.evaluateInto ? "js" : "tfjs");
  if (engine === "js") {
    const evaluate = requireJs(emulator, "singleStarModel");
    const out = new Float64Array(EMULATOR_LOG_OUTPUTS.length);
    const jac = new Float64Array(3 * EMULATOR_LOG_OUTPUTS.length);
    const g3 = new Float64Array(3);
    type V = { ageGyr: number; mh: number; massMsun: number; massOffset: number };
    return spec.model((vAny: ParamValues, gAny: ParamValues) => {
      const v = vAny as unknown as V;
      const g = gAny as unknown as V;
      const Z = zSun * 10 ** v.mh;
      const m = ref ? Math.exp(ref.logMass[0] + ref.dLogMassDAge[0] * (v.ageGyr - ref.ageGyr) + ref.dLogMassDMh[0] * (v.mh - ref.mh) + ref.logMassSd[0] * v.massOffset) : v.massMsun;
      if (!(m > mLo && m < mHi)) return -Infinity;
      let lp = starLogLikJs(evaluate, obs, 0, m, v.ageGyr, Z, out, jac, g3);
      const pm = betaBoxLogPrior(m, mLo, mHi, a, a);
      const pt = betaBoxLogPrior(v.ageGyr, ...p.ageBoxGyr, a, a);
      const pz = betaBoxLogPrior(v.mh, ...p.mhBox, a, a);
      lp += pm[0] + pt[0] + pz[0];
      g.ageGyr = g3[1] + pt[1];
      g.mh = g3[2] * Z * LN10 + pz[1];
      if (ref) {
        lp += Math.log(m); // log-Jacobian of massOffset → m
        const dlm = (g3[0] + pm[1]) * m + 1;
        g.massOffset = dlm * ref.logMassSd[0];
        g.ageGyr += dlm * ref.dLogMassDAge[0];
        g.mh += dlm * ref.dLogMassDMh[0];
      } else {
        g.massMsun = g3[0] + pm[1];
      }
      if (p.mhPrior) {
        const r = (v.mh - p.mhPrior.mean) / p.mhPrior.sd;
        lp -= 0.5 * r * r;
        g.mh -= r / p.mhPrior.sd;
      }
      return lp;
    });
  }
  const like = tfLikelihood(emulator, obs);
  type TV = { ageGyr: tf.Scalar; mh: tf.Scalar; massMsun: tf.Scalar; massOffset: tf.Scalar };
  return spec.tfModel((vAny: unknown) =>
    tf.tidy(() => {
      const v = vAny as TV;
      const Z = tf.exp(v.mh.mul(LN10)).mul(zSun).reshape([1]) as tf.Tensor1D;
      let lp = betaBoxTf(v.ageGyr, p.ageBoxGyr, a).add(betaBoxTf(v.mh, p.mhBox, a));
      let m: tf.Tensor;
      if (ref) {
        const logM = v.ageGyr.sub(ref.ageGyr).mul(ref.dLogMassDAge[0]).add(v.mh.sub(ref.mh).mul(ref.dLogMassDMh[0])).add(v.massOffset.mul(ref.logMassSd[0])).add(ref.logMass[0]);
        m = tf.exp(logM);
        lp = lp.add(logM);
      } else m = v.massMsun;
      lp = lp.add(betaBoxTf(m, p.massBoxMsun, a)).add(like(m.reshape([1]) as tf.Tensor1D, v.ageGyr.reshape([1]) as tf.Tensor1D, Z));
      if (p.mhPrior) lp = lp.sub(v.mh.sub(p.mhPrior.mean).div(p.mhPrior.sd).square().mul(0.5));
      return lp as tf.Scalar;
    }),
  );
}

/** Σ (a−1)·[log(x − lo) + log(hi − x)]: the Beta(a, a) box prior on tensors. */
function betaBoxTf(x: tf.Tensor, [lo, hi]: [number, number], a: number): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.log(x.sub(lo)).add(tf.log(tf.scalar(hi).sub(x)))).mul(a - 1) as tf.Scalar);
}

/** The vectorised Gaussian log-likelihood of all stars through `emulator.apply`, as a tfjs function. */
function tfLikelihood(emulator: ClusterEmulator, obs: ObservationArrays): (m: tf.Tensor1D, t: tf.Tensor1D, Z: tf.Tensor1D) => tf.Scalar {
  // Constant tensors live as long as the model (a few hundred bytes).
  const y = obs.y.map((a) => tf.keep(tf.tensor1d(Float32Array.from(a))));
  const w = obs.invSigma.map((a) => tf.keep(tf.tensor1d(Float32Array.from(a))));
  return (m, t, Z) =>
    tf.tidy(() => {
      const out = emulator.apply(m, t, Z);
      const pred = [out.logTeff, out.logL, out.logDeltaNu, out.logNumax];
      const terms = pred.map((p, k) => tf.sum(tf.square(y[k].sub(p).mul(w[k]))));
      return tf.addN(terms).mul(-0.5) as tf.Scalar;
    });
}

// ---------------------------------------------------------------------------------------------
// The whole cluster
// ---------------------------------------------------------------------------------------------

/**
 * Where each star's mass sits on the cluster's isochrone, linearised around a reference
 * (age₀, [M/H]₀): log mᵢ* ≈ logMassᵢ + dLogMassDAgeᵢ·(tᵢ − age₀) + dLogMassDMhᵢ·([M/H] − [M/H]₀), with
 * `logMassSd[i]` the spread of log mᵢ allowed by the data at fixed age and [M/H]. Made by
 * `isochroneMassReference`.
 */
export interface MassReference {
  ageGyr: number;
  mh: number;
  logMass: Float64Array;
  dLogMassDAge: Float64Array;
  dLogMassDMh: Float64Array;
  logMassSd: Float64Array;
}

/** Options of `clusterModel`. */
export interface ClusterModelOptions {
  /** Non-centred (default: offsetᵢ ~ N(0,1), ageᵢ = age + σ·offsetᵢ) or centred (ageᵢ ~ N(age, σ)). */
  parametrisation?: "centred" | "noncentred";
  /**
   * With a reference, each mass is sampled as `massOffset[i]`, its distance from the isochrone
   * in units of its own uncertainty: log mᵢ = log mᵢ*(tᵢ, [M/H]) + logMassSdᵢ·massOffsetᵢ. The model
   * is the same (the log-Jacobian is added), but the long, thin mass–age ridge of the evolved stars
   * becomes a round blob that NUTS crosses in a few steps. Without one, masses are sampled directly
   * as `massMsun[i]`.
   */
  reference?: MassReference;
  /** tfjs autodiff through `emulator.apply` (default) or the emulator's float64 Jacobian. */
  engine?: "tfjs" | "js";
  priors?: ClusterPriors;
  modelError?: ModelError;
}

function clusterSpec(p: ReturnType<typeof priorsWithDefaults>, n: number, options: ClusterModelOptions): Params<ParamValues> {
  // Which blocks exist depends on the options, so the spec is typed loosely; the model code below names them.
  const spec = params().interval("ageGyr", ...p.ageBoxGyr).interval("mh", ...p.mhBox).positive("sigmaAgeGyr") as unknown as Params<ParamValues>;
  if (options.reference) spec.real("massOffset", n);
  else spec.interval("massMsun", ...p.massBoxMsun, n);
  if (options.parametrisation === "centred") spec.interval("starAgeGyr", ...p.ageBoxGyr, n);
  else spec.real("offset", n);
  return spec;
}

/** The parameter declaration `clusterModel` uses (for `unconstrain`-ing starting points). */
export function clusterParams(n: number, options: ClusterModelOptions = {}) {
  return clusterSpec(priorsWithDefaults(options.priors), n, options);
}

/**
 * The hierarchical model of a coeval (or nearly coeval) cluster.
 *
 * Parameters: `ageGyr` and `mh` of the cluster (Beta box priors, plus `mhPrior` if given),
 * `sigmaAgeGyr` (half-normal, scale `ageSpreadScaleGyr`), a mass per star (`massMsun[i]`, Beta box
 * prior; or `massOffset[i]` relative to the isochrone, see `reference`) and an age per star:
 * `offset[i]` ~ N(0, 1) with ageᵢ = ageGyr + sigmaAgeGyr·offsetᵢ (non-centred), or
 * `starAgeGyr[i]` ~ N(ageGyr, sigmaAgeGyr) (centred). All stars share the cluster's metallicity.
 * `clusterDerived` adds the stars' ages and masses to a fit.
 */
export function clusterModel(emulator: ClusterEmulator, stars: StarObservation[], options: ClusterModelOptions = {}): Model {
  const p = priorsWithDefaults(options.priors);
  const n = stars.length;
  const obs = observationArrays(stars, options.modelError);
  const zSun = solarZOf(emulator);
  const centred = options.parametrisation === "centred";
  const ref = options.reference;
  if (ref && ref.logMass.length !== n) throw new Error(`clusterModel: reference has ${ref.logMass.length} stars, data ${n}`);
  const a = p.betaShape;
  const [mLo, mHi] = p.massBoxMsun;
  const spec = clusterSpec(p, n, options);

  if ((options.engine ?? "tfjs") === "js") {
    const evaluate = requireJs(emulator, "clusterModel");
    const out = new Float64Array(EMULATOR_LOG_OUTPUTS.length);
    const jac = new Float64Array(3 * EMULATOR_LOG_OUTPUTS.length);
    const g3 = new Float64Array(3);
    type V = { ageGyr: number; mh: number; sigmaAgeGyr: number; massMsun?: Float64Array; massOffset?: Float64Array; offset?: Float64Array; starAgeGyr?: Float64Array };
    return spec.model((vAny: ParamValues, gAny: ParamValues) => {
      const v = vAny as unknown as V;
      const g = gAny as unknown as V;
      const Z = zSun * 10 ** v.mh;
      const pt = betaBoxLogPrior(v.ageGyr, ...p.ageBoxGyr, a, a);
      const pz = betaBoxLogPrior(v.mh, ...p.mhBox, a, a);
      const ps = halfNormalLogPrior(v.sigmaAgeGyr, p.ageSpreadScaleGyr);
      let lp = pt[0] + pz[0] + ps[0];
      g.ageGyr += pt[1];
      g.mh += pz[1];
      g.sigmaAgeGyr += ps[1];
      if (p.mhPrior) {
        const r = (v.mh - p.mhPrior.mean) / p.mhPrior.sd;
        lp -= 0.5 * r * r;
        g.mh -= r / p.mhPrior.sd;
      }
      if (centred) {
        lp -= n * Math.log(v.sigmaAgeGyr);
        g.sigmaAgeGyr -= n / v.sigmaAgeGyr;
      }
      for (let i = 0; i < n; i++) {
        const t = centred ? v.starAgeGyr![i] : v.ageGyr + v.sigmaAgeGyr * v.offset![i];
        let m: number;
        if (ref) m = Math.exp(ref.logMass[i] + ref.dLogMassDAge[i] * (t - ref.ageGyr) + ref.dLogMassDMh[i] * (v.mh - ref.mh) + ref.logMassSd[i] * v.massOffset![i]);
        else m = v.massMsun![i];
        if (!(m > mLo && m < mHi)) return -Infinity;
        lp += starLogLikJs(evaluate, obs, i, m, t, Z, out, jac, g3);
        const pm = betaBoxLogPrior(m, mLo, mHi, a, a);
        lp += pm[0];
        let dm = g3[0] + pm[1]; // d lp / d m
        let dt = g3[1]; // d lp / d (star age)
        g.mh += g3[2] * Z * LN10;
        if (ref) {
          // m = exp(log m*(t, [M/H]) + sd·u): the log-Jacobian of u → m is log m (+ a constant).
          lp += Math.log(m);
          const dlm = dm * m + 1;
          g.massOffset![i] += dlm * ref.logMassSd[i];
          dt += dlm * ref.dLogMassDAge[i];
          g.mh += dlm * ref.dLogMassDMh[i];
          dm = 0;
        } else {
          g.massMsun![i] += dm;
        }
        if (centred) {
          const z = (t - v.ageGyr) / v.sigmaAgeGyr;
          lp -= 0.5 * z * z;
          g.starAgeGyr![i] += dt - z / v.sigmaAgeGyr;
          g.ageGyr += z / v.sigmaAgeGyr;
          g.sigmaAgeGyr += (z * z) / v.sigmaAgeGyr;
        } else {
          const u = v.offset![i];
          lp -= 0.5 * u * u;
          g.ageGyr += dt;
          g.sigmaAgeGyr += dt * u;
          g.offset![i] += dt * v.sigmaAgeGyr - u;
        }
      }
      return lp;
    });
  }

  const like = tfLikelihood(emulator, obs);
  const refT = ref
    ? {
        logMass: tf.keep(tf.tensor1d(Float32Array.from(ref.logMass))),
        dAge: tf.keep(tf.tensor1d(Float32Array.from(ref.dLogMassDAge))),
        dMh: tf.keep(tf.tensor1d(Float32Array.from(ref.dLogMassDMh))),
        sd: tf.keep(tf.tensor1d(Float32Array.from(ref.logMassSd))),
      }
    : undefined;
  type TV = { ageGyr: tf.Scalar; mh: tf.Scalar; sigmaAgeGyr: tf.Scalar; massMsun?: tf.Tensor1D; massOffset?: tf.Tensor1D; offset?: tf.Tensor1D; starAgeGyr?: tf.Tensor1D };
  return spec.tfModel((vAny: unknown) =>
    tf.tidy(() => {
      const v = vAny as unknown as TV;
      let lp = betaBoxTf(v.ageGyr, p.ageBoxGyr, a).add(betaBoxTf(v.mh, p.mhBox, a));
      lp = lp.sub(v.sigmaAgeGyr.div(p.ageSpreadScaleGyr).square().mul(0.5));
      if (p.mhPrior) lp = lp.sub(v.mh.sub(p.mhPrior.mean).div(p.mhPrior.sd).square().mul(0.5));
      let ages: tf.Tensor1D;
      if (centred) {
        ages = v.starAgeGyr!;
        const z = ages.sub(v.ageGyr).div(v.sigmaAgeGyr);
        lp = lp.add(tf.sum(z.square()).mul(-0.5)).sub(tf.log(v.sigmaAgeGyr).mul(n));
      } else {
        ages = v.offset!.mul(v.sigmaAgeGyr).add(v.ageGyr) as tf.Tensor1D;
        lp = lp.add(tf.sum(v.offset!.square()).mul(-0.5));
      }
      let masses: tf.Tensor1D;
      if (refT) {
        const logM = refT.logMass.add(refT.dAge.mul(ages.sub(ref!.ageGyr))).add(refT.dMh.mul(v.mh.sub(ref!.mh))).add(refT.sd.mul(v.massOffset!));
        masses = tf.exp(logM) as tf.Tensor1D;
        lp = lp.add(tf.sum(logM));
      } else {
        masses = v.massMsun!;
      }
      lp = lp.add(betaBoxTf(masses, p.massBoxMsun, a));
      const Z = tf.exp(v.mh.mul(LN10)).mul(zSun).mul(tf.ones([n])) as tf.Tensor1D;
      return like(masses, ages, Z).add(lp) as tf.Scalar;
    }),
  );
}

/**
 * Adds each star's age `starAgeGyr[i]` (non-centred fits) and mass `massMsun[i]` (fits with a
 * mass reference) to a cluster fit, so that they can be summarised and plotted like parameters.
 */
export function clusterDerived(result: NutsResult, reference?: MassReference): NutsResult {
  const names = result.paramNames;
  const n = names.filter((x) => x.startsWith("offset[") || x.startsWith("starAgeGyr[")).length;
  const q: Record<string, (v: Record<string, number>) => number> = {};
  const hasAges = names.some((x) => x.startsWith("starAgeGyr["));
  const age = (v: Record<string, number>, i: number) => (hasAges ? v[`starAgeGyr[${i}]`] : v.ageGyr + v.sigmaAgeGyr * v[`offset[${i}]`]);
  if (!hasAges) for (let i = 0; i < n; i++) q[`starAgeGyr[${i}]`] = (v) => age(v, i);
  if (names.some((x) => x.startsWith("massOffset["))) {
    if (!reference) throw new Error("clusterDerived: this fit samples massOffset; pass the MassReference it was built with");
    const r = reference;
    for (let i = 0; i < n; i++) {
      q[`massMsun[${i}]`] = (v) => Math.exp(r.logMass[i] + r.dLogMassDAge[i] * (age(v, i) - r.ageGyr) + r.dLogMassDMh[i] * (v.mh - r.mh) + r.logMassSd[i] * v[`massOffset[${i}]`]);
    }
  }
  return Object.keys(q).length ? withQuantities(result, q) : result;
}

/** log10 observables of many (m, t, Z) points: the float64 path when there is one, tfjs otherwise. Returns out[k][j] for the four observables. */
function evaluateMany(emulator: ClusterEmulator, m: ArrayLike<number>, t: ArrayLike<number>, Z: ArrayLike<number>): Float64Array[] {
  const nPts = m.length;
  const out = OBS_KEYS.map(() => new Float64Array(nPts));
  if (emulator.evaluateInto) {
    const buf = new Float64Array(EMULATOR_LOG_OUTPUTS.length);
    for (let j = 0; j < nPts; j++) {
      emulator.evaluateInto(m[j], t[j], Z[j], buf);
      for (let k = 0; k < 4; k++) out[k][j] = buf[OUT_INDEX[k]];
    }
    return out;
  }
  const chunk = 16384;
  for (let s = 0; s < nPts; s += chunk) {
    const e = Math.min(nPts, s + chunk);
    const slice = (a: ArrayLike<number>) => Float32Array.from({ length: e - s }, (_, j) => a[s + j]);
    const res = tf.tidy(() => {
      const o = emulator.apply(tf.tensor1d(slice(m)), tf.tensor1d(slice(t)), tf.tensor1d(slice(Z)));
      return [o.logTeff, o.logL, o.logDeltaNu, o.logNumax];
    });
    res.forEach((r, k) => out[k].set(r.dataSync(), s));
    res.forEach((r) => r.dispose());
  }
  return out;
}

/** log-likelihood of star i against precomputed outputs o[k][j], written into ll. */
function logLikAgainst(obs: ObservationArrays, i: number, o: Float64Array[], ll: Float64Array): void {
  ll.fill(0);
  for (let k = 0; k < 4; k++) {
    const w = obs.invSigma[k][i];
    if (w === 0) continue;
    for (let j = 0; j < ll.length; j++) {
      const r = (obs.y[k][i] - o[k][j]) * w;
      ll[j] -= 0.5 * r * r;
    }
  }
}

/**
 * Likelihood-weighted mean and sd of log m for every star at one (age, Z) (flat prior in log m):
 * a coarse grid shared by all stars finds each star's best mass, then a fine grid around it
 * resolves the peak (evolved stars pin log m to better than 0.1 %).
 */
function massProfile(emulator: ClusterEmulator, obs: ObservationArrays, ageGyr: number, Z: number, logMassRange: [number, number]): { mean: Float64Array; sd: Float64Array } {
  const nC = 400;
  const nF = 160;
  const coarse = linspace(logMassRange[0], logMassRange[1], nC);
  const dC = coarse[1] - coarse[0];
  const fill = (k: number, v: number) => new Float64Array(k).fill(v);
  const oC = evaluateMany(emulator, coarse.map(Math.exp), fill(nC, ageGyr), fill(nC, Z));
  const llC = new Float64Array(nC);
  // Fine grids of all stars evaluated in one batch.
  const fineAll = new Float64Array(obs.n * nF);
  for (let i = 0; i < obs.n; i++) {
    logLikAgainst(obs, i, oC, llC);
    let best = 0;
    for (let j = 1; j < nC; j++) if (llC[j] > llC[best]) best = j;
    fineAll.set(linspace(coarse[best] - 3 * dC, coarse[best] + 3 * dC, nF), i * nF);
  }
  const oF = evaluateMany(emulator, fineAll.map(Math.exp), fill(fineAll.length, ageGyr), fill(fineAll.length, Z));
  const mean = new Float64Array(obs.n);
  const sd = new Float64Array(obs.n);
  const ll = new Float64Array(nF);
  for (let i = 0; i < obs.n; i++) {
    const oi = oF.map((a) => a.subarray(i * nF, (i + 1) * nF));
    const grid = fineAll.subarray(i * nF, (i + 1) * nF);
    logLikAgainst(obs, i, oi, ll);
    let max = -Infinity;
    for (const v of ll) if (v > max) max = v;
    let w0 = 0, w1 = 0, w2 = 0;
    for (let j = 0; j < nF; j++) {
      const w = Math.exp(ll[j] - max);
      w0 += w;
      w1 += w * grid[j];
      w2 += w * grid[j] ** 2;
    }
    mean[i] = w1 / w0;
    // Never narrower than the fine grid can resolve.
    sd[i] = Math.max(Math.sqrt(Math.max(0, w2 / w0 - mean[i] ** 2)), grid[1] - grid[0]);
  }
  return { mean, sd };
}

/** Options of `isochroneMassReference`. */
export interface MassReferenceOptions {
  /** Reference cluster age, Gyr, and [M/H] (e.g. from `clusterGridSearch`). */
  ageGyr: number;
  mh: number;
  modelError?: ModelError;
  /** Mass range searched, M☉ (default [0.7, 2.0]). */
  massRangeMsun?: [number, number];
  /** Steps of the finite differences (default 0.1 Gyr and 0.05 dex). */
  dAgeGyr?: number;
  dMh?: number;
}

/**
 * The mass of every star on the isochrone of (age, [M/H]) and how it moves when age and [M/H]
 * change, by brute force: the likelihood of each star along a fine grid of masses at the reference
 * point and at ± steps in age and [M/H] (emulator calls are shared by all stars).
 */
export function isochroneMassReference(emulator: ClusterEmulator, stars: StarObservation[], options: MassReferenceOptions): MassReference {
  const obs = observationArrays(stars, options.modelError);
  const zSun = solarZOf(emulator);
  const [m0, m1] = options.massRangeMsun ?? [0.7, 2.0];
  const dt = options.dAgeGyr ?? 0.1;
  const dz = options.dMh ?? 0.05;
  const range: [number, number] = [Math.log(m0), Math.log(m1)];
  const at = (t: number, mh: number) => massProfile(emulator, obs, t, zSun * 10 ** mh, range);
  const centre = at(options.ageGyr, options.mh);
  const tp = at(options.ageGyr + dt, options.mh);
  const tm = at(options.ageGyr - dt, options.mh);
  const zp = at(options.ageGyr, options.mh + dz);
  const zm = at(options.ageGyr, options.mh - dz);
  return {
    ageGyr: options.ageGyr,
    mh: options.mh,
    logMass: centre.mean,
    dLogMassDAge: tp.mean.map((v, i) => (v - tm.mean[i]) / (2 * dt)),
    dLogMassDMh: zp.mean.map((v, i) => (v - zm.mean[i]) / (2 * dz)),
    logMassSd: centre.sd,
  };
}

// ---------------------------------------------------------------------------------------------
// Grid search for starting points
// ---------------------------------------------------------------------------------------------

/** The emulator's observables on a (mass × age × [M/H]) grid, for brute-force likelihoods. */
export interface EmulatorGrid {
  massesMsun: Float64Array;
  agesGyr: Float64Array;
  mhs: Float64Array;
  /** out[k][node] for the four observables, node = (iz·nAge + it)·nMass + im. */
  out: Float64Array[];
}

/** Options of `emulatorGrid`. */
export interface EmulatorGridOptions {
  /** Mass range, M☉, log-spaced (default [0.75, 2.0]). */
  massRangeMsun?: [number, number];
  nMass?: number;
  /** Age range, Gyr (default [0.5, 13.8]). */
  ageRangeGyr?: [number, number];
  nAge?: number;
  /** [M/H] range (default [−0.6, 0.2]). */
  mhRange?: [number, number];
  nMh?: number;
}

function linspace(lo: number, hi: number, n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1)));
}

/** Evaluates the emulator on a grid (float64 path when available, tfjs in chunks otherwise). */
export function emulatorGrid(emulator: ClusterEmulator, options: EmulatorGridOptions = {}): EmulatorGrid {
  const [m0, m1] = options.massRangeMsun ?? [0.75, 2.0];
  const massesMsun = linspace(Math.log(m0), Math.log(m1), options.nMass ?? 240).map(Math.exp);
  const agesGyr = linspace(...(options.ageRangeGyr ?? [0.5, 13.8]), options.nAge ?? 54);
  const mhs = linspace(...(options.mhRange ?? [-0.6, 0.2]), options.nMh ?? 5);
  const zSun = solarZOf(emulator);
  const nNodes = massesMsun.length * agesGyr.length * mhs.length;
  const m = new Float64Array(nNodes);
  const t = new Float64Array(nNodes);
  const Z = new Float64Array(nNodes);
  let node = 0;
  for (const mh of mhs) {
    for (const age of agesGyr) {
      for (const mass of massesMsun) {
        m[node] = mass;
        t[node] = age;
        Z[node] = zSun * 10 ** mh;
        node++;
      }
    }
  }
  return { massesMsun, agesGyr, mhs, out: evaluateMany(emulator, m, t, Z) };
}

/** log-likelihood of star i of `obs` at every node of the grid. */
export function gridLogLik(grid: EmulatorGrid, obs: ObservationArrays, i: number): Float64Array {
  const nNodes = grid.out[0].length;
  const ll = new Float64Array(nNodes);
  for (let k = 0; k < 4; k++) {
    const w = obs.invSigma[k][i];
    if (w === 0) continue;
    const yk = obs.y[k][i];
    const ok = grid.out[k];
    for (let j = 0; j < nNodes; j++) {
      const r = (yk - ok[j]) * w;
      ll[j] -= 0.5 * r * r;
    }
  }
  return ll;
}

/** A node drawn with probability ∝ exp(ll/temperature). */
function drawNode(ll: Float64Array, rng: Rng, temperature = 1): number {
  let max = -Infinity;
  for (const v of ll) if (v > max) max = v;
  let total = 0;
  for (const v of ll) total += Math.exp((v - max) / temperature);
  let u = rng.random() * total;
  for (let j = 0; j < ll.length; j++) {
    u -= Math.exp((ll[j] - max) / temperature);
    if (u <= 0) return j;
  }
  return ll.length - 1;
}

function nodeParams(grid: EmulatorGrid, node: number): { massMsun: number; ageGyr: number; mh: number } {
  const nM = grid.massesMsun.length;
  const nT = grid.agesGyr.length;
  return { massMsun: grid.massesMsun[node % nM], ageGyr: grid.agesGyr[Math.floor(node / nM) % nT], mh: grid.mhs[Math.floor(node / (nM * nT))] };
}

function clampTo(x: number, [lo, hi]: [number, number]): number {
  const eps = 1e-4 * (hi - lo);
  return Math.min(hi - eps, Math.max(lo + eps, x));
}

/**
 * Starting points for `singleStarModel` (one per chain): age and [M/H] from grid nodes drawn from
 * the star's grid posterior (flattened by `temperature` so that chains start in different places),
 * the mass at that node (or near the ridge, massOffset ~ N(0, 0.3²), with a reference).
 */
export function singleStarInit(grid: EmulatorGrid, star: StarObservation, options: SingleStarOptions & { temperature?: number } = {}): (chain: number, rng: Rng) => Float64Array {
  const p = priorsWithDefaults(options.priors);
  const ll = gridLogLik(grid, observationArrays([star], options.modelError), 0);
  const spec = params().interval("ageGyr", ...p.ageBoxGyr).interval("mh", ...p.mhBox) as unknown as Params<ParamValues>;
  if (options.reference) spec.real("massOffset");
  else spec.interval("massMsun", ...p.massBoxMsun);
  return (_chain, rng) => {
    const v = nodeParams(grid, drawNode(ll, rng, options.temperature ?? 3));
    const common = { ageGyr: clampTo(v.ageGyr, p.ageBoxGyr), mh: clampTo(v.mh, p.mhBox) };
    return spec.unconstrain((options.reference ? { ...common, massOffset: 0.3 * rng.normal() } : { ...common, massMsun: clampTo(v.massMsun, p.massBoxMsun) }) as never);
  };
}

/** The grid node with the highest likelihood for one star: its (mass, age, [M/H]). */
export function bestGridNode(grid: EmulatorGrid, star: StarObservation, modelError?: ModelError): { massMsun: number; ageGyr: number; mh: number } {
  const ll = gridLogLik(grid, observationArrays([star], modelError), 0);
  let best = 0;
  for (let j = 1; j < ll.length; j++) if (ll[j] > ll[best]) best = j;
  return nodeParams(grid, best);
}

/** Result of `clusterGridSearch`. */
export interface ClusterGridSearch {
  /** Best grid node of the profile likelihood. */
  ageGyr: number;
  mh: number;
  /** Profile log-likelihood Σᵢ maxₘ log Lᵢ at every (age, [M/H]) node, node = iz·nAge + it. */
  profile: Float64Array;
  /** Best mass of every star at every node. */
  bestMassMsun: Float64Array[];
}

/**
 * Brute-force cluster fit on the grid: for every (age, [M/H]) node, each star at its best mass,
 * summed over stars. A rough answer (grid resolution) and the starting point of the real fit.
 */
export function clusterGridSearch(grid: EmulatorGrid, stars: StarObservation[], options: { modelError?: ModelError } = {}): ClusterGridSearch {
  const obs = observationArrays(stars, options.modelError);
  const n = stars.length;
  const nM = grid.massesMsun.length;
  const nTZ = grid.agesGyr.length * grid.mhs.length;
  const profile = new Float64Array(nTZ);
  const bestMassMsun = Array.from({ length: nTZ }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const ll = gridLogLik(grid, obs, i);
    for (let c = 0; c < nTZ; c++) {
      let best = -Infinity;
      let arg = 0;
      for (let im = 0; im < nM; im++) {
        const v = ll[c * nM + im];
        if (v > best) { best = v; arg = im; }
      }
      profile[c] += best;
      bestMassMsun[c][i] = grid.massesMsun[arg];
    }
  }
  let bestNode = 0;
  for (let c = 1; c < nTZ; c++) if (profile[c] > profile[bestNode]) bestNode = c;
  const v = nodeParams(grid, bestNode * nM);
  return { ageGyr: v.ageGyr, mh: v.mh, profile, bestMassMsun };
}

/**
 * Starting points for `clusterModel` (pass as `init` to `sampleNuts`), one per chain: the cluster
 * age and [M/H] jittered around the grid-search optimum, a small σ_age, offsets near 0 and masses
 * near the isochrone (at the grid optimum's best masses, or massOffset ≈ 0 with a reference).
 */
export function clusterInit(search: ClusterGridSearch, options: ClusterModelOptions & { jitterAgeGyr?: number; jitterMh?: number } = {}): (chain: number, rng: Rng) => Float64Array {
  const p = priorsWithDefaults(options.priors);
  const n = search.bestMassMsun[0].length;
  const spec = clusterParams(n, options);
  let bestNode = 0;
  for (let c = 1; c < search.profile.length; c++) if (search.profile[c] > search.profile[bestNode]) bestNode = c;
  const masses = Array.from(search.bestMassMsun[bestNode], (m) => clampTo(m, p.massBoxMsun));
  return (_chain, rng) => {
    const ageGyr = clampTo(search.ageGyr + (options.jitterAgeGyr ?? 0.05) * rng.normal(), p.ageBoxGyr);
    const values: Record<string, number | number[]> = {
      ageGyr,
      mh: clampTo(search.mh + (options.jitterMh ?? 0.02) * rng.normal(), p.mhBox),
      sigmaAgeGyr: 0.05 * Math.exp(0.5 * rng.normal()),
    };
    if (options.reference) values.massOffset = Array.from({ length: n }, () => 0.3 * rng.normal());
    else values.massMsun = masses;
    if (options.parametrisation === "centred") values.starAgeGyr = Array.from({ length: n }, () => clampTo(ageGyr + 0.02 * rng.normal(), p.ageBoxGyr));
    else values.offset = Array.from({ length: n }, () => 0.3 * rng.normal());
    return spec.unconstrain(values as never);
  };
}

/**
 * A first guess of the sampler's (diagonal) inverse metric for `clusterModel`, on the
 * unconstrained scale: the variances of cluster age and [M/H] from the grid search's profile
 * likelihood (mapped through the logit transform of their boxes), 1 for everything else (offsets
 * and mass offsets are of order one by construction). Without it the first warm-up window runs
 * with the identity, far too wide for the age (whose logit varies by ~0.03), and NUTS needs
 * hundreds of leapfrog steps per draw until the first metric update.
 */
export function clusterMetricGuess(grid: EmulatorGrid, search: ClusterGridSearch, options: ClusterModelOptions = {}): Float64Array {
  const p = priorsWithDefaults(options.priors);
  const n = search.bestMassMsun[0].length;
  const spec = clusterParams(n, options);
  const nT = grid.agesGyr.length;
  let max = -Infinity;
  for (const v of search.profile) if (v > max) max = v;
  let w0 = 0, t1 = 0, t2 = 0, z1 = 0, z2 = 0;
  search.profile.forEach((v, c) => {
    const w = Math.exp(v - max);
    const t = grid.agesGyr[c % nT];
    const z = grid.mhs[Math.floor(c / nT)];
    w0 += w; t1 += w * t; t2 += w * t * t; z1 += w * z; z2 += w * z * z;
  });
  const step = (a: Float64Array) => (a.length > 1 ? Math.abs(a[1] - a[0]) : 0.1);
  // The grid is coarse: never trust a spread below half a grid step.
  const sdT = Math.max(Math.sqrt(Math.max(0, t2 / w0 - (t1 / w0) ** 2)), 0.5 * step(grid.agesGyr));
  const sdZ = Math.max(Math.sqrt(Math.max(0, z2 / w0 - (z1 / w0) ** 2)), 0.5 * step(grid.mhs));
  const dLogit = (x: number, [lo, hi]: [number, number]) => 1 / (x - lo) + 1 / (hi - x);
  const out = new Float64Array(spec.dim).fill(1);
  out[spec.offset("ageGyr")] = (sdT * dLogit(clampTo(search.ageGyr, p.ageBoxGyr), p.ageBoxGyr)) ** 2;
  out[spec.offset("mh")] = (sdZ * dLogit(clampTo(search.mh, p.mhBox), p.mhBox)) ** 2;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Runners and summaries
// ---------------------------------------------------------------------------------------------

/** Result of `fitStarsIndividually`. */
export interface SingleStarFits {
  ids: string[];
  results: NutsResult[];
  /** One row per star: age, mass and [M/H] medians and 90 % intervals, and the sampler's health. */
  table: pl.DataFrame;
  /** Posterior median age of each star, Gyr. */
  medianAgeGyr: Float64Array;
  totalDivergences: number;
  wallTimeS: number;
}

/**
 * Fits every star on its own with NUTS (`singleStarModel`), chains started from the grid
 * posterior. By default each star's mass is sampled relative to its own mass–age ridge (a
 * one-star `isochroneMassReference` at its best grid node), which makes the subgiants' long thin
 * posteriors easy to sample; `reparametrise: false` samples the mass directly. `nuts` options
 * apply to every star; each star gets seed = nuts.seed + its index. The results carry `massMsun`
 * in either case.
 */
export function fitStarsIndividually(
  emulator: ClusterEmulator,
  stars: StarObservation[],
  options: { grid: EmulatorGrid; priors?: StarPriors; modelError?: ModelError; nuts?: NutsOptions; reparametrise?: boolean; onStar?: (i: number, n: number) => void },
): SingleStarFits {
  const t0 = performance.now();
  const results: NutsResult[] = [];
  stars.forEach((star, i) => {
    let reference: MassReference | undefined;
    if (options.reparametrise ?? true) {
      const node = bestGridNode(options.grid, star, options.modelError);
      reference = isochroneMassReference(emulator, [star], { ageGyr: node.ageGyr, mh: node.mh, modelError: options.modelError });
    }
    const opts: SingleStarOptions = { priors: options.priors, modelError: options.modelError, reference };
    const model = singleStarModel(emulator, star, opts);
    const init = singleStarInit(options.grid, star, opts);
    const seed = (options.nuts?.seed ?? 1) + i;
    let r = sampleNuts(model, { chains: 4, warmup: 500, draws: 500, ...options.nuts, seed, init });
    if (reference) {
      const ref = reference;
      r = withQuantities(r, { massMsun: (v) => Math.exp(ref.logMass[0] + ref.dLogMassDAge[0] * (v.ageGyr - ref.ageGyr) + ref.dLogMassDMh[0] * (v.mh - ref.mh) + ref.logMassSd[0] * v.massOffset) });
    }
    results.push(r);
    options.onStar?.(i + 1, stars.length);
  });
  const q = (r: NutsResult, name: string) => quantiles(pooledDraws(r, name), [0.05, 0.5, 0.95]);
  const rows = results.map((r, i) => {
    const [a5, a50, a95] = q(r, "ageGyr");
    const [m5, m50, m95] = q(r, "massMsun");
    const [z5, z50, z95] = q(r, "mh");
    const s = summaryRecords(r, { params: ["ageGyr", "mh", "massMsun"] });
    const d = samplerDiagnostics(r, { convergence: false });
    return {
      id: stars[i].id,
      age_q5: a5, age_q50: a50, age_q95: a95,
      mass_q5: m5, mass_q50: m50, mass_q95: m95,
      mh_q5: z5, mh_q50: z50, mh_q95: z95,
      min_ess_bulk: Math.min(...s.map((x) => x.ess_bulk)),
      max_r_hat: Math.max(...s.map((x) => x.r_hat)),
      divergences: d.totalDivergences,
    };
  });
  const table = pl.DataFrame(rows);
  return {
    ids: stars.map((s) => s.id),
    results,
    table,
    medianAgeGyr: Float64Array.from(rows, (r) => r.age_q50),
    totalDivergences: rows.reduce((s, r) => s + r.divergences, 0),
    wallTimeS: (performance.now() - t0) / 1000,
  };
}

/** Sample standard deviation of a list of numbers (e.g. the spread of single-star ages). */
export function sampleSd(x: ArrayLike<number>): number {
  const n = x.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i];
  m /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (x[i] - m) ** 2;
  return Math.sqrt(s / (n - 1));
}

/** Options of `fitCluster`. */
export interface FitClusterOptions extends ClusterModelOptions {
  /** The emulator on a grid (`emulatorGrid`), for the grid search that starts the chains. */
  grid: EmulatorGrid;
  /** Sampler settings (`init` and the initial `invMetric` are filled in unless given). */
  nuts?: NutsOptions;
  /** Sample masses relative to the isochrone (default true; see `clusterModel`'s `reference`). */
  reparametrise?: boolean;
}

/** Result of `fitCluster`. */
export interface ClusterFit {
  /** NUTS output with the stars' ages (`starAgeGyr[i]`) and masses (`massMsun[i]`) added. */
  result: NutsResult;
  search: ClusterGridSearch;
  reference?: MassReference;
  model: Model;
  wallTimeS: number;
}

/**
 * The whole hierarchical fit in one call: grid search → isochrone mass reference → `clusterModel`
 * → NUTS started from the grid optimum with a guessed metric → derived star ages and masses.
 */
export function fitCluster(emulator: ClusterEmulator, stars: StarObservation[], options: FitClusterOptions): ClusterFit {
  const t0 = performance.now();
  const search = clusterGridSearch(options.grid, stars, options);
  const reference = options.reparametrise ?? true ? isochroneMassReference(emulator, stars, { ageGyr: search.ageGyr, mh: search.mh, modelError: options.modelError }) : undefined;
  const modelOptions: ClusterModelOptions = { ...options, reference };
  const model = clusterModel(emulator, stars, modelOptions);
  const nuts: NutsOptions = {
    init: clusterInit(search, modelOptions),
    invMetric: clusterMetricGuess(options.grid, search, modelOptions),
    ...options.nuts,
  };
  const result = clusterDerived(sampleNuts(model, nuts), reference);
  return { result, search, reference, model, wallTimeS: (performance.now() - t0) / 1000 };
}
