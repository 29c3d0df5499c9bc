/** Probe specs for tests that build targets and results by hand: each kind's spec with typical options. */
import type { ProbeKindName, SpecOf } from '../../src/types.js';

const OPTIONS: { [K in ProbeKindName]: SpecOf<K>['options'] } = {
  snmp: { port: 161, credentialName: 'test', credential: { version: '2c', community: 'public' }, retries: 1, maxRepetitions: 25, profiles: [] },
  ping: { count: 20 },
  host: {},
};

export function testSpec<K extends ProbeKindName>(kind: K, intervalMs = 10_000, timeoutMs = 2_000): SpecOf<K> {
  return { kind, intervalMs, timeoutMs, options: OPTIONS[kind] } as SpecOf<K>;
}
