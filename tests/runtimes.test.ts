/**
 * Run times are measured, never typed: the README's table and every notebook's **Runtime** line
 * are rendered from notebooks/runtimes.json (written by `npm run notebooks -- --record`).
 */
import { spawnSync } from "child_process";
import { readFileSync } from "fs";
import { join } from "path";

const root = join(__dirname, "..");

test("README table and notebook Runtime lines agree with notebooks/runtimes.json", () => {
  const r = spawnSync(process.execPath, [join(root, "scripts", "runtimes.mjs"), "render", "--check"], { encoding: "utf8" });
  expect(`${r.stdout}${r.stderr}`).toContain("runtimes: up to date");
  expect(r.status).toBe(0);
});

test("every lesson has quick and full measurements and a peak memory under Binder's 2 GB", () => {
  const db = JSON.parse(readFileSync(join(root, "notebooks", "runtimes.json"), "utf8")) as {
    notebooks: Record<string, { quick?: number[]; full?: number[]; peakGb?: number }>;
  };
  const lessons = spawnSync("ls", [join(root, "notebooks")], { encoding: "utf8" }).stdout
    .split("\n").filter((f) => /^\d\d-.*\.ipynb$/.test(f)).map((f) => f.replace(/\.ipynb$/, ""));
  for (const stem of lessons) {
    const e = db.notebooks[stem];
    expect({ stem, quick: (e?.quick ?? []).length > 0, full: (e?.full ?? []).length > 0 }).toEqual({ stem, quick: true, full: true });
    expect(e.peakGb).toBeLessThan(2);
  }
});
