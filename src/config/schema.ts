/**
 * The configuration schema: the single source of truth for what a netmon config file may contain.
 * The loader validates against it, `npm run gen:schema` derives `config/netmon.schema.json` from it,
 * and the README's configuration reference describes it. Unknown keys are errors everywhere (strict objects).
 *
 * Custom messages here are complete phrases ("expected ..."), because the loader prints them as they are;
 * they must never include the input value (it may be a secret).
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { alertRuleKinds, checkAlertRule } from '../alerts/kinds/index.js';

import { PROBE_KINDS } from '../../probes/registry.js';
import { bitRate, duration, hostAddress, name, port } from './primitives.js';
import { timeZoneProblem } from './timezone.js';
import { remoteWrite } from '../remote-write/config.js';
import { maintenanceSchema } from './maintenance.js';
import { limitsSchema } from '../limits.js';
import { flows } from '../flows/config.js';


type KindSchemas = Record<string, { block: z.ZodType; defaults: z.ZodType }>;

/** `targets[].<kind>` of every probe kind: each kind states its own block (and limits) once. */
function probeBlocks<R extends KindSchemas>(kinds: R): { [K in keyof R]: z.ZodOptional<R[K]['block']> } {
  return Object.fromEntries(Object.entries(kinds).map(([k, d]) => [k, d.block.optional()])) as { [K in keyof R]: z.ZodOptional<R[K]['block']> };
}

/** `defaults.<kind>` of every probe kind. */
function probeDefaults<R extends KindSchemas>(kinds: R): { [K in keyof R]: R[K]['defaults'] } {
  return Object.fromEntries(Object.entries(kinds).map(([k, d]) => [k, d.defaults])) as { [K in keyof R]: R[K]['defaults'] };
}

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

export const target = z.strictObject({
  name: name.describe('unique target name'),
  address: hostAddress.describe('IPv4/IPv6 address or DNS name'),
  site: name.describe('id of an entry under `sites`'),
  role: z.enum(['switch', 'fibre', 'server', 'uplink']).describe('decides the default SNMP profiles'),
  description: z.string().optional(),
  labels: z
    .record(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'expected a Prometheus label name (lower case letters, digits, `_`)'), z.string())
    .default({})
    .describe('extra labels on every series of this target'),
  // One optional block per probe kind (probes/registry.ts): `snmp:`, `ping:`, `host:`.
  ...probeBlocks(PROBE_KINDS),
});
export type TargetConfig = z.output<typeof target>;

/** Longest `short_name`: two lines of a compact wall tile. */
const SHORT_NAME_MAX = 24;

const site = z.strictObject({
  id: name.describe('unique site id'),
  name: z.string().min(1).describe('display name, UTF-8 (Vietnamese names welcome)'),
  // A wall-screen tile is about 8 to 12 characters wide per line: long official names ("Phòng Tài nguyên và
  // Môi trường huyện ...") would be cut exactly where they differ, so a tile shows this instead.
  short_name: z
    .string()
    .min(1)
    .max(SHORT_NAME_MAX, `at most ${SHORT_NAME_MAX} characters, so a wall-screen tile shows it whole`)
    .optional()
    .describe(`short name for tiles (at most 24 characters, e.g. "TN&MT Phong Điền"); the full name is shown on hover and in the site's detail`),
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

// Each rule kind's schema lives in its module (src/alerts/kinds/), with the logic it configures.
export const alertRule = z
  .discriminatedUnion('kind', alertRuleKinds())
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
    limits: z
      .strictObject({
        silences: z.number().int().min(1).max(100_000).default(1000).describe('silences not yet ended; one more is refused (409)'),
        matchers: z.number().int().min(1).max(1000).default(64).describe('matchers per silence (more: 413)'),
        value_bytes: z.number().int().min(16).max(65_536).default(1024).describe('bytes of a matcher value or pattern (more: 413)'),
        comment_bytes: z.number().int().min(16).max(65_536).default(4096).describe('bytes of a silence or acknowledgement comment (more: 413)'),
        total_bytes: z.number().int().min(65_536).max(1 << 30).default(4 << 20).describe('all stored silences, ended ones included; the oldest ended make room, then 413'),
        keep_expired: duration.prefault('5d').describe('ended silences stay listed this long'),
        acknowledgements: z.number().int().min(1).max(1_000_000).default(1000).describe('acknowledged alerts at once (more: 409)'),
      })
      .prefault({})
      .describe('bounds on what the API may make netmon store (docs/alerts.md)'),
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
    a.rules.forEach((r, i) => checkAlertRule(r, (key, message) => ctx.addIssue({ code: 'custom', path: ['rules', i, key], message })));
  })
  .describe('alert rules and where notifications go (docs/alerts.md)');
export type AlertingConfig = z.output<typeof alerting>;

// ---- SNMP trap and inform receiver (src/traps/): absent = off, `traps: {}` = on with the defaults ----

export const traps = z
  .strictObject({
    listen_address: z.string().default('0.0.0.0').describe('address the UDP receiver binds to'),
    port: port.default(162).describe('UDP port; below 1024 needs CAP_NET_BIND_SERVICE (or redirect 162 to a high port, see README)'),
    allow: z
      .array(z.string().refine((a) => isIP(a) !== 0, 'expected an IPv4 or IPv6 address (the UDP source address of the sender)'))
      .default([])
      .describe('sender addresses accepted besides the configured targets\' addresses (their traps are stored, with no target)'),
    retention: duration.prefault('30d').describe('how long received traps are kept'),
  })
  .describe('receive SNMP v1/v2c traps and v3 traps/informs (communities and USM users from `credentials`)');
export type TrapsConfig = z.output<typeof traps>;

const sites = z.array(site).default([]).describe('places (data centre, departments, districts, wards)');
const targets = z.array(target).default([]).describe('devices and hosts to monitor');
const credentials = z.record(name, snmpCredential).default({}).describe('SNMP credentials by name');

/** What an included file may contribute. */
export const includeFile = z
  .strictObject({
    // An include that defines nothing is usually a file emptied by mistake: 27 wards silently unmonitored.
    allow_empty: z.boolean().optional().describe('true: this file may define nothing (a warning instead of an error)'),
    sites,
    targets,
    credentials,
  })
  .describe('A netmon config file included from the main file: sites, targets and credentials only.');

export const mainFile = z
  .strictObject({
    // A config with no targets is usually a file emptied or cut short: every job would silently stop.
    allow_empty: z.boolean().optional().describe('true: netmon may run with no targets (e.g. only receiving traps); without it that is an error'),
    include: z
      .array(z.string().min(1))
      .default([])
      .describe('files to include (sites, targets, credentials); paths relative to this file, `*` and `?` allowed, e.g. targets/*.yaml'),
    server: z
      .strictObject({
        listen_address: z.string().default('127.0.0.1'),
        port: port.default(9300),
        allowed_hosts: z.array(z.string().min(1).max(253)).optional().describe('host names (Host header) the server answers to besides its listen address, localhost and IP addresses; others get 421 (DNS rebinding). Default none'),
        language: z.enum(['vi', 'en']).default('vi').describe('dashboard language'),
        timezone: z
          .string()
          .superRefine((tz, ctx) => {
            const why = timeZoneProblem(tz);
            if (why) ctx.addIssue({ code: 'custom', message: why });
          })
          .default('Asia/Ho_Chi_Minh')
          .describe('IANA time zone for the dashboard and working-day curves, e.g. Asia/Ho_Chi_Minh'),
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
        ...probeDefaults(PROBE_KINDS),
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
    traps: traps.optional(),
    flows: flows.optional(),
    remote_write: remoteWrite,
    cluster: z
      .strictObject({ shard: z.number().int().min(0).describe('this poller\'s shard, 0-based'), shards: z.number().int().min(1).max(10000) })
      .refine((c) => c.shard < c.shards, { message: 'expected shard < shards', path: ['shard'] })
      .optional()
      .describe('poll only the targets whose name hashes to this shard (rendezvous hashing); `netmon run --shard I/N` overrides'),
    maintenance: maintenanceSchema,
    limits: limitsSchema,
    reports: z
      .strictObject({
        monthly_delivery: z.boolean().default(false).describe('on the 1st of each month at 07:00 (server.timezone), tell the webhook receivers of alerting: where last month\'s report is'),
        public_url: receiverUrl.optional().describe('netmon\'s address as the receivers reach it, for the report link (default: http://listen_address:port/)'),
      })
      .optional()
      .describe('the monthly report (issue 22): scheduled delivery of its link'),
  })
  .describe('netmon main configuration file');
export type ReportsConfig = z.output<typeof mainFile>['reports'];
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
