/**
 * The time-varying side of a device: counters (lazy integrals of the traffic model), link state under the
 * flapping scenario, optical levels, server load. Everything is a function of the seed and the clock.
 */
import type { SimClock } from './clock.js';
import type { SimDevice, SimPort } from './model.js';
import { randRange, smoothNoise } from './random.js';
import { cellMsForSpeed, flowDemand, Integrator, officeActivity, type FlowProfile } from './traffic.js';

const TWO32 = 2n ** 32n;
const TWO64 = 2n ** 64n;
const DAY_MS = 86_400_000;

export interface PortCounters {
  inOctets: bigint;
  outOctets: bigint;
  inPkts: bigint;
  outPkts: bigint;
  inDiscards: bigint;
  outDiscards: bigint;
  inErrors: bigint;
  outErrors: bigint;
}

interface FlowState {
  profile: FlowProfile;
  /** bytes */
  bytes: Integrator;
  /** packets dropped because demand exceeded the cap */
  drops: Integrator;
}

interface PortState {
  port: SimPort;
  rx: FlowState | null;
  tx: FlowState | null;
}

export const wrap32 = (v: bigint): number => Number(v % TWO32);
export const wrap64 = (v: bigint): bigint => v % TWO64;

export class DeviceState {
  private readonly ports = new Map<number, PortState>();
  private readonly cpuIntegrators: { user: Integrator; system: Integrator; idle: Integrator; nice: Integrator; wait: Integrator } | null;

  constructor(
    readonly device: SimDevice,
    readonly clock: SimClock,
    readonly seed: number,
  ) {
    const cell = cellMsForSpeed(clock.speed);
    const origin = clock.startWall;
    for (const port of device.ports) {
      const mk = (p: FlowProfile | null): FlowState | null => {
        if (!p) return null;
        return {
          profile: p,
          bytes: new Integrator((w) => this.rate(port, p, w) / 8, origin, cell),
          drops: new Integrator((w) => this.dropRate(port, p, w), origin, cell),
        };
      };
      this.ports.set(port.ifIndex, { port, rx: mk(port.rx), tx: mk(port.tx) });
    }
    const srv = device.server;
    if (srv) {
      // CPU time counters in ticks (100 per second per CPU), split by the modelled load.
      const hz = 100 * srv.cpus;
      const share = (w: number) => this.cpuAverage(w);
      this.cpuIntegrators = {
        user: new Integrator((w) => hz * share(w) * 0.72, origin, cell),
        system: new Integrator((w) => hz * share(w) * 0.22, origin, cell),
        nice: new Integrator((w) => hz * share(w) * 0.01, origin, cell),
        wait: new Integrator((w) => hz * share(w) * 0.05, origin, cell),
        idle: new Integrator((w) => hz * (1 - share(w)), origin, cell),
      };
    } else {
      this.cpuIntegrators = null;
    }
  }

  // ---- time, reachability, link state ----

  /** sysUpTime: centiseconds since boot, as TimeTicks (mod 2^32). */
  uptimeTicks(wall: number): number {
    return Math.max(0, Math.floor((wall - this.device.bootWall) / 10)) % 4294967296;
  }

  /** A wall instant as sysUpTime ticks (0 if before boot). */
  ticksAt(wall: number): number {
    return this.uptimeTicks(Math.max(wall, this.device.bootWall));
  }

  /** Is the flapping site's link down at this instant? */
  linkDown(wall: number): boolean {
    const f = this.device.flapping;
    if (!f) return false;
    const s = this.clock.sim(wall) - f.phaseMs;
    return ((s % f.periodMs) + f.periodMs) % f.periodMs < f.downMs;
  }

  /** Does the agent answer at this instant? Not while its site's fibre is down. */
  answering(wall: number): boolean {
    return !this.linkDown(wall);
  }

  /**
   * How long the site's echo service waits before answering (ms): the modelled RTT with a slow wander of
   * ±15 %; null while the site is cut off (the datagram is dropped, as on a cut fibre).
   */
  echoDelayMs(wall: number): number | null {
    if (this.linkDown(wall)) return null;
    return this.device.rttMs * (1 + 0.15 * smoothNoise(this.seed, `${this.device.name}/rtt`, this.clock.sim(wall)));
  }

  operUp(port: SimPort, wall: number): boolean {
    if (!port.adminUp || !port.operUp) return false;
    if (port.fibre && this.linkDown(wall)) return false;
    return true;
  }

  /** ifLastChange as ticks: when the port last changed state. */
  lastChangeTicks(port: SimPort, wall: number): number {
    const f = this.device.flapping;
    if (f && port.fibre) {
      const s = this.clock.sim(wall);
      const k = Math.floor((s - f.phaseMs) / f.periodMs);
      const cycleStart = f.phaseMs + k * f.periodMs;
      const lastSim = s - cycleStart < f.downMs ? cycleStart : cycleStart + f.downMs;
      return this.ticksAt(Math.max(this.clock.wall(lastSim), port.upSinceWall));
    }
    if (!port.operUp || !port.adminUp) return this.ticksAt(this.device.bootWall + 15_000);
    return this.ticksAt(port.upSinceWall);
  }

  tableLastChangeTicks(wall: number): number {
    return Math.max(0, ...this.device.ports.map((p) => this.lastChangeTicks(p, wall)));
  }

  // ---- traffic ----

  /** Demand before the cap, zero while the flapping site is cut off. */
  private demand(port: SimPort, p: FlowProfile, wall: number): number {
    if (!this.operUp(port, wall)) return 0;
    if (this.linkDown(wall)) return 0.02 * p.base; // only local LAN chatter while cut off
    return flowDemand(this.seed, p, this.clock.sim(wall));
  }

  /** Modelled rate (bit/s) of one direction of a port at a wall instant: what the counters integrate. */
  rate(port: SimPort, p: FlowProfile, wall: number): number {
    return Math.min(p.cap, port.speedBps, this.demand(port, p, wall));
  }

  private dropRate(port: SimPort, p: FlowProfile, wall: number): number {
    const excess = this.demand(port, p, wall) - Math.min(p.cap, port.speedBps);
    return excess > 0 ? excess / 8 / p.packetSize : 0;
  }

  /** Modelled rate (bit/s) by ifIndex and direction: for tests and the scenario log. */
  portRate(ifIndex: number, dir: 'in' | 'out', wall: number): number {
    const ps = this.ports.get(ifIndex);
    const f = dir === 'in' ? ps?.rx : ps?.tx;
    if (!ps || !f) return 0;
    return this.rate(ps.port, f.profile, wall);
  }

  counters(ifIndex: number, wall: number): PortCounters {
    const ps = this.ports.get(ifIndex);
    if (!ps) throw new Error(`no port ${ifIndex}`);
    const p = ps.port;
    const one = (f: FlowState | null, offset: bigint) => {
      if (!f) return { octets: offset, pkts: offset / 900n, drops: 0n, bytes: 0 };
      const bytes = f.bytes.at(wall);
      return {
        octets: offset + BigInt(Math.floor(bytes)),
        pkts: offset / BigInt(f.profile.packetSize) + BigInt(Math.floor(bytes / f.profile.packetSize)),
        drops: BigInt(Math.floor(f.drops.at(wall))),
        bytes,
      };
    };
    const i = one(ps.rx, p.inOctetsOffset);
    const o = one(ps.tx, p.outOctetsOffset);
    return {
      inOctets: wrap64(i.octets),
      outOctets: wrap64(o.octets),
      inPkts: wrap64(i.pkts),
      outPkts: wrap64(o.pkts),
      inDiscards: i.drops,
      outDiscards: o.drops,
      inErrors: BigInt(Math.floor((i.bytes / 1e9) * p.errorsPerGB)),
      outErrors: BigInt(Math.floor((o.bytes / 1e9) * p.errorsPerGB * 0.1)),
    };
  }

  // ---- optics ----

  /** Received optical power (dBm): small drift, and the dying fibre's ~1 dB per simulated day. */
  rxDbm(port: SimPort, wall: number): number {
    const o = port.optical!;
    if (port.fibre && this.linkDown(wall)) return -40; // loss of signal
    const sim = this.clock.sim(wall);
    let v = o.rxDbm + 0.08 * smoothNoise(this.seed, `${this.device.name}/rxp`, sim);
    if (o.dying) v -= ((sim - this.clock.startWall) / DAY_MS) * 1.0;
    return Math.max(-40, v);
  }

  txDbm(port: SimPort, wall: number): number {
    const o = port.optical!;
    return o.txDbm + 0.05 * smoothNoise(this.seed, `${this.device.name}/txp`, this.clock.sim(wall));
  }

  /** Transceiver temperature (°C) and bias current (µA) for the vendor tables that carry them. */
  moduleTemperature(wall: number): number {
    return 38 + 6 * officeActivity(this.clock.sim(wall)) + smoothNoise(this.seed, `${this.device.name}/temp`, wall);
  }

  biasMicroAmps(): number {
    return Math.round(randRange(this.seed, 9000, 22000, 'bias', this.device.name));
  }

  // ---- servers ----

  /** Load (0-1) of one CPU. */
  cpuLoad(cpu: number, wall: number): number {
    const srv = this.device.server!;
    const sim = this.clock.sim(wall);
    const act = officeActivity(sim);
    const n = smoothNoise(this.seed, `${this.device.name}/cpu${cpu}`, sim);
    return Math.min(1, Math.max(0.01, 0.03 + srv.busy * act * (1 + 0.35 * n) + 0.02 * (cpu % 3)));
  }

  cpuAverage(wall: number): number {
    const srv = this.device.server!;
    let sum = 0;
    for (let i = 0; i < srv.cpus; i++) sum += this.cpuLoad(i, wall);
    return sum / srv.cpus;
  }

  cpuTicks(kind: 'user' | 'system' | 'idle' | 'nice' | 'wait', wall: number): number {
    const base = 1_000_000 + (this.device.bootWall % 100_000);
    return Math.floor(base + this.cpuIntegrators![kind].at(wall)) % 4294967296;
  }

  /** Load averages (1, 5, 15 min): run-queue length follows the CPU load. */
  loadAverage(minutes: 1 | 5 | 15, wall: number): number {
    const srv = this.device.server!;
    const lagged = this.cpuAverage(wall - minutes * 30_000);
    const now = this.cpuAverage(wall);
    const w = minutes === 1 ? 0.8 : minutes === 5 ? 0.5 : 0.25;
    return srv.cpus * (w * now + (1 - w) * lagged) * 1.1;
  }

  /** Memory in use (0-1) on a server. */
  memoryUsed(wall: number): number {
    const srv = this.device.server!;
    const sim = this.clock.sim(wall);
    const base = srv.kind === 'db' ? 0.78 : 0.45;
    return Math.min(0.97, base + 0.12 * officeActivity(sim) + 0.03 * smoothNoise(this.seed, `${this.device.name}/mem`, sim));
  }

  /** Disk usage in bytes, growing slowly with simulated time. */
  diskUsedBytes(disk: NonNullable<SimDevice['server']>['disks'][number], wall: number): number {
    const days = (this.clock.sim(wall) - this.clock.startWall) / DAY_MS;
    return Math.min(disk.sizeBytes * 0.995, disk.sizeBytes * (disk.usedFrac + disk.growthPerDay * days));
  }
}
