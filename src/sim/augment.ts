/**
 * Label-preserving augmentation for sky images and cut-outs: the 8 symmetries of a square pixel
 * grid (the dihedral group D4: 4 rotations by multiples of 90°, each with or without a mirror flip).
 *
 * The sky has no preferred orientation, so a rotated or mirrored cut-out of a star, galaxy, cosmic
 * ray or subtraction residual is an equally valid example of its class: the standard trick for
 * training CNNs on astronomical images (Dieleman, Willett & Dambre 2015, MNRAS 450, 1441; Duev et
 * al. 2019 for ZTF real/bogus). Unlike arbitrary-angle rotation these 8 maps move whole pixels:
 * no interpolation, no smoothing of the noise, exact conservation of every pixel value. Two caveats
 * of real data are not symmetric: bleed trails and bad columns run along detector columns, and
 * rotation by 90° makes them horizontal. Whether that helps (robustness) or hurts (an unphysical
 * example) is a choice; `augmentBatch` can be limited to flips and 180°, which keep columns columns.
 *
 * Element t = 4 f + r (f ∈ {0, 1}, r ∈ {0..3}) is "mirror left–right if f, then rotate by r × 90°
 * anticlockwise as displayed with row 0 at the top". Composition follows from F R = R⁻¹ F:
 * (f_a, r_a) ∘ (f_b, r_b) = (f_a ⊕ f_b, r_a + (−1)^(f_a) r_b mod 4).
 */
import { Rng } from "../random";
import { ImageBatchShape } from "./image";

/** An element of D4, 0–7: 0 identity, 1–3 rotations by 90°, 180°, 270°, 4–7 a mirror flip followed by those rotations. */
export type Dihedral = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** All 8 elements. */
export const DIHEDRAL: readonly Dihedral[] = [0, 1, 2, 3, 4, 5, 6, 7];

/** Readable names of the 8 elements. */
export const DIHEDRAL_NAMES: readonly string[] = ["identity", "rot90", "rot180", "rot270", "flip", "flip+rot90", "flip+rot180", "flip+rot270"];

/** The elements that keep rows as rows and columns as columns (identity, 180°, and the two mirror axes). */
export const COLUMN_PRESERVING: readonly Dihedral[] = [0, 2, 4, 6];

function parts(t: Dihedral): [number, number] {
  return [t >> 2, t & 3];
}

function checkT(t: number): asserts t is Dihedral {
  if (!(Number.isInteger(t) && t >= 0 && t < 8)) throw new Error(`dihedral element must be an integer 0–7, got ${t}`);
}

/** The element c with T_c = T_a ∘ T_b (apply b first, then a). */
export function composeDihedral(a: Dihedral, b: Dihedral): Dihedral {
  checkT(a);
  checkT(b);
  const [fa, ra] = parts(a);
  const [fb, rb] = parts(b);
  const r = (((ra + (fa ? -rb : rb)) % 4) + 4) % 4;
  return ((fa ^ fb) * 4 + r) as Dihedral;
}

/** The inverse element. */
export function inverseDihedral(t: Dihedral): Dihedral {
  for (const u of DIHEDRAL) if (composeDihedral(u, t) === 0) return u;
  throw new Error("unreachable");
}

/** Output [height, width] of an image of the given size after element t (odd rotations swap them). */
export function dihedralShape(t: Dihedral, heightPix: number, widthPix: number): [number, number] {
  return t & 1 ? [widthPix, heightPix] : [heightPix, widthPix];
}

/** Where pixel (x, y) of a height × width image lands under element t (also for sub-pixel positions). */
export function transformPoint(xPix: number, yPix: number, heightPix: number, widthPix: number, t: Dihedral): [number, number] {
  checkT(t);
  const [f, r] = parts(t);
  let x = f ? widthPix - 1 - xPix : xPix;
  let y = yPix;
  let w = widthPix;
  let h = heightPix;
  for (let k = 0; k < r; k++) {
    // (x, y) → (y, w − 1 − x) and the image becomes h wide, w high.
    const nx = y;
    const ny = w - 1 - x;
    x = nx;
    y = ny;
    const tmp = w;
    w = h;
    h = tmp;
  }
  return [x, y];
}

/**
 * A position angle (degrees from +x towards +y, defined mod 180) after element t: a mirror maps θ to
 * 180° − θ, each 90° rotation subtracts 90°.
 */
export function transformAngleDeg(angleDeg: number, t: Dihedral): number {
  const [f, r] = parts(t);
  const a = (f ? 180 - angleDeg : angleDeg) - 90 * r;
  return ((a % 180) + 180) % 180;
}

/**
 * One image (height × width × channels, channel fastest) under element t. Every channel moves
 * together, so a science/reference/difference triplet stays aligned.
 */
export function transformImage(values: ArrayLike<number>, heightPix: number, widthPix: number, t: Dihedral, channels = 1): Float32Array {
  checkT(t);
  if (values.length !== heightPix * widthPix * channels) {
    throw new Error(`transformImage: ${values.length} values do not fill ${heightPix}×${widthPix}×${channels}`);
  }
  const out = new Float32Array(values.length);
  transformInto(values, 0, out, 0, heightPix, widthPix, channels, t);
  return out;
}

function transformInto(src: ArrayLike<number>, srcOff: number, dst: Float32Array, dstOff: number, h: number, w: number, c: number, t: Dihedral): void {
  const [, outW] = dihedralShape(t, h, w);
  // Precompute where (0,0), +x and +y go: the map is affine in (x, y).
  const [ox, oy] = transformPoint(0, 0, h, w, t);
  const [xx, xy] = transformPoint(1, 0, h, w, t);
  const [yx, yy] = transformPoint(0, 1, h, w, t);
  const dxx = xx - ox, dxy = xy - oy, dyx = yx - ox, dyy = yy - oy;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const tx = ox + dxx * x + dyx * y;
      const ty = oy + dxy * x + dyy * y;
      const s = srcOff + (y * w + x) * c;
      const d = dstOff + (ty * outW + tx) * c;
      for (let k = 0; k < c; k++) dst[d + k] = src[s + k];
    }
  }
}

/** A uniformly random element (all 8, or only those in `allowed`). */
export function randomDihedral(rng: Rng, allowed: readonly Dihedral[] = DIHEDRAL): Dihedral {
  return rng.choice(allowed);
}

/** Anything with a position (and maybe a position angle) in pixel coordinates. */
export interface Positioned {
  xPix: number;
  yPix: number;
  positionAngleDeg?: number;
}

/** Copies of catalogue entries with positions (and position angles) moved by element t. */
export function transformSources<T extends Positioned>(sources: readonly T[], heightPix: number, widthPix: number, t: Dihedral): T[] {
  return sources.map((s) => {
    const [x, y] = transformPoint(s.xPix, s.yPix, heightPix, widthPix, t);
    const out = { ...s, xPix: x, yPix: y };
    if (s.positionAngleDeg !== undefined) out.positionAngleDeg = transformAngleDeg(s.positionAngleDeg, t);
    return out;
  });
}

/** Options for `augmentBatch`. */
export interface AugmentOptions {
  /** Truth maps [n, h, w, mapChannels] to transform exactly like the images. */
  maps?: Float32Array;
  /** Channels of `maps` (default 1). */
  mapChannels?: number;
  /** Use these elements instead of random ones (one per image). */
  transforms?: readonly Dihedral[];
  /** Draw only from these elements (default all 8; `COLUMN_PRESERVING` keeps bleed trails vertical). */
  allowed?: readonly Dihedral[];
}

/** An augmented batch: new arrays, same layout, and which element was applied to each image. */
export interface AugmentedBatch {
  images: Float32Array;
  maps: Float32Array | null;
  transforms: Dihedral[];
}

/**
 * Applies one random D4 element per image (from `rng`) to a batch [n, h, w, c] of square images,
 * and the same element to the matching truth maps. Labels are unchanged by construction.
 */
export function augmentBatch(images: Float32Array, shape: ImageBatchShape, rng: Rng, options: AugmentOptions = {}): AugmentedBatch {
  const { n, heightPix: h, widthPix: w, channels: c } = shape;
  if (images.length !== n * h * w * c) throw new Error(`augmentBatch: ${images.length} values do not fill [${n}, ${h}, ${w}, ${c}]`);
  const allowed = options.allowed ?? DIHEDRAL;
  if (h !== w && allowed.some((t) => t & 1)) {
    throw new Error(`augmentBatch: rotating by 90° changes the shape of ${h}×${w} images; pass allowed: COLUMN_PRESERVING`);
  }
  const mc = options.mapChannels ?? 1;
  if (options.maps && options.maps.length !== n * h * w * mc) throw new Error(`augmentBatch: maps do not fill [${n}, ${h}, ${w}, ${mc}]`);
  const transforms: Dihedral[] = [];
  const out = new Float32Array(images.length);
  const maps = options.maps ? new Float32Array(options.maps.length) : null;
  for (let i = 0; i < n; i++) {
    const t = options.transforms ? options.transforms[i] : randomDihedral(rng, allowed);
    checkT(t);
    if (h !== w && t & 1) throw new Error(`augmentBatch: element ${t} rotates by 90°, which changes the shape of ${h}×${w} images`);
    transforms.push(t);
    transformInto(images, i * h * w * c, out, i * h * w * c, h, w, c, t);
    if (maps && options.maps) transformInto(options.maps, i * h * w * mc, maps, i * h * w * mc, h, w, mc, t);
  }
  return { images: out, maps, transforms };
}
