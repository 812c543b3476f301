/**
 * The discrete Fourier transform written as what it is, a matrix, so that a lesson can compare it
 * with the weights a linear layer learns.
 *
 * For N evenly spaced samples x_n the DFT is X_k = Σ_n x_n e^{−2πi kn/N}. For real x only
 * k = 0 … N/2 are independent (X_{N−k} = conj X_k), so the "real DFT" here returns the
 * concatenation [Re X_0 … Re X_{N/2}, Im X_0 … Im X_{N/2}]: 2·(⌊N/2⌋ + 1) real numbers, each a
 * weighted sum of the samples with weights cos(2πkn/N) or −sin(2πkn/N). That is a matrix–vector
 * product, i.e. a dense layer with no bias and no activation (Cooley & Tukey 1965 showed how to
 * do the same product in O(N log N); the matrix form costs O(N²) and is fine for N ≲ 10³).
 */

import * as tf from "@tensorflow/tfjs";

const { cos, sin } = Math;

/**
 * Scaling of the transform: "none" is the textbook X_k = Σ x_n e^{−2πikn/N}; "orthonormal"
 * divides by √N, so a signal and its spectrum have comparable sizes (Parseval, up to the
 * doubling of the non-self-conjugate terms) — the convenient choice for training a network.
 */
export type DftScaling = "none" | "orthonormal";

export interface DftOptions {
  scaling?: DftScaling;
}

/** Number of real outputs of the real DFT of `nPoints` samples: 2·(⌊N/2⌋ + 1). */
export function realDftSize(nPoints: number): number {
  return 2 * (Math.floor(nPoints / 2) + 1);
}

function checkN(nPoints: number): void {
  if (!(Number.isInteger(nPoints) && nPoints >= 2)) throw new Error(`nPoints must be an integer >= 2, got ${nPoints}`);
}

/**
 * cos and sin of 2π·r/N, exact at quarter turns: Math.sin(Math.PI) is 1.2e-16, not 0, and the
 * sine rows of k = 0 and k = N/2 should be exactly zero.
 */
function unitCircle(r: number, nPoints: number): [number, number] {
  if ((4 * r) % nPoints === 0) {
    const quarter = (4 * r) / nPoints;
    return ([[1, 0], [0, 1], [-1, 0], [0, -1]] as Array<[number, number]>)[quarter];
  }
  const phase = (2 * Math.PI * r) / nPoints;
  return [cos(phase), sin(phase)];
}

/**
 * The real DFT as a matrix, rows = outputs (Re X_0 … Re X_{N/2}, then Im X_0 … Im X_{N/2}),
 * columns = time samples. Row k is cos(2πkn/N), row (N/2 + 1 + k) is −sin(2πkn/N), times the
 * scale. The Im rows of k = 0 (and k = N/2 for even N) are identically zero.
 */
export function realDftMatrix(nPoints: number, options: DftOptions = {}): Float64Array[] {
  checkN(nPoints);
  const half = Math.floor(nPoints / 2) + 1;
  const scale = (options.scaling ?? "orthonormal") === "orthonormal" ? 1 / Math.sqrt(nPoints) : 1;
  const rows: Float64Array[] = [];
  for (let part = 0; part < 2; part++) {
    for (let k = 0; k < half; k++) {
      const row = new Float64Array(nPoints);
      for (let n = 0; n < nPoints; n++) {
        const [c, s] = unitCircle((k * n) % nPoints, nPoints);
        row[n] = part === 0 ? scale * c : -scale * s;
      }
      rows.push(row);
    }
  }
  return rows;
}

/** The real DFT of `values` (length N): [Re X_0 … Re X_{N/2}, Im X_0 … Im X_{N/2}]. */
export function realDft(values: ArrayLike<number>, options: DftOptions = {}): Float64Array {
  const m = realDftMatrix(values.length, options);
  return Float64Array.from(m, (row) => {
    let s = 0;
    for (let n = 0; n < row.length; n++) s += row[n] * values[n];
    return s;
  });
}

/** |X_k|² for k = 0 … N/2 from a concatenated real spectrum (as returned by `realDft`). */
export function spectrumPower(spectrum: ArrayLike<number>): Float64Array {
  if (spectrum.length % 2 !== 0) throw new Error(`a real spectrum has an even length, got ${spectrum.length}`);
  const half = spectrum.length / 2;
  return Float64Array.from({ length: half }, (_, k) => spectrum[k] ** 2 + spectrum[half + k] ** 2);
}

/** Frequencies of X_0 … X_{N/2}, cycles/day: k / (N · cadence); the last one is the Nyquist frequency for even N. */
export function dftFrequenciesPerDay(nPoints: number, cadenceDays: number): Float64Array {
  checkN(nPoints);
  if (!(cadenceDays > 0)) throw new Error(`cadenceDays must be > 0, got ${cadenceDays}`);
  return Float64Array.from({ length: Math.floor(nPoints / 2) + 1 }, (_, k) => k / (nPoints * cadenceDays));
}

/** Pearson correlation coefficient of two equally long sequences (flattened matrices compare element by element). */
export function pearsonCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new Error(`pearsonCorrelation: lengths differ (${n} vs ${b.length})`);
  if (n < 2) throw new Error("pearsonCorrelation needs at least two values");
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (!(saa > 0 && sbb > 0)) return NaN;
  return sab / Math.sqrt(saa * sbb);
}

/** Flattens a list of rows (e.g. `realDftMatrix`'s) into one row-major array. */
export function flattenRows(rows: ArrayLike<ArrayLike<number>>): Float64Array {
  const nRows = rows.length;
  const nCols = nRows > 0 ? rows[0].length : 0;
  const out = new Float64Array(nRows * nCols);
  for (let r = 0; r < nRows; r++) {
    if (rows[r].length !== nCols) throw new Error(`flattenRows: row ${r} has ${rows[r].length} values, row 0 has ${nCols}`);
    for (let c = 0; c < nCols; c++) out[r * nCols + c] = rows[r][c];
  }
  return out;
}

/**
 * The kernel of a dense layer as matrix rows (outputs × inputs), the layout of `realDftMatrix`.
 * tfjs stores a dense kernel as [inputs, outputs], i.e. y = x·W, so row j here is column j there.
 */
export function kernelRows(layer: tf.layers.Layer): Float64Array[] {
  const weights = layer.getWeights();
  if (weights.length === 0 || weights[0].rank !== 2) throw new Error(`kernelRows: layer "${layer.name}" has no 2-D kernel`);
  const [nIn, nOut] = weights[0].shape as [number, number];
  const values = weights[0].dataSync();
  return Array.from({ length: nOut }, (_, j) => Float64Array.from({ length: nIn }, (_, i) => values[i * nOut + j]));
}
