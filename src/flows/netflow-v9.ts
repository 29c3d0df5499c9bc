/**
 * NetFlow v9 (RFC 3954): a 20-byte header, then FlowSets: 0 templates, 1 options templates, ≥ 256 data.
 * Templates are kept per exporter and source ID (templates.ts). v9 has no withdrawal: a template is
 * replaced by a new one with the same ID, and ages out of the bounded cache otherwise.
 */
import { DecodeError, need, type DecodeResult, type DropReason, type FlowRecord } from './types.js';
import { makeTemplate, type TemplateCache, type TemplateField } from './templates.js';
import { readSet } from './records.js';

const HEADER = 20;
/** v9 option scope types (RFC 3954 §6.1) are their own numbering; only Interface (2) means something here. */
const SCOPE_INTERFACE = 2;
const IE_INGRESS_INTERFACE = 10;

function fields(buf: Buffer, off: number, n: number, scope: boolean): TemplateField[] {
  const out: TemplateField[] = [];
  for (let i = 0; i < n; i++, off += 4) {
    const type = buf.readUInt16BE(off);
    const len = buf.readUInt16BE(off + 2);
    if (scope) out.push({ id: type === SCOPE_INTERFACE ? IE_INGRESS_INTERFACE : 0, len, skip: type !== SCOPE_INTERFACE });
    else out.push({ id: type, len, skip: false });
  }
  return out;
}

export function decodeNetflowV9(buf: Buffer, exporter: string, cache: TemplateCache): DecodeResult {
  need(buf, 0, HEADER, 'NetFlow v9 header');
  const d = cache.domain(exporter, 'v9', buf.readUInt32BE(16));
  const records: FlowRecord[] = [];
  let templates = 0;
  let partial: DropReason | undefined;
  let off = HEADER;
  // Trailing bytes shorter than a FlowSet header are padding some exporters add.
  while (buf.length - off >= 4) {
    const id = buf.readUInt16BE(off);
    const len = buf.readUInt16BE(off + 2);
    if (len < 4) throw new DecodeError('bad_length', `FlowSet length ${len} at ${off}`);
    need(buf, off, len, 'FlowSet');
    const end = off + len;
    let p = off + 4;
    if (id === 0) {
      while (end - p >= 4) {
        const tid = buf.readUInt16BE(p);
        const count = buf.readUInt16BE(p + 2);
        need(buf, p + 4, count * 4, 'template fields');
        if (p + 4 + count * 4 > end) throw new DecodeError('truncated', 'template runs past its FlowSet');
        const t = tid >= 256 ? makeTemplate(fields(buf, p + 4, count, false), false) : undefined;
        if (!t) throw new DecodeError('bad_template', `template ${tid} with ${count} fields`);
        cache.set(d, tid, t);
        templates++;
        p += 4 + count * 4;
      }
    } else if (id === 1) {
      while (end - p >= 10) {
        const tid = buf.readUInt16BE(p);
        const scopeLen = buf.readUInt16BE(p + 2);
        const optLen = buf.readUInt16BE(p + 4);
        if (scopeLen % 4 || optLen % 4) throw new DecodeError('bad_template', `options template ${tid}: lengths not multiples of 4`);
        if (p + 6 + scopeLen + optLen > end) throw new DecodeError('truncated', 'options template runs past its FlowSet');
        const all = [...fields(buf, p + 6, scopeLen / 4, true), ...fields(buf, p + 6 + scopeLen, optLen / 4, false)];
        const t = tid >= 256 ? makeTemplate(all, true) : undefined;
        if (!t) throw new DecodeError('bad_template', `options template ${tid}`);
        cache.set(d, tid, t);
        templates++;
        p += 6 + scopeLen + optLen;
      }
    } else if (id >= 256 && !readSet(buf, p, end, id, d, cache, records)) partial = 'no_template';
    off = end;
  }
  return { protocol: 'netflow9', records, counters: [], templates, ...(partial ? { partial } : {}) };
}
