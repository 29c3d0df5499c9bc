/**
 * What a person may write into a silence or an acknowledgement (comments, names, matcher values): any
 * Unicode text (Vietnamese with its combining marks included), but no NUL, no C0/C1 control characters
 * (so no ANSI escape sequences, which start with ESC or CSI and would recolour or rewrite a terminal that
 * shows the log or `sqlite3` output), no bidirectional overrides (which make text read differently from
 * what it is), and no unpaired surrogates. Rejected rather than stripped: the author sees the 422 and what
 * netmon stores is what they sent.
 */

// C0 except tab/LF/CR, DEL, C1, bidi embeddings/overrides/isolates.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const FORBIDDEN_MULTILINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex -- as above
const FORBIDDEN_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

/** Why `s` is not acceptable text, or null. `multiline`: tabs and line breaks are allowed (comments). */
export function textProblem(s: string, multiline: boolean): string | null {
  if (LONE_SURROGATE.test(s)) return 'contains an unpaired surrogate (not valid Unicode text)';
  const m = (multiline ? FORBIDDEN_MULTILINE : FORBIDDEN_LINE).exec(s);
  if (!m) return null;
  const code = m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  const what = code === '0000' ? 'NUL' : code === '001B' ? 'ESC (an ANSI escape sequence)' : 'a control character';
  return `contains ${what} U+${code} at offset ${m.index}: control characters and escape sequences are not allowed`;
}

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
