import { afterEach, beforeEach, expect, it } from 'vitest';
import { textMessage } from './support/batches.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

/** A JSON text nesting `{"a": …}` `depth` times; built as text, since stringifying it would overflow the stack. */
const deeplyNested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describeEachDatabase('REST ingest of hostile input', (database) => {
  let h: Harness;
  let accountId: string;

  beforeEach(async () => {
    h = await startHarness(database);
    accountId = (await h.createAccount()).id;
  });
  afterEach(() => h.close());

  const postBody = (body: string, contentType = 'application/json') =>
    h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${accountId}/messages`,
      headers: { ...h.auth, 'content-type': contentType },
      payload: body,
    });
  const post = (messages: unknown[]) => postBody(JSON.stringify({ messages }));

  const storedMessages = async () => {
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

  const expectItemError = async (
    response: Awaited<ReturnType<typeof post>>,
    error: { code: string; field?: string },
  ) => {
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.code).toBe('batch_invalid');
    expect(response.json().error.details.items).toEqual([expect.objectContaining({ index: 0, ...error })]);
    const { chats, messages } = await storedMessages();
    expect(chats).toHaveLength(0);
    expect(messages).toHaveLength(0);
  };

  it.each([9e12, 1e308, -1e308])(
    'refuses timestamp %d as out of range, not with a 500',
    async (timestamp) => {
      await expectItemError(await post([textMessage({ timestamp })]), {
        code: 'invalid_timestamp',
        field: 'timestamp',
      });
    },
  );

  it.each(['2026-02-30T10:00:00Z', '2026-04-31T10:00:00Z', '2025-02-29T10:00:00Z', '2026-03-01T24:00:00Z'])(
    'refuses %s, a date that does not exist, instead of rolling it over',
    async (timestamp) => {
      await expectItemError(await post([textMessage({ timestamp })]), {
        code: 'invalid_timestamp',
        field: 'timestamp',
      });
    },
  );

  it('stores 29 February of a leap year as that day', async () => {
    expect((await post([textMessage({ timestamp: '2024-02-29T10:00:00Z' })])).statusCode).toBe(200);
    const { messages } = await storedMessages();
    expect(messages[0].timestamp).toBe('2024-02-29T10:00:00.000Z');
  });

  it('refuses a raw payload nested 5,000 levels deep with too_deep', async () => {
    const item = JSON.stringify(textMessage({ raw: 'RAW' })).replace('"RAW"', deeplyNested(5000));
    await expectItemError(await postBody(`{"messages":[${item}]}`), { code: 'too_deep', field: 'raw' });
  });

  it.each([
    ['text', { text: 'a\u0000b' }],
    ['id', { id: 'wamid.\u0000' }],
    ['chat.with.name', { chat: { type: 'direct', with: { phone: '+5511987654321', name: 'Ana\u0000' } } }],
    ['raw.note', { raw: { note: 'x\u0000' } }],
    ['raw', { raw: { 'key\u0000': 'value' } }],
    ['text', { text: 'half an emoji \ud83d' }],
    ['id', { id: 'wamid.\udc00' }],
    ['raw.list.1', { raw: { list: ['ok', '\udfff'] } }],
  ])('refuses a NUL or lone surrogate in %s with invalid_text', async (field, overrides) => {
    await expectItemError(await post([textMessage(overrides)]), { code: 'invalid_text', field });
  });

  it('stores emoji, other scripts and supplementary characters faithfully, ids included', async () => {
    const id = 'wamid.𝒳-😀-日本';
    const text = 'Olá 👋🏽 — 日本語 𝄞 \u200d';
    expect((await post([textMessage({ id, text, raw: { 'ключ 🗝': 'значение 😀' } })])).statusCode).toBe(200);
    const { messages } = await storedMessages();
    expect(messages).toEqual([expect.objectContaining({ sourceId: id, text })]);
    // Re-posting the same id finds it again: the id did not change on its way through the store.
    const again = await post([textMessage({ id, text })]);
    expect(again.json().duplicates.messages).toBe(1);
  });

  it('answers a text/plain body with 415 unsupported_media_type', async () => {
    const response = await postBody(JSON.stringify({ messages: [textMessage()] }), 'text/plain');
    expect(response.statusCode).toBe(415);
    expect(response.json().error.code).toBe('unsupported_media_type');
  });
});

describeEachDatabase('text no database can store, anywhere in the API', (database) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(database);
  });
  afterEach(() => h.close());

  it.each([
    [
      'POST',
      '/api/v1/accounts',
      { phone: '+1 415 555 2671', displayName: 'Sales\u0000' },
      'body.displayName',
    ],
    [
      'POST',
      '/api/v1/accounts',
      { phone: '+1 415 555 2671', displayName: 'Sales \ud800' },
      'body.displayName',
    ],
    ['POST', '/api/v1/tokens', { name: 'ci\u0000', role: 'member' }, 'body.name'],
    ['GET', '/api/v1/chats?q=%00', undefined, 'querystring.q'],
    ['GET', '/api/v1/chats?accountId=acc_%00', undefined, 'querystring.accountId'],
    ['GET', '/api/v1/chats/chat_%00', undefined, 'params.chatId'],
  ])(
    '%s %s with a NUL or lone surrogate answers 400 validation_failed',
    async (method, url, payload, field) => {
      const response = await h.app.inject({
        method: method as 'GET' | 'POST',
        url,
        headers: h.auth,
        ...(payload ? { payload } : {}),
      });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error).toMatchObject({
        code: 'validation_failed',
        details: { issues: [expect.objectContaining({ field })] },
      });
      const accounts = await h.app.inject({ method: 'GET', url: '/api/v1/accounts', headers: h.auth });
      expect(accounts.json().data).toHaveLength(0);
    },
  );

  it('stores a display name in any script, emoji included, as sent', async () => {
    const displayName = 'Vendas 🇧🇷 — 営業 𝒳';
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: h.auth,
      payload: { phone: '+1 415 555 2671', displayName },
    });
    expect(created.statusCode).toBe(201);
    const read = await h.app.inject({
      method: 'GET',
      url: `/api/v1/accounts/${created.json().id}`,
      headers: h.auth,
    });
    expect(read.json().displayName).toBe(displayName);
  });
});
