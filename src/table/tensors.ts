/**
 * Between polars tables and tfjs tensors: pick numeric columns into a [rows, columns] tensor
 * (with clear errors for missing columns and non-numbers), split rows reproducibly, and
 * standardise features with statistics from the training split only (using the validation or
 * test rows would leak information about them into the model).
 */
import * as tf from "@tensorflow/tfjs";
import * as pl from "nodejs-polars";
import { existsSync } from "fs";
import { Rng } from "../random";

const NUMERIC = new Set(["Float64", "Float32", "Int64", "Int32", "Int16", "Int8", "UInt64", "UInt32", "UInt16", "UInt8", "Boolean"]);

function dtypeName(s: pl.Series): string {
  return String(s.dtype).replace(/^DataType\(|\)$/g, "");
}

/** Numeric values of one column as Float64Array, or an error naming the column and first bad row. */
export function columnValues(df: pl.DataFrame, column: string, source = "table"): Float64Array {
  if (!df.columns.includes(column)) {
    throw new Error(`${source}: no column "${column}". Columns present: ${df.columns.join(", ")}`);
  }
  const s = df.getColumn(column);
  const name = dtypeName(s);
  const values = s.toArray() as unknown[];
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const num = typeof v === "boolean" ? Number(v) : typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
    if (!Number.isFinite(num)) {
      const shown = v === null || v === undefined ? "an empty value" : JSON.stringify(v);
      throw new Error(`${source}: column "${column}" row ${i} holds ${shown}, not a finite number (column type ${name})`);
    }
    out[i] = num;
  }
  return out;
}

/** The given columns (default: all) as a float32 [rows, columns] tensor. */
export function dataFrameToTensor(df: pl.DataFrame, columns?: string[], source = "table"): tf.Tensor2D {
  const cols = columns ?? df.columns;
  if (cols.length === 0) throw new Error(`${source}: no columns selected`);
  const n = df.height;
  const flat = new Float32Array(n * cols.length);
  cols.forEach((c, j) => {
    const v = columnValues(df, c, source);
    for (let i = 0; i < n; i++) flat[i * cols.length + j] = v[i];
  });
  return tf.tensor2d(flat, [n, cols.length]);
}

/** A [rows, columns] tensor back into a DataFrame with the given column names. */
export function tensorToDataFrame(t: tf.Tensor, columns: string[]): pl.DataFrame {
  if (t.rank === 1) t = t.reshape([-1, 1]);
  if (t.rank !== 2) throw new Error(`tensorToDataFrame: expected a 2-D tensor [rows, columns], got shape [${t.shape}]`);
  const [rows, cols] = t.shape as [number, number];
  if (cols !== columns.length) throw new Error(`tensorToDataFrame: tensor has ${cols} columns but ${columns.length} names were given (${columns.join(", ")})`);
  const data = t.dataSync();
  const record: Record<string, Float64Array> = {};
  columns.forEach((c, j) => {
    const col = new Float64Array(rows);
    for (let i = 0; i < rows; i++) col[i] = data[i * cols + j];
    record[c] = col;
  });
  return pl.DataFrame(record);
}

export interface SplitFractions {
  train: number;
  validation?: number;
  test?: number;
}

export interface RowSplit {
  train: number[];
  validation: number[];
  test: number[];
}

/** Random train/validation/test row indices (fractions sum to 1; the seed makes it repeatable). */
export function splitRows(n: number, fractions: SplitFractions, seed = 42): RowSplit {
  const val = fractions.validation ?? 0;
  const test = fractions.test ?? 0;
  const total = fractions.train + val + test;
  if (Math.abs(total - 1) > 1e-9 || fractions.train <= 0 || val < 0 || test < 0) {
    throw new Error(`splitRows: fractions must be non-negative and sum to 1, got train ${fractions.train}, validation ${val}, test ${test}`);
  }
  const perm = new Rng(seed).permutation(n);
  const nTrain = Math.round(fractions.train * n);
  const nVal = Math.round(val * n);
  return { train: perm.slice(0, nTrain), validation: perm.slice(nTrain, nTrain + nVal), test: perm.slice(nTrain + nVal) };
}

/** The rows of a DataFrame at the given indices, in that order. */
export function takeRows(df: pl.DataFrame, rows: number[]): pl.DataFrame {
  return df.select(pl.all().gather(rows));
}

/** Per-column standardisation z = (x - mean) / sd, fitted on training rows only. */
export class Standardizer {
  private constructor(readonly mean: Float32Array, readonly sd: Float32Array, readonly columns?: string[]) {}

  /** Learns mean and standard deviation of each column of x ([rows, features]). */
  static fit(x: tf.Tensor2D, columns?: string[]): Standardizer {
    if (x.rank !== 2) throw new Error(`Standardizer.fit: expected [rows, features], got shape [${x.shape}]`);
    if (x.shape[0] < 2) throw new Error(`Standardizer.fit: need at least 2 rows, got ${x.shape[0]}`);
    const [mean, sd] = tf.tidy(() => {
      const m = tf.moments(x, 0);
      return [m.mean.dataSync() as Float32Array, tf.sqrt(m.variance).dataSync() as Float32Array];
    });
    const safe = sd.map((s) => (s > 0 ? s : 1)); // constant column: leave it centred, do not divide by zero
    return new Standardizer(mean, safe, columns);
  }

  /** Rebuilds one from saved statistics (see toJSON). */
  static fromJSON(json: { mean: number[]; sd: number[]; columns?: string[] }): Standardizer {
    return new Standardizer(Float32Array.from(json.mean), Float32Array.from(json.sd), json.columns);
  }

  private check(x: tf.Tensor): void {
    const f = x.shape[x.rank - 1];
    if (f !== this.mean.length) {
      throw new Error(`Standardizer: fitted on ${this.mean.length} features${this.columns ? ` (${this.columns.join(", ")})` : ""} but got a tensor of shape [${x.shape}]`);
    }
  }

  transform(x: tf.Tensor2D): tf.Tensor2D {
    this.check(x);
    return tf.tidy(() => x.sub(tf.tensor1d(this.mean)).div(tf.tensor1d(this.sd)));
  }

  inverse(z: tf.Tensor2D): tf.Tensor2D {
    this.check(z);
    return tf.tidy(() => z.mul(tf.tensor1d(this.sd)).add(tf.tensor1d(this.mean)));
  }

  toJSON(): { mean: number[]; sd: number[]; columns?: string[] } {
    return { mean: Array.from(this.mean), sd: Array.from(this.sd), columns: this.columns };
  }
}

export interface ReadTableOptions {
  /** Columns that must be present and numeric (checked with file, line and column in the message). */
  numericColumns?: string[];
  /** Columns that must be present. */
  requiredColumns?: string[];
}

/**
 * Reads a CSV with polars and validates it: a missing file, a missing column or a cell that is
 * not a number gives an error naming the file, line and column instead of a wrong answer later.
 */
export function readTable(path: string, options: ReadTableOptions = {}): pl.DataFrame {
  if (!existsSync(path)) throw new Error(`readTable: file not found: ${path}`);
  let df: pl.DataFrame;
  try {
    df = pl.readCSV(path, { inferSchemaLength: 0 }); // all columns as text: we convert and check ourselves
  } catch (e) {
    throw new Error(`readTable: ${path} is not a readable CSV file: ${(e as Error).message.split("\n")[0]}`);
  }
  for (const c of [...(options.requiredColumns ?? []), ...(options.numericColumns ?? [])]) {
    if (!df.columns.includes(c)) throw new Error(`readTable: ${path} has no column "${c}" (header line 1 has: ${df.columns.join(", ")})`);
  }
  const numeric: Record<string, pl.Series> = {};
  for (const c of options.numericColumns ?? []) {
    const text = df.getColumn(c).toArray() as Array<string | null>;
    const values = new Float64Array(text.length);
    text.forEach((t, i) => {
      const v = t === null || t.trim() === "" ? NaN : Number(t);
      if (!Number.isFinite(v)) {
        throw new Error(`readTable: ${path} line ${i + 2}, column "${c}": ${t === null || t.trim() === "" ? "empty value" : JSON.stringify(t)} is not a number`);
      }
      values[i] = v;
    });
    numeric[c] = pl.Series(c, values);
  }
  return df.withColumns(...Object.values(numeric));
}
