/** `GET /api/v1/flows/top`: who uses an uplink (mounted by the app before the general /api/v1 router). */
import { Router } from 'express';
import { z } from 'zod';
import { DIMENSIONS } from '../flows/aggregate.js';
import type { FlowsApi } from '../flows/collector.js';
import { BadRequest, parseQuery } from './params.js';
import type { FlowDimension, FlowTopResponse } from './contract.js';

const RANGES: Record<string, number> = { '1m': 60e3, '5m': 300e3, '15m': 900e3, '1h': 3600e3, '6h': 6 * 3600e3, '24h': 86400e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3 };
const MAX_SPAN_MS = 31 * 86400e3;
const epochMs = z.coerce.number().int('an integer of milliseconds since the Unix epoch').min(0).max(8.64e15);

const topQuery = z.strictObject({
  uplink: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'expected an uplink name'),
  direction: z.enum(['in', 'out']).default('in'),
  by: z.enum(DIMENSIONS satisfies readonly FlowDimension[]).default('site'),
  range: z.enum(Object.keys(RANGES) as [string, ...string[]]).optional(),
  from: epochMs.optional(),
  to: epochMs.optional(),
  limit: z.coerce.number().int('an integer').min(1).max(100).default(10),
});

export function flowsRouter(api: FlowsApi, now: () => number = Date.now): Router {
  const r = Router();
  r.get('/top', (req, res) => {
    const q = parseQuery(topQuery, req.query as Record<string, unknown>);
    if (q.range && (q.from !== undefined || q.to !== undefined)) throw new BadRequest('give either range or from/to, not both');
    const to = Math.min(q.to ?? now(), now());
    const from = q.from ?? to - RANGES[q.range ?? '5m']!;
    if (from >= to) throw new BadRequest('from must be before to (and not in the future)');
    if (to - from > MAX_SPAN_MS) throw new BadRequest('the window may be at most 31 days');
    const answer: FlowTopResponse | undefined = api.top({ uplink: q.uplink, direction: q.direction, by: q.by, from, to, limit: q.limit });
    if (!answer) return void res.status(404).json({ error: `no uplink named ${q.uplink}` });
    res.set('Cache-Control', 'no-store').json(answer);
  });
  return r;
}
