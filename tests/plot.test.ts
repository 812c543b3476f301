import { figureBundle, figureHtml, plotlyScriptTag, plotlyVersion, PLOTLY_MIME } from "../src/plot/render";
import { confusionCounts, heatmapChart, histogramChart, imageGrid, lineChart, rocCurve, scatterChart, toImage } from "../src/plot/charts";
import { historyChart, progressHtml, timeLeftS } from "../src/train/progress";

describe("chart builders", () => {
  test("scatter with error bars and colour scale carries the data through", () => {
    const fig = scatterChart({ x: [1, 2, 3], y: Float64Array.from([4, 5, 6]), yErr: [0.1, 0.2, 0.3], colorBy: [7, 8, 9], name: "s" }, { title: "T", reverseY: true });
    const t = fig.data[0] as Record<string, any>;
    expect(t.x).toEqual([1, 2, 3]);
    expect(t.y).toEqual([4, 5, 6]);
    expect(t.error_y.array).toEqual([0.1, 0.2, 0.3]);
    expect(t.marker.color).toEqual([7, 8, 9]);
    expect((fig.layout.yaxis as any).autorange).toBe("reversed");
    expect((fig.layout.title as any).text).toBe("T"); // plotly >= 3 wants {text}
  });

  test("mismatched lengths name the series and the field", () => {
    expect(() => lineChart({ x: [1, 2, 3], y: [1, 2], name: "flux" })).toThrow(/"flux": x has 3 values but y has 2/);
    expect(() => heatmapChart({ z: [[1, 2], [3]] })).toThrow(/row 1 has 1 values, row 0 has 2/);
  });

  test("histogram bins span the data", () => {
    const fig = histogramChart({ values: [0, 1, 2, 3, 4], bins: 4 });
    const bins = (fig.data[0] as any).xbins;
    expect(bins.start).toBe(0);
    expect(bins.size).toBeCloseTo(1);
  });

  test("image grid lays out one heatmap per image with its own axes and captions", () => {
    const img = toImage([1, 2, 3, 4, 5, 6], 2, 3);
    expect(img).toEqual([[1, 2, 3], [4, 5, 6]]);
    const fig = imageGrid([img, img, img], { columns: 2, captions: ["a", "b", "c"] });
    expect(fig.data).toHaveLength(3);
    expect(fig.data.map((d) => d.xaxis)).toEqual(["x", "x2", "x3"]);
    expect((fig.layout.annotations as unknown[]).length).toBe(3);
    expect(() => toImage([1, 2], 2, 2)).toThrow(/need 2x2 values/);
  });

  test("confusion counts", () => {
    expect(confusionCounts([0, 0, 1, 1, 1], [0, 1, 1, 1, 0])).toEqual([[1, 1], [1, 2]]);
    expect(() => confusionCounts([0, 1], [0])).toThrow(/2 true labels but 1 predictions/);
    expect(() => confusionCounts([0, 2], [0, 1], 2)).toThrow(/index 1/);
  });

  test("ROC curve: perfect, random and inverted classifiers; ties as one step", () => {
    expect(rocCurve([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]).auc).toBeCloseTo(1);
    expect(rocCurve([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1]).auc).toBeCloseTo(0);
    expect(rocCurve([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]).auc).toBeCloseTo(0.5);
    // AUC equals the Mann-Whitney probability that a positive outscores a negative.
    const labels = [1, 0, 1, 0, 1, 0, 0, 1];
    const scores = [0.9, 0.3, 0.4, 0.6, 0.8, 0.1, 0.4, 0.2];
    let wins = 0, pairs = 0;
    labels.forEach((li, i) => labels.forEach((lj, j) => {
      if (li === 1 && lj === 0) { pairs++; wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0; }
    }));
    expect(rocCurve(labels, scores).auc).toBeCloseTo(wins / pairs, 10);
    expect(() => rocCurve([1, 1], [0.2, 0.3])).toThrow(/both classes/);
  });

  test("history chart draws train and validation curves", () => {
    const fig = historyChart({ loss: [1, 0.5, 0.25], val_loss: [1.1, 0.7, 0.6] });
    expect(fig.data.map((d) => d.name)).toEqual(["loss (train)", "loss (validation)"]);
    expect(fig.data[1].x).toEqual([1, 2, 3]);
  });

  test("progress display shows epoch, time left and metrics", () => {
    const html = progressHtml("MLP", 5, 20, 10, { loss: 0.1234, val_loss: 0.2 });
    expect(html).toContain("epoch 5/20");
    expect(html).toContain("~30 s left");
    expect(html).toContain("loss 0.1234");
    expect(html).toContain("width:25%");
  });

  test("time left ignores the slow first epoch (warm-up), and says so until it can estimate", () => {
    // First epoch 8 s (compilation, first allocations), then 1 s per epoch: 3 epochs left = 3 s.
    expect(timeLeftS(5, 8, 12, 8)).toBeCloseTo(3);
    expect(progressHtml("MLP", 1, 8, 8, undefined, 8)).toContain("estimating time left");
    expect(progressHtml("MLP", 5, 8, 12, undefined, 8)).toContain("~3 s left");
  });
});

describe("offline rendering", () => {
  test("plotly.js is inlined from the npm package (v3+), loaders hidden, no CDN", () => {
    const tag = plotlyScriptTag();
    expect(Number(plotlyVersion().split(".")[0])).toBeGreaterThanOrEqual(3);
    expect(tag.length).toBeGreaterThan(1_000_000);
    expect(tag).toContain("(function(define, module, exports)");
    expect(tag).not.toMatch(/<script[^>]+src=/);
    // Only the wrapper's own closing tag: the library text cannot end the script early.
    expect(tag.match(/<\/script>/g)).toHaveLength(1);
  });

  test("a figure without the library is small and its JSON cannot break out of the script", () => {
    const html = figureHtml(lineChart({ x: [1, 2], y: [3, NaN], name: "</script><b>x" }));
    expect(html.length).toBeLessThan(5000);
    expect(html).not.toContain("</script><b>");
    expect(html).toContain("null"); // NaN becomes a gap, not invalid JSON
    expect(html).toContain("Plotly.newPlot");
  });

  test("a figure is one output with plotly's JSON mime type, self-contained HTML and text", () => {
    const bundle = figureBundle(lineChart({ x: new Float32Array([1, 2]), y: [3, NaN], name: "flux" }));
    const spec = bundle[PLOTLY_MIME] as { data: Array<{ x: number[]; y: unknown[] }>; layout: { height: number } };
    expect(spec.data[0].x).toEqual([1, 2]); // typed arrays become plain JSON arrays
    expect(spec.data[0].y).toEqual([3, null]);
    expect(spec.layout.height).toBe(420);
    expect(bundle["text/html"]).toContain("Plotly.newPlot");
    expect(bundle["text/plain"]).toMatch(/^\[figure: /);
    // The JSON survives a round trip, as it must in a saved notebook.
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  });

  test("where scripts do not run (an untrusted notebook) the figure says why instead of collapsing", () => {
    const html = figureHtml(lineChart({ x: [1, 2], y: [3, 4] }));
    const div = html.slice(html.indexOf('<div id="'), html.indexOf("</div>"));
    expect(div).toContain("Trust Notebook");
    // The script clears the note before plotly draws, so trusted figures do not show it.
    expect(html).toContain("el.innerHTML = ''; window.Plotly.newPlot");
    // The advice for a page that lost plotly.js names a cell that really re-embeds it.
    expect(html).toContain("setupBackend()");
  });
});

describe("axis ranges as options", () => {
  test("xRange/yRange fix the axes; a log axis takes data units", () => {
    const { rocChart: roc, lineChart: line } = require("../src/plot/charts");
    const curve = { falsePositiveRate: [0, 0.5, 1], truePositiveRate: [0, 0.9, 1], thresholds: [1, 0.5, 0], auc: 0.7 };
    const zoom = roc([{ name: "m", roc: curve }], { xRange: [0, 0.1], yRange: [0.7, 1] });
    expect(zoom.layout.xaxis).toMatchObject({ range: [0, 0.1], autorange: false });
    expect(zoom.layout.yaxis).toMatchObject({ range: [0.7, 1], autorange: false });
    const logRoc = roc([{ name: "m", roc: curve }], { logX: true });
    expect(logRoc.layout.xaxis).toMatchObject({ type: "log", range: [-3, 0] });
    const reversed = line({ x: [1, 2], y: [3, 4] }, { reverseY: true, yRange: [10, 20] });
    expect(reversed.layout.yaxis.range).toEqual([20, 10]);
    expect(() => line({ x: [1, 2], y: [3, 4] }, { logX: true, xRange: [0, 1] })).toThrow("xRange: expected [from, to] with finite, positive (log axis) numbers, got [0, 1]");
  });
});
