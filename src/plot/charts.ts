/**
 * Figure builders for what the course draws again and again. Each returns a plain `Figure`
 * (data + layout) that `show()` renders; change anything with ordinary plotly options before
 * showing it, e.g. `fig.layout.yaxis = { type: "log" }`.
 */
import type { Figure, Layout, Trace } from "./render";

type Numeric = ArrayLike<number>;

/** Axis titles, figure title and size shared by every builder. */
export interface FigureOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  width?: number;
  height?: number;
  /** Reverse the y axis (magnitudes, HR diagrams). */
  reverseY?: boolean;
  /** Reverse the x axis (temperature on an HR diagram). */
  reverseX?: boolean;
  logX?: boolean;
  logY?: boolean;
  /** Fixed x range [from, to] in data units (also for a log axis); default: fit the data. */
  xRange?: [number, number];
  /** Fixed y range [from, to] in data units (also for a log axis); default: fit the data. */
  yRange?: [number, number];
  /** Extra layout merged last. */
  layout?: Layout;
}

export interface SeriesSpec {
  x: Numeric;
  y: Numeric;
  /** Legend name. */
  name?: string;
  /** Symmetric 1-sigma error bars on y. */
  yErr?: Numeric;
  /** Symmetric error bars on x. */
  xErr?: Numeric;
  /** "lines", "markers" or "lines+markers". */
  mode?: "lines" | "markers" | "lines+markers";
  color?: string;
  /** Per-point values for a colour scale (e.g. temperature, redshift). */
  colorBy?: Numeric;
  colorTitle?: string;
  colorscale?: string;
  markerSize?: number;
  opacity?: number;
  /** Hover text per point. */
  text?: string[];
  dash?: "solid" | "dash" | "dot" | "dashdot";
}

function arr(a: Numeric | undefined): number[] | undefined {
  return a === undefined ? undefined : Array.from(a);
}

function checkLengths(what: string, spec: SeriesSpec): void {
  const n = spec.x.length;
  const pairs: Array<[string, Numeric | string[] | undefined]> = [
    ["y", spec.y], ["yErr", spec.yErr], ["xErr", spec.xErr], ["colorBy", spec.colorBy], ["text", spec.text],
  ];
  for (const [name, v] of pairs) {
    if (v !== undefined && v.length !== n) {
      throw new Error(`${what}${spec.name ? ` "${spec.name}"` : ""}: x has ${n} values but ${name} has ${v.length}`);
    }
  }
}

/** Applies the options every builder shares. */
export function baseLayout(options: FigureOptions): Layout {
  const axis = (
    name: string,
    title: string | undefined,
    reversed: boolean | undefined,
    log: boolean | undefined,
    range: [number, number] | undefined,
  ) => {
    if (range && (range.length !== 2 || !range.every(Number.isFinite) || (log && range.some((v) => v <= 0)))) {
      throw new Error(`${name}: expected [from, to] with finite${log ? ", positive (log axis)" : ""} numbers, got [${range.join(", ")}]`);
    }
    // plotly wants a log axis's range in log10 units; options speak data units.
    const r = range && (log ? range.map(Math.log10) : range);
    return {
      title: title ? { text: title } : undefined,
      autorange: r ? false : reversed ? "reversed" : true,
      range: r ? (reversed ? [r[1], r[0]] : r) : undefined,
      type: log ? "log" : undefined,
      zeroline: false,
    };
  };
  return {
    // Left-aligned, so a long title does not run under plotly's toolbar at the top right.
    title: options.title ? { text: options.title, x: 0.01, xanchor: "left" } : undefined,
    xaxis: axis("xRange", options.xTitle, options.reverseX, options.logX, options.xRange),
    yaxis: axis("yRange", options.yTitle, options.reverseY, options.logY, options.yRange),
    width: options.width,
    height: options.height,
    template: undefined,
    legend: { orientation: "h", y: -0.2 },
    ...options.layout,
  };
}

function seriesTrace(spec: SeriesSpec, defaultMode: SeriesSpec["mode"]): Trace {
  const mode = spec.mode ?? defaultMode;
  const trace: Trace = {
    type: "scatter",
    x: arr(spec.x),
    y: arr(spec.y),
    name: spec.name,
    mode,
    opacity: spec.opacity,
    text: spec.text,
  };
  if (spec.yErr) trace.error_y = { type: "data", array: arr(spec.yErr), visible: true, thickness: 1 };
  if (spec.xErr) trace.error_x = { type: "data", array: arr(spec.xErr), visible: true, thickness: 1 };
  if (mode !== "lines") {
    trace.marker = {
      size: spec.markerSize ?? 6,
      color: spec.colorBy ? arr(spec.colorBy) : spec.color,
      colorscale: spec.colorBy ? spec.colorscale ?? "Viridis" : undefined,
      showscale: spec.colorBy ? true : undefined,
      colorbar: spec.colorBy ? { title: { text: spec.colorTitle ?? "" } } : undefined,
    };
  }
  if (mode !== "markers") trace.line = { color: spec.color, dash: spec.dash };
  return trace;
}

/** Lines (optionally with error bars) for one or more series. */
export function lineChart(series: SeriesSpec | SeriesSpec[], options: FigureOptions = {}): Figure {
  const list = Array.isArray(series) ? series : [series];
  list.forEach((s) => checkLengths("lineChart", s));
  return { data: list.map((s) => seriesTrace(s, "lines")), layout: baseLayout(options) };
}

/** Scatter points (optionally with error bars or a colour scale) for one or more series. */
export function scatterChart(series: SeriesSpec | SeriesSpec[], options: FigureOptions = {}): Figure {
  const list = Array.isArray(series) ? series : [series];
  list.forEach((s) => checkLengths("scatterChart", s));
  return { data: list.map((s) => seriesTrace(s, "markers")), layout: baseLayout(options) };
}

export interface HistogramSpec {
  values: Numeric;
  name?: string;
  /** Number of bins (plotly picks if omitted). */
  bins?: number;
  color?: string;
  /** Normalise to a probability density so differently sized samples compare. */
  density?: boolean;
}

/** Histograms, overlaid when several are given. */
export function histogramChart(hists: HistogramSpec | HistogramSpec[], options: FigureOptions = {}): Figure {
  const list = Array.isArray(hists) ? hists : [hists];
  const data = list.map((h) => {
    const values = Array.from(h.values).filter((v) => Number.isFinite(v));
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    return {
      type: "histogram",
      x: values,
      name: h.name,
      opacity: list.length > 1 ? 0.6 : 1,
      marker: { color: h.color },
      histnorm: h.density ? "probability density" : undefined,
      xbins: h.bins && hi > lo ? { start: lo, end: hi + (hi - lo) * 1e-9, size: (hi - lo) / h.bins } : undefined,
    } as Trace;
  });
  return { data, layout: { ...baseLayout(options), barmode: "overlay" } };
}

export interface HeatmapSpec {
  /** Row-major values: z[row][col]. Row 0 is drawn at the bottom unless `imageOrigin` is "top". */
  z: number[][];
  x?: Numeric;
  y?: Numeric;
  colorscale?: string;
  colorTitle?: string;
  zmin?: number;
  zmax?: number;
  /** "top" draws row 0 at the top, as images and matrices are read. */
  imageOrigin?: "top" | "bottom";
  /** Keep pixels square (images). */
  equalAspect?: boolean;
  /** Write each value in its cell (small matrices). */
  annotate?: boolean;
  /** Flip the colour scale (plotly's "Blues" runs dark to light). */
  reverseScale?: boolean;
}

/** A heat map or image with a colour bar. */
export function heatmapChart(spec: HeatmapSpec, options: FigureOptions = {}): Figure {
  const rows = spec.z.length;
  if (rows === 0) throw new Error("heatmapChart: z has no rows");
  const cols = spec.z[0].length;
  spec.z.forEach((row, i) => {
    if (row.length !== cols) throw new Error(`heatmapChart: row ${i} has ${row.length} values, row 0 has ${cols}`);
  });
  const trace: Trace = {
    type: "heatmap",
    z: spec.z,
    x: arr(spec.x),
    y: arr(spec.y),
    colorscale: spec.colorscale ?? "Viridis",
    zmin: spec.zmin,
    zmax: spec.zmax,
    reversescale: spec.reverseScale,
    colorbar: { title: { text: spec.colorTitle ?? "" } },
  };
  if (spec.annotate) {
    trace.text = spec.z.map((r) => r.map((v) => formatCell(v)));
    trace.texttemplate = "%{text}";
  }
  const layout = baseLayout(options);
  const yaxis = { ...(layout.yaxis as Layout) };
  if (spec.imageOrigin === "top") yaxis.autorange = "reversed";
  if (spec.equalAspect) {
    yaxis.scaleanchor = "x";
    yaxis.constrain = "domain";
  }
  return { data: [trace], layout: { ...layout, yaxis } };
}

function formatCell(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
}

export interface ImageGridOptions extends FigureOptions {
  /** Images per row (default: up to 8). */
  columns?: number;
  /** Caption under each image (e.g. label and score). */
  captions?: string[];
  colorscale?: string;
  /** Stretch each image to its own range (default) or share one range for all. */
  sharedRange?: boolean;
  /** Pixel size of each tile (default 110). */
  tileSize?: number;
}

/**
 * A grid of small single-channel images (sky cut-outs, digits), each [height][width] or a flat
 * array with `shape`. Row 0 of each image is drawn at the top.
 */
export function imageGrid(images: number[][][], options: ImageGridOptions = {}): Figure {
  const n = images.length;
  if (n === 0) throw new Error("imageGrid: no images given");
  const columns = Math.min(options.columns ?? 8, n);
  const rows = Math.ceil(n / columns);
  const tile = options.tileSize ?? 110;
  let lo = Infinity;
  let hi = -Infinity;
  if (options.sharedRange) {
    for (const img of images) for (const row of img) for (const v of row) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  }
  const data: Trace[] = [];
  const layout: Layout = {
    ...baseLayout(options),
    height: options.height ?? rows * (tile + (options.captions ? 24 : 8)) + 60,
    width: options.width ?? Math.max(columns * (tile + 8) + 40, 300),
    showlegend: false,
    margin: { t: options.title ? 40 : 10, b: 10, l: 10, r: 10 },
  };
  const gap = 0.02;
  const annotations: Layout[] = [];
  images.forEach((img, k) => {
    const r = Math.floor(k / columns);
    const c = k % columns;
    const axisId = k === 0 ? "" : String(k + 1);
    data.push({
      type: "heatmap",
      z: img,
      // Bright = white, as in ds9 and most sky viewers.
      colorscale: options.colorscale ?? "Greys",
      showscale: false,
      zmin: options.sharedRange ? lo : undefined,
      zmax: options.sharedRange ? hi : undefined,
      xaxis: "x" + axisId,
      yaxis: "y" + axisId,
      hovertemplate: `image ${k}: (%{x}, %{y}) = %{z:.3g}<extra></extra>`,
    });
    const x0 = c / columns + gap / 2;
    const x1 = (c + 1) / columns - gap / 2;
    const y1 = 1 - r / rows - gap / 2;
    const y0 = 1 - (r + 1) / rows + gap / 2 + (options.captions ? 0.12 / rows : 0);
    layout["xaxis" + axisId] = { domain: [x0, x1], showticklabels: false, ticks: "", showgrid: false, zeroline: false, anchor: "y" + axisId };
    layout["yaxis" + axisId] = {
      domain: [y0, y1], showticklabels: false, ticks: "", showgrid: false, zeroline: false, autorange: "reversed",
      scaleanchor: "x" + axisId, anchor: "x" + axisId,
    };
    if (options.captions?.[k]) {
      annotations.push({
        text: options.captions[k], showarrow: false, xref: "paper", yref: "paper",
        x: (x0 + x1) / 2, y: y0, yanchor: "top", font: { size: 11 },
      });
    }
  });
  layout.annotations = annotations;
  return { data, layout };
}

/** Turns a flat array (e.g. one image of a tensor's dataSync()) into [height][width]. */
export function toImage(values: ArrayLike<number>, height: number, width: number, offset = 0): number[][] {
  if (offset + height * width > values.length) {
    throw new Error(`toImage: need ${height}x${width} values from offset ${offset}, only ${values.length} given`);
  }
  return Array.from({ length: height }, (_, i) => Array.from({ length: width }, (_, j) => values[offset + i * width + j]));
}

export interface ConfusionMatrixOptions extends FigureOptions {
  /** Show row-normalised fractions (recall per true class) instead of counts. */
  normalise?: boolean;
}

/** Confusion matrix counts[trueClass][predictedClass] from label arrays. */
export function confusionCounts(trueLabels: ArrayLike<number>, predictedLabels: ArrayLike<number>, numClasses?: number): number[][] {
  if (trueLabels.length !== predictedLabels.length) {
    throw new Error(`confusionCounts: ${trueLabels.length} true labels but ${predictedLabels.length} predictions`);
  }
  let k = numClasses ?? 0;
  if (numClasses === undefined) for (let i = 0; i < trueLabels.length; i++) k = Math.max(k, trueLabels[i] + 1, predictedLabels[i] + 1);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < trueLabels.length; i++) {
    const t = trueLabels[i];
    const p = predictedLabels[i];
    if (!(t >= 0 && t < k && p >= 0 && p < k && Number.isInteger(t) && Number.isInteger(p))) {
      throw new Error(`confusionCounts: label pair (${t}, ${p}) at index ${i} is not an integer class in 0..${k - 1}`);
    }
    m[t][p]++;
  }
  return m;
}

/** The confusion matrix as an annotated heat map (true class down, predicted across). */
export function confusionMatrixChart(
  trueLabels: ArrayLike<number>, predictedLabels: ArrayLike<number>, classNames: string[], options: ConfusionMatrixOptions = {},
): Figure {
  const counts = confusionCounts(trueLabels, predictedLabels, classNames.length);
  const z = options.normalise
    ? counts.map((row) => { const s = row.reduce((a, b) => a + b, 0); return row.map((v) => (s ? v / s : 0)); })
    : counts;
  return heatmapChart(
    { z, x: undefined, y: undefined, colorscale: "Blues", reverseScale: true, annotate: true, imageOrigin: "top", colorTitle: options.normalise ? "fraction" : "count" },
    {
      xTitle: "predicted", yTitle: "true", ...options,
      layout: {
        xaxis: { title: { text: "predicted class" }, tickvals: classNames.map((_, i) => i), ticktext: classNames, side: "bottom" },
        yaxis: { title: { text: "true class" }, tickvals: classNames.map((_, i) => i), ticktext: classNames, autorange: "reversed" },
        ...options.layout,
      },
    },
  );
}

export interface RocCurve {
  falsePositiveRate: number[];
  truePositiveRate: number[];
  thresholds: number[];
  auc: number;
}

/** ROC curve and its area from scores (higher = more likely positive) and 0/1 labels. Ties are handled as one step. */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): RocCurve {
  if (labels.length !== scores.length) throw new Error(`rocCurve: ${labels.length} labels but ${scores.length} scores`);
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let pos = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new Error(`rocCurve: label at index ${i} is ${labels[i]}, expected 0 or 1`);
    pos += labels[i];
  }
  const neg = labels.length - pos;
  if (pos === 0 || neg === 0) throw new Error(`rocCurve: needs both classes, got ${pos} positives and ${neg} negatives`);
  const fpr = [0];
  const tpr = [0];
  const thresholds = [Infinity];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    if (labels[i] === 1) tp++; else fp++;
    if (k === idx.length - 1 || scores[idx[k + 1]] !== scores[i]) {
      fpr.push(fp / neg);
      tpr.push(tp / pos);
      thresholds.push(scores[i]);
    }
  }
  let auc = 0;
  for (let k = 1; k < fpr.length; k++) auc += ((fpr[k] - fpr[k - 1]) * (tpr[k] + tpr[k - 1])) / 2;
  return { falsePositiveRate: fpr, truePositiveRate: tpr, thresholds, auc };
}

/** ROC curves of one or more classifiers, with the AUC in the legend and the chance diagonal. */
export function rocChart(curves: Array<{ name: string; roc: RocCurve }>, options: FigureOptions = {}): Figure {
  const data: Trace[] = curves.map(({ name, roc }) => ({
    type: "scatter", mode: "lines", name: `${name} (AUC = ${roc.auc.toFixed(3)})`,
    x: roc.falsePositiveRate, y: roc.truePositiveRate, text: roc.thresholds.map((t) => `threshold ${t.toPrecision(3)}`),
  }));
  data.push({ type: "scatter", mode: "lines", name: "chance", x: [0, 1], y: [0, 1], line: { dash: "dot", color: "#999" } });
  const layout = baseLayout({
    xTitle: "false positive rate",
    yTitle: "true positive rate (recall)",
    title: "ROC curve",
    xRange: options.logX ? [1e-3, 1] : [0, 1],
    yRange: [0, 1.02],
    ...options,
  });
  return { data, layout };
}
