/**
 * Ways to choose the next field without learning anything — the baselines a learned scheduler
 * must beat — and a runner that plays many nights in lockstep so that a network policy needs
 * one batched forward pass per visit, not one per night.
 */
import { Rng } from "../random";
import { DqnAgent, maskedArgmax } from "./dqn";
import { TelescopeNight, VisitInfo } from "./telescope-night";

/** Picks a field for one environment. */
export type NightPolicy = (env: TelescopeNight, observation: Float32Array, rng: Rng) => number;

/** Picks fields for many environments at once (observations in the same order). */
export type BatchPolicy = (envs: TelescopeNight[], observations: Float32Array[]) => number[];

function observableFields(env: TelescopeNight): number[] {
  return env.actionMask().flatMap((ok, i) => (ok ? [i] : []));
}

/** Any field that is up, uniformly at random. */
export const randomPolicy: NightPolicy = (env, _obs, rng) => {
  const up = observableFields(env);
  return up.length ? rng.choice(up) : 0;
};

/** The field highest in the sky (lowest airmass) — the "best conditions now" rule. */
export const highestFieldPolicy: NightPolicy = (env) => {
  const status = env.fieldStatus();
  let best = 0;
  status.forEach((s, i) => {
    if (s.observable && (!status[best].observable || s.airmass < status[best].airmass)) best = i;
  });
  return best;
};

/**
 * Expected number of transients born during the last Δt hours that are still alive now, per
 * unit rate: ∫₀^Δt P(lifetime > τ) dτ for lifetimes uniform in [a, b].
 */
export function expectedAliveHours(deltaHours: number, lifetime: [number, number]): number {
  const [a, b] = lifetime;
  const survivalIntegral = (t: number) => {
    if (t <= a) return t;
    if (t >= b || b === a) return a + (b - a) / 2;
    return a + (t - a) - (t - a) ** 2 / (2 * (b - a));
  };
  return survivalIntegral(Math.max(0, deltaHours));
}

/**
 * What an experienced observer who knows the rates, lifetimes and brightness distribution of
 * the transients would do: observe the field with the most detections expected *now* =
 * rate × (transients born since the last visit still alive) × (fraction brighter than this
 * visit's limiting magnitude). Greedy in time: it never plans for a field about to set.
 * `ratesPerHour` are the rates the observer believes (default: the environment's true ones).
 */
export function observerHeuristic(ratesPerHour?: readonly number[]): NightPolicy {
  return (env) => {
    const o = env.options;
    const rates = ratesPerHour ?? o.fields.map((f) => f.transientRatePerHour);
    if (rates.length !== env.nFields) {
      throw new Error(`observerHeuristic: ${rates.length} rates given for ${env.nFields} fields`);
    }
    const [m1, m2] = o.transientMagRange;
    const status = env.fieldStatus();
    let best = 0;
    let bestScore = -Infinity;
    status.forEach((s, i) => {
      if (!s.observable) return;
      const detectable = Math.min(1, Math.max(0, (s.limitingMag - m1) / (m2 - m1)));
      const score = rates[i] * expectedAliveHours(s.hoursSinceVisit, o.transientLifetimeHours) * detectable;
      // Ties (e.g. overcast: nothing detectable anywhere) go to the field with the lowest airmass.
      if (score > bestScore + 1e-12 || (Math.abs(score - bestScore) <= 1e-12 && s.airmass < status[best].airmass)) {
        best = i;
        bestScore = score;
      }
    });
    return best;
  };
}

/** The observer heuristic with the environment's true rates. */
export const observerHeuristicPolicy: NightPolicy = observerHeuristic();

/** Adapts a one-night policy to a batch, with its own seeded generator. */
export function batchPolicy(policy: NightPolicy, seed = 0): BatchPolicy {
  const rng = new Rng(seed);
  return (envs, observations) => envs.map((env, i) => policy(env, observations[i], rng));
}

/** The agent's greedy policy (ε = 0, only observable fields), one forward pass for all nights. */
export function agentPolicy(agent: DqnAgent): BatchPolicy {
  return (envs, observations) => {
    const d = agent.stateSize;
    const states = new Float32Array(envs.length * d);
    observations.forEach((o, i) => states.set(o, i * d));
    const q = agent.qValues(states, envs.length);
    return envs.map((env, i) => maskedArgmax(q, agent.nActions, i, env.actionMask()));
  };
}

export interface NightsResult {
  /** Total reward (transients detected) of each night, in the order of the seeds. */
  returns: number[];
  /** The visits of each night. */
  histories: VisitInfo[][];
  /** Transients that were alive during each night (detected or not). */
  occurred: number[];
}

/** Plays one night per seed with `policy`, all nights in lockstep. */
export function runNights(makeEnv: () => TelescopeNight, seeds: number[], policy: BatchPolicy): NightsResult {
  const envs = seeds.map(() => makeEnv());
  let observations = envs.map((env, i) => env.reset(seeds[i]));
  const returns = new Array(seeds.length).fill(0);
  for (let t = 0; t < envs[0].nSteps; t++) {
    const actions = policy(envs, observations);
    observations = envs.map((env, i) => {
      const out = env.step(actions[i]);
      returns[i] += out.reward;
      return out.observation;
    });
  }
  return {
    returns,
    histories: envs.map((e) => e.history),
    occurred: envs.map((e) => e.transientCounts().reduce((a, c) => a + c.occurred, 0)),
  };
}
