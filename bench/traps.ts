/**
 * Benchmark: the highest trap rate received with zero loss, netmon's receiver (bench/traps-receiver.ts:
 * the real TrapService, decoding, checks and the SQLite trap log) against Debian's snmptrapd logging to a
 * file, on the very same packets: one v2c linkDown captured from Debian's snmptrap. Each receiver is its
 * own process pinned to one core (taskset -c 1); the sender (this process) paces datagrams on loopback.
 * Per repetition and rate (ascending), the two receivers take turns (the first alternates); a rate passes
 * when every datagram was counted; per repetition the result is the highest rate passed before the first
 * loss. Warm-up first, medians over the repetitions, the load average before and after (the machine is
 * shared: read figures with it).
 *
 *   npm run bench:traps [-- repetitions trial_seconds]      last line: one JSON object
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { median } from '../test/kit/snmp-lab.js';

const REPS = Number(process.argv[2] ?? 5);
const TRIAL_S = Number(process.argv[3] ?? 0.5);
const RATES = [1000, 2500, 5000, 10_000, 20_000, 40_000, 80_000];
const dir = mkdtempSync(join(tmpdir(), 'netmon-bench-traps-'));
const env = { ...process.env, SNMP_PERSISTENT_DIR: dir, MIBS: '', MIBDIRS: '/nonexistent', SNMPCONFPATH: dir };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pin = spawnSync('sh', ['-c', 'command -v taskset']).status === 0 ? ['taskset', '-c', '1'] : [];

interface Receiver {
  name: 'netmon' | 'snmptrapd';
  port: number;
  count(): Promise<number>;
  stop(): void;
}

/** One real snmptrap datagram (v2c linkDown with ifIndex, ifAdminStatus, ifOperStatus). */
async function capturePacket(): Promise<Buffer> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const got = new Promise<Buffer>((r) => sock.once('message', (m) => r(m)));
  const port = sock.address().port;
  const IF = '1.3.6.1.2.1.2.2.1';
  spawnSync('snmptrap', ['-v2c', '-c', 'public', `127.0.0.1:${port}`, '', '1.3.6.1.6.3.1.1.5.3', `${IF}.1.3`, 'i', '3', `${IF}.7.3`, 'i', '1', `${IF}.8.3`, 'i', '2'], { env });
  const pkt = await got;
  sock.close();
  return pkt;
}

async function startNetmon(): Promise<Receiver> {
  const child = spawn(...cmd([...pin, process.execPath, '--import', 'tsx', join(import.meta.dirname, 'traps-receiver.ts')]), { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const next = () => new Promise<string>((r) => lines.once('line', r));
  const { port } = JSON.parse(await next()) as { port: number };
  return {
    name: 'netmon',
    port,
    count: async () => {
      const answer = next();
      child.stdin.write('count\n');
      return Number(await answer);
    },
    stop: () => child.stdin.end(),
  };
}

async function startSnmptrapd(): Promise<Receiver> {
  const port = 30000 + Math.floor(Math.random() * 20000);
  const conf = join(dir, 'snmptrapd.conf');
  const log = join(dir, 'snmptrapd.log');
  writeFileSync(conf, 'authCommunity log public\n');
  const child: ChildProcess = spawn(...cmd([...pin, 'snmptrapd', '-f', '-n', '-C', '-c', conf, '-Lf', log, '-F', 'T %N\n', '-p', join(dir, 'snmptrapd.pid'), `udp:127.0.0.1:${port}`]), { env, stdio: 'ignore' });
  const count = () => Promise.resolve(existsSync(log) ? (readFileSync(log, 'latin1').match(/^T /gm)?.length ?? 0) : 0);
  // Ready when a trap shows in the log.
  const probe = dgram.createSocket('udp4');
  const pkt = await capturePacket();
  for (let i = 0; (await count()) === 0; i++) {
    if (i > 100) throw new Error('snmptrapd did not start');
    probe.send(pkt, port, '127.0.0.1');
    await sleep(100);
  }
  probe.close();
  return { name: 'snmptrapd', port, count, stop: () => child.kill('SIGTERM') };
}

function cmd(all: string[]): [string, string[]] {
  return [all[0]!, all.slice(1)];
}

/** Send `n` copies at `rate`/s, paced in 1 ms steps; resolves when the last was handed to the kernel. */
async function blast(sock: dgram.Socket, pkt: Buffer, port: number, n: number, rate: number): Promise<void> {
  const t0 = process.hrtime.bigint();
  let sent = 0;
  while (sent < n) {
    const due = Math.min(n, Math.floor((Number(process.hrtime.bigint() - t0) / 1e9) * rate) + 1);
    const batch: Promise<void>[] = [];
    for (; sent < due; sent++) batch.push(new Promise((r) => sock.send(pkt, port, '127.0.0.1', () => r())));
    await Promise.all(batch);
    await new Promise((r) => setImmediate(r));
  }
}

/** Datagrams counted by the receiver after a burst: waits until the count stays put for 300 ms. */
async function settle(r: Receiver, before: number, expected: number): Promise<number> {
  let last = -1;
  let stableSince = Date.now();
  const deadline = Date.now() + 5000;
  for (;;) {
    const c = (await r.count()) - before;
    if (c >= expected) return c;
    if (c !== last) {
      last = c;
      stableSince = Date.now();
    }
    if (Date.now() - stableSince > 300 || Date.now() > deadline) return c;
    await sleep(50);
  }
}

async function main(): Promise<void> {
  const load0 = loadavg();
  const pkt = await capturePacket();
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const receivers = [await startNetmon(), await startSnmptrapd()];
  try {
    for (const r of receivers) {
      const before = await r.count();
      await blast(sock, pkt, r.port, 2000, 2000); // warm-up: JIT, SQLite pages, snmptrapd's caches
      await settle(r, before, 2000);
    }
    const best: Record<string, number[]> = { netmon: [], snmptrapd: [] };
    const trials: { rep: number; rate: number; receiver: string; sent: number; received: number }[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      const alive = new Set(receivers.map((r) => r.name));
      const passed: Record<string, number> = { netmon: 0, snmptrapd: 0 };
      for (const rate of RATES) {
        const order = rep % 2 ? [...receivers].reverse() : receivers;
        for (const r of order) {
          if (!alive.has(r.name)) continue;
          const n = Math.round(rate * TRIAL_S);
          const before = await r.count();
          await blast(sock, pkt, r.port, n, rate);
          const got = await settle(r, before, n);
          trials.push({ rep, rate, receiver: r.name, sent: n, received: got });
          if (got >= n) passed[r.name] = rate;
          else alive.delete(r.name);
        }
        if (alive.size === 0) break;
      }
      for (const k of Object.keys(best)) best[k]!.push(passed[k]!);
      console.error(`rep ${rep + 1}/${REPS}: netmon ${passed.netmon}/s, snmptrapd ${passed.snmptrapd}/s`);
    }
    const losses = trials.filter((t) => t.received < t.sent).map((t) => `${t.receiver}@${t.rate}: ${t.received}/${t.sent}`);
    console.error(`first losses: ${losses.join(', ')}`);
    console.log(
      JSON.stringify({
        bench: 'traps',
        packet: 'v2c linkDown from snmptrap, ' + pkt.length + ' bytes',
        pinned: pin.length > 0 ? 'receivers on cpu 1' : 'not pinned (no taskset)',
        repetitions: REPS,
        trial_seconds: TRIAL_S,
        rates: RATES,
        netmon_zero_loss_per_s_median: median(best.netmon!),
        snmptrapd_zero_loss_per_s_median: median(best.snmptrapd!),
        netmon_per_rep: best.netmon,
        snmptrapd_per_rep: best.snmptrapd,
        loadavg_before: load0.map((x) => Number(x.toFixed(2))),
        loadavg_after: loadavg().map((x) => Number(x.toFixed(2))),
      }),
    );
  } finally {
    sock.close();
    for (const r of receivers) r.stop();
    await sleep(200);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
