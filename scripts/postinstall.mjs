// Runs after `npm install`: build the library and make `import ... from "nn4astro"` resolve
// from the notebooks (tslab cannot import ../src/*.ts, it needs a compiled package in node_modules).
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const link = join(root, "node_modules", "nn4astro");
mkdirSync(join(root, "node_modules"), { recursive: true });
let linked = false;
try { linked = lstatSync(link).isSymbolicLink(); } catch { /* absent */ }
if (!linked) {
  if (existsSync(link)) rmSync(link, { recursive: true, force: true });
  // "junction" makes this work on Windows without admin rights; ignored elsewhere.
  symlinkSync("..", link, "junction");
}
// patches/ holds small fixes to dependencies (see patches/README.md), applied with patch-package
// so that they survive every `npm install`; e.g. tslab's `{ x }` shorthand across cells.
const patchPackage = join(root, "node_modules", "patch-package", "index.js");
if (existsSync(join(root, "patches")) && existsSync(patchPackage)) {
  execFileSync(process.execPath, [patchPackage, "--error-on-fail"], { stdio: "inherit", cwd: root });
}
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
if (existsSync(tsc)) {
  execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit", cwd: root });
  console.log("nn4astro: library built into dist/ and linked as node_modules/nn4astro");
} else {
  console.log("nn4astro: TypeScript not installed (production install?); using the shipped dist/ if present");
}
