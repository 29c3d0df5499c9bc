/**
 * Optional V8 CPU profiling of chosen stretches of a benchmark (node:inspector, the profiler behind
 * `node --cpu-prof`), so a profile holds only the daemon's work and not the reference tool's child
 * processes. Each stretch is one profile; `write` saves them (.cpuprofile, loadable in Chrome DevTools)
 * and a summary of self time by module and by function over all of them.
 */
import { Session } from 'node:inspector/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../src/paths.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface CpuProfiler {
  start(): Promise<void>;
  stop(): Promise<void>;
  write(name: string): Promise<void>;
}

const NONE: CpuProfiler = { start: () => Promise.resolve(), stop: () => Promise.resolve(), write: () => Promise.resolve() };

/** A profiler writing into `dir`, or one doing nothing when `dir` is undefined. */
export function cpuProfiler(dir: string | undefined): CpuProfiler {
  if (!dir) return NONE;
  const session = new Session();
  session.connect();
  const profiles: Profile[] = [];
  let ready = false;
  return {
    async start() {
      if (!ready) {
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 100 });
        ready = true;
      }
      await session.post('Profiler.start');
    },
    async stop() {
      profiles.push((await session.post('Profiler.stop')).profile as Profile);
    },
    async write(name) {
      await session.post('Profiler.disable');
      session.disconnect();
      mkdirSync(dir, { recursive: true });
      profiles.forEach((p, i) => writeFileSync(join(dir, `${name}-${i}.cpuprofile`), JSON.stringify(p)));
      writeFileSync(join(dir, `${name}-summary.json`), JSON.stringify(summarise(profiles), null, 1));
    },
  };
}

/**
 * Self time (ms, over all profiles) by module (file under the repo, or a package) and by function. Not
 * counted: (idle), i.e. waiting for the agent's answers, and the inspector's own `dispatch` (serialising
 * a profile on stop). Functions are named without line numbers: under tsx those are of the transformed file.
 */
function summarise(profiles: Profile[]) {
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const p of profiles) {
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    p.samples.forEach((id, i) => {
      const ms = (p.timeDeltas[i] ?? 0) / 1000;
      const f = nodes.get(id)!.callFrame;
      if (f.functionName === '(idle)' || (f.functionName === 'dispatch' && !f.url)) return;
      const mod = moduleOf(f.url, f.functionName);
      total += ms;
      byModule.set(mod, (byModule.get(mod) ?? 0) + ms);
      const fn = `${f.functionName || '(anonymous)'} ${mod}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    });
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([what, ms]) => ({ what, ms: Math.round(ms), share: Math.round((ms / total) * 1000) / 10 }));
  return { profiles: profiles.length, total_ms: Math.round(total), by_module: top(byModule, 25), by_function: top(byFunction, 40) };
}

function moduleOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return `npm:${pkg[1]}`;
  if (path.startsWith('node:')) return path;
  return relative(ROOT, path);
}
