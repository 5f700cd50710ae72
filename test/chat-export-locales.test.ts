import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isSystemLine, observeScanned } from '../src/sources/chat-export/import.js';
import { type Language, languageOf } from '../src/sources/chat-export/locales.js';
import { classify } from '../src/sources/chat-export/markers.js';
import {
  type DateOrder,
  DateOrderDetector,
  dateInFileName,
  ExportLineParser,
  formatLocal,
  localDateTime,
  type RawMessage,
} from '../src/sources/chat-export/parser.js';
import { ExportScanner } from '../src/sources/chat-export/scan.js';
import { readLineBlocks, readLines } from '../src/sources/chat-export/text.js';
import { OWN_FIXTURES } from './support/fixtures.js';

const DIR = path.join(OWN_FIXTURES, 'chat-export', 'locales');

/** The import's two passes over a file: the scan decides the date order, the parser reads messages. */
async function read(file: string) {
  const bytes = fs.readFileSync(path.join(DIR, file));
  const detector = new DateOrderDetector();
  const scanner = new ExportScanner((m) => observeScanned(detector, m));
  await readLineBlocks(Readable.from([bytes]), (block) => scanner.pushBlock(block));
  const decision = detector.decision();
  const raw: RawMessage[] = [];
  const skipped: string[] = [];
  const parser = new ExportLineParser(
    (m) => raw.push(m),
    (reason) => skipped.push(reason),
  );
  // Chunks of 5 bytes: lines and multi-byte characters split across chunks come out whole.
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 5) chunks.push(bytes.subarray(i, i + 5));
  await readLines(Readable.from(chunks), (lines) => {
    for (const line of lines) parser.push(line);
  });
  parser.end();
  const order = decision.order as DateOrder;
  const messages = raw.map((m) => {
    const meaning = classify(m.text);
    const local = localDateTime(m, order);
    return {
      local: local && formatLocal(local).slice(0, 16),
      author: m.author,
      system: isSystemLine(m, meaning.kind, m.text),
      meaning,
      text: m.text,
    };
  });
  return { decision, messages, skipped };
}

/** Each fixture holds the same ten lines, in its language and layout: 3 and 4 July 2025. */
const EXPECTED: [string, 'system' | 'A' | 'B', string][] = [
  ['2025-07-03T09:12', 'system', 'encryption'],
  ['2025-07-03T09:12', 'system', 'created group'],
  ['2025-07-03T09:13', 'system', 'added'],
  ['2025-07-03T09:15', 'A', 'text'],
  ['2025-07-03T09:20', 'B', 'omitted'],
  ['2025-07-03T09:21', 'B', 'attached'],
  ['2025-07-03T14:30', 'B', 'deleted'],
  ['2025-07-04T18:02', 'A', 'deleted'],
  ['2025-07-04T18:05', 'system', 'changed the subject'],
  ['2025-07-04T18:10', 'system', 'left'],
];

interface Case {
  language: Language;
  A: string;
  B: string;
  /** What decides the date order: every date (3/7, 4/7) could be read either way. */
  android: { order: DateOrder; by: string; file: string };
  ios: { order: DateOrder; by: string; file: string };
}

const CASES: Case[] = [
  {
    language: 'en',
    A: 'Ana Souza',
    B: 'Bruno Lima',
    // en-US Android (month first, 12 hours) and en-GB iOS (day first): only the attachments tell.
    android: { order: 'mdy', by: 'attachments', file: 'IMG-20250703-WA0003.jpg' },
    ios: { order: 'dmy', by: 'attachments', file: '00000012-PHOTO-2025-07-03-09-21-00.jpg' },
  },
  {
    language: 'de',
    A: 'Lena Hoffmann',
    B: 'Jonas Weber',
    android: { order: 'dmy', by: 'separator', file: 'Bestellung.pdf' },
    ios: { order: 'dmy', by: 'separator', file: '00000034-Bestellung.pdf' },
  },
  {
    language: 'es',
    A: 'Lucía Gómez',
    B: 'Diego Ruiz',
    android: { order: 'dmy', by: 'language', file: 'Pedido.pdf' },
    ios: { order: 'dmy', by: 'language', file: '00000034-Pedido.pdf' },
  },
  {
    language: 'pt',
    A: 'Ana Souza',
    B: 'Bruno Lima',
    android: { order: 'dmy', by: 'language', file: 'Pedido.pdf' },
    ios: { order: 'dmy', by: 'language', file: '00000034-Pedido.pdf' },
  },
  {
    language: 'fr',
    A: 'Camille Martin',
    B: 'Hugo Petit',
    android: { order: 'dmy', by: 'language', file: 'Bon de commande.pdf' },
    ios: { order: 'dmy', by: 'language', file: '00000034-Bon de commande.pdf' },
  },
  {
    language: 'it',
    A: 'Giulia Rossi',
    B: 'Marco Bianchi',
    android: { order: 'dmy', by: 'language', file: 'Ordine.pdf' },
    ios: { order: 'dmy', by: 'language', file: '00000034-Ordine.pdf' },
  },
  {
    language: 'nl',
    A: 'Sanne de Vries',
    B: 'Daan Jansen',
    android: { order: 'dmy', by: 'language', file: 'Bestelling.pdf' },
    ios: { order: 'dmy', by: 'language', file: '00000034-Bestelling.pdf' },
  },
  {
    language: 'tr',
    A: 'Elif Yılmaz',
    B: 'Emre Kaya',
    android: { order: 'dmy', by: 'separator', file: 'Sipariş.pdf' },
    ios: { order: 'dmy', by: 'separator', file: '00000034-Sipariş.pdf' },
  },
  {
    language: 'ru',
    A: 'Ольга Иванова',
    B: 'Иван Петров',
    android: { order: 'dmy', by: 'separator', file: 'Заказ.pdf' },
    ios: { order: 'dmy', by: 'separator', file: '00000034-Заказ.pdf' },
  },
  {
    language: 'id',
    A: 'Siti Rahma',
    B: 'Budi Santoso',
    android: { order: 'dmy', by: 'language', file: 'Pesanan.pdf' },
    ios: { order: 'dmy', by: 'language', file: '00000034-Pesanan.pdf' },
  },
  {
    language: 'ar',
    A: 'سارة أحمد',
    B: 'عمر خالد',
    android: { order: 'dmy', by: 'language', file: 'الطلب.pdf' },
    ios: { order: 'dmy', by: 'language', file: '00000034-الطلب.pdf' },
  },
];

describe('chat exports in each language, as WhatsApp writes them', () => {
  it('has a fixture for each language and layout', () => {
    expect(fs.readdirSync(DIR).sort()).toEqual(
      CASES.flatMap((c) => [`${c.language}-android.txt`, `${c.language}-ios.txt`]).sort(),
    );
  });

  for (const c of CASES) {
    for (const layout of ['android', 'ios'] as const) {
      const expected = c[layout];
      it(`${c.language} ${layout}: authors, times, media, deleted and system notices`, async () => {
        const { decision, messages, skipped } = await read(`${c.language}-${layout}.txt`);
        expect(skipped).toEqual([]);
        expect(decision).toEqual({ order: expected.order, source: expected.by });
        expect(messages).toHaveLength(EXPECTED.length);
        messages.forEach((m, i) => {
          const [local, who, what] = EXPECTED[i] ?? [];
          const where = `${c.language}-${layout} line ${i + 1}: ${m.text}`;
          expect(m.local, where).toBe(local);
          expect(m.system, where).toBe(who === 'system');
          if (who === 'A' || who === 'B') expect(m.author, where).toBe(c[who]);
          // Android writes system lines without an author; iOS under the group's name, and the
          // encryption notice under the account owner's.
          if (who === 'system' && layout === 'android') expect(m.author, where).toBeUndefined();
          if (what === 'encryption' && layout === 'ios') expect(m.author, where).toBe(c.A);
          // Every system notice is known to be in its language.
          if (who === 'system') expect(languageOf(m.text), where).toBe(c.language);
          if (what === 'text') {
            expect(m.meaning.kind, where).toBe('text');
            expect(m.text.split('\n'), where).toHaveLength(2);
          }
          if (what === 'omitted') {
            expect(m.meaning, where).toEqual({
              kind: 'omitted',
              type: layout === 'android' ? 'unsupported' : 'image',
              caption: undefined,
            });
            expect(languageOf(m.text), where).toBe(c.language);
          }
          if (what === 'attached') {
            expect(m.meaning, where).toMatchObject({ kind: 'attached', fileName: expected.file });
            expect(m.meaning.kind === 'attached' && m.meaning.caption, where).toBeTruthy();
          }
          if (what === 'deleted') {
            expect(m.meaning.kind, where).toBe('deleted');
            expect(languageOf(m.text), where).toBe(c.language);
          }
        });
      });
    }
  }
});

describe('chat export date order from hints', () => {
  const message = (a: number, b: number, separator: '/' | '.' | '-' = '/') => ({
    date: [a, b, 2025] as [number, number, number],
    yearFirst: false,
    separator,
  });

  it('reads the date in WhatsApp media names', () => {
    expect(dateInFileName('IMG-20250114-WA0003.jpg')).toEqual({ year: 2025, month: 1, day: 14 });
    expect(dateInFileName('00000012-PHOTO-2025-02-03-11-22-33.jpg')).toEqual({
      year: 2025,
      month: 2,
      day: 3,
    });
    expect(dateInFileName('PHOTO-2025-02-03-11-22-33.jpg')).toEqual({ year: 2025, month: 2, day: 3 });
    expect(dateInFileName('PTT-20250203-WA0001.opus')).toEqual({ year: 2025, month: 2, day: 3 });
    expect(dateInFileName('Contract.pdf')).toBeUndefined();
    expect(dateInFileName('IMG-20251340-WA0001.jpg')).toBeUndefined();
  });

  it('lets the numbers decide first, whatever the hints say', () => {
    const detector = new DateOrderDetector();
    detector.observe(message(3, 13));
    detector.observe(message(3, 7, '.'));
    detector.observeAttachment(message(3, 7), 'IMG-20250703-WA0001.jpg');
    detector.observeLanguage('de');
    expect(detector.decision()).toEqual({ order: 'mdy', source: 'dates' });
  });

  it('then the attachments, then dotted dates, then the language', () => {
    const attachments = new DateOrderDetector();
    attachments.observe(message(3, 7, '.'));
    attachments.observeAttachment(message(3, 7), '00000012-PHOTO-2025-03-07-10-00-00.jpg');
    attachments.observeLanguage('de');
    expect(attachments.decision()).toEqual({ order: 'mdy', source: 'attachments' });

    const dots = new DateOrderDetector();
    dots.observe(message(3, 7, '.'));
    dots.observeLanguage('en');
    expect(dots.decision()).toEqual({ order: 'dmy', source: 'separator' });

    const language = new DateOrderDetector();
    language.observe(message(3, 7, '-'));
    language.observeLanguage('nl');
    expect(language.decision()).toEqual({ order: 'dmy', source: 'language' });
  });

  it('asks when nothing tells: English, attachments both ways, a day equal to the month', () => {
    const english = new DateOrderDetector();
    english.observe(message(3, 7));
    english.observeLanguage('en');
    expect(english.decide()).toBe('ambiguous');

    const mixed = new DateOrderDetector();
    mixed.observe(message(3, 7));
    mixed.observeLanguage('en');
    mixed.observeLanguage('fr');
    expect(mixed.decide()).toBe('ambiguous');

    const both = new DateOrderDetector();
    both.observe(message(3, 7));
    both.observeAttachment(message(3, 7), 'IMG-20250703-WA0001.jpg');
    both.observeAttachment(message(4, 7), 'IMG-20250407-WA0002.jpg');
    expect(both.decide()).toBe('ambiguous');

    const same = new DateOrderDetector();
    same.observe(message(7, 7));
    same.observeAttachment(message(7, 7), 'IMG-20250707-WA0001.jpg');
    expect(same.decide()).toBe('ambiguous');
  });
});
