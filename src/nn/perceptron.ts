/**
 * Rosenblatt's perceptron (Psychological Review 65, 386, 1958) on plain arrays, with the
 * bookkeeping a lesson needs: the weights after every update (to watch the decision boundary
 * move), mistakes per epoch, and the best weights seen at the end of any epoch.
 *
 * The learning rule is the one a student writes in lesson 01: for each example x with label
 * y ∈ {0, 1}, predict ŷ = 1 if w·x + b > 0 else 0, then w ← w + η (y − ŷ) x and b ← b + η (y − ŷ).
 * If the two classes can be split by a hyperplane, the number of updates is bounded by (R/γ)²
 * (Novikoff 1962), where R is the largest norm of (x, 1) and γ the margin of the best separating
 * hyperplane; if they cannot, the weights never settle.
 */
import type { Rng } from "../random";

/** Weights and bias of one linear threshold unit. */
export interface PerceptronState {
  weights: number[];
  bias: number;
}

/** The neuron right after one update (or, for update 0, before any). */
export interface PerceptronSnapshot extends PerceptronState {
  /** Number of updates made so far (0 = the initial weights). */
  update: number;
  /** Epoch (0-based) in which the update happened. */
  epoch: number;
  /** Index of the misclassified example that caused it (-1 for the initial weights). */
  sample: number;
}

export interface PerceptronOptions {
  /** η in the update rule (default 1). With zero initial weights it only rescales w and b. */
  learningRate?: number;
  /** Passes through the data before giving up (default 100). */
  maxEpochs?: number;
  /** Starting weights (default zeros). */
  initialWeights?: number[];
  /** Starting bias (default 0). */
  initialBias?: number;
  /** Visit the examples in a fresh random order each epoch; without it the given order is used. */
  shuffle?: Rng;
  /** Keep a snapshot after every update (default false; memory grows with the number of updates). */
  recordUpdates?: boolean;
}

export interface PerceptronResult extends PerceptronState {
  /** Misclassified examples met during each epoch (each caused an update). */
  mistakesPerEpoch: number[];
  /** Training accuracy with the weights at the end of each epoch. */
  accuracyPerEpoch: number[];
  /** True if an epoch passed without a single mistake. */
  converged: boolean;
  /** Epochs run. */
  epochs: number;
  /** Total number of updates. */
  updates: number;
  /** Snapshot 0 (initial weights) and one per update, if `recordUpdates` was set. */
  snapshots: PerceptronSnapshot[];
  /** Weights with the highest training accuracy at the end of any epoch (Gallant's 1990 "pocket"). */
  best: PerceptronState & { accuracy: number; epoch: number };
}

/** w·x + b: positive on the class-1 side of the boundary. */
export function perceptronActivation(state: PerceptronState, x: ArrayLike<number>): number {
  const w = state.weights;
  if (x.length !== w.length) throw new Error(`perceptron: example has ${x.length} features but there are ${w.length} weights`);
  let a = state.bias;
  for (let j = 0; j < w.length; j++) a += w[j] * x[j];
  return a;
}

/** The unit's output: 1 if w·x + b > 0, else 0 (Rosenblatt's hard threshold). */
export function perceptronPredict(state: PerceptronState, x: ArrayLike<number>): 0 | 1 {
  return perceptronActivation(state, x) > 0 ? 1 : 0;
}

/** Fraction of examples the unit classifies correctly. */
export function perceptronAccuracy(state: PerceptronState, inputs: ArrayLike<number>[], labels: ArrayLike<number>): number {
  if (inputs.length !== labels.length) throw new Error(`perceptronAccuracy: ${inputs.length} examples but ${labels.length} labels`);
  if (inputs.length === 0) return NaN;
  let correct = 0;
  for (let k = 0; k < inputs.length; k++) if (perceptronPredict(state, inputs[k]) === labels[k]) correct++;
  return correct / inputs.length;
}

function checkData(inputs: ArrayLike<number>[], labels: ArrayLike<number>): number {
  if (inputs.length === 0) throw new Error("trainPerceptron: no examples");
  if (inputs.length !== labels.length) throw new Error(`trainPerceptron: ${inputs.length} examples but ${labels.length} labels`);
  const d = inputs[0].length;
  for (let k = 0; k < inputs.length; k++) {
    if (inputs[k].length !== d) throw new Error(`trainPerceptron: example ${k} has ${inputs[k].length} features, example 0 has ${d}`);
    if (labels[k] !== 0 && labels[k] !== 1) throw new Error(`trainPerceptron: label ${k} is ${labels[k]}; the perceptron needs 0 or 1`);
  }
  return d;
}

/**
 * Trains a perceptron with the online rule, one example at a time, until an epoch has no
 * mistakes or `maxEpochs` is reached.
 * @param inputs one feature vector per example, e.g. [u−g, g−r].
 * @param labels 0 or 1 per example.
 */
export function trainPerceptron(inputs: ArrayLike<number>[], labels: ArrayLike<number>, options: PerceptronOptions = {}): PerceptronResult {
  const d = checkData(inputs, labels);
  const eta = options.learningRate ?? 1;
  const maxEpochs = options.maxEpochs ?? 100;
  if (!(eta > 0)) throw new Error(`trainPerceptron: learningRate must be > 0, got ${eta}`);
  const weights = options.initialWeights ? [...options.initialWeights] : new Array<number>(d).fill(0);
  if (weights.length !== d) throw new Error(`trainPerceptron: ${weights.length} initial weights for ${d} features`);
  let bias = options.initialBias ?? 0;
  const state: PerceptronState = { weights, bias };
  const snapshots: PerceptronSnapshot[] = [];
  const record = (epoch: number, sample: number, update: number) => {
    if (options.recordUpdates) snapshots.push({ weights: [...state.weights], bias: state.bias, update, epoch, sample });
  };
  record(0, -1, 0);

  const order = Array.from({ length: inputs.length }, (_, k) => k);
  const mistakesPerEpoch: number[] = [];
  const accuracyPerEpoch: number[] = [];
  let best = { weights: [...weights], bias, accuracy: perceptronAccuracy(state, inputs, labels), epoch: -1 };
  let updates = 0;
  let converged = false;
  for (let epoch = 0; epoch < maxEpochs && !converged; epoch++) {
    if (options.shuffle) options.shuffle.shuffle(order);
    let mistakes = 0;
    for (const k of order) {
      const error = labels[k] - perceptronPredict(state, inputs[k]);
      if (error === 0) continue;
      mistakes++;
      updates++;
      const x = inputs[k];
      for (let j = 0; j < d; j++) state.weights[j] += eta * error * x[j];
      state.bias += eta * error;
      record(epoch, k, updates);
    }
    mistakesPerEpoch.push(mistakes);
    const accuracy = perceptronAccuracy(state, inputs, labels);
    accuracyPerEpoch.push(accuracy);
    if (accuracy > best.accuracy) best = { weights: [...state.weights], bias: state.bias, accuracy, epoch };
    converged = mistakes === 0;
  }
  bias = state.bias;
  return {
    weights: state.weights, bias, mistakesPerEpoch, accuracyPerEpoch, converged,
    epochs: mistakesPerEpoch.length, updates, snapshots, best,
  };
}

/**
 * Highest accuracy any straight line reaches on two-feature data, by brute force: for each of
 * `nDirections` normal directions spread over 360°, project the points and try every threshold.
 * An accuracy of 1 proves the classes are linearly separable (up to the angular resolution);
 * anything less is a ceiling no linear classifier on these two features can beat.
 */
export function bestLineAccuracy(inputs: ArrayLike<number>[], labels: ArrayLike<number>, nDirections = 360): {
  accuracy: number;
  /** The best line as a perceptron: class 1 where w·x + b > 0. */
  line: PerceptronState;
} {
  checkData(inputs, labels);
  if (inputs[0].length !== 2) throw new Error(`bestLineAccuracy works on 2 features, got ${inputs[0].length}`);
  const n = inputs.length;
  let positives = 0;
  for (let k = 0; k < n; k++) positives += labels[k];
  let bestCorrect = -1;
  let line: PerceptronState = { weights: [0, 0], bias: 0 };
  const proj = new Float64Array(n);
  const idx = new Uint32Array(n);
  for (let a = 0; a < nDirections; a++) {
    const theta = (2 * Math.PI * a) / nDirections;
    const c = Math.cos(theta);
    const s = Math.sin(theta);
    for (let k = 0; k < n; k++) {
      proj[k] = c * inputs[k][0] + s * inputs[k][1];
      idx[k] = k;
    }
    idx.sort((i, j) => proj[i] - proj[j]);
    // Threshold below every point: all predicted 1. Moving it past a point flips that point to 0.
    let correct = positives;
    let bestHere = correct;
    let thresholdHere = proj[idx[0]] - 1;
    for (let m = 0; m < n; m++) {
      correct += labels[idx[m]] === 0 ? 1 : -1;
      const last = m === n - 1 || proj[idx[m + 1]] !== proj[idx[m]];
      if (last && correct > bestHere) {
        bestHere = correct;
        thresholdHere = m === n - 1 ? proj[idx[m]] + 1 : 0.5 * (proj[idx[m]] + proj[idx[m + 1]]);
      }
    }
    if (bestHere > bestCorrect) {
      bestCorrect = bestHere;
      line = { weights: [c, s], bias: -thresholdHere };
    }
  }
  return { accuracy: bestCorrect / n, line };
}

/**
 * The segment of the boundary w₀x + w₁y + b = 0 inside the box xRange × yRange, as two points
 * for a line trace (empty arrays when the line misses the box or w = 0).
 */
export function boundaryLine(state: PerceptronState, xRange: [number, number], yRange: [number, number]): { x: number[]; y: number[] } {
  if (state.weights.length !== 2) throw new Error(`boundaryLine needs 2 weights, got ${state.weights.length}`);
  const [w0, w1] = state.weights;
  const b = state.bias;
  const [x0, x1] = xRange;
  const [y0, y1] = yRange;
  const pts: [number, number][] = [];
  const inside = (v: number, lo: number, hi: number) => v >= lo - 1e-12 && v <= hi + 1e-12;
  // Intersections with the four edges; a line crosses a convex box in 0 or 2 points (or a corner twice).
  if (w1 !== 0) {
    for (const x of [x0, x1]) {
      const y = -(w0 * x + b) / w1;
      if (inside(y, y0, y1)) pts.push([x, y]);
    }
  }
  if (w0 !== 0) {
    for (const y of [y0, y1]) {
      const x = -(w1 * y + b) / w0;
      if (inside(x, x0, x1)) pts.push([x, y]);
    }
  }
  const unique = pts.filter((p, i) => pts.findIndex((q) => Math.abs(q[0] - p[0]) < 1e-12 && Math.abs(q[1] - p[1]) < 1e-12) === i);
  if (unique.length < 2) return { x: [], y: [] };
  unique.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const a = unique[0];
  const c = unique[unique.length - 1];
  return { x: [a[0], c[0]], y: [a[1], c[1]] };
}

/** The Boolean functions of lesson 01: AND is linearly separable, XOR is not (Minsky & Papert 1969). */
export const LOGIC_GATES = {
  inputs: [[0, 0], [0, 1], [1, 0], [1, 1]] as number[][],
  and: [0, 0, 0, 1] as number[],
  or: [0, 1, 1, 1] as number[],
  xor: [0, 1, 1, 0] as number[],
};
