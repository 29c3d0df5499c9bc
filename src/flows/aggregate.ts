/**
 * Per-minute aggregation: for each uplink and direction, bytes and packets per key of every dimension. When
 * the minute closes only the top N keys per dimension are kept and the rest is summed under OTHER, so the
 * total of any dimension is the exact total of the uplink-minute. Memory is bounded while the minute is open
 * too: past `maxKeys` distinct keys in a dimension (a scan, a flood of spoofed sources) new keys go straight
 * to OTHER (counted in `overflowed`); the totals stay exact, only the ranking of late newcomers is lost.
 */
import type { Attributed, Direction } from './attribute.js';

export const DIMENSIONS = ['site', 'service', 'app', 'src', 'dst', 'pair'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
/** The remainder: everything outside the top N of its minute. */
export const OTHER = 'other';
export const MINUTE = 60_000;

export interface FlowRow {
  /** Start of the minute, ms. */
  ts: number;
  uplink: string;
  direction: Direction;
  dim: Dimension;
  key: string;
  bytes: number;
  packets: number;
}

type Counts = [bytes: number, packets: number];

/** The dimensions keyed by one field of the flow; `pair` is kept as src → dst → entry (no string built per flow). */
type Single = Exclude<Dimension, 'pair'>;

/**
 * One src → dst pair of the open minute. The hot path counts a flow once, here: `derived` holds the bytes of
 * the flows whose site, service and app are the entry's (compared by identity: they come from interned
 * tables), and the single dimensions are summed from the entries when the minute closes. A flow that differs
 * (another app of the same pair, a reload that moved its site) is counted in the bucket's dims directly.
 */
interface PairEntry {
  total: Counts;
  site: string;
  service: string;
  app: string;
  derived: Counts;
}

interface Bucket {
  uplink: string;
  direction: Direction;
  /** Flows counted directly (see PairEntry); the rest are derived from `pairs` at close. */
  dims: Record<Single, Map<string, Counts>>;
  pairs: Map<string, Map<string, PairEntry>>;
  pairCount: number;
  pairOther: Counts;
}

const pairKey = (src: string, dst: string) => `${src} > ${dst}`;

export class MinuteAggregator {
  private minute = 0;
  private buckets = new Map<string, Partial<Record<Direction, Bucket>>>();
  overflowed = 0;

  constructor(
    private readonly topN: number,
    private readonly onClose: (rows: FlowRow[]) => void,
    private readonly maxKeys = Math.max(10_000, topN * 20),
  ) {}

  add(now: number, a: Attributed): void {
    this.roll(now);
    let byDir = this.buckets.get(a.uplink);
    if (!byDir) this.buckets.set(a.uplink, (byDir = {}));
    let b = byDir[a.direction];
    if (!b) {
      b = { uplink: a.uplink, direction: a.direction, dims: { site: new Map(), service: new Map(), app: new Map(), src: new Map(), dst: new Map() }, pairs: new Map(), pairCount: 0, pairOther: [0, 0] };
      byDir[a.direction] = b;
    }
    let dsts = b.pairs.get(a.src);
    let e = dsts?.get(a.dst);
    if (!e) {
      if (b.pairCount >= this.maxKeys) {
        this.overflowed++;
        b.pairOther[0] += a.bytes;
        b.pairOther[1] += a.packets;
        return this.direct(b, a);
      }
      if (!dsts) b.pairs.set(a.src, (dsts = new Map<string, PairEntry>()));
      dsts.set(a.dst, (e = { total: [0, 0], site: a.site, service: a.service, app: a.app, derived: [0, 0] }));
      b.pairCount++;
    }
    e.total[0] += a.bytes;
    e.total[1] += a.packets;
    if (e.site === a.site && e.service === a.service && e.app === a.app) {
      e.derived[0] += a.bytes;
      e.derived[1] += a.packets;
    } else this.direct(b, a);
  }

  private direct(b: Bucket, a: Attributed): void {
    // spelt out rather than a loop over the dimensions: a[d] with a variable d is a slow keyed load
    const { dims } = b;
    this.count(dims.site, a.site, a);
    this.count(dims.service, a.service, a);
    this.count(dims.app, a.app, a);
    this.count(dims.src, a.src, a);
    this.count(dims.dst, a.dst, a);
  }

  private count(m: Map<string, Counts>, key: string, a: { bytes: number; packets: number }): void {
    let c = m.get(key);
    if (!c) {
      if (m.size >= this.maxKeys) {
        c = m.get(OTHER);
        this.overflowed++;
        if (!c) m.set(OTHER, (c = [0, 0]));
      } else m.set(key, (c = [0, 0]));
    }
    c[0] += a.bytes;
    c[1] += a.packets;
  }

  /** Close the open minute when `now` is past it (called on every flow and by a timer). */
  roll(now: number): void {
    const minute = Math.floor(now / MINUTE) * MINUTE;
    if (minute <= this.minute) return;
    if (this.buckets.size) this.onClose(this.rows(this.minute, this.topN));
    this.buckets = new Map();
    this.minute = minute;
  }

  /** Close the open minute now (shutdown). */
  flush(): void {
    if (this.buckets.size) this.onClose(this.rows(this.minute, this.topN));
    this.buckets = new Map();
  }

  /** The open minute's rows (top N + OTHER), for queries that include the current minute. */
  open(): FlowRow[] {
    return this.rows(this.minute, this.topN);
  }

  private rows(ts: number, n: number): FlowRow[] {
    const out: FlowRow[] = [];
    for (const byDir of this.buckets.values()) {
      for (const b of Object.values(byDir)) {
        const pairs = new Map<string, Counts>();
        // copies: the open minute's rows are read for queries while it goes on counting
        const dims = Object.fromEntries(Object.entries(b.dims).map(([d, m]) => [d, new Map([...m].map(([k, c]) => [k, [...c] as Counts]))])) as Bucket['dims'];
        const derive = (m: Map<string, Counts>, key: string, c: Counts) => {
          const t = m.get(key);
          if (t) {
            t[0] += c[0];
            t[1] += c[1];
          } else m.set(key, [...c]);
        };
        for (const [src, dsts] of b.pairs)
          for (const [dst, e] of dsts) {
            pairs.set(pairKey(src, dst), e.total);
            if (!e.derived[0] && !e.derived[1]) continue;
            derive(dims.site, e.site, e.derived);
            derive(dims.service, e.service, e.derived);
            derive(dims.app, e.app, e.derived);
            derive(dims.src, src, e.derived);
            derive(dims.dst, dst, e.derived);
          }
        if (b.pairOther[0] || b.pairOther[1]) pairs.set(OTHER, b.pairOther);
        for (const dim of DIMENSIONS) {
          const entries = [...(dim === 'pair' ? pairs : dims[dim])].sort((x, y) => y[1][0] - x[1][0]);
          const rest: Counts = [0, 0];
          let kept = 0;
          for (const [key, [bytes, packets]] of entries) {
            if (key !== OTHER && kept < n) {
              out.push({ ts, uplink: b.uplink, direction: b.direction, dim, key, bytes, packets });
              kept++;
            } else {
              rest[0] += bytes;
              rest[1] += packets;
            }
          }
          if (rest[0] || rest[1]) out.push({ ts, uplink: b.uplink, direction: b.direction, dim, key: OTHER, bytes: rest[0], packets: rest[1] });
        }
      }
    }
    return out;
  }
}
