/**
 * The alerting HTTP API, mounted by the app at /api/v1/alerts (before the general /api/v1 router, whose
 * catch-all 404 would otherwise answer first): an adapter from HTTP to the plain methods of `Alerting`,
 * which knows nothing of express. Receiver URLs and headers are never part of any answer.
 *
 *   GET    /                      pending and firing alerts (?state=&severity=&alertname=&target=)
 *   GET    /rules                 the configured rules
 *   GET    /history               transitions, newest first (?from=&to=&alertname=&target=&fingerprint=&event=&limit=)
 *   GET    /receivers             delivery status per receiver (queue, failures, last error)
 *   GET    /silences              silences (active and ended), newest first (?limit=&offset=)
 *   POST   /silences              {matchers, duration | ends_at, starts_at?, comment, created_by} → 201;
 *                                  409/413/422 past the configured limits or for an unacceptable matcher or text
 *   DELETE /silences/:id          end a silence now
 *   POST   /:fingerprint/ack      {by, comment?}: acknowledge
 *   DELETE /:fingerprint/ack      withdraw the acknowledgement
 *
 * Writes require `Content-Type: application/json` (a cross-site HTML form cannot send it without a CORS
 * preflight, which this server never grants).
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { Rejected, type Alerting } from '../alerts/index.js';
import { duration } from '../config/primitives.js';

/** What the routes need of the alerting. */
export type AlertsApi = Pick<Alerting, 'alerts' | 'rules' | 'history' | 'receivers' | 'silences' | 'addSilence' | 'expireSilence' | 'acknowledge' | 'unacknowledge'>;
import type {
  AckRequest,
  AlertAckResponse,
  AlertHistoryResponse,
  AlertRulesResponse,
  AlertsResponse,
  ErrorResponse,
  OkResponse,
  ReceiversResponse,
  SilenceCreatedResponse,
  SilenceRequest,
  SilencesResponse,
} from './contract.js';

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parse<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  const path = i.path.length ? `${i.path.join('.')}: ` : '';
  throw new HttpError(400, `${where}: ${path}${i.message}`);
}

const text = (max: number) => z.string().trim().min(1).max(max);
const epochMs = z.coerce.number().int().min(0).max(8.64e15);
const fingerprintRe = /^[0-9a-f]{16}$/;
const HISTORY_EVENTS = ['pending', 'firing', 'resolved', 'inactive', 'acknowledged', 'unacknowledged'] as const;

const listQuery = z.strictObject({
  state: z.enum(['pending', 'firing']).optional(),
  severity: z.string().max(100).optional(),
  alertname: z.string().max(200).optional(),
  target: z.string().max(200).optional(),
});
const historyQuery = z.strictObject({
  from: epochMs.optional(),
  to: epochMs.optional(),
  alertname: z.string().max(200).optional(),
  target: z.string().max(200).optional(),
  fingerprint: z.string().regex(fingerprintRe, 'expected a 16-digit hex fingerprint').optional(),
  // one event or several, comma-separated: event=firing,resolved
  event: z
    .string()
    .transform((v) => v.split(','))
    .pipe(z.array(z.enum(HISTORY_EVENTS)).min(1).max(HISTORY_EVENTS.length))
    .optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(200),
});
// Sizes, counts, patterns and text are checked by the alerting (409/413/422 with the configured limits).
const matcher = z.strictObject({ name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a label name'), value: z.string(), regex: z.boolean().default(false) });
const silenceBody = z
  .strictObject({
    // [{name, value, regex?}] or the short form {label: value}
    matchers: z.union([z.array(matcher).min(1), z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string())]),
    starts_at: epochMs.optional(),
    ends_at: epochMs.optional(),
    duration: duration.optional(),
    comment: z.string().trim().min(1),
    created_by: text(200),
  })
  .superRefine((b, ctx) => {
    if ((b.ends_at === undefined) === (b.duration === undefined)) ctx.addIssue({ code: 'custom', path: ['duration'], message: 'give exactly one of duration and ends_at' });
    if (!Array.isArray(b.matchers) && Object.keys(b.matchers).length === 0) ctx.addIssue({ code: 'custom', path: ['matchers'], message: 'at least one matcher' });
  });
const ackBody = z.strictObject({ by: text(200), comment: z.string().default('') });
const silencesQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(500), offset: z.coerce.number().int().min(0).default(0) });

// Every body the contract describes is one these schemas accept (compile-time check; the schemas validate).
/** @public a compile-time check, exported so that it is kept */
export type BodiesMatchContract = [Assignable<SilenceRequest, z.input<typeof silenceBody>>, Assignable<AckRequest, z.input<typeof ackBody>>];
type Assignable<A extends B, B> = [A, B];

const MAX_SILENCE_MS = 365 * 86_400_000;

function requireJson(req: Request): void {
  if (!req.is('application/json')) throw new HttpError(415, 'send a JSON body with Content-Type: application/json');
}

export function alertsRouter(alerting: AlertsApi): Router {
  const r = Router();
  r.use(express.json({ limit: '32kb' }));

  r.get('/', (req, res) => {
    const q = parse(listQuery, req.query, 'query');
    const alerts = alerting
      .alerts()
      .filter((a) => (!q.state || a.state === q.state) && (!q.severity || a.severity === q.severity) && (!q.alertname || a.alertname === q.alertname) && (!q.target || a.labels.target === q.target));
    res.json({ now: Date.now(), alerts } satisfies AlertsResponse);
  });

  r.get('/rules', (req, res) => {
    parse(z.strictObject({}), req.query, 'query');
    res.json({
      rules: alerting.rules().map((x) => ({
        ...x.config,
        name: x.name,
        kind: x.kind,
        severity: x.severity,
        for_ms: x.forMs,
        keep_firing_for_ms: x.keepFiringForMs,
        summary: x.summary,
        description: x.description,
        // `for`/`keep_firing_for`/durations in the config echo are already in ms
      })),
    } satisfies AlertRulesResponse);
  });

  r.get('/history', (req, res) => {
    const q = parse(historyQuery, req.query, 'query');
    res.json({ events: alerting.history({ from: q.from, to: q.to, rule: q.alertname, target: q.target, fingerprint: q.fingerprint, events: q.event, limit: q.limit }) } satisfies AlertHistoryResponse);
  });

  r.get('/receivers', (req, res) => {
    parse(z.strictObject({}), req.query, 'query');
    res.json({ receivers: alerting.receivers() } satisfies ReceiversResponse);
  });

  r.get('/silences', (req, res) => {
    const q = parse(silencesQuery, req.query, 'query');
    const all = alerting.silences();
    res.json({ silences: all.slice(q.offset, q.offset + q.limit), total: all.length } satisfies SilencesResponse);
  });

  r.post('/silences', (req, res) => {
    requireJson(req);
    const b = parse(silenceBody, req.body, 'body');
    const now = Date.now();
    const startsAt = b.starts_at ?? now;
    const endsAt = b.ends_at ?? startsAt + b.duration!;
    if (endsAt <= Math.max(startsAt, now)) throw new HttpError(400, 'body: the silence must end in the future, after it starts');
    if (endsAt - startsAt > MAX_SILENCE_MS) throw new HttpError(400, 'body: a silence lasts at most a year');
    const matchers = Array.isArray(b.matchers) ? b.matchers : Object.entries(b.matchers).map(([name, value]) => ({ name, value, regex: false }));
    const s = alerting.addSilence({ matchers, startsAt, endsAt, createdBy: b.created_by, comment: b.comment });
    res.status(201).json({ silence: s } satisfies SilenceCreatedResponse);
  });

  r.delete('/silences/:id', (req, res) => {
    const id = String(req.params.id);
    if (!alerting.expireSilence(id)) throw new HttpError(404, 'no such silence');
    res.json({ ok: true } satisfies OkResponse);
  });

  const fp = (req: Request) => {
    const v = String(req.params.fingerprint);
    if (!fingerprintRe.test(v)) throw new HttpError(400, 'expected a 16-digit hex fingerprint');
    return v;
  };
  r.post('/:fingerprint/ack', (req, res) => {
    requireJson(req);
    const f = fp(req);
    const b = parse(ackBody, req.body, 'body');
    const v = alerting.acknowledge(f, b.by, b.comment);
    if (!v) throw new HttpError(404, 'no pending or firing alert with this fingerprint');
    res.json({ alert: v } satisfies AlertAckResponse);
  });
  r.delete('/:fingerprint/ack', (req, res) => {
    const v = alerting.unacknowledge(fp(req));
    if (!v) throw new HttpError(404, 'this alert is not acknowledged');
    res.json({ alert: v } satisfies AlertAckResponse);
  });

  r.use((_req, res) => void res.status(404).json({ error: 'no such alerts endpoint' } satisfies ErrorResponse));
  r.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof HttpError || err instanceof Rejected) return void res.status(err.status).json({ error: err.message } satisfies ErrorResponse);
    const status = (err as { status?: number; type?: string }).status;
    // express.json: malformed or oversized bodies
    if (status && status >= 400 && status < 500) return void res.status(status).json({ error: status === 413 ? 'body too large' : 'malformed JSON body' } satisfies ErrorResponse);
    next(err);
  });
  return r;
}
