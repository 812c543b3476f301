/**
 * Notebook 14's deep Q-network on the telescope-night environment: the DQN training step
 * (a minibatch of 64 transitions from the replay buffer, TD targets from the target network,
 * one Adam step on the Huber loss), and the whole training loop (8 nights stepped together,
 * acting ε-greedily with one batched forward pass per visit, two training steps per visit).
 */
import { DqnAgent, trainDqn } from "../../src/rl/dqn";
import { ReplayBuffer } from "../../src/rl/replay-buffer";
import { TelescopeNight } from "../../src/rl/telescope-night";
import { randomPolicy } from "../../src/rl/observing-policies";
import { Rng, seedEverything } from "../../src/random";
import { median, timeIt, Workload } from "../workload";

const HIDDEN = [64, 64];
const BATCH = 64;

/** A replay buffer filled by a random observer over `nights` nights. */
function filledBuffer(nights: number): ReplayBuffer {
  const env = new TelescopeNight();
  const buffer = new ReplayBuffer(nights * env.nSteps, env.observationSize, env.nActions);
  const rng = new Rng(5);
  for (let n = 0; n < nights; n++) {
    let obs = env.reset(n + 1);
    for (let t = 0; t < env.nSteps; t++) {
      const action = randomPolicy(env, obs, rng);
      const out = env.step(action);
      buffer.add({ state: obs, action, reward: out.reward, nextState: out.observation, terminal: out.terminated, nextMask: env.actionMask() });
      obs = out.observation;
    }
  }
  return buffer;
}

export const workloads: Workload[] = [
  {
    name: "dqn-train-step",
    description: `DQN training step: Q-network 53-${HIDDEN.join("-")}-8, batch ${BATCH} from replay, target network, Huber, Adam`,
    unit: "transitions/s",
    backends: ["wasm", "wasm-shipped", "cpu"],
    async run(ctx) {
      seedEverything(14);
      const env = new TelescopeNight();
      const agent = new DqnAgent({ stateSize: env.observationSize, nActions: env.nActions, hiddenUnits: HIDDEN });
      const buffer = filledBuffer(100);
      const rng = new Rng(6);
      const stepsPerSegment = 25;
      const segments = ctx.quick ? 4 : 20;
      const run = () => {
        for (let k = 0; k < stepsPerSegment; k++) agent.trainStep(buffer.sample(BATCH, rng));
      };
      run(); // warm-up: kernels and optimizer slots
      const rates: number[] = [];
      let seconds = 0;
      for (let s = 0; s < segments; s++) {
        const t = await timeIt(run);
        seconds += t;
        rates.push((stepsPerSegment * BATCH) / t);
      }
      agent.dispose();
      const med = median(rates);
      return {
        items: segments * stepsPerSegment * BATCH, seconds, throughput: med,
        note: `${((BATCH / med) * 1000).toFixed(2)} ms per training step (median of ${segments} segments of ${stepsPerSegment})`,
      };
    },
  },
  {
    name: "dqn-night-loop",
    description: "DQN training loop on telescope nights: 8 nights in parallel, 2 training steps per visit",
    unit: "visits/s",
    backends: ["wasm", "cpu"],
    async run(ctx) {
      seedEverything(14);
      const env = new TelescopeNight();
      const agent = new DqnAgent({ stateSize: env.observationSize, nActions: env.nActions, hiddenUnits: HIDDEN });
      const nights = ctx.quick ? 48 : 160;
      let transitions = 0;
      const seconds = await timeIt(() => {
        const result = trainDqn(agent, () => new TelescopeNight(), {
          trainSeeds: Array.from({ length: nights }, (_, i) => i + 1), parallel: 8, trainStepsPerStep: 2, warmupTransitions: 300,
        });
        transitions = result.transitions;
      });
      agent.dispose();
      return { items: transitions, seconds, note: `${nights} nights of ${env.nSteps} visits, warm-up 300 random visits` };
    },
  },
];
