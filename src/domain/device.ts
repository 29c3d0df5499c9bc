/** The device page's read model: one target's interfaces (with error rates), CPU and memory gauges, ENTITY inventory. */
import type { LoadedConfig } from '../config/model.js';
import type { DeviceGauge, DeviceInterface, DeviceResponse } from '../http/contract.js';
import type { LiveState } from '../live.js';
import type { StatusView } from '../status/index.js';
import type { Store } from '../store/types.js';
import { inventory, opticalByTarget } from './inventory.js';
import { M } from './metrics.js';
import { interfaces } from './sites.js';
import { currentRate, round } from './series.js';

/** Vendor-profile gauges of network devices (docs/metrics.md, profiles cisco-cpu, cisco-memory, huawei/h3c-cpu-memory). */
const DEVICE = {
  cpu: 'netmon_device_cpu_utilization_ratio',
  memRatio: 'netmon_device_memory_utilization_ratio',
  memUsed: 'netmon_device_memory_used_bytes',
  memFree: 'netmon_device_memory_free_bytes',
} as const;

const gauges = (live: LiveState, metric: string, target: string): DeviceGauge[] =>
  live.find(metric, { target }).map((s) => ({ labels: s.labels, value: s.value, ts: s.ts }));

export function device(config: LoadedConfig, live: LiveState, status: StatusView, store: Store, name: string, now = Date.now()): DeviceResponse | null {
  const t = inventory(config).byName.get(name);
  if (!t) return null;
  const st = status.target(name, now);
  const interval = t.probes.find((p) => p.kind === 'snmp')?.intervalMs ?? 60e3;
  const errorRate = (metric: string, ifIndex: string | null): number | null => {
    if (!ifIndex) return null;
    const series = store.findSeries(metric, { target: name, if_index: ifIndex }).sort((a, b) => a.id - b.id).at(-1);
    const r = series ? currentRate(store, series.id, now, interval) : null;
    return r ? round(r.value, 3) : null;
  };
  const rows: DeviceInterface[] = t.probes.some((p) => p.kind === 'snmp')
    ? interfaces(t, live, store, opticalByTarget(live).get(name) ?? [], now).map((i) => ({ ...i, in_errors_per_s: errorRate(M.ifInErrors, i.if_index), out_errors_per_s: errorRate(M.ifOutErrors, i.if_index) }))
    : [];
  const pools = new Map<string, { pool: string; used_bytes: number | null; free_bytes: number | null }>();
  const pool = (p: string) => pools.get(p) ?? pools.set(p, { pool: p, used_bytes: null, free_bytes: null }).get(p)!;
  for (const s of live.find(DEVICE.memUsed, { target: name })) pool(s.labels.pool ?? '').used_bytes = s.value;
  for (const s of live.find(DEVICE.memFree, { target: name })) pool(s.labels.pool ?? '').free_bytes = s.value;
  return {
    target: name,
    site: t.site,
    role: t.role,
    address: t.address,
    state: st.state,
    reasons: st.reasons,
    interfaces: rows,
    cpu: gauges(live, DEVICE.cpu, name),
    memory_ratio: gauges(live, DEVICE.memRatio, name),
    memory_pools: [...pools.values()],
    inventory: live.inventory(name) ?? null,
  };
}
