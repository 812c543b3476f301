import { notebookDisplay } from "../plot/render";

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
 * True when a failed lesson check must stop the run: under the notebook runner (which sets
 * NN4ASTRO_STRICT=1 in its kernels), in CI (CI=true), or when NN4ASTRO_STRICT=1 by hand.
 * NN4ASTRO_STRICT=0 forces the friendly, non-stopping behaviour.
 */
export function strictChecks(): boolean {
  const strict = (process.env.NN4ASTRO_STRICT ?? "").trim().toLowerCase();
  if (strict === "1" || strict === "true" || strict === "yes") return true;
  if (strict === "0" || strict === "false" || strict === "no") return false;
  const ci = (process.env.CI ?? "").trim().toLowerCase();
  return ci !== "" && ci !== "0" && ci !== "false";
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** What a student sees when a check fails in an interactive session (no exception). */
export function checkWarningText(claim: string, measured: string, hint?: string): string {
  return [
    `⚠ This lesson expected: ${claim}`,
    measured ? `  but measured: ${measured}` : "",
    "  That is fine if you changed something (fewer epochs, another seed, your own idea):",
    `  ${hint ?? "restore the notebook's values, or re-run from the top (Kernel → Restart & Run All), to see the lesson's result."}`,
    "  The rest of the notebook still runs; its text describes the expected result.",
  ].filter((line) => line !== "").join("\n");
}

/**
 * Asserts a lesson's headline result. Prints a tick and the claim when it holds. When it does
 * not: under the runner and in CI it throws (the run fails, so a lesson that stops teaching what
 * it says cannot land); in an interactive session it shows a clear warning instead, so a student
 * who changes `nEpochs` and gets a weaker model can keep exploring. `hint` says what to try.
 */
export function expectResult(holds: boolean, claim: string, measured?: string | number, hint?: string): void {
  const value = measured === undefined ? "" : typeof measured === "number" ? String(+measured.toPrecision(4)) : measured;
  const detail = value === "" ? "" : ` (measured: ${value})`;
  if (holds) {
    console.log(`✓ ${claim}${detail}`);
    return;
  }
  if (strictChecks()) throw new Error(`Lesson check failed: ${claim}${detail}`);
  const text = checkWarningText(claim, value, hint);
  const display = notebookDisplay();
  if (display) {
    const [first, ...rest] = text.split("\n");
    display.html(
      `<div style="border-left:4px solid #e0a000;background:#fff8e1;padding:6px 10px;margin:4px 0">` +
        `<b>${escapeHtml(first)}</b><br>${rest.map((l) => escapeHtml(l.trim())).join("<br>")}</div>`,
    );
  } else {
    console.warn(text);
  }
}

/** Wall-clock timer for "this took N s" lines in notebooks. */
export function stopwatch(): () => number {
  const t0 = process.hrtime.bigint();
  return () => Number(process.hrtime.bigint() - t0) / 1e9;
}
