/**
 * The five SDSS imaging filters (u g r i z) and synthetic AB photometry through them.
 *
 * The response curves are the SDSS 2.5 m reference responses of Doi et al. (2010, AJ 139, 1628,
 * Table 4): filter × CCD quantum efficiency × telescope optics × the APO atmosphere at airmass
 * 1.3, i.e. the quantum efficiency of the whole system for a star observed through 1.3 airmasses
 * (the photometric system the SDSS catalogues are calibrated to). Values are the product of the
 * band and atmosphere columns of that table, sampled every 20 Å (as tabulated in the `sdss2010-*`
 * filter files of the speclite package, r rounded here to 4 decimals); outside the tabulated range
 * the response is zero. The tiny u-band red leak near 7700 Å is part of the table and kept.
 *
 * The SDSS documentation quotes effective wavelengths of 3551, 4686, 6166, 7480 and 8932 Å for the
 * 2.5 m camera. The pivot wavelengths of these curves are 3551, 4677, 6177, 7495 and 8928 Å (within
 * 15 Å of those), the Schneider, Gunn & Hoessel (1983) λ_eff of Fukugita et al. (1996, AJ 111, 1748)
 * 3538, 4643, 6158, 7476, 8900 Å: the quoted numbers depend on the definition and on the curve
 * version, not on a difference in the bands. FWHMs are 595, 1311, 1153, 1277 and 1091 Å.
 *
 * AB magnitudes (Oke & Gunn 1983) use the photon-counting convention of Fukugita et al. (1996):
 * m_AB = −2.5 log10( ∫ f_ν T dν/ν / ∫ 3631 Jy T dν/ν ). Because dν/ν = −dλ/λ, both integrals
 * are done on the filter's wavelength grid with weight T(λ)/λ.
 */

/** One of the five SDSS bands. */
export type SdssBand = "u" | "g" | "r" | "i" | "z";

/** The bands in wavelength order. */
export const SDSS_BANDS: readonly SdssBand[] = ["u", "g", "r", "i", "z"];

/** The AB zero point: a source of constant f_ν = 3631 Jy has magnitude 0 in every band. */
export const AB_ZERO_POINT_JY = 3631;

/** Speed of light in Å/s, to convert f_λ (per Å) to f_ν (per Hz): f_ν = f_λ λ² / c. */
export const SPEED_OF_LIGHT_ANGSTROM_PER_S = 2.99792458e18;

/** A tabulated system response (dimensionless quantum efficiency per photon). */
export interface FilterCurve {
  /** Band name, e.g. "r". */
  band: string;
  /** Wavelengths of the tabulation, Å, increasing. */
  wavelengthAngstrom: Float64Array;
  /** System response at those wavelengths (0–1, photon-counting quantum efficiency). */
  response: Float64Array;
  /** Where the numbers come from. */
  reference: string;
}

/** A spectrum given as a function of observed wavelength in Å returning f_ν (Jy, or any unit with `zeroPointJy`). */
export type FnuSpectrum = (wavelengthAngstrom: number) => number;

const DOI_2010 =
  "Doi, M., et al. 2010, AJ 139, 1628, Table 4 (SDSS 2.5 m response × APO atmosphere at airmass 1.3)";

// Each table is a flat list of (wavelength Å, response) pairs typed from Doi et al. (2010), Table 4.
// prettier-ignore
const U_TABLE = [
  2930, 0, 2940, 0.0001, 2960, 0.0003, 2980, 0.0005, 3000, 0.0009, 3020, 0.0014, 3040, 0.0029,
  3060, 0.005, 3080, 0.0077, 3100, 0.0136, 3120, 0.0194, 3140, 0.0276, 3160, 0.0367, 3180, 0.046,
  3200, 0.0558, 3220, 0.0656, 3240, 0.0743, 3260, 0.0826, 3280, 0.0905, 3300, 0.0969, 3320, 0.1033,
  3340, 0.1098, 3360, 0.1162, 3380, 0.1223, 3400, 0.1268, 3420, 0.1314, 3440, 0.1353, 3460, 0.139,
  3480, 0.1427, 3500, 0.146, 3520, 0.1494, 3540, 0.1518, 3560, 0.1537, 3580, 0.1555, 3600, 0.157,
  3620, 0.1586, 3640, 0.1604, 3660, 0.1625, 3680, 0.1638, 3700, 0.1626, 3720, 0.1614, 3740, 0.1563,
  3760, 0.1497, 3780, 0.1416, 3800, 0.1282, 3820, 0.1148, 3840, 0.0956, 3860, 0.0744, 3880, 0.0549,
  3900, 0.0407, 3920, 0.0265, 3940, 0.0177, 3960, 0.0107, 3980, 0.005, 4000, 0.0032, 4020, 0.0015,
  4040, 0.0008, 4060, 0.0005, 4080, 0.0003, 4120, 0.0003, 4140, 0.0002, 4160, 0.0001, 4180, 0,
  // red leak
  7600, 0, 7620, 0.000003, 7640, 0.000044, 7660, 0.000149, 7680, 0.000258, 7700, 0.000397,
  7720, 0.000553, 7740, 0.000676, 7760, 0.000675, 7780, 0.000551, 7800, 0.000403, 7820, 0.000276,
  7840, 0.000179, 7860, 0.000093, 7880, 0.000044, 7900, 0.000026, 7920, 0.000011, 7940, 0.000007,
  7960, 0,
];

// prettier-ignore
const G_TABLE = [
  3600, 0, 3620, 0.0002, 3640, 0.0015, 3660, 0.0027, 3680, 0.0038, 3700, 0.0035, 3720, 0.0032,
  3740, 0.0031, 3760, 0.0037, 3780, 0.0048, 3800, 0.0067, 3820, 0.0115, 3840, 0.022, 3860, 0.0353,
  3880, 0.0507, 3900, 0.074, 3920, 0.0973, 3940, 0.1224, 3960, 0.1484, 3980, 0.1757, 4000, 0.2081,
  4020, 0.2404, 4040, 0.2617, 4060, 0.2785, 4080, 0.2954, 4100, 0.3122, 4120, 0.329, 4140, 0.3411,
  4160, 0.3512, 4180, 0.3603, 4200, 0.366, 4220, 0.3717, 4240, 0.3773, 4260, 0.383, 4280, 0.3886,
  4300, 0.3943, 4320, 0.3999, 4340, 0.4043, 4360, 0.4083, 4380, 0.4122, 4400, 0.4161, 4420, 0.42,
  4440, 0.424, 4460, 0.4279, 4480, 0.4314, 4500, 0.4337, 4520, 0.4359, 4540, 0.4381, 4560, 0.4404,
  4580, 0.4426, 4600, 0.4448, 4620, 0.447, 4640, 0.4488, 4660, 0.4504, 4680, 0.4521, 4700, 0.4537,
  4720, 0.4553, 4740, 0.4569, 4760, 0.4586, 4780, 0.4601, 4800, 0.4611, 4820, 0.4622, 4840, 0.4633,
  4860, 0.4644, 4880, 0.4655, 4900, 0.4666, 4920, 0.4677, 4940, 0.4687, 4960, 0.4698, 4980, 0.4709,
  5000, 0.4719, 5020, 0.473, 5040, 0.4741, 5060, 0.4752, 5080, 0.4762, 5100, 0.477, 5120, 0.4765,
  5140, 0.4753, 5160, 0.4731, 5180, 0.4704, 5200, 0.4672, 5220, 0.4625, 5240, 0.4512, 5260, 0.4326,
  5280, 0.3996, 5300, 0.3429, 5320, 0.2768, 5340, 0.2013, 5360, 0.1397, 5380, 0.0899, 5400, 0.0585,
  5420, 0.0398, 5440, 0.0269, 5460, 0.0189, 5480, 0.0136, 5500, 0.0096, 5520, 0.0068, 5540, 0.0051,
  5560, 0.0037, 5580, 0.0024, 5600, 0.0013, 5620, 0.0002, 5640, 0,
];

// prettier-ignore
const R_TABLE = [
  5380, 0.0002, 5400, 0.0015, 5420, 0.0043, 5440, 0.009, 5460, 0.0193, 5480, 0.0388, 5500, 0.0645,
  5520, 0.101, 5540, 0.1411, 5560, 0.1822, 5580, 0.2209, 5600, 0.2565, 5620, 0.2902, 5640, 0.321,
  5660, 0.3486, 5680, 0.3734, 5700, 0.3912, 5720, 0.4031, 5740, 0.4126, 5760, 0.4209, 5780, 0.4282,
  5800, 0.4344, 5820, 0.4395, 5840, 0.4447, 5860, 0.4493, 5880, 0.4523, 5900, 0.4553, 5920, 0.4583,
  5940, 0.4614, 5960, 0.4644, 5980, 0.4671, 6000, 0.4692, 6020, 0.4718, 6040, 0.4742, 6060, 0.4767,
  6080, 0.4788, 6100, 0.4794, 6120, 0.4796, 6140, 0.4797, 6160, 0.4799, 6180, 0.4809, 6200, 0.4841,
  6220, 0.4871, 6240, 0.49, 6260, 0.4929, 6280, 0.4954, 6300, 0.4968, 6320, 0.498, 6340, 0.4992,
  6360, 0.5004, 6380, 0.5012, 6400, 0.501, 6420, 0.5008, 6440, 0.5006, 6460, 0.5003, 6480, 0.5002,
  6500, 0.5009, 6520, 0.5011, 6540, 0.501, 6560, 0.5001, 6580, 0.4992, 6600, 0.4968, 6620, 0.4906,
  6640, 0.4784, 6660, 0.4603, 6680, 0.432, 6700, 0.3903, 6720, 0.3402, 6740, 0.2799, 6760, 0.2166,
  6780, 0.1593, 6800, 0.1121, 6820, 0.0779, 6840, 0.0502, 6860, 0.0326, 6880, 0.0234, 6900, 0.0175,
  6920, 0.0115, 6940, 0.0087, 6960, 0.0069, 6980, 0.005, 7000, 0.0033, 7020, 0.0018, 7040, 0.0003,
  7060, 0,
];

// prettier-ignore
const I_TABLE = [
  6580, 0, 6600, 0.0002, 6620, 0.0008, 6640, 0.0012, 6660, 0.0017, 6680, 0.0026, 6700, 0.0046,
  6720, 0.008, 6740, 0.0131, 6760, 0.0226, 6780, 0.0365, 6800, 0.056, 6820, 0.0834, 6840, 0.1162,
  6860, 0.1553, 6880, 0.1952, 6900, 0.2377, 6920, 0.2839, 6940, 0.3222, 6960, 0.3565, 6980, 0.3869,
  7000, 0.4104, 7020, 0.4301, 7040, 0.4458, 7060, 0.4565, 7080, 0.4648, 7100, 0.4706, 7120, 0.4764,
  7140, 0.4791, 7160, 0.4814, 7180, 0.4823, 7200, 0.4815, 7220, 0.4806, 7240, 0.4771, 7260, 0.4732,
  7280, 0.4694, 7300, 0.4655, 7320, 0.4617, 7340, 0.4578, 7360, 0.4539, 7380, 0.4505, 7400, 0.4477,
  7420, 0.4449, 7440, 0.4421, 7460, 0.4393, 7480, 0.4364, 7500, 0.4335, 7520, 0.4306, 7540, 0.4264,
  7560, 0.422, 7580, 0.4176, 7600, 0.4132, 7620, 0.4088, 7640, 0.4042, 7660, 0.3996, 7680, 0.3951,
  7700, 0.3905, 7720, 0.386, 7740, 0.3815, 7760, 0.377, 7780, 0.3725, 7800, 0.368, 7820, 0.3636,
  7840, 0.361, 7860, 0.3586, 7880, 0.3562, 7900, 0.3539, 7920, 0.3515, 7940, 0.3492, 7960, 0.3469,
  7980, 0.3449, 8000, 0.3432, 8020, 0.3411, 8040, 0.3388, 8060, 0.3362, 8080, 0.3328, 8100, 0.3279,
  8120, 0.3215, 8140, 0.3043, 8160, 0.2763, 8180, 0.2379, 8200, 0.1857, 8220, 0.1355, 8240, 0.0874,
  8260, 0.0578, 8280, 0.036, 8300, 0.0212, 8320, 0.0144, 8340, 0.0094, 8360, 0.0061, 8380, 0.002,
  8400, 0,
];

// prettier-ignore
const Z_TABLE = [
  7700, 0, 7720, 0.0001, 7780, 0.0001, 7800, 0.0002, 7840, 0.0002, 7860, 0.0003, 7880, 0.0004,
  7900, 0.0006, 7920, 0.0008, 7940, 0.001, 7960, 0.0012, 7980, 0.0016, 8000, 0.0023, 8020, 0.003,
  8040, 0.0044, 8060, 0.0059, 8080, 0.0078, 8100, 0.0105, 8120, 0.0132, 8140, 0.0171, 8160, 0.0212,
  8180, 0.0257, 8200, 0.0309, 8220, 0.0362, 8240, 0.0415, 8260, 0.0467, 8280, 0.0519, 8300, 0.057,
  8320, 0.0621, 8340, 0.0664, 8360, 0.0705, 8380, 0.0742, 8400, 0.0773, 8420, 0.0803, 8440, 0.0824,
  8460, 0.0845, 8480, 0.0861, 8500, 0.0871, 8520, 0.0882, 8540, 0.0893, 8560, 0.0904, 8580, 0.0911,
  8600, 0.0912, 8620, 0.0913, 8640, 0.0915, 8660, 0.0917, 8680, 0.0914, 8700, 0.0906, 8720, 0.0898,
  8740, 0.0889, 8760, 0.0881, 8780, 0.0869, 8800, 0.0854, 8820, 0.0838, 8840, 0.0822, 8860, 0.0806,
  8880, 0.079, 8900, 0.0772, 8920, 0.0755, 8940, 0.0738, 8960, 0.072, 8980, 0.0704, 9000, 0.0688,
  9020, 0.0672, 9040, 0.0656, 9060, 0.064, 9080, 0.0625, 9100, 0.0612, 9120, 0.0598, 9140, 0.0585,
  9160, 0.0571, 9180, 0.0559, 9200, 0.0547, 9220, 0.0535, 9240, 0.0523, 9260, 0.0511, 9280, 0.0499,
  9300, 0.0487, 9320, 0.0475, 9340, 0.0463, 9360, 0.0451, 9380, 0.044, 9400, 0.043, 9420, 0.042,
  9440, 0.041, 9460, 0.04, 9480, 0.039, 9500, 0.0379, 9520, 0.0369, 9540, 0.0358, 9560, 0.0347,
  9580, 0.0337, 9600, 0.0327, 9620, 0.0317, 9640, 0.0307, 9660, 0.0297, 9680, 0.0287, 9700, 0.0276,
  9720, 0.0266, 9740, 0.0256, 9760, 0.0245, 9780, 0.0235, 9800, 0.0226, 9820, 0.0216, 9840, 0.0206,
  9860, 0.0196, 9880, 0.0186, 9900, 0.0176, 9920, 0.0166, 9940, 0.0156, 9960, 0.0147, 9980, 0.0138,
  10000, 0.0132, 10020, 0.0125, 10040, 0.0119, 10060, 0.0113, 10080, 0.0106, 10100, 0.0099,
  10120, 0.0093, 10140, 0.0086, 10160, 0.008, 10180, 0.0074, 10200, 0.007, 10220, 0.0065,
  10240, 0.0061, 10260, 0.0056, 10280, 0.0052, 10300, 0.0047, 10320, 0.0042, 10340, 0.0038,
  10360, 0.0033, 10380, 0.003, 10400, 0.0029, 10420, 0.0027, 10440, 0.0026, 10460, 0.0024,
  10480, 0.0022, 10500, 0.0021, 10520, 0.0019, 10540, 0.0018, 10560, 0.0016, 10580, 0.0015,
  10600, 0.0014, 10620, 0.0013, 10640, 0.0012, 10660, 0.0012, 10680, 0.0011, 10700, 0.001,
  10720, 0.0009, 10740, 0.0008, 10760, 0.0007, 10800, 0.0007, 10820, 0.0006, 10860, 0.0006,
  10880, 0.0005, 10920, 0.0005, 10940, 0.0004, 10980, 0.0004, 11000, 0.0003, 11020, 0.0003,
  11040, 0.0002, 11080, 0.0002, 11100, 0.0001, 11140, 0.0001, 11160, 0,
];

const TABLES: Record<SdssBand, number[]> = { u: U_TABLE, g: G_TABLE, r: R_TABLE, i: I_TABLE, z: Z_TABLE };

function curveFromPairs(band: string, pairs: readonly number[], reference: string): FilterCurve {
  const n = pairs.length / 2;
  const wavelengthAngstrom = new Float64Array(n);
  const response = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    wavelengthAngstrom[k] = pairs[2 * k];
    response[k] = pairs[2 * k + 1];
    if (k > 0 && !(wavelengthAngstrom[k] > wavelengthAngstrom[k - 1])) {
      throw new Error(`filter ${band}: wavelengths must increase (at ${wavelengthAngstrom[k]} Å)`);
    }
  }
  return { band, wavelengthAngstrom, response, reference };
}

const curveCache = new Map<SdssBand, FilterCurve>();

/**
 * The SDSS system response in one band (Doi et al. 2010, Table 4, airmass 1.3).
 * Returns a shared, cached curve: copy the arrays before changing them.
 */
export function sdssFilter(band: SdssBand): FilterCurve {
  let curve = curveCache.get(band);
  if (!curve) {
    const table = TABLES[band];
    if (!table) throw new Error(`unknown SDSS band "${band}" (expected one of ${SDSS_BANDS.join(", ")})`);
    curve = curveFromPairs(band, table, DOI_2010);
    curveCache.set(band, curve);
  }
  return curve;
}

/** All five SDSS responses keyed by band. */
export function sdssFilters(): Record<SdssBand, FilterCurve> {
  return { u: sdssFilter("u"), g: sdssFilter("g"), r: sdssFilter("r"), i: sdssFilter("i"), z: sdssFilter("z") };
}

/** Builds a filter from a user table (for other surveys); wavelengths in Å must increase. */
export function makeFilter(
  band: string,
  wavelengthAngstrom: ArrayLike<number>,
  response: ArrayLike<number>,
  reference = "user supplied",
): FilterCurve {
  if (wavelengthAngstrom.length !== response.length || wavelengthAngstrom.length < 2) {
    throw new Error("makeFilter: wavelength and response need the same length (at least 2)");
  }
  const pairs: number[] = [];
  for (let k = 0; k < response.length; k++) pairs.push(wavelengthAngstrom[k], response[k]);
  return curveFromPairs(band, pairs, reference);
}

/** Linear interpolation of the response at one wavelength (0 outside the table). */
export function filterResponseAt(filter: FilterCurve, wavelengthAngstrom: number): number {
  const x = filter.wavelengthAngstrom;
  const n = x.length;
  if (!(wavelengthAngstrom >= x[0] && wavelengthAngstrom <= x[n - 1])) return 0;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid] <= wavelengthAngstrom) lo = mid;
    else hi = mid;
  }
  const t = (wavelengthAngstrom - x[lo]) / (x[hi] - x[lo]);
  return filter.response[lo] * (1 - t) + filter.response[hi] * t;
}

/**
 * Integration weights for synthetic photometry: the response resampled on a regular grid and
 * multiplied by dλ/λ (trapezoid rule), normalised to sum to 1, so a band flux is a weighted mean
 * of f_ν. Sharp spectral features (quasar emission lines a few tens of Å wide) need a finer step
 * than the 20 Å tabulation, hence the resampling.
 */
export interface BandIntegrator {
  band: string;
  /** Grid wavelengths, Å. */
  wavelengthAngstrom: Float64Array;
  /** Normalised weights ∝ T(λ) dλ/λ; they sum to 1. */
  weight: Float64Array;
}

// Keyed on the curve object so user-built filters never collide with the SDSS ones.
const integratorCache = new WeakMap<FilterCurve, Map<number, BandIntegrator>>();

/**
 * Precomputes the weights for `bandFluxJy` on a grid of step `stepAngstrom` (default 5 Å).
 * Zero-response stretches (between the u band and its red leak) are dropped.
 */
export function bandIntegrator(filter: FilterCurve, stepAngstrom = 5): BandIntegrator {
  if (!(stepAngstrom > 0)) throw new Error(`bandIntegrator: step must be > 0 Å, got ${stepAngstrom}`);
  let byStep = integratorCache.get(filter);
  if (!byStep) {
    byStep = new Map();
    integratorCache.set(filter, byStep);
  }
  const cached = byStep.get(stepAngstrom);
  if (cached) return cached;
  const x = filter.wavelengthAngstrom;
  const lo = x[0];
  const hi = x[x.length - 1];
  const n = Math.max(2, Math.ceil((hi - lo) / stepAngstrom) + 1);
  const h = (hi - lo) / (n - 1);
  const lam: number[] = [];
  const w: number[] = [];
  let total = 0;
  for (let k = 0; k < n; k++) {
    const l = lo + k * h;
    const edge = k === 0 || k === n - 1 ? 0.5 : 1;
    const value = (filterResponseAt(filter, l) * h * edge) / l;
    if (value > 0) {
      lam.push(l);
      w.push(value);
      total += value;
    }
  }
  const integrator: BandIntegrator = {
    band: filter.band,
    wavelengthAngstrom: Float64Array.from(lam),
    weight: Float64Array.from(w, (v) => v / total),
  };
  byStep.set(stepAngstrom, integrator);
  return integrator;
}

/**
 * Photon-weighted mean f_ν of a spectrum through a filter (same unit as the spectrum, e.g. Jy):
 * ⟨f_ν⟩ = ∫ f_ν T dλ/λ / ∫ T dλ/λ (Fukugita et al. 1996).
 */
export function bandFluxJy(filter: FilterCurve | BandIntegrator, fnu: FnuSpectrum): number {
  const integ = "weight" in filter ? filter : bandIntegrator(filter);
  let sum = 0;
  const lam = integ.wavelengthAngstrom;
  const w = integ.weight;
  for (let k = 0; k < lam.length; k++) sum += w[k] * fnu(lam[k]);
  return sum;
}

/**
 * AB magnitude of an f_ν spectrum through a filter:
 * m_AB = −2.5 log10( ∫ f_ν T dν/ν / ∫ 3631 Jy T dν/ν ) (Oke & Gunn 1983; Fukugita et al. 1996).
 *
 * @param fnu f_ν as a function of observed wavelength in Å, in Jy (or in units of `zeroPointJy`).
 * @param zeroPointJy the flux of magnitude 0 in the spectrum's unit (3631 for Jy, 1 for "maggies").
 * @returns the AB magnitude, NaN if the band flux is not positive.
 */
export function abMagnitude(filter: FilterCurve | BandIntegrator, fnu: FnuSpectrum, zeroPointJy = AB_ZERO_POINT_JY): number {
  const flux = bandFluxJy(filter, fnu);
  return flux > 0 ? -2.5 * Math.log10(flux / zeroPointJy) : NaN;
}

/**
 * AB magnitude of an f_λ spectrum (erg s⁻¹ cm⁻² Å⁻¹) through a filter, converting with
 * f_ν = f_λ λ²/c (1 Jy = 1e-23 erg s⁻¹ cm⁻² Hz⁻¹).
 */
export function abMagnitudeFlambda(filter: FilterCurve | BandIntegrator, flambda: (wavelengthAngstrom: number) => number): number {
  return abMagnitude(filter, (l) => (flambda(l) * l * l) / SPEED_OF_LIGHT_ANGSTROM_PER_S / 1e-23);
}

/** AB magnitudes in all five SDSS bands of an f_ν spectrum (Jy unless `zeroPointJy` says otherwise). */
export function sdssMagnitudes(fnu: FnuSpectrum, zeroPointJy = AB_ZERO_POINT_JY): Record<SdssBand, number> {
  const out = {} as Record<SdssBand, number>;
  for (const b of SDSS_BANDS) out[b] = abMagnitude(sdssFilter(b), fnu, zeroPointJy);
  return out;
}

function integrate(filter: FilterCurve, f: (lam: number, t: number) => number): number {
  const x = filter.wavelengthAngstrom;
  const t = filter.response;
  let s = 0;
  for (let k = 1; k < x.length; k++) {
    s += 0.5 * (f(x[k - 1], t[k - 1]) + f(x[k], t[k])) * (x[k] - x[k - 1]);
  }
  return s;
}

/**
 * Effective wavelength in Å as defined by Schneider, Gunn & Hoessel (1983) and used by
 * Fukugita et al. (1996): λ_eff = exp( ∫ T ln λ dλ/λ / ∫ T dλ/λ ). For the SDSS curves this gives
 * 3538, 4643, 6158, 7476, 8900 Å.
 */
export function effectiveWavelengthAngstrom(filter: FilterCurve): number {
  const num = integrate(filter, (l, t) => (t * Math.log(l)) / l);
  const den = integrate(filter, (l, t) => t / l);
  return Math.exp(num / den);
}

/** Pivot wavelength in Å, λ_p = sqrt( ∫ T λ dλ / ∫ T dλ/λ ), which converts ⟨f_ν⟩ to ⟨f_λ⟩ exactly (Tokunaga & Vacca 2005). */
export function pivotWavelengthAngstrom(filter: FilterCurve): number {
  return Math.sqrt(integrate(filter, (l, t) => t * l) / integrate(filter, (l, t) => t / l));
}

/**
 * Full width at half maximum of the response in Å (between the outermost half-maximum crossings,
 * linearly interpolated): 595, 1311, 1153, 1277, 1091 Å for u g r i z.
 */
export function filterFwhmAngstrom(filter: FilterCurve): number {
  const x = filter.wavelengthAngstrom;
  const t = filter.response;
  let peak = 0;
  for (const v of t) peak = Math.max(peak, v);
  const half = peak / 2;
  let first = NaN;
  let last = NaN;
  for (let k = 1; k < x.length; k++) {
    const a = t[k - 1] - half;
    const b = t[k] - half;
    if (a < 0 && b >= 0 && Number.isNaN(first)) first = x[k - 1] + ((x[k] - x[k - 1]) * -a) / (b - a);
    if (a >= 0 && b < 0) last = x[k - 1] + ((x[k] - x[k - 1]) * a) / (a - b);
  }
  return last - first;
}
