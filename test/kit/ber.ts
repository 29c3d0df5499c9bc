/**
 * Minimal BER encoding and decoding of SNMP messages, shared by the scripted fake agent (test/snmp/fake-agent.ts)
 * and the fuzzer (test/kit/snmp-fuzz.ts), which must build replies net-snmp's agent never sends.
 */

export function encLen(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encLen(content.length), content]);
}

/** Two's-complement content of an INTEGER; `unsigned` for Counter/Gauge/TimeTicks (a leading 0 keeps the top bit clear). */
export function intContent(v: bigint, unsigned = false): Buffer {
  if (unsigned) {
    let hex = v.toString(16);
    if (hex.length % 2) hex = '0' + hex;
    const b = Buffer.from(hex, 'hex');
    return b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
  }
  const bytes: number[] = [];
  let x = v;
  for (;;) {
    const byte = Number(x & 0xffn);
    bytes.unshift(byte);
    x >>= 8n;
    if ((x === 0n && !(byte & 0x80)) || (x === -1n && byte & 0x80)) break;
  }
  return Buffer.from(bytes);
}

export function oidContent(oid: string | readonly number[]): Buffer {
  const arcs = typeof oid === 'string' ? oid.split('.').map(Number) : oid;
  const out = [40 * (arcs[0] ?? 1) + (arcs[1] ?? 3)];
  for (const a of arcs.slice(2)) {
    const enc = [a % 128];
    let x = Math.floor(a / 128);
    while (x > 0) {
      enc.unshift((x % 128) | 0x80);
      x = Math.floor(x / 128);
    }
    out.push(...enc);
  }
  return Buffer.from(out);
}

/** A two's-complement INTEGER's content, as a number (64-bit wrap for garbage wider than that). */
export function decodeInt(b: Buffer): number {
  let v = b.length && b[0]! & 0x80 ? -1n : 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return Number(BigInt.asIntN(64, v));
}

export function decodeOid(b: Buffer): string {
  if (b.length === 0) return '';
  const arcs = [Math.floor(b[0]! / 40), b[0]! % 40];
  let x = 0;
  for (const byte of b.subarray(1)) {
    x = x * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(x);
      x = 0;
    }
  }
  return arcs.join('.');
}
