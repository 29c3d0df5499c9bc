/**
 * The SNMP probe: reads a target's profiles (probes/profiles/*.yaml) over one session and turns the
 * answers into samples. This module only wires the steps, each in its own module:
 *   plan.ts     profiles → request plan (cached per profile list)
 *   poll.ts     per-target session state; GET, walks, per-row fallbacks, label refresh policy, SNMPv3
 *               engine re-discovery, partial status → raw data
 *   samples.ts  raw data + counter state → samples (pure: no I/O, no clock)
 *   refresh.ts, refresh-wait.ts  wait for the agent's counter refresh; samples are stamped with it
 *   errors.ts   net-snmp errors → ProbeError with a hint per SNMP version
 *   device.ts   sysObjectID → vendor, model and the vendor profiles added to the role's
 *   entity.ts   ENTITY-MIB inventory (the API's) and the device/chassis info series
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { RepeatLog } from '../../src/repeat-log.js';
import { withPartial, type Probe, type ProbeSamples, type Target } from '../../src/types.js';
import { loadDeviceTable, SYS_OBJECT_ID, type DeviceIdentity, type DeviceTable } from './device.js';
import { inventoryOf, inventorySamples, readEntities } from './entity.js';
import { rawToLabel } from './fields.js';
import type { ProbeLog } from '../kind.js';
import { DISCARD_REASONS, type CounterStats } from './counters.js';
import type { SnmpSpec } from './kind.js';
import { describeError } from './errors.js';
import { planCache, type Plan } from './plan.js';
import { pollRecovering, TargetStates, type SnmpPollInfo, type TargetState } from './poll.js';
import { isStaleEngineError } from './session.js';
import { loadProfiles, type Profile } from './profile.js';
import { noteWalk, refreshStateOf, sameRefreshAsLast } from './refresh.js';
import { awaitRefresh, refreshedSince, type Refresh } from './refresh-wait.js';
import { buildSamples, cutSamples, discardSamples } from './samples.js';
import { getScalars, newWalkStats, type WalkOptions } from './walk.js';

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
  /** sysObjectID → vendor profiles (default: probes/profiles/devices/sysobjectid.yaml). */
  devices?: DeviceTable;
  /** How often label columns are re-walked when nothing says the table changed. */
  labelRefreshMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Where the probe says what it did about an agent: a re-discovered SNMPv3 engine, a partial answer, counter gaps (once per target and reason, then summaries). */
  log?: ProbeLog;
  /**
   * Walk right after the agent's counter refresh and stamp the samples with it (refresh.ts) for every
   * target, as a target's `snmp.align_to_counter_refresh: true` does for that one; off, samples are stamped
   * with the poll time.
   */
  alignToRefresh?: boolean;
}

export interface SnmpProbe extends Probe<SnmpSpec> {
  /** Profiles known to the probe, for config validation. */
  readonly profiles: ReadonlyMap<string, Profile>;
  /** Statistics of the last poll of a target. */
  lastPoll(target: string): SnmpPollInfo | undefined;
  close(): Promise<void>;
  /** The agent refresh the last poll of a target was stamped with (undefined: stamped with the poll time). */
  lastRefresh(target: string): Refresh | undefined;
}

/** Time between the reads that watch for the agent's refresh (see refresh-wait.ts). */
const REFRESH_SPACING_MS = 20;
/** A refresh bracket wider than this stamps too imprecisely for ±1 % at a 5 s interval: watch the next one. */
const REFRESH_MAX_BRACKET_MS = 60;
/** Caches slower than this are not waited for (their polls are stamped with the poll time). */
const MAX_REFRESH_WAIT_MS = 15_000;
/**
 * The first poll of a session watches every counter of the table, not knowing which move: if none does
 * within this time (an idle device), it stops waiting; snmpd's 3 s cache fits.
 */
const FIRST_REFRESH_WAIT_MS = 4_000;

export function createSnmpProbe(options: SnmpProbeOptions2 = {}): SnmpProbe {
  const profiles = options.profiles ?? loadProfiles();
  const labelRefreshMs = options.labelRefreshMs ?? 15 * 60_000;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const states = new TargetStates();
  const planFor = planCache(profiles);
  const devices = options.devices ?? loadDeviceTable(new Set(profiles.keys()));
  const gapLog = new RepeatLog((level, msg, extra) => log(level === 'info' ? 'info' : 'warn', `${msg} ${JSON.stringify(extra)}`), undefined, now);

  const refreshes = new Map<string, Refresh | undefined>();

  /**
   * Wait for the agent's next counter refresh, so that the walk that follows reads counters the agent
   * has just refreshed: their samples are stamped with the refresh instant and rates cover exactly the
   * traffic they count (refresh.ts). The wait leaves a quarter of the interval for the walk (the run's
   * deadline is 0.9 × interval). Its reads are not counted in the poll's walk statistics.
   */
  async function alignToRefresh(spec: SnmpSpec, st: TargetState, plan: Plan, walk: WalkOptions): Promise<Refresh | undefined> {
    const rs = refreshStateOf(st);
    const side = { ...walk, stats: newWalkStats() };
    const started = now();
    let budget = Math.min(0.75 * spec.intervalMs, MAX_REFRESH_WAIT_MS);
    if (rs.last.size === 0) {
      // First poll of this session: one walk to learn the counter cells before watching them.
      const first = await pollRecovering(plan, st, { walk: side, labelRefreshMs, now });
      noteWalk(rs, plan, first.raw.columns);
      budget = Math.min(budget, FIRST_REFRESH_WAIT_MS);
    }
    const maxWaitMs = budget - (now() - started);
    return awaitRefresh(rs, {
      read: (cells) => getScalars(st.session, cells, side),
      now,
      sleep: (ms) => sleep(ms, undefined, { signal: walk.signal }),
      spacingMs: REFRESH_SPACING_MS,
      maxBracketMs: REFRESH_MAX_BRACKET_MS,
      maxWaitMs,
    });
  }

  /** Log the counter gaps this poll added, once per (target, reason) and then as periodic summaries. */
  function reportGaps(target: string, before: CounterStats['discarded'], after: CounterStats['discarded']): void {
    for (const reason of DISCARD_REASONS) {
      const n = after[reason] - before[reason];
      if (n > 0) gapLog.occur(`${target}|${reason}`, 'warn', `snmp: counter intervals given no sample (${reason}): ${GAP_HINT[reason]}`, { target, reason, intervals: n }, n);
    }
  }

  /**
   * Which device the agent is (one GET of sysObjectID on the first poll of a session, and after the agent
   * restarted or its SNMPv3 engine changed). Counted in the poll's walk statistics, as the entity walk is.
   * An agent that does not answer fails the poll here, as it would a moment later (a silent agent costs one
   * timeout, not two); a stale SNMPv3 engine is left to the poll, which re-discovers it, and the device is
   * identified at the next poll.
   */
  async function identify(target: Target, st: TargetState, walk: WalkOptions): Promise<DeviceIdentity | undefined> {
    if (st.device) return st.device;
    try {
      const got = await getScalars(st.session, [SYS_OBJECT_ID], walk);
      st.device = devices(rawToLabel(got.get(SYS_OBJECT_ID) ?? undefined));
    } catch (err) {
      if (isStaleEngineError(err)) return undefined;
      throw err;
    }
    // Said when a known device turns out to be another one (replaced, re-imaged): its profiles change with it.
    const before = st.inventory?.sys_object_id;
    if (before !== undefined && before !== st.device.sysObjectId)
      log('info', `agent ${target.name}: sysObjectID changed from ${before} to ${st.device.sysObjectId} (${st.device.vendor}${st.device.model ? ` ${st.device.model}` : ''}); vendor profiles now ${st.device.profiles.join(', ') || 'none'}`);
    st.inventory = undefined; // a new identity: the entity table is read again at once
    return st.device;
  }

  /** The ENTITY-MIB inventory, read on identification and every label refresh; a failed read keeps the last one. */
  async function inventoryFor(st: TargetState, device: DeviceIdentity, added: string[], walk: WalkOptions) {
    const t = now();
    if (!st.inventory || st.inventory.sys_object_id !== device.sysObjectId || t - st.inventory.read_at >= labelRefreshMs) {
      const entities = await readEntities(st.session, walk).catch(() => undefined);
      if (entities) st.inventory = inventoryOf(device, added, entities, t);
    }
    return st.inventory;
  }

  async function run(target: Target, spec: SnmpSpec, signal: AbortSignal): Promise<ProbeSamples> {
    const o = spec.options;
    const st = states.stateFor(target, spec);
    const stats = newWalkStats();
    try {
      const walk = { version1: o.credential.version === '1', maxRepetitions: o.maxRepetitions, maxRows: o.maxTableRows, maxRequests: o.maxTableRequests, signal, stats };
      // The configured profiles first: a name that does not exist is a config error, whatever the agent says.
      const configured = planFor(o.profiles);
      const device = await identify(target, st, walk);
      // The config's own list wins: `replace_default_profiles` means exactly the profiles it names.
      const vendor = o.vendorProfiles === false ? [] : (device?.profiles ?? []);
      const plan = vendor.length ? planFor([...new Set([...o.profiles, ...vendor])]) : configured;
      let refresh: Refresh | undefined;
      // The watch for the agent's refresh runs in real time: with an injected clock (tests that drive
      // simulated time) it could never end, so a target's own setting applies only on the real clock.
      const align = options.alignToRefresh ?? (o.alignToRefresh === true && options.now === undefined);
      if (align) {
        // Best effort: reads an agent does not answer (silent, or its SNMPv3 engine changed) leave the
        // poll stamped with the poll time; the poll itself then fails or recovers as it would.
        refresh = await alignToRefresh(spec, st, plan, walk).catch(() => undefined);
      }
      refreshes.set(target.name, refresh);
      const { raw, labelRefresh, refreshReason, rediscovered, partial } = await pollRecovering(plan, st, { walk, labelRefreshMs, now });
      const agent = `agent ${target.name} (${target.address}:${o.port})`;
      if (rediscovered) log('warn', `${agent}: ${rediscovered}`);
      // Said once when it starts (or its reason changes) and once when it ends, not at every poll.
      if (partial?.message !== st.partial?.message) {
        if (partial) log('warn', `${agent}: partial answer (${partial.reason}): ${partial.message}`);
        else log('info', `${agent}: complete answers again`);
      }
      st.partial = partial;
      if (stats.cut) st.cuts[stats.cut.reason]++;
      let ts = refresh?.at ?? now();
      if (refresh && refreshedSince(refresh, raw.columns)) ts = (refresh.lastSentAt + now()) / 2;
      if (align) {
        const rs = refreshStateOf(st);
        if (!refresh && sameRefreshAsLast(rs, raw.columns)) ts = rs.lastStamp!;
        noteWalk(rs, plan, raw.columns);
        rs.lastStamp = ts;
      }
      const before = { ...st.counters.stats.discarded };
      const samples = buildSamples(plan, raw, st, ts);
      if (st.counters.size > 0) samples.push(...discardSamples(st.counters.stats, ts));
      samples.push(...cutSamples(st.cuts, ts));
      reportGaps(target.name, before, st.counters.stats.discarded);
      // A restarted agent or a new SNMPv3 engine may be another device (replaced, re-imaged): identify it
      // again at the next poll. Meanwhile this poll's inventory is the one just read, or the last one.
      if (raw.rebooted || rediscovered) st.device = undefined;
      const inv = device ? await inventoryFor(st, device, vendor, walk) : undefined;
      if (inv) samples.push(...inventorySamples(inv, ts));
      st.last = { walk: stats, labelRefresh, refreshReason, rebooted: raw.rebooted, counters: copyStats(st.counters.stats), samples: samples.length };
      const out = withPartial(samples, partial);
      return inv ? Object.assign(out, { inventory: inv }) : out;
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
    lastRefresh: (name) => refreshes.get(name),
    close() {
      states.close();
      return Promise.resolve();
    },
  };
}

const copyStats = (s: CounterStats): CounterStats => ({ wraps: s.wraps, discarded: { ...s.discarded }, implausible: s.implausible });
