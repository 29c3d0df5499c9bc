/**
 * The SNMP probe: reads a target's profiles (probes/profiles/*.yaml) over one session and turns the
 * answers into samples. Per-target state (session, counter unwrapping, label cache) lives here.
 *
 * One poll:
 *   1. one GET: sysUpTime, the profiles' scalars and the tables' change indicators (ifTableLastChange,
 *      ifNumber). sysUpTime going back = the agent restarted: counters restart, labels are re-read.
 *   2. one multi-column walk of the value columns of every table (plus the "slow" label/field columns
 *      when they are due: every `labelRefreshMs`, after a restart, when a change indicator changed, or
 *      when a row shows up that the label cache does not know).
 *   3. rows → samples: fields and labels evaluated per row, values scaled/converted as the profile says,
 *      counters through CounterTracker (wraps, resets, discontinuities, rate ceiling).
 */
import type snmp from 'net-snmp';
import type { Probe, Sample, Target } from '../../src/types.js';
import { ProbeError } from '../../src/types.js';
import type { SnmpProbeOptions, SnmpSpec } from './kind.js';
import { loadProfiles, placeholders, type Profile, type ProfileMetric, type ProfileTable } from './profile.js';
import { openSession } from './session.js';
import { getScalars, newWalkStats, walkColumns, type ColumnData, type RawValue, type WalkOptions, type WalkStats } from './walk.js';
import { CounterTracker, type CounterStats } from './counters.js';
import { FieldSet, rawToField, templateOf, toNumber, type ColumnView, type Row } from './fields.js';

const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';
const TICKS_WRAP = 2 ** 32;
const MAX_U64 = 2n ** 64n - 1n;
const MAX_U32 = 2 ** 32 - 1;
/** dBm reported for "no light" (0 mW): the floor of SFF-8472 diagnostics (0.1 µW). */
export const DBM_FLOOR = -40;

export interface SnmpProbeOptions2 {
  profiles?: Map<string, Profile>;
  /** How often label columns are re-walked when nothing says the table changed. */
  labelRefreshMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** What the last poll of a target cost and found (tests, benchmarks, `netmon probe`). */
export interface SnmpPollInfo {
  walk: WalkStats;
  labelRefresh: boolean;
  refreshReason?: string;
  rebooted: boolean;
  counters: CounterStats;
  samples: number;
}

export interface SnmpProbe extends Probe<SnmpSpec> {
  /** Profiles known to the probe, for config validation. */
  readonly profiles: ReadonlyMap<string, Profile>;
  /** Statistics of the last poll of a target. */
  lastPoll(target: string): SnmpPollInfo | undefined;
}

// ---------------------------------------------------------------- compiled profiles

type Template = ReturnType<typeof templateOf>;
type LabelSource = { label: string; column?: string; field?: string };

interface CMetric {
  m: ProfileMetric;
  template?: Template;
  baseLabels?: Record<string, string>;
}

interface CTable {
  t: ProfileTable;
  key: string;
  fields: FieldSet;
  metrics: CMetric[];
  labels: LabelSource[];
  info: LabelSource[];
  /** Columns only fields and labels read: walked on the slow schedule. */
  slow: string[];
}

interface Plan {
  scalars: ProfileMetric[];
  tables: CTable[];
  indicators: string[];
  slowColumns: string[];
}

const OID_RE = /^\d+(\.\d+)+$/;

function compile(profiles: Profile[]): Plan {
  const tables: CTable[] = [];
  for (const p of profiles) {
    for (const t of p.tables) {
      const fields = new FieldSet(t.fields);
      const src = (entries: [string, string][]): LabelSource[] =>
        entries.map(([label, s]) => (OID_RE.test(s) ? { label, column: s } : { label, field: s }));
      const labels = src(Object.entries(t.labels));
      const info = src(Object.entries(t.info_labels));
      const fast = new Set(t.metrics.flatMap((m) => [m.oid, ...(m.fallback_oid ? [m.fallback_oid] : [])]));
      if (t.discontinuity_oid) fast.add(t.discontinuity_oid);
      const slow = new Set<string>(fields.columns());
      for (const l of [...labels, ...info]) if (l.column) slow.add(l.column);
      for (const c of fast) slow.delete(c);
      tables.push({
        t,
        key: `${p.name}/${t.name}`,
        fields,
        metrics: t.metrics.map((m) => ({ m, template: placeholders(m.metric).length ? templateOf(m.metric) : undefined })),
        labels,
        info,
        slow: [...slow],
      });
    }
  }
  return {
    scalars: profiles.flatMap((p) => p.scalars),
    tables,
    indicators: [...new Set(tables.flatMap((t) => t.t.change_indicators))],
    slowColumns: [...new Set(tables.flatMap((t) => t.slow))],
  };
}

// ---------------------------------------------------------------- per-target state

interface SlowCache {
  fetchedAt: number;
  data: ColumnData;
  /** table key → rows present when the slow columns were read */
  knownRows: Map<string, Set<string>>;
}

interface TargetState {
  sessionKey: string;
  session: snmp.Session;
  counters: CounterTracker;
  slow?: SlowCache;
  slowKey?: string;
  uptimeTicks?: number;
  uptimeAt?: number;
  indicators: Map<string, string>;
  /** Columns the agent lacks, for which the fallback column is read instead. */
  useFallback: Set<string>;
  /** table key + row → last ifCounterDiscontinuityTime */
  discontinuity: Map<string, string>;
  last?: SnmpPollInfo;
}

function rawToLabel(raw: RawValue | undefined): string {
  const v = rawToField(raw);
  return v === undefined ? '' : String(v);
}

function describeError(err: unknown, target: Target, opts: SnmpProbeOptions, spec: SnmpSpec): ProbeError {
  if (err instanceof ProbeError) return err;
  const e = err as Error & { name?: string; code?: number };
  const msg = e?.message ?? String(err);
  if (e?.name === 'RequestTimedOutError' || /timed out/i.test(msg)) {
    const tries = opts.retries + 1;
    const cred = opts.credential;
    const what =
      cred.version === '3'
        ? `check the v3 keys or community: user "${cred.username}", ${cred.security_level}` +
          (cred.security_level !== 'noAuthNoPriv' ? ` with ${cred.auth_protocol ?? 'sha'}` : '') +
          (cred.security_level === 'authPriv' ? `/${cred.priv_protocol ?? 'aes'}` : '') +
          ` (credential ${opts.credentialName}); a wrong SNMPv3 key or priv protocol looks exactly like a dead agent`
        : `check the v3 keys or community: SNMPv${cred.version} community of credential ${opts.credentialName}; a wrong community looks exactly like a dead agent`;
    return new ProbeError(
      'timeout',
      `no answer from ${target.address}:${opts.port} within ${spec.timeoutMs} ms (${tries} ${tries === 1 ? 'try' : 'tries'}); ${what}; also check the address, port and the agent's access rules`,
    );
  }
  if (/digital envelope routines::unsupported|unsupported.*cipher|des-cbc/i.test(msg)) {
    return new ProbeError(
      'config',
      `credential ${opts.credentialName}: this Node.js (OpenSSL 3) has no single-DES cipher, so SNMPv3 DES privacy cannot work; configure the agent for AES (priv_protocol: aes), or run netmon with NODE_OPTIONS=--openssl-legacy-provider`,
    );
  }
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') return new ProbeError('timeout', `deadline reached polling ${target.name}`);
  if (e?.name === 'ResponseInvalidError' && (e.code === 5 || /digest|unknown user|decrypt|security level|time window|engine/i.test(msg))) {
    return new ProbeError('auth', `SNMPv3 security error from ${target.name} (${target.address}:${opts.port}): ${msg}; check the user, keys and protocols of credential ${opts.credentialName}`);
  }
  if (/auth|digest|decrypt|usm/i.test(msg)) return new ProbeError('auth', `SNMPv3 security error from ${target.name}: ${msg}`);
  if (e?.name === 'RequestFailedError') return new ProbeError('protocol', `SNMP error from ${target.name}: ${msg}`);
  return new ProbeError('protocol', `SNMP error from ${target.name}: ${msg}`);
}

function mwToDbm(mw: number): number {
  if (!(mw > 0)) return DBM_FLOOR;
  return Math.max(DBM_FLOOR, 10 * Math.log10(mw));
}

export function createSnmpProbe(options: SnmpProbeOptions2 = {}): SnmpProbe {
  const profiles = options.profiles ?? loadProfiles();
  const labelRefreshMs = options.labelRefreshMs ?? 15 * 60_000;
  const now = options.now ?? Date.now;
  const states = new Map<string, TargetState>();
  const plans = new Map<string, Plan>();

  function stateFor(target: Target, o: SnmpProbeOptions, spec: SnmpSpec): TargetState {
    const key = JSON.stringify([target.address, o.port, o.credentialName, o.credential, spec.timeoutMs, o.retries]);
    let st = states.get(target.name);
    if (st && st.sessionKey !== key) {
      st.session.close();
      st = undefined;
    }
    if (!st) {
      const session = openSession(o.credential, { address: target.address, port: o.port, timeoutMs: spec.timeoutMs, retries: o.retries });
      // A socket error or an unparseable datagram must not crash the daemon; the request then times out.
      session.on('error', () => undefined);
      st = { sessionKey: key, session, counters: new CounterTracker(), indicators: new Map(), useFallback: new Set(), discontinuity: new Map() };
      states.set(target.name, st);
    }
    return st;
  }

  function planFor(names: readonly string[]): Plan {
    const key = names.join(',');
    let plan = plans.get(key);
    if (!plan) {
      const wanted = names.map((name) => {
        const p = profiles.get(name);
        if (!p) throw new ProbeError('config', `unknown SNMP profile ${name}; known: ${[...profiles.keys()].join(', ')}`);
        return p;
      });
      plans.set(key, (plan = compile(wanted)));
    }
    return plan;
  }

  async function run(target: Target, spec: SnmpSpec, signal: AbortSignal): Promise<Sample[]> {
    const o = spec.options;
    const plan = planFor(o.profiles);
    const st = stateFor(target, o, spec);
    const stats = newWalkStats();
    const walkOpts: WalkOptions = { version1: o.credential.version === '1', maxRepetitions: o.maxRepetitions, signal, stats };
    const base: Record<string, string> = {};
    try {
      // 1. scalars, uptime, change indicators
      const scalarOids = new Set<string>([SYS_UPTIME, ...plan.indicators]);
      for (const s of plan.scalars) {
        scalarOids.add(s.oid);
        if (s.fallback_oid) scalarOids.add(s.fallback_oid);
      }
      const scalarValues = await getScalars(st.session, [...scalarOids], walkOpts);
      const t0 = now();
      const uptime = toNumber(scalarValues.get(SYS_UPTIME) ?? undefined);
      const rebooted = uptimeWentBack(st, uptime, t0);
      if (uptime !== undefined) {
        st.uptimeTicks = uptime;
        st.uptimeAt = t0;
      }
      if (rebooted) st.counters.resetAll();
      let changed: string | undefined;
      for (const oid of plan.indicators) {
        const v = rawToLabel(scalarValues.get(oid));
        const prev = st.indicators.get(oid);
        if (prev !== undefined && prev !== v) changed ??= oid;
        st.indicators.set(oid, v);
      }
      const slowKey = plan.slowColumns.join(',');
      let reason: string | undefined;
      if (plan.slowColumns.length > 0) {
        if (!st.slow || st.slowKey !== slowKey) reason = 'first poll';
        else if (rebooted) reason = 'agent restarted';
        else if (changed) reason = `change indicator ${changed} changed`;
        else if (t0 - st.slow.fetchedAt >= labelRefreshMs) reason = 'refresh interval';
      }
      let refresh = reason !== undefined;

      // 2. value columns (+ slow columns when due)
      const fast = new Set<string>();
      for (const ct of plan.tables) {
        for (const { m } of ct.metrics) {
          if (!m.fallback_oid || !st.useFallback.has(m.oid) || refresh) fast.add(m.oid);
          if (m.fallback_oid && st.useFallback.has(m.oid)) fast.add(m.fallback_oid);
        }
        if (ct.t.discontinuity_oid) fast.add(ct.t.discontinuity_oid);
      }
      const columns = new Set(fast);
      if (refresh) for (const c of plan.slowColumns) columns.add(c);
      const data = columns.size > 0 ? await walkColumns(st.session, [...columns], walkOpts) : new Map();

      // HC column missing: read the 32-bit fallback now, and from now on instead.
      const fallbacks: string[] = [];
      for (const ct of plan.tables) {
        for (const { m } of ct.metrics) {
          if (!m.fallback_oid || !data.has(m.oid)) continue;
          if ((data.get(m.oid)?.size ?? 0) > 0) st.useFallback.delete(m.oid);
          else {
            st.useFallback.add(m.oid);
            if (!data.has(m.fallback_oid)) fallbacks.push(m.fallback_oid);
          }
        }
      }
      if (fallbacks.length > 0) for (const [c, rows] of await walkColumns(st.session, [...new Set(fallbacks)], walkOpts)) data.set(c, rows);

      const columnOf = (m: ProfileMetric) => (m.fallback_oid && st.useFallback.has(m.oid) ? m.fallback_oid : m.oid);
      const rowsOf = (ct: CTable): Set<string> => {
        const rows = new Set<string>();
        for (const { m } of ct.metrics) for (const i of data.get(columnOf(m))?.keys() ?? []) rows.add(i);
        return rows;
      };
      const tableRows = new Map(plan.tables.map((ct) => [ct.key, rowsOf(ct)]));

      if (!refresh && st.slow) {
        // A row the label cache has not seen means the table changed under us: read the labels now.
        for (const ct of plan.tables) {
          if (ct.slow.length === 0) continue;
          const known = st.slow.knownRows.get(ct.key);
          for (const i of tableRows.get(ct.key)!) {
            if (!known?.has(i)) {
              reason = `new row ${i} in ${ct.t.name}`;
              break;
            }
          }
          if (reason) break;
        }
        if (reason) {
          refresh = true;
          for (const [c, rows] of await walkColumns(st.session, plan.slowColumns, walkOpts)) data.set(c, rows);
        }
      }
      if (refresh) {
        st.slow = {
          fetchedAt: t0,
          data: new Map(plan.slowColumns.map((c) => [c, data.get(c) ?? new Map()])),
          knownRows: new Map(plan.tables.map((ct) => [ct.key, tableRows.get(ct.key)!])),
        };
        st.slowKey = slowKey;
      }
      const slowData = st.slow?.data;
      const view: ColumnView = (c) => data.get(c) ?? slowData?.get(c);

      // 3. samples
      const ts = now();
      const samples: Sample[] = [];
      const seen = new Set<string>();
      for (const s of plan.scalars) {
        let raw = scalarValues.get(s.oid);
        if (raw === undefined && s.fallback_oid) raw = scalarValues.get(s.fallback_oid);
        if (raw === undefined || raw === null) continue;
        const v = s.type === 'counter' ? counterValue(st, s, raw, `${s.metric}|${s.oid}|${JSON.stringify(s.const_labels)}`, ts, undefined, false, seen) : gaugeValue(s, raw, undefined);
        if (v === undefined) continue;
        samples.push({ metric: s.metric, labels: { ...base, ...s.const_labels }, value: v, ts, type: s.type, unit: s.unit || undefined, help: s.help });
      }
      for (const ct of plan.tables) {
        const t = ct.t;
        for (const index of tableRows.get(ct.key)!) {
          const row = ct.fields.row(index, view);
          if (!passes(t, row)) continue;
          const labels: Record<string, string> = { ...base };
          if (t.index_label) labels[t.index_label] = index;
          for (const l of ct.labels) labels[l.label] = labelValue(l, row);
          let resetRow = false;
          if (t.discontinuity_oid) {
            const d = view(t.discontinuity_oid)?.get(index);
            if (d !== undefined && d !== null) {
              const k = `${ct.key}|${index}`;
              const prev = st.discontinuity.get(k);
              const cur = String(d);
              resetRow = prev !== undefined && prev !== cur;
              st.discontinuity.set(k, cur);
            }
          }
          for (const cm of ct.metrics) {
            const m = cm.m;
            const column = columnOf(m);
            const raw = data.get(column)?.get(index);
            if (raw === undefined || raw === null) continue;
            const name = cm.template ? row.fill(cm.template) : m.metric;
            if (!name) continue;
            let v: number | undefined;
            if (m.type === 'counter') {
              let ceiling: number | undefined;
              if (m.rate_ceiling) {
                const f = toNumber(row.get(m.rate_ceiling.field));
                if (f !== undefined && f > 0) ceiling = f * m.rate_ceiling.scale;
              }
              v = counterValue(st, m, raw, `${name}|${column}|${index}`, ts, ceiling, resetRow, seen);
            } else v = gaugeValue(m, raw, row);
            if (v === undefined) continue;
            const sampleLabels = Object.keys(m.const_labels).length ? { ...labels, ...m.const_labels } : labels;
            samples.push({ metric: name, labels: sampleLabels, value: v, ts, type: m.type, unit: m.unit || undefined, help: m.help });
          }
          if (t.info_metric) {
            const info: Record<string, string> = { ...labels };
            for (const l of ct.info) info[l.label] = labelValue(l, row);
            samples.push({ metric: t.info_metric, labels: info, value: 1, ts, type: 'gauge', help: `Descriptive labels of the ${t.name} rows (value is always 1).` });
          }
        }
      }
      st.counters.retain(seen);
      for (const k of st.discontinuity.keys()) if (!tableRows.get(k.slice(0, k.lastIndexOf('|')))?.has(k.slice(k.lastIndexOf('|') + 1))) st.discontinuity.delete(k);
      st.last = { walk: stats, labelRefresh: refresh, refreshReason: reason, rebooted, counters: { ...st.counters.stats }, samples: samples.length };
      return samples;
    } catch (err) {
      st.last = { walk: stats, labelRefresh: false, rebooted: false, counters: { ...st.counters.stats }, samples: 0 };
      throw describeError(err, target, o, spec);
    }
  }

  function uptimeWentBack(st: TargetState, uptime: number | undefined, t: number): boolean {
    if (uptime === undefined || st.uptimeTicks === undefined || st.uptimeAt === undefined) return false;
    if (uptime >= st.uptimeTicks) return false;
    // TimeTicks wrap after 497 days: a decrease that matches the expected value minus 2^32 is a wrap.
    const expected = st.uptimeTicks + (t - st.uptimeAt) / 10;
    return !(expected >= TICKS_WRAP && Math.abs(uptime - (expected - TICKS_WRAP)) < 6000);
  }

  function counterValue(st: TargetState, m: ProfileMetric, raw: RawValue, key: string, ts: number, ceiling: number | undefined, reset: boolean, seen: Set<string>): number | undefined {
    let big: bigint;
    let bits: 32 | 64;
    if (typeof raw === 'bigint') {
      if (raw < 0n || raw > MAX_U64) return undefined; // garbage: wider than a Counter64 (found by bench/fuzz-snmp.ts: exported as Infinity)
      big = raw;
      bits = 64;
    } else if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= MAX_U32) {
      big = BigInt(raw);
      bits = 32;
    } else return undefined; // garbage: a counter that is not a non-negative integer
    seen.add(key);
    const scale = m.scale ?? 1;
    // The ceiling is in raw counter units per second, like the tracker.
    const total = st.counters.update(key, big, bits, ts, ceiling, reset);
    if (total === undefined) return undefined;
    const v = Number(total) * scale;
    return Number.isFinite(v) ? v : undefined;
  }

  function gaugeValue(m: ProfileMetric, raw: RawValue, row: Row | undefined): number | undefined {
    let n = toNumber(raw);
    if (n === undefined || m.invalid_values.includes(n)) return undefined;
    if (m.unsigned32 && n < 0) n += 2 ** 32;
    if (m.value_map) return m.value_map[String(n)] ?? m.value_map_default;
    let conv: Pick<ProfileMetric, 'scale' | 'pow10' | 'multiply_by' | 'transform'> = m;
    if (m.variant_field && m.variants) {
      const which = row?.get(m.variant_field);
      const v = which === undefined ? undefined : m.variants[String(which)];
      if (!v) return undefined;
      conv = v;
    }
    let v = n * (conv.scale ?? 1);
    if (conv.pow10 || conv.multiply_by) {
      if (!row) return undefined;
      let exp = 0;
      for (const f of conv.pow10 ?? []) {
        const x = toNumber(row.get(f));
        if (x === undefined) return undefined;
        exp += x;
      }
      if (exp !== 0) v *= 10 ** exp;
      for (const f of conv.multiply_by ?? []) {
        const x = toNumber(row.get(f));
        if (x === undefined) return undefined;
        v *= x;
      }
    }
    if (conv.transform === 'mw_to_dbm') v = mwToDbm(v);
    return Number.isFinite(v) ? v : undefined;
  }

  return {
    kind: 'snmp',
    profiles,
    run,
    lastPoll: (name) => states.get(name)?.last,
    async close() {
      for (const st of states.values()) st.session.close();
      states.clear();
    },
  };
}

function labelValue(l: LabelSource, row: Row): string {
  if (l.column) return rawToLabel(row.column(l.column));
  const v = row.get(l.field!);
  return v === undefined ? '' : String(v);
}

function passes(t: ProfileTable, row: Row): boolean {
  for (const f of t.filter) {
    const v = row.get(f.field);
    if (f.present !== undefined && (v !== undefined) !== f.present) return false;
    if (f.in && (v === undefined || !f.in.some((x) => String(x) === String(v)))) return false;
    if (f.not_in && v !== undefined && f.not_in.some((x) => String(x) === String(v))) return false;
  }
  return true;
}
