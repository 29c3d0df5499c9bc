/** Helpers for the alerting tests: configs, probe results as the scheduler and pipeline make them, and a real HTTP receiver on loopback that records what arrives. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { LoadedConfig } from '../../src/config/model.js';
import { alerting as alertingSchema } from '../../src/config/schema.js';
import { Pipeline } from '../../src/pipeline.js';
import type { ProbeResult } from '../../src/scheduler.js';
import type { Sample, Target } from '../../src/types.js';
import { ProbeError } from '../../src/types.js';
import { testSpec } from '../kit/specs.js';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'netmon-alerts-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A minimal LoadedConfig carrying an `alerting` block given as it would be written in YAML. */
export function configWith(alerting: unknown, dir: string): LoadedConfig {
  return {
    file: join(dir, 'netmon.yaml'),
    files: [],
    server: { listen_address: '127.0.0.1', port: 9300, language: 'en', timezone: 'Asia/Ho_Chi_Minh' },
    storage: { path: join(dir, 'netmon.db'), retention: { raw: 1, rollup_5m: 1, rollup_1h: 1 } },
    scheduler: { max_concurrency: 4 },
    defaults: { snmp: { interval: 60000, timeout: 2000, retries: 1, max_repetitions: 25 }, ping: { interval: 60000, count: 10, timeout: 1000 }, host: { interval: 30000 } },
    simulate: { enabled: false, seed: 1, speed: 1 },
    credentials: new Map(),
    sites: [{ id: 'so-noi-vu', name: 'Sở Nội vụ', group: 'provincial' }],
    uplinks: [{ name: 'international', display_name: 'Internet quốc tế 2 Mbps', target: 'dc-core', interface: 'Gi0/2', capacity: 2e6, warn_utilization: 0.9 }],
    targets: [],
    alerting: alertingSchema.parse(alerting),
  };
}

export function target(name: string, site = 'so-noi-vu', labels: Record<string, string> = {}): Target {
  return { name, address: '127.0.0.1', site, role: 'switch', labels, probes: [] };
}

type ProbeSample = Omit<Sample, 'ts' | 'type'>;
const DERIVED = /^netmon_(target|site)_state/;

/**
 * A probe run as the real scheduler reports it (samples, or an error and no samples: a probe that throws
 * returns none), passed through the real pipeline, which adds what it adds to every result (the health
 * samples `netmon_probe_success` & co., and with the issue-15 pipeline the target's labels). The alert
 * engine only ever sees results of this shape, so these are the only ones the tests build.
 */
function published(t: Target, kind: ProbeResult['kind'], ts: number, samples: ProbeSample[], error: ProbeError | undefined, intervalMs: number): ProbeResult {
  if (samples.some((s) => s.metric.startsWith('netmon_probe_'))) throw new Error('test bug: probe health samples are made by the pipeline, from the error');
  const stamp = (list: ProbeSample[]) => list.map((s) => ({ ...s, ts, type: 'gauge' as const }));
  // The status module's samples are a deriver's: added after labelling, with their own complete labels.
  const derived = samples.filter((s) => DERIVED.test(s.metric));
  const raw: ProbeResult = {
    target: t,
    kind,
    spec: testSpec(kind, intervalMs),
    samples: stamp(samples.filter((s) => !DERIVED.test(s.metric))),
    error,
    scheduledAt: ts,
    startedAt: ts,
    durationMs: 0,
  };
  let out: ProbeResult | undefined;
  const pipeline = new Pipeline((_name, err) => {
    throw err;
  });
  pipeline.derive(() => stamp(derived));
  pipeline.subscribe('test', (r) => (out = r));
  pipeline.publish(raw);
  return out!;
}

/** A successful run: `samples` are what the probe returned, plus what derivers (uplinks, status) added. */
export function ok(t: Target, kind: ProbeResult['kind'], ts: number, samples: ProbeSample[], intervalMs = 60_000): ProbeResult {
  return published(t, kind, ts, samples, undefined, intervalMs);
}

/** A failed run: no probe samples; `derived` are what derivers (the status module) added to it. */
export function failed(t: Target, kind: ProbeResult['kind'], ts: number, error: ProbeError, derived: ProbeSample[] = [], intervalMs = 60_000): ProbeResult {
  return published(t, kind, ts, derived, error, intervalMs);
}

/**
 * The status module's samples for a target (src/status/, CONTRACT.md): its state (0 down, 1 degraded, 2 up)
 * and one reason_info per active reason, labelled with the target's labels as the contract says.
 */
export function targetState(t: Target, state: 0 | 1 | 2, reasons: string[] = []): ProbeSample[] {
  const labels = { target: t.name, site: t.site, ...t.labels };
  return [
    { metric: 'netmon_target_state', labels, value: state },
    ...reasons.map((reason) => ({ metric: 'netmon_target_state_reason_info', labels: { ...labels, reason }, value: 1 })),
  ];
}

export { ProbeError };

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  at: number;
}

export interface TestReceiver {
  url: string;
  port: number;
  received: Received[];
  /** Answer with this status (200 when healthy); 'hang' never answers. */
  mode: number | 'hang';
  close(): Promise<void>;
  waitFor(pred: (r: Received[]) => boolean, timeoutMs?: number): Promise<void>;
}

export async function startReceiver(port = 0): Promise<TestReceiver> {
  const received: Received[] = [];
  const hanging = new Set<import('node:http').ServerResponse>();
  const rx: TestReceiver = {
    url: '',
    port: 0,
    received,
    mode: 200,
    close: async () => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    waitFor: async (pred, timeoutMs = 5000) => {
      const end = Date.now() + timeoutMs;
      while (!pred(received)) {
        if (Date.now() > end) throw new Error(`receiver: condition not met in ${timeoutMs} ms; got ${JSON.stringify(received.map((r) => r.body)).slice(0, 2000)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (rx.mode === 'hang') {
        hanging.add(res);
        return;
      }
      if (rx.mode === 200) received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: JSON.parse(body || 'null'), at: Date.now() });
      res.writeHead(rx.mode, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  rx.port = (server.address() as AddressInfo).port;
  rx.url = `http://127.0.0.1:${rx.port}`;
  return rx;
}

/** Alerts of all webhook payloads received, flattened. */
export function webhookAlerts(rs: Received[]): { status: string; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string }[] {
  return rs.flatMap((r) => (r.body as { alerts?: never[] }).alerts ?? []);
}

export function amAlerts(rs: Received[]): { labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; generatorURL: string }[] {
  return rs.flatMap((r) => (Array.isArray(r.body) ? r.body : []));
}
