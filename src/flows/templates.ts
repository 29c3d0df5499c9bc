/**
 * The template cache shared by NetFlow v9 and IPFIX: templates live per exporter address and observation
 * domain (v9 source ID), as RFC 7011 §8 scopes them. Everything here is bounded, so an exporter that sends
 * endless new template IDs or domains (or a forged flood of them) cannot grow memory: the least recently
 * used domain and, within a domain, the oldest template are evicted (counted in `evictions`).
 */

/** A template field: the information element (IE) number, its length (VARIABLE for IPFIX variable length). */
export interface TemplateField {
  id: number;
  len: number;
  /** Enterprise-specific (IPFIX) or a v9 scope netmon does not use: skipped by length, never interpreted. */
  skip: boolean;
}

export interface Template {
  fields: TemplateField[];
  /** Options templates describe the exporter (sampling, interface names), not flows. */
  options: boolean;
  /** The smallest record: fixed lengths plus one length byte per variable field. A set's padding is shorter. */
  minLength: number;
}

export const VARIABLE = 65535;

export interface Domain {
  templates: Map<number, Template>;
  /** Sampling interval from an options record without a sampler ID (applies to every flow of the domain). */
  samplingRate: number;
  /** Sampling interval per sampler / selector ID (options records with flowSamplerId or selectorId). */
  samplers: Map<number, number>;
  /** ifIndex → interface name, from options records with interfaceName (IE 82). */
  ifNames: Map<number, string>;
}

export interface TemplateLimits {
  maxDomains: number;
  maxTemplatesPerDomain: number;
  /** Per domain, for samplers and for interface names alike. */
  maxEntriesPerDomain: number;
}

export const DEFAULT_TEMPLATE_LIMITS: TemplateLimits = { maxDomains: 1024, maxTemplatesPerDomain: 256, maxEntriesPerDomain: 4096 };
/** More fields than any real template has; protects the per-record loop from a hostile 16,000-field template. */
export const MAX_FIELDS = 512;

/** Insert into a Map used as an insertion-ordered bounded cache: the oldest entry leaves when it is full. */
export function boundedSet<K, V>(m: Map<K, V>, k: K, v: V, max: number): boolean {
  m.delete(k);
  let evicted = false;
  if (m.size >= max) {
    const oldest = m.keys().next();
    if (!oldest.done) m.delete(oldest.value);
    evicted = true;
  }
  m.set(k, v);
  return evicted;
}

export class TemplateCache {
  private readonly domains = new Map<string, Domain>();
  evictions = 0;

  constructor(private readonly limits: TemplateLimits = DEFAULT_TEMPLATE_LIMITS) {}

  /**
   * The domain of an exporter's datagram, created on first sight, marked recently used. v9 source IDs and
   * IPFIX observation domains are separate namespaces (an exporter may speak both).
   */
  domain(exporter: string, protocol: 'v9' | 'ipfix', id: number): Domain {
    const key = `${exporter}/${protocol}/${id}`;
    let d = this.domains.get(key);
    if (d) {
      this.domains.delete(key);
      this.domains.set(key, d);
      return d;
    }
    d = { templates: new Map(), samplingRate: 0, samplers: new Map(), ifNames: new Map() };
    if (boundedSet(this.domains, key, d, this.limits.maxDomains)) this.evictions++;
    return d;
  }

  /** Learn or refresh a template (a refresh replaces the old definition at once, as RFC 7011 §8.1 requires). */
  set(d: Domain, id: number, t: Template): void {
    if (boundedSet(d.templates, id, t, this.limits.maxTemplatesPerDomain)) this.evictions++;
  }

  setSampler(d: Domain, id: number, rate: number): void {
    if (boundedSet(d.samplers, id, rate, this.limits.maxEntriesPerDomain)) this.evictions++;
  }

  setIfName(d: Domain, ifIndex: number, name: string): void {
    if (boundedSet(d.ifNames, ifIndex, name, this.limits.maxEntriesPerDomain)) this.evictions++;
  }

  /** Interface name an exporter announced for an ifIndex (any of its domains). */
  ifName(exporter: string, ifIndex: number): string | undefined {
    for (const [key, d] of this.domains) if (key.startsWith(`${exporter}/`) && d.ifNames.has(ifIndex)) return d.ifNames.get(ifIndex);
    return undefined;
  }

  /** Templates held, over all domains (the netmon_flow_templates gauge). */
  count(): number {
    let n = 0;
    for (const d of this.domains.values()) n += d.templates.size;
    return n;
  }
}

/** Build a template from its fields; undefined for a template no record could follow. */
export function makeTemplate(fields: TemplateField[], options: boolean): Template | undefined {
  if (fields.length === 0 || fields.length > MAX_FIELDS) return undefined;
  let minLength = 0;
  for (const f of fields) {
    if (f.len === 0) return undefined;
    minLength += f.len === VARIABLE ? 1 : f.len;
  }
  return { fields, options, minLength };
}
