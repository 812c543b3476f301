/**
 * Pictures of a linear classifier learning: the data on a two-feature plane, a few earlier
 * boundaries as thin lines, and the current boundary on a slider that steps through every update.
 *
 * The slider uses plotly's "restyle" method rather than animation frames, so it needs nothing but
 * the figure's data and layout and works in the notebook, in exported HTML and offline.
 */
import type { Figure, Layout, Trace } from "../plot/render";
import { scatterChart, type FigureOptions, type SeriesSpec } from "../plot/charts";
import { boundaryLine, type PerceptronSnapshot } from "./perceptron";

export interface BoundaryChartOptions extends FigureOptions {
  /** Plot limits on the first feature (the boundary is clipped to them). */
  xRange: [number, number];
  /** Plot limits on the second feature. */
  yRange: [number, number];
  /** Indices into `snapshots` drawn as fixed thin lines, light (early) to dark (late). */
  ghosts?: number[];
  /** The training examples, to ring the one that triggered each update. */
  inputs?: ArrayLike<number>[];
  /** Text before the slider's value (default "after update "). */
  sliderPrefix?: string;
}

/** Blue ramp from light to dark for the ghost lines. */
function ramp(i: number, n: number): string {
  const t = n <= 1 ? 1 : i / (n - 1);
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${mix(180, 20)},${mix(200, 60)},${mix(230, 140)})`;
}

/**
 * Scatter series plus the perceptron's boundary after each recorded update (from
 * `trainPerceptron(..., { recordUpdates: true }).snapshots`). The slider starts on the last update.
 */
export function perceptronBoundaryChart(points: SeriesSpec[], snapshots: PerceptronSnapshot[], options: BoundaryChartOptions): Figure {
  if (snapshots.length === 0) throw new Error("perceptronBoundaryChart: no snapshots (train with recordUpdates: true)");
  const { xRange, yRange } = options;
  const fig = scatterChart(points, options);
  const data: Trace[] = [...fig.data];
  const ghosts = options.ghosts ?? [];
  ghosts.forEach((g, i) => {
    const s = snapshots[g];
    if (!s) throw new Error(`perceptronBoundaryChart: ghost index ${g} but only ${snapshots.length} snapshots`);
    const line = boundaryLine(s, xRange, yRange);
    data.push({ type: "scatter", mode: "lines", x: line.x, y: line.y, name: `after update ${s.update}`, line: { color: ramp(i, ghosts.length), width: 1.5, dash: "dot" }, hoverinfo: "name" });
  });
  const lineIndex = data.length;
  const markerIndex = lineIndex + 1;
  const frame = (s: PerceptronSnapshot) => {
    const line = boundaryLine(s, xRange, yRange);
    const x = options.inputs && s.sample >= 0 ? [options.inputs[s.sample][0]] : [];
    const y = options.inputs && s.sample >= 0 ? [options.inputs[s.sample][1]] : [];
    return { line, x, y };
  };
  const last = frame(snapshots[snapshots.length - 1]);
  data.push({ type: "scatter", mode: "lines", x: last.line.x, y: last.line.y, name: "boundary (slider)", line: { color: "black", width: 3 } });
  data.push({
    type: "scatter", mode: "markers", x: last.x, y: last.y, name: "example that caused the update",
    marker: { size: 16, color: "rgba(0,0,0,0)", line: { color: "#d62728", width: 2.5 } }, hoverinfo: "skip",
  });
  const steps = snapshots.map((s) => {
    const f = frame(s);
    return { label: String(s.update), method: "restyle", args: [{ x: [f.line.x, f.x], y: [f.line.y, f.y] }, [lineIndex, markerIndex]] };
  });
  const layout: Layout = {
    ...fig.layout,
    xaxis: { ...(fig.layout.xaxis as Layout), range: xRange, autorange: false },
    yaxis: { ...(fig.layout.yaxis as Layout), range: options.reverseY ? [yRange[1], yRange[0]] : yRange, autorange: false },
    sliders: [{
      active: steps.length - 1,
      steps,
      currentvalue: { prefix: options.sliderPrefix ?? "after update ", font: { size: 13 } },
      pad: { t: 50 },
    }],
    legend: { orientation: "h", y: -0.45 },
    height: options.height ?? 600,
  };
  return { data, layout };
}
