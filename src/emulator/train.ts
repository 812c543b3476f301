/**
 * Training a stellar emulator on a grid of tracks, with whole tracks held out for validation.
 *
 * Holding out random *rows* would test almost nothing: a held-out point sits between two training
 * points of the same track, a fraction of a per cent away in age. What the emulator must do in a
 * sampler is interpolate *between tracks* (masses and metallicities the grid does not have), so the
 * validation set is whole tracks: by default every fifth mass (0.74, 0.84, …, 2.44 M☉) at every
 * metallicity, 144 of the 728 tracks. The training masses are then the same at every Z, so the
 * clock's table stays rectilinear.
 */
import * as tf from "@tensorflow/tfjs";
import * as pl from "nodejs-polars";
import { Standardizer } from "../table/tensors";
import { loadStellarGrid } from "../stellar/grid";
import { SOLAR_Z } from "../stellar/metallicity";
import { EvolutionClock } from "./clock";
import { DEFAULT_PHASE_FEATURES, EMULATOR_INPUTS, EMULATOR_OUTPUT_COLUMNS, EMULATOR_OUTPUTS, featureRow, PhaseFeatureOptions } from "./features";
import { buildMlp, fitMlp, FitCallback, FitMlpResult, MlpActivation } from "./mlp";
import { EmulatorSpec, StellarEmulator } from "./model";

/** One track of the grid with its phase-boundary ages (NaN where the track stops before). */
export interface GridTrack {
  trackId: number;
  massMsun: number;
  Z: number;
  /** Position of the mass / metallicity among the grid's sorted distinct values. */
  massIndex: number;
  zIndex: number;
  tMSGyr: number;
  tBGBGyr: number;
  tHeIGyr: number;
  rows: number;
}

/**
 * Every track of a grid with the ages at which it leaves the MS, reaches the giant branch and
 * ignites helium, recovered exactly from `star_age` and `frac_age` (f = t/t_MS on the MS, etc.).
 */
export function gridTracks(grid: pl.DataFrame): GridTrack[] {
  const get = (c: string) => grid.getColumn(c).toArray() as number[];
  const ids = get("track_id");
  const mass = get("star_mass");
  const Z = get("initial_Z");
  const ageGyr = get("star_age").map((a) => a / 1e9);
  const frac = get("frac_age");
  const byId = new Map<number, GridTrack & { fMS: number; fHG: number; fGB: number; aMS: number; aHG: number; aGB: number }>();
  for (let i = 0; i < ids.length; i++) {
    let t = byId.get(ids[i]);
    if (!t) {
      t = { trackId: ids[i], massMsun: mass[i], Z: Z[i], massIndex: -1, zIndex: -1, tMSGyr: NaN, tBGBGyr: NaN, tHeIGyr: NaN, rows: 0, fMS: 0, fHG: 1, fGB: 2, aMS: 0, aHG: 0, aGB: 0 };
      byId.set(ids[i], t);
    }
    t.rows++;
    const f = frac[i];
    // The latest row of each phase gives the best-conditioned inversion.
    if (f > 0 && f < 1 && f > t.fMS) [t.fMS, t.aMS] = [f, ageGyr[i]];
    else if (f > 1 && f < 2 && f > t.fHG) [t.fHG, t.aHG] = [f, ageGyr[i]];
    else if (f > 2 && f <= 3 && f > t.fGB) [t.fGB, t.aGB] = [f, ageGyr[i]];
  }
  const masses = [...new Set(mass)].sort((a, b) => a - b);
  const zs = [...new Set(Z)].sort((a, b) => a - b);
  const out: GridTrack[] = [];
  for (const t of byId.values()) {
    const tMS = t.fMS > 0 ? t.aMS / t.fMS : NaN;
    const tBGB = t.fHG > 1 ? tMS + (t.aHG - tMS) / (t.fHG - 1) : NaN;
    const tHeI = t.fGB > 2 ? tBGB + (t.aGB - tBGB) / (t.fGB - 2) : NaN;
    out.push({ trackId: t.trackId, massMsun: t.massMsun, Z: t.Z, massIndex: masses.indexOf(t.massMsun), zIndex: zs.indexOf(t.Z), tMSGyr: tMS, tBGBGyr: tBGB, tHeIGyr: tHeI, rows: t.rows });
  }
  return out.sort((a, b) => a.trackId - b.trackId);
}

/** Which tracks to hold out: by default every fifth mass (index ≡ 2 mod 5), never the lightest or heaviest. */
export type HeldOutRule = (massIndex: number, zIndex: number, nMasses: number, nZ: number) => boolean;

export const DEFAULT_HELD_OUT_RULE: HeldOutRule = (i, _j, nMasses) => i % 5 === 2 && i > 0 && i < nMasses - 1;

/** Training and held-out track ids of a grid. */
export interface TrackSplit {
  train: number[];
  heldOut: number[];
}

export function splitTracks(tracks: GridTrack[], rule: HeldOutRule = DEFAULT_HELD_OUT_RULE): TrackSplit {
  const nM = Math.max(...tracks.map((t) => t.massIndex)) + 1;
  const nZ = Math.max(...tracks.map((t) => t.zIndex)) + 1;
  const split: TrackSplit = { train: [], heldOut: [] };
  for (const t of tracks) (rule(t.massIndex, t.zIndex, nM, nZ) ? split.heldOut : split.train).push(t.trackId);
  return split;
}

/** The rows of the given tracks. */
export function rowsOfTracks(grid: pl.DataFrame, trackIds: number[]): pl.DataFrame {
  return grid.filter(pl.col("track_id").isIn(trackIds));
}

/** Network inputs (raw, EMULATOR_INPUTS order) and log targets (EMULATOR_OUTPUTS order) of grid rows. */
export function emulatorTrainingData(rows: pl.DataFrame, solarZ: number, phase: PhaseFeatureOptions = {}): { x: Float32Array; y: Float32Array; n: number } {
  const get = (c: string) => rows.getColumn(c).toArray() as number[];
  const mass = get("star_mass");
  const Z = get("initial_Z");
  const frac = get("frac_age");
  const targets = EMULATOR_OUTPUTS.map((name) => {
    const { column, linear } = EMULATOR_OUTPUT_COLUMNS[name];
    const v = get(column);
    return linear ? v.map(Math.log10) : v;
  });
  const n = rows.height;
  const nIn = EMULATOR_INPUTS.length;
  const nOut = EMULATOR_OUTPUTS.length;
  const x = new Float32Array(n * nIn);
  const y = new Float32Array(n * nOut);
  for (let i = 0; i < n; i++) {
    x.set(featureRow(mass[i], Z[i], frac[i], solarZ, phase), i * nIn);
    for (let j = 0; j < nOut; j++) y[i * nOut + j] = targets[j][i];
  }
  return { x, y, n };
}

/** Options of `trainStellarEmulator`. */
export interface TrainEmulatorOptions {
  /** The grid (default: `loadStellarGrid()`). */
  grid?: pl.DataFrame;
  /** Keep only these metallicities (default: all of the grid's). */
  metallicities?: number[];
  heldOutRule?: HeldOutRule;
  /** Hidden layer widths (default [64, 64, 64, 64]). */
  hidden?: number[];
  activation?: MlpActivation;
  epochs?: number;
  batchSize?: number;
  learningRate?: [number, number];
  /** L2 weight decay (default 1e-8). */
  l2?: number;
  seed?: number;
  phaseFeatures?: PhaseFeatureOptions;
  callbacks?: FitCallback[];
  /** Also report the loss on the held-out rows after every epoch (costs a forward pass per epoch). */
  validate?: boolean;
  /** Keep every k-th main-sequence row before τ = 0.85, where tracks are smooth and densely sampled (default 1: all). */
  earlyMsStride?: number;
  /**
   * Loss weight of the rows from the turn-off (frac_age ≥ 0.9: the MS hook and the subgiants) to the
   * base of the giant branch, relative to 1 elsewhere (default 1). The hook is where a cluster's age
   * information is, and where a smooth network errs most.
   */
  turnOffWeight?: number;
  /**
   * Continue from this emulator's weights instead of a fresh initialisation (same network shape,
   * trained on the same rows, so that its standardisation is the one computed here).
   */
  initFrom?: StellarEmulator;
}

/** What `trainStellarEmulator` returns. */
export interface TrainedEmulator {
  emulator: StellarEmulator;
  fit: FitMlpResult;
  split: TrackSplit;
  tracks: GridTrack[];
  trainingRows: number;
}

/**
 * Trains an emulator on the training tracks of a grid: builds the clock from their boundary ages,
 * the standardised inputs/targets from their rows, and fits the network.
 */
export async function trainStellarEmulator(options: TrainEmulatorOptions = {}): Promise<TrainedEmulator> {
  let grid = options.grid ?? loadStellarGrid();
  if (options.metallicities) grid = grid.filter(pl.col("initial_Z").isIn(options.metallicities));
  if (grid.height === 0) throw new Error("trainStellarEmulator: no rows left (check `metallicities`)");
  const solarZ = SOLAR_Z; // the course's one [M/H] scale (./stellar/metallicity)
  const phase = { ...DEFAULT_PHASE_FEATURES, ...options.phaseFeatures };
  const tracks = gridTracks(grid);
  const split = splitTracks(tracks, options.heldOutRule);
  const trainSet = new Set(split.train);
  const trainTracks = tracks.filter((t) => trainSet.has(t.trackId));
  const clock = EvolutionClock.fromTracks(trainTracks, solarZ);

  let rows = rowsOfTracks(grid, split.train);
  const stride = options.earlyMsStride ?? 1;
  if (stride > 1) {
    rows = rows
      .withRowIndex("row_nr")
      .filter(pl.col("frac_age").gtEq(0.85).or(pl.col("row_nr").modulo(stride).eq(0)))
      .drop("row_nr");
  }
  const data = emulatorTrainingData(rows, solarZ, phase);
  const turnOffWeight = options.turnOffWeight ?? 1;
  if (!(turnOffWeight > 0)) throw new RangeError(`trainStellarEmulator: turnOffWeight must be > 0; got ${turnOffWeight}`);
  const rowFrac = rows.getColumn("frac_age").toArray() as number[];
  const sampleWeight =
    turnOffWeight === 1 ? undefined : tf.tensor1d(Float32Array.from(rowFrac, (f) => (f >= 0.9 && f < 2 ? turnOffWeight : 1)));
  const nIn = EMULATOR_INPUTS.length;
  const nOut = EMULATOR_OUTPUTS.length;
  const hidden = options.hidden ?? [64, 64, 64, 64];
  const activation = options.activation ?? "elu";
  const seed = options.seed ?? 2021;
  const epochs = options.epochs ?? 350;
  const batchSize = options.batchSize ?? 256;
  const learningRate = options.learningRate ?? [2e-3, 3e-5];
  const l2 = options.l2 ?? 1e-8;

  const xRaw = tf.tensor2d(data.x, [data.n, nIn]);
  const yRaw = tf.tensor2d(data.y, [data.n, nOut]);
  const inScale = Standardizer.fit(xRaw, [...EMULATOR_INPUTS]);
  const outScale = Standardizer.fit(yRaw, [...EMULATOR_OUTPUTS]);
  const x = inScale.transform(xRaw);
  const y = outScale.transform(yRaw);
  xRaw.dispose();
  yRaw.dispose();
  let validation: { x: tf.Tensor2D; y: tf.Tensor2D } | undefined;
  if (options.validate && split.heldOut.length > 0) {
    const v = emulatorTrainingData(rowsOfTracks(grid, split.heldOut), solarZ, phase);
    validation = tf.tidy(() => ({
      x: inScale.transform(tf.tensor2d(v.x, [v.n, nIn])),
      y: outScale.transform(tf.tensor2d(v.y, [v.n, nOut])),
    }));
  }

  const network = buildMlp({ inputs: nIn, hidden, outputs: nOut, activation, seed });
  if (options.initFrom) {
    const init = options.initFrom.spec;
    const close = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= 1e-6 * (1 + Math.abs(v)));
    if (!close(init.inputScaling.mean, Array.from(inScale.mean)) || !close(init.outputScaling.mean, Array.from(outScale.mean))) {
      throw new Error("trainStellarEmulator: initFrom was trained on other rows (its standardisation differs); start afresh instead");
    }
    network.setWeights(options.initFrom.network.getWeights());
  }
  let fit: FitMlpResult;
  try {
    fit = await fitMlp(network, x, y, { epochs, batchSize, learningRate, l2, seed, validation, sampleWeight, callbacks: options.callbacks });
  } finally {
    sampleWeight?.dispose();
    x.dispose();
    y.dispose();
    validation?.x.dispose();
    validation?.y.dispose();
  }
  const masses = trainTracks.map((t) => t.massMsun);
  const zs = trainTracks.map((t) => t.Z);
  const spec: EmulatorSpec = {
    format: "nn4astro-stellar-emulator",
    version: 1,
    solarZ,
    phaseFeatures: phase,
    inputs: [...EMULATOR_INPUTS],
    outputs: [...EMULATOR_OUTPUTS],
    inputScaling: { mean: Array.from(inScale.mean), sd: Array.from(inScale.sd) },
    outputScaling: { mean: Array.from(outScale.mean), sd: Array.from(outScale.sd) },
    clock: clock.toJSON(),
    network: { hidden, activation },
    domain: {
      massMsun: [Math.min(...masses), Math.max(...masses)],
      Z: [Math.min(...zs), Math.max(...zs)],
      maxAgeGyr: Math.max(...(grid.getColumn("star_age").toArray() as number[])) / 1e9,
    },
    training: {
      seed,
      epochs: fit.epochs,
      batchSize,
      learningRate,
      l2,
      earlyMsStride: stride,
      turnOffWeight,
      rows: data.n,
      trainTracks: split.train.length,
      heldOutTracks: split.heldOut.length,
      heldOutRule: options.heldOutRule ? "custom" : "every fifth mass (index ≡ 2 mod 5) at every metallicity",
      seconds: Math.round(fit.seconds),
      backend: tf.getBackend(),
      finalLoss: fit.history.loss[fit.history.loss.length - 1],
      // The loss curve (mean squared error of the standardised outputs, L2 term included), for plots.
      lossHistory: fit.history.loss.map((v) => Number(v.toPrecision(4))),
    },
  };
  return { emulator: new StellarEmulator(network, spec), fit, split, tracks, trainingRows: data.n };
}
