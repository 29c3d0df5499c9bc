import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFping } from '../../probes/icmp/parse.js';
import { parsePingOutput } from '../../probes/icmp/fallback.js';

const dir = new URL('../fixtures/fping/', import.meta.url);
const fx = (name: string) => ({
  stdout: readFileSync(new URL(`${name}.stdout`, dir), 'utf8'),
  stderr: readFileSync(new URL(`${name}.stderr`, dir), 'utf8'),
});
const parse = (name: string) => {
  const f = fx(name);
  return parseFping(f.stderr, f.stdout);
};
const lost = (a: (number | null)[]) => a.filter((v) => v === null).length;

describe('parseFping on captured fping 5.1 output', () => {
  it('quiet -C: IPv4, IPv6, a name, padded host column', () => {
    const p = parse('loopback-quiet');
    expect([...p.hosts.keys()]).toEqual(['127.0.0.1', '127.20.0.1', '127.20.0.2', '::1', 'localhost']);
    for (const r of p.hosts.values()) {
      expect(r.rttsMs).toHaveLength(5);
      expect(lost(r.rttsMs)).toBe(0);
    }
    expect(p.hosts.get('127.20.0.2')!.rttsMs[3]).toBe(0.005);
    expect(p.hosts.get('::1')!.rttsMs).toEqual([0.034, 0.028, 0.025, 0.024, 0.028]);
    expect(p.unparsed).toEqual([]);
  });

  it('verbose: per-echo lines and the summary agree', () => {
    const f = fx('loopback-verbose');
    const both = parseFping(f.stderr, f.stdout);
    const perEcho = parseFping(f.stdout);
    expect(perEcho.summarised.size).toBe(0);
    expect(perEcho.hosts.get('::1')!.rttsMs).toEqual(both.hosts.get('::1')!.rttsMs);
    expect(both.hosts.get('127.0.0.1')!.rttsMs).toEqual([0.018, 0.034, 0.035]);
  });

  it('"-" marks lost echoes, in send order', () => {
    const p = parse('loss-quiet');
    const v4 = p.hosts.get('10.253.7.2')!.rttsMs;
    expect(v4).toHaveLength(20);
    expect(lost(v4)).toBe(4);
    expect(v4.slice(0, 3)).toEqual([null, 0.043, 0.045]);
    expect(lost(p.hosts.get('fd00:253:7::2')!.rttsMs)).toBe(8);
  });

  it('verbose lost echoes: out-of-order "timed out" lines rebuild the sequence', () => {
    const stdout = fx('loss-verbose').stdout;
    expect(parseFping(stdout).hosts.get('10.253.7.2')!.rttsMs).toEqual([null, 0.058, null, null, null, 0.045]);
  });

  it('answering and silent targets in one run', () => {
    const p = parse('mixed-quiet');
    expect(lost(p.hosts.get('10.253.7.2')!.rttsMs)).toBe(0);
    expect(p.hosts.get('10.253.7.3')!.rttsMs).toEqual([null, null, null, null]);
    expect(p.hosts.get('fd00:253:7::3')!.rttsMs).toEqual([null, null, null, null]);
  });

  it('duplicates ("duplicate for [n]", printed even with -q) are counted, not taken as replies', () => {
    const p = parse('dup-quiet');
    const r = p.hosts.get('10.253.7.2')!;
    expect(r.duplicates).toBe(3);
    expect(r.rttsMs).toEqual([0.028, 0.058, 0.048]);
    expect(p.unparsed).toEqual([]);
  });

  it('late replies (beyond -t) are lost, never values', () => {
    const p = parse('late-quiet');
    expect(p.hosts.get('10.253.7.2')!.rttsMs).toEqual([null, null, null, null]);
    expect(lost(p.hosts.get('127.0.0.1')!.rttsMs)).toBe(0);
    const v = parse('late-verbose');
    expect(v.hosts.get('10.253.7.2')!.rttsMs).toEqual([0.032, null, null, null]);
  });

  it('ICMP unreachable messages attach to the target, echoes count as lost', () => {
    const p = parse('reject-verbose');
    const r = p.hosts.get('10.253.7.2')!;
    expect(r.rttsMs).toEqual([null, null, null]);
    expect(r.icmpErrors).toEqual(Array(3).fill('ICMP Host Unreachable from 10.253.7.2'));
  });

  it('a name fping cannot resolve is an error on that host only', () => {
    const p = parse('badname-verbose');
    expect(p.hosts.get('nonexistent.invalid')!.error).toBe('Name or service not known');
    expect(p.hosts.get('nonexistent.invalid')!.rttsMs).toEqual([]);
    expect(p.hosts.get('127.0.0.1')!.rttsMs).toHaveLength(2);
    // -q swallows the message; the host is simply absent
    expect(parse('badname-quiet').hosts.has('nonexistent.invalid')).toBe(false);
  });

  it('an interrupted run (SIGINT) has a short summary line: only what was sent', () => {
    const p = parseFping('127.0.0.1 : 0.030 0.043\n127.0.0.2 : 0.022 -\n');
    expect(p.hosts.get('127.0.0.2')!.rttsMs).toEqual([0.022, null]);
  });

  it('unknown lines are reported, not fatal', () => {
    const p = parseFping('fping: can\'t create socket (must run as root?)\n127.0.0.1 : 0.1\n');
    expect(p.unparsed).toHaveLength(1);
    expect(p.hosts.get('127.0.0.1')!.rttsMs).toEqual([0.1]);
  });
});

describe('parsePingOutput (iputils, fallback)', () => {
  it('captured IPv4 and IPv6 output', () => {
    const v4 = readFileSync(new URL('iputils-ping-loopback.txt', dir), 'utf8');
    expect(parsePingOutput(v4, 4)).toEqual([0.025, 0.036, 0.039, 0.032]);
    const v6 = readFileSync(new URL('iputils-ping-ipv6.txt', dir), 'utf8');
    expect(parsePingOutput(v6, 3)).toEqual([0.025, 0.044, 0.041]);
  });
  it('gaps are lost echoes, DUP! lines ignored', () => {
    const t = '64 bytes from 10.0.0.1: icmp_seq=2 ttl=64 time=1.5 ms\n64 bytes from 10.0.0.1: icmp_seq=2 ttl=64 time=1.9 ms (DUP!)\n';
    expect(parsePingOutput(t, 3)).toEqual([null, 1.5, null]);
  });
});
