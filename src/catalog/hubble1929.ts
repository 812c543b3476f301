/**
 * Hubble's 1929 velocity–distance table.
 *
 * Hubble, E. 1929, "A relation between distance and radial velocity among extra-galactic nebulae",
 * Proc. Natl. Acad. Sci. USA 15, 168–173, Table 1: "Nebulae whose distances have been estimated
 * from stars involved or from mean luminosities in a cluster". Columns as printed: object, m_s
 * (mean photographic magnitude of the brightest stars, where used), r (distance, 10⁶ parsecs),
 * v (measured radial velocity, km/s, heliocentric), m_t and M_t (apparent and absolute total
 * magnitude of the nebula). The four Virgo-cluster nebulae at the bottom were all put at the
 * cluster's mean distance, 2.0 Mpc.
 *
 * Hubble fitted v = K r + X cos α cos δ + Y sin α cos δ + Z sin δ, solving for the solar motion as
 * well, and found K = +465 ± 50 km/s/Mpc from the 24 nebulae taken singly and +513 ± 60 km/s/Mpc
 * with the nebulae combined into 9 groups. A straight line through the origin fitted to the
 * numbers below, without the solar-motion terms, gives 423.9 km/s/Mpc. Both are ~7× the modern
 * H₀ ≈ 70 km/s/Mpc, because Hubble's Cepheid calibration confused two kinds of Cepheids and some
 * of his "brightest stars" were H II regions (Baade 1952; Sandage 1958).
 */
import * as pl from "nodejs-polars";

export interface Hubble1929Row {
  /** Object as printed: "S. Mag.", "L. Mag." (the Magellanic Clouds) or an N.G.C. number. */
  name: string;
  /** Distance r, Mpc (10⁶ parsecs). */
  distanceMpc: number;
  /** Radial velocity v, km/s (heliocentric; negative = approaching). */
  velocityKmS: number;
  /** Mean magnitude of the brightest stars m_s, or null where Hubble gave none ("..."). */
  brightestStarsMag: number | null;
  /** Apparent total magnitude of the nebula m_t. */
  totalMag: number;
  /** Absolute total magnitude M_t = m_t − 5 log10(r / 10 pc), as printed. */
  absoluteMag: number;
}

export const HUBBLE_1929_REFERENCE =
  "Hubble, E. 1929, Proc. Natl. Acad. Sci. USA 15, 168, Table 1 (doi:10.1073/pnas.15.3.168)";

/** Hubble's own values of the expansion constant K, km/s/Mpc (text of the 1929 paper). */
export const HUBBLE_1929_K_KM_S_MPC = { individualNebulae: 465, individualError: 50, groupedNebulae: 513, groupedError: 60 } as const;

// name, m_s, r [Mpc], v [km/s], m_t, M_t — in the order of the printed table
// prettier-ignore
const TABLE: readonly (readonly [string, number | null, number, number, number, number])[] = [
  ["S. Mag.",   null, 0.032,  170,  1.5, -16.0],
  ["L. Mag.",   null, 0.034,  290,  0.5, -17.2],
  ["NGC 6822",  null, 0.214, -130,  9.0, -12.7],
  ["NGC 598",   null, 0.263,  -70,  7.0, -15.1],
  ["NGC 221",   null, 0.275, -185,  8.8, -13.4],
  ["NGC 224",   null, 0.275, -220,  5.0, -17.2],
  ["NGC 5457",  17.0, 0.45,   200,  9.9, -13.3],
  ["NGC 4736",  17.3, 0.5,    290,  8.4, -15.1],
  ["NGC 5194",  17.3, 0.5,    270,  7.4, -16.1],
  ["NGC 4449",  17.8, 0.63,   200,  9.5, -14.5],
  ["NGC 4214",  18.3, 0.8,    300, 11.3, -13.2],
  ["NGC 3031",  18.5, 0.9,    -30,  8.3, -16.4],
  ["NGC 3627",  18.5, 0.9,    650,  9.1, -15.7],
  ["NGC 4826",  18.5, 0.9,    150,  9.0, -15.7],
  ["NGC 5236",  18.5, 0.9,    500, 10.4, -14.4],
  ["NGC 1068",  18.7, 1.0,    920,  9.1, -15.9],
  ["NGC 5055",  19.0, 1.1,    450,  9.6, -15.6],
  ["NGC 7331",  19.0, 1.1,    500, 10.4, -14.8],
  ["NGC 4258",  19.5, 1.4,    500,  8.7, -17.0],
  ["NGC 4151",  20.0, 1.7,    960, 12.0, -14.2],
  ["NGC 4382",  null, 2.0,    500, 10.0, -16.5],
  ["NGC 4472",  null, 2.0,    850,  8.8, -17.7],
  ["NGC 4486",  null, 2.0,    800,  9.7, -16.8],
  ["NGC 4649",  null, 2.0,   1090,  9.5, -17.0],
];

/** The 24 rows of Hubble (1929) Table 1. */
export const HUBBLE_1929: readonly Hubble1929Row[] = TABLE.map(([name, ms, r, v, mt, Mt]) => ({
  name,
  distanceMpc: r,
  velocityKmS: v,
  brightestStarsMag: ms,
  totalMag: mt,
  absoluteMag: Mt,
}));

/**
 * Hubble's table as a polars DataFrame with columns name, distance_Mpc, velocity_km_s,
 * m_brightest_stars (null where not given), m_total, M_total.
 */
export function hubble1929DataFrame(): pl.DataFrame {
  return pl.DataFrame({
    name: HUBBLE_1929.map((r) => r.name),
    distance_Mpc: Float64Array.from(HUBBLE_1929, (r) => r.distanceMpc),
    velocity_km_s: Float64Array.from(HUBBLE_1929, (r) => r.velocityKmS),
    m_brightest_stars: HUBBLE_1929.map((r) => r.brightestStarsMag),
    m_total: Float64Array.from(HUBBLE_1929, (r) => r.totalMag),
    M_total: Float64Array.from(HUBBLE_1929, (r) => r.absoluteMag),
  });
}

export interface LineFit {
  /** Slope, km/s/Mpc for the Hubble data. */
  slope: number;
  /** Standard error of the slope (from the residual scatter). */
  slopeError: number;
  /** Intercept (0 when forced through the origin). */
  intercept: number;
  interceptError: number;
  /** Root-mean-square residual. */
  rmsResidual: number;
}

/**
 * Ordinary least-squares straight line y = slope·x (+ intercept), with standard errors from the
 * residual scatter (no measurement errors are given in the table).
 * @param throughOrigin force the line through (0, 0), as the expansion law v = H₀ d demands (default true).
 */
export function fitLine(x: ArrayLike<number>, y: ArrayLike<number>, throughOrigin = true): LineFit {
  const n = x.length;
  if (y.length !== n || n < (throughOrigin ? 2 : 3)) throw new Error("fitLine: need matching x, y with enough points");
  if (throughOrigin) {
    let sxy = 0;
    let sxx = 0;
    for (let k = 0; k < n; k++) {
      sxy += x[k] * y[k];
      sxx += x[k] * x[k];
    }
    const slope = sxy / sxx;
    let ss = 0;
    for (let k = 0; k < n; k++) ss += (y[k] - slope * x[k]) ** 2;
    return { slope, slopeError: Math.sqrt(ss / (n - 1) / sxx), intercept: 0, interceptError: 0, rmsResidual: Math.sqrt(ss / n) };
  }
  let mx = 0;
  let my = 0;
  for (let k = 0; k < n; k++) {
    mx += x[k] / n;
    my += y[k] / n;
  }
  let sxx = 0;
  let sxy = 0;
  for (let k = 0; k < n; k++) {
    sxx += (x[k] - mx) ** 2;
    sxy += (x[k] - mx) * (y[k] - my);
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let ss = 0;
  for (let k = 0; k < n; k++) ss += (y[k] - intercept - slope * x[k]) ** 2;
  const s2 = ss / (n - 2);
  return {
    slope,
    slopeError: Math.sqrt(s2 / sxx),
    intercept,
    interceptError: Math.sqrt(s2 * (1 / n + (mx * mx) / sxx)),
    rmsResidual: Math.sqrt(ss / n),
  };
}

/** Least-squares K (km/s/Mpc) from Hubble's table: v = K r, through the origin unless `throughOrigin` is false. */
export function hubble1929Fit(throughOrigin = true): LineFit {
  return fitLine(
    HUBBLE_1929.map((r) => r.distanceMpc),
    HUBBLE_1929.map((r) => r.velocityKmS),
    throughOrigin,
  );
}
