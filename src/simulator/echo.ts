/**
 * The simulated site's answer to ping: a UDP echo service (RFC 862: every datagram is sent back as is) on
 * the agent's loopback address, replying after the site's modelled round-trip time and dropping everything
 * while the site is cut off. The ping probe's `udp` method measures it with real packets and real timing,
 * so a simulated site is up, slow or gone for the same reasons a real one is, and nothing downstream needs
 * to know it is simulated. (netmon's own machine answers ICMP for every loopback address, which is why the
 * simulator cannot be pinged with ICMP.)
 */
import { createSocket } from 'node:dgram';

/** Port of every simulated agent's echo service (RFC 862's port 7 needs root; this does not). */
export const SIM_ECHO_PORT = 7007;

export interface EchoOptions {
  address: string;
  port: number;
  now: () => number;
  /** Delay before the reply (ms), or null to drop the datagram. */
  delayMs: (wall: number) => number | null;
  log: (msg: string) => void;
}

export interface EchoHandle {
  /** The bound port (the one asked for, or the one the system picked for 0). */
  port: number;
  close(): Promise<void>;
}

/** Echo replies in flight are bounded: a flood cannot queue unbounded timers. */
const MAX_IN_FLIGHT = 4096;

export async function startEcho(o: EchoOptions): Promise<EchoHandle> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (e) => reject(new Error(`simulator: cannot bind echo ${o.address}:${o.port}: ${e.message}`)));
    socket.bind(o.port, o.address, () => resolve());
  }).catch((e: unknown) => {
    socket.close();
    throw e;
  });
  socket.on('error', (e) => o.log(`simulator: ${o.address}: echo socket error: ${e.message}`));
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  socket.on('message', (msg, rinfo) => {
    const delay = o.delayMs(o.now());
    if (delay === null || closed || timers.size >= MAX_IN_FLIGHT) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) socket.send(msg, rinfo.port, rinfo.address);
    }, Math.max(0, delay));
    timers.add(timer);
  });
  return {
    port: socket.address().port,
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        socket.close(() => resolve());
      }),
  };
}
