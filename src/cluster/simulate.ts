/**
 * A simulated M67-like open cluster: stars of one age and composition drawn from the stellar grid
 * (the Hurley, Pols & Tout 2000 fits in `../stellar`), in the evolutionary phases an observer would
 * target, then "observed" with realistic uncertainties.
 *
 * The real M67 (NGC 2682): age ≈ 3.5–4.5 Gyr (Sarajedini, Dotter & Kirkpatrick 2009, ApJ 698, 1872; Barnes et al.
 * 2016, ApJ 823, 16: gyrochronology 4.2 Gyr; Stello et al. 2016, ApJ 832, 133: K2 asteroseismology of
 * its giants), [Fe/H] ≈ 0, a clear turn-off near 1.2–1.3 M☉ and a well-populated subgiant branch.
 *
 * What is observed per star (uncertainties as in spectroscopic + Gaia + asteroseismic surveys):
 * - Teff from spectroscopy (default σ = 70 K);
 * - luminosity from Gaia photometry and parallax plus a bolometric correction (default 4 %);
 * - for evolved stars (turn-off, subgiant, giant) the seismic Δν and ν_max (default 1.5 % and 2.5 %).
 * Noise is Gaussian in log10 of each quantity, the same form the likelihood in `./model` assumes.
 */
import * as pl from "nodejs-polars";
import { Rng } from "../random";
import { evolveStar, hurleyStar, turnOffMassMsun } from "../stellar/hurley";
import { mhFromZ, SOLAR_Z } from "../stellar/metallicity";
import { deltaNuMuHz, numaxMuHz } from "../stellar/seismic";
import type { StarObservation } from "./model";

/** Where a star is on the isochrone. */
export type ClusterStarKind = "MS" | "TO" | "SG" | "RGB";

/**
 * Boundaries of the kinds in the grid's evolutionary coordinate f (0–1 MS, 1–2 Hertzsprung gap,
 * 2–3 giant branch). Stars with 0.92 < f < 1.2 are not drawn: for turn-off masses the tracks end the
 * main sequence with a "hook" (a sudden brightening as the convective core contracts) and then bend
 * sharply onto the subgiant branch. Real stars there exist (briefly), but the emulator reproduces the
 * hook poorly (errors up to ~0.1 dex in L near f ≈ 0.97) and the kink makes the posterior hard to
 * sample; they would make the lesson about the hook rather than about pooling.
 */
export const KIND_FRAC_AGE: Readonly<Record<ClusterStarKind, [number, number]>> = {
  MS: [0, 0.7], // unevolved main sequence (below the blue turn-off)
  TO: [0.7, 0.92], // turn-off: core hydrogen running out, moving redward
  SG: [1.2, 2], // subgiants: the Hertzsprung gap
  RGB: [2, 3], // giant branch (the lower part is kept, see `maxGiantLogL`)
};

/** Observational uncertainties. */
export interface ClusterErrors {
  /** Teff, K (default 70). */
  teffK?: number;
  /** Luminosity, fractional (default 0.04). */
  lumFrac?: number;
  /** Δν, fractional (default 0.015). */
  deltaNuFrac?: number;
  /** ν_max, fractional (default 0.025). */
  numaxFrac?: number;
}

/** Options of `simulateCluster`. */
export interface SimulateClusterOptions {
  /** Cluster age, Gyr (default 4.0). */
  ageGyr?: number;
  /** Metal mass fraction (default `SOLAR_Z`, [M/H] = 0; use `zFromFeH` for a catalogue [Fe/H]). */
  Z?: number;
  /**
   * True spread of the stars' ages, Gyr (default 0: coeval). Each star's age is drawn from
   * N(ageGyr, ageSpreadGyr); use it to test whether a fit can detect a real spread.
   */
  ageSpreadGyr?: number;
  /** Number of stars of each kind (default 12 MS, 6 TO, 6 SG, 0 RGB). */
  counts?: Partial<Record<ClusterStarKind, number>>;
  /** Lowest main-sequence mass targeted, M☉ (default 0.85: spectra of fainter dwarfs are costly). */
  minMassMsun?: number;
  /** Upper end of the giants kept, log10 L/L☉ (default 1.3: the lower giant branch). */
  maxGiantLogL?: number;
  /** IMF slope α in dN/dM ∝ M^−α (default 2.35, Salpeter 1955; Kroupa 2001 has 2.3 above 0.5 M☉). */
  imfSlope?: number;
  /** Which kinds get Δν and ν_max (default TO, SG and RGB). */
  seismicKinds?: ClusterStarKind[];
  errors?: ClusterErrors;
  seed?: number;
}

/** One simulated star: truth, plus the observation the models fit (`StarObservation`). */
export interface ClusterStar extends StarObservation {
  kind: ClusterStarKind;
  /** True initial mass, M☉. */
  massMsun: number;
  /** True age, Gyr. */
  ageGyr: number;
  /** True evolutionary coordinate f. */
  fracAge: number;
  /** True values. */
  teffK: number;
  lumLsun: number;
  radiusRsun: number;
  deltaNuMuHz: number;
  numaxMuHz: number;
}

/** A simulated cluster. */
export interface SimulatedCluster {
  ageGyr: number;
  ageSpreadGyr: number;
  Z: number;
  /** [M/H] = log10(Z / Z☉) with the grid's solar Z. */
  mh: number;
  stars: ClusterStar[];
}

/** Evolutionary coordinate of a star of mass m at the given age (∞ past the tip of the giant branch). */
function fracAt(m: number, Z: number, ageGyr: number): number {
  const s = evolveStar(m, Z, ageGyr);
  return s.phase === "beyond" ? Infinity : s.fracAge;
}

/**
 * Mass (M☉) whose evolutionary coordinate at `ageGyr` equals f: bisection, since at fixed age
 * heavier stars are always further along. Searched between 0.5 M☉ and the turn-off mass + 30 %.
 */
export function massAtFracAge(f: number, ageGyr: number, Z: number): number {
  let lo = 0.5;
  let hi = turnOffMassMsun(ageGyr, Z) * 1.3;
  if (fracAt(lo, Z, ageGyr) > f) throw new RangeError(`massAtFracAge: even ${lo} M☉ is past f = ${f} at ${ageGyr} Gyr`);
  for (let i = 0; i < 80; i++) {
    const mid = 0.5 * (lo + hi);
    if (fracAt(mid, Z, ageGyr) < f) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** Mass (M☉) of the giant with log10 L = logL at `ageGyr` (bisection between the base and the tip of the giant branch). */
function giantMassAtLogL(logL: number, ageGyr: number, Z: number): number {
  let lo = massAtFracAge(2, ageGyr, Z);
  let hi = massAtFracAge(3 - 1e-9, ageGyr, Z);
  for (let i = 0; i < 80; i++) {
    const mid = 0.5 * (lo + hi);
    if (Math.log10(evolveStar(mid, Z, ageGyr).lumLsun) < logL) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** The mass interval (M☉) a kind of star occupies at `ageGyr`. */
export function kindMassRange(kind: ClusterStarKind, ageGyr: number, Z: number, options: { minMassMsun?: number; maxGiantLogL?: number } = {}): [number, number] {
  const [f0, f1] = KIND_FRAC_AGE[kind];
  const lo = kind === "MS" ? options.minMassMsun ?? 0.85 : massAtFracAge(f0, ageGyr, Z);
  const hi = kind === "RGB" ? giantMassAtLogL(options.maxGiantLogL ?? 1.3, ageGyr, Z) : massAtFracAge(f1, ageGyr, Z);
  return [lo, hi];
}

/** A draw from dN/dM ∝ M^−α on [lo, hi] (inverse CDF). */
export function imfDraw(rng: Rng, lo: number, hi: number, alpha = 2.35): number {
  const u = rng.random();
  if (Math.abs(alpha - 1) < 1e-12) return lo * Math.pow(hi / lo, u);
  const k = 1 - alpha;
  return Math.pow(lo ** k + u * (hi ** k - lo ** k), 1 / k);
}

const DEFAULT_COUNTS: Record<ClusterStarKind, number> = { MS: 12, TO: 6, SG: 6, RGB: 0 };

/**
 * Draws a cluster: for each kind, `counts[kind]` masses from the IMF restricted to the kind's mass
 * range at the cluster age (observers choose targets by phase, so the evolved stars are
 * over-represented compared with a random draw from the IMF), evolves each star with the grid,
 * and adds observational noise. Stars are sorted by mass; ids are `MS-1`, `TO-3`, ...
 */
export function simulateCluster(options: SimulateClusterOptions = {}): SimulatedCluster {
  const ageGyr = options.ageGyr ?? 4.0;
  const Z = options.Z ?? SOLAR_Z;
  const spread = options.ageSpreadGyr ?? 0;
  const counts = { ...DEFAULT_COUNTS, ...options.counts };
  const alpha = options.imfSlope ?? 2.35;
  const seismic = new Set(options.seismicKinds ?? ["TO", "SG", "RGB"]);
  const err = { teffK: 70, lumFrac: 0.04, deltaNuFrac: 0.015, numaxFrac: 0.025, ...options.errors };
  if (!(ageGyr > 0) || !(spread >= 0)) throw new RangeError("simulateCluster: need ageGyr > 0 and ageSpreadGyr ≥ 0");
  const rng = new Rng(options.seed ?? 67);
  const noisy = (value: number, fracErr: number) => value * 10 ** ((rng.normal() * fracErr) / Math.LN10);

  const stars: ClusterStar[] = [];
  for (const kind of ["MS", "TO", "SG", "RGB"] as ClusterStarKind[]) {
    const n = counts[kind];
    if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`simulateCluster: counts.${kind} must be a non-negative integer, got ${n}`);
    for (let i = 0; i < n; i++) {
      const age = spread > 0 ? Math.max(0.1, rng.normal(ageGyr, spread)) : ageGyr;
      // The kind is defined at the star's own age, so with an age spread each star still lands in it.
      const [lo, hi] = kindMassRange(kind, age, Z, options);
      const m = imfDraw(rng, lo, hi, alpha);
      const s = evolveStar(m, Z, age);
      const dnu = deltaNuMuHz(m, s.radiusRsun);
      const nmax = numaxMuHz(m, s.radiusRsun, s.teffK);
      const hasSeis = seismic.has(kind);
      const obsTeff = noisy(s.teffK, err.teffK / s.teffK);
      stars.push({
        id: "",
        kind,
        massMsun: m,
        ageGyr: age,
        fracAge: s.fracAge,
        teffK: s.teffK,
        lumLsun: s.lumLsun,
        radiusRsun: s.radiusRsun,
        deltaNuMuHz: dnu,
        numaxMuHz: nmax,
        obsTeffK: obsTeff,
        errTeffK: err.teffK,
        obsLumLsun: noisy(s.lumLsun, err.lumFrac),
        errLumLsun: err.lumFrac * s.lumLsun,
        obsDeltaNuMuHz: hasSeis ? noisy(dnu, err.deltaNuFrac) : NaN,
        errDeltaNuMuHz: hasSeis ? err.deltaNuFrac * dnu : NaN,
        obsNumaxMuHz: hasSeis ? noisy(nmax, err.numaxFrac) : NaN,
        errNumaxMuHz: hasSeis ? err.numaxFrac * nmax : NaN,
      });
    }
  }
  stars.sort((a, b) => a.massMsun - b.massMsun);
  const seen: Record<string, number> = {};
  for (const s of stars) s.id = `${s.kind}-${(seen[s.kind] = (seen[s.kind] ?? 0) + 1)}`;
  return { ageGyr, ageSpreadGyr: spread, Z, mh: mhFromZ(Z), stars };
}

/** The cluster's stars as a table (one row per star, truth and observation side by side). */
export function clusterTable(cluster: SimulatedCluster): pl.DataFrame {
  const s = cluster.stars;
  const col = (f: (x: ClusterStar) => number) => Float64Array.from(s, f);
  return pl.DataFrame({
    id: s.map((x) => x.id),
    kind: s.map((x) => x.kind),
    mass_msun: col((x) => x.massMsun),
    age_gyr: col((x) => x.ageGyr),
    frac_age: col((x) => x.fracAge),
    teff_k: col((x) => x.teffK),
    obs_teff_k: col((x) => x.obsTeffK),
    lum_lsun: col((x) => x.lumLsun),
    obs_lum_lsun: col((x) => x.obsLumLsun),
    obs_delta_nu_muhz: col((x) => x.obsDeltaNuMuHz),
    obs_numax_muhz: col((x) => x.obsNumaxMuHz),
  });
}

/** Points along the cluster's true isochrone (for plotting): Teff (K) and L (L☉) from the ZAMS to the lower giant branch. */
export function clusterIsochrone(cluster: SimulatedCluster, options: { minMassMsun?: number; maxGiantLogL?: number; points?: number } = {}): { massMsun: number[]; teffK: number[]; lumLsun: number[] } {
  const { ageGyr, Z } = cluster;
  const lo = options.minMassMsun ?? 0.8;
  const hi = kindMassRange("RGB", ageGyr, Z, { maxGiantLogL: options.maxGiantLogL ?? 1.5 })[1];
  const mTO = massAtFracAge(0.7, ageGyr, Z);
  const n = options.points ?? 300;
  // Half of the points between the blue turn-off and the giant branch, where the isochrone bends fastest.
  const masses = [
    ...Array.from({ length: n / 2 }, (_, i) => lo + ((mTO - lo) * i) / (n / 2)),
    ...Array.from({ length: n / 2 + 1 }, (_, i) => mTO + ((hi - mTO) * i) / (n / 2)),
  ];
  const out = { massMsun: [] as number[], teffK: [] as number[], lumLsun: [] as number[] };
  for (const m of masses) {
    const st = hurleyStar(m, Z).at(ageGyr);
    if (st.phase === "beyond") continue;
    out.massMsun.push(m);
    out.teffK.push(st.teffK);
    out.lumLsun.push(st.lumLsun);
  }
  return out;
}
