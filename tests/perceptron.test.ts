import { Rng } from "../src/random";
import {
  LOGIC_GATES,
  bestLineAccuracy,
  boundaryLine,
  perceptronAccuracy,
  perceptronActivation,
  perceptronPredict,
  trainPerceptron,
} from "../src/nn/perceptron";
import { perceptronBoundaryChart } from "../src/nn/decision-boundary";
import { simulatePhotometry, colours } from "../src/sim/photometry";

/** Two classes on either side of the line x + 2y = 1, with every point at least `margin` from it. */
function separableCloud(n: number, margin: number, seed: number): { X: number[][]; y: number[] } {
  const rng = new Rng(seed);
  const X: number[][] = [];
  const y: number[] = [];
  const norm = Math.hypot(1, 2);
  while (X.length < n) {
    const p = [rng.uniform(-3, 3), rng.uniform(-3, 3)];
    const d = (p[0] + 2 * p[1] - 1) / norm;
    if (Math.abs(d) < margin) continue;
    X.push(p);
    y.push(d > 0 ? 1 : 0);
  }
  return { X, y };
}

describe("perceptron on separable data", () => {
  test("reaches zero training mistakes, within Novikoff's bound of (R/γ)² updates", () => {
    const margin = 0.2;
    const { X, y } = separableCloud(500, margin, 3);
    const fit = trainPerceptron(X, y, { maxEpochs: 1000 });
    expect(fit.converged).toBe(true);
    expect(fit.mistakesPerEpoch[fit.mistakesPerEpoch.length - 1]).toBe(0);
    expect(perceptronAccuracy(fit, X, y)).toBe(1);
    // Bound on augmented vectors (x, 1): the separator (1, 2, -1) has margin γ = min y·(w·x)/|w| over the data.
    const wStar = [1, 2, -1];
    const wNorm = Math.hypot(...wStar);
    const gamma = Math.min(...X.map((x, k) => ((2 * y[k] - 1) * (wStar[0] * x[0] + wStar[1] * x[1] + wStar[2])) / wNorm));
    const R = Math.max(...X.map((x) => Math.hypot(x[0], x[1], 1)));
    expect(gamma).toBeGreaterThan(0);
    expect(fit.updates).toBeLessThanOrEqual((R / gamma) ** 2);
  });

  test("with zero initial weights the learning rate only rescales w and b: same mistakes, same boundary", () => {
    const { X, y } = separableCloud(200, 0.1, 5);
    const a = trainPerceptron(X, y, { learningRate: 1 });
    const b = trainPerceptron(X, y, { learningRate: 0.01 });
    expect(b.mistakesPerEpoch).toEqual(a.mistakesPerEpoch);
    a.weights.forEach((w, j) => expect(b.weights[j]).toBeCloseTo(0.01 * w, 10));
    expect(b.bias).toBeCloseTo(0.01 * a.bias, 10);
  });

  test("the update rule is w += η (y − ŷ) x, b += η (y − ŷ), applied only on mistakes", () => {
    // One epoch over two points, by hand: start w = (0, 0), b = 0, η = 0.5.
    // (1, 2), y = 1: ŷ = 0 -> w = (0.5, 1), b = 0.5. (−1, −3), y = 0: a = −0.5 − 3 + 0.5 = −3 -> ŷ = 0, no change.
    const fit = trainPerceptron([[1, 2], [-1, -3]], [1, 0], { learningRate: 0.5, maxEpochs: 1, recordUpdates: true });
    expect(fit.weights).toEqual([0.5, 1]);
    expect(fit.bias).toBe(0.5);
    expect(fit.mistakesPerEpoch).toEqual([1]);
    expect(fit.snapshots.map((s) => s.update)).toEqual([0, 1]);
    expect(fit.snapshots[1].sample).toBe(0);
    expect(perceptronActivation(fit, [1, 2])).toBeCloseTo(3);
    expect(perceptronPredict(fit, [-1, -3])).toBe(0);
  });

  test("a seeded shuffle is repeatable", () => {
    const { X, y } = separableCloud(300, 0.05, 9);
    const a = trainPerceptron(X, y, { shuffle: new Rng(1) });
    const b = trainPerceptron(X, y, { shuffle: new Rng(1) });
    expect(b.weights).toEqual(a.weights);
    expect(b.mistakesPerEpoch).toEqual(a.mistakesPerEpoch);
  });
});

describe("perceptron on data that no line separates", () => {
  test("AND converges; XOR makes mistakes in every one of 1000 epochs", () => {
    const and = trainPerceptron(LOGIC_GATES.inputs, LOGIC_GATES.and, { maxEpochs: 100 });
    expect(and.converged).toBe(true);
    const xor = trainPerceptron(LOGIC_GATES.inputs, LOGIC_GATES.xor, { maxEpochs: 1000 });
    expect(xor.converged).toBe(false);
    expect(Math.min(...xor.mistakesPerEpoch)).toBeGreaterThan(0);
    // At most 3 of the 4 XOR rows can be right for any line.
    expect(Math.max(...xor.accuracyPerEpoch)).toBeLessThanOrEqual(0.75);
    expect(bestLineAccuracy(LOGIC_GATES.inputs, LOGIC_GATES.xor).accuracy).toBe(0.75);
  });

  test("the kept 'best' weights are at least as good as the last ones", () => {
    const rng = new Rng(4);
    const X = Array.from({ length: 400 }, () => [rng.normal(), rng.normal()]);
    const y = X.map(([a, b]) => (a + 0.5 * b + rng.normal(0, 0.7) > 0 ? 1 : 0));
    const fit = trainPerceptron(X, y, { maxEpochs: 30 });
    expect(fit.converged).toBe(false);
    expect(fit.best.accuracy).toBeGreaterThanOrEqual(perceptronAccuracy(fit, X, y));
    expect(fit.best.accuracy).toBeCloseTo(perceptronAccuracy(fit.best, X, y), 12);
    expect(fit.best.accuracy).toBeLessThanOrEqual(bestLineAccuracy(X, y).accuracy);
  });

  test("rejects labels other than 0/1 and ragged inputs with a clear message", () => {
    expect(() => trainPerceptron([[0, 1]], [-1])).toThrow(/needs 0 or 1/);
    expect(() => trainPerceptron([[0, 1], [1]], [0, 1])).toThrow(/example 1 has 1 features/);
  });
});

describe("bestLineAccuracy", () => {
  test("finds a perfect line for separable data and returns it as weights", () => {
    const { X, y } = separableCloud(300, 0.15, 11);
    const best = bestLineAccuracy(X, y, 720);
    expect(best.accuracy).toBe(1);
    expect(perceptronAccuracy(best.line, X, y)).toBe(1);
  });

  test("on the simulated UV-excess sample it is 1, and with hot stars added it is not", () => {
    const common = { nStars: 500, nQuasars: 500, seed: 1, redshiftRange: [0.3, 2.2] as [number, number], magRangeR: [15, 19.6] as [number, number], depthCut: { bands: ["i" as const], maxMagAB: 19.1 } };
    const cool = simulatePhotometry({ ...common, temperatureRangeK: [3000, 10000] });
    const c = colours(cool);
    const X = Array.from({ length: cool.n }, (_, k) => [c.ug[k], c.gr[k]]);
    expect(bestLineAccuracy(X, Array.from(cool.label)).accuracy).toBe(1);
    expect(trainPerceptron(X, Array.from(cool.label), { maxEpochs: 50 }).converged).toBe(true);
  });
});

describe("boundaryLine", () => {
  test("both end points lie on w·x + b = 0 and on the box edges", () => {
    const s = { weights: [1, 2], bias: -1 };
    const line = boundaryLine(s, [-3, 3], [-3, 3]);
    expect(line.x).toHaveLength(2);
    for (let k = 0; k < 2; k++) {
      expect(1 * line.x[k] + 2 * line.y[k] - 1).toBeCloseTo(0, 12);
      const onEdge = [Math.abs(line.x[k]) - 3, Math.abs(line.y[k]) - 3].some((d) => Math.abs(d) < 1e-12);
      expect(onEdge).toBe(true);
    }
  });

  test("vertical and horizontal boundaries, and a line that misses the box", () => {
    expect(boundaryLine({ weights: [1, 0], bias: -0.5 }, [0, 1], [0, 2])).toEqual({ x: [0.5, 0.5], y: [0, 2] });
    expect(boundaryLine({ weights: [0, 2], bias: -1 }, [0, 1], [0, 2])).toEqual({ x: [0, 1], y: [0.5, 0.5] });
    expect(boundaryLine({ weights: [1, 0], bias: -5 }, [0, 1], [0, 2])).toEqual({ x: [], y: [] });
    expect(boundaryLine({ weights: [0, 0], bias: 1 }, [0, 1], [0, 2])).toEqual({ x: [], y: [] });
  });
});

describe("perceptronBoundaryChart", () => {
  test("one slider step per snapshot, each restyling the boundary and the ringed example", () => {
    const { X, y } = separableCloud(100, 0.2, 2);
    const fit = trainPerceptron(X, y, { recordUpdates: true, initialWeights: [0.3, -1], initialBias: 0.2 });
    const fig = perceptronBoundaryChart(
      [{ x: X.map((p) => p[0]), y: X.map((p) => p[1]), name: "data" }],
      fit.snapshots,
      { xRange: [-3, 3], yRange: [-3, 3], ghosts: [0, 1], inputs: X },
    );
    const slider = (fig.layout.sliders as any[])[0];
    expect(slider.steps).toHaveLength(fit.snapshots.length);
    expect(slider.active).toBe(fit.snapshots.length - 1);
    // data trace, 2 ghosts, slider line, ringed example
    expect(fig.data).toHaveLength(5);
    const step = slider.steps[1];
    expect(step.method).toBe("restyle");
    expect(step.args[1]).toEqual([3, 4]);
    const s1 = fit.snapshots[1];
    expect(step.args[0].x[1]).toEqual([X[s1.sample][0]]);
    const [lx, ly] = [step.args[0].x[0], step.args[0].y[0]];
    expect(s1.weights[0] * lx[0] + s1.weights[1] * ly[0] + s1.bias).toBeCloseTo(0, 10);
    expect(() => perceptronBoundaryChart([], [], { xRange: [0, 1], yRange: [0, 1] })).toThrow(/recordUpdates/);
  });
});
