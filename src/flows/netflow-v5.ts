/**
 * NetFlow v5 (Cisco's fixed format): a 24-byte header and up to 30 records of 48 bytes. The header's
 * sampling_interval carries the sampling mode in its top 2 bits and the interval in the low 14.
 */
import { ipv4 } from './address.js';
import { DecodeError, need, type DecodeResult, type FlowRecord } from './types.js';

const HEADER = 24;
const RECORD = 48;
/** Cisco's limit; a larger count is a damaged or hostile header. */
const MAX_RECORDS = 30;

export function decodeNetflowV5(buf: Buffer): DecodeResult {
  need(buf, 0, HEADER, 'NetFlow v5 header');
  const count = buf.readUInt16BE(2);
  if (count === 0 || count > MAX_RECORDS) throw new DecodeError('bad_length', `NetFlow v5 count ${count} (1 to ${MAX_RECORDS})`);
  need(buf, HEADER, count * RECORD, 'NetFlow v5 records');
  const interval = buf.readUInt16BE(22) & 0x3fff;
  const samplingRate = interval > 0 ? interval : 1;
  const records: FlowRecord[] = [];
  for (let i = 0, o = HEADER; i < count; i++, o += RECORD) {
    records.push({
      src: ipv4(buf, o),
      dst: ipv4(buf, o + 4),
      inIf: buf.readUInt16BE(o + 12),
      outIf: buf.readUInt16BE(o + 14),
      packets: buf.readUInt32BE(o + 16),
      bytes: buf.readUInt32BE(o + 20),
      srcPort: buf.readUInt16BE(o + 32),
      dstPort: buf.readUInt16BE(o + 34),
      proto: buf[o + 38]!,
      samplingRate,
    });
  }
  return { protocol: 'netflow5', records, counters: [], templates: 0 };
}
