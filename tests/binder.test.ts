/**
 * Checks the Binder (repo2docker) configuration without building an image: the environment
 * pins what the notebooks need, and postBuild is an executable, syntactically valid bash script
 * that installs, builds and registers the kernel.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const binder = path.join(__dirname, "..", "binder");

type Yaml = Record<string, string | string[]>;

/**
 * Parses the flat YAML subset environment.yml uses: `key: value`, `key:` followed by `- item`
 * lines, and comments. Anything else is an error, so the file cannot silently grow beyond
 * what this test understands.
 */
function parseSimpleYaml(text: string): Yaml {
  const result: Yaml = {};
  let listKey: string | null = null;
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\s+#.*$/, "").replace(/^#.*$/, "").trimEnd();
    if (line.trim() === "") return;
    const item = /^\s+-\s+(.+)$/.exec(line);
    if (item && listKey) {
      (result[listKey] as string[]).push(item[1].trim());
      return;
    }
    const pair = /^([A-Za-z_][\w-]*):\s*(.*)$/.exec(line);
    if (!pair) throw new Error(`environment.yml line ${i + 1} is not simple YAML: ${raw}`);
    if (pair[2] === "") {
      listKey = pair[1];
      result[listKey] = [];
    } else {
      listKey = null;
      result[pair[1]] = pair[2];
    }
  });
  return result;
}

describe("binder/environment.yml", () => {
  const env = parseSimpleYaml(fs.readFileSync(path.join(binder, "environment.yml"), "utf8"));
  const deps = env.dependencies as string[];
  /** The version spec of a conda dependency ("" if unpinned), or undefined if absent. */
  const pin = (name: string) => {
    const d = deps.find((x) => x.split(/[=<> ]/)[0] === name);
    return d === undefined ? undefined : d.slice(name.length).replace(/^=+/, "");
  };

  test("uses conda-forge only", () => {
    expect(env.channels).toEqual(["conda-forge"]);
  });

  test("pins Python 3.11, Node 20, JupyterLab 4 and Notebook 7, and has nbclient", () => {
    expect(pin("python")).toMatch(/^3\.11(\.|\*|$)/);
    expect(pin("nodejs")).toMatch(/^20(\.|\*|$)/);
    expect(pin("jupyterlab")).toMatch(/^4(\.|\*|$)/);
    expect(pin("notebook")).toMatch(/^7(\.|\*|$)/);
    expect(pin("nbclient")).toBeDefined();
  });

  test("agrees with a real YAML parser where one is available", () => {
    const python = ["/usr/bin/python3", "python3"].find(
      (p) => spawnSync(p, ["-c", "import yaml"], { stdio: "ignore" }).status === 0,
    );
    if (!python) return; // the tiny parser above is then the only check
    const r = spawnSync(python, ["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
      path.join(binder, "environment.yml")], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(env);
  });
});

describe("binder/postBuild", () => {
  const file = path.join(binder, "postBuild");
  const script = fs.readFileSync(file, "utf8");

  test("is executable (repo2docker ignores a postBuild without the x bit)", () => {
    expect(fs.statSync(file).mode & 0o111).not.toBe(0);
    expect(script.startsWith("#!/usr/bin/env bash\n") || script.startsWith("#!/bin/bash\n")).toBe(true);
  });

  test("passes bash -n", () => {
    const r = spawnSync("bash", ["-n", file], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  test("installs with npm ci, builds, and registers tslab with an absolute binary", () => {
    expect(script).toMatch(/^set -euo pipefail$/m);
    expect(script).toMatch(/^npm ci\b/m);
    expect(script).toMatch(/^npm run build$/m);
    expect(script).toMatch(/tslab install .*--binary="\$PWD\/node_modules\/\.bin\/tslab"/);
    expect(script).toContain("--sys-prefix");
  });
});
