/**
 * The aliasing lab (issue 16, item 3), shared by test/snmp/alias-snmpd.test.ts and bench/alias.ts:
 * Debian snmpd (default 3 s interface cache) in a network namespace, a veth pair `up0` (in the agent's
 * namespace) ↔ `up1` (in a second namespace), `tc tbf` on up0 shaping real traffic from a bounded UDP
 * sender, and a management veth from this namespace to the agent (so netmon's probe runs in this
 * process, unmodified). The reference is the kernel's byte counter of up0, read from
 * /proc/<snmpd>/net/dev (the agent's namespace's view of the counters snmpd itself reads).
 *
 * The sender offers 2 × the tbf rate (its queue holds 3 s, for a sender starved on a busy machine), so the link carries exactly the tbf rate: one uplink configured
 * with capacity = that rate is the saturated link, one with capacity = rate / 0.82 carries a steady 82 %.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createSnmpProbe, type SnmpProbe } from '../../probes/snmp/index.js';
import type { UplinkConfig } from '../../src/config/schema.js';
import type { ProbeResult } from '../../src/scheduler.js';
import type { SnmpSpec } from '../../probes/snmp/kind.js';
import type { Target } from '../../src/types.js';
import { uplinkDeriver } from '../../src/uplinks.js';
import { V2C, withTargetLabels } from './snmp-agent.js';
import { startSnmpd, type Snmpd } from './snmpd.js';

/** tbf rate on up0, bit/s: small, so the sender costs little CPU on a shared machine. */
const LINK_BPS = 8_000_000;
const STEADY_SHARE = 0.82;

function sh(cmd: string[]): void {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')}: ${r.stderr || r.error?.message}`);
}

export interface AliasLab {
  agent: Snmpd;
  address: string;
  /** up0's transmitted bytes, as the kernel counts them. */
  kernelTxBytes(): number;
}

/** The bounded sender: UDP at 2 × LINK_BPS to a neighbour that drops it silently, count and time limited. */
const SENDER = `
const dgram = require('node:dgram');
const [dst, bps, maxMs] = process.argv.slice(1);
const s = dgram.createSocket('udp4');
const payload = Buffer.alloc(1200);
const wire = 1200 + 8 + 20 + 14;
const perMs = (2 * Number(bps)) / 8 / wire / 1000;
const maxCount = Math.ceil(perMs * Number(maxMs)) + 10;
const t0 = Date.now();
let sent = 0;
const tick = () => {
  const el = Date.now() - t0;
  if (el > Number(maxMs) || sent >= maxCount) { s.close(); return; }
  const due = Math.min(maxCount, Math.floor(perMs * el));
  while (sent < due) { s.send(payload, 9, dst); sent++; }
  setTimeout(tick, 10);
};
tick();
`;

/** Run `body` with the lab up; everything is torn down after (namespaces, agent, sender). */
export async function withAliasLab<T>(o: { maxMs: number }, body: (lab: AliasLab) => Promise<T>): Promise<T> {
  const tag = `${process.pid % 100000}`;
  const nsA = `nm-alias-a-${tag}`;
  const nsB = `nm-alias-b-${tag}`;
  const x = 1 + (process.pid % 250);
  const mgmt = { host: `10.232.${x}.1`, agent: `10.232.${x}.2` };
  const link = { a: `10.231.${x}.1`, sink: `10.231.${x}.5` };
  const mgHost = `nma${tag}`.slice(0, 15);
  let agent: Snmpd | undefined;
  let sender: ChildProcess | undefined;
  try {
    sh(['ip', 'netns', 'add', nsA]);
    sh(['ip', 'netns', 'add', nsB]);
    sh(['ip', '-n', nsA, 'link', 'set', 'lo', 'up']);
    sh(['ip', '-n', nsA, 'link', 'add', 'up0', 'type', 'veth', 'peer', 'name', 'up1', 'netns', nsB]);
    sh(['ip', '-n', nsA, 'addr', 'add', `${link.a}/29`, 'dev', 'up0']);
    sh(['ip', '-n', nsA, 'link', 'set', 'up0', 'up']);
    sh(['ip', '-n', nsB, 'link', 'set', 'up1', 'up']);
    // The sink is a neighbour nobody is: up1 receives the frames and drops them (not its MAC), no ICMP back.
    sh(['ip', '-n', nsA, 'neigh', 'add', link.sink, 'lladdr', '02:00:00:00:00:05', 'dev', 'up0', 'nud', 'permanent']);
    sh(['ip', 'netns', 'exec', nsA, 'tc', 'qdisc', 'add', 'dev', 'up0', 'root', 'tbf', 'rate', `${LINK_BPS}bit`, 'burst', '32kb', 'latency', '3s']);
    sh(['ip', 'link', 'add', mgHost, 'type', 'veth', 'peer', 'name', 'mg1', 'netns', nsA]);
    sh(['ip', 'addr', 'add', `${mgmt.host}/30`, 'dev', mgHost]);
    sh(['ip', 'link', 'set', mgHost, 'up']);
    sh(['ip', '-n', nsA, 'addr', 'add', `${mgmt.agent}/30`, 'dev', 'mg1']);
    sh(['ip', '-n', nsA, 'link', 'set', 'mg1', 'up']);
    agent = await startSnmpd({ address: mgmt.agent, port: 16100 + (x % 100), prefix: ['ip', 'netns', 'exec', nsA] });
    const pid = agent.child.pid!;
    const kernelTxBytes = () => {
      const line = readFileSync(`/proc/${pid}/net/dev`, 'utf8').split('\n').find((l) => l.trim().startsWith('up0:'))!;
      return Number(line.split(':')[1]!.trim().split(/\s+/)[8]);
    };
    sender = spawn('ip', ['netns', 'exec', nsA, process.execPath, '-e', SENDER, link.sink, String(LINK_BPS), String(o.maxMs)], { stdio: 'ignore' });
    // Warm up until the link carries the tbf rate (the sender started and the queue is full).
    const deadline = Date.now() + 15_000;
    for (let prev = { at: Date.now(), bytes: kernelTxBytes() }; ; ) {
      await new Promise((r) => setTimeout(r, 500));
      const cur = { at: Date.now(), bytes: kernelTxBytes() };
      if (((cur.bytes - prev.bytes) * 8000) / (cur.at - prev.at) > 0.97 * LINK_BPS) break;
      if (Date.now() > deadline) throw new Error(`the sender does not fill the link (${cur.bytes} bytes sent)`);
      prev = cur;
    }
    return await body({ agent, address: mgmt.agent, kernelTxBytes });
  } finally {
    if (sender && sender.exitCode === null) sender.kill('SIGKILL');
    await agent?.stop();
    spawnSync('ip', ['link', 'del', mgHost]);
    spawnSync('ip', ['netns', 'del', nsA]);
    spawnSync('ip', ['netns', 'del', nsB]);
  }
}

export interface IntervalRun {
  intervalMs: number;
  aligned: boolean;
  /** Per-poll utilisation error of the steady-82 % uplink against the kernel, in points of utilisation. */
  steadyErrors: number[];
  /** Per-poll utilisation of the saturated uplink (capacity = the tbf rate). */
  saturated: number[];
  /** Kernel utilisation of the saturated uplink at the same polls (the link's real share). */
  kernelSaturated: number[];
  /** Polls stamped with an observed refresh (aligned probes). */
  stamped: number;
  polls: number;
  /** Per poll: start (ms after the run's start), duration, refresh stamp (ms before the poll ended), bracket, reads. */
  log: string[];
}

/** Poll the lab's agent every `intervalMs` for `durationMs` with the SNMP probe and the uplink deriver. */
export async function pollLab(lab: AliasLab, o: { intervalMs: number; durationMs: number; aligned: boolean; start: number }): Promise<IntervalRun> {
  const probe: SnmpProbe = createSnmpProbe({ alignToRefresh: o.aligned, labelRefreshMs: 1e12 });
  const name = `lab-${o.intervalMs}-${o.aligned ? 'aligned' : 'poll-time'}`;
  const target: Target = { name, address: lab.address, site: 'lab', role: 'uplink', labels: {}, probes: [] };
  const spec: SnmpSpec = {
    kind: 'snmp',
    intervalMs: o.intervalMs,
    timeoutMs: 1000,
    options: { port: lab.agent.port, credentialName: 'v2c', credential: V2C, retries: 1, maxRepetitions: 25, profiles: ['if-mib'] },
  };
  const uplinks: UplinkConfig[] = [
    { name: 'steady', target: name, interface: 'up0', capacity: LINK_BPS / STEADY_SHARE, warn_utilization: 0.9 },
    { name: 'saturated', target: name, interface: 'up0', capacity: LINK_BPS, warn_utilization: 0.9 },
  ];
  const derive = uplinkDeriver(uplinks);
  const run: IntervalRun = { intervalMs: o.intervalMs, aligned: o.aligned, steadyErrors: [], saturated: [], kernelSaturated: [], stamped: 0, polls: 0, log: [] };
  let prevKernel: { at: number; bytes: number } | undefined;
  try {
    for (let k = 0; o.start + k * o.intervalMs <= o.start + o.durationMs; k++) {
      const wait = o.start + k * o.intervalMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const startedAt = Date.now();
      const samples = await probe.run(target, spec, AbortSignal.timeout(0.9 * o.intervalMs));
      const kernel = { at: Date.now(), bytes: lab.kernelTxBytes() };
      run.polls++;
      const refresh = probe.lastRefresh(name);
      if (refresh) run.stamped++;
      run.log.push(`${startedAt - o.start}+${kernel.at - startedAt}${refresh ? ` r-${kernel.at - Math.round(refresh.at)}/${Math.round(refresh.widthMs)}/${refresh.reads}` : ''}`);
      const result: ProbeResult = { target, kind: 'snmp', spec, samples: withTargetLabels(target, samples), scheduledAt: startedAt, startedAt, durationMs: kernel.at - startedAt };
      const out = derive(result);
      const util = (uplink: string) => out.find((s) => s.metric === 'netmon_uplink_utilization_ratio' && s.labels.uplink === uplink && s.labels.direction === 'out')?.value;
      if (prevKernel) {
        const kernelBps = ((kernel.bytes - prevKernel.bytes) * 8 * 1000) / (kernel.at - prevKernel.at);
        const steady = util('steady');
        const sat = util('saturated');
        if (steady === undefined || sat === undefined) throw new Error(`${name}: no utilisation at poll ${k}`);
        run.steadyErrors.push((steady - (kernelBps * STEADY_SHARE) / LINK_BPS) * 100);
        run.saturated.push(sat);
        run.kernelSaturated.push(kernelBps / LINK_BPS);
      }
      prevKernel = kernel;
    }
  } finally {
    await probe.close?.();
  }
  return run;
}

export const worst = (xs: readonly number[]) => xs.reduce((m, x) => (Math.abs(x) > Math.abs(m) ? x : m), 0);
