import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { languageOf } from '../src/sources/chat-export/locales.js';
import { classify } from '../src/sources/chat-export/markers.js';
import {
  type DateOrder,
  DateOrderDetector,
  ExportLineParser,
  formatLocal,
  HEADER_GRAMMAR,
  localDateTime,
  matchHeader,
  type RawMessage,
  ZonedClock,
} from '../src/sources/chat-export/parser.js';
import { readLines } from '../src/sources/chat-export/text.js';
import {
  hasSharedFixtures,
  noteSkippedWithoutSharedFixtures,
  OWN_FIXTURES,
  SHARED_FIXTURES,
} from './support/fixtures.js';

const FIXTURES = path.join(SHARED_FIXTURES, 'chat-export');
noteSkippedWithoutSharedFixtures('chat export parser');

interface Parsed {
  order: DateOrder | 'ambiguous' | 'conflicting';
  messages: (RawMessage & { local: string | undefined })[];
  skipped: string[];
}

async function parse(input: string | Buffer, override?: DateOrder): Promise<Parsed> {
  const raw: RawMessage[] = [];
  const skipped: string[] = [];
  const detector = new DateOrderDetector();
  const parser = new ExportLineParser(
    (m) => {
      raw.push(m);
      detector.observe(m);
    },
    (reason) => skipped.push(reason),
  );
  // Tiny chunks: lines and multi-byte characters split across chunks must come out whole.
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  const chunks = [];
  for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
  await readLines(Readable.from(chunks), (lines) => {
    for (const line of lines) parser.push(line);
  });
  parser.end();
  const order = detector.decide();
  const use = override ?? (order === 'ambiguous' || order === 'conflicting' ? undefined : order);
  return {
    order,
    skipped,
    messages: raw.map((m) => {
      const local = use && localDateTime(m, use);
      return { ...m, local: local ? formatLocal(local) : undefined };
    }),
  };
}

describe('chat export parser: our own fixtures', () => {
  const dir = path.join(OWN_FIXTURES, 'chat-export');
  it.each(fs.readdirSync(dir).filter((f) => f.endsWith('.txt')))(
    '%s: every message is found',
    async (file) => {
      const parsed = await parse(fs.readFileSync(path.join(dir, file)));
      expect(parsed.order).toBe(file.includes('ddmm') ? 'dmy' : 'mdy');
      expect(parsed.skipped).toEqual([]);
      expect(parsed.messages).toHaveLength(9);
      expect(parsed.messages.find((m) => m.text.includes('created group'))?.author).toBeUndefined();
      expect(parsed.messages.find((m) => m.text.startsWith('Thanks for the quote'))).toMatchObject({
        author: 'Bruno Lima',
        text: 'Thanks for the quote,\nwe will confirm the order on Monday.',
        local: '2019-01-30T20:49:00',
      });
    },
  );
});

describe.skipIf(!hasSharedFixtures)('chat export parser: the shared fixtures', () => {
  // A skipped suite's body still runs when tests are collected: read nothing that is absent.
  const target = (
    hasSharedFixtures ? JSON.parse(fs.readFileSync(path.join(FIXTURES, 'target.json'), 'utf8')) : []
  ) as { timestamp: string; author: string; message: string }[];
  const files = hasSharedFixtures ? fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.txt')) : [];

  it('has the five fixture files', () => expect(files).toHaveLength(5));

  it.each(files)('%s: every message of target.json is found', async (file) => {
    const parsed = await parse(fs.readFileSync(path.join(FIXTURES, file)));
    expect(parsed.order).toBe(file.includes('yyyymmdd') ? 'ymd' : file.includes('ddmm') ? 'dmy' : 'mdy');
    expect(parsed.skipped).toEqual([]);
    const found = parsed.messages.map((m) => ({
      timestamp: m.local,
      author: m.author,
      message: m.text.replaceAll('\n', ' '),
    }));
    for (const expected of target) expect(found).toContainEqual(expected);
    // System lines carry no author.
    expect(parsed.messages.find((m) => m.text.includes('created group'))?.author).toBeUndefined();
    expect(parsed.messages).toHaveLength(9);
  });
});

describe('chat export parser: layouts and clocks', () => {
  it('reads Android and iOS layouts, seconds or not, with invisible marks', async () => {
    const parsed = await parse(
      [
        '\u200e[31.12.20, 21:15:42] Ana: Hello',
        '[31.12.20, 21:16:00] Bob: \u200eimage omitted',
        '12/31/20, 9:15\u202fPM - Ana: Android twelve hours',
        '31/12/2020, 21:15 - Bob: twenty-four',
      ].join('\r\n'),
      'dmy',
    );
    expect(parsed.messages.map((m) => [m.local, m.author, m.text])).toEqual([
      ['2020-12-31T21:15:42', 'Ana', 'Hello'],
      ['2020-12-31T21:16:00', 'Bob', 'image omitted'],
      [undefined, 'Ana', 'Android twelve hours'],
      ['2020-12-31T21:15:00', 'Bob', 'twenty-four'],
    ]);
    expect(parsed.messages[1]?.marked).toBe(true);
  });

  it.each([
    ['1/2/21, 9:05 a. m. - A: x', '09:05'],
    ['1/2/21, 12:05 a. m. - A: x', '00:05'],
    ['1/2/21, 12:05 p. m. - A: x', '12:05'],
    ['1/2/21, 1:05 p. m. - A: x', '13:05'],
    ['1/2/21, 9:05 vorm. - A: x', '09:05'],
    ['1/2/21, 9:05 nachm. - A: x', '21:05'],
    ['[1/2/21, 9:05:07\u202fPM] A: x', '21:05'],
    ['1/2/21, 9:05 pm - A: x', '21:05'],
  ])('%s → %s', async (line, time) => {
    const parsed = await parse(line, 'mdy');
    expect(parsed.messages[0]?.local?.slice(11, 16)).toBe(time);
  });

  it.each([
    ['03/07/2025 à 21:05 - Camille: x', '2025-07-03T21:05'],
    ['[03/07/2025 21:05:00] Camille: x', '2025-07-03T21:05'],
    ['[3.7.2025 klo 21.05.00] Aino: x', '2025-07-03T21:05'],
    ['03.07.2025 г., 21:05 - Мария: x', '2025-07-03T21:05'],
    ['03.07.2025 9:05 ÖS - Elif: x', '2025-07-03T21:05'],
    ['03.07.2025, 9:05 ПП - Ольга: x', '2025-07-03T21:05'],
    ['03/07/25 21.05 - Siti: x', '2025-07-03T21:05'],
    [
      '\u0663\u200f/\u0667\u200f/\u0662\u0660\u0662\u0665 \u0669:\u0660\u0665 \u0645 - سارة: x',
      '2025-07-03T21:05',
    ],
    [
      '[\u0663/\u0667/\u0662\u0660\u0662\u0665\u060c \u0669:\u0660\u0665:\u0660\u0660 \u0645] سارة: x',
      '2025-07-03T21:05',
    ],
    ['\u06f3/\u06f7/\u06f2\u06f0\u06f2\u06f5, \u06f2\u06f1:\u06f0\u06f5 - Sara: x', '2025-07-03T21:05'],
    ['3/7/2025\u060c 9:05 م - سارة: x', '2025-07-03T21:05'],
  ])('reads the header of %s', async (line, local) => {
    const parsed = await parse(line, 'dmy');
    expect(parsed.skipped).toEqual([]);
    expect(parsed.messages[0]?.local?.slice(0, 16)).toBe(local);
    expect(parsed.messages[0]?.text).toBe('x');
  });

  it('leaves a date and a word without a time, or a long word, to the message before', async () => {
    const parsed = await parse(
      '03/07/2025 à 09:12 - A: one\n03/07/2025 à midi\n03/07/2025 abcde 09:12 - B: two',
      'dmy',
    );
    expect(parsed.messages.map((m) => m.text)).toEqual([
      'one\n03/07/2025 à midi\n03/07/2025 abcde 09:12 - B: two',
    ]);
  });

  it('skips impossible times and says why', async () => {
    const parsed = await parse('1/2/21, 23:59 PM - A: odd\n1/2/21, 25:00 - A: odd\n1/2/21, 9:00 xyz - A: y');
    expect(parsed.skipped).toEqual(['invalid_time', 'invalid_time', 'unknown_time_marker']);
  });

  it('joins continuation lines with a newline, and skips text before the first message', async () => {
    const parsed = await parse('stray\n1/2/21, 10:00 - A: one\ntwo\n\nthree\n1/2/21, 10:01 - B: next', 'dmy');
    expect(parsed.messages.map((m) => m.text)).toEqual(['one\ntwo\n\nthree', 'next']);
    expect(parsed.skipped).toEqual(['before_first_message']);
  });

  it('detects the date order from the whole file, and needs an override when nothing tells', async () => {
    const early = '1/2/21, 10:00 - A: x\n';
    expect((await parse(`${early}1/13/21, 10:00 - A: y`)).order).toBe('mdy');
    expect((await parse(`${early}13/1/21, 10:00 - A: y`)).order).toBe('dmy');
    expect((await parse('2021/01/02, 10:00 - A: x')).order).toBe('ymd');
    expect((await parse(early)).order).toBe('ambiguous');
    expect((await parse(`${early}13/1/21, 10:00 - A: y\n1/13/21, 10:00 - A: z`)).order).toBe('conflicting');
    const overridden = await parse(early, 'dmy');
    expect(overridden.messages[0]?.local).toBe('2021-02-01T10:00:00');
  });

  it('converts wall-clock times in a zone, across a DST switch', () => {
    const clock = new ZonedClock('Europe/Berlin');
    const base = { hour: 12, minute: 0, second: 0 };
    expect(new Date(clock.toEpoch({ year: 2021, month: 1, day: 2, ...base })).toISOString()).toBe(
      '2021-01-02T11:00:00.000Z',
    );
    expect(new Date(clock.toEpoch({ year: 2021, month: 7, day: 2, ...base })).toISOString()).toBe(
      '2021-07-02T10:00:00.000Z',
    );
  });
});

describe('chat export header matcher', () => {
  // matchHeader is HEADER_GRAMMAR written out by hand; both must read every line the same way. The
  // lines are built part by part, each part usually well-formed and sometimes not, so that every branch
  // of the grammar meets both.
  const choices: string[][] = [
    ['', '', '[', '\u200e[', ' '],
    ['1', '12', '31', '2020', '12345', '', 'a'],
    ['/', '.', '-', ':', ''],
    ['1', '09', '12', '123', ''],
    ['/', '.', '-', ',', ''],
    ['20', '2020', '5', '12345', ''],
    ['', '', '.', ',', '.,', ',.'],
    [' ', ' ', '', '  ', '\u00a0'],
    // A word between date and time: French "à", Finnish "klo", "г.,"; too long; no space after.
    ['', '', '', 'à ', 'klo ', 'г., ', 'abcd, ', 'abcde ', 'à', 'a,', ', ', '[ ', 'x  '],
    ['9', '21', '123', '', 'x'],
    [':', '.', ''],
    ['07', '7', '075', ''],
    ['', '', ':05', '.05', ':5', ':055'],
    [
      '',
      '',
      '',
      ' PM',
      ' am',
      'PM',
      ' a. m.',
      ' p.\u202fm.',
      '\u202fPM',
      '\u00a0AM',
      ' 午後',
      ' nachm.',
      ' abcdefghijk',
      ' abcdefghijkl',
      ' abcdefghijklm',
      ' a-b',
      ' a]b',
      ' 5pm',
      ' -',
      ' ]',
      '  PM',
      ' x y',
    ],
    ['] ', ' - ', ']', ' -', '- ', '', ' - ', '] '],
    ['Ana: hi', 'x', '', ' - more', '] more', 'Bob: a - b'],
  ];
  // A small linear congruential generator: the same lines on every run, and a failure names its line.
  let seed = 20261121;
  const next = (n: number) => {
    seed = (seed * 48_271) % 2_147_483_647;
    return seed % n;
  };
  const lines: string[] = [];
  for (let n = 0; n < 50_000; n++) {
    // Most parts are the usual one (the first few choices); now and then any choice.
    lines.push(choices.map((options) => options[next(20) === 0 ? next(options.length) : 0] ?? '').join(''));
  }
  for (let n = 0; n < 50_000; n++) {
    lines.push(choices.map((options) => options[next(options.length)] ?? '').join(''));
  }

  it('agrees with the header regex on every line, header or not', () => {
    let headersSeen = 0;
    for (const line of lines) {
      const regex = HEADER_GRAMMAR.exec(line);
      const mine = matchHeader(line);
      if (regex === null) {
        expect(mine, line).toBeUndefined();
        continue;
      }
      headersSeen++;
      const [whole, bracket, a, b, c, h, mi, s, marker] = regex;
      expect(mine, line).toEqual({
        end: whole.length,
        bracket: bracket !== undefined,
        date: [Number(a), Number(b), Number(c)],
        yearFirst: a?.length === 4,
        separator: whole.charCodeAt((bracket === undefined ? 0 : 1) + (a?.length ?? 0)),
        hour: Number(h),
        minute: Number(mi),
        second: s === undefined ? -1 : Number(s),
        markerStart: marker === undefined ? -1 : whole.indexOf(marker, whole.length - marker.length - 3),
        markerEnd:
          marker === undefined ? -1 : whole.indexOf(marker, whole.length - marker.length - 3) + marker.length,
      });
    }
    // Both kinds were tried many times.
    expect(headersSeen).toBeGreaterThan(10_000);
    expect(lines.length - headersSeen).toBeGreaterThan(10_000);
  });
});

describe('chat export markers in each language', () => {
  it.each([
    '<Media omitted>',
    '<Medien ausgeschlossen>',
    '<Multimedia omitido>',
    '<Mídia oculta>',
    '<Médias omis>',
    '<Media omessi>',
  ])('Android %s is media left out', (text) => {
    expect(classify(text)).toEqual({ kind: 'omitted', type: 'unsupported', caption: undefined });
  });

  it.each([
    ['image omitted', 'image'],
    ['Bild weggelassen', 'image'],
    ['imagen omitida', 'image'],
    ['imagem ocultada', 'image'],
    ['image absente', 'image'],
    ['immagine omessa', 'image'],
    ['audio omitted', 'audio'],
    ['Video weggelassen', 'video'],
    ['sticker omitido', 'sticker'],
    ['Report.pdf • 3 pages document omitted', 'document'],
  ])('iOS %s is a %s left out', (text, type) => {
    expect(classify(text)).toMatchObject({ kind: 'omitted', type });
  });

  it.each([
    ['<attached: 00000012-PHOTO-2020-12-31-21-15-42.jpg>', '00000012-PHOTO-2020-12-31-21-15-42.jpg', 'image'],
    ['<Anhang: 00000013-AUDIO-2020-12-31-21-15-42.opus>', '00000013-AUDIO-2020-12-31-21-15-42.opus', 'voice'],
    ['<angehängt: 00000014-VIDEO-2020-12-31.mp4>', '00000014-VIDEO-2020-12-31.mp4', 'video'],
    ['<adjunto: 00000015-PHOTO-2020.jpg>', '00000015-PHOTO-2020.jpg', 'image'],
    ['<anexado: 00000016-STICKER-2020.webp>', '00000016-STICKER-2020.webp', 'sticker'],
    ['<pièce jointe : 00000017-Contract.pdf>', '00000017-Contract.pdf', 'document'],
    ['<allegato: 00000018-PHOTO-2020.jpg>', '00000018-PHOTO-2020.jpg', 'image'],
    ['IMG-20201231-WA0001.jpg (file attached)', 'IMG-20201231-WA0001.jpg', 'image'],
    ['IMG-20201231-WA0001.jpg (Datei angehängt)', 'IMG-20201231-WA0001.jpg', 'image'],
    ['PTT-20201231-WA0002.opus (archivo adjunto)', 'PTT-20201231-WA0002.opus', 'voice'],
    ['VID-20201231-WA0003.mp4 (arquivo anexado)', 'VID-20201231-WA0003.mp4', 'video'],
    ['DOC-20201231-WA0004.pdf (fichier joint)', 'DOC-20201231-WA0004.pdf', 'document'],
    ['STK-20201231-WA0005.webp (file allegato)', 'STK-20201231-WA0005.webp', 'sticker'],
    ['Contract.pdf <attached: 00000046-Contract.pdf>', '00000046-Contract.pdf', 'document'],
  ])('%s names the attached file', (text, fileName, type) => {
    expect(classify(text)).toMatchObject({ kind: 'attached', fileName, type });
  });

  it.each([
    ['<Media weggelaten>', 'nl'],
    ['<Medya dahil edilmedi>', 'tr'],
    ['<Без медиафайлов>', 'ru'],
    ['<Media tidak disertakan>', 'id'],
    ['<تم استبعاد الوسائط>', 'ar'],
  ])('Android %s (%s) is media left out', (text) => {
    expect(classify(text)).toEqual({ kind: 'omitted', type: 'unsupported', caption: undefined });
  });

  it.each([
    ['afbeelding weggelaten', 'image'],
    ['görüntü dahil edilmedi', 'image'],
    ['видео отсутствует', 'video'],
    ['stiker tidak disertakan', 'sticker'],
    ['لم يتم إدراج المستند', 'document'],
    ['imagem não revelada', 'image'],
    ['document manquant', 'document'],
    ['sticker non incluso', 'sticker'],
  ])('iOS %s is a %s left out', (text, type) => {
    expect(classify(text)).toMatchObject({ kind: 'omitted', type });
  });

  it.each([
    'Dit bericht is verwijderd',
    'Je hebt dit bericht verwijderd.',
    'Bu mesaj silindi',
    'Bu mesajı sildiniz',
    'Данное сообщение удалено.',
    'Вы удалили данное сообщение',
    'Pesan ini telah dihapus',
    'Anda menghapus pesan ini',
    'تم حذف هذه الرسالة',
    'لقد حذفت هذه الرسالة.',
    'Esta mensagem foi apagada.',
  ])('%s is a deleted message', (text) => {
    expect(classify(text)).toEqual({ kind: 'deleted', text });
  });

  it.each([
    ['IMG-20250703-WA0001.jpg (bestand bijgevoegd)', 'nl'],
    ['IMG-20250703-WA0001.jpg (dosya ekli)', 'tr'],
    ['IMG-20250703-WA0001.jpg (файл прикреплён)', 'ru'],
    ['IMG-20250703-WA0001.jpg (file terlampir)', 'id'],
    ['IMG-20250703-WA0001.jpg (ملف مرفق)', 'ar'],
  ])('%s names the attached file, in %s', (text, language) => {
    expect(classify(text)).toMatchObject({
      kind: 'attached',
      fileName: 'IMG-20250703-WA0001.jpg',
      type: 'image',
    });
    expect(languageOf(text)).toBe(language);
  });

  it('tells the language of system notices, English first, and of nothing else', () => {
    expect(languageOf('Messages and calls are end-to-end encrypted. Tap to learn more.')).toBe('en');
    expect(languageOf('Ana added Keluarga Besar')).toBe('en');
    expect(languageOf('Camille Martin a créé le groupe « Commandes »')).toBe('fr');
    expect(languageOf('Сообщения и звонки защищены сквозным шифрованием.')).toBe('ru');
    expect(languageOf('Bom dia, tudo bem?')).toBeUndefined();
    expect(languageOf('see you tomorrow')).toBeUndefined();
  });

  it('keeps the caption that follows an attachment line', () => {
    expect(classify('IMG-20201231-WA0001.jpg (file attached)\nlook at this')).toMatchObject({
      kind: 'attached',
      caption: 'look at this',
    });
  });

  it('leaves ordinary text alone, even with a file name in brackets', () => {
    expect(classify('see notes.txt (draft)').kind).toBe('text');
    expect(classify('This message was deleted').kind).toBe('deleted');
    expect(classify('location: https://maps.google.com/?q=51.50,-0.12').kind).toBe('location');
  });
});
