/** `flows:` in the main file: defaults, clear errors, and references checked against the loaded config. */
import { describe, expect, it } from 'vitest';
import { mainFile } from '../../src/config/schema.js';
import { flowConfigProblems } from '../../src/flows/config.js';

const parse = (flows: unknown) => mainFile.safeParse({ flows });
const messages = (flows: unknown) => {
  const r = parse(flows);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('flows config', () => {
  it('`flows: {}` listens on every address with the usual ports', () => {
    const r = parse({});
    expect(r.success && r.data.flows).toMatchObject({ listen_address: '0.0.0.0', netflow_port: 2055, sflow_port: 6343, top_n: 100, exporters: [] });
  });
  it('says what is wrong, naming the field', () => {
    expect(messages({ netflow_port: 70000 })).toEqual([expect.stringMatching(/^flows\.netflow_port: /)]);
    expect(messages({ site_prefixes: { a: ['10.0.0.0/33'] } })).toEqual(['flows.site_prefixes.a.0: prefix length must be at most 32']);
    expect(messages({ site_prefixes: { a: ['10.0.0.0'] } })).toEqual(['flows.site_prefixes.a.0: expected a prefix such as 10.20.0.0/16 or 2001:db8:20::/48']);
    expect(messages({ exporters: [{ address: 'router1' }] })).toEqual(['flows.exporters.0.address: expected an IPv4 or IPv6 address (the UDP source address of the exporter)']);
    expect(messages({ exporters: [{ address: '192.0.2.1', interfaces: { eth0: 'x' } }] })[0]).toMatch(/expected an ifIndex/);
    expect(messages({ topn: 5 })[0]).toMatch(/topn/);
  });
  it('names references the config does not define', () => {
    const r = parse({ exporters: [{ address: '192.0.2.1', target: 'nope', interfaces: { 3: 'wan' } }, { address: '192.0.2.1' }], site_prefixes: { ghost: ['10.0.0.0/8'] } });
    if (!r.success || !r.data.flows) throw new Error('expected a valid block');
    expect(flowConfigProblems(r.data.flows, { targets: [], sites: [], uplinks: [] })).toEqual([
      'flows.exporters[0].target: no target named "nope"',
      'flows.exporters[0].interfaces.3: no uplink named "wan"',
      'flows.exporters[1].address: exporter 192.0.2.1 is listed twice',
      'flows.site_prefixes.ghost: no site with id "ghost"',
    ]);
  });
});
