/**
 * Analytic single-star evolution: the fitting formulae of Hurley, Pols & Tout (2000, MNRAS 315,
 * 543; "HPT00" below) for the main sequence (MS), the Hertzsprung gap (HG) and the first giant
 * branch (GB), with the zero-age main sequence (ZAMS) of Tout et al. (1996, MNRAS 281, 257).
 *
 * The formulae were fitted to the Pols et al. (1998, MNRAS 298, 525) stellar models, which use
 * convective overshooting. Every metallicity-dependent coefficient below is written as a function
 * of ζ = log10(Z / 0.02) (HPT00 Appendix A). That 0.02 is only the fits' reference point: the
 * course's solar metallicity, the zero point of [M/H], is `SOLAR_Z` (./metallicity), calibrated on
 * the Sun with these fits.
 *
 * Scope: no mass loss (the star keeps its initial mass), no rotation, no binary effects. The
 * track ends at helium ignition at the tip of the giant branch; later ages are reported as
 * phase "beyond" with NaN observables. The fits are valid for 1e-4 ≤ Z ≤ 0.03; this module
 * accepts 0.5 ≤ M ≤ 10 M☉ provided the star has a first giant branch (M < M_FGB: 12–13 M☉ for
 * Z ≥ 0.004 but 4.7 M☉ at Z = 1e-4), and was checked in detail for 0.7–2.5 M☉, 0.004 ≤ Z ≤ 0.03.
 *
 * Units: masses M☉, luminosities L☉, radii R☉, ages Gyr in the public API (HPT00 work in Myr).
 * Equation numbers refer to HPT00.
 */
import { SOLAR_Z } from "./metallicity";

/**
 * The ζ = 0 point of every HPT00 fit, ζ = log10(Z / 0.02): a variable of the fitting formulae, not a
 * solar scale (the course's solar Z is `SOLAR_Z` in ./metallicity).
 */
export const HURLEY_ZETA_REFERENCE_Z = 0.02;

/** Nominal solar effective temperature (IAU 2015 Resolution B3, Prša et al. 2016, AJ 152, 41), K. */
export const TEFF_SUN_K = 5772;

/** log10 of the nominal solar surface gravity in cm s⁻²: GM☉ = 1.3271244e26 cm³ s⁻², R☉ = 6.957e10 cm (IAU 2015 B3). */
export const LOGG_SUN_CGS = Math.log10(1.3271244e26 / (6.957e10 * 6.957e10));

/** Smallest and largest metallicity the fits were made for (HPT00 Sect. 1). */
export const HURLEY_Z_RANGE: readonly [number, number] = [1e-4, 0.03];

/** Mass range accepted by this module, M☉ (see the module comment). */
export const HURLEY_MASS_RANGE_MSUN: readonly [number, number] = [0.5, 10];

/** Evolutionary phase of a star: main sequence, Hertzsprung gap, first giant branch, or past helium ignition. */
export type StellarPhase = "MS" | "HG" | "GB" | "beyond";

/** The state of a star of given initial mass and metallicity at one age. */
export interface StarState {
  /** Initial (= current, no mass loss) mass, M☉. */
  massMsun: number;
  /** Metal mass fraction Z. */
  Z: number;
  /** Age since the ZAMS, Gyr. */
  ageGyr: number;
  /** Evolutionary phase. */
  phase: StellarPhase;
  /** Luminosity, L☉ (NaN when `phase` is "beyond"). */
  lumLsun: number;
  /** Radius, R☉ (NaN when "beyond"). */
  radiusRsun: number;
  /** Effective temperature, K, from L = 4πR²σT⁴ scaled to the Sun (Teff☉ = 5772 K). */
  teffK: number;
  /** log10 of the surface gravity in cm s⁻². */
  loggCgs: number;
  /** Helium core mass, M☉: 0 on the main sequence (HPT00 give MS stars no core), NaN "beyond". */
  coreMassMsun: number;
  /**
   * Evolutionary coordinate: age/t_MS on the MS (0–1), 1 + fraction of the HG elapsed (1–2),
   * 2 + fraction of the GB elapsed in time (2–3); NaN "beyond".
   */
  fracAge: number;
  /** Main-sequence lifetime t_MS, Gyr. */
  tMSGyr: number;
  /** Age at the base of the giant branch t_BGB (end of the HG), Gyr. */
  tBGBGyr: number;
  /** Age at helium ignition t_HeI (tip of the giant branch), Gyr. */
  tHeIGyr: number;
}

// ---------------------------------------------------------------------------------------------
// Metallicity-dependent coefficients
// ---------------------------------------------------------------------------------------------

/** Evaluates c0 + c1 ζ + c2 ζ² + …: how HPT00 Appendix A and Tout et al. (1996) write every coefficient. */
function zpoly(zeta: number, c: readonly number[]): number {
  let s = 0;
  for (let i = c.length - 1; i >= 0; i--) s = s * zeta + c[i];
  return s;
}

// Tout et al. (1996), Tables 1 and 2: each row is a polynomial in ζ up to ζ⁴.
// prettier-ignore
const TOUT_L = {
  alpha: [0.39704170, -0.32913574, 0.34776688, 0.37470851, 0.09011915],
  beta: [8.52762600, -24.41225973, 56.43597107, 37.06152575, 5.45624060],
  gamma: [0.00025546, -0.00123461, -0.00023246, 0.00045519, 0.00016176],
  delta: [5.43288900, -8.62157806, 13.44202049, 14.51584135, 3.39793084],
  epsilon: [5.56357900, -10.32345224, 19.44322980, 18.97361347, 4.16903097],
  zeta: [0.78866060, -2.90870942, 6.54713531, 4.05606657, 0.53287322],
  eta: [0.00586685, -0.01704237, 0.03872348, 0.02570041, 0.00383376],
} as const;
// prettier-ignore
const TOUT_R = {
  theta: [1.71535900, 0.62246212, -0.92557761, -1.16996966, -0.30631491],
  iota: [6.59778800, -0.42450044, -12.13339427, -10.73509484, -2.51487077],
  kappa: [10.08855000, -7.11727086, -31.67119479, -24.24848322, -5.33608972],
  lambda: [1.01249500, 0.32699690, -0.00923418, -0.03876858, -0.00412750],
  mu: [0.07490166, 0.02410413, 0.07233664, 0.03040467, 0.00197741],
  nu: [0.01077422],
  xi: [3.08223400, 0.94472050, -2.15200882, -2.49219496, -0.63848738],
  omicron: [17.84778000, -7.45345690, -48.96066856, -40.05386135, -9.09331816],
  pi: [0.00022582, -0.00186899, 0.00388783, 0.00142402, -0.00007671],
} as const;

// HPT00 Appendix A: the polynomial coefficients a_n = α + βζ + γζ² + ηζ³ + μζ⁴ (fewer terms where
// the appendix gives fewer). Entries marked "′" are multiplied by another coefficient below,
// as the appendix prescribes.
// prettier-ignore
const A_POLY: Readonly<Record<string, readonly number[]>> = {
  // t_BGB (eq. 4) and t_hook (eq. 7)
  a1: [1.593890e3, 2.053038e3, 1.231226e3, 2.327785e2],
  a2: [2.706708e3, 1.483131e3, 5.772723e2, 7.411230e1],
  a3: [1.466143e2, -1.048442e2, -6.795374e1, -1.391127e1],
  a4: [4.141960e-2, 4.564888e-2, 2.958542e-2, 5.571483e-3],
  a5: [3.426349e-1],
  a6: [1.949814e1, 1.758178, -6.008212, -4.470533],
  a7: [4.903830],
  a8: [5.212154e-2, 3.166411e-2, -2.750074e-3, -2.271549e-3],
  a9: [1.312179, -3.294936e-1, 9.231860e-2, 2.610989e-2],
  a10: [8.073972e-1],
  // L_TMS (eq. 8)
  a11p: [1.031538, -2.434480e-1, 7.732821, 6.460705, 1.374484],
  a12p: [1.043715, -1.577474, -5.168234, -5.596506, -1.299394],
  a13: [7.859573e2, -8.542048, -2.642511e1, -9.585707],
  a14: [3.858911e3, 2.459681e3, -7.630093e1, -3.486057e2, -4.861703e1],
  a15: [2.888720e2, 2.952979e2, 1.850341e2, 3.797254e1],
  a16: [7.196580, 5.613746e-1, 3.805871e-1, 8.398728e-2],
  // R_TMS (eq. 9)
  a18p: [2.187715e-1, -2.154437, -3.768678, -1.975518, -3.021475e-1],
  a19p: [1.466440, 1.839725, 6.442199, 4.023635, 6.957529e-1],
  a20: [2.652091e1, 8.178458e1, 1.156058e2, 7.633811e1, 1.950698e1],
  a21: [1.472103, -2.947609, -3.312828, -9.945065e-1],
  a22: [3.071048, -5.679941, -9.745523, -3.594543],
  a23: [2.617890, 1.019135, -3.292551e-2, -7.445123e-2],
  a24: [1.075567e-2, 1.773287e-2, 9.610479e-3, 1.732469e-3],
  a25: [1.476246, 1.899331, 1.195010, 3.035051e-1],
  a26: [5.502535, -6.601663e-2, 9.968707e-2, 3.599801e-2],
  // L_BGB (eq. 10)
  a27: [9.511033e1, 6.819618e1, -1.045625e1, -1.474939e1],
  a28: [3.113458e1, 1.012033e1, -4.650511, -2.463185],
  a29p: [1.413057, 4.578814e-1, -6.850581e-2, -5.588658e-2],
  a30: [3.910862e1, 5.196646e1, 2.264970e1, 2.873680],
  a31: [4.597479, -2.855179e-1, 2.709724e-1],
  a32: [6.682518, 2.827718e-1, -7.294429e-2],
  // ΔL, the hook luminosity (eq. 16)
  a34: [1.910302e-1, 1.158624e-1, 3.348990e-2, 2.599706e-3],
  a35: [3.931056e-1, 7.277637e-2, -1.366593e-1, -4.508946e-2],
  a36: [3.267776e-1, 1.204424e-1, 9.988332e-2, 2.455361e-2],
  a37: [5.990212e-1, 5.570264e-2, 6.207626e-2, 1.777283e-2],
  // ΔR, the hook radius (eq. 17)
  a38: [7.330122e-1, 5.192827e-1, 2.316416e-1, 8.346941e-3],
  a39: [1.172768, -1.209262e-1, -1.193023e-1, -2.859837e-2],
  a40: [3.982622e-1, -2.296279e-1, -2.262539e-1, -5.219837e-2],
  a41: [3.571038, -2.223625e-2, -2.611794e-2, -6.359648e-3],
  // α_L (eq. 19)
  a45: [2.321400e-1, 1.828075e-3, -2.232007e-2, -3.378734e-3],
  a46: [1.163659e-2, 3.427682e-3, 1.421393e-3, -3.710666e-3],
  a47: [1.048020e-2, -1.231921e-2, -1.686860e-2, -4.234354e-3],
  a48: [1.555590, -3.223927e-1, -5.197429e-1, -1.066441e-1],
  // β_L (eq. 20)
  a54: [3.855707e-1, -6.104166e-1, 5.676742, 1.060894e1, 5.284014],
  a55: [3.579064e-1, -6.442936e-1, 5.494644, 1.054952e1, 5.280991],
  a56: [9.587587e-1, 8.777464e-1, 2.017321e-1],
  // α_R (eq. 21)
  a58: [4.907546e-1, -1.683928e-1, -3.108742e-1, -7.202918e-2],
  a59: [4.537070, -4.465455, -1.612690, -1.623246],
  a60: [1.796220, 2.814020e-1, 1.423325, 3.421036e-1],
  a61: [2.256216, 3.773400e-1, 1.537867, 4.396373e-1],
  a62: [1.564231e-3, 1.653042e-3, -4.439786e-3, -4.951011e-3, -1.216530e-3],
  a65: [5.210157, -4.143695, -2.120870],
  // β_R (eq. 22)
  a69: [1.071489, -1.164852e-1, -8.623831e-2, -1.582349e-2],
  a70: [7.108492e-1, 7.935927e-1, 3.926983e-1, 3.622146e-2],
  a71: [3.478514, -2.585474e-2, -1.512955e-2, -2.833691e-3],
  a72: [9.132108e-1, -1.653695e-1, 0, 3.636784e-2], // the appendix has no ζ² term here
  a73: [3.969331e-3, 4.539076e-3, 1.720906e-3, 1.897857e-4],
  // γ_R (eq. 23): the appendix bounds a75 and a76 below by a second polynomial each
  a75: [1.192334e-2, 1.083057e-2, 1.230969, 1.551656],
  a75floor: [-1.015564e-1, -2.161264e-1, -5.182516e-2],
  a76: [-1.668868e-1, 5.818123e-1, -1.105027e1, -1.668070e1],
  a76floor: [-3.868776e-1, -5.457078e-1, -1.463472e-1],
  a77: [7.615495e-1, 1.068243e-1, -2.011333e-1, -9.371415e-2],
  a78: [9.409838, 1.522928],
};

// HPT00 Appendix B: giant-branch coefficients b_n used here.
// prettier-ignore
const B_POLY: Readonly<Record<string, readonly number[]>> = {
  // R_GB (eq. 46)
  b4: [9.960283e-1, 8.164393e-1, 2.383830, 2.223436, 8.638115e-1, 1.231572e-1],
  b5: [2.561062e-1, 7.072646e-2, -5.444596e-2, -5.798167e-2, -1.349129e-2],
  b6: [1.157338, 1.467883, 4.299661, 3.130500, 6.992080e-1, 1.640687e-2],
  b7: [4.022765e-1, 3.050010e-1, 9.962137e-1, 7.914079e-1, 1.728098e-1],
  // L_HeI (eq. 49)
  b9: [2.751631e3, 3.557098e2],
  b10: [-3.820831e-2, 5.872664e-2],
  b11p: [1.071738e2, -8.970339e1, -3.949739e1], // squared
  b12: [7.348793e2, -1.531020e2, -3.793700e1],
  b13p: [9.219293, -2.005865, -5.561309e-1], // squared
  // Mc,BAGB (eq. 66)
  b36p: [1.445216e-1, -6.180219e-2, 3.093878e-2, 1.567090e-2], // to the 4th power
  b37p: [1.304129, 1.395919e-1, 4.142455e-3, -9.732503e-3], // times 4
  b38p: [5.114149e-1, -1.160850e-2], // to the 4th power
};

/** Constants of eq. 10 (L_BGB) that do not depend on Z. */
const C2_LBGB = 9.301992;
const C3_LBGB = 4.637345;
/** R_TMS for M above a17 + 0.1 (eq. 9): the Z-independent coefficient of M³. */
const C1_RTMS = -8.672073e-2;
/** Mc,HeI for intermediate-mass stars (eq. 44): c1 = 9.20925e-5, c2 = 5.402216. */
const C1_MCHEI = 9.20925e-5;
const C2_MCHEI = 5.402216;
/**
 * Width, in the gap a64 − a63 between the two break masses of α_R (M☉), of the window over which we
 * blend the radius fit of 0.65–1.0 M☉ stars into its collapsed branch instead of switching at once.
 * The gap is −0.2 − 2ζ near the switch, so 0.04 M☉ spans Z = 0.01517–0.01589.
 */
const ALPHA_R_SEAM_GAP_MSUN = 0.04;

/**
 * What the radius-seam blend changes with respect to the published HPT00 fits: only
 * 0.65 ≤ M < 1.0 M☉ and 0.01517 < Z < 0.01589 are affected; there log R moves by at most the size
 * of the published jump (0.012 dex in log R, 83 K in Teff on the MS at 0.5–8 Gyr; up to ~0.014 dex
 * and ~95 K near the turn-off), towards the values just above Z = 0.01589. Everywhere else the
 * fits are exactly HPT00's. tests/stellar.test.ts checks that Teff is now continuous in Z.
 */
export const RADIUS_SEAM_BLEND = {
  zRange: [0.01517, 0.01589] as const,
  massRangeMsun: [0.65, 1.0] as const,
  gapWidthMsun: ALPHA_R_SEAM_GAP_MSUN,
};

/** Width of the MS hook as a fraction of t_hook (HPT00 eq. 14). */
const HOOK_EPSILON = 0.01;

/** Every metallicity-dependent quantity of HPT00 for one Z, evaluated once and cached. */
export interface HurleyMetallicityConstants {
  Z: number;
  /** ζ = log10(Z / 0.02). */
  zeta: number;
  /** Mass above which the MS has a hook (convective core), M☉ (eq. 1). */
  mHookMsun: number;
  /** Maximum mass for a degenerate helium flash, M☉ (eq. 2). */
  mHeFMsun: number;
  /** Maximum mass with a first giant branch, M☉ (eq. 3). */
  mFGBMsun: number;
  /** t_MS = max(t_hook, x t_BGB) with this x (eq. 6). */
  xMS: number;
  /** The a_n of Appendix A (index = n). */
  a: Float64Array;
  /** The b_n of Appendix B used here (index = n). */
  b: Float64Array;
  /** Tout et al. ZAMS coefficients. */
  toutL: Float64Array;
  toutR: Float64Array;
  /** Core mass at the BGB and at helium ignition of a star of mass M_HeF (continuity of eq. 44). */
  mcBGBAtMHeF: number;
  mcHeIAtMHeF: number;
  /** L_HeI of the intermediate-mass branch at M_HeF and the constant α1 of eq. 49. */
  lHeIAtMHeF: number;
  alpha1LHeI: number;
}

const constantsCache = new Map<number, HurleyMetallicityConstants>();

/** The HPT00 coefficients for metallicity Z (cached: a grid evaluates each Z thousands of times). */
export function hurleyConstants(Z: number): HurleyMetallicityConstants {
  const cached = constantsCache.get(Z);
  if (cached) return cached;
  checkZ(Z);
  const zeta = Math.log10(Z / HURLEY_ZETA_REFERENCE_Z);
  const sigma = Math.log10(Z);
  const p = (c: readonly number[]) => zpoly(zeta, c);
  const a = new Float64Array(82);
  const A = A_POLY;
  for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16, 20, 21, 22, 23, 24, 25, 26, 27, 28, 30, 31, 32]) {
    a[n] = p(A["a" + n]);
  }
  a[11] = p(A.a11p) * a[14];
  a[12] = p(A.a12p) * a[14];
  a[17] = 10 ** Math.max(0.097 - 0.1072 * (sigma + 3), Math.max(0.097, Math.min(0.1461, 0.1461 + 0.1237 * (sigma + 2))));
  a[18] = p(A.a18p) * a[20];
  a[19] = p(A.a19p) * a[20];
  a[29] = p(A.a29p) ** a[32];
  // Hook
  a[33] = Math.max(0.6355 - 0.4192 * zeta, Math.max(1.25, Math.min(1.4, 1.5135 + 0.3769 * zeta)));
  for (const n of [34, 35, 36, 37, 38, 39, 40, 41]) a[n] = p(A["a" + n]);
  a[42] = Math.min(1.25, Math.max(1.1, 1.9848 + zeta * (1.1386 + 0.3564 * zeta)));
  a[43] = 0.063 + zeta * (0.0481 + 0.00984 * zeta);
  a[44] = Math.min(1.3, Math.max(0.45, 1.2 + 2.45 * zeta));
  // α_L, β_L
  for (const n of [45, 46, 47, 48, 54, 55, 56]) a[n] = p(A["a" + n]);
  a[49] = Math.max(0.145, 0.0977 - zeta * (0.231 + 0.0753 * zeta));
  a[50] = Math.min(0.24 + zeta * (0.18 + 0.595 * zeta), 0.306 + 0.053 * zeta);
  a[51] = Math.min(0.33 + zeta * (0.132 + 0.218 * zeta), 0.3625 + 0.062 * zeta);
  a[52] = Math.max(0.9, 1.1064 + zeta * (0.415 + 0.18 * zeta));
  a[53] = Math.max(1.0, 1.19 + zeta * (0.377 + 0.176 * zeta));
  if (Z > 0.01) {
    a[52] = Math.min(a[52], 1.0);
    a[53] = Math.min(a[53], 1.1);
  }
  a[57] = Math.max(0.6355 - 0.4192 * zeta, Math.max(1.25, Math.min(1.4, 1.5135 + 0.3769 * zeta)));
  // α_R
  for (const n of [58, 59, 60, 61, 62, 65]) a[n] = p(A["a" + n]);
  a[63] = Math.max(0.9, Math.min(1.0, 1.116 + 0.166 * zeta));
  a[64] = Math.max(1.477 + 0.296 * zeta, Math.min(1.6, -0.308 - 1.046 * zeta));
  a[64] = Math.max(0.8, Math.min(0.8 - 2.0 * zeta, a[64]));
  a[66] = Math.max(0.065, 0.0843 - zeta * (0.0475 + 0.0352 * zeta));
  a[67] = 0.0736 + zeta * (0.0749 + 0.04426 * zeta);
  if (Z < 0.004) a[67] = Math.min(0.055, a[67]);
  a[68] = Math.max(0.091, Math.min(0.121, 0.136 + 0.0352 * zeta));
  // The appendix collapses the linear segment when the two break masses cross (a63 > a64, i.e.
  // Z > 0.01589 for 0.0007 < Z < 0.03) and then sets a68 = α_R(a64) of the middle branch. As
  // published, a68 jumps there from 0.121 to ≈ 0.084, so α_R (hence log R and Teff) of every
  // 0.65–1.0 M☉ star jumps with Z. DEPARTURE FROM THE PUBLISHED FITS: we move a68 smoothly to the
  // collapsed value while the gap a64 − a63 closes from ALPHA_R_SEAM_GAP_MSUN to 0 (Z = 0.01517 →
  // 0.01589); outside that window the coefficients are exactly HPT00's (see RADIUS_SEAM_BLEND).
  const a68Collapsed = (a[58] * a[64] ** a[60]) / (a[59] + a[64] ** a[61]);
  if (a[63] >= a[64]) {
    a[63] = a[64];
    a[68] = a68Collapsed;
  } else if (a[64] - a[63] < ALPHA_R_SEAM_GAP_MSUN) {
    const x = 1 - (a[64] - a[63]) / ALPHA_R_SEAM_GAP_MSUN; // 0 at the window's edge, 1 at the crossing
    const w = x * x * (3 - 2 * x);
    a[68] = (1 - w) * a[68] + w * a68Collapsed;
  }
  // β_R
  for (const n of [69, 70, 71, 72, 73]) a[n] = p(A["a" + n]);
  if (Z > 0.01) a[72] = Math.max(a[72], 0.95);
  a[74] = Math.max(1.4, Math.min(1.6, 1.6 + zeta * (0.764 + 0.3322 * zeta)));
  // γ_R
  a[75] = Math.max(p(A.a75), p(A.a75floor));
  a[76] = Math.max(Math.min(0, p(A.a76)), p(A.a76floor));
  a[77] = Math.max(0, Math.min(p(A.a77), 7.454 + 9.046 * zeta));
  a[78] = Math.min(p(A.a78), Math.max(2.0, -13.3 - 18.6 * zeta));
  a[79] = Math.min(1.5, Math.max(0.4, 2.493 + 1.1475 * zeta));
  a[80] = Math.max(1.0, Math.min(1.27, 0.8109 - 0.6282 * zeta));
  a[80] = Math.max(a[80], 0.6355 - 0.4192 * zeta);
  a[81] = Math.max(5.855420e-2, -0.2711 - zeta * (0.5756 + 0.0838 * zeta));

  const b = new Float64Array(39);
  b[1] = Math.min(0.54, 0.397 + zeta * (0.28826 + 0.5293 * zeta));
  b[2] = 10 ** (-4.6739 - 0.9394 * sigma);
  b[2] = Math.min(Math.max(b[2], -0.04167 + 55.67 * Z), 0.4771 - 9329.21 * Z ** 2.94);
  b[3] = 10 ** Math.max(-0.1451, -2.2794 - sigma * (1.5175 + 0.254 * sigma));
  if (Z > 0.004) b[3] = Math.max(b[3], 0.7307 + 14265.1 * Z ** 3.395);
  for (const n of [4, 5, 6, 7, 9, 10, 12]) b[n] = p(B_POLY["b" + n]);
  b[11] = p(B_POLY.b11p) ** 2;
  b[13] = p(B_POLY.b13p) ** 2;
  b[36] = p(B_POLY.b36p) ** 4;
  b[37] = 4 * p(B_POLY.b37p);
  b[38] = p(B_POLY.b38p) ** 4;

  const toutL = Float64Array.from(Object.values(TOUT_L), (c) => p(c));
  const toutR = Float64Array.from(Object.values(TOUT_R), (c) => p(c));

  const mHeF = 1.995 + zeta * (0.25 + 0.087 * zeta);
  const c: HurleyMetallicityConstants = {
    Z,
    zeta,
    mHookMsun: 1.0185 + zeta * (0.16015 + 0.0892 * zeta),
    mHeFMsun: mHeF,
    mFGBMsun: (13.048 * (Z / HURLEY_ZETA_REFERENCE_Z) ** 0.06) / (1 + 0.0012 * (HURLEY_ZETA_REFERENCE_Z / Z) ** 1.27),
    xMS: Math.max(0.95, Math.min(0.95 - 0.03 * (zeta + 0.30103), 0.99)),
    a,
    b,
    toutL,
    toutR,
    mcBGBAtMHeF: NaN,
    mcHeIAtMHeF: NaN,
    lHeIAtMHeF: NaN,
    alpha1LHeI: NaN,
  };
  // Eq. 49 joins the low- and intermediate-mass L_HeI at M_HeF; eq. 44 joins the core masses there.
  c.lHeIAtMHeF = (b[11] + b[12] * mHeF ** 3.8) / (b[13] + mHeF * mHeF);
  c.alpha1LHeI = (b[9] * mHeF ** b[10] - c.lHeIAtMHeF) / c.lHeIAtMHeF;
  const gbHeF = giantBranchConstants(mHeF, c);
  c.mcBGBAtMHeF = coreMassFromGiantLuminosity(lBGB(mHeF, c), gbHeF);
  c.mcHeIAtMHeF = coreMassFromGiantLuminosity(c.lHeIAtMHeF, gbHeF);
  constantsCache.set(Z, c);
  return c;
}

function checkZ(Z: number): void {
  if (!(Z >= HURLEY_Z_RANGE[0] && Z <= HURLEY_Z_RANGE[1])) {
    throw new RangeError(
      `Hurley et al. (2000) fits cover ${HURLEY_Z_RANGE[0]} ≤ Z ≤ ${HURLEY_Z_RANGE[1]}; got Z = ${Z}`,
    );
  }
}

function checkMass(m: number): void {
  if (!(m >= HURLEY_MASS_RANGE_MSUN[0] && m <= HURLEY_MASS_RANGE_MSUN[1])) {
    throw new RangeError(
      `this implementation covers ${HURLEY_MASS_RANGE_MSUN[0]}–${HURLEY_MASS_RANGE_MSUN[1]} M☉; got M = ${m} M☉`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Characteristic luminosities, radii and timescales (M in M☉, times in Myr as in HPT00)
// ---------------------------------------------------------------------------------------------

/** ZAMS luminosity, L☉ (Tout et al. 1996, eq. 1). */
function lZAMS(m: number, c: HurleyMetallicityConstants): number {
  const [al, be, ga, de, ep, ze, et] = c.toutL;
  return (al * m ** 5.5 + be * m ** 11) / (ga + m ** 3 + de * m ** 5 + ep * m ** 7 + ze * m ** 8 + et * m ** 9.5);
}

/** ZAMS radius, R☉ (Tout et al. 1996, eq. 2). */
function rZAMS(m: number, c: HurleyMetallicityConstants): number {
  const [th, io, ka, la, mu, nu, xi, om, pi] = c.toutR;
  return (
    (th * m ** 2.5 + io * m ** 6.5 + ka * m ** 11 + la * m ** 19 + mu * m ** 19.5) /
    (nu + xi * m ** 2 + om * m ** 8.5 + m ** 18.5 + pi * m ** 19.5)
  );
}

/** Time to the base of the giant branch, Myr (eq. 4). */
function tBGBMyr(m: number, c: HurleyMetallicityConstants): number {
  const a = c.a;
  return (a[1] + a[2] * m ** 4 + a[3] * m ** 5.5 + m ** 7) / (a[4] * m ** 2 + a[5] * m ** 7);
}

/** t_hook / t_BGB (eq. 7). */
function hookFraction(m: number, c: HurleyMetallicityConstants): number {
  const a = c.a;
  return Math.max(0.5, 1 - 0.01 * Math.max(a[6] / m ** a[7], a[8] + a[9] / m ** a[10]));
}

/** Luminosity at the end of the MS, L☉ (eq. 8). */
function lTMS(m: number, c: HurleyMetallicityConstants): number {
  const a = c.a;
  return (a[11] * m ** 3 + a[12] * m ** 4 + a[13] * m ** (a[16] + 1.8)) / (a[14] + a[15] * m ** 5 + m ** a[16]);
}

/** Radius at the end of the MS, R☉ (eq. 9); the two branches are joined linearly over a17 … a17 + 0.1. */
function rTMS(m: number, c: HurleyMetallicityConstants): number {
  const a = c.a;
  const low = (x: number) => (a[18] + a[19] * x ** a[21]) / (a[20] + x ** a[22]);
  const high = (x: number) => (C1_RTMS * x ** 3 + a[23] * x ** a[26] + a[24] * x ** (a[26] + 1.5)) / (a[25] + x ** 5);
  let r: number;
  if (m <= a[17]) r = low(m);
  else if (m >= a[17] + 0.1) r = high(m);
  else r = low(a[17]) + ((high(a[17] + 0.1) - low(a[17])) * (m - a[17])) / 0.1;
  // HPT00 guard for very low masses, where the low-mass branch is extrapolated.
  if (m < 0.5) r = Math.max(r, 1.5 * rZAMS(m, c));
  return r;
}

/** Luminosity at the base of the giant branch, L☉ (eq. 10). */
function lBGB(m: number, c: HurleyMetallicityConstants): number {
  const a = c.a;
  return (a[27] * m ** a[31] + a[28] * m ** C2_LBGB) / (a[29] + a[30] * m ** C3_LBGB + m ** a[32]);
}

/** Exponent η of the β_L term (eq. 18): it only departs from 10 at Z ≤ 0.0009. */
function etaL(m: number, c: HurleyMetallicityConstants): number {
  if (c.Z > 0.0009) return 10;
  if (m <= 1.0) return 10;
  if (m >= 1.1) return 20;
  return 10 + 100 * (m - 1.0);
}

/** α_L (eq. 19). */
function alphaL(m: number, c: HurleyMetallicityConstants): number {
  const a = c.a;
  const high = (x: number) => (a[45] + a[46] * x ** a[48]) / (x ** 0.4 + a[47] * x ** 1.9);
  if (m >= 2.0) return high(m);
  if (m < 0.5) return a[49];
  if (m < 0.7) return a[49] + 5.0 * (0.3 - a[49]) * (m - 0.5);
  if (m < a[52]) return 0.3 + ((a[50] - 0.3) * (m - 0.7)) / (a[52] - 0.7);
  if (m < a[53]) return a[50] + ((a[51] - a[50]) * (m - a[52])) / (a[53] - a[52]);
  return a[51] + ((high(2.0) - a[51]) * (m - a[53])) / (2.0 - a[53]);
}

/** β_L (eq. 20). */
function betaL(m: number, c: HurleyMetallicityConstants): number {
  const a = c.a;
  let beta = Math.max(0, a[54] - a[55] * m ** a[56]);
  if (m > a[57] && beta > 0) {
    const B = a[54] - a[55] * a[57] ** a[56];
    beta = Math.max(0, B - 10 * (m - a[57]) * B);
  }
  return beta;
}

/** ΔL, size of the luminosity hook (eq. 16). */
function deltaL(m: number, c: HurleyMetallicityConstants): number {
  const a = c.a;
  if (m <= c.mHookMsun) return 0;
  const big = (x: number) => Math.min(a[34] / x ** a[35], a[36] / x ** a[37]);
  if (m >= a[33]) return big(m);
  return big(a[33]) * ((m - c.mHookMsun) / (a[33] - c.mHookMsun)) ** 0.4;
}

/** α_R (eq. 21). */
function alphaR(m: number, c: HurleyMetallicityConstants): number {
  const a = c.a;
  const mid = (x: number) => (a[58] * x ** a[60]) / (a[59] + x ** a[61]);
  if (m < 0.5) return a[66];
  if (m < 0.65) return a[66] + ((a[67] - a[66]) * (m - 0.5)) / 0.15;
  if (m < a[63]) return a[67] + ((a[68] - a[67]) * (m - 0.65)) / (a[63] - 0.65);
  if (m < a[64]) return a[68] + ((mid(a[64]) - a[68]) * (m - a[63])) / (a[64] - a[63]);
  if (m <= a[65]) return mid(m);
  return mid(a[65]) + a[62] * (m - a[65]);
}

/** β_R (eq. 22; the appendix fits β_R + 1). */
function betaR(m: number, c: HurleyMetallicityConstants): number {
  const a = c.a;
  const mid = (x: number) => (a[69] * x ** 3.5) / (a[70] + x ** a[71]);
  let b1: number;
  if (m <= 1.0) b1 = 1.06;
  else if (m < a[74]) b1 = 1.06 + ((a[72] - 1.06) * (m - 1.0)) / (a[74] - 1.0);
  else if (m < 2.0) b1 = a[72] + ((mid(2.0) - a[72]) * (m - a[74])) / (2.0 - a[74]);
  else if (m <= 16.0) b1 = mid(m);
  else b1 = mid(16.0) + a[73] * (m - 16.0);
  return b1 - 1;
}

/** γ_R (eq. 23). */
function gammaR(m: number, c: HurleyMetallicityConstants): number {
  const a = c.a;
  // |M − a77|: a78 = 2 for Z ≳ 0.0015, but can be non-integer at lower Z.
  const low = (x: number) => a[75] + a[76] * Math.abs(x - a[77]) ** a[78];
  let g: number;
  if (m <= 1.0) g = low(m);
  else {
    const B = Math.max(0, low(1.0));
    if (m <= a[80]) g = B + (a[81] - B) * ((m - 1.0) / (a[80] - 1.0)) ** a[79];
    else if (m <= a[80] + 0.1) {
      const C = a[80] > 1.0 ? a[81] : B;
      g = C - 10 * (m - a[80]) * C;
    } else g = 0;
  }
  return Math.max(0, g);
}

/** ΔR, size of the radius hook (eq. 17). */
function deltaR(m: number, c: HurleyMetallicityConstants): number {
  const a = c.a;
  if (m <= c.mHookMsun) return 0;
  const high = (x: number) => (a[38] + a[39] * x ** 3.5) / (a[40] * x ** 3 + x ** a[41]) - 1;
  if (m <= a[42]) return a[43] * Math.sqrt((m - c.mHookMsun) / (a[42] - c.mHookMsun));
  if (m < 2.0) return a[43] + (high(2.0) - a[43]) * ((m - a[42]) / (2.0 - a[42])) ** a[44];
  return high(m);
}

/** Giant-branch radius, R☉, at luminosity L (eq. 46). */
function rGB(m: number, lum: number, c: HurleyMetallicityConstants): number {
  const b = c.b;
  const A = Math.min(b[4] * m ** -b[5], b[6] * m ** -b[7]);
  return A * (lum ** b[1] + b[2] * lum ** b[3]);
}

/** Luminosity at helium ignition (tip of the GB), L☉ (eq. 49). */
function lHeI(m: number, c: HurleyMetallicityConstants): number {
  const b = c.b;
  if (m < c.mHeFMsun) return (b[9] * m ** b[10]) / (1 + c.alpha1LHeI * Math.exp(15 * (m - c.mHeFMsun)));
  return (b[11] + b[12] * m ** 3.8) / (b[13] + m * m);
}

/** Core mass at the base of the AGB, M☉ (eq. 66); caps the intermediate-mass core masses. */
function mcBAGB(m: number, c: HurleyMetallicityConstants): number {
  const b = c.b;
  return (b[36] * m ** b[37] + b[38]) ** 0.25;
}

/** Core mass of an intermediate-mass star (M > M_HeF) at the BGB or at He ignition (eq. 44 and its HeI analogue). */
function mcIntermediate(m: number, mcAtMHeF: number, c: HurleyMetallicityConstants): number {
  const C = mcAtMHeF ** 4 - C1_MCHEI * c.mHeFMsun ** C2_MCHEI;
  return Math.min(0.95 * mcBAGB(m, c), (C + C1_MCHEI * m ** C2_MCHEI) ** 0.25);
}

/** Parameters of the giant-branch core-mass–luminosity relation L = min(B Mc^q, D Mc^p) (eqs. 37–38). */
interface GiantBranchConstants {
  /** Hydrogen rate constant A_H, M☉ L☉⁻¹ Myr⁻¹ (eq. 43). */
  aH: number;
  B: number;
  D: number;
  p: number;
  q: number;
  /** Core mass and luminosity where the two power laws cross. */
  mx: number;
  lx: number;
}

function giantBranchConstants(m: number, c: HurleyMetallicityConstants): GiantBranchConstants {
  const logD0 = 5.37 + 0.135 * c.zeta;
  const logDHigh = (x: number) => Math.max(-1.0, 0.975 * logD0 - 0.18 * x, 0.5 * logD0 - 0.06 * x);
  let logD: number;
  let p: number;
  let q: number;
  if (m <= c.mHeFMsun) {
    [logD, p, q] = [logD0, 6, 3];
  } else if (m >= 2.5) {
    [logD, p, q] = [logDHigh(m), 5, 2];
  } else {
    // HPT00 interpolate linearly in mass between M_HeF and 2.5 M☉.
    const f = (m - c.mHeFMsun) / (2.5 - c.mHeFMsun);
    [logD, p, q] = [logD0 + f * (logDHigh(2.5) - logD0), 6 - f, 3 - f];
  }
  const D = 10 ** logD;
  const B = Math.max(3e4, 500 + 1.75e4 * m ** 0.6);
  const mx = (B / D) ** (1 / (p - q));
  const aH = 10 ** Math.max(-4.8, Math.min(-5.7 + 0.8 * m, -4.1 + 0.14 * m));
  return { aH, B, D, p, q, mx, lx: D * mx ** p };
}

function coreMassFromGiantLuminosity(lum: number, gb: GiantBranchConstants): number {
  return lum <= gb.lx ? (lum / gb.D) ** (1 / gb.p) : (lum / gb.B) ** (1 / gb.q);
}

function giantLuminosityFromCoreMass(mc: number, gb: GiantBranchConstants): number {
  return Math.min(gb.B * mc ** gb.q, gb.D * mc ** gb.p);
}

// ---------------------------------------------------------------------------------------------
// One star
// ---------------------------------------------------------------------------------------------

/**
 * A star of fixed initial mass and metallicity: every mass-dependent quantity of HPT00 is
 * evaluated once in the constructor, so `at(ageGyr)` is cheap (a grid calls it ~10⁵ times).
 */
export class HurleyStar {
  readonly massMsun: number;
  readonly Z: number;
  /** ZAMS luminosity (L☉) and radius (R☉), Tout et al. (1996). */
  readonly lZAMSLsun: number;
  readonly rZAMSRsun: number;
  /** End-of-MS luminosity and radius. */
  readonly lTMSLsun: number;
  readonly rTMSRsun: number;
  /** Luminosity and radius at the base of the giant branch (end of the HG). */
  readonly lBGBLsun: number;
  readonly rBGBRsun: number;
  /** Luminosity at helium ignition (GB tip). */
  readonly lHeILsun: number;
  /** Whether the MS has a hook (M > M_hook): the star has a convective core. */
  readonly hasHook: boolean;
  /** Ages, Gyr: end of hook, end of MS, BGB, helium ignition. */
  readonly tHookGyr: number;
  readonly tMSGyr: number;
  readonly tBGBGyr: number;
  readonly tHeIGyr: number;
  /** Core mass at the BGB and at He ignition, M☉. */
  readonly mcBGBMsun: number;
  readonly mcHeIMsun: number;

  private readonly c: HurleyMetallicityConstants;
  private readonly gb: GiantBranchConstants;
  private readonly alphaL: number;
  private readonly betaL: number;
  private readonly etaL: number;
  private readonly deltaL: number;
  private readonly alphaR: number;
  private readonly betaR: number;
  private readonly gammaR: number;
  private readonly deltaR: number;
  private readonly logLTMSoverZAMS: number;
  private readonly logRTMSoverZAMS: number;
  /** Mc at the end of the MS as a fraction of Mc,BGB (eq. 29). */
  private readonly rhoMc: number;
  /** GB timescales of eqs. 40–42, Myr. */
  private readonly tInf1Myr: number;
  private readonly tInf2Myr: number;
  private readonly txMyr: number;
  private readonly tBGBMyr: number;
  private readonly tHeIMyr: number;
  private readonly tMSMyr: number;
  private readonly tHookMyr: number;
  private readonly intermediateMass: boolean;

  constructor(massMsun: number, Z: number) {
    checkMass(massMsun);
    const c = hurleyConstants(Z);
    if (massMsun >= c.mFGBMsun) {
      throw new RangeError(`M = ${massMsun} M☉ has no giant branch at Z = ${Z} (M_FGB = ${c.mFGBMsun.toFixed(2)} M☉)`);
    }
    const m = massMsun;
    this.massMsun = m;
    this.Z = Z;
    this.c = c;

    this.lZAMSLsun = lZAMS(m, c);
    this.rZAMSRsun = rZAMS(m, c);
    this.lTMSLsun = lTMS(m, c);
    this.rTMSRsun = rTMS(m, c);
    this.lBGBLsun = lBGB(m, c);
    this.rBGBRsun = rGB(m, this.lBGBLsun, c);
    this.lHeILsun = lHeI(m, c);

    this.tBGBMyr = tBGBMyr(m, c);
    this.tHookMyr = hookFraction(m, c) * this.tBGBMyr;
    this.tMSMyr = Math.max(this.tHookMyr, c.xMS * this.tBGBMyr);
    this.hasHook = m > c.mHookMsun;

    this.alphaL = alphaL(m, c);
    this.betaL = betaL(m, c);
    this.etaL = etaL(m, c);
    this.deltaL = deltaL(m, c);
    this.alphaR = alphaR(m, c);
    this.betaR = betaR(m, c);
    this.gammaR = gammaR(m, c);
    this.deltaR = deltaR(m, c);
    this.logLTMSoverZAMS = Math.log10(this.lTMSLsun / this.lZAMSLsun);
    this.logRTMSoverZAMS = Math.log10(this.rTMSRsun / this.rZAMSRsun);

    const gb = giantBranchConstants(m, c);
    this.gb = gb;
    this.intermediateMass = m > c.mHeFMsun;
    if (this.intermediateMass) {
      this.mcBGBMsun = mcIntermediate(m, c.mcBGBAtMHeF, c);
      this.mcHeIMsun = mcIntermediate(m, c.mcHeIAtMHeF, c);
    } else {
      this.mcBGBMsun = coreMassFromGiantLuminosity(this.lBGBLsun, gb);
      this.mcHeIMsun = coreMassFromGiantLuminosity(this.lHeILsun, gb);
    }
    const m5 = m ** 5.25;
    this.rhoMc = (1.586 + m5) / (2.434 + 1.02 * m5);

    // Eqs. 40–42: the GB follows dMc/dt = A_H L(Mc), integrated analytically from (t_BGB, L_BGB).
    const { aH, B, D, p, q, lx } = gb;
    this.tInf1Myr = this.tBGBMyr + (1 / ((p - 1) * aH * D)) * (D / this.lBGBLsun) ** ((p - 1) / p);
    this.txMyr = this.tInf1Myr - (this.tInf1Myr - this.tBGBMyr) * (this.lBGBLsun / lx) ** ((p - 1) / p);
    this.tInf2Myr = this.txMyr + (1 / ((q - 1) * aH * B)) * (B / lx) ** ((q - 1) / q);
    this.tHeIMyr = this.giantAgeAtLuminosityMyr(this.lHeILsun);

    this.tHookGyr = this.hasHook ? this.tHookMyr / 1000 : NaN;
    this.tMSGyr = this.tMSMyr / 1000;
    this.tBGBGyr = this.tBGBMyr / 1000;
    this.tHeIGyr = this.tHeIMyr / 1000;
  }

  /** Age (Myr) at which the GB luminosity reaches `lum` (inverse of eqs. 39 and 37). */
  private giantAgeAtLuminosityMyr(lum: number): number {
    const { aH, B, D, p, q, lx } = this.gb;
    if (lum <= lx) return this.tInf1Myr - (1 / ((p - 1) * aH * D)) * (D / lum) ** ((p - 1) / p);
    return this.tInf2Myr - (1 / ((q - 1) * aH * B)) * (B / lum) ** ((q - 1) / q);
  }

  /** Age (Gyr) on the giant branch at which L = lumLsun (L_BGB ≤ lumLsun ≤ L_HeI). */
  giantAgeAtLuminosityGyr(lumLsun: number): number {
    if (!(lumLsun >= this.lBGBLsun * (1 - 1e-12) && lumLsun <= this.lHeILsun * (1 + 1e-12))) {
      throw new RangeError(
        `L = ${lumLsun} L☉ is not on the giant branch of this star (${this.lBGBLsun.toPrecision(4)}–${this.lHeILsun.toPrecision(4)} L☉)`,
      );
    }
    return Math.min(Math.max(this.giantAgeAtLuminosityMyr(lumLsun) / 1000, this.tBGBGyr), this.tHeIGyr);
  }

  /** Evolutionary phase at an age (Gyr). */
  phaseAt(ageGyr: number): StellarPhase {
    // Compared in Gyr against the public boundaries, so that `at(star.tHeIGyr)` is the tip, not "beyond".
    if (ageGyr < this.tMSGyr) return "MS";
    if (ageGyr < this.tBGBGyr) return "HG";
    if (ageGyr <= this.tHeIGyr) return "GB";
    return "beyond";
  }

  /** The evolutionary coordinate of `StarState.fracAge` at an age (Gyr). */
  fracAgeAt(ageGyr: number): number {
    const t = ageGyr;
    if (t < this.tMSGyr) return t / this.tMSGyr;
    if (t < this.tBGBGyr) return 1 + (t - this.tMSGyr) / (this.tBGBGyr - this.tMSGyr);
    if (t <= this.tHeIGyr) return 2 + (t - this.tBGBGyr) / (this.tHeIGyr - this.tBGBGyr);
    return NaN;
  }

  /** Age (Gyr) at an evolutionary coordinate 0 ≤ fracAge ≤ 3 (inverse of `fracAgeAt`). */
  ageAtFracAgeGyr(fracAge: number): number {
    if (!(fracAge >= 0 && fracAge <= 3)) throw new RangeError(`fracAge must lie in [0, 3]; got ${fracAge}`);
    if (fracAge < 1) return fracAge * this.tMSGyr;
    if (fracAge < 2) return this.tMSGyr + (fracAge - 1) * (this.tBGBGyr - this.tMSGyr);
    if (fracAge === 3) return this.tHeIGyr;
    return this.tBGBGyr + (fracAge - 2) * (this.tHeIGyr - this.tBGBGyr);
  }

  /** The star at an age since the ZAMS (Gyr). */
  at(ageGyr: number): StarState {
    if (!(ageGyr >= 0)) throw new RangeError(`age must be ≥ 0 Gyr; got ${ageGyr}`);
    const t = ageGyr * 1000;
    const phase = this.phaseAt(ageGyr);
    let lum = NaN;
    let rad = NaN;
    let mc = NaN;
    if (phase === "MS") {
      [lum, rad] = this.mainSequence(t);
      mc = 0;
    } else if (phase === "HG") {
      // Eqs. 25–28: L and R interpolate geometrically from the TMS to the BGB values.
      const tau = Math.min(1, Math.max(0, (t - this.tMSMyr) / (this.tBGBMyr - this.tMSMyr)));
      lum = this.lTMSLsun * (this.lBGBLsun / this.lTMSLsun) ** tau;
      rad = this.rTMSRsun * (this.rBGBRsun / this.rTMSRsun) ** tau;
      mc = ((1 - tau) * this.rhoMc + tau) * this.mcBGBMsun;
    } else if (phase === "GB") {
      const { aH, B, D, p, q } = this.gb;
      const mcFromT =
        t <= this.txMyr
          ? ((p - 1) * aH * D * (this.tInf1Myr - t)) ** (1 / (1 - p))
          : ((q - 1) * aH * B * (this.tInf2Myr - t)) ** (1 / (1 - q));
      lum = giantLuminosityFromCoreMass(mcFromT, this.gb);
      rad = rGB(this.massMsun, lum, this.c);
      // Above M_HeF the core is non-degenerate: HPT00 keep L from the relation above but grow the
      // true core mass linearly in time from Mc,BGB to Mc,HeI (Sect. 5.2).
      mc = this.intermediateMass
        ? this.mcBGBMsun + ((this.mcHeIMsun - this.mcBGBMsun) * (t - this.tBGBMyr)) / (this.tHeIMyr - this.tBGBMyr)
        : mcFromT;
    }
    const teff = TEFF_SUN_K * lum ** 0.25 * rad ** -0.5;
    return {
      massMsun: this.massMsun,
      Z: this.Z,
      ageGyr,
      phase,
      lumLsun: lum,
      radiusRsun: rad,
      teffK: teff,
      loggCgs: LOGG_SUN_CGS + Math.log10(this.massMsun) - 2 * Math.log10(rad),
      coreMassMsun: mc,
      fracAge: this.fracAgeAt(ageGyr),
      tMSGyr: this.tMSGyr,
      tBGBGyr: this.tBGBGyr,
      tHeIGyr: this.tHeIGyr,
    };
  }

  /** MS luminosity and radius at t (Myr), eqs. 12–15. */
  private mainSequence(t: number): [number, number] {
    const tau = t / this.tMSMyr;
    let hookL = 0;
    let hookR = 0;
    if (this.hasHook) {
      // τ1, τ2 (eqs. 14–15): the hook shrinks L and R until just before t_hook, then restores them
      // within the last ε of t_hook — the short contraction when the convective core runs out of H.
      const tau1 = Math.min(1, t / this.tHookMyr);
      const tau2 = Math.max(0, Math.min(1, (t - (1 - HOOK_EPSILON) * this.tHookMyr) / (HOOK_EPSILON * this.tHookMyr)));
      hookL = this.deltaL * (tau1 * tau1 - tau2 * tau2);
      hookR = this.deltaR * (tau1 ** 3 - tau2 ** 3);
    }
    const tau2 = tau * tau;
    const tau3 = tau2 * tau;
    const logL =
      this.alphaL * tau +
      this.betaL * tau ** this.etaL +
      (this.logLTMSoverZAMS - this.alphaL - this.betaL) * tau2 -
      hookL;
    const logR =
      this.alphaR * tau +
      this.betaR * tau ** 10 +
      this.gammaR * tau ** 40 +
      (this.logRTMSoverZAMS - this.alphaR - this.betaR - this.gammaR) * tau3 -
      hookR;
    return [this.lZAMSLsun * 10 ** logL, this.rZAMSRsun * 10 ** logR];
  }
}

// Small LRU-free cache: notebooks and the grid ask for the same (M, Z) many times.
const starCache = new Map<string, HurleyStar>();

/** The (cached) `HurleyStar` for an initial mass (M☉) and metallicity Z. */
export function hurleyStar(massMsun: number, Z: number): HurleyStar {
  const key = `${massMsun}|${Z}`;
  let s = starCache.get(key);
  if (!s) {
    s = new HurleyStar(massMsun, Z);
    if (starCache.size > 5000) starCache.clear();
    starCache.set(key, s);
  }
  return s;
}

/**
 * The state of a star of initial mass `massMsun` (M☉) and metallicity `Z` at `ageGyr` after the ZAMS
 * (HPT00 MS, HG and GB fits; phase "beyond" with NaN observables after helium ignition).
 */
export function evolveStar(massMsun: number, Z: number, ageGyr: number): StarState {
  return hurleyStar(massMsun, Z).at(ageGyr);
}

/** Main-sequence lifetime t_MS = max(t_hook, x·t_BGB) of HPT00 eqs. 4–7, Gyr. */
export function msLifetimeGyr(massMsun: number, Z: number): number {
  return hurleyStar(massMsun, Z).tMSGyr;
}

/** ZAMS luminosity (L☉) of Tout et al. (1996). */
export function zamsLuminosityLsun(massMsun: number, Z: number): number {
  checkMass(massMsun);
  return lZAMS(massMsun, hurleyConstants(Z));
}

/** ZAMS radius (R☉) of Tout et al. (1996). */
export function zamsRadiusRsun(massMsun: number, Z: number): number {
  checkMass(massMsun);
  return rZAMS(massMsun, hurleyConstants(Z));
}

/** Point density of `stellarTrack` in each phase. */
export interface TrackResolution {
  /** Points on the MS from the ZAMS to just before t_MS (default 100). */
  msPoints?: number;
  /** Points across the Hertzsprung gap, starting at t_MS (default 30). */
  hgPoints?: number;
  /** Points on the giant branch from t_BGB to t_HeI inclusive, evenly spaced in log L (default 50). */
  gbPoints?: number;
}

/** Options of `stellarTrack`. */
export interface TrackOptions extends TrackResolution {
  /** Explicit ages (Gyr) instead of the automatic schedule; every other option is then ignored. */
  agesGyr?: readonly number[];
  /**
   * Last phase to include (default "GB": the track ends at helium ignition). With "MS" or "HG" the
   * track ends with the boundary point (t_MS or t_BGB), which carries the next phase's label.
   */
  endPhase?: "MS" | "HG" | "GB";
  /** Drop points older than this (Gyr) and end the track with a point at exactly this age (default: no limit). */
  maxAgeGyr?: number;
}

/**
 * The automatic age schedule of a track, Gyr. On the MS a uniform grid in τ = t/t_MS is
 * refined over the last 15 % (turn-off) and across the hook (the final 1 % before t_hook), where
 * Teff changes fastest; the HG is uniform in its fractional age; the GB is uniform in log L,
 * because time-uniform points would all sit at the bottom of the giant branch.
 */
export function trackAgesGyr(star: HurleyStar, options: TrackOptions = {}): number[] {
  const nMS = options.msPoints ?? 100;
  const nHG = options.hgPoints ?? 30;
  const nGB = options.gbPoints ?? 50;
  const end = options.endPhase ?? "GB";
  for (const [name, n] of [["msPoints", nMS], ["hgPoints", nHG], ["gbPoints", nGB]] as const) {
    if (!Number.isInteger(n) || n < 2) throw new RangeError(`${name} must be an integer ≥ 2; got ${n}`);
  }
  const tMS = star.tMSGyr;
  const ages: number[] = [];
  // 60 % of the MS points evenly over τ < 0.85, the rest over 0.85 ≤ τ < 1.
  const nEarly = Math.max(2, Math.round(0.6 * nMS));
  const nLate = Math.max(1, nMS - nEarly);
  for (let i = 0; i < nEarly; i++) ages.push((0.85 * i * tMS) / nEarly);
  for (let i = 0; i < nLate; i++) ages.push(tMS * (0.85 + (0.15 * i) / nLate));
  if (star.hasHook) {
    // Resolve the hook itself: its luminosity jump happens within ε·t_hook. The hook is where a
    // cluster's age information is, so it gets a quarter of the MS points again.
    const th = star.tHookGyr;
    const nHook = Math.max(4, Math.round(nMS / 4));
    for (let i = 0; i <= nHook; i++) {
      const t = th * (1 - HOOK_EPSILON * 1.5 + (HOOK_EPSILON * 1.5 * i) / nHook);
      if (t < tMS) ages.push(t);
    }
  }
  if (end !== "MS") {
    for (let i = 0; i < nHG; i++) ages.push(tMS + ((star.tBGBGyr - tMS) * i) / nHG);
  } else {
    ages.push(tMS);
  }
  if (end === "GB") {
    const l0 = Math.log10(star.lBGBLsun);
    const l1 = Math.log10(star.lHeILsun);
    for (let i = 0; i < nGB; i++) {
      const t = i === nGB - 1 ? star.tHeIGyr : star.giantAgeAtLuminosityGyr(10 ** (l0 + ((l1 - l0) * i) / (nGB - 1)));
      ages.push(t);
    }
  } else if (end === "HG") {
    ages.push(star.tBGBGyr);
  }
  ages.sort((x, y) => x - y);
  const out: number[] = [];
  for (const t of ages) if (out.length === 0 || t > out[out.length - 1]) out.push(t);
  const maxAge = options.maxAgeGyr;
  if (maxAge !== undefined) {
    if (!(maxAge > 0)) throw new RangeError(`maxAgeGyr must be > 0; got ${maxAge}`);
    const kept = out.filter((t) => t < maxAge);
    if (out[out.length - 1] >= maxAge) kept.push(maxAge);
    return kept;
  }
  return out;
}

/**
 * An evolutionary track: the star at a schedule of ages (see `trackAgesGyr`), or at `options.agesGyr`.
 *
 * @example
 * const sun = stellarTrack(1.0, SOLAR_Z, { endPhase: "HG" });
 */
export function stellarTrack(massMsun: number, Z: number, options: TrackOptions = {}): StarState[] {
  const star = hurleyStar(massMsun, Z);
  const ages = options.agesGyr ?? trackAgesGyr(star, options);
  return ages.map((t) => star.at(t));
}

/**
 * Mass (M☉) whose main-sequence lifetime equals `ageGyr`: the turn-off mass of a coeval population
 * in the sense "the most massive star still on the MS". Solved by bisection in log M.
 */
export function turnOffMassMsun(ageGyr: number, Z: number): number {
  const [lo0, hi0] = HURLEY_MASS_RANGE_MSUN;
  if (!(msLifetimeGyr(hi0, Z) <= ageGyr && ageGyr <= msLifetimeGyr(lo0, Z))) {
    throw new RangeError(`no star of ${lo0}–${hi0} M☉ ends its MS at ${ageGyr} Gyr (Z = ${Z})`);
  }
  let lo = Math.log(lo0);
  let hi = Math.log(hi0);
  for (let i = 0; i < 60; i++) {
    const mid = 0.5 * (lo + hi);
    // t_MS falls with mass, so a too-long lifetime means the mass is too low.
    if (new HurleyStar(Math.exp(mid), Z).tMSGyr > ageGyr) lo = mid;
    else hi = mid;
  }
  return Math.exp(0.5 * (lo + hi));
}

/** Options of `isochrone`. */
export interface IsochroneOptions {
  /** Initial masses to evaluate, M☉ (default 0.5 to just below the tip mass in ~400 steps). */
  massesMsun?: readonly number[];
  /** Keep stars past helium ignition (phase "beyond", NaN observables)? Default false. */
  keepBeyond?: boolean;
}

/**
 * An isochrone: stars of one age and metallicity over a range of initial masses (no mass loss,
 * so the giant branch ends at the helium flash and no later phases appear).
 */
export function isochrone(ageGyr: number, Z: number, options: IsochroneOptions = {}): StarState[] {
  let masses = options.massesMsun;
  if (!masses) {
    const mTO = turnOffMassMsun(ageGyr, Z);
    // Dense just above the turn-off mass, where the HG and GB are compressed into a tiny mass range.
    const base = Array.from({ length: 200 }, (_, i) => 0.5 + ((mTO - 0.5) * i) / 200);
    const upper = Array.from({ length: 201 }, (_, i) => mTO * (1 + 0.2 * (i / 200) ** 3));
    masses = [...base, ...upper].filter((m) => m <= HURLEY_MASS_RANGE_MSUN[1]);
  }
  const out: StarState[] = [];
  for (const m of masses) {
    const s = evolveStar(m, Z, ageGyr);
    if (s.phase !== "beyond" || options.keepBeyond) out.push(s);
  }
  return out;
}

/** Age of the Sun (Gyr) used for the solar calibration (Bahcall et al. 1995; Connelly et al. 2012). */
export const SUN_AGE_GYR = 4.57;

/**
 * The course's solar Z, `SOLAR_Z` (./metallicity): kept under its old name for notebooks and code
 * written against it. It no longer calibrates anything at run time; `calibrateSolarZ()` does.
 */
export function solarCalibratedZ(): number {
  return SOLAR_Z;
}

/**
 * Recomputes the solar calibration behind `SOLAR_Z`: the Z whose 1 M☉ star at the Sun's age
 * minimises (ln L/L☉)² + (4 ln Teff/Teff☉)², equal weight on the misfit in L and in surface flux
 * (one free parameter cannot match both; real solar models also tune the mixing length). Golden-
 * section search over 0.012–0.03, where the misfit has one minimum.
 */
export function calibrateSolarZ(): number {
  const misfit = (Z: number) => {
    const s = evolveStar(1, Z, SUN_AGE_GYR);
    return Math.log(s.lumLsun) ** 2 + (4 * Math.log(s.teffK / TEFF_SUN_K)) ** 2;
  };
  let lo = 0.012;
  let hi = 0.03;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let k = 0; k < 80; k++) {
    const a = hi - g * (hi - lo);
    const b = lo + g * (hi - lo);
    if (misfit(a) < misfit(b)) hi = b;
    else lo = a;
  }
  return 0.5 * (lo + hi);
}
