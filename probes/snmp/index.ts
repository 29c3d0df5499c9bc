/**
 * The SNMP probe: reads a target's profiles (probes/profiles/*.yaml) over one session and turns the
 * answers into samples. This module only wires the steps, each in its own module:
 *   plan.ts     profiles → request plan (cached per profile list)
 *   poll.ts     per-target session state; GET, walks, per-row fallbacks, label refresh policy, SNMPv3
 *               engine re-discovery, partial status → raw data
 *   samples.ts  raw data + counter state → samples (pure: no I/O, no clock)
 *   errors.ts   net-snmp errors → ProbeError with a hint per SNMP version
 */
import { RepeatLog } from '../../src/repeat-log.js';
import { withPartial, type Probe, type ProbeSamples, type Target } from '../../src/types.js';
import type { ProbeLog } from '../kind.js';
import { DISCARD_REASONS, type CounterStats } from './counters.js';
import type { SnmpSpec } from './kind.js';
import { describeError } from './errors.js';
import { planCache } from './plan.js';
import { pollRecovering, TargetStates, type SnmpPollInfo } from './poll.js';
import { loadProfiles, type Profile } from './profile.js';
import { buildSamples, discardSamples } from './samples.js';
import { newWalkStats } from './walk.js';

export { DBM_FLOOR } from './samples.js';
export type { SnmpPollInfo } from './poll.js';

const GAP_HINT: Record<(typeof DISCARD_REASONS)[number], string> = {
  ambiguous_wrap: 'a 32-bit counter may have wrapped more than once between polls; poll faster or use SNMPv2c/v3 and the 64-bit ifHC* counters',
  implausible_rate: 'a 32-bit counter rose faster than 4x the port speed, so its wraps cannot be counted; check ifSpeed/ifHighSpeed or use 64-bit counters',
  reset: 'a counter went down (agent or interface counters reset)',
  discontinuity: 'the agent restarted (sysUpTime went back) or ifCounterDiscontinuityTime changed',
};

export interface SnmpProbeOptions2 {
  profiles?: Map<string, Profile>;
  /** How often label columns are re-walked when nothing says the table changed. */
  labelRefreshMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Where the probe says what it did about an agent: a re-discovered SNMPv3 engine, a partial answer, counter gaps (once per target and reason, then summaries). */
  log?: ProbeLog;
}

export interface SnmpProbe extends Probe<SnmpSpec> {
  /** Profiles known to the probe, for config validation. */
  readonly profiles: ReadonlyMap<string, Profile>;
  /** Statistics of the last poll of a target. */
  lastPoll(target: string): SnmpPollInfo | undefined;
  close(): Promise<void>;
}

export function createSnmpProbe(options: SnmpProbeOptions2 = {}): SnmpProbe {
  const profiles = options.profiles ?? loadProfiles();
  const labelRefreshMs = options.labelRefreshMs ?? 15 * 60_000;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const states = new TargetStates();
  const planFor = planCache(profiles);
  const gapLog = new RepeatLog((level, msg, extra) => log(level === 'info' ? 'info' : 'warn', `${msg} ${JSON.stringify(extra)}`), undefined, now);

  /** Log the counter gaps this poll added, once per (target, reason) and then as periodic summaries. */
  function reportGaps(target: string, before: CounterStats['discarded'], after: CounterStats['discarded']): void {
    for (const reason of DISCARD_REASONS) {
      const n = after[reason] - before[reason];
      if (n > 0) gapLog.occur(`${target}|${reason}`, 'warn', `snmp: counter intervals given no sample (${reason}): ${GAP_HINT[reason]}`, { target, reason, intervals: n }, n);
    }
  }

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
      const before = { ...st.counters.stats.discarded };
      const ts = now();
      const samples = buildSamples(plan, raw, st, ts);
      if (st.counters.size > 0) samples.push(...discardSamples(st.counters.stats, ts));
      reportGaps(target.name, before, st.counters.stats.discarded);
      st.last = { walk: stats, labelRefresh, refreshReason, rebooted: raw.rebooted, counters: copyStats(st.counters.stats), samples: samples.length };
      return withPartial(samples, partial);
    } catch (err) {
      st.last = { walk: stats, labelRefresh: false, rebooted: false, counters: copyStats(st.counters.stats), samples: 0 };
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

const copyStats = (s: CounterStats): CounterStats => ({ wraps: s.wraps, discarded: { ...s.discarded } });
