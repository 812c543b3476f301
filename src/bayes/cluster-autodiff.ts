/**
 * Notebook 13's hierarchical cluster model written with automatic differentiation, and a
 * factory that builds the cluster model inside a worker thread (for `sampleNutsParallel`).
 *
 * `clusterModelAutodiff` is the same posterior as `clusterModel(..., { engine: "js" })` — same
 * parameters, priors and likelihood, gradients equal to rounding (tests/autodiff.test.ts) — but
 * it reads like the model's definition: no gradient lines. The emulator enters as one operation
 * with its float64 Jacobian (`ad.jacobianFn` around `evaluateInto`).
 */
import type * as tf from "@tensorflow/tfjs";
import { ad, mlpWeights, type AdActivation, type Arg, type MlpWeights, type Scalar, type Vector } from "./autodiff";
import { mlpLayers } from "../emulator/mlp";
import type { Model } from "./model";
import { clusterModel, clusterParams, observationArrays, type ClusterModelOptions, type StarObservation } from "../cluster/model";
import { EMULATOR_LOG_OUTPUTS, OBSERVABLE_INDEX, type ClusterEmulator } from "../cluster/emulator";
import { solarCalibratedZ } from "../stellar/hurley";
import { loadEmulator } from "../emulator/io";

/** The emulator outputs the likelihood uses, in `observationArrays` order (Teff, L, Δν, νmax). */
const OUT_INDEX = [OBSERVABLE_INDEX.logTeff, OBSERVABLE_INDEX.logL, OBSERVABLE_INDEX.logDeltaNu, OBSERVABLE_INDEX.logNumax];

/** The defaults of `clusterModel`'s priors (src/cluster/model.ts). */
const DEFAULTS = { massBoxMsun: [0.7, 2.5] as [number, number], ageBoxGyr: [0.5, 13.8] as [number, number], mhBox: [-0.66, 0.21] as [number, number], betaShape: 1.2, ageSpreadScaleGyr: 1 };

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
export function clusterModelAutodiff(emulator: ClusterEmulator, stars: StarObservation[], options: ClusterModelOptions = {}): Model {
  if (!emulator.evaluateInto) throw new Error("clusterModelAutodiff: the emulator has no float64 evaluateInto (with a Jacobian)");
  const p = { ...DEFAULTS, ...options.priors };
  const n = stars.length;
  const obs = observationArrays(stars, options.modelError);
  const zSun = emulator.solarZ ?? solarCalibratedZ();
  const centred = options.parametrisation === "centred";
  const ref = options.reference;
  if (ref && ref.logMass.length !== n) throw new Error(`clusterModelAutodiff: reference has ${ref.logMass.length} stars, data ${n}`);
  const a = p.betaShape;
  const [mLo, mHi] = p.massBoxMsun;
  const evaluate = emulator.evaluateInto.bind(emulator);
  // The emulator as one operation: (M, age, Z) → six log outputs, with its Jacobian.
  const emu = ad.jacobianFn(3, EMULATOR_LOG_OUTPUTS.length, (x, out, jac) => {
    evaluate(x[0], x[1], x[2], out, jac);
  });
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
    if (ref) {
      // log m_i on the isochrone, moved with age and [M/H], plus the star's own offset.
      const logM = ad.add(
        ad.add(ref.logMass, ad.mul(ref.dLogMassDAge, ad.sub(ages, ref.ageGyr))),
        ad.add(ad.mul(ref.dLogMassDMh, ad.sub(v.mh, ref.mh)), ad.mul(ref.logMassSd, v.massOffset!)),
      );
      masses = ad.exp(logM);
      terms.push(ad.sum(logM)); // log-Jacobian of massOffset → mass
    } else masses = v.massMsun!;
    const m = masses.values();
    for (let i = 0; i < n; i++) if (!(m[i] > mLo && m[i] < mHi)) return -Infinity;
    terms.push(betaBox(masses, p.massBoxMsun));
    const Z = ad.mul(zSun, ad.exp(ad.mul(Math.LN10, v.mh)));
    for (let i = 0; i < n; i++) {
      const out = emu(ad.concat([masses.at(i), ages.at(i), Z]));
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
  options?: ClusterModelOptions & { autodiff?: boolean };
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
  return autodiff ? clusterModelAutodiff(emulator, args.stars, options) : clusterModel(emulator, args.stars, { ...options, engine: "js" });
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
