/**
 * The pure sample step (probes/snmp/samples.ts) as a table: each case is a small profile, what one or more
 * polls read (plain maps, no network) and the samples expected from each poll, as {metric, labels, value}.
 */
import { describe, expect, it } from 'vitest';
import { CounterTracker } from '../../probes/snmp/counters.js';
import { compilePlan, tableRows } from '../../probes/snmp/plan.js';
import { profileSchema } from '../../probes/snmp/profile.js';
import { buildSamples, DBM_FLOOR, type CounterState } from '../../probes/snmp/samples.js';
import type { RawValue } from '../../probes/snmp/walk.js';

const T0 = 1_700_000_000_000;
const COL = (n: number) => `1.3.6.1.4.1.99.1.1.${n}`;
const SCALAR = '1.3.6.1.4.1.99.2.0';
const SCALAR_FB = '1.3.6.1.4.1.99.3.0';

type Obj = Record<string, unknown>;
const m = (oid: string, metric: string, extra: Obj = {}): Obj => ({ oid, metric, type: 'gauge', help: 'h', ...extra });
const c = (oid: string, metric: string, extra: Obj = {}): Obj => m(oid, metric, { type: 'counter', ...extra });
const table = (metrics: Obj[], extra: Obj = {}): Obj => ({ name: 't', index_label: 'idx', metrics, ...extra });

interface Poll {
  /** Time since T0 (ms). */
  at?: number;
  scalars?: Record<string, RawValue | undefined>;
  /** column → row → value, walked in this poll */
  columns?: Record<string, Record<string, RawValue>>;
  /** the label cache (slow columns as last read) */
  labelCache?: Record<string, Record<string, RawValue>>;
  expect: { metric: string; labels?: Record<string, string>; value: number }[];
}
interface Case {
  name: string;
  profile: { scalars?: Obj[]; tables?: Obj[] };
  polls: Poll[];
}

const cols = (o: Record<string, Record<string, RawValue>> = {}) => new Map(Object.entries(o).map(([k, v]) => [k, new Map(Object.entries(v))]));

function runCase(cs: Case) {
  const plan = compilePlan([profileSchema.parse({ name: 'test', description: 'table test', ...cs.profile })]);
  const state: CounterState = { counters: new CounterTracker(), discontinuity: new Map(), sources: new Map() };
  return cs.polls.map((p) => {
    const columns = cols(p.columns);
    const raw = { scalars: new Map(Object.entries(p.scalars ?? {})), columns, labelCache: p.labelCache && cols(p.labelCache), rows: tableRows(plan, columns), rebooted: false };
    const samples = buildSamples(plan, raw, state, T0 + (p.at ?? 0));
    for (const s of samples) expect(s.ts).toBe(T0 + (p.at ?? 0));
    return { got: samples.map((s) => ({ metric: s.metric, labels: s.labels, value: s.value })), want: p.expect.map((e) => ({ labels: {}, ...e })), state };
  });
}

const gauges: Case[] = [
  {
    name: 'scalar gauge, scaled (TimeTicks → seconds), no labels at all',
    profile: { scalars: [m(SCALAR, 'up_seconds', { scale: 0.01 })] },
    polls: [{ scalars: { [SCALAR]: 12345 }, expect: [{ metric: 'up_seconds', value: 12345 * 0.01 }] }],
  },
  {
    name: 'scalar the agent lacks: nothing; its fallback_oid when only that answers',
    profile: { scalars: [m(SCALAR, 'a'), m(SCALAR_FB, 'b', { fallback_oid: SCALAR })] },
    polls: [{ scalars: { [SCALAR]: 7, [SCALAR_FB]: undefined }, expect: [{ metric: 'a', value: 7 }, { metric: 'b', value: 7 }] }],
  },
  {
    name: 'scalar const_labels',
    profile: { scalars: [m(SCALAR, 'load', { const_labels: { period: '1m' } })] },
    polls: [{ scalars: { [SCALAR]: 3 }, expect: [{ metric: 'load', labels: { period: '1m' }, value: 3 }] }],
  },
  {
    name: 'table: index label, label from a column (OCTET STRING, trailing NULs cut) and from a field',
    profile: { tables: [table([m(COL(1), 'v')], { fields: { kind: { value: 'sfp' } }, labels: { name: COL(2), kind: 'kind' } })] },
    polls: [
      {
        columns: { [COL(1)]: { '1': 10, '2.5': 20 } },
        labelCache: { [COL(2)]: { '1': Buffer.from('eth0\0\0'), '2.5': 'eth1' } },
        expect: [
          { metric: 'v', labels: { idx: '1', name: 'eth0', kind: 'sfp' }, value: 10 },
          { metric: 'v', labels: { idx: '2.5', name: 'eth1', kind: 'sfp' }, value: 20 },
        ],
      },
    ],
  },
  {
    name: 'a label whose column has no value for the row is empty',
    profile: { tables: [table([m(COL(1), 'v')], { labels: { name: COL(2) } })] },
    polls: [{ columns: { [COL(1)]: { '3': 1 } }, expect: [{ metric: 'v', labels: { idx: '3', name: '' }, value: 1 }] }],
  },
  {
    name: 'a column walked in this poll wins over the label cache',
    profile: { tables: [table([m(COL(1), 'v')], { labels: { name: COL(2) } })] },
    polls: [{ columns: { [COL(1)]: { '1': 1 }, [COL(2)]: { '1': 'new' } }, labelCache: { [COL(2)]: { '1': 'old' } }, expect: [{ metric: 'v', labels: { idx: '1', name: 'new' }, value: 1 }] }],
  },
  {
    name: 'value_map: mapped values, value_map_default for the rest',
    profile: { tables: [table([m(COL(1), 'up', { value_map: { '1': 1 }, value_map_default: 0 })])] },
    polls: [{ columns: { [COL(1)]: { '1': 1, '2': 2, '3': 7 } }, expect: [{ metric: 'up', labels: { idx: '1' }, value: 1 }, { metric: 'up', labels: { idx: '2' }, value: 0 }, { metric: 'up', labels: { idx: '3' }, value: 0 }] }],
  },
  {
    name: 'value_map without a default: an unmapped value gives no sample',
    profile: { tables: [table([m(COL(1), 'up', { value_map: { '1': 1, '2': 0 } })])] },
    polls: [{ columns: { [COL(1)]: { '1': 2, '2': 5 } }, expect: [{ metric: 'up', labels: { idx: '1' }, value: 0 }] }],
  },
  {
    name: 'invalid_values (H3C 2147483647 = no reading) and non-numeric text give no sample',
    profile: { tables: [table([m(COL(1), 'dbm', { scale: 0.01, invalid_values: [2147483647] })])] },
    polls: [{ columns: { [COL(1)]: { '1': -724, '2': 2147483647, '3': 'n/a' } }, expect: [{ metric: 'dbm', labels: { idx: '1' }, value: -724 * 0.01 }] }],
  },
  {
    name: 'unsigned32: a negative Integer32 is read as 2^32 + value',
    profile: { tables: [table([m(COL(1), 'size', { unsigned32: true, scale: 2 })])] },
    polls: [{ columns: { [COL(1)]: { '1': -1, '2': 5 } }, expect: [{ metric: 'size', labels: { idx: '1' }, value: (2 ** 32 - 1) * 2 }, { metric: 'size', labels: { idx: '2' }, value: 10 }] }],
  },
  {
    name: 'pow10: × 10^(sum of the fields) (entSensorScale + precision); a missing field gives no sample',
    profile: { tables: [table([m(COL(1), 'w', { pow10: ['exp', 'prec'] })], { fields: { exp: { column: COL(2) }, prec: { column: COL(3), multiply: -1 } } })] },
    polls: [{ columns: { [COL(1)]: { '1': 1234, '2': 5 } }, labelCache: { [COL(2)]: { '1': -3, '2': -3 }, [COL(3)]: { '1': 1 } }, expect: [{ metric: 'w', labels: { idx: '1' }, value: 1234 * 10 ** -4 }] }],
  },
  {
    name: 'multiply_by (hrStorageAllocationUnits): × the field; missing → no sample',
    profile: { tables: [table([m(COL(1), 'bytes', { multiply_by: ['units'] })], { fields: { units: { column: COL(2) } } })] },
    polls: [{ columns: { [COL(1)]: { '1': 100, '2': 1 } }, labelCache: { [COL(2)]: { '1': 4096 } }, expect: [{ metric: 'bytes', labels: { idx: '1' }, value: 409_600 }] }],
  },
  {
    name: 'mw_to_dbm after scale: 1 mW = 0 dBm, 1 µW = -30 dBm, 0 and negative → the floor',
    profile: { tables: [table([m(COL(1), 'dbm', { scale: 0.001, transform: 'mw_to_dbm' })])] },
    polls: [
      {
        columns: { [COL(1)]: { '1': 1000, '2': 1, '3': 0, '4': -5, '5': 2e5 } },
        expect: [
          { metric: 'dbm', labels: { idx: '1' }, value: 0 },
          { metric: 'dbm', labels: { idx: '2' }, value: -30 },
          { metric: 'dbm', labels: { idx: '3' }, value: DBM_FLOOR },
          { metric: 'dbm', labels: { idx: '4' }, value: DBM_FLOOR },
          { metric: 'dbm', labels: { idx: '5' }, value: 10 * Math.log10(2e5 * 0.001) },
        ],
      },
    ],
  },
  {
    name: 'variants by field (Huawei µW vs 0.01 dBm); a row with an unknown or no variant gives no sample',
    profile: {
      tables: [
        table([m(COL(1), 'dbm', { variant_field: 'unit', variants: { uw: { scale: 0.001, transform: 'mw_to_dbm' }, cdbm: { scale: 0.01 } } })], {
          fields: { unit: { column: COL(2), map: { '1': 'uw', '2': 'cdbm', '3': 'other' } } },
        }),
      ],
    },
    polls: [
      {
        columns: { [COL(1)]: { '1': 100, '2': -724, '3': 5, '4': 5 } },
        labelCache: { [COL(2)]: { '1': 1, '2': 2, '3': 3 } },
        expect: [
          { metric: 'dbm', labels: { idx: '1' }, value: 10 * Math.log10(100 * 0.001) },
          { metric: 'dbm', labels: { idx: '2' }, value: -724 * 0.01 },
        ],
      },
    ],
  },
  {
    name: 'metric name template {direction} from a mapped field; no value for the placeholder → no sample',
    profile: { tables: [table([m(COL(1), 'optical_{direction}_dbm')], { fields: { direction: { column: COL(2), map: { '1': 'rx', '2': 'tx' } } } })] },
    polls: [
      {
        columns: { [COL(1)]: { '1': -7, '2': -5, '3': -1 } },
        labelCache: { [COL(2)]: { '1': 1, '2': 2, '3': 9 } },
        expect: [
          { metric: 'optical_rx_dbm', labels: { idx: '1' }, value: -7 },
          { metric: 'optical_tx_dbm', labels: { idx: '2' }, value: -5 },
        ],
      },
    ],
  },
  {
    name: 'filters: in, not_in, present',
    profile: {
      tables: [
        table([m(COL(1), 'v')], {
          fields: { type: { column: COL(2) }, name: { column: COL(3) } },
          filter: [{ field: 'type', in: [6, 117] }, { field: 'name', not_in: ['lo'] }, { field: 'name', present: true }],
        }),
      ],
    },
    polls: [
      {
        columns: { [COL(1)]: { '1': 1, '2': 2, '3': 3, '4': 4, '5': 5 } },
        labelCache: { [COL(2)]: { '1': 6, '2': 24, '3': 117, '4': 6, '5': '117' }, [COL(3)]: { '1': 'eth0', '2': 'x', '3': 'lo', '5': 'eth5' } },
        expect: [
          { metric: 'v', labels: { idx: '1' }, value: 1 },
          { metric: 'v', labels: { idx: '5' }, value: 5 },
        ],
      },
    ],
  },
  {
    name: 'const_labels on a table metric; info metric with labels + info_labels, value 1',
    profile: { tables: [table([m(COL(1), 'cpu', { const_labels: { mode: 'user' } })], { labels: { name: COL(2) }, info_labels: { descr: COL(3) }, info_metric: 'thing_info' })] },
    polls: [
      {
        columns: { [COL(1)]: { '1': 42 } },
        labelCache: { [COL(2)]: { '1': 'a' }, [COL(3)]: { '1': 'the a' } },
        expect: [
          { metric: 'cpu', labels: { idx: '1', name: 'a', mode: 'user' }, value: 42 },
          { metric: 'thing_info', labels: { idx: '1', name: 'a', descr: 'the a' }, value: 1 },
        ],
      },
    ],
  },
  {
    name: 'fallback column: read where the main column is empty (an agent with no ifXTable)',
    profile: { tables: [table([c(COL(6), 'rx_total', { fallback_oid: COL(10) })])] },
    polls: [{ columns: { [COL(6)]: {}, [COL(10)]: { '1': 500 } }, expect: [{ metric: 'rx_total', labels: { idx: '1' }, value: 500 }] }],
  },
  {
    name: 'fallbacks are per row: a row without the HC value gets the 32-bit one, the others keep HC',
    profile: { tables: [table([c(COL(6), 'rx_total', { fallback_oid: COL(10) }), m(COL(8), 'oper')])] },
    polls: [
      {
        columns: { [COL(6)]: { '1': 7n, '2': 2n ** 40n }, [COL(10)]: { '1': 1, '3': 900 }, [COL(8)]: { '1': 1, '2': 1, '3': 2 } },
        expect: [
          { metric: 'rx_total', labels: { idx: '1' }, value: 7 },
          { metric: 'oper', labels: { idx: '1' }, value: 1 },
          { metric: 'rx_total', labels: { idx: '2' }, value: 2 ** 40 },
          { metric: 'oper', labels: { idx: '2' }, value: 1 },
          { metric: 'rx_total', labels: { idx: '3' }, value: 900 },
          { metric: 'oper', labels: { idx: '3' }, value: 2 },
        ],
      },
    ],
  },
  {
    name: 'fallback_scale: ifHighSpeed (Mbit/s) per row, else ifSpeed (bit/s), both as bytes/s',
    profile: { tables: [table([m(COL(15), 'speed', { scale: 125000, fallback_oid: COL(5), fallback_scale: 0.125 })])] },
    polls: [{ columns: { [COL(15)]: { '1': 1000 }, [COL(5)]: { '2': 10_000_000 } }, expect: [{ metric: 'speed', labels: { idx: '1' }, value: 125e6 }, { metric: 'speed', labels: { idx: '2' }, value: 1.25e6 }] }],
  },
  {
    name: 'label from a first_of field: ifName, else ifDescr (row by row)',
    profile: { tables: [table([m(COL(8), 'oper')], { fields: { name: { first_of: [{ column: COL(1) }, { column: COL(2) }] } }, labels: { if_name: 'name' } })] },
    polls: [
      {
        columns: { [COL(8)]: { '1': 1, '2': 1 } },
        labelCache: { [COL(1)]: { '1': 'Gi1/0/1' }, [COL(2)]: { '1': 'GigabitEthernet1/0/1', '2': 'Null0' } },
        expect: [{ metric: 'oper', labels: { idx: '1', if_name: 'Gi1/0/1' }, value: 1 }, { metric: 'oper', labels: { idx: '2', if_name: 'Null0' }, value: 1 }],
      },
    ],
  },
  {
    name: 'a row only in a column no metric reads is no row',
    profile: { tables: [table([m(COL(1), 'v')], { labels: { name: COL(2) } })] },
    polls: [{ columns: { [COL(1)]: { '1': 1 } }, labelCache: { [COL(2)]: { '1': 'a', '9': 'ghost' } }, expect: [{ metric: 'v', labels: { idx: '1', name: 'a' }, value: 1 }] }],
  },
];

const counters: Case[] = [
  {
    name: 'a row switching between its HC and 32-bit column: one series, a counted gap at each switch, the total carries on (no false jump or wrap)',
    profile: { tables: [table([c(COL(6), 'rx_total', { fallback_oid: COL(10) })])] },
    polls: [
      { columns: { [COL(6)]: { '1': 5_000_000_000n } }, expect: [{ metric: 'rx_total', labels: { idx: '1' }, value: 5e9 }] },
      { at: 60_000, columns: { [COL(6)]: {}, [COL(10)]: { '1': 705_032_704 } }, expect: [] },
      { at: 120_000, columns: { [COL(6)]: {}, [COL(10)]: { '1': 705_033_704 } }, expect: [{ metric: 'rx_total', labels: { idx: '1' }, value: 5_000_001_000 }] },
      { at: 180_000, columns: { [COL(6)]: { '1': 5_000_002_000n } }, expect: [] },
      { at: 240_000, columns: { [COL(6)]: { '1': 5_000_003_000n } }, expect: [{ metric: 'rx_total', labels: { idx: '1' }, value: 5_000_002_000 }] },
    ],
  },
  {
    name: 'Counter64 (bigint): exact raw totals, scaled; Counter32 (number) too',
    profile: { tables: [table([c(COL(1), 'a_total'), c(COL(2), 'b_total', { scale: 0.01 })])] },
    polls: [
      { columns: { [COL(1)]: { '1': 2n ** 60n }, [COL(2)]: { '1': 100 } }, expect: [{ metric: 'a_total', labels: { idx: '1' }, value: Number(2n ** 60n) }, { metric: 'b_total', labels: { idx: '1' }, value: 1 }] },
      { at: 60_000, columns: { [COL(1)]: { '1': 2n ** 60n + 5n }, [COL(2)]: { '1': 250 } }, expect: [{ metric: 'a_total', labels: { idx: '1' }, value: Number(2n ** 60n + 5n) }, { metric: 'b_total', labels: { idx: '1' }, value: 250 * 0.01 }] },
    ],
  },
  {
    name: 'Counter32 wrap unfolded (+2^32); a Counter64 decrease is a gap (no sample), the total carries on',
    profile: { tables: [table([c(COL(1), 'c32_total'), c(COL(2), 'c64_total')])] },
    polls: [
      { columns: { [COL(1)]: { '1': 4_294_967_000 }, [COL(2)]: { '1': 1000n } }, expect: [{ metric: 'c32_total', labels: { idx: '1' }, value: 4_294_967_000 }, { metric: 'c64_total', labels: { idx: '1' }, value: 1000 }] },
      { at: 60_000, columns: { [COL(1)]: { '1': 704 }, [COL(2)]: { '1': 10n } }, expect: [{ metric: 'c32_total', labels: { idx: '1' }, value: 2 ** 32 + 704 }] },
      { at: 120_000, columns: { [COL(1)]: { '1': 1704 }, [COL(2)]: { '1': 15n } }, expect: [{ metric: 'c32_total', labels: { idx: '1' }, value: 2 ** 32 + 1704 }, { metric: 'c64_total', labels: { idx: '1' }, value: 1005 }] },
    ],
  },
  {
    name: 'speed from a field × scale: a Counter64 above it is exact; a Counter32 above 4× it is a gap, never a zero',
    profile: {
      tables: [
        table([c(COL(1), 'rx_total', { rate_ceiling: { field: 'speed', scale: 0.125 } }), c(COL(2), 'rx32_total', { rate_ceiling: { field: 'speed', scale: 0.125 } })], {
          fields: { speed: { column: COL(5) } },
        }),
      ],
    },
    polls: [
      { columns: { [COL(1)]: { '1': 0n }, [COL(2)]: { '1': 0 } }, labelCache: { [COL(5)]: { '1': 8000 } }, expect: [{ metric: 'rx_total', labels: { idx: '1' }, value: 0 }, { metric: 'rx32_total', labels: { idx: '1' }, value: 0 }] },
      // 1000 B/s port, 60 s: 4 × 1000 × (60 + 5 s slack) = 260,000 is the most a Counter32 may move
      { at: 60_000, columns: { [COL(1)]: { '1': 260_000n }, [COL(2)]: { '1': 260_000 } }, labelCache: { [COL(5)]: { '1': 8000 } }, expect: [{ metric: 'rx_total', labels: { idx: '1' }, value: 260_000 }, { metric: 'rx32_total', labels: { idx: '1' }, value: 260_000 }] },
      { at: 120_000, columns: { [COL(1)]: { '1': 10_000_000n }, [COL(2)]: { '1': 520_001 } }, labelCache: { [COL(5)]: { '1': 8000 } }, expect: [{ metric: 'rx_total', labels: { idx: '1' }, value: 10_000_000 }] },
      { at: 180_000, columns: { [COL(1)]: { '1': 10_000_100n }, [COL(2)]: { '1': 520_101 } }, labelCache: { [COL(5)]: { '1': 8000 } }, expect: [{ metric: 'rx_total', labels: { idx: '1' }, value: 10_000_100 }, { metric: 'rx32_total', labels: { idx: '1' }, value: 260_100 }] },
    ],
  },
  {
    name: 'discontinuity column change: a gap for that row only, its total carries on',
    profile: { tables: [table([c(COL(1), 'rx_total')], { discontinuity_oid: COL(19) })] },
    polls: [
      { columns: { [COL(1)]: { '1': 100n, '2': 200n }, [COL(19)]: { '1': 0, '2': 0 } }, expect: [{ metric: 'rx_total', labels: { idx: '1' }, value: 100 }, { metric: 'rx_total', labels: { idx: '2' }, value: 200 }] },
      { at: 60_000, columns: { [COL(1)]: { '1': 150n, '2': 250n }, [COL(19)]: { '1': 0, '2': 4242 } }, expect: [{ metric: 'rx_total', labels: { idx: '1' }, value: 150 }] },
      { at: 120_000, columns: { [COL(1)]: { '1': 160n, '2': 260n }, [COL(19)]: { '1': 0, '2': 4242 } }, expect: [{ metric: 'rx_total', labels: { idx: '1' }, value: 160 }, { metric: 'rx_total', labels: { idx: '2' }, value: 210 }] },
    ],
  },
  {
    name: 'garbage counters (negative, fractional, text, wider than 64 bits) give no sample',
    profile: { tables: [table([c(COL(1), 'x_total')])] },
    polls: [{ columns: { [COL(1)]: { '1': -1, '2': 1.5, '3': 'abc', '4': 2n ** 64n, '5': 2n ** 64n - 1n, '6': 2 ** 32 } }, expect: [{ metric: 'x_total', labels: { idx: '5' }, value: Number(2n ** 64n - 1n) }] }],
  },
  {
    name: 'scalar counter keeps its own series across polls',
    profile: { scalars: [c(SCALAR, 'events_total')] },
    polls: [
      { scalars: { [SCALAR]: 4_294_967_290 }, expect: [{ metric: 'events_total', value: 4_294_967_290 }] },
      { at: 60_000, scalars: { [SCALAR]: 5 }, expect: [{ metric: 'events_total', value: 2 ** 32 + 5 }] },
    ],
  },
];

describe('rows → samples (pure)', () => {
  it.each([...gauges, ...counters].map((cs) => [cs.name, cs] as const))('%s', (_name, cs) => {
    const polls = runCase(cs);
    polls.forEach(({ got, want }, i) => expect(got, `poll ${i + 1}`).toEqual(want));
  });

  it('emits only the probe\'s own labels (the pipeline adds target, site and the target\'s labels)', () => {
    const { got } = runCase({ name: '', profile: { scalars: [m(SCALAR, 's')], tables: [table([m(COL(1), 'v')], { labels: { name: COL(2) } })] }, polls: [{ scalars: { [SCALAR]: 1 }, columns: { [COL(1)]: { '1': 1 } }, labelCache: { [COL(2)]: { '1': 'a' } }, expect: [] }] })[0]!;
    expect(got).toHaveLength(2);
    for (const s of got) for (const k of ['target', 'site']) expect(s.labels).not.toHaveProperty(k);
  });

  it('carries type, unit and help from the profile', () => {
    const plan = compilePlan([profileSchema.parse({ name: 'p', description: 'd', scalars: [m(SCALAR, 'up_seconds', { unit: 'seconds', help: 'Uptime.' })] })]);
    const state: CounterState = { counters: new CounterTracker(), discontinuity: new Map(), sources: new Map() };
    const s = buildSamples(plan, { scalars: new Map([[SCALAR, 5]]), columns: new Map(), rows: new Map(), rebooted: false }, state, T0);
    expect(s).toEqual([{ metric: 'up_seconds', labels: {}, value: 5, ts: T0, type: 'gauge', unit: 'seconds', help: 'Uptime.' }]);
  });

  it('forgets counters and discontinuity times of rows that are gone', () => {
    const polls = runCase({
      name: '',
      profile: { tables: [table([c(COL(1), 'rx_total')], { discontinuity_oid: COL(19) })] },
      polls: [
        { columns: { [COL(1)]: { '1': 1n, '2': 2n }, [COL(19)]: { '1': 0, '2': 0 } }, expect: [] },
        { at: 60_000, columns: { [COL(1)]: { '1': 3n }, [COL(19)]: { '1': 0 } }, expect: [] },
      ],
    });
    const state = polls[1]!.state;
    expect(state.counters.size).toBe(1);
    expect([...state.discontinuity.keys()]).toEqual(['test/t|1']);
  });
});
