/**
 * Figures for the cluster lesson: the observed HR diagram with the true isochrone, and a "forest"
 * of per-star age intervals from different fits against the truth and the cluster's age.
 */
import type { Figure, Trace } from "../plot/render";
import type { ClusterStar, ClusterStarKind, SimulatedCluster } from "./simulate";
import { clusterIsochrone } from "./simulate";

const KIND_STYLE: Record<ClusterStarKind, { color: string; label: string }> = {
  MS: { color: "#1f77b4", label: "main sequence" },
  TO: { color: "#2ca02c", label: "turn-off" },
  SG: { color: "#ff7f0e", label: "subgiants" },
  RGB: { color: "#d62728", label: "giants" },
};

/**
 * HR diagram (Teff on a reversed axis, L on a log axis) of the observed stars with their 1σ error
 * bars, one colour per kind, and the cluster's true isochrone as a line.
 */
export function clusterHrChart(cluster: SimulatedCluster, options: { title?: string; width?: number; height?: number } = {}): Figure {
  const iso = clusterIsochrone(cluster);
  const data: Trace[] = [
    { type: "scatter", mode: "lines", x: iso.teffK, y: iso.lumLsun, name: `true isochrone (${cluster.ageGyr} Gyr)`, line: { color: "#7f7f7f", width: 1.5 }, hoverinfo: "skip" },
  ];
  for (const kind of ["MS", "TO", "SG", "RGB"] as ClusterStarKind[]) {
    const stars = cluster.stars.filter((s) => s.kind === kind);
    if (stars.length === 0) continue;
    data.push({
      type: "scatter",
      mode: "markers",
      name: KIND_STYLE[kind].label,
      x: stars.map((s) => s.obsTeffK),
      y: stars.map((s) => s.obsLumLsun),
      text: stars.map((s) => `${s.id}: ${s.massMsun.toFixed(3)} M☉` + (Number.isFinite(s.obsDeltaNuMuHz) ? `, Δν ${s.obsDeltaNuMuHz.toFixed(1)} µHz` : "")),
      error_x: { type: "data", array: stars.map((s) => s.errTeffK), visible: true, thickness: 1 },
      error_y: { type: "data", array: stars.map((s) => s.errLumLsun), visible: true, thickness: 1 },
      marker: { color: KIND_STYLE[kind].color, size: 7, symbol: Number.isFinite(stars[0].obsDeltaNuMuHz) ? "diamond" : "circle" },
    });
  }
  return {
    data,
    layout: {
      title: { text: options.title ?? "The simulated cluster (◆ = with Δν and ν_max)" },
      xaxis: { title: { text: "Teff (K)" }, autorange: "reversed" },
      yaxis: { title: { text: "L (L☉)" }, type: "log" },
      width: options.width,
      height: options.height ?? 480,
      legend: { orientation: "h", y: -0.2 },
    },
  };
}

/** One set of per-star intervals for `starAgeChart`. */
export interface AgeIntervals {
  name: string;
  /** 5 %, 50 % and 95 % quantiles per star, Gyr. */
  q5: ArrayLike<number>;
  q50: ArrayLike<number>;
  q95: ArrayLike<number>;
  color?: string;
}

/** Options of `starAgeChart`. */
export interface StarAgeChartOptions {
  /** The true age (vertical dashed line). */
  trueAgeGyr?: number;
  /** A cluster-age interval [q5, q50, q95] drawn as a shaded band. */
  clusterAge?: [number, number, number];
  title?: string;
  width?: number;
  height?: number;
}

/**
 * "Forest" of per-star ages: for each star (one row) the median and 90 % interval of each set of
 * intervals (offset vertically so sets do not overlap), with the true age and the cluster-age band.
 */
export function starAgeChart(stars: Pick<ClusterStar, "id">[], sets: AgeIntervals[], options: StarAgeChartOptions = {}): Figure {
  const palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd"];
  const n = stars.length;
  const data: Trace[] = [];
  sets.forEach((set, k) => {
    const shift = sets.length > 1 ? (k - (sets.length - 1) / 2) * 0.25 : 0;
    const y = stars.map((_, i) => i + shift);
    const q50 = Array.from(set.q50);
    data.push({
      type: "scatter",
      mode: "markers",
      name: set.name,
      x: q50,
      y,
      error_x: { type: "data", symmetric: false, array: q50.map((m, i) => set.q95[i] - m), arrayminus: q50.map((m, i) => m - set.q5[i]), visible: true, thickness: 1.5 },
      marker: { color: set.color ?? palette[k % palette.length], size: 7 },
      text: stars.map((s, i) => `${s.id}: ${q50[i].toFixed(2)} [${set.q5[i].toFixed(2)}, ${set.q95[i].toFixed(2)}] Gyr`),
      hoverinfo: "text",
    });
  });
  const shapes: Record<string, unknown>[] = [];
  if (options.clusterAge) {
    const [lo, , hi] = options.clusterAge;
    shapes.push({ type: "rect", xref: "x", yref: "paper", x0: lo, x1: hi, y0: 0, y1: 1, fillcolor: "rgba(44,160,44,0.25)", line: { width: 0 } });
  }
  if (options.trueAgeGyr !== undefined) {
    shapes.push({ type: "line", xref: "x", yref: "paper", x0: options.trueAgeGyr, x1: options.trueAgeGyr, y0: 0, y1: 1, line: { color: "black", dash: "dash", width: 1.5 } });
  }
  return {
    data,
    layout: {
      title: { text: options.title ?? "Star ages: median and 90 % interval" + (options.clusterAge ? " (green band: cluster age, 90 %)" : "") + (options.trueAgeGyr !== undefined ? " (dashed: truth)" : "") },
      xaxis: { title: { text: "age (Gyr)" }, zeroline: false },
      yaxis: { tickvals: stars.map((_, i) => i), ticktext: stars.map((s) => s.id), autorange: "reversed", automargin: true },
      shapes,
      height: options.height ?? Math.max(360, 90 + 22 * n),
      width: options.width,
      legend: { orientation: "h", y: -0.12, yanchor: "top" },
      margin: { t: 60, b: 90 },
    },
  };
}
