/**
 * Gradient-based optimisers written out on plain arrays, as lesson 02 derives them: each one
 * turns the current parameters and the gradient of the loss there into new parameters.
 *
 * - Gradient descent: θ ← θ − η g.
 * - Momentum (Polyak 1964; the form of Rumelhart, Hinton & Williams 1986 and of tf.train.momentum):
 *   v ← β v + g,  θ ← θ − η v. The velocity v sums past gradients, so steps grow along a
 *   consistent downhill direction and cancel across a valley that the plain method zig-zags over.
 * - Adam (Kingma & Ba 2015, Algorithm 1): m ← β₁ m + (1 − β₁) g,  s ← β₂ s + (1 − β₂) g²,
 *   θ ← θ − η m̂ / (√ŝ + ε) with the bias-corrected m̂ = m / (1 − β₁ᵗ), ŝ = s / (1 − β₂ᵗ). Each
 *   parameter's step is scaled by its own recent gradient size, so it is ~η whatever the units.
 *
 * Each factory returns a fresh optimiser with its own state; make a new one to start again.
 * tests/optimisers.test.ts checks each path against tf.train.sgd / momentum / adam.
 */

/** One optimiser: new parameters from the current ones and the gradient there. */
export interface Optimiser {
  /** Name for legends, e.g. "Adam (η = 0.1)". */
  readonly name: string;
  step(params: readonly number[], gradient: readonly number[]): number[];
}

function checkSizes(params: readonly number[], gradient: readonly number[]): void {
  if (params.length !== gradient.length) throw new Error(`optimiser: ${params.length} parameters but ${gradient.length} gradient components`);
}

function checkRate(learningRate: number): void {
  if (!(learningRate > 0)) throw new Error(`optimiser: learning rate must be > 0, got ${learningRate}`);
}

/** Plain (full-batch) gradient descent: θ ← θ − η g. */
export function gradientDescent(options: { learningRate: number }): Optimiser {
  const eta = options.learningRate;
  checkRate(eta);
  return {
    name: `gradient descent (η = ${eta})`,
    step(params, gradient) {
      checkSizes(params, gradient);
      return params.map((p, i) => p - eta * gradient[i]);
    },
  };
}

/** Heavy-ball momentum: v ← β v + g, θ ← θ − η v (β = 0.9 by default). */
export function momentum(options: { learningRate: number; beta?: number }): Optimiser {
  const eta = options.learningRate;
  const beta = options.beta ?? 0.9;
  checkRate(eta);
  let velocity: number[] | undefined;
  return {
    name: `momentum (η = ${eta}, β = ${beta})`,
    step(params, gradient) {
      checkSizes(params, gradient);
      velocity = velocity ? velocity.map((v, i) => beta * v + gradient[i]) : [...gradient];
      const v = velocity;
      return params.map((p, i) => p - eta * v[i]);
    },
  };
}

/** Adam with bias correction; defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8 as in Kingma & Ba (2015). */
export function adam(options: { learningRate: number; beta1?: number; beta2?: number; epsilon?: number }): Optimiser {
  const eta = options.learningRate;
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const eps = options.epsilon ?? 1e-8;
  checkRate(eta);
  let m: number[] | undefined;
  let s: number[] | undefined;
  let t = 0;
  return {
    name: `Adam (η = ${eta})`,
    step(params, gradient) {
      checkSizes(params, gradient);
      t++;
      m = (m ?? gradient.map(() => 0)).map((mi, i) => beta1 * mi + (1 - beta1) * gradient[i]);
      s = (s ?? gradient.map(() => 0)).map((si, i) => beta2 * si + (1 - beta2) * gradient[i] ** 2);
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      const mm = m;
      const ss = s;
      return params.map((p, i) => p - (eta * (mm[i] / c1)) / (Math.sqrt(ss[i] / c2) + eps));
    },
  };
}
