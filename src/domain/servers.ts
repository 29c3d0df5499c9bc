/**
 * Data-centre servers: CPU, memory, disks and load of every server target, from the newest samples; whether
 * one is unreachable is the status module's decision (the same as its site tile's and the alert's).
 */
import type { LoadedConfig } from '../config/model.js';
import type { LiveState } from '../live.js';
import type { StatusView } from '../status/index.js';
import type { Sample } from '../types.js';
import { byTarget, firstByTarget, inventory, isFresh, rowKey } from './inventory.js';
import { DISK_STORAGE_TYPES, M, SERVER, SERVER_THRESHOLDS } from './metrics.js';
import { round } from './series.js';
import type { ServerSummary } from '../http/contract.js';

const avg = (ss: Sample[] | undefined) => (ss && ss.length ? ss.reduce((a, s) => a + s.value, 0) / ss.length : null);
const sum = (ss: Sample[] | undefined) => (ss && ss.length ? ss.reduce((a, s) => a + s.value, 0) : null);

function diskName(labels: Record<string, string>): string {
  return labels.mountpoint ?? labels.storage ?? labels.descr ?? labels.hr_storage_descr ?? labels.path ?? labels.device ?? rowKey(labels);
}

export function servers(config: LoadedConfig, live: LiveState, status: StatusView, now = Date.now()): ServerSummary[] {
  const inv = inventory(config);
  const cpu = firstByTarget(live, SERVER.cpu);
  const memTotal = firstByTarget(live, SERVER.memTotal);
  const memAvail = firstByTarget(live, SERVER.memAvail);
  const memUsed = firstByTarget(live, SERVER.memUsed);
  const fsSize = firstByTarget(live, SERVER.fsSize);
  const fsUsed = firstByTarget(live, SERVER.fsUsed);
  const load = firstByTarget(live, SERVER.load);
  const load1 = firstByTarget(live, SERVER.load1);
  const load5 = firstByTarget(live, SERVER.load5);
  const load15 = firstByTarget(live, SERVER.load15);
  const success = byTarget(live, M.probeSuccess);
  const siteName = (id: string) => inv.sites.get(id)?.name ?? id;

  return inv.targets
    .filter((t) => t.role === 'server' || t.probes.some((p) => p.kind === 'host'))
    .map((t) => {
      const total = sum(memTotal.get(t.name));
      const used = memUsed.has(t.name) ? sum(memUsed.get(t.name)) : total !== null && memAvail.has(t.name) ? total - sum(memAvail.get(t.name))! : null;
      const sizes = fsSize.get(t.name) ?? [];
      const useds = new Map((fsUsed.get(t.name) ?? []).map((s) => [diskName(s.labels), s.value]));
      const disks = sizes
        .filter((s) => s.value > 0 && (!s.labels.storage_type || DISK_STORAGE_TYPES.has(s.labels.storage_type)))
        .map((s) => {
          const u = useds.get(diskName(s.labels)) ?? null;
          return { name: diskName(s.labels), size_bytes: s.value, used_bytes: u, used_ratio: u === null ? null : round(u / s.value, 4) };
        })
        .sort((a, b) => a.name.localeCompare(b.name));
      const loadOf = (period: string, direct: Map<string, Sample[]>) =>
        round(direct.get(t.name)?.[0]?.value ?? load.get(t.name)?.find((s) => (s.labels.period ?? s.labels.interval ?? '').replace(/m$/, '') === period)?.value, 2);
      const probes = (success.get(t.name) ?? []).filter((s) => s.labels.probe === 'snmp' || s.labels.probe === 'host');
      const fresh = probes.filter((s) => isFresh(s, t, s.labels.probe!, now));
      const ok = fresh.length ? fresh.every((s) => s.value === 1) : null;
      const cpuRatio = round(avg(cpu.get(t.name)), 4);
      const memRatio = total && used !== null ? round(used / total, 4) : null;
      const worstDisk = disks.reduce<number | null>((m, d) => (d.used_ratio !== null && (m === null || d.used_ratio > m) ? d.used_ratio : m), null);
      const warnings: string[] = [];
      if (status.target(t.name, now).state === 'down') warnings.push('unreachable');
      if (cpuRatio !== null && cpuRatio >= SERVER_THRESHOLDS.cpuWarn) warnings.push('cpu');
      if (memRatio !== null && memRatio >= SERVER_THRESHOLDS.memWarn) warnings.push('memory');
      if (worstDisk !== null && worstDisk >= SERVER_THRESHOLDS.diskWarn) warnings.push('disk');
      const ts = [...(cpu.get(t.name) ?? []), ...(memTotal.get(t.name) ?? []), ...probes].reduce((m, s) => Math.max(m, s.ts), 0);
      return {
        target: t.name,
        site: t.site,
        site_name: siteName(t.site),
        address: t.address,
        description: config.targets.find((c) => c.name === t.name)?.description ?? null,
        ok,
        cpu_ratio: cpuRatio,
        cpus: cpu.get(t.name)?.length ?? null,
        memory_total_bytes: total,
        memory_used_bytes: used,
        memory_used_ratio: memRatio,
        disks,
        load1: loadOf('1', load1),
        load5: loadOf('5', load5),
        load15: loadOf('15', load15),
        warnings,
        updated_at: ts || null,
      };
    });
}
