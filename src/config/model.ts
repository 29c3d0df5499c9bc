/**
 * The loaded configuration (all files merged, defaults applied, references checked) and the
 * inventory of runtime targets derived from it.
 */
import type { AlertingConfig, MainFileConfig, ReportsConfig, SiteConfig, SnmpCredentialConfig, TargetConfig, TrapsConfig, UplinkConfig } from './schema.js';
import type { MaintenanceConfig } from './maintenance.js';
import type { FlowsConfig } from '../flows/config.js';
import type { ProbeKindName, ProbeSpec, SpecOf, Target } from '../types.js';
import type { ProbeKind, SpecContext } from '../../probes/kind.js';
import type { ConfigProblem } from './errors.js';
import { PROBE_KIND_NAMES, PROBE_KINDS } from '../../probes/registry.js';

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
  /** Target name → absolute path of the file defining it; absent in configs built in code. */
  targetFiles?: ReadonlyMap<string, string>;
  /** Alert rules and receivers (receiver URLs and headers may hold secrets: never log or serve them). Absent = no alerting. */
  alerting?: AlertingConfig;
  /** The SNMP trap receiver (src/traps/); absent = off. */
  traps?: TrapsConfig;
  /** The flow collector (src/flows/); absent = off. */
  flows?: FlowsConfig;
  /** `remote_write:` receivers (URLs, passwords and tokens are secrets: never log or serve them). Absent = none. */
  remoteWrite?: MainFileConfig['remote_write'];
  /** `cluster:` (sharding); absent = this netmon polls every target. */
  cluster?: MainFileConfig['cluster'];
  /** `limits:` (src/limits.ts); absent in configs built in code = the defaults. */
  limits?: MainFileConfig['limits'];
  /** Maintenance windows (src/config/maintenance.ts); absent in configs built in code = none. */
  maintenance?: MaintenanceConfig[];
  /** `reports:` (scheduled delivery of the monthly report's link); absent = none. */
  reports?: ReportsConfig;
  /** The web config named by `server.web_config` (TLS, basic auth); absent = plain HTTP, no auth. */
  web?: WebConfig;
  /** What is allowed but worth saying (an include made empty on purpose); absent in configs built in code. */
  warnings?: ConfigProblem[];
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

export { ROLE_PROFILES, type SnmpProbeOptions } from '../../probes/snmp/kind.js';

type Defaults = MainFileConfig['defaults'];
const KINDS: { readonly [K in ProbeKindName]: ProbeKind<SpecOf<K>> } = PROBE_KINDS;

/** A target's spec of one probe kind, or undefined when the target has no block of that kind. */
function specOf<K extends ProbeKindName>(kind: K, t: TargetConfig, d: Defaults, ctx: SpecContext): SpecOf<K> | undefined {
  const block: unknown = t[kind];
  return block === undefined ? undefined : KINDS[kind].spec(block, d[kind], ctx);
}

export function buildTargets(config: LoadedConfig): Target[] {
  return config.targets.map((t) => {
    const ctx: SpecContext = { target: t, credentials: config.credentials };
    const probes: ProbeSpec[] = [];
    for (const kind of PROBE_KIND_NAMES) {
      const spec = specOf(kind, t, config.defaults, ctx);
      if (spec) probes.push(spec);
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
