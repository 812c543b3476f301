/**
 * Experience replay stores what it is given and forgets the oldest first; the DQN's targets are
 * the Bellman targets written out by hand; its Huber-loss step learns; and the whole machinery
 * (replay, target network, ε schedule) reaches value iteration's answer on the chain game.
 */
import * as tf from "@tensorflow/tfjs";
import { ReplayBuffer } from "../src/rl/replay-buffer";
import { DqnAgent, DiscreteEnvironment, linearEpsilon, maskedArgmax, trainDqn } from "../src/rl/dqn";
import { ChainGame, chainModel, greedyPolicy, valueIteration } from "../src/rl/chain-game";
import { Rng, seedEverything } from "../src/random";
import { setupBackend } from "../src/backend/select";

beforeAll(async () => {
  await setupBackend({ backend: "wasm", verbose: false });
});

function transition(i: number, stateSize = 3, nActions = 2) {
  return {
    state: Array.from({ length: stateSize }, (_, j) => i + j / 10),
    action: i % nActions,
    reward: i,
    nextState: Array.from({ length: stateSize }, (_, j) => -i - j / 10),
    terminal: i % 3 === 0,
    nextMask: Array.from({ length: nActions }, (_, a) => (a + i) % 2 === 0),
  };
}

describe("ReplayBuffer", () => {
  test("stores transitions exactly and hands them back in a batch", () => {
    const buf = new ReplayBuffer(10, 3, 2);
    buf.add(transition(4));
    const b = buf.sample(2, new Rng(1));
    for (let r = 0; r < 2; r++) {
      expect(Array.from(b.states.subarray(r * 3, r * 3 + 3))).toEqual([4, 4.1, 4.2].map(Math.fround));
      expect(Array.from(b.nextStates.subarray(r * 3, r * 3 + 3))).toEqual([-4, -4.1, -4.2].map(Math.fround));
      expect(Array.from(b.nextMasks.subarray(r * 2, r * 2 + 2))).toEqual([1, 0]);
    }
    expect(Array.from(b.actions)).toEqual([0, 0]);
    expect(Array.from(b.rewards)).toEqual([4, 4]);
    expect(Array.from(b.terminals)).toEqual([0, 0]);
  });

  test("a full buffer overwrites the oldest transitions first", () => {
    const buf = new ReplayBuffer(5, 3, 2);
    for (let i = 0; i < 12; i++) buf.add(transition(i));
    expect(buf.size).toBe(5);
    expect(buf.added).toBe(12);
    const seen = new Set(Array.from(buf.sample(500, new Rng(2)).rewards));
    expect([...seen].sort((a, b) => a - b)).toEqual([7, 8, 9, 10, 11]);
  });

  test("samples uniformly (chi-square over 20 slots) and reproducibly from a seed", () => {
    const buf = new ReplayBuffer(20, 3, 2);
    for (let i = 0; i < 20; i++) buf.add(transition(i));
    const n = 20000;
    const counts = new Array(20).fill(0);
    buf.sample(n, new Rng(3)).rewards.forEach((r) => counts[r]++);
    const expected = n / 20;
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(43.8); // 99.9th percentile of chi-square with 19 degrees of freedom
    expect(buf.sample(8, new Rng(4))).toEqual(buf.sample(8, new Rng(4)));
  });

  test("bad input is rejected with a message naming the problem", () => {
    expect(() => new ReplayBuffer(0, 3, 2)).toThrow(/capacity must be a positive integer, got 0/);
    const buf = new ReplayBuffer(4, 3, 2);
    expect(() => buf.sample(4, new Rng(1))).toThrow(/buffer is empty/);
    expect(() => buf.add({ ...transition(1), state: [1, 2] })).toThrow(/states must have 3 values/);
    expect(() => buf.add({ ...transition(1), action: 2 })).toThrow(/action must be an integer in 0..1, got 2/);
    expect(() => buf.add({ ...transition(1), reward: NaN })).toThrow(/reward must be finite/);
  });
});

describe("DQN pieces", () => {
  test("maskedArgmax ignores disallowed actions; linearEpsilon runs from start to end", () => {
    const q = [5, 1, 3, 0, 9, 2];
    expect(maskedArgmax(q, 3, 0)).toBe(0);
    expect(maskedArgmax(q, 3, 0, [false, true, true])).toBe(2);
    expect(maskedArgmax(q, 3, 1, [true, false, true])).toBe(2);
    expect(linearEpsilon(0, { start: 1, end: 0.1, decaySteps: 100 })).toBe(1);
    expect(linearEpsilon(50, { start: 1, end: 0.1, decaySteps: 100 })).toBeCloseTo(0.55, 12);
    expect(linearEpsilon(500, { start: 1, end: 0.1, decaySteps: 100 })).toBeCloseTo(0.1, 12);
  });

  test("TD targets are r + γ max over allowed a' of the target network, and just r at a terminal state", () => {
    seedEverything(3);
    const agent = new DqnAgent({ stateSize: 3, nActions: 2, hiddenUnits: [8], gamma: 0.9 });
    const buf = new ReplayBuffer(10, 3, 2);
    for (let i = 1; i <= 6; i++) buf.add(transition(i));
    const batch = buf.sample(6, new Rng(5));
    const y = agent.tdTargets(batch);
    const targets = y.dataSync();
    y.dispose();
    const qNext = tf.tidy(() => (agent.target.predict(tf.tensor2d(batch.nextStates, [6, 3])) as tf.Tensor).dataSync());
    for (let r = 0; r < 6; r++) {
      const allowed = [0, 1].filter((a) => batch.nextMasks[r * 2 + a] > 0).map((a) => qNext[r * 2 + a]);
      const expected = batch.rewards[r] + (batch.terminals[r] ? 0 : 0.9 * Math.max(...allowed));
      expect(targets[r]).toBeCloseTo(expected, 4);
    }
    agent.dispose();
  });

  test("repeated Huber-loss steps on one batch drive the loss down; the target network stays frozen until synced", () => {
    seedEverything(4);
    const agent = new DqnAgent({ stateSize: 3, nActions: 2, hiddenUnits: [16], gamma: 0.5, learningRate: 0.01 });
    const buf = new ReplayBuffer(32, 3, 2);
    for (let i = 0; i < 32; i++) buf.add({ ...transition(i % 8), reward: (i % 8) / 4, terminal: true });
    const batch = buf.sample(32, new Rng(6));
    const before = tf.tidy(() => (agent.target.predict(tf.ones([1, 3])) as tf.Tensor).dataSync());
    const first = agent.trainStep(batch);
    let last = first;
    for (let k = 0; k < 150; k++) last = agent.trainStep(batch);
    expect(last).toBeLessThan(0.1 * first);
    const after = tf.tidy(() => (agent.target.predict(tf.ones([1, 3])) as tf.Tensor).dataSync());
    expect(Array.from(after)).toEqual(Array.from(before));
    agent.syncTarget();
    const synced = tf.tidy(() => (agent.target.predict(tf.ones([1, 3])) as tf.Tensor).dataSync());
    const online = tf.tidy(() => (agent.online.predict(tf.ones([1, 3])) as tf.Tensor).dataSync());
    expect(Array.from(synced)).toEqual(Array.from(online));
    agent.dispose();
  });

  test("trained on the chain game (one-hot states), DQN finds value iteration's policy and Q values", () => {
    seedEverything(5);
    // The chain with a one-hot state vector; rewards scaled by 1/10 so Q stays O(1).
    class OneHotChain implements DiscreteEnvironment {
      readonly observationSize = 5;
      readonly nActions = 2;
      private game = new ChainGame({ episodeSteps: 20 });
      private oneHot(s: number) {
        const x = new Float32Array(5);
        x[s] = 1;
        return x;
      }
      reset(seed: number) {
        return this.oneHot(this.game.reset(seed));
      }
      step(a: number) {
        const out = this.game.step(a);
        return { observation: this.oneHot(out.state), reward: out.reward / 10, terminated: false, truncated: out.truncated };
      }
    }
    const gamma = 0.8;
    const agent = new DqnAgent({ stateSize: 5, nActions: 2, hiddenUnits: [32], gamma, learningRate: 3e-3 });
    trainDqn(agent, () => new OneHotChain(), {
      trainSeeds: Array.from({ length: 100 }, (_, i) => i), parallel: 4, warmupTransitions: 200, targetSyncSteps: 50,
      epsilon: { start: 1, end: 0.3, decaySteps: 1000 }, seed: 7,
    });
    const q = agent.qValues(tf.eye(5).dataSync() as Float32Array, 5);
    const learned = [0, 1, 2, 3, 4].map((s) => [q[2 * s], q[2 * s + 1]]);
    const exact = valueIteration(chainModel({ endReward: 1, backReward: 0.2 }), gamma).q;
    expect(greedyPolicy(learned)).toEqual(greedyPolicy(exact));
    learned.flat().forEach((v, i) => expect(Math.abs(v - exact.flat()[i])).toBeLessThan(0.25 * Math.max(...exact.flat())));
    agent.dispose();
  });
});

describe("chain game and value iteration", () => {
  test("value iteration gives the closed-form Q* of the deterministic chain (γ = 0.9)", () => {
    const { q, converged } = valueIteration(chainModel(), 0.9);
    expect(converged).toBe(true);
    // Forward forever from state 4 earns 10 per step: V(4) = 10 / (1 − γ) = 100, V(s) = γ^(4−s) × 100.
    for (let s = 0; s < 5; s++) expect(Math.max(...q[s])).toBeCloseTo(100 * 0.9 ** (4 - s), 8);
    expect(q[0][1]).toBeCloseTo(2 + 0.9 * 100 * 0.9 ** 4, 8);
    expect(greedyPolicy(q)).toEqual([0, 0, 0, 0, 0]);
  });

  test("γ = 0 is the immediate reward; γ = 1 has no fixed point (the values keep growing)", () => {
    const model = chainModel();
    const myopic = valueIteration(model, 0);
    expect(myopic.q).toEqual(model.meanReward);
    expect(greedyPolicy(myopic.q)).toEqual([1, 1, 1, 1, 0]);
    const farsighted = valueIteration(model, 1, { maxSweeps: 200 });
    expect(farsighted.converged).toBe(false);
    const growth = farsighted.maxAbsQ[199] - farsighted.maxAbsQ[99];
    expect(growth).toBeCloseTo(10 * 100, 6);
  });

  test("the slippery model's transition rows are probabilities, and the game follows them", () => {
    const model = chainModel({ slipProbability: 0.2 });
    model.transition.flat().forEach((row) => expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12));
    expect(model.meanReward[4][0]).toBeCloseTo(0.8 * 10 + 0.2 * 2, 12);
    const game = new ChainGame({ slipProbability: 0.2, seed: 3, episodeSteps: 100000 });
    game.reset();
    let back = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) if (game.step(0).state === 0) back++;
    expect(back / n).toBeCloseTo(0.2, 1);
    expect(() => game.step(2)).toThrow(/action must be 0 \(forward\) or 1 \(back\), got 2/);
  });
});
