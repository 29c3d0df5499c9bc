/**
 * The configuration schema: the single source of truth for what a netmon config file may contain.
 * The loader validates against it, `npm run gen:schema` derives `config/netmon.schema.json` from it,
 * and the README's configuration reference describes it. Unknown keys are errors everywhere (strict objects).
 *
 * Custom messages here are complete phrases ("expected ..."), because the loader prints them as they are;
 * they must never include the input value (it may be a secret).
 */
import { z } from 'zod';

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)$/;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3, y: 365 * 86400e3 };
const DURATION_HINT = 'expected a duration such as 500ms, 10s, 5m, 1h, 30d or 1y';

/** A duration such as `500ms`, `10s`, `5m`, `1h`, `30d`, `1y`; parsed to milliseconds. */
export const duration = z
  .string({ error: DURATION_HINT })
  .regex(DURATION_RE, DURATION_HINT)
  .transform((s) => {
    const m = DURATION_RE.exec(s)!;
    return Math.round(Number(m[1]) * DURATION_MS[m[2]!]!);
  });

const RATE_RE = /^(\d+(?:\.\d+)?)\s*(bps|kbps|Kbps|Mbps|Gbps|Tbps)$/;
const RATE_MULT: Record<string, number> = { bps: 1, kbps: 1e3, Kbps: 1e3, Mbps: 1e6, Gbps: 1e9, Tbps: 1e12 };
const RATE_HINT = 'expected a bit rate such as 2Mbps, 100Mbps or 10Gbps';

/** A bit rate such as `2Mbps` or `100 Mbps` (SI prefixes, as network people write them); parsed to bits per second. */
const bitRate = z
  .string({ error: RATE_HINT })
  .regex(RATE_RE, RATE_HINT)
  .transform((s) => {
    const m = RATE_RE.exec(s)!;
    return Number(m[1]) * RATE_MULT[m[2]!]!;
  });

const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected a name of letters, digits, `-`, `_` or `.`, starting with a letter or digit');
const port = z.number().int().min(1).max(65535);
const KEY_HINT = 'must be at least 8 characters (RFC 3414)';

// YAML reads `version: 3` as a number; accept it and normalise to the string form the rest of netmon uses.
const v1v2cVersion = z
  .literal(['1', '2c', 1])
  .transform((v) => String(v) as '1' | '2c')
  .describe('SNMP version: 1 or 2c (community-based)');
const v3Version = z
  .literal(['3', 3])
  .transform(() => '3' as const)
  .describe('SNMP version 3 (user-based security)');

const snmpV3Credential = z
  .strictObject({
    version: v3Version,
    username: z.string().min(1).describe('USM user name'),
    security_level: z.enum(['noAuthNoPriv', 'authNoPriv', 'authPriv']).default('authPriv'),
    auth_protocol: z.enum(['sha', 'sha224', 'sha256', 'sha384', 'sha512', 'md5']).optional(),
    auth_key: z.string().min(8, KEY_HINT).optional().describe('authentication pass phrase; use ${ENV_VAR} rather than writing it here'),
    priv_protocol: z.enum(['aes', 'aes256b', 'aes256r', 'des']).optional(),
    priv_key: z.string().min(8, KEY_HINT).optional().describe('privacy pass phrase; use ${ENV_VAR} rather than writing it here'),
    context: z.string().optional().describe('SNMPv3 context name'),
  })
  .superRefine((c, ctx) => {
    // The issue path names the missing key, so the loader points at the credential's map and never at a value.
    const needs = (key: keyof typeof c) => {
      if (c[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `security_level ${c.security_level} requires "${key}"` });
    };
    if (c.security_level !== 'noAuthNoPriv') (['auth_protocol', 'auth_key'] as const).forEach(needs);
    if (c.security_level === 'authPriv') (['priv_protocol', 'priv_key'] as const).forEach(needs);
  });

export const snmpCredential = z
  .discriminatedUnion('version', [
    z.strictObject({
      version: v1v2cVersion,
      community: z.string().min(1).describe('community string; use ${ENV_VAR} rather than writing it here'),
    }),
    snmpV3Credential,
  ])
  .describe('SNMP credentials, referenced by name from targets');
export type SnmpCredentialConfig = z.output<typeof snmpCredential>;

export const snmpProbeConfig = z
  .strictObject({
    credential: name.describe('name of an entry under `credentials`'),
    port: port.default(161).describe('UDP port of the agent'),
    interval: duration.optional().describe('polling interval; defaults.snmp.interval if absent'),
    timeout: duration.optional().describe('per-request timeout; defaults.snmp.timeout if absent'),
    retries: z.number().int().min(0).max(10).optional(),
    max_repetitions: z.number().int().min(1).max(200).optional().describe('GETBULK max-repetitions'),
    profiles: z.array(name).default([]).describe("profiles added to the ones the target's role brings"),
    replace_default_profiles: z.boolean().default(false).describe("replace the role's default profiles instead of adding to them"),
  })
  .describe('poll this target over SNMP');

export const pingProbeConfig = z
  .strictObject({
    interval: duration.optional(),
    count: z.number().int().min(1).max(1000).optional().describe('echo requests per round'),
    timeout: duration.optional(),
  })
  .describe('ping this target (fping)');

export const hostProbeConfig = z
  .strictObject({
    interval: duration.optional(),
  })
  .describe('collect host metrics of the machine netmon runs on');

export const target = z.strictObject({
  name: name.describe('unique target name'),
  address: z.string().min(1).describe('IPv4/IPv6 address or DNS name'),
  site: name.describe('id of an entry under `sites`'),
  role: z.enum(['switch', 'fibre', 'server', 'uplink']).describe('decides the default SNMP profiles'),
  description: z.string().optional(),
  labels: z
    .record(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'expected a Prometheus label name (lower case letters, digits, `_`)'), z.string())
    .default({})
    .describe('extra labels on every series of this target'),
  snmp: snmpProbeConfig.optional(),
  ping: pingProbeConfig.optional(),
  host: hostProbeConfig.optional(),
});
export type TargetConfig = z.output<typeof target>;

const site = z.strictObject({
  id: name.describe('unique site id'),
  name: z.string().min(1).describe('display name, UTF-8 (Vietnamese names welcome)'),
  group: z.enum(['datacentre', 'provincial', 'district', 'ward']),
});
export type SiteConfig = z.output<typeof site>;

const uplink = z.strictObject({
  name: name.describe('unique uplink name'),
  display_name: z.string().optional(),
  target: name.describe('the target that carries the uplink port'),
  interface: z.string().min(1).describe('the uplink port, matched against ifName (then ifDescr)'),
  capacity: bitRate.describe('contracted capacity, e.g. 100Mbps; utilisation is measured against it'),
  warn_utilization: z.number().min(0).max(1).default(0.8).describe('utilisation (0-1) above which the dashboard shows the uplink as a problem'),
});
export type UplinkConfig = z.output<typeof uplink>;

// ---- alerting (rules, receivers): see docs/alerts.md ----

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a Prometheus label name (letters, digits, `_`)');
const regexString = z.string().refine((s) => {
  try {
    new RegExp(`^(?:${s})$`);
    return true;
  } catch {
    return false;
  }
}, 'expected a valid regular expression');
const labelMatchers = z.record(labelName, regexString).default({});
const ratio = z.number().min(0).max(1);
// Optional (no default) so `alerting.defaults` can fill them in.
const ruleCommon = {
  name: name.describe('alert name (the `alertname` label); unique among rules'),
  severity: z.enum(['critical', 'warning', 'info']).optional().describe('`severity` label; alerting.defaults.severity if absent'),
  for: duration.optional().describe('how long the condition must hold before the alert fires (pending until then)'),
  keep_firing_for: duration.optional().describe('how long a firing alert keeps firing after its condition cleared (stops flapping)'),
  labels: z.record(labelName, z.string()).default({}).describe('extra labels on the alert (routing in Alertmanager)'),
  summary: z.string().optional().describe('one-line text; {{ label }}, {{ value }}, {{ threshold }}, {{ site_name }}, filters | percent | round | ms | dbm'),
  description: z.string().optional().describe('longer text, same template syntax as summary'),
  match: labelMatchers.describe('only series whose labels fully match these regular expressions (missing label = "")'),
  exclude: labelMatchers.describe('skip series whose labels fully match all of these regular expressions'),
};
const aboveRule = {
  above: ratio.describe('fires above this ratio (0-1)'),
  clear_below: ratio.optional().describe('a firing alert clears only below this (hysteresis); default `above`'),
};

export const alertRule = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('uplink_utilization'),
      ...ruleCommon,
      ...aboveRule,
      uplinks: z.array(name).optional().describe('uplink names; all uplinks if absent'),
      directions: z.array(z.enum(['in', 'out'])).min(1).default(['in', 'out']).describe('one alert per uplink and direction'),
    }),
    z.strictObject({ kind: z.literal('interface_down'), ...ruleCommon }).describe('ifOperStatus down while ifAdminStatus up'),
    z.strictObject({
      kind: z.literal('site_unreachable'),
      ...ruleCommon,
      via: z.enum(['any', 'all', 'ping', 'snmp']).default('any').describe('any: ping down or SNMP failing; all: every probe of the target says down'),
    }),
    z.strictObject({ kind: z.literal('ping_loss'), ...ruleCommon, ...aboveRule }),
    z.strictObject({
      kind: z.literal('ping_latency'),
      ...ruleCommon,
      above: duration.describe('median round-trip time above which the alert fires, e.g. 150ms'),
      clear_below: duration.optional(),
    }),
    z.strictObject({
      kind: z.literal('optical_rx_low'),
      ...ruleCommon,
      below_dbm: z.number().min(-60).max(20).optional().describe('fires below this Rx power (dBm)'),
      device_threshold: z.enum(['low_alarm', 'low_warning']).optional().describe("use the transceiver's own threshold where it reports one (else below_dbm)"),
      hysteresis_db: z.number().min(0).max(10).default(0.5).describe('a firing alert clears only this many dB above the threshold'),
    }),
    z.strictObject({
      kind: z.literal('optical_rx_drop'),
      ...ruleCommon,
      drop_db: z.number().gt(0).max(40).describe('fires when Rx is this many dB below its own baseline (a slowly dying link)'),
      baseline_window: duration.prefault('7d').describe('baseline: highest hourly mean Rx over this window'),
      hysteresis_db: z.number().min(0).max(10).default(0.5),
    }),
    z.strictObject({ kind: z.literal('host_cpu'), ...ruleCommon, ...aboveRule }),
    z.strictObject({ kind: z.literal('host_memory'), ...ruleCommon, ...aboveRule }),
    z.strictObject({ kind: z.literal('host_disk'), ...ruleCommon, ...aboveRule }),
    z.strictObject({
      kind: z.literal('probe_failing'),
      ...ruleCommon,
      probes: z.array(z.enum(['snmp', 'ping', 'host'])).optional().describe('probe kinds; all if absent'),
    }),
    z.strictObject({
      kind: z.literal('agent_restarted'),
      ...ruleCommon,
      window: duration.prefault('15m').describe('fires when sysUpTime went back, until the agent has been up this long'),
    }),
    z.strictObject({ kind: z.literal('config_reload_failed'), ...ruleCommon }),
    z.strictObject({
      kind: z.literal('threshold'),
      ...ruleCommon,
      metric: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'expected a metric name'),
      above: z.number().optional(),
      below: z.number().optional(),
      clear: z.number().optional().describe('value at which a firing alert clears (hysteresis); default the threshold'),
    }),
  ])
  .describe('an alert rule; `kind` picks the condition');
export type AlertRuleConfig = z.output<typeof alertRule>;

const receiverUrl = z.string().refine((s) => {
  try {
    return ['http:', 'https:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
}, 'expected an http:// or https:// URL');
const receiverCommon = {
  name: name.describe('receiver name (the `receiver` label of netmon_alert_notifications_total)'),
  url: receiverUrl.describe('may carry user:password@ (sent as basic auth); never logged or served'),
  headers: z.record(z.string().min(1), z.string()).default({}).describe('extra HTTP headers, e.g. Authorization: "Bearer ${TOKEN}"'),
  timeout: duration.prefault('10s').describe('per request'),
};
export const alertReceiver = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('alertmanager'), ...receiverCommon }).describe('Prometheus Alertmanager: POST <url>/api/v2/alerts'),
  z.strictObject({
    type: z.literal('webhook'),
    ...receiverCommon,
    send_resolved: z.boolean().default(true),
    repeat_interval: duration.prefault('4h').describe('re-send a still-firing, unacknowledged alert this often (0s: never)'),
  }).describe('generic JSON webhook (Alertmanager webhook payload, version 4)'),
]);
export type AlertReceiverConfig = z.output<typeof alertReceiver>;

export const alerting = z
  .strictObject({
    resend_interval: duration.prefault('1m').describe('re-send firing alerts to Alertmanager this often (as Prometheus does)'),
    external_url: receiverUrl.optional().describe('URL people reach netmon at (generatorURL); default from server.listen_address/port'),
    defaults: z
      .strictObject({
        severity: z.enum(['critical', 'warning', 'info']).default('warning'),
        for: duration.prefault('0s'),
        keep_firing_for: duration.prefault('0s'),
      })
      .prefault({})
      .describe('used by rules that do not set their own'),
    retry: z
      .strictObject({ initial_backoff: duration.prefault('1s'), max_backoff: duration.prefault('5m') })
      .prefault({})
      .describe('delivery retries: exponential backoff with jitter'),
    max_queue: z.number().int().min(10).max(1_000_000).default(10_000).describe('alerts waiting for delivery per receiver; beyond it the oldest are dropped'),
    receivers: z.array(alertReceiver).default([]),
    rules: z.array(alertRule).default([]),
  })
  .superRefine((a, ctx) => {
    const dup = (list: { name: string }[], key: string) => {
      const seen = new Set<string>();
      list.forEach((x, i) => {
        if (seen.has(x.name)) ctx.addIssue({ code: 'custom', path: [key, i, 'name'], message: `duplicate ${key.slice(0, -1)} name "${x.name}"` });
        seen.add(x.name);
      });
    };
    dup(a.rules, 'rules');
    dup(a.receivers, 'receivers');
    a.rules.forEach((r, i) => {
      const bad = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: ['rules', i, key], message });
      if ('clear_below' in r && r.clear_below !== undefined && r.clear_below > r.above) bad('clear_below', 'must not be greater than `above`');
      if (r.kind === 'optical_rx_low' && r.below_dbm === undefined && r.device_threshold === undefined) bad('below_dbm', 'set below_dbm, device_threshold, or both');
      if (r.kind === 'threshold') {
        if ((r.above === undefined) === (r.below === undefined)) bad('above', 'set exactly one of `above` and `below`');
        else if (r.clear !== undefined && (r.above !== undefined ? r.clear > r.above : r.clear < r.below!)) bad('clear', 'must be on the clear side of the threshold');
      }
    });
  })
  .describe('alert rules and where notifications go (docs/alerts.md)');
export type AlertingConfig = z.output<typeof alerting>;

const sites = z.array(site).default([]).describe('places (data centre, departments, districts, wards)');
const targets = z.array(target).default([]).describe('devices and hosts to monitor');
const credentials = z.record(name, snmpCredential).default({}).describe('SNMP credentials by name');

/** What an included file may contribute. */
export const includeFile = z
  .strictObject({ sites, targets, credentials })
  .describe('A netmon config file included from the main file: sites, targets and credentials only.');

export const mainFile = z
  .strictObject({
    include: z
      .array(z.string().min(1))
      .default([])
      .describe('files to include (sites, targets, credentials); paths relative to this file, `*` and `?` allowed, e.g. targets/*.yaml'),
    server: z
      .strictObject({
        listen_address: z.string().default('127.0.0.1'),
        port: port.default(9300),
        language: z.enum(['vi', 'en']).default('vi').describe('dashboard language'),
        timezone: z.string().default('Asia/Ho_Chi_Minh').describe('IANA time zone for the dashboard and working-day curves'),
        // Optional rather than default(false), so configs built in code (tests) need not name it.
        watch_config: z
          .boolean()
          .optional()
          .describe('reload when the main file, an included file or the web config changes, as SIGHUP and POST /-/reload do (default false)'),
        web_config: z
          .string()
          .min(1)
          .optional()
          .describe('web config file (TLS, basic auth), relative to this file; same format as Prometheus exporters\' --web.config.file'),
      })
      .prefault({})
      .describe('HTTP server: dashboard, API, /metrics'),
    storage: z
      .strictObject({
        path: z.string().default('data/netmon.db').describe('SQLite database file, relative to the main config file'),
        retention: z
          .strictObject({
            raw: duration.prefault('35d'),
            rollup_5m: duration.prefault('400d'),
            rollup_1h: duration.prefault('5y'),
          })
          .prefault({})
          .describe('how long each resolution is kept'),
      })
      .prefault({}),
    scheduler: z
      .strictObject({
        max_concurrency: z.number().int().min(1).max(10000).default(64).describe('probes running at the same time, at most'),
      })
      .prefault({}),
    defaults: z
      .strictObject({
        snmp: z
          .strictObject({
            interval: duration.prefault('60s'),
            timeout: duration.prefault('2s'),
            retries: z.number().int().min(0).max(10).default(1),
            max_repetitions: z.number().int().min(1).max(200).default(25),
          })
          .prefault({}),
        ping: z
          .strictObject({
            interval: duration.prefault('60s'),
            count: z.number().int().min(1).max(1000).default(20),
            timeout: duration.prefault('1s'),
          })
          .prefault({}),
        host: z.strictObject({ interval: duration.prefault('30s') }).prefault({}),
      })
      .prefault({})
      .describe('probe settings used where a target does not set its own'),
    simulate: z
      .strictObject({
        enabled: z.boolean().default(false).describe('serve the reference network from built-in SNMP agents on loopback'),
        seed: z.number().int().default(1),
        speed: z.number().min(1).max(10000).default(1).describe('run the simulated clock this many times faster than real time (demos, soak tests)'),
      })
      .prefault({}),
    credentials,
    sites,
    uplinks: z.array(uplink).default([]).describe('internet/WAN uplinks shown on the bandwidth dashboard'),
    targets,
    alerting: alerting.prefault({}),
  })
  .describe('netmon main configuration file');
export type MainFileConfig = z.output<typeof mainFile>;

// ---- web config (server.web_config): the format of Prometheus exporter-toolkit's --web.config.file ----

const BCRYPT_RE = /^\$2[aby]?\$(\d\d)\$[./A-Za-z0-9]{53}$/;
/** Costs above this make every uncached request take seconds in a pure-JS bcrypt. */
const BCRYPT_MAX_COST = 14;
const bcryptHash = z
  .string()
  .regex(BCRYPT_RE, 'expected a bcrypt hash such as $2y$10$... (make one with `htpasswd -nBC 10 USER`)')
  .refine((h) => {
    const m = BCRYPT_RE.exec(h);
    if (!m) return true; // already reported by the regex
    const cost = Number(m[1]);
    return cost >= 4 && cost <= BCRYPT_MAX_COST;
  }, `expected a bcrypt cost from 4 to ${BCRYPT_MAX_COST} (10 to 12 is usual; every uncached login costs 2^cost rounds)`);

export const webConfigFile = z
  .strictObject({
    tls_server_config: z
      .strictObject({
        cert_file: z.string().min(1).describe('PEM certificate (chain), relative to this file'),
        key_file: z.string().min(1).describe('PEM private key, relative to this file'),
        min_version: z.enum(['TLS12', 'TLS13']).default('TLS12').describe('oldest TLS version accepted'),
      })
      .optional()
      .describe('serve HTTPS with this certificate and key (re-read on every reload: a renewed certificate needs no restart)'),
    basic_auth_users: z
      .record(z.string().regex(/^[^:\s]+$/, 'expected a user name without `:` or spaces'), bcryptHash)
      .default({})
      .describe('user name → bcrypt hash of the password; when set, every request except /-/healthy needs HTTP basic auth'),
  })
  .describe('netmon web config: TLS and basic auth (the format of Prometheus exporters\' --web.config.file)');
