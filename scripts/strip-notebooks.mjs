// `npm run strip [-- --check] [FILE ...]`: removes outputs, execution counts and execution
// timing from notebooks in place (default: notebooks/*.ipynb), so commits hold only what the
// instructors wrote. Outputs would bloat the repository, leak machine-specific paths, and
// show students results before they ran anything.
// --check: change nothing, list the notebooks that are not clean and exit 1 if there are any.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const check = args.includes("--check");
let files = args.filter((a) => a !== "--check");
if (files.length === 0) {
  const dir = join(root, "notebooks");
  files = readdirSync(dir)
    .filter((name) => name.endsWith(".ipynb") && !name.startsWith("."))
    .sort()
    .map((name) => join(dir, name));
}

/** Returns a cleaned copy; keeps key order so an author's file only changes where it must. */
function stripNotebook(nb) {
  const copy = structuredClone(nb);
  for (const cell of copy.cells ?? []) {
    if (cell.cell_type === "code") {
      cell.outputs = [];
      cell.execution_count = null;
    }
    if (cell.metadata) {
      // Written by nbclient (record_timing) and by JupyterLab's "record timing" option.
      delete cell.metadata.execution;
      delete cell.metadata.ExecuteTime;
    }
  }
  // Saved widget state belongs to one run of the notebook.
  if (copy.metadata) delete copy.metadata.widgets;
  return copy;
}

let dirty = 0;
for (const file of files) {
  const rel = relative(process.cwd(), file);
  const name = rel && !rel.startsWith("..") ? rel : file;
  const text = readFileSync(file, "utf8");
  let nb;
  try {
    nb = JSON.parse(text);
  } catch (e) {
    console.error(`strip: ${name} is not valid JSON: ${e.message}`);
    process.exitCode = 1;
    continue;
  }
  const stripped = stripNotebook(nb);
  if (JSON.stringify(stripped) === JSON.stringify(nb)) continue;
  dirty++;
  if (check) {
    console.log(`strip: ${name} has outputs or execution counts (run \`npm run strip\`)`);
  } else {
    // Jupyter writes one-space indentation and a final newline; match it to keep diffs small.
    writeFileSync(file, JSON.stringify(stripped, null, 1) + "\n");
    console.log(`strip: cleaned ${name}`);
  }
}
if (dirty === 0) console.log(`strip: ${files.length} notebook(s) already clean`);
if (check && dirty > 0) process.exitCode = 1;
