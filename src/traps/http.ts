/** `GET /api/v1/traps`: the trap log, newest first (mounted by the app before the general /api/v1 router). */
import { Router } from 'express';
import { z } from 'zod';
import { parseQuery } from '../http/params.js';
import type { TrapsResponse } from '../http/contract.js';
import type { TrapQuery } from './db.js';

export interface TrapsApi {
  query(q: TrapQuery): TrapsResponse;
}

const epochMs = z.coerce.number().int('an integer of milliseconds since the Unix epoch').min(0).max(8.64e15);
const trapsQuery = z.strictObject({
  target: z.string().min(1).max(200).optional(),
  trap: z.string().min(1).max(200).optional(),
  from: epochMs.optional(),
  to: epochMs.optional(),
  before_id: z.coerce.number().int('an integer').min(1).optional(),
  limit: z.coerce.number().int('an integer').min(1).max(1000).default(100),
});

export function trapsRouter(api: TrapsApi): Router {
  const r = Router();
  r.get('/', (req, res) => {
    const q = parseQuery(trapsQuery, req.query as Record<string, unknown>);
    const answer: TrapsResponse = api.query({ target: q.target, trap: q.trap, from: q.from, to: q.to, beforeId: q.before_id, limit: q.limit });
    res.set('Cache-Control', 'no-store').json(answer);
  });
  return r;
}
