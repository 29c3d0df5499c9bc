/** `remote_write:` in the main file: Prometheus remote write receivers (see README "Scaling out"). */
import { z } from 'zod';
import { duration, name } from '../config/primitives.js';

const SIZE_RE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)$/;
const SIZE_MULT: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
const byteSize = z
  .string({ error: 'expected a size such as 512MiB or 2GB' })
  .regex(SIZE_RE, 'expected a size such as 512MiB or 2GB')
  .transform((s) => {
    const m = SIZE_RE.exec(s)!;
    return Math.round(Number(m[1]) * SIZE_MULT[m[2]!]!);
  });

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a Prometheus label name');

const remoteWriteReceiver = z
  .strictObject({
    name: name.describe('receiver name: the `receiver` label of netmon_remote_write_* and the queue folder under the data directory'),
    url: z
      .string()
      .refine((s) => {
        try {
          return ['http:', 'https:'].includes(new URL(s).protocol);
        } catch {
          return false;
        }
      }, 'expected an http:// or https:// URL')
      .describe('e.g. http://victoria:8428/api/v1/write or http://prometheus:9090/api/v1/write'),
    basic_auth: z
      .strictObject({ username: z.string().min(1), password: z.string().min(1).describe('use ${ENV_VAR}; never logged or served') })
      .optional(),
    bearer_token: z.string().min(1).optional().describe('sent as Authorization: Bearer; use ${ENV_VAR}; never logged or served'),
    tls: z
      .strictObject({
        ca_file: z.string().min(1).optional().describe('PEM CA bundle that signs the receiver\'s certificate, relative to the main file'),
        insecure_skip_verify: z.boolean().default(false),
      })
      .prefault({}),
    timeout: duration.prefault('30s').describe('per request'),
    queue: z
      .strictObject({
        max_bytes: byteSize.prefault('512MiB').describe('disk the queue may use; when full the oldest segment is dropped (counted)'),
        batch_size: z.number().int().min(1).max(1_000_000).default(5000).describe('samples per request, at most'),
        flush_interval: duration.prefault('1s').describe('send a partial batch after this long'),
        min_backoff: duration.prefault('500ms').describe('first retry delay after 5xx, 429 or a network error; doubles up to max_backoff'),
        max_backoff: duration.prefault('30s'),
      })
      .prefault({}),
    external_labels: z.record(labelName, z.string()).default({}).describe('added to every series (series labels of the same name win)'),
  })
  .refine((r) => !(r.basic_auth && r.bearer_token), { message: 'expected basic_auth or bearer_token, not both', path: ['bearer_token'] });
export type RemoteWriteConfig = z.output<typeof remoteWriteReceiver>;

export const remoteWrite = z
  .array(remoteWriteReceiver)
  .default([])
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((r, i) => {
      if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate remote_write name "${r.name}"` });
      seen.add(r.name);
    });
  })
  .describe('Prometheus remote write receivers (VictoriaMetrics, Prometheus, Mimir...), each with its own disk-backed queue');
