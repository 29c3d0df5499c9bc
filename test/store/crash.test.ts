import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { CRASH_PER_BATCH, CRASH_SERIES, CRASH_T0, crashSample } from './crash-data.js';

const here = path.dirname(fileURLToPath(import.meta.url));

it('loses no acknowledged batch when killed with SIGKILL mid-stream, and the file checks ok', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netmon-crash-'));
  const file = path.join(dir, 'crash.db');
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'crash-child.ts'), file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastAck = -1;
    let buf = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const killAt = 40 + Math.floor(Math.random() * 40);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`child too slow; last ack ${lastAck}; ${stderr}`));
      }, 20_000);
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) if (l.startsWith('ack ')) lastAck = Number(l.slice(4));
        if (lastAck >= killAt && child.exitCode === null && !child.killed) {
          child.kill('SIGKILL'); // mid-stream: the child is inside its next write/commit
        }
      });
      child.on('exit', (_code, signal) => {
        clearTimeout(timer);
        if (signal === 'SIGKILL') resolve();
        else reject(new Error(`child exited on its own: ${stderr}`));
      });
    });
    expect(lastAck).toBeGreaterThanOrEqual(killAt);

    const db = new Database(file);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    const store = openStore(file, { jobs: false, now: () => CRASH_T0 });
    try {
      const series = store.findSeries('crash_bytes_total');
      expect(series.length).toBe(CRASH_SERIES);
      const end = CRASH_T0 + (lastAck + 1) * CRASH_PER_BATCH * 60_000;
      for (const s of series) {
        const k = Number(s.labels.target!.slice(1));
        const got = store.range(s.id, CRASH_T0, end, 1_000_000);
        expect(got.resolution).toBe('raw');
        const expected = [];
        for (let b = 0; b <= lastAck; b++) for (let j = 0; j < CRASH_PER_BATCH; j++) expected.push(crashSample(b, k, j));
        expect(got.ts).toEqual(expected.map((x) => Math.floor(x.ts / got.stepMs) * got.stepMs));
        expect(got.mean).toEqual(expected.map((x) => x.value));
      }
      // and it keeps working after recovery
      store.write([crashSample(lastAck + 1000, 0, 0)]);
      store.flush();
      expect(store.stats().samplesWritten).toBe(1);
    } finally {
      store.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
