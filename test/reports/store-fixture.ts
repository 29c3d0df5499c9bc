/** A real SQLite store in a temporary directory with a settable clock, opened before and removed after each test. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openStore, type TimeSeriesStore } from '../../src/store/index.js';

export function tempStore(): { store: () => TimeSeriesStore; clock: { now: number } } {
  let dir = '';
  let store: TimeSeriesStore | undefined;
  const clock = { now: 0 };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netmon-reports-'));
    clock.now = 0;
    store = openStore(path.join(dir, 'ts.db'), { jobs: false, now: () => clock.now });
  });
  afterEach(() => {
    store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { store: () => store!, clock };
}
