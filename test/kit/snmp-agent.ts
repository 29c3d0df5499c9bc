/** Shared bits of the SNMP probe tests: net-snmp's agent in-process on a random loopback port, targets. */
import { createSocket } from 'node:dgram';
import type { SnmpCredentialConfig } from '../../src/config/schema.js';
import type { SnmpProbeOptions, SnmpSpec } from '../../probes/snmp/kind.js';
import type { Sample, Target } from '../../src/types.js';
import { startAgent } from '../../src/simulator/agent.js';
import type { MibModule, SnmpValue } from '../../src/simulator/mibs/types.js';
import { T } from '../../src/simulator/net-snmp.js';

export { T };
export type { MibModule, SnmpValue };

/** A UDP port nothing listens on right now (bind to 0, read, close). */
export async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export interface TestAgent {
  port: number;
  /** Datagrams received so far. */
  requests(): number;
  close(): Promise<void>;
}

export const V2C: SnmpCredentialConfig = { version: '2c', community: 'public' };

/** net-snmp's agent serving `module` on 127.0.0.1 (a random port unless given). */
export async function startModuleAgent(module: MibModule, credential: SnmpCredentialConfig = V2C, port?: number): Promise<TestAgent> {
  let n = 0;
  for (let attempt = 0; ; attempt++) {
    const p = port ?? (await freePort());
    try {
      const handle = await startAgent({
        address: '127.0.0.1',
        port: p,
        credential,
        module,
        now: () => Date.now(),
        answering: () => {
          n++;
          return true;
        },
        log: () => undefined,
      });
      return { port: p, requests: () => n, close: () => handle.close() };
    } catch (e) {
      if (port !== undefined || attempt >= 5) throw e;
    }
  }
}

export function snmpTarget(
  port: number,
  profiles: string[],
  o: { name?: string; credential?: SnmpCredentialConfig; timeoutMs?: number; retries?: number; maxRepetitions?: number } = {},
): { target: Target; spec: SnmpSpec } {
  const options: SnmpProbeOptions = {
    port,
    credentialName: 'test-cred',
    credential: o.credential ?? V2C,
    retries: o.retries ?? 0,
    maxRepetitions: o.maxRepetitions ?? 25,
    profiles,
  };
  return {
    target: { name: o.name ?? 'dut', address: '127.0.0.1', site: 'lab', role: 'switch', labels: {}, probes: [] },
    spec: { kind: 'snmp', intervalMs: 60_000, timeoutMs: o.timeoutMs ?? 1000, options },
  };
}

export function signal(ms = 20_000): AbortSignal {
  return AbortSignal.timeout(ms);
}

export const scalar = (name: string, oid: string, type: number, get: () => SnmpValue) => ({ name, oid, type: type as never, get });

/** Find one sample by metric and label subset. */
export function pick<S extends { metric: string; labels: Record<string, string> }>(samples: S[], metric: string, labels: Record<string, string> = {}): S | undefined {
  return samples.find((s) => s.metric === metric && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/**
 * The labels the pipeline adds to every probe sample (CONTRACT.md: `targetLabels` in src/pipeline.ts):
 * the probe itself emits only its own. For tests that feed probe samples to a consumer directly.
 */
export function withTargetLabels(target: Target, samples: Sample[]): Sample[] {
  const own = { target: target.name, site: target.site, ...target.labels };
  return samples.map((s) => ({ ...s, labels: { ...own, ...s.labels } }));
}
