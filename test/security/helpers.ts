/**
 * Shared by the security tests: a raw HTTP(S) client (no URL normalisation, so `../` and odd encodings
 * reach the server as written; a CA for self-signed certificates; basic auth), a self-signed certificate
 * made with openssl at test time, bcrypt hashes, and a minimal config tree.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
  /** CN of the server certificate (HTTPS). */
  peerCN?: string;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Basic auth as user:password. */
  auth?: string;
  /** PEM CA to trust (the self-signed certificate). */
  ca?: Buffer | string;
  timeoutMs?: number;
  /** Source address of the client socket (127.0.0.2 on loopback: a second client machine). */
  localAddress?: string;
  /** TLS server name to ask for and check the certificate against (default: from the Host header or URL). */
  servername?: string;
}

/** `base` is `http(s)://host:port/`; `path` goes on the wire exactly as given. */
export function request(base: string, path: string, opts: RawRequest = {}): Promise<RawResponse> {
  const u = new URL(base);
  const mod = u.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.auth !== undefined) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
  if (opts.body !== undefined && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = mod.request(
      { host: u.hostname, port: u.port, path, method: opts.method ?? 'GET', headers, ca: opts.ca, agent: false, timeout: opts.timeoutMs ?? 10_000, localAddress: opts.localAddress, servername: opts.servername },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate?.();
        const peerCN = peer && typeof peer.subject?.CN === 'string' ? peer.subject.CN : undefined;
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0, peerCN }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer to ${opts.method ?? 'GET'} ${path.slice(0, 100)} within ${opts.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** Reads an SSE stream for `ms` milliseconds and returns what arrived (status and text). */
export function readStream(base: string, path: string, ms: number, opts: RawRequest = {}): Promise<{ status: number; text: string }> {
  const u = new URL(base);
  const mod = u.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { accept: 'text/event-stream', ...opts.headers };
  if (opts.auth !== undefined) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = mod.request({ host: u.hostname, port: u.port, path, headers, ca: opts.ca, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      const done = () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, text });
      };
      res.on('end', done);
      setTimeout(done, ms);
    });
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err)));
    req.end();
  });
}

export interface TempDir {
  dir: string;
  cleanup(): void;
}

export function tempDir(prefix = 'netmon-sec-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A self-signed P-256 (or RSA 2048) certificate for 127.0.0.1 and localhost, written as cert.pem/key.pem (or the names given). */
export function makeCert(dir: string, names = { cert: 'cert.pem', key: 'key.pem' }, cn = 'netmon-test', key: 'ec' | 'rsa' = 'ec'): { cert: Buffer; certFile: string; keyFile: string } {
  const certFile = join(dir, names.cert);
  const keyFile = join(dir, names.key);
  execFileSync(
    'openssl',
    ['req', '-x509', ...(key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'] : ['-newkey', 'rsa:2048']), '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    { stdio: 'pipe' },
  );
  return { cert: readFileSync(certFile), certFile, keyFile };
}

/** bcrypt at cost 4 (the minimum): the tests check behaviour, not strength. */
export const hash = (password: string, cost = 4) => bcrypt.hashSync(password, cost);

/** A main config with no targets (nothing to poll, allowed explicitly): enough to run the daemon's HTTP side. */
export function minimalConfig(extraServer = '', extra = ''): string {
  return `server:\n  listen_address: 127.0.0.1\n  language: en\n${extraServer}storage: { path: data/netmon.db }\nsimulate: { enabled: false }\n${extra}allow_empty: true\n`;
}

export function write(dir: string, name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve()
      .then(fn)
      .catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
