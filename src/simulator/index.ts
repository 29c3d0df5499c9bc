/**
 * The built-in simulated reference network: one real SNMP agent (UDP, loopback only) per target of the
 * config that has an `snmp` block, serving IF-MIB, optical tables, HOST-RESOURCES and UCD-SNMP with
 * deterministic, believable values, and a UDP echo service per agent address that answers ping (echo.ts).
 * The caller decides whether to start it (`simulate.enabled`).
 */
import type { LoadedConfig } from '../config/model.js';
import { startAgent, type AgentHandle } from './agent.js';
import { SIM_ECHO_PORT, startEcho } from './echo.js';
import { createClock } from './clock.js';
import { buildDevice, type SimDevice } from './model.js';
import { hostMib } from './mibs/host.js';
import { ifMib } from './mibs/if-mib.js';
import { opticalMib } from './mibs/optical.js';
import { systemMib } from './mibs/system.js';
import type { MibModule } from './mibs/types.js';
import { describeScenarios, pickScenarios, type SimScenarios } from './scenarios.js';
import { DeviceState } from './state.js';
import { startFlowEmitter } from './flows.js';

export type { SimDevice } from './model.js';
export type { SimScenarios } from './scenarios.js';
export { DeviceState } from './state.js';
export { SIM_ECHO_PORT } from './echo.js';

export interface SimulatorOptions {
  /** Wall clock in ms (default Date.now): inject one in tests. */
  now?: () => number;
  log?: (msg: string) => void;
}

export interface Simulator {
  devices: SimDevice[];
  scenarios: SimScenarios;
  /** The model behind a device's agent (rates, optical levels, link state), by target name. */
  state(name: string): DeviceState | undefined;
  /** The UDP echo port of the simulated device at this address (what the ping probe's `udp` method needs), if any. */
  echoPort(address: string): number | undefined;
  close(): Promise<void>;
}

/** Only loopback addresses: a simulated agent must never answer for a real device. */
const isLoopback = (a: string) => /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);

/**
 * The echo port the simulator of this config serves at an address, without starting it: for a second
 * process (`netmon probe`) beside a running daemon whose simulator already holds the sockets.
 */
export function simulatedEchoPort(config: LoadedConfig, address: string): number | undefined {
  if (!config.simulate.enabled || !isLoopback(address)) return undefined;
  return config.targets.some((t) => t.snmp && t.address === address) ? SIM_ECHO_PORT : undefined;
}

function moduleFor(st: DeviceState): MibModule {
  const parts = [systemMib(st), ifMib(st)];
  if (st.device.role === 'fibre') parts.push(opticalMib(st));
  if (st.device.role === 'server') parts.push(hostMib(st));
  return { scalars: parts.flatMap((p) => p.scalars), tables: parts.flatMap((p) => p.tables) };
}

export async function startSimulator(config: LoadedConfig, opts: SimulatorOptions = {}): Promise<Simulator> {
  const now = opts.now ?? Date.now;
  const log = opts.log ?? (() => {});
  const seed = config.simulate.seed;
  const clock = createClock(now, config.simulate.speed);
  const { picks, scenarios } = pickScenarios(config, seed);
  const ctx = { config, seed, startWall: clock.startWall };

  const states = new Map<string, DeviceState>();
  for (const t of config.targets) {
    if (!t.snmp) continue;
    if (!isLoopback(t.address)) {
      log(`simulator: skipping ${t.name}: ${t.address} is not a loopback (127.0.0.0/8) address`);
      continue;
    }
    const device = buildDevice(ctx, t, picks);
    if (device) states.set(device.name, new DeviceState(device, clock, seed));
  }

  const handles: AgentHandle[] = [];
  try {
    const started = await Promise.allSettled(
      [...states.values()].map((st) =>
        startAgent({
          address: st.device.address,
          port: st.device.snmpPort,
          credential: st.device.credential,
          module: moduleFor(st),
          now,
          answering: (w) => st.answering(w),
          log,
        }),
      ),
    );
    // One echo service per address: the first device there models the site's round trip.
    const byAddress = new Map<string, DeviceState>();
    for (const st of states.values()) if (!byAddress.has(st.device.address)) byAddress.set(st.device.address, st);
    const echoes = await Promise.allSettled(
      [...byAddress.values()].map((st) => startEcho({ address: st.device.address, port: SIM_ECHO_PORT, now, delayMs: (w) => st.echoDelayMs(w), log })),
    );
    started.push(...echoes);
    for (const r of started) if (r.status === 'fulfilled') handles.push(r.value);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (e) {
    await Promise.all(handles.map((h) => h.close()));
    throw e;
  }

  const flows = await startFlowEmitter(config, states, seed, now, log).catch(async (e: unknown) => {
    await Promise.all(handles.map((h) => h.close()));
    throw e;
  });
  const devices = [...states.values()].map((s) => s.device);
  log(`simulator: ${devices.length} SNMP agents and their UDP echo services (port ${SIM_ECHO_PORT}) started (seed ${seed}, speed ×${config.simulate.speed})`);
  for (const line of describeScenarios(scenarios)) log(`simulator: scenario ${line}`);

  let closed = false;
  return {
    devices,
    scenarios,
    state: (name) => states.get(name),
    echoPort: (address) => (devices.some((d) => d.address === address) ? SIM_ECHO_PORT : undefined),
    close: async () => {
      if (closed) return;
      closed = true;
      await flows?.close();
      await Promise.all(handles.map((h) => h.close()));
    },
  };
}
