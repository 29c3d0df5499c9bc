/**
 * A hostile IF-MIB agent on loopback UDP (the scripted agent of test/snmp/fake-agent.ts): every column the
 * if-mib profile reads, for `ports` rows or, with `endless`, for rows 1, 2, 3... without end (an agent
 * whose table never finishes); ifAlias as long as asked (65,000 bytes: one varbind fills a datagram).
 * Replies that do not fit a UDP datagram get tooBig, as a real agent answers, so the walker must split.
 */
import { FakeAgent, TAG, type FakeVarbind } from '../snmp/fake-agent.js';

const IF = '1.3.6.1.2.1.2.2.1';
const IFX = '1.3.6.1.2.1.31.1.1.1';
const MAX_DATAGRAM = 65_507;

export interface HostileOptions {
  ports?: number;
  endless?: boolean;
  aliasBytes?: number;
}

/** column OID → its value at a row. */
function columns(o: HostileOptions): [string, number, (row: number) => FakeVarbind['value']][] {
  const alias = (row: number) => `${'A'.repeat(Math.max(0, (o.aliasBytes ?? 8) - 6))}${String(row).padStart(6, '0')}`;
  return [
    [`${IF}.2`, TAG.OctetString, (r) => `port ${r} descr`],
    [`${IF}.5`, TAG.Gauge32, () => 1_000_000_000],
    [`${IF}.7`, TAG.Integer, () => 1],
    [`${IF}.8`, TAG.Integer, () => 1],
    [`${IF}.10`, TAG.Counter32, (r) => r * 1000],
    [`${IF}.11`, TAG.Counter32, () => 5],
    [`${IF}.13`, TAG.Counter32, () => 0],
    [`${IF}.14`, TAG.Counter32, () => 0],
    [`${IF}.16`, TAG.Counter32, (r) => r * 2000],
    [`${IF}.17`, TAG.Counter32, () => 7],
    [`${IF}.19`, TAG.Counter32, () => 0],
    [`${IF}.20`, TAG.Counter32, () => 0],
    [`${IFX}.1`, TAG.OctetString, (r) => `ge-0/0/${r}`],
    [`${IFX}.6`, TAG.Counter64, (r) => BigInt(r) * 1000n],
    [`${IFX}.10`, TAG.Counter64, (r) => BigInt(r) * 2000n],
    [`${IFX}.15`, TAG.Gauge32, () => 1000],
    [`${IFX}.18`, TAG.OctetString, alias],
    [`${IFX}.19`, TAG.TimeTicks, () => 0],
  ];
}

export async function startHostileAgent(o: HostileOptions): Promise<FakeAgent> {
  const ports = o.ports ?? 4;
  const cols = columns(o);
  const scalars: FakeVarbind[] = [
    { oid: '1.3.6.1.2.1.1.3.0', tag: TAG.TimeTicks, value: 100_000 },
    { oid: '1.3.6.1.2.1.2.1.0', tag: TAG.Integer, value: ports },
    { oid: '1.3.6.1.2.1.31.1.5.0', tag: TAG.TimeTicks, value: 50 },
  ];
  const rows: FakeVarbind[] = o.endless
    ? []
    : cols.flatMap(([c, tag, value]) => Array.from({ length: ports }, (_, k) => ({ oid: `${c}.${k + 1}`, tag, value: value(k + 1) })));
  /** Endless: the next row of a column is always there. */
  const generate = (oid: string): FakeVarbind | undefined => {
    for (const [c, tag, value] of cols) {
      if (oid !== c && !oid.startsWith(`${c}.`)) continue;
      const row = oid === c ? 1 : Number(oid.slice(c.length + 1).split('.')[0]) + 1;
      return { oid: `${c}.${row}`, tag, value: value(row) };
    }
    return undefined;
  };
  return FakeAgent.start({
    varbinds: [...scalars, ...rows],
    ...(o.endless ? { generate } : {}),
    hook: (req, reply, agent) => (agent.encode(req, reply).length > MAX_DATAGRAM ? { varbinds: [], errorStatus: 1 } : reply),
  });
}
