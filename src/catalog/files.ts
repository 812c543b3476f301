/** Where the course's shipped data live, wherever the notebook or script runs from. */
import { existsSync, readdirSync } from "fs";
import { join, resolve } from "path";

/** The project's `data/` folder (dist/catalog/ → ../../data). */
export function dataDir(): string {
  return resolve(__dirname, "..", "..", "data");
}

/** Absolute path of a file in `data/`; a missing file is an error that lists what is there. */
export function dataPath(name: string): string {
  const p = join(dataDir(), name);
  if (!existsSync(p)) {
    const present = existsSync(dataDir()) ? readdirSync(dataDir()).join(", ") : "(no data folder)";
    throw new Error(`dataPath: no file "${name}" in ${dataDir()}. Files present: ${present}`);
  }
  return p;
}
