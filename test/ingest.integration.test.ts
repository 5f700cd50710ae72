import { afterEach, beforeEach, expect, it } from 'vitest';
import { groupMessage, textMessage } from './support/batches.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

/** 2026-11-20 09:00:00 UTC in Unix seconds, plus `seconds`. */
const at = (seconds: number) => Date.UTC(2026, 10, 20, 9, 0, 0) / 1000 + seconds;

describeEachDatabase('REST ingest', (database) => {
  let h: Harness;
  let accountId: string;

  beforeEach(async () => {
    h = await startHarness(database);
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: h.auth,
      payload: { phone: '+1 415 555 2671', displayName: 'Sales line' },
    });
    expect(created.statusCode).toBe(201);
    accountId = created.json().id;
  });
  afterEach(() => h.close());

  const post = (messages: unknown[]) =>
    h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${accountId}/messages`,
      headers: h.auth,
      payload: { messages },
    });

  const allMessages = async () => {
    const chats = (await h.app.inject({ method: 'GET', url: '/api/v1/chats', headers: h.auth })).json().data;
    const messages = [];
    for (const chat of chats) {
      const page = await h.app.inject({
        method: 'GET',
        url: `/api/v1/chats/${chat.id}/messages`,
        headers: h.auth,
      });
      messages.push(...page.json().data);
    }
    return { chats, messages };
  };

  it('stores the same batch once, however often it is posted, and counts the duplicates', async () => {
    const batch = [
      textMessage(),
      textMessage(),
      groupMessage(),
      { kind: 'reaction', id: 'r1', target: 'wamid.x', emoji: '👍', fromMe: true, timestamp: at(0) },
    ];
    const first = await post(batch);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      received: 4,
      stored: { messages: 3, events: 1 },
      duplicates: { messages: 0, events: 0 },
      dropped: { messages: 0, events: 0 },
    });

    const second = await post(batch);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual({
      received: 4,
      stored: { messages: 0, events: 0 },
      duplicates: { messages: 3, events: 1 },
      dropped: { messages: 0, events: 0 },
    });

    const { chats, messages } = await allMessages();
    expect(chats).toHaveLength(2);
    expect(messages).toHaveLength(3);
    const account = (
      await h.app.inject({ method: 'GET', url: `/api/v1/accounts/${accountId}`, headers: h.auth })
    ).json();
    expect(account).toMatchObject({ chats: 2, messages: 3 });
  });

  it('refuses a batch with invalid items whole, naming each bad item, and stores nothing', async () => {
    const response = await post([
      textMessage(),
      textMessage({ chat: { type: 'direct', with: { phone: '12' } } }),
      textMessage({ timestamp: at(0) * 1000 }),
      { id: 'no-chat', timestamp: at(0), text: 'hi' },
      textMessage({ colour: 'blue' }),
      groupMessage({ from: undefined }),
      textMessage({ chat: { type: 'direct', with: 'not-a-whatsapp-id!' } }),
    ]);
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.error.code).toBe('batch_invalid');
    expect(body.error.requestId).toEqual(expect.any(String));
    const byIndex = Object.fromEntries(body.error.details.items.map((e: { index: number }) => [e.index, e]));
    expect(Object.keys(byIndex).map(Number).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(byIndex[1]).toMatchObject({ code: 'invalid_phone', field: 'chat.with.phone' });
    expect(byIndex[2]).toMatchObject({ code: 'invalid_timestamp', field: 'timestamp' });
    expect(byIndex[3]).toMatchObject({ id: 'no-chat', code: 'missing_field', field: 'chat' });
    expect(byIndex[4]).toMatchObject({ code: 'unknown_field', field: 'colour' });
    expect(byIndex[5]).toMatchObject({ code: 'missing_field', field: 'from' });
    expect(byIndex[6]).toMatchObject({ code: 'invalid_whatsapp_id', field: 'chat.with' });

    const { chats, messages } = await allMessages();
    expect(chats).toHaveLength(0);
    expect(messages).toHaveLength(0);
  });

  it('reports a repeated id inside one batch instead of guessing which copy is right', async () => {
    const item = textMessage();
    const response = await post([item, { ...item, text: 'other text' }]);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details.items).toEqual([
      expect.objectContaining({ index: 1, code: 'duplicate_id', id: item.id }),
    ]);
  });

  it('treats every spelling of one number as one person and one chat', async () => {
    const response = await post([
      textMessage({ chat: { type: 'direct', with: '+55 11 98765-4321' } }),
      textMessage({ chat: { type: 'direct', with: '5511987654321@s.whatsapp.net' } }),
      textMessage({ chat: { type: 'direct', with: { id: '551187654321' } } }),
      textMessage({ chat: { type: 'direct', with: '5511987654321:7@s.whatsapp.net' } }),
    ]);
    expect(response.statusCode).toBe(200);
    const { chats, messages } = await allMessages();
    expect(chats).toHaveLength(1);
    expect(chats[0].partner.phone).toBe('+5511987654321');
    expect(messages).toHaveLength(4);
  });

  it('stores group chats with their title, participants and named senders', async () => {
    await post([
      groupMessage(),
      groupMessage({ from: { phone: '+12015550123', name: 'Mary' }, text: 'hello all' }),
    ]);
    const { chats, messages } = await allMessages();
    expect(chats).toEqual([
      expect.objectContaining({ type: 'group', title: 'Acme buyers', groupId: '120363012345678901@g.us' }),
    ]);
    const chat = (
      await h.app.inject({ method: 'GET', url: `/api/v1/chats/${chats[0].id}`, headers: h.auth })
    ).json();
    expect(chat.participants.map((p: { phone: string }) => p.phone).sort()).toEqual([
      '+12015550123',
      '+4915123456789',
    ]);
    expect(messages.map((m: { senderName: string }) => m.senderName)).toEqual(['Jonas', 'Mary']);
  });

  it('applies edits, deletions and reactions, even when they arrive before their message', async () => {
    const original = textMessage({ text: 'price is 100' });
    const early = await post([
      { kind: 'edit', id: 'e1', target: original.id, text: 'price is 90', timestamp: at(100) },
      {
        kind: 'reaction',
        id: 'r1',
        target: original.id,
        emoji: '❤️',
        from: '+55 11 98765-4321',
        timestamp: at(200),
      },
    ]);
    expect(early.json().stored).toEqual({ messages: 0, events: 2 });
    await post([original]);
    let [message] = (await allMessages()).messages;
    expect(message).toMatchObject({ text: 'price is 90', editedAt: '2026-11-20T09:01:40.000Z' });
    expect(message.reactions).toEqual([expect.objectContaining({ emoji: '❤️', fromMe: false })]);

    await post([
      {
        kind: 'reaction',
        id: 'r2',
        target: original.id,
        emoji: '',
        from: '+55 11 98765-4321',
        timestamp: at(300),
      },
      { kind: 'delete', id: 'd1', target: original.id, timestamp: at(400) },
      // An older edit delivered late must not overwrite the newer text.
      { kind: 'edit', id: 'e0', target: original.id, text: 'stale', timestamp: at(50) },
    ]);
    [message] = (await allMessages()).messages;
    expect(message.text).toBe('price is 90');
    expect(message.reactions).toEqual([]);
    expect(message.deletedAt).toBe('2026-11-20T09:06:40.000Z');
  });

  it('stores base64 media once per content and reads back its metadata', async () => {
    const bytes = Buffer.from('%PDF-1.4 fake quote');
    const media = { base64: bytes.toString('base64'), mimeType: 'application/pdf', fileName: 'quote.pdf' };
    const response = await post([
      textMessage({ type: 'document', text: 'the quote', media }),
      textMessage({ type: 'document', media }),
    ]);
    expect(response.statusCode).toBe(200);
    const { messages } = await allMessages();
    const sha = messages[0].media.sha256;
    expect(messages.map((m: { media: unknown }) => m.media)).toEqual([
      {
        state: 'stored',
        sha256: sha,
        mimeType: 'application/pdf',
        size: bytes.length,
        fileName: 'quote.pdf',
      },
      {
        state: 'stored',
        sha256: sha,
        mimeType: 'application/pdf',
        size: bytes.length,
        fileName: 'quote.pdf',
      },
    ]);
    expect(await h.services.store.blobs.has(sha)).toBe(true);
  });

  it('serves a stored media file from its message: images inline, documents as a download', async () => {
    const image = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const pdf = Buffer.from('%PDF-1.4 fake quote');
    await post([
      textMessage({ type: 'image', media: { base64: image.toString('base64'), mimeType: 'image/png' } }),
      textMessage({
        type: 'document',
        media: { base64: pdf.toString('base64'), mimeType: 'application/pdf', fileName: 'quote "Q4".pdf' },
      }),
      textMessage({ type: 'image', media: { url: 'http://127.0.0.1:9/never.png', mimeType: 'image/png' } }),
    ]);
    const chats = (await h.app.inject({ method: 'GET', url: '/api/v1/chats', headers: h.auth })).json().data;
    const chatId = chats[0].id as string;
    const { messages } = await allMessages();
    const get = (messageId: string, chat = chatId) =>
      h.app.inject({
        method: 'GET',
        url: `/api/v1/chats/${chat}/messages/${messageId}/media`,
        headers: h.auth,
      });
    const shown = await get(messages[0].id);
    expect(shown.statusCode).toBe(200);
    expect(shown.rawPayload.equals(image)).toBe(true);
    expect(shown.headers).toMatchObject({
      'content-type': 'image/png',
      'content-disposition': `inline; filename="${messages[0].id}"`,
      'x-content-type-options': 'nosniff',
    });
    const download = await get(messages[1].id);
    expect(download.rawPayload.equals(pdf)).toBe(true);
    expect(download.headers['content-disposition']).toBe('attachment; filename="quote _Q4_.pdf"');
    // Not downloaded yet, another chat's message, no media at all.
    expect((await get(messages[2].id)).json().error.code).toBe('conflict');
    expect((await get(messages[0].id, 'chat_other')).statusCode).toBe(404);
    const plain = await post([textMessage({ text: 'no media' })]);
    expect(plain.statusCode).toBe(200);
    const withText = (await allMessages()).messages.find((m: { text?: string }) => m.text === 'no media');
    expect((await get(withText.id)).statusCode).toBe(404);
  });

  it('refuses media over the size limit and anything that is not base64', async () => {
    const small = await startHarness(database, { WASYNC_MEDIA_MAX_BYTES: '1kb' });
    try {
      const account = (
        await small.app.inject({
          method: 'POST',
          url: '/api/v1/accounts',
          headers: small.auth,
          payload: { phone: '+14155552671' },
        })
      ).json();
      const response = await small.app.inject({
        method: 'POST',
        url: `/api/v1/accounts/${account.id}/messages`,
        headers: small.auth,
        payload: {
          messages: [
            textMessage({ type: 'image', media: { base64: Buffer.alloc(2048).toString('base64') } }),
            textMessage({ type: 'image', media: { base64: 'not base64 at all!' } }),
          ],
        },
      });
      expect(response.json().error.details.items).toEqual([
        expect.objectContaining({ index: 0, code: 'media_too_large' }),
        expect.objectContaining({ index: 1, code: 'invalid_media' }),
      ]);
    } finally {
      await small.close();
    }
  });

  it('pages through a chat in time order with a cursor', async () => {
    const items = Array.from({ length: 25 }, (_, i) => textMessage({ timestamp: at(0) + (25 - i) }));
    await post(items);
    const [chat] = (await allMessages()).chats;
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const query = `limit=10${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (
        await h.app.inject({
          method: 'GET',
          url: `/api/v1/chats/${chat.id}/messages?${query}`,
          headers: h.auth,
        })
      ).json();
      seen.push(...page.data.map((m: { timestamp: string }) => m.timestamp));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(25);
    expect([...seen].sort()).toEqual(seen);

    const bad = await h.app.inject({
      method: 'GET',
      url: `/api/v1/chats/${chat.id}/messages?cursor=garbage`,
      headers: h.auth,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_cursor');
  });

  it('answers 404 for an account of no one', async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts/acc_missing/messages',
      headers: h.auth,
      payload: { messages: [textMessage()] },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('not_found');
  });

  it('creates no chat for a re-posted id that names another chat', async () => {
    const first = textMessage({ id: 'wamid.once' });
    expect((await post([first])).statusCode).toBe(200);
    const before = await allMessages();

    const again = await post([
      textMessage({ id: 'wamid.once', chat: { type: 'direct', with: '+49 1512 3456789' } }),
    ]);
    expect(again.json()).toMatchObject({ stored: { messages: 0 }, duplicates: { messages: 1 } });
    const asGroup = await post([groupMessage({ id: 'wamid.once' })]);
    expect(asGroup.json()).toMatchObject({ stored: { messages: 0 }, duplicates: { messages: 1 } });

    const after = await allMessages();
    expect(after.chats.map((c: { id: string }) => c.id)).toEqual(
      before.chats.map((c: { id: string }) => c.id),
    );
    expect(after.messages).toEqual(before.messages);
  });
});
