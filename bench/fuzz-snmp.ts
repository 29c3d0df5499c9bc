/**
 * Fuzzes the SNMP probe's reply path: real replies captured from net-snmp's agent (an IF-MIB device with
 * 12 ports) are mutated (bit flips, truncation, length fields, random bytes, duplicated and oversized
 * varbinds, wrong request ids, type confusion, error statuses, OID chaos; see test/kit/snmp-fuzz.ts)
 * and sent back to the probe's real requests by a UDP responder on loopback. Several pollers run the
 * probe in a loop, each with its own session, against that responder.
 *
 * Checked: no uncaught exception or unhandled rejection, every poll ends by its deadline with samples or
 * a typed ProbeError, every sample is well formed (finite value, valid names, counters >= 0), and memory
 * after GC does not grow. One JSON object on the last line.
 *
 *   node --expose-gc --import tsx bench/fuzz-snmp.ts [--packets 100000] [--seed 1] [--pollers 12]
 */
import { parseArgs } from 'node:util';
import { createSnmpProbe } from '../probes/snmp/index.js';
import { ProbeError, type Sample } from '../src/types.js';
import { snmpTarget, startModuleAgent } from '../test/kit/snmp-agent.js';
import { ifModule, makeDevice } from '../test/kit/if-device.js';
import { FaultProxy } from '../test/kit/udp-proxy.js';
import { decodeMsg, encodeMsg, mutate, ReplyBank, Rng } from '../test/kit/snmp-fuzz.js';

const { values: args } = parseArgs({
  options: {
    packets: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
    pollers: { type: 'string', default: '12' },
    'per-request': { type: 'string', default: '6' },
    'timeout-ms': { type: 'string', default: '60' },
    'deadline-ms': { type: 'string', default: '1000' },
  },
});
const PACKETS = Number(args.packets);
const SEED = Number(args.seed);
const POLLERS = Number(args.pollers);
const PER_REQUEST = Number(args['per-request']);
const TIMEOUT_MS = Number(args['timeout-ms']);
const DEADLINE_MS = Number(args['deadline-ms']);
/** A poll may end this long after its deadline (timer and event-loop granularity on a shared machine). */
const DEADLINE_SLACK_MS = 250;

let crashes = 0;
let firstCrash: string | undefined;
process.on('uncaughtException', (e) => {
  crashes++;
  firstCrash ??= String(e?.stack ?? e);
});
process.on('unhandledRejection', (e) => {
  crashes++;
  firstCrash ??= `unhandled rejection: ${String((e as Error)?.stack ?? e)}`;
});

const gc = (globalThis as { gc?: () => void }).gc;
function memory(): { heap: number; rss: number } {
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

const sampleKey = (s: Sample) => `${s.metric}${JSON.stringify(Object.entries(s.labels).filter(([k]) => k !== 'target').sort())}`;
/** Row identity without the label values a corrupted reply may have changed (names, aliases). */
const rowKey = (s: Sample) => `${s.metric}|${s.labels.if_index ?? ''}`;
const expectedRows = new Map<string, number>();
const METRIC_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function badSample(s: Sample): string | undefined {
  if (typeof s.metric !== 'string' || !METRIC_RE.test(s.metric)) return `metric name ${JSON.stringify(s.metric)}`;
  if (typeof s.value !== 'number' || !Number.isFinite(s.value)) return `${s.metric} value ${s.value}`;
  if (s.type !== 'counter' && s.type !== 'gauge') return `${s.metric} type ${JSON.stringify(s.type)}`;
  if (s.type === 'counter' && s.value < 0) return `${s.metric} negative counter ${s.value}`;
  if (!Number.isFinite(s.ts)) return `${s.metric} ts ${s.ts}`;
  for (const [k, v] of Object.entries(s.labels)) {
    if (!LABEL_RE.test(k)) return `${s.metric} label name ${JSON.stringify(k)}`;
    if (typeof v !== 'string') return `${s.metric} label ${k} not a string`;
  }
  return undefined;
}

const t0 = Date.now();
const device = makeDevice(12, 1000);
const agent = await startModuleAgent(ifModule(device));
const proxy = await FaultProxy.start(agent.port);
const probe = createSnmpProbe();
const rng = new Rng(SEED);

// 1. capture: real answers to the probe's real requests, at every max-repetitions the walker may use
const bank = new ReplyBank();
proxy.mode = { kind: 'rewrite', upstream: true, rewrite: (req, ans) => (ans ? (bank.add(req, ans), [ans]) : []) };
const expected = new Map<string, number>();
for (const reps of [25, 12, 6, 3, 1]) {
  for (let k = 0; k < 2; k++) {
    const { target, spec } = snmpTarget(proxy.port, ['system', 'if-mib'], { name: `capture-${reps}`, maxRepetitions: reps, timeoutMs: 2000 });
    const samples = await probe.run(target, spec, AbortSignal.timeout(10_000));
    for (const s of samples) {
      if (s.metric === 'netmon_snmp_agent_uptime_seconds') continue;
      expected.set(sampleKey(s), s.value);
      if (s.type === 'gauge' && s.metric !== 'netmon_interface_info') expectedRows.set(rowKey(s), s.value);
    }
  }
}
const captured = bank.size;

// 2. fuzz: every request is answered with PER_REQUEST mutated datagrams, sometimes followed by the real answer
let mutated = 0;
let cleanSent = 0;
const mutations: Record<string, number> = {};
proxy.mode = {
  kind: 'rewrite',
  upstream: false,
  rewrite(request) {
    const req = decodeMsg(request);
    if (!req || mutated >= PACKETS) return [];
    const ans = bank.answerFor(req, rng);
    if (!ans) return [];
    const out: Buffer[] = [];
    for (let k = 0; k < PER_REQUEST && mutated < PACKETS; k++) {
      const { datagram, applied } = mutate(ans, rng);
      for (const a of applied) mutations[a] = (mutations[a] ?? 0) + 1;
      out.push(datagram);
      mutated++;
    }
    // The real answer now and then, so walks progress into later requests and correct samples come out.
    if (rng.chance(0.35)) {
      out.push(encodeMsg(ans));
      cleanSent++;
    }
    return rng.chance(0.5) ? out : out.reverse();
  },
};

const stats = {
  polls: 0,
  polls_ok: 0,
  polls_failed: {} as Record<string, number>,
  untyped_errors: 0,
  first_untyped_error: undefined as string | undefined,
  deadline_overruns: 0,
  max_poll_ms: 0,
  samples: 0,
  gauges_as_captured: 0,
  gauges_altered: 0,
  invalid_samples: 0,
  first_invalid: undefined as string | undefined,
};

let before: { heap: number; rss: number } | undefined;
const heapTrace: number[] = [];
const WARMUP = Math.min(2000, Math.floor(PACKETS / 10));

async function poller(i: number): Promise<void> {
  const { target, spec } = snmpTarget(proxy.port, ['system', 'if-mib'], { name: `fuzz-${i}`, timeoutMs: TIMEOUT_MS, retries: 0, maxRepetitions: 25 });
  while (mutated < PACKETS) {
    const start = performance.now();
    try {
      const samples = await probe.run(target, spec, AbortSignal.timeout(DEADLINE_MS));
      stats.polls_ok++;
      for (const s of samples) {
        stats.samples++;
        const bad = badSample(s);
        if (bad) {
          stats.invalid_samples++;
          stats.first_invalid ??= bad;
          continue;
        }
        // Gauges can be compared with the capture (counters restart at a reset, so their totals cannot).
        // A gauge can legitimately differ: a bit flip inside a well-formed value is undetectable in v2c.
        if (s.type !== 'gauge' || s.metric === 'netmon_snmp_agent_uptime_seconds') continue;
        const want = expected.get(sampleKey(s));
        if (want !== undefined && want === s.value) stats.gauges_as_captured++;
        else stats.gauges_altered++;
      }
    } catch (err) {
      if (err instanceof ProbeError) stats.polls_failed[err.reason] = (stats.polls_failed[err.reason] ?? 0) + 1;
      else {
        stats.untyped_errors++;
        stats.first_untyped_error ??= String((err as Error)?.stack ?? err);
      }
    }
    stats.polls++;
    const ms = performance.now() - start;
    stats.max_poll_ms = Math.max(stats.max_poll_ms, ms);
    if (ms > DEADLINE_MS + DEADLINE_SLACK_MS) stats.deadline_overruns++;
  }
}

const monitor = setInterval(() => {
  if (!before && mutated >= WARMUP) before = memory();
  if (before) heapTrace.push(process.memoryUsage().heapUsed);
  process.stderr.write(`\rfuzz: ${mutated}/${PACKETS} packets, ${stats.polls} polls, crashes ${crashes}   `);
}, 1000);
await Promise.all(Array.from({ length: POLLERS }, (_, i) => poller(i)));
clearInterval(monitor);
process.stderr.write('\n');
before ??= memory();
// let the last timers (request timeouts) fire, then measure after GC
await new Promise((r) => setTimeout(r, 300));
const after = memory();

// 3. recovery: the agent answers correctly again; every poller must get every gauge right, every series back
proxy.mode = { kind: 'pass' };
let recoveryMismatches = 0;
let recoveryFailures = 0;
let firstMismatch: string | undefined;
for (let i = 0; i < POLLERS; i++) {
  const { target, spec } = snmpTarget(proxy.port, ['system', 'if-mib'], { name: `fuzz-${i}`, timeoutMs: 2000, retries: 1, maxRepetitions: 25 });
  let samples: Sample[] = [];
  try {
    for (let k = 0; k < 2; k++) samples = await probe.run(target, spec, AbortSignal.timeout(10_000));
  } catch (err) {
    recoveryFailures++;
    firstMismatch ??= String(err);
    continue;
  }
  const got = new Map(samples.filter((s) => s.type === 'gauge').map((s) => [rowKey(s), s.value]));
  for (const [k, v] of expectedRows) {
    if (got.get(k) !== v) {
      recoveryMismatches++;
      firstMismatch ??= `${k}: ${got.get(k)} != ${v}`;
    }
  }
}

await probe.close?.();
await proxy.close();
await agent.close();

const mb = (n: number) => Number((n / 1e6).toFixed(1));
const result = {
  bench: 'fuzz-snmp',
  seed: SEED,
  packets: mutated,
  clean_answers_mixed_in: cleanSent,
  requests: proxy.requests,
  captured_replies: captured,
  seconds: Math.round((Date.now() - t0) / 1000),
  crashes,
  first_crash: firstCrash,
  ...stats,
  max_poll_ms: Math.round(stats.max_poll_ms),
  deadline_ms: DEADLINE_MS,
  gc_exposed: gc !== undefined,
  heap_mb_before: mb(before.heap),
  heap_mb_after: mb(after.heap),
  heap_mb_max_during: mb(Math.max(0, ...heapTrace)),
  rss_mb_before: mb(before.rss),
  rss_mb_after: mb(after.rss),
  recovery_polls_failed: recoveryFailures,
  recovery_gauge_mismatches: recoveryMismatches,
  recovery_first_mismatch: firstMismatch,
  mutations,
};
console.log(JSON.stringify(result));
process.exit(0);
