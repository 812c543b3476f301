/**
 * Lomb–Scargle periodogram for unevenly sampled time series.
 *
 * The power at frequency f measures how much better a sinusoid of that frequency fits the data
 * than a constant. Two flavours:
 * - generalised (default, `fitMean: true`): weighted least-squares fit of y = a cos ωt + b sin ωt + c
 *   at every frequency, the "floating mean" periodogram of Zechmeister & Kürster (2009, A&A 496,
 *   577), which stays right when the sampling correlates with the signal (e.g. a star observed only
 *   when bright) and uses the measurement errors;
 * - classic (`fitMean: false`): the Lomb (1976, Ap&SS 39, 447) / Scargle (1982, ApJ 263, 835)
 *   periodogram, a fit of y − ȳ = a cos ωt + b sin ωt. Scargle's time offset τ is only a device to
 *   decouple the sine and cosine terms; solving the 2×2 normal equations directly, as here, gives
 *   the same numbers (Zechmeister & Kürster 2009, Sect. 2).
 *
 * Frequencies are in cycles per day when times are in days (ω = 2πf). For a thorough practical
 * guide see VanderPlas (2018, ApJS 236, 16).
 */

// Local aliases: inside a jest/vm sandbox each `Math.f` in a hot loop is a slow global lookup.
const { cos, sin } = Math;

export type PeriodogramNormalization = "standard" | "model" | "log" | "psd";

export interface LombScargleOptions {
  /** 1σ uncertainties of the values (weights 1/σ²); equal weights if omitted. */
  uncertainties?: ArrayLike<number>;
  /** Fit a constant together with the sinusoid (generalised periodogram, default true). */
  fitMean?: boolean;
  /**
   * "standard" (default): p = (χ²₀ − χ²)/χ²₀ in [0, 1]; "model": (χ²₀ − χ²)/χ²; "log": −ln(1 − p);
   * "psd": (χ²₀ − χ²)/2, which for equal unit weights and `fitMean: false` is Scargle's P_X(ω).
   * χ²₀ is the weighted sum of squares about the weighted mean.
   */
  normalization?: PeriodogramNormalization;
}

/** Options of the automatic frequency grid. */
export interface FrequencyGridOptions {
  /** Lowest frequency, cycles/day (default: half the grid step). */
  minimumFrequency?: number;
  /** Highest frequency, cycles/day (default: `nyquistFactor` × the average Nyquist frequency N / (2 T)). */
  maximumFrequency?: number;
  /** Grid points across a peak of width 1/T (default 5). */
  samplesPerPeak?: number;
  /** Multiple of the average Nyquist frequency used when `maximumFrequency` is not given (default 5). */
  nyquistFactor?: number;
}

/**
 * Evenly spaced frequency grid for a periodogram, cycles/day: step 1/(samplesPerPeak · T) with T
 * the time baseline, so every peak (width ≈ 1/T) is sampled `samplesPerPeak` times (VanderPlas
 * 2018, Sect. 7.1). For uneven sampling there is no true Nyquist limit: give `maximumFrequency`
 * from the physics (e.g. 5 cycles/day for RR Lyrae and eclipsing binaries).
 */
export function frequencyGrid(timeDays: ArrayLike<number>, options: FrequencyGridOptions = {}): Float64Array {
  const n = timeDays.length;
  if (n < 2) throw new Error("frequencyGrid needs at least two times");
  let tMin = Infinity;
  let tMax = -Infinity;
  for (let k = 0; k < n; k++) {
    tMin = Math.min(tMin, timeDays[k]);
    tMax = Math.max(tMax, timeDays[k]);
  }
  const baseline = tMax - tMin;
  if (!(baseline > 0)) throw new Error("frequencyGrid: all times are equal");
  const samplesPerPeak = options.samplesPerPeak ?? 5;
  const df = 1 / (samplesPerPeak * baseline);
  const fMin = options.minimumFrequency ?? df / 2;
  const fMax = options.maximumFrequency ?? ((options.nyquistFactor ?? 5) * 0.5 * n) / baseline;
  if (!(fMax > fMin && fMin >= 0)) throw new Error(`frequencyGrid: need 0 <= minimum < maximum, got [${fMin}, ${fMax}]`);
  const count = Math.floor((fMax - fMin) / df) + 1;
  return Float64Array.from({ length: count }, (_, k) => fMin + k * df);
}

function normalisedWeights(n: number, uncertainties?: ArrayLike<number>): { w: Float64Array; wSum: number } {
  const w = new Float64Array(n);
  let wSum = 0;
  for (let k = 0; k < n; k++) {
    const s = uncertainties ? uncertainties[k] : 1;
    if (!(s > 0)) throw new Error(`uncertainties must be > 0 (index ${k}: ${s})`);
    w[k] = 1 / (s * s);
    wSum += w[k];
  }
  for (let k = 0; k < n; k++) w[k] /= wSum;
  return { w, wSum };
}

function isEvenlySpaced(f: ArrayLike<number>): boolean {
  if (f.length < 3) return false;
  const df = (f[f.length - 1] - f[0]) / (f.length - 1);
  if (!(df > 0)) return false;
  for (let k = 1; k < f.length; k++) {
    if (Math.abs(f[k] - f[k - 1] - df) > 1e-9 * df) return false;
  }
  return true;
}

/**
 * Lomb–Scargle power at each frequency (cycles per unit of `time`).
 *
 * Cost is O(N_times × N_frequencies); on an evenly spaced grid cos/sin are advanced by rotation
 * instead of recomputed (re-anchored every 512 steps so round-off cannot build up).
 *
 * @param timeDays observation times.
 * @param values measurements (e.g. magnitudes).
 * @param frequencyPerDay trial frequencies, cycles/day (e.g. from `frequencyGrid`).
 */
export function lombScargle(
  timeDays: ArrayLike<number>,
  values: ArrayLike<number>,
  frequencyPerDay: ArrayLike<number>,
  options: LombScargleOptions = {},
): Float64Array {
  const n = timeDays.length;
  if (values.length !== n) throw new Error(`lombScargle: ${n} times but ${values.length} values`);
  if (options.uncertainties && options.uncertainties.length !== n) throw new Error("lombScargle: uncertainties length differs from times");
  if (n < 3) throw new Error("lombScargle needs at least 3 points");
  const fitMean = options.fitMean ?? true;
  const normalization = options.normalization ?? "standard";
  const { w, wSum } = normalisedWeights(n, options.uncertainties);

  // Shift times to their mean: the power does not depend on the time origin, but the rotation
  // recurrence loses fewer digits on small |t|.
  let tMean = 0;
  let yMean = 0;
  for (let k = 0; k < n; k++) {
    tMean += timeDays[k] / n;
    yMean += w[k] * values[k];
  }
  const t = Float64Array.from(timeDays, (v) => v - tMean);
  const y = Float64Array.from(values, (v) => v - yMean);
  let yy = 0;
  for (let k = 0; k < n; k++) yy += w[k] * y[k] * y[k];

  const nf = frequencyPerDay.length;
  const power = new Float64Array(nf);
  if (!(yy > 0)) return power; // constant data: no sinusoid explains anything

  const cosT = new Float64Array(n);
  const sinT = new Float64Array(n);
  const even = isEvenlySpaced(frequencyPerDay);
  const df = even ? (frequencyPerDay[nf - 1] - frequencyPerDay[0]) / (nf - 1) : 0;
  const cosStep = new Float64Array(n);
  const sinStep = new Float64Array(n);
  if (even) {
    for (let k = 0; k < n; k++) {
      cosStep[k] = cos(2 * Math.PI * df * t[k]);
      sinStep[k] = sin(2 * Math.PI * df * t[k]);
    }
  }

  for (let j = 0; j < nf; j++) {
    const f = frequencyPerDay[j];
    if (!even || j % 512 === 0) {
      for (let k = 0; k < n; k++) {
        const phase = 2 * Math.PI * f * t[k];
        cosT[k] = cos(phase);
        sinT[k] = sin(phase);
      }
    } else {
      for (let k = 0; k < n; k++) {
        const c = cosT[k] * cosStep[k] - sinT[k] * sinStep[k];
        sinT[k] = sinT[k] * cosStep[k] + cosT[k] * sinStep[k];
        cosT[k] = c;
      }
    }
    let C = 0;
    let S = 0;
    let YC = 0;
    let YS = 0;
    let CC = 0;
    let CS = 0;
    for (let k = 0; k < n; k++) {
      const wc = w[k] * cosT[k];
      const ws = w[k] * sinT[k];
      C += wc;
      S += ws;
      YC += wc * y[k];
      YS += ws * y[k];
      CC += wc * cosT[k];
      CS += wc * sinT[k];
    }
    let SS = 1 - CC;
    if (fitMean) {
      // Zechmeister & Kürster (2009) eqs. 10–16; y is already centred, so Y = 0 in their YC, YS.
      CC -= C * C;
      SS -= S * S;
      CS -= C * S;
    }
    const D = CC * SS - CS * CS;
    // D → 0 at f = 0 (and at exact aliases of the sampling) where no sinusoid is defined.
    const p = D > 1e-12 * Math.max(CC * SS, 1e-300) ? (SS * YC * YC + CC * YS * YS - 2 * CS * YC * YS) / (yy * D) : 0;
    power[j] = Math.min(Math.max(p, 0), 1);
  }

  if (normalization === "standard") return power;
  for (let j = 0; j < nf; j++) {
    const p = power[j];
    if (normalization === "model") power[j] = p < 1 ? p / (1 - p) : Infinity;
    else if (normalization === "log") power[j] = p < 1 ? -Math.log(1 - p) : Infinity;
    else if (normalization === "psd") power[j] = 0.5 * wSum * yy * p;
    else throw new Error(`unknown normalization "${normalization as string}"`);
  }
  return power;
}

/**
 * Power of a direct weighted least-squares sinusoid fit at one frequency, (χ²₀ − χ²)/χ²₀, by
 * solving the normal equations of y = a cos ωt + b sin ωt (+ c). Slow (one fit per call) but
 * transparent: the periodogram must agree with it, which the tests check.
 */
export function sinusoidFitPower(
  timeDays: ArrayLike<number>,
  values: ArrayLike<number>,
  frequencyPerDay: number,
  options: { uncertainties?: ArrayLike<number>; fitMean?: boolean } = {},
): { power: number; amplitude: number; phaseRad: number; offset: number } {
  const n = timeDays.length;
  const fitMean = options.fitMean ?? true;
  const { w } = normalisedWeights(n, options.uncertainties);
  let yMean = 0;
  for (let k = 0; k < n; k++) yMean += w[k] * values[k];
  const m = fitMean ? 3 : 2;
  const A = Array.from({ length: m }, () => new Float64Array(m));
  const b = new Float64Array(m);
  const basis = (k: number): number[] => {
    const ph = 2 * Math.PI * frequencyPerDay * timeDays[k];
    return fitMean ? [cos(ph), sin(ph), 1] : [cos(ph), sin(ph)];
  };
  for (let k = 0; k < n; k++) {
    const x = basis(k);
    const yk = values[k] - (fitMean ? 0 : yMean);
    for (let r = 0; r < m; r++) {
      b[r] += w[k] * x[r] * yk;
      for (let c = 0; c < m; c++) A[r][c] += w[k] * x[r] * x[c];
    }
  }
  const coef = solveSmall(A, b);
  let chi2 = 0;
  let chi20 = 0;
  for (let k = 0; k < n; k++) {
    const x = basis(k);
    let model = fitMean ? 0 : yMean;
    for (let r = 0; r < m; r++) model += coef[r] * x[r];
    chi2 += w[k] * (values[k] - model) ** 2;
    chi20 += w[k] * (values[k] - yMean) ** 2;
  }
  return {
    power: (chi20 - chi2) / chi20,
    amplitude: Math.hypot(coef[0], coef[1]),
    phaseRad: Math.atan2(-coef[1], coef[0]),
    offset: fitMean ? coef[2] : yMean,
  };
}

/** Gaussian elimination with partial pivoting for the 2×2 / 3×3 normal equations. */
function solveSmall(A: Float64Array[], b: Float64Array): Float64Array {
  const m = b.length;
  const M = A.map((row, r) => Float64Array.from([...row, b[r]]));
  for (let c = 0; c < m; c++) {
    let piv = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(M[r][c]) > Math.abs(M[piv][c])) piv = r;
    [M[c], M[piv]] = [M[piv], M[c]];
    if (M[c][c] === 0) throw new Error("sinusoidFitPower: singular normal equations (frequency 0 or degenerate sampling)");
    for (let r = c + 1; r < m; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= m; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Float64Array(m);
  for (let r = m - 1; r >= 0; r--) {
    let s = M[r][m];
    for (let k = r + 1; k < m; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

export interface BestPeriodOptions extends LombScargleOptions, FrequencyGridOptions {
  /** Frequencies to search (overrides the automatic grid). */
  frequencyPerDay?: ArrayLike<number>;
  /** Shortest and longest period to search, days (set the grid limits; override min/max frequency). */
  minPeriodDays?: number;
  maxPeriodDays?: number;
  /** Refine the highest peak on a 50× finer local grid (default true). */
  refine?: boolean;
}

export interface BestPeriodResult {
  periodDays: number;
  frequencyPerDay: number;
  /** Periodogram power at the best frequency (in the chosen normalisation). */
  power: number;
  /** The grid and the periodogram, for plotting. */
  frequencyGridPerDay: Float64Array;
  periodogram: Float64Array;
}

/**
 * Period of the highest Lomb–Scargle peak.
 *
 * @example
 * const lc = simulateLightCurve({ kind: "rrlyrae", periodDays: 0.61, seed: 1 });
 * bestPeriod(lc.timeDays, lc.mag, { uncertainties: lc.magErr, maximumFrequency: 5 }).periodDays; // ≈ 0.61
 */
export function bestPeriod(timeDays: ArrayLike<number>, values: ArrayLike<number>, options: BestPeriodOptions = {}): BestPeriodResult {
  const gridOptions: FrequencyGridOptions = { ...options };
  if (options.maxPeriodDays !== undefined) gridOptions.minimumFrequency = 1 / options.maxPeriodDays;
  if (options.minPeriodDays !== undefined) gridOptions.maximumFrequency = 1 / options.minPeriodDays;
  const grid = options.frequencyPerDay ? Float64Array.from(options.frequencyPerDay) : frequencyGrid(timeDays, gridOptions);
  const lsOptions: LombScargleOptions = {
    uncertainties: options.uncertainties,
    fitMean: options.fitMean,
    normalization: options.normalization,
  };
  const periodogram = lombScargle(timeDays, values, grid, lsOptions);
  let best = 0;
  for (let j = 1; j < periodogram.length; j++) if (periodogram[j] > periodogram[best]) best = j;
  let frequency = grid[best];
  let power = periodogram[best];
  if ((options.refine ?? true) && grid.length > 2) {
    const lo = grid[Math.max(0, best - 1)];
    const hi = grid[Math.min(grid.length - 1, best + 1)];
    const fine = Float64Array.from({ length: 101 }, (_, k) => lo + ((hi - lo) * k) / 100);
    const finePower = lombScargle(timeDays, values, fine, lsOptions);
    for (let k = 0; k < fine.length; k++) {
      if (finePower[k] > power) {
        power = finePower[k];
        frequency = fine[k];
      }
    }
  }
  return { periodDays: 1 / frequency, frequencyPerDay: frequency, power, frequencyGridPerDay: grid, periodogram };
}
