/**
 * 24 hours of dc-core's uplink byte counters every 10 s (a working-day curve with noise), written into a
 * store before the daemon opens it: the history the dashboard bench and the HTTP flood test query.
 */
import { openStore } from '../../src/store/index.js';
import type { Sample } from '../../src/types.js';

const STEP = 10_000;

/** Returns the number of samples written. */
export function seedUplinkHistory(dbPath: string): number {
  const store = openStore(dbPath, { jobs: false });
  const now = Math.floor(Date.now() / STEP) * STEP - STEP;
  const start = now - 24 * 3600e3;
  const ports = [
    { if_index: '1', if_name: 'Gi0/1', peakIn: 70e6, peakOut: 35e6 },
    { if_index: '2', if_name: 'Gi0/2', peakIn: 2e6, peakOut: 0.8e6 },
  ];
  let n = 0;
  for (const p of ports) {
    const labels = { target: 'dc-core', site: 'ttdl', site_group: 'datacentre', if_index: p.if_index, if_name: p.if_name, if_alias: 'bench history' };
    let inB = 1e12;
    let outB = 5e11;
    const batch: Sample[] = [];
    for (let ts = start; ts <= now; ts += STEP) {
      const hour = ((ts / 3600e3 + 7) % 24 + 24) % 24;
      const office = hour >= 7.5 && hour <= 17 ? Math.sin(((hour - 7.5) / 9.5) * Math.PI) : 0;
      const f = 0.1 + 0.85 * office * (0.85 + 0.3 * Math.random());
      inB += (Math.min(p.peakIn, p.peakIn * f) / 8) * (STEP / 1000);
      outB += (p.peakOut * f / 8) * (STEP / 1000);
      batch.push({ metric: 'netmon_interface_receive_bytes_total', labels, value: inB, ts, type: 'counter' }, { metric: 'netmon_interface_transmit_bytes_total', labels, value: outB, ts, type: 'counter' });
    }
    store.write(batch);
    n += batch.length;
  }
  store.flush();
  store.close();
  return n;
}

