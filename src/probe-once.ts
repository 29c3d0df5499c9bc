/**
 * `netmon probe TARGET`: run one target's probes once and print what the daemon would export for it. It
 * runs the daemon's own path: the registry's probes, the scheduler (run once, same deadline and error
 * handling), the same pipeline and derivers, the exporter. Only the ping burst is compressed, so an admin at
 * a terminal does not wait half a ping interval for the echoes.
 */
import { loadConfig } from './config/loader.js';
import { buildTargets } from './config/model.js';
import { simulatedEchoPort, startSimulator, type Simulator } from './simulator/index.js';
import { closeProbes, createProbes } from '../probes/registry.js';
import { Scheduler, type ProbeResult } from './scheduler.js';
import { createFanout } from './fanout.js';
import { Exporter } from './exporter.js';
import type { ProbeSpec, Target } from './types.js';
import { closest } from './config/suggest.js';
import { roundExposition, roundValue } from './round.js';

const MAX_PING_BURST_MS = 4000;

function compressed(t: Target): Target {
  const probes = t.probes.map((p): ProbeSpec => (p.kind === 'ping' ? { ...p, intervalMs: Math.min(p.intervalMs, MAX_PING_BURST_MS) } : p));
  return { ...t, probes };
}

export async function probeOnce(opts: { configFile: string; target: string; json: boolean }): Promise<number> {
  const config = loadConfig(opts.configFile);
  const configured = buildTargets(config).find((t) => t.name === opts.target);
  if (!configured) {
    const names = config.targets.map((t) => t.name);
    const hint = closest(opts.target, names) ?? names.find((n) => n.startsWith(opts.target));
    const meant = hint ? `did you mean ${hint}? ` : '';
    process.stderr.write(`no target named ${opts.target} in ${opts.configFile}; ${meant}(${names.length} targets, e.g. ${names.slice(0, 5).join(', ')})\n`);
    return 2;
  }
  const target = compressed(configured);
  let simulator: Simulator | undefined;
  if (config.simulate.enabled) {
    // A running daemon already serves the simulated agents; then its agents answer us.
    simulator = await startSimulator(config).catch(() => undefined);
  }
  // Simulated agents answer ping on their UDP echo port, ours or the running daemon's.
  const probes = createProbes({ log: (level, msg) => process.stderr.write(`[${level}] ${msg}\n`), echoPort: (t) => simulatedEchoPort(config, t.address) });
  const exporter = new Exporter({ warn: (msg) => process.stderr.write(`[warn] ${msg}\n`) });
  const { pipeline } = createFanout(config);
  pipeline.subscribe('exporter', (r) => exporter.accept(r));
  const scheduler = new Scheduler(probes, { maxConcurrency: config.scheduler.max_concurrency, onResult: (r) => pipeline.publish(r) });
  let results: ProbeResult[];
  try {
    scheduler.setTargets([target]);
    results = await scheduler.runOnce(target.name);
  } finally {
    await closeProbes(probes);
    await simulator?.close();
  }
  results.sort((a, b) => target.probes.findIndex((p) => p.kind === a.kind) - target.probes.findIndex((p) => p.kind === b.kind));
  if (opts.json) {
    const out = results.map((r) => ({
      probe: r.kind,
      ok: !r.error,
      error: r.error?.message,
      reason: r.error?.reason,
      partial: r.partial,
      duration_ms: r.durationMs,
      samples: r.samples.map((x) => ({ ...x, value: roundValue(x.value) })),
    }));
    process.stdout.write(JSON.stringify({ target: target.name, results: out }, null, 2) + '\n');
  } else {
    for (const r of results) {
      process.stdout.write(`# probe ${r.kind}: ${r.error ? `FAILED (${r.error.reason}): ${r.error.message}` : `ok, ${r.samples.length} samples${r.partial ? ` (PARTIAL, ${r.partial.reason}: ${r.partial.message})` : ''}`} in ${r.durationMs} ms\n`);
    }
    // For a person: no float noise (0.000014999999999999999). /metrics itself stays exact.
    process.stdout.write(roundExposition(await exporter.renderText()));
  }
  return results.some((r) => r.error) ? 1 : 0;
}
