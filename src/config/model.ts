/**
 * The loaded configuration (all files merged, defaults applied, references checked) and the
 * inventory of runtime targets derived from it.
 */
import type { AlertingConfig, MainFileConfig, SiteConfig, SnmpCredentialConfig, TargetConfig, UplinkConfig } from './schema.js';
import type { ProbeSpec, Target } from '../types.js';

export interface LoadedConfig {
  /** Absolute path of the main file. */
  file: string;
  /** Every file read, main first: what a reload watches. */
  files: string[];
  server: MainFileConfig['server'];
  /** `storage.path` resolved to an absolute path. */
  storage: MainFileConfig['storage'];
  scheduler: MainFileConfig['scheduler'];
  defaults: MainFileConfig['defaults'];
  simulate: MainFileConfig['simulate'];
  /** Secrets live here and only here; never log or serve this map. */
  credentials: Map<string, SnmpCredentialConfig>;
  sites: SiteConfig[];
  uplinks: UplinkConfig[];
  targets: TargetConfig[];
  /** Alert rules and receivers (receiver URLs and headers may hold secrets: never log or serve them). Absent = no alerting. */
  alerting?: AlertingConfig;
  /** The web config named by `server.web_config` (TLS, basic auth); absent = plain HTTP, no auth. */
  web?: WebConfig;
}

/** `server.web_config` loaded: the certificate and key read, the users' bcrypt hashes. Never log or serve it. */
export interface WebConfig {
  /** Absolute path of the web config file. */
  file: string;
  /** The files it refers to (certificate, key): a reload watches them too. */
  files: string[];
  tls?: {
    certFile: string;
    keyFile: string;
    cert: Buffer;
    key: Buffer;
    minVersion: 'TLSv1.2' | 'TLSv1.3';
  };
  /** User name → bcrypt hash of the password. Empty: no basic auth. */
  users: Map<string, string>;
}

/**
 * Options of an `snmp` probe after defaults and credential resolution. A type alias, not an interface, so an
 * `SnmpSpec` is still a `ProbeSpec` (whose options are a `Record<string, unknown>`) until main makes
 * `ProbeSpec` the typed union of CONTRACT.md.
 */
export type SnmpProbeOptions = {
  port: number;
  credentialName: string;
  credential: SnmpCredentialConfig;
  retries: number;
  maxRepetitions: number;
  profiles: string[];
};

/** Profiles a target role brings by default (the profile files live in probes/profiles/). */
export const ROLE_PROFILES: Record<TargetConfig['role'], string[]> = {
  uplink: ['system', 'if-mib'],
  switch: ['system', 'if-mib'],
  fibre: ['system', 'if-mib', 'optical-cisco', 'optical-juniper', 'optical-huawei', 'optical-h3c', 'optical-entity-sensor'],
  server: ['system', 'if-mib', 'host-resources', 'ucd-snmp'],
};

export function buildTargets(config: LoadedConfig): Target[] {
  const d = config.defaults;
  return config.targets.map((t) => {
    const probes: ProbeSpec[] = [];
    if (t.snmp) {
      const credential = config.credentials.get(t.snmp.credential);
      if (!credential) throw new Error(`target ${t.name}: credential ${t.snmp.credential} is not defined`);
      const base = t.snmp.replace_default_profiles ? [] : ROLE_PROFILES[t.role];
      const options: SnmpProbeOptions = {
        port: t.snmp.port,
        credentialName: t.snmp.credential,
        credential,
        retries: t.snmp.retries ?? d.snmp.retries,
        maxRepetitions: t.snmp.max_repetitions ?? d.snmp.max_repetitions,
        profiles: [...new Set([...base, ...t.snmp.profiles])],
      };
      probes.push({
        kind: 'snmp',
        intervalMs: t.snmp.interval ?? d.snmp.interval,
        timeoutMs: t.snmp.timeout ?? d.snmp.timeout,
        options: options as unknown as Record<string, unknown>,
      });
    }
    if (t.ping) {
      probes.push({
        kind: 'ping',
        intervalMs: t.ping.interval ?? d.ping.interval,
        timeoutMs: t.ping.timeout ?? d.ping.timeout,
        options: { count: t.ping.count ?? d.ping.count },
      });
    }
    if (t.host) {
      const intervalMs = t.host.interval ?? d.host.interval;
      probes.push({ kind: 'host', intervalMs, timeoutMs: intervalMs, options: {} });
    }
    const site = config.sites.find((s) => s.id === t.site);
    return {
      name: t.name,
      address: t.address,
      site: t.site,
      role: t.role,
      labels: { ...(site ? { site_group: site.group } : {}), ...t.labels },
      probes,
    };
  });
}
