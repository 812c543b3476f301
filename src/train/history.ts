/**
 * Reading and comparing training runs: the best and final value of a logged quantity, several
 * runs' learning curves on one figure (one colour per run, training solid, validation dashed), a
 * marker at an epoch (where early stopping fired), and a callback that puts back the weights of
 * the best epoch (tfjs's earlyStopping does not implement `restoreBestWeights`).
 */
import * as tf from "@tensorflow/tfjs";
import type { Figure, Layout, Trace } from "../plot/render";
import { baseLayout, type FigureOptions } from "../plot/charts";

/** A fit History or its `.history` record. */
export type HistoryLike = tf.History | Record<string, Array<number | tf.Tensor>>;

/** The per-epoch values of one logged quantity as numbers. */
export function historyValues(history: HistoryLike, key: string): number[] {
  const record = ((history as tf.History).history ?? history) as Record<string, Array<number | tf.Tensor>>;
  const values = record[key];
  if (!values) throw new Error(`historyValues: no "${key}" in this history (it has: ${Object.keys(record).join(", ") || "nothing"})`);
  return values.map((v) => (typeof v === "number" ? v : v.dataSync()[0]));
}

export interface HistorySummary {
  /** Smallest value over the run. */
  min: number;
  /** Epoch (1-based, as plotted) of the smallest value. */
  bestEpoch: number;
  /** Value at the last epoch. */
  final: number;
  /** Epochs run (fewer than requested if training stopped early). */
  epochs: number;
}

/** Minimum, its epoch, and the final value of `key` (default val_loss). */
export function historySummary(history: HistoryLike, key = "val_loss"): HistorySummary {
  const v = historyValues(history, key);
  if (v.length === 0) throw new Error(`historySummary: "${key}" has no values`);
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] < v[best]) best = i;
  return { min: v[best], bestEpoch: best + 1, final: v[v.length - 1], epochs: v.length };
}

/** Colours for runs (Tableau 10), so a run keeps its colour in train and validation curves. */
export const RUN_COLOURS = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac", "#eeca3b"];

export interface RunCurves {
  name: string;
  history: HistoryLike;
  color?: string;
}

export interface HistoriesChartOptions extends FigureOptions {
  /** Quantities to draw for every run (default loss and val_loss). */
  keys?: string[];
  /** Fixed y range, e.g. [0, 1] when one curve (a penalised training loss) would squash the others. */
  yRange?: [number, number];
}

/** Learning curves of several runs on one figure: a colour per run, training solid, validation dashed. */
export function historiesChart(runs: RunCurves[], options: HistoriesChartOptions = {}): Figure {
  const keys = options.keys ?? ["loss", "val_loss"];
  const data: Trace[] = [];
  runs.forEach((run, r) => {
    const color = run.color ?? RUN_COLOURS[r % RUN_COLOURS.length];
    for (const key of keys) {
      const y = historyValues(run.history, key);
      const isVal = key.startsWith("val_");
      data.push({
        type: "scatter", mode: "lines", x: y.map((_, i) => i + 1), y,
        name: `${run.name} · ${isVal ? "validation" : "training"}${keys.length > 2 ? ` ${key.replace(/^val_/, "")}` : ""}`,
        line: { color, dash: isVal ? "dash" : "solid", width: isVal ? 2 : 1.5 },
      });
    }
  });
  const layout = baseLayout({ xTitle: "epoch", yTitle: keys.length === 2 && keys[1] === `val_${keys[0]}` ? keys[0] : "value", ...options });
  if (options.yRange) layout.yaxis = { ...(layout.yaxis as Layout), range: options.yRange, autorange: false };
  return { data, layout };
}

/** Adds a vertical line with a label at `epoch` (e.g. where early stopping fired). Returns the figure. */
export function markEpoch(fig: Figure, epoch: number, label: string, color = "#444"): Figure {
  const shapes = ((fig.layout.shapes as Layout[] | undefined) ?? []).slice();
  shapes.push({ type: "line", xref: "x", yref: "paper", x0: epoch, x1: epoch, y0: 0, y1: 1, line: { color, dash: "dot", width: 1.5 } });
  const annotations = ((fig.layout.annotations as Layout[] | undefined) ?? []).slice();
  annotations.push({ x: epoch, y: 1, xref: "x", yref: "paper", text: label, showarrow: false, xanchor: "left", yanchor: "top", font: { size: 11, color } });
  fig.layout = { ...fig.layout, shapes, annotations };
  return fig;
}

/**
 * A fit callback that remembers the weights at the epoch with the best `monitor` value and puts
 * them back when training ends: with early stopping, the model you keep is the best one, not the
 * one `patience` epochs later.
 */
export class RestoreBestWeights extends tf.Callback {
  private best = Infinity;
  private snapshot: tf.Tensor[] | undefined;
  /** Epoch (1-based) whose weights were restored. */
  bestEpoch = 0;

  constructor(private readonly monitor = "val_loss") {
    super();
  }

  async onTrainBegin(): Promise<void> {
    this.best = Infinity;
    this.bestEpoch = 0;
    this.dispose();
  }

  async onEpochEnd(epoch: number, logs?: tf.Logs): Promise<void> {
    const raw = logs?.[this.monitor] as unknown;
    const value = typeof raw === "number" ? raw : raw instanceof tf.Tensor ? raw.dataSync()[0] : NaN;
    if (!(value < this.best)) return;
    this.best = value;
    this.bestEpoch = epoch + 1;
    this.dispose();
    this.snapshot = this.model.getWeights().map((w) => w.clone());
  }

  async onTrainEnd(): Promise<void> {
    if (this.snapshot) this.model.setWeights(this.snapshot);
    this.dispose();
  }

  private dispose(): void {
    this.snapshot?.forEach((t) => t.dispose());
    this.snapshot = undefined;
  }
}

/** `new RestoreBestWeights(monitor)`, for `callbacks: [tf.callbacks.earlyStopping(...), restoreBestWeights()]`. */
export function restoreBestWeights(monitor = "val_loss"): RestoreBestWeights {
  return new RestoreBestWeights(monitor);
}
