/**
 * NetFlow v9 from the simulated uplink devices (dc-core), when the config has `flows:`: every few seconds
 * each uplink port's byte counters (the same integrals its SNMP agent serves) are read, and the bytes moved
 * since the last export are split into flows between the sites' address ranges (flows.site_prefixes), the
 * data-centre servers and the Internet, so the flow figures add up to the SNMP counters exactly. Shares are
 * deterministic per seed; in office hours one site's uploads (the health department's PACS images, when
 * that site exists) dominate the international link, as the demo's story goes. Sent from the device's own
 * loopback address, so the collector maps it to the target and its interface table like a real router.
 */
import dgram from 'node:dgram';
import type { LoadedConfig } from '../config/model.js';
import { encodeNetflowV9, type FlowSpec } from '../flows/encode.js';
import { hash32, rand01 } from './random.js';
import type { DeviceState } from './state.js';
import { officeActivity } from './traffic.js';

const EXPORT_MS = 5000;
/** Records per datagram: about 1,400 bytes of v9 records with their template. */
const PER_DATAGRAM = 30;
const HEAVY_SITE = 'so-y-te';
/** 14.160.0.0/11 and 203.113.128.0/18 are VNPT; 142.250.0.0/15 Google: plausible far ends. */
const REMOTES = ['14.160.', '203.113.', '142.250.'];

interface Endpoint {
  address: string;
  weight: number;
  app: [proto: number, port: number];
}

const APPS: Array<[number, number]> = [[6, 443], [6, 443], [6, 80], [17, 53], [6, 25], [6, 993], [6, 22], [17, 123]];

function hostIn(prefix: string, n: number): string {
  const [net] = prefix.split('/') as [string];
  const p = net.split('.').map(Number);
  return `${p[0]}.${p[1]}.${p[2]}.${10 + (n % 200)}`;
}

export interface FlowEmitter {
  close(): Promise<void>;
}

export async function startFlowEmitter(config: LoadedConfig, states: ReadonlyMap<string, DeviceState>, seed: number, now: () => number, log: (msg: string) => void): Promise<FlowEmitter | undefined> {
  const f = config.flows;
  if (!f) return undefined;
  const dest = f.listen_address === '0.0.0.0' || f.listen_address === '::' ? '127.0.0.1' : f.listen_address;
  const servers = config.targets.filter((t) => t.role === 'server').map((t) => t.address);
  const sites = Object.entries(f.site_prefixes).filter(([, ps]) => ps.some((p) => !p.includes(':')));
  const endpoints = (wall: number): Endpoint[] => {
    const office = officeActivity(wall);
    const out: Endpoint[] = sites.map(([site, ps]) => ({
      address: hostIn(ps.find((p) => !p.includes(':'))!, hash32(seed, site, 'host')),
      weight: (0.2 + rand01(seed, site, 'w')) * (site === HEAVY_SITE ? 1 + 30 * office : 0.3 + office),
      app: site === HEAVY_SITE ? [6, 104] : APPS[hash32(seed, site, 'app') % APPS.length]!,
    }));
    for (const s of servers) out.push({ address: s, weight: 2 * rand01(seed, s, 'w') + 0.5, app: [6, 443] });
    return out;
  };
  const sockets: dgram.Socket[] = [];
  const timers: NodeJS.Timeout[] = [];
  for (const st of states.values()) {
    const ports = st.device.ports.filter((p) => p.uplink);
    if (!ports.length) continue;
    const s = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, st.device.address, () => resolve());
    });
    s.on('error', (err) => log(`simulator: flow export from ${st.device.name} failed: ${String(err)}`));
    sockets.push(s);
    let last = new Map(ports.map((p) => [p.ifIndex, st.counters(p.ifIndex, now())]));
    let seq = 0;
    const exportNow = () => {
      const wall = now();
      const flows: FlowSpec[] = [];
      const eps = endpoints(wall);
      const total = eps.reduce((a, e) => a + e.weight, 0);
      for (const p of ports) {
        const cur = st.counters(p.ifIndex, wall);
        const prev = last.get(p.ifIndex)!;
        for (const dir of ['in', 'out'] as const) {
          const delta = Number(dir === 'in' ? cur.inOctets - prev.inOctets : cur.outOctets - prev.outOctets);
          if (!(delta > 0)) continue;
          // integer split that sums to the counter delta exactly
          let left = delta;
          eps.forEach((e, i) => {
            const bytes = i === eps.length - 1 ? left : Math.floor((delta * e.weight) / total);
            left -= bytes;
            if (bytes <= 0) return;
            const remote = `${REMOTES[hash32(seed, e.address) % REMOTES.length]}${hash32(seed, e.address, 'r') % 250}.${1 + (hash32(seed, e.address, 'h') % 250)}`;
            const [proto, port] = e.app;
            const eph = 32768 + (hash32(seed, e.address, 'eph') % 28000);
            const local = dir === 'out';
            flows.push({
              src: local ? e.address : remote,
              dst: local ? remote : e.address,
              srcPort: local ? eph : port,
              dstPort: local ? port : eph,
              proto,
              bytes,
              packets: Math.max(1, Math.round(bytes / 900)),
              inIf: dir === 'in' ? p.ifIndex : 0,
              outIf: dir === 'out' ? p.ifIndex : 0,
            });
          });
        }
      }
      last = new Map(ports.map((p) => [p.ifIndex, st.counters(p.ifIndex, wall)]));
      for (let i = 0; i < flows.length; i += PER_DATAGRAM) s.send(encodeNetflowV9(flows.slice(i, i + PER_DATAGRAM), { seq: seq++ }), f.netflow_port, dest);
    };
    const t = setInterval(exportNow, EXPORT_MS);
    t.unref();
    timers.push(t);
  }
  if (sockets.length) log(`simulator: NetFlow v9 from ${sockets.length} uplink device(s) to ${dest}:${f.netflow_port} every ${EXPORT_MS / 1000} s`);
  return {
    close: async () => {
      for (const t of timers) clearInterval(t);
      await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
