/**
 * Readers for real stellar-evolution tracks, so that a grid computed with MESA or downloaded from
 * MIST can replace the analytic grid of ./grid. Both return polars DataFrames whose columns keep the
 * MESA history names (star_age in yr, star_mass, log_Teff, log_L, log_R, log_g, delta_nu, nu_max, …),
 * the names ./grid uses.
 *
 * MESA `history.data` (Paxton et al. 2011, ApJS 192, 3; layout written by MESA's history output):
 *   line 1  column numbers of the header items
 *   line 2  header item names (version_number, compiler, …, initial_mass, initial_z)
 *   line 3  header item values (strings in double quotes)
 *   line 4  blank
 *   line 5  column numbers
 *   line 6  column names
 *   line 7… one row per saved model, whitespace-separated
 *
 * MIST `.track.eep` (Choi et al. 2016, ApJ 823, 102; Dotter 2016, ApJS 222, 8): comment lines start
 * with `#` and carry the version, a `Yinit Zinit [Fe/H] [a/Fe] v/vcrit` block, an
 * `initial_mass N_pts N_EEP N_col phase type` block, the `EEPs:` line and, last, the column
 * names; every other line is one equivalent-evolutionary-phase (EEP) point.
 *
 * Numbers are parsed as Fortran writes them: `1.0E+00`, `1.0D+00`, and the exponent-overflow form
 * `0.1234567890123456-100` (no letter when the exponent has three digits); `NaN` and `Infinity`
 * are accepted. Anything else — and any row with the wrong number of fields, a missing required
 * column, or an empty file — raises a `StellarFileError` that names the file, line and column.
 */
import { readFileSync } from "fs";
import * as pl from "nodejs-polars";
import { LOGG_SUN_CGS, TEFF_SUN_K } from "./hurley";

/** A malformed stellar track file: the message starts with `file:line:` and names the column where relevant. */
export class StellarFileError extends Error {
  readonly file: string;
  /** 1-based line number, when the problem is on one line. */
  readonly line?: number;
  /** Column name, when the problem is in one column. */
  readonly column?: string;

  constructor(file: string, line: number | undefined, message: string, column?: string) {
    super(`${file}${line !== undefined ? `:${line}` : ""}: ${message}`);
    this.name = "StellarFileError";
    this.file = file;
    this.line = line;
    this.column = column;
  }
}

/** Options shared by the readers. */
export interface TrackReaderOptions {
  /**
   * Columns that must be present, or the file is rejected. Default: star_age, star_mass, log_L,
   * log_Teff (what an HR diagram or an emulator needs).
   */
  requiredColumns?: readonly string[];
  /**
   * Add log_R (from log_L and log_Teff, Teff☉ = 5772 K) and log_g (from star_mass and log_R) when
   * the file lacks them (default true). These use the IAU nominal solar values, not the code's own
   * constants, so they can differ from the code's values in the 4th decimal.
   */
  deriveMissing?: boolean;
}

/** Options of `readMesaHistory`. */
export interface MesaHistoryOptions extends TrackReaderOptions {
  /**
   * After a MESA restart or retry, model numbers repeat: a row whose model_number is ≤ an earlier
   * one supersedes the earlier rows from that model on. Drop the superseded rows (default true).
   */
  dropSupersededModels?: boolean;
}

/** A parsed MESA history file. */
export interface MesaHistory {
  /** Header items (line 2 → line 3): numbers where they parse, strings (unquoted) otherwise. */
  header: Record<string, string | number>;
  /** One row per model. */
  frame: pl.DataFrame;
}

/** A parsed MIST EEP track. */
export interface MistEepTrack {
  /** Metadata from the comment block. */
  header: {
    mistVersion?: string;
    mesaRevision?: string;
    Yinit?: number;
    Zinit?: number;
    feh?: number;
    afe?: number;
    vvcrit?: number;
    initialMassMsun?: number;
    nPoints?: number;
    nEEP?: number;
    nColumns?: number;
    /** Row numbers (1-based) of the primary EEPs. */
    primaryEEPs?: number[];
    trackType?: string;
  };
  /** One row per EEP. */
  frame: pl.DataFrame;
}

const DEFAULT_REQUIRED = ["star_age", "star_mass", "log_L", "log_Teff"] as const;

// Fortran output: optional exponent with E/D, or a bare signed 3-digit exponent when it overflows.
const FORTRAN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eEdD][+-]?\d+|[+-]\d{3,})?$/;
const INTEGER = /^[+-]?\d+$/;

/** Parses one Fortran-formatted number; undefined when the token is not a number. */
export function parseFortranNumber(token: string): number | undefined {
  if (FORTRAN_NUMBER.test(token)) {
    let t = token.replace(/[dD]/, "e");
    if (!/[eE]/.test(t)) t = t.replace(/(\d|\.)([+-]\d{3,})$/, "$1e$2");
    return Number(t);
  }
  const lower = token.toLowerCase();
  if (lower === "nan" || lower === "+nan" || lower === "-nan") return NaN;
  if (lower === "infinity" || lower === "+infinity" || lower === "inf" || lower === "+inf") return Infinity;
  if (lower === "-infinity" || lower === "-inf") return -Infinity;
  return undefined;
}

/** Whitespace tokens, keeping double-quoted strings (MESA header values) whole. */
function tokens(line: string): string[] {
  return line.match(/"[^"]*"|\S+/g) ?? [];
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Column-major numeric table under construction, with per-column integer detection. */
class ColumnBuilder {
  readonly values: number[][];
  readonly integral: boolean[];
  constructor(readonly names: readonly string[], readonly file: string) {
    this.values = names.map(() => []);
    this.integral = names.map(() => true);
  }

  addRow(fields: readonly string[], lineNo: number): void {
    if (fields.length !== this.names.length) {
      throw new StellarFileError(
        this.file,
        lineNo,
        `expected ${this.names.length} fields (one per column name), found ${fields.length}`,
      );
    }
    for (let j = 0; j < fields.length; j++) {
      const x = parseFortranNumber(fields[j]);
      if (x === undefined) {
        throw new StellarFileError(
          this.file,
          lineNo,
          `column ${j + 1} ("${this.names[j]}") holds "${fields[j]}", which is not a number`,
          this.names[j],
        );
      }
      if (this.integral[j] && !INTEGER.test(fields[j])) this.integral[j] = false;
      this.values[j].push(x);
    }
  }

  get rowCount(): number {
    return this.values.length ? this.values[0].length : 0;
  }

  keepRows(keep: readonly number[]): void {
    for (let j = 0; j < this.values.length; j++) this.values[j] = keep.map((i) => this.values[j][i]);
  }

  series(): pl.Series[] {
    return this.names.map((name, j) => {
      const s = pl.Series(name, Float64Array.from(this.values[j]));
      // Integer-valued columns (model_number, num_zones, …) are written without a decimal point.
      return this.integral[j] && this.rowCount > 0 ? s.cast(pl.Int64) : s;
    });
  }
}

function checkNames(names: readonly string[], file: string, lineNo: number): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new StellarFileError(file, lineNo, `column name "${n}" appears twice`, n);
    seen.add(n);
  }
}

function finishFrame(
  series: pl.Series[],
  file: string,
  namesLine: number,
  options: TrackReaderOptions,
): pl.DataFrame {
  let df = pl.DataFrame(series);
  const required = options.requiredColumns ?? DEFAULT_REQUIRED;
  const has = new Set(df.columns);
  const missing = required.filter((c) => !has.has(c));
  // log_R can be derived, so a file without it is only rejected if log_R itself is required and underivable.
  if (missing.length > 0) {
    throw new StellarFileError(
      file,
      namesLine,
      `missing required column${missing.length > 1 ? "s" : ""} ${missing.map((c) => `"${c}"`).join(", ")}; columns present: ${df.columns.join(", ")}`,
      missing[0],
    );
  }
  if (options.deriveMissing ?? true) {
    if (!has.has("log_R") && has.has("log_L") && has.has("log_Teff")) {
      // L = 4πR²σTeff⁴ in solar units: log R = ½ log L − 2 log(Teff/Teff☉).
      df = df.withColumn(
        pl.col("log_L").mul(0.5).sub(pl.col("log_Teff").sub(Math.log10(TEFF_SUN_K)).mul(2)).alias("log_R"),
      );
      has.add("log_R");
    }
    if (!has.has("log_g") && has.has("star_mass") && has.has("log_R")) {
      df = df.withColumn(
        pl.col("star_mass").log(10).add(LOGG_SUN_CGS).sub(pl.col("log_R").mul(2)).alias("log_g"),
      );
    }
  }
  return df;
}

/** Parses the text of a MESA history file; `file` names it in error messages. */
export function parseMesaHistory(text: string, file: string, options: MesaHistoryOptions = {}): MesaHistory {
  const lines = splitLines(text);
  if (lines.every((l) => l.trim() === "")) throw new StellarFileError(file, undefined, "file is empty");
  if (lines.length < 6) {
    throw new StellarFileError(
      file,
      lines.length,
      `a MESA history file needs 6 header lines (header numbers, names, values, blank, column numbers, column names); the file ends after line ${lines.length}`,
    );
  }
  const headerNames = tokens(lines[1]);
  const headerValues = tokens(lines[2]);
  if (headerNames.length !== headerValues.length) {
    throw new StellarFileError(
      file,
      3,
      `${headerValues.length} header values for ${headerNames.length} header names on line 2`,
    );
  }
  const header: Record<string, string | number> = {};
  headerNames.forEach((name, i) => {
    const raw = headerValues[i];
    const quoted = raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2;
    const num = quoted ? undefined : parseFortranNumber(raw);
    header[name] = num !== undefined ? num : quoted ? raw.slice(1, -1) : raw;
  });
  if (lines[3].trim() !== "") {
    throw new StellarFileError(file, 4, "line 4 of a MESA history file must be blank (it separates the header from the columns)");
  }
  const numbers = tokens(lines[4]);
  const names = tokens(lines[5]);
  if (names.length === 0) throw new StellarFileError(file, 6, "no column names on line 6");
  if (!numbers.every((t) => INTEGER.test(t))) {
    throw new StellarFileError(file, 5, "line 5 should hold the column numbers 1 2 3 …");
  }
  if (numbers.length !== names.length) {
    throw new StellarFileError(file, 6, `${names.length} column names but ${numbers.length} column numbers on line 5`);
  }
  checkNames(names, file, 6);

  const table = new ColumnBuilder(names, file);
  for (let i = 6; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    table.addRow(tokens(lines[i]), i + 1);
  }
  if (table.rowCount === 0) throw new StellarFileError(file, 6, "no data rows after the column names");

  const modelCol = names.indexOf("model_number");
  if ((options.dropSupersededModels ?? true) && modelCol >= 0) {
    const models = table.values[modelCol];
    const keep: number[] = [];
    for (let i = 0; i < models.length; i++) {
      while (keep.length > 0 && models[keep[keep.length - 1]] >= models[i]) keep.pop();
      keep.push(i);
    }
    if (keep.length !== models.length) table.keepRows(keep);
  }

  const series = table.series();
  // The header's initial mass and metallicity become columns, as in the generated grid.
  const n = table.rowCount;
  if (typeof header.initial_mass === "number" && !names.includes("initial_mass")) {
    series.push(pl.Series("initial_mass", new Float64Array(n).fill(header.initial_mass)));
  }
  if (typeof header.initial_z === "number" && !names.includes("initial_Z")) {
    series.push(pl.Series("initial_Z", new Float64Array(n).fill(header.initial_z)));
  }
  return { header, frame: finishFrame(series, file, 6, options) };
}

/** Reads a MESA `history.data` file into a DataFrame (one row per model; see `parseMesaHistory` for the header). */
export function readMesaHistory(path: string, options: MesaHistoryOptions = {}): pl.DataFrame {
  return parseMesaHistory(readText(path), path, options).frame;
}

/**
 * Names of MIST's primary EEPs in the order they appear on the header's `EEPs:` line (Dotter 2016,
 * Table 1): for low-mass tracks PreMS 1, ZAMS 202, IAMS 353, TAMS 454, RGBTip 605, ZAHB 631,
 * TAHB 707, TPAGB 808, post-AGB 1409, WDCS 1710. A track lists as many as it reached (N_EEP).
 */
export const MIST_PRIMARY_EEPS = ["PreMS", "ZAMS", "IAMS", "TAMS", "RGBTip", "ZAHB", "TAHB", "TPAGB", "postAGB", "WDCS"] as const;

/** MIST's `phase` column codes (MIST README): what each means. */
export const MIST_PHASE_CODES: Readonly<Record<number, string>> = {
  [-1]: "pre-main sequence",
  0: "main sequence",
  2: "red giant branch (from the TAMS: subgiants included)",
  3: "core helium burning",
  4: "early AGB",
  5: "thermally pulsing AGB",
  6: "post-AGB",
  9: "Wolf-Rayet",
};

/**
 * Slope d log L / d log Teff beyond which a post-TAMS step counts as climbing the giant branch:
 * subgiants (the Hertzsprung gap) cross the HR diagram at slopes of about −5 to +2; the lower red
 * giant branch climbs at −20 to −40.
 */
export const MIST_GIANT_BRANCH_SLOPE = -10;

/**
 * The project's phase label ("PMS" | "MS" | "HG" | "GB" | "beyond") of every row of a MIST track,
 * from its EEP numbers and the header's primary EEPs, so that the labels line up with the grid's:
 *   eep < ZAMS                       "PMS"
 *   ZAMS ≤ eep ≤ TAMS                "MS"  (the TAMS row is the last main-sequence point)
 *   TAMS < eep < base of the GB      "HG"  (subgiants; MIST's phase 2 lumps them with the giants)
 *   base of the GB ≤ eep ≤ RGBTip    "GB"  (the tip row is the last giant, as in the grid)
 *   eep > RGBTip                     "beyond" (core helium burning and later: past the grid)
 * MIST has no primary EEP at the base of the giant branch; we put it at the first post-TAMS step
 * whose HR-diagram slope d log L / d log Teff is steeper than `MIST_GIANT_BRANCH_SLOPE` with L
 * rising (for the first row of a file, the step to the next row). The grid's own boundary row at
 * frac_age = 1 is labelled "HG"; compare the two by age or frac_age rather than by label there.
 */
export function mistPhaseLabels(eep: readonly number[], primaryEEPs: readonly number[], logL: readonly number[], logTeff: readonly number[]): string[] {
  const at = (name: (typeof MIST_PRIMARY_EEPS)[number]) => {
    const k = MIST_PRIMARY_EEPS.indexOf(name);
    return k < primaryEEPs.length ? primaryEEPs[k] : Infinity;
  };
  const zams = at("ZAMS");
  const tams = at("TAMS");
  const tip = at("RGBTip");
  const steepStep = (a: number, b: number) => {
    const dL = logL[b] - logL[a];
    const dT = logTeff[b] - logTeff[a];
    return dL > 0 && dT < 0 && dL / dT < MIST_GIANT_BRANCH_SLOPE;
  };
  let onGiantBranch = false;
  return eep.map((e, i) => {
    if (e < zams) return "PMS";
    if (e <= tams) return "MS";
    if (e > tip) return "beyond";
    if (e === tip) return "GB";
    if (!onGiantBranch) {
      // The step into the row decides; for the first row after the TAMS (or of a slice), the step out.
      const prevPastTams = i > 0 && eep[i - 1] > tams;
      onGiantBranch = prevPastTams ? steepStep(i - 1, i) : i + 1 < eep.length && steepStep(i, i + 1);
    }
    return onGiantBranch ? "GB" : "HG";
  });
}

/** The MIST phase code a row must carry, given its EEP number and the header's primary EEPs (undefined: either). */
function expectedMistPhase(e: number, primaryEEPs: readonly number[]): number | undefined {
  const [preMs, zams, , tams, tip] = [0, 1, 2, 3, 4].map((k) => (k < primaryEEPs.length ? primaryEEPs[k] : Infinity));
  // Rows on a primary EEP are not checked: MIST gives a boundary row the label of the phase it starts.
  if (primaryEEPs.includes(e)) return undefined;
  if (e > preMs && e < zams) return -1;
  if (e > zams && e < tams) return 0;
  if (e > tams && e < tip) return 2;
  return undefined;
}

/** Options of `parseMistEep` / `readMistEep`. */
export interface MistEepOptions extends TrackReaderOptions {
  /**
   * EEP number of the file's first data row, for a file cut to a consecutive range of EEPs (the
   * header still describes the whole track). By default the file must hold the whole track,
   * N_pts rows numbered 1 … N_pts, as MIST writes it.
   */
  firstEep?: number;
}

/** Parses the text of a MIST `.track.eep` file; `file` names it in error messages. */
export function parseMistEep(text: string, file: string, options: MistEepOptions = {}): MistEepTrack {
  const lines = splitLines(text);
  if (lines.every((l) => l.trim() === "")) throw new StellarFileError(file, undefined, "file is empty");
  const header: MistEepTrack["header"] = {};
  let names: string[] | undefined;
  let namesLine = 0;
  let nPtsLine = 0;
  let eepsLine = 0;
  let firstData = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "") continue;
    if (!line.trimStart().startsWith("#")) {
      firstData = i;
      break;
    }
    const body = line.trimStart().slice(1);
    const t = tokens(body);
    if (t.length === 0) continue;
    const next = i + 1 < lines.length ? tokens(lines[i + 1].trimStart().replace(/^#/, "")) : [];
    const num = (s: string | undefined, what: string): number => {
      const x = s === undefined ? undefined : parseFortranNumber(s);
      if (x === undefined) throw new StellarFileError(file, i + 2, `${what} is "${s ?? ""}", not a number`);
      return x;
    };
    if (/MIST version/i.test(body)) header.mistVersion = t[t.length - 1];
    else if (/MESA revision/i.test(body)) header.mesaRevision = t[t.length - 1];
    else if (t[0] === "Yinit") {
      const at = (key: string) => next[t.indexOf(key)];
      header.Yinit = num(at("Yinit"), "Yinit");
      header.Zinit = num(at("Zinit"), "Zinit");
      if (t.includes("[Fe/H]")) header.feh = num(at("[Fe/H]"), "[Fe/H]");
      if (t.includes("[a/Fe]")) header.afe = num(at("[a/Fe]"), "[a/Fe]");
      if (t.includes("v/vcrit")) header.vvcrit = num(at("v/vcrit"), "v/vcrit");
    } else if (t[0] === "initial_mass") {
      const at = (key: string) => next[t.indexOf(key)];
      header.initialMassMsun = num(at("initial_mass"), "initial_mass");
      if (t.includes("N_pts")) header.nPoints = num(at("N_pts"), "N_pts");
      if (t.includes("N_EEP")) header.nEEP = num(at("N_EEP"), "N_EEP");
      if (t.includes("N_col")) header.nColumns = num(at("N_col"), "N_col");
      if (t.includes("type")) header.trackType = at("type");
      nPtsLine = i + 2;
    } else if (t[0] === "EEPs:") {
      header.primaryEEPs = t.slice(1).map((s) => num(s, "an EEP number"));
      eepsLine = i + 1;
    } else if (t.length >= 2 && !t.every((s) => parseFortranNumber(s) !== undefined) && !/^-+$/.test(t[0])) {
      // The last non-numeric comment line before the data is the column-name line.
      names = t;
      namesLine = i + 1;
    }
  }
  if (!names || !names.includes("star_age")) {
    throw new StellarFileError(file, namesLine || undefined, 'no column-name line (a "#" line listing star_age, star_mass, …) before the data');
  }
  if (firstData < 0) throw new StellarFileError(file, namesLine, "no data rows after the column names");
  checkNames(names, file, namesLine);
  if (header.nColumns !== undefined && header.nColumns !== names.length) {
    throw new StellarFileError(file, namesLine, `the header declares N_col = ${header.nColumns} but line ${namesLine} names ${names.length} columns`);
  }

  const table = new ColumnBuilder(names, file);
  for (let i = firstData; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    table.addRow(tokens(line), i + 1);
  }
  const n = table.rowCount;
  const eep = mistEepNumbers(header, n, file, { nPtsLine, eepsLine }, options.firstEep);
  const phaseIdx = names.indexOf("phase");
  if (phaseIdx >= 0 && header.primaryEEPs) {
    // Header vs data: every row strictly between two primary EEPs must carry that stretch's MIST code.
    const codes = table.values[phaseIdx];
    for (let i = 0; i < n; i++) {
      const want = expectedMistPhase(eep[i], header.primaryEEPs);
      if (want !== undefined && Math.round(codes[i]) !== want) {
        throw new StellarFileError(
          file,
          firstData + 1 + i,
          `row ${i + 1} is EEP ${eep[i]}, which the header's EEPs (${header.primaryEEPs.join(" ")}) put in MIST phase ${want} (${MIST_PHASE_CODES[want]}), but its phase column holds ${codes[i]}: the header and the data disagree (wrong firstEep, or an edited file?)`,
          "phase",
        );
      }
    }
  }

  const series = table.series().map((s) => (s.name === "phase" ? s.cast(pl.Float64).rename("mist_phase") : s));
  series.unshift(pl.Series("eep", Int32Array.from(eep)));
  const colNames = names;
  const col = (name: string) => (colNames.includes(name) ? table.values[colNames.indexOf(name)] : undefined);
  const logL = col("log_L");
  const logTeff = col("log_Teff");
  if (header.primaryEEPs && logL && logTeff) {
    series.push(pl.Series("phase", mistPhaseLabels(eep, header.primaryEEPs, logL, logTeff)));
  }
  if (header.initialMassMsun !== undefined && !names.includes("initial_mass")) {
    series.push(pl.Series("initial_mass", new Float64Array(n).fill(header.initialMassMsun)));
  }
  if (header.Zinit !== undefined && !names.includes("initial_Z")) {
    series.push(pl.Series("initial_Z", new Float64Array(n).fill(header.Zinit)));
  }
  return { header, frame: finishFrame(series, file, namesLine, options) };
}

/** EEP numbers of the data rows, from the header (N_pts, N_EEP, EEPs) and `firstEep`, with the header checked. */
function mistEepNumbers(
  header: MistEepTrack["header"],
  n: number,
  file: string,
  where: { nPtsLine: number; eepsLine: number },
  firstEep: number | undefined,
): number[] {
  const primary = header.primaryEEPs;
  if (primary) {
    if (header.nEEP !== undefined && header.nEEP !== primary.length) {
      throw new StellarFileError(file, where.eepsLine, `the header declares N_EEP = ${header.nEEP} but the EEPs line lists ${primary.length} primary EEPs (${primary.join(" ")})`);
    }
    for (let k = 0; k < primary.length; k++) {
      if (!Number.isInteger(primary[k]) || primary[k] < 1 || (k > 0 && primary[k] <= primary[k - 1])) {
        throw new StellarFileError(file, where.eepsLine, `the EEPs line must list increasing positive integers; got ${primary.join(" ")}`);
      }
    }
    // MIST ends every track at its last primary EEP, numbering rows 1 … N_pts.
    if (header.nPoints !== undefined && primary[primary.length - 1] !== header.nPoints) {
      throw new StellarFileError(file, where.eepsLine, `the last primary EEP is ${primary[primary.length - 1]} but the header declares N_pts = ${header.nPoints}; a MIST track ends at its last primary EEP`);
    }
  }
  const total = header.nPoints ?? (primary ? primary[primary.length - 1] : n);
  if (firstEep === undefined) {
    if (header.nPoints !== undefined && header.nPoints !== n) {
      throw new StellarFileError(
        file,
        where.nPtsLine,
        `the header declares N_pts = ${header.nPoints} but the file has ${n} data rows (truncated? for a file cut to a range of EEPs, pass firstEep)`,
      );
    }
    return Array.from({ length: n }, (_, i) => i + 1);
  }
  if (!Number.isInteger(firstEep) || firstEep < 1 || firstEep + n - 1 > total) {
    throw new StellarFileError(file, undefined, `readMistEep: firstEep must be an integer with 1 ≤ firstEep and firstEep + rows − 1 ≤ N_pts = ${total} (${n} rows); got ${firstEep}`);
  }
  return Array.from({ length: n }, (_, i) => firstEep + i);
}

/** Reads a MIST `.track.eep` file into a DataFrame (one row per EEP; see `parseMistEep` for the metadata). */
export function readMistEep(path: string, options: MistEepOptions = {}): pl.DataFrame {
  return parseMistEep(readText(path), path, options).frame;
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new StellarFileError(path, undefined, `cannot read the file (${(e as Error).message})`);
  }
}
