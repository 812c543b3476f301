/**
 * End-to-end tests of the notebook runner (scripts/notebooks.mjs -> scripts/run_notebooks.py)
 * through the real tslab kernel. The temporary notebooks live directly in notebooks/ (as hidden
 * `.runner-test-*` files) because tslab resolves `import ... from "nn4astro"` and relative data
 * paths from the notebook's own folder.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeTestNotebook } from "./notebook-files";

const root = path.join(__dirname, "..");
const notebookDir = path.join(root, "notebooks");
const prefix = `.runner-test-${process.pid}-`;
const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), "nn4astro-runner-"));
const created: string[] = [];

interface Cell {
  cell_type: string;
  id?: string;
  metadata: Record<string, unknown>;
  source: string | string[];
  outputs?: Array<{ output_type: string; name?: string; text?: string | string[] }>;
  execution_count?: number | null;
}
interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}
interface CellRecord { code_cell: number; index: number; status: string; seconds: number | null }
interface NotebookResult {
  notebook: string;
  status: string;
  code_cells: number;
  cells_passed: number;
  wall_s: number;
  kernel_start_s: number;
  peak_rss_mb: number;
  cells: CellRecord[];
  failure: { code_cell: number; index: number; status: string; error: string } | null;
}
interface Summary { mode: string; passed: number; failed: number; notebooks: NotebookResult[] }
interface RunResult { status: number | null; output: string; summary: Summary; out: string }

/** Writes a notebook whose first cell is markdown, so code-cell numbers differ from file indices. */
function writeNotebook(name: string, sources: string[]): string {
  const file = writeTestNotebook(path.join(notebookDir, `${prefix}${name}.ipynb`), sources, { markdownTitle: `# ${name}` });
  created.push(file);
  return file;
}

function runNotebooks(label: string, args: string[]): RunResult {
  const out = path.join(outRoot, label);
  const r = spawnSync(process.execPath, [path.join(root, "scripts", "notebooks.mjs"), "--out", out, ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 100_000,
  });
  const output = `${r.stdout}\n${r.stderr}`;
  const summaryFile = path.join(out, "summary.json");
  if (!fs.existsSync(summaryFile)) throw new Error(`runner wrote no summary.json; its output:\n${output}`);
  return { status: r.status, output, summary: JSON.parse(fs.readFileSync(summaryFile, "utf8")), out };
}

function executedCopy(run: RunResult, notebookFile: string): Notebook {
  return JSON.parse(fs.readFileSync(path.join(run.out, path.basename(notebookFile)), "utf8"));
}

function text(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join("") : value ?? "";
}

const good = writeNotebook("good", [
  'import { tf } from "nn4astro";\nconst x = tf.tensor1d([1, 2, 3]);',
  'console.log("quick=" + process.env.NN4ASTRO_QUICK);',
  'console.log("sum=" + x.sum().dataSync()[0]);',
]);
const broken = writeNotebook("broken", [
  'console.log("quick=" + process.env.NN4ASTRO_QUICK);',
  'const before = 1;\nthrow new Error("deliberately broken");',
  'console.log("this must not run");',
]);
const typeError = writeNotebook("type-error", [
  "const ok = 1;",
  'const wrong: number = "not a number";',
]);

let goodRun: RunResult;
let failingRun: RunResult;

beforeAll(() => {
  goodRun = runNotebooks("good", ["--quick", good]);
  // Full mode here, so both values of NN4ASTRO_QUICK are checked.
  failingRun = runNotebooks("failing", [broken, typeError]);
});

afterAll(() => {
  for (const file of created) fs.rmSync(file, { force: true });
  fs.rmSync(outRoot, { recursive: true, force: true });
});

describe("notebook runner", () => {
  test("a good notebook passes and the summary has cells, wall time and peak memory", () => {
    expect(goodRun.status).toBe(0);
    expect(goodRun.summary.notebooks).toHaveLength(1);
    const r = goodRun.summary.notebooks[0];
    expect(r.status).toBe("passed");
    expect(r.code_cells).toBe(3);
    expect(r.cells_passed).toBe(3);
    expect(r.cells.map((c) => c.status)).toEqual(["ok", "ok", "ok"]);
    expect(r.wall_s).toBeGreaterThan(0);
    expect(r.kernel_start_s).toBeGreaterThan(0);
    expect(r.peak_rss_mb).toBeGreaterThan(0);
    expect(goodRun.output).toMatch(/notebooks: 1 passed, 0 failed/);
  });

  test("the executed copy has the outputs, and --quick reaches the kernel", () => {
    const nb = executedCopy(goodRun, good);
    const outputs = nb.cells.filter((c) => c.cell_type === "code").map((c) => (c.outputs ?? []).map((o) => text(o.text)).join(""));
    expect(outputs[1]).toContain("quick=1");
    expect(outputs[2]).toContain("sum=6");
  });

  test("a runtime error fails the run, naming the notebook, the cell and the error", () => {
    expect(failingRun.status).not.toBe(0);
    expect(failingRun.output).toContain(path.basename(broken));
    expect(failingRun.output).toMatch(/FAILED \S*runner-test-\d+-broken\.ipynb at code cell 2\/3 \(cells\[2\] in the file\)/);
    expect(failingRun.output).toContain("deliberately broken");
    expect(failingRun.output).toContain('throw new Error("deliberately broken")'); // the source lines
  });

  test("a type error fails with the TypeScript message", () => {
    const r = failingRun.summary.notebooks.find((n) => n.notebook.endsWith("type-error.ipynb"));
    expect(r?.status).toBe("failed");
    expect(r?.failure?.code_cell).toBe(2);
    expect(r?.failure?.error).toContain("Type 'string' is not assignable to type 'number'");
    expect(failingRun.output).toContain("TypeScript error at line 1, column 7");
  });

  test("cells after a failure are reported as not run, not as passed", () => {
    const r = failingRun.summary.notebooks.find((n) => n.notebook.endsWith("broken.ipynb"));
    expect(r?.status).toBe("failed");
    expect(r?.cells_passed).toBe(1);
    expect(r?.cells.map((c) => c.status)).toEqual(["ok", "error", "not run"]);
    expect(failingRun.summary).toMatchObject({ passed: 0, failed: 2 });
    expect(failingRun.output).toMatch(/notebooks: 0 passed, 2 failed/);
    expect(failingRun.output).not.toContain("this must not run");
  });

  test("the executed copy is written even when the notebook fails", () => {
    const code = executedCopy(failingRun, broken).cells.filter((c) => c.cell_type === "code");
    expect(code[0].outputs?.map((o) => text(o.text)).join("")).toContain("quick=0");
    expect(code[1].outputs?.map((o) => text(o.text)).join("")).toContain("deliberately broken");
    expect(code[2].outputs).toEqual([]);
    expect(code[2].execution_count).toBeNull();
  });

  const gettingStarted = path.join(notebookDir, "00-getting-started.ipynb");
  (fs.existsSync(gettingStarted) ? test : test.skip)(
    "breaking the 3rd code cell of 00-getting-started is reported at that cell",
    () => {
      const nb: Notebook = JSON.parse(fs.readFileSync(gettingStarted, "utf8"));
      const codeIndices = nb.cells.map((c, i) => (c.cell_type === "code" ? i : -1)).filter((i) => i >= 0);
      const third = codeIndices[2];
      nb.cells[third].source = 'throw new Error("broken on purpose by tests/runner.test.ts");';
      const file = path.join(notebookDir, `${prefix}00-getting-started.ipynb`);
      fs.writeFileSync(file, JSON.stringify(nb, null, 1) + "\n");
      created.push(file);
      const run = runNotebooks("getting-started", ["--quick", file]);
      expect(run.status).not.toBe(0);
      // Solutions in <details> blocks are executed too, so they count as code cells.
      const solutions = nb.cells.filter((c) => c.cell_type === "markdown" && /<summary[^>]*><b>Solution<\/b>/.test(Array.isArray(c.source) ? c.source.join("") : c.source)).length;
      expect(run.output).toContain(`at code cell 3/${codeIndices.length + solutions} (cells[${third}] in the file)`);
      expect(run.output).toContain("broken on purpose by tests/runner.test.ts");
      const r = run.summary.notebooks[0];
      expect(r.cells_passed).toBe(2);
      expect(r.cells.slice(3).every((c) => c.status === "not run")).toBe(true);
    },
  );

  (fs.existsSync(gettingStarted) ? test : test.skip)(
    "a broken exercise solution (markdown <details> block) fails the run and is named",
    () => {
      const nb: Notebook = JSON.parse(fs.readFileSync(gettingStarted, "utf8"));
      const idx = nb.cells.findIndex((c) => c.cell_type === "markdown" && /<summary[^>]*><b>Solution<\/b>/.test(Array.isArray(c.source) ? c.source.join("") : c.source));
      expect(idx).toBeGreaterThan(0);
      nb.cells[idx].source = '<details>\n<summary><b>Solution</b> (click to reveal)</summary>\n\n<pre><code class="language-typescript">const rotten: boolean = undefinedThing &lt; 1;\n</code></pre>\n\n</details>';
      const file = path.join(notebookDir, `${prefix}00-solution.ipynb`);
      fs.writeFileSync(file, JSON.stringify(nb, null, 1) + "\n");
      created.push(file);
      const run = runNotebooks("solution", ["--quick", file]);
      expect(run.status).not.toBe(0);
      expect(run.output).toContain(`(the solution in markdown cells[${idx}] in the file)`);
      expect(run.output).toMatch(/Cannot find name 'undefinedThing'/);
    },
  );
});
