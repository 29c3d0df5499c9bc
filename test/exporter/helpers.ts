/** Helpers of the exporter tests: synthetic probe results, promtool, a temp copy of the shipped config. */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { ProbeResult } from '../../src/scheduler.js';
import { ProbeError, type Sample, type Target } from '../../src/types.js';
import { ROOT } from '../../src/paths.js';
import { testSpec } from '../kit/specs.js';

export function target(name: string, site = 'Sở Tài chính'): Target {
  return { name, address: '127.0.0.1', site, role: 'switch', labels: {}, probes: [] };
}

/** A result as the scheduler makes it; the spec's options are the kind's defaults (the exporter does not read them). */
export function result(t: Target, kind: 'snmp' | 'ping' | 'host', samples: Sample[], opts: { error?: ProbeError; intervalMs?: number; timeoutMs?: number; at?: number } = {}): ProbeResult {
  const at = opts.at ?? Date.now();
  return {
    target: t,
    kind,
    spec: testSpec(kind, opts.intervalMs, opts.timeoutMs),
    samples,
    error: opts.error,
    scheduledAt: at,
    startedAt: at,
    durationMs: 5,
  };
}

export function sample(metric: string, labels: Record<string, string>, value: number, type: 'counter' | 'gauge' = 'gauge', help = `${metric} help.`): Sample {
  return { metric, labels, value, ts: Date.now(), type, help };
}

/** `promtool check metrics` on a text: its exit code and everything it printed. */
export function promtoolCheckMetrics(text: string | Buffer): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

export function promtool(args: string[], cwd?: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', timeout: 60_000, cwd });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** A UDP port free on loopback right now. */
export async function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

export const SHIPPED_CONFIG = join(ROOT, 'config', 'netmon.yaml');

/**
 * A temp copy of config/netmon.yaml and its targets/ includes: storage in the temp dir, and shorter
 * intervals (dc-core `dcCoreInterval`, everything else `interval`) so tests finish quickly.
 */
export function tempShippedConfig(opts: { dcCoreInterval: string; interval: string; snmpPort: number }): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'netmon-exporter-'));
  cpSync(join(ROOT, 'config', 'targets'), join(dir, 'targets'), { recursive: true });
  // The simulator's agents listen on each target's SNMP port: a port of our own, so that another test
  // (or a developer's netmon) running the simulator on the shipped port does not collide with us.
  const SNMP_PORT = /\bport: 1161\b/g;
  let replaced = 0;
  for (const f of readdirSync(join(dir, 'targets'))) {
    const path = join(dir, 'targets', f);
    const text = readFileSync(path, 'utf8');
    replaced += text.match(SNMP_PORT)?.length ?? 0;
    writeFileSync(path, text.replace(SNMP_PORT, `port: ${opts.snmpPort}`));
  }
  const main = readFileSync(SHIPPED_CONFIG, 'utf8');
  replaced += main.match(SNMP_PORT)?.length ?? 0;
  if (replaced === 0) throw new Error('tempShippedConfig: no "port: 1161" in the shipped config any more; update this helper');
  const doc = parseDocument(main.replace(SNMP_PORT, `port: ${opts.snmpPort}`));
  doc.setIn(['storage', 'path'], join(dir, 'data', 'netmon.db'));
  // the flow collector's UDP ports: ours too
  if (doc.hasIn(['flows'])) for (const [k, n] of [['netflow_port', 1], ['sflow_port', 2]] as const) doc.setIn(['flows', k], opts.snmpPort + n);
  for (const kind of ['snmp', 'ping']) if (doc.hasIn(['defaults', kind])) doc.setIn(['defaults', kind, 'interval'], opts.interval);
  const targets = doc.get('targets') as { items: { get(k: string): unknown; setIn(p: unknown[], v: unknown): void }[] } | undefined;
  for (const t of targets?.items ?? []) {
    if (t.get('name') === 'dc-core') t.setIn(['snmp', 'interval'], opts.dcCoreInterval);
  }
  const file = join(dir, 'netmon.yaml');
  writeFileSync(file, doc.toString());
  return { dir, file };
}

export function shippedConfigExists(): boolean {
  return existsSync(SHIPPED_CONFIG) && existsSync(join(ROOT, 'config', 'targets'));
}

/** A real Prometheus server on loopback, scraping `target` (host:port) every second, in a temp dir. */
export async function startPrometheus(scrapeTarget: string): Promise<{ url: string; stop: () => Promise<void>; log: () => string }> {
  const dir = mkdtempSync(join(tmpdir(), 'netmon-prometheus-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: netmon',
      '    static_configs:',
      `      - targets: ['${scrapeTarget}']`,
      '',
    ].join('\n'),
  );
  const child = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${log}`);
    try {
      const r = await fetch(`${url}/-/ready`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready after 20 s: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, stop, log: () => log };
}

export async function promQuery(url: string, query: string, time?: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const u = new URL('/api/v1/query', url);
  u.searchParams.set('query', query);
  if (time !== undefined) u.searchParams.set('time', String(time / 1000));
  const r = await fetch(u);
  const body = (await r.json()) as { status: string; error?: string; data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
  if (body.status !== 'success') throw new Error(`query ${query} failed: ${body.error}`);
  return body.data.result;
}

export { waitFor } from '../kit/wait.js';

export { ProbeError };
