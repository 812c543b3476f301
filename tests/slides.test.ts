/**
 * `npm run slides` gives an instructor a reveal.js deck that works offline: notebook 00 is
 * executed, converted, and opened in headless Chromium with no network; reveal.js must start,
 * the plotly figures and the maths must render, and nothing may be fetched from a CDN.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..");
const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((c) => fs.existsSync(c));
if (!chromium && process.env.CI) throw new Error("CI run without Chromium: .ci/run should have installed it");
const maybe = chromium ? test : test.skip;

maybe("a slide deck of notebook 00 renders offline: reveal.js, plotly figures and MathJax", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "nn4astro-slides-"));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "nn4astro-chromium-"));
  try {
    const r = spawnSync(process.execPath, [path.join(root, "scripts", "slides.mjs"), "--quick", "--out", out, "00"], {
      cwd: root, encoding: "utf8", timeout: 240_000,
    });
    const deck = path.join(out, "00-getting-started.slides.html");
    if (!fs.existsSync(deck)) throw new Error(`no deck written:\n${r.stdout}\n${r.stderr}`);
    const page = fs.readFileSync(deck, "utf8");
    // Every script and stylesheet is local.
    const external = [...page.matchAll(/<(?:script|link)[^>]+(?:src|href)="(https?:[^"]+)"/g)].map((m) => m[1]);
    expect(external).toEqual([]);
    const dom = spawnSync(chromium!, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--no-first-run", `--user-data-dir=${profile}`, "--virtual-time-budget=10000", "--dump-dom", `file://${deck}`],
    { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, timeout: 90_000 }).stdout;
    expect(dom).toMatch(/class="reveal [^"]*\bready\b/); // reveal.js initialised
    expect((dom.match(/<section/g) ?? []).length).toBeGreaterThanOrEqual(10); // one per heading
    expect((dom.match(/class="main-svg"/g) ?? []).length).toBeGreaterThanOrEqual(2); // plotly drew
    expect(dom).toContain("mjx-chtml"); // MathJax typeset the equations
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(profile, { recursive: true, force: true });
  }
}, 300_000);
