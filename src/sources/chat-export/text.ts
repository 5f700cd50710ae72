import type { Readable } from 'node:stream';
import { WasyncError } from '../../core/errors.js';

/** Control characters no chat text holds: NUL and friends (tab, line feed, carriage return are fine). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const BINARY = /[\u0000-\u0008\u000e-\u001a\u001c-\u001f]/;

/**
 * Reads UTF-8 text as lines, a chunk at a time: `onLines` gets each chunk's whole lines (the last,
 * unfinished line waits for the next chunk). Invalid UTF-8 and binary bytes fail with their codes.
 * Returns the number of bytes read.
 */
export async function readLines(
  stream: Readable,
  onLines: (lines: string[], bytesSoFar: number) => Promise<void> | void,
): Promise<number> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let carry = '';
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw notUtf8(bytes);
    }
    bytes += chunk.length;
    if (BINARY.test(text)) throw binary(bytes);
    const lines = (carry + text).split('\n');
    carry = lines.pop() ?? '';
    if (carry.length > 16 * 1024 * 1024) throw binary(bytes);
    if (lines.length > 0) await onLines(lines, bytes);
  }
  try {
    carry += decoder.decode();
  } catch {
    throw notUtf8(bytes);
  }
  await onLines(carry === '' ? [] : [carry], bytes);
  return bytes;
}

function notUtf8(offset: number): WasyncError {
  return new WasyncError(
    'export_not_utf8',
    `The chat text is not UTF-8 (near byte ${offset}); export it again from WhatsApp, or convert it.`,
    { offset },
  );
}

function binary(offset: number): WasyncError {
  return new WasyncError(
    'export_binary',
    `The chat text holds binary data (near byte ${offset}); it is not a WhatsApp export.`,
    { offset },
  );
}
