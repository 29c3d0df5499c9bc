/**
 * Device shapes: what each simulated agent looks like (ports, vendor, optics, server resources), derived
 * deterministically from the config target, its role and the seed. Pure data; the time-varying values
 * live in state.ts.
 */
import type { LoadedConfig } from '../config/model.js';
import type { SiteConfig, SnmpCredentialConfig, TargetConfig, UplinkConfig } from '../config/schema.js';
import { hash32, randInt, randRange } from './random.js';
import type { FlowProfile } from './traffic.js';

export type Vendor = 'cisco' | 'juniper' | 'huawei' | 'h3c' | 'generic';
export const OPTICAL_VENDORS: readonly Vendor[] = ['cisco', 'juniper', 'huawei', 'h3c', 'generic'];

/** Optical levels of a fibre port (dBm) and its transceiver's alarm/warning thresholds. */
export interface OpticalSpec {
  rxDbm: number;
  txDbm: number;
  /** Huawei models differ: some report hwEntityOpticalRx/TxPower in µW, some in 0.01 dBm. */
  huaweiUnit: 'uW' | 'centi-dBm';
  rx: { highAlarm: number; highWarn: number; lowWarn: number; lowAlarm: number };
  tx: { highAlarm: number; highWarn: number; lowWarn: number; lowAlarm: number };
  /** Scenario: Rx falls ~1 dB per simulated day from the start. */
  dying: boolean;
}

export interface SimPort {
  ifIndex: number;
  ifDescr: string;
  ifName: string;
  ifAlias: string;
  /** IANAifType: 6 ethernetCsmacd, 24 softwareLoopback. */
  ifType: number;
  ifMtu: number;
  speedBps: number;
  mac: Buffer;
  adminUp: boolean;
  operUp: boolean;
  /** Wall ms when the port last came up (before the scenario's flaps). */
  upSinceWall: number;
  /** Traffic received (ifIn*) and sent (ifOut*), or null for an idle port. */
  rx: FlowProfile | null;
  tx: FlowProfile | null;
  /** Counter starting points: HC octets (BigInt, may exceed 2^53 on dc-core) and errors per GB moved. */
  inOctetsOffset: bigint;
  outOctetsOffset: bigint;
  errorsPerGB: number;
  /** The fibre uplink of a site edge switch. */
  fibre: boolean;
  optical?: OpticalSpec;
  /** An SFP slot whose module has no diagnostics (H3C reports 2147483647). */
  sfpNoDiagnostics?: boolean;
  /** Ports carrying a configured uplink, and the uplink's name. */
  uplink?: string;
}

export interface ServerSpec {
  kind: 'web' | 'db' | 'app' | 'gis' | 'mail' | 'storage';
  cpus: number;
  ramKB: number;
  swapKB: number;
  /** Average CPU load (0-1) at full office activity. */
  busy: number;
  disks: { index: number; descr: string; sizeBytes: number; usedFrac: number; growthPerDay: number }[];
}

export interface FlapSchedule {
  /** Simulated ms: one cycle, the down part at its start, and the phase of the first cycle. */
  periodMs: number;
  downMs: number;
  phaseMs: number;
}

export interface SimDevice {
  name: string;
  address: string;
  snmpPort: number;
  site: string;
  siteName: string;
  siteGroup: SiteConfig['group'] | 'unknown';
  role: TargetConfig['role'];
  vendor: Vendor;
  model: string;
  sysDescr: string;
  sysObjectID: string;
  sysContact: string;
  credentialName: string;
  credential: SnmpCredentialConfig;
  /** Wall ms of the agent's "boot" (sysUpTime counts from here). */
  bootWall: number;
  ports: SimPort[];
  server?: ServerSpec;
  /** Scenario: the site's fibre flaps and the agent is unreachable while it is down. */
  flapping?: FlapSchedule;
  /** Modelled round-trip time to the site (ms): the UDP echo service answers after it. */
  rttMs: number;
}

interface VendorShape {
  model: string;
  sysDescr: string;
  sysObjectID: string;
  oui: number[];
  /** ifIndex of the n-th port (0-based) and its descr/name. */
  port(n: number): { ifIndex: number; ifDescr: string; ifName: string };
}

/** Edge-switch shapes by vendor: interface naming and ifIndex numbering as those platforms do it. */
const EDGE: Record<Vendor, VendorShape> = {
  cisco: {
    model: 'WS-C2960X-24TS-L',
    sysDescr: 'Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E9, RELEASE SOFTWARE (fc2)',
    sysObjectID: '1.3.6.1.4.1.9.1.1208',
    oui: [0x00, 0x1b, 0x54],
    port: (n) => ({ ifIndex: 10101 + n, ifDescr: `GigabitEthernet1/0/${n + 1}`, ifName: `Gi1/0/${n + 1}` }),
  },
  juniper: {
    model: 'EX2300-24T',
    sysDescr: 'Juniper Networks, Inc. ex2300-24t Ethernet Switch, kernel JUNOS 21.4R3-S5.4, Build date: 2023-10-12 03:14:58 UTC',
    sysObjectID: '1.3.6.1.4.1.2636.1.1.1.2.132',
    oui: [0x00, 0x05, 0x85],
    port: (n) => ({ ifIndex: 513 + n, ifDescr: `ge-0/0/${n}`, ifName: `ge-0/0/${n}` }),
  },
  huawei: {
    model: 'S5735-L24T4S-A1',
    sysDescr: 'S5735-L24T4S-A1\r\nHuawei Versatile Routing Platform Software\r\nVRP (R) software, Version 5.170 (S5735 V200R022C00SPC500)',
    sysObjectID: '1.3.6.1.4.1.2011.2.23.636',
    oui: [0x00, 0xe0, 0xfc],
    port: (n) => ({ ifIndex: 6 + n, ifDescr: `GigabitEthernet0/0/${n + 1}`, ifName: `GigabitEthernet0/0/${n + 1}` }),
  },
  h3c: {
    model: 'S5130S-28S-EI',
    sysDescr: 'H3C Comware Platform Software, Software Version 7.1.070, Release 6343\r\nH3C S5130S-28S-EI',
    sysObjectID: '1.3.6.1.4.1.25506.1.1803',
    oui: [0x3c, 0x8c, 0x40],
    port: (n) => ({ ifIndex: 1 + n, ifDescr: `GigabitEthernet1/0/${n + 1}`, ifName: `GE1/0/${n + 1}` }),
  },
  generic: {
    model: 'whitebox',
    sysDescr: 'Linux edge-switch 5.10.0-cl-1-amd64 #1 SMP Debian 5.10.179-1+cl5.9.1u1 x86_64',
    sysObjectID: '1.3.6.1.4.1.8072.3.2.10',
    oui: [0x44, 0x38, 0x39],
    port: (n) => ({ ifIndex: 3 + n, ifDescr: `swp${n + 1}`, ifName: `swp${n + 1}` }),
  },
};

const GBPS = 1e9;
const MBPS = 1e6;

function mac(seed: number, oui: number[], key: string): Buffer {
  const h = hash32(seed, 'mac', key);
  return Buffer.from([...oui, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff]);
}

/** A uniformly random 40-bit starting point for a counter (realistic, and makes Counter32 wrap anywhere). */
function counterOffset(seed: number, key: string, high = 0n): bigint {
  return high + (BigInt(hash32(seed, 'off-hi', key) & 0xff) << 32n) + BigInt(hash32(seed, 'off-lo', key));
}

function flow(
  key: string,
  base: number,
  amplitude: number,
  cap: number,
  opts: { noise?: number; curve?: FlowProfile['curve']; packetSize?: number } = {},
): FlowProfile {
  return {
    key,
    base,
    amplitude,
    cap,
    noise: opts.noise ?? 0.12,
    curve: opts.curve ?? 'office',
    packetSize: opts.packetSize ?? 800,
  };
}

function expandIfName(name: string): string {
  const m = /^(Gi|Te|Fa|Tw|Hu|Fo)(\d.*)$/.exec(name);
  const long: Record<string, string> = {
    Gi: 'GigabitEthernet',
    Te: 'TenGigabitEthernet',
    Fa: 'FastEthernet',
    Tw: 'TwoGigabitEthernet',
    Hu: 'HundredGigE',
    Fo: 'FortyGigabitEthernet',
  };
  return m ? long[m[1]!]! + m[2]! : name;
}

interface PortInit {
  ifDescr: string;
  ifName: string;
  ifIndex: number;
  ifAlias: string;
  speedBps: number;
  rx: FlowProfile | null;
  tx: FlowProfile | null;
  adminUp?: boolean;
  operUp?: boolean;
  ifType?: number;
  fibre?: boolean;
  uplink?: string;
}

export interface BuildContext {
  config: LoadedConfig;
  seed: number;
  startWall: number;
}

function makePort(ctx: BuildContext, dev: string, oui: number[], bootWall: number, p: PortInit, hcHigh = 0n): SimPort {
  const seed = ctx.seed;
  const key = `${dev}/${p.ifIndex}`;
  const loopback = p.ifType === 24;
  return {
    ifIndex: p.ifIndex,
    ifDescr: p.ifDescr,
    ifName: p.ifName,
    ifAlias: p.ifAlias,
    ifType: p.ifType ?? 6,
    ifMtu: loopback ? 65536 : 1500,
    speedBps: p.speedBps,
    mac: loopback ? Buffer.alloc(0) : mac(seed, oui, key),
    adminUp: p.adminUp ?? true,
    operUp: p.operUp ?? true,
    upSinceWall: bootWall + randInt(seed, 20, 90, 'linkup', key) * 1000,
    rx: p.rx,
    tx: p.tx,
    inOctetsOffset: counterOffset(seed, key + '/in', hcHigh),
    outOctetsOffset: counterOffset(seed, key + '/out', hcHigh),
    errorsPerGB: randRange(seed, 0, 2, 'err', key),
    fibre: p.fibre ?? false,
    ...(p.uplink ? { uplink: p.uplink } : {}),
  };
}

function uplinkFlows(dev: string, up: UplinkConfig, portSpeed: number): { rx: FlowProfile; tx: FlowProfile } {
  const c = Math.min(up.capacity, portSpeed);
  const key = `${dev}/${up.name}`;
  // A link of a few Mbps (the 2 Mbps international line) is saturated by office-hours demand; a larger one
  // (the 100 Mbps domestic line) runs at 20-70 %. Downloads (received) dominate on the small one, the
  // public services served to citizens (sent) on the large one.
  if (up.capacity < 10 * MBPS) {
    return {
      rx: flow(key + '/rx', 0.2 * c, 1.15 * c, c * 0.98, { noise: 0.1, packetSize: 1200 }),
      tx: flow(key + '/tx', 0.08 * c, 0.55 * c, c * 0.98, { noise: 0.15, packetSize: 400 }),
    };
  }
  return {
    rx: flow(key + '/rx', 0.12 * c, 0.33 * c, c * 0.98, { packetSize: 700 }),
    tx: flow(key + '/tx', 0.2 * c, 0.45 * c, c * 0.98, { noise: 0.1, packetSize: 1100 }),
  };
}

function buildUplinkDevice(ctx: BuildContext, t: TargetConfig, bootWall: number): Pick<SimDevice, 'ports'> {
  const oui = [0x00, 0x1b, 0x54];
  const ups = ctx.config.uplinks.filter((u) => u.target === t.name);
  const ports: SimPort[] = [];
  const hcHigh = 1n << 53n; // dc-core's HC counters start above 2^53: the poller must keep them in BigInt
  const names = ['Gi0/1', 'Gi0/2'];
  // Uplink ports first, named as the config names them (matched by ifName), then the fixed ones.
  const uplinkPorts = ups.map((u, i) => ({ u, name: u.interface || names[i] || `Gi0/${i + 1}` }));
  let ifIndex = 1;
  for (const { u, name } of uplinkPorts) {
    const f = uplinkFlows(t.name, u, GBPS);
    ports.push(
      makePort(ctx, t.name, oui, bootWall, {
        ifIndex: ifIndex++,
        ifDescr: expandIfName(name),
        ifName: name,
        ifAlias: u.display_name ?? u.name,
        speedBps: GBPS,
        rx: f.rx,
        tx: f.tx,
        uplink: u.name,
      }, hcHigh),
    );
  }
  const used = new Set(ports.map((p) => p.ifName));
  const fixed: { name: string; alias: string; speed: number; rx: [number, number]; tx: [number, number] }[] = [
    { name: 'Gi0/3', alias: 'Kết nối WAN-AGG (mạng diện rộng)', speed: GBPS, rx: [6e6, 90e6], tx: [8e6, 160e6] },
    { name: 'Gi0/4', alias: 'Cụm máy chủ TTDL', speed: GBPS, rx: [10e6, 120e6], tx: [8e6, 150e6] },
    { name: 'Te1/1', alias: 'Lưu trữ và sao lưu (10G)', speed: 10 * GBPS, rx: [20e6, 150e6], tx: [15e6, 90e6] },
  ];
  for (const f of fixed) {
    if (used.has(f.name)) continue;
    const key = `${t.name}/${f.name}`;
    ports.push(
      makePort(ctx, t.name, oui, bootWall, {
        ifIndex: ifIndex++,
        ifDescr: expandIfName(f.name),
        ifName: f.name,
        ifAlias: f.alias,
        speedBps: f.speed,
        rx: flow(key + '/rx', f.rx[0], f.rx[1], f.speed),
        tx: flow(key + '/tx', f.tx[0], f.tx[1], f.speed),
      }, hcHigh),
    );
  }
  return { ports };
}

function buildSwitchDevice(ctx: BuildContext, t: TargetConfig, bootWall: number): Pick<SimDevice, 'ports'> {
  const oui = [0x00, 0xe0, 0xfc];
  const spec: [string, string, string, number, [number, number] | null][] = [
    ['10GE1/0/1', '10GE1/0/1', 'Kết nối dc-core', 10 * GBPS, [8e6, 160e6]],
    ['GigabitEthernet1/0/1', 'GE1/0/1', 'Trục quang khối sở, ban, ngành', GBPS, [4e6, 70e6]],
    ['GigabitEthernet1/0/2', 'GE1/0/2', 'Trục quang UBND huyện, thị xã', GBPS, [3e6, 50e6]],
    ['GigabitEthernet1/0/3', 'GE1/0/3', 'Trục quang các phường', GBPS, [2e6, 30e6]],
    ['GigabitEthernet1/0/4', 'GE1/0/4', 'Dự phòng', GBPS, null],
  ];
  const ports = spec.map(([descr, name, alias, speed, r], i) => {
    const key = `${t.name}/${name}`;
    return makePort(ctx, t.name, oui, bootWall, {
      ifIndex: 4 + i,
      ifDescr: descr,
      ifName: name,
      ifAlias: alias,
      speedBps: speed,
      rx: r ? flow(key + '/rx', r[0] * 0.7, r[1] * 0.7, speed) : null,
      tx: r ? flow(key + '/tx', r[0], r[1], speed) : null,
      ...(r ? {} : { adminUp: false, operUp: false }),
    });
  });
  return { ports };
}

/** Standard 1000BASE-LX SFP thresholds (dBm). */
const LX_RX = { highAlarm: -1, highWarn: -3, lowWarn: -18, lowAlarm: -20 };
const LX_TX = { highAlarm: 0, highWarn: -1, lowWarn: -9.5, lowAlarm: -11 };

function buildFibreDevice(
  ctx: BuildContext,
  t: TargetConfig,
  bootWall: number,
  vendor: Vendor,
  group: string,
  dying: boolean,
): Pick<SimDevice, 'ports'> {
  const seed = ctx.seed;
  const shape = EDGE[vendor];
  const peak = { provincial: [10e6, 40e6], district: [5e6, 25e6], ward: [2e6, 10e6] }[group] ?? [3e6, 20e6];
  const demand = randRange(seed, peak[0]!, peak[1]!, 'demand', t.name);
  const ports: SimPort[] = [];
  const names = [0, 1, 2, 3].map((n) => shape.port(n));
  const k = (n: number, dir: string) => `${t.name}/${names[n]!.ifIndex}/${dir}`;
  // Port 1: the fibre uplink (downloads are received from the data centre).
  ports.push(
    makePort(ctx, t.name, shape.oui, bootWall, {
      ...names[0]!,
      ifAlias: 'Uplink quang về TTDL',
      speedBps: GBPS,
      rx: flow(k(0, 'rx'), 0.05 * demand, demand, GBPS, { packetSize: 1000 }),
      tx: flow(k(0, 'tx'), 0.03 * demand, 0.4 * demand, GBPS, { packetSize: 500 }),
      fibre: true,
    }),
  );
  const access: [string, number][] = [
    ['LAN phòng làm việc', 0.65],
    ['Wi-Fi và phòng họp', 0.3],
  ];
  access.forEach(([alias, share], i) => {
    const n = i + 1;
    ports.push(
      makePort(ctx, t.name, shape.oui, bootWall, {
        ...names[n]!,
        ifAlias: alias,
        speedBps: GBPS,
        // what the uplink receives, an access port sends, and vice versa
        rx: flow(k(n, 'rx'), 0.03 * demand * share, 0.4 * demand * share, GBPS, { packetSize: 500 }),
        tx: flow(k(n, 'tx'), 0.05 * demand * share, demand * share, GBPS, { packetSize: 1000 }),
      }),
    );
  });
  // Port 4: unused (admin up, no link). On H3C it is an SFP slot with a module lacking diagnostics.
  const spare = makePort(ctx, t.name, shape.oui, bootWall, {
    ...names[3]!,
    ifAlias: '',
    speedBps: GBPS,
    rx: null,
    tx: null,
    operUp: false,
  });
  if (vendor === 'h3c') spare.sfpNoDiagnostics = true;
  ports.push(spare);

  const uplink = ports[0]!;
  uplink.optical = {
    rxDbm: dying ? -8 : randRange(seed, -14, -6, 'rx', t.name),
    txDbm: randRange(seed, -6, -4.5, 'tx', t.name),
    huaweiUnit: hash32(seed, 'hwunit', t.name) % 2 === 0 ? 'uW' : 'centi-dBm',
    rx: LX_RX,
    tx: LX_TX,
    dying,
  };
  return { ports };
}

const SERVER_KINDS: [RegExp, ServerSpec['kind']][] = [
  [/db|database|csdl/i, 'db'],
  [/stor|backup|nas|luu/i, 'storage'],
  [/mail/i, 'mail'],
  [/gis/i, 'gis'],
  [/portal|web/i, 'web'],
];

function buildServerDevice(ctx: BuildContext, t: TargetConfig, bootWall: number): Pick<SimDevice, 'ports' | 'server'> {
  const seed = ctx.seed;
  const kind = SERVER_KINDS.find(([re]) => re.test(t.name))?.[1] ?? 'app';
  const oui = [0x52, 0x54, 0x00];
  const cpus = [2, 4, 4, 8][hash32(seed, 'cpus', t.name) % 4]!;
  const ramGB = kind === 'db' ? 64 : kind === 'storage' ? 32 : [16, 32][hash32(seed, 'ram', t.name) % 2]!;
  const dataTB = kind === 'storage' ? 24 : kind === 'db' ? 2 : kind === 'gis' ? 4 : 0.5;
  const busy = { web: 0.45, db: 0.55, app: 0.4, gis: 0.35, mail: 0.2, storage: 0.15 }[kind];
  const k = (dev: string, dir: string) => `${t.name}/${dev}/${dir}`;
  const nicTraffic: Record<ServerSpec['kind'], [number, number, number, number]> = {
    // rx base, rx amplitude, tx base, tx amplitude (bit/s)
    web: [2e6, 25e6, 5e6, 80e6],
    db: [3e6, 40e6, 4e6, 60e6],
    app: [1e6, 20e6, 2e6, 35e6],
    gis: [1e6, 10e6, 3e6, 45e6],
    mail: [1e6, 12e6, 1e6, 8e6],
    storage: [2e6, 30e6, 2e6, 20e6],
  };
  const [rb, ra, tb, ta] = nicTraffic[kind];
  const ports: SimPort[] = [
    makePort(ctx, t.name, oui, bootWall, {
      ifIndex: 1, ifDescr: 'lo', ifName: 'lo', ifAlias: '', speedBps: 10e6, ifType: 24,
      rx: flow(k('lo', 'rx'), 2e5, 1e6, 10e9), tx: flow(k('lo', 'tx'), 2e5, 1e6, 10e9),
    }),
    makePort(ctx, t.name, oui, bootWall, {
      ifIndex: 2, ifDescr: 'ens192', ifName: 'ens192', ifAlias: 'Mạng dịch vụ', speedBps: 10 * GBPS,
      rx: flow(k('ens192', 'rx'), rb, ra, 10 * GBPS, { packetSize: 600 }),
      tx: flow(k('ens192', 'tx'), tb, ta, 10 * GBPS, { packetSize: 1100 }),
    }),
  ];
  if (kind === 'storage' || kind === 'db') {
    // The backup network: quiet by day, busy in the 01:00-04:00 backup window.
    const big = kind === 'storage';
    ports.push(
      makePort(ctx, t.name, oui, bootWall, {
        ifIndex: 3, ifDescr: 'ens224', ifName: 'ens224', ifAlias: 'Mạng sao lưu', speedBps: 10 * GBPS,
        rx: flow(k('ens224', 'rx'), 1e5, big ? 600e6 : 2e6, 10 * GBPS, { curve: 'backup', packetSize: 8000 }),
        tx: flow(k('ens224', 'tx'), 1e5, big ? 3e6 : 450e6, 10 * GBPS, { curve: 'backup', packetSize: 8000 }),
      }),
    );
  }
  const disks: ServerSpec['disks'] = [
    { index: 31, descr: '/', sizeBytes: 100e9, usedFrac: randRange(seed, 0.25, 0.6, 'root', t.name), growthPerDay: 0.0005 },
  ];
  if (dataTB > 0) {
    disks.push({
      index: 32,
      descr: kind === 'db' ? '/var/lib/postgresql' : kind === 'storage' ? '/srv/backup' : '/data',
      sizeBytes: dataTB * 1e12,
      usedFrac: randRange(seed, 0.35, 0.75, 'data', t.name),
      growthPerDay: kind === 'storage' ? 0.004 : 0.0015,
    });
  }
  return {
    ports,
    server: { kind, cpus, ramKB: ramGB * 1024 * 1024, swapKB: 4 * 1024 * 1024, busy, disks },
  };
}

export interface ScenarioPicks {
  flappingTarget?: string;
  flapping?: FlapSchedule;
  dyingTarget?: string;
}

/** Vendor of a site's edge switch: a deterministic function of the seed and the site id. */
export function vendorForSite(seed: number, site: string): Vendor {
  return OPTICAL_VENDORS[hash32(seed, 'vendor', site) % OPTICAL_VENDORS.length]!;
}

/** Round-trip time ranges (ms) by where a device is: the data centre's own LAN, or fibre of growing length. */
const RTT_MS: Record<SimDevice['siteGroup'], [number, number]> = { datacentre: [0.3, 0.8], provincial: [1, 4], district: [3, 10], ward: [2, 6], unknown: [1, 5] };

export function siteRttMs(seed: number, t: TargetConfig, group: SimDevice['siteGroup']): number {
  const [lo, hi] = t.role === 'fibre' ? RTT_MS[group] : RTT_MS.datacentre;
  return randRange(seed, lo, hi, 'rtt', t.name);
}

export function buildDevice(ctx: BuildContext, t: TargetConfig, picks: ScenarioPicks): SimDevice | null {
  if (!t.snmp) return null;
  const credential = ctx.config.credentials.get(t.snmp.credential);
  if (!credential) throw new Error(`simulator: target ${t.name}: credential ${t.snmp.credential} is not defined`);
  const seed = ctx.seed;
  const site = ctx.config.sites.find((s) => s.id === t.site);
  const bootWall = ctx.startWall - randInt(seed, 3 * 86400, 120 * 86400, 'boot', t.name) * 1000;
  let vendor: Vendor;
  let shape: Pick<SimDevice, 'ports' | 'server'>;
  let model: string;
  let sysDescr: string;
  let sysObjectID: string;
  switch (t.role) {
    case 'uplink':
      vendor = 'cisco';
      model = 'C9300-24S';
      sysDescr = 'Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4a, RELEASE SOFTWARE (fc3)';
      sysObjectID = '1.3.6.1.4.1.9.1.2494';
      shape = buildUplinkDevice(ctx, t, bootWall);
      break;
    case 'switch':
      vendor = 'huawei';
      model = 'CE6857F-48S6CQ';
      sysDescr = 'Huawei Versatile Routing Platform Software\r\nVRP (R) software, Version 8.191 (CE6857F V200R019C10SPC800)\r\nHUAWEI CE6857F-48S6CQ';
      sysObjectID = '1.3.6.1.4.1.2011.2.239.40';
      shape = buildSwitchDevice(ctx, t, bootWall);
      break;
    case 'fibre': {
      vendor = vendorForSite(seed, t.site);
      const e = EDGE[vendor];
      model = e.model;
      sysDescr = e.sysDescr;
      sysObjectID = e.sysObjectID;
      shape = buildFibreDevice(ctx, t, bootWall, vendor, site?.group ?? 'unknown', picks.dyingTarget === t.name);
      if (vendor === 'huawei' && shape.ports[0]?.optical?.huaweiUnit === 'uW') {
        // Older VRP models report optical power in µW (the poller tells them apart by value: > 0 means µW).
        model = 'S5720-28X-SI-AC';
        sysDescr = 'S5720-28X-SI-AC\r\nHuawei Versatile Routing Platform Software\r\nVRP (R) software, Version 5.160 (S5720 V200R011C10SPC600)';
        sysObjectID = '1.3.6.1.4.1.2011.2.23.285';
      }
      break;
    }
    case 'server':
      vendor = 'generic';
      model = 'VMware Virtual Platform';
      sysDescr = `Linux ${t.name} 5.15.0-119-generic #129-Ubuntu SMP Fri Aug 2 19:25:20 UTC 2024 x86_64`;
      sysObjectID = '1.3.6.1.4.1.8072.3.2.10';
      shape = buildServerDevice(ctx, t, bootWall);
      break;
  }
  return {
    name: t.name,
    address: t.address,
    snmpPort: t.snmp.port,
    site: t.site,
    siteName: site?.name ?? t.site,
    siteGroup: site?.group ?? 'unknown',
    role: t.role,
    vendor,
    model,
    sysDescr,
    sysObjectID,
    sysContact: 'Trung tâm Thông tin Dữ liệu điện tử <noc@ttdl.example.vn>',
    credentialName: t.snmp.credential,
    credential,
    bootWall,
    ports: shape.ports,
    ...(shape.server ? { server: shape.server } : {}),
    ...(picks.flappingTarget === t.name && picks.flapping ? { flapping: picks.flapping } : {}),
    rttMs: siteRttMs(seed, t, site?.group ?? 'unknown'),
  };
}
