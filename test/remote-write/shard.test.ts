/** Sharding by rendezvous hashing over target names, on the shipped 127-target network. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loader.js';
import { ROOT } from '../../src/paths.js';
import { applyShard, parseShard, shardFor, shardOf } from '../../src/shard.js';

const config = loadConfig(join(ROOT, 'config', 'netmon.yaml'));
const names = config.targets.map((t) => t.name);

describe('sharding', () => {
  it('puts every shipped target on exactly one shard', () => {
    expect(names).toHaveLength(127);
    const parts = [0, 1, 2].map((i) => applyShard(config, { index: i, count: 3 }).targets.map((t) => t.name));
    expect(parts.flat().sort()).toEqual([...names].sort());
    for (const p of parts) expect(p.length).toBeGreaterThan(127 / 3 / 2); // none starved
  });

  it('going from 2 to 3 shards moves about 1/3 of the targets, all of them to the new shard', () => {
    const moved = names.filter((n) => shardOf(n, 2) !== shardOf(n, 3));
    console.info(`sharding: 2 → 3 shards moves ${moved.length} of ${names.length} targets (${((100 * moved.length) / names.length).toFixed(1)} %, ideal 33.3 %)`);
    expect(moved.length / names.length).toBeGreaterThan(0.22);
    expect(moved.length / names.length).toBeLessThan(0.45);
    for (const n of moved) expect(shardOf(n, 3)).toBe(2);
  });

  it('reads I/N, rejects nonsense, lets --shard override cluster:', () => {
    expect(parseShard('1/4')).toEqual({ index: 1, count: 4 });
    for (const bad of ['2/2', '1', 'a/b', '0/0', '-1/2']) expect(() => parseShard(bad)).toThrow(/I\/N/);
    const clustered = { ...config, cluster: { shard: 1, shards: 2 } };
    expect(shardFor(clustered, undefined)).toEqual({ index: 1, count: 2 });
    expect(shardFor(clustered, { index: 0, count: 3 })).toEqual({ index: 0, count: 3 });
    expect(applyShard(config, { index: 0, count: 1 }).targets).toHaveLength(127);
  });
});
