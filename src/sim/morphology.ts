/**
 * Galaxies of three Hubble types on small cut-outs: ellipticals, spirals and barred spirals.
 *
 * - **Elliptical**: one smooth Sérsic profile of high index (n = 3–6; n = 4 is de Vaucouleurs 1948),
 *   projected ellipticity 0–0.6.
 * - **Spiral**: a bulge (Sérsic n = 1.5–3, 10–35 % of the light) in a thin exponential disc,
 *   I(R) ∝ exp(−R/h) (Freeman 1970), part of whose light sits in m = 2–3 *logarithmic spiral arms*
 *   R = R₀ exp(θ tan p) of pitch angle p (the angle between arm and circle; Sa ≈ 5–10°, Sc ≈ 20–30°,
 *   Kennicutt 1981, AJ 86, 1847), dotted with clumpy star-forming knots (HII regions) along the arms.
 * - **Barred spiral**: the same with a bar, an elongated flat (Sérsic n ≈ 0.5) component of axis
 *   ratio 0.2–0.35, and arms that start at the two ends of the bar (two arms, as in most SBb–SBc).
 *
 * Geometry. The disc is thin: a point at (x, y) in the disc plane appears on the sky at
 * (x, y cos i) rotated by the position angle, so the disc's isophotes become ellipses of axis ratio
 * cos i, the bar and arms are foreshortened with it, and the bulge (a thick spheroid of intrinsic
 * axis ratio 0.7) flattens less: q_bulge² = cos²i + 0.7² sin²i (Hubble 1926).
 *
 * Rendering. Every component is integrated over pixels (Sérsic components with `renderSersic`'s
 * adaptive quadrature; disc, arms, bar and knots with 3 × 3 Gauss–Legendre points per pixel) on a
 * canvas larger than the stamp, normalised to its own flux there, convolved with the PSF and cropped
 * to the stamp. The flux that falls outside the stamp is reported (`fluxOnStampCounts`), so a
 * measurement on the stamp can be compared with what it really holds.
 *
 * Noise. Sky, Poisson photon noise and Gaussian read noise (`readOut`), returned in units of the
 * background noise σ_bg as in `simulateGalaxyCutouts`.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng, defaultRng } from "../random";
import { Psf, gaussianPsf, psfRadiusPix, blurWithPsf } from "./psf";
import { renderSersic } from "./galaxy";
import { cropImage } from "./image";
import { backgroundSigmaCounts, readOut } from "./detector";

const { exp, log, sqrt, cos, sin, atan2, tan, floor, ceil, max, min, abs, round, PI, asinh, sinh } = Math;

/** The three morphologies, in label order (label k is `MORPHOLOGIES[k]`). */
export const MORPHOLOGIES = ["elliptical", "spiral", "barred spiral"] as const;
/** One of `MORPHOLOGIES`. */
export type Morphology = (typeof MORPHOLOGIES)[number];

/** The truth of one simulated galaxy: every parameter its image was drawn from. */
export interface MorphologyGalaxy {
  morphology: Morphology;
  /** `MORPHOLOGIES.indexOf(morphology)`. */
  label: number;
  /** Centre on the stamp, pixels (x = column, y = row). */
  xPix: number;
  yPix: number;
  /** Total flux, counts. */
  fluxCounts: number;
  /** Direction of the projected major axis (the line of nodes for discs), degrees from +x towards +y. */
  positionAngleDeg: number;
  /** Disc inclination, degrees (0 = face-on; 0 for ellipticals, whose shape is `ellipticity`). */
  inclinationDeg: number;
  /** Ellipticals: projected 1 − b/a of the Sérsic profile; discs: 1 − cos i of the disc. */
  ellipticity: number;
  /** Sérsic index and half-light radius of the elliptical, or of the bulge of a disc galaxy. */
  sersicN: number;
  reffPix: number;
  /** Fraction of the light in the bulge (1 for ellipticals). */
  bulgeFraction: number;
  /** Disc exponential scale length, pixels (0 for ellipticals). */
  discScaleLengthPix: number;
  /** Number of spiral arms (0 for ellipticals). */
  armCount: number;
  /** Arm pitch angle, degrees (positive: arms trail counter-clockwise in the disc plane; 0 for ellipticals). */
  pitchAngleDeg: number;
  /** Disc-plane radius where the arms begin (the bar's end for barred spirals), pixels. */
  armStartPix: number;
  /** Fraction of the total light in the arms (without knots) and in the knots. */
  armFraction: number;
  knotFraction: number;
  knotCount: number;
  /** Bar half-length (disc plane), pixels, its axis ratio and angle in the disc plane, and its light fraction (0 if unbarred). */
  barLengthPix: number;
  barAxisRatio: number;
  barAngleDeg: number;
  barFraction: number;
  /** Flux that landed on the stamp after the PSF, counts (≤ fluxCounts). */
  fluxOnStampCounts: number;
}

/** Ranges the galaxies are drawn from; every field has a default. */
export interface MorphologyOptions {
  /** Stamp side, pixels (default 32). */
  sizePix?: number;
  /** PSF (default Gaussian, FWHM 2 pixels). */
  psf?: Psf;
  /** Sky, counts per pixel (default 100); read noise e⁻ (default 5); gain e⁻/count (default 1). */
  skyCountsPerPix?: number;
  readNoiseE?: number;
  gainEPerCount?: number;
  /** Total flux range, counts, log-uniform (default [2e4, 2e5]). */
  fluxRangeCounts?: [number, number];
  /** Elliptical half-light radius range, pixels, log-uniform (default [2, 5]). */
  ellipticalReffRangePix?: [number, number];
  /** Disc scale length range, pixels, log-uniform (default [2.5, 4.5]). */
  discScaleRangePix?: [number, number];
  /** Pitch angle range, degrees (default [12, 30]). */
  pitchRangeDeg?: [number, number];
  /** Largest disc inclination, degrees (default 65: beyond that the arms are lost in projection). */
  maxInclinationDeg?: number;
  /** Centre jitter, ± pixels per axis (default 0.5). */
  centreJitterPix?: number;
  /** Fraction of each morphology in a batch (default equal thirds). */
  classFractions?: [number, number, number];
  /** Seed for a fresh generator (default: a fork of the `seedEverything` generator). */
  seed?: number;
  rng?: Rng;
}

/** Overrides for `drawMorphologyGalaxy`: fix any parameter instead of drawing it. */
export type MorphologyOverrides = Partial<Omit<MorphologyGalaxy, "morphology" | "label" | "fluxOnStampCounts">>;

function logUniform(rng: Rng, [lo, hi]: [number, number]): number {
  return exp(rng.uniform(log(lo), log(hi)));
}

function checkRange(name: string, r: [number, number] | undefined, lowest: number): void {
  if (r && !(r[0] >= lowest && r[1] >= r[0])) throw new Error(`drawMorphologyGalaxy: ${name} must be [low, high] with ${lowest} ≤ low ≤ high, got [${r}]`);
}

/** Draws the parameters of one galaxy of the given morphology (truth without `fluxOnStampCounts`). */
export function drawMorphologyGalaxy(morphology: Morphology, rng: Rng, options: MorphologyOptions = {}, overrides: MorphologyOverrides = {}): Omit<MorphologyGalaxy, "fluxOnStampCounts"> {
  const label = MORPHOLOGIES.indexOf(morphology);
  if (label < 0) throw new Error(`drawMorphologyGalaxy: morphology must be one of ${MORPHOLOGIES.join(", ")}; got "${morphology}"`);
  checkRange("fluxRangeCounts", options.fluxRangeCounts, 1e-9);
  checkRange("pitchRangeDeg", options.pitchRangeDeg, 1);
  const size = options.sizePix ?? 32;
  const c = (size - 1) / 2;
  const jitter = options.centreJitterPix ?? 0.5;
  const g: Omit<MorphologyGalaxy, "fluxOnStampCounts"> = {
    morphology, label,
    xPix: c + rng.uniform(-jitter, jitter),
    yPix: c + rng.uniform(-jitter, jitter),
    fluxCounts: logUniform(rng, options.fluxRangeCounts ?? [2e4, 2e5]),
    positionAngleDeg: rng.uniform(0, 180),
    inclinationDeg: 0, ellipticity: 0, sersicN: 4, reffPix: 3, bulgeFraction: 1, discScaleLengthPix: 0,
    armCount: 0, pitchAngleDeg: 0, armStartPix: 0, armFraction: 0, knotFraction: 0, knotCount: 0,
    barLengthPix: 0, barAxisRatio: 1, barAngleDeg: 0, barFraction: 0,
  };
  if (morphology === "elliptical") {
    g.sersicN = rng.uniform(3, 6);
    g.reffPix = logUniform(rng, options.ellipticalReffRangePix ?? [2, 5]);
    g.ellipticity = rng.uniform(0, 0.6);
  } else {
    // Uniform in cos i: random orientations of a disc in space, up to the largest inclination.
    const cosMin = cos(((options.maxInclinationDeg ?? 65) * PI) / 180);
    g.inclinationDeg = (Math.acos(rng.uniform(cosMin, 1)) * 180) / PI;
    g.ellipticity = 1 - cos((g.inclinationDeg * PI) / 180);
    g.discScaleLengthPix = logUniform(rng, options.discScaleRangePix ?? [2.5, 4.5]);
    g.sersicN = rng.uniform(1.5, 3);
    g.reffPix = rng.uniform(0.6, 1.2);
    g.bulgeFraction = rng.uniform(0.1, 0.3);
    const [p0, p1] = options.pitchRangeDeg ?? [12, 30];
    g.pitchAngleDeg = rng.uniform(p0, p1);
    g.armFraction = rng.uniform(0.25, 0.35);
    g.knotFraction = rng.uniform(0.04, 0.08);
    g.knotCount = rng.integer(4, 13);
    g.barAngleDeg = rng.uniform(0, 360);
    if (morphology === "barred spiral") {
      g.armCount = 2;
      g.barLengthPix = g.discScaleLengthPix * rng.uniform(1, 1.5);
      g.barAxisRatio = rng.uniform(0.2, 0.35);
      g.barFraction = rng.uniform(0.12, 0.2);
      g.armStartPix = g.barLengthPix;
    } else {
      g.armCount = rng.uniform(0, 1) < 0.7 ? 2 : 3;
      g.armStartPix = g.discScaleLengthPix * rng.uniform(0.5, 0.9);
    }
  }
  return { ...g, ...overrides };
}

// Gauss–Legendre nodes and weights on [−½, ½], 3 per axis: exact for polynomials of degree 5.
const GL3 = [-0.5 * sqrt(0.6), 0, 0.5 * sqrt(0.6)];
const GL3W = [5 / 18, 8 / 18, 5 / 18];
const GL2 = [-0.5 / sqrt(3), 0.5 / sqrt(3)];
const GL2W = [0.5, 0.5];


/** A disc-plane component: its density at disc-plane point (u, v) = (r cos φ, r sin φ), and its flux. */
interface DiscComponent {
  fluxCounts: number;
  density: (u: number, v: number, r: number, phi: number) => number;
}

/**
 * Adds disc-plane components to the canvas, each normalised to its own flux on the canvas. All
 * components share one pass over the pixels (the sky → disc-plane mapping is the costly part): 3 × 3
 * Gauss–Legendre points per pixel within 3 pixels of the centre, 2 × 2 further out.
 */
function addDiscComponents(canvas: Float32Array, side: number, g: Omit<MorphologyGalaxy, "fluxOnStampCounts">, x0: number, y0: number,
  components: DiscComponent[], reachPix: number): void {
  const active = components.filter((k) => k.fluxCounts > 0);
  if (active.length === 0) return;
  const pa = (g.positionAngleDeg * PI) / 180;
  const c = cos(pa);
  const s = sin(pa);
  const invCosI = 1 / cos((g.inclinationDeg * PI) / 180);
  const nc = active.length;
  const tmp = active.map(() => new Float32Array(side * side));
  const totals = new Float64Array(nc);
  const acc = new Float64Array(nc);
  const ya = max(0, floor(y0 - reachPix));
  const yb = min(side - 1, ceil(y0 + reachPix));
  const xa = max(0, floor(x0 - reachPix));
  const xb = min(side - 1, ceil(x0 + reachPix));
  for (let y = ya; y <= yb; y++) {
    for (let x = xa; x <= xb; x++) {
      const near = (x - x0) ** 2 + (y - y0) ** 2 < 9;
      const nodes = near ? GL3 : GL2;
      const w = near ? GL3W : GL2W;
      acc.fill(0);
      for (let j = 0; j < nodes.length; j++) {
        for (let i = 0; i < nodes.length; i++) {
          const dx = x + nodes[i] - x0;
          const dy = y + nodes[j] - y0;
          // Sky → disc plane: rotate onto the line of nodes, stretch the minor axis by 1/cos i.
          const u = dx * c + dy * s;
          const v = (-dx * s + dy * c) * invCosI;
          const r = sqrt(u * u + v * v);
          const phi = atan2(v, u);
          const wij = w[i] * w[j];
          for (let k = 0; k < nc; k++) acc[k] += wij * active[k].density(u, v, r, phi);
        }
      }
      const p = y * side + x;
      for (let k = 0; k < nc; k++) { tmp[k][p] = acc[k]; totals[k] += acc[k]; }
    }
  }
  for (let k = 0; k < nc; k++) {
    if (totals[k] <= 0) continue;
    const f = active[k].fluxCounts / totals[k];
    const t = tmp[k];
    for (let p = 0; p < t.length; p++) canvas[p] += t[p] * f;
  }
}

/** Knot positions in the disc plane (u, v), pixels: along the arms, between the arm start and 3 scale lengths. */
export function knotPositions(g: Omit<MorphologyGalaxy, "fluxOnStampCounts">, rng: Rng): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const tanP = tan((g.pitchAngleDeg * PI) / 180);
  const phi0 = (g.barAngleDeg * PI) / 180;
  const r0 = max(g.armStartPix, 0.5);
  for (let k = 0; k < g.knotCount; k++) {
    const arm = rng.integer(0, g.armCount);
    const r = r0 + rng.uniform(0, 1) * max(0.5, 3 * g.discScaleLengthPix - r0);
    const phi = phi0 + (2 * PI * arm) / g.armCount + log(r / r0) / tanP + rng.normal(0, 0.08);
    out.push([r * cos(phi), r * sin(phi)]);
  }
  return out;
}

/**
 * The noiseless image of one galaxy (counts above sky) on a `sizePix` stamp after the PSF, with the
 * flux that landed on it. `rng` places the knots.
 */
export function renderMorphologyGalaxy(g: Omit<MorphologyGalaxy, "fluxOnStampCounts">, sizePix: number, psf: Psf | null, rng: Rng): { image: Float32Array; fluxOnStampCounts: number } {
  if (!(g.fluxCounts > 0)) throw new Error(`renderMorphologyGalaxy: fluxCounts must be > 0, got ${g.fluxCounts}`);
  if (!(g.inclinationDeg >= 0 && g.inclinationDeg < 85)) throw new Error(`renderMorphologyGalaxy: inclinationDeg must be in [0, 85), got ${g.inclinationDeg}`);
  const psfR = psf ? ceil(psfRadiusPix(psf, 1e-3)) : 0;
  const margin = 10 + psfR;
  const side = sizePix + 2 * margin;
  const cx = g.xPix + margin;
  const cy = g.yPix + margin;
  const canvas = new Float32Array(side * side);
  const bulgeFlux = g.fluxCounts * g.bulgeFraction;
  if (bulgeFlux > 0) {
    // A thick bulge flattens less than the disc; an elliptical has its own ellipticity.
    const isDisc = g.discScaleLengthPix > 0;
    const ci = cos((g.inclinationDeg * PI) / 180);
    const e = isDisc ? 1 - sqrt(ci * ci + 0.49 * (1 - ci * ci)) : g.ellipticity;
    const bulge = renderSersic({ xPix: cx, yPix: cy, fluxCounts: bulgeFlux, sersicN: g.sersicN, reffPix: g.reffPix, ellipticity: e, positionAngleDeg: g.positionAngleDeg },
      { widthPix: side, heightPix: side, normalise: "image" });
    for (let p = 0; p < canvas.length; p++) canvas[p] += bulge[p];
  }
  const h = g.discScaleLengthPix;
  if (h > 0) {
    const discFlux = g.fluxCounts * (1 - g.bulgeFraction - g.armFraction - g.knotFraction - g.barFraction);
    if (discFlux < 0) throw new Error(`renderMorphologyGalaxy: bulge + arm + knot + bar fractions exceed 1 (disc fraction ${discFlux / g.fluxCounts})`);
    const taper = (r: number) => (r < 4 * h ? 1 : r >= 5 * h ? 0 : (1 - (r - 4 * h) / h) ** 2);
    const components: DiscComponent[] = [{ fluxCounts: discFlux, density: (_u, _v, r) => exp(-r / h) * taper(r) }];
    if (g.armCount > 0 && g.armFraction > 0) {
      const m = g.armCount;
      const cotP = 1 / tan((g.pitchAngleDeg * PI) / 180);
      const phi0 = (g.barAngleDeg * PI) / 180;
      const r0 = max(g.armStartPix, 0.5);
      const lnR0 = log(r0);
      components.push({ fluxCounts: g.fluxCounts * g.armFraction, density: (_u, _v, r, phi) => {
        if (r < 0.7 * r0) return 0;
        // Arm ridge: phase m(φ − φ₀ − ln(R/R₀) cot p) = 0 mod 2π; a sharpened cosine across it.
        const cr = (1 + cos(m * (phi - phi0 - (log(r) - lnR0) * cotP))) / 2;
        const across = cr * cr * cr * cr;
        const onset = 1 / (1 + exp(-(r - r0) / (0.15 * r0 + 0.3)));
        return across * onset * exp(-r / h) * taper(r);
      } });
    }
    if (g.barFraction > 0) {
      const a = g.barLengthPix;
      const b = a * g.barAxisRatio;
      const ca = cos((g.barAngleDeg * PI) / 180);
      const sa = sin((g.barAngleDeg * PI) / 180);
      // A flat-topped bar with soft ends: exp(−2ρ⁴), ρ the radius in the bar's own (a, b) frame.
      components.push({ fluxCounts: g.fluxCounts * g.barFraction, density: (u, v) => {
        const s = (u * ca + v * sa) / a;
        const t = (-u * sa + v * ca) / b;
        const rho2 = s * s + t * t;
        return rho2 > 4 ? 0 : exp(-2 * rho2 * rho2);
      } });
    }
    if (g.knotCount > 0 && g.knotFraction > 0) {
      const knots = knotPositions(g, rng);
      const sig2 = 2 * 0.6 * 0.6;
      // Knots of unequal brightness: HII regions span a wide luminosity function.
      const weights = knots.map(() => rng.exponential(1));
      components.push({ fluxCounts: g.fluxCounts * g.knotFraction, density: (u, v) => {
        let acc = 0;
        for (let k = 0; k < knots.length; k++) {
          const du = u - knots[k][0];
          const dv = v - knots[k][1];
          const d2 = du * du + dv * dv;
          if (d2 < 12) acc += weights[k] * exp(-d2 / sig2);
        }
        return acc;
      } });
    }
    addDiscComponents(canvas, side, g, cx, cy, components, 5 * h + 1);
  }
  let blurred: Float32Array = canvas;
  if (psf) {
    blurred = blurWithPsf(canvas, side, psf, psfR);
  }
  const image = cropImage(blurred, side, side, margin, margin, sizePix, sizePix);
  let onStamp = 0;
  for (let p = 0; p < image.length; p++) onStamp += image[p];
  return { image, fluxOnStampCounts: onStamp };
}

/** A batch of morphology cut-outs, flat [n, size, size, 1] in units of the background noise, with the truth. */
export interface MorphologyBatch {
  n: number;
  sizePix: number;
  /** Observed images, (counts − sky)/σ_bg. */
  noisy: Float32Array;
  /** The same without noise. */
  clean: Float32Array;
  /** Class label per image (index into `MORPHOLOGIES`). */
  labels: Int32Array;
  galaxies: MorphologyGalaxy[];
  /** σ_bg, counts per pixel. */
  backgroundSigmaCounts: number;
  psf: Psf;
  noisyTensor(): tf.Tensor4D;
  cleanTensor(): tf.Tensor4D;
  /** One-hot labels, [n, 3]. */
  labelTensor(): tf.Tensor2D;
}

/**
 * `n` cut-outs of ellipticals, spirals and barred spirals (in `classFractions`, placed in random
 * order), each convolved with the PSF and read out with photon and read noise. About 1–2 ms each.
 */
export function simulateMorphologyCutouts(n: number, options: MorphologyOptions = {}): MorphologyBatch {
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`simulateMorphologyCutouts: n must be a positive integer, got ${n}`);
  const size = options.sizePix ?? 32;
  if (!(Number.isInteger(size) && size >= 8)) throw new Error(`simulateMorphologyCutouts: sizePix must be an integer ≥ 8, got ${size}`);
  const fr = options.classFractions ?? [1 / 3, 1 / 3, 1 / 3];
  const frSum = fr[0] + fr[1] + fr[2];
  if (fr.length !== 3 || fr.some((f) => !(f >= 0)) || !(frSum > 0)) throw new Error(`simulateMorphologyCutouts: classFractions must be three numbers ≥ 0 with a positive sum, got [${fr}]`);
  const rng = options.rng ?? (options.seed !== undefined ? new Rng(options.seed) : defaultRng().fork());
  const psf = options.psf ?? gaussianPsf(2);
  const sky = options.skyCountsPerPix ?? 100;
  const readNoise = options.readNoiseE ?? 5;
  const gain = options.gainEPerCount ?? 1;
  const sigmaBg = backgroundSigmaCounts(sky, readNoise, gain);
  // Exact class counts (largest remainders), then shuffled.
  const counts = fr.map((f) => floor((n * f) / frSum));
  const rema = fr.map((f, k) => (n * f) / frSum - counts[k]);
  while (counts[0] + counts[1] + counts[2] < n) { const k = rema.indexOf(Math.max(...rema)); counts[k]++; rema[k] = -1; }
  const labels = new Int32Array(n);
  let idx = 0;
  for (let k = 0; k < 3; k++) for (let j = 0; j < counts[k]; j++) labels[idx++] = k;
  for (let i = n - 1; i > 0; i--) { const j = rng.integer(0, i + 1); const t = labels[i]; labels[i] = labels[j]; labels[j] = t; }
  const npix = size * size;
  const noisy = new Float32Array(n * npix);
  const clean = new Float32Array(n * npix);
  const galaxies: MorphologyGalaxy[] = [];
  const expected = new Float32Array(npix);
  for (let i = 0; i < n; i++) {
    const g = drawMorphologyGalaxy(MORPHOLOGIES[labels[i]], rng, { ...options, sizePix: size });
    const { image, fluxOnStampCounts } = renderMorphologyGalaxy(g, size, psf, rng.fork());
    galaxies.push({ ...g, fluxOnStampCounts });
    for (let p = 0; p < npix; p++) expected[p] = sky + image[p];
    const read = readOut(expected, size, size, rng, { gainEPerCount: gain, readNoiseE: readNoise, saturationCounts: Infinity });
    const off = i * npix;
    for (let p = 0; p < npix; p++) {
      noisy[off + p] = (read.image[p] - sky) / sigmaBg;
      clean[off + p] = image[p] / sigmaBg;
    }
  }
  return {
    n, sizePix: size, noisy, clean, labels, galaxies, backgroundSigmaCounts: sigmaBg, psf,
    noisyTensor: () => tf.tensor4d(noisy, [n, size, size, 1]),
    cleanTensor: () => tf.tensor4d(clean, [n, size, size, 1]),
    labelTensor: () => tf.oneHot(tf.tensor1d(labels, "int32"), 3).toFloat() as tf.Tensor2D,
  };
}

/**
 * The display and network scale of galaxy images: y = asinh(x / softening) / scale, x in noise
 * units. Linear in the noise (|x| ≲ softening), logarithmic in bright cores, so a network sees arms
 * and cores with comparable weight; with the default scale 7.5 the brightest pixels of the default
 * galaxies stay below 1, inside a tanh generator's range.
 */
export function asinhStretch(values: Float32Array, softening = 1, scale = 7.5): Float32Array {
  if (!(softening > 0 && scale > 0)) throw new Error(`asinhStretch: softening and scale must be > 0, got ${softening}, ${scale}`);
  const out = new Float32Array(values.length);
  for (let p = 0; p < values.length; p++) out[p] = asinh(values[p] / softening) / scale;
  return out;
}

/** Inverse of `asinhStretch`: noise units from the network scale. */
export function inverseAsinhStretch(values: ArrayLike<number>, softening = 1, scale = 7.5): Float32Array {
  const out = new Float32Array(values.length);
  for (let p = 0; p < values.length; p++) out[p] = softening * sinh(values[p] * scale);
  return out;
}

/**
 * A mock observation of noiseless images in noise units: adds N(0, 1 + x/σ_bg) per pixel, the sky and
 * read noise (1 in these units) plus the Gaussian limit of the galaxy's own photon noise (a pixel
 * of x noise units holds x σ_bg counts, whose Poisson variance is x σ_bg counts², i.e. x/σ_bg in
 * noise units²). Negative model pixels add no photon noise.
 */
export function addObservationNoise(clean: ArrayLike<number>, backgroundSigmaCounts: number, rng: Rng = defaultRng()): Float32Array {
  if (!(backgroundSigmaCounts > 0)) throw new Error(`addObservationNoise: backgroundSigmaCounts must be > 0, got ${backgroundSigmaCounts}`);
  const out = new Float32Array(clean.length);
  for (let p = 0; p < clean.length; p++) out[p] = clean[p] + rng.normal() * sqrt(1 + max(0, clean[p]) / backgroundSigmaCounts);
  return out;
}

/** The result of `spiralPitchFromImage`. */
export interface PitchMeasurement {
  /** Pitch angle of the strongest mode, degrees (always positive: arm winding sense is `sense`). */
  pitchAngleDeg: number;
  /** +1 if arms wind counter-clockwise outwards (θ grows with R), −1 otherwise. */
  sense: number;
  /** The log-spiral frequency u of the peak: the mode exp(i(mφ + u ln R)) that fits best. */
  peakU: number;
  /** |A(u)| normalised to the m = 0 power, on the scanned grid. */
  u: number[];
  amplitude: number[];
}

/** Options for `spiralPitchFromImage`. */
export interface PitchOptions {
  /** Centre, pixels (default the image centre). */
  xPix?: number;
  yPix?: number;
  /** Number of arms m (the Fourier mode in angle; default 2). */
  armCount?: number;
  /** Radial range of the decomposition, pixels (default [2, 0.45 × image side]). */
  radiusRangePix?: [number, number];
  /** Deprojection: inclination and position angle of the line of nodes, degrees (default face-on). */
  inclinationDeg?: number;
  positionAngleDeg?: number;
}

/**
 * Pitch angle of spiral arms from the 2-D Fourier transform of an image in log-polar coordinates
 * (Kalnajs 1975; Puerari & Dottori 1992, A&AS 93, 469; Davis et al. 2012, ApJS 199, 33):
 *
 *   A(m, u) = Σ I(R, φ) exp(−i(mφ + u ln R)) over pixels in an annulus, each weighted by its area,
 *
 * A logarithmic spiral R = R₀ exp(θ tan p) is a straight line in (ln R, φ), so its m-armed
 * pattern is a single plane wave: |A(m, u)| peaks at u = −m cot p. The pitch is p = atan(m/|u_peak|).
 * Sampling: the image is deprojected (if an inclination is given), then read with bilinear
 * interpolation on a log-polar grid (80 radii × 128 angles) with a Hann taper in ln R to suppress
 * the ripples of a finite annulus; the peak is refined by a parabola through the grid maximum.
 */
export function spiralPitchFromImage(image: ArrayLike<number>, sizePix: number, options: PitchOptions = {}): PitchMeasurement {
  if (image.length !== sizePix * sizePix) throw new Error(`spiralPitchFromImage: ${image.length} values do not make a ${sizePix}×${sizePix} image`);
  const m = options.armCount ?? 2;
  if (!(Number.isInteger(m) && m >= 1)) throw new Error(`spiralPitchFromImage: armCount must be a positive integer, got ${m}`);
  const xc = options.xPix ?? (sizePix - 1) / 2;
  const yc = options.yPix ?? (sizePix - 1) / 2;
  const [r0, r1] = options.radiusRangePix ?? [2, 0.45 * sizePix];
  if (!(r0 > 0 && r1 > r0)) throw new Error(`spiralPitchFromImage: radiusRangePix must be [r0, r1] with 0 < r0 < r1, got [${r0}, ${r1}]`);
  const ci = cos(((options.inclinationDeg ?? 0) * PI) / 180);
  const pa = ((options.positionAngleDeg ?? 0) * PI) / 180;
  const cp = cos(pa);
  const sp = sin(pa);
  const sample = (x: number, y: number): number => {
    const x0 = floor(x);
    const y0 = floor(y);
    if (x0 < 0 || y0 < 0 || x0 + 1 >= sizePix || y0 + 1 >= sizePix) return 0;
    const fx = x - x0;
    const fy = y - y0;
    const p = y0 * sizePix + x0;
    return (1 - fy) * ((1 - fx) * image[p] + fx * image[p + 1]) + fy * ((1 - fx) * image[p + sizePix] + fx * image[p + sizePix + 1]);
  };
  const nR = 80;
  const nPhi = 128;
  const lnR0 = log(r0);
  const dLn = (log(r1) - lnR0) / nR;
  // cos/sin of mφ per angle, and the m-th angular Fourier coefficient per radius.
  const re = new Float64Array(nR);
  const im = new Float64Array(nR);
  let power0 = 0;
  for (let a = 0; a < nR; a++) {
    const lnR = lnR0 + (a + 0.5) * dLn;
    const r = exp(lnR);
    const taper = 0.5 - 0.5 * cos((2 * PI * (a + 0.5)) / nR);
    let sr = 0, si = 0, s0 = 0;
    for (let b = 0; b < nPhi; b++) {
      const phi = (2 * PI * b) / nPhi;
      // Disc-plane point → sky: squash by cos i along the minor axis, rotate by the position angle.
      const u = r * cos(phi);
      const v = r * sin(phi) * ci;
      const val = sample(xc + u * cp - v * sp, yc + u * sp + v * cp);
      sr += val * cos(m * phi);
      si -= val * sin(m * phi);
      s0 += val;
    }
    // Area element R² dlnR dφ: weight by R² so each pixel counts once (Davis et al. use I·R² in ln R).
    re[a] = sr * r * r * taper;
    im[a] = si * r * r * taper;
    power0 += s0 * r * r * taper;
  }
  const us: number[] = [];
  const amps: number[] = [];
  for (let u = -40; u <= 40 + 1e-9; u += 0.1) {
    let ar = 0, ai = 0;
    for (let a = 0; a < nR; a++) {
      const t = -u * (lnR0 + (a + 0.5) * dLn);
      const c = cos(t);
      const s = sin(t);
      ar += re[a] * c - im[a] * s;
      ai += re[a] * s + im[a] * c;
    }
    us.push(+u.toFixed(2));
    amps.push(sqrt(ar * ar + ai * ai) / abs(power0 || 1));
  }
  // |u| below ~1 is the m-fold symmetric non-spiral part (a bar, a projection residue): skip it.
  let best = -1;
  for (let k = 0; k < us.length; k++) if (abs(us[k]) >= 1 && (best < 0 || amps[k] > amps[best])) best = k;
  let peak = us[best];
  if (best > 0 && best < us.length - 1) {
    const [y0, y1, y2] = [amps[best - 1], amps[best], amps[best + 1]];
    const den = y0 - 2 * y1 + y2;
    if (den < 0) peak += (0.1 * 0.5 * (y0 - y2)) / den;
  }
  // exp(−i(mφ + u ln R)) matches a pattern cos(m(φ − ln(R) cot p)) at u = −m cot p.
  return { pitchAngleDeg: (Math.atan(m / abs(peak)) * 180) / PI, sense: peak < 0 ? 1 : -1, peakU: peak, u: us, amplitude: amps };
}

/**
 * Ellipticity 1 − b/a of the light inside a circular aperture, from its second moments: the
 * eigenvalues λ₁ ≥ λ₂ of the flux-weighted covariance give b/a = √(λ₂/λ₁). Negative pixels (noise)
 * are set to zero. A measure of how elongated the isophotes inside `radiusPix` are.
 */
export function apertureEllipticity(image: ArrayLike<number>, sizePix: number, radiusPix: number, xPix = (sizePix - 1) / 2, yPix = (sizePix - 1) / 2): number {
  if (image.length !== sizePix * sizePix) throw new Error(`apertureEllipticity: ${image.length} values do not make a ${sizePix}×${sizePix} image`);
  if (!(radiusPix > 0)) throw new Error(`apertureEllipticity: radiusPix must be > 0, got ${radiusPix}`);
  let s = 0, sxx = 0, syy = 0, sxy = 0;
  for (let y = 0; y < sizePix; y++) {
    for (let x = 0; x < sizePix; x++) {
      const dx = x - xPix;
      const dy = y - yPix;
      if (dx * dx + dy * dy > radiusPix * radiusPix) continue;
      const v = max(0, image[y * sizePix + x]);
      s += v; sxx += v * dx * dx; syy += v * dy * dy; sxy += v * dx * dy;
    }
  }
  if (s <= 0) return 0;
  sxx /= s; syy /= s; sxy /= s;
  const tr = sxx + syy;
  const det = sxx * syy - sxy * sxy;
  const disc = sqrt(max(0, (tr * tr) / 4 - det));
  const l1 = tr / 2 + disc;
  const l2 = max(0, tr / 2 - disc);
  return l1 > 0 ? 1 - sqrt(l2 / l1) : 0;
}

/**
 * Ellipticity 1 − r_min/r_max of one isophote: the contour at the mean surface brightness on the
 * circle of radius `radiusPix`, traced along 90 rays from the centre (bilinear interpolation, first
 * crossing going outwards). Round isophotes give ≈ 0; a bar makes the isophotes inside its length
 * strongly elongated. Meant for noiseless (or well-smoothed) images.
 */
export function isophoteEllipticity(image: ArrayLike<number>, sizePix: number, radiusPix: number, xPix = (sizePix - 1) / 2, yPix = (sizePix - 1) / 2): number {
  if (image.length !== sizePix * sizePix) throw new Error(`isophoteEllipticity: ${image.length} values do not make a ${sizePix}×${sizePix} image`);
  if (!(radiusPix > 0 && radiusPix < sizePix / 2)) throw new Error(`isophoteEllipticity: radiusPix must be in (0, ${sizePix / 2}), got ${radiusPix}`);
  const sample = (x: number, y: number): number => {
    const x0 = min(max(floor(x), 0), sizePix - 2);
    const y0 = min(max(floor(y), 0), sizePix - 2);
    const fx = min(max(x - x0, 0), 1);
    const fy = min(max(y - y0, 0), 1);
    const p = y0 * sizePix + x0;
    return (1 - fy) * ((1 - fx) * image[p] + fx * image[p + 1]) + fy * ((1 - fx) * image[p + sizePix] + fx * image[p + sizePix + 1]);
  };
  const nRays = 90;
  let level = 0;
  for (let k = 0; k < nRays; k++) {
    const phi = (2 * PI * k) / nRays;
    level += sample(xPix + radiusPix * cos(phi), yPix + radiusPix * sin(phi)) / nRays;
  }
  const rMax = sizePix / 2 - 1;
  let lo = Infinity;
  let hi = 0;
  for (let k = 0; k < nRays; k++) {
    const phi = (2 * PI * k) / nRays;
    let r = 0;
    while (r < rMax && sample(xPix + r * cos(phi), yPix + r * sin(phi)) > level) r += 0.05;
    lo = min(lo, r);
    hi = max(hi, r);
  }
  return hi > 0 ? 1 - lo / hi : 0;
}

/** Rounds a number for a caption. */
export function describeMorphologyGalaxy(g: MorphologyGalaxy): string {
  if (g.morphology === "elliptical") return `E n=${g.sersicN.toFixed(1)} e=${g.ellipticity.toFixed(2)}`;
  return `${g.morphology === "spiral" ? "S" : "SB"} m=${g.armCount} p=${round(g.pitchAngleDeg)}° i=${round(g.inclinationDeg)}°`;
}
