/**
 * Runs every target×probe on its interval. Starts are spread across the interval (a stable hash of the
 * job's key picks its slot), a job never overlaps itself (a slot that comes while the previous run is
 * still going is skipped and counted), and at most `maxConcurrency` jobs run at once. Probes that can
 * batch (`runMany`, e.g. fping) get one job per interval for all their targets.
 */
import { createHash } from 'node:crypto';
import type { Probe, ProbeKindName, ProbePartial, ProbeSpec, Sample, SpecOf, Target } from './types.js';
import { ProbeError } from './types.js';
import { probeFor, type ProbeSet } from '../probes/registry.js';
import { RepeatLog } from './repeat-log.js';
import type { DeviceInventory } from './http/contract.js';

/** What a batch run returns: samples per target name, and optionally why a target has none. */
export type BatchResult = Map<string, Sample[]> & { errors?: ReadonlyMap<string, ProbeError> };

/** A probe that can serve many targets in one run (one fping process for all of them). */
export interface BatchProbe<S extends ProbeSpec = ProbeSpec> extends Probe<S> {
  runMany(items: { target: Target; spec: S }[], signal: AbortSignal): Promise<BatchResult>;
}

export function isBatchProbe<S extends ProbeSpec>(p: Probe<S>): p is BatchProbe<S> {
  return typeof (p as Partial<BatchProbe<S>>).runMany === 'function';
}

/**
 * Why a run was cut short that is no failure of the target: netmon is stopping, or a reload removed or
 * changed the job. Such a run produces no result at all (not a fake timeout for the alerts to see).
 */
export class RunCancelled extends Error {
  constructor(readonly why: 'stopping' | 'reload') {
    super(why === 'stopping' ? 'netmon is stopping' : 'the job was changed by a reload');
    this.name = 'RunCancelled';
  }
}

export interface ProbeResult {
  target: Target;
  kind: ProbeKindName;
  spec: ProbeSpec;
  samples: Sample[];
  error?: ProbeError;
  /** The run succeeded but read less than the device says it has (from the probe's ProbeSamples). */
  partial?: ProbePartial;
  /** What the probe knows about the device (from the probe's ProbeSamples), for the inventory API. */
  inventory?: DeviceInventory;
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
  kind: ProbeKindName;
  /** Identity of what the job does; a reload keeps a job whose fingerprint did not change. */
  fingerprint: string;
  intervalMs: number;
  deadlineMs: number;
  offsetMs: number;
  items: JobItem[];
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
  /** Abort handle of the run in flight, so a stop or a reload can cancel it. */
  abort?: AbortController;
  nextAt: number;
}

const RUN_ONCE_MIN_DEADLINE_MS = 10_000;

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
  private running = false;
  private stopped = false;
  /** "probe failed" once per target and probe, then a summary with a count every 5 minutes, then "recovered". */
  private readonly failures: RepeatLog;

  constructor(
    private readonly probes: ProbeSet,
    private readonly opts: SchedulerOptions,
  ) {
    this.failures = new RepeatLog((level, msg, extra) => this.opts.log?.(level, msg, extra));
  }

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
      job.abort?.abort(new RunCancelled('reload'));
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
    if (this.running || this.stopped) return;
    this.running = true;
    for (const job of this.jobs.values()) this.arm(job);
  }

  /** Stop scheduling, abort runs in flight (a slow device must not hold up shutdown) and wait for them to end. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    for (const job of this.jobs.values()) {
      if (job.timer) clearTimeout(job.timer);
      job.abort?.abort(new RunCancelled('stopping'));
    }
    await Promise.allSettled([...this.jobs.values()].flatMap((j) => (j.running ? [j.running] : [])));
  }

  /**
   * Run a target's jobs once, now, outside their schedule, through the same path as a scheduled run
   * (deadline, error classification, `onResult`): what `netmon probe` prints is what the daemon exports.
   */
  async runOnce(targetName: string): Promise<ProbeResult[]> {
    const results: ProbeResult[] = [];
    await Promise.all(
      [...this.jobs.values()].map(async (job) => {
        const items = job.items.filter((i) => i.target.name === targetName);
        if (items.length === 0) return;
        // A first poll walks every table (label columns included): do not fail it on a short interval's
        // deadline, which only exists to keep a job from overlapping its next slot.
        const deadlineMs = Math.max(job.deadlineMs, RUN_ONCE_MIN_DEADLINE_MS);
        await this.execute({ ...job, items, deadlineMs }, Date.now(), (r) => {
          results.push(r);
          this.opts.onResult(r);
        });
      }),
    );
    return results;
  }

  private buildJobs(targets: readonly Target[]): Map<string, Job> {
    const jobs = new Map<string, Job>();
    const batches = new Map<string, Job>();
    for (const target of targets) {
      for (const spec of target.probes) {
        const fp = JSON.stringify([target, spec]);
        if (isBatchProbe(probeFor(this.probes, spec.kind))) {
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

  private newJob(key: string, kind: ProbeKindName, intervalMs: number, fingerprint: string): Job {
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
    if (this.stopped) {
      // Stopped while queued for a concurrency slot: drop the run.
      this.release();
      return;
    }
    const startedAt = Date.now();
    this.stats.lastLagMs = startedAt - scheduledAt;
    this.stats.maxLagMs = Math.max(this.stats.maxLagMs, this.stats.lastLagMs);
    this.count('runs', job.kind);
    const abort = new AbortController();
    job.abort = abort;
    const deadline = setTimeout(() => abort.abort(new ProbeError('timeout', `deadline of ${job.deadlineMs} ms reached`)), job.deadlineMs);
    try {
      const results = await this.runItems(job.kind, job.items, abort.signal);
      // Cancelled by a stop or a reload: not the target's failure, and nobody should hear of it.
      if (abort.signal.reason instanceof RunCancelled) return;
      const durationMs = Date.now() - startedAt;
      for (const r of results) {
        this.noteOutcome(r.item.target.name, job.kind, r.error);
        emit({ target: r.item.target, kind: job.kind, spec: r.item.spec, samples: r.samples, error: r.error, partial: r.partial, inventory: r.inventory, scheduledAt, startedAt, durationMs });
      }
    } catch (err) {
      // A consumer threw: report it, never let it kill the schedule.
      this.opts.log?.('error', 'probe result handling failed', { job: job.key, err: String(err) });
    } finally {
      clearTimeout(deadline);
      if (job.abort === abort) job.abort = undefined;
      this.release();
    }
  }

  private noteOutcome(target: string, probe: ProbeKindName, error: ProbeError | undefined): void {
    const key = `${target}/${probe}`;
    if (error) this.failures.occur(key, 'warn', 'probe failed', { target, probe, reason: error.reason, err: error.message });
    else this.failures.clear(key, 'probe recovered', { target, probe });
  }

  /** Run a job's items on their probe: one batch run, or the single item. Failures become per-item errors. */
  private async runItems<K extends ProbeKindName>(kind: K, items: readonly JobItem[], signal: AbortSignal): Promise<ItemResult[]> {
    const probe = probeFor(this.probes, kind);
    const mine = items.filter((i): i is { target: Target; spec: SpecOf<K> } => i.spec.kind === kind);
    if (isBatchProbe(probe)) {
      let byTarget: BatchResult | undefined;
      let error: ProbeError | undefined;
      try {
        byTarget = await probe.runMany(mine, signal);
      } catch (err) {
        error = asProbeError(err);
      }
      return mine.map((item) => {
        const samples = byTarget?.get(item.target.name);
        const itemError = error ?? (samples ? undefined : (byTarget?.errors?.get(item.target.name) ?? new ProbeError('internal', 'no result for target')));
        return { item, samples: samples ?? [], error: itemError };
      });
    }
    return Promise.all(
      mine.map(async (item) => {
        try {
          const samples = await probe.run(item.target, item.spec, signal);
          return { item, samples: [...samples], partial: samples.partial, inventory: samples.inventory };
        } catch (err) {
          return { item, samples: [], error: asProbeError(err) };
        }
      }),
    );
  }
}

type JobItem = { target: Target; spec: ProbeSpec };
type ItemResult = { item: JobItem; samples: Sample[]; error?: ProbeError; partial?: ProbePartial; inventory?: DeviceInventory };

function asProbeError(err: unknown): ProbeError {
  if (err instanceof ProbeError) return err;
  return new ProbeError('internal', err instanceof Error ? err.message : String(err));
}
