import { Rng } from "../src/random";
import {
  COLUMN_PRESERVING,
  DIHEDRAL,
  Dihedral,
  augmentBatch,
  composeDihedral,
  dihedralShape,
  inverseDihedral,
  randomDihedral,
  transformAngleDeg,
  transformImage,
  transformPoint,
  transformSources,
} from "../src/sim/augment";
import { addPointSource, gaussianPsf, moffatPsf } from "../src/sim/psf";
import { renderSersic } from "../src/sim/galaxy";
import { simulateSkyBatch, simulateSkyImage } from "../src/sim/sky";
import { simulateTransientBatch } from "../src/sim/transients";
import { MASK } from "../src/sim/detector";

const N = 9;
const noise = (n: number, seed: number, channels = 1) => {
  const r = new Rng(seed);
  return Float32Array.from({ length: n * n * channels }, () => r.normal());
};
const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => v === b[i]);
const sum = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};

describe("the 8 dihedral transforms", () => {
  const img = noise(N, 1);

  test("are distinct on a generic image, and 0 is the identity", () => {
    const outs = DIHEDRAL.map((t) => transformImage(img, N, N, t));
    for (let a = 0; a < 8; a++) for (let b = a + 1; b < 8; b++) expect(same(outs[a], outs[b])).toBe(false);
    expect(same(outs[0], img)).toBe(true);
  });

  test("form a group: composition closes and matches the table, inverses undo, rotation⁴ = flip² = identity", () => {
    for (const a of DIHEDRAL) {
      const row = new Set<number>();
      for (const b of DIHEDRAL) {
        const twice = transformImage(transformImage(img, N, N, b), N, N, a);
        const c = composeDihedral(a, b);
        row.add(c);
        expect(same(twice, transformImage(img, N, N, c))).toBe(true);
        // Closure checked against the images themselves, not just the table:
        expect(DIHEDRAL.some((t) => same(twice, transformImage(img, N, N, t)))).toBe(true);
      }
      expect(row.size).toBe(8); // each row of the Cayley table is a permutation
      expect(same(transformImage(transformImage(img, N, N, a), N, N, inverseDihedral(a)), img)).toBe(true);
    }
    let r: Float32Array = img;
    for (let k = 0; k < 4; k++) r = transformImage(r, N, N, 1);
    expect(same(r, img)).toBe(true);
    expect(same(transformImage(transformImage(img, N, N, 4), N, N, 4), img)).toBe(true);
    // Non-abelian: flip∘rot ≠ rot∘flip.
    expect(composeDihedral(4, 1)).not.toBe(composeDihedral(1, 4));
  });

  test("preserve total flux and every pixel value, move all channels together, and handle rectangles", () => {
    const tri = noise(N, 2, 3);
    for (const t of DIHEDRAL) {
      const out = transformImage(tri, N, N, t, 3);
      expect(sum(out)).toBeCloseTo(sum(tri), 3);
      expect(Array.from(out).sort()).toEqual(Array.from(tri).sort());
      for (let k = 0; k < 3; k++) {
        const chan = Float32Array.from({ length: N * N }, (_, p) => tri[p * 3 + k]);
        const outChan = Float32Array.from({ length: N * N }, (_, p) => out[p * 3 + k]);
        expect(same(outChan, transformImage(chan, N, N, t))).toBe(true);
      }
    }
    const rect = Float32Array.from({ length: 3 * 5 }, (_, i) => i);
    expect(dihedralShape(1, 3, 5)).toEqual([5, 3]);
    const rot = transformImage(rect, 3, 5, 1);
    const [x, y] = transformPoint(4, 0, 3, 5, 1); // top-right corner goes to top-left
    expect([x, y]).toEqual([0, 0]);
    expect(rot[y * 3 + x]).toBe(rect[0 * 5 + 4]);
  });

  test("transformPoint follows a star: rendering at the moved position equals moving the rendered image", () => {
    const n = 25;
    for (const psf of [gaussianPsf(2.5), moffatPsf(3, 3)]) {
      const im = new Float32Array(n * n);
      addPointSource(im, n, n, psf, 8.3, 14.6, 1000);
      for (const t of DIHEDRAL) {
        const [x, y] = transformPoint(8.3, 14.6, n, n, t);
        const direct = new Float32Array(n * n);
        addPointSource(direct, n, n, psf, x, y, 1000);
        const moved = transformImage(im, n, n, t);
        // Mirror-image sub-pixel shifts use mirror-image pre-integrated stamps, so even the Moffat matches.
        const tol = 1e-3;
        for (let p = 0; p < n * n; p++) expect(Math.abs(moved[p] - direct[p])).toBeLessThan(tol);
      }
    }
  });

  test("transformSources moves positions and position angles so a galaxy re-rendered there matches the moved image", () => {
    const n = 31;
    const g = { xPix: 12.4, yPix: 17.1, fluxCounts: 500, sersicN: 1.5, reffPix: 3, ellipticity: 0.5, positionAngleDeg: 25 };
    const im = renderSersic(g, { widthPix: n, heightPix: n });
    for (const t of DIHEDRAL) {
      const [moved] = transformSources([g], n, n, t);
      const direct = renderSersic(moved, { widthPix: n, heightPix: n });
      const img = transformImage(im, n, n, t);
      let maxDiff = 0;
      for (let p = 0; p < n * n; p++) maxDiff = Math.max(maxDiff, Math.abs(img[p] - direct[p]));
      expect(maxDiff).toBeLessThan(1e-3 * Math.max(...im));
    }
    expect(transformAngleDeg(30, 4)).toBe(150);
    expect(transformAngleDeg(30, 1)).toBe(120);
  });
});

describe("augmenting batches", () => {
  test("images and truth maps get the same transform; labels, flux and the map–source alignment are preserved", () => {
    const b = simulateSkyBatch(20, { seed: 3, widthPix: 32, heightPix: 32, stars: { meanCount: 6, magRange: [17, 21] } });
    const shape = { n: 20, heightPix: 32, widthPix: 32, channels: 1 };
    const aug = augmentBatch(b.images, shape, new Rng(4), { maps: b.maps });
    const augNoiseless = augmentBatch(b.noiseless!, shape, new Rng(4)); // same seed → same transforms
    expect(augNoiseless.transforms).toEqual(aug.transforms);
    expect(new Set(aug.transforms).size).toBeGreaterThan(4);
    for (let i = 0; i < 20; i++) {
      const t = aug.transforms[i];
      const off = i * 32 * 32;
      const img = b.images.subarray(off, off + 1024);
      const map = b.maps.subarray(off, off + 1024);
      expect(same(aug.images.subarray(off, off + 1024), transformImage(img, 32, 32, t))).toBe(true);
      expect(same(aug.maps!.subarray(off, off + 1024), transformImage(map, 32, 32, t))).toBe(true);
      expect(sum(aug.images.subarray(off, off + 1024))).toBeCloseTo(sum(img), 0);
      // Every source marked in the map still sits on a marked pixel after the move.
      for (const s of transformSources(b.sources[i], 32, 32, t)) {
        if (!s.inTruthMap) continue;
        const x = Math.round(s.xPix);
        const y = Math.round(s.yPix);
        if (x < 0 || y < 0 || x >= 32 || y >= 32) continue;
        expect(aug.maps![off + y * 32 + x]).toBeGreaterThan(0);
      }
    }
  });

  test("real/bogus triplets keep their label physics: a real stays a positive PSF in the difference, a dipole stays net-zero", () => {
    const b = simulateTransientBatch(16, { seed: 9, realFraction: 0.5, includeNoiseless: true, bogusMix: { dipole: 1 }, fieldStarsPerStamp: 0, hostFraction: 0, strayCosmicRayRate: 0 });
    const S = b.sizePix;
    const aug = augmentBatch(b.noiseless!, { n: 16, heightPix: S, widthPix: S, channels: 3 }, new Rng(1));
    for (let i = 0; i < 16; i++) {
      const t = b.truths[i];
      const [x, y] = transformPoint(t.xPix, t.yPix, S, S, aug.transforms[i]);
      let pos = 0, neg = 0;
      for (let j = 0; j < S; j++) for (let k = 0; k < S; k++) {
        if ((k - x) ** 2 + (j - y) ** 2 > (4 * t.sciFwhmPix) ** 2) continue;
        const v = aug.images[((i * S + j) * S + k) * 3 + 2];
        if (v > 0) pos += v; else neg -= v;
      }
      if (t.label === 1) {
        expect((pos - neg) / t.fluxCounts).toBeCloseTo(1, 1);
        expect(neg).toBeLessThan(0.02 * pos);
      } else {
        expect(Math.abs(pos - neg)).toBeLessThan(0.02 * t.fluxCounts);
        expect(neg / pos).toBeGreaterThan(0.9);
      }
    }
  });

  test("column-preserving augmentation keeps bleed trails vertical; rectangles refuse 90° rotations", () => {
    const im = simulateSkyImage({ widthPix: 48, heightPix: 48, sources: [{ kind: "star", xPix: 20.3, yPix: 24, mag: 11 }], seed: 8 });
    const bleed = Float32Array.from(im.mask, (m) => (m & MASK.bleedTrail ? 1 : 0));
    const rng = new Rng(2);
    for (let k = 0; k < 8; k++) {
      const t = randomDihedral(rng, COLUMN_PRESERVING);
      const moved = transformImage(bleed, 48, 48, t);
      const cols = new Set<number>();
      const rows = new Set<number>();
      moved.forEach((v, p) => { if (v) { cols.add(p % 48); rows.add(Math.floor(p / 48)); } });
      expect(rows.size).toBeGreaterThan(3 * cols.size);
    }
    const rect = new Float32Array(2 * 4 * 6);
    expect(() => augmentBatch(rect, { n: 2, heightPix: 4, widthPix: 6, channels: 1 }, new Rng(1))).toThrow(/COLUMN_PRESERVING/);
    expect(augmentBatch(rect, { n: 2, heightPix: 4, widthPix: 6, channels: 1 }, new Rng(1), { allowed: COLUMN_PRESERVING }).images.length).toBe(48);
  });

  test("the same seed gives the same augmentation", () => {
    const x = noise(N, 5, 1);
    const batch = new Float32Array([...x, ...x, ...x, ...x]);
    const shape = { n: 4, heightPix: N, widthPix: N, channels: 1 };
    const a = augmentBatch(batch, shape, new Rng(77));
    const b = augmentBatch(batch, shape, new Rng(77));
    expect(a.transforms).toEqual(b.transforms);
    expect(same(a.images, b.images)).toBe(true);
    const ts: Dihedral[] = [3, 5, 0, 7];
    expect(augmentBatch(batch, shape, new Rng(1), { transforms: ts }).transforms).toEqual(ts);
  });
});
