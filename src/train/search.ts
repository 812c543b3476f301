/**
 * Hyper-parameter search: the points of a grid or of a random design over a box (log-uniform where
 * a parameter spans decades, like a learning rate), and a loop that scores each point.
 *
 * Bergstra & Bengio (2012, JMLR 13, 281) showed why random search usually wins at equal cost: when
 * only a few of the parameters matter, a g × g grid tries just g distinct values of each, while g²
 * random points try g² distinct values of every parameter.
 */
import { Rng } from "../random";
import { newNotebookDisplay, type UpdatableDisplay } from "../plot/render";


/** One hyper-parameter: its name and range; `log` spaces values evenly in log10 (learning rates, penalties). */
export interface SearchDimension {
  name: string;
  min: number;
  max: number;
  log?: boolean;
}

/** A point of the search: parameter name → value. */
export type SearchPoint = Record<string, number>;

function checkDimension(d: SearchDimension): void {
  if (!(d.max > d.min)) throw new Error(`search dimension "${d.name}": need max > min, got [${d.min}, ${d.max}]`);
  if (d.log && !(d.min > 0)) throw new Error(`search dimension "${d.name}": a log scale needs min > 0, got ${d.min}`);
}

/** Maps u ∈ [0, 1] onto the dimension's range (linearly or in log10). */
function fromUnit(d: SearchDimension, u: number): number {
  if (d.log) return 10 ** (Math.log10(d.min) + u * (Math.log10(d.max) - Math.log10(d.min)));
  return d.min + u * (d.max - d.min);
}

/** The values a grid uses along one dimension: `steps` values from min to max inclusive. */
export function gridValues(d: SearchDimension, steps: number): number[] {
  checkDimension(d);
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`gridValues: steps must be a positive integer, got ${steps}`);
  if (steps === 1) return [fromUnit(d, 0.5)];
  return Array.from({ length: steps }, (_, k) => fromUnit(d, k / (steps - 1)));
}

/** Every combination of `steps` values per dimension (the last dimension varies fastest). */
export function gridPoints(dims: SearchDimension[], steps: number): SearchPoint[] {
  let points: SearchPoint[] = [{}];
  for (const d of dims) {
    const values = gridValues(d, steps);
    points = points.flatMap((p) => values.map((v) => ({ ...p, [d.name]: v })));
  }
  return points;
}

/** `n` points drawn independently and uniformly (log-uniformly for `log` dimensions) in the box. */
export function randomPoints(dims: SearchDimension[], n: number, rng: Rng | number = 42): SearchPoint[] {
  dims.forEach(checkDimension);
  const r = typeof rng === "number" ? new Rng(rng) : rng;
  return Array.from({ length: n }, () => Object.fromEntries(dims.map((d) => [d.name, fromUnit(d, r.random())])));
}

export interface SearchResult {
  point: SearchPoint;
  /** The objective's value (lower is better, e.g. validation loss). */
  score: number;
}

export interface SearchRun {
  results: SearchResult[];
  /** The result with the lowest finite score. */
  best: SearchResult;
}

/**
 * Scores every point with `objective` (one at a time, so each training run has the machine to
 * itself) and returns all results and the best. `onResult` is called after each point, e.g. to
 * show progress. Non-finite scores (a run that diverged) are kept but never chosen as best.
 */
export async function runSearch(
  points: SearchPoint[],
  objective: (p: SearchPoint) => number | Promise<number>,
  onResult?: (r: SearchResult, index: number, total: number) => void,
): Promise<SearchRun> {
  if (points.length === 0) throw new Error("runSearch: no points to evaluate");
  const results: SearchResult[] = [];
  for (let k = 0; k < points.length; k++) {
    const score = await objective(points[k]);
    const r = { point: points[k], score };
    results.push(r);
    onResult?.(r, k, points.length);
  }
  const finite = results.filter((r) => Number.isFinite(r.score));
  if (finite.length === 0) throw new Error("runSearch: every point gave a non-finite score (did training diverge?)");
  const best = finite.reduce((a, b) => (b.score < a.score ? b : a));
  return { results, best };
}

/**
 * Grid results as a matrix for a heat map: z[row][col] with rows along `yName` and columns along
 * `xName`, plus the axis values. Expects the points of `gridPoints` (any order).
 */
export function gridMatrix(results: SearchResult[], xName: string, yName: string): { x: number[]; y: number[]; z: number[][] } {
  const xs = [...new Set(results.map((r) => r.point[xName]))].sort((a, b) => a - b);
  const ys = [...new Set(results.map((r) => r.point[yName]))].sort((a, b) => a - b);
  const z = ys.map(() => xs.map(() => NaN));
  for (const r of results) z[ys.indexOf(r.point[yName])][xs.indexOf(r.point[xName])] = r.score;
  return { x: xs, y: ys, z };
}

function formatPoint(p: SearchPoint): string {
  return Object.entries(p).map(([k, v]) => `${k} ${Math.abs(v) < 1e-2 || Math.abs(v) >= 1e3 ? v.toExponential(1) : v.toPrecision(3)}`).join(", ");
}

/**
 * An `onResult` callback for `runSearch` that shows one line updated in place in a notebook
 * (point k of n, its score, the best so far, time elapsed); outside a notebook it prints a line
 * about every tenth point.
 */
export function searchProgress(label = "search"): (r: SearchResult, index: number, total: number) => void {
  const display = newNotebookDisplay();
  const start = Date.now();
  let best: SearchResult | undefined;
  return (r, index, total) => {
    if (Number.isFinite(r.score) && (!best || r.score < best.score)) best = r;
    const elapsedS = (Date.now() - start) / 1000;
    const line = `${label}: point ${index + 1}/${total} (${formatPoint(r.point)}) → ${r.score.toFixed(4)} · best so far ${best ? best.score.toFixed(4) : "none"} · ${elapsedS.toFixed(0)} s`;
    if (display) display.html(`<div style="font-family:monospace;font-size:13px">${line}</div>`);
    else if ((index + 1) % Math.max(1, Math.round(total / 10)) === 0 || index + 1 === total) console.log(line);
  };
}
