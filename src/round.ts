/**
 * Numbers for people: `netmon probe` prints 0.000015, not 0.000014999999999999999. Integers (counters of
 * bytes beyond 2^53 included) are left exactly as they are; other numbers keep 12 significant digits, far
 * beyond any measurement's precision. The result is still valid Prometheus exposition text.
 */
export function roundValue(v: number): number {
  return Number.isInteger(v) || !Number.isFinite(v) ? v : Number(v.toPrecision(12));
}

/** The value of every sample line rounded; comments, labels and timestamps untouched. */
export function roundExposition(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (!line || line.startsWith('#')) return line;
      // The value follows the label set (whose quoted values may hold spaces), or the name when there is none.
      const close = line.lastIndexOf('}');
      const start = close >= 0 ? close + 1 : line.indexOf(' ');
      const m = /^(\s+)(\S+)(.*)$/.exec(line.slice(start));
      if (!m) return line;
      const n = Number(m[2]);
      return Number.isNaN(n) || Number.isInteger(n) ? line : `${line.slice(0, start)}${m[1]}${String(roundValue(n))}${m[3]}`;
    })
    .join('\n');
}
