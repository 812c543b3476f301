/**
 * Seeded random numbers for every simulator and for tfjs weight initialisation, so a notebook
 * gives the same numbers twice.
 *
 * The generator is xoshiro128** (Blackman & Vigna 2018): fast, 2^128 - 1 period, and good
 * enough statistically for simulation; seeded through splitmix32 so nearby seeds give unrelated
 * streams.
 */

// Local bindings: inside jest's sandbox every `Math.x` in a hot loop is a slow global lookup
// (~11x slower generator); plain Node does not care.
const { imul, log, sqrt, exp, floor } = Math;

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;
  readonly seed: number;

  constructor(seed = 42) {
    if (!Number.isFinite(seed)) throw new Error(`Rng seed must be a finite number, got ${seed}`);
    this.seed = seed;
    const sm = splitmix32(floor(seed) ^ floor(seed / 2 ** 32));
    this.s0 = sm();
    this.s1 = sm();
    this.s2 = sm();
    this.s3 = sm();
  }

  /** A raw 32-bit unsigned integer. */
  nextUint32(): number {
    const result = imul(rotl(imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0; this.s1 >>>= 0; this.s2 >>>= 0; this.s3 >>>= 0;
    return result;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform on [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.random();
  }

  /** Integer uniform on [low, high). */
  integer(low: number, high: number): number {
    if (!(high > low)) throw new Error(`Rng.integer needs high > low, got [${low}, ${high})`);
    return low + floor(this.random() * (high - low));
  }

  /** Gaussian draw (Marsaglia polar method). */
  normal(mean = 0, sd = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + sd * z;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.random() - 1;
      v = 2 * this.random() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = sqrt((-2 * log(s)) / s);
    this.spareNormal = v * f;
    return mean + sd * u * f;
  }

  /** Poisson draw: Knuth's method for small means, a normal approximation with continuity correction above 500 counts. */
  poisson(mean: number): number {
    if (!(mean >= 0)) throw new Error(`Poisson mean must be >= 0, got ${mean}`);
    if (mean === 0) return 0;
    if (mean > 500) return Math.max(0, Math.round(this.normal(mean, sqrt(mean))));
    if (mean > 30) {
      // Split to keep exp(-mean) representable and the loop short.
      const half = mean / 2;
      return this.poisson(half) + this.poisson(mean - half);
    }
    const limit = exp(-mean);
    let k = 0;
    let p = this.random();
    while (p > limit) {
      k++;
      p *= this.random();
    }
    return k;
  }

  /** Exponential draw with the given rate. */
  exponential(rate = 1): number {
    return -log(1 - this.random()) / rate;
  }

  /** Array of n draws from `draw`. */
  array(n: number, draw: (rng: Rng) => number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = draw(this);
    return out;
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = floor(this.random() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): number[] {
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }

  /** One element chosen uniformly. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("Rng.choice of an empty array");
    return items[floor(this.random() * items.length)];
  }

  /** An independent generator derived from this one (for a sub-simulation). */
  fork(): Rng {
    return new Rng(this.nextUint32() * 4294967296 + this.nextUint32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

let globalRng: Rng | undefined;
const nativeRandom = Math.random;

/**
 * Seeds everything random in a notebook: returns a generator for simulators and replaces
 * `Math.random`, which tfjs uses for unseeded weight initialisers, dropout masks and the
 * shuffling in `model.fit`. Call it once in the set-up cell; call again to restart the stream.
 */
export function seedEverything(seed: number): Rng {
  globalRng = new Rng(seed);
  const stream = new Rng(seed + 0x5eed);
  Math.random = () => stream.random();
  return globalRng;
}

/** Puts back the platform's own unseeded Math.random. */
export function unseedMathRandom(): void {
  Math.random = nativeRandom;
}

/** The generator from the last `seedEverything` call (or a seed-42 one if there was none). */
export function defaultRng(): Rng {
  if (!globalRng) globalRng = new Rng(42);
  return globalRng;
}
