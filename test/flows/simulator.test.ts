/**
 * The simulator's NetFlow v9 from dc-core, into the real collector over loopback: the flow bytes of each
 * uplink and direction equal the byte counters its SNMP agent serves over the same (simulated) interval,
 * and the flows are attributed to the configured sites and data-centre servers.
 */
import client from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flows as flowsSchema } from '../../src/flows/config.js';
import { FlowService } from '../../src/flows/collector.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { tempDir } from '../alerts/helpers.js';
import { randomPort, smallConfig } from '../simulator/helpers.js';
import { until } from '../traps/tools.js';

// Tuesday 2024-10-15 14:00 in Huế (07:00 UTC): an office afternoon.
const T0 = Date.UTC(2024, 9, 15, 7, 0, 0);
const T1 = T0 + 60_000;
let clock = T0;
const tmp = tempDir();
let sim: Simulator;
let svc: FlowService;

beforeAll(async () => {
  const net = smallConfig();
  const flows = flowsSchema.parse({
    listen_address: '127.0.0.1',
    netflow_port: randomPort(),
    site_prefixes: { 'so-noi-vu': ['10.20.2.0/24'], 'phuong-vy-da': ['10.40.1.0/24'], ttdl: ['10.10.0.0/16'] },
  });
  const config = { ...net.config, flows, storage: { ...net.config.storage, path: `${tmp.dir}/netmon.db` } };
  sim = await startSimulator(config, { now: () => clock });
  const core = sim.state('dc-core')!.device;
  svc = await FlowService.start({
    config,
    registry: new client.Registry(),
    log: () => undefined,
    snmpIfIndex: (target, ifName) => (target === 'dc-core' ? core.ports.find((p) => p.ifName === ifName)?.ifIndex : undefined),
    sflowPort: 0,
    now: () => clock,
  });
});
afterAll(async () => {
  await sim?.close();
  await svc?.close();
  tmp.cleanup();
});

describe('simulator NetFlow v9', () => {
  it('exports exactly the bytes its SNMP counters moved, attributed to sites and servers', async () => {
    clock = T1; // one simulated minute of traffic, exported at the next 5-second tick
    const st = sim.state('dc-core')!;
    for (const [uplink, ifName] of [['international', 'Gi0/2'], ['domestic', 'Gi0/1']] as const) {
      const ifIndex = st.device.ports.find((p) => p.ifName === ifName)!.ifIndex;
      const [c0, c1] = [st.counters(ifIndex, T0), st.counters(ifIndex, T1)];
      for (const direction of ['in', 'out'] as const) {
        const expected = Number(direction === 'in' ? c1.inOctets - c0.inOctets : c1.outOctets - c0.outOctets);
        const q = { uplink, direction, by: 'site' as const, from: T0 - 3600e3, to: T1 + 60e3, limit: 10 };
        const got = await until(() => (svc.top(q)?.total_bytes ?? 0) > 0 && svc.top(q)!, 15_000, `${uplink} ${direction} flows`);
        expect(got.total_bytes).toBe(expected);
        expect(got.rows.map((r) => r.key).sort()).toEqual(['phuong-vy-da', 'so-noi-vu', 'ttdl']);
        const services = svc.top({ ...q, by: 'service' })!;
        expect(services.rows.map((r) => r.key)).toContain('srv-portal-web');
      }
    }
  }, 30_000);
});
