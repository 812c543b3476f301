/**
 * A MESA-like grid of stellar evolution tracks made with the Hurley, Pols & Tout (2000) fits, for
 * training emulators (cf. Lyttle et al. 2021, MNRAS 505, 2427, who emulate a MESA grid with a
 * neural network that takes a fractional evolutionary phase rather than raw age as input).
 *
 * Metallicity convention: the grid is laid out in [M/H] = log10(Z / Z☉) around 0, with Z☉ =
 * `SOLAR_Z` = 0.0188 the course's one solar scale (./metallicity: calibrated on the Sun with these
 * fits; scaled-solar mixture, X = 0.76 − 3Z). The [M/H] = 0 node is the solar track: its 1 M☉ star
 * has L = 0.988 L☉ and Teff = 5791 K at 4.57 Gyr. The `initial_Z` column stores Z = `zFromMh`([M/H]);
 * catalogue [Fe/H] converts with `zFromFeH`. A MIST or MESA grid's [Fe/H] = 0 has Z ≈ 0.0142
 * (Asplund et al. 2009): compare grids at equal [Fe/H], not at equal Z.
 *
 * What the grid is and is not: analytic fits (Hurley et al. 2000) to one code's models (Pols et al.
 * 1998), not a MESA grid. At fixed mass and age its luminosities differ from MESA/MIST tracks by up
 * to ~0.05–0.1 dex, because the codes differ in input physics (opacities, equation of state,
 * nuclear rates, convective overshooting, mixing length, diffusion) and in solar calibration; the
 * fits themselves reproduce their models to a few per cent. It is a realistic, fast stand-in to
 * learn emulation on, not a reference for stellar ages.
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
import { zFromMh } from "./metallicity";
import { deltaNuMuHz, numaxMuHz } from "./seismic";

/** Default [M/H] of the grid's tracks: −0.7 to +0.2 dex, denser around the solar node 0. */
export const DEFAULT_GRID_MH: readonly number[] = [-0.7, -0.5, -0.35, -0.2, -0.1, 0, 0.1, 0.2];

/**
 * Default metallicities Z = `zFromMh`([M/H]) of `DEFAULT_GRID_MH` (0.00375 – 0.0298), rounded to 6
 * significant digits so that the table's values can be typed; the solar node is exactly `SOLAR_Z`.
 */
export const DEFAULT_GRID_METALLICITIES: readonly number[] = DEFAULT_GRID_MH.map((mh) => Number(zFromMh(mh).toPrecision(6)));

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
