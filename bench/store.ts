/**
 * Store benchmark: `npx tsx bench/store.ts`. Synthetic clock, no sleeping; prints one JSON object last.
 *
 * Fleet phase: ~6,000 realistic series (interface octets/errors counters, oper status, ping RTT/loss,
 * optical dBm) polled every 60 s. First 4 hours in one commit per poll round (ingest throughput), then
 * 2 hours with one commit per second (as the daemon flushes), measuring bytes written per minute.
 * Week phase: the same fleet (120 targets at the reference network's 60 s rate) for BENCH_STORE_DAYS (default
 * 7) simulated days through the store's API, maintenance (hour closing, rollups) on the simulated clock, then
 * the WAL checkpointed: bytes per sample of the WHOLE database file (chunks, rollups, open hours, series,
 * indexes, free pages), beside a plain `(series, ts, value)` table (WITHOUT ROWID, primary key (series, ts):
 * the smallest table a range query can use) written in the same run with the same samples.
 * Query phase: a few series over a year (raw past 35 days dropped by retention), median of repeated queries.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../src/store/index.js';
import type { Sample } from '../src/types.js';

const H = 3_600_000;
const MIN = 60_000;
const DAY = 86_400_000;
const WEEK_DAYS = Number(process.env.BENCH_STORE_DAYS ?? 7);
/** Targets of the week phase (54 series each): 120 is the reference network, ~65M samples in 7 days. */
const WEEK_TARGETS = Number(process.env.BENCH_STORE_TARGETS ?? 120);

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Gen {
  metric: string;
  labels: Record<string, string>;
  type: 'counter' | 'gauge';
  target: number;
  next(ts: number): number;
}

const diurnal = (ts: number): number => 0.35 + 0.65 * Math.max(0, Math.sin(((ts % DAY) / DAY) * 2 * Math.PI - Math.PI / 2) * 0.5 + 0.5);

function makeFleet(seed: number, nTargets = 120): Gen[] {
  const r = rng(seed);
  const gens: Gen[] = [];
  for (let t = 0; t < nTargets; t++) {
    const target = `site-${t}`;
    for (let i = 1; i <= 10; i++) {
      const base = Math.exp(Math.log(1e3) + r() * Math.log(1e4)); // 1 kB/s .. 10 MB/s
      for (const dir of ['receive', 'transmit']) {
        let c = Math.floor(r() * 2 ** 40);
        let last = 0;
        gens.push({
          metric: `netmon_interface_${dir}_bytes_total`, labels: { target, if_index: String(i) }, type: 'counter', target: t,
          next(ts) {
            const dt = last ? (ts - last) / 1000 : 60;
            last = ts;
            c += Math.round(base * diurnal(ts) * (0.8 + 0.4 * r()) * dt);
            return c;
          },
        });
        let e = Math.floor(r() * 1000);
        gens.push({
          metric: `netmon_interface_${dir}_errors_total`, labels: { target, if_index: String(i) }, type: 'counter', target: t,
          next() {
            if (r() < 0.02) e += 1 + Math.floor(r() * 5);
            return e;
          },
        });
      }
      const flappy = t === 7 && i === 1;
      gens.push({
        metric: 'netmon_interface_oper_up', labels: { target, if_index: String(i) }, type: 'gauge', target: t,
        next: () => (flappy && r() < 0.1 ? 0 : 1),
      });
    }
    const rtt0 = 0.0005 + r() * 0.03;
    gens.push({
      metric: 'netmon_ping_rtt_seconds', labels: { target }, type: 'gauge', target: t,
      next: () => Math.round(rtt0 * (1 + 0.3 * r() * r()) * 1e6) / 1e6,
    });
    gens.push({
      metric: 'netmon_ping_loss_ratio', labels: { target }, type: 'gauge', target: t,
      next: () => (r() < 0.03 ? 0.2 : 0),
    });
    for (let p = 1; p <= 2; p++) {
      let dbm = -3 - r() * 8;
      gens.push({
        metric: 'netmon_optical_rx_power_dbm', labels: { target, port: String(p) }, type: 'gauge', target: t,
        next() {
          dbm += (r() - 0.5) * 0.02;
          return Math.round(dbm * 100) / 100;
        },
      });
    }
  }
  return gens;
}

/** One poll round: every target polled once in the minute, at its own offset plus response jitter. */
function pollRound(gens: Gen[], minuteTs: number, r: () => number): Sample[] {
  const ts = new Map<number, number>();
  const out: Sample[] = [];
  for (const g of gens) {
    let t = ts.get(g.target);
    if (t === undefined) {
      t = minuteTs + ((g.target * 497) % MIN) + Math.floor(r() * 40);
      ts.set(g.target, t);
    }
    out.push({ metric: g.metric, labels: g.labels, type: g.type, ts: t, value: g.next(t) });
  }
  return out;
}

function wchar(): number {
  const m = /wchar:\s*(\d+)/.exec(fs.readFileSync('/proc/self/io', 'utf8'));
  return m ? Number(m[1]) : NaN;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

function tableBytes(file: string, name: string): number {
  const db = new Database(file, { readonly: true });
  const row = db.prepare('SELECT SUM(pgsize) AS b FROM dbstat WHERE name = ?').get(name) as { b: number | null };
  db.close();
  return row.b ?? 0;
}

/** Bytes of a database file after a WAL checkpoint (main file + whatever WAL is left, 0 after TRUNCATE). */
function checkpointedBytes(file: string): number {
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const wal = `${file}-wal`;
  return fs.statSync(file).size + (fs.existsSync(wal) ? fs.statSync(wal).size : 0);
}

function weekPhase(dir: string) {
  const file = path.join(dir, 'week.db');
  const plainFile = path.join(dir, 'plain.db');
  const gens = makeFleet(5, WEEK_TARGETS);
  const r = rng(6);
  const start = Math.floor(Date.UTC(2025, 0, 6, 0, 0) / H) * H;
  let now = start;
  const store = openStore(file, { jobs: false, now: () => now, batchSize: 1e9 });
  const plain = new Database(plainFile);
  plain.pragma('journal_mode = WAL');
  plain.pragma('synchronous = NORMAL');
  plain.exec('CREATE TABLE samples (series INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (series, ts)) WITHOUT ROWID');
  const insert = plain.prepare('INSERT INTO samples (series, ts, value) VALUES (?, ?, ?)');
  const seriesOf = new Map(gens.map((g, i) => [g, i + 1]));
  const insertRound = plain.transaction((batch: Sample[], ids: number[]) => {
    for (let i = 0; i < batch.length; i++) insert.run(ids[i], batch[i]!.ts, batch[i]!.value);
  });
  const ids = gens.map((g) => seriesOf.get(g)!);
  let samples = 0;
  let storeMs = 0;
  let plainMs = 0;
  const minutes = WEEK_DAYS * 1440;
  for (let m = 0; m < minutes; m++) {
    const batch = pollRound(gens, start + m * MIN, r);
    // Alternate which one goes first, so neither always gets the warmer cache.
    const runStore = () => {
      const t0 = performance.now();
      store.write(batch);
      store.flush();
      storeMs += performance.now() - t0;
    };
    const runPlain = () => {
      const t0 = performance.now();
      insertRound(batch, ids);
      plainMs += performance.now() - t0;
    };
    if (m % 2) {
      runStore();
      runPlain();
    } else {
      runPlain();
      runStore();
    }
    samples += batch.length;
    now = start + (m + 1) * MIN;
    if (m % 10 === 9) store.maintain(now);
  }
  store.maintain(now);
  const st = store.stats();
  store.close();
  plain.close();
  const rejected = Object.values(st.samplesRejected).reduce((a, b) => a + b, 0);
  const stored = samples - rejected;
  const fileBytes = checkpointedBytes(file);
  const plainBytes = checkpointedBytes(plainFile);
  const db = new Database(file, { readonly: true });
  const byTable = db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as { name: string; bytes: number }[];
  db.close();
  return {
    days: WEEK_DAYS,
    targets: WEEK_TARGETS,
    series: gens.length,
    interval_s: 60,
    samples_stored: stored,
    file_bytes: fileBytes,
    file_bytes_per_sample: +(fileBytes / stored).toFixed(3),
    plain_table_bytes: plainBytes,
    plain_table_bytes_per_sample: +(plainBytes / samples).toFixed(3),
    file_bytes_by_table: Object.fromEntries(byTable.map((t) => [t.name, t.bytes])),
    ingest_samples_per_s: Math.round(samples / (storeMs / 1000)),
    plain_table_ingest_samples_per_s: Math.round(samples / (plainMs / 1000)),
    rejected,
  };
}

function fleetPhase(dir: string) {
  const file = path.join(dir, 'fleet.db');
  const gens = makeFleet(1);
  const r = rng(2);
  const start = Math.floor(Date.UTC(2025, 0, 6, 0, 0) / H) * H;
  let now = start;
  const store = openStore(file, { jobs: false, now: () => now, batchSize: 1e9 });
  // Throughput: one commit per poll round (the store's default batch is 5000).
  let samples = 0;
  let busy = 0;
  const ingestMinutes = 4 * 60;
  for (let m = 0; m < ingestMinutes; m++) {
    const batch = pollRound(gens, start + m * MIN, r);
    const t0 = performance.now();
    store.write(batch);
    store.flush();
    busy += performance.now() - t0;
    samples += batch.length;
  }
  // Realistic write pattern: the daemon commits about once a second, samples spread over the minute.
  const w0 = wchar();
  const ioMinutes = 2 * 60;
  for (let m = ingestMinutes; m < ingestMinutes + ioMinutes; m++) {
    const batch = pollRound(gens, start + m * MIN, r);
    batch.sort((a, b) => a.ts - b.ts);
    const per = Math.ceil(batch.length / 60);
    for (let i = 0; i < batch.length; i += per) {
      store.write(batch.slice(i, i + per));
      store.flush();
    }
    now = start + (m + 1) * MIN;
    if (m % 1 === 0) store.maintain(now);
  }
  const written = wchar() - w0;
  const st = store.stats();
  store.close();
  // Bytes per sample: the chunks table's pages (B-tree overhead included) over the samples in closed chunks.
  const db = new Database(file, { readonly: true });
  const chunkRows = db.prepare('SELECT data FROM chunks').pluck().all() as Buffer[];
  const rollupBlob = db.prepare('SELECT (SELECT SUM(LENGTH(data)) FROM rollup_5m) + (SELECT SUM(LENGTH(data)) FROM rollup_1h)').pluck().get() as number;
  db.close();
  let chunkSamples = 0;
  let blobBytes = 0;
  for (const b of chunkRows) {
    blobBytes += b.length;
    let n = 0, mul = 1, i = 0;
    for (;;) {
      const x = b[i++]!;
      n += (x & 127) * mul;
      if (x < 128) break;
      mul *= 128;
    }
    chunkSamples += n;
  }
  const chunkBytes = tableBytes(file, 'chunks');
  const rollupBytes = tableBytes(file, 'rollup_5m') + tableBytes(file, 'rollup_1h');
  return {
    series: gens.length,
    // Closed raw chunks only, after 6 h: the payload's figure, not the file's (see the week phase for that).
    first_6h_ingest_samples_per_s: Math.round(samples / (busy / 1000)),
    closed_chunk_bytes_per_sample: +(chunkBytes / chunkSamples).toFixed(3),
    blob_bytes_per_sample: +(blobBytes / chunkSamples).toFixed(3),
    // Rollup rows hold a partial day here (6 h), so pages are not in steady state; the blob figure is the payload.
    rollup_bytes_per_series_hour: +(rollupBytes / (gens.length * 6)).toFixed(1),
    rollup_blob_bytes_per_series_hour: +(rollupBlob / (gens.length * 6)).toFixed(1),
    file_bytes: st.fileBytes,
    disk_bytes_written_per_min: Math.round(written / ioMinutes),
    rejected: Object.values(st.samplesRejected).reduce((a, b) => a + b, 0),
  };
}

function queryPhase(dir: string) {
  const file = path.join(dir, 'year.db');
  const r = rng(3);
  const end = Math.floor(Date.UTC(2025, 5, 1) / H) * H;
  const start = end - 366 * DAY;
  let now = start;
  const store = openStore(file, { jobs: false, now: () => now, batchSize: 1e9 });
  const site0 = makeFleet(4).filter((g) => g.target === 0);
  const gens = [
    ...site0.filter((g) => g.metric.includes('bytes_total')).slice(0, 3),
    ...site0.filter((g) => g.metric.includes('rtt')),
  ];
  for (let day = start; day < end; day += DAY) {
    const batch: Sample[] = [];
    for (let m = day; m < day + DAY; m += MIN) batch.push(...pollRound(gens, m, r));
    store.write(batch);
    store.flush();
  }
  now = end;
  store.maintain(end + H);
  store.retention(end);
  const counter = store.findSeries('netmon_interface_receive_bytes_total')[0]!.id;
  const gauge = store.findSeries('netmon_ping_rtt_seconds')[0]!.id;
  const time = (fn: () => unknown, n = 21): number => {
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      fn();
      xs.push(performance.now() - t0);
    }
    return +median(xs).toFixed(3);
  };
  const res = {
    query_30d_ms: time(() => store.rateRange(counter, end - 30 * DAY, end, 1000)),
    query_30d_gauge_ms: time(() => store.range(gauge, end - 30 * DAY, end, 1000)),
    query_30d_raw_ms: time(() => store.range(gauge, end - 30 * DAY, end, 30 * 1440)),
    query_1y_ms: time(() => store.rateRange(counter, end - 365 * DAY, end, 1000)),
    p95_month_ms: time(() => store.percentileRate(counter, end - 30 * DAY, end, 95)),
    resolution_30d: store.rateRange(counter, end - 30 * DAY, end, 1000).resolution,
    resolution_1y: store.rateRange(counter, end - 365 * DAY, end, 1000).resolution,
  };
  store.close();
  return res;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netmon-bench-store-'));
try {
  const t0 = performance.now();
  const load0 = os.loadavg();
  const week = weekPhase(dir);
  console.error(JSON.stringify(week));
  const fleet = fleetPhase(dir);
  console.error(JSON.stringify(fleet));
  const q = queryPhase(dir);
  const load_average = { start: load0.map((x) => +x.toFixed(2)), end: os.loadavg().map((x) => +x.toFixed(2)) };
  console.log(JSON.stringify({ bench: 'store', ...week, fleet_6h: fleet, ...q, load_average, bench_seconds: +((performance.now() - t0) / 1000).toFixed(1) }));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
