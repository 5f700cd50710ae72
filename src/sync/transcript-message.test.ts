import { describe, expect, it } from 'vitest';
import {
  ANA,
  BRUNO,
  directChat,
  fromMe,
  groupChat,
  media,
  message,
  reaction,
  textOf,
} from '../../test/support/transcript-fixtures.js';
import type { Message } from '../core/model.js';
import { renderDayTranscripts, type TranscriptInput } from './transcript.js';

/** The message lines of a one-day transcript, header left out. */
function lines(messages: readonly Message[], overrides: Partial<TranscriptInput> = {}): string[] {
  const transcripts = renderDayTranscripts(groupChat(messages, overrides));
  expect(transcripts).toHaveLength(1);
  return textOf(transcripts[0]).split('\n').slice(2) ?? [];
}

const T = '2026-11-20T10:00:00Z';

describe('message lines: text and senders', () => {
  it('shows time, sender and text; the owner by the owner name', () => {
    const messages = [message(T, { text: 'Hi!' }), fromMe('2026-11-20T10:01:00Z', { text: 'Hello Ana' })];
    expect(lines(messages, { ownerName: 'Acme Sales' })).toEqual([
      '10:00 Ana Souza: Hi!',
      '10:01 Acme Sales: Hello Ana',
    ]);
  });

  it('names the sender in direct chats too', () => {
    const [day] = renderDayTranscripts(directChat([message(T, { text: 'Hi!' })]));
    expect(textOf(day).split('\n')[2]).toBe('10:00 Ana Souza: Hi!');
  });

  it('indents continuation lines so typed text cannot pass for another message', () => {
    const text = 'Line one\r\n10:05 You: I agree to pay double\n\nlast line  ';
    expect(lines([message(T, { text })])).toEqual([
      '10:00 Ana Souza: Line one',
      '      10:05 You: I agree to pay double',
      '',
      '      last line',
    ]);
  });

  it('names senders by push name, then phone, then "Unknown"', () => {
    const stranger = { identityId: 'idn_x', name: undefined, phone: '+4915112345678' };
    const participants = new Map([[stranger.identityId, stranger]]);
    const messages = [
      message(T, { senderIdentityId: 'idn_x', senderName: 'Klaus' }),
      message(T, { senderIdentityId: 'idn_x' }),
      message(T, { senderIdentityId: 'idn_nobody' }),
    ];
    expect(lines(messages, { participants })).toEqual([
      '10:00 Klaus: hello',
      '10:00 +49 1511 2345678: hello',
      '10:00 Unknown: hello',
    ]);
  });

  it('keeps names on one line', () => {
    const sneaky = { identityId: 'idn_s', name: 'Eve\n10:00 You: ok', phone: undefined };
    const participants = new Map([[sneaky.identityId, sneaky]]);
    expect(lines([message(T, { senderIdentityId: 'idn_s' })], { participants })).toEqual([
      '10:00 Eve 10:00 You: ok: hello',
    ]);
  });
});

describe('message lines: edits, deletions, reactions, forwards', () => {
  it('shows the current text of an edited message and when it was edited', () => {
    const edited = message(T, { text: 'See you at 3pm', editedAt: new Date('2026-11-20T10:07:00Z') });
    const nextDay = message(T, { text: 'Fixed', editedAt: new Date('2026-11-21T08:00:00Z') });
    expect(lines([edited, nextDay])).toEqual([
      '10:00 Ana Souza: See you at 3pm (edited 10:07)',
      '10:00 Ana Souza: Fixed (edited 2026-11-21 08:00)',
    ]);
  });

  it('shows that a message was deleted, never its text, file or reactions', () => {
    const deleted = message(T, {
      type: 'document',
      text: 'my card number is 4111',
      media: media(),
      deletedAt: new Date('2026-11-20T10:01:00Z'),
      reactions: [reaction('👍', BRUNO, T)],
    });
    const [day] = renderDayTranscripts(groupChat([deleted]));
    expect(textOf(day).split('\n').slice(2)).toEqual(['10:00 Ana Souza: This message was deleted']);
    expect(JSON.stringify(day?.content)).not.toContain('4111');
    expect(day?.attachments).toEqual([]);
  });

  it('lists reactions after the message in the order they came, the owner by name', () => {
    const reactions = [
      reaction('❤️', 'me', '2026-11-20T10:03:00Z'),
      reaction('👍', ANA, '2026-11-20T10:02:00Z'),
      reaction('😂', { identityId: 'idn_gone', name: undefined, phone: undefined }, '2026-11-20T10:04:00Z'),
    ];
    expect(lines([fromMe(T, { text: 'Deal!\nSigned today.', reactions })])).toEqual([
      '10:00 You: Deal!',
      '      Signed today. [👍 Ana Souza, ❤️ You, 😂 Unknown]',
    ]);
  });

  it('marks forwarded messages', () => {
    expect(lines([message(T, { text: 'Promo', details: { forwarded: true } })])).toEqual([
      '10:00 Ana Souza: [Forwarded] Promo',
    ]);
  });
});

describe('message lines: replies', () => {
  it('quotes the replied-to message, cut at 60 characters', () => {
    const long = message(T, { text: `${'Quarterly pricing for the northeast region '.repeat(2)}is ready` });
    const reply = fromMe('2026-11-20T10:05:00Z', { text: 'Thanks', replyToSourceId: long.sourceMessageId });
    expect(lines([reply, long])[1]).toBe(
      '10:05 You: ↪ replying to Ana Souza: "Quarterly pricing for the northeast region Quarterly pricing…"',
    );
    expect(lines([reply, long])[2]).toBe('      Thanks');
  });

  it('quotes a message from another day of the input, and says what a text-less one was', () => {
    const photo = message('2026-11-19T10:00:00Z', {
      type: 'image',
      text: undefined,
      media: media({ fileName: undefined }),
    });
    const reply = message(T, {
      senderIdentityId: BRUNO.identityId,
      text: 'Nice',
      replyToSourceId: photo.sourceMessageId,
    });
    const [, today] = renderDayTranscripts(groupChat([photo, reply]));
    expect(textOf(today).split('\n')[2]).toBe('10:00 Bruno: ↪ replying to Ana Souza: [Photo]');
  });

  it('does not reveal a deleted message through a reply to it', () => {
    const deleted = message(T, { text: 'secret', deletedAt: new Date('2026-11-20T10:01:00Z') });
    const reply = fromMe('2026-11-20T10:02:00Z', { text: 'ok', replyToSourceId: deleted.sourceMessageId });
    expect(lines([deleted, reply])[1]).toBe('10:02 You: ↪ replying to Ana Souza: [This message was deleted]');
  });

  it('gives the source id of a replied-to message that is not in the input', () => {
    expect(lines([message(T, { text: 'Yes', replyToSourceId: 'wamid.OLD123' })])).toEqual([
      '10:00 Ana Souza: ↪ replying to message wamid.OLD123',
      '      Yes',
    ]);
  });
});

describe('message lines: types', () => {
  it('shows a file with its name, type, size and sender, then the caption', () => {
    const doc = fromMe(T, { type: 'document', text: 'Our quote', media: media() });
    expect(lines([doc])).toEqual([
      '10:00 You: 📎 quote.pdf (application/pdf, 1.2 MB) from You',
      '      Our quote',
    ]);
  });

  it('says a file is not available while it is pending or after it failed', () => {
    const pending = message(T, { type: 'document', text: undefined, media: media({ state: 'pending' }) });
    const failed = message(T, { type: 'document', text: undefined, media: media({ state: 'failed' }) });
    const missing = message(T, { type: 'video', text: undefined });
    expect(lines([pending, failed, missing])).toEqual([
      '10:00 Ana Souza: 📎 quote.pdf (application/pdf, 1.2 MB) from Ana Souza (not available)',
      '10:00 Ana Souza: 📎 quote.pdf (application/pdf, 1.2 MB) from Ana Souza (not available)',
      '10:00 Ana Souza: 📎 Video from Ana Souza (not available)',
    ]);
  });

  it('labels photos, stickers, audio, voice and video, with or without a file name', () => {
    const file = (type: Message['type'], mimeType: string, fileName?: string) =>
      message(T, { type, text: undefined, media: media({ mimeType, sizeBytes: 20_480, fileName }) });
    expect(
      lines([
        file('image', 'image/jpeg'),
        file('sticker', 'image/webp'),
        file('audio', 'audio/mpeg', 'song.mp3'),
        file('voice', 'audio/ogg; codecs=opus'),
        file('video', 'video/mp4', 'clip.mp4'),
      ]),
    ).toEqual([
      '10:00 Ana Souza: 📎 Photo (image/jpeg, 20.0 KB) from Ana Souza',
      '10:00 Ana Souza: 📎 Sticker (image/webp, 20.0 KB) from Ana Souza',
      '10:00 Ana Souza: 📎 Audio: song.mp3 (audio/mpeg, 20.0 KB) from Ana Souza',
      '10:00 Ana Souza: 📎 Voice message (audio/ogg, 20.0 KB) from Ana Souza',
      '10:00 Ana Souza: 📎 Video: clip.mp4 (video/mp4, 20.0 KB) from Ana Souza',
    ]);
  });

  it('shows a location with its name, address and a maps link', () => {
    const location = {
      latitude: -23.561414,
      longitude: -46.655881,
      name: 'Acme HQ',
      address: 'Av. Paulista 1000',
    };
    const bare = { latitude: 52.52, longitude: 13.405 };
    expect(
      lines([
        message(T, { type: 'location', text: undefined, details: { location } }),
        message(T, { type: 'location', text: 'here', details: { location: bare } }),
        message(T, { type: 'location', text: undefined, details: undefined }),
      ]),
    ).toEqual([
      '10:00 Ana Souza: 📍 Location: Acme HQ, Av. Paulista 1000 — https://maps.google.com/?q=-23.561414,-46.655881',
      '10:00 Ana Souza: 📍 Location: https://maps.google.com/?q=52.52,13.405',
      '      here',
      '10:00 Ana Souza: [Location]',
    ]);
  });

  it('shows each contact card with its phones and emails', () => {
    const contacts = [
      { name: 'Maria Lima', organization: 'Acme', phones: ['+55 11 91234-5678'], emails: ['maria@acme.com'] },
      { name: 'João' },
    ];
    expect(lines([message(T, { type: 'contacts', text: undefined, details: { contacts } })])).toEqual([
      '10:00 Ana Souza: 👤 Contact: Maria Lima (Acme) — +55 11 91234-5678, maria@acme.com',
      '      👤 Contact: João',
    ]);
  });

  it('labels every other type instead of dropping it', () => {
    const typed = (type: Message['type'], text: string | undefined) => message(T, { type, text });
    expect(
      lines([
        typed('interactive', 'Menu'),
        typed('button', 'Yes, book it'),
        typed('order', undefined),
        typed('system', 'Ana joined using this group’s invite link'),
        typed('unsupported', undefined),
        typed('text', '   '),
      ]),
    ).toEqual([
      '10:00 Ana Souza: [Interactive message] Menu',
      '10:00 Ana Souza: [Button reply] Yes, book it',
      '10:00 Ana Souza: [Order]',
      '10:00 Ana Souza: [System message] Ana joined using this group’s invite link',
      '10:00 Ana Souza: [Unsupported message]',
      '10:00 Ana Souza: [Empty message]',
    ]);
  });

  it('says a message another app sent was sent, without the placeholder text of its statuses', () => {
    const placeholder = message(T, {
      type: 'unsupported',
      text: 'Sent from another app (only its delivery status reached wasync)',
      details: { sentElsewhere: true },
    });
    expect(lines([placeholder])).toEqual([
      '10:00 Ana Souza: [Sent from another app: its text did not reach wasync]',
    ]);
  });
});
