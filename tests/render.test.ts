/**
 * The plots really draw: notebook 00 is executed through the runner, exported to HTML with
 * nbconvert, and opened in headless Chromium with no network. The test looks for the nodes
 * plotly creates when it draws (SVG layers and scatter points), not just the placeholder div,
 * and keeps a screenshot in build/screenshots/ for a human to look at.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..");
const notebook = path.join(root, "notebooks", "00-getting-started.ipynb");

function findChromium(): string | undefined {
  for (const c of [process.env.CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]) {
    if (c && fs.existsSync(c)) return c;
  }
  return undefined;
}

function jupyterPython(): string {
  for (const p of [process.env.NN4ASTRO_PYTHON, "python3", "/usr/bin/python3"]) {
    if (!p) continue;
    const r = spawnSync(p, ["-c", "import nbconvert"], { encoding: "utf8" });
    if (r.status === 0) return p;
  }
  throw new Error("no python with nbconvert found (install jupyter-nbconvert)");
}

const chromium = findChromium();
if (!chromium && process.env.CI) throw new Error("CI run without Chromium: .ci/run should have installed it (apt-get install chromium)");
const maybe = chromium ? test : test.skip;
if (!chromium) console.warn("render.test.ts skipped: no Chromium found (apt-get install chromium to check that plots draw)");

const chromeFlags = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--no-first-run", "--disable-sync", "--disable-quic", "--virtual-time-budget=8000",
];

maybe("notebook 00 exported to HTML draws its plotly figures offline in Chromium", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "nn4astro-render-"));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "nn4astro-chromium-"));
  try {
    const run = spawnSync(process.execPath, [path.join(root, "scripts", "notebooks.mjs"), "--quick", "--out", out, notebook], { encoding: "utf8", cwd: root });
    expect(run.status).toBe(0);
    const executed = path.join(out, "00-getting-started.ipynb");
    const conv = spawnSync(jupyterPython(), ["-m", "nbconvert", "--to", "html", executed, "--output-dir", out], { encoding: "utf8" });
    if (conv.status !== 0) throw new Error(`nbconvert failed:\n${conv.stderr}`);
    const html = path.join(out, "00-getting-started.html");
    const page = fs.readFileSync(html, "utf8");
    // plotly.js is inlined once for the whole notebook, and no script is fetched from the network.
    expect(page.match(/plotly\.js v\d+\.\d+\.\d+/g)?.length).toBe(1);
    expect(page).not.toMatch(/<script[^>]+src=["']https?:/);

    const dom = spawnSync(chromium!, [...chromeFlags, `--user-data-dir=${profile}`, "--dump-dom", `file://${html}`], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, timeout: 90_000 });
    const drawn = dom.stdout;
    const placeholders = (drawn.match(/class="nn4astro-plot/g) ?? []).length;
    const plotted = (drawn.match(/class="main-svg"/g) ?? []).length;
    const points = (drawn.match(/class="point"/g) ?? []).length;
    console.log(`render: ${placeholders} figure placeholders, ${plotted} plotly SVG layers, ${points} scatter points drawn`);
    expect(placeholders).toBeGreaterThanOrEqual(2);
    expect(plotted).toBeGreaterThanOrEqual(2 * placeholders); // plotly draws >= 2 SVG layers per figure
    expect(points).toBeGreaterThanOrEqual(25); // every star of the HR diagram is a drawn point
    // The fallback message a figure writes into its div when window.Plotly never appeared.
    expect(drawn.includes('class="nn4astro-missing-plotly"')).toBe(false);
    // The "not trusted" note is replaced when the figure's script runs.
    expect(drawn.includes('class="nn4astro-untrusted"')).toBe(false);
    expect(page).toContain('class="nn4astro-untrusted"');

    const shots = path.join(root, "build", "screenshots");
    fs.mkdirSync(shots, { recursive: true });
    const png = path.join(shots, "00-getting-started.png");
    spawnSync(chromium!, [...chromeFlags, `--user-data-dir=${profile}`, "--window-size=1100,5000", `--screenshot=${png}`, `file://${html}`], { timeout: 90_000 });
    expect(fs.statSync(png).size).toBeGreaterThan(50_000);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(profile, { recursive: true, force: true });
  }
}, 180_000);
