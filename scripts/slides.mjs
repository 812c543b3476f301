// `npm run slides -- [--quick] [--out DIR] NOTEBOOK ...`: turns lessons into reveal.js slide
// decks for a lecture. Each notebook is executed first (through the same runner as the tests,
// so the deck shows real outputs and figures), then every "#"/"##" heading starts a slide and
// every "###" heading a sub-slide, and nbconvert writes DIR/NN-topic.slides.html. reveal.js,
// require.js, jQuery and MathJax are copied from node_modules into DIR/lib, and plotly.js is
// inside the figures already: the decks work offline, e.g. in a lecture hall without Wi-Fi.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findPython } from "./python.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const outIndex = args.indexOf("--out");
const outDir = resolve(outIndex >= 0 ? args[outIndex + 1] : join(root, "build", "slides"));
const wanted = args.filter((a, i) => !a.startsWith("--") && !(outIndex >= 0 && i === outIndex + 1));
if (wanted.length === 0) {
  console.error("usage: npm run slides -- [--quick] [--out DIR] NOTEBOOK ...   e.g. npm run slides -- 07");
  process.exit(2);
}

const lessons = readdirSync(join(root, "notebooks")).filter((f) => /^\d\d-.*\.ipynb$/.test(f));
const notebooks = wanted.map((w) => {
  if (existsSync(w)) return resolve(w);
  const hit = lessons.find((f) => f.startsWith(w) || f === `${w}.ipynb`);
  if (!hit) {
    console.error(`slides: no notebook matches "${w}" (try a number like 07, or a path)`);
    process.exit(2);
  }
  return join(root, "notebooks", hit);
});

// Offline copies of what nbconvert's reveal template loads from CDNs by default.
const lib = join(outDir, "lib");
function copyLibraries() {
  const nm = join(root, "node_modules");
  const need = (p) => {
    if (!existsSync(join(nm, p))) {
      console.error(`slides: node_modules/${p} is missing: run \`npm install\` (it is a dev dependency).`);
      process.exit(2);
    }
    return join(nm, p);
  };
  mkdirSync(lib, { recursive: true });
  for (const part of ["dist", "plugin/notes"]) {
    cpSync(need(`reveal.js/${part}`), join(lib, "reveal.js", part), { recursive: true });
  }
  cpSync(need("requirejs/require.js"), join(lib, "require.js"));
  cpSync(need("jquery/dist/jquery.min.js"), join(lib, "jquery.min.js"));
  // The parts of MathJax 2 the CommonHTML TeX configuration loads (the package is 70 MB).
  for (const part of ["MathJax.js", "config", "extensions", "jax/input/TeX", "jax/output/CommonHTML", "jax/element",
    "localization/en", "fonts/HTML-CSS/TeX/woff"]) {
    cpSync(need(`mathjax/${part}`), join(lib, "mathjax", part), { recursive: true });
  }
}

/** Slide structure from the lesson's headings (lessons carry no slideshow metadata of their own). */
function addSlideMetadata(nb) {
  for (const cell of nb.cells) {
    const text = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    let type = "-";
    if (cell.cell_type === "markdown" && /^#{1,2} /.test(text)) type = "slide";
    else if (cell.cell_type === "markdown" && /^### /.test(text)) type = "subslide";
    cell.metadata = { ...cell.metadata, slideshow: { slide_type: type } };
  }
  return nb;
}

const python = findPython(["nbconvert", "nbclient"]);
if (!python) {
  console.error("slides: no python with nbconvert found (Debian: apt-get install jupyter-nbconvert python3-nbconvert).");
  process.exit(2);
}
copyLibraries();
const executedDir = join(outDir, "executed");
let failed = 0;
for (const nbPath of notebooks) {
  const stem = basename(nbPath, ".ipynb");
  console.log(`slides: executing ${stem}${quick ? " (quick mode)" : ""}`);
  const run = spawnSync(process.execPath, [join(root, "scripts", "notebooks.mjs"), ...(quick ? ["--quick"] : []),
    "--out", executedDir, nbPath], { stdio: "inherit", cwd: root });
  const executed = join(executedDir, `${stem}.ipynb`);
  if (run.status !== 0 || !existsSync(executed)) {
    console.error(`slides: ${stem} did not run cleanly; no deck written.`);
    failed++;
    continue;
  }
  const deckSource = join(executedDir, `${stem}.deck.ipynb`);
  writeFileSync(deckSource, JSON.stringify(addSlideMetadata(JSON.parse(readFileSync(executed, "utf8"))), null, 1));
  const conv = spawnSync(python, ["-m", "nbconvert", "--to", "slides", deckSource, "--output-dir", outDir,
    "--output", stem, // nbconvert adds ".slides.html"
    "--SlidesExporter.reveal_url_prefix=lib/reveal.js",
    "--SlidesExporter.reveal_scroll=True",
    "--SlidesExporter.require_js_url=lib/require.js",
    "--SlidesExporter.jquery_url=lib/jquery.min.js",
    "--SlidesExporter.mathjax_url=lib/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
    "--SlidesExporter.font_awesome_url=",
  ], { stdio: "inherit" });
  if (conv.status !== 0) {
    failed++;
    continue;
  }
  console.log(`slides: wrote ${join(outDir, `${stem}.slides.html`)} (open it in a browser; arrow keys move, S opens speaker notes)`);
}
process.exit(failed ? 1 : 0);
