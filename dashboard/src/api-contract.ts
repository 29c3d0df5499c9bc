/**
 * The HTTP API contract: every JSON answer (and request body) of /api/v1/* and what /-/reload answers,
 * declared once. The server checks its handlers against these types (src/http/contract.ts re-exports them,
 * with static checks against the config's enums), the dashboard reads its answers through them, and
 * test/http/contract.test.ts type-checks real answers of a running server against them. docs/api.md is
 * the prose for the same shapes.
 *
 * Pure types: nothing here exists at run time, every import of this module is `import type`.
 *
 * Why this file lives in dashboard/src/: it must be compiled by both tsconfigs. The dashboard's has
 * `rootDir: src` (its output, dashboard/dist/*.js, is what index.html preloads under /js/), so a .ts file
 * outside dashboard/src would fail with TS6059, and widening rootDir would move every built file
 * (dashboard/dist/dashboard/src/...) away from where app.ts serves /js. The server's tsconfig has
 * `rootDir: "."`, so it can import this file where it is. A `.d.ts` elsewhere would avoid both, but
 * `skipLibCheck: true` (both tsconfigs) skips checking declaration files: a typo in the contract (an
 * unknown type name) would silently become `any` there and the contract would stop checking anything.
 * As a .ts file it is fully type-checked by both compilers; its emitted form is an empty module.
 *
 * Conventions (docs/api.md): times are ms since the Unix epoch, rates bits/s, volumes bytes, ratios 0-1,
 * optical levels dBm; `null` is "not measured (yet)": fields are never left out for a missing value.
 */

// ---------------------------------------------------------------------------------------------------
// Shared vocabulary

/** Every 4xx/5xx answer of /api/v1 (and of the request limits and basic auth in front of it). */
export interface ErrorResponse {
  error: string;
}

export type SiteState = 'up' | 'degraded' | 'down' | 'unknown';
export type SiteGroup = 'datacentre' | 'provincial' | 'district' | 'ward';
export type SiteCounts = Record<SiteState, number>;
export type Severity = 'critical' | 'warning' | 'info';
export type TargetRole = 'switch' | 'fibre' | 'server' | 'uplink';
/** ok, warn (beyond a warning threshold), alarm (beyond an alarm threshold); null: no thresholds known. */
export type OpticalLevel = 'ok' | 'warn' | 'alarm';
export type Labels = Record<string, string>;
/** A column of values aligned on a `ts` column: null where that series has no bucket. */
export type Column = (number | null)[];

/** The common fields of every answer about a time window (see "Time windows" in docs/api.md). */
export interface WindowAnswer {
  from: number;
  to: number;
  /** The asked window was longer than a year and was cut to one. */
  capped: boolean;
}

// ---------------------------------------------------------------------------------------------------
// GET /api/v1/overview

export type ReloadTrigger = 'startup' | 'signal' | 'http' | 'watch' | 'api';

export interface ConfigReloadStatus {
  ok: boolean;
  at: number;
  last_success_at: number;
  trigger: ReloadTrigger | null;
  /** The config problems, one per line (file:line:col: field: message), at most ~4000 characters; null when ok. */
  error: string | null;
}

export interface UplinkNow {
  name: string;
  display_name: string;
  target: string;
  interface: string;
  capacity_bps: number;
  warn_utilization: number;
  in_bps: number | null;
  out_bps: number | null;
  updated_at: number | null;
  /** The capacity forecast from the complete local days before today (as in the uplinks report). */
  forecast: { in: Forecast; out: Forecast };
}

export interface OverviewResponse {
  version: string;
  simulated: boolean;
  language: 'vi' | 'en';
  timezone: string;
  now: number;
  last_result_at: number | null;
  uplinks: UplinkNow[];
  sites: SiteCounts;
  /** Outcome of the last config (re)load; null when the daemon does not report it (tests, embedding). */
  config_reload: ConfigReloadStatus | null;
}

// ---------------------------------------------------------------------------------------------------
// GET /api/v1/uplinks/:name/traffic, GET /api/v1/targets/:target/interfaces/:ifIndex/traffic

export type Direction = 'in' | 'out';
/** What answered a window: raw samples or the 5-minute / 1-hour rollups. */
export type Resolution = 'raw' | '5m' | '1h';

/** Bits/s per bucket: min, mean and max of the per-second rates in it. Buckets without data are absent. */
export interface RateColumns {
  ts: number[];
  min: number[];
  mean: number[];
  max: number[];
}

export interface TrafficStats {
  peak_bps: number | null;
  /** 95th percentile of the 5-minute average rates (the billing standard). */
  p95_bps: number | null;
  volume_bytes: number;
}

/** A direction whose counters were never seen. */
export interface TrafficDirectionEmpty {
  direction: Direction;
  series: null;
  stats: null;
}
export interface TrafficDirectionData {
  direction: Direction;
  resolution: Resolution;
  step_ms: number;
  /** How often the counters are polled (the SNMP probe's interval); null if the target no longer polls them. A chart breaks its line only where two buckets are further apart than both this and the step allow: at raw resolution the step can be far below it. */
  poll_interval_ms: number | null;
  series: RateColumns;
  stats: TrafficStats;
}
export type TrafficDirection = TrafficDirectionEmpty | TrafficDirectionData;

export interface TrafficAnswer extends WindowAnswer {
  in: TrafficDirection;
  out: TrafficDirection;
  /** Time the store took, ms. */
  query_ms: number;
}

export interface UplinkTrafficResponse extends TrafficAnswer {
  uplink: string;
  display_name: string;
  capacity_bps: number;
  /** Buckets asked of the store (may be lower than `points` asked: see docs/api.md). */
  points: number;
}

export interface InterfaceTrafficResponse extends TrafficAnswer {
  target: string;
  if_index: string;
  if_name: string | null;
  if_alias: string | null;
}

// ---------------------------------------------------------------------------------------------------
// GET /api/v1/targets/:target/interfaces/:ifIndex/errors

export type PortCounter = 'in_errors' | 'out_errors' | 'in_discards' | 'out_discards';

/** One error or discard counter of a port: packets/s per bucket (mean), and the window's total. */
export interface PortCounterHistory {
  counter: PortCounter;
  /** Null when the agent never reported this counter for the port (a gap, not a zero). */
  series: { ts: number[]; mean: number[] } | null;
  /** Packets over the window; null when the counter was never seen. */
  total: number | null;
}

export interface InterfaceErrorsResponse extends WindowAnswer {
  target: string;
  if_index: string;
  counters: PortCounterHistory[];
}

/** Either traffic answer: what a traffic chart draws. */
export type TrafficResponse = UplinkTrafficResponse | InterfaceTrafficResponse;

// ---------------------------------------------------------------------------------------------------
// GET /api/v1/sites, /sites/:id, /sites/:id/ping, /sites/:id/optical

export interface SiteSummary {
  id: string;
  name: string;
  /** What a tile shows: the site's configured `short_name`, else its name. */
  short_name: string;
  group: SiteGroup;
  state: SiteState;
  /** Why the state is not `up`: ping_down, snmp_failed, loss, latency, no_data. */
  reasons: string[];
  rtt_ms: number | null;
  loss_ratio: number | null;
  /** Worst optical level of the site's fibre ports, null without optics. */
  optical: OpticalLevel | null;
  targets: string[];
  updated_at: number | null;
}

export interface SitesResponse {
  now: number;
  /** Counts of the sites answered (after the filters). */
  counts: SiteCounts;
  sites: SiteSummary[];
}

/** How GET /api/v1/sites orders its answer: `state` worst first (down, degraded, unknown, up), `rtt` and `loss` highest first (unmeasured last), `name` alphabetical by short name (what tiles show; Vietnamese collation); ties by short name. */
export type SiteSort = 'state' | 'rtt' | 'loss' | 'name';

/** The query of GET /api/v1/sites (every parameter optional; `state` and `group` take comma-separated lists). */
export interface SitesQuery {
  /** Words that must all appear in the id, name, short name or a target name (case and diacritics ignored). */
  q?: string;
  group?: SiteGroup[];
  state?: SiteState[];
  sort?: SiteSort;
}

/** Transceiver thresholds by key: rx_low_alarm_dbm, rx_low_warn_dbm, rx_high_warn_dbm, rx_high_alarm_dbm, the same for tx. */
export type OpticalThresholds = Record<string, number | null>;

/** The newest Rx/Tx levels of one optical port, with its transceiver's thresholds. */
export interface OpticalReading {
  target: string;
  /** The labels naming the port (target, site, if_index, if_name). */
  labels: Labels;
  rx_dbm: number | null;
  tx_dbm: number | null;
  thresholds: OpticalThresholds;
  level: OpticalLevel | null;
  ts: number;
}

export interface InterfaceRow {
  target: string;
  if_index: string | null;
  if_name: string | null;
  if_alias: string | null;
  admin_up: boolean | null;
  oper_up: boolean | null;
  speed_bps: number | null;
  in_bps: number | null;
  out_bps: number | null;
  optical: OpticalReading | null;
}

/** The newest run of one probe of a target. */
export interface ProbeStatus {
  kind: string;
  interval_ms: number;
  /** null: not run yet. */
  ok: boolean | null;
  /** Why it failed (timeout, auth, ...). */
  reason: string | null;
  message: string | null;
  at: number | null;
}

export interface SiteTarget {
  name: string;
  role: TargetRole;
  address: string;
  /** The target's own state and reasons (the site's are the worst of its targets'). */
  state: SiteState;
  reasons: string[];
  probes: ProbeStatus[];
  /** Empty for a target without SNMP. */
  interfaces: InterfaceRow[];
  optics: OpticalReading[];
}

export interface SiteDetailResponse extends Omit<SiteSummary, 'targets'> {
  targets: SiteTarget[];
}

/** Smokeping-style RTT history of one pinged target, in seconds, `loss` a ratio; all aligned on `ts`. */
export interface PingHistory {
  target: string;
  step_ms: number | null;
  ts: number[];
  min: Column;
  median: Column;
  max: Column;
  q10: Column;
  q25: Column;
  q75: Column;
  q90: Column;
  loss: Column;
}

export interface SitePingResponse extends WindowAnswer {
  site: string;
  targets: PingHistory[];
}

/** Rx/Tx level history of one optical port (dBm bucket means; rx_min_dbm the bucket minima). */
export interface OpticalHistory {
  target: string;
  labels: Labels;
  ts: number[];
  rx_dbm: Column;
  tx_dbm: Column;
  rx_min_dbm: Column;
  /** The current thresholds, null when the port has no current reading. */
  thresholds: OpticalThresholds | null;
  level: OpticalLevel | null;
}

export interface SiteOpticalResponse extends WindowAnswer {
  site: string;
  ports: OpticalHistory[];
}

// ---------------------------------------------------------------------------------------------------
// GET /api/v1/servers

export interface ServerDisk {
  name: string;
  size_bytes: number;
  used_bytes: number | null;
  used_ratio: number | null;
}

export interface ServerSummary {
  target: string;
  site: string;
  site_name: string;
  address: string;
  description: string | null;
  /** Its SNMP/host probes succeed; null: no current result. */
  ok: boolean | null;
  cpu_ratio: number | null;
  cpus: number | null;
  memory_total_bytes: number | null;
  memory_used_bytes: number | null;
  memory_used_ratio: number | null;
  disks: ServerDisk[];
  load1: number | null;
  load5: number | null;
  load15: number | null;
  /** unreachable, cpu, memory, disk (at >= 90 %). */
  warnings: string[];
  updated_at: number | null;
}

export interface ServersResponse {
  now: number;
  servers: ServerSummary[];
}

// ---------------------------------------------------------------------------------------------------
// GET /api/v1/fibres

/** One optical port with its margin to the Rx alarm level and its trend over the last 7 days. */
export interface FibrePort {
  target: string;
  /** The labels naming the port (target, site, if_index, if_name). */
  labels: Labels;
  rx_dbm: number | null;
  tx_dbm: number | null;
  level: OpticalLevel | null;
  thresholds: OpticalThresholds;
  /** The Rx level that raises the alarm: the transceiver's own low-alarm threshold, else the optical_rx_low rule's `below_dbm`; null when neither exists. */
  alarm_dbm: number | null;
  alarm_source: 'device' | 'rule' | null;
  /** Rx now minus the alarm level (dB): how far the fibre is from alarming; null without both. */
  margin_db: number | null;
  /** Least-squares slope of the stored hourly Rx means over the last 7 days, in dB per week (negative: getting worse); null with less than a day of history. */
  trend_db_per_week: number | null;
  /** How many days of stored history the trend is computed from. */
  trend_days: number;
}

export interface FibresResponse {
  now: number;
  /** Smallest margin first; ports without a margin last. */
  ports: FibrePort[];
  /** Ports with no alarm level (no transceiver threshold, no rule): their margin is unknown. */
  without_alarm_level: number;
}

// ---------------------------------------------------------------------------------------------------
// GET /api/v1/targets/:target (the device page)

/** An interface row with its current error rates (packets/s; null when the agent does not report them). */
export interface DeviceInterface extends InterfaceRow {
  in_errors_per_s: number | null;
  out_errors_per_s: number | null;
}

/** The newest reading of a device gauge (CPU or memory), with the labels naming the processor, board or pool. */
export interface DeviceGauge {
  labels: Labels;
  value: number;
  ts: number;
}

export interface DeviceResponse {
  target: string;
  site: string;
  role: TargetRole;
  address: string;
  state: SiteState;
  reasons: string[];
  interfaces: DeviceInterface[];
  /** netmon_device_cpu_utilization_ratio per processor (0-1); empty when no vendor profile polls it. */
  cpu: DeviceGauge[];
  /** netmon_device_memory_utilization_ratio per board (0-1, Huawei, H3C). */
  memory_ratio: DeviceGauge[];
  /** Memory pools (Cisco): bytes used and free per pool. */
  memory_pools: { pool: string; used_bytes: number | null; free_bytes: number | null }[];
  inventory: DeviceInventory | null;
}

// ---------------------------------------------------------------------------------------------------
// GET /api/v1/targets/:target/inventory

/** One row of the device's ENTITY-MIB entPhysicalTable (RFC 6933), text as the agent gave it ('' = none). */
export interface PhysicalEntity {
  /** entPhysicalIndex. */
  index: number;
  descr: string;
  /** entPhysicalVendorType, an OID ('' or 0.0 = none). */
  vendor_type: string;
  /** entPhysicalContainedIn: index of the entity this one is in, 0 = none. */
  contained_in: number | null;
  /** entPhysicalClass, IANAPhysicalClass (3 = chassis, 9 = module, 10 = port...), and its name. */
  class: number | null;
  class_name: string | null;
  parent_rel_pos: number | null;
  name: string;
  hardware_rev: string;
  firmware_rev: string;
  software_rev: string;
  serial_num: string;
  mfg_name: string;
  model_name: string;
  /** entPhysicalIsFRU: a field-replaceable unit; null when the agent does not say. */
  is_fru: boolean | null;
}

/** What the SNMP probe learnt about the device itself: sysObjectID (probes/profiles/devices/sysobjectid.yaml) and ENTITY-MIB. */
export interface DeviceInventory {
  sys_object_id: string;
  /** From the sysObjectID table; `unknown` when no prefix matches. */
  vendor: string;
  /** Model family from the sysObjectID table ('' when it names none); entities carry the exact model names. */
  model: string;
  /** The vendor profiles the sysObjectID added to the target's role profiles. */
  vendor_profiles: string[];
  /** Every entPhysicalTable row, by index; empty for an agent without ENTITY-MIB. */
  entities: PhysicalEntity[];
  /** When the entity table was read (it is read again every 15 minutes and after the agent restarted). */
  read_at: number;
}

export interface DeviceInventoryResponse {
  target: string;
  /** null: the target has no SNMP probe, or it has not answered yet. */
  inventory: DeviceInventory | null;
}

// ---------------------------------------------------------------------------------------------------
// GET /api/v1/problems

export type ProblemKind = 'alert' | 'site_down' | 'site_degraded' | 'uplink_saturated' | 'interface_down' | 'optical_low' | 'optical_high' | 'server';

/** The rule kinds of `alerting.rules[].kind` (src/config/schema.ts; the server checks they are the same). */
export type AlertRuleKind =
  | 'uplink_utilization'
  | 'interface_down'
  | 'site_unreachable'
  | 'ping_loss'
  | 'ping_latency'
  | 'optical_rx_low'
  | 'optical_rx_drop'
  | 'host_cpu'
  | 'host_memory'
  | 'host_disk'
  | 'probe_failing'
  | 'agent_restarted'
  | 'config_reload_failed'
  | 'threshold';

export interface Acknowledgement {
  by: string;
  comment: string;
  at: number;
}

export interface ProblemAlert {
  fingerprint: string;
  alertname: string;
  state: 'pending' | 'firing';
  summary: string;
  description: string | null;
  labels: Labels;
  /** When the condition became true (pending since), and when the alert started firing. */
  active_since: number;
  starts_at: number | null;
  acknowledged: Acknowledgement | null;
  silenced_by: string[];
  /** End of the longest active silence muting it. */
  silenced_until: number | null;
  /** The rule's kind (null if the rule is gone), and whether `summary` is netmon's default (English) text for it, which the dashboard shows in its own language instead. */
  rule_kind: AlertRuleKind | null;
  default_summary: boolean;
}

export interface Problem {
  kind: ProblemKind;
  /** `alert`: from the alert engine; `threshold`: from the dashboard's own checks (nothing configured watches it). */
  source: 'alert' | 'threshold';
  severity: Severity;
  /** What it is about: a site id, an uplink name, "target if_name", a server target. */
  subject: string;
  site: string | null;
  site_name: string | null;
  target: string | null;
  /** The measured figure and the threshold it crossed, where there is one (ratio, dBm...). */
  value: number | null;
  threshold: number | null;
  /** Extra detail: reasons of a site state, the interface alias, the warnings of a server. */
  detail: string[];
  ts: number | null;
  /** The alert behind it (source `alert`), else null. */
  alert: ProblemAlert | null;
}

export interface ProblemsResponse {
  now: number;
  problems: Problem[];
}

// ---------------------------------------------------------------------------------------------------
// /api/v1/alerts (docs/alerts.md, "HTTP API")

export type AlertState = 'pending' | 'firing' | 'resolved';

/** One alert instance as the API shows it. */
export interface AlertView {
  fingerprint: string;
  alertname: string;
  /** The `severity` label ("" if the rule set none). */
  severity: string;
  state: AlertState;
  labels: Labels;
  annotations: Labels;
  value: number;
  active_since: number;
  starts_at: number | null;
  resolved_at: number | null;
  silenced_by: string[];
  acknowledged: Acknowledgement | null;
}

/** GET /api/v1/alerts */
export interface AlertsResponse {
  now: number;
  alerts: AlertView[];
}

/**
 * One configured rule (GET /api/v1/alerts/rules): the rule as configured (its kind's own options, e.g.
 * `above`, `uplinks`, `match`, `exclude`; durations in ms), with the defaults applied in the fields below.
 * The options are left open here: src/config/schema.ts (`alertRule`) is their one definition.
 */
export interface AlertRule {
  name: string;
  kind: AlertRuleKind;
  severity: Severity;
  for_ms: number;
  keep_firing_for_ms: number;
  summary: string;
  description: string;
  labels: Labels;
  [option: string]: unknown;
}

/** GET /api/v1/alerts/rules */
export interface AlertRulesResponse {
  rules: AlertRule[];
}

export type AlertHistoryEventKind = 'pending' | 'firing' | 'resolved' | 'inactive' | 'acknowledged' | 'unacknowledged';

/** One transition of an alert (or an acknowledgement) in the history. */
export interface AlertHistoryEvent {
  /** Row id: absent until stored; every event the API answers has it. */
  id?: number;
  ts: number;
  fingerprint: string;
  rule: string;
  severity: string;
  event: AlertHistoryEventKind;
  value: number | null;
  labels: Labels;
  summary: string;
}

/** GET /api/v1/alerts/history */
export interface AlertHistoryResponse {
  events: AlertHistoryEvent[];
}

/** Delivery status of one receiver (its URL and headers are never part of any answer). */
export interface ReceiverStatus {
  name: string;
  type: 'alertmanager' | 'webhook';
  queued: number;
  consecutive_failures: number;
  last_success_at: number | null;
  last_failure_at: number | null;
  last_error: string | null;
  next_attempt_at: number | null;
}

/** GET /api/v1/alerts/receivers */
export interface ReceiversResponse {
  receivers: ReceiverStatus[];
}

export interface SilenceMatcher {
  name: string;
  value: string;
  /** Full-match regular expression instead of equality. */
  regex?: boolean;
}

/** A silence as stored and answered (camelCase, as it always was on the wire). */
export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  createdAt: number;
}

/** GET /api/v1/alerts/silences: active and ended ones, newest first; `?limit=` (default 500, at most 1000) and `?offset=` page through `total`. */
export interface SilencesResponse {
  silences: (Silence & { active: boolean })[];
  total: number;
}

/** POST /api/v1/alerts/silences body: exactly one of `duration` (e.g. "2h") and `ends_at`. */
export interface SilenceRequest {
  /** [{name, value, regex?}] or the short form {label: value} (equality). */
  matchers: SilenceMatcher[] | Labels;
  starts_at?: number;
  ends_at?: number;
  duration?: string;
  comment: string;
  created_by: string;
}

/** POST /api/v1/alerts/silences → 201 */
export interface SilenceCreatedResponse {
  silence: Silence;
}

/** DELETE /api/v1/alerts/silences/:id */
export interface OkResponse {
  ok: true;
}

/** POST /api/v1/alerts/:fingerprint/ack body. */
export interface AckRequest {
  by: string;
  comment?: string;
}

/** POST and DELETE /api/v1/alerts/:fingerprint/ack */
export interface AlertAckResponse {
  alert: AlertView;
}

// ---------------------------------------------------------------------------------------------------
// GET /api/v1/traps (SNMP traps and informs received, newest first; `traps: {}` in the main file)

/** One varbind of a trap, named where netmon knows the OID (standard MIBs, the SNMP profiles). */
export interface TrapVarbind {
  oid: string;
  /** e.g. `ifOperStatus.3`, `netmon_interface_oper_up.3`; null for an OID no profile names. */
  name: string | null;
  /** net-snmp's type name: Integer, OctetString, OID, TimeTicks, Counter64, ... */
  type: string;
  /** Numbers as numbers; strings as text when printable, else hex; Counter64 as a decimal string. */
  value: string | number | null;
}

export interface TrapEvent {
  id: number;
  /** When netmon received it. */
  ts: number;
  /** The UDP source address. */
  source: string;
  /** The configured target with that address; null for a sender listed only in `traps.allow`. */
  target: string | null;
  site: string | null;
  version: '1' | '2c' | '3';
  pdu: 'trap' | 'inform';
  /** snmpTrapOID (v1 traps mapped per RFC 3584: linkDown is 1.3.6.1.6.3.1.1.5.3 for every version). */
  trap_oid: string;
  /** linkDown, coldStart, ...; null for a trap netmon does not know (it is kept all the same). */
  trap_name: string | null;
  /** The SNMPv3 user; null for v1/v2c (communities are never stored or served). */
  user: string | null;
  /** The sender's sysUpTime in hundredths of a second, as the trap carries it. */
  uptime_ticks: number | null;
  /** The interface the trap is about (linkDown/linkUp), with its name where the poller knows it. */
  if_index: string | null;
  if_name: string | null;
  varbinds: TrapVarbind[];
}

/** `?target=&trap=&from=&to=&before_id=&limit=` (limit default 100, at most 1000); page on with before_id. */
export interface TrapsResponse {
  traps: TrapEvent[];
  /** Pass as `before_id` for the next (older) page; null when this was the last. */
  next_before_id: number | null;
}

// ---------------------------------------------------------------------------------------------------
// GET /api/v1/events (server-sent events)

/** A new sample of an uplink series (`netmon_uplink_*`). */
export interface LiveSample {
  metric: string;
  labels: Labels;
  value: number;
  ts: number;
}

/** The data of a `result` event: one probe run finished. */
export interface ResultEvent {
  target: string;
  probe: string;
  ok: boolean;
  ts: number;
  uplinks: LiveSample[];
}

// ---------------------------------------------------------------------------------------------------
// POST /-/reload

/**
 * Not JSON: a `text/plain` line, as Prometheus's endpoint of the same name answers. 200 "config
 * reloaded: ...", 500 "config reload failed, keeping the running config: <problems>", 403 for a
 * cross-site request, 405 (Allow: POST) for another method. No request body.
 */
export type ReloadResponseText = string;

// ---------------------------------------------------------------------------------------------------
// Reports (GET /api/v1/reports/availability, /api/v1/reports/uplinks; definitions in src/reports/*.ts and docs/api.md)

export interface Durations {
  up_ms: number;
  degraded_ms: number;
  down_ms: number;
  unknown_ms: number;
  maintenance_ms: number;
}

export interface Shares {
  /** range − maintenance, ms */
  scheduled_ms: number;
  up: number | null;
  degraded: number | null;
  down: number | null;
  unknown: number | null;
  /** (up + degraded) ÷ scheduled; null when everything was maintenance. */
  availability: number | null;
}

export interface Outage {
  start: number;
  end: number;
  duration_ms: number;
  /** Reasons the status module gave while it lasted (`netmon_site_state_reason_info`), sorted. */
  causes: string[];
}

export interface SiteAvailability extends Durations, Shares {
  site: string;
  name: string;
  group: string;
  outages: Outage[];
  maintenance: { start: number; end: number }[];
}

export interface GroupAvailability extends Durations, Shares {
  group: string;
  sites: number;
}

export interface AvailabilityPeriod {
  from: number;
  to: number;
  sites: SiteAvailability[];
  groups: GroupAvailability[];
  overall: Durations & Shares & { sites: number };
}

export interface AvailabilityReport extends AvailabilityPeriod {
  timezone: string;
  months: (AvailabilityPeriod & { month: string })[];
}

export interface DirectionUsage {
  direction: Direction;
  /** Resolution of the averages the figures are made of; null without data. */
  resolution: Exclude<Resolution, 'raw'> | null;
  /** Number of averages (buckets with data). */
  samples: number;
  p95_bps: number | null;
  peak_bps: number | null;
  peak_5m_bps: number | null;
  mean_bps: number | null;
  volume_bytes: number;
  /** p95 ÷ capacity. */
  p95_utilization: number | null;
  hours_above_warn: number;
  /** heatmap[weekday 0 = Monday][local hour] = mean utilisation (0-1), null without data. */
  heatmap: (number | null)[][];
}

/** What every uplink section of a report starts with: the uplink and the range. */
export interface UplinkHead {
  uplink: string;
  display_name: string;
  capacity_bps: number;
  warn_utilization: number;
  from: number;
  to: number;
}

export interface UplinkUsage extends UplinkHead {
  in: DirectionUsage;
  out: DirectionUsage;
}

export interface UplinkReport {
  from: number;
  to: number;
  timezone: string;
  uplinks: UplinkUsage[];
  /** The same per local calendar month that [from, to) touches, each clipped to the range. */
  months: { month: string; from: number; to: number; uplinks: UplinkUsage[] }[];
}

export interface DailyPoint {
  /** Local date YYYY-MM-DD. */
  day: string;
  value: number;
}

export interface Crossing {
  /** Local date of the crossing; the first forecast day when the level is already above; null: not within the horizon. */
  expected: string | null;
  earliest: string | null;
  latest: string | null;
  already: boolean;
}

export interface Forecast {
  days: number;
  /** Trend, units per day (bits/s per day for uplinks), and its 95 % interval. */
  slope_per_day: number | null;
  slope_low: number | null;
  slope_high: number | null;
  /** Fitted level on the last day. */
  level: number | null;
  /** Weekday effect subtracted, Monday..Sunday. */
  weekly: number[];
  warn: Crossing;
  full: Crossing;
  horizon_days: number;
}

/** `from`/`to`: the complete local days used, [from, to). */
export interface UplinkForecast extends UplinkHead {
  daily: { direction: Direction; days: DailyPoint[] }[];
  in: Forecast;
  out: Forecast;
}

/** GET /api/v1/reports/availability */
export type AvailabilityReportResponse = AvailabilityReport;

/** GET /api/v1/reports/uplinks: usage over the range and per month, and each uplink's capacity forecast from the days before now. */
export interface UplinkReportResponse extends UplinkReport {
  forecasts: UplinkForecast[];
}

// ---------------------------------------------------------------------------------------------------
// Flows (src/flows/, issue 21): who fills an uplink

/** What a flow is attributed by: the site or data-centre service of its local end, its application, its addresses. */
export type FlowDimension = 'site' | 'service' | 'app' | 'src' | 'dst' | 'pair';

export interface FlowTopRow {
  /** Site id, service (target) name, application name, address, or `src > dst` (pair). `unknown`: no site/service matched. */
  key: string;
  bytes: number;
  packets: number;
  /** Of the uplink's flow bytes in that direction over the window (0-1). */
  share_of_total: number;
  /** Average bits/s over the window ÷ the uplink's capacity (0-1); null without a capacity. */
  share_of_capacity: number | null;
}

/** GET /api/v1/flows/top: the top keys of a dimension on an uplink and direction over [from, to). */
export interface FlowTopResponse {
  uplink: string;
  direction: Direction;
  by: FlowDimension;
  from: number;
  to: number;
  capacity_bps: number;
  /** Every flow byte of the uplink and direction in the window (exact: the stored minutes keep an `other` remainder). */
  total_bytes: number;
  total_packets: number;
  share_of_capacity: number | null;
  rows: FlowTopRow[];
  /** What the rows do not show: total minus the rows. */
  other: { bytes: number; packets: number };
}
