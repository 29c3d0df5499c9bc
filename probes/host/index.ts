/**
 * The host probe: health of the machine netmon runs on (CPU, memory, disks, load), via systeminformation.
 * Data-centre servers are polled over SNMP (HOST-RESOURCES-MIB / UCD-SNMP-MIB); this covers netmon's own box.
 */
import si from 'systeminformation';
import type { Probe, Sample } from '../../src/types.js';
import type { HostSpec } from './kind.js';

export function createHostProbe(): Probe<HostSpec> {
  return {
    kind: 'host',
    async run() {
      const [load, mem, disks] = await Promise.all([si.currentLoad(), si.mem(), si.fsSize()]);
      const ts = Date.now();
      const g = (metric: string, value: number, help: string, unit: string, labels: Record<string, string> = {}): Sample => ({
        metric,
        labels,
        value,
        ts,
        type: 'gauge',
        unit,
        help,
      });
      const samples: Sample[] = [
        g('netmon_host_cpu_utilization_ratio', load.currentLoad / 100, 'CPU busy share of the host, all cores (0-1).', 'ratio'),
        g('netmon_host_memory_total_bytes', mem.total, 'Physical memory of the host.', 'bytes'),
        g('netmon_host_memory_available_bytes', mem.available, 'Memory available to new work on the host.', 'bytes'),
      ];
      for (const d of disks.filter((x) => x.size > 0)) {
        samples.push(
          g('netmon_host_filesystem_size_bytes', d.size, 'Size of a mounted filesystem of the host.', 'bytes', { mountpoint: d.mount }),
          g('netmon_host_filesystem_used_bytes', d.used, 'Used space of a mounted filesystem of the host.', 'bytes', { mountpoint: d.mount }),
        );
      }
      return samples;
    },
  };
}
