/**
 * CPU per flow record of the collector's own path, without UDP: decode (NetFlow v9) → attribute → aggregate,
 * on bench/flows.ts's datagrams, timed by process.cpuUsage (robust to a loaded machine, unlike wall time).
 * bench/flows.ts measures the whole receiver process; this isolates what the decoders and aggregation cost,
 * and is what `node --cpu-prof --import tsx bench/flows-cpu.ts` profiles.
 *
 *   npx tsx bench/flows-cpu.ts      last line: one JSON object (median of 5 runs of 600,000 records)
 */
import { ApplicationTable } from '../src/flows/applications.js';
import { MinuteAggregator } from '../src/flows/aggregate.js';
import { Attributor } from '../src/flows/attribute.js';
import { decodeNetflow } from '../src/flows/decode.js';
import { encodeNetflowV9 } from '../src/flows/encode.js';
import { TemplateCache } from '../src/flows/templates.js';

const PER_DATAGRAM = 30;
const DATAGRAMS = 20_000;
const pkts = Array.from({ length: 100 }, (_, k) =>
  encodeNetflowV9(
    Array.from({ length: PER_DATAGRAM }, (_, i) => ({ src: `10.${1 + ((k + i) % 2)}.${(k * 7) % 250}.${i + 1}`, dst: `203.113.${k % 250}.${(i * 13) % 250}`, srcPort: 40000 + i, dstPort: [443, 80, 53, 25][i % 4]!, proto: i % 4 === 2 ? 17 : 6, bytes: 1000 + i * 37, packets: 1 + (i % 9), inIf: 2, outIf: 1 })),
    { seq: k, templates: k === 0 },
  ),
);
const cache = new TemplateCache();
const attributor = new Attributor({ sitePrefixes: { a: ['10.1.0.0/16'], b: ['10.2.0.0/16'] }, services: new Map(), apps: ApplicationTable.load(), uplinkOf: (_e, i) => (i === 1 ? 'wan' : undefined) });
let closed = 0;
const agg = new MinuteAggregator(100, (rows) => (closed += rows.length));
let records = 0;

function run(n: number): void {
  const now = Date.now();
  for (let j = 0; j < n; j++) {
    const r = decodeNetflow(pkts[j % pkts.length]!, '127.0.0.1', cache);
    if ('dropped' in r) throw new Error(`bench datagram dropped: ${r.detail}`);
    for (const rec of r.records) {
      const a = attributor.attribute('127.0.0.1', rec);
      if (a) agg.add(now, a);
      records++;
    }
  }
}

run(DATAGRAMS); // warm-up: JIT and the aggregation maps
const ns: number[] = [];
for (let t = 0; t < 5; t++) {
  const r0 = records;
  const c0 = process.cpuUsage();
  run(DATAGRAMS);
  const c = process.cpuUsage(c0);
  ns.push(((c.user + c.system) * 1000) / (records - r0));
}
agg.flush();
ns.sort((x, y) => x - y);
console.log(JSON.stringify({ records_per_run: DATAGRAMS * PER_DATAGRAM, ns_per_record_median: Math.round(ns[2]!), ns_per_record: ns.map(Math.round), rows_closed: closed }));
