/** Shared helpers for the simulator tests: a small config and promise-based SNMP client calls. */
import type { LoadedConfig } from '../../src/config/model.js';
import type { SnmpCredentialConfig, TargetConfig } from '../../src/config/schema.js';
import { usmUser } from '../../src/simulator/agent.js';
import { snmp, type SessionLike, type Varbind } from '../../src/simulator/net-snmp.js';

/** A random high UDP port, so parallel test files do not collide. */
export function randomPort(): number {
  return 20000 + Math.floor(Math.random() * 40000);
}

/** A loopback address unlikely to be used by another test file. */
export function randomLoopbackBase(): string {
  return `127.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 250)}`;
}

export const COMMUNITY = 'sim-test';
export const V3: Extract<SnmpCredentialConfig, { version: '3' }> = {
  version: '3',
  username: 'netmon',
  security_level: 'authPriv',
  auth_protocol: 'sha256',
  auth_key: 'auth-key-for-tests',
  priv_protocol: 'aes',
  priv_key: 'priv-key-for-tests',
};

export interface TestNet {
  config: LoadedConfig;
  port: number;
  addr: { core: string; fibre: string; fibre2: string; server: string };
}

/** dc-core (v3) with the two uplinks, two site edge switches (v2c) and one server. */
export function smallConfig(opts: { seed?: number; speed?: number } = {}): TestNet {
  const port = randomPort();
  const base = randomLoopbackBase();
  const addr = { core: `${base}.1`, fibre: `${base}.2`, fibre2: `${base}.3`, server: `${base}.4` };
  const snmpBlock = (credential: string) => ({
    credential,
    port,
    profiles: [],
    replace_default_profiles: false,
  });
  const targets: TargetConfig[] = [
    { name: 'dc-core', address: addr.core, site: 'ttdl', role: 'uplink', labels: {}, snmp: snmpBlock('sim-v3') },
    { name: 'sw-so-noi-vu', address: addr.fibre, site: 'so-noi-vu', role: 'fibre', labels: {}, snmp: snmpBlock('sim') },
    { name: 'sw-phuong-vy-da', address: addr.fibre2, site: 'phuong-vy-da', role: 'fibre', labels: {}, snmp: snmpBlock('sim') },
    { name: 'srv-portal-web', address: addr.server, site: 'ttdl', role: 'server', labels: {}, snmp: snmpBlock('sim') },
  ];
  const config: LoadedConfig = {
    file: '/tmp/netmon-test.yaml',
    files: [],
    server: { listen_address: '127.0.0.1', port: 9300, language: 'vi', timezone: 'Asia/Ho_Chi_Minh' },
    storage: { path: '/tmp/netmon-test.db', retention: { raw: 1, rollup_5m: 1, rollup_1h: 1 } },
    scheduler: { max_concurrency: 4 },
    defaults: {
      snmp: { interval: 60000, timeout: 2000, retries: 1, max_repetitions: 25 },
      ping: { interval: 60000, count: 10, timeout: 1000 },
      host: { interval: 30000 },
    },
    simulate: { enabled: true, seed: opts.seed ?? 42, speed: opts.speed ?? 1 },
    credentials: new Map<string, SnmpCredentialConfig>([
      ['sim', { version: '2c', community: COMMUNITY }],
      ['sim-v3', V3],
    ]),
    sites: [
      { id: 'ttdl', name: 'Trung tâm Thông tin Dữ liệu điện tử', group: 'datacentre' },
      { id: 'so-noi-vu', name: 'Sở Nội vụ', group: 'provincial' },
      { id: 'phuong-vy-da', name: 'Phường Vỹ Dạ', group: 'ward' },
    ],
    uplinks: [
      { name: 'domestic', display_name: 'Internet trong nước 100 Mbps', target: 'dc-core', interface: 'Gi0/1', capacity: 100e6, warn_utilization: 0.8 },
      { name: 'international', display_name: 'Internet quốc tế 2 Mbps', target: 'dc-core', interface: 'Gi0/2', capacity: 2e6, warn_utilization: 0.8 },
    ],
    targets,
  };
  return { config, port, addr };
}

export function v2Session(address: string, port: number, community = COMMUNITY, timeout = 1000): SessionLike {
  const s = snmp.createSession(address, community, { port, version: snmp.Version2c, timeout, retries: 0 });
  s.on('error', () => {});
  return s;
}

export function v3Session(address: string, port: number, cred = V3, timeout = 1000): SessionLike {
  const s = snmp.createV3Session(address, usmUser(cred), { port, version: snmp.Version3, timeout, retries: 0 });
  s.on('error', () => {});
  return s;
}

export function get(s: SessionLike, oids: string[]): Promise<Varbind[]> {
  return new Promise((resolve, reject) => s.get(oids, (err, vbs) => (err ? reject(err) : resolve(vbs))));
}

export function walk(s: SessionLike, oid: string, maxRepetitions = 20): Promise<Varbind[]> {
  const out: Varbind[] = [];
  return new Promise((resolve, reject) =>
    s.subtree(
      oid,
      maxRepetitions,
      (vbs) => {
        out.push(...vbs);
      },
      (err) => (err ? reject(err) : resolve(out)),
    ),
  );
}

/** Counter64 arrives as a Buffer of 1-9 bytes. */
export function c64(v: unknown): bigint {
  if (Buffer.isBuffer(v)) return v.length === 0 ? 0n : BigInt('0x' + v.toString('hex'));
  return BigInt(v as number);
}

export function str(v: unknown): string {
  return Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

/** Index by the last OID component: `{ '<suffix>': value }`. */
export function bySuffix(vbs: Varbind[], prefix: string): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const vb of vbs) if (vb.oid.startsWith(prefix + '.')) m.set(vb.oid.slice(prefix.length + 1), vb.value);
  return m;
}

/** Decode the fibre port's Rx power from whichever vendor table the device serves. */
export async function readRxDbm(
  s: SessionLike,
  vendor: string,
  ifIndex: number,
  huaweiUnit: string,
): Promise<number> {
  const one = async (oid: string) => (await get(s, [oid]))[0]!.value as number;
  switch (vendor) {
    case 'cisco':
      return (await one('1.3.6.1.4.1.9.9.91.1.1.1.1.4.1003')) / 10;
    case 'juniper':
      return (await one(`1.3.6.1.4.1.2636.3.60.1.1.1.1.5.${ifIndex}`)) / 100;
    case 'huawei': {
      const v = await one('1.3.6.1.4.1.2011.5.25.31.1.1.3.1.8.1001');
      return huaweiUnit === 'uW' ? 10 * Math.log10(v / 1000) : v / 100;
    }
    case 'h3c':
      return (await one(`1.3.6.1.4.1.25506.2.70.1.1.1.12.${ifIndex}`)) / 100;
    default: {
      const tenthUw = await one('1.3.6.1.2.1.99.1.1.1.4.1003');
      return 10 * Math.log10(tenthUw / 10 / 1000);
    }
  }
}
