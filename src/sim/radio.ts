/**
 * A FIRST-like radio sky: cut-outs with compact sources and Fanaroff–Riley type I and II radio
 * galaxies, truth boxes round every component of each source, and morphology labels in the ClaRAN
 * scheme (Wu et al. 2019, MNRAS 482, 1211): "iCjP", i islands above the detection threshold and
 * j peaks.
 *
 * The survey (Becker, White & Helfand 1995, ApJ 450, 559): FIRST mapped 10 000 deg² at 1.4 GHz with
 * the VLA in B configuration, a 5″ (FWHM) restoring beam, 1.8″ pixels and a typical rms of
 * 0.15 mJy/beam; its catalogue threshold is 1 mJy (≈ 5σ at that rms, the default threshold here).
 * Images are in mJy/beam, so a point source of flux S mJy peaks at S, and the flux of an extended
 * source is Σ(pixels) / Ω_beam with Ω_beam = π FWHM² / (4 ln 2) ≈ 8.7 pixels².
 *
 * The sources (all distributions stated in `drawSource`):
 * - compact: an unresolved or slightly resolved Gaussian, 1–60 mJy (log-uniform).
 * - FR II (Fanaroff & Riley 1974, MNRAS 167, 31P; edge-brightened): a core, and on each side a
 *   hotspot at the end of the arm inside a diffuse elliptical lobe elongated along the axis. Arm
 *   lengths differ by an asymmetry factor, the two lobes' fluxes by a log-normal ratio.
 * - FR I (edge-darkened): a bright core, jets of three knots fading outwards, and diffuse plumes that
 *   may bend away from the jet axis.
 * Position angles are uniform. Point components use the beam exactly (the course's pixel-integrated
 * Gaussian PSF, `addPointSource`); an extended Gaussian component seen through the beam is again a
 * Gaussian, whose covariance is the sum of the two, rendered with the PSF module's density function.
 *
 * Noise: interferometric noise is correlated over a beam. White Gaussian noise convolved with a
 * Gaussian of σ_beam/√2 has an autocorrelation of the beam's shape; it is then scaled to the stated
 * rms.
 *
 * Labels: each source is drawn for a target class and redrawn until its own noiseless image, alone,
 * has that many islands above the threshold and that many peaks (`findIslands`). The truth box is the
 * bounding box of those islands grown by half a beam (`truthBoxPadPix`): it encloses every component
 * that a survey could see. Blends happen
 * because sources are placed independently (boxes may overlap up to an IoU of `maxOverlapIou`) and
 * because a compact, unrelated source is sometimes put next to a lobe.
 */
import { Rng } from "../random";
import { Box, iou, padBox } from "../detect/boxes";
import { findIslands } from "../detect/islands";
import { FWHM_PER_SIGMA, addPointSource, gaussianPsf, psfDensityFunction } from "./psf";
import { convolveSeparable } from "./image";

/** The six morphology classes of ClaRAN: components (islands) and peaks. */
export const RADIO_CLASSES = ["1C1P", "1C2P", "1C3P", "2C2P", "2C3P", "3C3P"] as const;
export type RadioClass = (typeof RADIO_CLASSES)[number];

/** Survey parameters of a cut-out. */
export interface RadioSurvey {
  /** Pixel size, arcsec (FIRST: 1.8″). */
  pixelArcsec: number;
  /** Restoring beam FWHM, arcsec (FIRST: 5″). */
  beamFwhmArcsec: number;
  /** Noise rms, mJy/beam (FIRST: ≈ 0.15). */
  noiseMJyPerBeam: number;
  /** Island threshold in units of the noise rms (5, FIRST's catalogue threshold of ≈ 1 mJy). */
  thresholdSigma: number;
  /** Cut-out side, pixels. */
  sizePix: number;
}

/** FIRST-like defaults: 48 × 48 pixels of 1.8″ (86″ across). */
export const FIRST_LIKE: RadioSurvey = { pixelArcsec: 1.8, beamFwhmArcsec: 5, noiseMJyPerBeam: 0.15, thresholdSigma: 5, sizePix: 48 };

/**
 * Truth boxes are the islands' bounding box grown by half a beam FWHM on every side (1.4 pixels for
 * FIRST): they then enclose the emission down to about 2σ rather than exactly the 5σ contour, and
 * the box of a faint compact source (whose 5σ island may be 2 pixels wide) is not at the mercy of a
 * single noisy pixel when IoUs are computed. Baseline boxes from islands are grown the same way.
 */
export function truthBoxPadPix(survey: RadioSurvey = FIRST_LIKE): number {
  return (0.5 * survey.beamFwhmArcsec) / survey.pixelArcsec;
}

/** Beam solid angle in pixels², π FWHM² / (4 ln 2): the factor between mJy/beam × pixels and mJy. */
export function beamAreaPix(survey: RadioSurvey = FIRST_LIKE): number {
  const f = survey.beamFwhmArcsec / survey.pixelArcsec;
  return (Math.PI * f * f) / (4 * Math.log(2));
}

export type RadioComponentKind = "compact" | "core" | "jet" | "lobe" | "hotspot" | "plume";
export type RadioMorphology = "compact" | "FRI" | "FRII";

/** One emitting component: a point or an elliptical Gaussian on the sky (before the beam). */
export interface RadioComponent {
  kind: RadioComponentKind;
  xPix: number;
  yPix: number;
  fluxMJy: number;
  /** Intrinsic (deconvolved) FWHM, arcsec; 0 for a point. */
  majorArcsec: number;
  minorArcsec: number;
  /** Major axis direction, degrees from +x towards +y. */
  positionAngleDeg: number;
}

/** A radio source with its truth. */
export interface RadioSource {
  morphology: RadioMorphology;
  label: RadioClass;
  classIndex: number;
  /** Islands and peaks measured on the source's own noiseless image. */
  nComponents: number;
  nPeaks: number;
  components: RadioComponent[];
  totalFluxMJy: number;
  /** Bounding box of its islands above the threshold, grown by half a beam (`truthBoxPadPix`). */
  box: Box;
  /** Largest angular size: the box diagonal, arcsec. */
  sizeArcsec: number;
  /** Its faintest island's peak, in units of the noise: how close a component is to vanishing. */
  faintestIslandSnr: number;
  /** True for a compact source placed next to another source's lobe on purpose. */
  neighbour: boolean;
}

/** One cut-out. */
export interface RadioCutout {
  /** Observed image, mJy/beam, row-major sizePix × sizePix. */
  image: Float32Array;
  /** The same without noise. */
  noiseless: Float32Array;
  sources: RadioSource[];
  sizePix: number;
}

/** Options for the simulators. */
export interface RadioSkyOptions {
  survey?: RadioSurvey;
  seed?: number;
  /** Relative frequency of each class among the sources drawn (default: 1C1P 0.25, the others 0.15). */
  classWeights?: Partial<Record<RadioClass, number>>;
  /** Probabilities of 1, 2, 3 … sources per cut-out (default [0.45, 0.4, 0.15]). */
  sourcesPerCutout?: number[];
  /** Chance that a two- or three-component source gets an unrelated compact neighbour by a lobe (default 0.25). */
  neighbourProbability?: number;
  /** Largest IoU allowed between the truth boxes of two sources (default 0.3). */
  maxOverlapIou?: number;
}

const DEFAULT_WEIGHTS: Record<RadioClass, number> = { "1C1P": 0.25, "1C2P": 0.15, "1C3P": 0.15, "2C2P": 0.15, "2C3P": 0.15, "3C3P": 0.15 };

function logUniform(rng: Rng, lo: number, hi: number): number {
  return Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));
}

function checkSurvey(fn: string, s: RadioSurvey): void {
  for (const [k, v] of Object.entries(s)) {
    if (!(typeof v === "number" && v > 0 && Number.isFinite(v))) throw new Error(`${fn}: survey.${k} must be a positive number, got ${v}`);
  }
  if (!Number.isInteger(s.sizePix) || s.sizePix < 16) throw new Error(`${fn}: survey.sizePix must be an integer >= 16, got ${s.sizePix}`);
}

/**
 * Adds one component to an image in mJy/beam. Returns the flux (mJy) that landed inside the image.
 * The whole component's flux is distributed (and renormalised over its footprint), so a component
 * away from the edges adds exactly its flux.
 */
export function addRadioComponent(image: Float32Array, c: RadioComponent, survey: RadioSurvey = FIRST_LIKE): number {
  const n = survey.sizePix;
  const beamPix = survey.beamFwhmArcsec / survey.pixelArcsec;
  const omega = beamAreaPix(survey);
  if (!(c.fluxMJy >= 0)) throw new Error(`addRadioComponent: fluxMJy must be >= 0, got ${c.fluxMJy}`);
  if (c.majorArcsec <= 0) {
    return addPointSource(image, n, n, gaussianPsf(beamPix), c.xPix, c.yPix, c.fluxMJy * omega) / omega;
  }
  // Convolved with the round beam, an elliptical Gaussian keeps its axes and adds the beam in quadrature.
  const maj = Math.hypot(c.majorArcsec, survey.beamFwhmArcsec) / survey.pixelArcsec;
  const min = Math.hypot(Math.min(c.minorArcsec, c.majorArcsec), survey.beamFwhmArcsec) / survey.pixelArcsec;
  const density = psfDensityFunction(gaussianPsf(Math.sqrt(maj * min), 1 - min / maj, c.positionAngleDeg));
  const r = Math.ceil((4 * maj) / FWHM_PER_SIGMA);
  const x0 = Math.round(c.xPix) - r;
  const y0 = Math.round(c.yPix) - r;
  const side = 2 * r + 1;
  const w = new Float64Array(side * side);
  let total = 0;
  for (let j = 0; j < side; j++) {
    for (let i = 0; i < side; i++) {
      const v = density(x0 + i - c.xPix, y0 + j - c.yPix);
      w[j * side + i] = v;
      total += v;
    }
  }
  const scale = (c.fluxMJy * omega) / total;
  let added = 0;
  for (let j = 0; j < side; j++) {
    const y = y0 + j;
    if (y < 0 || y >= n) continue;
    for (let i = 0; i < side; i++) {
      const x = x0 + i;
      if (x < 0 || x >= n) continue;
      const v = w[j * side + i] * scale;
      image[y * n + x] += v;
      added += v;
    }
  }
  return added / omega;
}

/** The noiseless image (mJy/beam) of a list of components. */
export function renderRadioComponents(components: readonly RadioComponent[], survey: RadioSurvey = FIRST_LIKE): Float32Array {
  const img = new Float32Array(survey.sizePix * survey.sizePix);
  for (const c of components) addRadioComponent(img, c, survey);
  return img;
}

/** Beam-correlated Gaussian noise with the survey's rms, mJy/beam. */
export function radioNoise(rng: Rng, survey: RadioSurvey = FIRST_LIKE): Float32Array {
  const n = survey.sizePix;
  const sigma = survey.beamFwhmArcsec / survey.pixelArcsec / FWHM_PER_SIGMA / Math.SQRT2;
  const r = Math.ceil(4 * sigma);
  const k = Float64Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const k2 = k.reduce((s, v) => s + v * v, 0);
  const big = n + 2 * r;
  const white = new Float32Array(big * big);
  for (let p = 0; p < white.length; p++) white[p] = rng.normal();
  const smooth = convolveSeparable(white, big, big, k);
  const out = new Float32Array(n * n);
  // The 2-D kernel is k_i k_j, so the smoothed noise has variance Σ_ij k_i² k_j² = (Σ k_i²)².
  const scale = survey.noiseMJyPerBeam / k2;
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) out[y * n + x] = smooth[(y + r) * big + x + r] * scale;
  return out;
}

/** Components of one source of a target class, centred on (x, y); the caller checks the label. */
function drawSource(rng: Rng, target: RadioClass, xPix: number, yPix: number, survey: RadioSurvey): { morphology: RadioMorphology; components: RadioComponent[] } {
  const px = survey.pixelArcsec;
  if (target === "1C1P") {
    const size = rng.uniform(0, 4);
    return {
      morphology: "compact",
      components: [{ kind: "compact", xPix, yPix, fluxMJy: logUniform(rng, 1, 60), majorArcsec: size, minorArcsec: size * rng.uniform(0.5, 1), positionAngleDeg: rng.uniform(0, 180) }],
    };
  }
  // Hotspot-to-hotspot (FR II) or plume-to-plume (FR I) size, arcsec; the range sets the class.
  const useFri = (target === "1C3P" || target === "1C2P") && rng.random() < 0.5;
  const sizeRange: Record<RadioClass, [number, number]> = {
    "1C1P": [0, 0], "1C2P": [12, 24], "1C3P": [18, 36], "2C2P": [28, 70], "2C3P": [28, 70], "3C3P": [34, 70],
  };
  const coreRange: Record<RadioClass, [number, number]> = {
    "1C1P": [0, 0], "1C2P": [0.002, 0.05], "1C3P": [0.1, 0.4], "2C2P": [0.002, 0.03], "2C3P": [0.08, 0.35], "3C3P": [0.08, 0.35],
  };
  const sizeArcsec = rng.uniform(...sizeRange[target]);
  const coreFraction = logUniform(rng, ...coreRange[target]);
  const asym = target === "2C3P" ? rng.uniform(0.25, 0.6) : rng.uniform(0, 0.2);   // arm-length asymmetry
  const totalMJy = logUniform(rng, 4, 150);
  const pa = rng.uniform(0, 360);
  const lobeRatio = 10 ** Math.max(-0.5, Math.min(0.5, rng.normal(0, 0.2)));          // flux of lobe A / lobe B
  const components: RadioComponent[] = [];
  const core = totalMJy * coreFraction;
  components.push({ kind: "core", xPix, yPix, fluxMJy: core, majorArcsec: 0, minorArcsec: 0, positionAngleDeg: 0 });
  const lobesMJy = totalMJy - core;
  const fluxA = (lobesMJy * lobeRatio) / (1 + lobeRatio);
  const arms: Array<{ armArcsec: number; flux: number; angle: number }> = [
    { armArcsec: (sizeArcsec / 2) * (1 + asym), flux: fluxA, angle: pa },
    { armArcsec: (sizeArcsec / 2) * (1 - asym), flux: lobesMJy - fluxA, angle: pa + 180 },
  ];
  for (const arm of arms) {
    const rad = (arm.angle * Math.PI) / 180;
    const at = (dArcsec: number, bendDeg = 0) => {
      const a = rad + (bendDeg * Math.PI) / 180;
      return { x: xPix + (dArcsec / px) * Math.cos(a), y: yPix + (dArcsec / px) * Math.sin(a) };
    };
    if (!useFri) {
      // FR II: a compact hotspot at the end of the arm inside a diffuse lobe that trails back towards the core.
      const hotspotFraction = rng.uniform(0.2, 0.6);
      const hs = at(arm.armArcsec);
      components.push({ kind: "hotspot", xPix: hs.x, yPix: hs.y, fluxMJy: arm.flux * hotspotFraction, majorArcsec: 0, minorArcsec: 0, positionAngleDeg: 0 });
      const lobeMajor = arm.armArcsec * rng.uniform(0.4, 0.7);
      const lc = at(arm.armArcsec - lobeMajor * 0.35);
      components.push({ kind: "lobe", xPix: lc.x, yPix: lc.y, fluxMJy: arm.flux * (1 - hotspotFraction), majorArcsec: lobeMajor,
        minorArcsec: lobeMajor * rng.uniform(0.4, 0.8), positionAngleDeg: arm.angle });
    } else {
      // FR I: knots of a jet fading outwards, then a broad plume that may bend.
      const jetFraction = rng.uniform(0.3, 0.5);
      const bend = rng.uniform(-30, 30);
      [0.25, 0.45, 0.65].forEach((f, i) => {
        const k = at(arm.armArcsec * f, bend * f);
        components.push({ kind: "jet", xPix: k.x, yPix: k.y, fluxMJy: (arm.flux * jetFraction * [0.5, 0.3, 0.2][i]), majorArcsec: 3,
          minorArcsec: 2, positionAngleDeg: arm.angle + bend * f });
      });
      const plume = arm.armArcsec * rng.uniform(0.5, 0.8);
      const pc = at(arm.armArcsec * 0.9, bend);
      components.push({ kind: "plume", xPix: pc.x, yPix: pc.y, fluxMJy: arm.flux * (1 - jetFraction), majorArcsec: plume,
        minorArcsec: plume * rng.uniform(0.5, 0.9), positionAngleDeg: arm.angle + bend });
    }
  }
  return { morphology: useFri ? "FRI" : "FRII", components };
}

/** Islands and peaks of one source's own noiseless image, its truth box and faintest island. */
export function measureRadioMorphology(noiseless: Float32Array, survey: RadioSurvey = FIRST_LIKE): { nComponents: number; nPeaks: number; box: Box | null; faintestIslandSnr: number; touchesEdge: boolean } {
  const n = survey.sizePix;
  const islands = findIslands(noiseless, n, n, { threshold: survey.thresholdSigma * survey.noiseMJyPerBeam });
  if (!islands.length) return { nComponents: 0, nPeaks: 0, box: null, faintestIslandSnr: 0, touchesEdge: false };
  const box = {
    x0: Math.min(...islands.map((i) => i.box.x0)), y0: Math.min(...islands.map((i) => i.box.y0)),
    x1: Math.max(...islands.map((i) => i.box.x1)), y1: Math.max(...islands.map((i) => i.box.y1)),
  };
  return {
    nComponents: islands.length,
    nPeaks: islands.reduce((s, i) => s + i.peaks.length, 0),
    box: padBox(box, truthBoxPadPix(survey), n),
    faintestIslandSnr: Math.min(...islands.map((i) => i.peakValue)) / survey.noiseMJyPerBeam,
    touchesEdge: box.x0 <= 0 || box.y0 <= 0 || box.x1 >= n || box.y1 >= n,
  };
}

function drawClass(rng: Rng, weights: Record<RadioClass, number>): RadioClass {
  const total = RADIO_CLASSES.reduce((s, c) => s + weights[c], 0);
  let u = rng.random() * total;
  for (const c of RADIO_CLASSES) {
    u -= weights[c];
    if (u < 0) return c;
  }
  return RADIO_CLASSES[RADIO_CLASSES.length - 1];
}

const MAX_TRIES = 400;

/**
 * A source of the target class placed so its truth box lies inside the cut-out and overlaps no box in
 * `taken` by more than `maxOverlapIou`; `near` puts its centre within a few beams of that point.
 * Returns null if no placement was found.
 */
function placeSource(rng: Rng, target: RadioClass, survey: RadioSurvey, taken: Box[], maxOverlapIou: number, near?: { x: number; y: number }): RadioSource | null {
  const n = survey.sizePix;
  const beamPix = survey.beamFwhmArcsec / survey.pixelArcsec;
  for (let t = 0; t < MAX_TRIES; t++) {
    let x: number;
    let y: number;
    if (near) {
      const d = rng.uniform(1.6, 3) * beamPix;
      const a = rng.uniform(0, 2 * Math.PI);
      x = near.x + d * Math.cos(a);
      y = near.y + d * Math.sin(a);
    } else {
      x = rng.uniform(3, n - 3);
      y = rng.uniform(3, n - 3);
    }
    const { morphology, components } = drawSource(rng, target, x, y, survey);
    const alone = renderRadioComponents(components, survey);
    const m = measureRadioMorphology(alone, survey);
    if (!m.box || m.touchesEdge || `${m.nComponents}C${m.nPeaks}P` !== target) continue;
    if (taken.some((b) => iou(b, m.box!) > maxOverlapIou)) continue;
    const diag = Math.hypot(m.box.x1 - m.box.x0, m.box.y1 - m.box.y0) * survey.pixelArcsec;
    return {
      morphology, label: target, classIndex: RADIO_CLASSES.indexOf(target), nComponents: m.nComponents, nPeaks: m.nPeaks, components,
      totalFluxMJy: components.reduce((s, c) => s + c.fluxMJy, 0), box: m.box, sizeArcsec: diag, faintestIslandSnr: m.faintestIslandSnr,
      neighbour: near !== undefined,
    };
  }
  return null;
}

/** One FIRST-like cut-out with its sources. */
export function simulateRadioCutout(options: RadioSkyOptions & { rng?: Rng } = {}): RadioCutout {
  const survey = options.survey ?? FIRST_LIKE;
  checkSurvey("simulateRadioCutout", survey);
  const rng = options.rng ?? new Rng(options.seed ?? 1);
  const weights = { ...DEFAULT_WEIGHTS, ...(options.classWeights ?? {}) };
  for (const c of RADIO_CLASSES) {
    if (!(weights[c] >= 0)) throw new Error(`simulateRadioCutout: classWeights.${c} must be >= 0, got ${weights[c]}`);
  }
  const perCutout = options.sourcesPerCutout ?? [0.45, 0.4, 0.15];
  const neighbourP = options.neighbourProbability ?? 0.25;
  const maxOverlap = options.maxOverlapIou ?? 0.3;
  let u = rng.random() * perCutout.reduce((a, b) => a + b, 0);
  let nSources = 1;
  for (let k = 0; k < perCutout.length; k++) { u -= perCutout[k]; if (u < 0) { nSources = k + 1; break; } }
  const sources: RadioSource[] = [];
  for (let k = 0; k < nSources; k++) {
    const s = placeSource(rng, drawClass(rng, weights), survey, sources.map((q) => q.box), maxOverlap);
    if (!s) continue;
    sources.push(s);
    if (s.nComponents >= 2 && rng.random() < neighbourP) {
      const lobes = s.components.filter((c) => c.kind === "hotspot" || c.kind === "plume");
      const lobe = rng.choice(lobes.length ? lobes : s.components);
      const nb = placeSource(rng, "1C1P", survey, sources.map((q) => q.box), maxOverlap, { x: lobe.xPix, y: lobe.yPix });
      if (nb) sources.push(nb);
    }
  }
  const noiseless = renderRadioComponents(sources.flatMap((s) => s.components), survey);
  const noise = radioNoise(rng, survey);
  const image = noiseless.map((v, p) => v + noise[p]);
  return { image, noiseless, sources, sizePix: survey.sizePix };
}

/** A batch of cut-outs, images stacked [n, size, size]. */
export interface RadioBatch {
  cutouts: RadioCutout[];
  /** Observed images, mJy/beam, n × size × size. */
  images: Float32Array;
  n: number;
  sizePix: number;
  survey: RadioSurvey;
}

/** n cut-outs from one seed (the same seed gives the same batch). */
export function simulateRadioBatch(n: number, options: RadioSkyOptions = {}): RadioBatch {
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`simulateRadioBatch: n must be a positive integer, got ${n}`);
  const survey = options.survey ?? FIRST_LIKE;
  const rng = new Rng(options.seed ?? 1);
  const cutouts = Array.from({ length: n }, () => simulateRadioCutout({ ...options, survey, rng: rng.fork() }));
  const px = survey.sizePix * survey.sizePix;
  const images = new Float32Array(n * px);
  cutouts.forEach((c, i) => images.set(c.image, i * px));
  return { cutouts, images, n, sizePix: survey.sizePix, survey };
}

/**
 * What the network sees: each pixel in units of the noise, compressed by asinh so that a 1000σ core
 * and a 5σ lobe both sit within a few units: asinh(S/N / 3).
 */
export function radioNetworkInput(imagesMJyPerBeam: Float32Array, survey: RadioSurvey = FIRST_LIKE): Float32Array {
  return imagesMJyPerBeam.map((v) => Math.asinh(v / survey.noiseMJyPerBeam / 3));
}
