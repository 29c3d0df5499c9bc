/**
 * Parser for fping 5 output. netmon runs `fping -C N -q`, which writes one summary line per host to
 * stderr at the end (`host : 0.04 - 0.05`, `-` = lost). The parser also understands the verbose
 * per-echo lines (stdout without -q), so a summary that never came (fping killed) can be rebuilt.
 * fping drops late replies (RTT > -t) itself; they show up as `-` / `timed out`, never as a value.
 */

export interface HostResult {
  /** One entry per echo sent, send order: RTT in ms, null = lost. */
  rttsMs: (number | null)[];
  duplicates: number;
  /** ICMP error messages received for this host, e.g. "ICMP Host Unreachable from 10.0.0.1". */
  icmpErrors: string[];
  /** fping's own per-host error (name not known, send failure). */
  error?: string;
}

export interface FpingOutput {
  hosts: Map<string, HostResult>;
  /** Hosts whose result comes from a -C summary line (authoritative). */
  summarised: Set<string>;
  /** Lines the parser did not recognise (fping warnings, usage errors). */
  unparsed: string[];
}

const NUM = String.raw`\d+(?:\.\d+)?`;
// "host : 0.05 - 0.04": host then only numbers and dashes. Duplicate/verbose lines contain words, so never match.
const SUMMARY = new RegExp(String.raw`^(\S+)\s+:((?:\s+(?:-|${NUM}))*)\s*$`);
const ECHO = new RegExp(String.raw`^(\S+)\s+: \[(\d+)\], (?:\d+ bytes, (${NUM}) ms|timed out)`);
const DUP = /^(\S+)\s+: duplicate for \[(\d+)\]/;
const ICMP = /^(ICMP .+?) from (\S+) for ICMP Echo sent to (\S+)/;
const HOST_ERROR = /^(\S+): (.+)$/;

function entry(map: Map<string, HostResult>, host: string): HostResult {
  let r = map.get(host);
  if (!r) {
    r = { rttsMs: [], duplicates: 0, icmpErrors: [] };
    map.set(host, r);
  }
  return r;
}

export function parseFping(...streams: string[]): FpingOutput {
  const hosts = new Map<string, HostResult>();
  const summarised = new Set<string>();
  const verbose = new Map<string, (number | null)[]>();
  const unparsed: string[] = [];
  for (const text of streams) {
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      let m: RegExpMatchArray | null;
      if ((m = line.match(SUMMARY))) {
        const r = entry(hosts, m[1]!);
        r.rttsMs = m[2]!.trim() === '' ? [] : m[2]!.trim().split(/\s+/).map((t) => (t === '-' ? null : Number(t)));
        summarised.add(m[1]!);
      } else if ((m = line.match(ECHO))) {
        entry(hosts, m[1]!);
        let v = verbose.get(m[1]!);
        if (!v) verbose.set(m[1]!, (v = []));
        const seq = Number(m[2]);
        while (v.length <= seq) v.push(null);
        v[seq] = m[3] === undefined ? null : Number(m[3]);
      } else if ((m = line.match(DUP))) {
        entry(hosts, m[1]!).duplicates++;
      } else if ((m = line.match(ICMP))) {
        entry(hosts, m[3]!).icmpErrors.push(`${m[1]} from ${m[2]}`);
      } else if ((m = line.match(HOST_ERROR)) && !line.startsWith('fping:')) {
        entry(hosts, m[1]!).error = m[2]!;
      } else {
        unparsed.push(line);
      }
    }
  }
  for (const [host, v] of verbose) if (!summarised.has(host)) entry(hosts, host).rttsMs = v;
  return { hosts, summarised, unparsed };
}
