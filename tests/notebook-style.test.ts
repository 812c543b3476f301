/**
 * Every lesson has the same shape (see README, "Adding a notebook"): promise and goals, runtime,
 * set-up cell, a checked headline result, a question, 2–4 exercises with revealable solutions,
 * and a summary. This catches a lesson that lost one of them.
 */
import { readdirSync, readFileSync } from "fs";
import { join } from "path";

const dir = join(__dirname, "..", "notebooks");
const notebooks = readdirSync(dir).filter((f) => /^\d\d-.*\.ipynb$/.test(f)).sort();

interface Cell { cell_type: string; source: string | string[]; metadata?: Record<string, unknown> }
const text = (c: Cell) => (Array.isArray(c.source) ? c.source.join("") : c.source);

describe.each(notebooks)("%s", (file) => {
  const nb = JSON.parse(readFileSync(join(dir, file), "utf8")) as { cells: Cell[] };
  const md = nb.cells.filter((c) => c.cell_type === "markdown").map(text);
  const code = nb.cells.filter((c) => c.cell_type === "code").map(text);
  const allMd = md.join("\n");

  test("opens with a numbered title, learning goals and a runtime line", () => {
    expect(md[0]).toMatch(new RegExp(`^# ${file.slice(0, 2)} · `));
    expect(allMd).toMatch(/\*\*Learning goals\*\*/);
    expect(allMd).toMatch(/\*\*Runtime\*\*/);
  });

  test("first code cell sets up the library: imports nn4astro, picks the backend, seeds", () => {
    expect(code[0]).toMatch(/from "nn4astro"/);
    expect(code[0]).toMatch(/await setupBackend\(/);
    expect(code[0]).toMatch(/seedEverything\(/);
  });

  test("checks its headline result in code", () => {
    expect(code.some((c) => /expectResult\(/.test(c))).toBe(true);
  });

  test("has the astronomy, a question to think about, 2–4 exercises with solutions, and a summary", () => {
    expect(allMd).toMatch(/^## The astronomy/m);
    expect(allMd).toMatch(/question to think about/i);
    expect(allMd).toMatch(/^## Exercises/m);
    const exercises = allMd.match(/\*\*Exercise \d+\.\*\*/g) ?? [];
    const solutions = md.filter((m) => /<details>\s*<summary[^>]*><b>Solution<\/b>/.test(m));
    // The classic Notebook's CSS hides <summary>'s disclosure triangle unless it is a list item.
    for (const s of solutions) expect(s).toContain('<summary style="display: list-item; cursor: pointer">');
    expect(exercises.length).toBeGreaterThanOrEqual(2);
    expect(exercises.length).toBeLessThanOrEqual(4);
    expect(solutions.length).toBe(exercises.length);
    // The code is HTML inside <details> (markdown is not rendered there by nbconvert), and the
    // notebook runner executes it, so solutions never rot.
    for (const s of solutions) expect(s).toMatch(/<pre><code class="language-typescript">[\s\S]+?<\/code><\/pre>/);
    expect(allMd).toMatch(/^## Summary/m);
  });

  test("code cells stay short enough to read without scrolling (≤ 25 lines)", () => {
    const long = code.map((c, i) => ({ i: i + 1, n: c.split("\n").length })).filter((c) => c.n > 25);
    expect(long).toEqual([]);
  });
});

test("there is at least one lesson", () => {
  expect(notebooks.length).toBeGreaterThan(0);
});
