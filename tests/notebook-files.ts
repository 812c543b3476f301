/** Temporary notebooks for the runner tests, written where tslab resolves "nn4astro" (notebooks/). */
import * as fs from "fs";
import * as path from "path";

export interface TestNotebookOptions {
  /** Put a markdown title first, so code-cell numbers differ from file indices. */
  markdownTitle?: string;
}

/** Writes a tslab notebook of code cells and returns its path. */
export function writeTestNotebook(file: string, sources: string[], options: TestNotebookOptions = {}): string {
  const code = sources.map((source, i) => ({
    cell_type: "code", id: `c${i}`, metadata: {}, source, outputs: [], execution_count: null,
  }));
  const title = options.markdownTitle === undefined ? [] : [{ cell_type: "markdown", id: "md", metadata: {}, source: options.markdownTitle }];
  const nb = {
    cells: [...title, ...code],
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(nb, null, 1) + "\n");
  return file;
}
