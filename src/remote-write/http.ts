/** One POST of a remote write body, with node:http(s) so that a CA file and insecure_skip_verify apply per receiver. */
import http from 'node:http';
import https from 'node:https';

export interface PostTarget {
  url: URL;
  headers: Record<string, string>;
  agent: http.Agent;
  timeoutMs: number;
}

interface PostResult {
  status: number;
  retryAfter?: string;
  /** The first bytes of the answer (a receiver's reason for a 400), for the log. */
  body: string;
}

export function makeAgent(url: URL, tls: { ca?: Buffer; insecureSkipVerify: boolean }): http.Agent {
  return url.protocol === 'https:'
    ? new https.Agent({ keepAlive: true, maxSockets: 1, ca: tls.ca, rejectUnauthorized: !tls.insecureSkipVerify })
    : new http.Agent({ keepAlive: true, maxSockets: 1 });
}

export function post(t: PostTarget, body: Buffer, signal: AbortSignal): Promise<PostResult> {
  const mod = t.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      t.url,
      { method: 'POST', agent: t.agent, headers: { ...t.headers, 'Content-Length': String(body.length) }, timeout: t.timeoutMs, signal },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (text.length < 512) text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body: text.slice(0, 512) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${t.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(v: string | undefined, now = Date.now()): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
