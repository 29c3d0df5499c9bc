/**
 * IPFIX (RFC 7011): a 16-byte header whose length bounds the message, then sets: 2 templates, 3 options
 * templates, ≥ 256 data. Templates are kept per exporter and observation domain (templates.ts); a template
 * record with no fields withdraws it (§8.1), and the set ID as template ID withdraws all of that kind.
 * Enterprise-specific fields (E bit) are skipped by length; variable-length fields are read by their prefix.
 */
import { DecodeError, need, type DecodeResult, type DropReason, type FlowRecord } from './types.js';
import { makeTemplate, type Domain, type TemplateField } from './templates.js';
import type { TemplateCache } from './templates.js';
import { readSet } from './records.js';

const HEADER = 16;
const TEMPLATE_SET = 2;
const OPTIONS_SET = 3;

/** Field specifiers from `off`; returns them and where they end. */
function fields(buf: Buffer, off: number, n: number, end: number): [TemplateField[], number] {
  const out: TemplateField[] = [];
  for (let i = 0; i < n; i++) {
    if (off + 4 > end) throw new DecodeError('truncated', 'template runs past its set');
    const raw = buf.readUInt16BE(off);
    const len = buf.readUInt16BE(off + 2);
    const enterprise = (raw & 0x8000) !== 0;
    off += enterprise ? 8 : 4;
    if (off > end) throw new DecodeError('truncated', 'enterprise number runs past its set');
    out.push({ id: raw & 0x7fff, len, skip: enterprise });
  }
  return [out, off];
}

function withdraw(d: Domain, tid: number, options: boolean): void {
  if (tid === (options ? OPTIONS_SET : TEMPLATE_SET)) {
    for (const [id, t] of d.templates) if (t.options === options) d.templates.delete(id);
  } else d.templates.delete(tid);
}

export function decodeIpfix(buf: Buffer, exporter: string, cache: TemplateCache): DecodeResult {
  need(buf, 0, HEADER, 'IPFIX header');
  const length = buf.readUInt16BE(2);
  if (length < HEADER || length > buf.length) throw new DecodeError('bad_length', `IPFIX length ${length}, datagram ${buf.length}`);
  const d = cache.domain(exporter, 'ipfix', buf.readUInt32BE(12));
  const records: FlowRecord[] = [];
  let templates = 0;
  let partial: DropReason | undefined;
  let off = HEADER;
  while (length - off >= 4) {
    const id = buf.readUInt16BE(off);
    const len = buf.readUInt16BE(off + 2);
    if (len < 4 || off + len > length) throw new DecodeError('bad_length', `set length ${len} at ${off}`);
    const end = off + len;
    let p = off + 4;
    if (id === TEMPLATE_SET || id === OPTIONS_SET) {
      const options = id === OPTIONS_SET;
      while (end - p >= 4) {
        const tid = buf.readUInt16BE(p);
        const count = buf.readUInt16BE(p + 2);
        if (count === 0) {
          withdraw(d, tid, options);
          p += 4;
          continue;
        }
        if (options && end - p < 6) throw new DecodeError('truncated', 'options template header runs past its set');
        const scopes = options ? buf.readUInt16BE(p + 4) : 0;
        if (options && (scopes === 0 || scopes > count)) throw new DecodeError('bad_template', `options template ${tid}: scope count ${scopes} of ${count}`);
        const [fs, next] = fields(buf, p + (options ? 6 : 4), count, end);
        const t = tid >= 256 ? makeTemplate(fs, options) : undefined;
        if (!t) throw new DecodeError('bad_template', `template ${tid} with ${count} fields`);
        cache.set(d, tid, t);
        templates++;
        p = next;
      }
    } else if (id >= 256 && !readSet(buf, p, end, id, d, cache, records)) partial = 'no_template';
    off = end;
  }
  return { protocol: 'ipfix', records, counters: [], templates, ...(partial ? { partial } : {}) };
}
