/**
 * Weather as a Markov chain: the sky tomorrow-in-twenty-minutes depends only on the sky now.
 * Clouds come in spells, which a chain with large diagonal probabilities reproduces; its
 * stationary distribution is the long-run fraction of time in each state.
 */
import { Rng } from "../random";

export interface WeatherModel {
  /** Names of the states, e.g. ["clear", "thin cloud", "overcast"]. */
  states: string[];
  /** Fraction of starlight that gets through in each state (0 = dome closed). */
  transmission: number[];
  /** transition[i][j] = P(next = j | now = i), per step of the environment. */
  transition: number[][];
}

/** A La Palma-like sky per 20-minute step: mostly clear, cloudy spells lasting an hour or two. */
export const DEFAULT_WEATHER: WeatherModel = {
  states: ["clear", "thin cloud", "overcast"],
  transmission: [1, 0.4, 0],
  transition: [
    [0.94, 0.05, 0.01],
    [0.15, 0.75, 0.1],
    [0.04, 0.16, 0.8],
  ],
};

/** Checks a weather model and throws a message naming what is wrong. */
export function checkWeatherModel(model: WeatherModel): void {
  const n = model.states.length;
  if (n === 0) throw new Error("weather model: no states");
  if (model.transmission.length !== n) throw new Error(`weather model: ${n} states but ${model.transmission.length} transmissions`);
  if (model.transition.length !== n) throw new Error(`weather model: ${n} states but ${model.transition.length} transition rows`);
  model.transition.forEach((row, i) => {
    const sum = row.reduce((a, b) => a + b, 0);
    if (row.length !== n || row.some((p) => !(p >= 0)) || Math.abs(sum - 1) > 1e-9) {
      throw new Error(`weather model: transition row ${i} (${model.states[i]}) must be ${n} probabilities summing to 1, got [${row.join(", ")}]`);
    }
  });
}

/**
 * Stationary distribution π of a transition matrix (π P = π, Σ π = 1), by power iteration:
 * the long-run fraction of steps the chain spends in each state.
 */
export function stationaryDistribution(transition: number[][], tolerance = 1e-13): number[] {
  const n = transition.length;
  let pi = new Array(n).fill(1 / n);
  for (let it = 0; it < 100000; it++) {
    const next = new Array(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) next[j] += pi[i] * transition[i][j];
    const change = Math.max(...next.map((p, j) => Math.abs(p - pi[j])));
    pi = next;
    if (change < tolerance) break;
  }
  return pi;
}

/** Draws a state index from a discrete distribution. */
export function drawIndex(probabilities: readonly number[], rng: Rng): number {
  let u = rng.random();
  for (let i = 0; i < probabilities.length - 1; i++) {
    u -= probabilities[i];
    if (u < 0) return i;
  }
  return probabilities.length - 1;
}

/** A weather sequence of `nSteps` states, starting from the stationary distribution. */
export function simulateWeather(model: WeatherModel, nSteps: number, rng: Rng): number[] {
  checkWeatherModel(model);
  const out: number[] = [];
  let s = drawIndex(stationaryDistribution(model.transition), rng);
  for (let t = 0; t < nSteps; t++) {
    out.push(s);
    s = drawIndex(model.transition[s], rng);
  }
  return out;
}
