/** Alerts of a site in one of its maintenance windows are not sent; after the window they are. */
import { afterEach, expect, it } from 'vitest';
import { Alerting } from '../../src/alerts/index.js';
import { configWith, failed, ProbeError, startReceiver, target, tempDir } from '../alerts/helpers.js';

const MIN = 60_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('holds back a site alert during its maintenance window (local time) and sends it after', async () => {
  const hook = await startReceiver();
  cleanups.push(() => hook.close());
  const dir = tempDir();
  // Sunday 15 Nov 2026, 02:30 local (UTC+7): inside the Sunday 02:00-04:00 window of provincial sites.
  let clock = Date.UTC(2026, 10, 14, 19, 30);
  const config = configWith({ rules: [{ name: 'ProbeFailing', kind: 'probe_failing', severity: 'critical' }], receivers: [{ name: 'chat', type: 'webhook', url: hook.url }] }, dir.dir);
  config.maintenance = [{ weekdays: ['sun'], from: '02:00', to: '04:00', groups: ['provincial'] }];
  const a = new Alerting({ config, now: () => clock, tickMs: 0 });
  cleanups.push(dir.cleanup, () => a.close());
  const sw = target('sw-so-noi-vu');
  const down = () => a.accept(failed(sw, 'snmp', clock, new ProbeError('timeout', 'no answer')));
  down();
  a.tick();
  expect(a.alerts()[0]!.state).toBe('firing');
  expect(a.receivers()[0]!.queued).toBe(0);
  clock += 20 * MIN;
  down();
  a.tick();
  expect(a.receivers()[0]!.queued).toBe(0);
  expect(hook.received).toHaveLength(0);
  // 04:00 local: the window is over, the still-firing alert goes out.
  clock = Date.UTC(2026, 10, 14, 21, 0);
  down();
  a.tick();
  await hook.waitFor((r) => r.length === 1);
  expect((hook.received[0]!.body as { status: string }).status).toBe('firing');
});
