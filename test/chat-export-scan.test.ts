import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { WasyncError } from '../src/core/errors.js';
import { ExportLineParser, type RawMessage } from '../src/sources/chat-export/parser.js';
import { ExportScanner, needsFirstLine, type ScannedMessage } from '../src/sources/chat-export/scan.js';
import { readLineBlocks, readLines } from '../src/sources/chat-export/text.js';
import {
  hasSharedFixtures,
  noteSkippedWithoutSharedFixtures,
  OWN_FIXTURES,
  SHARED_FIXTURES,
} from './support/fixtures.js';

/** Our own exports, and chat-miner's five styles when they are kept beside the project. */
const FIXTURE_DIRS = [
  path.join(OWN_FIXTURES, 'chat-export'),
  ...(hasSharedFixtures ? [path.join(SHARED_FIXTURES, 'chat-export')] : []),
];
noteSkippedWithoutSharedFixtures('chat export scan');

/** The text cut into chunks of `size` bytes, so lines and characters split across chunks. */
function chunked(text: string, size: number): Readable {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
}

/** What the import's second pass reads, cut down to what the scan must agree on. */
async function byLineParser(text: string): Promise<ScannedMessage[]> {
  const messages: RawMessage[] = [];
  const parser = new ExportLineParser(
    (m) => messages.push(m),
    () => {},
  );
  await readLines(chunked(text, 4096), (lines) => {
    for (const line of lines) parser.push(line);
  });
  parser.end();
  return messages.map((m) => {
    const firstLine = m.text.split('\n')[0] ?? '';
    return {
      line: m.line,
      date: m.date,
      yearFirst: m.yearFirst,
      separator: m.separator,
      author: m.author,
      marked: m.marked,
      firstLine: needsFirstLine(m, firstLine) ? firstLine : undefined,
    };
  });
}

async function byScanner(text: string, chunkSize: number): Promise<ScannedMessage[]> {
  const messages: ScannedMessage[] = [];
  const scanner = new ExportScanner((m) => messages.push(m));
  await readLineBlocks(chunked(text, chunkSize), (block) => scanner.pushBlock(block));
  return messages;
}

/** Lines of every shape the parser knows, and broken ones, built from parts. */
function generatedExport(count: number): string {
  const parts: string[][] = [
    ['', '', '', '\ufeff', '\u200e', '\u200e\u202a'],
    [
      '12/31/20, 9:07 PM - ',
      '31.12.20, 21:07 - ',
      '[31/12/2020, 21:07:05] ',
      '[12/31/20, 9:07:05\u202fPM] ',
      '2020-12-31 21:07 - ',
      '31/12/2020, 9:07 a.\u00a0m. - ',
      '[2020/12/31 午後9:07:05] ',
      '12/31/20, 9:07 nachm. - ',
      '12/31/20, 25:07 - ',
      '12/31/20, 9:07 zz - ',
      '[12/31/20, 9:07:05 PM] ',
      '12/31/20,\u202f9:07 - ',
      '[\u200e12/31/20, 9:07:05] ',
      '12/07/2025 à 11:00 - ',
      '[12.07.25 klo 11.00.05] ',
      '\u0661\u0662\u200f/\u0667\u200f/\u0662\u0660\u0662\u0665 \u0661\u0661:\u0660\u0660 \u0635 - ',
      '1/5/2025\u060c 09:17 - ',
      '12.07.2025, 9:07 ÖS - ',
      '',
      'just a line of text ',
    ],
    [
      'Ana',
      '~ Bob',
      '~\u202fCarla',
      'Zoë 🤓',
      '+55 11 98765-4321',
      '\u202a+49 151 1234567\u202c',
      'Ana: x',
      '',
    ],
    [': ', ': ', ':', ' : ', '', ': \u200e'],
    [
      'hi there',
      'Bom dia, tudo bem?',
      'image omitted',
      '<attached: 00000012-PHOTO-2020-12-31.jpg>',
      'IMG-20201231-WA0001.jpg (file attached)',
      'Report.pdf)\u200e',
      'a smile :)',
      'ends with > ',
      'location: https://maps.google.com/?q=1,2',
      '<Media omitted>',
      'This message was deleted',
      'Ana:',
      '',
      '\u200e',
      'note: see you - then',
      'Messages and calls are end-to-end encrypted. Tap to learn more.',
      'Сообщения и звонки защищены сквозным шифрованием.',
      'Messages and more',
      '\u2019quoted',
      '\u200fالرسائل والمكالمات مشفرة',
    ],
    ['', '', '', '\r', ' ', '\u200f'],
  ];
  let seed = 4_242;
  const next = (n: number) => {
    seed = (seed * 48_271) % 2_147_483_647;
    return seed % n;
  };
  const lines: string[] = [];
  for (let n = 0; n < count; n++) lines.push(parts.map((options) => options[next(options.length)]).join(''));
  return lines.join('\n');
}

describe('chat export scan on bytes', () => {
  // The import decides date order and authors from the scan, then builds messages with the line
  // parser: the two must read the same messages, dates, authors and markers from every file.
  const fixtureTexts = FIXTURE_DIRS.flatMap((dir) =>
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.txt'))
      .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')] as const),
  );

  it.each(fixtureTexts)('agrees with the line parser on %s', async (_name, text) => {
    const expected = await byLineParser(text);
    expect(expected.length).toBeGreaterThan(0);
    expect(await byScanner(text, 7)).toEqual(expected);
  });

  it('agrees with the line parser on 30,000 generated lines, whatever the chunk size', async () => {
    const text = generatedExport(30_000);
    const expected = await byLineParser(text);
    // Every kind of answer is among them: plain, decoded and parsed, marked, possible files.
    expect(expected.length).toBeGreaterThan(10_000);
    expect(expected.some((m) => m.marked)).toBe(true);
    expect(expected.some((m) => !m.marked && m.firstLine !== undefined)).toBe(true);
    expect(new Set(expected.map((m) => m.author)).size).toBeGreaterThan(8);
    for (const size of [5, 4096, 256 * 1024]) expect(await byScanner(text, size)).toEqual(expected);
  });

  it('counts every line, the last one without a line feed too', async () => {
    const scanner = new ExportScanner(() => {});
    await readLineBlocks(chunked('12/31/20, 9:07 - A: x\ny\r\n\nz', 3), (block) => scanner.pushBlock(block));
    expect(scanner.lines).toBe(4);
  });
});

describe('chat export text blocks', () => {
  async function failure(bytes: Buffer, chunkSize: number): Promise<WasyncError> {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
    try {
      await readLineBlocks(Readable.from(chunks), () => {});
    } catch (error) {
      if (error instanceof WasyncError) return error;
      throw error;
    }
    throw new Error('no failure');
  }

  it('finds a control byte wherever it stands, at any alignment', async () => {
    const line = Buffer.from('12/31/20, 9:07 - Ana: a line of plain text\n');
    const text = Buffer.concat(Array.from({ length: 20 }, () => line));
    for (const at of [0, 1, 2, 3, 4, 5, 6, 7, 100, 101, 102, 103, text.length - 2]) {
      for (const byte of [0x00, 0x01, 0x08, 0x0e, 0x1a, 0x1c, 0x1f]) {
        const bad = Buffer.from(text);
        bad[at] = byte;
        for (const size of [3, 64, 1024]) {
          const error = await failure(bad, size);
          expect(error.code).toBe('export_binary');
          expect(error.details).toEqual({ offset: at });
        }
      }
    }
  });

  it('lets tab, form feed, carriage return and escape through', async () => {
    const lines: string[] = [];
    await readLines(chunked('a\tb\fc\r\n\u001b[1m\nlast', 2), (block) => {
      lines.push(...block);
    });
    expect(lines).toEqual(['a\tb\fc\r', '\u001b[1m', 'last']);
  });

  it('refuses bytes that are not UTF-8, and a "line" of 16 MB', async () => {
    const latin1 = Buffer.from('12/31/20, 9:07 - Zo\xeb: ol\xe1\n', 'latin1');
    expect((await failure(latin1, 5)).code).toBe('export_not_utf8');
    const endless = Buffer.alloc(17 * 1024 * 1024, 0x61);
    // A long line of text is reported as what it is, not as binary data.
    const tooLong = await failure(endless, 1024 * 1024);
    expect(tooLong.code).toBe('export_line_too_long');
    expect(tooLong.details).toEqual({ offset: 0, limitBytes: 16 * 1024 * 1024 });
    const binaryLine = Buffer.from(endless);
    binaryLine[5_000_000] = 0;
    expect((await failure(binaryLine, 1024 * 1024)).code).toBe('export_binary');
  });

  it('gives each line as a string of its own, split characters whole', async () => {
    const lines: string[] = [];
    await readLines(chunked('Zoë 🤓\nplain\n🤓🤓\n', 1), (block) => {
      lines.push(...block);
    });
    expect(lines).toEqual(['Zoë 🤓', 'plain', '🤓🤓']);
  });
});
