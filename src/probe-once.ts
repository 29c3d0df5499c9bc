/** `netmon probe TARGET`: run one target's probes once and print the samples (the admin's debugging tool). */
import { loadConfig } from './config/loader.js';
import { buildTargets } from './config/model.js';
import { simulatedEchoPort, startSimulator, type Simulator } from './simulator/index.js';
import { createSnmpProbe } from '../probes/snmp/index.js';
import { createPingProbe } from '../probes/icmp/index.js';
import { createHostProbe } from '../probes/host/index.js';
import { escapeLabelValue } from './exporter.js';
import type { Probe, Sample } from './types.js';

export async function probeOnce(opts: { configFile: string; target: string; json: boolean }): Promise<number> {
  const config = loadConfig(opts.configFile);
  const target = buildTargets(config).find((t) => t.name === opts.target);
  if (!target) {
    const names = config.targets.map((t) => t.name);
    process.stderr.write(`no target named ${opts.target} in ${opts.configFile} (${names.length} targets, e.g. ${names.slice(0, 5).join(', ')})\n`);
    return 2;
  }
  let simulator: Simulator | undefined;
  if (config.simulate.enabled) {
    // A running daemon already serves the simulated agents; then its agents answer us.
    simulator = await startSimulator(config).catch(() => undefined);
  }
  // Simulated agents answer ping on their UDP echo port, ours or the running daemon's.
  const ping = createPingProbe({ udpEcho: (t) => simulatedEchoPort(config, t.address) });
  const probes: Record<string, Probe> = { snmp: createSnmpProbe(), ping, host: createHostProbe() };
  let failed = 0;
  const all: { probe: string; ok: boolean; error?: string; duration_ms: number; samples: Sample[] }[] = [];
  try {
    for (const configured of target.probes) {
      // An admin at a terminal should not wait half a ping interval for the echoes: compress the burst.
      const spec = configured.kind === 'ping' ? { ...configured, intervalMs: Math.min(configured.intervalMs, 4000) } : configured;
      const t0 = Date.now();
      const signal = AbortSignal.timeout(Math.max(spec.intervalMs, 5000));
      try {
        const samples = await probes[spec.kind]!.run(target, spec, signal);
        all.push({ probe: spec.kind, ok: true, duration_ms: Date.now() - t0, samples });
      } catch (err) {
        failed++;
        all.push({ probe: spec.kind, ok: false, error: (err as Error).message, duration_ms: Date.now() - t0, samples: [] });
      }
    }
  } finally {
    for (const p of Object.values(probes)) await p.close?.();
    await simulator?.close();
  }
  if (opts.json) {
    process.stdout.write(JSON.stringify({ target: target.name, results: all }, null, 2) + '\n');
  } else {
    for (const r of all) {
      process.stdout.write(`# probe ${r.probe}: ${r.ok ? `ok, ${r.samples.length} samples` : `FAILED: ${r.error}`} in ${r.duration_ms} ms\n`);
      for (const s of r.samples) {
        const labels = Object.entries(s.labels)
          .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
          .join(',');
        process.stdout.write(`${s.metric}{${labels}} ${s.value}\n`);
      }
    }
  }
  return failed > 0 ? 1 : 0;
}
