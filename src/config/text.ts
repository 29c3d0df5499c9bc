/**
 * A config file's bytes → text, refusing what is not UTF-8. A file saved as Windows-1258 or Latin-1 (as
 * Vietnamese Windows editors do) decodes "successfully" with replacement characters, and ward names then
 * show as mojibake on the dashboard; so the first invalid byte is reported with its line and column.
 */
type Decoded = { text: string } | { line: number; column: number; message: string };

const HINT = 're-save the file as UTF-8 (it looks like Windows-1258 or Latin-1, as some Windows editors save Vietnamese text)';

/** Byte offset of the first byte that does not belong to a well-formed UTF-8 sequence, or -1. */
function firstInvalidUtf8(buf: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    decoder.decode(buf);
    return -1;
  } catch {
    // Find the offset: the longest prefix that decodes (on a sequence boundary) ends just before the bad byte.
  }
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (!len || i + len > buf.length) return i;
    try {
      decoder.decode(buf.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return -1;
}

export function decodeUtf8(buf: Buffer): Decoded {
  const bad = firstInvalidUtf8(buf);
  if (bad < 0) return { text: buf.toString('utf8').replace(/^\uFEFF/, '') };
  const lineStart = buf.lastIndexOf(0x0a, bad - 1) + 1;
  const line = buf.subarray(0, lineStart).reduce((n, b) => n + (b === 0x0a ? 1 : 0), 1);
  // Columns count characters, as the other messages do: the valid UTF-8 before the bad byte on its line.
  const column = buf.subarray(lineStart, bad).toString('utf8').length + 1;
  const byte = buf[bad]!.toString(16).toUpperCase().padStart(2, '0');
  return { line, column, message: `not UTF-8: byte 0x${byte} is not valid UTF-8; ${HINT}` };
}
