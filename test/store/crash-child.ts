/**
 * Child for the kill -9 test: writes deterministic batches forever and prints each batch number once
 * its commit has returned (acknowledged). Usage: tsx crash-child.ts <db path>
 */
import { openStore } from '../../src/store/index.js';
import { crashSample, CRASH_SERIES, CRASH_PER_BATCH } from './crash-data.js';

const store = openStore(process.argv[2]!, { jobs: false, batchSize: 1e9 });
for (let b = 0; b < 1_000_000; b++) {
  const batch = [];
  for (let j = 0; j < CRASH_PER_BATCH; j++) for (let k = 0; k < CRASH_SERIES; k++) batch.push(crashSample(b, k, j));
  store.write(batch);
  store.flush();
  process.stdout.write(`ack ${b}\n`);
}
