/**
 * The shipped alerting rules (config/prometheus/alerts.yml) on VictoriaMetrics' rule engine, Debian's
 * `vmalert`, beside the promtool checks of test/exporter/promtool.test.ts:
 *
 *   - `vmalert -dryRun` parses every rule and validates its expression and templates (a broken file fails);
 *   - against a real VictoriaMetrics that the compiled daemon remote-writes into, a site whose agent is
 *     silent (a target polled on a closed UDP port, no ping) makes NetmonSiteUnreachable fire, sent to an
 *     Alertmanager-API receiver of this test, for that target only; the site that answers does not fire.
 *
 * The rules' `for:` durations (2-15 min) are shortened to 3 s in a temp copy so the test fits its time
 * budget; the expressions, labels and annotations are the shipped ones. The durations themselves are
 * covered by `promtool test rules alerts.test.yml`. (Run `npm run build` first.)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../src/paths.js';
import { requireTool } from '../helpers/requireTool.js';
import { freePort } from '../exporter/helpers.js';
import { spawnDaemon, type DaemonChild } from '../kit/proc.js';
import { startVictoria, type Victoria } from '../kit/victoria.js';
import { waitFor } from '../kit/wait.js';

const ok = requireTool({ commands: ['victoria-metrics', 'vmalert', 'fping'] }, 'vmalert rule tests (apt install victoria-metrics fping)');
const RULES = join(ROOT, 'config', 'prometheus', 'alerts.yml');

const dir = mkdtempSync(join(tmpdir(), 'netmon-vmalert-'));
let vm: Victoria | undefined;
let daemon: DaemonChild | undefined;
let vmalert: ChildProcess | undefined;
let receiver: http.Server | undefined;

afterAll(async () => {
  if (vmalert && vmalert.exitCode === null && vmalert.signalCode === null) {
    const e = once(vmalert, 'exit');
    vmalert.kill('SIGTERM'); // by PID: the process this file started
    await e;
  }
  await daemon?.stop();
  await vm?.stop();
  receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

function dryRun(file: string): { status: number | null; output: string } {
  const r = spawnSync('vmalert', ['-dryRun', `-rule=${file}`], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A UDP port nothing listens on (bound, read, released): SNMP requests to it get no answer. */
async function closedUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  s.close();
  return port;
}

describe.runIf(ok)('vmalert on config/prometheus/alerts.yml', () => {
  it('-dryRun accepts every shipped rule, and rejects a broken expression', () => {
    const r = dryRun(RULES);
    expect(r.output).not.toMatch(/\bfatal\b|error/i);
    expect(r.status).toBe(0);
    const broken = join(dir, 'broken.yml');
    writeFileSync(broken, readFileSync(RULES, 'utf8').replace('expr: netmon_target_state == 0', 'expr: netmon_target_state == (0'));
    const b = dryRun(broken);
    expect(b.status).not.toBe(0);
    expect(b.output).toContain('NetmonSiteUnreachable');
  });

  it('NetmonSiteUnreachable fires for a silent site from what netmon remote-wrote into VictoriaMetrics', async () => {
    vm = await startVictoria(join(dir, 'vm'), await freePort());
    // The Alertmanager API v2 as vmalert speaks it: POST /api/v2/alerts with a JSON array.
    const notified: { labels: Record<string, string>; annotations: Record<string, string> }[] = [];
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/api/v2/alerts') notified.push(...(JSON.parse(body) as typeof notified));
        res.writeHead(200).end();
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const amPort = (receiver.address() as AddressInfo).port;

    const config = join(dir, 'netmon.yaml');
    writeFileSync(
      config,
      [
        `storage: { path: ${join(dir, 'data', 'netmon.db')} }`,
        'simulate: { enabled: false }',
        'credentials:',
        '  c: { version: "2c", community: public }',
        'sites:',
        '  - { id: so-tai-chinh, name: "Sở Tài chính", group: provincial }',
        '  - { id: xa-a-luoi, name: "Xã A Lưới", group: ward }',
        'targets:',
        // ping answers on loopback: up. The other one has SNMP only, to a port where nothing listens: down.
        '  - { name: sw-so-tai-chinh, address: 127.0.0.1, site: so-tai-chinh, role: switch, ping: { interval: 2s, timeout: 500ms } }',
        `  - { name: sw-a-luoi, address: 127.0.0.1, site: xa-a-luoi, role: switch, snmp: { credential: c, port: ${await closedUdpPort()}, interval: 1s, timeout: 300ms } }`,
        'remote_write:',
        `  - name: vm`,
        `    url: http://127.0.0.1:${vm.port}/api/v1/write`,
        '    queue: { batch_size: 500, flush_interval: 200ms, min_backoff: 200ms, max_backoff: 1s }',
        '',
      ].join('\n'),
    );
    daemon = await spawnDaemon(config);
    const states = async () => {
      const q = encodeURIComponent('netmon_target_state');
      const body = (await (await fetch(`http://127.0.0.1:${vm!.port}/api/v1/query?query=${q}`)).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      return Object.fromEntries(body.data.result.map((r) => [r.metric.target!, r.value[1]]));
    };
    await waitFor('both targets\' states in VictoriaMetrics', async () => {
      const s = await states();
      return s['sw-so-tai-chinh'] === '2' && s['sw-a-luoi'] === '0' ? s : undefined;
    }, 40_000);

    const rules = join(dir, 'alerts.yml');
    writeFileSync(rules, readFileSync(RULES, 'utf8').replace(/^(\s+)for: \d+[smh]$/gm, '$1for: 3s'));
    vmalert = spawn('vmalert', [`-rule=${rules}`, `-datasource.url=http://127.0.0.1:${vm.port}`, `-notifier.url=http://127.0.0.1:${amPort}`, '-evaluationInterval=1s', `-httpListenAddr=127.0.0.1:${await freePort()}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let vmalertLog = '';
    vmalert.stderr!.on('data', (d: Buffer) => (vmalertLog = (vmalertLog + d.toString()).slice(-20_000)));
    const fired = await waitFor('NetmonSiteUnreachable sent to the notifier', () => Promise.resolve(notified.find((a) => a.labels.alertname === 'NetmonSiteUnreachable')), 40_000).catch((err: Error) => {
      throw new Error(`${err.message}\nvmalert:\n${vmalertLog.slice(-3000)}`);
    });
    expect(fired.labels).toMatchObject({ target: 'sw-a-luoi', site: 'xa-a-luoi', severity: 'critical' });
    expect(fired.annotations.summary).toBe('sw-a-luoi unreachable');
    // A few more evaluations: still only the silent site, never the one that answers.
    await waitFor('more notifications', () => Promise.resolve(notified.length >= 3 ? true : undefined), 20_000);
    const unreachable = new Set(notified.filter((a) => a.labels.alertname === 'NetmonSiteUnreachable').map((a) => a.labels.target));
    expect([...unreachable]).toEqual(['sw-a-luoi']);
    expect(vmalertLog).not.toMatch(/\berror\b/);
  }, 120_000);
});
