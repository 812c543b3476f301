/**
 * The capstone's fidelity where an astronomer looks first (issue 14): one solar metallicity scale
 * in all of src/, a grid node that holds the Sun, no seam in the radius fits near solar Z, and MIST
 * EEP files numbered and labelled from their header (fixtures in the real MIST v1.2 layout, written
 * by hand: tests/fixtures/stellar/README.md).
 */
import { readdirSync, readFileSync, statSync } from "fs";
import { join } from "path";
import { calibrateSolarZ, evolveStar, hurleyStar, SUN_AGE_GYR, TEFF_SUN_K } from "../src/stellar/hurley";
import { ASPLUND09_SOLAR_Z, feHFromZ, mhFromZ, SOLAR_Z, zFromFeH, zFromMh } from "../src/stellar/metallicity";
import { DEFAULT_GRID_METALLICITIES, DEFAULT_GRID_MH, makeStellarGrid } from "../src/stellar/grid";
import { mistPhaseLabels, parseMistEep, readMistEep, StellarFileError } from "../src/stellar/readers";

const SRC = join(__dirname, "..", "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("one solar metallicity scale", () => {
  test("no file in src/ but stellar/metallicity.ts defines a solar Z or divides Z by a literal", () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(SRC)) {
      if (file.endsWith(join("stellar", "metallicity.ts"))) continue;
      const lines = readFileSync(file, "utf8").split("\n");
      lines.forEach((line, i) => {
        // Code only: drop comments (// …, /* … */ and the lines of a block comment).
        const code = line.replace(/\/\*.*?\*\//g, "").replace(/\/\/.*$/, "").replace(/^\s*(\/\*|\*).*$/, "");
        const where = `${file.slice(SRC.length + 1)}:${i + 1}: ${line.trim()}`;
        // A name like solarZ / zSun / SOLAR_Z_… given a number.
        if (/\b(solar_?z|z_?sun|z_?solar)\w*\s*(=|:|\?\?)\s*[-\d.]/i.test(code)) offenders.push(where);
        // Known solar Z values of any scale (Hurley's 0.02 is the fits' ζ variable, handled below).
        if (/\b0\.01(3[0-9]|4[0-9]|5[0-9]?|7|8[0-9]?|9[0-9]?)\d*\b/.test(code) && /\bz\b|metal|solar|sun/i.test(code)) offenders.push(where);
        // Z / 0.02-style scales outside the fits' own ζ definition.
        if (/Z\s*\/\s*0\.0\d|0\.0\d+\s*\/\s*Z\b/.test(code)) offenders.push(where);
      });
    }
    expect(offenders).toEqual([]);
  });

  test("SOLAR_Z is the Sun-calibrated Z of the stellar model, and [M/H] round-trips", () => {
    expect(Math.abs(calibrateSolarZ() / SOLAR_Z - 1)).toBeLessThan(0.005);
    expect(mhFromZ(SOLAR_Z)).toBe(0);
    expect(zFromMh(mhFromZ(0.008))).toBeCloseTo(0.008, 12);
    expect(() => mhFromZ(-1)).toThrow(/mhFromZ: Z must be .* got -1/);
  });

  test("catalogue [Fe/H] converts through Z/X: solar at 0, within 0.03 dex of log Z/Z☉ over the grid, α-enhancement adds metals", () => {
    expect(zFromFeH(0)).toBeCloseTo(SOLAR_Z, 12);
    for (const feh of [-0.7, -0.3, 0.2]) {
      expect(feHFromZ(zFromFeH(feh))).toBeCloseTo(feh, 10);
      expect(Math.abs(mhFromZ(zFromFeH(feh)) - feh)).toBeLessThan(0.03);
    }
    // Salaris et al. (1993): [α/Fe] = +0.3 raises [M/H] by log10(0.694·10^0.3 + 0.306) = 0.228 dex.
    expect(feHFromZ(zFromFeH(-1, { alphaFe: 0.3 })) + 1).toBeCloseTo(0.228, 3);
    // MIST's [Fe/H] = 0 (Z = 0.0142) is a metal-poor star on this model's scale.
    expect(mhFromZ(ASPLUND09_SOLAR_Z)).toBeCloseTo(-0.122, 3);
  });
});

describe("a grid that holds the Sun", () => {
  test("is laid out in [M/H] around 0 and its solar node's 1 M☉ track meets the Sun at 4.57 Gyr", () => {
    expect(DEFAULT_GRID_MH).toContain(0);
    expect(DEFAULT_GRID_METALLICITIES[DEFAULT_GRID_MH.indexOf(0)]).toBe(SOLAR_Z);
    // The 1 M☉ solar track as the grid writes it, read at the Sun's age by interpolating its rows.
    const grid = makeStellarGrid({ massesMsun: [1.0], metallicities: [SOLAR_Z], endPhase: "MS" });
    const age = grid.getColumn("star_age").toArray() as number[];
    const logL = grid.getColumn("log_L").toArray() as number[];
    const logTeff = grid.getColumn("log_Teff").toArray() as number[];
    const i = age.findIndex((a) => a > SUN_AGE_GYR * 1e9);
    const w = (SUN_AGE_GYR * 1e9 - age[i - 1]) / (age[i] - age[i - 1]);
    const lum = 10 ** (logL[i - 1] + w * (logL[i] - logL[i - 1]));
    const teff = 10 ** (logTeff[i - 1] + w * (logTeff[i] - logTeff[i - 1]));
    expect(Math.abs(lum - 1)).toBeLessThan(0.02);
    expect(Math.abs(teff / TEFF_SUN_K - 1)).toBeLessThan(0.005);
    expect(grid.getColumn("phase").toArray()[i]).toBe("MS");
  });
});

describe("no seam in the radius fits near solar metallicity", () => {
  // As published, α_R of 0.65–1.0 M☉ stars switched branch at Z = 0.01589: Teff jumped by up to
  // ~80–95 K between Z = 0.01588 and 0.0159 however fine the step. Now the largest change between
  // neighbouring Z shrinks in proportion to the step (continuity), staying a few K at ΔZ = 2e-5.
  const worstStepK = (m: number, ageGyr: number, dZ: number) => {
    let prev = NaN;
    let worst = 0;
    for (let Z = 0.01; Z <= 0.022; Z += dZ) {
      const s = evolveStar(m, Z, ageGyr);
      if (s.phase !== "MS") break;
      if (Number.isFinite(prev)) worst = Math.max(worst, Math.abs(s.teffK - prev));
      prev = s.teffK;
    }
    return worst;
  };
  test.each([0.7, 0.8, 0.9, 0.95])("Teff of %s M☉ is continuous in Z at fixed age (0.010 ≤ Z ≤ 0.022)", (m) => {
    for (const ageGyr of [1, 4.57, 8]) {
      const coarse = worstStepK(m, ageGyr, 2e-5);
      const fine = worstStepK(m, ageGyr, 5e-6);
      expect(coarse).toBeLessThan(5);
      expect(fine).toBeLessThan(0.4 * coarse + 0.05);
    }
  });

  test("the blend only moves stars inside Z = 0.01517–0.01589, by at most the published jump", () => {
    // Outside the window the published fits are untouched: pinned against values computed before the blend.
    expect(evolveStar(0.9, 0.0150, 4.57).teffK).toBeCloseTo(5444.8, 1);
    expect(evolveStar(0.9, 0.0160, 4.57).teffK).toBeCloseTo(5448.1, 1);
    // Inside, Teff lies between the two sides of the old jump (5409 K below, 5452 K above at 0.9 M☉).
    const inside = evolveStar(0.9, 0.0155, 4.57).teffK;
    expect(inside).toBeGreaterThan(5405);
    expect(inside).toBeLessThan(5460);
    expect(hurleyStar(0.9, 0.0155).tMSGyr).toBeCloseTo(hurleyStar(0.9, 0.01550001).tMSGyr, 4);
  });
});

describe("MIST EEP files in the real layout", () => {
  const fixture = (name: string) => join(__dirname, "fixtures", "stellar", name);

  test("a slice around the TAMS is numbered from the header and labelled MS up to the TAMS, HG after", () => {
    expect(() => readMistEep(fixture("mist-1.00Msun-tams.track.eep"))).toThrow(
      /tams\.track\.eep:8: the header declares N_pts = 1710 but the file has 16 data rows .*pass firstEep/,
    );
    const { header, frame } = parseMistEep(readFileSync(fixture("mist-1.00Msun-tams.track.eep"), "utf8"), "tams.eep", { firstEep: 446 });
    expect(header.primaryEEPs).toEqual([1, 202, 353, 454, 605, 631, 707, 808, 1409, 1710]);
    expect(header.Zinit).toBeCloseTo(0.0142857, 7);
    expect(header.feh).toBe(0);
    const eep = frame.getColumn("eep").toArray() as number[];
    const phase = frame.getColumn("phase").toArray() as string[];
    expect(eep[0]).toBe(446);
    expect(eep.at(-1)).toBe(461);
    // MIST's own code labels the TAMS row (EEP 454) "RGB" (2); here it is the last MS row.
    expect(frame.getColumn("mist_phase").toArray()[eep.indexOf(454)]).toBe(2);
    expect(phase.slice(0, eep.indexOf(454) + 1).every((p) => p === "MS")).toBe(true);
    expect(phase.slice(eep.indexOf(454) + 1).every((p) => p === "HG")).toBe(true);
  });

  test("a slice around the RGB tip: the tip row is the last GB row, later rows are past the grid", () => {
    const frame = readMistEep(fixture("mist-1.00Msun-tip.track.eep"), { firstEep: 598 });
    const eep = frame.getColumn("eep").toArray() as number[];
    const phase = frame.getColumn("phase").toArray() as string[];
    expect(frame.getColumn("mist_phase").toArray()[eep.indexOf(605)]).toBe(3);
    expect(phase[eep.indexOf(605)]).toBe("GB");
    expect(phase.filter((p) => p === "GB")).toHaveLength(eep.indexOf(605) + 1);
    expect(phase.slice(eep.indexOf(605) + 1).every((p) => p === "beyond")).toBe(true);
  });

  test("the base of the giant branch is where the track turns up the Hayashi line", () => {
    // Primary EEPs as in MIST; a subgiant stretch crossing at d log L / d log Teff ≈ −3, then the RGB at ≈ −30.
    const primary = [1, 202, 353, 454, 605];
    const eep = [1, 150, 202, 300, 353, 454, 470, 490, 510, 530, 560, 605, 606];
    const logTeff = [3.64, 3.66, 3.76, 3.765, 3.768, 3.762, 3.745, 3.725, 3.705, 3.695, 3.685, 3.48, 3.5];
    const logL = [1.2, 0.3, -0.1, 0.0, 0.1, 0.3, 0.35, 0.41, 0.47, 0.77, 1.07, 3.4, 3.2];
    expect(mistPhaseLabels(eep, primary, logL, logTeff)).toEqual(["PMS", "PMS", "MS", "MS", "MS", "MS", "HG", "HG", "HG", "GB", "GB", "GB", "beyond"]);
  });

  test("header and data that disagree raise StellarFileErrors naming the line", () => {
    const text = readFileSync(fixture("mist-1.00Msun-tams.track.eep"), "utf8");
    const read = (t: string, firstEep = 446) => () => parseMistEep(t, "edited.eep", { firstEep });
    // A wrong starting EEP puts MIST phase-2 rows on the main sequence.
    expect(read(text, 440)).toThrow(/edited\.eep:21: row 9 is EEP 448, .* MIST phase 0 \(main sequence\), but its phase column holds 2/);
    expect(read(text, 1700)).toThrow(/firstEep must be an integer .* N_pts = 1710 \(16 rows\); got 1700/);
    expect(read(text.replace("1710      10      13", "1710       9      13"))).toThrow(/edited\.eep:9: the header declares N_EEP = 9 but the EEPs line lists 10/);
    expect(read(text.replace("   631    707", "   707    631"))).toThrow(/edited\.eep:9: the EEPs line must list increasing positive integers/);
    expect(read(text.replace("1709", "").replace("1710      10", "1800      10"))).toThrow(/last primary EEP is 1710 but the header declares N_pts = 1800/);
    try {
      read(text, 440)();
    } catch (e) {
      expect(e).toBeInstanceOf(StellarFileError);
      expect((e as StellarFileError).column).toBe("phase");
    }
  });
});
