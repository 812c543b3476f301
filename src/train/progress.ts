/**
 * Feedback while a model trains: a `model.fit` callback that shows epoch, losses, metrics and
 * time left, updated in place in the notebook (one output that rewrites itself, not a page of
 * lines), and a plot of the history afterwards.
 */
import * as tf from "@tensorflow/tfjs";
import { newNotebookDisplay, type Figure, type UpdatableDisplay } from "../plot/render";
import { lineChart, type FigureOptions, type SeriesSpec } from "../plot/charts";

export interface ProgressOptions {
  /** Total epochs (defaults to the `epochs` passed to fit, which tfjs reports on train begin). */
  epochs?: number;
  /** Title shown above the bar, e.g. the model's name. */
  label?: string;
  /** Outside a notebook, print a line every this many epochs (default: ~10 lines per run). */
  printEvery?: number;
  /** Keep quiet (still records the history). */
  silent?: boolean;
}


function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(0)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - 60 * m)} s`;
}

/** A logged value as a number: tfjs hands custom callbacks scalar tensors, not numbers. */
function logValue(v: unknown): number {
  if (typeof v === "number") return v;
  if (v instanceof tf.Tensor) return v.dataSync()[0];
  return Number(v);
}

function formatLogs(logs: tf.Logs | undefined): string {
  if (!logs) return "";
  // Training loss first, then its validation twin, in a stable order.
  const keys = Object.keys(logs).sort((a, b) => Number(a.startsWith("val_")) - Number(b.startsWith("val_")) || a.localeCompare(b));
  return keys
    .map((k) => {
      const v = logValue(logs[k]);
      return `${k} ${Math.abs(v) < 1e-3 && v !== 0 || Math.abs(v) >= 1e4 ? v.toExponential(3) : v.toFixed(4)}`;
    })
    .join(" · ");
}

/**
 * Seconds left, from the epochs after the first: the first epoch also pays one-off costs
 * (kernel set-up, first allocations, a dataset's first pass), so timing from it alone made the
 * first estimate several times too long. Unknown (NaN) until a second epoch has finished, unless
 * the first epoch's time is not known separately.
 */
export function timeLeftS(epoch: number, epochs: number, elapsedS: number, firstEpochS?: number): number {
  if (epoch <= 0) return NaN;
  if (firstEpochS === undefined) return (elapsedS / epoch) * (epochs - epoch);
  if (epoch < 2) return NaN;
  return ((elapsedS - firstEpochS) / (epoch - 1)) * (epochs - epoch);
}

/** What the progress display shows at one moment (exported for tests). */
export function progressHtml(
  label: string,
  epoch: number,
  epochs: number,
  elapsedS: number,
  logs: tf.Logs | undefined,
  firstEpochS?: number,
): string {
  const frac = epochs > 0 ? Math.min(1, epoch / epochs) : 0;
  const left = timeLeftS(epoch, epochs, elapsedS, firstEpochS);
  const pct = (100 * frac).toFixed(0);
  return `<div style="font-family:monospace;font-size:13px">
<div>${label ? `<b>${label}</b> · ` : ""}epoch ${epoch}/${epochs} · ${formatSeconds(elapsedS)} elapsed · ${epoch >= epochs ? "done" : Number.isFinite(left) ? `~${formatSeconds(left)} left` : "estimating time left…"}</div>
<div style="background:#eee;width:320px;height:10px;border-radius:3px;margin:3px 0"><div style="background:#4c78a8;width:${pct}%;height:10px;border-radius:3px"></div></div>
<div>${formatLogs(logs)}</div></div>`;
}

/** The callback behind `trainingProgress`; subclassing tf.Callback gives us `params.epochs`. */
export class TrainingProgress extends tf.Callback {
  private display: UpdatableDisplay | undefined;
  private start = 0;
  private lastDraw = 0;
  private epochs = 0;
  private firstEpochS: number | undefined;

  constructor(private readonly options: ProgressOptions = {}) {
    super();
  }

  async onTrainBegin(): Promise<void> {
    this.start = Date.now();
    this.lastDraw = 0;
    this.firstEpochS = undefined;
    this.epochs = this.options.epochs ?? Number((this.params as { epochs?: number } | undefined)?.epochs ?? 0);
    this.display = this.options.silent ? undefined : newNotebookDisplay();
  }

  async onEpochEnd(epoch: number, logs?: tf.Logs): Promise<void> {
    const done = epoch + 1;
    const epochs = Math.max(this.epochs, done);
    const elapsed = (Date.now() - this.start) / 1000;
    const label = this.options.label ?? "";
    if (done === 1) this.firstEpochS = elapsed;
    if (this.options.silent) return;
    if (this.display) {
      // Redraw at most ~4 times a second: each update is a message to the front end.
      if (Date.now() - this.lastDraw > 250 || done >= epochs) {
        this.display.html(progressHtml(label, done, epochs, elapsed, logs, this.firstEpochS));
        this.lastDraw = Date.now();
      }
    } else {
      const every = this.options.printEvery ?? Math.max(1, Math.round(epochs / 10));
      if (done % every === 0 || done === epochs || done === 1) {
        console.log(`${label ? label + " " : ""}epoch ${done}/${epochs} (${formatSeconds(elapsed)}) ${formatLogs(logs)}`);
      }
    }
  }
}

/**
 * A `model.fit` callback that reports progress. Use it as
 * `await model.fit(x, y, { epochs, callbacks: [trainingProgress({ label: "MLP" })] })`.
 */
export function trainingProgress(options: ProgressOptions = {}): TrainingProgress {
  return new TrainingProgress(options);
}

export interface HistoryChartOptions extends FigureOptions {
  /** Which logged quantities to draw (default: every key, e.g. loss and val_loss). */
  keys?: string[];
}

/** Train vs validation curves from `model.fit`'s History (or its `.history` record). */
export function historyChart(history: tf.History | Record<string, number[]>, options: HistoryChartOptions = {}): Figure {
  const record = (history as tf.History).history ?? (history as Record<string, number[]>);
  const keys = options.keys ?? Object.keys(record);
  const series: SeriesSpec[] = keys.map((key) => {
    const values = (record[key] as Array<number | tf.Tensor>).map((v) => (typeof v === "number" ? v : (v as tf.Tensor).dataSync()[0]));
    return {
      x: values.map((_, i) => i + 1),
      y: values,
      name: key.startsWith("val_") ? `${key.slice(4)} (validation)` : `${key} (train)`,
      dash: key.startsWith("val_") ? "dash" : "solid",
    };
  });
  return lineChart(series, { title: "Training history", xTitle: "epoch", yTitle: keys.length === 1 ? keys[0] : "value", ...options });
}
