/**
 * The smallest reinforcement-learning problem worth solving: a chain of five states and two
 * actions (the "NChain" game used in many introductions, and in the course's lecture notes).
 *
 *   state:   0 — 1 — 2 — 3 — 4
 *   action 0 "forward": move one step right, reward 0; in state 4 stay there and get 10.
 *   action 1 "back":    return to state 0 and get 2.
 *
 * With probability `slipProbability` the game does the other action (the original game
 * slips 20 % of the time). Going back pays at once; going forward pays only after four
 * unrewarded moves — the conflict between immediate and delayed reward that γ decides.
 *
 * Besides the game, this module gives the model itself (transition probabilities and mean
 * rewards) and value iteration on it, the exact answer tabular Q-learning should reach.
 */
import { Rng } from "../random";

export const CHAIN_ACTIONS = ["forward", "back"] as const;

export interface ChainGameOptions {
  /** Number of states in the chain (default 5). */
  nStates?: number;
  /** Probability that the other action is carried out (default 0: deterministic). */
  slipProbability?: number;
  /** Steps per episode; the episode is cut (truncated) after this many (default 50). */
  episodeSteps?: number;
  /** Reward for "forward" in the last state (default 10). */
  endReward?: number;
  /** Reward for "back" (default 2). */
  backReward?: number;
  seed?: number;
}

/** What `step` returns, named as in Gymnasium. */
export interface ChainStep {
  state: number;
  reward: number;
  /** Always false: the chain never ends by itself. */
  terminated: boolean;
  /** True when the episode was cut after `episodeSteps` steps. */
  truncated: boolean;
}

/** The model of the game: P[s][a][s'] and the mean reward R[s][a] of each state and action. */
export interface ChainModel {
  nStates: number;
  nActions: number;
  transition: number[][][];
  meanReward: number[][];
}

function resolve(options: ChainGameOptions): Required<Omit<ChainGameOptions, "seed">> {
  const o = {
    nStates: options.nStates ?? 5,
    slipProbability: options.slipProbability ?? 0,
    episodeSteps: options.episodeSteps ?? 50,
    endReward: options.endReward ?? 10,
    backReward: options.backReward ?? 2,
  };
  if (!Number.isInteger(o.nStates) || o.nStates < 2) {
    throw new Error(`ChainGame: nStates must be an integer >= 2, got ${o.nStates}`);
  }
  if (!(o.slipProbability >= 0 && o.slipProbability <= 1)) {
    throw new Error(`ChainGame: slipProbability must be in [0, 1], got ${o.slipProbability}`);
  }
  if (!Number.isInteger(o.episodeSteps) || o.episodeSteps < 1) {
    throw new Error(`ChainGame: episodeSteps must be a positive integer, got ${o.episodeSteps}`);
  }
  return o;
}

/** The chain game as an environment: `reset()` → state, `step(action)` → state, reward, done flags. */
export class ChainGame {
  readonly nStates: number;
  readonly nActions = 2;
  private readonly o: Required<Omit<ChainGameOptions, "seed">>;
  private rng: Rng;
  private s = 0;
  private t = 0;

  constructor(options: ChainGameOptions = {}) {
    this.o = resolve(options);
    this.nStates = this.o.nStates;
    this.rng = new Rng(options.seed ?? 0);
  }

  /** Starts an episode in state 0 (a seed restarts the slip generator). */
  reset(seed?: number): number {
    if (seed !== undefined) this.rng = new Rng(seed);
    this.s = 0;
    this.t = 0;
    return this.s;
  }

  step(action: number): ChainStep {
    if (action !== 0 && action !== 1) throw new Error(`ChainGame.step: action must be 0 (forward) or 1 (back), got ${action}`);
    const slipped = this.o.slipProbability > 0 && this.rng.random() < this.o.slipProbability;
    const done = slipped ? 1 - action : action;
    const { s, reward } = chainOutcome(this.s, done, this.o);
    this.s = s;
    this.t += 1;
    return { state: s, reward, terminated: false, truncated: this.t >= this.o.episodeSteps };
  }
}

function chainOutcome(s: number, action: number, o: Required<Omit<ChainGameOptions, "seed">>): { s: number; reward: number } {
  if (action === 1) return { s: 0, reward: o.backReward };
  if (s === o.nStates - 1) return { s, reward: o.endReward };
  return { s: s + 1, reward: 0 };
}

/** The exact model of the game (what value iteration needs and Q-learning never sees). */
export function chainModel(options: ChainGameOptions = {}): ChainModel {
  const o = resolve(options);
  const transition: number[][][] = [];
  const meanReward: number[][] = [];
  for (let s = 0; s < o.nStates; s++) {
    transition.push([]);
    meanReward.push([]);
    for (let a = 0; a < 2; a++) {
      const p = new Array(o.nStates).fill(0);
      let r = 0;
      for (const [done, prob] of [[a, 1 - o.slipProbability], [1 - a, o.slipProbability]]) {
        const out = chainOutcome(s, done, o);
        p[out.s] += prob;
        r += prob * out.reward;
      }
      transition[s].push(p);
      meanReward[s].push(r);
    }
  }
  return { nStates: o.nStates, nActions: 2, transition, meanReward };
}

export interface ValueIterationOptions {
  /** Stop when no Q value changes by more than this in a sweep (default 1e-10). */
  tolerance?: number;
  /** Give up after this many sweeps (default 10 000). */
  maxSweeps?: number;
}

export interface ValueIterationResult {
  /** Q[s][a] after the last sweep. */
  q: number[][];
  sweeps: number;
  converged: boolean;
  /** Largest |Q| after each sweep: flat when it converges, growing when γ = 1 has no fixed point. */
  maxAbsQ: number[];
}

/**
 * Value iteration on the Q function: applies the Bellman optimality operator
 * Q(s, a) ← R(s, a) + γ Σ_s' P(s' | s, a) max_a' Q(s', a') until nothing changes. For γ < 1 it
 * is a contraction with a unique fixed point Q*; for γ = 1 on a game that never ends the
 * values grow without bound.
 */
export function valueIteration(model: ChainModel, gamma: number, options: ValueIterationOptions = {}): ValueIterationResult {
  if (!(gamma >= 0 && gamma <= 1)) throw new Error(`valueIteration: gamma must be in [0, 1], got ${gamma}`);
  const tolerance = options.tolerance ?? 1e-10;
  const maxSweeps = options.maxSweeps ?? 10000;
  let q = model.meanReward.map((row) => row.map(() => 0));
  const maxAbsQ: number[] = [];
  for (let sweep = 1; sweep <= maxSweeps; sweep++) {
    const v = q.map((row) => Math.max(...row));
    const next = model.meanReward.map((row, s) =>
      row.map((r, a) => r + gamma * model.transition[s][a].reduce((acc, p, s2) => acc + p * v[s2], 0)),
    );
    const change = Math.max(...next.flatMap((row, s) => row.map((x, a) => Math.abs(x - q[s][a]))));
    q = next;
    maxAbsQ.push(Math.max(...q.flat().map(Math.abs)));
    if (change <= tolerance) return { q, sweeps: sweep, converged: true, maxAbsQ };
  }
  return { q, sweeps: maxSweeps, converged: false, maxAbsQ };
}

/** The greedy policy of a Q table: the best action's index in each state (ties go to the first). */
export function greedyPolicy(q: readonly (readonly number[])[]): number[] {
  return q.map((row) => row.indexOf(Math.max(...row)));
}

/** Largest absolute difference between two Q tables of the same shape. */
export function maxAbsDifference(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  if (a.length !== b.length) throw new Error(`maxAbsDifference: tables have ${a.length} and ${b.length} rows`);
  let m = 0;
  a.forEach((row, i) => {
    if (row.length !== b[i].length) throw new Error(`maxAbsDifference: row ${i} has ${row.length} and ${b[i].length} values`);
    row.forEach((x, j) => (m = Math.max(m, Math.abs(x - b[i][j]))));
  });
  return m;
}
