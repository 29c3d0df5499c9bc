/** When a poll is "partial" (probes/snmp/poll.ts partialOf): the agent's answers contradict themselves. */
import { describe, expect, it } from 'vitest';
import { compilePlan } from '../../probes/snmp/plan.js';
import { partialOf } from '../../probes/snmp/poll.js';
import { loadProfiles } from '../../probes/snmp/profile.js';
import { newWalkStats } from '../../probes/snmp/walk.js';

const IF_NUMBER = '1.3.6.1.2.1.2.1.0';
const plan = compilePlan([loadProfiles().get('if-mib')!]);
const rows = (n: number) => new Map([['if-mib/interfaces', new Set(Array.from({ length: n }, (_, i) => String(i + 1)))]]);

describe('partialOf', () => {
  it('ifNumber equal to the rows served: complete', () => {
    expect(partialOf(plan, new Map([[IF_NUMBER, 3]]), rows(3), newWalkStats())).toBeUndefined();
  });

  it('no ifNumber (the agent lacks it): nothing to contradict', () => {
    expect(partialOf(plan, new Map([[IF_NUMBER, undefined]]), rows(3), newWalkStats())).toBeUndefined();
  });

  it.each([
    [32, 0],
    [32, 1],
    [2, 3],
  ])('ifNumber %i, %i rows served: row_count', (said, got) => {
    expect(partialOf(plan, new Map([[IF_NUMBER, said]]), rows(got), newWalkStats())).toEqual({
      reason: 'row_count',
      message: `${IF_NUMBER} says ${said} rows, the agent served ${got} in interfaces (a broken or truncated table)`,
    });
  });

  it('replies that broke the protocol (the walker cut columns short): broken_column', () => {
    const stats = { ...newWalkStats(), anomalies: 2 };
    expect(partialOf(plan, new Map([[IF_NUMBER, 3]]), rows(3), stats)).toMatchObject({ reason: 'broken_column', message: expect.stringMatching(/^2 replies broke the protocol/) });
  });
});
