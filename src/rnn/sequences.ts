/**
 * Turning irregular multi-band light curves into network inputs, four ways:
 * - `observationSequences`: one step per observation, (Δt, time since detection, band one-hot, flux,
 *   flux error), padded
 *   with all-zero steps that a Masking layer skips — what a recurrent network reads raw;
 * - `interpolatedVectors`: each band linearly interpolated onto a fixed grid of days since first
 *   detection, one flat vector — what a dense network needs;
 * - `binnedSequences`: fixed-width time bins with all four bands per step (several observations
 *   embedded in one step, the input of Charnock & Moss 2017), missing bands filled from their
 *   neighbours either by linear interpolation or, as their augmentation, by a uniform random value
 *   between the neighbouring measurements, redrawn every epoch;
 * - options to truncate (only the first `maxSteps`), subsample (every k-th observation of each
 *   band) or cut at a number of days after detection (early classification).
 *
 * Fluxes enter as asinh(F / fluxScale): linear for faint points, logarithmic for bright ones, and
 * defined for the negative fluxes of difference imaging.
 */
import { Rng } from "../random";
import { TransientClass, TransientLightCurve } from "../sim/supernovae";

const { asinh, max, min } = Math;

/** Per-step features of `observationSequences`. */
export const OBSERVATION_FEATURES = ["dt/10 d", "t/100 d", "g", "r", "i", "z", "asinh flux", "asinh flux error"] as const;

export interface WindowOptions {
  /** Drop observations earlier than this many days before first detection (default 20). */
  daysBeforeDetection?: number;
  /** Drop observations later than this many days after first detection (default: keep all). */
  daysAfterDetection?: number;
}

export interface ObservationSequenceOptions extends WindowOptions {
  /** Steps per sequence; longer light curves are truncated, shorter ones padded (default 40). */
  maxSteps?: number;
  /** Keep every k-th observation of each band (default 1: all). */
  subsample?: number;
  /** Flux scale of the asinh stretch, FLUXCAL (default 20, about 24 mag). */
  fluxScale?: number;
}

/** A padded batch of sequences: `x` is [n, steps, features], row-major. */
export interface SequenceBatch {
  x: Float32Array;
  n: number;
  steps: number;
  features: number;
  /** Real (unpadded) steps of each sequence. */
  lengths: Int32Array;
}

function checkInteger(fn: string, name: string, v: number, lo: number): void {
  if (!(Number.isInteger(v) && v >= lo)) throw new Error(`${fn}: ${name} must be an integer >= ${lo}, got ${v}`);
}

/** Indices of a light curve's observations inside the detection window. */
export function windowIndices(lc: TransientLightCurve, options: WindowOptions = {}): number[] {
  const before = options.daysBeforeDetection ?? 20;
  const after = options.daysAfterDetection ?? Infinity;
  // Undetected curves (possible with requireDetection: false) are anchored on the first visit.
  const t0 = Number.isNaN(lc.firstDetectionDays) ? lc.timeDays[0] : lc.firstDetectionDays;
  const out: number[] = [];
  for (let k = 0; k < lc.timeDays.length; k++) {
    const dt = lc.timeDays[k] - t0;
    if (dt >= -before && dt <= after) out.push(k);
  }
  return out;
}

/**
 * One step per observation: (Δt / 10 d since the previous step, days since first detection / 100,
 * band one-hot, asinh flux, asinh error), zero-padded at the end.
 */
export function observationSequences(curves: readonly TransientLightCurve[], options: ObservationSequenceOptions = {}): SequenceBatch {
  const steps = options.maxSteps ?? 40;
  const every = options.subsample ?? 1;
  const scale = options.fluxScale ?? 20;
  checkInteger("observationSequences", "maxSteps", steps, 1);
  checkInteger("observationSequences", "subsample", every, 1);
  if (!(scale > 0)) throw new Error(`observationSequences: fluxScale must be > 0, got ${scale}`);
  const features = OBSERVATION_FEATURES.length;
  const n = curves.length;
  const x = new Float32Array(n * steps * features);
  const lengths = new Int32Array(n);
  curves.forEach((lc, i) => {
    const t0 = Number.isNaN(lc.firstDetectionDays) ? lc.timeDays[0] : lc.firstDetectionDays;
    const seen = [0, 0, 0, 0];
    const kept = windowIndices(lc, options).filter((k) => seen[lc.band[k]]++ % every === 0).slice(0, steps);
    lengths[i] = kept.length;
    kept.forEach((k, s) => {
      const o = (i * steps + s) * features;
      x[o] = s === 0 ? 0 : (lc.timeDays[k] - lc.timeDays[kept[s - 1]]) / 10;
      x[o + 1] = (lc.timeDays[k] - t0) / 100;
      x[o + 2 + lc.band[k]] = 1;
      x[o + 6] = asinh(lc.flux[k] / scale);
      x[o + 7] = asinh(lc.fluxErr[k] / scale);
    });
  });
  return { x, n, steps, features, lengths };
}

/** Options of `interpolatedVectors`. */
export interface InterpolationOptions {
  /** Grid of days since first detection (default −20, −10, …, 100). */
  gridDays?: number[];
  fluxScale?: number;
  /** Ignore observations later than this many days after detection (default: none). */
  daysAfterDetection?: number;
}

/**
 * Each band's asinh flux linearly interpolated onto `gridDays` (days since first detection), 0
 * outside the band's observed span: [n, 4 × grid] in band-major order. A dense network's input.
 */
export function interpolatedVectors(curves: readonly TransientLightCurve[], options: InterpolationOptions = {}): { x: Float32Array; n: number; features: number } {
  const grid = options.gridDays ?? Array.from({ length: 13 }, (_, k) => -20 + 10 * k);
  const scale = options.fluxScale ?? 20;
  const after = options.daysAfterDetection ?? Infinity;
  if (grid.length < 1) throw new Error("interpolatedVectors: gridDays is empty");
  const features = 4 * grid.length;
  const x = new Float32Array(curves.length * features);
  curves.forEach((lc, i) => {
    const t0 = Number.isNaN(lc.firstDetectionDays) ? lc.timeDays[0] : lc.firstDetectionDays;
    for (let b = 0; b < 4; b++) {
      const t: number[] = [];
      const f: number[] = [];
      for (let k = 0; k < lc.timeDays.length; k++) {
        if (lc.band[k] !== b || lc.timeDays[k] - t0 > after) continue;
        t.push(lc.timeDays[k] - t0);
        f.push(asinh(lc.flux[k] / scale));
      }
      let j = 0;
      grid.forEach((g, c) => {
        if (t.length === 0 || g < t[0] || g > t[t.length - 1]) return;
        while (j < t.length - 2 && t[j + 1] < g) j++;
        const span = t[j + 1] - t[j];
        const w = t.length === 1 || span <= 0 ? 0 : (g - t[j]) / span;
        x[i * features + b * grid.length + c] = t.length === 1 ? f[0] : f[j] * (1 - w) + f[j + 1] * w;
      });
    }
  });
  return { x, n: curves.length, features };
}

/** How `binnedSequences` fills a band with no observation in a bin. */
export type BandFill = "interpolate" | "random";

export interface BinnedSequenceOptions extends WindowOptions {
  /** Bin width, observer days (default 6). */
  binDays?: number;
  /** Number of bins (default 30: 180 days). */
  nBins?: number;
  /** "interpolate" (linear between neighbours) or "random" (uniform between them; default "interpolate"). */
  fill?: BandFill;
  fluxScale?: number;
  /** Generator for `fill: "random"` (a new draw each call: call once per epoch). */
  rng?: Rng;
}

/** Per-step features of `binnedSequences`: four band fluxes and four "measured in this bin" flags. */
export const BINNED_FEATURES = ["g", "r", "i", "z", "g measured", "r measured", "i measured", "z measured"] as const;

/**
 * Fixed-width time bins starting `daysBeforeDetection` before detection, four bands per step: the
 * mean asinh flux of the band's observations in the bin, or a fill value from the nearest
 * measured bins of that band on either side (held flat beyond the first/last). Bins after the
 * light curve's last observation are left all-zero, to be masked.
 */
export function binnedSequences(curves: readonly TransientLightCurve[], options: BinnedSequenceOptions = {}): SequenceBatch {
  const binDays = options.binDays ?? 6;
  const nBins = options.nBins ?? 30;
  const fill = options.fill ?? "interpolate";
  const scale = options.fluxScale ?? 20;
  const before = options.daysBeforeDetection ?? 20;
  if (!(binDays > 0)) throw new Error(`binnedSequences: binDays must be > 0, got ${binDays}`);
  checkInteger("binnedSequences", "nBins", nBins, 1);
  if (fill !== "interpolate" && fill !== "random") throw new Error(`binnedSequences: fill must be "interpolate" or "random", got "${fill as string}"`);
  const rng = options.rng ?? new Rng(1);
  const features = BINNED_FEATURES.length;
  const x = new Float32Array(curves.length * nBins * features);
  const lengths = new Int32Array(curves.length);
  curves.forEach((lc, i) => {
    const t0 = (Number.isNaN(lc.firstDetectionDays) ? lc.timeDays[0] : lc.firstDetectionDays) - before;
    const sum = new Float64Array(nBins * 4);
    const count = new Int32Array(nBins * 4);
    let lastBin = -1;
    for (const k of windowIndices(lc, options)) {
      const bin = Math.floor((lc.timeDays[k] - t0) / binDays);
      if (bin < 0 || bin >= nBins) continue;
      sum[bin * 4 + lc.band[k]] += asinh(lc.flux[k] / scale);
      count[bin * 4 + lc.band[k]]++;
      lastBin = max(lastBin, bin);
    }
    lengths[i] = lastBin + 1;
    for (let b = 0; b < 4; b++) {
      const measured: number[] = [];
      for (let bin = 0; bin <= lastBin; bin++) if (count[bin * 4 + b] > 0) measured.push(bin);
      let j = 0;
      for (let bin = 0; bin <= lastBin; bin++) {
        const o = (i * nBins + bin) * features;
        if (count[bin * 4 + b] > 0) {
          x[o + b] = sum[bin * 4 + b] / count[bin * 4 + b];
          x[o + 4 + b] = 1;
          continue;
        }
        if (measured.length === 0) continue;
        while (j < measured.length - 1 && measured[j + 1] < bin) j++;
        const lo = measured[j] < bin ? measured[j] : -1;
        const hi = measured.find((m) => m > bin) ?? -1;
        const fLo = lo >= 0 ? sum[lo * 4 + b] / count[lo * 4 + b] : NaN;
        const fHi = hi >= 0 ? sum[hi * 4 + b] / count[hi * 4 + b] : NaN;
        if (lo < 0) x[o + b] = fHi;
        else if (hi < 0) x[o + b] = fLo;
        else if (fill === "interpolate") x[o + b] = fLo + ((fHi - fLo) * (bin - lo)) / (hi - lo);
        else x[o + b] = min(fLo, fHi) + rng.random() * Math.abs(fHi - fLo);
      }
    }
  });
  return { x, n: curves.length, steps: nBins, features, lengths };
}

/** Class labels (index into `classes`) and one-hot rows; throws on a class not in the list. */
export function classLabels(curves: readonly TransientLightCurve[], classes: readonly TransientClass[]): { labels: Int32Array; oneHot: Float32Array } {
  const labels = new Int32Array(curves.length);
  const oneHot = new Float32Array(curves.length * classes.length);
  curves.forEach((lc, i) => {
    const c = classes.indexOf(lc.params.cls);
    if (c < 0) throw new Error(`classLabels: light curve ${i} is a ${lc.params.cls}, not one of ${classes.join(", ")}`);
    labels[i] = c;
    oneHot[i * classes.length + c] = 1;
  });
  return { labels, oneHot };
}
