import * as tf from "@tensorflow/tfjs";
import { adam, gradientDescent, momentum, type Optimiser } from "../src/optim/optimisers";
import { descend, lossSurfaceChart, quadraticValley, rosenbrock, surfaceGrid, type LossSurface } from "../src/optim/surfaces";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function finiteDifference(surface: LossSurface, p: number[], h = 1e-6): number[] {
  return p.map((_, i) => {
    const up = [...p];
    const down = [...p];
    up[i] += h;
    down[i] -= h;
    return (surface.value(up) - surface.value(down)) / (2 * h);
  });
}

describe("loss surfaces", () => {
  test("analytic gradients match central differences, and vanish at the stated minimum", () => {
    for (const surface of [rosenbrock(), rosenbrock({ c: 0.5, k: 100 }), quadraticValley({ curvatures: [2, 50], angleDeg: 40, centre: [1, -2] })]) {
      for (const p of [[-1.3, 2.1], [0.4, -0.7], [2, 3]]) {
        const g = surface.gradient(p);
        const fd = finiteDifference(surface, p);
        g.forEach((gi, i) => expect(gi).toBeCloseTo(fd[i], 4));
      }
      expect(surface.value(surface.minimum)).toBeCloseTo(0, 12);
      surface.gradient(surface.minimum).forEach((gi) => expect(Math.abs(gi)).toBeLessThan(1e-12));
    }
  });

  test("surfaceGrid rows follow y and columns follow x", () => {
    const s = rosenbrock();
    const g = surfaceGrid(s, [-2, 2], [-1, 3], 5, 3);
    expect(g.x).toEqual([-2, -1, 0, 1, 2]);
    expect(g.y).toEqual([-1, 1, 3]);
    expect(g.z).toHaveLength(3);
    expect(g.z[2][4]).toBeCloseTo(s.value([2, 3]), 12);
  });
});

describe("hand-written optimisers", () => {
  test("gradient descent on a quadratic contracts the error by |1 − η λ| per step along each axis", () => {
    const bowl = quadraticValley({ curvatures: [1, 10], angleDeg: 0 });
    const path = descend(bowl, gradientDescent({ learningRate: 0.05 }), [1, 1], { maxSteps: 3 });
    // u shrinks by 0.95 per step, v by 0.5
    expect(path.points[3][0]).toBeCloseTo(0.95 ** 3, 12);
    expect(path.points[3][1]).toBeCloseTo(0.5 ** 3, 12);
    const diverge = descend(bowl, gradientDescent({ learningRate: 0.25 }), [1, 1], { maxSteps: 50 });
    expect(diverge.losses[50]).toBeGreaterThan(1e10 * diverge.losses[0]);
  });

  test("the first Adam step moves every parameter by η, whatever the size of its gradient", () => {
    // m̂ = g and ŝ = g² after one step, so the step is η g/|g|.
    const opt = adam({ learningRate: 0.1 });
    const next = opt.step([0, 0, 0], [1e-3, -5, 200]);
    expect(next[0]).toBeCloseTo(-0.1, 5); // ε = 1e-8 matters only for tiny gradients
    expect(next[1]).toBeCloseTo(0.1, 6);
    expect(next[2]).toBeCloseTo(-0.1, 6);
  });

  test("momentum equals gradient descent with β = 0 and keeps a velocity otherwise", () => {
    const s = rosenbrock();
    const a = descend(s, momentum({ learningRate: 0.01, beta: 0 }), [-1.5, 2], { maxSteps: 20 });
    const b = descend(s, gradientDescent({ learningRate: 0.01 }), [-1.5, 2], { maxSteps: 20 });
    a.points.forEach((p, k) => p.forEach((v, i) => expect(v).toBeCloseTo(b.points[k][i], 12)));
    const m = momentum({ learningRate: 1, beta: 0.5 });
    expect(m.step([0], [1])).toEqual([-1]);
    expect(m.step([-1], [1])).toEqual([-2.5]); // v = 0.5·1 + 1
  });

  test("mismatched sizes and non-positive rates fail loudly", () => {
    expect(() => gradientDescent({ learningRate: 0.1 }).step([1, 2], [1])).toThrow(/2 parameters but 1/);
    expect(() => adam({ learningRate: 0 })).toThrow(/learning rate must be > 0/);
  });

  test("momentum and Adam reach Rosenbrock's minimum in fewer steps than gradient descent", () => {
    const s = rosenbrock();
    const start = [-1.5, 2];
    const opts = { maxSteps: 20000, tolerance: 0.01 };
    const gd = descend(s, gradientDescent({ learningRate: 0.01 }), start, opts);
    const mom = descend(s, momentum({ learningRate: 0.005, beta: 0.9 }), start, opts);
    const ad = descend(s, adam({ learningRate: 0.1 }), start, opts);
    expect(gd.stepsToMinimum).toBeLessThan(Infinity);
    expect(mom.stepsToMinimum).toBeLessThan(gd.stepsToMinimum / 3);
    expect(ad.stepsToMinimum).toBeLessThan(gd.stepsToMinimum / 3);
  });
});

/** The same surface written with tf ops, so tf.train optimisers can minimise it. */
function tfRosenbrock(p: tf.Variable, k = 10): tf.Scalar {
  const a = p.slice(0, 1);
  const b = p.slice(1, 1);
  return tf.scalar(1).sub(a).square().add(b.sub(a.square()).square().mul(k)).sum() as tf.Scalar;
}

function tfPath(optimizer: tf.Optimizer, start: number[], steps: number): number[][] {
  const p = tf.variable(tf.tensor1d(start));
  const points = [Array.from(p.dataSync())];
  for (let k = 0; k < steps; k++) {
    optimizer.minimize(() => tfRosenbrock(p));
    points.push(Array.from(p.dataSync()));
  }
  p.dispose();
  optimizer.dispose();
  return points;
}

describe("the hand-written optimisers follow tf.train's paths", () => {
  const start = [-1.5, 2];
  const steps = 100;
  const cases: Array<[string, Optimiser, tf.Optimizer]> = [
    ["sgd", gradientDescent({ learningRate: 0.01 }), tf.train.sgd(0.01)],
    ["momentum", momentum({ learningRate: 0.005, beta: 0.9 }), tf.train.momentum(0.005, 0.9)],
    ["adam", adam({ learningRate: 0.1, epsilon: 1e-7 }), tf.train.adam(0.1, 0.9, 0.999, 1e-7)],
  ];
  test.each(cases)("%s: same point after every one of 100 steps (float32 tolerance)", (_name, ours, theirs) => {
    const a = descend(rosenbrock(), ours, start, { maxSteps: steps }).points;
    const b = tfPath(theirs, start, steps);
    let worst = 0;
    for (let k = 0; k <= steps; k++) for (let i = 0; i < 2; i++) worst = Math.max(worst, Math.abs(a[k][i] - b[k][i]));
    expect(worst).toBeLessThan(1e-3);
  });
});

describe("lossSurfaceChart", () => {
  test("a contour of log10 loss, one line and one marker trace per path, the minimum and the start", () => {
    const s = rosenbrock();
    const path = descend(s, adam({ learningRate: 0.1 }), [-1.5, 2], { maxSteps: 30 });
    const fig = lossSurfaceChart(s, [{ name: "Adam", points: path.points }], { xRange: [-2, 2], yRange: [-1, 3], resolution: 11 });
    expect(fig.data.map((t) => t.type)).toEqual(["contour", "scatter", "scatter", "scatter", "scatter"]);
    const z = fig.data[0].z as number[][];
    expect(z).toHaveLength(11);
    expect(z[10][0]).toBeCloseTo(Math.log10(s.value([-2, 3])), 10);
    expect((fig.data[1].x as number[]).length).toBe(31);
    expect((fig.layout.xaxis as any).range).toEqual([-2, 2]);
  });
});

describe("flattenTensors / assignFlat", () => {
  test("round trip through a flat array keeps shapes and order, and leaks no tensors", async () => {
    const { flattenTensors, assignFlat } = await import("../src/optim/parameters");
    const a = tf.variable(tf.tensor2d([[1, 2, 3], [4, 5, 6]]));
    const b = tf.variable(tf.tensor1d([7, 8]));
    const flat = flattenTensors([a, b]);
    expect(flat).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const before = tf.memory().numTensors;
    assignFlat([a, b], flat.map((v) => -v));
    expect(tf.memory().numTensors).toBe(before);
    expect(a.arraySync()).toEqual([[-1, -2, -3], [-4, -5, -6]]);
    expect(Array.from(b.dataSync())).toEqual([-7, -8]);
    expect(() => assignFlat([a, b], [1, 2])).toThrow(/2 values for 8/);
    a.dispose();
    b.dispose();
  });
});
