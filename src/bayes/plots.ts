/**
 * Plotly figure builders for MCMC output: trace plots, rank plots, a pair (corner) plot with
 * divergent draws highlighted, and posterior interval ("forest") plots. Each returns a plain
 * `Figure`; the notebook calls `show(fig)`.
 */
import type { Figure, Layout, Trace } from "../plot/render";
import type { DrawScale, NutsResult } from "./nuts";
import { quantiles } from "./diagnostics";

/** Options shared by every posterior plot. */
export interface PosteriorPlotOptions {
  /** Parameters to draw (default: the first few, see each builder). */
  params?: string[];
  /** Constrained (default) or unconstrained draws, e.g. log(tau) to see a funnel. */
  scale?: DrawScale;
  title?: string;
  width?: number;
  height?: number;
}

/** Options for `tracePlot`. */
export interface TracePlotOptions extends PosteriorPlotOptions {
  /** Mark divergent draws with red ticks (default true). */
  showDivergences?: boolean;
}

/** Options for `rankPlot`. */
export interface RankPlotOptions extends PosteriorPlotOptions {
  /** Histogram bins per chain (default 20). */
  bins?: number;
}

/** Options for `pairPlot`. */
export interface PairPlotOptions extends PosteriorPlotOptions {
  /** At most this many non-divergent draws are plotted, evenly thinned (default 2000); all divergent ones are. */
  maxPoints?: number;
  /** Histogram bins on the diagonal (default 30). */
  bins?: number;
}

/** Options for `intervalPlot`. */
export interface IntervalPlotOptions extends PosteriorPlotOptions {
  /** Known or reference values to mark, by parameter name. */
  reference?: Record<string, number>;
  /** Inner and outer interval probabilities (default 0.5 and 0.9). */
  inner?: number;
  outer?: number;
}

/** Plotly's default colour cycle, so chain c has the same colour in every panel. */
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#d62728"];
const DIVERGENT = "#d62728";

function chainColor(c: number): string {
  return PALETTE[c % (PALETTE.length - 1)]; // red is reserved for divergences
}

function pickParams(result: NutsResult, options: PosteriorPlotOptions, defaultCount: number): { names: string[]; index: number[]; draws: Float64Array[][] } {
  const all = options.scale === "unconstrained" ? result.unconstrainedNames : result.paramNames;
  const draws = options.scale === "unconstrained" ? result.unconstrainedDraws : result.draws;
  const names = options.params ?? all.slice(0, defaultCount);
  const index = names.map((n) => {
    const i = all.indexOf(n);
    if (i < 0) throw new Error(`no parameter "${n}" on the ${options.scale ?? "constrained"} scale (have: ${all.slice(0, 12).join(", ")}${all.length > 12 ? ", ..." : ""})`);
    return i;
  });
  return { names, index, draws };
}

function titleOf(text: string | undefined): Layout {
  return text ? { title: { text } } : {};
}

function axisId(k: number): string {
  return k === 0 ? "" : String(k + 1);
}

/**
 * Trace plot: each parameter's draws against iteration, one colour per chain, stacked panels
 * sharing the iteration axis. Well-mixed chains look like overlapping "hairy caterpillars".
 */
export function tracePlot(result: NutsResult, options: TracePlotOptions = {}): Figure {
  const { names, index, draws } = pickParams(result, options, 6);
  const nChains = draws.length;
  const nDraws = result.settings.draws;
  const iters = Array.from({ length: nDraws }, (_, i) => i);
  const data: Trace[] = [];
  const layout: Layout = {
    ...titleOf(options.title ?? "Trace plot"),
    height: options.height ?? 70 + 150 * names.length,
    width: options.width,
    showlegend: true,
    // Room above the panels for the title and, below it, the chain legend.
    margin: { t: 90, r: 20, b: 50, l: 70 },
    legend: { orientation: "h", y: 1.01, yanchor: "bottom" },
    xaxis: { title: { text: "draw" }, anchor: "y" + axisId(names.length - 1) },
  };
  const gap = 0.04;
  names.forEach((name, k) => {
    const yId = axisId(k);
    for (let c = 0; c < nChains; c++) {
      data.push({
        type: "scattergl", mode: "lines", x: iters, y: Array.from(draws[c][index[k]]),
        name: `chain ${c}`, legendgroup: `chain ${c}`, showlegend: k === 0,
        line: { color: chainColor(c), width: 1 }, opacity: 0.8, xaxis: "x", yaxis: "y" + yId,
      });
    }
    if (options.showDivergences ?? true) {
      const xs: number[] = [];
      const ys: number[] = [];
      for (let c = 0; c < nChains; c++) {
        const div = result.stats[c].divergent;
        for (let i = 0; i < nDraws; i++) if (div[i]) { xs.push(i); ys.push(draws[c][index[k]][i]); }
      }
      if (xs.length) {
        data.push({
          type: "scatter", mode: "markers", x: xs, y: ys, name: "divergent", legendgroup: "divergent", showlegend: k === 0,
          marker: { color: DIVERGENT, symbol: "line-ns-open", size: 8 }, xaxis: "x", yaxis: "y" + yId,
        });
      }
    }
    // Panels stacked top to bottom in parameter order.
    const top = 1 - k / names.length;
    const bottom = 1 - (k + 1) / names.length;
    layout["yaxis" + yId] = { domain: [bottom + gap / 2, top - gap / 2], title: { text: name }, anchor: "x" };
  });
  return { data, layout };
}

/**
 * Rank plot (Vehtari et al. 2021): rank all draws of a parameter together, then histogram
 * each chain's ranks. If the chains sample the same distribution every histogram is flat
 * (dashed line); a chain stuck high or low shows a slope or a hump.
 */
export function rankPlot(result: NutsResult, options: RankPlotOptions = {}): Figure {
  const { names, index, draws } = pickParams(result, options, 4);
  const nChains = draws.length;
  const n = result.settings.draws;
  const bins = options.bins ?? 20;
  const total = n * nChains;
  const data: Trace[] = [];
  const layout: Layout = {
    ...titleOf(options.title ?? "Rank plot"),
    height: options.height ?? 60 + 130 * names.length,
    width: options.width,
    showlegend: false,
    bargap: 0.05,
  };
  const gapX = 0.02;
  const gapY = 0.06;
  names.forEach((name, r) => {
    const all = new Float64Array(total);
    for (let c = 0; c < nChains; c++) all.set(draws[c][index[r]], c * n);
    const order = Array.from({ length: total }, (_, i) => i).sort((a, b) => all[a] - all[b]);
    const rank = new Float64Array(total);
    for (let i = 0; i < total; ) {
      let j = i;
      while (j + 1 < total && all[order[j + 1]] === all[order[i]]) j++;
      for (let k = i; k <= j; k++) rank[order[k]] = (i + j) / 2;
      i = j + 1;
    }
    const perChain = Array.from({ length: nChains }, (_, c) => {
      const counts = new Array<number>(bins).fill(0);
      for (let i = 0; i < n; i++) counts[Math.min(bins - 1, Math.floor((rank[c * n + i] / total) * bins))]++;
      return counts;
    });
    // One y range per row so the chains' histograms compare at a glance.
    const yMax = 1.1 * Math.max(...perChain.map((counts) => Math.max(...counts)));
    for (let c = 0; c < nChains; c++) {
      const counts = perChain[c];
      const k = r * nChains + c;
      const id = axisId(k);
      const centres = counts.map((_, b) => ((b + 0.5) * total) / bins);
      data.push({ type: "bar", x: centres, y: counts, width: total / bins, marker: { color: chainColor(c) }, xaxis: "x" + id, yaxis: "y" + id, name: `chain ${c}`, hovertemplate: `chain ${c}: %{y} draws<extra></extra>` });
      data.push({ type: "scatter", mode: "lines", x: [0, total], y: [n / bins, n / bins], line: { color: "black", dash: "dash", width: 1 }, xaxis: "x" + id, yaxis: "y" + id, hoverinfo: "skip" });
      const x0 = c / nChains + gapX / 2;
      const x1 = (c + 1) / nChains - gapX / 2;
      const y1 = 1 - r / names.length - gapY / 2;
      const y0 = 1 - (r + 1) / names.length + gapY / 2;
      layout["xaxis" + id] = { domain: [x0, x1], anchor: "y" + id, showticklabels: r === names.length - 1, range: [0, total], tickvals: [0, Math.round(total / 2)], title: r === names.length - 1 ? { text: `rank (chain ${c})` } : undefined };
      layout["yaxis" + id] = { domain: [y0, y1], anchor: "x" + id, range: [0, yMax], title: c === 0 ? { text: name } : undefined, showticklabels: c === 0 };
    }
  });
  return { data, layout };
}

function thinIndex(n: number, keep: number): number[] {
  if (n <= keep) return Array.from({ length: n }, (_, i) => i);
  const step = n / keep;
  return Array.from({ length: keep }, (_, i) => Math.floor(i * step));
}

/**
 * Pair (corner) plot: scatter of every pair of parameters below the diagonal, histograms on
 * it; divergent draws in red. Divergences piling up in one corner (e.g. small log τ in eight
 * schools) point at the geometry the sampler cannot follow.
 */
export function pairPlot(result: NutsResult, options: PairPlotOptions = {}): Figure {
  const { names, index, draws } = pickParams(result, options, 4);
  const k = names.length;
  const nChains = draws.length;
  const n = result.settings.draws;
  const okIdx: Array<[number, number]> = [];
  const divIdx: Array<[number, number]> = [];
  for (let c = 0; c < nChains; c++) {
    for (let i = 0; i < n; i++) (result.stats[c].divergent[i] ? divIdx : okIdx).push([c, i]);
  }
  const shown = thinIndex(okIdx.length, options.maxPoints ?? 2000).map((j) => okIdx[j]);
  const values = (p: number, idx: Array<[number, number]>) => idx.map(([c, i]) => draws[c][index[p]][i]);
  const data: Trace[] = [];
  const size = options.height ?? Math.max(420, 170 * k + 60);
  const layout: Layout = {
    ...titleOf(options.title ?? "Pair plot" + (divIdx.length ? ` (${divIdx.length} divergent draws in red)` : "")),
    height: size,
    width: options.width ?? size,
    showlegend: false,
    bargap: 0.02,
  };
  const gap = 0.03;
  for (let r = 0; r < k; r++) {
    for (let c = 0; c <= r; c++) {
      const cell = r * k + c;
      const id = axisId(cell);
      if (r === c) {
        data.push({ type: "histogram", x: values(c, okIdx.concat(divIdx)), nbinsx: options.bins ?? 30, marker: { color: "#7f7f7f" }, xaxis: "x" + id, yaxis: "y" + id, hovertemplate: `${names[c]} %{x}: %{y}<extra></extra>` });
      } else {
        data.push({ type: "scattergl", mode: "markers", x: values(c, shown), y: values(r, shown), marker: { color: "#1f77b4", size: 3, opacity: 0.35 }, xaxis: "x" + id, yaxis: "y" + id, hoverinfo: "skip" });
        if (divIdx.length) {
          data.push({ type: "scatter", mode: "markers", x: values(c, divIdx), y: values(r, divIdx), marker: { color: DIVERGENT, size: 5, line: { color: "white", width: 0.5 } }, xaxis: "x" + id, yaxis: "y" + id, name: "divergent" });
        }
      }
      const x0 = c / k + gap / 2;
      const x1 = (c + 1) / k - gap / 2;
      const y1 = 1 - r / k - gap / 2;
      const y0 = 1 - (r + 1) / k + gap / 2;
      layout["xaxis" + id] = { domain: [x0, x1], anchor: "y" + id, title: r === k - 1 ? { text: names[c] } : undefined, showticklabels: r === k - 1 };
      layout["yaxis" + id] = { domain: [y0, y1], anchor: "x" + id, title: c === 0 && r > 0 ? { text: names[r] } : undefined, showticklabels: c === 0 && r > 0 };
    }
  }
  return { data, layout };
}

/**
 * Posterior interval ("forest") plot: per parameter the median (dot), the central 50 %
 * interval (thick bar) and the 90 % interval (thin line), first parameter at the top.
 */
export function intervalPlot(result: NutsResult, options: IntervalPlotOptions = {}): Figure {
  const { names, index, draws } = pickParams(result, options, 30);
  const inner = options.inner ?? 0.5;
  const outer = options.outer ?? 0.9;
  const probs = [(1 - outer) / 2, (1 - inner) / 2, 0.5, (1 + inner) / 2, (1 + outer) / 2];
  const rows = names.map((_, k) => {
    const n = draws[0][index[k]].length;
    const all = new Float64Array(n * draws.length);
    draws.forEach((chain, c) => all.set(chain[index[k]], c * n));
    return quantiles(all, probs);
  });
  const seg = (lo: number, hi: number) => {
    const x: Array<number | null> = [];
    const y: Array<string | null> = [];
    // null breaks the line between parameters, so one trace draws every interval.
    rows.forEach((q, k) => {
      x.push(q[lo], q[hi], null);
      y.push(names[k], names[k], null);
    });
    return { x, y };
  };
  const outerSeg = seg(0, 4);
  const innerSeg = seg(1, 3);
  const pct = (p: number) => `${Math.round(100 * p)} %`;
  const data: Trace[] = [
    { type: "scatter", mode: "lines", ...outerSeg, line: { color: "#1f77b4", width: 1.5 }, name: `${pct(outer)} interval`, hoverinfo: "skip" },
    { type: "scatter", mode: "lines", ...innerSeg, line: { color: "#1f77b4", width: 6 }, name: `${pct(inner)} interval`, hoverinfo: "skip" },
    {
      type: "scatter", mode: "markers", x: rows.map((q) => q[2]), y: names, name: "median",
      marker: { color: "white", size: 8, line: { color: "#1f77b4", width: 2 } },
      customdata: rows.map((q) => [q[0], q[1], q[3], q[4]]),
      hovertemplate: `%{y}: median %{x:.3g}<br>${pct(inner)}: [%{customdata[1]:.3g}, %{customdata[2]:.3g}]<br>${pct(outer)}: [%{customdata[0]:.3g}, %{customdata[3]:.3g}]<extra></extra>`,
    },
  ];
  if (options.reference) {
    const ref = names.filter((n) => options.reference![n] !== undefined);
    data.push({ type: "scatter", mode: "markers", x: ref.map((n) => options.reference![n]), y: ref, name: "reference", marker: { color: DIVERGENT, symbol: "x", size: 9 } });
  }
  return {
    data,
    layout: {
      ...titleOf(options.title ?? "Posterior intervals"),
      height: options.height ?? 120 + 28 * names.length,
      width: options.width,
      yaxis: { autorange: "reversed", type: "category", automargin: true },
      xaxis: { title: { text: options.scale === "unconstrained" ? "unconstrained value" : "value" }, zeroline: true },
      legend: { orientation: "h", y: 1.0, yanchor: "bottom" },
    },
  };
}
