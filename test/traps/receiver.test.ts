/**
 * The trap receiver with real senders: Debian's snmptrap and snmpinform (v1, v2c, v3 authPriv) on
 * loopback. Checks what reaches the pipeline (labelled interface samples, no probe health series), the
 * immediate poll, the trap log (/api/v1/traps answer shape, names decoded), source authentication and
 * the drop counters for garbage, truncated BER, wrong communities/keys and unknown senders.
 */
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import client from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loader.js';
import { Pipeline, type TargetEvent } from '../../src/pipeline.js';
import { TrapService } from '../../src/traps/index.js';
import { requireTool } from '../helpers/requireTool.js';
import { run, until } from './tools.js';

const ok = requireTool({ commands: ['snmptrap', 'snmpinform'] }, 'SNMP trap receiver tests (Debian package snmp)');

const V3 = ['-v3', '-u', 'trapper', '-l', 'authPriv', '-a', 'SHA-256', '-A', 'trapauth123', '-x', 'AES', '-X', 'trappriv123'];
const LINK = (i: number, admin: number, oper: number) => ['1.3.6.1.2.1.2.2.1.1.' + i, 'i', String(i), '1.3.6.1.2.1.2.2.1.7.' + i, 'i', String(admin), '1.3.6.1.2.1.2.2.1.8.' + i, 'i', String(oper)];

describe.runIf(ok)('SNMP trap receiver (snmptrap/snmpinform)', () => {
  let dir: string;
  let svc: TrapService;
  let registry: client.Registry;
  const events: TargetEvent[] = [];
  const polls: string[] = [];
  let dest: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netmon-traps-'));
    const file = join(dir, 'netmon.yaml');
    writeFileSync(
      file,
      `storage: { path: data/netmon.db }
traps: { listen_address: 127.0.0.1, allow: [127.0.0.3] }
credentials:
  v2: { version: 2c, community: public }
  v1: { version: 1, community: pub-one }
  v3: { version: 3, username: trapper, security_level: authPriv, auth_protocol: sha256, auth_key: trapauth123, priv_protocol: aes, priv_key: trappriv123 }
sites: [{ id: s1, name: Site 1, group: district }]
targets:
  - { name: sw1, address: 127.0.0.1, site: s1, role: switch, labels: { rack: r7 }, snmp: { credential: v2, port: 1 } }
`,
    );
    const config = loadConfig(file);
    const pipeline = new Pipeline();
    pipeline.subscribeEvents('test', (e) => events.push(e));
    registry = new client.Registry();
    svc = await TrapService.start({
      config: { ...config, traps: config.traps! },
      pipeline,
      // The poller knows ifIndex 2 as eth1 (what the live state would answer).
      interfaceLabels: (t, metric, ifIndex) => (ifIndex === '2' && metric === 'netmon_interface_oper_up' ? { if_index: '2', if_name: 'eth1', target: t.name, site: t.site, rack: 'r7' } : undefined),
      pollNow: (name) => Promise.resolve(void polls.push(name)),
      registry,
      log: () => undefined,
      port: 0,
      dbPath: join(dir, 'traps.db'),
    });
    dest = `udp:127.0.0.1:${svc.port}`;
  });
  afterAll(async () => {
    await svc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const metric = async (line: RegExp) => {
    const m = line.exec(await registry.metrics());
    return m ? Number(m[1]) : 0;
  };

  it('v2c linkDown: the interface sample reaches the pipeline within a second, labelled, without health series; a poll is asked for', async () => {
    const sent = Date.now();
    const r = await run('snmptrap', ['-v2c', '-c', 'public', dest, '', '1.3.6.1.6.3.1.1.5.3', ...LINK(2, 1, 2)]);
    expect(r.code, r.out).toBe(0);
    const e = await until(() => events.find((x) => x.samples.some((s) => s.value === 0)), 1000, 'the linkDown event');
    expect(Date.now() - sent).toBeLessThan(1000);
    expect(e.source).toBe('snmp_trap');
    const oper = e.samples.find((s) => s.metric === 'netmon_interface_oper_up')!;
    expect(oper.value).toBe(0);
    expect(oper.labels).toEqual({ if_index: '2', if_name: 'eth1', target: 'sw1', site: 's1', site_group: 'district', rack: 'r7' });
    expect(e.samples.find((s) => s.metric === 'netmon_interface_admin_up')?.value).toBe(1);
    expect(e.samples.filter((s) => s.metric.startsWith('netmon_probe_'))).toEqual([]);
    await until(() => polls.includes('sw1'), 1000, 'the immediate poll');

    const { traps } = svc.query({ target: 'sw1', trap: 'linkDown' });
    expect(traps).toHaveLength(1);
    expect(traps[0]).toMatchObject({ source: '127.0.0.1', target: 'sw1', site: 's1', version: '2c', pdu: 'trap', trap_oid: '1.3.6.1.6.3.1.1.5.3', trap_name: 'linkDown', user: null, if_index: '2', if_name: 'eth1' });
    expect(traps[0]!.varbinds.map((v) => [v.name, v.value])).toEqual([
      ['ifIndex.2', 2],
      ['ifAdminStatus.2', 1],
      ['ifOperStatus.2', 2],
    ]);
    expect(await metric(/netmon_snmp_traps_received_total\{target="sw1",trap="linkDown"\} (\d+)/)).toBe(1);
  });

  it('v1 linkUp (generic trap 3) is the same linkUp as v2c (RFC 3584)', async () => {
    const before = events.length;
    const r = await run('snmptrap', ['-v1', '-c', 'pub-one', dest, '1.3.6.1.4.1.8072.3.2.10', '127.0.0.1', '3', '0', '', ...LINK(2, 1, 1)]);
    expect(r.code, r.out).toBe(0);
    const e = await until(() => events.slice(before).find((x) => x.samples.length), 2000, 'the linkUp event');
    expect(e.samples.find((s) => s.metric === 'netmon_interface_oper_up')?.value).toBe(1);
    const t = svc.query({ trap: 'linkUp' }).traps[0]!;
    expect(t).toMatchObject({ version: '1', trap_oid: '1.3.6.1.6.3.1.1.5.4', trap_name: 'linkUp' });
  });

  it('v3 authPriv trap (coldStart) and v2c/v3 informs are accepted, acknowledged and stored', async () => {
    polls.length = 0;
    const trap = await run('snmptrap', [...V3, '-e', '0x80001f8880aabbccdd', dest, '', '1.3.6.1.6.3.1.1.5.1']);
    expect(trap.code, trap.out).toBe(0);
    await until(() => svc.query({ trap: 'coldStart' }).traps.length === 1, 2000, 'the v3 coldStart');
    expect(svc.query({ trap: 'coldStart' }).traps[0]).toMatchObject({ version: '3', user: 'trapper', target: 'sw1' });
    await until(() => polls.includes('sw1'), 1000, 'the poll after coldStart');

    // snmpinform exits 0 only once the receiver acknowledged the inform (its own retries time out otherwise).
    const inf3 = await run('snmpinform', [...V3, '-t', '2', '-r', '1', dest, '', '1.3.6.1.6.3.1.1.5.2']);
    expect(inf3.code, inf3.out).toBe(0);
    const inf2 = await run('snmpinform', ['-v2c', '-c', 'public', '-t', '2', '-r', '1', dest, '', '1.3.6.1.4.1.99999.0.7', '1.3.6.1.4.1.99999.1.1.0', 's', 'hello']);
    expect(inf2.code, inf2.out).toBe(0);
    const warm = svc.query({ trap: 'warmStart' }).traps[0]!;
    expect(warm).toMatchObject({ version: '3', pdu: 'inform', user: 'trapper' });
    // An enterprise trap nobody names is kept, numeric.
    const unknown = svc.query({ trap: '1.3.6.1.4.1.99999.0.7' }).traps[0]!;
    expect(unknown).toMatchObject({ version: '2c', pdu: 'inform', trap_name: null });
    expect(unknown.varbinds).toEqual([{ oid: '1.3.6.1.4.1.99999.1.1.0', name: null, type: 'OctetString', value: 'hello' }]);
    expect(await metric(/netmon_snmp_traps_received_total\{target="sw1",trap="unknown"\} (\d+)/)).toBe(1);
  });

  it('drops wrong communities and keys, unknown senders, garbage and truncated BER, and keeps receiving', async () => {
    const stored = svc.query({ limit: 1000 }).traps.length;
    const drops = (reason: string) => metric(new RegExp(`netmon_snmp_traps_dropped_total\\{reason="${reason}"\\} (\\d+)`));
    expect((await run('snmptrap', ['-v2c', '-c', 'wrong', dest, '', '1.3.6.1.6.3.1.1.5.1'])).code).toBe(0);
    const badKey = V3.map((x) => (x === 'trapauth123' ? 'wrongauth123' : x));
    expect((await run('snmptrap', [...badKey, '-e', '0x80001f8880aabbccdd', dest, '', '1.3.6.1.6.3.1.1.5.1'])).code).toBe(0);
    await until(async () => (await drops('unauthenticated')) === 2, 2000, 'two unauthenticated drops');

    // Right community, wrong source; then a source from traps.allow, which is stored without a target.
    expect((await run('snmptrap', ['--clientaddr=127.0.0.2', '-v2c', '-c', 'public', dest, '', '1.3.6.1.6.3.1.1.5.1'])).code).toBe(0);
    await until(async () => (await drops('unknown_source')) === 1, 2000, 'an unknown_source drop');
    expect((await run('snmptrap', ['--clientaddr=127.0.0.3', '-v2c', '-c', 'public', dest, '', '1.3.6.1.6.3.1.1.5.1'])).code).toBe(0);
    await until(() => svc.query({ limit: 1000 }).traps.some((t) => t.source === '127.0.0.3' && t.target === null), 2000, 'the allowed sender');

    const sock = dgram.createSocket('udp4');
    const send = (b: Buffer) => new Promise<void>((res, rej) => sock.send(b, svc.port, '127.0.0.1', (e) => (e ? rej(e) : res())));
    for (let i = 0; i < 20; i++) await send(randomBytes(1 + Math.floor(Math.random() * 200)));
    // A v2c trap's header, cut short: SEQUENCE, version 1, community "public", then nothing of the PDU it announces.
    await send(Buffer.from('3082003a020101040670756275c6963a78', 'hex').subarray(0, 14));
    await send(Buffer.from('302c020101040670756' + '26c6963a71f', 'hex'));
    await until(async () => (await drops('malformed')) === 22, 3000, '22 malformed drops');
    sock.close();

    expect(svc.query({ limit: 1000 }).traps.length).toBe(stored + 1);
    expect((await run('snmptrap', ['-v2c', '-c', 'public', dest, '', '1.3.6.1.6.3.1.1.5.5'])).code).toBe(0);
    await until(() => svc.query({ trap: 'authenticationFailure' }).traps.length === 1, 2000, 'a trap after the garbage');
  });
});
