/**
 * Committed notebooks must be clean: no outputs (they would show results before a student ran
 * anything and bloat diffs), no execution counts, valid nbformat 4, the tslab kernel, and
 * `NN-topic.ipynb` names (the runner's default glob and the course order depend on them).
 * `npm run strip` fixes outputs and counts.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const notebookDir = path.join(__dirname, "..", "notebooks");
// Hidden files are the runner test's temporary notebooks, not course material.
const files = fs.existsSync(notebookDir)
  ? fs.readdirSync(notebookDir).filter((n) => n.endsWith(".ipynb") && !n.startsWith(".")).sort()
  : [];
const NAME = /^\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*\.ipynb$/;

/** Problems with one notebook's JSON, as readable sentences (empty when clean). */
function problems(name: string, text: string): string[] {
  let nb: any;
  try {
    nb = JSON.parse(text);
  } catch (e) {
    return [`${name} is not valid JSON: ${(e as Error).message}`];
  }
  const found: string[] = [];
  if (nb.nbformat !== 4) found.push(`${name}: nbformat is ${nb.nbformat}, expected 4`);
  if (typeof nb.nbformat_minor !== "number") found.push(`${name}: nbformat_minor missing`);
  if (nb.metadata?.kernelspec?.name !== "tslab") {
    found.push(`${name}: kernelspec name is ${JSON.stringify(nb.metadata?.kernelspec?.name)}, expected "tslab"`);
  }
  if (!Array.isArray(nb.cells)) return [...found, `${name}: has no cells array`];
  const ids = new Set<string>();
  nb.cells.forEach((cell: any, i: number) => {
    const where = `${name} cells[${i}]`;
    if (!["code", "markdown", "raw"].includes(cell.cell_type)) found.push(`${where}: unknown cell_type ${cell.cell_type}`);
    if (typeof cell.source !== "string" && !Array.isArray(cell.source)) found.push(`${where}: source is not text`);
    if (typeof cell.metadata !== "object" || cell.metadata === null) found.push(`${where}: metadata missing`);
    if (nb.nbformat_minor >= 5) {
      if (typeof cell.id !== "string") found.push(`${where}: id missing (required by nbformat 4.5)`);
      else if (ids.has(cell.id)) found.push(`${where}: duplicate cell id ${cell.id}`);
      else ids.add(cell.id);
    }
    if (cell.cell_type === "code") {
      if (!Array.isArray(cell.outputs) || cell.outputs.length > 0) found.push(`${where}: has outputs (run \`npm run strip\`)`);
      if (cell.execution_count !== null) found.push(`${where}: execution_count is ${cell.execution_count}, expected null (run \`npm run strip\`)`);
    }
  });
  return found;
}

/** A python with nbformat, for the full JSON-schema validation; null if there is none. */
function nbformatPython(): string | null {
  for (const candidate of [process.env.NN4ASTRO_PYTHON, "python3", "/usr/bin/python3", "python"]) {
    if (!candidate) continue;
    if (spawnSync(candidate, ["-c", "import nbformat"], { stdio: "ignore" }).status === 0) return candidate;
  }
  return null;
}

describe("committed notebooks", () => {
  test("file names follow NN-topic.ipynb", () => {
    expect(files.filter((n) => !NAME.test(n))).toEqual([]);
  });

  for (const name of files) {
    test(`${name} is clean nbformat 4 on the tslab kernel`, () => {
      expect(problems(name, fs.readFileSync(path.join(notebookDir, name), "utf8"))).toEqual([]);
    });
  }

  test("every notebook passes nbformat's own schema validation", () => {
    const python = nbformatPython();
    if (!python) {
      // Without Python only the structural checks above run; `npm test` needs Jupyter anyway.
      console.warn("no python with nbformat found: skipped schema validation");
      return;
    }
    const script = [
      "import sys, nbformat",
      "bad = 0",
      "for f in sys.argv[1:]:",
      "    try:",
      "        nbformat.validate(nbformat.read(f, as_version=nbformat.NO_CONVERT))",
      "    except Exception as e:",
      "        bad += 1",
      "        print(f'{f}: {e}'.splitlines()[0])",
      "sys.exit(1 if bad else 0)",
    ].join("\n");
    const r = spawnSync(python, ["-c", script, ...files.map((n) => path.join(notebookDir, n))], { encoding: "utf8" });
    expect(r.stdout).toBe("");
    expect({ status: r.status, stderr: r.stderr }).toMatchObject({ status: 0 });
  });
});
