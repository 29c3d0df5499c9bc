/** The trap log: paging newest first, filters, and retention. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TrapLog, type NewTrap } from '../../src/traps/db.js';

const dir = mkdtempSync(join(tmpdir(), 'netmon-traplog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const trap = (ts: number, name: string | null, target: string | null): NewTrap => ({
  ts, source: '192.0.2.1', target, site: target ? 's1' : null, version: '2c', pdu: 'trap', trap_oid: name === 'linkDown' ? '1.3.6.1.6.3.1.1.5.3' : '1.3.6.1.4.1.9.9.1', trap_name: name, user: null, uptime_ticks: 5, if_index: null, if_name: null,
  varbinds: [{ oid: '1.3.6.1.2.1.2.2.1.1.3', name: 'ifIndex.3', type: 'Integer', value: 3 }],
});

describe('TrapLog', () => {
  it('pages newest first with filters, and retention drops old traps', () => {
    const log = new TrapLog(join(dir, 'traps.db'), 3600e3);
    const now = Date.now();
    log.add(trap(now - 7200e3, 'linkDown', 'sw1'));
    for (let i = 0; i < 5; i++) log.add(trap(now - 1000 + i, i % 2 ? 'linkDown' : null, i < 4 ? 'sw1' : null));
    const first = log.query({ limit: 2 });
    expect(first.traps.map((t) => t.ts)).toEqual([now - 996, now - 997]);
    const second = log.query({ limit: 2, beforeId: first.next_before_id! });
    expect(second.traps.map((t) => t.ts)).toEqual([now - 998, now - 999]);
    expect(log.query({ target: 'sw1', trap: 'linkDown' }).traps.map((t) => t.ts)).toEqual([now - 997, now - 999, now - 7200e3]);
    expect(log.query({ trap: '1.3.6.1.6.3.1.1.5.3', from: now - 3600e3 }).traps).toHaveLength(2);
    expect(log.query({}).traps[0]!.varbinds).toEqual([{ oid: '1.3.6.1.2.1.2.2.1.1.3', name: 'ifIndex.3', type: 'Integer', value: 3 }]);
    expect(log.prune(now)).toBe(1);
    expect(log.query({ limit: 1000 }).traps).toHaveLength(5);
    expect(log.query({ limit: 1000 }).next_before_id).toBeNull();
    log.close();
  });
});
