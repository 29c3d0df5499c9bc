/**
 * The listening server: plain HTTP, or HTTPS with the web config's certificate (swapped in place on a
 * reload, so a renewed certificate needs no restart), with the timeouts and limits of limits.ts.
 */
import http from 'node:http';
import https from 'node:https';
import type { RequestListener } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebConfig } from '../config/model.js';
import { LIMITS } from './limits.js';

type TlsConfig = NonNullable<WebConfig['tls']>;

export interface ListenOptions {
  host: string;
  port: number;
  tls?: TlsConfig;
  limits?: typeof LIMITS;
}

export interface HttpServer {
  server: http.Server;
  /** `http://HOST:PORT/` or `https://...`, with the port actually bound. */
  url: string;
  https: boolean;
  /** Replace the certificate and key (HTTPS only). */
  setTls(tls: TlsConfig): void;
}

/**
 * TLS 1.2 with forward-secret AEAD suites only (ECDHE with AES-GCM or ChaCha20), as Prometheus
 * exporter-toolkit (Go's defaults) offers; no static-RSA key exchange (AES128-SHA) and no CBC. TLS 1.3's
 * suites are all forward-secret and stay OpenSSL's defaults.
 */
const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

const tlsOptions = (tls: TlsConfig) => ({ cert: tls.cert, key: tls.key, minVersion: tls.minVersion, ciphers: TLS12_CIPHERS, honorCipherOrder: true });

export async function listen(app: RequestListener, opts: ListenOptions): Promise<HttpServer> {
  const l = opts.limits ?? LIMITS;
  const common = {
    headersTimeout: l.headersTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    connectionsCheckingInterval: l.connectionsCheckingIntervalMs,
  };
  const server: http.Server = opts.tls
    ? https.createServer({ ...common, ...tlsOptions(opts.tls), handshakeTimeout: l.tlsHandshakeTimeoutMs }, app)
    : http.createServer(common, app);
  server.headersTimeout = l.headersTimeoutMs;
  server.requestTimeout = l.requestTimeoutMs;
  server.keepAliveTimeout = l.keepAliveTimeoutMs;
  // Not Node's own count (it answers a bare 400 past it, and lets one line too many through): the 16 KB
  // header size bounds the parsing, and requestLimits answers 431 past LIMITS.maxHeadersCount.
  server.maxHeadersCount = 2000;
  server.maxConnections = l.maxConnections;
  server.setTimeout(l.socketIdleTimeoutMs);
  // A TLS client that connects and never completes the handshake, or sends garbage: drop it quietly.
  // (`server` is typed as http.Server, whose events do not list it, hence the explicit parameter types.)
  server.on('tlsClientError', (_err: Error, socket: Duplex) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const isHttps = opts.tls !== undefined;
  return {
    server,
    url: `${isHttps ? 'https' : 'http'}://${host}:${port}/`,
    https: isHttps,
    setTls(tls) {
      if (!isHttps) throw new Error('the server was started without TLS; restart netmon to turn HTTPS on');
      (server as https.Server).setSecureContext(tlsOptions(tls));
    },
  };
}
