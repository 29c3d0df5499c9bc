/**
 * The measuring half of test/snmp/snmpd-counters.test.ts, run inside its network namespace (`ip netns
 * exec NS node --import tsx test/kit/counter-lab-inner.ts CONFIG_JSON`): sends bounded TCP traffic over
 * `lo` (to a sink in this process) and over a veth (to a sink in the peer namespace), polls Debian snmpd
 * through netmon's SNMP probe (v2c and v1) every `intervalMs`, and reads the kernel's byte counters
 * (/sys/class/net/DEV/statistics) after each poll. Prints one JSON line: every poll's samples of interest.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { createSnmpProbe } from '../../probes/snmp/index.js';
import type { Sample } from '../../src/types.js';
import { pick, signal, snmpTarget } from './snmp-agent.js';

export interface LabConfig {
  snmpPort: number;
  /** TCP sink on this namespace's loopback (traffic over lo). */
  loSinkPort: number;
  /** TCP sink in the peer namespace, across the veth. */
  vethSink: { host: string; port: number };
  vethDev: string;
  intervalMs: number;
  trafficMs: number;
  /** Idle time after the traffic before the last poll: longer than snmpd's ~3 s counter cache. */
  settleMs: number;
}

export interface PollRecord {
  at: number;
  version: '2c' | '1';
  /** netmon's exported receive_bytes_total per interface name (absent: no sample, a gap). */
  rx: Record<string, number | undefined>;
  /** netmon's exported transmit_bytes_total per interface name. */
  tx: Record<string, number | undefined>;
  speedBytes: Record<string, number | undefined>;
  discarded: Record<string, number>;
  /** The kernel's rx_bytes and tx_bytes per interface, read right after the poll. */
  kernel: Record<string, number>;
  kernelTx: Record<string, number>;
}

export interface LabResult {
  polls: PollRecord[];
  /** The kernel's rx_bytes (tx_bytes for the veth, whose traffic goes out) when the traffic started and ended. */
  trafficStart: { at: number; kernel: Record<string, number> };
  trafficEnd: { at: number; kernel: Record<string, number> };
}

const kernelBytes = (dev: string, dir: 'rx' | 'tx'): number => Number(readFileSync(`/sys/class/net/${dev}/statistics/${dir}_bytes`, 'utf8'));
const kernelRx = (dev: string): number => kernelBytes(dev, 'rx');

/** Write zeros to host:port as fast as the (shaped) path takes them until `until`, then close. */
function blast(host: string, port: number, until: number): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port }, () => {
      const pump = () => {
        while (Date.now() < until) if (!sock.write(chunk)) return void sock.once('drain', pump);
        sock.end(() => resolve());
      };
      pump();
    });
    sock.on('error', reject);
  });
}

function sink(port: number): Promise<net.Server> {
  return new Promise((resolve) => {
    const srv = net.createServer((s) => s.resume().on('error', () => undefined));
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

async function main(cfg: LabConfig): Promise<LabResult> {
  const probe = createSnmpProbe();
  const devs = ['lo', cfg.vethDev];
  const polls: PollRecord[] = [];
  const poll = async (version: '2c' | '1') => {
    const { target, spec } = snmpTarget(cfg.snmpPort, ['if-mib'], { name: `v${version}`, credential: { version, community: 'public' }, timeoutMs: 2000, retries: 2 });
    const s: Sample[] = await probe.run(target, spec, signal());
    const at = Date.now();
    const rec: PollRecord = { at, version, rx: {}, tx: {}, speedBytes: {}, discarded: {}, kernel: {}, kernelTx: {} };
    for (const dev of devs) {
      rec.rx[dev] = pick(s, 'netmon_interface_receive_bytes_total', { if_name: dev })?.value;
      rec.speedBytes[dev] = pick(s, 'netmon_interface_speed_bytes_per_second', { if_name: dev })?.value;
      rec.tx[dev] = pick(s, 'netmon_interface_transmit_bytes_total', { if_name: dev })?.value;
      rec.kernel[dev] = kernelRx(dev);
      rec.kernelTx[dev] = kernelBytes(dev, 'tx');
    }
    for (const x of s) if (x.metric === 'netmon_snmp_intervals_discarded_total') rec.discarded[x.labels.reason!] = x.value;
    polls.push(rec);
  };
  const both = async () => {
    await poll('2c');
    await poll('1');
  };
  const carried = () => ({ lo: kernelRx('lo'), [cfg.vethDev]: kernelBytes(cfg.vethDev, 'tx') });
  const lo = await sink(cfg.loSinkPort);
  try {
    await both(); // idle
    const start = { at: Date.now(), kernel: carried() };
    const until = start.at + cfg.trafficMs;
    const traffic = Promise.all([blast('127.0.0.1', cfg.loSinkPort, until), blast(cfg.vethSink.host, cfg.vethSink.port, until)]);
    while (Date.now() + cfg.intervalMs < until) {
      await new Promise((r) => setTimeout(r, cfg.intervalMs));
      await both();
    }
    await traffic;
    const end = { at: Date.now(), kernel: carried() };
    await new Promise((r) => setTimeout(r, cfg.settleMs));
    await both(); // idle again, after snmpd's cache caught up
    return { polls, trafficStart: start, trafficEnd: end };
  } finally {
    lo.close();
    await probe.close();
  }
}

const cfg = JSON.parse(process.argv[2]!) as LabConfig;
main(cfg).then(
  (r) => {
    process.stdout.write(JSON.stringify(r) + '\n');
    process.exit(0);
  },
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
