/**
 * Runs every target×probe on its interval. Starts are spread across the interval (a stable hash of the
 * job's key picks its slot), a job never overlaps itself (a slot that comes while the previous run is
 * still going is skipped and counted), and at most `maxConcurrency` jobs run at once. Probes that can
 * batch (`runMany`, e.g. fping) get one job per interval for all their targets.
 */
import { createHash } from 'node:crypto';
import type { Probe, ProbeSpec, Sample, Target } from './types.js';
import { ProbeError } from './types.js';

/** What a batch run returns: samples per target name, and optionally why a target has none. */
export type BatchResult = Map<string, Sample[]> & { errors?: ReadonlyMap<string, ProbeError> };

/** A probe that can serve many targets in one run (one fping process for all of them). */
export interface BatchProbe extends Probe {
  runMany(items: { target: Target; spec: ProbeSpec }[], signal: AbortSignal): Promise<BatchResult>;
}

export function isBatchProbe(p: Probe): p is BatchProbe {
  return typeof (p as Partial<BatchProbe>).runMany === 'function';
}

export interface ProbeResult {
  target: Target;
  kind: string;
  spec: ProbeSpec;
  samples: Sample[];
  error?: ProbeError;
  scheduledAt: number;
  startedAt: number;
  durationMs: number;
}

export interface SchedulerStats {
  runs: Record<string, number>;
  skipped: Record<string, number>;
  inFlight: number;
  /** Delay between a slot and the job's actual start, of the most recent start (ms). */
  lastLagMs: number;
  maxLagMs: number;
}

export interface SchedulerOptions {
  maxConcurrency: number;
  onResult: (result: ProbeResult) => void;
  log?: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
}

interface Job {
  key: string;
  kind: string;
  /** Identity of what the job does; a reload keeps a job whose fingerprint did not change. */
  fingerprint: string;
  intervalMs: number;
  deadlineMs: number;
  offsetMs: number;
  items: { target: Target; spec: ProbeSpec }[];
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
  nextAt: number;
}

/** Stable position of a job inside its interval, so restarts keep the same spread. */
export function slotOffset(key: string, intervalMs: number): number {
  const h = createHash('sha1').update(key).digest().readUInt32BE(0);
  return h % intervalMs;
}

/** First slot time ≥ now for a job with this interval and offset (slots are aligned to the epoch). */
export function nextSlot(now: number, intervalMs: number, offsetMs: number): number {
  const k = Math.ceil((now - offsetMs) / intervalMs);
  return k * intervalMs + offsetMs;
}

export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly stats: SchedulerStats = { runs: {}, skipped: {}, inFlight: 0, lastLagMs: 0, maxLagMs: 0 };
  private readonly waiting: (() => void)[] = [];
  /** Abort handles of runs in flight, so stop() does not wait for slow devices. */
  private readonly inFlight = new Set<AbortController>();
  private running = false;

  constructor(
    private readonly probes: ReadonlyMap<string, Probe>,
    private readonly opts: SchedulerOptions,
  ) {}

  getStats(): SchedulerStats {
    return { ...this.stats, runs: { ...this.stats.runs }, skipped: { ...this.stats.skipped } };
  }

  /** Replace the set of targets. Jobs that did not change keep running undisturbed (a reload restarts nothing else). */
  setTargets(targets: readonly Target[]): { added: number; removed: number; kept: number } {
    const wanted = this.buildJobs(targets);
    let added = 0;
    let removed = 0;
    let kept = 0;
    for (const [key, job] of this.jobs) {
      const next = wanted.get(key);
      if (next && next.fingerprint === job.fingerprint) {
        kept++;
        wanted.delete(key);
        continue;
      }
      if (job.timer) clearTimeout(job.timer);
      this.jobs.delete(key);
      removed++;
    }
    for (const [key, job] of wanted) {
      this.jobs.set(key, job);
      added++;
      if (this.running) this.arm(job);
    }
    return { added, removed, kept };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const job of this.jobs.values()) this.arm(job);
  }

  /** Stop scheduling, abort runs in flight (a slow device must not hold up shutdown) and wait for them to end. */
  async stop(): Promise<void> {
    this.running = false;
    for (const job of this.jobs.values()) if (job.timer) clearTimeout(job.timer);
    for (const c of this.inFlight) c.abort(new ProbeError('internal', 'netmon is stopping'));
    await Promise.allSettled([...this.jobs.values()].map((j) => j.running));
  }

  /** Run one job now, outside its schedule (used by `netmon probe`). */
  async runOnce(targetName: string): Promise<ProbeResult[]> {
    const results: ProbeResult[] = [];
    const onResult = this.opts.onResult;
    for (const job of this.jobs.values()) {
      const items = job.items.filter((i) => i.target.name === targetName);
      if (items.length === 0) continue;
      await this.execute({ ...job, items }, Date.now(), (r) => {
        results.push(r);
        onResult(r);
      });
    }
    return results;
  }

  private buildJobs(targets: readonly Target[]): Map<string, Job> {
    const jobs = new Map<string, Job>();
    const batches = new Map<string, Job>();
    for (const target of targets) {
      for (const spec of target.probes) {
        const probe = this.probes.get(spec.kind);
        if (!probe) throw new Error(`no probe of kind ${spec.kind} (target ${target.name})`);
        const fp = JSON.stringify([target, spec]);
        if (isBatchProbe(probe)) {
          const key = `${spec.kind}@${spec.intervalMs}`;
          let job = batches.get(key);
          if (!job) {
            job = this.newJob(key, spec.kind, spec.intervalMs, '');
            batches.set(key, job);
            jobs.set(key, job);
          }
          job.items.push({ target, spec });
          job.fingerprint += fp;
        } else {
          const key = `${target.name}/${spec.kind}`;
          const job = this.newJob(key, spec.kind, spec.intervalMs, fp);
          job.items.push({ target, spec });
          jobs.set(key, job);
        }
      }
    }
    return jobs;
  }

  private newJob(key: string, kind: string, intervalMs: number, fingerprint: string): Job {
    // The whole run must end before the next slot, so one slow device can never make a job overlap itself.
    return { key, kind, fingerprint, intervalMs, deadlineMs: Math.max(intervalMs * 0.9, 1), offsetMs: slotOffset(key, intervalMs), items: [], nextAt: 0 };
  }

  private arm(job: Job): void {
    job.nextAt = nextSlot(Date.now(), job.intervalMs, job.offsetMs);
    this.schedule(job);
  }

  private schedule(job: Job): void {
    job.timer = setTimeout(() => this.fire(job), Math.max(0, job.nextAt - Date.now()));
    job.timer.unref?.();
  }

  private fire(job: Job): void {
    if (!this.running || this.jobs.get(job.key) !== job) return;
    const slot = job.nextAt;
    if (job.running) {
      this.count('skipped', job.kind);
      this.opts.log?.('warn', 'probe still running at its next slot; cycle skipped', { job: job.key });
    } else {
      job.running = this.execute(job, slot, this.opts.onResult).finally(() => {
        job.running = undefined;
      });
    }
    // Next slot after now; slots missed while the loop was blocked count as skipped.
    const now = Date.now();
    let next = slot + job.intervalMs;
    while (next <= now) {
      this.count('skipped', job.kind);
      next += job.intervalMs;
    }
    job.nextAt = next;
    this.schedule(job);
  }

  private count(what: 'runs' | 'skipped', kind: string): void {
    this.stats[what][kind] = (this.stats[what][kind] ?? 0) + 1;
  }

  private async acquire(): Promise<void> {
    if (this.stats.inFlight < this.opts.maxConcurrency) {
      this.stats.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.stats.inFlight--;
  }

  private async execute(job: Job, scheduledAt: number, emit: (r: ProbeResult) => void): Promise<void> {
    await this.acquire();
    if (!this.running && emit === this.opts.onResult) {
      // Stopped while queued for a concurrency slot: drop the run.
      this.release();
      return;
    }
    const startedAt = Date.now();
    this.stats.lastLagMs = startedAt - scheduledAt;
    this.stats.maxLagMs = Math.max(this.stats.maxLagMs, this.stats.lastLagMs);
    this.count('runs', job.kind);
    const probe = this.probes.get(job.kind)!;
    const abort = new AbortController();
    this.inFlight.add(abort);
    const deadline = setTimeout(() => abort.abort(new ProbeError('timeout', `deadline of ${job.deadlineMs} ms reached`)), job.deadlineMs);
    try {
      if (isBatchProbe(probe) && job.items.length > 0) {
        let byTarget: BatchResult | undefined;
        let error: ProbeError | undefined;
        try {
          byTarget = await probe.runMany(job.items, abort.signal);
        } catch (err) {
          error = asProbeError(err);
        }
        const durationMs = Date.now() - startedAt;
        for (const { target, spec } of job.items) {
          const samples = byTarget?.get(target.name);
          const targetError = error ?? (samples ? undefined : (byTarget?.errors?.get(target.name) ?? new ProbeError('internal', 'no result for target')));
          emit({ target, kind: job.kind, spec, samples: samples ?? [], error: targetError, scheduledAt, startedAt, durationMs });
        }
      } else {
        const { target, spec } = job.items[0]!;
        try {
          const samples = await probe.run(target, spec, abort.signal);
          emit({ target, kind: job.kind, spec, samples, scheduledAt, startedAt, durationMs: Date.now() - startedAt });
        } catch (err) {
          const error = asProbeError(err);
          this.opts.log?.('warn', 'probe failed', { target: target.name, probe: job.kind, reason: error.reason, err: error.message });
          emit({ target, kind: job.kind, spec, samples: [], error, scheduledAt, startedAt, durationMs: Date.now() - startedAt });
        }
      }
    } catch (err) {
      // A consumer threw: report it, never let it kill the schedule.
      this.opts.log?.('error', 'probe result handling failed', { job: job.key, err: String(err) });
    } finally {
      clearTimeout(deadline);
      this.inFlight.delete(abort);
      this.release();
    }
  }
}

function asProbeError(err: unknown): ProbeError {
  if (err instanceof ProbeError) return err;
  return new ProbeError('internal', err instanceof Error ? err.message : String(err));
}
