/**
 * What a trap does to its target at once: linkDown/linkUp become `netmon_interface_oper_up` (and
 * `netmon_interface_admin_up` where the trap carries ifAdminStatus) samples published as a target event
 * (Pipeline.publishEvent: labelled at the fan-out like every sample, no probe health series, since a trap
 * is not a probe run), and every state trap (link, cold/warm start, authenticationFailure) asks for an
 * immediate poll of the target, which then brings the full truth through the ordinary probe path.
 */
import type { TargetEvent } from '../pipeline.js';
import type { ProbeResult } from '../scheduler.js';
import type { Sample, Target } from '../types.js';
import { trapIfIndex, trapIfStatus, type Notification } from './decode.js';
import { OIDS, TRAPS } from './names.js';

/** Traps after which the target is polled at once. */
export const POLL_TRAPS: ReadonlySet<string> = new Set([TRAPS.linkDown, TRAPS.linkUp, TRAPS.coldStart, TRAPS.warmStart, TRAPS.authenticationFailure]);

const OPER = 'netmon_interface_oper_up';
const ADMIN = 'netmon_interface_admin_up';
const IDENTITY = new Set(['target', 'site']);

/** The probe's own labels of the polled series of this interface, so the trap's sample replaces it. */
export type InterfaceLabels = (target: Target, metric: string, ifIndex: string) => Record<string, string> | undefined;

function own(target: Target, labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (!IDENTITY.has(k) && !(k in target.labels)) out[k] = v;
  return out;
}

/** The interface samples a link trap carries; empty for other traps or one without an ifIndex. */
export function linkSamples(n: Notification, target: Target, known: InterfaceLabels, now: number): { ifIndex: string | null; samples: Sample[] } {
  if (n.trapOid !== TRAPS.linkDown && n.trapOid !== TRAPS.linkUp) return { ifIndex: null, samples: [] };
  const ifIndex = trapIfIndex(n);
  if (ifIndex === null) return { ifIndex, samples: [] };
  // Only an interface the poller knows: a sample for any other would invent a row (and a series) that
  // no poll ever refreshes. The trap is stored all the same, and the poll it triggers finds the interface.
  const polled = known(target, OPER, ifIndex);
  if (!polled) return { ifIndex, samples: [] };
  const oper = trapIfStatus(n, OIDS.ifOperStatus, ifIndex);
  const admin = trapIfStatus(n, OIDS.ifAdminStatus, ifIndex);
  const samples: Sample[] = [];
  const labelsOf = (metric: string) => own(target, known(target, metric, ifIndex) ?? polled);
  samples.push({
    metric: OPER,
    labels: labelsOf(OPER),
    value: oper !== null ? Number(oper === 1) : Number(n.trapOid === TRAPS.linkUp),
    ts: now,
    type: 'gauge',
    help: 'Whether the interface is operationally up (ifOperStatus = up).',
  });
  if (admin !== null) samples.push({ metric: ADMIN, labels: labelsOf(ADMIN), value: Number(admin === 1), ts: now, type: 'gauge', help: 'Whether the interface is administratively up (ifAdminStatus = up).' });
  return { ifIndex, samples };
}

/**
 * The alert engine judges ProbeResults (its rules read `spec.intervalMs` for staleness): a trap's samples
 * reach it as a result of the target's SNMP probe that carries only them (no error, no health series, so
 * probe_failing has no word on it). Undefined when the target has no SNMP probe.
 */
export function eventAsResult(e: TargetEvent): ProbeResult | undefined {
  const spec = e.target.probes.find((p) => p.kind === 'snmp');
  if (!spec) return undefined;
  return { target: e.target, kind: spec.kind, spec, samples: e.samples, scheduledAt: e.at, startedAt: e.at, durationMs: 0 };
}

/**
 * At most one trap-triggered poll per target in flight; traps arriving meanwhile (a flapping port, a
 * storm) fold into one more poll after it, so the last state is always polled and a storm costs two polls.
 */
export class PollCoalescer {
  private readonly state = new Map<string, 'running' | 'again'>();

  constructor(private readonly run: (target: string) => Promise<unknown>) {}

  request(target: string): void {
    const s = this.state.get(target);
    if (s) {
      this.state.set(target, 'again');
      return;
    }
    this.state.set(target, 'running');
    void this.loop(target);
  }

  private async loop(target: string): Promise<void> {
    for (;;) {
      try {
        await this.run(target);
      } catch {
        // a failed poll is a probe result like any other; nothing to do here
      }
      if (this.state.get(target) !== 'again') break;
      this.state.set(target, 'running');
    }
    this.state.delete(target);
  }
}
