import { HUBBLE_1929, HUBBLE_1929_K_KM_S_MPC, fitLine, hubble1929DataFrame, hubble1929Fit } from "../src/catalog/hubble1929";

describe("Hubble (1929) Table 1", () => {
  test("24 nebulae with distinct names, distances up to 2 Mpc", () => {
    expect(HUBBLE_1929.length).toBe(24);
    expect(new Set(HUBBLE_1929.map((r) => r.name)).size).toBe(24);
    for (const r of HUBBLE_1929) {
      expect(r.distanceMpc).toBeGreaterThan(0.03);
      expect(r.distanceMpc).toBeLessThanOrEqual(2.0);
    }
    // the Virgo nebulae were all put at the cluster distance
    expect(HUBBLE_1929.filter((r) => r.distanceMpc === 2.0).length).toBe(4);
  });

  test("the printed absolute magnitudes follow from m_t and r (distance modulus), row by row", () => {
    for (const r of HUBBLE_1929) {
      const modulus = 5 * Math.log10((r.distanceMpc * 1e6) / 10);
      expect(Math.abs(r.totalMag - modulus - r.absoluteMag)).toBeLessThan(0.1);
    }
  });

  test("Local Group members approach us, the distant nebulae recede", () => {
    const near = HUBBLE_1929.filter((r) => r.distanceMpc < 0.3 && r.distanceMpc > 0.1);
    expect(near.every((r) => r.velocityKmS < 0)).toBe(true); // NGC 6822, M33, M32, M31
    const far = HUBBLE_1929.filter((r) => r.distanceMpc >= 1.4);
    expect(far.every((r) => r.velocityKmS >= 500)).toBe(true);
  });

  test("least squares through the origin gives K ~ 424 km/s/Mpc, within 400-550", () => {
    const fit = hubble1929Fit();
    expect(fit.slope).toBeGreaterThan(400);
    expect(fit.slope).toBeLessThan(550);
    expect(fit.slope).toBeCloseTo(423.94, 1);
    // Hubble's own K (465 +- 50, with the solar motion fitted too) is within the errors
    expect(Math.abs(fit.slope - HUBBLE_1929_K_KM_S_MPC.individualNebulae)).toBeLessThan(
      HUBBLE_1929_K_KM_S_MPC.individualError + 2 * fit.slopeError,
    );
    const free = hubble1929Fit(false);
    expect(free.slope).toBeCloseTo(454.16, 1);
    expect(free.intercept).toBeCloseTo(-40.78, 1);
    expect(Math.abs(free.intercept)).toBeLessThan(free.interceptError); // consistent with v = 0 at r = 0
  });

  test("fitLine recovers an exact line", () => {
    const x = [1, 2, 3, 4];
    const fit = fitLine(x, x.map((v) => 70 * v + 5), false);
    expect(fit.slope).toBeCloseTo(70, 10);
    expect(fit.intercept).toBeCloseTo(5, 10);
    expect(fitLine(x, x.map((v) => 70 * v)).slope).toBeCloseTo(70, 10);
  });

  test("DataFrame has the table's columns and rows", () => {
    const df = hubble1929DataFrame();
    expect(df.height).toBe(24);
    expect(df.columns).toEqual(["name", "distance_Mpc", "velocity_km_s", "m_brightest_stars", "m_total", "M_total"]);
    expect(df.getColumn("velocity_km_s").sum()).toBe(HUBBLE_1929.reduce((s, r) => s + r.velocityKmS, 0));
    expect(df.getColumn("m_brightest_stars").nullCount()).toBe(10);
  });
});
