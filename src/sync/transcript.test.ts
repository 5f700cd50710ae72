import { describe, expect, it } from 'vitest';
import {
  ANA,
  BRUNO,
  directChat,
  fromMe,
  groupChat,
  media,
  message,
  textOf,
} from '../../test/support/transcript-fixtures.js';
import { renderDayTranscripts } from './transcript.js';

const days = (input: Parameters<typeof renderDayTranscripts>[0]) =>
  renderDayTranscripts(input).map((day) => ({
    day: day.day,
    ids: day.sourceMessageIds,
  }));

describe('renderDayTranscripts: cutting days', () => {
  it('renders nothing for no messages', () => {
    expect(renderDayTranscripts(directChat([]))).toEqual([]);
  });

  it('cuts at UTC midnight in UTC', () => {
    const late = message('2026-11-20T23:59:00Z');
    const early = message('2026-11-21T00:01:00Z');
    expect(days(directChat([early, late]))).toEqual([
      { day: '2026-11-20', ids: [late.sourceMessageId] },
      { day: '2026-11-21', ids: [early.sourceMessageId] },
    ]);
  });

  it('cuts at local midnight in São Paulo, where UTC has already changed date', () => {
    const late = message('2026-11-21T02:59:00Z');
    const early = message('2026-11-21T03:01:00Z');
    const [first, second] = renderDayTranscripts(
      directChat([late, early], { timeZone: 'America/Sao_Paulo' }),
    );
    expect(first?.day).toBe('2026-11-20');
    expect(textOf(first)).toContain('23:59 Ana Souza: hello');
    expect(second?.day).toBe('2026-11-21');
    expect(textOf(second)).toContain('00:01 Ana Souza: hello');
  });

  it('cuts at local midnight in Berlin, where UTC has not changed date yet', () => {
    const late = message('2026-11-20T22:59:00Z');
    const early = message('2026-11-20T23:01:00Z');
    expect(days(directChat([late, early], { timeZone: 'Europe/Berlin' }))).toEqual([
      { day: '2026-11-20', ids: [late.sourceMessageId] },
      { day: '2026-11-21', ids: [early.sourceMessageId] },
    ]);
  });

  it('keeps the whole 25-hour day together when Berlin turns its clocks back', () => {
    const messages = [
      message('2026-10-24T22:01:00Z'), // 00:01 CEST
      message('2026-10-25T00:30:00Z'), // 02:30 CEST
      message('2026-10-25T01:30:00Z'), // 02:30 CET, the hour again
      message('2026-10-25T22:59:00Z'), // 23:59 CET
    ];
    const [day, ...rest] = renderDayTranscripts(directChat(messages, { timeZone: 'Europe/Berlin' }));
    expect(rest).toEqual([]);
    expect(day?.day).toBe('2026-10-25');
    expect(textOf(day).split('\n').slice(2)).toEqual([
      '00:01 Ana Souza: hello',
      '02:30 Ana Souza: hello',
      '02:30 Ana Souza: hello',
      '23:59 Ana Souza: hello',
    ]);
  });

  it('keeps the 23-hour day together when Berlin moves its clocks forward', () => {
    const messages = [message('2026-03-28T23:01:00Z'), message('2026-03-29T01:00:00Z')];
    const [day] = renderDayTranscripts(directChat(messages, { timeZone: 'Europe/Berlin' }));
    expect(day?.messageCount).toBe(2);
    expect(textOf(day)).toContain('00:01 Ana Souza');
    expect(textOf(day)).toContain('03:00 Ana Souza');
  });

  it('puts both 23:30s of São Paulo’s last DST night (2019-02-16) on the same day', () => {
    const summer = message('2019-02-17T01:30:00Z'); // 23:30 -02
    const winter = message('2019-02-17T02:30:00Z'); // 23:30 -03
    const after = message('2019-02-17T03:01:00Z'); // 00:01 -03
    expect(days(directChat([after, winter, summer], { timeZone: 'America/Sao_Paulo' }))).toEqual([
      { day: '2019-02-16', ids: [summer.sourceMessageId, winter.sourceMessageId] },
      { day: '2019-02-17', ids: [after.sourceMessageId] },
    ]);
  });
});

describe('renderDayTranscripts: order and bookkeeping', () => {
  it('orders days and messages by time whatever the input order, ties by id', () => {
    const a = message('2026-11-21T10:00:00Z', { id: 'msg_b', sourceMessageId: 'wamid.B' });
    const b = message('2026-11-21T10:00:00Z', { id: 'msg_a', sourceMessageId: 'wamid.A' });
    const c = message('2026-11-20T09:00:00Z', { sourceMessageId: 'wamid.C' });
    const d = message('2026-11-21T08:00:00Z', { sourceMessageId: 'wamid.D' });
    expect(days(directChat([a, b, c, d]))).toEqual([
      { day: '2026-11-20', ids: ['wamid.C'] },
      { day: '2026-11-21', ids: ['wamid.D', 'wamid.A', 'wamid.B'] },
    ]);
  });

  it('renders a message given twice once', () => {
    const once = message('2026-11-20T10:00:00Z');
    const [day] = renderDayTranscripts(directChat([once, { ...once }]));
    expect(day?.sourceMessageIds).toEqual([once.sourceMessageId]);
    expect(day?.messageCount).toBe(1);
  });

  it('reports the count and the first and last message times of each day', () => {
    const messages = [
      message('2026-11-20T18:00:00Z'),
      message('2026-11-20T08:00:00Z'),
      message('2026-11-20T12:00:00Z'),
    ];
    const [day] = renderDayTranscripts(directChat(messages));
    expect(day?.messageCount).toBe(3);
    expect(day?.firstMessageAt).toEqual(new Date('2026-11-20T08:00:00Z'));
    expect(day?.lastMessageAt).toEqual(new Date('2026-11-20T18:00:00Z'));
  });

  it('lists the day’s files with name, size, type, sender and time, leaving out deleted messages', () => {
    const pdf = fromMe('2026-11-20T10:00:00Z', { type: 'document', media: media() });
    const gone = message('2026-11-20T10:05:00Z', {
      type: 'image',
      media: media({ id: 'med_gone' }),
      deletedAt: new Date('2026-11-20T10:06:00Z'),
    });
    const photo = message('2026-11-20T10:10:42Z', {
      type: 'image',
      text: undefined,
      media: media({
        id: 'med_2',
        fileName: undefined,
        mimeType: 'image/jpeg',
        sizeBytes: 2048,
        state: 'failed',
      }),
    });
    const [day] = renderDayTranscripts(directChat([photo, gone, pdf], { timeZone: 'America/Sao_Paulo' }));
    expect(day?.attachments).toEqual([
      {
        mediaId: 'med_1',
        fileName: 'quote.pdf',
        mimeType: 'application/pdf',
        sizeBytes: 1_258_291,
        senderName: 'You',
        sentAt: new Date('2026-11-20T10:00:00Z'),
        time: '07:00',
        sourceMessageId: pdf.sourceMessageId,
        state: 'stored',
      },
      {
        mediaId: 'med_2',
        fileName: 'WhatsApp image 2026-11-20 at 07.10.42.jpg',
        mimeType: 'image/jpeg',
        sizeBytes: 2048,
        senderName: 'Ana Souza',
        sentAt: new Date('2026-11-20T10:10:42Z'),
        time: '07:10',
        sourceMessageId: photo.sourceMessageId,
        state: 'failed',
      },
    ]);
    // The deleted message still counts: the ledger must know it was shown.
    expect(day?.sourceMessageIds).toEqual([pdf.sourceMessageId, gone.sourceMessageId, photo.sourceMessageId]);
  });
});

describe('renderDayTranscripts: headers', () => {
  const header = (input: Parameters<typeof renderDayTranscripts>[0]) =>
    textOf(renderDayTranscripts(input)[0]).split('\n')[0];
  const one = [message('2026-11-20T10:00:00Z')];

  it('names the partner of a direct chat with their number', () => {
    expect(header(directChat(one))).toBe('WhatsApp chat with Ana Souza (+55 11 98765 4321) — 2026-11-20');
  });

  it('falls back to the chat title, then the number, then "Unknown"', () => {
    const noName = { ...ANA, name: undefined };
    const participants = new Map([[ANA.identityId, noName]]);
    expect(
      header(directChat(one, { participants, chat: { id: 'c', kind: 'direct', title: 'Ana (shop)' } })),
    ).toBe('WhatsApp chat with Ana (shop) (+55 11 98765 4321) — 2026-11-20');
    expect(header(directChat(one, { participants }))).toBe(
      'WhatsApp chat with +55 11 98765 4321 — 2026-11-20',
    );
    expect(header(directChat(one, { participants: new Map() }))).toBe(
      'WhatsApp chat with Unknown — 2026-11-20',
    );
  });

  it('takes as partner the person who wrote in when the map holds more people', () => {
    const fromBruno = [message('2026-11-20T10:00:00Z', { senderIdentityId: BRUNO.identityId })];
    const participants = new Map([
      [ANA.identityId, ANA],
      [BRUNO.identityId, BRUNO],
    ]);
    expect(header(directChat(fromBruno, { participants }))).toBe(
      'WhatsApp chat with Bruno (+55 21 99876 5432) — 2026-11-20',
    );
  });

  it('names a group by its title, or says it is a group', () => {
    expect(header(groupChat(one))).toBe('WhatsApp group "Acme buyers" — 2026-11-20');
    expect(header(groupChat(one, { chat: { id: 'g', kind: 'group', title: undefined } }))).toBe(
      'WhatsApp group — 2026-11-20',
    );
  });
});
