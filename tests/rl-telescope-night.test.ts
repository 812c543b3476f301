/**
 * The telescope-night environment keeps its physics honest: airmass and altitude from the
 * spherical-astronomy formulas, nothing observed below the horizon, depth lost to extinction,
 * seeing, moonlight and slews, a weather chain with the right long-run statistics, and nights
 * that are exactly reproducible from their seed.
 */
import {
  airmassFromAltitude, altitudeDeg, angularSeparationDeg, hourAngleHours, limitingMagnitude, moonSkyBrighteningMag,
} from "../src/rl/sky-geometry";
import { DEFAULT_WEATHER, simulateWeather, stationaryDistribution } from "../src/rl/weather";
import { FLARE_FIELDS, TelescopeNight } from "../src/rl/telescope-night";
import {
  batchPolicy, expectedAliveHours, highestFieldPolicy, observerHeuristicPolicy, randomPolicy, runNights,
} from "../src/rl/observing-policies";
import { Rng } from "../src/random";

const LA_PALMA = 28.76;

describe("sky geometry", () => {
  test("a target at the zenith has altitude 90° and airmass 1", () => {
    expect(altitudeDeg(0, LA_PALMA, LA_PALMA)).toBeCloseTo(90, 10);
    expect(airmassFromAltitude(90)).toBeCloseTo(1, 12);
  });

  test("airmass follows the sec z law: X = 1 / cos(zenith distance)", () => {
    for (const z of [0, 15, 30, 45, 60, 70]) {
      expect(airmassFromAltitude(90 - z)).toBeCloseTo(1 / Math.cos((z * Math.PI) / 180), 10);
    }
    expect(airmassFromAltitude(30)).toBeCloseTo(2, 12);
    expect(airmassFromAltitude(0)).toBe(Infinity);
    expect(airmassFromAltitude(-10)).toBe(Infinity);
  });

  test("on the meridian the altitude is 90° − |φ − δ|; the lower culmination is φ + δ − 90°", () => {
    for (const dec of [-20, 0, 15, 45, 70]) {
      expect(altitudeDeg(0, dec, LA_PALMA)).toBeCloseTo(90 - Math.abs(LA_PALMA - dec), 8);
    }
    expect(altitudeDeg(12, 80, LA_PALMA)).toBeCloseTo(LA_PALMA + 80 - 90, 8);
  });

  test("altitude is symmetric in hour angle and a target far south never rises", () => {
    expect(altitudeDeg(-3, 20, LA_PALMA)).toBeCloseTo(altitudeDeg(3, 20, LA_PALMA), 12);
    for (let h = -12; h < 12; h += 0.5) expect(altitudeDeg(h, -70, LA_PALMA)).toBeLessThan(0);
  });

  test("hour angles wrap into [-12, 12) and separations match known cases", () => {
    expect(hourAngleHours(1, 23)).toBeCloseTo(2, 12);
    expect(hourAngleHours(23, 1)).toBeCloseTo(-2, 12);
    expect(angularSeparationDeg(0, 0, 6, 0)).toBeCloseTo(90, 10);
    expect(angularSeparationDeg(3, 89.999999, 15, 89.999999)).toBeCloseTo(0, 4);
    expect(angularSeparationDeg(5, 10, 17, -10)).toBeCloseTo(180, 8);
  });

  test("the limiting magnitude loses k per airmass plus the seeing term, 1.25 log t, and moonlight", () => {
    const base = { zenithLimitMag: 21, airmass: 1, extinctionMagPerAirmass: 0.15, skyBrighteningMag: 0, cloudTransmission: 1, exposureFraction: 1 };
    expect(limitingMagnitude(base)).toBeCloseTo(21, 12);
    expect(limitingMagnitude({ ...base, airmass: 2 })).toBeCloseTo(21 - 0.15 - 1.5 * Math.log10(2), 12);
    expect(limitingMagnitude({ ...base, exposureFraction: 0.25 })).toBeCloseTo(21 - 1.25 * Math.log10(4), 12);
    // A sky 2.5 mag brighter (10× the background) costs 1.25 mag of depth.
    expect(limitingMagnitude({ ...base, skyBrighteningMag: 2.5 })).toBeCloseTo(21 - 1.25, 12);
    expect(limitingMagnitude({ ...base, cloudTransmission: 0 })).toBe(-Infinity);
    expect(() => limitingMagnitude({ ...base, airmass: 0.5 })).toThrow(/airmass must be >= 1/);
  });

  test("moonlight: none when the Moon is down or new, more near the Moon, ~3 mag near a high full Moon", () => {
    expect(moonSkyBrighteningMag(1, -5, 10)).toBe(0);
    expect(moonSkyBrighteningMag(0, 60, 10)).toBe(0);
    const near = moonSkyBrighteningMag(1, 60, 10);
    const far = moonSkyBrighteningMag(1, 60, 120);
    expect(near).toBeGreaterThan(far);
    expect(near).toBeGreaterThan(2.5);
    expect(near).toBeLessThan(3.5);
    expect(moonSkyBrighteningMag(0.25, 60, 10)).toBeLessThan(near / 2);
  });
});

describe("weather chain", () => {
  test("the stationary distribution satisfies π P = π and matches long-run frequencies", () => {
    const pi = stationaryDistribution(DEFAULT_WEATHER.transition);
    expect(pi.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const piP = pi.map((_, j) => pi.reduce((acc, p, i) => acc + p * DEFAULT_WEATHER.transition[i][j], 0));
    piP.forEach((v, j) => expect(v).toBeCloseTo(pi[j], 10));
    const seq = simulateWeather(DEFAULT_WEATHER, 200000, new Rng(3));
    const freq = pi.map((_, s) => seq.filter((x) => x === s).length / seq.length);
    freq.forEach((f, s) => expect(Math.abs(f - pi[s])).toBeLessThan(0.01));
  });

  test("cloudy spells last as long as the chain says: mean run length 1 / (1 − P_ii)", () => {
    const seq = simulateWeather(DEFAULT_WEATHER, 200000, new Rng(4));
    const runs: number[] = [];
    let len = 1;
    for (let t = 1; t < seq.length; t++) {
      if (seq[t] === seq[t - 1]) len++;
      else {
        if (seq[t - 1] === 2) runs.push(len);
        len = 1;
      }
    }
    const mean = runs.reduce((a, b) => a + b, 0) / runs.length;
    expect(mean).toBeCloseTo(1 / (1 - DEFAULT_WEATHER.transition[2][2]), 0);
  });

  test("a malformed transition matrix is rejected with the row named", () => {
    const bad = { ...DEFAULT_WEATHER, transition: [[0.5, 0.5, 0], [0.2, 0.2, 0.2], [0, 0, 1]] };
    expect(() => simulateWeather(bad, 10, new Rng(1))).toThrow(/transition row 1 \(thin cloud\)/);
  });
});

describe("TelescopeNight", () => {
  test("observation has the documented size and stays in a small range", () => {
    const env = new TelescopeNight();
    const obs = env.reset(1);
    expect(env.observationSize).toBe(6 * FLARE_FIELDS.length + 5);
    expect(obs.length).toBe(env.observationSize);
    expect(env.nSteps).toBe(30);
    for (let t = 0; t < env.nSteps; t++) {
      const out = env.step(highestFieldPolicy(env, obs, new Rng(0)));
      for (const v of out.observation) expect(Math.abs(v)).toBeLessThanOrEqual(1.0001);
      expect(out.terminated).toBe(t === env.nSteps - 1);
    }
    expect(() => env.step(0)).toThrow(/night is over/);
  });

  test("the same seed gives the same night and the same rewards; another seed does not", () => {
    const play = (seed: number) => {
      const env = new TelescopeNight();
      const obs = [Array.from(env.reset(seed))];
      const rewards: number[] = [];
      const rng = new Rng(9);
      for (let t = 0; t < env.nSteps; t++) {
        const out = env.step(randomPolicy(env, obs[obs.length - 1] as unknown as Float32Array, rng));
        obs.push(Array.from(out.observation));
        rewards.push(out.reward);
      }
      return { obs, rewards, conditions: env.nightConditions() };
    };
    expect(play(7)).toEqual(play(7));
    expect(play(7).conditions).not.toEqual(play(8).conditions);
  });

  test("a field below the horizon cannot be observed: masked, and a visit detects nothing", () => {
    const southern = { name: "far south", raHours: 4, decDeg: -75, transientRatePerHour: 50 };
    const env = new TelescopeNight({ fields: [FLARE_FIELDS[2], southern], transientMagRange: [10, 12] });
    env.reset(3);
    for (let t = 0; t < env.nSteps; t++) {
      expect(env.actionMask()[1]).toBe(false);
      const out = env.step(1);
      expect(out.info.observable).toBe(false);
      expect(out.info.airmass).toBe(Infinity);
      expect(out.reward).toBe(0);
    }
    expect(env.transientCounts()[1].occurred).toBeGreaterThan(100);
  });

  test("the reported airmass is sec z of the field's altitude at mid-visit", () => {
    const env = new TelescopeNight();
    env.reset(11);
    const { startLstHours } = env.nightConditions();
    const out = env.step(2);
    const lst = startLstHours + 1.0027379 * out.info.hour;
    const alt = altitudeDeg(hourAngleHours(lst, FLARE_FIELDS[2].raHours), FLARE_FIELDS[2].decDeg, LA_PALMA);
    expect(out.info.airmass).toBeCloseTo(1 / Math.sin((alt * Math.PI) / 180), 10);
  });

  test("staying on a field costs no slew; a long slew shortens the exposure", () => {
    const env = new TelescopeNight();
    env.reset(5);
    const first = env.step(2).info;
    const stay = env.step(2).info;
    const away = env.step(0).info;
    expect(first.slewSeconds).toBe(20);
    expect(stay.slewSeconds).toBe(0);
    const sep = angularSeparationDeg(FLARE_FIELDS[2].raHours, FLARE_FIELDS[2].decDeg, FLARE_FIELDS[0].raHours, FLARE_FIELDS[0].decDeg);
    expect(away.slewSeconds).toBeCloseTo(20 + sep, 10);
    expect(away.exposureSeconds).toBeCloseTo(1200 - 30 - 20 - sep, 10);
  });

  test("overcast visits detect nothing; a transient is detected at most once", () => {
    const env = new TelescopeNight({ transientLifetimeHours: [20, 20] });
    env.reset(21);
    const weather = env.nightConditions().weather;
    const detectedFirst = env.step(1).reward;
    expect(weather[0] === 2 ? detectedFirst === 0 : true).toBe(true);
    // Lifetimes of 20 h: everything stays alive, so a second look right away finds only what is new.
    let total = detectedFirst;
    for (let t = 1; t < env.nSteps; t++) {
      const out = env.step(1);
      if (weather[t] === 2) expect(out.reward).toBe(0);
      total += out.reward;
    }
    expect(total).toBe(env.transientCounts()[1].detected);
    expect(total).toBeLessThanOrEqual(env.transientCounts()[1].occurred);
  });

  test("bad input names the function and the accepted values", () => {
    expect(() => new TelescopeNight({ latitudeDeg: 120 })).toThrow(/latitudeDeg must be in \[-90, 90\]/);
    expect(() => new TelescopeNight({ fields: [FLARE_FIELDS[0]] })).toThrow(/at least 2 fields/);
    const env = new TelescopeNight();
    expect(() => env.step(0)).toThrow(/call reset/);
    env.reset(1);
    expect(() => env.step(8)).toThrow(/field index in 0..7, got 8/);
  });
});

describe("baselines", () => {
  test("expected alive transients per unit rate: Δt for short gaps, the mean lifetime for long ones", () => {
    const life: [number, number] = [0.3, 2];
    expect(expectedAliveHours(0.2, life)).toBeCloseTo(0.2, 12);
    expect(expectedAliveHours(10, life)).toBeCloseTo(1.15, 12);
    // Monte Carlo: births uniform over the last Δt, alive if lifetime exceeds the age.
    const rng = new Rng(2);
    const dt = 1.2;
    let alive = 0;
    const n = 200000;
    for (let i = 0; i < n; i++) if (rng.uniform(0.3, 2) > rng.uniform(0, dt)) alive++;
    expect(expectedAliveHours(dt, life)).toBeCloseTo((alive / n) * dt, 2);
  });

  test("on 60 nights the observer heuristic beats random, which beats staying on the highest field", () => {
    const seeds = Array.from({ length: 60 }, (_, i) => 5000 + i);
    const mean = (p: typeof randomPolicy) => {
      const r = runNights(() => new TelescopeNight(), seeds, batchPolicy(p, 1)).returns;
      return r.reduce((a, b) => a + b, 0) / r.length;
    };
    const [random, highest, heuristic] = [randomPolicy, highestFieldPolicy, observerHeuristicPolicy].map(mean);
    expect(heuristic).toBeGreaterThan(1.2 * random);
    expect(random).toBeGreaterThan(1.2 * highest);
  });
});
