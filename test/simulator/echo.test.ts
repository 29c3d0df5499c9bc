/**
 * The simulated sites' answer to ping: UDP echo services over real sockets on loopback, measured by the
 * ping probe's `udp` method (real packets, real timing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPingProbe } from '../../probes/icmp/index.js';
import { planCycle } from '../../probes/icmp/fping.js';
import { udpPing } from '../../probes/icmp/fallback.js';
import { startEcho, type EchoHandle } from '../../src/simulator/echo.js';
import { SIM_ECHO_PORT, simulatedEchoPort, startSimulator, type Simulator } from '../../src/simulator/index.js';
import type { ProbeSpec, Sample, Target } from '../../src/types.js';
import { smallConfig, type TestNet } from './helpers.js';

const value = (ss: Sample[] | undefined, metric: string) => ss?.find((s) => s.metric === metric)?.value;

describe('startEcho and udpPing', () => {
  let delay: number | null = 30;
  let echo: EchoHandle;
  beforeAll(async () => {
    echo = await startEcho({ address: '127.0.0.1', port: 0, now: Date.now, delayMs: () => delay, log: () => undefined });
  });
  afterAll(() => echo?.close());
  const plan = (count: number, timeoutMs: number) => ({ ...planCycle(count, 1000, timeoutMs, 1), periodMs: 20 });

  it('measures the service’s delay as the round-trip time', async () => {
    delay = 30;
    const rtts = (await udpPing([{ host: '127.0.0.1', port: echo.port }], plan(5, 300), AbortSignal.timeout(5000))).get('127.0.0.1')!;
    expect(rtts).toHaveLength(5);
    for (const r of rtts) {
      expect(r).not.toBeNull();
      expect(r!).toBeGreaterThanOrEqual(29); // timers may fire a fraction of a millisecond early
      expect(r!).toBeLessThan(30 + 100); // loopback plus a busy shared machine
    }
  });

  it('counts dropped datagrams and replies later than the timeout as lost', async () => {
    delay = null;
    expect((await udpPing([{ host: '127.0.0.1', port: echo.port }], plan(3, 100), AbortSignal.timeout(5000))).get('127.0.0.1')).toEqual([null, null, null]);
    delay = 250;
    expect((await udpPing([{ host: '127.0.0.1', port: echo.port }], plan(2, 100), AbortSignal.timeout(5000))).get('127.0.0.1')).toEqual([null, null]);
  });

  it('a port where nothing listens is all lost, not an error', async () => {
    const closed = await startEcho({ address: '127.0.0.1', port: 0, now: Date.now, delayMs: () => 0, log: () => undefined });
    const port = closed.port;
    await closed.close();
    expect((await udpPing([{ host: '127.0.0.1', port }], plan(2, 100), AbortSignal.timeout(5000))).get('127.0.0.1')).toEqual([null, null]);
  });
});

describe('the simulator’s echo services and the ping probe’s udp method', () => {
  let clock = Date.UTC(2024, 9, 15, 2, 0, 0);
  let net: TestNet;
  let sim: Simulator;
  beforeAll(async () => {
    net = smallConfig();
    sim = await startSimulator(net.config, { now: () => clock });
  });
  afterAll(() => sim?.close());

  it('every agent address has an echo port, the same one a second process derives from the config', () => {
    for (const a of Object.values(net.addr)) {
      expect(sim.echoPort(a)).toBe(SIM_ECHO_PORT);
      expect(simulatedEchoPort(net.config, a)).toBe(SIM_ECHO_PORT);
    }
    expect(sim.echoPort('127.0.0.1')).toBeUndefined();
    expect(simulatedEchoPort(net.config, '10.0.0.1')).toBeUndefined();
    expect(simulatedEchoPort({ ...net.config, simulate: { ...net.config.simulate, enabled: false } }, net.addr.core)).toBeUndefined();
  });

  it('the flapping site answers after its modelled RTT, and not at all while its fibre is cut', async () => {
    const flap = sim.scenarios.flapping!;
    const st = sim.state(flap.target)!;
    const address = st.device.address;
    const probe = createPingProbe({ udpEcho: (t) => sim.echoPort(t.address) });
    const target: Target = { name: flap.target, address, site: flap.site, role: 'fibre', labels: {}, probes: [] };
    const spec: ProbeSpec = { kind: 'ping', intervalMs: 1000, timeoutMs: 200, options: { count: 4 } };

    while (st.linkDown(clock)) clock += 10_000;
    const up = await probe.run(target, spec, AbortSignal.timeout(5000));
    expect(up.every((s) => s.labels.method === 'udp')).toBe(true);
    expect(value(up, 'netmon_ping_loss_ratio')).toBe(0);
    const median = value(up, 'netmon_ping_rtt_median_seconds')! * 1000;
    expect(median).toBeGreaterThanOrEqual(st.device.rttMs * 0.85 - 1);
    expect(median).toBeLessThan(st.device.rttMs * 1.15 + 100);

    while (!st.linkDown(clock)) clock += 10_000;
    const down = await probe.run(target, spec, AbortSignal.timeout(5000));
    expect(value(down, 'netmon_ping_loss_ratio')).toBe(1);
    expect(value(down, 'netmon_ping_rtt_median_seconds')).toBeUndefined();
  });
});
