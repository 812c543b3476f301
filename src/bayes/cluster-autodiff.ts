/**
 * Notebook 13's hierarchical cluster model written with automatic differentiation, and a
 * factory that builds the cluster model inside a worker thread (for `sampleNutsParallel`).
 *
 * `clusterModelAutodiff` is the same posterior as `clusterModel(..., { engine: "js" })` — same
 * parameters, priors and likelihood, gradients equal to rounding (tests/autodiff.test.ts) — but
 * it reads like the model's definition: no gradient lines. The neural emulator itself is written
 * in autodiff operations (`emulatorAutodiff`), so its gradient comes by reverse mode, about half
 * the cost of `evaluateInto`'s forward-mode Jacobian; any other emulator enters as one operation
 * with its own Jacobian (`ad.jacobianFn` around `evaluateInto`).
 */
import type * as tf from "@tensorflow/tfjs";
import { ad, mlpWeights, type AdActivation, type Arg, type MlpWeights, type Scalar, type Vector } from "./autodiff";
import { mlpLayers } from "../emulator/mlp";
import type { Model } from "./model";
import { clusterModel, clusterParams, observationArrays, type ClusterModelOptions, type StarObservation } from "../cluster/model";
import { EMULATOR_LOG_OUTPUTS, OBSERVABLE_INDEX, type ClusterEmulator } from "../cluster/emulator";
import { SOLAR_Z } from "../stellar/metallicity";
import { loadEmulator } from "../emulator/io";
import type { StellarEmulator } from "../emulator/model";

/** The emulator outputs the likelihood uses, in `observationArrays` order (Teff, L, Δν, νmax). */
const OUT_INDEX = [OBSERVABLE_INDEX.logTeff, OBSERVABLE_INDEX.logL, OBSERVABLE_INDEX.logDeltaNu, OBSERVABLE_INDEX.logNumax];

/** The defaults of `clusterModel`'s priors (src/cluster/model.ts). */
const DEFAULTS = { massBoxMsun: [0.7, 2.5] as [number, number], ageBoxGyr: [0.5, 13.8] as [number, number], mhBox: [-0.67, 0.2] as [number, number], betaShape: 1.2, ageSpreadScaleGyr: 1 };

/** Options of `clusterModelAutodiff`: those of `clusterModel`, plus how the emulator is differentiated. */
export interface ClusterAutodiffOptions extends ClusterModelOptions {
  /**
   * "reverse": the neural emulator's clock, features and network as autodiff operations
   * (`emulatorAutodiff`; default for a `StellarEmulator`); "jacobian": `evaluateInto`'s own
   * forward-mode Jacobian as one operation (any emulator with `evaluateInto`, e.g. the toy one).
   */
  emulatorGradient?: "reverse" | "jacobian";
}

type ClusterVars = {
  ageGyr: Scalar;
  mh: Scalar;
  sigmaAgeGyr: Scalar;
  massMsun?: Vector;
  massOffset?: Vector;
  offset?: Vector;
  starAgeGyr?: Vector;
};

/**
 * `clusterModel` (non-centred or centred ages, masses direct or relative to a `reference`)
 * with its gradient by reverse-mode autodiff. Needs an emulator with `evaluateInto`.
 */
export function clusterModelAutodiff(emulator: ClusterEmulator, stars: StarObservation[], options: ClusterAutodiffOptions = {}): Model {
  const stellar = emulator as unknown as StellarEmulator;
  const canReverse = !!(stellar.network && stellar.clock && stellar.spec);
  const how = options.emulatorGradient ?? (canReverse ? "reverse" : "jacobian");
  if (how === "reverse" && !canReverse) throw new Error('clusterModelAutodiff: emulatorGradient "reverse" needs the neural StellarEmulator (network, clock, spec)');
  if (how === "jacobian" && !emulator.evaluateInto) throw new Error("clusterModelAutodiff: the emulator has no float64 evaluateInto (with a Jacobian)");
  const emuAd = how === "reverse" ? emulatorAutodiff(stellar) : undefined;
  const mhFeatureOffset = how === "reverse" ? Math.log10(SOLAR_Z / stellar.solarZ) : 0;
  const p = { ...DEFAULTS, ...options.priors };
  const n = stars.length;
  const obs = observationArrays(stars, options.modelError);
  // Same scale as the hand-written cluster model: [M/H] is always on the course's SOLAR_Z scale.
  const zSun = SOLAR_Z;
  const centred = options.parametrisation === "centred";
  const ref = options.reference;
  if (ref && ref.logMass.length !== n) throw new Error(`clusterModelAutodiff: reference has ${ref.logMass.length} stars, data ${n}`);
  const a = p.betaShape;
  const [mLo, mHi] = p.massBoxMsun;
  // Or the emulator as one operation: (M, age, Z) → six log outputs, with its own Jacobian.
  const emu = emulator.evaluateInto
    ? ad.jacobianFn(3, EMULATOR_LOG_OUTPUTS.length, (x, out, jac) => {
        emulator.evaluateInto!(x[0], x[1], x[2], out, jac);
      })
    : undefined;
  // Beta(a, a) stretched over a box: the Beta density of the position within the box.
  const betaBox = (x: Arg, [lo, hi]: [number, number]) => ad.beta(ad.div(ad.sub(x, lo), hi - lo), a, a);
  const sdObs = obs.invSigma.map((w) => Float64Array.from(w, (x) => (x > 0 ? 1 / x : 0)));

  return clusterParams(n, options).autodiffModel((values) => {
    const v = values as unknown as ClusterVars;
    const terms: Arg[] = [betaBox(v.ageGyr, p.ageBoxGyr), betaBox(v.mh, p.mhBox), ad.halfNormal(v.sigmaAgeGyr, p.ageSpreadScaleGyr)];
    if (p.mhPrior) terms.push(ad.normal(v.mh, p.mhPrior.mean, p.mhPrior.sd));
    // Each star's age: t_i = t + σ·offset_i (non-centred) or sampled as t_i ~ N(t, σ) (centred).
    const ages = centred ? v.starAgeGyr! : ad.add(v.ageGyr, ad.mul(v.sigmaAgeGyr, v.offset!));
    terms.push(centred ? ad.normal(ages, v.ageGyr, v.sigmaAgeGyr) : ad.normal(v.offset!, 0, 1));
    let masses: Vector;
    let logMass: Vector;
    if (ref) {
      // log m_i on the isochrone, moved with age and [M/H], plus the star's own offset.
      const logM = ad.add(
        ad.add(ref.logMass, ad.mul(ref.dLogMassDAge, ad.sub(ages, ref.ageGyr))),
        ad.add(ad.mul(ref.dLogMassDMh, ad.sub(v.mh, ref.mh)), ad.mul(ref.logMassSd, v.massOffset!)),
      );
      masses = ad.exp(logM);
      logMass = logM;
      terms.push(ad.sum(logM)); // log-Jacobian of massOffset → mass
    } else {
      masses = v.massMsun!;
      logMass = ad.log(masses);
    }
    const m = masses.values();
    for (let i = 0; i < n; i++) if (!(m[i] > mLo && m[i] < mHi)) return -Infinity;
    terms.push(betaBox(masses, p.massBoxMsun));
    const Z = emuAd ? undefined : ad.mul(zSun, ad.exp(ad.mul(Math.LN10, v.mh)));
    const log10Mass = emuAd ? ad.div(logMass, Math.LN10) : undefined;
    // The network's own [M/H] feature is log10(Z / its training reference Z), which may differ
    // from the course's SOLAR_Z scale that v.mh is on: shift by the constant between the two.
    const mhFeature = emuAd ? ad.add(v.mh, mhFeatureOffset) : undefined;
    for (let i = 0; i < n; i++) {
      const out = emuAd ? emuAd(log10Mass!.at(i), ages.at(i), mhFeature!) : emu!(ad.concat([masses.at(i), ages.at(i), Z!]));
      for (let k = 0; k < 4; k++) {
        if (sdObs[k][i] > 0) terms.push(ad.normal(obs.y[k][i], out.at(OUT_INDEX[k]), sdObs[k][i]));
      }
    }
    return ad.sum(terms);
  });
}

/** Arguments of `clusterModelFromFiles` (all structured-cloneable, so they can go to a worker). */
export interface ClusterModelFiles {
  stars: StarObservation[];
  options?: ClusterAutodiffOptions & { autodiff?: boolean };
  /** Folder of the emulator (default: the one shipped in data/emulator). */
  emulatorDir?: string;
}

/**
 * Loads the emulator and builds the cluster model (float64 Jacobian engine, or
 * `clusterModelAutodiff` with `options.autodiff`). The factory to name in a `ModelSource`:
 *
 * ```ts
 * const fit = await sampleNutsParallel(
 *   { module: "nn4astro", export: "clusterModelFromFiles", args: [{ stars: stars, options: { reference: reference, modelError: modelError } }] },
 *   { chains: 4, warmup: 300, draws: 700, init: clusterInit(search, { reference: reference }), ... });
 * ```
 */
export async function clusterModelFromFiles(args: ClusterModelFiles): Promise<Model> {
  const emulator = await loadEmulator(args.emulatorDir);
  const { autodiff, ...options } = args.options ?? {};
  if (autodiff) return clusterModelAutodiff(emulator, args.stars, options);
  const { emulatorGradient: _unused, ...rest } = options;
  return clusterModel(emulator, args.stars, { ...rest, engine: "js" });
}

/**
 * The float64 weights of a dense tfjs network built by `buildMlp` (e.g. the stellar emulator's
 * `network`), for `ad.mlp`: reverse-mode through the network costs about one forward pass,
 * where forward-mode tangents cost one pass per input direction.
 */
export function mlpWeightsFromLayers(model: tf.LayersModel): MlpWeights {
  return mlpWeights(
    mlpLayers(model).map(({ kernel, bias, activation }) => ({
      w: Float64Array.from(kernel.dataSync()),
      b: Float64Array.from(bias.dataSync()),
      activation: activation as AdActivation,
    })),
  );
}

/** The stellar emulator as autodiff operations: (log10 M, age in Gyr, [M/H]) → six log outputs. */
export type EmulatorAutodiff = (logMass: Arg, ageGyr: Arg, mh: Arg) => Vector;

/**
 * The course's neural emulator written with `ad` operations, so that its gradient comes by
 * reverse mode: the clock (phase-boundary ages, one operation with its own Jacobian), the phase
 * features (clipped and stretched fractions of each phase, as in `StellarEmulator.evaluateInto`)
 * and the network (`ad.mlp`). One star per call; outputs in `EMULATOR_LOG_OUTPUTS` order.
 * Reverse mode through the network costs about two passes where `evaluateInto`'s forward-mode
 * Jacobian costs four (value + three tangents).
 */
export function emulatorAutodiff(emulator: StellarEmulator): EmulatorAutodiff {
  const net = mlpWeightsFromLayers(emulator.network);
  const clock = emulator.clock;
  const grad = new Float64Array(6);
  // (log10 M, [M/H]) → log10 of t_MS, of the gap's duration ratio and of the giant branch's.
  const clockFn = ad.jacobianFn(2, 3, (x, out, jac) => {
    const q = clock.logQuantities(x[0], x[1], grad);
    for (let k = 0; k < 3; k++) {
      out[k] = q[k];
      jac[2 * k] = grad[k];
      jac[2 * k + 1] = grad[3 + k];
    }
  });
  const { msStretch, gbStretch } = emulator.spec.phaseFeatures;
  const inMean = Float64Array.from(emulator.spec.inputScaling.mean);
  const inSd = Float64Array.from(emulator.spec.inputScaling.sd);
  const outMean = Float64Array.from(emulator.spec.outputScaling.mean);
  const outSd = Float64Array.from(emulator.spec.outputScaling.sd);
  const LN10 = Math.LN10;
  const stretch = (x: Arg, d: number) => ad.div(ad.log1p(ad.mul(-(1 - d), x)), Math.log(d));
  return (logMass, ageGyr, mh) => {
    const q = clockFn(ad.concat([logMass, mh]));
    const tMS = ad.exp(ad.mul(LN10, q.at(0)));
    const dHG = ad.mul(tMS, ad.exp(ad.mul(LN10, q.at(1))));
    const tBGB = ad.add(tMS, dHG);
    const dGB = ad.mul(tBGB, ad.exp(ad.mul(LN10, q.at(2))));
    const tau = ad.clip01(ad.div(ageGyr, tMS));
    const u = ad.clip01(ad.div(ad.sub(ageGyr, tMS), dHG));
    const v = ad.clip01(ad.div(ad.sub(ageGyr, tBGB), dGB));
    const features = ad.concat([logMass, mh, tau, stretch(tau, msStretch), u, stretch(v, gbStretch)]);
    const h = ad.mlp(net, ad.div(ad.sub(features, inMean), inSd));
    return ad.add(ad.mul(h, outSd), outMean);
  };
}
