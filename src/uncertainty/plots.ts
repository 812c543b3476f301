/** Pictures of predictive uncertainty: bands around a curve, coverage and reliability curves. */
import { baseLayout, type FigureOptions } from "../plot/charts";
import type { Figure, Trace } from "../plot/render";
import type { CoverageCurve, ReliabilityDiagram } from "../metrics/calibration";
import type { PredictiveMoments } from "./mc-dropout";

/** What `predictiveBandChart` draws. */
export interface BandChartOptions extends FigureOptions {
  /** Training points to overlay. */
  data?: { x: ArrayLike<number>; y: ArrayLike<number> };
  /** The noiseless truth on the same grid, drawn dashed. */
  truth?: ArrayLike<number>;
  /** Band half-width in standard deviations (default 2). */
  nSigma?: number;
}

function band(x: number[], lo: number[], hi: number[], name: string, fill: string): Trace[] {
  return [
    { type: "scatter", x, y: hi, mode: "lines", line: { width: 0 }, showlegend: false, hoverinfo: "skip" },
    { type: "scatter", x, y: lo, mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: fill, name },
  ];
}

/**
 * The predictive mean on a grid of x with two bands: ±nσ of the total predictive uncertainty
 * (light) and ±nσ of the epistemic part alone (dark).
 */
export function predictiveBandChart(xGrid: ArrayLike<number>, p: PredictiveMoments, options: BandChartOptions = {}): Figure {
  const k = options.nSigma ?? 2;
  const x = Array.from(xGrid);
  if (p.mean.length !== x.length) throw new Error(`predictiveBandChart: ${x.length} grid points but ${p.mean.length} predictions`);
  const mean = Array.from(p.mean);
  const sdT = Array.from(p.totalVar, Math.sqrt);
  const sdE = Array.from(p.epistemicVar, Math.sqrt);
  const data: Trace[] = [
    ...band(x, mean.map((m, i) => m - k * sdT[i]), mean.map((m, i) => m + k * sdT[i]), `±${k}σ total (aleatoric + epistemic)`, "rgba(76,120,168,0.22)"),
    ...band(x, mean.map((m, i) => m - k * sdE[i]), mean.map((m, i) => m + k * sdE[i]), `±${k}σ epistemic`, "rgba(228,87,86,0.45)"),
  ];
  if (options.data) {
    data.push({ type: "scatter", x: Array.from(options.data.x), y: Array.from(options.data.y), mode: "markers", name: "training data", marker: { size: 3, color: "#444", opacity: 0.5 } });
  }
  if (options.truth) data.push({ type: "scatter", x, y: Array.from(options.truth), mode: "lines", name: "truth", line: { color: "#54a24b", dash: "dash" } });
  data.push({ type: "scatter", x, y: mean, mode: "lines", name: "predictive mean", line: { color: "#222" } });
  return { data, layout: baseLayout(options) };
}

/** Observed vs nominal coverage for one or more models, with the diagonal of perfect calibration. */
export function coverageChart(curves: Array<{ name: string; curve: CoverageCurve; color?: string }>, options: FigureOptions = {}): Figure {
  const data: Trace[] = [{ type: "scatter", x: [0, 1], y: [0, 1], mode: "lines", name: "calibrated", line: { color: "#999", dash: "dot" } }];
  for (const c of curves) {
    data.push({ type: "scatter", x: c.curve.nominal, y: c.curve.observed, mode: "lines+markers", name: c.name, line: { color: c.color }, marker: { size: 5, color: c.color } });
  }
  return { data, layout: baseLayout({ xTitle: "nominal probability of the central interval", yTitle: "fraction of test objects inside", ...options }) };
}

/** Reliability diagram of class probabilities: observed fraction of class 1 against mean prediction, per bin. */
export function reliabilityChart(diagrams: Array<{ name: string; diagram: ReliabilityDiagram; color?: string }>, options: FigureOptions = {}): Figure {
  const data: Trace[] = [{ type: "scatter", x: [0, 1], y: [0, 1], mode: "lines", name: "calibrated", line: { color: "#999", dash: "dot" } }];
  for (const d of diagrams) {
    const bins = d.diagram.bins.filter((b) => b.count > 0);
    data.push({
      type: "scatter", x: bins.map((b) => b.meanPredicted), y: bins.map((b) => b.fractionPositive), mode: "lines+markers",
      name: `${d.name} (ECE ${d.diagram.expectedCalibrationError.toFixed(3)})`, text: bins.map((b) => `${b.count} objects`),
      line: { color: d.color }, marker: { size: 6, color: d.color },
    });
  }
  return { data, layout: baseLayout({ xTitle: "mean predicted probability (bin)", yTitle: "observed fraction of class 1", ...options }) };
}
