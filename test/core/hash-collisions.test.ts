/**
 * The live state and the store hold series by a 53-bit hash of their identity (src/hash.ts). A collision
 * must never merge two series: with the hash forced to one value for everything, every series is still
 * its own (live state newest values, store series ids, real SQLite file).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { hash53 } from '../../src/hash.js';
import { LiveState } from '../../src/live.js';
import { openStore } from '../../src/store/index.js';
import type { ProbeResult } from '../../src/scheduler.js';
import type { Sample } from '../../src/types.js';

vi.mock('../../src/hash.js', () => ({ hash53: () => 42, hashSeries: () => 42 }));

const sample = (target: string, i: number, value: number): Sample => ({ metric: 'm_total', labels: { target, if_index: String(i) }, value, ts: 1_000 + value, type: 'counter' });
const result = (target: string, samples: Sample[]): ProbeResult => ({
  target: { name: target, address: 'a', site: 's', role: 'switch', labels: {}, probes: [] },
  kind: 'snmp',
  spec: { kind: 'snmp', intervalMs: 60_000, timeoutMs: 1000, options: {} as never },
  samples,
  scheduledAt: 0,
  startedAt: 0,
  durationMs: 1,
});

describe('hash collisions', () => {
  it('the live state keeps every colliding series apart, updates and forgets the right ones', () => {
    expect(hash53('a') === hash53('b')).toBe(true); // the mock is in force: everything collides
    const live = new LiveState();
    live.accept(result('a', [sample('a', 1, 1), sample('a', 2, 2)]));
    live.accept(result('b', [sample('b', 1, 3)]));
    live.accept(result('a', [sample('a', 1, 10), sample('a', 2, 20)]));
    expect(live.find('m_total', { target: 'a' }).map((s) => s.value).sort((x, y) => x - y)).toEqual([10, 20]);
    expect(live.find('m_total', { target: 'b' }).map((s) => s.value)).toEqual([3]);
    live.retainTargets(new Set(['b']));
    expect(live.find('m_total').map((s) => s.labels.target)).toEqual(['b']);
  });

  it('the store gives colliding series their own ids, also after reopening', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netmon-collide-'));
    try {
      const file = join(dir, 'netmon.db');
      let store = openStore(file);
      store.write([sample('a', 1, 1), sample('a', 2, 2), sample('b', 1, 3)]);
      store.flush();
      const ids = store.findSeries('m_total').map((s) => s.id);
      expect(new Set(ids).size).toBe(3);
      store.close();
      store = openStore(file);
      store.write([sample('a', 2, 5)]);
      store.flush();
      expect(store.findSeries('m_total')).toHaveLength(3);
      const [a2] = store.findSeries('m_total', { target: 'a', if_index: '2' });
      expect(store.latest(a2!.id)?.value).toBe(5);
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
