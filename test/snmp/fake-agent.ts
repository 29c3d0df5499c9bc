/**
 * A scripted SNMPv1/v2c agent on loopback for the walker's misbehaviour tests: it serves a sorted list
 * of varbinds correctly by default, and a hook can rewrite any reply (truncate it, punch holes, end a
 * table early, repeat an OID, answer garbage, fail with tooBig/noSuchName). Minimal BER, no dependencies.
 * net-snmp's own agent (used by the other tests) cannot be made to misbehave like real agents do.
 */
import { createSocket, type Socket } from 'node:dgram';
import { decodeInt, decodeOid, intContent, oidContent, tlv } from '../kit/ber.js';

export const TAG = {
  Integer: 0x02,
  OctetString: 0x04,
  Null: 0x05,
  OID: 0x06,
  Counter32: 0x41,
  Gauge32: 0x42,
  TimeTicks: 0x43,
  Counter64: 0x46,
  NoSuchObject: 0x80,
  NoSuchInstance: 0x81,
  EndOfMibView: 0x82,
} as const;
export const PDU = { Get: 0xa0, GetNext: 0xa1, Response: 0xa2, GetBulk: 0xa5 } as const;

export interface FakeVarbind {
  oid: string;
  tag: number;
  value?: number | bigint | string | Buffer;
}

export interface FakeRequest {
  version: number;
  community: string;
  type: number;
  requestId: number;
  /** GETBULK: non-repeaters / max-repetitions; else error status / index (0). */
  a: number;
  b: number;
  oids: string[];
}

export interface FakeReply {
  varbinds: FakeVarbind[];
  errorStatus?: number;
  errorIndex?: number;
}

// ---------------------------------------------------------------- BER

function encodeValue(vb: FakeVarbind): Buffer {
  const v = vb.value;
  switch (vb.tag) {
    case TAG.Integer:
      return tlv(vb.tag, intContent(BigInt(v as number), false));
    case TAG.Counter32:
    case TAG.Gauge32:
    case TAG.TimeTicks:
    case TAG.Counter64:
      return tlv(vb.tag, intContent(BigInt(v as number | bigint), true));
    case TAG.OctetString:
      return tlv(vb.tag, Buffer.isBuffer(v) ? v : Buffer.from(String(v ?? '')));
    case TAG.OID:
      return tlv(vb.tag, oidContent(String(v)));
    default:
      return tlv(vb.tag, Buffer.alloc(0));
  }
}
function encodeResponse(req: FakeRequest, reply: FakeReply): Buffer {
  const vbs = Buffer.concat(reply.varbinds.map((vb) => tlv(0x30, Buffer.concat([tlv(TAG.OID, oidContent(vb.oid)), encodeValue(vb)]))));
  const pdu = tlv(
    PDU.Response,
    Buffer.concat([
      tlv(TAG.Integer, intContent(BigInt(req.requestId), false)),
      tlv(TAG.Integer, intContent(BigInt(reply.errorStatus ?? 0), false)),
      tlv(TAG.Integer, intContent(BigInt(reply.errorIndex ?? 0), false)),
      tlv(0x30, vbs),
    ]),
  );
  return tlv(0x30, Buffer.concat([tlv(TAG.Integer, intContent(BigInt(req.version), false)), tlv(TAG.OctetString, Buffer.from(req.community)), pdu]));
}

class Reader {
  constructor(
    private readonly buf: Buffer,
    public pos = 0,
  ) {}
  read(): { tag: number; body: Buffer } {
    const tag = this.buf[this.pos++]!;
    let n = this.buf[this.pos++]!;
    if (n & 0x80) {
      const k = n & 0x7f;
      n = 0;
      for (let i = 0; i < k; i++) n = n * 256 + this.buf[this.pos++]!;
    }
    const body = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return { tag, body };
  }
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
}
export function decodeRequest(buf: Buffer): FakeRequest {
  const msg = new Reader(new Reader(buf).read().body);
  const version = decodeInt(msg.read().body);
  const community = msg.read().body.toString();
  const pdu = msg.read();
  const p = new Reader(pdu.body);
  const requestId = decodeInt(p.read().body);
  const a = decodeInt(p.read().body);
  const b = decodeInt(p.read().body);
  const list = new Reader(p.read().body);
  const oids: string[] = [];
  while (!list.done) oids.push(decodeOid(new Reader(list.read().body).read().body));
  return { version, community, type: pdu.tag, requestId, a, b, oids };
}

// ---------------------------------------------------------------- agent

function cmp(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

export interface FakeAgentOptions {
  /** 0 = v1 (noSuchName errors), 1 = v2c. */
  version?: 0 | 1;
  community?: string;
  varbinds: FakeVarbind[];
  /** The varbind after `oid` where the static list does not decide (an endless table), else undefined. */
  generate?: (oid: string) => FakeVarbind | undefined;
  /** Rewrite the correct reply (or return 'drop', or raw bytes to send instead). */
  hook?: (req: FakeRequest, reply: FakeReply, agent: FakeAgent) => FakeReply | 'drop' | Buffer | Buffer[];
}

export class FakeAgent {
  readonly requests: FakeRequest[] = [];
  private sorted: FakeVarbind[] = [];
  private constructor(
    private readonly socket: Socket,
    readonly port: number,
    private readonly opts: FakeAgentOptions,
  ) {
    this.setVarbinds(opts.varbinds);
  }

  static async start(opts: FakeAgentOptions): Promise<FakeAgent> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve());
    });
    const agent = new FakeAgent(socket, socket.address().port, opts);
    socket.on('message', (buf, rinfo) => agent.onMessage(buf, rinfo.port, rinfo.address));
    return agent;
  }

  setVarbinds(vbs: FakeVarbind[]): void {
    this.sorted = [...vbs].sort((a, b) => cmp(a.oid, b.oid));
  }

  set(oid: string, value: FakeVarbind['value']): void {
    const vb = this.sorted.find((v) => v.oid === oid);
    if (!vb) throw new Error(`no ${oid}`);
    vb.value = value;
  }

  get(oid: string): FakeVarbind | undefined {
    return this.sorted.find((v) => v.oid === oid);
  }

  next(oid: string): FakeVarbind | undefined {
    return this.opts.generate?.(oid) ?? this.sorted.find((v) => cmp(v.oid, oid) > 0);
  }

  /** The correct reply to a request. */
  answer(req: FakeRequest): FakeReply {
    const v1 = (this.opts.version ?? 1) === 0;
    const out: FakeVarbind[] = [];
    if (req.type === PDU.Get) {
      for (let i = 0; i < req.oids.length; i++) {
        const vb = this.get(req.oids[i]!);
        if (!vb && v1) return { varbinds: req.oids.map((oid) => ({ oid, tag: TAG.Null })), errorStatus: 2, errorIndex: i + 1 };
        out.push(vb ?? { oid: req.oids[i]!, tag: TAG.NoSuchObject });
      }
      return { varbinds: out };
    }
    if (req.type === PDU.GetNext) {
      for (let i = 0; i < req.oids.length; i++) {
        const vb = this.next(req.oids[i]!);
        if (!vb && v1) return { varbinds: req.oids.map((oid) => ({ oid, tag: TAG.Null })), errorStatus: 2, errorIndex: i + 1 };
        out.push(vb ?? { oid: req.oids[i]!, tag: TAG.EndOfMibView });
      }
      return { varbinds: out };
    }
    // GETBULK
    const nonRep = Math.min(req.a, req.oids.length);
    for (let i = 0; i < nonRep; i++) out.push(this.next(req.oids[i]!) ?? { oid: req.oids[i]!, tag: TAG.EndOfMibView });
    const cursors = req.oids.slice(nonRep);
    for (let r = 0; r < req.b; r++) {
      for (let j = 0; j < cursors.length; j++) {
        const vb = this.next(cursors[j]!) ?? { oid: cursors[j]!, tag: TAG.EndOfMibView };
        out.push(vb);
        cursors[j] = vb.oid;
      }
    }
    return { varbinds: out };
  }

  private onMessage(buf: Buffer, port: number, address: string): void {
    let req: FakeRequest;
    try {
      req = decodeRequest(buf);
    } catch {
      return;
    }
    this.requests.push(req);
    let reply: FakeReply | 'drop' | Buffer | Buffer[] = this.answer(req);
    if (this.opts.hook) reply = this.opts.hook(req, reply, this);
    if (reply === 'drop') return;
    const datagrams = Array.isArray(reply) ? reply : Buffer.isBuffer(reply) ? [reply] : [encodeResponse(req, reply)];
    for (const d of datagrams) this.socket.send(d, port, address);
  }

  encode(req: FakeRequest, reply: FakeReply): Buffer {
    return encodeResponse(req, reply);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
