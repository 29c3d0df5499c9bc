/**
 * CSV for spreadsheets (RFC 4180): CRLF rows, fields quoted when they hold a comma, quote or line break,
 * and a UTF-8 byte order mark first, without which Excel reads UTF-8 as the local code page and Vietnamese
 * names come out garbled. A text cell starting with = + - @ (or a tab/CR) is prefixed with ' so a
 * spreadsheet never runs it as a formula (CSV injection); numbers are written as numbers.
 */
export type Cell = string | number | null;

const cell = (v: Cell): string => {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return '\uFEFF' + [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
