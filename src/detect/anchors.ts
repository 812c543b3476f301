/**
 * Anchors: the fixed reference boxes a single-stage detector scores and adjusts (Ren et al. 2015,
 * Faster R-CNN; Lin et al. 2017, RetinaNet). At every cell of a feature map of stride s there are
 * boxes of a few sizes and aspect ratios centred on the cell; the network predicts, for each, a
 * class score and four offsets that move and stretch it onto an object.
 *
 * Offsets (the "box regression" targets) are relative, so one set of weights works at every scale:
 *   tx = (x_true − x_anchor) / w_anchor,  ty = (y_true − y_anchor) / h_anchor,
 *   tw = ln(w_true / w_anchor),           th = ln(h_true / h_anchor),
 * then divided by the conventional (0.1, 0.1, 0.2, 0.2) so they are of order one.
 *
 * Training targets follow RetinaNet: an anchor overlapping a truth by IoU ≥ 0.5 is a positive of that
 * truth's class; IoU < 0.4 with every truth makes it background; in between it is ignored. Every
 * truth also claims its best-overlapping anchor, so no object is left without a positive.
 */
import { Box, boxCentreSize, iou, LabelledBox } from "./boxes";

/** One pyramid level: a feature map of the given stride and the anchors at each of its cells. */
export interface AnchorLevel {
  /** Pixels per feature-map cell. */
  stridePix: number;
  /** Anchor sizes √(w h), pixels. */
  sizesPix: number[];
  /** Aspect ratios w / h. */
  aspectRatios: number[];
}

/** All anchors of an image, in the order the detector's outputs are laid out: level, row, column, anchor. */
export interface AnchorGrid {
  boxes: Box[];
  /** Level index of each anchor. */
  level: number[];
  imageSizePix: number;
  levels: AnchorLevel[];
  /** Anchors per cell on each level. */
  perCell: number[];
}

/** Offsets are divided by these so that their spread is about one. */
export const BOX_SCALE = [0.1, 0.1, 0.2, 0.2] as const;

/** Anchors for a square image. */
export function makeAnchors(imageSizePix: number, levels: AnchorLevel[]): AnchorGrid {
  const boxes: Box[] = [];
  const level: number[] = [];
  levels.forEach((lv, l) => {
    if (imageSizePix % lv.stridePix !== 0) {
      throw new Error(`makeAnchors: image size ${imageSizePix} is not a multiple of level ${l}'s stride ${lv.stridePix}`);
    }
    const cells = imageSizePix / lv.stridePix;
    for (let gy = 0; gy < cells; gy++) {
      for (let gx = 0; gx < cells; gx++) {
        const cx = (gx + 0.5) * lv.stridePix;
        const cy = (gy + 0.5) * lv.stridePix;
        for (const s of lv.sizesPix) {
          for (const r of lv.aspectRatios) {
            const w = s * Math.sqrt(r);
            const h = s / Math.sqrt(r);
            boxes.push({ x0: cx - w / 2, y0: cy - h / 2, x1: cx + w / 2, y1: cy + h / 2 });
            level.push(l);
          }
        }
      }
    }
  });
  return { boxes, level, imageSizePix, levels, perCell: levels.map((l) => l.sizesPix.length * l.aspectRatios.length) };
}

/** The four scaled offsets that move `anchor` onto `target`. */
export function encodeBox(anchor: Box, target: Box): [number, number, number, number] {
  const a = boxCentreSize(anchor);
  const t = boxCentreSize(target);
  if (!(t.w > 0 && t.h > 0)) throw new Error(`encodeBox: target box must have positive width and height, got ${t.w} × ${t.h}`);
  return [
    (t.cx - a.cx) / a.w / BOX_SCALE[0],
    (t.cy - a.cy) / a.h / BOX_SCALE[1],
    Math.log(t.w / a.w) / BOX_SCALE[2],
    Math.log(t.h / a.h) / BOX_SCALE[3],
  ];
}

/** The box that offsets (as from `encodeBox`) make of `anchor`. Sizes are capped at e^4 times the anchor. */
export function decodeBox(anchor: Box, d: ArrayLike<number>): Box {
  const a = boxCentreSize(anchor);
  const cx = a.cx + d[0] * BOX_SCALE[0] * a.w;
  const cy = a.cy + d[1] * BOX_SCALE[1] * a.h;
  const w = a.w * Math.exp(Math.min(4, d[2] * BOX_SCALE[2]));
  const h = a.h * Math.exp(Math.min(4, d[3] * BOX_SCALE[3]));
  return { x0: cx - w / 2, y0: cy - h / 2, x1: cx + w / 2, y1: cy + h / 2 };
}

/** Training targets of one image. */
export interface AnchorTargets {
  /** Per anchor: class index of a positive, −1 background, −2 ignored. */
  cls: Int32Array;
  /** Per anchor: four offsets (zero unless positive). */
  box: Float32Array;
  nPositive: number;
}

/** RetinaNet's assignment of truths to anchors (see the file comment). */
export function assignAnchors(grid: AnchorGrid, truths: readonly LabelledBox[], positiveIou = 0.5, negativeIou = 0.4): AnchorTargets {
  if (!(negativeIou <= positiveIou)) throw new Error(`assignAnchors: negativeIou (${negativeIou}) must not exceed positiveIou (${positiveIou})`);
  const n = grid.boxes.length;
  const cls = new Int32Array(n).fill(-1);
  const box = new Float32Array(n * 4);
  const bestIou = new Float32Array(n);
  const bestTruth = new Int32Array(n).fill(-1);
  const truthBestAnchor = truths.map(() => ({ a: -1, o: -1 }));
  for (let a = 0; a < n; a++) {
    const ab = grid.boxes[a];
    truths.forEach((t, k) => {
      const o = iou(ab, t);
      if (o > bestIou[a]) { bestIou[a] = o; bestTruth[a] = k; }
      if (o > truthBestAnchor[k].o) truthBestAnchor[k] = { a, o };
    });
  }
  for (let a = 0; a < n; a++) {
    if (bestIou[a] >= positiveIou) cls[a] = truths[bestTruth[a]].classIndex;
    else if (bestIou[a] >= negativeIou) cls[a] = -2;
  }
  truthBestAnchor.forEach(({ a }, k) => {
    if (a >= 0) { cls[a] = truths[k].classIndex; bestTruth[a] = k; }
  });
  let nPositive = 0;
  for (let a = 0; a < n; a++) {
    if (cls[a] < 0) continue;
    nPositive++;
    box.set(encodeBox(grid.boxes[a], truths[bestTruth[a]]), a * 4);
  }
  return { cls, box, nPositive };
}
