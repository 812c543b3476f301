/**
 * Small things every lesson notebook does: read quick mode, choose sizes by mode, and check its
 * headline result in code so that a lesson that stops teaching what it says fails CI.
 */

/** True when NN4ASTRO_QUICK is set to 1/true/yes (CI and `npm test` use this: smaller data, fewer epochs, same code). */
export function quickMode(): boolean {
  const v = (process.env.NN4ASTRO_QUICK ?? "").trim().toLowerCase();
  return v === "1" || v === "true" || v === "yes";
}

/** Picks the quick-mode or full-mode value: `const epochs = byMode({ quick: 5, full: 50 })`. */
export function byMode<T>(values: { quick: T; full: T }): T {
  return quickMode() ? values.quick : values.full;
}

/**
 * Asserts a lesson's headline result. Prints a tick and the claim when it holds; throws an
 * error with the claim and the measured value when it does not, so the notebook run fails.
 */
export function expectResult(holds: boolean, claim: string, measured?: string | number): void {
  const detail = measured === undefined ? "" : ` (measured: ${typeof measured === "number" ? +measured.toPrecision(4) : measured})`;
  if (!holds) throw new Error(`Lesson check failed: ${claim}${detail}`);
  console.log(`✓ ${claim}${detail}`);
}

/** Wall-clock timer for "this took N s" lines in notebooks. */
export function stopwatch(): () => number {
  const t0 = process.hrtime.bigint();
  return () => Number(process.hrtime.bigint() - t0) / 1e9;
}
