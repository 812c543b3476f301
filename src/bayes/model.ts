/**
 * Models for the NUTS sampler: a log density on an unconstrained vector θ ∈ R^dim together
 * with its gradient.
 *
 * Two ways to build one:
 * - by hand in plain JavaScript (fast, float64, but you write the gradient yourself;
 *   `checkGradient` compares it with finite differences);
 * - with TensorFlow.js autodiff (`modelFromTf`, or `Params.tfModel`): no hand-written
 *   gradient, but float32 arithmetic and ~50–500 µs of tfjs overhead per evaluation.
 *
 * `params()` declares named parameters with bounds (positive, interval, ...) and maps the
 * unconstrained θ the sampler moves in to the constrained values the model is written in,
 * adding the log-Jacobian of that map so that the sampled density is the intended one.
 */
import * as tf from "@tensorflow/tfjs";
import { Tape, type Scalar, type Var, type Vector } from "./autodiff";

/** What the sampler needs: a log density (up to a constant) and its gradient on R^dim. */
export interface Model {
  /** Number of unconstrained parameters. */
  dim: number;
  /** Names of the unconstrained parameters (default θ[0], θ[1], ...). */
  paramNames?: string[];
  /**
   * log p(θ) up to an additive constant, and ∂ log p / ∂θ. Return -Infinity (or NaN) outside
   * the support; the sampler then treats the trajectory as divergent. The returned gradient
   * may be a fresh array each call: the sampler copies it.
   */
  logDensityAndGrad(theta: Float64Array): [number, Float64Array];
  /** Names of the reported (constrained) quantities, in the order `constrainFlat` returns them. */
  constrainedNames?: string[];
  /** Maps θ to the constrained values reported in summaries and plots (default: θ itself). */
  constrainFlat?(theta: Float64Array): Float64Array;
}

/**
 * A model whose log density is a TensorFlow.js function; the gradient comes from
 * `tf.valueAndGrad`.
 *
 * Precision caveat: tfjs computes in float32 (about 7 significant digits). The sampler's
 * energy-error checks compare log densities, so a log density of magnitude 10^4 carries
 * rounding noise of ~10^-3 in the Hamiltonian: harmless for the acceptance test, but keep
 * log densities modest (e.g. drop constant terms) and do not expect float64-exact reproducibility
 * across backends (cpu vs wasm round differently).
 *
 * Every tensor created per call is disposed, so long runs do not leak memory.
 */
export function modelFromTf(dim: number, fn: (theta: tf.Tensor1D) => tf.Scalar, names?: string[]): Model {
  if (!(Number.isInteger(dim) && dim > 0)) throw new Error(`modelFromTf: dim must be a positive integer, got ${dim}`);
  if (names && names.length !== dim) throw new Error(`modelFromTf: ${names.length} names for ${dim} parameters`);
  const valueAndGrad = tf.valueAndGrad((theta: tf.Tensor) => fn(theta as tf.Tensor1D));
  return {
    dim,
    paramNames: names,
    logDensityAndGrad(theta: Float64Array): [number, Float64Array] {
      if (theta.length !== dim) throw new Error(`model expects ${dim} parameters, got ${theta.length}`);
      // tidy() frees the input and every intermediate; value and grad survive as its result.
      const out = tf.tidy(() => {
        const { value, grad } = valueAndGrad(tf.tensor1d(Float32Array.from(theta)));
        return [value, grad];
      });
      try {
        const value = out[0].dataSync()[0];
        const grad = Float64Array.from(out[1].dataSync());
        return [value, grad];
      } finally {
        out[0].dispose();
        out[1].dispose();
      }
    },
  };
}

/** Result of `checkGradient`. */
export interface GradientCheck {
  /** Largest |analytic − numeric| over the components. */
  maxAbsError: number;
  /** Largest |analytic − numeric| / max(1, |numeric|). */
  maxRelError: number;
  analytic: Float64Array;
  numeric: Float64Array;
  logDensity: number;
}

/** Options for `checkGradient`. */
export interface CheckGradientOptions {
  /** Central-difference step (default 1e-5; use ~1e-2 for float32 tfjs models). */
  step?: number;
}

/**
 * Compares a model's gradient with central finite differences at θ: the first thing to run
 * after writing a gradient by hand, since a wrong gradient makes NUTS silently biased.
 */
export function checkGradient(model: Model, theta: ArrayLike<number>, options: CheckGradientOptions = {}): GradientCheck {
  const h = options.step ?? 1e-5;
  const x = Float64Array.from(theta);
  const [logDensity, g] = model.logDensityAndGrad(Float64Array.from(x));
  const analytic = Float64Array.from(g);
  const numeric = new Float64Array(model.dim);
  let maxAbsError = 0;
  let maxRelError = 0;
  for (let i = 0; i < model.dim; i++) {
    const xi = x[i];
    x[i] = xi + h;
    const up = model.logDensityAndGrad(Float64Array.from(x))[0];
    x[i] = xi - h;
    const down = model.logDensityAndGrad(Float64Array.from(x))[0];
    x[i] = xi;
    numeric[i] = (up - down) / (2 * h);
    const err = Math.abs(analytic[i] - numeric[i]);
    maxAbsError = Math.max(maxAbsError, err);
    maxRelError = Math.max(maxRelError, err / Math.max(1, Math.abs(numeric[i])));
  }
  return { maxAbsError, maxRelError, analytic, numeric, logDensity };
}

// ---------------------------------------------------------------------------------------------
// Parameter transforms
// ---------------------------------------------------------------------------------------------

/** Constrained values by name: a number for a scalar parameter, a Float64Array for a vector. */
export type ParamValues = Record<string, number | Float64Array>;

/** The same names as autodiff variables: scalars become `Scalar`, vectors `Vector` (see `./autodiff`). */
export type AdParamValues<T> = { [K in keyof T]: T[K] extends number ? Scalar : Vector };

/** The same names as tfjs tensors: scalars become tf.Scalar, vectors tf.Tensor1D. */
export type TfParamValues<T> = { [K in keyof T]: T[K] extends number ? tf.Scalar : tf.Tensor1D };

/** How a block of parameters is constrained. */
export type ParamKind = "real" | "lower" | "upper" | "interval";

/** One declared parameter (scalar or vector). */
export interface ParamBlock {
  name: string;
  kind: ParamKind;
  /** null for a scalar, the length for a vector. */
  size: number | null;
  lower: number;
  upper: number;
  /** Index of the first element in θ. */
  offset: number;
}

/**
 * The log density of a `Params.model`, written on the constrained scale, with its gradient.
 *
 * One rule for scalars and vectors alike: `grad` holds zeros when the callback starts, and you
 * ADD each term's derivative into it — `grad.mu += ...`, `grad.theta[j] += ...`. (A plain
 * `grad.mu = ...` is allowed as the first write, but it discards anything added before it.)
 * `values` and `grad` are the same objects on every call, and their vectors are views into
 * buffers the model reuses: read them during the call, copy (`Float64Array.from`) anything
 * you want to keep. Not writing a gradient at all? Use `Params.autodiffModel`.
 */
export type ConstrainedLogDensity<T extends ParamValues> = (values: T, grad: T) => number;

function softplus(x: number): number {
  // log(1 + e^x) without overflow for large x or loss of precision for very negative x.
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

// eslint-disable-next-line @typescript-eslint/ban-types
type Empty = {};

/**
 * Declares named parameters and their constraints; then `model(fn)` (plain JS, hand-written
 * gradient) or `tfModel(fn)` (tfjs autodiff) turns a constrained-scale log density into a
 * `Model` on the unconstrained scale.
 *
 * Transforms (all smooth bijections onto R, as in Stan):
 * - `real`: x = u;
 * - `positive` / `lower(a)`: x = a + exp(u), log-Jacobian u;
 * - `upper(b)`: x = b − exp(u), log-Jacobian u;
 * - `interval(a, b)`: x = a + (b − a)·logistic(u), log-Jacobian log(b − a) + log σ(u) + log(1 − σ(u)).
 *
 * ```ts
 * const spec = params().real("mu").positive("tau").real("z", 8);
 * const model = spec.model((v, g) => {
 *   g.mu += -v.mu / 25;           // μ ~ N(0, 5)
 *   ...
 *   return -0.5 * (v.mu / 5) ** 2 + ...;
 * });
 * // or, with the gradient by automatic differentiation:
 * const same = spec.autodiffModel((v) => ad.sum([ad.normal(v.mu, 0, 5), ...]));
 * ```
 */
export class Params<T extends ParamValues = Empty> {
  private readonly blocks: ParamBlock[] = [];
  private size = 0;

  /** Unbounded parameter (scalar, or a vector when `size` is given). */
  real<N extends string>(name: N): Params<T & Record<N, number>>;
  real<N extends string>(name: N, size: number): Params<T & Record<N, Float64Array>>;
  real(name: string, size?: number): Params<ParamValues> {
    return this.add(name, "real", -Infinity, Infinity, size);
  }

  /** Parameter > 0 (log transform): scales, standard deviations, rates. */
  positive<N extends string>(name: N): Params<T & Record<N, number>>;
  positive<N extends string>(name: N, size: number): Params<T & Record<N, Float64Array>>;
  positive(name: string, size?: number): Params<ParamValues> {
    return this.add(name, "lower", 0, Infinity, size);
  }

  /** Parameter > lower. */
  lower<N extends string>(name: N, lower: number): Params<T & Record<N, number>>;
  lower<N extends string>(name: N, lower: number, size: number): Params<T & Record<N, Float64Array>>;
  lower(name: string, lower: number, size?: number): Params<ParamValues> {
    return this.add(name, "lower", lower, Infinity, size);
  }

  /** Parameter < upper. */
  upper<N extends string>(name: N, upper: number): Params<T & Record<N, number>>;
  upper<N extends string>(name: N, upper: number, size: number): Params<T & Record<N, Float64Array>>;
  upper(name: string, upper: number, size?: number): Params<ParamValues> {
    return this.add(name, "upper", -Infinity, upper, size);
  }

  /** Parameter in (lower, upper) (scaled logit transform): fractions, ages within a grid, ... */
  interval<N extends string>(name: N, lower: number, upper: number): Params<T & Record<N, number>>;
  interval<N extends string>(name: N, lower: number, upper: number, size: number): Params<T & Record<N, Float64Array>>;
  interval(name: string, lower: number, upper: number, size?: number): Params<ParamValues> {
    if (!(upper > lower)) throw new Error(`interval "${name}": need upper > lower, got (${lower}, ${upper})`);
    if (!Number.isFinite(lower) || !Number.isFinite(upper)) throw new Error(`interval "${name}": bounds must be finite (use lower/upper/positive for one-sided bounds)`);
    return this.add(name, "interval", lower, upper, size);
  }

  private add(name: string, kind: ParamKind, lower: number, upper: number, size?: number): Params<ParamValues> {
    if (this.blocks.some((b) => b.name === name)) throw new Error(`parameter "${name}" declared twice`);
    if (size !== undefined && !(Number.isInteger(size) && size > 0)) throw new Error(`parameter "${name}": size must be a positive integer, got ${size}`);
    if ((kind === "lower" && !Number.isFinite(lower)) || (kind === "upper" && !Number.isFinite(upper))) {
      throw new Error(`parameter "${name}": bound must be finite`);
    }
    this.blocks.push({ name, kind, size: size ?? null, lower, upper, offset: this.size });
    this.size += size ?? 1;
    return this as unknown as Params<ParamValues>;
  }

  /** Number of unconstrained parameters. */
  get dim(): number {
    return this.size;
  }

  /** The declared parameters, in θ order. */
  get declared(): readonly ParamBlock[] {
    return this.blocks;
  }

  /** Flat names of the constrained values: `mu`, `theta[0]`, `theta[1]`, ... */
  get names(): string[] {
    const out: string[] = [];
    for (const b of this.blocks) {
      if (b.size === null) out.push(b.name);
      else for (let i = 0; i < b.size; i++) out.push(`${b.name}[${i}]`);
    }
    return out;
  }

  /**
   * Flat names on the unconstrained scale, saying which transform was applied
   * (`log(tau)`, `logit(f)`), so plots of unconstrained draws are labelled honestly.
   */
  get unconstrainedNames(): string[] {
    const out: string[] = [];
    for (const b of this.blocks) {
      const wrap = (n: string) =>
        b.kind === "real" ? n : b.kind === "interval" ? `logit(${n})` : b.kind === "lower" && b.lower === 0 ? `log(${n})` : `log|${n}|`;
      if (b.size === null) out.push(wrap(b.name));
      else for (let i = 0; i < b.size; i++) out.push(wrap(`${b.name}[${i}]`));
    }
    return out;
  }

  /** Index in θ of a parameter's first element. */
  offset(name: string): number {
    const b = this.blocks.find((x) => x.name === name);
    if (!b) throw new Error(`no parameter "${name}" (declared: ${this.blocks.map((x) => x.name).join(", ")})`);
    return b.offset;
  }

  /**
   * Writes the constrained values of θ into `x`; when `jac`/`dlogJ` are given also the
   * derivatives dx/du and d(log-Jacobian)/du. Returns the log-Jacobian.
   */
  private transform(theta: ArrayLike<number>, x: Float64Array, jac?: Float64Array, dlogJ?: Float64Array): number {
    if (theta.length !== this.size) throw new Error(`expected ${this.size} unconstrained parameters, got ${theta.length}`);
    let logJ = 0;
    for (const b of this.blocks) {
      const n = b.size ?? 1;
      for (let i = b.offset; i < b.offset + n; i++) {
        const u = theta[i];
        switch (b.kind) {
          case "real":
            x[i] = u;
            if (jac) { jac[i] = 1; dlogJ![i] = 0; }
            break;
          case "lower": {
            const e = Math.exp(u);
            x[i] = b.lower + e;
            logJ += u;
            if (jac) { jac[i] = e; dlogJ![i] = 1; }
            break;
          }
          case "upper": {
            const e = Math.exp(u);
            x[i] = b.upper - e;
            logJ += u;
            if (jac) { jac[i] = -e; dlogJ![i] = 1; }
            break;
          }
          case "interval": {
            const width = b.upper - b.lower;
            const s = sigmoid(u);
            x[i] = b.lower + width * s;
            logJ += Math.log(width) - softplus(-u) - softplus(u);
            if (jac) { jac[i] = width * s * (1 - s); dlogJ![i] = 1 - 2 * s; }
            break;
          }
        }
      }
    }
    return logJ;
  }

  /** The log of |dx/dθ|, the density correction the unconstrained sampler needs. */
  logJacobian(theta: ArrayLike<number>): number {
    return this.transform(theta, new Float64Array(this.size));
  }

  /** Constrained values of θ as one flat vector, in the order of `names`. */
  constrainFlat(theta: ArrayLike<number>): Float64Array {
    const x = new Float64Array(this.size);
    this.transform(theta, x);
    return x;
  }

  /** Constrained values of θ by name (fresh arrays, safe to keep). */
  constrain(theta: ArrayLike<number>): T {
    const x = this.constrainFlat(theta);
    const out: ParamValues = {};
    for (const b of this.blocks) out[b.name] = b.size === null ? x[b.offset] : x.slice(b.offset, b.offset + b.size);
    return out as T;
  }

  /** The inverse map: constrained values by name → θ (for user-chosen initial values). */
  unconstrain(values: { [K in keyof T]: T[K] extends number ? number : ArrayLike<number> }): Float64Array {
    const theta = new Float64Array(this.size);
    const vals = values as Record<string, number | ArrayLike<number>>;
    for (const b of this.blocks) {
      const v = vals[b.name];
      if (v === undefined) throw new Error(`unconstrain: no value for "${b.name}"`);
      const n = b.size ?? 1;
      for (let i = 0; i < n; i++) {
        const xi = typeof v === "number" ? v : v[i];
        let u: number;
        if (b.kind === "real") u = xi;
        else if (b.kind === "lower") u = Math.log(xi - b.lower);
        else if (b.kind === "upper") u = Math.log(b.upper - xi);
        else {
          const f = (xi - b.lower) / (b.upper - b.lower);
          u = Math.log(f) - Math.log1p(-f);
        }
        if (!Number.isFinite(u)) throw new Error(`unconstrain: ${b.name}${b.size === null ? "" : `[${i}]`} = ${xi} is outside its bounds`);
        theta[b.offset + i] = u;
      }
    }
    return theta;
  }

  /**
   * A model from a log density written in plain JavaScript on the constrained scale, with its
   * gradient with respect to the constrained values (see `ConstrainedLogDensity`). The chain
   * rule through the transforms and the log-Jacobian are added here.
   */
  model(fn: ConstrainedLogDensity<T>): Model {
    const dim = this.size;
    if (dim === 0) throw new Error("params(): declare at least one parameter before building a model");
    const blocks = this.blocks.slice();
    const x = new Float64Array(dim);
    const gx = new Float64Array(dim);
    const jac = new Float64Array(dim);
    const dlogJ = new Float64Array(dim);
    const values: ParamValues = {};
    const grad: ParamValues = {};
    // Vector views are created once; scalars are re-set on every call.
    for (const b of blocks) {
      if (b.size !== null) {
        values[b.name] = x.subarray(b.offset, b.offset + b.size);
        grad[b.name] = gx.subarray(b.offset, b.offset + b.size);
      }
    }
    return {
      dim,
      paramNames: this.unconstrainedNames,
      constrainedNames: this.names,
      constrainFlat: (theta) => this.constrainFlat(theta),
      logDensityAndGrad: (theta: Float64Array): [number, Float64Array] => {
        const logJ = this.transform(theta, x, jac, dlogJ);
        gx.fill(0);
        for (const b of blocks) {
          if (b.size === null) {
            values[b.name] = x[b.offset];
            grad[b.name] = 0;
          }
        }
        const lp = fn(values as T, grad as T);
        for (const b of blocks) if (b.size === null) gx[b.offset] = grad[b.name] as number;
        const g = new Float64Array(dim);
        for (let i = 0; i < dim; i++) g[i] = gx[i] * jac[i] + dlogJ[i];
        return [lp + logJ, g];
      },
    };
  }

  /**
   * A model from a log density written as plain code with the `ad` operations (float64
   * reverse-mode automatic differentiation, `./autodiff`): no gradient lines. `values` holds
   * the constrained parameters as autodiff variables (`Scalar` or `Vector`); return the log
   * density (up to a constant) as a `Scalar` or a number. The transforms and their
   * log-Jacobian are added here, as for `model`.
   *
   * ```ts
   * const model = params().real("mu").positive("tau").real("z", 8).autodiffModel((v) => {
   *   const theta = v.tau.mul(v.z).add(v.mu);          // θ = μ + τ z
   *   return ad.sum([ad.normal(v.mu, 0, 5), ad.halfCauchy(v.tau, 5), ad.normal(v.z, 0, 1), ad.normal(y, theta, sigma)]);
   * });
   * ```
   *
   * Costs about 1.5–3× a hand-written gradient (see `npm run bench -- --only autodiff`). The
   * variables are valid only during the call; keep numbers (`x.value`, `x.values()`), not them.
   */
  autodiffModel(fn: (values: AdParamValues<T>) => Var | number): Model {
    const dim = this.size;
    if (dim === 0) throw new Error("params(): declare at least one parameter before building a model");
    const tape = new Tape();
    const x = new Float64Array(dim);
    const jac = new Float64Array(dim);
    const dlogJ = new Float64Array(dim);
    const values: Record<string, Var> = {};
    for (const b of this.blocks) values[b.name] = tape.input(b.offset, b.size ?? 1);
    return {
      dim,
      paramNames: this.unconstrainedNames,
      constrainedNames: this.names,
      constrainFlat: (theta) => this.constrainFlat(theta),
      logDensityAndGrad: (theta: Float64Array): [number, Float64Array] => {
        const logJ = this.transform(theta, x, jac, dlogJ);
        tape.reset(dim);
        tape.val.set(x);
        const out = fn(values as AdParamValues<T>);
        const g = new Float64Array(dim);
        if (typeof out === "number") {
          g.set(dlogJ);
          return [out + logJ, g];
        }
        if (out.length !== 1) throw new Error(`autodiffModel: the model returned a vector of length ${out.length}; return a scalar (e.g. ad.sum(...))`);
        const lp = out.value;
        // Outside the support the sampler rejects the point; no gradient is needed.
        if (!Number.isFinite(lp)) return [lp, g];
        tape.backward(out);
        const adj = tape.adj;
        for (let i = 0; i < dim; i++) g[i] = adj[i] * jac[i] + dlogJ[i];
        return [lp + logJ, g];
      },
    };
  }

  /**
   * A model from a log density written with tfjs operations on the constrained scale; the
   * transforms and log-Jacobian are tfjs operations too, so autodiff gives the whole gradient.
   * Same float32 caveat as `modelFromTf`.
   */
  tfModel(fn: (values: TfParamValues<T>) => tf.Scalar): Model {
    const dim = this.size;
    if (dim === 0) throw new Error("params(): declare at least one parameter before building a model");
    const blocks = this.blocks.slice();
    const model = modelFromTf(
      dim,
      (theta) => {
        const values: Record<string, tf.Tensor> = {};
        const logJ: tf.Scalar[] = [];
        for (const b of blocks) {
          const n = b.size ?? 1;
          const u = b.size === null ? theta.slice(b.offset, 1).reshape([]) : theta.slice(b.offset, n);
          if (b.kind === "real") values[b.name] = u;
          else if (b.kind === "lower") {
            values[b.name] = tf.exp(u).add(b.lower);
            logJ.push(tf.sum(u));
          } else if (b.kind === "upper") {
            values[b.name] = tf.scalar(b.upper).sub(tf.exp(u));
            logJ.push(tf.sum(u));
          } else {
            const width = b.upper - b.lower;
            values[b.name] = tf.sigmoid(u).mul(width).add(b.lower);
            // log σ(u) + log(1 − σ(u)) = −softplus(−u) − softplus(u), stable for large |u|.
            logJ.push(tf.sum(tf.softplus(tf.neg(u)).add(tf.softplus(u)).neg()).add(n * Math.log(width)));
          }
        }
        const lp = fn(values as TfParamValues<T>);
        return logJ.length ? (tf.addN([lp, ...logJ]) as tf.Scalar) : lp;
      },
      this.unconstrainedNames,
    );
    model.constrainedNames = this.names;
    model.constrainFlat = (theta) => this.constrainFlat(theta);
    return model;
  }
}

/** Starts a parameter declaration: `params().real("mu").positive("tau")...`. */
export function params(): Params {
  return new Params();
}
