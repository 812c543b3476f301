/** Shows a polars DataFrame as an HTML table in the notebook (plain text elsewhere). */
import * as pl from "nodejs-polars";
import { notebookDisplay } from "../plot/render";

export interface ShowTableOptions {
  /** Rows shown before eliding the middle (default 12). */
  maxRows?: number;
  /** Significant digits for floating-point cells (default 4). */
  digits?: number;
  caption?: string;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function formatCell(v: unknown, digits: number): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(+v.toPrecision(digits));
  return String(v);
}

export function tableHtml(df: pl.DataFrame, options: ShowTableOptions = {}): string {
  const maxRows = options.maxRows ?? 12;
  const digits = options.digits ?? 4;
  const rows = df.height;
  const head = rows > maxRows ? Math.ceil(maxRows / 2) : rows;
  const tail = rows > maxRows ? Math.floor(maxRows / 2) : 0;
  const records = [...(df.head(head).toRecords() as Record<string, unknown>[])];
  const tailRecords = tail ? (df.tail(tail).toRecords() as Record<string, unknown>[]) : [];
  const cols = df.columns;
  const types = df.dtypes.map((t) => String(t).replace(/^DataType\(|\)$/g, ""));
  const th = cols.map((c, j) => `<th style="text-align:right">${escapeHtml(c)}<br><span style="font-weight:normal;color:#888">${types[j]}</span></th>`).join("");
  const tr = (r: Record<string, unknown>) => `<tr>${cols.map((c) => `<td style="text-align:right">${escapeHtml(formatCell(r[c], digits))}</td>`).join("")}</tr>`;
  const gap = tail ? `<tr>${cols.map(() => "<td style=\"text-align:right\">…</td>").join("")}</tr>` : "";
  const caption = `${options.caption ? escapeHtml(options.caption) + " · " : ""}${rows} rows × ${cols.length} columns`;
  return `<table class="dataframe" style="font-size:12px"><caption style="caption-side:bottom;color:#666">${caption}</caption><thead><tr>${th}</tr></thead><tbody>${records.map(tr).join("")}${gap}${tailRecords.map(tr).join("")}</tbody></table>`;
}

export function showTable(df: pl.DataFrame, options: ShowTableOptions = {}): void {
  const display = notebookDisplay();
  if (display) display.html(tableHtml(df, options));
  else console.log(df.toString());
}
