/**
 * Hostile SNMP replies for the fuzzer: a minimal bounds-checked BER reader/writer for SNMPv1/v2c
 * messages, a bank of real replies captured from an agent, and mutators that turn a real reply into
 * garbage of every kind an attacker or a broken agent can send: bit flips, truncation, corrupted length
 * fields, random bytes, duplicated and oversized varbinds, wrong request ids, type confusion, odd error
 * statuses, non-increasing OIDs, huge integers, OIDs and strings.
 */
import { decodeInt, decodeOid, encLen, intContent, oidContent, tlv } from './ber.js';

// ---------------------------------------------------------------- random numbers (seeded, reproducible)

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    // mulberry32
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

// ---------------------------------------------------------------- BER

interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Header length (tag + length bytes). */
  hdr: number;
  len: number;
  /** Offset just past the content. */
  end: number;
}

function readTlv(buf: Buffer, pos: number, limit = buf.length): Tlv | null {
  if (pos + 2 > limit) return null;
  const tag = buf[pos]!;
  let n = buf[pos + 1]!;
  let hdr = 2;
  if (n & 0x80) {
    const k = n & 0x7f;
    if (k === 0 || k > 4 || pos + 2 + k > limit) return null;
    n = 0;
    for (let i = 0; i < k; i++) n = n * 256 + buf[pos + 2 + i]!;
    hdr += k;
  }
  const end = pos + hdr + n;
  if (end > limit) return null;
  return { tag, start: pos, hdr, len: n, end };
}

function children(buf: Buffer, t: Tlv): Tlv[] | null {
  const out: Tlv[] = [];
  let p = t.start + t.hdr;
  while (p < t.end) {
    const c = readTlv(buf, p, t.end);
    if (!c) return null;
    out.push(c);
    p = c.end;
  }
  return out;
}


/** An SNMPv1/v2c message, varbinds kept as raw TLVs. */
export interface SnmpMsg {
  version: number;
  community: Buffer;
  pduType: number;
  reqId: number;
  /** error-status (or non-repeaters in a GETBULK). */
  a: number;
  /** error-index (or max-repetitions). */
  b: number;
  varbinds: Buffer[];
}

export function decodeMsg(buf: Buffer): SnmpMsg | null {
  const top = readTlv(buf, 0);
  if (!top || top.tag !== 0x30) return null;
  const parts = children(buf, top);
  if (!parts || parts.length < 3) return null;
  const [ver, comm, pdu] = parts as [Tlv, Tlv, Tlv];
  const p = children(buf, pdu);
  if (!p || p.length < 4) return null;
  const list = children(buf, p[3]!);
  if (!list) return null;
  const c = (t: Tlv) => buf.subarray(t.start + t.hdr, t.end);
  return {
    version: decodeInt(c(ver)),
    community: Buffer.from(c(comm)),
    pduType: pdu.tag,
    reqId: decodeInt(c(p[0]!)),
    a: decodeInt(c(p[1]!)),
    b: decodeInt(c(p[2]!)),
    varbinds: list.map((t) => Buffer.from(buf.subarray(t.start, t.end))),
  };
}

export function encodeMsg(m: SnmpMsg): Buffer {
  const pdu = tlv(
    m.pduType,
    Buffer.concat([tlv(0x02, intContent(BigInt(m.reqId))), tlv(0x02, intContent(BigInt(m.a))), tlv(0x02, intContent(BigInt(m.b))), tlv(0x30, Buffer.concat(m.varbinds))]),
  );
  return tlv(0x30, Buffer.concat([tlv(0x02, intContent(BigInt(m.version))), tlv(0x04, m.community), pdu]));
}

/** The OIDs a message's varbinds name. */
function varbindOids(m: SnmpMsg): string[] {
  return m.varbinds.map((vb) => {
    const seq = readTlv(vb, 0);
    const oid = seq && readTlv(vb, seq.hdr, seq.end);
    return oid ? decodeOid(vb.subarray(oid.start + oid.hdr, oid.end)) : '?';
  });
}

/** Key of a request without its id: what it asks for. */
function requestKey(m: SnmpMsg): string {
  return `${m.pduType}:${m.a}:${m.b}:${varbindOids(m).join(',')}`;
}

/** Every TLV header in a message (for length-field corruption). */
function allTlvs(buf: Buffer): Tlv[] {
  const out: Tlv[] = [];
  const walk = (pos: number, end: number, depth: number) => {
    while (pos < end) {
      const t = readTlv(buf, pos, end);
      if (!t) return;
      out.push(t);
      if ((t.tag === 0x30 || (t.tag >= 0xa0 && t.tag <= 0xa8)) && depth < 8) walk(t.start + t.hdr, t.end, depth + 1);
      pos = t.end;
    }
  };
  walk(0, buf.length, 0);
  return out;
}

// ---------------------------------------------------------------- the bank of real replies

/** Real replies captured from an agent, by what the request asked for. */
export class ReplyBank {
  readonly byKey = new Map<string, SnmpMsg>();
  readonly byType = new Map<number, SnmpMsg[]>();
  size = 0;

  add(request: Buffer, answer: Buffer): void {
    const req = decodeMsg(request);
    const ans = decodeMsg(answer);
    if (!req || !ans) return;
    const key = requestKey(req);
    if (this.byKey.has(key)) return;
    this.byKey.set(key, ans);
    let list = this.byType.get(req.pduType);
    if (!list) this.byType.set(req.pduType, (list = []));
    list.push(ans);
    this.size++;
  }

  /** The real answer to this request (its id patched in), or a real answer to a request of the same kind. */
  answerFor(req: SnmpMsg, rng: Rng): SnmpMsg | null {
    const hit = this.byKey.get(requestKey(req));
    const base = hit ?? (this.byType.get(req.pduType) ? rng.pick(this.byType.get(req.pduType)!) : null);
    if (!base) return null;
    return { ...base, reqId: req.reqId, varbinds: [...base.varbinds] };
  }
}

// ---------------------------------------------------------------- mutators

const VALUE_TAGS = [0x02, 0x04, 0x05, 0x06, 0x40, 0x41, 0x42, 0x43, 0x44, 0x46, 0x47, 0x48, 0x80, 0x81, 0x82, 0x30, 0xa2, 0x00, 0xff];

function setValue(vb: Buffer, value: Buffer): Buffer {
  const seq = readTlv(vb, 0);
  const oid = seq && readTlv(vb, seq.hdr, seq.end);
  if (!seq || !oid) return vb;
  return tlv(0x30, Buffer.concat([vb.subarray(oid.start, oid.end), value]));
}

function setOid(vb: Buffer, arcs: number[] | Buffer): Buffer {
  const seq = readTlv(vb, 0);
  const oid = seq && readTlv(vb, seq.hdr, seq.end);
  if (!seq || !oid) return vb;
  const content = Buffer.isBuffer(arcs) ? arcs : oidContent(arcs);
  return tlv(0x30, Buffer.concat([tlv(0x06, content), vb.subarray(oid.end, seq.end)]));
}

function valueOf(vb: Buffer): { tag: number; content: Buffer } | null {
  const seq = readTlv(vb, 0);
  const oid = seq && readTlv(vb, seq.hdr, seq.end);
  const val = oid && readTlv(vb, oid.end, seq.end);
  return val ? { tag: val.tag, content: vb.subarray(val.start + val.hdr, val.end) } : null;
}

/** Structural mutations: the message still parses as BER, but lies. */
const STRUCTURAL: Record<string, (m: SnmpMsg, r: Rng) => void> = {
  wrongRequestId(m, r) {
    m.reqId = r.chance(0.5) ? m.reqId + r.range(1, 3) : r.range(-2147483648, 2147483647);
  },
  duplicateVarbinds(m, r) {
    if (m.varbinds.length === 0) return;
    for (let k = r.range(1, 20); k > 0; k--) m.varbinds.splice(r.int(m.varbinds.length + 1), 0, r.pick(m.varbinds));
  },
  oversizeVarbindList(m, r) {
    if (m.varbinds.length === 0) return;
    const target = r.range(8_000, 60_000);
    let size = m.varbinds.reduce((s, v) => s + v.length, 0);
    const src = [...m.varbinds];
    while (size < target) {
      const v = r.pick(src);
      m.varbinds.push(v);
      size += v.length;
    }
  },
  hugeValue(m, r) {
    if (m.varbinds.length === 0) return;
    const i = r.int(m.varbinds.length);
    const kind = r.int(6);
    const big =
      kind === 0 ? tlv(0x04, r.bytes(r.range(1000, 60_000)))
      : kind === 1 ? tlv(0x46, r.bytes(r.range(9, 400))) // Counter64 far wider than 64 bits
      : kind === 2 ? tlv(0x02, r.bytes(r.range(5, 64))) // INTEGER wider than 32 bits
      : kind === 3 ? tlv(0x06, oidContent([1, 3, ...Array.from({ length: r.range(100, 2000) }, () => r.int(2 ** 31))]))
      : kind === 4 ? tlv(0x41, r.bytes(r.range(5, 40))) // Counter32 wider than 32 bits
      : tlv(0x43, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff])); // TimeTicks over 2^32
    m.varbinds[i] = setValue(m.varbinds[i]!, big);
  },
  typeConfusion(m, r) {
    for (let k = r.range(1, 4); k > 0 && m.varbinds.length > 0; k--) {
      const i = r.int(m.varbinds.length);
      const v = valueOf(m.varbinds[i]!);
      if (v) m.varbinds[i] = setValue(m.varbinds[i]!, tlv(r.pick(VALUE_TAGS), v.content));
    }
  },
  negativeOrEmptyValue(m, r) {
    for (let k = r.range(1, 4); k > 0 && m.varbinds.length > 0; k--) {
      const i = r.int(m.varbinds.length);
      const v = valueOf(m.varbinds[i]!);
      if (!v) continue;
      const content = r.chance(0.5) ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x80 | r.int(128)]), r.bytes(r.range(0, 8))]);
      m.varbinds[i] = setValue(m.varbinds[i]!, tlv(v.tag, content));
    }
  },
  errorStatus(m, r) {
    m.a = r.pick([1, 2, 3, 4, 5, 6, 13, 18, 255, -1, 2 ** 31 - 1]);
    m.b = r.pick([0, 1, m.varbinds.length, m.varbinds.length + 1, -1, 2 ** 31 - 1, r.int(m.varbinds.length + 2)]);
  },
  reorder(m, r) {
    const k = r.int(4);
    if (k === 0) m.varbinds.reverse();
    else if (k === 1) for (let i = m.varbinds.length - 1; i > 0; i--) { const j = r.int(i + 1); [m.varbinds[i], m.varbinds[j]] = [m.varbinds[j]!, m.varbinds[i]!]; }
    else if (k === 2) m.varbinds.length = r.int(m.varbinds.length + 1);
    else m.varbinds = m.varbinds.filter(() => r.chance(0.7));
  },
  oidChaos(m, r) {
    for (let k = r.range(1, 4); k > 0 && m.varbinds.length > 0; k--) {
      const i = r.int(m.varbinds.length);
      const c = r.int(6);
      if (c === 0 && i > 0) m.varbinds[i] = setOid(m.varbinds[i]!, readOidArcs(m.varbinds[i - 1]!)); // repeated OID
      else if (c === 1) m.varbinds[i] = setOid(m.varbinds[i]!, Buffer.alloc(0)); // empty OID
      else if (c === 2) m.varbinds[i] = setOid(m.varbinds[i]!, [1, 3, 6, 1, 2, 1, 1]); // backwards, out of the table
      else if (c === 3) m.varbinds[i] = setOid(m.varbinds[i]!, [...readOidArcs(m.varbinds[i]!), r.int(2 ** 32)]); // deeper, huge arc
      else if (c === 4) m.varbinds[i] = setOid(m.varbinds[i]!, Buffer.from([0x2b, 0x86, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80])); // unterminated arc
      else m.varbinds[i] = setOid(m.varbinds[i]!, readOidArcs(m.varbinds[i]!).map((a, j) => (j > 6 && r.chance(0.3) ? r.int(10_000) : a)));
    }
  },
  headerChaos(m, r) {
    const c = r.int(4);
    if (c === 0) m.pduType = r.pick([0xa0, 0xa1, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0x30, r.int(256)]);
    else if (c === 1) m.version = r.pick([0, 2, 3, -1, 2 ** 31 - 1]);
    else if (c === 2) m.community = r.chance(0.5) ? Buffer.alloc(0) : r.bytes(r.range(1, 300));
    else m.varbinds = [];
  },
};

function readOidArcs(vb: Buffer): number[] {
  const seq = readTlv(vb, 0);
  const oid = seq && readTlv(vb, seq.hdr, seq.end);
  if (!oid) return [1, 3];
  return decodeOid(vb.subarray(oid.start + oid.hdr, oid.end)).split('.').filter(Boolean).map(Number);
}

/** Byte-level mutations of an encoded message. */
const BYTES: Record<string, (b: Buffer, r: Rng) => Buffer> = {
  bitFlips(b, r) {
    const out = Buffer.from(b);
    if (out.length === 0) return out;
    for (let k = r.range(1, 8); k > 0; k--) out[r.int(out.length)]! ^= 1 << r.int(8);
    return out;
  },
  truncate(b, r) {
    return Buffer.from(b.subarray(0, r.int(b.length)));
  },
  lengthField(b, r) {
    const tlvs = allTlvs(b);
    if (tlvs.length === 0) return Buffer.from(b);
    const t = r.pick(tlvs);
    const choices = [
      Buffer.from([0x80]), // indefinite length (not allowed in SNMP)
      Buffer.from([0x84, 0xff, 0xff, 0xff, 0xff]),
      Buffer.from([0x84, 0x7f, 0xff, 0xff, 0xff]),
      Buffer.from([0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9]), // more length bytes than any parser reads
      encLen(Math.max(0, t.len + r.range(-3, 3))),
      encLen(t.len + r.range(4, 70_000)),
      Buffer.from([0x81, r.int(256)]),
      Buffer.from([r.int(256)]),
      Buffer.from([0x00]),
    ];
    return Buffer.concat([b.subarray(0, t.start + 1), r.pick(choices), b.subarray(t.start + t.hdr)]);
  },
  randomRun(b, r) {
    const out = Buffer.from(b);
    if (out.length === 0) return out;
    const at = r.int(out.length);
    r.bytes(Math.min(r.range(1, 32), out.length - at)).copy(out, at);
    return out;
  },
  insertOrDelete(b, r) {
    const at = r.int(b.length + 1);
    return r.chance(0.5) ? Buffer.concat([b.subarray(0, at), r.bytes(r.range(1, 64)), b.subarray(at)]) : Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + r.range(1, 64)))]);
  },
  appendGarbage(b, r) {
    return Buffer.concat([b, r.bytes(r.range(1, 512))]);
  },
  fullyRandom(_b, r) {
    const n = r.range(0, 1500);
    const out = r.bytes(n);
    if (n > 0 && r.chance(0.5)) out[0] = 0x30; // looks like a SEQUENCE, so the parser goes deeper
    return out;
  },
};

const STRUCT_NAMES = Object.keys(STRUCTURAL);
const BYTE_NAMES = Object.keys(BYTES);

/**
 * One hostile datagram from a real answer: 1-3 mutations, structural (then re-encoded), byte-level or
 * both. Returns the datagram and the names of the mutations applied.
 */
export function mutate(answer: SnmpMsg, r: Rng): { datagram: Buffer; applied: string[] } {
  const m: SnmpMsg = { ...answer, varbinds: [...answer.varbinds] };
  const applied: string[] = [];
  const kind = r.int(3); // 0 structural, 1 bytes, 2 both
  if (kind !== 1) {
    for (let k = r.range(1, 2); k > 0; k--) {
      const name = r.pick(STRUCT_NAMES);
      STRUCTURAL[name]!(m, r);
      applied.push(name);
    }
  }
  let d = encodeMsg(m);
  if (kind !== 0) {
    for (let k = r.range(1, 2); k > 0; k--) {
      const name = r.pick(BYTE_NAMES);
      d = BYTES[name]!(d, r);
      applied.push(name);
    }
  }
  if (d.length > 65_000) d = d.subarray(0, 65_000); // a UDP datagram's limit
  return { datagram: d, applied };
}
