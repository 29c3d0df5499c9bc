/** The decoders against exact datagrams: every field netmon uses, templates, sampling, and the drop reasons. */
import { describe, expect, it } from 'vitest';
import { decodeNetflow, decodeSflowDatagram, type Decoded } from '../../src/flows/decode.js';
import { encodeIpfix, encodeIpfixWithdrawal, encodeNetflowV5, encodeNetflowV9, encodeSflow, type FlowSpec } from '../../src/flows/encode.js';
import { TemplateCache } from '../../src/flows/templates.js';
import type { DecodeResult } from '../../src/flows/types.js';

const v4: FlowSpec = { src: '10.20.1.5', dst: '203.113.7.9', srcPort: 51000, dstPort: 443, proto: 6, bytes: 123456789, packets: 98765, inIf: 3, outIf: 1 };
const v6: FlowSpec = { src: '2001:db8:20::5', dst: '2001:db8::1:0:0:9', srcPort: 40000, dstPort: 53, proto: 17, bytes: 4000, packets: 20, inIf: 1, outIf: 3 };

function ok(d: Decoded): DecodeResult {
  if ('dropped' in d) throw new Error(`dropped: ${d.dropped} (${d.detail})`);
  return d;
}
const strip = ({ src, dst, srcPort, dstPort, proto, bytes, packets, inIf, outIf }: FlowSpec) => ({ src, dst, srcPort, dstPort, proto, bytes, packets, inIf, outIf });

describe('NetFlow v5', () => {
  it('decodes every record field and the sampling interval', () => {
    const r = ok(decodeNetflow(encodeNetflowV5([v4, { ...v4, src: '10.20.1.6' }], { samplingInterval: 100 }), '192.0.2.1', new TemplateCache()));
    expect(r.protocol).toBe('netflow5');
    expect(r.records.map(strip)).toEqual([strip(v4), strip({ ...v4, src: '10.20.1.6' })]);
    expect(r.records[0]!.samplingRate).toBe(100);
  });
  it('drops a count that disagrees with the datagram', () => {
    const b = encodeNetflowV5([v4]);
    b.writeUInt16BE(2, 2);
    expect(decodeNetflow(b, 'x', new TemplateCache())).toMatchObject({ dropped: 'truncated' });
    b.writeUInt16BE(31, 2);
    expect(decodeNetflow(b, 'x', new TemplateCache())).toMatchObject({ dropped: 'bad_length' });
  });
});

describe('NetFlow v9', () => {
  it('decodes IPv4 and IPv6 records through their templates, with the sampling rate from an options template', () => {
    const cache = new TemplateCache();
    const r = ok(decodeNetflow(encodeNetflowV9([v4, v6], { samplingInterval: 512 }), '192.0.2.1', cache));
    expect(r.records.map(strip)).toEqual([strip(v4), strip(v6)]);
    expect(r.records.every((x) => x.samplingRate === 512)).toBe(true);
    expect(r.templates).toBe(3);
  });
  it('keeps templates per exporter and source ID: data without its template is counted as no_template', () => {
    const cache = new TemplateCache();
    ok(decodeNetflow(encodeNetflowV9([v4], { domain: 1 }), '192.0.2.1', cache));
    expect(ok(decodeNetflow(encodeNetflowV9([v4], { domain: 1, templates: false }), '192.0.2.1', cache)).records).toHaveLength(1);
    const otherDomain = ok(decodeNetflow(encodeNetflowV9([v4], { domain: 2, templates: false }), '192.0.2.1', cache));
    expect(otherDomain).toMatchObject({ records: [], partial: 'no_template' });
    const otherExporter = ok(decodeNetflow(encodeNetflowV9([v4], { domain: 1, templates: false }), '192.0.2.2', cache));
    expect(otherExporter).toMatchObject({ records: [], partial: 'no_template' });
  });
  it('refuses a template with a zero-length field', () => {
    const b = encodeNetflowV9([v4]);
    b.writeUInt16BE(0, 20 + 4 + 4 + 2); // first field's length in the first template
    expect(decodeNetflow(b, 'x', new TemplateCache())).toMatchObject({ dropped: 'bad_template' });
  });
});

describe('IPFIX', () => {
  it('skips enterprise fields, reads variable-length ones, and applies the sampling options', () => {
    const cache = new TemplateCache();
    const r = ok(decodeNetflow(encodeIpfix([v4, v6], { extras: true, samplingInterval: 10, domain: 7 }), '192.0.2.1', cache));
    expect(r.protocol).toBe('ipfix');
    expect(r.records.map(strip)).toEqual([strip(v4), strip(v6)]);
    expect(r.records[0]!.samplingRate).toBe(10);
  });
  it('withdraws a template, and re-learns it when the exporter sends it again', () => {
    const cache = new TemplateCache();
    ok(decodeNetflow(encodeIpfix([v4]), 'e', cache));
    ok(decodeNetflow(encodeIpfixWithdrawal(256), 'e', cache));
    expect(ok(decodeNetflow(encodeIpfix([v4], { templates: false }), 'e', cache))).toMatchObject({ records: [], partial: 'no_template' });
    ok(decodeNetflow(encodeIpfix([v4, v6]), 'e', cache));
    ok(decodeNetflow(encodeIpfixWithdrawal(2), 'e', cache)); // all data templates
    expect(ok(decodeNetflow(encodeIpfix([v6], { templates: false }), 'e', cache)).records).toHaveLength(0);
    expect(cache.count()).toBe(0);
  });
  it('a refreshed template replaces the old definition at once', () => {
    const cache = new TemplateCache();
    ok(decodeNetflow(encodeIpfix([v4], { extras: true }), 'e', cache));
    // the same IDs now without the extra fields: records must be read with the new layout
    expect(ok(decodeNetflow(encodeIpfix([v4]), 'e', cache)).records.map(strip)).toEqual([strip(v4)]);
  });
  it('drops a message whose length exceeds the datagram', () => {
    const b = encodeIpfix([v4]);
    expect(decodeNetflow(b.subarray(0, b.length - 1), 'e', new TemplateCache())).toMatchObject({ dropped: 'bad_length' });
  });
  it('bounds templates per domain and domains per cache, counting evictions', () => {
    const cache = new TemplateCache({ maxDomains: 4, maxTemplatesPerDomain: 2, maxEntriesPerDomain: 2 });
    for (let d = 0; d < 10; d++) ok(decodeNetflow(encodeIpfix([v4, v6], { domain: d }), 'e', cache));
    expect(cache.count()).toBe(8);
    expect(cache.evictions).toBe(6);
  });
});

describe('sFlow v5', () => {
  it('decodes raw packet headers (IPv4 and IPv6, ports) with their sampling rate, and interface counters', () => {
    const r = ok(decodeSflowDatagram(encodeSflow([{ flow: { ...v4, bytes: 1500 }, samplingRate: 400 }, { flow: { ...v6, bytes: 120 }, samplingRate: 400 }], { counters: [{ ifIndex: 3, inOctets: 2 ** 40 + 5, outOctets: 77 }] })));
    expect(r.records.map((x) => [x.src, x.dst, x.srcPort, x.dstPort, x.proto, x.bytes, x.packets, x.inIf, x.outIf, x.samplingRate])).toEqual([
      [v4.src, v4.dst, v4.srcPort, v4.dstPort, 6, 1500, 1, 3, 1, 400],
      [v6.src, v6.dst, v6.srcPort, v6.dstPort, 17, 120, 1, 1, 3, 400],
    ]);
    expect(r.counters).toEqual([{ ifIndex: 3, inOctets: 2 ** 40 + 5, outOctets: 77 }]);
  });
  it('drops other versions and truncated samples', () => {
    const b = encodeSflow([{ flow: { ...v4, bytes: 1000 }, samplingRate: 1 }]);
    expect(decodeSflowDatagram(b.subarray(0, b.length - 3))).toMatchObject({ dropped: 'truncated' });
    b.writeUInt32BE(4, 0);
    expect(decodeSflowDatagram(b)).toMatchObject({ dropped: 'bad_version' });
  });
});
