/**
 * Benchmark: the highest flow-record rate received with zero loss and the CPU per record, netmon's collector
 * (bench/flows-receiver.ts: the real FlowService, decode to SQLite aggregates) against Debian's nfcapd on the
 * very same datagrams (NetFlow v9 and IPFIX, 30 records each, templates refreshed every 100 datagrams; sFlow
 * v5 into netmon only: nfdump's sfcapd is not packaged here). Each receiver is its own process pinned to one
 * core (taskset -c 1); the sender (this process) paces datagrams on loopback. Rates ascend; a rate passes
 * when every record was counted. Then the store (storeBench): 24 h of per-minute top-100 aggregates of one
 * uplink, the file's bytes per uplink-minute and the median time of a top-10 over 24 h.
 *
 *   npm run bench:flows [-- trial_seconds] [--store-only]      last line: one JSON object
 */
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DIMENSIONS, type FlowRow } from '../src/flows/aggregate.js';
import { FlowDb } from '../src/flows/db.js';
import { encodeIpfix, encodeNetflowV9, encodeSflow, type FlowSpec } from '../src/flows/encode.js';
import { procStat } from '../test/kit/proc.js';

const STORE_ONLY = process.argv.includes('--store-only');
const TRIAL_S = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 1);
const RATES = [25_000, 50_000, 100_000, 200_000, 400_000];
const PER_DATAGRAM = 30;
const dir = mkdtempSync(join(tmpdir(), 'netmon-bench-flows-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pin = spawnSync('sh', ['-c', 'command -v taskset']).status === 0 ? ['taskset', '-c', '1'] : [];

type Format = 'netflow9' | 'ipfix' | 'sflow5';

function flows(seed: number): FlowSpec[] {
  return Array.from({ length: PER_DATAGRAM }, (_, i) => ({
    src: `10.${1 + ((seed + i) % 2)}.${(seed * 7) % 250}.${i + 1}`,
    dst: `203.113.${seed % 250}.${(i * 13) % 250}`,
    srcPort: 40000 + i,
    dstPort: [443, 80, 53, 25][i % 4]!,
    proto: i % 4 === 2 ? 17 : 6,
    bytes: 1000 + i * 37,
    packets: 1 + (i % 9),
    inIf: 2,
    outIf: 1,
  }));
}

/** 100 distinct datagrams per format; the first of each cycle carries the templates. */
function datagrams(format: Format): Buffer[] {
  return Array.from({ length: 100 }, (_, k) => {
    const fl = flows(k);
    if (format === 'sflow5') return encodeSflow(fl.map((f) => ({ flow: f, samplingRate: 1 })), { seq: k });
    const o = { seq: k, templates: k === 0 };
    return format === 'ipfix' ? encodeIpfix(fl, o) : encodeNetflowV9(fl, o);
  });
}

async function blast(sock: dgram.Socket, pkts: Buffer[], port: number, n: number, rate: number): Promise<void> {
  const t0 = process.hrtime.bigint();
  let sent = 0;
  while (sent < n) {
    const due = Math.min(n, Math.floor((Number(process.hrtime.bigint() - t0) / 1e9) * rate) + 1);
    const batch: Promise<void>[] = [];
    for (; sent < due; sent++) batch.push(new Promise((r) => sock.send(pkts[sent % pkts.length]!, port, '127.0.0.1', () => r())));
    await Promise.all(batch);
    await new Promise((r) => setImmediate(r));
  }
}

interface Trial {
  records: number;
  cpuS: number;
}

async function netmonTrials(format: Format, sock: dgram.Socket): Promise<Array<{ rate: number } & Trial>> {
  const child = spawn(pin[0] ?? process.execPath, [...pin.slice(1), ...(pin.length ? [process.execPath] : []), '--import', 'tsx', join(import.meta.dirname, 'flows-receiver.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const next = () => new Promise<string>((r) => lines.once('line', r));
  const ports = JSON.parse(await next()) as { netflow: number; sflow: number };
  const port = format === 'sflow5' ? ports.sflow : ports.netflow;
  const count = async () => {
    const a = next();
    child.stdin.write('count\n');
    return Number(await a);
  };
  const pkts = datagrams(format);
  const out: Array<{ rate: number } & Trial> = [];
  try {
    await blast(sock, pkts, port, 2000, 5000); // warm-up: JIT, templates, SQLite pages
    await sleep(500);
    for (const rate of RATES) {
      const n = Math.round((rate / PER_DATAGRAM) * TRIAL_S);
      const [c0, cpu0] = [await count(), procStat(child.pid!).cpuS];
      await blast(sock, pkts, port, n, rate / PER_DATAGRAM);
      let c = 0;
      for (let last = -1, i = 0; i < 40; i++, await sleep(50)) {
        c = (await count()) - c0;
        if (c === last || c >= n * PER_DATAGRAM) break;
        last = c;
      }
      out.push({ rate, records: c, cpuS: procStat(child.pid!).cpuS - cpu0 });
      if (c < n * PER_DATAGRAM) break;
    }
  } finally {
    child.stdin.end();
  }
  return out;
}

async function nfcapdTrials(format: Format, sock: dgram.Socket): Promise<Array<{ rate: number } & Trial>> {
  const pkts = datagrams(format);
  const out: Array<{ rate: number } & Trial> = [];
  for (const rate of RATES) {
    const port = 30000 + Math.floor(Math.random() * 20000);
    const flowDir = mkdtempSync(join(dir, 'nfcapd-'));
    const child = spawn(pin[0] ?? 'nfcapd', [...pin.slice(1), ...(pin.length ? ['nfcapd'] : []), '-b', '127.0.0.1', '-p', String(port), '-w', flowDir, '-B', String(8 * 1024 * 1024)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    for (let i = 0; !text.includes('Startup') && i < 100; i++) await sleep(50);
    await blast(sock, pkts, port, 100, 1000); // warm-up and templates
    await sleep(200);
    const n = Math.round((rate / PER_DATAGRAM) * TRIAL_S);
    const cpu0 = procStat(child.pid!).cpuS;
    await blast(sock, pkts, port, n, rate / PER_DATAGRAM);
    await sleep(500);
    const cpuS = procStat(child.pid!).cpuS - cpu0;
    child.kill('SIGTERM');
    await exited;
    const flowsSeen = Number(/Flows: (\d+)/.exec(text)?.[1] ?? 0) - 100 * PER_DATAGRAM;
    out.push({ rate, records: flowsSeen, cpuS });
    if (flowsSeen < n * PER_DATAGRAM) break;
  }
  return out;
}

function summary(trials: Array<{ rate: number } & Trial>) {
  const passed = trials.filter((t) => t.records >= Math.round((t.rate / PER_DATAGRAM) * TRIAL_S) * PER_DATAGRAM);
  const best = passed.at(-1);
  return { max_rate_no_loss: best?.rate ?? 0, cpu_us_per_record: best ? Math.round((best.cpuS / best.records) * 1e9) / 1e3 : null, trials };
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
const round1 = (x: number) => Math.round(x * 10) / 10;

/** Median ms of a top-10 over 24 h (by site and by src, the biggest dimension), after two warm-up runs. */
function top10Ms(db: FlowDb, from: number, to: number) {
  const at = (dim: 'site' | 'src') => {
    const times: number[] = [];
    for (let i = 0; i < 9; i++) {
      const s = performance.now();
      db.top({ uplink: 'international', direction: 'in', dim, from, to, limit: 10 });
      if (i >= 2) times.push(performance.now() - s);
    }
    return round1(median(times));
  };
  return { site: at('site'), src: at('src') };
}

/**
 * 24 h of one uplink's per-minute aggregates at N = 100 (both directions, six dimensions, a full top 100 +
 * other in every one: the worst case) written as the collector does (a minute, then due rollups). Sizes are
 * of the whole file after a WAL checkpoint. The file holds minutes for minute_retention (2 d) and hours for
 * retention (35 d): the steady-state cost per uplink-minute is projected from the two measured parts,
 * counting per-host hours for the whole 35 d (they go at 7 d: an upper bound).
 */
function storeBench() {
  const path = join(dir, 'flows.db');
  const db = new FlowDb(path, 100);
  const t0 = Date.UTC(2026, 0, 1);
  const fileBytes = () => {
    db.sizeBytes(); // checkpoints the WAL
    return statSync(path).size + (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);
  };
  const before = fileBytes();
  for (let m = 0; m < 1440; m++) {
    const rows: FlowRow[] = [];
    for (const direction of ['in', 'out'] as const)
      for (const dim of DIMENSIONS)
        for (let k = 0; k <= 100; k++) rows.push({ ts: t0 + m * 60e3, uplink: 'international', direction, dim, key: k === 100 ? 'other' : dim === 'pair' ? `10.1.${k}.9 > 203.113.${m % 250}.${k}` : `${dim}-${(k * 7 + m) % 300}`, bytes: 1e6 / (k + 1), packets: 1000 / (k + 1) });
    db.write(rows);
    db.rollup(t0 + (m + 1) * 60e3);
  }
  const end = t0 + 86400e3;
  const firstDay = (fileBytes() - before) / 1440;
  const top10WithMinutes = top10Ms(db, t0 + 17 * 60e3, end);
  db.prune(end, { retention: 35 * 86400e3, hostRetention: 35 * 86400e3, minuteRetention: 0 });
  db.vacuum();
  const hoursOnly = (fileBytes() - before) / 1440;
  const top10HoursOnly = top10Ms(db, t0, end);
  db.close();
  return {
    bytes_per_uplink_minute: Math.round((2 / 35) * (firstDay - hoursOnly) + hoursOnly),
    bytes_per_uplink_minute_parts: { minutes_and_hours_first_day: Math.round(firstDay), hourly_rollups_only: Math.round(hoursOnly), assumed: 'minute_retention 2d, retention 35d' },
    top10_24h_ms: top10WithMinutes.site,
    top10_24h_median_ms: { with_minute_edges: top10WithMinutes, hours_only: top10HoursOnly },
  };
}

async function main(): Promise<void> {
  const load0 = loadavg();
  const sock = dgram.createSocket({ type: 'udp4', sendBufferSize: 4 * 1024 * 1024 });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const result: Record<string, unknown> = {};
  try {
    for (const format of STORE_ONLY ? [] : (['netflow9', 'ipfix', 'sflow5'] as const)) {
      const netmon = summary(await netmonTrials(format, sock));
      const nfcapd = format === 'sflow5' ? null : summary(await nfcapdTrials(format, sock));
      result[format] = { netmon, nfcapd };
      console.log(`${format}: netmon ${netmon.max_rate_no_loss} records/s without loss (${netmon.cpu_us_per_record} µs CPU/record)` + (nfcapd ? `; nfcapd ${nfcapd.max_rate_no_loss} records/s (${nfcapd.cpu_us_per_record} µs CPU/record)` : '; nfcapd: no sFlow'));
    }
    result.store = storeBench();
    console.log(`store: ${(result.store as { bytes_per_uplink_minute: number }).bytes_per_uplink_minute} bytes per uplink-minute at N = 100; top-10 over 24 h in ${(result.store as { top10_24h_ms: number }).top10_24h_ms} ms`);
  } finally {
    sock.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ trial_s: TRIAL_S, load_before: load0, load_after: loadavg(), ...result }));
}

await main();
