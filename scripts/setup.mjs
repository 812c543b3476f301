// `npm start` / `npm run setup`: brings a machine with Node 20+ and Python 3 to a working
// course and opens it. Every step checks first and only acts when something is missing or
// stale, so running it again is fast and harmless.
//
//   npm start                      install what is missing, then open the classic Notebook
//   npm start -- --lab             open JupyterLab instead (if it is installed)
//   npm run setup                  the same without opening anything (--no-open)
//   npm start -- --port=9000 ...   other arguments go to Jupyter
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync, utimesSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findJupyterPython, JUPYTER_INSTALL_HINT, pythonCandidates } from "./python.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const isWindows = process.platform === "win32";
const npm = isWindows ? "npm.cmd" : "npm";
const tslabBinary = join(root, "node_modules", ".bin", isWindows ? "tslab.cmd" : "tslab");
const notebookDir = join(root, "notebooks");
const APT_PACKAGES = ["jupyter-notebook", "python3-nbconvert", "jupyter-nbconvert", "python3-nbclient",
  "python3-ipykernel", "jupyter-client"];
const PIP_PACKAGES = ["notebook", "nbclient", "nbconvert"];

const argv = process.argv.slice(2);
const noOpen = argv.includes("--no-open");
const wantLab = argv.includes("--lab");
const jupyterArgs = argv.filter((a) => a !== "--no-open" && a !== "--lab");
const TOTAL = 5;
let stepNo = 0;

function step(label, message) {
  stepNo += 1;
  console.log(`[${stepNo}/${TOTAL}] ${label.padEnd(16)} ${message}`);
}

function die(message) {
  console.error(`\nsetup: ${message}`);
  process.exit(1);
}

/** Runs a command with its output shown; returns true on exit status 0. */
function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...options });
  return r.status === 0;
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : mtime(path));
  }
  return newest;
}

// ---------------------------------------------------------------------------------------------

function checkNode() {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 20) die(`Node.js ${process.versions.node} is too old: the course needs Node 20 or newer (https://nodejs.org).`);
}

function npmPackages() {
  // npm writes node_modules/.package-lock.json after every successful install, so a manifest
  // newer than it means dependencies may have changed since.
  const stamp = join(root, "node_modules", ".package-lock.json");
  const installed = mtime(stamp);
  const why = !existsSync(join(root, "node_modules")) ? "node_modules is missing"
    : installed === 0 ? "no record of a finished install"
    : Math.max(mtime(join(root, "package.json")), mtime(join(root, "package-lock.json"))) > installed
      ? "package.json or package-lock.json changed" : null;
  if (!why) return step("npm packages", "already installed");
  console.log(`setup: ${why}: running npm install`);
  if (!run(npm, ["install"])) die("`npm install` failed (see above). Check your network connection to the npm registry.");
  // npm may leave package-lock.json newer than its stamp; touch the stamp so the next run
  // does not reinstall for nothing.
  if (existsSync(stamp)) utimesSync(stamp, new Date(), new Date());
  step("npm packages", "installed");
}

function buildLibrary() {
  const built = mtime(join(root, "dist", "index.js"));
  if (built > 0 && newestMtime(join(root, "src")) <= built) return step("library (dist/)", "already built");
  if (!run(npm, ["run", "build"])) die("`npm run build` failed: the library in src/ does not compile (see above).");
  step("library (dist/)", "built");
}

/**
 * Where pip would look for packages: index-url (default PyPI), extra-index-url and find-links,
 * from the environment and from `pip config` (machines without internet often have a local
 * mirror or a wheel folder configured there).
 */
function pipSources(python) {
  const r = spawnSync(python, ["-m", "pip", "config", "list"], { encoding: "utf8" });
  const config = {};
  for (const line of (r.stdout ?? "").split("\n")) {
    const m = /^[\w.]*?\.?([\w-]+)='(.*)'$/.exec(line.trim());
    if (m) config[m[1]] = m[2];
  }
  const env = process.env;
  const index = env.PIP_INDEX_URL || config["index-url"] || "https://pypi.org/simple/";
  const extra = `${env.PIP_EXTRA_INDEX_URL ?? config["extra-index-url"] ?? ""} ${env.PIP_FIND_LINKS ?? config["find-links"] ?? ""}`;
  return [index, ...extra.split(/\s+/).filter(Boolean)];
}

/** True if a package source answers within `ms` (any HTTP answer below 500), or is a local folder. */
function reachable(source, ms = 3000) {
  if (!/^https?:/.test(source)) {
    try {
      return Promise.resolve(existsSync(source.startsWith("file:") ? fileURLToPath(source) : source));
    } catch {
      return Promise.resolve(false);
    }
  }
  return new Promise((resolve) => {
    const req = (source.startsWith("http:") ? http : https).request(source, { method: "HEAD", timeout: ms }, (res) => {
      res.resume();
      resolve(res.statusCode < 500);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(false));
    req.end();
  });
}

/** The first candidate python that has pip, with whether it runs inside a virtualenv. */
function pythonWithPip() {
  for (const candidate of pythonCandidates()) {
    const r = spawnSync(candidate, ["-c", "import sys, pip; print(sys.prefix != sys.base_prefix)"], { encoding: "utf8" });
    if (r.status === 0) return { python: candidate, venv: r.stdout.trim() === "True" };
  }
  return null;
}

async function installJupyter() {
  const pip = pythonWithPip();
  if (pip) {
    const sources = pipSources(pip.python);
    const answers = await Promise.all(sources.map((source) => reachable(source)));
    if (answers.some(Boolean)) {
      // --user needs no root; inside a virtualenv pip refuses --user and installs into the env.
      // --retries 1 keeps pip from spending minutes on an unreachable main index when a
      // mirror or wheel folder can serve the packages.
      const args = ["-m", "pip", "install", "--retries", "1", ...(pip.venv ? [] : ["--user"]), ...PIP_PACKAGES];
      console.log(`setup: installing Jupyter with ${pip.python} ${args.join(" ")}`);
      if (run(pip.python, args)) return;
      console.log("setup: pip could not install Jupyter (see above); trying the system package manager");
    } else {
      console.log(`setup: no Python package source is reachable (${sources.join(", ")}); trying the system package manager`);
    }
  }
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const hasApt = spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;
  if (isRoot && hasApt) {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    console.log(`setup: installing Jupyter with apt-get install ${APT_PACKAGES.join(" ")}`);
    if (run("apt-get", ["update"], { env }) && run("apt-get", ["install", "-y", ...APT_PACKAGES], { env })) return;
    die(`apt-get could not install Jupyter (see above).\n${JUPYTER_INSTALL_HINT}`);
  }
  die(`no Python with Jupyter (notebook, nbclient, nbformat) was found and setup cannot install it here` +
    `${isRoot ? "" : " without root"}.\n${JUPYTER_INSTALL_HINT}\nThen run \`npm start\` again.`);
}

async function jupyter() {
  let python = findJupyterPython();
  if (python) {
    step("Jupyter", `already installed (${python})`);
    return python;
  }
  await installJupyter();
  python = findJupyterPython();
  if (!python) die(`Jupyter was installed but no python can import notebook and nbclient.\n${JUPYTER_INSTALL_HINT}`);
  step("Jupyter", `installed (${python})`);
  return python;
}

/** The argv of the tslab kernel Jupyter would start, or null if none is registered. */
function registeredTslab(python) {
  const r = spawnSync(python, ["-m", "jupyter", "kernelspec", "list", "--json"], { encoding: "utf8" });
  if (r.status !== 0) die(`\`${python} -m jupyter kernelspec list\` failed:\n${r.stderr}`);
  try {
    const specs = JSON.parse(r.stdout.slice(r.stdout.indexOf("{"))).kernelspecs;
    return specs.tslab ? { argv: specs.tslab.spec.argv, dir: specs.tslab.resource_dir } : null;
  } catch (e) {
    die(`could not read the output of \`jupyter kernelspec list --json\`: ${e.message}`);
  }
}

function kernel(python) {
  if (!existsSync(tslabBinary)) die(`${tslabBinary} is missing: npm install did not install tslab.`);
  // A tslab kernel registered by another checkout (or a global tslab) would run that copy's
  // tslab and could not import this checkout's library, so the binary must be ours.
  const current = registeredTslab(python);
  if (current?.argv?.[0] === tslabBinary) return step("tslab kernel", "already registered");
  const args = [join(root, "node_modules", "tslab", "bin", "tslab"), "install", `--python=${python}`,
    `--binary=${tslabBinary}`, "--user"];
  if (!run(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] })) {
    die("`tslab install` failed (see above): the tslab kernel could not be registered with Jupyter.");
  }
  const after = registeredTslab(python);
  if (after?.argv?.[0] !== tslabBinary) {
    die(`registered the tslab kernel for this user, but Jupyter still finds another one in ${after?.dir}` +
      ` (maybe through JUPYTER_PATH). Remove that folder or unset JUPYTER_PATH, then run again.`);
  }
  step("tslab kernel", current ? "re-registered (it pointed at another checkout)" : "registered");
}

function open(python, started) {
  if (noOpen) {
    step("open", "skipped (--no-open)");
    return console.log(`setup: everything in place (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  let app = "notebook";
  if (wantLab) {
    if (spawnSync(python, ["-c", "import jupyterlab"], { stdio: "ignore" }).status === 0) app = "jupyterlab";
    else console.log("setup: JupyterLab is not installed; opening the classic Notebook instead");
  }
  const args = ["-m", app, `--notebook-dir=${notebookDir}`, ...jupyterArgs];
  // Jupyter refuses to run as root unless told to; root is common in containers and CI images.
  if (typeof process.getuid === "function" && process.getuid() === 0 && !args.includes("--allow-root")) {
    args.push("--allow-root");
  }
  step("open", `${python} ${args.join(" ")} (Ctrl-C twice to stop)`);
  const child = spawn(python, args, { cwd: root, stdio: "inherit" });
  // Ctrl-C reaches Jupyter too (same process group); it asks for confirmation, so we must not
  // exit on the first one and leave it orphaned.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  child.on("error", (e) => die(`could not start Jupyter: ${e.message}`));
}

checkNode();
const started = Date.now();
npmPackages();
buildLibrary();
const python = await jupyter();
kernel(python);
open(python, started);
