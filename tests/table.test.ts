import * as tf from "@tensorflow/tfjs";
import * as pl from "nodejs-polars";
import { mkdtempSync, writeFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { columnValues, dataFrameToTensor, readTable, splitRows, Standardizer, takeRows, tensorToDataFrame } from "../src/table/tensors";
import { dataPath } from "../src/catalog/files";
import { tableHtml } from "../src/table/display";

beforeAll(async () => { await tf.setBackend("cpu"); });

describe("DataFrame <-> tensor", () => {
  const df = pl.DataFrame({ teff_k: [5772, 9600, 3500], logg: [4.44, 4.0, 4.8], name: ["Sun", "Vega", "M dwarf"] });

  test("round trip keeps values and order", () => {
    const t = dataFrameToTensor(df, ["teff_k", "logg"]);
    expect(t.shape).toEqual([3, 2]);
    expect(Array.from(t.dataSync())).toEqual([5772, 4.44, 9600, 4, 3500, 4.8].map(Math.fround));
    const back = tensorToDataFrame(t, ["teff_k", "logg"]);
    expect(back.getColumn("teff_k").toArray()).toEqual([5772, 9600, 3500]);
  });

  test("missing and non-numeric columns are named", () => {
    expect(() => dataFrameToTensor(df, ["teff"], "stars.csv")).toThrow(/stars.csv: no column "teff". Columns present: teff_k, logg, name/);
    expect(() => columnValues(df, "name")).toThrow(/column "name" row 0 holds "Sun", not a finite number/);
    const withNull = pl.DataFrame({ x: [1, null, 3] });
    expect(() => columnValues(withNull, "x")).toThrow(/row 1 holds an empty value/);
    expect(() => tensorToDataFrame(tf.zeros([2, 3]), ["a", "b"])).toThrow(/3 columns but 2 names/);
  });
});

describe("splits and standardisation", () => {
  test("splitRows covers every row once, in the requested proportions, repeatably", () => {
    const s = splitRows(1000, { train: 0.7, validation: 0.15, test: 0.15 }, 9);
    expect(s.train).toHaveLength(700);
    expect(s.validation).toHaveLength(150);
    expect([...s.train, ...s.validation, ...s.test].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(splitRows(1000, { train: 0.7, validation: 0.15, test: 0.15 }, 9)).toEqual(s);
    expect(() => splitRows(10, { train: 0.7, validation: 0.2 })).toThrow(/sum to 1/);
  });

  test("standardiser uses training statistics only and inverts exactly", () => {
    const train = tf.tensor2d([[1, 10], [3, 10], [5, 10]]);
    const test = tf.tensor2d([[7, 20]]);
    const st = Standardizer.fit(train, ["a", "b"]);
    expect(Array.from(st.mean)).toEqual([3, 10]);
    expect(st.sd[0]).toBeCloseTo(Math.sqrt(8 / 3), 5);
    expect(st.sd[1]).toBe(1); // constant column is not divided by zero
    const z = st.transform(test).dataSync();
    expect(z[0]).toBeCloseTo(4 / Math.sqrt(8 / 3), 5);
    expect(z[1]).toBeCloseTo(10, 5);
    expect(Array.from(st.inverse(st.transform(test)).dataSync())).toEqual([7, 20]);
    expect(() => st.transform(tf.zeros([2, 3]) as tf.Tensor2D)).toThrow(/fitted on 2 features \(a, b\) but got a tensor of shape \[2,3\]/);
    expect(Standardizer.fromJSON(st.toJSON()).toJSON()).toEqual(st.toJSON());
  });

  test("takeRows picks rows in the given order", () => {
    const df = pl.DataFrame({ a: [10, 11, 12, 13] });
    expect(takeRows(df, [3, 0]).getColumn("a").toArray()).toEqual([13, 10]);
  });
});

describe("readTable", () => {
  const dir = mkdtempSync(join(tmpdir(), "nn4astro-table-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("reads the shipped star table with numeric columns", () => {
    const df = readTable(dataPath("bright-stars.csv"), { numericColumns: ["v_mag", "b_minus_v", "parallax_mas"] });
    expect(df.height).toBe(25);
    expect(df.getColumn("v_mag").dtype.toString()).toMatch(/Float64/);
  });

  test("a bad cell is reported with file, line and column", () => {
    const p = join(dir, "bad.csv");
    writeFileSync(p, "name,v_mag\nSirius,-1.46\nVega,0.o3\n");
    expect(() => readTable(p, { numericColumns: ["v_mag"] })).toThrow(`${p} line 3, column "v_mag": "0.o3" is not a number`);
    writeFileSync(p, "name,v_mag\nSirius,\n");
    expect(() => readTable(p, { numericColumns: ["v_mag"] })).toThrow(/line 2, column "v_mag": empty value/);
    expect(() => readTable(p, { numericColumns: ["b_v"] })).toThrow(/has no column "b_v" \(header line 1 has: name, v_mag\)/);
    expect(() => readTable(join(dir, "nope.csv"))).toThrow(/file not found/);
  });

  test("tables render as HTML with the elided middle", () => {
    const html = tableHtml(pl.DataFrame({ a: Array.from({ length: 30 }, (_, i) => i) }), { maxRows: 4 });
    expect(html).toContain("30 rows × 1 columns");
    expect(html).toContain("…");
    expect((html.match(/<tr>/g) ?? []).length).toBe(1 + 4 + 1);
  });
});
