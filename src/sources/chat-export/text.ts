import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { WasyncError } from '../../core/errors.js';

/** A line longer than this is no chat text (WhatsApp writes a message's lines one by one). */
const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Control bytes no chat text holds: NUL and friends. Tab, line feed, vertical tab, form feed,
 * carriage return and escape are let through.
 */
const CONTROL = new Uint8Array(32);
for (let b = 0; b < 32; b++) CONTROL[b] = b <= 8 || (b >= 14 && b <= 26) || b >= 28 ? 1 : 0;

/**
 * Reads UTF-8 text in blocks of whole lines: each block passed to `onBlock` ends right after a
 * "\n", except the last one of the stream. Invalid UTF-8 and binary bytes fail with their codes
 * before the block that holds them is passed on. Returns the number of bytes read.
 */
export async function readLineBlocks(
  stream: Readable,
  onBlock: (block: Buffer, bytesSoFar: number) => Promise<void> | void,
): Promise<number> {
  let carry: Buffer | undefined;
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const start = bytes;
    bytes += chunk.length;
    const buffer = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
    const last = buffer.lastIndexOf(0x0a);
    if (last < 0) {
      if (buffer.length > MAX_LINE_BYTES) throw overLongLine(buffer, bytes - buffer.length);
      carry = buffer;
      continue;
    }
    carry = last + 1 < buffer.length ? buffer.subarray(last + 1) : undefined;
    const block = buffer.subarray(0, last + 1);
    check(block, start - (buffer.length - chunk.length));
    await onBlock(block, bytes);
  }
  if (carry !== undefined) {
    check(carry, bytes - carry.length);
    await onBlock(carry, bytes);
  }
  return bytes;
}

/**
 * Reads UTF-8 text as lines: `onLines` gets the whole lines of each block (without their "\n").
 * Each line is a string of its own (a line in plain ASCII a one-byte string, which later string work
 * reads faster than slices of a block's two-byte string). Returns the number of bytes read.
 */
export function readLines(
  stream: Readable,
  onLines: (lines: string[], bytesSoFar: number) => Promise<void> | void,
): Promise<number> {
  return readLineBlocks(stream, (block, bytesSoFar) => {
    const lines: string[] = [];
    let start = 0;
    while (start < block.length) {
      let end = block.indexOf(0x0a, start);
      if (end < 0) end = block.length;
      lines.push(
        hasHighByte(block, start, end)
          ? block.toString('utf8', start, end)
          : block.toString('latin1', start, end),
      );
      start = end + 1;
    }
    return onLines(lines, bytesSoFar);
  });
}

/** Whether bytes `start` to `end` hold one outside ASCII. */
export function hasHighByte(buffer: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((buffer[i] as number) >= 0x80) return true;
  return false;
}

/** Fails on invalid UTF-8 or a control byte; `offset` is where the block starts in the stream. */
function check(block: Buffer, offset: number): void {
  if (!isUtf8(block)) throw notUtf8(offset);
  const at = firstControlByte(block);
  if (at >= 0) throw binary(offset + at);
}

/**
 * The index of the first control byte of a block, or -1. Four bytes at a time: a word with no byte
 * below 0x20 (the test is the "has a byte less than n" bit trick) needs no closer look; the others, a
 * line feed in most, are looked at byte by byte.
 */
function firstControlByte(block: Buffer): number {
  const head = (4 - (block.byteOffset & 3)) & 3;
  if (block.length < head + 4) return controlByteIn(block, 0, block.length);
  let found = controlByteIn(block, 0, head);
  if (found >= 0) return found;
  const count = (block.length - head) >> 2;
  const words = new Int32Array(block.buffer, block.byteOffset + head, count);
  for (let k = 0; k < count; k++) {
    const word = words[k] as number;
    if (((word - 0x20202020) & ~word & 0x80808080) !== 0) {
      found = controlByteIn(block, head + 4 * k, head + 4 * k + 4);
      if (found >= 0) return found;
    }
  }
  return controlByteIn(block, head + 4 * count, block.length);
}

function controlByteIn(block: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const b = block[i] as number;
    if (b < 32 && CONTROL[b] === 1) return i;
  }
  return -1;
}

function notUtf8(offset: number): WasyncError {
  return new WasyncError(
    'export_not_utf8',
    `The chat text is not UTF-8 (in the block from byte ${offset}); export it again from WhatsApp, or convert it.`,
    { offset },
  );
}

/**
 * A line past MAX_LINE_BYTES: binary if it holds a control byte, else text with no line breaks for
 * too long, which is reported as that (no UTF-8 check: the buffer may end inside a character).
 */
function overLongLine(buffer: Buffer, offset: number): WasyncError {
  const at = firstControlByte(buffer);
  if (at >= 0) return binary(offset + at);
  return new WasyncError(
    'export_line_too_long',
    `The chat text has a line longer than ${MAX_LINE_BYTES} bytes (from byte ${offset}); WhatsApp writes no such line, so it is not an export.`,
    { offset, limitBytes: MAX_LINE_BYTES },
  );
}

function binary(offset: number): WasyncError {
  return new WasyncError(
    'export_binary',
    `The chat text holds binary data (near byte ${offset}); it is not a WhatsApp export.`,
    { offset },
  );
}
