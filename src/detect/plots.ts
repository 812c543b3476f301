/**
 * Figures for source finding: an image with detections and true sources marked, completeness
 * curves, false detections by cause, and cut-outs around chosen positions.
 */
import type { Figure, Layout, Trace } from "../plot/render";
import { baseLayout, heatmapChart, type FigureOptions } from "../plot/charts";
import type { Detection } from "./peaks";
import type { CompletenessCurve, DetectionOutcome } from "./match";

/** A marker layer for `detectionOverlay`. */
export interface OverlayPoints {
  name: string;
  xPix: ArrayLike<number>;
  yPix: ArrayLike<number>;
  /** Plotly marker symbol (default "circle-open"). */
  symbol?: string;
  color?: string;
  size?: number;
  text?: string[];
}

/** Options for `detectionOverlay`. */
export interface OverlayOptions extends FigureOptions {
  colorscale?: string;
  zmin?: number;
  zmax?: number;
  colorTitle?: string;
}

/** An image (rows, row 0 at the top) with marker layers on top: true sources, detections, artefacts. */
export function detectionOverlay(rows: number[][], layers: OverlayPoints[], options: OverlayOptions = {}): Figure {
  const fig = heatmapChart(
    { z: rows, colorscale: options.colorscale ?? "Greys", zmin: options.zmin, zmax: options.zmax, imageOrigin: "top", equalAspect: true, colorTitle: options.colorTitle },
    { width: 560, height: 520, xTitle: "x (pixels)", yTitle: "y (pixels)", ...options },
  );
  for (const l of layers) {
    fig.data.push({
      type: "scatter", mode: "markers", name: l.name, x: Array.from(l.xPix), y: Array.from(l.yPix), text: l.text,
      marker: { symbol: l.symbol ?? "circle-open", size: l.size ?? 14, color: l.color, line: { width: 2, color: l.color } },
    });
  }
  (fig.layout as Layout).legend = { orientation: "h", y: -0.15 };
  return fig;
}

/** Marker layer from a detection list. */
export function detectionPoints(name: string, detections: readonly Detection[], style: Partial<OverlayPoints> = {}): OverlayPoints {
  return { name, xPix: detections.map((d) => d.xPix), yPix: detections.map((d) => d.yPix), text: detections.map((d) => `score ${d.score.toPrecision(3)}`), ...style };
}

/** Completeness against magnitude for several detectors, with binomial error bars and optional vertical markers. */
export function completenessChart(
  curves: Array<{ name: string; curve: CompletenessCurve; color?: string }>,
  markers: Array<{ magnitude: number; label: string }> = [],
  options: FigureOptions = {},
): Figure {
  const data: Trace[] = curves.map(({ name, curve, color }) => ({
    type: "scatter", mode: "lines+markers", name, x: curve.magCentres, y: curve.completeness,
    error_y: { type: "data", array: curve.errors, visible: true, thickness: 1 }, line: { color }, marker: { color, size: 6 },
    text: curve.counts.map((n) => `${n} stars`),
  }));
  const layout = baseLayout({ title: "Completeness", xTitle: "magnitude", yTitle: "fraction of stars detected", ...options });
  (layout.yaxis as Layout).range = [-0.02, 1.05];
  (layout.yaxis as Layout).autorange = false;
  layout.shapes = markers.map((m) => ({ type: "line", x0: m.magnitude, x1: m.magnitude, y0: 0, y1: 1, yref: "paper", line: { dash: "dot", color: "#666" } }));
  layout.annotations = markers.map((m) => ({ x: m.magnitude, y: 1.02, yref: "paper", text: m.label, showarrow: false, xanchor: "left", font: { size: 11 } }));
  return { data, layout };
}

/** Detections per image by outcome (false ones stacked by cause) for several detectors side by side. */
export function outcomeChart(rows: Array<{ name: string; outcomes: Record<DetectionOutcome, number> }>, options: FigureOptions = {}): Figure {
  const kinds: Array<[DetectionOutcome, string, string]> = [
    ["artefact", "on an artefact (cosmic ray, hot pixel, bleed trail)", "#e45756"],
    ["spurious", "noise peak", "#f58518"],
    ["duplicate", "second peak of a source", "#b279a2"],
  ];
  const data: Trace[] = kinds.map(([k, label, color]) => ({
    type: "bar", name: label, x: rows.map((r) => r.name), y: rows.map((r) => r.outcomes[k]), marker: { color },
  }));
  return { data, layout: { ...baseLayout({ title: "False detections per image", yTitle: "false detections per image", ...options }), barmode: "stack" } };
}

/**
 * A size × size cut-out (rows, zero outside the image) centred on the pixel nearest (xPix, yPix) of
 * image `index` of a flat batch [n, h, w, 1] (or a single image with index 0).
 */
export function cutoutRows(values: ArrayLike<number>, heightPix: number, widthPix: number, index: number, xPix: number, yPix: number, sizePix: number): number[][] {
  const r = Math.floor(sizePix / 2);
  const x0 = Math.round(xPix) - r, y0 = Math.round(yPix) - r;
  const base = index * heightPix * widthPix;
  const rows: number[][] = [];
  for (let j = 0; j < sizePix; j++) {
    const y = y0 + j;
    const row = new Array<number>(sizePix).fill(0);
    if (y >= 0 && y < heightPix) for (let i = 0; i < sizePix; i++) {
      const x = x0 + i;
      if (x >= 0 && x < widthPix) row[i] = values[base + y * widthPix + x];
    }
    rows.push(row);
  }
  return rows;
}
