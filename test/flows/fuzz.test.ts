/**
 * The fuzzer over every flow decoder: valid datagrams of each format (the seeds), mutated in the ways a broken
 * or hostile exporter can (bit flips, overwritten length words, truncation, junk appended, splices of two
 * formats), and pure random bytes. Bounded in count and time. Asserts: nothing throws out of the decoders,
 * every drop names a known reason, nothing decodes to an impossible record, and the template cache stays
 * within its bounds however many templates the garbage seems to define.
 */
import { describe, expect, it } from 'vitest';
import { decodeNetflow, decodeSflowDatagram } from '../../src/flows/decode.js';
import { encodeIpfix, encodeIpfixWithdrawal, encodeNetflowV5, encodeNetflowV9, encodeSflow, type FlowSpec } from '../../src/flows/encode.js';
import { TemplateCache } from '../../src/flows/templates.js';
import { DROP_REASONS } from '../../src/flows/types.js';
import { Rng } from '../kit/snmp-fuzz.js';

const ITERATIONS = 150_000;
const TIME_BUDGET_MS = 15_000;

const flow = (i: number, v6 = false): FlowSpec => ({
  src: v6 ? `2001:db8::${i.toString(16)}` : `10.0.${i % 256}.${(i * 7) % 256}`,
  dst: v6 ? '2001:db8:ffff::1' : '203.113.0.1',
  srcPort: 1000 + i,
  dstPort: 443,
  proto: i % 2 ? 6 : 17,
  bytes: 1000 + i,
  packets: 1 + (i % 10),
  inIf: 1 + (i % 4),
  outIf: 2,
});
const flows = (n: number) => Array.from({ length: n }, (_, i) => flow(i, i % 3 === 0));

const seeds: Array<{ port: 'netflow' | 'sflow'; buf: Buffer }> = [
  { port: 'netflow', buf: encodeNetflowV5(flows(5).filter((_, i) => i % 3 !== 0), { samplingInterval: 10 }) },
  { port: 'netflow', buf: encodeNetflowV9(flows(6), { samplingInterval: 100, domain: 3 }) },
  { port: 'netflow', buf: encodeNetflowV9(flows(6), { templates: false, domain: 3 }) },
  { port: 'netflow', buf: encodeIpfix(flows(6), { extras: true, samplingInterval: 4 }) },
  { port: 'netflow', buf: encodeIpfix(flows(6), { templates: false, extras: true }) },
  { port: 'netflow', buf: encodeIpfixWithdrawal(256) },
  { port: 'sflow', buf: encodeSflow(flows(4).map((f) => ({ flow: f, samplingRate: 512 })), { counters: [{ ifIndex: 1, inOctets: 5, outOctets: 6 }] }) },
];

function mutate(rng: Rng, src: Buffer): Buffer {
  let b = Buffer.from(src);
  const n = rng.range(1, 4);
  for (let k = 0; k < n; k++) {
    switch (rng.int(6)) {
      case 0: // bit flips
        for (let i = rng.range(1, 8); i > 0 && b.length; i--) b[rng.int(b.length)]! ^= 1 << rng.int(8);
        break;
      case 1: // a 16- or 32-bit word (often a length, count or ID) set to an extreme
        if (b.length >= 4) {
          const at = rng.int(b.length - 3);
          const v = rng.pick([0, 1, 3, 4, 255, 256, 0x7fff, 0xffff, 0xffffffff, rng.int(2 ** 32)]);
          if (rng.chance(0.5)) b.writeUInt16BE(v & 0xffff, at);
          else b.writeUInt32BE(v >>> 0, at);
        }
        break;
      case 2: // truncation
        b = b.subarray(0, rng.int(b.length + 1));
        break;
      case 3: // junk appended
        b = Buffer.concat([b, rng.bytes(rng.int(64))]);
        break;
      case 4: // splice with another seed
        {
          const other = rng.pick(seeds).buf;
          const at = rng.int(b.length + 1);
          b = Buffer.concat([b.subarray(0, at), other.subarray(rng.int(other.length))]);
        }
        break;
      default: // a random run of bytes overwritten
        if (b.length) rng.bytes(rng.range(1, 16)).copy(b, rng.int(b.length));
    }
  }
  return b;
}

describe('flow decoder fuzzer', () => {
  it(`survives ${ITERATIONS} mutated and random datagrams within bounds`, () => {
    const rng = new Rng(0xf10f);
    const limits = { maxDomains: 64, maxTemplatesPerDomain: 32, maxEntriesPerDomain: 64 };
    const cache = new TemplateCache(limits);
    const reasons = new Map<string, number>();
    let decoded = 0;
    let records = 0;
    const started = Date.now();
    let i = 0;
    for (; i < ITERATIONS && Date.now() - started < TIME_BUDGET_MS; i++) {
      const seed = rng.pick(seeds);
      const buf = rng.chance(0.1) ? rng.bytes(rng.int(1500)) : mutate(rng, seed.buf);
      // Random exporters too, so the garbage also spreads over domains (the cache bound must hold).
      const exporter = `192.0.2.${rng.int(200)}`;
      const port = rng.chance(0.1) ? (seed.port === 'sflow' ? 'netflow' : 'sflow') : seed.port;
      const r = port === 'sflow' ? decodeSflowDatagram(buf) : decodeNetflow(buf, exporter, cache);
      if ('dropped' in r) {
        expect(DROP_REASONS).toContain(r.dropped);
        reasons.set(r.dropped, (reasons.get(r.dropped) ?? 0) + 1);
        continue;
      }
      decoded++;
      records += r.records.length;
      // A datagram of at most ~1.6 kB cannot hold more records than its bytes allow.
      expect(r.records.length).toBeLessThanOrEqual(buf.length);
      for (const x of r.records) {
        if (!(Number.isFinite(x.bytes) && x.bytes >= 0 && Number.isFinite(x.samplingRate) && x.samplingRate > 0 && x.src && x.dst)) throw new Error(`impossible record ${JSON.stringify(x)}`);
      }
    }
    expect(reasons.get('internal') ?? 0).toBe(0); // a decoder bug shows up as `internal`: there must be none
    expect(i).toBeGreaterThan(20_000); // the time budget was not eaten by something pathological
    expect(decoded).toBeGreaterThan(100); // mutations keep enough of the datagrams valid to exercise the record paths
    expect(records).toBeGreaterThan(100);
    expect(cache.count()).toBeLessThanOrEqual(limits.maxDomains * limits.maxTemplatesPerDomain);
    console.log(`fuzz: ${i} datagrams in ${Date.now() - started} ms, ${decoded} decoded (${records} records), drops ${JSON.stringify(Object.fromEntries(reasons))}, templates ${cache.count()}, evictions ${cache.evictions}`);
  }, 30_000);
});
