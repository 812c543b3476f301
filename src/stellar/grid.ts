/**
 * A MESA-like grid of stellar evolution tracks made with the Hurley, Pols & Tout (2000) fits, for
 * training emulators (cf. Lyttle et al. 2021, MNRAS 505, 2427, who emulate a MESA grid with a
 * neural network that takes a fractional evolutionary phase rather than raw age as input).
 *
 * Metallicity convention: the grid is specified directly in Z (metal mass fraction), with
 * Z = 0.02 the solar value of Hurley et al.'s calibration (the Pols et al. 1998 models). To compare
 * with a modern [M/H] scale use [M/H] ≈ log10(Z / 0.02) *in this grid's own solar scale*; do not
 * mix it with Z☉ = 0.0142 (Asplund et al. 2009) grids such as MIST without re-deriving Z.
 *
 * Columns (MESA history names where MESA has them):
 *   track_id (i32)      index of the track, Z-major then mass (ascending)
 *   star_mass (f64)     M☉ (initial = current: no mass loss)
 *   initial_Z (f64)     metal mass fraction
 *   star_age (f64)      yr since the ZAMS
 *   phase (str)         "MS" | "HG" | "GB"
 *   frac_age (f64)      0–1 on the MS (age / t_MS), 1–2 across the HG, 2–3 up the GB (time fractions)
 *   log_Teff, log_L, log_R, log_g (f64)   log10 of K, L☉, R☉, cm s⁻²
 *   he_core_mass (f64)  M☉ (0 on the MS in the Hurley fits)
 *   delta_nu, nu_max (f64)  µHz, from the scaling relations (./seismic)
 */
import { createHash } from "crypto";
import { mkdirSync, statSync } from "fs";
import { join } from "path";
import * as pl from "nodejs-polars";
import { dataDir } from "../catalog/files";
import { hurleyStar, trackAgesGyr, TrackResolution } from "./hurley";
import { deltaNuMuHz, numaxMuHz } from "./seismic";

/** Default metallicities: 0.004 – 0.03 around Hurley's solar Z = 0.02 (ζ = log10(Z/0.02) from −0.70 to +0.18). */
export const DEFAULT_GRID_METALLICITIES: readonly number[] = [0.004, 0.006, 0.008, 0.01, 0.014, 0.02, 0.025, 0.03];

/** Default masses: 0.70 to 2.50 M☉ in steps of 0.02 M☉ (91 masses). */
export const DEFAULT_GRID_MASSES_MSUN: readonly number[] = Array.from({ length: 91 }, (_, i) => Math.round((0.7 + 0.02 * i) * 100) / 100);

/** Column order of the grid table. */
export const STELLAR_GRID_COLUMNS = [
  "track_id",
  "star_mass",
  "initial_Z",
  "star_age",
  "phase",
  "frac_age",
  "log_Teff",
  "log_L",
  "log_R",
  "log_g",
  "he_core_mass",
  "delta_nu",
  "nu_max",
] as const;

/** Options of `makeStellarGrid`. */
export interface StellarGridOptions {
  /** Initial masses, M☉ (default `DEFAULT_GRID_MASSES_MSUN`). */
  massesMsun?: readonly number[];
  /** Metallicities Z (default `DEFAULT_GRID_METALLICITIES`). */
  metallicities?: readonly number[];
  /** Points per phase on each track (defaults: 80 MS, 25 HG, 40 GB, plus extra points across a hook). */
  resolution?: TrackResolution;
  /**
   * Oldest age kept, Gyr (default 20): low-mass tracks stop there, part-way through the MS, like a
   * MESA run with a `max_age` stopping condition.
   */
  maxAgeGyr?: number;
  /** Last phase on each track (default "GB": up to helium ignition at the giant-branch tip). */
  endPhase?: "MS" | "HG" | "GB";
}

const DEFAULT_RESOLUTION: Required<TrackResolution> = { msPoints: 80, hgPoints: 25, gbPoints: 40 };

/**
 * Generates the grid as a polars DataFrame (columns `STELLAR_GRID_COLUMNS`). Pure arithmetic, so the
 * same options always give the same table (see `stellarGridChecksum`).
 */
export function makeStellarGrid(options: StellarGridOptions = {}): pl.DataFrame {
  const masses = options.massesMsun ?? DEFAULT_GRID_MASSES_MSUN;
  const metallicities = options.metallicities ?? DEFAULT_GRID_METALLICITIES;
  const resolution = { ...DEFAULT_RESOLUTION, ...options.resolution };
  const maxAgeGyr = options.maxAgeGyr ?? 20;
  if (masses.length === 0 || metallicities.length === 0) throw new RangeError("makeStellarGrid: need at least one mass and one metallicity");

  const cols = {
    track_id: [] as number[],
    star_mass: [] as number[],
    initial_Z: [] as number[],
    star_age: [] as number[],
    phase: [] as string[],
    frac_age: [] as number[],
    log_Teff: [] as number[],
    log_L: [] as number[],
    log_R: [] as number[],
    log_g: [] as number[],
    he_core_mass: [] as number[],
    delta_nu: [] as number[],
    nu_max: [] as number[],
  };
  let trackId = 0;
  for (const Z of metallicities) {
    for (const m of masses) {
      const star = hurleyStar(m, Z);
      const ages = trackAgesGyr(star, { ...resolution, maxAgeGyr, endPhase: options.endPhase ?? "GB" });
      for (const t of ages) {
        const s = star.at(t);
        cols.track_id.push(trackId);
        cols.star_mass.push(m);
        cols.initial_Z.push(Z);
        cols.star_age.push(t * 1e9);
        cols.phase.push(s.phase);
        cols.frac_age.push(s.fracAge);
        cols.log_Teff.push(Math.log10(s.teffK));
        cols.log_L.push(Math.log10(s.lumLsun));
        cols.log_R.push(Math.log10(s.radiusRsun));
        cols.log_g.push(s.loggCgs);
        cols.he_core_mass.push(s.coreMassMsun);
        cols.delta_nu.push(deltaNuMuHz(m, s.radiusRsun));
        cols.nu_max.push(numaxMuHz(m, s.radiusRsun, s.teffK));
      }
      trackId++;
    }
  }
  return pl.DataFrame(
    STELLAR_GRID_COLUMNS.map((name) => {
      if (name === "phase") return pl.Series(name, cols.phase);
      if (name === "track_id") return pl.Series(name, Int32Array.from(cols.track_id));
      return pl.Series(name, Float64Array.from(cols[name]));
    }),
  );
}

/**
 * SHA-256 of the grid's contents (column names, then every column's values in row order; floats as
 * their IEEE-754 bytes), independent of how a file format lays the data out.
 */
export function stellarGridChecksum(df: pl.DataFrame): string {
  const h = createHash("sha256");
  for (const name of df.columns) {
    const s = df.getColumn(name);
    h.update(`${name}:${s.dtype.toString()}\n`);
    if (s.dtype.equals(pl.String)) h.update((s.toArray() as string[]).join("\n"));
    else h.update(Buffer.from(Float64Array.from(s.toArray() as number[]).buffer));
  }
  return h.digest("hex");
}

/** Options of `writeStellarGrid`. */
export interface WriteStellarGridOptions {
  /** Output folder (default: the project's `data/`). */
  dir?: string;
  /** File name without extension (default "stellar-grid"; the sample gets "-sample"). */
  baseName?: string;
  /** Approximate number of rows of the CSV sample (default 2000): every k-th row of the grid. */
  sampleRows?: number;
}

/** What `writeStellarGrid` wrote. */
export interface WrittenStellarGrid {
  parquetPath: string;
  csvPath: string;
  rows: number;
  sampleRows: number;
  parquetBytes: number;
  csvBytes: number;
  checksum: string;
}

/**
 * Writes the grid as zstd-compressed parquet plus a CSV sample (every k-th row, so that every part
 * of the grid is represented) that can be opened in any spreadsheet.
 */
export function writeStellarGrid(df: pl.DataFrame, options: WriteStellarGridOptions = {}): WrittenStellarGrid {
  const dir = options.dir ?? dataDir();
  const base = options.baseName ?? "stellar-grid";
  mkdirSync(dir, { recursive: true });
  const parquetPath = join(dir, `${base}.parquet`);
  const csvPath = join(dir, `${base}-sample.csv`);
  df.writeParquet(parquetPath, { compression: "zstd" });
  const every = Math.max(1, Math.ceil(df.height / (options.sampleRows ?? 2000)));
  const sample = df
    .withRowIndex("row_nr")
    .filter(pl.col("row_nr").modulo(every).eq(0))
    .drop("row_nr");
  sample.writeCSV(csvPath);
  return {
    parquetPath,
    csvPath,
    rows: df.height,
    sampleRows: sample.height,
    parquetBytes: statSync(parquetPath).size,
    csvBytes: statSync(csvPath).size,
    checksum: stellarGridChecksum(df),
  };
}

/** Reads the shipped grid (`data/stellar-grid.parquet`, made by `npm run data`), or one at `path`. */
export function loadStellarGrid(path?: string): pl.DataFrame {
  const p = path ?? join(dataDir(), "stellar-grid.parquet");
  try {
    statSync(p);
  } catch {
    throw new Error(`loadStellarGrid: ${p} does not exist. Generate it with \`npm run data\`.`);
  }
  return pl.readParquet(p);
}
