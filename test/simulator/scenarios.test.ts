/** Traffic model and scenarios, read over SNMP with an injected clock. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { c64, get, readRxDbm, smallConfig, v2Session, v3Session, walk, type TestNet } from './helpers.js';

const HC_IN = '1.3.6.1.2.1.31.1.1.1.6';
const HC_OUT = '1.3.6.1.2.1.31.1.1.1.10';
const IF_IN = '1.3.6.1.2.1.2.2.1.10';
const IF_OUT = '1.3.6.1.2.1.2.2.1.16';
// Tuesday 2024-10-15 08:00 in Huế (01:00 UTC)
const T0 = Date.UTC(2024, 9, 15, 1, 0, 0);

let clock = T0;
let net: TestNet;
let sim: Simulator;

beforeAll(async () => {
  net = smallConfig();
  sim = await startSimulator(net.config, { now: () => clock });
});
afterAll(async () => {
  await sim?.close();
});

async function hc(ifIndex: number): Promise<{ in: bigint; out: bigint; in32: number; out32: number }> {
  const s = v3Session(net.addr.core, net.port);
  try {
    const vbs = await get(s, [`${HC_IN}.${ifIndex}`, `${HC_OUT}.${ifIndex}`, `${IF_IN}.${ifIndex}`, `${IF_OUT}.${ifIndex}`]);
    return { in: c64(vbs[0]!.value), out: c64(vbs[1]!.value), in32: vbs[2]!.value as number, out32: vbs[3]!.value as number };
  } finally {
    s.close();
  }
}

describe('traffic model', () => {
  it('advances counters consistently with the modelled rate', async () => {
    const st = sim.state('dc-core')!;
    clock = T0 + 2 * 3600_000; // 10:00
    const a = await hc(1);
    clock += 60_000;
    const b = await hc(1);
    const measured = (Number(b.out - a.out) * 8) / 60;
    let model = 0;
    for (let t = clock - 60_000; t < clock; t += 1000) model += st.portRate(1, 'out', t) / 60;
    expect(measured).toBeGreaterThan(0);
    expect(Math.abs(measured - model) / model).toBeLessThan(0.05);
    // the domestic uplink runs at 20-70 % of its 100 Mbps in office hours
    expect(measured).toBeGreaterThan(20e6);
    expect(measured).toBeLessThan(75e6);
  });

  it('saturates the 2 Mbps international uplink in office hours without ever exceeding it', async () => {
    let peak = 0;
    clock = T0 + 3600_000; // 09:00
    let prev = await hc(2);
    for (let i = 0; i < 24; i++) {
      clock += 5 * 60_000;
      const cur = await hc(2);
      const rin = (Number(cur.in - prev.in) * 8) / 300;
      const rout = (Number(cur.out - prev.out) * 8) / 300;
      expect(rin).toBeLessThanOrEqual(2e6);
      expect(rout).toBeLessThanOrEqual(2e6);
      peak = Math.max(peak, rin);
      prev = cur;
    }
    expect(peak).toBeGreaterThan(0.9 * 2e6);
  });

  it('wraps Counter32 as the low 32 bits of the 64-bit counter', async () => {
    // the domestic uplink sends ~50 Mbps: 2^32 bytes in about 11 minutes
    clock = T0 + 2 * 3600_000;
    let prev = await hc(1);
    let wrapped = false;
    for (let i = 0; i < 40 && !wrapped; i++) {
      clock += 60_000;
      const cur = await hc(1);
      expect(BigInt(cur.out32)).toBe(cur.out % 2n ** 32n);
      const d32 = (BigInt(cur.out32) - BigInt(prev.out32) + 2n ** 32n) % 2n ** 32n;
      expect(d32).toBe(cur.out - prev.out);
      if (cur.out32 < prev.out32) wrapped = true;
      prev = cur;
    }
    expect(wrapped).toBe(true);
  });

  it('is deterministic: same seed and clock give the same values', async () => {
    const net2 = smallConfig({ seed: 42 });
    let clock2 = T0;
    const sim2 = await startSimulator(net2.config, { now: () => clock2 });
    const net3 = smallConfig({ seed: 7 });
    let clock3 = T0;
    const sim3 = await startSimulator(net3.config, { now: () => clock3 });
    try {
      clock = clock2 = clock3 = T0 + 4 * 3600_000;
      // servers never flap, whatever the seed picks
      const read = async (n: TestNet, oid: string) => {
        const s = v2Session(n.addr.server, n.port);
        try {
          return (await walk(s, oid)).map((v) => [v.oid, String(c64OrValue(v.value))]);
        } finally {
          s.close();
        }
      };
      for (const oid of ['1.3.6.1.2.1.31.1.1', '1.3.6.1.2.1.25.2.3', '1.3.6.1.2.1.25.3.3']) {
        const [a, b, c] = await Promise.all([read(net, oid), read(net2, oid), read(net3, oid)]);
        expect(b).toEqual(a);
        expect(c).not.toEqual(a);
      }
    } finally {
      await sim2.close();
      await sim3.close();
    }
  });
});

function c64OrValue(v: unknown): unknown {
  return Buffer.isBuffer(v) ? v.toString('hex') : v;
}

describe('scenarios', () => {
  it('picks and exports them deterministically', () => {
    expect(sim.scenarios.flapping?.target).toBe('sw-so-noi-vu');
    expect(sim.scenarios.dyingFibre?.target).toBe('sw-phuong-vy-da');
    expect(sim.scenarios.saturatingUplinks.map((u) => u.name)).toEqual(['international']);
  });

  it('the flapping site stops answering while its fibre is down, then reports the change', async () => {
    const target = sim.scenarios.flapping!.target;
    const st = sim.state(target)!;
    clock = T0;
    while (!st.linkDown(clock)) clock += 10_000;
    clock += 10_000;
    const s = v2Session(net.addr.fibre, net.port, undefined, 500);
    try {
      await expect(get(s, ['1.3.6.1.2.1.1.5.0'])).rejects.toThrow(/timed out/i);
      while (st.linkDown(clock)) clock += 10_000;
      const upAt = clock;
      clock += 30_000;
      const fibre = st.device.ports.find((p) => p.fibre)!;
      const vbs = await get(s, ['1.3.6.1.2.1.1.3.0', `1.3.6.1.2.1.2.2.1.8.${fibre.ifIndex}`, `1.3.6.1.2.1.2.2.1.9.${fibre.ifIndex}`]);
      expect(vbs[1]!.value).toBe(1); // up again
      const uptime = vbs[0]!.value as number;
      const lastChange = vbs[2]!.value as number;
      // ifLastChange is when the link came back, 30-40 s ago
      expect(uptime - lastChange).toBeGreaterThanOrEqual(3000);
      expect(uptime - lastChange).toBeLessThanOrEqual(4100);
      expect(upAt).toBeGreaterThan(T0);
    } finally {
      s.close();
    }
  });

  it("the dying fibre's Rx falls about 1 dB per simulated day, past its low alarm", async () => {
    const target = sim.scenarios.dyingFibre!.target;
    const st = sim.state(target)!;
    const port = st.device.ports.find((p) => p.fibre)!;
    const readRx = async () => {
      const s = v2Session(net.addr.fibre2, net.port);
      try {
        return await readRxDbm(s, st.device.vendor, port.ifIndex, port.optical!.huaweiUnit);
      } finally {
        s.close();
      }
    };
    clock = T0;
    const day0 = await readRx();
    clock = T0 + 3 * 86_400_000;
    const day3 = await readRx();
    clock = T0 + 14 * 86_400_000;
    const day14 = await readRx();
    expect(day0).toBeGreaterThan(-8.5);
    expect(day0 - day3).toBeGreaterThan(2.5);
    expect(day0 - day3).toBeLessThan(3.5);
    expect(day14).toBeLessThan(port.optical!.rx.lowAlarm);
  });
});
