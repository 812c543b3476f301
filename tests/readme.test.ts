/**
 * The README is part of the product: every lesson appears in its table of contents and in the
 * run-time table, and the commands it tells people to run exist.
 */
import { readdirSync, readFileSync } from "fs";
import { join } from "path";

const root = join(__dirname, "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const scripts = Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts);
const notebooks = readdirSync(join(root, "notebooks")).filter((f) => /^\d\d-.*\.ipynb$/.test(f));

test.each(notebooks)("%s is linked from the table of contents and has a run-time row", (file) => {
  expect(readme).toContain(`(notebooks/${file})`);
  const stem = file.replace(/\.ipynb$/, "");
  const row = readme.split("\n").find((l) => l.startsWith(`| ${stem} |`));
  expect(row).toBeDefined();
  // quick time, full time and peak memory are numbers, not dashes
  expect(row!.split("|").slice(2, 5).every((cell) => /\d/.test(cell))).toBe(true);
});

test("every `npm run X` / `npm X` the README mentions exists", () => {
  const mentioned = [...readme.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1]);
  for (const s of mentioned) expect(scripts).toContain(s);
  for (const s of ["start", "test"]) expect(scripts).toContain(s);
});
