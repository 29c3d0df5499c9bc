/** Probe specs for tests that build targets and results by hand: each kind's spec with typical options. */
import type { ProbeKindName, SpecOf } from '../../src/types.js';
import type { ProbeSet } from '../../probes/registry.js';

const OPTIONS: { [K in ProbeKindName]: SpecOf<K>['options'] } = {
  snmp: { port: 161, credentialName: 'test', credential: { version: '2c', community: 'public' }, retries: 1, maxRepetitions: 25, profiles: [] },
  ping: { count: 20 },
  host: {},
};

export function testSpec<K extends ProbeKindName>(kind: K, intervalMs = 10_000, timeoutMs = 2_000): SpecOf<K> {
  return { kind, intervalMs, timeoutMs, options: OPTIONS[kind] } as SpecOf<K>;
}

const refuse = (kind: string) => () => Promise.reject(new Error(`the ${kind} probe is not part of this test`));

/** A probe set for a scheduler in a test: the given probes, and for every other kind one that refuses to run. */
export function probeSet(given: Partial<ProbeSet>): ProbeSet {
  return {
    snmp: given.snmp ?? { kind: 'snmp', run: refuse('snmp') },
    ping: given.ping ?? { kind: 'ping', run: refuse('ping') },
    host: given.host ?? { kind: 'host', run: refuse('host') },
  };
}
