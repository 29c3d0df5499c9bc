/**
 * The scenarios DESIGN.md names, picked deterministically from the seed: one site whose fibre flaps (its
 * agent is unreachable while the link is down), one fibre slowly losing power, and the international
 * uplink saturating in office hours (the latter is a property of the traffic model: any uplink under
 * 10 Mbps is driven past its capacity by office-hours demand).
 */
import type { LoadedConfig } from '../config/model.js';
import type { FlapSchedule, ScenarioPicks } from './model.js';
import { hash32 } from './random.js';

export interface SimScenarios {
  flapping: { target: string; site: string; siteName: string; periodMs: number; downMs: number } | null;
  dyingFibre: { target: string; site: string; siteName: string; startDbm: number; dbPerDay: number; lowAlarmDbm: number } | null;
  saturatingUplinks: { name: string; target: string; interface: string; capacityBps: number }[];
}

export const FLAP_PERIOD_MS = 10 * 60_000;
export const FLAP_DOWN_MS = 150_000;

export function pickScenarios(config: LoadedConfig, seed: number): { picks: ScenarioPicks; scenarios: SimScenarios } {
  const fibre = config.targets
    .filter((t) => t.role === 'fibre' && t.snmp)
    .map((t) => t.name)
    .sort();
  const picks: ScenarioPicks = {};
  const siteOf = (name: string) => {
    const t = config.targets.find((x) => x.name === name)!;
    return { site: t.site, siteName: config.sites.find((s) => s.id === t.site)?.name ?? t.site };
  };
  let flapping: SimScenarios['flapping'] = null;
  let dyingFibre: SimScenarios['dyingFibre'] = null;
  if (fibre.length > 0) {
    const flapTarget = fibre[hash32(seed, 'scenario-flap') % fibre.length]!;
    const schedule: FlapSchedule = {
      periodMs: FLAP_PERIOD_MS,
      downMs: FLAP_DOWN_MS,
      phaseMs: (hash32(seed, 'flap-phase') % (FLAP_PERIOD_MS / 1000)) * 1000,
    };
    picks.flappingTarget = flapTarget;
    picks.flapping = schedule;
    flapping = { target: flapTarget, ...siteOf(flapTarget), periodMs: schedule.periodMs, downMs: schedule.downMs };
  }
  const rest = fibre.filter((n) => n !== picks.flappingTarget);
  if (rest.length > 0) {
    const dying = rest[hash32(seed, 'scenario-dying') % rest.length]!;
    picks.dyingTarget = dying;
    dyingFibre = { target: dying, ...siteOf(dying), startDbm: -8, dbPerDay: 1, lowAlarmDbm: -20 };
  }
  const saturatingUplinks = config.uplinks
    .filter((u) => u.capacity < 10e6)
    .map((u) => ({ name: u.name, target: u.target, interface: u.interface, capacityBps: u.capacity }));
  return { picks, scenarios: { flapping, dyingFibre, saturatingUplinks } };
}

export function describeScenarios(s: SimScenarios): string[] {
  const out: string[] = [];
  if (s.flapping) {
    out.push(
      `flapping: ${s.flapping.target} (${s.flapping.siteName}): fibre down ${s.flapping.downMs / 1000}s every ` +
        `${s.flapping.periodMs / 60_000} simulated min, agent silent while down`,
    );
  }
  if (s.dyingFibre) {
    out.push(
      `dying fibre: ${s.dyingFibre.target} (${s.dyingFibre.siteName}): Rx ${s.dyingFibre.startDbm} dBm falling ` +
        `${s.dyingFibre.dbPerDay} dB per simulated day, low alarm at ${s.dyingFibre.lowAlarmDbm} dBm`,
    );
  }
  for (const u of s.saturatingUplinks) {
    out.push(`saturating uplink: ${u.name} (${u.target} ${u.interface}, ${u.capacityBps / 1e6} Mbps) in office hours`);
  }
  return out;
}
