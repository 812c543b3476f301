/**
 * Deep Q-learning (Mnih et al. 2013, 2015) for environments with a state vector and a few
 * discrete actions: a small MLP Q-network, a target network copied from it every so often,
 * experience replay, an ε-greedy schedule and the Huber loss on the temporal-difference error.
 *
 * The update for a minibatch of transitions (s, a, r, s', done) is one gradient step on
 *   L = mean Huber( y − Q(s, a; θ) ),   y = r + γ (1 − done) max_{a' allowed} Q(s', a'; θ⁻),
 * with θ⁻ the target network's weights, frozen between copies so the target does not chase
 * the prediction.
 *
 * Speed: the agent acts for many environments at once (one batched forward pass per step of
 * all of them) and trains on minibatches, never one sample at a time.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../random";
import { ReplayBatch, ReplayBuffer } from "./replay-buffer";

/** What the trainer needs from an environment (TelescopeNight has it). */
export interface DiscreteEnvironment {
  readonly observationSize: number;
  readonly nActions: number;
  reset(seed: number): Float32Array;
  step(action: number): { observation: Float32Array; reward: number; terminated: boolean; truncated: boolean };
  /** Allowed actions now; all allowed when absent. */
  actionMask?(): boolean[];
}

/** A small fully connected Q-network: state → one Q value per action (linear output). */
export function buildQNetwork(stateSize: number, nActions: number, hiddenUnits: readonly number[] = [64, 64]): tf.Sequential {
  if (!Number.isInteger(stateSize) || stateSize < 1) throw new Error(`buildQNetwork: stateSize must be a positive integer, got ${stateSize}`);
  if (!Number.isInteger(nActions) || nActions < 1) throw new Error(`buildQNetwork: nActions must be a positive integer, got ${nActions}`);
  const model = tf.sequential();
  hiddenUnits.forEach((units, i) =>
    model.add(tf.layers.dense({ units, activation: "relu", ...(i === 0 ? { inputShape: [stateSize] } : {}) })),
  );
  model.add(tf.layers.dense({ units: nActions, ...(hiddenUnits.length === 0 ? { inputShape: [stateSize] } : {}) }));
  return model;
}

export interface DqnAgentOptions {
  stateSize: number;
  nActions: number;
  hiddenUnits?: number[];
  /** Discount factor per step (default 0.95). */
  gamma?: number;
  /** Adam learning rate (default 1e-3). */
  learningRate?: number;
  /** Huber loss: quadratic below δ, linear above (default 1). */
  huberDelta?: number;
}

/** Index of the largest allowed value in row `r` of a row-major [n × k] array (first allowed if all are -∞). */
export function maskedArgmax(values: ArrayLike<number>, k: number, r: number, mask?: ArrayLike<boolean | number>): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let a = 0; a < k; a++) {
    if (mask && !mask[a]) continue;
    if (best < 0 || values[r * k + a] > bestValue) {
      best = a;
      bestValue = values[r * k + a];
    }
  }
  return best < 0 ? 0 : best;
}

export class DqnAgent {
  readonly online: tf.Sequential;
  readonly target: tf.Sequential;
  readonly gamma: number;
  readonly huberDelta: number;
  readonly stateSize: number;
  readonly nActions: number;
  private readonly optimizer: tf.Optimizer;
  /** Gradient steps taken so far. */
  trainSteps = 0;

  constructor(options: DqnAgentOptions) {
    this.stateSize = options.stateSize;
    this.nActions = options.nActions;
    this.gamma = options.gamma ?? 0.95;
    if (!(this.gamma >= 0 && this.gamma <= 1)) throw new Error(`DqnAgent: gamma must be in [0, 1], got ${this.gamma}`);
    this.huberDelta = options.huberDelta ?? 1;
    this.online = buildQNetwork(this.stateSize, this.nActions, options.hiddenUnits);
    this.target = buildQNetwork(this.stateSize, this.nActions, options.hiddenUnits);
    this.optimizer = tf.train.adam(options.learningRate ?? 1e-3);
    this.syncTarget();
  }

  /** Q values of n states (row-major [n × stateSize]) from the online network: [n × nActions]. */
  qValues(states: Float32Array, n: number): Float32Array {
    return tf.tidy(() => (this.online.predict(tf.tensor2d(states, [n, this.stateSize])) as tf.Tensor).dataSync() as Float32Array);
  }

  /** ε-greedy actions for n states at once; masks[i] lists the allowed actions of state i. */
  act(states: Float32Array, n: number, epsilon: number, rng: Rng, masks?: boolean[][]): number[] {
    const q = epsilon >= 1 ? null : this.qValues(states, n);
    const actions: number[] = [];
    for (let i = 0; i < n; i++) {
      const mask = masks?.[i];
      if (q === null || rng.random() < epsilon) {
        const allowed = mask ? mask.flatMap((ok, a) => (ok ? [a] : [])) : [];
        actions.push(allowed.length ? rng.choice(allowed) : rng.integer(0, this.nActions));
      } else {
        actions.push(maskedArgmax(q, this.nActions, i, mask));
      }
    }
    return actions;
  }

  /** The TD targets y = r + γ (1 − done) max_{a' allowed} Q_target(s', a') of a batch. */
  tdTargets(batch: ReplayBatch): tf.Tensor1D {
    return tf.tidy(() => {
      const qNext = this.target.predict(tf.tensor2d(batch.nextStates, [batch.batchSize, this.stateSize])) as tf.Tensor2D;
      const mask = tf.tensor2d(batch.nextMasks, [batch.batchSize, this.nActions]);
      // Disallowed actions get a very low value; a state with nothing allowed is terminal anyway.
      const best = tf.max(tf.where(tf.greater(mask, 0), qNext, tf.fill(qNext.shape, -1e9)), 1);
      const live = tf.sub(1, tf.tensor1d(batch.terminals));
      const bootstrap = tf.mul(tf.mul(live, tf.greater(tf.sum(mask, 1), 0).toFloat()), best);
      return tf.add(tf.tensor1d(batch.rewards), tf.mul(this.gamma, bootstrap)) as tf.Tensor1D;
    });
  }

  /** One gradient step on the Huber loss of a minibatch; returns the loss. */
  trainStep(batch: ReplayBatch): number {
    const loss = tf.tidy(() => {
      const y = this.tdTargets(batch);
      const s = tf.tensor2d(batch.states, [batch.batchSize, this.stateSize]);
      const chosen = tf.oneHot(tf.tensor1d(batch.actions, "int32"), this.nActions);
      return this.optimizer.minimize(() => {
        const q = this.online.apply(s, { training: true }) as tf.Tensor2D;
        const qTaken = tf.sum(tf.mul(q, chosen), 1);
        return tf.losses.huberLoss(y, qTaken, undefined, this.huberDelta) as tf.Scalar;
      }, true) as tf.Scalar;
    });
    const value = loss.dataSync()[0];
    loss.dispose();
    this.trainSteps++;
    return value;
  }

  /** Copies the online network's weights into the target network. */
  syncTarget(): void {
    this.target.setWeights(this.online.getWeights());
  }

  dispose(): void {
    this.online.dispose();
    this.target.dispose();
    this.optimizer.dispose();
  }
}

/** ε for exploration: linear from `start` to `end` over `decaySteps` environment steps, then flat. */
export function linearEpsilon(step: number, schedule: { start: number; end: number; decaySteps: number }): number {
  if (schedule.decaySteps <= 0) return schedule.end;
  const f = Math.min(1, step / schedule.decaySteps);
  return schedule.start + f * (schedule.end - schedule.start);
}

export interface DqnTrainingOptions {
  /** Environment seeds, one per training episode (nights never used for evaluation). */
  trainSeeds: number[];
  /** Environments stepped together (one batched forward pass per step, default 8). */
  parallel?: number;
  bufferCapacity?: number;
  batchSize?: number;
  /** Transitions collected (with random actions) before the first gradient step (default 1000). */
  warmupTransitions?: number;
  /** Gradient steps per parallel environment step (default 1). */
  trainStepsPerStep?: number;
  /** Copy online → target every this many gradient steps (default 200). */
  targetSyncSteps?: number;
  /** ε schedule over environment transitions (default 1 → 0.05 over 60 % of all transitions). */
  epsilon?: { start: number; end: number; decaySteps: number };
  /** Seed for exploration and minibatch sampling. */
  seed?: number;
  /** Called after each finished episode. */
  onEpisode?: (episode: number, episodeReturn: number, epsilon: number) => void;
}

export interface DqnTrainingResult {
  episodeReturns: number[];
  /** Mean Huber loss per finished episode (NaN before training starts). */
  episodeLosses: number[];
  transitions: number;
  trainSteps: number;
  seconds: number;
}

/** Trains `agent` on episodes of environments made by `makeEnv`, one episode per training seed. */
export function trainDqn(agent: DqnAgent, makeEnv: () => DiscreteEnvironment, options: DqnTrainingOptions): DqnTrainingResult {
  const t0 = Date.now();
  const seeds = [...options.trainSeeds];
  if (seeds.length === 0) throw new Error("trainDqn: trainSeeds is empty");
  const parallel = Math.min(options.parallel ?? 8, seeds.length);
  const envs = Array.from({ length: parallel }, makeEnv);
  const d = envs[0].observationSize;
  if (d !== agent.stateSize || envs[0].nActions !== agent.nActions) {
    throw new Error(`trainDqn: the agent expects ${agent.stateSize} inputs and ${agent.nActions} actions, the environment has ${d} and ${envs[0].nActions}`);
  }
  const rng = new Rng(options.seed ?? 1);
  const batchSize = options.batchSize ?? 64;
  const warmup = options.warmupTransitions ?? 1000;
  const perStep = options.trainStepsPerStep ?? 1;
  const syncEvery = options.targetSyncSteps ?? 200;
  const buffer = new ReplayBuffer(options.bufferCapacity ?? 50000, d, agent.nActions);
  // Rough total transition count for the default schedule: episode length from a first reset.
  const probe = makeEnv();
  probe.reset(seeds[0]);
  let episodeLength = 0;
  for (let done = false; !done; episodeLength++) {
    const r = probe.step(probe.actionMask ? Math.max(0, probe.actionMask().indexOf(true)) : 0);
    done = r.terminated || r.truncated;
  }
  const schedule = options.epsilon ?? { start: 1, end: 0.05, decaySteps: Math.round(0.6 * seeds.length * episodeLength) };

  let nextSeed = 0;
  const obs: Float32Array[] = [];
  const returns = new Array(parallel).fill(0);
  const active = new Array(parallel).fill(true);
  for (let e = 0; e < parallel; e++) obs.push(envs[e].reset(seeds[nextSeed++]));
  const episodeReturns: number[] = [];
  const episodeLosses: number[] = [];
  let lossSum = 0;
  let lossCount = 0;
  let transitions = 0;

  while (active.some(Boolean)) {
    const idx = active.flatMap((a, e) => (a ? [e] : []));
    const states = new Float32Array(idx.length * d);
    idx.forEach((e, r) => states.set(obs[e], r * d));
    const masks = idx.map((e) => envs[e].actionMask?.() ?? new Array(agent.nActions).fill(true));
    const eps = buffer.size < warmup ? 1 : linearEpsilon(transitions, schedule);
    const actions = agent.act(states, idx.length, eps, rng, masks);
    idx.forEach((e, r) => {
      const out = envs[e].step(actions[r]);
      const done = out.terminated || out.truncated;
      buffer.add({
        state: obs[e], action: actions[r], reward: out.reward, nextState: out.observation,
        terminal: out.terminated, nextMask: done ? undefined : envs[e].actionMask?.(),
      });
      transitions++;
      returns[e] += out.reward;
      obs[e] = out.observation;
      if (done) {
        episodeReturns.push(returns[e]);
        episodeLosses.push(lossCount ? lossSum / lossCount : NaN);
        lossSum = 0;
        lossCount = 0;
        options.onEpisode?.(episodeReturns.length, returns[e], eps);
        returns[e] = 0;
        if (nextSeed < seeds.length) obs[e] = envs[e].reset(seeds[nextSeed++]);
        else active[e] = false;
      }
    });
    if (buffer.size >= warmup) {
      for (let k = 0; k < perStep; k++) {
        lossSum += agent.trainStep(buffer.sample(batchSize, rng));
        lossCount++;
        if (agent.trainSteps % syncEvery === 0) agent.syncTarget();
      }
    }
  }
  return { episodeReturns, episodeLosses, transitions, trainSteps: agent.trainSteps, seconds: (Date.now() - t0) / 1000 };
}
