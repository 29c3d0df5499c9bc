/**
 * DNS rebinding in a real Chromium (issue 24, item 5). `attacker.test` resolves to 127.0.0.1
 * (`--host-resolver-rules`), where the attacker's server serves its page and then, as if the name had
 * been re-pointed at netmon, hands every later connection to netmon unchanged (a plain TCP relay: netmon
 * sees exactly what it would after a real rebinding, `Host: attacker.test:PORT`, Origin and
 * Sec-Fetch-Site same-origin). The page's read of /api/v1/overview, its silence and its /-/reload must all
 * be refused; the same requests from a page of netmon itself (http://127.0.0.1:PORT) must work.
 * Default config: no auth.
 */
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { requireTool } from '../helpers/requireTool.js';
import { minimalConfig, tempDir, type TempDir } from '../security/helpers.js';
import { launchChromium } from './harness.js';

const ok = requireTool({ commands: ['chromium'] }, 'DNS rebinding browser test (Debian package "chromium")');

const EVIL = `<!doctype html><title>cat pictures</title><script>
window.attack = async () => {
  const out = {};
  try { const r = await fetch('/api/v1/overview'); out.overview = r.status; out.overviewBody = await r.text(); } catch (e) { out.overview = String(e); }
  try {
    const r = await fetch('/api/v1/alerts/silences', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ matchers: { alertname: 'SiteUnreachable' }, duration: '300d', created_by: 'attacker', comment: 'gone' }) });
    out.silence = r.status;
  } catch (e) { out.silence = String(e); }
  try { const r = await fetch('/-/reload', { method: 'POST' }); out.reload = r.status; } catch (e) { out.reload = String(e); }
  return out;
};
</script>`;

interface Attack {
  overview: number | string;
  overviewBody?: string;
  silence: number | string;
  reload: number | string;
}

/** The attacker's server: its page on GET /evil.html, every other connection relayed to netmon as it is. */
function rebindingServer(netmonPort: number): Promise<net.Server> {
  const server = net.createServer((socket) => {
    socket.once('data', (first) => {
      if (first.toString('latin1').startsWith('GET /evil.html ')) {
        socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(EVIL)}\r\nConnection: close\r\n\r\n${EVIL}`);
        return;
      }
      const upstream = net.connect(netmonPort, '127.0.0.1', () => {
        upstream.write(first);
        socket.pipe(upstream).pipe(socket);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe.runIf(ok)('DNS rebinding', () => {
  let tmp: TempDir;
  let daemon: Daemon;
  let attacker: net.Server;
  let browser: Browser;
  let netmonPort: number;
  let attackerPort: number;

  beforeAll(async () => {
    tmp = tempDir();
    writeFileSync(path.join(tmp.dir, 'netmon.yaml'), minimalConfig());
    daemon = await startDaemon({ configFile: path.join(tmp.dir, 'netmon.yaml'), log: pino({ level: 'silent' }), port: 0 });
    netmonPort = Number(new URL(daemon.url).port);
    attacker = await rebindingServer(netmonPort);
    attackerPort = (attacker.address() as net.AddressInfo).port;
    browser = await launchChromium(['--host-resolver-rules=MAP attacker.test 127.0.0.1']);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    attacker?.close();
    await daemon?.stop();
    tmp?.cleanup();
  });

  const silences = async () => ((await (await fetch(`${daemon.url}api/v1/alerts/silences`)).json()) as { silences: { createdBy: string }[] }).silences;

  async function attackFrom(page: Page, url: string): Promise<Attack> {
    await page.goto(url);
    return page.evaluate(() => (globalThis as unknown as { attack: () => Promise<Attack> }).attack());
  }

  it('refuses the rebound page: no read, no silence, no reload', async () => {
    const page = await browser.newPage();
    const r = await attackFrom(page, `http://attacker.test:${attackerPort}/evil.html`);
    expect(r.overview).toBe(421);
    expect(r.overviewBody).toContain('server.allowed_hosts');
    expect(r.overviewBody).not.toContain('version');
    expect(r.silence).toBe(421);
    expect(r.reload).toBe(421);
    expect((await silences()).filter((s) => s.createdBy === 'attacker')).toEqual([]);
    await page.close();
  });

  it('serves the same requests from netmon\'s own origin', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${netmonPort}/-/healthy`);
    // The same script, run in a page of netmon's own origin.
    await page.evaluate(EVIL.replace(/^[\s\S]*<script>|<\/script>$/g, ''));
    const r = await page.evaluate(() => (globalThis as unknown as { attack: () => Promise<Attack> }).attack());
    expect(r.overview).toBe(200);
    expect(JSON.parse(r.overviewBody!)).toHaveProperty('version');
    expect(r.silence).toBe(201);
    expect(r.reload).toBe(200);
    expect((await silences()).filter((s) => s.createdBy === 'attacker')).toHaveLength(1);
    await page.close();
  });
});
