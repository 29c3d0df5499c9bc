/**
 * The real thing: Debian snmpd in a network namespace, its Event MIB monitoring ifOperStatus and sending
 * linkDown to netmon (trap2sink). Setting a veth inside the namespace down must show the interface down on
 * /api/v1 within 2 s, long before the next poll (60 s interval).
 *
 * `linkUpDownNotifications yes` is, per snmpd.conf(5), exactly the notificationEvent/monitor pair below
 * with `-r 60` and MIB names; written out here with numeric OIDs (Debian ships no MIB files) and `-r 1`, so
 * snmpd notices the change within a second instead of a minute.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import type { AlertsResponse, InterfaceRow, SiteDetailResponse, TrapsResponse } from '../../src/http/contract.js';
import { startSnmpd, type Snmpd } from '../kit/snmpd.js';
import { sh } from '../kit/snmp-lab.js';
import { requireTool } from '../helpers/requireTool.js';
import { until } from './tools.js';

const ok = requireTool({ root: true, netns: true, commands: ['ip', 'snmpd', 'snmpget'] }, 'snmpd linkDown trap in a network namespace');

const IF = '1.3.6.1.2.1.2.2.1';
const linkConfig = (sink: string) => `
createUser internal
rouser internal noauth
iquerySecName internal
agentSecName internal
trap2sink ${sink} public
notificationEvent linkUpTrap .1.3.6.1.6.3.1.1.5.4 -o .${IF}.1 -o .${IF}.7 -o .${IF}.8
notificationEvent linkDownTrap .1.3.6.1.6.3.1.1.5.3 -o .${IF}.1 -o .${IF}.7 -o .${IF}.8
monitor -r 1 -e linkUpTrap "Generate linkUp" .${IF}.8 != 2
monitor -r 1 -e linkDownTrap "Generate linkDown" .${IF}.8 == 2
`;

describe.runIf(ok)('linkDown from a real snmpd', () => {
  const ns = `netmon-traps-${process.pid}`;
  const host = `nmth${process.pid % 100000}`;
  const net = `10.213.${process.pid % 250}`;
  const trapPort = 20000 + Math.floor(Math.random() * 20000);
  let dir: string;
  let snmpd: Snmpd | undefined;
  let daemon: Daemon | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netmon-linkdown-'));
    // A veth from this namespace to the lab (netmon here, snmpd there), and the pair whose end goes down.
    sh(['ip', 'netns', 'add', ns]);
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    sh(['ip', 'link', 'add', host, 'type', 'veth', 'peer', 'name', 'uplink0', 'netns', ns]);
    sh(['ip', 'addr', 'add', `${net}.1/30`, 'dev', host]);
    sh(['ip', 'link', 'set', host, 'up']);
    sh(['ip', '-n', ns, 'addr', 'add', `${net}.2/30`, 'dev', 'uplink0']);
    sh(['ip', '-n', ns, 'link', 'set', 'uplink0', 'up']);
    sh(['ip', '-n', ns, 'link', 'add', 'va0', 'type', 'veth', 'peer', 'name', 'vb0']);
    sh(['ip', '-n', ns, 'link', 'set', 'va0', 'up']);
    sh(['ip', '-n', ns, 'link', 'set', 'vb0', 'up']);

    const file = join(dir, 'netmon.yaml');
    writeFileSync(
      file,
      `storage: { path: data/netmon.db }
traps: { listen_address: ${net}.1, port: ${trapPort} }
credentials:
  lab: { version: 2c, community: public }
sites: [{ id: lab, name: Lab, group: district }]
alerting:
  rules: [{ name: PortDown, kind: interface_down }]
targets:
  - { name: sw, address: ${net}.2, site: lab, role: switch, snmp: { credential: lab, interval: 60s, timeout: 5s } }
`,
    );
    daemon = await startDaemon({ configFile: file, log: pino({ level: 'silent' }), port: 0 });
    // snmpd's coldStart (sent to the sink as it starts) makes netmon poll it at once: the interfaces are known.
    snmpd = await startSnmpd({ address: `${net}.2`, port: 161, prefix: ['ip', 'netns', 'exec', ns], extraConfig: linkConfig(`${net}.1:${trapPort}`) });
  }, 60_000);

  afterAll(async () => {
    await daemon?.stop();
    await snmpd?.stop();
    spawnSync('ip', ['netns', 'del', ns]);
    spawnSync('ip', ['link', 'del', host]);
    rmSync(dir, { recursive: true, force: true });
  });

  const rowOf = async (name: string): Promise<InterfaceRow | undefined> => {
    const r = await fetch(`${daemon!.url}api/v1/sites/lab`);
    if (r.status !== 200) return undefined;
    const site = (await r.json()) as SiteDetailResponse;
    return site.targets.find((t) => t.name === 'sw')?.interfaces.find((i) => i.if_name === name);
  };

  it('shows the interface down within 2 s of `ip link set down`, before the next poll', async () => {
    const up = await until(async () => (await rowOf('va0'))?.oper_up === true && (await rowOf('va0')), 15_000, 'va0 up after the coldStart poll');
    const coldStarts = (await (await fetch(`${daemon!.url}api/v1/traps?trap=coldStart`)).json()) as TrapsResponse;
    expect(coldStarts.traps[0]).toMatchObject({ target: 'sw', version: '2c' });

    const downAt = Date.now();
    sh(['ip', '-n', ns, 'link', 'set', 'va0', 'down']);
    await until(async () => (await rowOf('va0'))?.oper_up === false, 2000, 'va0 down on /api/v1/sites/lab').catch(async (err: Error) => {
      const all = await (await fetch(`${daemon!.url}api/v1/traps`)).text();
      throw new Error(`${err.message}; traps received: ${all.slice(0, 1500)}; snmpd said: ${snmpd!.log().slice(-1500)}`);
    });
    const took = Date.now() - downAt;
    expect(took).toBeLessThan(2000);
    // The interface_down rule fires too, without waiting for a scheduled poll: for vb0, the peer, which lost
    // its link while administratively up (va0 was set down by hand: admin down, no alert).
    const alerts = () => fetch(`${daemon!.url}api/v1/alerts`).then(async (r) => ((await r.json()) as AlertsResponse).alerts.filter((a) => a.labels.alertname === 'PortDown'));
    await until(
      async () => (await alerts()).some((a) => a.labels.if_name === 'vb0' && a.state === 'firing'),
      2000 - took,
      'PortDown firing',
    ).catch(async (err: Error) => {
      const alerts = await (await fetch(`${daemon!.url}api/v1/alerts`)).text();
      const traps = await (await fetch(`${daemon!.url}api/v1/traps?trap=linkDown`)).text();
      throw new Error(`${err.message}: ${alerts.slice(0, 800)} ${traps.slice(0, 1500)}`);
    });

    expect((await alerts()).filter((a) => a.labels.if_name === 'va0')).toEqual([]);
    const traps = (await (await fetch(`${daemon!.url}api/v1/traps?target=sw&trap=linkDown`)).json()) as TrapsResponse;
    expect(traps.traps.find((t) => t.if_name === 'va0')).toMatchObject({ target: 'sw', trap_name: 'linkDown', if_index: up.if_index, if_name: 'va0' });
    expect(traps.traps.find((t) => t.if_name === 'va0')!.varbinds.find((v) => v.name === `ifOperStatus.${up.if_index}`)?.value).toBe(2);
    const metrics = await (await fetch(`${daemon!.url}metrics`)).text();
    expect(metrics).toMatch(/netmon_snmp_traps_received_total\{target="sw",trap="linkDown"\} [1-9]/);
    console.log(`linkDown: interface down on /api/v1 ${took} ms after ip link set down`);
  }, 45_000);
});
