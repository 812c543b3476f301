// Finds a Python that has Jupyter. The first `python3` on PATH is often a pyenv, venv or conda
// build without Jupyter while Debian's Jupyter packages live under /usr/bin/python3, so trying
// several candidates and asking each one to import the modules is the only reliable test.
import { spawnSync } from "node:child_process";

/** Modules the notebook runner (scripts/run_notebooks.py) needs. */
export const RUNNER_MODULES = ["nbclient", "nbformat", "jupyter_client"];
/** Modules needed to run the course interactively as well. */
export const JUPYTER_MODULES = ["nbclient", "nbformat", "notebook"];

/** Candidates in order of preference; NN4ASTRO_PYTHON lets a user pick one explicitly. */
export function pythonCandidates() {
  const list = [];
  if (process.env.NN4ASTRO_PYTHON) list.push(process.env.NN4ASTRO_PYTHON);
  list.push("python3", "/usr/bin/python3", "python");
  return [...new Set(list)];
}

/**
 * Returns the absolute path (sys.executable) of the first candidate python that can import
 * every module in `modules`, or null if none can.
 */
export function findPython(modules) {
  const code = `import sys\nimport ${modules.join(", ")}\nprint(sys.executable)`;
  for (const candidate of pythonCandidates()) {
    const r = spawnSync(candidate, ["-c", code], { encoding: "utf8", timeout: 20000 });
    if (r.status === 0) {
      const exe = r.stdout.trim().split("\n").pop();
      if (exe) return exe;
    }
  }
  return null;
}

/** A python3 that can `import nbclient, nbformat, notebook`, or null. */
export function findJupyterPython() {
  return findPython(JUPYTER_MODULES);
}

/** What to tell a user who has no such python. */
export const JUPYTER_INSTALL_HINT = [
  "Install Jupyter for a Python 3, for example:",
  "  Debian/Ubuntu:  sudo apt-get install jupyter-notebook python3-nbconvert jupyter-nbconvert \\",
  "                      python3-nbclient python3-ipykernel jupyter-client",
  "  pip:            python3 -m pip install --user notebook nbclient nbconvert",
  "  conda:          conda install -c conda-forge notebook nbclient nbconvert",
  "If Jupyter is installed for a python that is not `python3` on PATH, point NN4ASTRO_PYTHON at it.",
].join("\n");
