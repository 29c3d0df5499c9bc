/**
 * Debian's victoria-metrics single node for a test: on a loopback port, data in a dir the caller owns,
 * ready once /health answers. Stopped with SIGTERM (by PID): VictoriaMetrics keeps the last second it
 * acknowledged in memory, and a SIGKILL would lose that on its side.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { waitFor } from './wait.js';

export interface Victoria {
  port: number;
  proc: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export async function startVictoria(dataDir: string, port: number, extraArgs: string[] = []): Promise<Victoria> {
  const proc = spawn('victoria-metrics', [`-storageDataPath=${dataDir}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=1y', '-search.disableCache', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-20_000));
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    await exited;
  };
  try {
    await waitFor('VictoriaMetrics up', async () => ((await fetch(`http://127.0.0.1:${port}/health`)).ok ? true : undefined), 20_000, 200);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${out.slice(-3000)}`, { cause: err });
  }
  return { port, proc, output: () => out, stop };
}
