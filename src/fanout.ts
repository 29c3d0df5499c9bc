/**
 * The pipeline every probe result crosses, with the derivers the config asks for: built the same way for
 * the daemon and for `netmon probe`, so what the admin's debugging tool prints is what the daemon exports.
 */
import type { LoadedConfig } from './config/model.js';
import { Pipeline } from './pipeline.js';
import { uplinkDeriver } from './uplinks.js';

export interface Fanout {
  pipeline: Pipeline;
  /** Apply a reloaded config to the derivers (uplinks...). */
  reconfigure(config: LoadedConfig): void;
}

export function createFanout(config: LoadedConfig, onConsumerError?: (name: string, err: unknown) => void): Fanout {
  const pipeline = new Pipeline(onConsumerError);
  let deriveUplinks = uplinkDeriver(config.uplinks);
  pipeline.derive((res) => deriveUplinks(res));
  return {
    pipeline,
    reconfigure(next) {
      deriveUplinks = uplinkDeriver(next.uplinks);
    },
  };
}
