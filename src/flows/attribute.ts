/**
 * Attribution: which uplink a flow crossed and in which direction, and the site, service and application of
 * its local end. The uplink comes from the exporter and the flow's interfaces (uplinkOf); `in` is traffic
 * that arrives over the uplink (the network's download), `out` what leaves by it. Exporters that stamp the
 * same ifIndex as input and output (softflowd watching one port does) are decided by address: a flow from a
 * local address (a site prefix or a target) goes out.
 */
import { ApplicationTable } from './applications.js';
import { PrefixMap } from './prefixes.js';
import type { FlowRecord } from './types.js';

export type Direction = 'in' | 'out';
export const UNKNOWN = 'unknown';

export interface Attributed {
  uplink: string;
  direction: Direction;
  site: string;
  service: string;
  app: string;
  src: string;
  dst: string;
  bytes: number;
  packets: number;
}

export interface AttributionSources {
  sitePrefixes: Record<string, readonly string[]>;
  /** Target address → target name and site (the data-centre services a flow can be attributed to). */
  services: ReadonlyMap<string, { name: string; site: string }>;
  apps: ApplicationTable;
  /** The uplink an exporter's ifIndex is, or undefined. */
  uplinkOf(exporter: string, ifIndex: number): string | undefined;
}

export class Attributor {
  private readonly sites: PrefixMap;

  constructor(private readonly s: AttributionSources) {
    this.sites = new PrefixMap(Object.entries(s.sitePrefixes).flatMap(([site, ps]) => ps.map((p) => [p, site] as [string, string])));
  }


  /** The flow attributed, or undefined when it crossed no configured uplink. Counts must already be scaled. */
  attribute(exporter: string, r: FlowRecord): Attributed | undefined {
    const upIn = r.inIf ? this.s.uplinkOf(exporter, r.inIf) : undefined;
    const upOut = r.outIf ? this.s.uplinkOf(exporter, r.outIf) : undefined;
    let uplink: string;
    let direction: Direction;
    if (upIn && upOut) {
      // one prefix and one service lookup per flow (the hot path): the source's decide and serve the result
      const srcSite = this.sites.lookup(r.src);
      const srcService = this.s.services.get(r.src);
      if (srcSite !== undefined || srcService) return this.result(upOut, 'out', srcSite, srcService, r);
      [uplink, direction] = [upIn, 'in'];
    } else if (upIn) [uplink, direction] = [upIn, 'in'];
    else if (upOut) [uplink, direction] = [upOut, 'out'];
    else return undefined;
    const local = direction === 'in' ? r.dst : r.src;
    return this.result(uplink, direction, this.sites.lookup(local), this.s.services.get(local), r);
  }

  private result(uplink: string, direction: Direction, site: string | undefined, service: { name: string; site: string } | undefined, r: FlowRecord): Attributed {
    return {
      uplink,
      direction,
      // a server outside every prefix (or on a loopback address) is still in its target's site
      site: site ?? service?.site ?? UNKNOWN,
      service: service?.name ?? UNKNOWN,
      app: this.s.apps.classify(r.proto, r.srcPort, r.dstPort),
      src: r.src,
      dst: r.dst,
      bytes: r.bytes,
      packets: r.packets,
    };
  }
}
