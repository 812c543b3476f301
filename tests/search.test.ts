import { gridMatrix, gridPoints, gridValues, randomPoints, runSearch, searchProgress, type SearchDimension } from "../src/train/search";
import { Rng } from "../src/random";

const lr: SearchDimension = { name: "learningRate", min: 1e-4, max: 1e-1, log: true };
const l2: SearchDimension = { name: "l2", min: 0, max: 0.1 };

describe("search designs", () => {
  test("grid values are evenly spaced in log10 for log dimensions, linearly otherwise", () => {
    const v = gridValues(lr, 4);
    expect(v.map((x) => Math.log10(x))).toEqual([-4, -3, -2, -1].map((e) => expect.closeTo(e, 10)));
    expect(gridValues(l2, 3)).toEqual([0, 0.05, 0.1].map((e) => expect.closeTo(e, 12)));
    expect(() => gridValues({ name: "bad", min: 0, max: 1, log: true }, 3)).toThrow(/log scale needs min > 0/);
  });

  test("a grid has steps^dims points, each combination once", () => {
    const pts = gridPoints([lr, l2], 3);
    expect(pts).toHaveLength(9);
    expect(new Set(pts.map((p) => `${p.learningRate}|${p.l2}`)).size).toBe(9);
  });

  test("random points stay in the box, are repeatable, and are log-uniform on log dimensions", () => {
    const pts = randomPoints([lr, l2], 4000, 5);
    expect(randomPoints([lr, l2], 4000, 5)).toEqual(pts);
    for (const p of pts) {
      expect(p.learningRate).toBeGreaterThanOrEqual(1e-4);
      expect(p.learningRate).toBeLessThanOrEqual(1e-1);
      expect(p.l2).toBeGreaterThanOrEqual(0);
      expect(p.l2).toBeLessThanOrEqual(0.1);
    }
    // Log-uniform: each decade holds about a third of the points.
    const inFirstDecade = pts.filter((p) => p.learningRate < 1e-3).length / pts.length;
    expect(inFirstDecade).toBeGreaterThan(0.3);
    expect(inFirstDecade).toBeLessThan(0.37);
  });
});

describe("runSearch", () => {
  test("finds the minimum of a known function and skips diverged points", async () => {
    const f = (p: Record<string, number>) => (p.l2 > 0.09 ? NaN : (Math.log10(p.learningRate) + 2) ** 2 + p.l2);
    const run = await runSearch(gridPoints([lr, l2], 4), f);
    expect(run.results).toHaveLength(16);
    expect(run.best.point.learningRate).toBeCloseTo(1e-2, 8);
    expect(run.best.point.l2).toBe(0);
    await expect(runSearch([{ a: 1 }], () => NaN)).rejects.toThrow(/non-finite/);
  });

  test("Bergstra & Bengio: when one parameter matters, random beats a grid of equal cost most of the time", async () => {
    // Objective depends only on x, with its optimum between grid lines; y is irrelevant.
    const dims: SearchDimension[] = [{ name: "x", min: 0, max: 1 }, { name: "y", min: 0, max: 1 }];
    const f = (p: Record<string, number>) => (p.x - 0.37) ** 2;
    const grid = (await runSearch(gridPoints(dims, 3), f)).best.score;
    const rng = new Rng(1);
    let wins = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) if ((await runSearch(randomPoints(dims, 9, rng), f)).best.score < grid) wins++;
    expect(wins / trials).toBeGreaterThan(0.8);
  });

  test("gridMatrix lays results out with rows along y and columns along x", async () => {
    const run = await runSearch(gridPoints([lr, l2], 3), (p) => Math.log10(p.learningRate) * 10 + p.l2 * 100);
    const m = gridMatrix(run.results, "learningRate", "l2");
    expect(m.x).toHaveLength(3);
    expect(m.y).toEqual([0, 0.05, 0.1].map((e) => expect.closeTo(e, 12)));
    expect(m.z[2][0]).toBeCloseTo(-40 + 10, 8);
    expect(m.z[0][2]).toBeCloseTo(-10, 8);
  });
});

describe("searchProgress", () => {
  test("outside a notebook it prints the best score so far", async () => {
    const lines: string[] = [];
    const spy = jest.spyOn(console, "log").mockImplementation((s: string) => { lines.push(s); });
    await runSearch([{ a: 1 }, { a: 2 }, { a: 0.5 }], (p) => p.a, searchProgress("toy"));
    spy.mockRestore();
    expect(lines[lines.length - 1]).toMatch(/toy: point 3\/3 .* → 0\.5000 · best so far 0\.5000/);
  });
});
