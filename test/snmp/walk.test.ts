/** The multi-column walker against a scripted agent that misbehaves the way real agents do. */
import { afterEach, describe, expect, it } from 'vitest';
import type snmp from 'net-snmp';
import { openSession } from '../../probes/snmp/session.js';
import { compareOid, getScalars, newWalkStats, walkColumns, type WalkOptions } from '../../probes/snmp/walk.js';
import { FakeAgent, PDU, TAG, type FakeVarbind } from './fake-agent.js';

const A = '1.3.6.1.2.1.2.2.1.10';
const B = '1.3.6.1.2.1.2.2.1.16';
const C = '1.3.6.1.2.1.2.2.1.20';

function table(rows: number, columns = [A, B, C], skip: (col: string, row: number) => boolean = () => false): FakeVarbind[] {
  const out: FakeVarbind[] = [];
  for (const c of columns) for (let r = 1; r <= rows; r++) if (!skip(c, r)) out.push({ oid: `${c}.${r}`, tag: TAG.Counter32, value: r * 1000 });
  out.push({ oid: '1.3.6.1.2.1.1.3.0', tag: TAG.TimeTicks, value: 12345 });
  out.push({ oid: '1.3.6.1.2.1.1.5.0', tag: TAG.OctetString, value: 'fake' });
  out.push({ oid: '1.3.6.1.6.3.1.1.4.1.0', tag: TAG.OID, value: '1.3.6.1.4.1.8072' }); // something after IF-MIB
  return out;
}

let agents: FakeAgent[] = [];
let sessions: snmp.Session[] = [];
afterEach(async () => {
  for (const s of sessions) s.close();
  sessions = [];
  await Promise.all(agents.map((a) => a.close()));
  agents = [];
});

async function setup(opts: Parameters<typeof FakeAgent.start>[0], v1 = false, timeoutMs = 500) {
  const agent = await FakeAgent.start(opts);
  agents.push(agent);
  const session = openSession(v1 ? { version: '1', community: 'public' } : { version: '2c', community: 'public' }, { address: '127.0.0.1', port: agent.port, timeoutMs, retries: 0 });
  session.on('error', () => undefined);
  sessions.push(session);
  const stats = newWalkStats();
  const wo: WalkOptions = { version1: v1, maxRepetitions: 10, signal: AbortSignal.timeout(10_000), stats };
  return { agent, session, stats, wo };
}

const keys = (m: Map<string, unknown> | undefined) => [...(m?.keys() ?? [])];
const range = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

describe('compareOid', () => {
  it('compares arc by arc', () => {
    expect(compareOid('1.3.6.1.2', '1.3.6.1.10')).toBeLessThan(0);
    expect(compareOid('1.3.6.1', '1.3.6.1.0')).toBeLessThan(0);
    expect(compareOid('1.3.6.1.0', '1.3.6.1')).toBeGreaterThan(0);
    expect(compareOid('1.3.6.1.5', '1.3.6.1.5')).toBe(0);
    expect(compareOid('1.3.6.2', '1.3.6.1.9.9')).toBeGreaterThan(0);
  });
});

describe('walkColumns (GETBULK, v2c)', () => {
  it('walks several columns in one request stream', async () => {
    const { agent, session, stats, wo } = await setup({ varbinds: table(45) });
    const data = await walkColumns(session, [A, B, C], wo);
    for (const c of [A, B, C]) expect(keys(data.get(c))).toEqual(range(45));
    expect(data.get(B)!.get('7')).toBe(7000);
    // 45 rows at 10 repetitions: 5 requests, not 15 (one column at a time)
    expect(agent.requests.length).toBe(5);
    expect(agent.requests.every((r) => r.type === PDU.GetBulk && r.oids.length <= 3 && r.b === 10)).toBe(true);
    expect(stats.values).toBe(135);
  });

  it('survives truncated replies (fewer varbinds than asked, cut mid-repetition)', async () => {
    const { agent, session, wo } = await setup({ varbinds: table(30), hook: (_req, reply) => ({ varbinds: reply.varbinds.slice(0, 7) }) });
    const data = await walkColumns(session, [A, B, C], wo);
    for (const c of [A, B, C]) expect(keys(data.get(c))).toEqual(range(30));
    expect(agent.requests.length).toBeGreaterThan(10);
  });

  it('handles holes: a column missing some rows keeps its own cursor', async () => {
    const { session, wo } = await setup({ varbinds: table(20, [A, B, C], (c, r) => c === B && (r === 3 || r > 15)) });
    const data = await walkColumns(session, [A, B, C], wo);
    expect(keys(data.get(A))).toEqual(range(20));
    expect(keys(data.get(B))).toEqual(range(15).filter((r) => r !== '3'));
    expect(keys(data.get(C))).toEqual(range(20));
  });

  it('stops a column the agent ends early (endOfMibView) and finishes the others', async () => {
    const { session, wo } = await setup({
      varbinds: table(25),
      hook: (_req, reply) => ({
        varbinds: reply.varbinds.map((vb) => (vb.oid.startsWith(`${C}.`) && Number(vb.oid.split('.').pop()) > 4 ? { oid: vb.oid, tag: TAG.EndOfMibView } : vb)),
      }),
    });
    const data = await walkColumns(session, [A, B, C], wo);
    expect(keys(data.get(A))).toEqual(range(25));
    expect(keys(data.get(C))).toEqual(range(4));
  });

  it('stops a column whose OIDs do not increase (no endless loop), keeps the rest', async () => {
    const { session, stats, wo } = await setup({
      varbinds: table(25),
      // column B answers row 3 forever
      hook: (req, reply) => ({ varbinds: reply.varbinds.map((vb) => (vb.oid.startsWith(`${B}.`) && req.oids.some((o) => o.startsWith(`${B}.3`)) ? { ...vb, oid: `${B}.3` } : vb)) }),
    });
    const data = await walkColumns(session, [A, B, C], { ...wo, maxRepetitions: 3 });
    expect(keys(data.get(A))).toEqual(range(25));
    expect(keys(data.get(C))).toEqual(range(25));
    expect(keys(data.get(B))).toEqual(['1', '2', '3']);
    expect(stats.anomalies).toBeGreaterThan(0);
  });

  it('halves max-repetitions on tooBig', async () => {
    const { agent, session, wo } = await setup({
      varbinds: table(12),
      hook: (req, reply) => (req.b > 4 ? { varbinds: req.oids.map((oid) => ({ oid, tag: TAG.Null })), errorStatus: 1, errorIndex: 0 } : reply),
    });
    const data = await walkColumns(session, [A, B], { ...wo, maxRepetitions: 20 });
    expect(keys(data.get(A))).toEqual(range(12));
    expect(agent.requests.map((r) => r.b).slice(0, 4)).toEqual([20, 10, 5, 2]);
  });

  it('ignores garbage datagrams and answers for other requests', async () => {
    const { session, wo } = await setup({
      varbinds: table(5),
      hook: (req, reply, agent) => [Buffer.from('garbage \x30\x82\xff'), Buffer.alloc(3), agent.encode({ ...req, requestId: req.requestId + 1 }, reply), agent.encode(req, reply)],
    });
    const data = await walkColumns(session, [A, B, C], wo);
    expect(keys(data.get(C))).toEqual(range(5));
  });

  it('a reply that never comes is a timeout error, not a hang or a crash', async () => {
    const { session, wo } = await setup({ varbinds: table(5), hook: () => 'drop' }, false, 200);
    await expect(walkColumns(session, [A], wo)).rejects.toThrow(/timed out/i);
  });

  it('gives up on columns whose replies never carry anything', async () => {
    const { session, stats, wo } = await setup({ varbinds: table(5), hook: () => ({ varbinds: [] }) });
    const data = await walkColumns(session, [A, B], wo);
    expect(data.get(A)!.size).toBe(0);
    expect(stats.anomalies).toBeGreaterThan(0);
  });

  it('limits: a table of exactly max rows is complete; one more row is a cut (row_limit); the request budget cuts too', async () => {
    const exact = await setup({ varbinds: table(30) });
    const full = await walkColumns(exact.session, [A, B, C], { ...exact.wo, maxRows: 30 });
    expect(keys(full.get(A))).toEqual(range(30));
    expect(exact.stats.cut).toBeUndefined();
    const more = await setup({ varbinds: table(31) });
    const cut = await walkColumns(more.session, [A, B, C], { ...more.wo, maxRows: 30 });
    for (const c of [A, B, C]) expect(keys(cut.get(c))).toEqual(range(30));
    expect(more.stats.cut).toEqual({ reason: 'row_limit', column: A, limit: 30 });
    const slow = await setup({ varbinds: table(100) });
    const part = await walkColumns(slow.session, [A, B, C], { ...slow.wo, maxRequests: 3 });
    expect(slow.agent.requests.length).toBe(3);
    expect(keys(part.get(A))).toEqual(range(30));
    expect(slow.stats.cut?.reason).toBe('request_limit');
  });

  it('obeys the abort signal', async () => {
    const { session, wo } = await setup({ varbinds: table(5), hook: () => 'drop' }, false, 5000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('deadline')), 50);
    await expect(walkColumns(session, [A], { ...wo, signal: ac.signal })).rejects.toThrow('deadline');
  });
});

describe('SNMPv1: GETNEXT and noSuchName', () => {
  it('walks with GETNEXT; a column at the end of the MIB view ends without failing the others', async () => {
    const last = '1.3.6.1.6.3.1.1.4.1'; // the last object the agent has: GETNEXT past it is noSuchName in v1
    const { agent, session, wo } = await setup({ version: 0, varbinds: table(6) }, true);
    const data = await walkColumns(session, [A, C, last], wo);
    expect(keys(data.get(A))).toEqual(range(6));
    expect(keys(data.get(C))).toEqual(range(6));
    expect(keys(data.get(last))).toEqual(['0']);
    expect(agent.requests.every((r) => r.type === PDU.GetNext)).toBe(true);
  });

  it('GET: a missing OID fails the whole v1 GET; it is dropped and the GET retried', async () => {
    const { agent, session, wo } = await setup({ version: 0, varbinds: table(2) }, true);
    const got = await getScalars(session, ['1.3.6.1.2.1.1.3.0', '1.3.6.1.2.1.31.1.5.0', '1.3.6.1.2.1.1.5.0', '1.3.6.1.2.1.2.1.0'], wo);
    expect(got.get('1.3.6.1.2.1.1.3.0')).toBe(12345);
    expect((got.get('1.3.6.1.2.1.1.5.0') as Buffer).toString()).toBe('fake');
    expect(got.get('1.3.6.1.2.1.31.1.5.0')).toBeUndefined();
    expect(got.get('1.3.6.1.2.1.2.1.0')).toBeUndefined();
    expect(agent.requests.length).toBe(3);
  });

  it('GET on v2c: missing OIDs are noSuchObject varbinds, one request', async () => {
    const { agent, session, wo } = await setup({ varbinds: table(2) });
    const got = await getScalars(session, ['1.3.6.1.2.1.1.3.0', '1.3.6.1.2.1.31.1.5.0'], wo);
    expect(got.get('1.3.6.1.2.1.1.3.0')).toBe(12345);
    expect(got.get('1.3.6.1.2.1.31.1.5.0')).toBeUndefined();
    expect(agent.requests.length).toBe(1);
  });
});
