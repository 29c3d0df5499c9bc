/** host_disk: used / size of each filesystem (host probe) or disk row of hrStorage (SNMP; RAM and swap rows skipped). */
import { z } from 'zod';
import { aboveRule, checkClearBelow, defineKind, ruleCommon } from './kind.js';
import { aboveVerdict, perSample, rowKey } from './shared.js';

export const schema = z.strictObject({ kind: z.literal('host_disk'), ...ruleCommon, ...aboveRule });

const DISK_TYPES = new Set(['fixed_disk', 'network_disk', 'removable_disk', 'flash_memory']);
const SIZE = new Set(['netmon_host_filesystem_size_bytes', 'netmon_host_storage_size_bytes']);
const USED = new Set(['netmon_host_filesystem_used_bytes', 'netmon_host_storage_used_bytes']);

export const hostDisk = defineKind(schema, {
  summary: 'Disk {{ disk }} of {{ target }} is {{ value | percent }} full',
  check: checkClearBelow,
  compile(r, scope) {
    return (res) => {
      // used bytes by the key of their size sample: its metric name and row
      const used = new Map<string, number>();
      for (const s of res.samples) if (USED.has(s.metric)) used.set(s.metric.replace('used', 'size') + rowKey(s.labels), s.value);
      return perSample(
        scope,
        res,
        (s) => SIZE.has(s.metric) && s.value > 0 && (!s.labels.storage_type || DISK_TYPES.has(s.labels.storage_type)),
        (s) => {
          const u = used.get(s.metric + rowKey(s.labels));
          if (u === undefined) return undefined;
          const v = u / s.value;
          return { value: v, verdict: aboveVerdict(v, r.above, r.clear_below), threshold: r.above, vars: { disk: s.labels.mountpoint ?? s.labels.storage ?? rowKey(s.labels) } };
        },
      );
    };
  },
});
