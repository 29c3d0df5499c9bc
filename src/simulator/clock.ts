/**
 * The simulator's two clocks. Wall time (`now()`, default Date.now) drives everything the poller measures
 * against its own clock: counters are integrals of the rate over wall time and sysUpTime counts wall
 * centiseconds, so rates stay believable whatever `simulate.speed` is. Simulated time runs `speed` times
 * faster from the start instant and drives the shape of things: the working-day curve, the flapping
 * schedule, the dying fibre.
 */
export interface SimClock {
  /** Wall time now, ms since the epoch. */
  now(): number;
  /** Wall time when the simulator started. */
  readonly startWall: number;
  readonly speed: number;
  /** Simulated time (ms since the epoch) at a wall instant. */
  sim(wallMs: number): number;
  /** Wall instant at which simulated time reaches `simMs`. */
  wall(simMs: number): number;
}

export function createClock(now: () => number, speed: number): SimClock {
  const startWall = now();
  return {
    now,
    startWall,
    speed,
    sim: (w) => startWall + (w - startWall) * speed,
    wall: (s) => startWall + (s - startWall) / speed,
  };
}
