import * as tf from "@tensorflow/tfjs";
import { TransientLightCurve, drawTransientParams } from "../src/sim/supernovae";
import { binnedSequences, classLabels, interpolatedVectors, observationSequences } from "../src/rnn/sequences";
import { inputGradientByStep, recurrentClassifier } from "../src/rnn/models";
import { Rng } from "../src/random";

/** A hand-made light curve: times, bands and fluxes as given, detection at `detectDays`. */
function curve(timeDays: number[], band: number[], flux: number[], detectDays: number): TransientLightCurve {
  return {
    params: drawTransientParams("Ia", new Rng(1), { redshift: 0.1, explosionDays: 0 }),
    timeDays: Float64Array.from(timeDays),
    band: Int8Array.from(band),
    flux: Float64Array.from(flux),
    fluxErr: Float64Array.from(flux, () => 20),
    fluxTrue: Float64Array.from(flux),
    limitingMag: Float64Array.from(flux, () => 24),
    firstDetectionDays: detectDays,
    nDetections: 2,
    seed: 0,
  };
}

const lc = curve([0, 2, 5, 9, 12, 14, 17, 21, 30], [0, 1, 2, 3, 0, 1, 2, 3, 0], [5, 40, 80, 100, 120, 110, 90, 60, 20], 5);

describe("observation sequences", () => {
  test("each step holds Δt, time since detection, the band flag, asinh flux and error; padding is zero", () => {
    // window from 3 d before detection (t >= 2): t = 2, 5, 9, 12, 14, 17, 21, 30
    const s = observationSequences([lc], { maxSteps: 12, daysBeforeDetection: 3, fluxScale: 20 });
    expect(s.features).toBe(8);
    expect(s.lengths[0]).toBe(8);
    const step = (k: number) => Array.from(s.x.subarray(k * 8, k * 8 + 8));
    expect(step(0)).toEqual([0, -0.03, 0, 1, 0, 0, Math.asinh(2), Math.asinh(1)].map(Math.fround));
    const third = step(2); // t = 9, band z, 4 d after the previous step, 4 d after detection
    expect(third[0]).toBeCloseTo(0.4, 6);
    expect(third[1]).toBeCloseTo(0.04, 6);
    expect(third.slice(2, 6)).toEqual([0, 0, 0, 1]);
    for (let k = 8; k < 12; k++) expect(step(k).every((v) => v === 0)).toBe(true);
  });

  test("truncation, early cuts and per-band subsampling keep what they promise", () => {
    expect(observationSequences([lc], { maxSteps: 3, daysBeforeDetection: 3 }).lengths[0]).toBe(3);
    expect(observationSequences([lc], { daysBeforeDetection: 3, daysAfterDetection: 10 }).lengths[0]).toBe(5); // t = 2 … 14
    // every 2nd observation of each band: all four bands survive although they rotate
    const sub = observationSequences([lc], { daysBeforeDetection: 10, subsample: 2 });
    const bands = new Set<number>();
    for (let k = 0; k < sub.lengths[0]; k++) bands.add(Array.from(sub.x.subarray(k * 8 + 2, k * 8 + 6)).indexOf(1));
    expect(sub.lengths[0]).toBe(5); // g at 0, 30; r at 2; i at 5; z at 9
    expect(bands.size).toBe(4);
  });

  test("bad options name the function and the value", () => {
    expect(() => observationSequences([lc], { maxSteps: 0 })).toThrow(/observationSequences: maxSteps.*0/);
    expect(() => binnedSequences([lc], { fill: "zero" as "random" })).toThrow(/binnedSequences: fill.*zero/);
    expect(() => classLabels([lc], ["IIP"])).toThrow(/classLabels: light curve 0 is a Ia/);
  });
});

describe("interpolated vectors and time bins", () => {
  test("interpolation is linear between a band's points and zero outside them", () => {
    const v = interpolatedVectors([lc], { gridDays: [-5, 2, 10], fluxScale: 20 });
    // g (band 0) observed at t − 5 = −5, 7, 25: at 2 d it lies 7/12 of the way from 5 to 120
    expect(v.x[0]).toBeCloseTo(Math.asinh(5 / 20), 5);
    expect(v.x[1]).toBeCloseTo(Math.asinh(5 / 20) + (7 / 12) * (Math.asinh(6) - Math.asinh(5 / 20)), 5);
    // r (band 1) observed at −3 and 9: nothing at −5, so zero
    expect(v.x[3]).toBe(0);
  });

  test("a missing band is filled between its neighbours: exactly by interpolation, anywhere between them at random", () => {
    const opts = { binDays: 5, nBins: 8, daysBeforeDetection: 5 } as const; // bins start at t = 0
    const lin = binnedSequences([lc], { ...opts, fill: "interpolate" });
    const g = (x: Float32Array, bin: number) => x[bin * 8];
    // g measured in bins 0 (t = 0) and 2 (t = 12); bin 1 is filled halfway
    expect(g(lin.x, 1)).toBeCloseTo((Math.asinh(0.25) + Math.asinh(6)) / 2, 5);
    expect(lin.x[1 * 8 + 4]).toBe(0); // not measured
    expect(lin.x[2 * 8 + 4]).toBe(1);
    const rng = new Rng(3);
    const draws = Array.from({ length: 200 }, () => g(binnedSequences([lc], { ...opts, fill: "random", rng }).x, 1));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(Math.fround(Math.asinh(0.25)));
    expect(Math.max(...draws)).toBeLessThanOrEqual(Math.fround(Math.asinh(6)));
    expect(new Set(draws).size).toBeGreaterThan(150); // a new value every call
  });
});

describe("recurrent classifier", () => {
  test("masking makes padding invisible, and padded steps get no gradient", () => {
    const model = recurrentClassifier({ cell: "lstm", features: 8, classes: 3, units: 6 });
    const s = observationSequences([lc], { maxSteps: 10, daysBeforeDetection: 3 });
    const x10 = tf.tensor3d(s.x, [1, 10, 8]);
    const x20 = tf.pad(x10, [[0, 0], [0, 10], [0, 0]]) as tf.Tensor3D;
    const p10 = (model.predict(x10) as tf.Tensor).dataSync();
    const p20 = (model.predict(x20) as tf.Tensor).dataSync();
    p10.forEach((v, k) => expect(Math.abs(v - p20[k])).toBeLessThan(1e-6));
    const g = inputGradientByStep(model, x20, tf.tensor2d([[1, 0, 0]]));
    expect(g.length).toBe(20);
    for (let t = 0; t < 8; t++) expect(g[t]).toBeGreaterThan(0);
    for (let t = 8; t < 20; t++) expect(g[t]).toBe(0);
  });
});
