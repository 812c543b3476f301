/**
 * Renders plotly figures inline in a notebook without a network connection.
 *
 * plotly.js comes from the `plotly.js-dist-min` npm package and is embedded ONCE per notebook
 * (4.7 MB), in the first output that needs it; every later figure is a small div plus a call to
 * `Plotly.newPlot`. We use text/html outputs because the classic Notebook and nbconvert do not
 * render the `application/vnd.plotly.v1+json` mime type.
 */
import { readFileSync } from "fs";
import { randomBytes } from "crypto";

/** One plotly trace (https://plotly.com/javascript/reference/); kept loose so any plotly option passes through. */
export type Trace = Record<string, unknown> & { type?: string };
/** Plotly layout object (title must be `{ text }` in plotly.js >= 3). */
export type Layout = Record<string, unknown>;

export interface Figure {
  data: Trace[];
  layout: Layout;
  /** Plotly config (e.g. `{ responsive: true }`). */
  config?: Record<string, unknown>;
}

export interface ShowOptions {
  /** Pixel height of the plot area (default: layout.height or 420). */
  height?: number;
}

interface TslabDisplay {
  html(s: string): void;
  text(s: string): void;
}

let plotlyEmbedded = false;
let plotlySource: string | undefined;

/** The tslab display when running inside a tslab kernel; undefined elsewhere (tests, scripts). */
export function notebookDisplay(): TslabDisplay | undefined {
  try {
    // Resolved at call time: outside a kernel tslab's display throws "Not ready".
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const tslab = require("tslab") as { display: TslabDisplay };
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData?: unknown };
    return jupyter.lastWriteDisplayData ? tslab.display : undefined;
  } catch {
    return undefined;
  }
}

/** An output that can be rewritten in place (progress bars); undefined outside a tslab kernel. */
export interface UpdatableDisplay {
  html(s: string): void;
}

/** A new in-place display in the notebook (tslab's `newDisplay`), or undefined outside a kernel. */
export function newNotebookDisplay(): UpdatableDisplay | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData?: unknown };
    if (!jupyter.lastWriteDisplayData) return undefined;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return (require("tslab") as { newDisplay(): UpdatableDisplay }).newDisplay();
  } catch {
    return undefined;
  }
}

/** plotly.min.js made safe to inline: hides AMD/CommonJS loaders so it always sets window.Plotly. */
export function plotlyScriptTag(): string {
  if (!plotlySource) {
    const path = require.resolve("plotly.js-dist-min/plotly.min.js");
    // The classic Notebook loads require.js; plotly's UMD wrapper would then register an anonymous
    // AMD module instead of window.Plotly, so shadow define/module/exports while it runs.
    const code = readFileSync(path, "utf8").replace(/<\/script/gi, "<\\/script");
    plotlySource = `<script type="text/javascript">(function(define, module, exports){\n${code}\n}).call(window);</script>`;
  }
  return plotlySource;
}

/** Version of the embedded plotly.js. */
export function plotlyVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return (require("plotly.js-dist-min/package.json") as { version: string }).version;
}

function escapeJson(value: unknown): string {
  // Keep the JSON inert inside <script>: no closing tags, no HTML comments, no line separators.
  return JSON.stringify(value, (_k, v) => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    if (typeof v === "number" && !Number.isFinite(v)) return null;
    return v;
  })
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** The HTML for one figure; includes plotly.js when `withLibrary` is true. */
export function figureHtml(fig: Figure, options: ShowOptions & { withLibrary?: boolean } = {}): string {
  const id = "nn4astro-" + randomBytes(6).toString("hex");
  const height = options.height ?? (fig.layout.height as number | undefined) ?? 420;
  const layout = { margin: { t: 50, r: 20, b: 50, l: 60 }, ...fig.layout, height };
  const config = { responsive: true, displaylogo: false, ...fig.config };
  const lib = options.withLibrary ? plotlyScriptTag() : "";
  // The retry loop covers front ends that run output scripts before an earlier output's script
  // finished; the message covers a page that never saw plotly.js (e.g. outputs cleared).
  // The note inside the div shows only where the script never ran: in an untrusted notebook the
  // front end strips scripts (and the div's height), which used to leave a silent 0-px gap.
  const untrusted = `<p class="nn4astro-untrusted" style="color:#a00">This figure is drawn by a script ` +
    `that did not run: the notebook is not trusted. Choose File → Trust Notebook (classic Notebook) or ` +
    `re-run the cell.</p>`;
  return `${lib}<div id="${id}" class="nn4astro-plot" style="width:100%;height:${height}px;">${untrusted}</div>
<script type="text/javascript">(function(){
  var spec = ${escapeJson({ data: fig.data, layout, config })};
  var tries = 0;
  function draw(){
    var el = document.getElementById(${JSON.stringify(id)});
    if (!el) return;
    if (window.Plotly) { el.innerHTML = ''; window.Plotly.newPlot(el, spec.data, spec.layout, spec.config); return; }
    if (++tries < 100) { setTimeout(draw, 50); return; }
    // The class name is split so that tests can tell the drawn message from this script's text.
    el.innerHTML = '<p class="nn4astro-' + 'missing-plotly" style="color:#a00">plotly.js is not loaded in this page: re-run the notebook\\'s set-up cell (the one that calls <code>setupBackend()</code>, which embeds plotly.js) or run <code>loadPlotly()</code> in a cell, then re-run this cell.</p>';
  }
  draw();
})();</script>`;
}

/**
 * Makes plotly.js available in the notebook page. `show` calls it the first time; call it
 * yourself after clearing all outputs or reloading the page while the kernel kept running.
 */
export function loadPlotly(): void {
  const display = notebookDisplay();
  if (!display) return;
  display.html(plotlyScriptTag() + `<span style="color:#666;font-size:smaller">plotly.js ${plotlyVersion()} loaded for offline plots.</span>`);
  plotlyEmbedded = true;
}

/** plotly's own mime type: JupyterLab (with plotly's renderer), Notebook 7 and VS Code draw it natively. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

function figureTitle(fig: Figure): string {
  return (fig.layout.title as { text?: string } | undefined)?.text ?? "untitled";
}

/**
 * The output bundle for one figure: plotly's JSON mime type, the self-contained HTML (for the
 * classic Notebook and nbconvert, which do not know the plotly mime type) and a text line.
 * Each front end picks the richest type it can render. The JSON also survives reopening a saved
 * notebook in JupyterLab, where untrusted HTML scripts do not run.
 */
export function figureBundle(fig: Figure, options: ShowOptions & { withLibrary?: boolean } = {}): Record<string, unknown> {
  const height = options.height ?? (fig.layout.height as number | undefined) ?? 420;
  const layout = { margin: { t: 50, r: 20, b: 50, l: 60 }, ...fig.layout, height };
  const config = { responsive: true, displaylogo: false, ...fig.config };
  return {
    [PLOTLY_MIME]: JSON.parse(escapeJson({ data: fig.data, layout, config })),
    "text/html": figureHtml(fig, options),
    "text/plain": `[figure: ${figureTitle(fig)}; ${fig.data.length} trace(s)]`,
  };
}

/** Sends a multi-mime display_data message through tslab (its `display` sends one type at a time). */
function writeBundle(bundle: Record<string, unknown>): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const jupyter = require("tslab/dist/jupyter") as {
      lastWriteDisplayData?: ((content: unknown, update: boolean) => void) | null;
    };
    if (!jupyter.lastWriteDisplayData) return false;
    jupyter.lastWriteDisplayData({ data: bundle, metadata: {}, transient: {} }, false);
    return true;
  } catch {
    return false;
  }
}

/**
 * Shows a figure in the notebook. Outside a notebook (tests, scripts) it prints a one-line
 * description instead, so library code that plots still runs.
 */
export function show(fig: Figure, options: ShowOptions = {}): void {
  const display = notebookDisplay();
  if (!display) {
    console.log(`[figure: ${figureTitle(fig)}; ${fig.data.length} trace(s)]`);
    return;
  }
  const bundle = figureBundle(fig, { ...options, withLibrary: !plotlyEmbedded });
  if (!writeBundle(bundle)) display.html(bundle["text/html"] as string);
  plotlyEmbedded = true;
}

/** Writes a figure to a standalone HTML file (plotly.js inlined, works offline). */
export function saveFigureHtml(fig: Figure, path: string, options: ShowOptions = {}): void {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { writeFileSync } = require("fs") as typeof import("fs");
  const title = (fig.layout.title as { text?: string } | undefined)?.text ?? "nn4astro figure";
  writeFileSync(path, `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${figureHtml(fig, { ...options, withLibrary: true })}</body></html>`);
}
