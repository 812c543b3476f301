/**
 * Experience replay (Lin 1992; Mnih et al. 2013): a ring buffer of the agent's recent
 * transitions (s, a, r, s', done), from which training draws random minibatches. Consecutive
 * steps of one episode are strongly correlated; a random minibatch from thousands of steps of
 * many episodes is much closer to the independent samples gradient descent assumes, and every
 * transition is reused many times.
 *
 * Storage is flat typed arrays (no per-transition objects), so a batch goes straight into a
 * tensor.
 */
import { Rng } from "../random";

export interface Transition {
  state: ArrayLike<number>;
  action: number;
  reward: number;
  nextState: ArrayLike<number>;
  /** True when s' is terminal: nothing follows, so no bootstrapping from it. */
  terminal: boolean;
  /** Which actions are allowed in s' (all allowed if omitted). */
  nextMask?: ArrayLike<boolean | number>;
}

/** A minibatch, row-major: states[i * stateSize + j]. */
export interface ReplayBatch {
  batchSize: number;
  stateSize: number;
  nActions: number;
  states: Float32Array;
  actions: Int32Array;
  rewards: Float32Array;
  nextStates: Float32Array;
  /** 1 where s' is terminal, else 0. */
  terminals: Float32Array;
  /** 1 where the action is allowed in s', [batchSize × nActions]. */
  nextMasks: Float32Array;
}

export class ReplayBuffer {
  readonly capacity: number;
  readonly stateSize: number;
  readonly nActions: number;
  private readonly states: Float32Array;
  private readonly nextStates: Float32Array;
  private readonly actions: Int32Array;
  private readonly rewards: Float32Array;
  private readonly terminals: Float32Array;
  private readonly nextMasks: Float32Array;
  private next = 0;
  private count = 0;
  /** Transitions ever added (the buffer keeps the last `capacity`). */
  added = 0;

  constructor(capacity: number, stateSize: number, nActions: number) {
    for (const [name, v] of [["capacity", capacity], ["stateSize", stateSize], ["nActions", nActions]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`ReplayBuffer: ${name} must be a positive integer, got ${v}`);
    }
    this.capacity = capacity;
    this.stateSize = stateSize;
    this.nActions = nActions;
    this.states = new Float32Array(capacity * stateSize);
    this.nextStates = new Float32Array(capacity * stateSize);
    this.actions = new Int32Array(capacity);
    this.rewards = new Float32Array(capacity);
    this.terminals = new Float32Array(capacity);
    this.nextMasks = new Float32Array(capacity * nActions);
  }

  /** Number of transitions stored (at most `capacity`). */
  get size(): number {
    return this.count;
  }

  /** Stores a transition, overwriting the oldest once full. */
  add(t: Transition): void {
    if (t.state.length !== this.stateSize || t.nextState.length !== this.stateSize) {
      throw new Error(`ReplayBuffer.add: states must have ${this.stateSize} values, got ${t.state.length} and ${t.nextState.length}`);
    }
    if (!Number.isInteger(t.action) || t.action < 0 || t.action >= this.nActions) {
      throw new Error(`ReplayBuffer.add: action must be an integer in 0..${this.nActions - 1}, got ${t.action}`);
    }
    if (!Number.isFinite(t.reward)) throw new Error(`ReplayBuffer.add: reward must be finite, got ${t.reward}`);
    if (t.nextMask !== undefined && t.nextMask.length !== this.nActions) {
      throw new Error(`ReplayBuffer.add: nextMask must have ${this.nActions} entries, got ${t.nextMask.length}`);
    }
    const i = this.next;
    this.states.set(t.state as ArrayLike<number>, i * this.stateSize);
    this.nextStates.set(t.nextState as ArrayLike<number>, i * this.stateSize);
    this.actions[i] = t.action;
    this.rewards[i] = t.reward;
    this.terminals[i] = t.terminal ? 1 : 0;
    for (let a = 0; a < this.nActions; a++) this.nextMasks[i * this.nActions + a] = t.nextMask === undefined || t.nextMask[a] ? 1 : 0;
    this.next = (i + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
    this.added++;
  }

  /** A minibatch drawn uniformly with replacement from the stored transitions. */
  sample(batchSize: number, rng: Rng): ReplayBatch {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`ReplayBuffer.sample: batchSize must be a positive integer, got ${batchSize}`);
    if (this.count === 0) throw new Error("ReplayBuffer.sample: the buffer is empty; add transitions first");
    const d = this.stateSize;
    const k = this.nActions;
    const b: ReplayBatch = {
      batchSize, stateSize: d, nActions: k,
      states: new Float32Array(batchSize * d), actions: new Int32Array(batchSize), rewards: new Float32Array(batchSize),
      nextStates: new Float32Array(batchSize * d), terminals: new Float32Array(batchSize), nextMasks: new Float32Array(batchSize * k),
    };
    for (let r = 0; r < batchSize; r++) {
      const i = rng.integer(0, this.count);
      b.states.set(this.states.subarray(i * d, (i + 1) * d), r * d);
      b.nextStates.set(this.nextStates.subarray(i * d, (i + 1) * d), r * d);
      b.nextMasks.set(this.nextMasks.subarray(i * k, (i + 1) * k), r * k);
      b.actions[r] = this.actions[i];
      b.rewards[r] = this.rewards[i];
      b.terminals[r] = this.terminals[i];
    }
    return b;
  }
}
