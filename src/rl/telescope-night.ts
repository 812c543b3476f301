/**
 * A night of observing with a small telescope, as a reinforcement-learning environment in the
 * style of a Gymnasium `Env`.
 *
 * The telescope (at La Palma's latitude by default) hunts short-lived transients — flares of
 * young M dwarfs in eight young open clusters, by default — through a 10-hour night cut into
 * 20-minute visits. Before each visit it chooses which field to point at.
 *
 * **Action space**: Discrete(nFields) — the index of the field to observe next. A field below
 *   the telescope's altitude limit cannot be observed: choosing one wastes the visit (reward 0).
 *   `actionMask()` says which fields are observable now.
 * **Observation space**: Box, a Float32Array of `observationSize = 6 × nFields + 2 + nWeatherStates`:
 *   per field [observable (0/1), sin(altitude) clipped at 0 (= 1/airmass above the horizon),
 *   hour angle / 12 h, sky brightening by the Moon / 3 mag, hours since last visit / 4 (capped
 *   at 1)]; then [fraction of the night gone, the weather now (one-hot: clear, thin cloud,
 *   overcast), Moon illumination if the Moon is up else 0]; then the field the telescope
 *   points at (one-hot).
 * **Reward**: the number of transients detected in the visit — alive during the exposure, not
 *   detected before, and brighter than the visit's 5σ limiting magnitude, which loses depth
 *   with airmass (extinction and seeing), moonlight, cloud, and the time spent slewing.
 * **Episode**: terminates at the end of the night (30 visits by default); never truncated.
 * **Randomness**: `reset(seed)` draws the whole night from `seed` — start sidereal time, Moon
 *   phase, the weather sequence (a Markov chain) and every transient — before the first
 *   action, so different policies meet exactly the same night.
 */
import { Rng } from "../random";
import {
  airmassFromAltitude, altitudeDeg, angularSeparationDeg, hourAngleHours, limitingMagnitude,
  moonIllumination, moonPosition, moonSkyBrighteningMag,
} from "./sky-geometry";
import { checkWeatherModel, DEFAULT_WEATHER, simulateWeather, WeatherModel } from "./weather";

export interface SkyField {
  name: string;
  raHours: number;
  decDeg: number;
  /** Mean number of new transients per hour (brighter than the faint end of `transientMagRange`). */
  transientRatePerHour: number;
}

/**
 * Eight young open clusters, rich in flaring M dwarfs: the younger the cluster, the more
 * flares (rates are per hour in a wide field; illustrative, not measured).
 */
export const FLARE_FIELDS: SkyField[] = [
  { name: "h & χ Persei", raHours: 2.35, decDeg: 57.1, transientRatePerHour: 0.6 },
  { name: "IC 348", raHours: 3.74, decDeg: 32.2, transientRatePerHour: 1.2 },
  { name: "Pleiades", raHours: 3.79, decDeg: 24.1, transientRatePerHour: 0.9 },
  { name: "Hyades", raHours: 4.45, decDeg: 15.9, transientRatePerHour: 0.5 },
  { name: "Orion Nebula Cluster", raHours: 5.59, decDeg: -5.4, transientRatePerHour: 1.5 },
  { name: "NGC 2264", raHours: 6.68, decDeg: 9.9, transientRatePerHour: 1.0 },
  { name: "Praesepe", raHours: 8.67, decDeg: 19.7, transientRatePerHour: 0.5 },
  { name: "M67", raHours: 8.86, decDeg: 11.8, transientRatePerHour: 0.1 },
];

export interface TelescopeNightOptions {
  /** Observatory latitude, degrees (default 28.76, Roque de los Muchachos, La Palma). */
  latitudeDeg?: number;
  fields?: SkyField[];
  /** Length of the night, hours (default 10). */
  nightHours?: number;
  /** Length of one visit including overheads, minutes (default 20). */
  visitMinutes?: number;
  /** Local sidereal time at the start of the night is drawn uniformly from this range, hours (default [1.5, 3.5]: early winter). */
  startLstHours?: [number, number];
  /** Moon phase (0 new, 0.5 full) drawn uniformly from this range (default [0, 1]). */
  moonPhaseRange?: [number, number];
  /** Lowest altitude the telescope can point to, degrees (default 20: airmass 2.9). */
  minAltitudeDeg?: number;
  /** Extinction, magnitudes per airmass (default 0.15, V band). */
  extinctionMagPerAirmass?: number;
  /** 5σ limit at the zenith on a dark clear night for a full visit, magnitudes (default 21). */
  zenithLimitMag?: number;
  /** Read-out and settling time per visit, seconds (default 30; slews add settleSeconds + distance / slewDegPerSecond). */
  readoutSeconds?: number;
  settleSeconds?: number;
  slewDegPerSecond?: number;
  /** Peak magnitudes of transients, uniform in this range (default [17, 21.5]). */
  transientMagRange?: [number, number];
  /** Lifetimes of transients (time above the faint end), uniform in this range, hours (default [0.3, 2]). */
  transientLifetimeHours?: [number, number];
  weather?: WeatherModel;
}

/** What one visit did (`info` in Gymnasium terms), for plots and diagnostics. */
export interface VisitInfo {
  step: number;
  /** Hours since the start of the night, at mid-exposure. */
  hour: number;
  field: number;
  observable: boolean;
  airmass: number;
  limitingMag: number;
  weather: number;
  moonBrighteningMag: number;
  slewSeconds: number;
  exposureSeconds: number;
  detected: number;
}

export interface TelescopeStep {
  observation: Float32Array;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: VisitInfo;
}

/** What an observer can look up for each field at the current time (used by the baselines). */
export interface FieldStatus {
  observable: boolean;
  altitudeDeg: number;
  airmass: number;
  hourAngleHours: number;
  hoursSinceVisit: number;
  moonBrighteningMag: number;
  /** Limiting magnitude if this field were observed now, in the current weather, slew included. */
  limitingMag: number;
}

interface Transient {
  field: number;
  startHour: number;
  endHour: number;
  mag: number;
  detected: boolean;
}

type Resolved = Required<TelescopeNightOptions>;

const DEFAULTS: Resolved = {
  latitudeDeg: 28.76,
  fields: FLARE_FIELDS,
  nightHours: 10,
  visitMinutes: 20,
  startLstHours: [1.5, 3.5],
  moonPhaseRange: [0, 1],
  minAltitudeDeg: 20,
  extinctionMagPerAirmass: 0.15,
  zenithLimitMag: 21,
  readoutSeconds: 30,
  settleSeconds: 20,
  slewDegPerSecond: 1,
  transientMagRange: [17, 21.5],
  transientLifetimeHours: [0.3, 2],
  weather: DEFAULT_WEATHER,
};

/** Sidereal hours per solar hour. */
const SIDEREAL_RATE = 1.0027379;
/** Transients born this long before dusk can still be alive at the start of the night. */
const LEAD_IN_HOURS = 4;
/** "Hours since last visit" is capped here in the observation (and starts there). */
const VISIT_CAP_HOURS = 4;

function checkRange(name: string, r: [number, number], low = -Infinity): void {
  if (!Array.isArray(r) || r.length !== 2 || !(r[0] <= r[1]) || !(r[0] >= low)) {
    throw new Error(`TelescopeNight: ${name} must be [min, max] with min <= max${low > -Infinity ? ` and min >= ${low}` : ""}, got ${JSON.stringify(r)}`);
  }
}

export class TelescopeNight {
  readonly options: Resolved;
  readonly nFields: number;
  readonly nActions: number;
  readonly nSteps: number;
  readonly observationSize: number;
  /** The visits of the current night so far. */
  history: VisitInfo[] = [];

  private stepIndex = 0;
  private pointing = -1;
  private lastVisitHour: number[] = [];
  private lstStart = 0;
  private moonPhase = 0;
  private moon = { raHours: 0, decDeg: 0 };
  private weatherSeq: number[] = [];
  private transients: Transient[] = [];
  private started = false;

  constructor(options: TelescopeNightOptions = {}) {
    // An option passed as undefined keeps its default.
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    const o: Resolved = { ...DEFAULTS, ...given };
    if (!(Math.abs(o.latitudeDeg) <= 90)) throw new Error(`TelescopeNight: latitudeDeg must be in [-90, 90], got ${o.latitudeDeg}`);
    if (!Array.isArray(o.fields) || o.fields.length < 2) throw new Error(`TelescopeNight: needs at least 2 fields, got ${o.fields?.length}`);
    o.fields.forEach((f, i) => {
      if (!(f.raHours >= 0 && f.raHours < 24) || !(Math.abs(f.decDeg) <= 90) || !(f.transientRatePerHour >= 0)) {
        throw new Error(`TelescopeNight: field ${i} (${f.name}) needs raHours in [0, 24), decDeg in [-90, 90] and a rate >= 0, got ${JSON.stringify(f)}`);
      }
    });
    if (!(o.nightHours > 0) || !(o.visitMinutes > 0)) {
      throw new Error(`TelescopeNight: nightHours and visitMinutes must be > 0, got ${o.nightHours} h and ${o.visitMinutes} min`);
    }
    checkRange("startLstHours", o.startLstHours);
    checkRange("moonPhaseRange", o.moonPhaseRange, 0);
    checkRange("transientMagRange", o.transientMagRange);
    checkRange("transientLifetimeHours", o.transientLifetimeHours, 0);
    checkWeatherModel(o.weather);
    this.options = o;
    this.nFields = o.fields.length;
    this.nActions = this.nFields;
    this.nSteps = Math.round((o.nightHours * 60) / o.visitMinutes);
    this.observationSize = 6 * this.nFields + 2 + o.weather.states.length;
  }

  /** Starts a new night drawn from `seed`; returns the first observation. */
  reset(seed: number): Float32Array {
    if (!Number.isFinite(seed)) throw new Error(`TelescopeNight.reset: seed must be a finite number, got ${seed}`);
    const o = this.options;
    const rng = new Rng(seed);
    this.lstStart = rng.uniform(o.startLstHours[0], o.startLstHours[1]);
    this.moonPhase = rng.uniform(o.moonPhaseRange[0], o.moonPhaseRange[1]);
    this.moon = moonPosition(this.moonPhase, this.lstAt(o.nightHours / 2));
    this.weatherSeq = simulateWeather(o.weather, this.nSteps, rng);
    this.transients = [];
    o.fields.forEach((f, field) => {
      const n = rng.poisson(f.transientRatePerHour * (o.nightHours + LEAD_IN_HOURS));
      for (let k = 0; k < n; k++) {
        const startHour = rng.uniform(-LEAD_IN_HOURS, o.nightHours);
        const life = rng.uniform(o.transientLifetimeHours[0], o.transientLifetimeHours[1]);
        const mag = rng.uniform(o.transientMagRange[0], o.transientMagRange[1]);
        this.transients.push({ field, startHour, endHour: startHour + life, mag, detected: false });
      }
    });
    this.stepIndex = 0;
    this.pointing = -1;
    this.lastVisitHour = new Array(this.nFields).fill(-VISIT_CAP_HOURS);
    this.history = [];
    this.started = true;
    return this.observe();
  }

  /** Observes field `action` for one visit. */
  step(action: number): TelescopeStep {
    if (!this.started) throw new Error("TelescopeNight.step: call reset(seed) before step()");
    if (this.stepIndex >= this.nSteps) throw new Error("TelescopeNight.step: the night is over; call reset(seed)");
    if (!Number.isInteger(action) || action < 0 || action >= this.nFields) {
      throw new Error(`TelescopeNight.step: action must be a field index in 0..${this.nFields - 1}, got ${action}`);
    }
    const o = this.options;
    const hour = (this.stepIndex + 0.5) * (o.visitMinutes / 60);
    const status = this.fieldStatusAt(action, hour);
    const slewSeconds = this.slewSeconds(action);
    const exposureSeconds = Math.max(0, o.visitMinutes * 60 - o.readoutSeconds - slewSeconds);
    let detected = 0;
    if (status.observable && Number.isFinite(status.limitingMag)) {
      for (const t of this.transients) {
        if (t.field === action && !t.detected && t.startHour <= hour && hour <= t.endHour && t.mag <= status.limitingMag) {
          t.detected = true;
          detected++;
        }
      }
      this.lastVisitHour[action] = hour;
      this.pointing = action;
    }
    const info: VisitInfo = {
      step: this.stepIndex, hour, field: action, observable: status.observable, airmass: status.airmass,
      limitingMag: status.limitingMag, weather: this.weatherSeq[this.stepIndex], moonBrighteningMag: status.moonBrighteningMag,
      slewSeconds: status.observable ? slewSeconds : 0, exposureSeconds: status.observable ? exposureSeconds : 0, detected,
    };
    this.history.push(info);
    this.stepIndex++;
    const terminated = this.stepIndex >= this.nSteps;
    return { observation: this.observe(), reward: detected, terminated, truncated: false, info };
  }

  /** Which fields can be observed at the next visit. */
  actionMask(): boolean[] {
    const hour = this.nextHour();
    return this.options.fields.map((_, i) => this.fieldStatusAt(i, hour).observable);
  }

  /** Everything an observer could look up about each field for the next visit. */
  fieldStatus(): FieldStatus[] {
    const hour = this.nextHour();
    return this.options.fields.map((_, i) => this.fieldStatusAt(i, hour));
  }

  /** The night's conditions (for plots): start LST, Moon phase and illumination, weather per visit. */
  nightConditions(): { startLstHours: number; moonPhase: number; moonIllumination: number; weather: number[] } {
    return { startLstHours: this.lstStart, moonPhase: this.moonPhase, moonIllumination: moonIllumination(this.moonPhase), weather: [...this.weatherSeq] };
  }

  /** Transients that occurred in each field during the night and how many were detected so far. */
  transientCounts(): Array<{ occurred: number; detected: number }> {
    const counts = this.options.fields.map(() => ({ occurred: 0, detected: 0 }));
    for (const t of this.transients) {
      if (t.endHour < 0) continue;
      counts[t.field].occurred++;
      if (t.detected) counts[t.field].detected++;
    }
    return counts;
  }

  /** Airmass of field `i` at `hour` hours after the start of the night (Infinity below the horizon). */
  airmassAt(i: number, hour: number): number {
    return airmassFromAltitude(this.altitudeAt(i, hour));
  }

  private nextHour(): number {
    return (Math.min(this.stepIndex, this.nSteps - 1) + 0.5) * (this.options.visitMinutes / 60);
  }

  private lstAt(hour: number): number {
    return this.lstStart + SIDEREAL_RATE * hour;
  }

  private altitudeAt(i: number, hour: number): number {
    const f = this.options.fields[i];
    return altitudeDeg(hourAngleHours(this.lstAt(hour), f.raHours), f.decDeg, this.options.latitudeDeg);
  }

  private slewSeconds(target: number): number {
    if (this.pointing === target) return 0;
    if (this.pointing < 0) return this.options.settleSeconds;
    const [a, b] = [this.options.fields[this.pointing], this.options.fields[target]];
    return this.options.settleSeconds + angularSeparationDeg(a.raHours, a.decDeg, b.raHours, b.decDeg) / this.options.slewDegPerSecond;
  }

  private fieldStatusAt(i: number, hour: number): FieldStatus {
    const o = this.options;
    const f = o.fields[i];
    const lst = this.lstAt(hour);
    const ha = hourAngleHours(lst, f.raHours);
    const alt = altitudeDeg(ha, f.decDeg, o.latitudeDeg);
    const observable = alt >= o.minAltitudeDeg;
    const airmass = airmassFromAltitude(alt);
    const moonAlt = altitudeDeg(hourAngleHours(lst, this.moon.raHours), this.moon.decDeg, o.latitudeDeg);
    const sep = angularSeparationDeg(f.raHours, f.decDeg, this.moon.raHours, this.moon.decDeg);
    const moonMag = moonSkyBrighteningMag(moonIllumination(this.moonPhase), moonAlt, sep);
    const weather = this.weatherSeq[Math.min(this.stepIndex, this.nSteps - 1)];
    const exposure = o.visitMinutes * 60 - o.readoutSeconds - this.slewSeconds(i);
    const limitingMag = observable
      ? limitingMagnitude({
          zenithLimitMag: o.zenithLimitMag, airmass, extinctionMagPerAirmass: o.extinctionMagPerAirmass,
          skyBrighteningMag: moonMag, cloudTransmission: o.weather.transmission[weather],
          exposureFraction: exposure / (o.visitMinutes * 60),
        })
      : -Infinity;
    const hoursSinceVisit = Math.min(VISIT_CAP_HOURS, hour - this.lastVisitHour[i]);
    return { observable, altitudeDeg: alt, airmass, hourAngleHours: ha, hoursSinceVisit, moonBrighteningMag: moonMag, limitingMag };
  }

  private observe(): Float32Array {
    const o = this.options;
    const k = this.nFields;
    const x = new Float32Array(this.observationSize);
    const status = this.stepIndex < this.nSteps ? this.fieldStatus() : null;
    if (status) {
      status.forEach((s, i) => {
        x[5 * i] = s.observable ? 1 : 0;
        x[5 * i + 1] = Math.max(0, Math.sin((s.altitudeDeg * Math.PI) / 180));
        x[5 * i + 2] = s.hourAngleHours / 12;
        x[5 * i + 3] = s.moonBrighteningMag / 3;
        x[5 * i + 4] = s.hoursSinceVisit / VISIT_CAP_HOURS;
      });
    }
    const g = 5 * k;
    x[g] = this.stepIndex / this.nSteps;
    const nWeather = o.weather.states.length;
    x[g + 1 + this.weatherSeq[Math.min(this.stepIndex, this.nSteps - 1)]] = 1;
    const moonAlt = altitudeDeg(hourAngleHours(this.lstAt(this.nextHour()), this.moon.raHours), this.moon.decDeg, o.latitudeDeg);
    x[g + 1 + nWeather] = moonAlt > 0 ? moonIllumination(this.moonPhase) : 0;
    if (this.pointing >= 0) x[g + 2 + nWeather + this.pointing] = 1;
    return x;
  }
}
