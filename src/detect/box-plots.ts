/**
 * Pictures of boxes: cut-outs with truth and predicted boxes drawn on them, labelled.
 */
import type { Figure, Layout } from "../plot/render";
import { imageGrid, type ImageGridOptions } from "../plot/charts";
import type { Box } from "./boxes";

/** One box to draw: its outline colour, dash style and an optional label at its top-left corner. */
export interface DrawnBox extends Box {
  color?: string;
  /** "solid" (default), "dash", "dot". */
  dash?: string;
  label?: string;
  /** Line width, pixels (default 2). */
  width?: number;
}

/**
 * A grid of images (each [row][column], row 0 at the top) with boxes drawn on them. Box coordinates
 * are pixel edges: pixel i covers [i, i + 1), so a box round pixels 3–5 is (3, 6).
 */
export function boxGrid(images: number[][][], boxes: readonly (readonly DrawnBox[])[], options: ImageGridOptions = {}): Figure {
  if (boxes.length !== images.length) throw new Error(`boxGrid: ${images.length} images but ${boxes.length} lists of boxes`);
  const fig = imageGrid(images, options);
  const layout = fig.layout as Layout;
  const shapes: Layout[] = [];
  const annotations = (layout.annotations as Layout[] | undefined) ?? [];
  boxes.forEach((list, k) => {
    const id = k === 0 ? "" : String(k + 1);
    for (const b of list) {
      shapes.push({
        type: "rect", xref: "x" + id, yref: "y" + id, x0: b.x0 - 0.5, x1: b.x1 - 0.5, y0: b.y0 - 0.5, y1: b.y1 - 0.5,
        line: { color: b.color ?? "#f58518", width: b.width ?? 2, dash: b.dash ?? "solid" },
      });
      if (b.label) {
        annotations.push({
          text: b.label, showarrow: false, xref: "x" + id, yref: "y" + id, x: b.x0 - 0.5, y: b.y0 - 0.5,
          xanchor: "left", yanchor: "bottom", font: { size: 9, color: b.color ?? "#f58518" },
        });
      }
    }
  });
  layout.shapes = shapes;
  layout.annotations = annotations;
  return fig;
}
