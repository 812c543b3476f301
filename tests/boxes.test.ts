/**
 * Box arithmetic against cases worked by hand: IoU, non-maximum suppression, matching and average
 * precision as detection papers compute them; anchors, offsets and RetinaNet's target assignment;
 * the focal loss and the detection loss against values computed on paper.
 */
import * as tf from "@tensorflow/tfjs";
import { averagePrecision, boxRecall, evaluateDetections, iou, matchDetections, nonMaxSuppression, ScoredBox } from "../src/detect/boxes";
import { assignAnchors, decodeBox, encodeBox, makeAnchors } from "../src/detect/anchors";
import { findIslands, islandDetections } from "../src/detect/islands";
import { boxGrid } from "../src/detect/box-plots";
import { detectionLoss, focalLoss, radioDetector, RADIO_ANCHOR_LEVELS } from "../src/detect/retina";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const box = (x0: number, y0: number, x1: number, y1: number) => ({ x0, y0, x1, y1 });
const scored = (x0: number, y0: number, x1: number, y1: number, score: number, classIndex = 0): ScoredBox => ({ x0, y0, x1, y1, score, classIndex });

describe("IoU", () => {
  test("hand-computed overlaps", () => {
    expect(iou(box(0, 0, 4, 4), box(2, 2, 6, 6))).toBeCloseTo(4 / 28, 12);      // 2×2 overlap, union 16 + 16 − 4
    expect(iou(box(0, 0, 4, 4), box(0, 0, 2, 4))).toBeCloseTo(0.5, 12);         // half of it
    expect(iou(box(0, 0, 4, 4), box(1, 1, 3, 3))).toBeCloseTo(4 / 16, 12);      // nested
    expect(iou(box(0, 0, 4, 4), box(4, 0, 8, 4))).toBe(0);                      // touching edges
    expect(iou(box(0, 0, 4, 4), box(10, 10, 12, 12))).toBe(0);
    expect(iou(box(1, 2, 3, 5), box(1, 2, 3, 5))).toBe(1);
  });
  test("symmetric, and a clear error for an inverted box", () => {
    expect(iou(box(0, 0, 5, 3), box(1, 1, 7, 9))).toBeCloseTo(iou(box(1, 1, 7, 9), box(0, 0, 5, 3)), 14);
    expect(() => iou(box(4, 0, 0, 4), box(0, 0, 1, 1))).toThrow(/iou: .*x0 <= x1/);
  });
});

describe("non-maximum suppression", () => {
  const a = scored(0, 0, 10, 10, 0.9);
  const b = scored(1, 1, 11, 11, 0.8);           // IoU with a = 81 / 119 = 0.68
  const c = scored(20, 20, 30, 30, 0.7);
  const d = scored(0, 0, 10, 10, 0.6, 1);        // same place as a, another class
  const e = scored(5, 0, 15, 10, 0.5);           // IoU with a = 50 / 150 = 1/3
  test("drops the lower-scoring of two boxes overlapping by more than the threshold", () => {
    expect(nonMaxSuppression([e, d, c, b, a], { iouThreshold: 0.45 })).toEqual([a, c, d, e]);
  });
  test("across classes, the other-class duplicate goes too; a lower threshold removes e", () => {
    expect(nonMaxSuppression([a, b, c, d, e], { perClass: false })).toEqual([a, c, e]);
    expect(nonMaxSuppression([a, b, c, d, e], { iouThreshold: 0.3 })).toEqual([a, c, d]);
  });
  test("minScore and maxBoxes", () => {
    expect(nonMaxSuppression([a, b, c, d, e], { minScore: 0.65 })).toEqual([a, c]);
    expect(nonMaxSuppression([a, b, c, d, e], { maxBoxes: 1 })).toEqual([a]);
    expect(() => nonMaxSuppression([a], { iouThreshold: 2 })).toThrow(/nonMaxSuppression: iouThreshold/);
  });
});

describe("matching and average precision", () => {
  // Three true objects in two images; four predictions: TP 0.9, duplicate 0.8 (FP), TP 0.7, FP 0.6.
  const truths = [[{ ...box(0, 0, 10, 10), classIndex: 0 }, { ...box(20, 20, 30, 30), classIndex: 0 }], [{ ...box(5, 5, 9, 9), classIndex: 0 }]];
  const preds = [[scored(0, 0, 10, 10, 0.9), scored(1, 0, 10, 10, 0.8), scored(40, 40, 44, 44, 0.6)], [scored(5, 5, 9, 10, 0.7)]];
  test("a duplicate of a found object is a false positive", () => {
    const m = matchDetections(preds, truths);
    expect(m.predictions.map((p) => p.truePositive)).toEqual([true, false, false, true]);
    expect(m.truthMatched).toEqual([[true, false], [true]]);
  });
  test("AP by hand: precision 1, ½, ⅔, ½ at recall ⅓, ⅓, ⅔, ⅔ → envelope 1, ⅔, ⅔, ½ → AP = ⅓ + ⅓·⅔ = 5/9", () => {
    const m = matchDetections(preds, truths);
    const ap = averagePrecision(m.predictions, 3);
    expect(ap.precision.map((p) => +p.toFixed(4))).toEqual([1, 0.5, 0.6667, 0.5]);
    expect(ap.recall.map((r) => +r.toFixed(4))).toEqual([0.3333, 0.3333, 0.6667, 0.6667]);
    expect(ap.ap).toBeCloseTo(5 / 9, 12);
  });
  test("perfect detections give AP 1, nothing found gives 0, no truths gives NaN", () => {
    expect(averagePrecision([{ score: 0.5, truePositive: true }, { score: 0.4, truePositive: true }], 2).ap).toBe(1);
    expect(averagePrecision([{ score: 0.5, truePositive: false }], 2).ap).toBe(0);
    expect(averagePrecision([], 0).ap).toBeNaN();
    expect(() => averagePrecision([], -1)).toThrow(/averagePrecision: nTruth/);
  });
  test("mAP averages the classes present; class-agnostic box AP ignores labels", () => {
    const t = [[{ ...box(0, 0, 10, 10), classIndex: 0 }, { ...box(20, 20, 30, 30), classIndex: 1 }]];
    const p = [[scored(0, 0, 10, 10, 0.9, 0), scored(20, 20, 30, 30, 0.8, 0)]];   // second has the wrong class
    const ev = evaluateDetections(p, t, 3);
    expect(ev.apPerClass[0]).toBe(1);
    expect(ev.apPerClass[1]).toBe(0);
    expect(ev.apPerClass[2]).toBeNaN();
    expect(ev.mAP).toBe(0.5);
    expect(ev.boxAp).toBe(1);
    expect(boxRecall(p, t, { minScore: 0.85 }).recall).toBe(0.5);
  });
  test("a box overlapping by IoU just under 0.5 does not count", () => {
    const t = [[{ ...box(0, 0, 10, 10), classIndex: 0 }]];
    expect(matchDetections([[scored(0, 0, 10, 4.9, 1)]], t).predictions[0].truePositive).toBe(false);
    expect(matchDetections([[scored(0, 0, 10, 5, 1)]], t).predictions[0].truePositive).toBe(true);
  });
});

describe("anchors and offsets", () => {
  test("anchor grid: count, centres and shapes", () => {
    const g = makeAnchors(48, RADIO_ANCHOR_LEVELS);
    expect(g.boxes.length).toBe(12 * 12 * 6 + 6 * 6 * 6);
    const first = g.boxes[0];   // level 0, cell (0, 0), size 6, ratio 0.5, centred at (2, 2)
    expect((first.x0 + first.x1) / 2).toBeCloseTo(2, 12);
    expect((first.x1 - first.x0) / (first.y1 - first.y0)).toBeCloseTo(0.5, 12);
    expect(Math.sqrt((first.x1 - first.x0) * (first.y1 - first.y0))).toBeCloseTo(6, 12);
    expect(() => makeAnchors(50, RADIO_ANCHOR_LEVELS)).toThrow(/makeAnchors: image size 50/);
  });
  test("decode(encode(box)) is the box; offsets by hand", () => {
    const a = box(10, 10, 20, 30);
    const t = box(12, 8, 26, 28);
    const d = encodeBox(a, t);
    // centres (15, 20) → (19, 18); sizes 10 × 20 → 14 × 20
    expect(d[0]).toBeCloseTo(0.4 / 0.1, 12);
    expect(d[1]).toBeCloseTo(-0.1 / 0.1, 12);
    expect(d[2]).toBeCloseTo(Math.log(1.4) / 0.2, 12);
    expect(d[3]).toBeCloseTo(0, 12);
    const back = decodeBox(a, d);
    for (const k of ["x0", "y0", "x1", "y1"] as const) expect(back[k]).toBeCloseTo(t[k], 10);
  });
  test("assignment: positives at IoU ≥ 0.5, ignored between 0.4 and 0.5, and every truth gets its best anchor", () => {
    const grid = { ...makeAnchors(16, [{ stridePix: 8, sizesPix: [8], aspectRatios: [1] }]) };   // 4 anchors: (0,0,8,8), (8,0,16,8), …
    const targets = assignAnchors(grid, [{ ...box(0, 0, 8, 6), classIndex: 3 }, { ...box(9, 9, 15, 15), classIndex: 1 }]);
    // anchor 0: IoU 0.75 → class 3; anchor 3 (8,8,16,16): IoU 36/64 = 0.5625 → class 1; anchors 1, 2: background
    expect(Array.from(targets.cls)).toEqual([3, -1, -1, 1]);
    expect(targets.nPositive).toBe(2);
    const small = assignAnchors(grid, [{ ...box(2, 2, 4, 4), classIndex: 2 }]);   // IoU 4/64 with anchor 0: still its positive
    expect(Array.from(small.cls)).toEqual([2, -1, -1, -1]);
    const middling = assignAnchors(grid, [{ ...box(0, 0, 8, 8), classIndex: 0 }, { ...box(8, 0, 16, 3.6), classIndex: 5 }]);
    expect(middling.cls[1]).toBe(5);   // the best anchor of a truth is positive even at IoU 0.45
    const ignored = assignAnchors(grid, [{ ...box(0, 0, 8, 8), classIndex: 0 }, { ...box(0, 0, 10, 10), classIndex: 4 }]);
    expect(ignored.cls[0]).toBe(4);      // truth 2 claims anchor 0 as its best (IoU 0.64), after truth 1
  });
});

describe("focal loss and the detection loss", () => {
  test("focal loss by hand: logit 0 (p = ½) on a positive = α · ½² · ln 2", () => {
    const v = focalLoss(tf.tensor1d([0, 0, 2]), tf.tensor1d([1, 0, 0]), 2, 0.25).dataSync();
    expect(v[0]).toBeCloseTo(0.25 * 0.25 * Math.log(2), 6);
    expect(v[1]).toBeCloseTo(0.75 * 0.25 * Math.log(2), 6);
    const p = 1 / (1 + Math.exp(-2));
    expect(v[2]).toBeCloseTo(0.75 * p * p * -Math.log(1 - p), 6);
  });
  test("γ = 0, α = ½ is half the binary cross-entropy; an easy negative costs ~10⁴ times less with γ = 2", () => {
    const x = tf.tensor1d([-4.6, 3, -0.5]);
    const y = tf.tensor1d([0, 1, 1]);
    const ce = tf.losses.sigmoidCrossEntropy(y, x, undefined, undefined, tf.Reduction.NONE).dataSync();
    const fl0 = focalLoss(x, y, 0, 0.5).dataSync();
    for (let i = 0; i < 3; i++) expect(fl0[i]).toBeCloseTo(ce[i] / 2, 5);
    const easy = focalLoss(tf.tensor1d([-4.6]), tf.tensor1d([0]), 2, 0.5).dataSync()[0];
    expect(fl0[0] / easy).toBeGreaterThan(8000);   // (1 − p_t)^−2 with p_t = 0.99
  });
  test("detection loss: normalised by positives, ignored anchors cost nothing, box term only on positives", () => {
    // 1 image, 3 anchors, 2 classes: anchor 0 positive of class 1, anchor 1 background, anchor 2 ignored.
    const out = tf.tensor3d([[[0, 0, 0.1, 0, 0, 0], [0, 0, 5, 5, 5, 5], [9, 9, 9, 9, 9, 9]]]);
    const cls = tf.tensor2d([[1, -1, -2]], [1, 3], "int32");
    const bt = tf.tensor3d([[[0, 0, 0, 2], [0, 0, 0, 0], [0, 0, 0, 0]]]);
    const l = detectionLoss(out, cls, bt, { gamma: 0, alpha: 0.5 });
    const ln2 = Math.log(2);
    expect(l.classification.dataSync()[0]).toBeCloseTo((4 * ln2 * 0.5), 5);       // 4 logits at 0, each ½ ln 2
    expect(l.box.dataSync()[0]).toBeCloseTo(0.5 * 0.01 + 1.5, 5);                  // smooth-L1(0.1) + smooth-L1(2)
  });
  test("the network's output has one row of logits and offsets per anchor, background prior 0.01", () => {
    const det = radioDetector();
    const out = det.model.predict(tf.zeros([1, 48, 48, 1])) as tf.Tensor3D;
    expect(out.shape).toEqual([1, det.anchors.boxes.length, 10]);
    const p = tf.sigmoid(out.slice([0, 0, 0], [-1, -1, 6])).dataSync();
    expect(Math.max(...Array.from(p))).toBeCloseTo(0.01, 3);
    det.model.dispose();
  });
});

describe("islands", () => {
  test("8-connected islands, bounding boxes and peaks of a hand-made image", () => {
    const w = 8;
    const img = new Float32Array(w * 6);
    const set = (x: number, y: number, v: number) => (img[y * w + x] = v);
    [[1, 1, 5], [2, 2, 3], [3, 3, 4], [6, 4, 9], [6, 5, 2]].forEach(([x, y, v]) => set(x, y, v));   // diagonal chain + separate pair
    const isl = findIslands(img, w, 6, { threshold: 1, peakRadiusPix: 1 });
    expect(isl.length).toBe(2);
    expect(isl[0].box).toEqual({ x0: 6, y0: 4, x1: 7, y1: 6 });
    expect(isl[1].box).toEqual({ x0: 1, y0: 1, x1: 4, y1: 4 });
    expect(isl[1].peaks.map((p) => p.value)).toEqual([5, 4]);    // (1,1) and (3,3) are local maxima within radius 1
    expect(findIslands(img, w, 6, { threshold: 1, peakRadiusPix: 2 })[1].peaks.length).toBe(1);
    const square = new Float32Array(64);
    square.set(img);                                                 // the same 8 × 6 picture in an 8 × 8 image
    const base = islandDetections(square, 8, 1, { padPix: 1, peakRadiusPix: 1 })[0];
    expect(base[0]).toMatchObject({ x0: 5, y0: 3, x1: 8, y1: 7, classIndex: 0, score: 1 - 1 / 9 });
    expect(base[1]).toMatchObject({ x0: 0, y0: 0, x1: 5, y1: 5, classIndex: 1 });   // two peaks: labelled 1C2P
    expect(() => islandDetections(img, 7, 1)).toThrow(/islandDetections: 48 values/);
    expect(() => findIslands(img, 7, 6, { threshold: 1 })).toThrow(/findIslands: image has 48 values/);
  });
});

describe("box pictures", () => {
  test("boxGrid draws each box on its own tile, at pixel edges (pixel i covers [i, i + 1), drawn centred on i)", () => {
    const img = [[0, 1], [2, 3]];
    const fig = boxGrid([img, img], [[{ ...box(0, 0, 2, 1), label: "a" }], [{ ...box(1, 1, 2, 2), color: "#000" }]]);
    const shapes = fig.layout.shapes as Array<Record<string, unknown>>;
    expect(shapes).toHaveLength(2);
    expect(shapes[0]).toMatchObject({ xref: "x", yref: "y", x0: -0.5, x1: 1.5, y0: -0.5, y1: 0.5 });
    expect(shapes[1]).toMatchObject({ xref: "x2", yref: "y2", x0: 0.5, x1: 1.5 });
    expect(() => boxGrid([img], [])).toThrow(/boxGrid: 1 images but 0 lists/);
  });
});
