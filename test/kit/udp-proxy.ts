/**
 * A UDP fault injector in front of an SNMP agent (loopback only): it forwards each request and hands the
 * answer back, or drops it (timeout), delays it (slow agent), rewrites it (garbage, see snmp-fuzz.ts), or
 * is not there at all (`vanish()` closes the port, `appear()` binds it again: the agent "returns").
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export type ProxyMode =
  | { kind: 'pass' }
  | { kind: 'drop' }
  | { kind: 'delay'; ms: number }
  /** Replace the agent's answer: `rewrite` gets the request and the real answer (null when `upstream` is false). */
  | { kind: 'rewrite'; upstream: boolean; rewrite: (request: Buffer, answer: Buffer | null) => Buffer[] };

export class FaultProxy {
  mode: ProxyMode = { kind: 'pass' };
  requests = 0;
  answers = 0;
  private socket: Socket | null = null;
  /** One upstream socket per client (address:port), so answers find their way back. */
  private readonly upstreams = new Map<string, Socket>();
  /** The last request each client sent (same keys), handed to a rewrite along with the answer. */
  private readonly lastRequests = new Map<string, Buffer>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    readonly port: number,
    private readonly agentPort: number,
    private readonly address: string,
  ) {}

  static async start(agentPort: number, address = '127.0.0.1', port = 0): Promise<FaultProxy> {
    const s = await bind(address, port);
    const p = new FaultProxy(s.address().port, agentPort, address);
    p.attach(s);
    return p;
  }

  private attach(s: Socket): void {
    this.socket = s;
    s.on('message', (buf, rinfo) => this.onRequest(buf, rinfo));
    s.on('error', () => undefined);
  }

  /** The agent disappears: its port is closed (requests go nowhere and time out). */
  async vanish(): Promise<void> {
    const s = this.socket;
    this.socket = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** The agent comes back on the same port. */
  async appear(): Promise<void> {
    if (this.socket) return;
    this.attach(await bind(this.address, this.port));
  }

  private upstream(rinfo: RemoteInfo): Socket {
    const key = `${rinfo.address}:${rinfo.port}`;
    let u = this.upstreams.get(key);
    if (!u) {
      u = createSocket('udp4');
      u.on('error', () => undefined);
      u.on('message', (answer) => this.onAnswer(Buffer.from(answer), rinfo));
      this.upstreams.set(key, u);
    }
    return u;
  }

  private onRequest(buf: Buffer, rinfo: RemoteInfo): void {
    this.requests++;
    const m = this.mode;
    if (m.kind === 'drop') return;
    if (m.kind === 'rewrite' && !m.upstream) {
      this.reply(m.rewrite(buf, null), rinfo);
      return;
    }
    const u = this.upstream(rinfo);
    this.lastRequests.set(`${rinfo.address}:${rinfo.port}`, buf);
    u.send(buf, this.agentPort, this.address);
  }

  private onAnswer(answer: Buffer, rinfo: RemoteInfo): void {
    const m = this.mode;
    if (m.kind === 'drop') return;
    if (m.kind === 'delay') {
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.reply([answer], rinfo);
      }, m.ms);
      this.timers.add(t);
      return;
    }
    if (m.kind === 'rewrite') {
      const req = this.lastRequests.get(`${rinfo.address}:${rinfo.port}`) ?? Buffer.alloc(0);
      this.reply(m.rewrite(req, answer), rinfo);
      return;
    }
    this.reply([answer], rinfo);
  }

  private reply(datagrams: Buffer[], rinfo: RemoteInfo): void {
    const s = this.socket;
    if (!s) return;
    for (const d of datagrams) {
      this.answers++;
      s.send(d, rinfo.port, rinfo.address);
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.vanish();
    await Promise.all([...this.upstreams.values()].map((u) => new Promise<void>((r) => u.close(() => r()))));
    this.upstreams.clear();
    this.lastRequests.clear();
  }
}

function bind(address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(port, address, () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}
