/**
 * NUTS: gradient evaluations per second inside the sampler and the sampler's own cost per
 * leapfrog step (the gradient should dominate), plus the long eight-schools validation, whose
 * ESS per gradient evaluation is the sampler's efficiency figure. Pure JavaScript: the tfjs
 * backend does not matter, so it runs once ("cpu").
 */
import { measureOverhead, runValidation } from "../../src/bayes/validation";
import { Workload } from "../workload";

export const workloads: Workload[] = [
  ...[10, 100].map((dim): Workload => ({
    name: `nuts-gradients-${dim}d`,
    description: `NUTS on a ${dim}-d Gaussian (diag metric): gradient evals/s; note gives sampler overhead per leapfrog step`,
    unit: "grad evals/s",
    backends: ["cpu"],
    async run(ctx) {
      // Many short runs, fastest kept: a run that fits in one scheduler time slice measures the
      // sampler, not the other jobs on a shared machine (long runs there read 2–20× slower).
      const r = measureOverhead({ dim, iterations: 400, repeats: ctx.quick ? 10 : 40 });
      const seconds = 1 / r.gradEvalsPerSecond;
      return {
        items: 1, seconds, throughput: r.gradEvalsPerSecond,
        note: `per leapfrog ${r.perLeapfrogUs.toFixed(2)} µs, of which gradient ${r.gradientUs.toFixed(2)} µs, sampler ${r.overheadPerLeapfrogUs.toFixed(2)} µs`,
      };
    },
  })),
  {
    name: "nuts-eight-schools-validation",
    description: "eight schools (non-centred, centred) + 100-d Gaussian vs references; ESS per gradient",
    unit: "draws/s",
    backends: ["cpu"],
    async run(ctx) {
      const t0 = performance.now();
      const r = runValidation({ draws: ctx.quick ? 1000 : 5000, chains: 4 });
      const seconds = (performance.now() - t0) / 1000;
      for (const line of r.lines) console.log(line);
      const draws = (ctx.quick ? 1000 : 5000) * 4 * 2;
      return { items: draws, seconds, note: r.lines.filter((l) => /ESS|mu|tau/i.test(l)).slice(0, 2).join("; ") };
    },
  },
];
