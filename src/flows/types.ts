/**
 * What the flow decoders produce (one shape for NetFlow v5/v9, IPFIX and sFlow) and the reasons a datagram
 * is dropped. Byte and packet counts are as the exporter sent them: `samplingRate` says how many packets
 * each counted one stands for, and the collector scales by it (collector.ts), so decoders stay pure.
 */

export interface FlowRecord {
  /** Source and destination IP address, textual (IPv4 dotted, IPv6 compressed lower case). */
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  /** IP protocol number (6 TCP, 17 UDP, ...). */
  proto: number;
  /** Layer-3 bytes and packets seen (before sampling-rate scaling). */
  bytes: number;
  packets: number;
  /** SNMP ifIndex of the input and output interface on the exporter (0: not known). */
  inIf: number;
  outIf: number;
  /** 1 when unsampled; N when one packet in N was seen. */
  samplingRate: number;
}

/** An sFlow generic interface counter sample (RFC 3176 / sFlow v5 if_counters). */
export interface CounterRecord {
  ifIndex: number;
  inOctets: number;
  outOctets: number;
}

export const DROP_REASONS = [
  'truncated', // a length field points past the end of the datagram
  'bad_version', // not a NetFlow v5/v9/IPFIX (netflow port) or sFlow v5 (sflow port) datagram
  'bad_length', // a header's length or count disagrees with the datagram
  'bad_template', // a template that cannot be right (zero-length field, too many fields)
  'no_template', // a data set arrived before its template (or after it was withdrawn): its records are lost
  'unknown_exporter', // the source address is not in flows.exporters
  'internal', // a decoder bug: counted rather than thrown, so one datagram cannot stop the collector
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** A structural problem in a datagram: decoders throw it, decodeDatagram (decode.ts) counts and drops. */
export class DecodeError extends Error {
  constructor(readonly reason: DropReason, message: string) {
    super(message);
  }
}

/** Throws unless `n` bytes from `off` lie inside `buf`: the one bounds check every decoder read goes through. */
export function need(buf: Buffer, off: number, n: number, what: string): void {
  if (off < 0 || n < 0 || off + n > buf.length) throw new DecodeError('truncated', `${what}: needs ${n} bytes at ${off}, datagram has ${buf.length}`);
}

export interface DecodeResult {
  protocol: 'netflow5' | 'netflow9' | 'ipfix' | 'sflow5';
  records: FlowRecord[];
  counters: CounterRecord[];
  /** Templates learnt from this datagram (health metric). */
  templates: number;
  /** Set when part of the datagram was dropped (the records decoded from the rest are kept). */
  partial?: DropReason;
}
