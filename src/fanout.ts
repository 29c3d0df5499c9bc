/**
 * The pipeline every probe result crosses, with the derivers the config asks for: built the same way for
 * the daemon and for `netmon probe`, so what the admin's debugging tool prints is what the daemon exports.
 */
import type { LoadedConfig } from './config/model.js';
import { Pipeline } from './pipeline.js';
import { StatusModule } from './status/index.js';
import { uplinkDeriver } from './uplinks.js';

export interface Fanout {
  pipeline: Pipeline;
  /** The one decision of target and site state; the API reads it. */
  status: StatusModule;
  /** Apply a reloaded config to the derivers (uplinks, status). */
  reconfigure(config: LoadedConfig): void;
}

export function createFanout(config: LoadedConfig, onConsumerError?: (name: string, err: unknown) => void): Fanout {
  let current = config;
  const pipeline = new Pipeline(onConsumerError);
  let deriveUplinks = uplinkDeriver(current.uplinks);
  pipeline.derive((res) => deriveUplinks(res));
  const status = new StatusModule(() => current);
  pipeline.derive(status.derive);
  return {
    pipeline,
    status,
    reconfigure(next) {
      current = next;
      deriveUplinks = uplinkDeriver(next.uplinks);
    },
  };
}
