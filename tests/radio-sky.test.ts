/**
 * The radio-sky simulator: flux is conserved, each source's emission lies inside its truth box,
 * every label's component and peak counts are what its own image shows (counted here by an
 * independent flood fill), the noise has the stated rms and a beam-sized correlation, and a seed
 * gives the same sky twice.
 */
import { Rng } from "../src/random";
import {
  addRadioComponent, beamAreaPix, FIRST_LIKE, radioNoise, RADIO_CLASSES, renderRadioComponents, simulateRadioBatch, simulateRadioCutout,
} from "../src/sim/radio";

const N = FIRST_LIKE.sizePix;
const threshold = FIRST_LIKE.thresholdSigma * FIRST_LIKE.noiseMJyPerBeam;
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);
const batch = simulateRadioBatch(150, { seed: 11 });
const sources = batch.cutouts.flatMap((c) => c.sources);

/** Islands (8-connected, above threshold) and peaks (maxima of a 5 × 5 window) counted from scratch. */
function countIslandsAndPeaks(img: Float32Array): { islands: number; peaks: number; pixels: Array<[number, number]> } {
  const seen = new Uint8Array(img.length);
  let islands = 0;
  const pixels: Array<[number, number]> = [];
  for (let p = 0; p < img.length; p++) {
    if (seen[p] || img[p] <= threshold) continue;
    islands++;
    const queue = [p];
    seen[p] = 1;
    while (queue.length) {
      const q = queue.shift()!;
      const x = q % N;
      const y = Math.floor(q / N);
      pixels.push([x, y]);
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        const yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= N || yy >= N) continue;
        const r = yy * N + xx;
        if (!seen[r] && img[r] > threshold) { seen[r] = 1; queue.push(r); }
      }
    }
  }
  let peaks = 0;
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) {
    const v = img[y * N + x];
    if (v <= threshold) continue;
    let isMax = true;
    for (let yy = Math.max(0, y - 2); yy <= Math.min(N - 1, y + 2) && isMax; yy++) {
      for (let xx = Math.max(0, x - 2); xx <= Math.min(N - 1, x + 2); xx++) {
        const u = img[yy * N + xx];
        if ((yy !== y || xx !== x) && (u > v || (u === v && yy * N + xx < y * N + x))) { isMax = false; break; }
      }
    }
    if (isMax) peaks++;
  }
  return { islands, peaks, pixels };
}

describe("flux", () => {
  test("a point and an extended component away from the edges add exactly their flux: Σ pixels / Ω_beam = S", () => {
    const img = new Float32Array(N * N);
    const point = addRadioComponent(img, { kind: "core", xPix: 20.3, yPix: 24.7, fluxMJy: 12, majorArcsec: 0, minorArcsec: 0, positionAngleDeg: 0 });
    expect(point).toBeCloseTo(12, 4);
    expect(sum(img) / beamAreaPix()).toBeCloseTo(12, 3);
    const lobe = addRadioComponent(img, { kind: "lobe", xPix: 25, yPix: 22, fluxMJy: 30, majorArcsec: 12, minorArcsec: 6, positionAngleDeg: 35 });
    expect(lobe).toBeCloseTo(30, 3);
    expect(sum(img) / beamAreaPix()).toBeCloseTo(42, 2);
  });
  test("a point source of S mJy peaks at ≈ S mJy/beam (the image is in mJy/beam)", () => {
    const img = new Float32Array(N * N);
    addRadioComponent(img, { kind: "compact", xPix: 24, yPix: 24, fluxMJy: 10, majorArcsec: 0, minorArcsec: 0, positionAngleDeg: 0 });
    expect(Math.max(...Array.from(img))).toBeGreaterThan(9);     // pixel integration lowers the peak a little
    expect(Math.max(...Array.from(img))).toBeLessThan(10.01);
  });
  test("each cut-out's noiseless image holds the flux of its sources (to the wings cut off at the edges)", () => {
    for (const c of batch.cutouts.slice(0, 60)) {
      const inImage = sum(c.noiseless) / beamAreaPix();
      const total = sum(c.sources.map((s) => s.totalFluxMJy));
      expect(inImage).toBeLessThanOrEqual(total * 1.0001);
      expect(inImage).toBeGreaterThan(total * 0.97);
    }
  });
  test("a source's total flux is the sum of its components", () => {
    for (const s of sources) expect(s.totalFluxMJy).toBeCloseTo(sum(s.components.map((c) => c.fluxMJy)), 8);
  });
});

describe("truth boxes and labels", () => {
  test("all six classes occur, with compact sources for 1C1P and FR II doubles for 2C and 3C", () => {
    for (const c of RADIO_CLASSES) expect(sources.filter((s) => s.label === c).length).toBeGreaterThan(5);
    for (const s of sources) {
      if (s.label === "1C1P") expect(s.morphology).toBe("compact");
      if (s.nComponents >= 2) expect(s.morphology).toBe("FRII");
    }
  });
  test("every pixel of a source's own emission above the threshold is inside its box; every component centre within a beam of it", () => {
    const beamPix = FIRST_LIKE.beamFwhmArcsec / FIRST_LIKE.pixelArcsec;
    const outside: string[] = [];
    for (const s of sources) {
      const { pixels } = countIslandsAndPeaks(renderRadioComponents(s.components));
      const inBox = (x: number, y: number, pad: number) => x >= s.box.x0 - pad && x <= s.box.x1 + pad && y >= s.box.y0 - pad && y <= s.box.y1 + pad;
      for (const [x, y] of pixels) if (!inBox(x, y, 0) || !inBox(x + 1, y + 1, 0)) outside.push(`${s.label} pixel (${x}, ${y})`);
      for (const c of s.components) if (!inBox(c.xPix, c.yPix, beamPix)) outside.push(`${s.label} ${c.kind} at (${c.xPix}, ${c.yPix})`);
      // the box is inside the cut-out (sources are placed so that none is cut by the edge)
      if (!(s.box.x0 >= 0 && s.box.y0 >= 0 && s.box.x1 <= N && s.box.y1 <= N)) outside.push(`${s.label} box at the edge`);
    }
    expect(outside).toEqual([]);
  });
  test("the label's component and peak counts are what the source's own image shows", () => {
    for (const s of sources) {
      const { islands, peaks } = countIslandsAndPeaks(renderRadioComponents(s.components));
      expect(`${islands}C${peaks}P`).toBe(s.label);
      expect(s.nComponents).toBe(islands);
      expect(s.nPeaks).toBe(peaks);
      expect(RADIO_CLASSES[s.classIndex]).toBe(s.label);
    }
  });
  test("3C3P doubles have a core bright enough to be its own island; 2C2P cores are not", () => {
    const coreIsland = (s: (typeof sources)[number]) => {
      const core = s.components.find((c) => c.kind === "core")!;
      const img = renderRadioComponents([core]);
      return Math.max(...Array.from(img)) > threshold;
    };
    for (const s of sources.filter((q) => q.label === "3C3P")) expect(coreIsland(s)).toBe(true);
    for (const s of sources.filter((q) => q.label === "2C2P")) expect(coreIsland(s)).toBe(false);
  });
});

describe("noise and reproducibility", () => {
  test("noise rms 0.15 mJy/beam, correlated over the beam (neighbour correlation ≈ e^(−1/2σ²) ≈ 0.70)", () => {
    const rng = new Rng(3);
    let s2 = 0;
    let c1 = 0;
    let n = 0;
    let m = 0;
    for (let k = 0; k < 40; k++) {
      const z = radioNoise(rng);
      for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) {
        const v = z[y * N + x];
        s2 += v * v;
        n++;
        if (x + 1 < N) { c1 += v * z[y * N + x + 1]; m++; }
      }
    }
    const rms = Math.sqrt(s2 / n);
    expect(rms).toBeGreaterThan(0.14);
    expect(rms).toBeLessThan(0.16);
    const sigmaBeamPix = FIRST_LIKE.beamFwhmArcsec / FIRST_LIKE.pixelArcsec / (2 * Math.sqrt(2 * Math.log(2)));
    expect(c1 / m / (s2 / n)).toBeCloseTo(Math.exp(-1 / (4 * sigmaBeamPix ** 2) * 2), 1);
  });
  test("the same seed gives the same sky; another seed another", () => {
    const a = simulateRadioBatch(5, { seed: 21 });
    const b = simulateRadioBatch(5, { seed: 21 });
    const c = simulateRadioBatch(5, { seed: 22 });
    expect(Array.from(a.images)).toEqual(Array.from(b.images));
    expect(JSON.stringify(a.cutouts.map((q) => q.sources))).toBe(JSON.stringify(b.cutouts.map((q) => q.sources)));
    expect(Array.from(a.images)).not.toEqual(Array.from(c.images));
    expect(simulateRadioCutout({ seed: 4 }).image).toEqual(simulateRadioCutout({ seed: 4 }).image);
  });
  test("bad input is refused with the function, value and what is accepted", () => {
    expect(() => simulateRadioBatch(0)).toThrow(/simulateRadioBatch: n must be a positive integer, got 0/);
    expect(() => simulateRadioCutout({ survey: { ...FIRST_LIKE, noiseMJyPerBeam: -1 } })).toThrow(/survey.noiseMJyPerBeam must be a positive number, got -1/);
    expect(() => simulateRadioCutout({ classWeights: { "2C2P": -1 } })).toThrow(/classWeights.2C2P must be >= 0/);
  });
});
