/**
 * Reverse-mode automatic differentiation in float64 for log densities: write the model as plain
 * code, get the exact gradient without writing it.
 *
 * How it works: every operation on a model variable (`Var`) computes its value at once and
 * appends one record to a tape; `backward()` then walks the tape from the end and applies the
 * chain rule, accumulating adjoints (∂ log p / ∂ node). Values, adjoints and the records live in
 * preallocated typed arrays that only grow, and the `Var` handles are pooled, so a model that has
 * been evaluated once allocates nothing more per gradient.
 *
 * - Scalars and vectors are both `Var`s: a vector is a contiguous block of tape slots, and one
 *   vector operation is one tape record (so `ad.normal(y, theta, sigma)` over 8 schools costs one
 *   record, not 8). `v.at(j)` is element j, with no copy.
 * - Elementwise operations broadcast a scalar (or a length-1 vector) against a vector, and accept
 *   plain numbers and arrays (Float64Array, number[]) as constants.
 * - Distributions return the summed, fully normalised log density (same values as scipy.stats):
 *   `ad.normal`, `halfNormal`, `cauchy`, `halfCauchy`, `studentT`, `beta`, `gamma`, `logNormal`,
 *   `exponential`, `bernoulliLogit`, `binomial`, `binomialLogit`.
 * - `ad.mlp` runs a dense network (the emulator's activations: elu, relu, tanh, softplus, selu,
 *   swish, linear) and back-propagates through it; `ad.jacobianFn` wraps any function whose
 *   Jacobian you can compute (e.g. the stellar emulator's `evaluateInto`) as one operation.
 *
 * Most users never touch the tape: `params()...autodiffModel((v) => log density)` builds a NUTS
 * model from such code (see `Params.autodiffModel`).
 *
 * Rule for handles: a `Var` is valid during the evaluation that created it. Do not keep one
 * between calls (keep `x.value` or `x.values()` instead): the tape reuses its slots and handles.
 */

const LOG_2PI = Math.log(2 * Math.PI);
const LOG_PI = Math.log(Math.PI);
const LN2 = Math.LN2;

// ---------------------------------------------------------------------------------------------
// Special functions
// ---------------------------------------------------------------------------------------------

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 (Lanczos, g = 7: ~1e-15 relative accuracy). */
export function lgamma(x: number): number {
  if (x < 0.5) return LOG_PI - Math.log(Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  x -= 1;
  let a = LANCZOS[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
  return 0.5 * LOG_2PI + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ψ(x) = d log Γ(x) / dx (recurrence up to x ≥ 10, then the asymptotic series: ~1e-14). */
export function digamma(x: number): number {
  let r = 0;
  if (x <= 0 && Number.isInteger(x)) return NaN;
  if (x < 0) return digamma(1 - x) - Math.PI / Math.tan(Math.PI * x);
  while (x < 10) {
    r -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  return r + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
}

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

// ---------------------------------------------------------------------------------------------
// Operation codes
// ---------------------------------------------------------------------------------------------

// Unary elementwise.
const NEG = 1, EXP = 2, LOG = 3, LOG1P = 4, EXPM1 = 5, SQRT = 6, SQUARE = 7, TANH = 8, SIGMOID = 9,
  SOFTPLUS = 10, LOG_SIGMOID = 11, LGAMMA = 12, POW_CONST = 13, ABS = 14, LOG1M_EXP = 15, CLIP01 = 16;
// Binary elementwise (with broadcasting).
const ADD = 20, SUB = 21, MUL = 22, DIV = 23, POW = 24;
// Reductions and structure.
const SUM = 30, LOG_SUM_EXP = 31, CONCAT = 32, DOT = 33, SUM_LIST = 34;
// Fused distributions: value and partials computed forward, one generic backward.
const DIST = 40;
// Networks and user functions.
const MLP = 50, JACOBIAN_FN = 51;

/** Which distribution a DIST record holds. */
const D_NORMAL = 1, D_HALF_NORMAL = 2, D_CAUCHY = 3, D_HALF_CAUCHY = 4, D_STUDENT_T = 5, D_BETA = 6,
  D_GAMMA = 7, D_LOGNORMAL = 8, D_EXPONENTIAL = 9, D_BERNOULLI_LOGIT = 10, D_BINOMIAL = 11,
  D_BINOMIAL_LOGIT = 12;

// ---------------------------------------------------------------------------------------------
// Variables
// ---------------------------------------------------------------------------------------------

/**
 * A node of the tape: a scalar (`length` 1) or a vector (a block of `length` slots). Arithmetic
 * methods mirror the `ad.*` functions: `v.tau.mul(v.z).add(v.mu)` is `ad.add(v.mu, ad.mul(v.tau, v.z))`.
 */
export class Var {
  /** First tape slot. */
  i = 0;
  /** Number of elements (1 for a scalar). */
  n = 1;
  constructor(readonly tape: Tape) {}

  /** Number of elements. */
  get length(): number {
    return this.n;
  }
  /** The value of a scalar (element 0 of a vector). */
  get value(): number {
    return this.tape.val[this.i];
  }
  /** A copy of the values. */
  values(): Float64Array {
    return this.tape.val.slice(this.i, this.i + this.n);
  }
  /** Element j as a scalar variable (no copy: it is the same slot). */
  at(j: number): Scalar {
    if (!(j >= 0 && j < this.n && Number.isInteger(j))) throw new RangeError(`Var.at: index ${j} outside [0, ${this.n})`);
    return this.tape.view(this.i + j, 1) as Scalar;
  }
  /** Elements [start, end) as a vector (no copy). */
  slice(start: number, end = this.n): Vector {
    if (!(start >= 0 && end <= this.n && end > start)) throw new RangeError(`Var.slice: [${start}, ${end}) outside [0, ${this.n})`);
    return this.tape.view(this.i + start, end - start) as Vector;
  }
  add(b: Arg): this { return this.tape.binary(ADD, this, b) as this; }
  sub(b: Arg): this { return this.tape.binary(SUB, this, b) as this; }
  mul(b: Arg): this { return this.tape.binary(MUL, this, b) as this; }
  div(b: Arg): this { return this.tape.binary(DIV, this, b) as this; }
  neg(): this { return this.tape.unary(NEG, this) as this; }
  exp(): this { return this.tape.unary(EXP, this) as this; }
  log(): this { return this.tape.unary(LOG, this) as this; }
  square(): this { return this.tape.unary(SQUARE, this) as this; }
  sqrt(): this { return this.tape.unary(SQRT, this) as this; }
  /** Sum of the elements. */
  sum(): Scalar { return this.tape.sum(this); }
}

/** A scalar variable (type-level distinction only; at run time both are `Var`). */
export interface Scalar extends Var { readonly __kind?: "scalar" }
/** A vector variable. */
export interface Vector extends Var { readonly __kind?: "vector" }

/** Anything an operation accepts: variables and constants. */
export type Arg = Var | number | ArrayLike<number>;
/** A scalar argument. */
export type ScalarArg = Scalar | number;

function isVar(x: unknown): x is Var {
  return x instanceof Var;
}

// ---------------------------------------------------------------------------------------------
// The tape
// ---------------------------------------------------------------------------------------------

/**
 * Values, adjoints and operation records in growable typed arrays. One tape serves one model;
 * `reset()` starts a new evaluation without freeing anything.
 */
export class Tape {
  val = new Float64Array(256);
  adj = new Float64Array(256);
  /** Slots in use. */
  top = 0;
  // One entry per operation.
  private code = new Int32Array(64);
  private out = new Int32Array(64);
  private a = new Int32Array(64);
  private b = new Int32Array(64);
  private c = new Int32Array(64);
  private d = new Int32Array(64);
  private len = new Int32Array(64);
  /** Bit k set: argument k is broadcast (stride 0). */
  private flags = new Int32Array(64);
  /** Start of the op's saved values (partials, activations) in `val`, or of its index list in `ibuf`. */
  private aux = new Int32Array(64);
  private kind = new Int32Array(64);
  private k = new Float64Array(64);
  private objs: unknown[] = [];
  /** Index lists (CONCAT parts). */
  private ibuf = new Int32Array(64);
  private itop = 0;
  /** Number of records. */
  nOps = 0;
  private pool: Var[] = [];
  private nVars = 0;
  /** Slots reserved at the bottom (the model's inputs), kept by `reset`. */
  private base = 0;

  /** Starts a new evaluation; the first `inputs` slots are kept (e.g. the model's parameters). */
  reset(inputs = this.base): void {
    this.base = inputs;
    this.ensure(inputs);
    this.top = inputs;
    this.nOps = 0;
    this.itop = 0;
    this.nVars = 0;
  }

  /** Makes room for `n` more slots. */
  private ensure(n: number): void {
    const need = this.top + n;
    if (need <= this.val.length) return;
    let cap = this.val.length;
    while (cap < need) cap *= 2;
    const v = new Float64Array(cap);
    v.set(this.val.subarray(0, this.top));
    this.val = v;
    this.adj = new Float64Array(cap);
  }

  private alloc(n: number): number {
    this.ensure(n);
    const s = this.top;
    this.top += n;
    return s;
  }

  /** A handle on existing slots. */
  view(i: number, n: number): Var {
    let v = this.pool[this.nVars];
    if (!v) {
      v = new Var(this);
      this.pool[this.nVars] = v;
    }
    this.nVars++;
    v.i = i;
    v.n = n;
    return v;
  }

  /** A persistent handle (not pooled), for inputs that live across evaluations. */
  input(i: number, n: number): Var {
    const v = new Var(this);
    v.i = i;
    v.n = n;
    return v;
  }

  private record(code: number, out: number, n: number): number {
    if (this.nOps === this.code.length) this.growOps();
    const r = this.nOps++;
    this.code[r] = code;
    this.out[r] = out;
    this.len[r] = n;
    this.flags[r] = 0;
    return r;
  }

  private growOps(): void {
    const cap = this.code.length * 2;
    const grow = <A extends Int32Array | Float64Array>(x: A): A => {
      const y = new (x.constructor as { new (n: number): A })(cap);
      y.set(x);
      return y;
    };
    this.code = grow(this.code);
    this.out = grow(this.out);
    this.a = grow(this.a);
    this.b = grow(this.b);
    this.c = grow(this.c);
    this.d = grow(this.d);
    this.len = grow(this.len);
    this.flags = grow(this.flags);
    this.aux = grow(this.aux);
    this.kind = grow(this.kind);
    this.k = grow(this.k);
  }

  /** A variable for a constant (a number or an array): its slots get adjoints nobody reads. */
  lift(x: Arg): Var {
    if (isVar(x)) {
      if (x.tape !== this) throw new Error("autodiff: variables from two different tapes (models) were mixed");
      return x;
    }
    if (typeof x === "number") {
      const s = this.alloc(1);
      this.val[s] = x;
      return this.view(s, 1);
    }
    const n = x.length;
    if (n === 0) throw new Error("autodiff: empty array argument");
    const s = this.alloc(n);
    const val = this.val;
    for (let j = 0; j < n; j++) val[s + j] = x[j];
    return this.view(s, n);
  }

  // --- elementwise -------------------------------------------------------------------------

  unary(code: number, x: Arg, k = 0): Var {
    const a = this.lift(x);
    const n = a.n;
    const o = this.alloc(n);
    const r = this.record(code, o, n);
    this.a[r] = a.i;
    this.k[r] = k;
    const v = this.val;
    const ai = a.i;
    switch (code) {
      case NEG: for (let j = 0; j < n; j++) v[o + j] = -v[ai + j]; break;
      case EXP: for (let j = 0; j < n; j++) v[o + j] = Math.exp(v[ai + j]); break;
      case LOG: for (let j = 0; j < n; j++) v[o + j] = Math.log(v[ai + j]); break;
      case LOG1P: for (let j = 0; j < n; j++) v[o + j] = Math.log1p(v[ai + j]); break;
      case EXPM1: for (let j = 0; j < n; j++) v[o + j] = Math.expm1(v[ai + j]); break;
      case SQRT: for (let j = 0; j < n; j++) v[o + j] = Math.sqrt(v[ai + j]); break;
      case SQUARE: for (let j = 0; j < n; j++) v[o + j] = v[ai + j] * v[ai + j]; break;
      case TANH: for (let j = 0; j < n; j++) v[o + j] = Math.tanh(v[ai + j]); break;
      case SIGMOID: for (let j = 0; j < n; j++) v[o + j] = sigmoid(v[ai + j]); break;
      case SOFTPLUS: for (let j = 0; j < n; j++) v[o + j] = softplus(v[ai + j]); break;
      case LOG_SIGMOID: for (let j = 0; j < n; j++) v[o + j] = -softplus(-v[ai + j]); break;
      case LGAMMA: for (let j = 0; j < n; j++) v[o + j] = lgamma(v[ai + j]); break;
      case POW_CONST: for (let j = 0; j < n; j++) v[o + j] = Math.pow(v[ai + j], k); break;
      case ABS: for (let j = 0; j < n; j++) v[o + j] = Math.abs(v[ai + j]); break;
      case CLIP01: for (let j = 0; j < n; j++) { const x0 = v[ai + j]; v[o + j] = x0 < 0 ? 0 : x0 > 1 ? 1 : x0; } break;
      // log(1 − e^x) for x < 0, accurate near 0 and for very negative x.
      case LOG1M_EXP:
        for (let j = 0; j < n; j++) {
          const x0 = v[ai + j];
          v[o + j] = x0 > -LN2 ? Math.log(-Math.expm1(x0)) : Math.log1p(-Math.exp(x0));
        }
        break;
      default: throw new Error(`autodiff: unknown unary op ${code}`);
    }
    return this.view(o, n);
  }

  binary(code: number, x: Arg, y: Arg): Var {
    const a = this.lift(x);
    const b = this.lift(y);
    const n = a.n > b.n ? a.n : b.n;
    if ((a.n !== n && a.n !== 1) || (b.n !== n && b.n !== 1)) throw new Error(`autodiff: cannot broadcast lengths ${a.n} and ${b.n}`);
    const sa = a.n === 1 ? 0 : 1;
    const sb = b.n === 1 ? 0 : 1;
    const o = this.alloc(n);
    const r = this.record(code, o, n);
    this.a[r] = a.i;
    this.b[r] = b.i;
    this.flags[r] = (sa ? 0 : 1) | (sb ? 0 : 2);
    const v = this.val;
    const ai = a.i;
    const bi = b.i;
    switch (code) {
      case ADD: for (let j = 0; j < n; j++) v[o + j] = v[ai + j * sa] + v[bi + j * sb]; break;
      case SUB: for (let j = 0; j < n; j++) v[o + j] = v[ai + j * sa] - v[bi + j * sb]; break;
      case MUL: for (let j = 0; j < n; j++) v[o + j] = v[ai + j * sa] * v[bi + j * sb]; break;
      case DIV: for (let j = 0; j < n; j++) v[o + j] = v[ai + j * sa] / v[bi + j * sb]; break;
      case POW: for (let j = 0; j < n; j++) v[o + j] = Math.pow(v[ai + j * sa], v[bi + j * sb]); break;
      default: throw new Error(`autodiff: unknown binary op ${code}`);
    }
    return this.view(o, n);
  }

  // --- reductions and structure -------------------------------------------------------------

  sum(x: Arg): Scalar {
    const a = this.lift(x);
    const o = this.alloc(1);
    const r = this.record(SUM, o, a.n);
    this.a[r] = a.i;
    let s = 0;
    const v = this.val;
    for (let j = 0; j < a.n; j++) s += v[a.i + j];
    v[o] = s;
    return this.view(o, 1) as Scalar;
  }

  dot(x: Arg, y: Arg): Scalar {
    const a = this.lift(x);
    const b = this.lift(y);
    if (a.n !== b.n) throw new Error(`ad.dot: lengths ${a.n} and ${b.n} differ`);
    const o = this.alloc(1);
    const r = this.record(DOT, o, a.n);
    this.a[r] = a.i;
    this.b[r] = b.i;
    let s = 0;
    const v = this.val;
    for (let j = 0; j < a.n; j++) s += v[a.i + j] * v[b.i + j];
    v[o] = s;
    return this.view(o, 1) as Scalar;
  }

  logSumExp(x: Arg): Scalar {
    const a = this.lift(x);
    const o = this.alloc(1);
    const r = this.record(LOG_SUM_EXP, o, a.n);
    this.a[r] = a.i;
    const v = this.val;
    let m = -Infinity;
    for (let j = 0; j < a.n; j++) if (v[a.i + j] > m) m = v[a.i + j];
    if (m === -Infinity || m === Infinity) {
      v[o] = m;
    } else {
      let s = 0;
      for (let j = 0; j < a.n; j++) s += Math.exp(v[a.i + j] - m);
      v[o] = m + Math.log(s);
    }
    return this.view(o, 1) as Scalar;
  }

  /** Sum of all elements of all parts (one record; constants are added to the value only). */
  sumList(parts: readonly Arg[]): Scalar {
    const np = parts.length;
    if (this.itop + 2 * np > this.ibuf.length) this.growIbuf(2 * np);
    const start = this.itop;
    let s = 0;
    let nv = 0;
    for (let p = 0; p < np; p++) {
      const x = parts[p];
      if (typeof x === "number") {
        s += x;
        continue;
      }
      const q = this.lift(x);
      const v = this.val;
      for (let j = 0; j < q.n; j++) s += v[q.i + j];
      this.ibuf[this.itop++] = q.i;
      this.ibuf[this.itop++] = q.n;
      nv++;
    }
    const o = this.alloc(1);
    const r = this.record(SUM_LIST, o, nv);
    this.aux[r] = start;
    this.val[o] = s;
    return this.view(o, 1) as Scalar;
  }

  private growIbuf(extra: number): void {
    const nb = new Int32Array(Math.max(2 * this.ibuf.length, this.itop + extra));
    nb.set(this.ibuf);
    this.ibuf = nb;
  }

  /** The parts (scalars, vectors, constants) joined into one vector. */
  concat(parts: readonly Arg[]): Vector {
    if (parts.length === 0) throw new Error("ad.concat: no parts");
    const vars = parts.map((p) => this.lift(p));
    let n = 0;
    for (const p of vars) n += p.n;
    const o = this.alloc(n);
    const r = this.record(CONCAT, o, vars.length);
    if (this.itop + 2 * vars.length > this.ibuf.length) this.growIbuf(2 * vars.length);
    this.aux[r] = this.itop;
    const v = this.val;
    let at = o;
    for (const p of vars) {
      this.ibuf[this.itop++] = p.i;
      this.ibuf[this.itop++] = p.n;
      for (let j = 0; j < p.n; j++) v[at + j] = v[p.i + j];
      at += p.n;
    }
    return this.view(o, n) as Vector;
  }

  // --- distributions ------------------------------------------------------------------------

  /**
   * One fused log density over up to four arguments (broadcast to a common length n): value and
   * the partial derivatives with respect to every argument are computed here; backward() only
   * multiplies them by the incoming adjoint.
   */
  dist(kind: number, na: number, x0: Arg, x1: Arg, x2?: Arg, x3?: Arg): Scalar {
    const a0 = this.lift(x0);
    const a1 = this.lift(x1);
    const a2 = na > 2 ? this.lift(x2 as Arg) : a1;
    const a3 = na > 3 ? this.lift(x3 as Arg) : a1;
    let n = a0.n;
    if (a1.n > n) n = a1.n;
    if (a2.n > n) n = a2.n;
    if (a3.n > n) n = a3.n;
    if ((a0.n !== n && a0.n !== 1) || (a1.n !== n && a1.n !== 1) || (a2.n !== n && a2.n !== 1) || (a3.n !== n && a3.n !== 1)) {
      throw new Error(`autodiff: distribution arguments of lengths ${[a0, a1, a2, a3].slice(0, na).map((q) => q.n).join(", ")} do not broadcast`);
    }
    const o = this.alloc(1);
    const pd = this.alloc(na * n); // partials: argument q at pd + q·n
    const r = this.record(DIST, o, n);
    this.kind[r] = kind;
    this.aux[r] = pd;
    const i0 = a0.i, i1 = a1.i, i2 = a2.i, i3 = a3.i;
    const s0 = a0.n === 1 ? 0 : 1, s1 = a1.n === 1 ? 0 : 1, s2 = a2.n === 1 ? 0 : 1, s3 = a3.n === 1 ? 0 : 1;
    this.a[r] = i0;
    this.b[r] = i1;
    this.c[r] = i2;
    this.d[r] = i3;
    this.flags[r] = (s0 ? 0 : 1) | (s1 ? 0 : 2) | (s2 ? 0 : 4) | (s3 ? 0 : 8) | (na << 8);
    const v = this.val;
    const p0 = pd, p1 = pd + n, p2 = pd + 2 * n, p3 = pd + 3 * n;
    let lp = 0;
    if (kind === D_NORMAL) {
      v[o] = normalKernel(v, n, i0, i1, i2, s0, s1, s2, pd);
      return this.view(o, 1) as Scalar;
    }
    switch (kind) {
      case D_NORMAL:
      case D_LOGNORMAL: {
        const logn = kind === D_LOGNORMAL;
        const logSigmaOnce = s2 === 0 ? Math.log(v[i2]) : 0;
        for (let j = 0; j < n; j++) {
          const x = v[i0 + j * s0];
          const sigma = v[i2 + j * s2];
          const lx = logn ? Math.log(x) : x;
          const z = (lx - v[i1 + j * s1]) / sigma;
          lp -= 0.5 * z * z + (s2 ? Math.log(sigma) : logSigmaOnce) + (logn ? lx : 0);
          const dz = z / sigma;
          v[p0 + j] = logn ? (-dz - 1) / x : -dz;
          v[p1 + j] = dz;
          v[p2 + j] = (z * z - 1) / sigma;
          if (!(sigma > 0) || (logn && !(x > 0))) lp = NaN;
        }
        lp -= 0.5 * LOG_2PI * n;
        break;
      }
      case D_HALF_NORMAL: {
        for (let j = 0; j < n; j++) {
          const x = v[i0 + j * s0];
          const sigma = v[i1 + j * s1];
          const z = x / sigma;
          lp -= 0.5 * z * z + Math.log(sigma);
          v[p0 + j] = -z / sigma;
          v[p1 + j] = (z * z - 1) / sigma;
          if (x < 0) lp = -Infinity;
          if (!(sigma > 0)) lp = NaN;
        }
        lp += n * (LN2 - 0.5 * LOG_2PI);
        break;
      }
      case D_CAUCHY:
      case D_HALF_CAUCHY: {
        const half = kind === D_HALF_CAUCHY;
        // Half-Cauchy's arguments are (x, scale): location 0, the scale in slot 1.
        const iS = half ? i1 : i2;
        const sS = half ? s1 : s2;
        const pS = half ? p1 : p2;
        for (let j = 0; j < n; j++) {
          const x = v[i0 + j * s0];
          const s = v[iS + j * sS];
          const z = (x - (half ? 0 : v[i1 + j * s1])) / s;
          const q = 1 + z * z;
          lp -= Math.log(s) + Math.log(q);
          const dz = (2 * z) / (s * q);
          v[p0 + j] = -dz;
          if (!half) v[p1 + j] = dz;
          v[pS + j] = (2 * z * z) / (s * q) - 1 / s;
          if (half && x < 0) lp = -Infinity;
          if (!(s > 0)) lp = NaN;
        }
        lp += n * (half ? LN2 - LOG_PI : -LOG_PI);
        break;
      }
      case D_STUDENT_T: {
        // (x, ν, μ, σ)
        for (let j = 0; j < n; j++) {
          const x = v[i0 + j * s0];
          const nu = v[i1 + j * s1];
          const mu = v[i2 + j * s2];
          const sigma = v[i3 + j * s3];
          const z = (x - mu) / sigma;
          const z2 = z * z;
          const l1 = Math.log1p(z2 / nu);
          lp += lgamma(0.5 * (nu + 1)) - lgamma(0.5 * nu) - 0.5 * Math.log(nu * Math.PI) - Math.log(sigma) - 0.5 * (nu + 1) * l1;
          const dx = (-(nu + 1) * z) / (sigma * (nu + z2));
          v[p0 + j] = dx;
          v[p1 + j] = 0.5 * (digamma(0.5 * (nu + 1)) - digamma(0.5 * nu) - 1 / nu - l1) + ((nu + 1) * z2) / (2 * nu * (nu + z2));
          v[p2 + j] = -dx;
          v[p3 + j] = ((nu + 1) * z2) / (sigma * (nu + z2)) - 1 / sigma;
          if (!(sigma > 0 && nu > 0)) lp = NaN;
        }
        break;
      }
      case D_BETA: {
        // (x, a, b)
        for (let j = 0; j < n; j++) {
          const x = v[i0 + j * s0];
          const a = v[i1 + j * s1];
          const b = v[i2 + j * s2];
          const lx = Math.log(x);
          const l1x = Math.log1p(-x);
          lp += (a - 1) * lx + (b - 1) * l1x - (lgamma(a) + lgamma(b) - lgamma(a + b));
          const dab = digamma(a + b);
          v[p0 + j] = (a - 1) / x - (b - 1) / (1 - x);
          v[p1 + j] = lx - digamma(a) + dab;
          v[p2 + j] = l1x - digamma(b) + dab;
          if (!(x > 0 && x < 1)) lp = -Infinity;
          if (!(a > 0 && b > 0)) lp = NaN;
        }
        break;
      }
      case D_GAMMA: {
        // (x, shape α, rate β)
        for (let j = 0; j < n; j++) {
          const x = v[i0 + j * s0];
          const al = v[i1 + j * s1];
          const be = v[i2 + j * s2];
          const lx = Math.log(x);
          const lb = Math.log(be);
          lp += al * lb - lgamma(al) + (al - 1) * lx - be * x;
          v[p0 + j] = (al - 1) / x - be;
          v[p1 + j] = lb - digamma(al) + lx;
          v[p2 + j] = al / be - x;
          if (!(x > 0)) lp = -Infinity;
          if (!(al > 0 && be > 0)) lp = NaN;
        }
        break;
      }
      case D_EXPONENTIAL: {
        // (x, rate λ)
        for (let j = 0; j < n; j++) {
          const x = v[i0 + j * s0];
          const la = v[i1 + j * s1];
          lp += Math.log(la) - la * x;
          v[p0 + j] = -la;
          v[p1 + j] = 1 / la - x;
          if (x < 0) lp = -Infinity;
          if (!(la > 0)) lp = NaN;
        }
        break;
      }
      case D_BERNOULLI_LOGIT: {
        // (y ∈ {0, 1}, η): y η − softplus(η)
        for (let j = 0; j < n; j++) {
          const y = v[i0 + j * s0];
          const eta = v[i1 + j * s1];
          lp += y * eta - softplus(eta);
          v[p0 + j] = 0;
          v[p1 + j] = y - sigmoid(eta);
        }
        break;
      }
      case D_BINOMIAL:
      case D_BINOMIAL_LOGIT: {
        // (k, N, p) or (k, N, η = logit p)
        const logit = kind === D_BINOMIAL_LOGIT;
        for (let j = 0; j < n; j++) {
          const k = v[i0 + j * s0];
          const N = v[i1 + j * s1];
          const p = v[i2 + j * s2];
          lp += lgamma(N + 1) - lgamma(k + 1) - lgamma(N - k + 1);
          if (logit) {
            lp += k * p - N * softplus(p);
            v[p2 + j] = k - N * sigmoid(p);
          } else {
            lp += (k > 0 ? k * Math.log(p) : 0) + (N - k > 0 ? (N - k) * Math.log1p(-p) : 0);
            v[p2 + j] = k / p - (N - k) / (1 - p);
            if (!(p >= 0 && p <= 1)) lp = NaN;
          }
          v[p0 + j] = 0;
          v[p1 + j] = 0;
          if (!(k >= 0 && k <= N)) lp = -Infinity;
        }
        break;
      }
      default:
        throw new Error(`autodiff: unknown distribution ${kind}`);
    }
    v[o] = lp;
    return this.view(o, 1) as Scalar;
  }

  // --- networks and user functions ----------------------------------------------------------

  mlp(net: MlpWeights, x: Arg): Vector {
    const a = this.lift(x);
    const layers = net.layers;
    if (a.n !== layers[0].nIn) throw new Error(`ad.mlp: the network takes ${layers[0].nIn} inputs, got ${a.n}`);
    let auxSize = 0;
    for (let l = 0; l < layers.length; l++) auxSize += layers[l].nOut * (l < layers.length - 1 ? 2 : 1);
    const nOut = layers[layers.length - 1].nOut;
    const o = this.alloc(nOut);
    const aux = this.alloc(auxSize);
    const r = this.record(MLP, o, nOut);
    this.a[r] = a.i;
    this.aux[r] = aux;
    this.setObj(r, net);
    const v = this.val;
    // Layout of aux: per layer, the activation derivative (nOut), then (except for the last
    // layer) its output (nOut), which the next layer reads.
    let hIn = a.i;
    let at = aux;
    for (let l = 0; l < layers.length; l++) {
      const { w, b, nIn, nOut: no, activation } = layers[l];
      const last = l === layers.length - 1;
      const dAct = at;
      const hOut = last ? o : at + no;
      for (let q = 0; q < no; q++) v[hOut + q] = b[q];
      for (let i = 0; i < nIn; i++) {
        const hi = v[hIn + i];
        if (hi === 0) continue;
        const row = i * no;
        for (let q = 0; q < no; q++) v[hOut + q] += hi * w[row + q];
      }
      activateInPlace(v, hOut, dAct, no, activation);
      hIn = hOut;
      at += last ? no : 2 * no;
    }
    return this.view(o, nOut) as Vector;
  }

  jacobianFn(fn: JacobianFn, x: Arg): Vector {
    const a = this.lift(x);
    if (a.n !== fn.nIn) throw new Error(`ad.jacobianFn: the function takes ${fn.nIn} inputs, got ${a.n}`);
    const o = this.alloc(fn.nOut);
    const jac = this.alloc(fn.nOut * fn.nIn);
    const r = this.record(JACOBIAN_FN, o, fn.nOut);
    this.a[r] = a.i;
    this.aux[r] = jac;
    this.setObj(r, fn);
    const v = this.val;
    for (let i = 0; i < fn.nIn; i++) fn.x[i] = v[a.i + i];
    fn.fn(fn.x, fn.out, fn.jac);
    for (let q = 0; q < fn.nOut; q++) v[o + q] = fn.out[q];
    for (let q = 0; q < fn.nOut * fn.nIn; q++) v[jac + q] = fn.jac[q];
    return this.view(o, fn.nOut) as Vector;
  }

  private setObj(r: number, obj: unknown): void {
    this.objs[r] = obj;
  }

  // --- backward -----------------------------------------------------------------------------

  /** Adjoints of every slot with respect to `output` (a scalar): after this, `adj[i]` = ∂ output / ∂ slot i. */
  backward(output: Var): void {
    if (output.n !== 1) throw new Error(`autodiff: backward() needs a scalar, got a vector of length ${output.n}`);
    const v = this.val;
    const g = this.adj;
    g.fill(0, 0, this.top);
    g[output.i] = 1;
    for (let r = this.nOps - 1; r >= 0; r--) {
      const o = this.out[r];
      const n = this.len[r];
      const ai = this.a[r];
      switch (this.code[r]) {
        case NEG: for (let j = 0; j < n; j++) g[ai + j] -= g[o + j]; break;
        case EXP: for (let j = 0; j < n; j++) g[ai + j] += g[o + j] * v[o + j]; break;
        case LOG: for (let j = 0; j < n; j++) g[ai + j] += g[o + j] / v[ai + j]; break;
        case LOG1P: for (let j = 0; j < n; j++) g[ai + j] += g[o + j] / (1 + v[ai + j]); break;
        case EXPM1: for (let j = 0; j < n; j++) g[ai + j] += g[o + j] * (v[o + j] + 1); break;
        case SQRT: for (let j = 0; j < n; j++) g[ai + j] += (0.5 * g[o + j]) / v[o + j]; break;
        case SQUARE: for (let j = 0; j < n; j++) g[ai + j] += 2 * g[o + j] * v[ai + j]; break;
        case TANH: for (let j = 0; j < n; j++) g[ai + j] += g[o + j] * (1 - v[o + j] * v[o + j]); break;
        case SIGMOID: for (let j = 0; j < n; j++) g[ai + j] += g[o + j] * v[o + j] * (1 - v[o + j]); break;
        case SOFTPLUS: for (let j = 0; j < n; j++) g[ai + j] += g[o + j] * sigmoid(v[ai + j]); break;
        case LOG_SIGMOID: for (let j = 0; j < n; j++) g[ai + j] += g[o + j] * (1 - sigmoid(v[ai + j])); break;
        case LGAMMA: for (let j = 0; j < n; j++) g[ai + j] += g[o + j] * digamma(v[ai + j]); break;
        case POW_CONST: {
          const k = this.k[r];
          for (let j = 0; j < n; j++) g[ai + j] += g[o + j] * k * Math.pow(v[ai + j], k - 1);
          break;
        }
        case ABS: for (let j = 0; j < n; j++) g[ai + j] += v[ai + j] < 0 ? -g[o + j] : g[o + j]; break;
        case CLIP01: for (let j = 0; j < n; j++) { const x0 = v[ai + j]; if (x0 > 0 && x0 < 1) g[ai + j] += g[o + j]; } break;
        case LOG1M_EXP: for (let j = 0; j < n; j++) g[ai + j] -= g[o + j] / Math.expm1(-v[ai + j]); break;
        case ADD:
        case SUB:
        case MUL:
        case DIV:
        case POW: {
          const bi = this.b[r];
          const sa = this.flags[r] & 1 ? 0 : 1;
          const sb = this.flags[r] & 2 ? 0 : 1;
          const code = this.code[r];
          for (let j = 0; j < n; j++) {
            const go = g[o + j];
            if (go === 0) continue;
            const ia = ai + j * sa;
            const ib = bi + j * sb;
            if (code === ADD) {
              g[ia] += go;
              g[ib] += go;
            } else if (code === SUB) {
              g[ia] += go;
              g[ib] -= go;
            } else if (code === MUL) {
              g[ia] += go * v[ib];
              g[ib] += go * v[ia];
            } else if (code === DIV) {
              g[ia] += go / v[ib];
              g[ib] -= (go * v[o + j]) / v[ib];
            } else {
              // a^b: d/da = b a^(b−1), d/db = a^b log a
              g[ia] += go * v[ib] * Math.pow(v[ia], v[ib] - 1);
              if (v[ia] > 0) g[ib] += go * v[o + j] * Math.log(v[ia]);
            }
          }
          break;
        }
        case SUM: {
          const go = g[o];
          for (let j = 0; j < n; j++) g[ai + j] += go;
          break;
        }
        case DOT: {
          const go = g[o];
          const bi = this.b[r];
          for (let j = 0; j < n; j++) {
            g[ai + j] += go * v[bi + j];
            g[bi + j] += go * v[ai + j];
          }
          break;
        }
        case LOG_SUM_EXP: {
          const go = g[o];
          const lse = v[o];
          if (Number.isFinite(lse)) for (let j = 0; j < n; j++) g[ai + j] += go * Math.exp(v[ai + j] - lse);
          break;
        }
        case SUM_LIST: {
          const go = g[o];
          const start = this.aux[r];
          for (let p = 0; p < n; p++) {
            const pi = this.ibuf[start + 2 * p];
            const pn = this.ibuf[start + 2 * p + 1];
            for (let j = 0; j < pn; j++) g[pi + j] += go;
          }
          break;
        }
        case CONCAT: {
          let at = o;
          const start = this.aux[r];
          for (let p = 0; p < n; p++) {
            const pi = this.ibuf[start + 2 * p];
            const pn = this.ibuf[start + 2 * p + 1];
            for (let j = 0; j < pn; j++) g[pi + j] += g[at + j];
            at += pn;
          }
          break;
        }
        case DIST: {
          const go = g[o];
          if (go === 0) break;
          const f = this.flags[r];
          const na = f >> 8;
          const pd = this.aux[r];
          accumulatePartials(v, g, go, n, pd, ai, f & 1);
          accumulatePartials(v, g, go, n, pd + n, this.b[r], f & 2);
          if (na > 2) accumulatePartials(v, g, go, n, pd + 2 * n, this.c[r], f & 4);
          if (na > 3) accumulatePartials(v, g, go, n, pd + 3 * n, this.d[r], f & 8);
          break;
        }
        case MLP: {
          const net = this.objs[r] as MlpWeights;
          mlpBackward(net, v, g, ai, o, this.aux[r]);
          break;
        }
        case JACOBIAN_FN: {
          const fn = this.objs[r] as JacobianFn;
          const jac = this.aux[r];
          const ni = fn.nIn;
          for (let q = 0; q < n; q++) {
            const go = g[o + q];
            if (go === 0) continue;
            for (let i = 0; i < ni; i++) g[ai + i] += go * v[jac + q * ni + i];
          }
          break;
        }
        default:
          throw new Error(`autodiff: unknown op ${this.code[r]} in backward`);
      }
    }
  }
}

/** g[base (+ j)] += go · v[p + j]: a broadcast argument (stride 0) collects the sum. */
function accumulatePartials(v: Float64Array, g: Float64Array, go: number, n: number, p: number, base: number, broadcast: number): void {
  if (broadcast) {
    let s = 0;
    for (let j = 0; j < n; j++) s += v[p + j];
    g[base] += go * s;
  } else {
    for (let j = 0; j < n; j++) g[base + j] += go * v[p + j];
  }
}

/**
 * N(x | μ, σ) summed over n elements, partials written at pd (x), pd + n (μ), pd + 2n (σ): the
 * workhorse of most models, kept small so that the JIT optimises it on its own.
 */
function normalKernel(v: Float64Array, n: number, i0: number, i1: number, i2: number, s0: number, s1: number, s2: number, pd: number): number {
  let lp = 0;
  let logSigma = 0;
  const p1 = pd + n;
  const p2 = pd + 2 * n;
  if (s2 === 0) {
    const sigma = v[i2];
    if (!(sigma > 0)) return NaN;
    const inv = 1 / sigma;
    for (let j = 0; j < n; j++) {
      const z = (v[i0 + j * s0] - v[i1 + j * s1]) * inv;
      lp += z * z;
      const dz = z * inv;
      v[pd + j] = -dz;
      v[p1 + j] = dz;
      v[p2 + j] = (z * z - 1) * inv;
    }
    logSigma = n * Math.log(sigma);
  } else {
    for (let j = 0; j < n; j++) {
      const sigma = v[i2 + j];
      const inv = 1 / sigma;
      const z = (v[i0 + j * s0] - v[i1 + j * s1]) * inv;
      lp += z * z;
      logSigma += Math.log(sigma);
      const dz = z * inv;
      v[pd + j] = -dz;
      v[p1 + j] = dz;
      v[p2 + j] = (z * z - 1) * inv;
      if (!(sigma > 0)) return NaN;
    }
  }
  return -0.5 * lp - logSigma - 0.5 * LOG_2PI * n;
}

// ---------------------------------------------------------------------------------------------
// Dense networks
// ---------------------------------------------------------------------------------------------

/** Activations `ad.mlp` supports (the emulator's, as tfjs defines them). */
export type AdActivation = "linear" | "elu" | "relu" | "tanh" | "softplus" | "selu" | "swish" | "sigmoid";

/** One dense layer: out = act(in · W + b), W row-major [nIn × nOut] (tfjs's kernel layout). */
export interface DenseLayer {
  w: Float64Array;
  b: Float64Array;
  nIn: number;
  nOut: number;
  activation: AdActivation;
}

/** A dense network in float64, for `ad.mlp`. */
export interface MlpWeights {
  layers: DenseLayer[];
}

const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;

/** Applies the activation to v[h .. h+n) in place and writes its derivative to v[d .. d+n). */
function activateInPlace(v: Float64Array, h: number, d: number, n: number, act: AdActivation): void {
  switch (act) {
    case "linear":
      for (let q = 0; q < n; q++) v[d + q] = 1;
      return;
    case "elu":
      for (let q = 0; q < n; q++) {
        const z = v[h + q];
        if (z > 0) v[d + q] = 1;
        else {
          const e = Math.exp(z);
          v[h + q] = e - 1;
          v[d + q] = e;
        }
      }
      return;
    case "relu":
      for (let q = 0; q < n; q++) {
        if (v[h + q] > 0) v[d + q] = 1;
        else {
          v[h + q] = 0;
          v[d + q] = 0;
        }
      }
      return;
    case "tanh":
      for (let q = 0; q < n; q++) {
        const a = Math.tanh(v[h + q]);
        v[h + q] = a;
        v[d + q] = 1 - a * a;
      }
      return;
    case "sigmoid":
      for (let q = 0; q < n; q++) {
        const s = sigmoid(v[h + q]);
        v[h + q] = s;
        v[d + q] = s * (1 - s);
      }
      return;
    case "softplus":
      for (let q = 0; q < n; q++) {
        const z = v[h + q];
        v[h + q] = softplus(z);
        v[d + q] = sigmoid(z);
      }
      return;
    case "selu":
      for (let q = 0; q < n; q++) {
        const z = v[h + q];
        if (z > 0) {
          v[h + q] = SELU_SCALE * z;
          v[d + q] = SELU_SCALE;
        } else {
          const e = Math.exp(z);
          v[h + q] = SELU_SCALE * SELU_ALPHA * (e - 1);
          v[d + q] = SELU_SCALE * SELU_ALPHA * e;
        }
      }
      return;
    case "swish":
      for (let q = 0; q < n; q++) {
        const z = v[h + q];
        const s = sigmoid(z);
        v[h + q] = z * s;
        v[d + q] = s + z * s * (1 - s);
      }
      return;
    default:
      throw new Error(`ad.mlp: unsupported activation "${String(act)}" (supported: linear, elu, relu, tanh, sigmoid, softplus, selu, swish)`);
  }
}

/** Scratch for the backward pass of `ad.mlp` (two adjoint vectors per network). */
const mlpScratch = new WeakMap<MlpWeights, [Float64Array, Float64Array]>();

function mlpBackward(net: MlpWeights, v: Float64Array, g: Float64Array, xi: number, o: number, aux: number): void {
  const layers = net.layers;
  let sc = mlpScratch.get(net);
  if (!sc) {
    const width = Math.max(...layers.map((l) => Math.max(l.nIn, l.nOut)));
    sc = [new Float64Array(width), new Float64Array(width)];
    mlpScratch.set(net, sc);
  }
  // Offsets of every layer's derivative block in aux.
  const L = layers.length;
  let [dOut, dIn] = sc;
  // δ of the last layer's output.
  const nLast = layers[L - 1].nOut;
  for (let q = 0; q < nLast; q++) dOut[q] = g[o + q];
  let at = aux;
  const dActAt: number[] = [];
  for (let l = 0; l < L; l++) {
    dActAt.push(at);
    at += l < L - 1 ? 2 * layers[l].nOut : layers[l].nOut;
  }
  for (let l = L - 1; l >= 0; l--) {
    const { w, nIn, nOut } = layers[l];
    const d = dActAt[l];
    for (let q = 0; q < nOut; q++) dOut[q] *= v[d + q];
    for (let i = 0; i < nIn; i++) {
      const row = i * nOut;
      let s = 0;
      for (let q = 0; q < nOut; q++) s += w[row + q] * dOut[q];
      dIn[i] = s;
    }
    const swap = dOut;
    dOut = dIn;
    dIn = swap;
  }
  const nIn0 = layers[0].nIn;
  for (let i = 0; i < nIn0; i++) g[xi + i] += dOut[i];
}

/** Checks the shapes of a network and returns it (use for weights built by hand). */
export function mlpWeights(layers: Array<{ w: ArrayLike<number>; b: ArrayLike<number>; activation?: AdActivation }>): MlpWeights {
  const out: DenseLayer[] = [];
  layers.forEach((l, k) => {
    const nOut = l.b.length;
    const nIn = l.w.length / nOut;
    if (!Number.isInteger(nIn) || nIn < 1) throw new Error(`mlpWeights: layer ${k} has ${l.w.length} weights for ${nOut} outputs`);
    if (k > 0 && out[k - 1].nOut !== nIn) throw new Error(`mlpWeights: layer ${k} takes ${nIn} inputs, layer ${k - 1} gives ${out[k - 1].nOut}`);
    out.push({ w: Float64Array.from(l.w), b: Float64Array.from(l.b), nIn, nOut, activation: l.activation ?? "linear" });
  });
  if (out.length === 0) throw new Error("mlpWeights: no layers");
  return { layers: out };
}

// ---------------------------------------------------------------------------------------------
// Functions with a known Jacobian
// ---------------------------------------------------------------------------------------------

/**
 * A function R^nIn → R^nOut with its Jacobian, usable as one autodiff operation: `f(x, out, jac)`
 * writes the outputs and jac[q·nIn + i] = ∂out_q/∂x_i. Made by `ad.jacobianFn`.
 */
export interface JacobianFn {
  readonly nIn: number;
  readonly nOut: number;
  readonly fn: (x: Float64Array, out: Float64Array, jac: Float64Array) => void;
  /** Scratch buffers reused on every call. */
  readonly x: Float64Array;
  readonly out: Float64Array;
  readonly jac: Float64Array;
  /** Applies the function to a vector variable of length nIn. */
  (x: Arg): Vector;
}

// ---------------------------------------------------------------------------------------------
// The public operations
// ---------------------------------------------------------------------------------------------

function tapeOf(args: readonly unknown[], what: string): Tape {
  for (const x of args) {
    if (isVar(x)) return x.tape;
    if (Array.isArray(x)) for (const y of x) if (isVar(y)) return y.tape;
  }
  throw new Error(`ad.${what}: no argument is a model variable (use plain Math for constants)`);
}

function isScalarConst(x: unknown): x is number {
  return typeof x === "number";
}

type Un = {
  (x: number): number;
  (x: Scalar): Scalar;
  (x: Vector | ArrayLike<number>): Vector;
};

function unaryOp(code: number, name: string, plain: (x: number) => number): Un {
  return ((x: Arg) => {
    if (isScalarConst(x)) return plain(x);
    return tapeOf4(name, x, 0).unary(code, x);
  }) as Un;
}

type Bin = {
  (a: number, b: number): number;
  (a: ScalarArg, b: ScalarArg): Scalar;
  (a: Arg, b: Arg): Vector;
};

function binaryOp(code: number, name: string, plain: (a: number, b: number) => number): Bin {
  return ((a: Arg, b: Arg) => {
    if (isScalarConst(a) && isScalarConst(b)) return plain(a, b);
    return tapeOf4(name, a, b).binary(code, a, b);
  }) as Bin;
}

function tapeOf4(name: string, a: Arg, b: Arg, c?: Arg, d?: Arg): Tape {
  if (isVar(a)) return a.tape;
  if (isVar(b)) return b.tape;
  if (isVar(c)) return c.tape;
  if (isVar(d)) return d.tape;
  throw new Error(`ad.${name}: no argument is a model variable (use plain Math for constants)`);
}

function distOp(kind: number, name: string, nArgs: number) {
  return (a: Arg, b: Arg, c?: Arg, d?: Arg): Scalar => {
    if ((nArgs > 2 && c === undefined) || (nArgs > 3 && d === undefined)) throw new Error(`ad.${name}: expected ${nArgs} arguments`);
    return tapeOf4(name, a, b, c, d).dist(kind, nArgs, a, b, c, d);
  };
}

const normalOp = distOp(D_NORMAL, "normal", 3);
const halfNormalOp = distOp(D_HALF_NORMAL, "halfNormal", 2);
const cauchyOp = distOp(D_CAUCHY, "cauchy", 3);
const halfCauchyOp = distOp(D_HALF_CAUCHY, "halfCauchy", 2);
const studentTOp = distOp(D_STUDENT_T, "studentT", 4);
const betaOp = distOp(D_BETA, "beta", 3);
const gammaOp = distOp(D_GAMMA, "gamma", 3);
const logNormalOp = distOp(D_LOGNORMAL, "logNormal", 3);
const exponentialOp = distOp(D_EXPONENTIAL, "exponential", 2);
const bernoulliLogitOp = distOp(D_BERNOULLI_LOGIT, "bernoulliLogit", 2);
const binomialOp = distOp(D_BINOMIAL, "binomial", 3);
const binomialLogitOp = distOp(D_BINOMIAL_LOGIT, "binomialLogit", 3);

/**
 * The autodiff operations. Every function takes variables or constants (numbers, arrays) and
 * broadcasts scalars against vectors; with only plain numbers they return plain numbers.
 */
export const ad = {
  add: binaryOp(ADD, "add", (a, b) => a + b),
  sub: binaryOp(SUB, "sub", (a, b) => a - b),
  mul: binaryOp(MUL, "mul", (a, b) => a * b),
  div: binaryOp(DIV, "div", (a, b) => a / b),
  /** a^b for variable a and b (a > 0 where b is a variable). */
  pow: binaryOp(POW, "pow", Math.pow),
  neg: unaryOp(NEG, "neg", (x) => -x),
  exp: unaryOp(EXP, "exp", Math.exp),
  log: unaryOp(LOG, "log", Math.log),
  log1p: unaryOp(LOG1P, "log1p", Math.log1p),
  expm1: unaryOp(EXPM1, "expm1", Math.expm1),
  sqrt: unaryOp(SQRT, "sqrt", Math.sqrt),
  square: unaryOp(SQUARE, "square", (x) => x * x),
  abs: unaryOp(ABS, "abs", Math.abs),
  tanh: unaryOp(TANH, "tanh", Math.tanh),
  /** Logistic function 1 / (1 + e^−x). */
  sigmoid: unaryOp(SIGMOID, "sigmoid", sigmoid),
  /** log(1 + e^x), without overflow. */
  softplus: unaryOp(SOFTPLUS, "softplus", softplus),
  /** log σ(x) = −softplus(−x). */
  logSigmoid: unaryOp(LOG_SIGMOID, "logSigmoid", (x) => -softplus(-x)),
  /** log(1 − e^x) for x < 0. */
  log1mExp: unaryOp(LOG1M_EXP, "log1mExp", (x) => (x > -LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x)))),
  lgamma: unaryOp(LGAMMA, "lgamma", lgamma),
  /** x clipped to [0, 1] (derivative 1 strictly inside, 0 outside). */
  clip01: unaryOp(CLIP01, "clip01", (x) => (x < 0 ? 0 : x > 1 ? 1 : x)),
  /** x^k for a constant exponent k. */
  powConst(x: Arg, k: number): Var {
    if (isScalarConst(x)) return Math.pow(x, k) as unknown as Var;
    return tapeOf([x], "powConst").unary(POW_CONST, x, k);
  },
  /** Sum of a vector's elements, or of a list of scalars/vectors/numbers. */
  sum(x: Vector | ArrayLike<number> | readonly Arg[]): Scalar {
    if (isVar(x)) return x.tape.sum(x);
    const list = x as readonly Arg[];
    const tape = tapeOf(list as unknown[], "sum");
    if (list.length === 1) return tape.sum(list[0]);
    return tape.sumList(list);
  },
  /** Σ aᵢ bᵢ. */
  dot(a: Arg, b: Arg): Scalar {
    return tapeOf([a, b], "dot").dot(a, b);
  },
  /** log Σ exp(xᵢ), stable for large |x|: of a vector, or of a list of scalars. */
  logSumExp(x: Vector | readonly Arg[]): Scalar {
    if (isVar(x)) return x.tape.logSumExp(x);
    const tape = tapeOf(x as unknown[], "logSumExp");
    return tape.logSumExp(tape.concat(x as readonly Arg[]));
  },
  /** Scalars, vectors and constants joined into one vector. */
  concat(parts: readonly Arg[]): Vector {
    return tapeOf(parts as unknown[], "concat").concat(parts);
  },

  // Distributions: summed log densities, fully normalised.
  /** N(x | μ, σ). */
  normal: normalOp as (x: Arg, mu: Arg, sigma: Arg) => Scalar,
  /** Half-normal on x ≥ 0 with scale σ: 2·N(x | 0, σ). */
  halfNormal: halfNormalOp as (x: Arg, sigma: Arg) => Scalar,
  /** Cauchy(x | location, scale). */
  cauchy: cauchyOp as (x: Arg, location: Arg, scale: Arg) => Scalar,
  /** Half-Cauchy on x ≥ 0 with the given scale. */
  halfCauchy: halfCauchyOp as (x: Arg, scale: Arg) => Scalar,
  /** Student-t with ν degrees of freedom, location μ, scale σ. */
  studentT: studentTOp as (x: Arg, nu: Arg, mu: Arg, sigma: Arg) => Scalar,
  /** Beta(x | a, b) on (0, 1). */
  beta: betaOp as (x: Arg, a: Arg, b: Arg) => Scalar,
  /** Gamma(x | shape α, rate β). */
  gamma: gammaOp as (x: Arg, shape: Arg, rate: Arg) => Scalar,
  /** log-normal: log x ~ N(μ, σ). */
  logNormal: logNormalOp as (x: Arg, mu: Arg, sigma: Arg) => Scalar,
  /** Exponential(x | rate λ). */
  exponential: exponentialOp as (x: Arg, rate: Arg) => Scalar,
  /** Bernoulli(y | p = σ(η)) for y ∈ {0, 1}: y η − log(1 + e^η). */
  bernoulliLogit: bernoulliLogitOp as (y: Arg, eta: Arg) => Scalar,
  /** Binomial(k | N, p). */
  binomial: binomialOp as (k: Arg, N: Arg, p: Arg) => Scalar,
  /** Binomial(k | N, p = σ(η)). */
  binomialLogit: binomialLogitOp as (k: Arg, N: Arg, eta: Arg) => Scalar,

  /** A dense network applied to one input vector; see `mlpWeights` / `mlpWeightsFromTf`. */
  mlp(net: MlpWeights, x: Arg): Vector {
    return tapeOf([x], "mlp").mlp(net, x);
  },
  /**
   * Wraps a function with a known Jacobian as one operation: `f(x, out, jac)` writes the nOut
   * outputs and jac[q·nIn + i] = ∂out_q/∂x_i. E.g. the stellar emulator:
   * `const emu = ad.jacobianFn(3, 6, (x, out, jac) => emulator.evaluateInto(x[0], x[1], x[2], out, jac))`,
   * then `emu(ad.concat([mass, age, Z]))` is a vector of the six log outputs.
   */
  jacobianFn(nIn: number, nOut: number, f: (x: Float64Array, out: Float64Array, jac: Float64Array) => void): JacobianFn {
    if (!(Number.isInteger(nIn) && nIn > 0 && Number.isInteger(nOut) && nOut > 0)) throw new Error(`ad.jacobianFn: nIn and nOut must be positive integers, got ${nIn}, ${nOut}`);
    const call = ((x: Arg) => tapeOf([x], "jacobianFn").jacobianFn(call, x)) as JacobianFn;
    Object.assign(call, { nIn, nOut, fn: f, x: new Float64Array(nIn), out: new Float64Array(nOut), jac: new Float64Array(nIn * nOut) });
    return call;
  },
};

// ---------------------------------------------------------------------------------------------
// Whole-function helpers
// ---------------------------------------------------------------------------------------------

/**
 * Value and gradient of a scalar function of one vector, by reverse-mode autodiff:
 * `valueAndGrad((x) => ad.normal(x, 0, 1), [0.5, -1])` → [log density, gradient]. The tape is
 * kept between calls of the returned function.
 */
export function valueAndGradFn(dim: number, fn: (x: Vector) => Var | number): (x: ArrayLike<number>) => [number, Float64Array] {
  const tape = new Tape();
  const input = tape.input(0, dim) as Vector;
  return (x) => {
    if (x.length !== dim) throw new Error(`valueAndGradFn: expected ${dim} values, got ${x.length}`);
    tape.reset(dim);
    for (let i = 0; i < dim; i++) tape.val[i] = x[i];
    const out = fn(input);
    const grad = new Float64Array(dim);
    if (typeof out === "number") return [out, grad];
    tape.backward(out);
    for (let i = 0; i < dim; i++) grad[i] = tape.adj[i];
    return [out.value, grad];
  };
}
