/**
 * Float64 autodiff against hand-written gradients, and parallel against serial chains.
 *
 * - autodiff-eight-schools: µs per gradient of eight schools written with `ad` ops
 *   (`autodiffModel`) and by hand (`eightSchools()`), timed interleaved (A B A B ...) so
 *   that load from other processes hits both alike; the ratio is the figure of merit.
 * - autodiff-cluster-model: the same for notebook 13's hierarchical cluster model (24 stars,
 *   full-mode sizes, shipped emulator): `clusterModelAutodiff` vs `clusterModel(engine "js")`.
 * - nuts-parallel-chains: the cluster model sampled with 4 chains serially (`sampleNuts`) and
 *   on 2 worker threads (`sampleNutsParallel`), same seed and same draws; throughput is
 *   draws/s in parallel, the note gives both wall times and the speed-up.
 *
 * Pure JavaScript apart from loading the emulator: runs once ("cpu").
 */
import { join, resolve } from "path";
import { ad } from "../../src/bayes/autodiff";
import { params, type Model } from "../../src/bayes/model";
import { sampleNuts } from "../../src/bayes/nuts";
import { sampleNutsParallel } from "../../src/bayes/parallel";
import { EIGHT_SCHOOLS, eightSchools } from "../../src/bayes/validation";
import { clusterModelAutodiff } from "../../src/bayes/cluster-autodiff";
import { clusterGridSearch, clusterInit, clusterMetricGuess, clusterModel, emulatorGrid, isochroneMassReference } from "../../src/cluster/model";
import { simulateCluster } from "../../src/cluster/simulate";
import { solarCalibratedZ } from "../../src/stellar/hurley";
import { loadEmulator } from "../../src/emulator/io";
import { Rng } from "../../src/random";
import { median, Workload } from "../workload";

// Compiled to build/bench-js/bench/workloads/: the project root is four levels up.
const ROOT = resolve(__dirname, "..", "..", "..", "..");
const EMULATOR_DIR = join(ROOT, "data", "emulator");

/** µs per gradient of each model, measured in interleaved segments; medians. */
function interleaved(models: Model[], points: Float64Array[], segments: number, callsPerSegment: number): number[] {
  let sink = 0;
  const run = (m: Model, calls: number) => {
    for (let k = 0; k < calls; k++) sink += m.logDensityAndGrad(points[k % points.length])[0];
  };
  for (const m of models) run(m, callsPerSegment); // JIT warm-up
  const times = models.map(() => [] as number[]);
  for (let s = 0; s < segments; s++) {
    models.forEach((m, i) => {
      const t0 = performance.now();
      run(m, callsPerSegment);
      times[i].push(((performance.now() - t0) * 1000) / callsPerSegment);
    });
  }
  if (sink === 42) console.log("");
  return times.map(median);
}

function eightSchoolsAutodiff(): Model {
  const y = Float64Array.from(EIGHT_SCHOOLS.y);
  const sigma = Float64Array.from(EIGHT_SCHOOLS.sigma);
  return params().real("mu").positive("tau").real("theta_raw", 8).autodiffModel((v) => {
    const theta = ad.add(v.mu, ad.mul(v.tau, v.theta_raw));
    return ad.sum([ad.normal(v.mu, 0, 5), ad.halfCauchy(v.tau, 5), ad.normal(v.theta_raw, 0, 1), ad.normal(y, theta, sigma)]);
  });
}

/** Notebook 13's full-mode cluster: 12 main-sequence, 6 turn-off, 6 subgiant stars. */
async function notebookCluster() {
  const emulator = await loadEmulator(EMULATOR_DIR);
  const m67 = simulateCluster({ ageGyr: 4, Z: solarCalibratedZ(), counts: { MS: 12, TO: 6, SG: 6 }, seed: 67 });
  const stars = m67.stars;
  const modelError = { logTeff: 0.0015, logL: 0.003, logDeltaNu: 0.006, logNumax: 0.008 };
  const grid = emulatorGrid(emulator);
  const search = clusterGridSearch(grid, stars, { modelError });
  const reference = isochroneMassReference(emulator, stars, { ageGyr: search.ageGyr, mh: search.mh, modelError });
  const options = { reference, modelError };
  return { emulator, stars, grid, search, reference, modelError, options };
}

export const workloads: Workload[] = [
  {
    name: "autodiff-eight-schools",
    description: "eight schools: gradient by float64 autodiff vs hand-written (µs per gradient, interleaved)",
    unit: "autodiff grads/s",
    backends: ["cpu"],
    async run(ctx) {
      const rng = new Rng(1);
      const points = Array.from({ length: 64 }, () => rng.array(10, (r) => r.uniform(-2, 2)));
      const [hand, auto] = interleaved([eightSchools(), eightSchoolsAutodiff()], points, ctx.quick ? 9 : 25, 20000);
      return { items: 1, seconds: auto / 1e6, throughput: 1e6 / auto, note: `autodiff ${auto.toFixed(2)} µs, hand-written ${hand.toFixed(2)} µs per gradient: ${(auto / hand).toFixed(2)}×` };
    },
  },
  {
    name: "autodiff-cluster-model",
    description: "notebook 13's cluster model (24 stars, shipped emulator): autodiff vs hand-written float64 gradient",
    unit: "autodiff grads/s",
    backends: ["cpu"],
    async run(ctx) {
      const c = await notebookCluster();
      const hand = clusterModel(c.emulator, c.stars, { ...c.options, engine: "js" });
      const auto = clusterModelAutodiff(c.emulator, c.stars, c.options);
      const init = clusterInit(c.search, c.options);
      const points = Array.from({ length: 16 }, (_, k) => init(k, new Rng(k)));
      const [h, a] = interleaved([hand, auto], points, ctx.quick ? 5 : 15, 100);
      return { items: 1, seconds: a / 1e6, throughput: 1e6 / a, note: `autodiff ${(a / 1000).toFixed(3)} ms, hand-written ${(h / 1000).toFixed(3)} ms per gradient: ${(a / h).toFixed(2)}×` };
    },
  },
  {
    name: "nuts-parallel-chains",
    description: "notebook 13's cluster model, 4 chains: serial sampleNuts vs sampleNutsParallel on 2 workers (same draws)",
    unit: "draws/s",
    backends: ["cpu"],
    async run(ctx) {
      const c = await notebookCluster();
      const model = clusterModel(c.emulator, c.stars, { ...c.options, engine: "js" });
      const nuts = {
        chains: 4, warmup: ctx.quick ? 40 : 150, draws: ctx.quick ? 40 : 150, targetAccept: 0.95, seed: 2024,
        init: clusterInit(c.search, c.options), invMetric: clusterMetricGuess(c.grid, c.search, c.options),
      };
      const t0 = performance.now();
      const serial = sampleNuts(model, nuts);
      const serialS = (performance.now() - t0) / 1000;
      const par = await sampleNutsParallel(
        { module: join(ROOT, "dist", "index.js"), export: "clusterModelFromFiles", args: [{ stars: c.stars, options: c.options, emulatorDir: EMULATOR_DIR }] },
        { ...nuts, workers: 2 },
      );
      const parS = par.elapsedMs / 1000;
      const same = serial.draws.every((chain, k) => chain.every((col, i) => col.every((v, j) => v === par.draws[k][i][j])));
      const draws = nuts.chains * nuts.draws;
      return {
        items: draws, seconds: parS,
        note: `serial ${serialS.toFixed(1)} s, 2 workers ${parS.toFixed(1)} s: ×${(serialS / parS).toFixed(2)}; ${serial.totalGradEvals} gradients; identical draws: ${same}`,
      };
    },
  },
];
