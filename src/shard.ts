/**
 * Sharding: `netmon run --shard I/N` (or `cluster: {shard, shards}`) polls only the targets whose name
 * hashes to shard I. Rendezvous (highest random weight) hashing: each target goes to the shard with the
 * highest hash(shard, name), so going from N to N+1 shards moves only the targets the new shard wins,
 * about 1/(N+1) of them, and every target lives on exactly one shard.
 */
import { createHash } from 'node:crypto';
import type { LoadedConfig } from './config/model.js';

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

/** `I/N` from the command line, 0 ≤ I < N. */
export function parseShard(s: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index >= count) throw new Error(`--shard expects I/N with 0 <= I < N (e.g. 0/2), not "${s}"`);
  return { index, count };
}

function weight(shard: number, name: string): bigint {
  return createHash('sha256').update(`${shard}\u0000${name}`).digest().readBigUInt64BE(0);
}

/** The shard (0 … count-1) a target name belongs to. */
export function shardOf(name: string, count: number): number {
  let best = 0;
  let bestW = -1n;
  for (let i = 0; i < count; i++) {
    const w = weight(i, name);
    if (w > bestW) {
      best = i;
      bestW = w;
    }
  }
  return best;
}

/** The shard in force: the command line's, else the config's `cluster:`, else none. */
export function shardFor(config: LoadedConfig, override: Shard | undefined): Shard | undefined {
  return override ?? (config.cluster ? { index: config.cluster.shard, count: config.cluster.shards } : undefined);
}

/** The config as this shard sees it: only its own targets, so status, alerts and API agree with what it polls. */
export function applyShard(config: LoadedConfig, shard: Shard | undefined): LoadedConfig {
  if (!shard || shard.count === 1) return config;
  return { ...config, targets: config.targets.filter((t) => shardOf(t.name, shard.count) === shard.index) };
}
