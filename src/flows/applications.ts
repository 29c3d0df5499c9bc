/** The protocol/port → application table (applications.yaml: vendor-neutral knowledge kept as data). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ROOT } from '../paths.js';

const portList = z.array(z.number().int().min(0).max(65535)).default([]);
const fileSchema = z.strictObject({
  applications: z.array(
    z.strictObject({
      name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._+-]{0,31}$/),
      tcp: portList,
      udp: portList,
      protocols: z.array(z.number().int().min(0).max(255)).default([]),
    }),
  ),
});

export const OTHER_APP = 'other';
const TCP = 6;
const UDP = 17;

export class ApplicationTable {
  private readonly byPort = new Map<number, string>();
  private readonly byProto = new Map<number, string>();
  readonly names: string[];

  constructor(text: string) {
    const f = fileSchema.parse(parse(text));
    for (const a of f.applications) {
      for (const p of a.tcp) this.byPort.set(TCP * 65536 + p, a.name);
      for (const p of a.udp) this.byPort.set(UDP * 65536 + p, a.name);
      for (const p of a.protocols) this.byProto.set(p, a.name);
    }
    this.names = [...new Set(f.applications.map((a) => a.name)), OTHER_APP];
  }

  static load(file = join(ROOT, 'config', 'flows', 'applications.yaml')): ApplicationTable {
    return new ApplicationTable(readFileSync(file, 'utf8'));
  }

  classify(proto: number, srcPort: number, dstPort: number): string {
    const p = this.byProto.get(proto);
    if (p) return p;
    if (proto !== TCP && proto !== UDP) return OTHER_APP;
    const lo = Math.min(srcPort, dstPort);
    const hi = Math.max(srcPort, dstPort);
    return this.byPort.get(proto * 65536 + lo) ?? this.byPort.get(proto * 65536 + hi) ?? OTHER_APP;
  }
}
