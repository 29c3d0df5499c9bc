/** What people read: `netmon probe`'s numbers and the log lines on a terminal. */
import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../../src/log-format.js';
import { roundExposition, roundValue } from '../../src/round.js';

describe('roundExposition', () => {
  it('removes float noise from sample values only, leaving integers, labels and comments exact', () => {
    const text = [
      '# HELP netmon_ping_rtt_min_seconds Fastest echo.',
      'netmon_ping_rtt_min_seconds{target="dc-core",site="a b} 0.1"} 0.000014999999999999999',
      'netmon_interface_receive_bytes_total{if_name="Gi0/1"} 18446744073709552000',
      'netmon_up 1',
      'netmon_ratio 0.30000000000000004 1700000000000',
      'netmon_nan NaN',
      '',
    ].join('\n');
    expect(roundExposition(text)).toBe(
      [
        '# HELP netmon_ping_rtt_min_seconds Fastest echo.',
        'netmon_ping_rtt_min_seconds{target="dc-core",site="a b} 0.1"} 0.000015',
        'netmon_interface_receive_bytes_total{if_name="Gi0/1"} 18446744073709552000',
        'netmon_up 1',
        'netmon_ratio 0.3 1700000000000',
        'netmon_nan NaN',
        '',
      ].join('\n'),
    );
    expect(roundValue(-2.0000000000000004)).toBe(-2);
    expect(roundValue(123456.789)).toBe(123456.789);
  });
});

describe('formatLogLine', () => {
  it('turns a pino JSON line into time, level, message and fields', () => {
    const line = JSON.stringify({ level: 30, time: '2026-12-02T07:10:01.123Z', service: 'netmon', msg: 'netmon started', url: 'http://127.0.0.1:9300/', targets: 127, note: 'two words' });
    expect(formatLogLine(line, false)).toBe('07:10:01.123 INFO  netmon started  url=http://127.0.0.1:9300/ targets=127 note="two words"');
    expect(formatLogLine(JSON.stringify({ level: 50, time: '2026-12-02T07:10:02.000Z', msg: 'x', community: '[redacted]' }), true)).toBe(
      '07:10:02.000 \x1b[31mERROR\x1b[0m x  community=[redacted]',
    );
    expect(formatLogLine('not json', false)).toBe('not json');
  });
});
