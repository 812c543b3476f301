/**
 * A single-stage, anchor-based detector in the manner of RetinaNet (Lin et al. 2017, "Focal loss for
 * dense object detection"), shrunk to train on two CPU cores: a small convolutional backbone, two
 * pyramid levels (stride 4 for compact and small sources, stride 8 for extended doubles), and at each
 * level a 1 × 1 convolution that outputs, for every anchor, one logit per class (sigmoid, not
 * softmax: "no class" is every logit low) and four box offsets.
 *
 * Why anchors rather than an anchor-free centre heat map (CenterNet, Zhou et al. 2019): the
 * lecture this lesson follows, and ClaRAN itself (Faster R-CNN), use anchors; anchors make region
 * proposals, box offsets and non-maximum suppression concrete, and the same decoder serves both.
 * A centre heat map would be a fine alternative (and needs no NMS): see the notebook's exercise.
 *
 * The loss, per image batch, normalised by the number of positive anchors N_pos:
 *   L = (1/N_pos) Σ_anchors not ignored Σ_classes FL(p, y)  +  λ (1/N_pos) Σ_positive anchors Σ_4 smoothL1(t̂ − t)
 *   FL(p, y) = −α_t (1 − p_t)^γ ln p_t,  p_t = p if y = 1 else 1 − p,  α_t = α if y = 1 else 1 − α.
 * γ = 0 and α = 0.5 give (half) the plain binary cross-entropy. The class logits' biases start at
 * −ln((1 − π)/π), π = 0.01, so that at the start every anchor says "background" with confidence
 * 0.99 instead of 0.5 — without it the ~1000 background anchors per image swamp the first steps.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../random";
import { AnchorGrid, AnchorLevel, assignAnchors, decodeBox, makeAnchors } from "./anchors";
import { LabelledBox, nonMaxSuppression, ScoredBox } from "./boxes";

/** Two pyramid levels for 48-pixel cut-outs: sizes (pixels) chosen to span the truth boxes, 5–48 pixels. */
export const RADIO_ANCHOR_LEVELS: AnchorLevel[] = [
  { stridePix: 4, sizesPix: [6, 11], aspectRatios: [0.5, 1, 2] },
  { stridePix: 8, sizesPix: [19, 32], aspectRatios: [0.5, 1, 2] },
];

/** Options of `radioDetector`. */
export interface RadioDetectorOptions {
  imageSizePix?: number;
  nClasses?: number;
  levels?: AnchorLevel[];
  /** Initial probability of every class at every anchor (default 0.01). */
  priorProbability?: number;
  /** Channels of the backbone's stages (default [8, 16, 24, 32]). */
  channels?: number[];
}

/** The network and the anchors it scores. */
export interface RadioDetector {
  model: tf.LayersModel;
  anchors: AnchorGrid;
  nClasses: number;
  imageSizePix: number;
}

/**
 * Backbone: conv–pool–conv–pool–conv–conv (stride 4, receptive field 26 pixels) feeds the first
 * head; pool–conv–conv (stride 8, receptive field 62 pixels, wider than any source) feeds the second.
 * The output is [batch, anchors, nClasses + 4]: logits, then offsets.
 */
export function radioDetector(options: RadioDetectorOptions = {}): RadioDetector {
  const size = options.imageSizePix ?? 48;
  const nClasses = options.nClasses ?? 6;
  const levels = options.levels ?? RADIO_ANCHOR_LEVELS;
  const ch = options.channels ?? [8, 16, 24, 32];
  const prior = options.priorProbability ?? 0.01;
  if (levels.length !== 2) throw new Error(`radioDetector: expects 2 anchor levels (strides 4 and 8), got ${levels.length}`);
  if (!(prior > 0 && prior < 1)) throw new Error(`radioDetector: priorProbability must be in (0, 1), got ${prior}`);
  const anchors = makeAnchors(size, levels);
  const conv = (filters: number, name: string) => tf.layers.conv2d({ filters, kernelSize: 3, padding: "same", activation: "relu", name });
  const pool = () => tf.layers.maxPooling2d({ poolSize: 2 });
  const input = tf.input({ shape: [size, size, 1] });
  let h = conv(ch[0], "conv1").apply(input) as tf.SymbolicTensor;
  h = conv(ch[1], "conv2").apply(pool().apply(h)) as tf.SymbolicTensor;
  h = conv(ch[2], "conv3").apply(pool().apply(h)) as tf.SymbolicTensor;
  const p3 = conv(ch[2], "conv4").apply(h) as tf.SymbolicTensor;
  let p4 = conv(ch[3], "conv5").apply(pool().apply(p3)) as tf.SymbolicTensor;
  p4 = conv(ch[3], "conv6").apply(p4) as tf.SymbolicTensor;
  const bias = -Math.log((1 - prior) / prior);
  const head = (feature: tf.SymbolicTensor, l: number) => {
    const a = anchors.perCell[l];
    const perAnchorBias = Array.from({ length: a * (nClasses + 4) }, (_, k) => (k % (nClasses + 4) < nClasses ? bias : 0));
    const out = tf.layers.conv2d({
      filters: a * (nClasses + 4), kernelSize: 1, name: `head${l + 1}`,
      kernelInitializer: tf.initializers.randomNormal({ stddev: 0.01 }),
      biasInitializer: tf.initializers.constant({ value: 0 }),
    });
    const y = out.apply(feature) as tf.SymbolicTensor;
    out.setWeights([out.getWeights()[0], tf.tensor1d(perAnchorBias)]);
    const cells = size / levels[l].stridePix;
    return tf.layers.reshape({ targetShape: [cells * cells * a, nClasses + 4] }).apply(y) as tf.SymbolicTensor;
  };
  const output = tf.layers.concatenate({ axis: 1 }).apply([head(p3, 0), head(p4, 1)]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output, name: "radio_detector" });
  return { model, anchors, nClasses, imageSizePix: size };
}

/** Options of the detection loss. */
export interface DetectionLossOptions {
  /** Focusing parameter γ (default 2; 0 gives cross-entropy). */
  gamma?: number;
  /** Weight α of the object term (default 0.25; 0.5 weighs both terms equally). */
  alpha?: number;
  /** Weight λ of the box term (default 1). */
  boxWeight?: number;
  /** Smooth-L1 switch-over β in scaled offsets (default 1). */
  smoothL1Beta?: number;
}

/**
 * Focal loss of each logit against a 0/1 target, element by element:
 * −α_t (1 − p_t)^γ ln p_t, with the cross-entropy computed stably as max(x, 0) − x y + ln(1 + e^−|x|).
 */
export function focalLoss(logits: tf.Tensor, targets: tf.Tensor, gamma = 2, alpha = 0.25): tf.Tensor {
  return tf.tidy(() => {
    const ce = tf.relu(logits).sub(logits.mul(targets)).add(tf.log1p(tf.exp(tf.abs(logits).neg())));
    const p = tf.sigmoid(logits);
    const pt = targets.mul(p).add(tf.scalar(1).sub(targets).mul(tf.scalar(1).sub(p)));
    const alphaT = targets.mul(alpha).add(tf.scalar(1).sub(targets).mul(1 - alpha));
    const modulating = gamma === 0 ? tf.onesLike(pt) : tf.pow(tf.scalar(1).sub(pt), gamma);
    return alphaT.mul(modulating).mul(ce);
  });
}

/** Loss terms of one batch. */
export interface DetectionLoss {
  total: tf.Scalar;
  classification: tf.Scalar;
  box: tf.Scalar;
}

/**
 * The detector's loss (file comment) for outputs [B, A, C + 4], class targets [B, A] (class index,
 * −1 background, −2 ignored) and offset targets [B, A, 4].
 */
export function detectionLoss(outputs: tf.Tensor3D, clsTargets: tf.Tensor2D, boxTargets: tf.Tensor3D, options: DetectionLossOptions = {}): DetectionLoss {
  const [, , width] = outputs.shape;
  const nClasses = width - 4;
  const beta = options.smoothL1Beta ?? 1;
  const terms = tf.tidy(() => {
    const logits = outputs.slice([0, 0, 0], [-1, -1, nClasses]);
    const offsets = outputs.slice([0, 0, nClasses], [-1, -1, 4]);
    const positive = clsTargets.greaterEqual(0).cast("float32");
    const counted = clsTargets.greaterEqual(-1).cast("float32");
    const nPos = tf.maximum(positive.sum(), 1);
    const oneHot = tf.oneHot(tf.maximum(clsTargets, 0).cast("int32"), nClasses).mul(positive.expandDims(2));
    const fl = focalLoss(logits, oneHot, options.gamma ?? 2, options.alpha ?? 0.25).mul(counted.expandDims(2));
    const classification = fl.sum().div(nPos) as tf.Scalar;
    const d = tf.abs(offsets.sub(boxTargets));
    const m = tf.minimum(d, beta);
    const smoothL1 = m.square().mul(0.5 / beta).add(d.sub(m));
    const box = smoothL1.mul(positive.expandDims(2)).sum().div(nPos) as tf.Scalar;
    const total = classification.add(box.mul(options.boxWeight ?? 1)) as tf.Scalar;
    return { total, classification, box };
  });
  return terms;
}

/** The eight symmetries of the square pixel grid: transpose, then flip x, then flip y. */
function transformBox(b: LabelledBox, n: number, t: number): LabelledBox {
  let { x0, y0, x1, y1 } = b;
  if (t & 4) [x0, y0, x1, y1] = [y0, x0, y1, x1];
  if (t & 1) [x0, x1] = [n - x1, n - x0];
  if (t & 2) [y0, y1] = [n - y1, n - y0];
  return { x0, y0, x1, y1, classIndex: b.classIndex };
}

function transformImageInto(src: Float32Array, srcOffset: number, dst: Float32Array, dstOffset: number, n: number, t: number): void {
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let u = x;
      let v = y;
      if (t & 4) [u, v] = [v, u];
      if (t & 1) u = n - 1 - u;
      if (t & 2) v = n - 1 - v;
      dst[dstOffset + v * n + u] = src[srcOffset + y * n + x];
    }
  }
}

/**
 * Inputs and targets of a batch: images [B, n, n, 1] (each transformed by a random symmetry of the
 * grid when `rng` is given: the sky has no up or down) and anchor targets computed for the
 * transformed boxes.
 */
export function detectorBatch(
  detector: RadioDetector, images: Float32Array, truths: readonly (readonly LabelledBox[])[], indices: readonly number[], rng?: Rng,
): { x: tf.Tensor4D; cls: tf.Tensor2D; box: tf.Tensor3D; nPositive: number } {
  const n = detector.imageSizePix;
  const px = n * n;
  const nA = detector.anchors.boxes.length;
  const x = new Float32Array(indices.length * px);
  const cls = new Int32Array(indices.length * nA);
  const box = new Float32Array(indices.length * nA * 4);
  let nPositive = 0;
  indices.forEach((i, b) => {
    const t = rng ? rng.integer(0, 8) : 0;
    transformImageInto(images, i * px, x, b * px, n, t);
    const tgt = assignAnchors(detector.anchors, truths[i].map((tb) => transformBox(tb, n, t)));
    cls.set(tgt.cls, b * nA);
    box.set(tgt.box, b * nA * 4);
    nPositive += tgt.nPositive;
  });
  return {
    x: tf.tensor4d(x, [indices.length, n, n, 1]),
    cls: tf.tensor2d(cls, [indices.length, nA], "int32"),
    box: tf.tensor3d(box, [indices.length, nA, 4]),
    nPositive,
  };
}

/** A model.fit-style callback: only the hooks the loop calls (e.g. `trainingProgress()`). */
export interface DetectorCallback {
  setParams?(params: tf.CustomCallbackArgs | Record<string, unknown>): void;
  onTrainBegin?(logs?: tf.Logs): Promise<void> | void;
  onEpochEnd?(epoch: number, logs?: tf.Logs): Promise<void> | void;
  onTrainEnd?(logs?: tf.Logs): Promise<void> | void;
}

/** Options of `trainRadioDetector`. */
export interface TrainDetectorOptions extends DetectionLossOptions {
  epochs: number;
  batchSize?: number;
  /** Adam learning rate (default 2e-3), decayed by 10× over the last third of the epochs. */
  learningRate?: number;
  /** Random grid symmetries of every training image (default true). */
  augment?: boolean;
  seed?: number;
  callbacks?: DetectorCallback[];
}

/** One optimiser step on a batch; returns the loss terms as numbers. Used by training and the benchmark. */
export function detectorTrainStep(
  detector: RadioDetector, optimizer: tf.Optimizer, batch: { x: tf.Tensor4D; cls: tf.Tensor2D; box: tf.Tensor3D }, options: DetectionLossOptions = {},
): tf.Tensor1D {
  return tf.tidy(() => {
    let parts: tf.Scalar[] = [];
    const cost = optimizer.minimize(() => {
      const out = detector.model.apply(batch.x, { training: true }) as tf.Tensor3D;
      const l = detectionLoss(out, batch.cls, batch.box, options);
      parts = [tf.keep(l.classification), tf.keep(l.box)];   // minimize disposes everything but its result
      return l.total;
    }, true) as tf.Scalar;
    const stacked = tf.stack([cost, ...parts]) as tf.Tensor1D;
    parts.forEach((t) => t.dispose());
    return stacked;
  });
}

/** Trains the detector with Adam; returns per-epoch mean loss terms. */
export async function trainRadioDetector(
  detector: RadioDetector, images: Float32Array, truths: readonly (readonly LabelledBox[])[], options: TrainDetectorOptions,
): Promise<{ loss: number[]; classification: number[]; box: number[] }> {
  const nImages = truths.length;
  const px = detector.imageSizePix ** 2;
  if (images.length !== nImages * px) {
    throw new Error(`trainRadioDetector: ${images.length} pixel values for ${nImages} images of ${px} pixels`);
  }
  const batchSize = options.batchSize ?? 32;
  const lr = options.learningRate ?? 2e-3;
  const rng = new Rng(options.seed ?? 1);
  const optimizer = tf.train.adam(lr);
  const history = { loss: [] as number[], classification: [] as number[], box: [] as number[] };
  const callbacks = options.callbacks ?? [];
  const steps = Math.floor(nImages / batchSize);
  for (const cb of callbacks) cb.setParams?.({ epochs: options.epochs, samples: nImages, steps });
  for (const cb of callbacks) await cb.onTrainBegin?.();
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const decay = epoch >= Math.ceil((2 * options.epochs) / 3) ? 0.1 : 1;
    (optimizer as unknown as { learningRate: number }).learningRate = lr * decay;
    const order = rng.permutation(nImages);
    let sums: tf.Tensor1D = tf.zeros([3]);
    for (let s = 0; s < steps; s++) {
      const batch = detectorBatch(detector, images, truths, order.slice(s * batchSize, (s + 1) * batchSize), options.augment === false ? undefined : rng);
      const terms = detectorTrainStep(detector, optimizer, batch, options);
      const next = sums.add(terms) as tf.Tensor1D;
      [sums, terms, batch.x, batch.cls, batch.box].forEach((t) => t.dispose());
      sums = next;
      if (s % 8 === 7) await tf.nextFrame();   // let the notebook's progress display update
    }
    const [l, c, b] = Array.from(await sums.data()).map((v) => v / Math.max(1, steps));
    sums.dispose();
    history.loss.push(l);
    history.classification.push(c);
    history.box.push(b);
    for (const cb of callbacks) await cb.onEpochEnd?.(epoch, { loss: l, classification: c, box: b });
  }
  for (const cb of callbacks) await cb.onTrainEnd?.();
  optimizer.dispose();
  return history;
}

/** Options of `detectRadioSources`. */
export interface DecodeOptions {
  /** Candidate (anchor, class) pairs below this probability are dropped before NMS (default 0.05). */
  minScore?: number;
  /** NMS overlap threshold (default 0.45). */
  nmsIou?: number;
  /** NMS within each class (default true) or across classes. */
  perClass?: boolean;
  /** At most this many detections per image (default 20). */
  maxDetections?: number;
  /** Images per forward pass (default 128). */
  batchSize?: number;
}

/**
 * Raw network outputs for images [n, size, size] (network units): per image and anchor, the class
 * probabilities and the decoded box. For pictures of what the network proposes before NMS.
 */
export function detectorOutputs(detector: RadioDetector, images: Float32Array, batchSize = 128): { probs: Float32Array; offsets: Float32Array; n: number } {
  const n = detector.imageSizePix;
  const nImages = images.length / (n * n);
  const nA = detector.anchors.boxes.length;
  const C = detector.nClasses;
  const probs = new Float32Array(nImages * nA * C);
  const offsets = new Float32Array(nImages * nA * 4);
  for (let start = 0; start < nImages; start += batchSize) {
    const m = Math.min(batchSize, nImages - start);
    const [p, o] = tf.tidy(() => {
      const x = tf.tensor4d(images.subarray(start * n * n, (start + m) * n * n), [m, n, n, 1]);
      const out = detector.model.predict(x) as tf.Tensor3D;
      return [tf.sigmoid(out.slice([0, 0, 0], [-1, -1, C])), out.slice([0, 0, C], [-1, -1, 4])];
    });
    probs.set(p.dataSync(), start * nA * C);
    offsets.set(o.dataSync(), start * nA * 4);
    p.dispose();
    o.dispose();
  }
  return { probs, offsets, n: nImages };
}

/** Detections per image: decode every (anchor, class) above `minScore`, then non-maximum suppression. */
export function detectRadioSources(detector: RadioDetector, images: Float32Array, options: DecodeOptions = {}): ScoredBox[][] {
  const minScore = options.minScore ?? 0.05;
  const { probs, offsets, n } = detectorOutputs(detector, images, options.batchSize);
  const nA = detector.anchors.boxes.length;
  const C = detector.nClasses;
  const out: ScoredBox[][] = [];
  for (let i = 0; i < n; i++) {
    const candidates: ScoredBox[] = [];
    for (let a = 0; a < nA; a++) {
      for (let c = 0; c < C; c++) {
        const score = probs[(i * nA + a) * C + c];
        if (score < minScore) continue;
        const b = decodeBox(detector.anchors.boxes[a], offsets.subarray((i * nA + a) * 4, (i * nA + a) * 4 + 4));
        candidates.push({ ...b, classIndex: c, score });
      }
    }
    out.push(nonMaxSuppression(candidates, { iouThreshold: options.nmsIou ?? 0.45, perClass: options.perClass ?? true, maxBoxes: options.maxDetections ?? 20 }));
  }
  return out;
}
