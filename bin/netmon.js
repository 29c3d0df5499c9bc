#!/usr/bin/env -S node --max-old-space-size=1024
// Entry point of the compiled daemon and CLI (`npm run build` writes dist/).
//
// V8 flag, as a complement to compact data structures (see docs/reliability.md, "Memory"): with the
// default old-space limit (a quarter of the RAM, GBs) V8 lets the heap grow to ~4x what is live before
// a full GC, so a daemon with ~80 MB of live data sat at 250-500 MB of RSS. A 1 GB limit makes V8 use a
// growing factor of ~1.6 instead of 4 (and is 10x the live heap of the reference network, 127 targets).
// `netmon run` needs more when `limits.series_total` is raised (README "Limits"): then src/heap.ts starts
// the daemon again in a child with --max-old-space-size sized from the config, so a large network never
// meets "JavaScript heap out of memory" (NODE_OPTIONS cannot: the command line wins).
// `node bin/netmon.js` skips this line: run `bin/netmon.js` (or `npm start`, or `netmon` when installed).
// test/kit/proc.ts reads the flags from this line, so the benchmarks measure what is deployed.
import { relaunchWithHeap } from '../dist/src/heap.js';

if (!relaunchWithHeap()) await import('../dist/src/cli.js');
