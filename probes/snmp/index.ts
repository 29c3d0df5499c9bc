/**
 * The SNMP probe: reads a target's profiles (probes/profiles/*.yaml) over one session and turns the
 * answers into samples. This module only wires the steps, each in its own module:
 *   plan.ts     profiles → request plan (cached per profile list)
 *   poll.ts     per-target session state; GET, walks, per-row fallbacks, label refresh policy, SNMPv3
 *               engine re-discovery, partial status → raw data
 *   samples.ts  raw data + counter state → samples (pure: no I/O, no clock)
 *   errors.ts   net-snmp errors → ProbeError with a hint per SNMP version
 */
import { withPartial, type Probe, type ProbeSamples, type Target } from '../../src/types.js';
import type { ProbeLog } from '../kind.js';
import type { SnmpSpec } from './kind.js';
import { describeError } from './errors.js';
import { planCache } from './plan.js';
import { pollRecovering, TargetStates, type SnmpPollInfo } from './poll.js';
import { loadProfiles, type Profile } from './profile.js';
import { buildSamples } from './samples.js';
import { newWalkStats } from './walk.js';

export { DBM_FLOOR } from './samples.js';
export type { SnmpPollInfo } from './poll.js';

export interface SnmpProbeOptions2 {
  profiles?: Map<string, Profile>;
  /** How often label columns are re-walked when nothing says the table changed. */
  labelRefreshMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Where the probe says what it did about an agent (a re-discovered SNMPv3 engine). */
  log?: ProbeLog;
}

export interface SnmpProbe extends Probe<SnmpSpec> {
  /** Profiles known to the probe, for config validation. */
  readonly profiles: ReadonlyMap<string, Profile>;
  /** Statistics of the last poll of a target. */
  lastPoll(target: string): SnmpPollInfo | undefined;
}

export function createSnmpProbe(options: SnmpProbeOptions2 = {}): SnmpProbe {
  const profiles = options.profiles ?? loadProfiles();
  const labelRefreshMs = options.labelRefreshMs ?? 15 * 60_000;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const states = new TargetStates();
  const planFor = planCache(profiles);

  async function run(target: Target, spec: SnmpSpec, signal: AbortSignal): Promise<ProbeSamples> {
    const o = spec.options;
    const plan = planFor(o.profiles);
    const st = states.stateFor(target, spec);
    const stats = newWalkStats();
    try {
      const walk = { version1: o.credential.version === '1', maxRepetitions: o.maxRepetitions, signal, stats };
      const { raw, labelRefresh, refreshReason, rediscovered, partial } = await pollRecovering(plan, st, { walk, labelRefreshMs, now });
      const agent = `agent ${target.name} (${target.address}:${o.port})`;
      if (rediscovered) log('warn', `${agent}: ${rediscovered}`);
      // Said once when it starts (or its reason changes) and once when it ends, not at every poll.
      if (partial?.message !== st.partial?.message) {
        if (partial) log('warn', `${agent}: partial answer (${partial.reason}): ${partial.message}`);
        else log('info', `${agent}: complete answers again`);
      }
      st.partial = partial;
      const samples = buildSamples(plan, raw, st, now());
      st.last = { walk: stats, labelRefresh, refreshReason, rebooted: raw.rebooted, counters: { ...st.counters.stats }, samples: samples.length };
      return withPartial(samples, partial);
    } catch (err) {
      st.last = { walk: stats, labelRefresh: false, rebooted: false, counters: { ...st.counters.stats }, samples: 0 };
      throw describeError(err, { target, options: o, timeoutMs: spec.timeoutMs });
    }
  }

  return {
    kind: 'snmp',
    profiles,
    run,
    lastPoll: (name): SnmpPollInfo | undefined => states.get(name)?.last,
    close() {
      states.close();
      return Promise.resolve();
    },
  };
}
