/**
 * Two-parameter loss surfaces with analytic gradients, a loop that runs an optimiser down one
 * and records its path, and a contour picture with the paths drawn on top.
 *
 * The curved valley is Rosenbrock's (1960, Computer Journal 3, 175) function
 * f(a, b) = (c − a)² + k (b − a²)², minimum f = 0 at (c, c²). Its narrow, bent floor is the 2-D
 * cartoon of what makes training slow: along the floor the loss barely changes, across it the
 * walls are steep, as in the banana-shaped degeneracies of many χ² fits.
 */
import type { Figure, Layout, Trace } from "../plot/render";
import { baseLayout, type FigureOptions } from "../plot/charts";
import type { Optimiser } from "./optimisers";

/** A differentiable function of two parameters with a known minimum. */
export interface LossSurface {
  name: string;
  value(p: readonly number[]): number;
  gradient(p: readonly number[]): number[];
  /** Location of the global minimum. */
  minimum: number[];
}

/** Rosenbrock's valley (c − a)² + k (b − a²)²; the default k = 10 keeps plain gradient descent slow but feasible. */
export function rosenbrock(options: { c?: number; k?: number } = {}): LossSurface {
  const c = options.c ?? 1;
  const k = options.k ?? 10;
  return {
    name: `Rosenbrock valley (k = ${k})`,
    value: ([a, b]) => (c - a) ** 2 + k * (b - a * a) ** 2,
    gradient: ([a, b]) => [-2 * (c - a) - 4 * k * a * (b - a * a), 2 * k * (b - a * a)],
    minimum: [c, c * c],
  };
}

/**
 * Elongated bowl ½(λ₁ u² + λ₂ v²) in coordinates (u, v) rotated by `angleDeg` from (a, b), centred
 * on `centre`: the quadratic a χ² surface of two correlated parameters looks like near its minimum.
 */
export function quadraticValley(options: { curvatures?: [number, number]; angleDeg?: number; centre?: [number, number] } = {}): LossSurface {
  const [l1, l2] = options.curvatures ?? [1, 25];
  const th = ((options.angleDeg ?? 30) * Math.PI) / 180;
  const [ca, cb] = options.centre ?? [0, 0];
  const c = Math.cos(th);
  const s = Math.sin(th);
  const uv = ([a, b]: readonly number[]) => {
    const da = a - ca;
    const db = b - cb;
    return [c * da + s * db, -s * da + c * db];
  };
  return {
    name: `quadratic valley (curvatures ${l1}, ${l2})`,
    value: (p) => {
      const [u, v] = uv(p);
      return 0.5 * (l1 * u * u + l2 * v * v);
    },
    gradient: (p) => {
      const [u, v] = uv(p);
      const gu = l1 * u;
      const gv = l2 * v;
      return [c * gu - s * gv, s * gu + c * gv];
    },
    minimum: [ca, cb],
  };
}

export interface DescentOptions {
  /** Give up after this many steps (default 10 000). */
  maxSteps?: number;
  /** Stop when within this Euclidean distance of the surface's minimum (default 0: run all steps). */
  tolerance?: number;
}

export interface DescentPath {
  /** Optimiser name. */
  name: string;
  /** Parameters before the first step and after each step. */
  points: number[][];
  /** Loss at each point. */
  losses: number[];
  /** Steps taken. */
  steps: number;
  /** Steps needed to get within `tolerance` of the minimum (Infinity if it never did). */
  stepsToMinimum: number;
  /** Distance from the minimum at the end. */
  finalDistance: number;
}

/** Runs `optimiser` on `surface` from `start`, recording every point; stops at the minimum, on divergence or at `maxSteps`. */
export function descend(surface: LossSurface, optimiser: Optimiser, start: readonly number[], options: DescentOptions = {}): DescentPath {
  const maxSteps = options.maxSteps ?? 10000;
  const tol = options.tolerance ?? 0;
  const distance = (p: readonly number[]) => Math.hypot(...p.map((v, i) => v - surface.minimum[i]));
  let p = [...start];
  const points = [p];
  const losses = [surface.value(p)];
  let stepsToMinimum = distance(p) < tol ? 0 : Infinity;
  let steps = 0;
  while (steps < maxSteps && stepsToMinimum === Infinity) {
    p = optimiser.step(p, surface.gradient(p));
    steps++;
    points.push(p);
    const loss = surface.value(p);
    losses.push(loss);
    if (!Number.isFinite(loss)) break;
    if (distance(p) < tol) stepsToMinimum = steps;
  }
  return { name: optimiser.name, points, losses, steps, stepsToMinimum, finalDistance: distance(p) };
}

/** Loss on a regular grid: z[row][col] with row ↔ y (second parameter), col ↔ x (first). */
export function surfaceGrid(surface: LossSurface, xRange: [number, number], yRange: [number, number], nx = 121, ny = 121): {
  x: number[];
  y: number[];
  z: number[][];
} {
  const x = Array.from({ length: nx }, (_, i) => xRange[0] + ((xRange[1] - xRange[0]) * i) / (nx - 1));
  const y = Array.from({ length: ny }, (_, j) => yRange[0] + ((yRange[1] - yRange[0]) * j) / (ny - 1));
  const z = y.map((b) => x.map((a) => surface.value([a, b])));
  return { x, y, z };
}

export interface SurfaceChartOptions extends FigureOptions {
  xRange: [number, number];
  yRange: [number, number];
  /** Contour log10 of the loss (default true: valleys span many decades). */
  logLoss?: boolean;
  /** Grid resolution per axis (default 121). */
  resolution?: number;
  /** Line colours for the paths, in order. */
  colors?: string[];
  /** Draw every n-th point of a path as a marker (default: about 40 markers per path). */
  markerEvery?: number;
}

const PATH_COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

/** Filled contours of the loss with optimiser paths and the minimum marked. */
export function lossSurfaceChart(surface: LossSurface, paths: Array<{ name: string; points: number[][] }>, options: SurfaceChartOptions): Figure {
  const log = options.logLoss ?? true;
  const n = options.resolution ?? 121;
  const grid = surfaceGrid(surface, options.xRange, options.yRange, n, n);
  // A floor keeps log10 finite at the exact minimum.
  const z = log ? grid.z.map((r) => r.map((v) => Math.log10(Math.max(v, 1e-6)))) : grid.z;
  const data: Trace[] = [{
    type: "contour", x: grid.x, y: grid.y, z, colorscale: "Greys", reversescale: true, opacity: 0.85,
    contours: { coloring: "fill", showlines: true }, ncontours: 24, line: { width: 0.5, color: "#888" },
    colorbar: { title: { text: log ? "log₁₀ loss" : "loss" } }, hoverinfo: "skip", name: surface.name, showlegend: false,
  }];
  paths.forEach((path, i) => {
    const color = (options.colors ?? PATH_COLORS)[i % (options.colors ?? PATH_COLORS).length];
    const inBox = path.points.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
    const every = options.markerEvery ?? Math.max(1, Math.ceil(inBox.length / 40));
    data.push({
      type: "scatter", mode: "lines", name: path.name, x: inBox.map((p) => p[0]), y: inBox.map((p) => p[1]),
      line: { color, width: 2 }, legendgroup: path.name,
    });
    const marks = inBox.filter((_, k) => k % every === 0);
    data.push({
      type: "scatter", mode: "markers", x: marks.map((p) => p[0]), y: marks.map((p) => p[1]), showlegend: false,
      marker: { color, size: 5 }, legendgroup: path.name, hoverinfo: "skip",
    });
  });
  data.push({
    type: "scatter", mode: "markers", x: [surface.minimum[0]], y: [surface.minimum[1]], name: "minimum",
    marker: { symbol: "star", size: 16, color: "gold", line: { color: "black", width: 1 } },
  });
  if (paths.length > 0) {
    const s = paths[0].points[0];
    data.push({ type: "scatter", mode: "markers", x: [s[0]], y: [s[1]], name: "start", marker: { symbol: "x", size: 12, color: "black" } });
  }
  const layout = baseLayout(options);
  const axes: Layout = {
    xaxis: { ...(layout.xaxis as Layout), range: options.xRange, autorange: false },
    yaxis: { ...(layout.yaxis as Layout), range: options.yRange, autorange: false },
  };
  return { data, layout: { ...layout, ...axes, height: options.height ?? 560 } };
}
