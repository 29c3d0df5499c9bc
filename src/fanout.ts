/**
 * The pipeline every probe result crosses, with the derivers the config asks for: built the same way for
 * the daemon and for `netmon probe`, so what the admin's debugging tool prints is what the daemon exports.
 */
import type { LoadedConfig } from './config/model.js';
import { DEFAULT_LIMITS, SeriesGuard, type LimitLog } from './limits.js';
import { Pipeline } from './pipeline.js';
import { StatusModule } from './status/index.js';
import { uplinkDeriver } from './uplinks.js';

export interface Fanout {
  pipeline: Pipeline;
  /** The one decision of target and site state; the API reads it. */
  status: StatusModule;
  /** Label length and series limits applied to every result (src/limits.ts). */
  guard: SeriesGuard;
  /** Apply a reloaded config to the derivers (uplinks, status). */
  reconfigure(config: LoadedConfig): void;
}

export function createFanout(config: LoadedConfig, onConsumerError?: (name: string, err: unknown) => void, limitLog?: LimitLog): Fanout {
  let current = config;
  const guard = new SeriesGuard(config.limits ?? DEFAULT_LIMITS, limitLog);
  const pipeline = new Pipeline(onConsumerError, guard);
  let deriveUplinks = uplinkDeriver(current.uplinks);
  pipeline.derive((res) => deriveUplinks(res));
  const status = new StatusModule(() => current);
  pipeline.derive(status.derive);
  return {
    pipeline,
    status,
    guard,
    reconfigure(next) {
      current = next;
      guard.setLimits(next.limits ?? DEFAULT_LIMITS);
      deriveUplinks = uplinkDeriver(next.uplinks);
    },
  };
}
