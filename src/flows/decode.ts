/**
 * One entry point per UDP port: NetFlow v5/v9 and IPFIX share the netflow port (told apart by the version
 * word), sFlow has its own. No exception leaves here: a structural problem is a counted drop reason, and
 * anything else (a decoder bug) is `internal`, so one datagram can never stop the collector.
 */
import { decodeIpfix } from './ipfix.js';
import { decodeNetflowV5 } from './netflow-v5.js';
import { decodeNetflowV9 } from './netflow-v9.js';
import { decodeSflow } from './sflow.js';
import type { TemplateCache } from './templates.js';
import { DecodeError, type DecodeResult, type DropReason } from './types.js';

export type Decoded = DecodeResult | { dropped: DropReason; detail: string };

function guarded(fn: () => DecodeResult): Decoded {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DecodeError) return { dropped: err.reason, detail: err.message };
    return { dropped: 'internal', detail: String(err) };
  }
}

export function decodeNetflow(buf: Buffer, exporter: string, cache: TemplateCache): Decoded {
  return guarded(() => {
    const version = buf.length >= 2 ? buf.readUInt16BE(0) : -1;
    if (version === 5) return decodeNetflowV5(buf);
    if (version === 9) return decodeNetflowV9(buf, exporter, cache);
    if (version === 10) return decodeIpfix(buf, exporter, cache);
    throw new DecodeError('bad_version', `NetFlow/IPFIX version ${version}`);
  });
}

export function decodeSflowDatagram(buf: Buffer): Decoded {
  return guarded(() => decodeSflow(buf));
}
