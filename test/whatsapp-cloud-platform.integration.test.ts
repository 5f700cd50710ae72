import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SENT_ELSEWHERE_TEXT } from '../src/sources/whatsapp-cloud/map.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

/**
 * The Cloud API beyond a number's own conversations: Meta's business agent holding a chat (`standby`),
 * coexistence history from the business side, business-scoped id changes, and messages other apps
 * send through the API on the same number. Bodies follow Meta's webhook references, cited in map.ts.
 */
const APP_SECRET = 'app-secret-for-platform-tests';
const BUSINESS = '15550783881';
const USER = '16505551234';
const sign = (body: string) => `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`;

const envelope = (field: string, value: Record<string, unknown>) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '102290129340398',
      changes: [
        {
          field,
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: BUSINESS, phone_number_id: '1122334455667' },
            ...value,
          },
        },
      ],
    },
  ],
});
const text = (from: string, id: string, timestamp: string, body: string, extra = {}) => ({
  from,
  id,
  timestamp,
  type: 'text',
  text: { body },
  ...extra,
});
const status = (id: string, name: string, timestamp: string, extra: Record<string, unknown> = {}) => ({
  id,
  status: name,
  timestamp,
  recipient_id: USER,
  ...extra,
});

describeEachDatabase('WhatsApp Cloud API: agent, history, ids and other apps', (database) => {
  let h: Harness;
  let seq = 0;

  beforeEach(async () => {
    h = await startHarness(database);
  });
  afterEach(() => h.close());

  const createCloudAccount = async () => {
    seq++;
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: h.auth,
      payload: {
        phone: `+1 415 555 ${String(2000 + seq)}`,
        sourceKind: 'whatsapp_cloud',
        cloud: { phoneNumberId: '1122334455667', accessToken: 'EAAG-test-token', appSecret: APP_SECRET },
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string };
  };
  const deliver = async (accountId: string, body: unknown) => {
    const raw = JSON.stringify(body);
    const response = await h.app.inject({
      method: 'POST',
      url: `/webhooks/whatsapp-cloud/${accountId}`,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(raw) },
      payload: raw,
    });
    expect(response.statusCode).toBe(200);
  };
  const deliverAndProcess = async (accountId: string, body: unknown, now?: () => number) => {
    await deliver(accountId, body);
    await h.services.webhookProcessor.drain(now);
  };
  const messages = (accountId: string) =>
    h.services.store.sql.db
      .selectFrom('messages')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('sent_at')
      .execute();
  const chat = (chatId: string | undefined) =>
    h.services.store.sql.db
      .selectFrom('chats')
      .selectAll()
      .where('id', '=', chatId ?? '')
      .executeTakeFirstOrThrow();
  const partnerPhone = async (chatId: string | undefined) =>
    (await h.services.store.identities.get((await chat(chatId)).partner_identity_id ?? ''))?.phone;
  const json = (value: unknown) =>
    (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
  const deliveries = (accountId: string) =>
    h.services.store.sql.db
      .selectFrom('webhook_deliveries')
      .select(['state', 'error'])
      .where('account_id', '=', accountId)
      .orderBy('received_at')
      .execute();

  it("stores a conversation Meta's business agent holds, from the standby field", async () => {
    const account = await createCloudAccount();
    await deliverAndProcess(
      account.id,
      envelope('standby', {
        contacts: [{ profile: { name: 'Pablo' }, wa_id: USER }],
        messages: [text(USER, 'wamid.sb1', '1760000000', 'Do you open on Sunday?')],
      }),
    );
    await deliverAndProcess(
      account.id,
      envelope('standby', {
        contacts: [{ profile: { name: 'Pablo' }, wa_id: USER }],
        message_echoes: [text(BUSINESS, 'wamid.sb2', '1760000005', 'Yes, from 10 to 4.', { to: USER })],
        statuses: [status('wamid.sb2', 'delivered', '1760000006')],
      }),
    );
    const stored = await messages(account.id);
    expect(stored.map((m) => [m.source_message_id, m.from_me, m.text])).toEqual([
      ['wamid.sb1', 0, 'Do you open on Sunday?'],
      ['wamid.sb2', 1, 'Yes, from 10 to 4.'],
    ]);
    expect(stored[0]?.chat_id).toBe(stored[1]?.chat_id);
    expect(await partnerPhone(stored[0]?.chat_id)).toBe(`+${USER}`);
    expect(stored[1]?.delivery_status).toBe('delivered');
    expect((await deliveries(account.id)).map((d) => d.state)).toEqual(['processed', 'processed']);
  });

  it('stores history the business sent as from me, whatever the thread is keyed by', async () => {
    const account = await createCloudAccount();
    // A thread keyed by the user's business-scoped id: their number in `from` is still the user.
    await deliverAndProcess(
      account.id,
      envelope('history', {
        history: [
          {
            metadata: { phase: 0, chunk_order: 1, progress: 100 },
            threads: [
              {
                id: 'US.13491208655302741918',
                messages: [
                  text(USER, 'wamid.t1', '1739230950', 'hello?'),
                  text(BUSINESS, 'wamid.t2', '1739230955', 'hi!', { to: USER }),
                ],
              },
            ],
          },
        ],
      }),
    );
    const stored = await messages(account.id);
    expect(stored.map((m) => [m.source_message_id, m.from_me])).toEqual([
      ['wamid.t1', 0],
      ['wamid.t2', 1],
    ]);
    expect(stored[0]?.chat_id).toBe(stored[1]?.chat_id);
    expect(stored[1]?.sender_identity_id).toBeNull();
  });

  for (const order of ['placeholder first', 'content first'] as const) {
    it(`places history media in its thread's chat and direction, ${order}`, async () => {
      const account = await createCloudAccount();
      const placeholder = envelope('history', {
        history: [
          {
            metadata: { phase: 0, chunk_order: 1, progress: 100 },
            threads: [
              {
                id: USER,
                messages: [
                  { from: BUSINESS, id: 'wamid.m1', timestamp: '1739230970', type: 'media_placeholder' },
                  { from: BUSINESS, id: 'wamid.m2', timestamp: '1739230980', type: 'media_placeholder' },
                ],
              },
            ],
          },
        ],
      });
      // Meta's own example names the user in `from` of content the business sent (m1); another
      // names the business itself, with no `to` (m2): neither may move or turn the message.
      const image = (id: string, from: string) => ({
        from,
        id,
        timestamp: '1738796547',
        type: 'image',
        image: { caption: `photo ${id}`, mime_type: 'image/jpeg', sha256: 'abc', id: `media-${id}` },
      });
      const content = envelope('history', {
        messages: [image('wamid.m1', USER), image('wamid.m2', BUSINESS)],
      });
      const later = () => Date.now() + 3_600_000;
      if (order === 'placeholder first') {
        await deliverAndProcess(account.id, placeholder);
        await deliverAndProcess(account.id, content);
      } else {
        await deliverAndProcess(account.id, content);
        // Nothing of it is stored yet: the delivery waits for its placeholders.
        expect(await messages(account.id)).toHaveLength(0);
        expect(await deliveries(account.id)).toEqual([
          { state: 'pending', error: expect.stringContaining('waits for its placeholder') },
        ]);
        // Deliveries go oldest first: the content's retry after this one finds its placeholders.
        await deliverAndProcess(account.id, placeholder, later);
        await h.services.webhookProcessor.drain(() => later() + 3_600_000);
      }
      const stored = await messages(account.id);
      expect(stored.map((m) => [m.source_message_id, m.from_me, m.type, m.text])).toEqual([
        ['wamid.m1', 1, 'image', 'photo wamid.m1'],
        ['wamid.m2', 1, 'image', 'photo wamid.m2'],
      ]);
      expect(stored.every((m) => m.sender_identity_id === null)).toBe(true);
      expect(stored[0]?.chat_id).toBe(stored[1]?.chat_id);
      expect(await partnerPhone(stored[0]?.chat_id)).toBe(`+${USER}`);
      expect(
        await h.services.store.identities.findByKey(h.services.workspace.id, 'phone', `+${BUSINESS}`),
      ).toBe(undefined);
      expect((await deliveries(account.id)).map((d) => d.state)).toEqual(['processed', 'processed']);
    });
  }

  it('moves a person to their new business-scoped id from a notice without from or contacts', async () => {
    const account = await createCloudAccount();
    const { store, workspace } = h.services;
    await deliverAndProcess(
      account.id,
      envelope('messages', {
        contacts: [{ profile: { name: 'Ana' }, wa_id: USER, user_id: 'US.1111' }],
        messages: [text(USER, 'wamid.b1', '1760000000', 'first', { from_user_id: 'US.1111' })],
      }),
    );
    const person = await store.identities.findByKey(workspace.id, 'bsuid', 'US.1111');
    expect(person).toBeDefined();
    // Meta "System messages webhook reference": no contacts array; a user known by BSUID has no `from`.
    await deliverAndProcess(
      account.id,
      envelope('messages', {
        messages: [
          {
            id: 'wamid.b2',
            timestamp: '1760000100',
            type: 'system',
            system: {
              body: 'User Ana changed from US.1111 to US.2222',
              user_id: 'US.2222',
              type: 'user_changed_user_id',
            },
          },
        ],
      }),
    );
    expect(await store.identities.findByKey(workspace.id, 'bsuid', 'US.1111')).toBeUndefined();
    expect(await store.identities.findByKey(workspace.id, 'bsuid', 'US.2222')).toMatchObject({
      id: person?.id,
      phone: `+${USER}`,
    });
    // A message from the new id alone (phone withheld) joins the same person and chat.
    await deliverAndProcess(
      account.id,
      envelope('messages', {
        contacts: [{ profile: { name: 'Ana' }, user_id: 'US.2222' }],
        messages: [text('US.2222', 'wamid.b3', '1760000200', 'still me', { from_user_id: 'US.2222' })],
      }),
    );
    const stored = await messages(account.id);
    expect(stored.map((m) => [m.source_message_id, m.type, m.sender_identity_id])).toEqual([
      ['wamid.b1', 'text', person?.id],
      ['wamid.b2', 'system', person?.id],
      ['wamid.b3', 'text', person?.id],
    ]);
    expect(new Set(stored.map((m) => m.chat_id)).size).toBe(1);

    // A number change that brings a new id too moves both keys; the old ones stop matching.
    await deliverAndProcess(
      account.id,
      envelope('messages', {
        messages: [
          {
            from: USER,
            id: 'wamid.b4',
            timestamp: '1760000300',
            type: 'system',
            system: {
              body: `User Ana changed from ${USER} to 12195555358`,
              wa_id: '12195555358',
              user_id: 'US.3333',
              type: 'user_changed_number',
            },
          },
        ],
      }),
    );
    expect(await store.identities.findByKey(workspace.id, 'phone', `+${USER}`)).toBeUndefined();
    expect(await store.identities.findByKey(workspace.id, 'bsuid', 'US.2222')).toBeUndefined();
    expect(await store.identities.findByKey(workspace.id, 'phone', '+12195555358')).toMatchObject({
      id: person?.id,
      bsuid: 'US.3333',
    });
    const all = await messages(account.id);
    expect(all).toHaveLength(4);
    expect(new Set(all.map((m) => m.chat_id)).size).toBe(1);
  });

  it('gives a person stored by number the business-scoped id a notice names', async () => {
    const account = await createCloudAccount();
    const { store, workspace } = h.services;
    await deliverAndProcess(
      account.id,
      envelope('messages', {
        contacts: [{ profile: { name: 'Ana' }, wa_id: USER }],
        messages: [text(USER, 'wamid.n1', '1760000000', 'hi')],
      }),
    );
    await deliverAndProcess(
      account.id,
      envelope('messages', {
        messages: [
          {
            from: USER,
            id: 'wamid.n2',
            timestamp: '1760000100',
            type: 'system',
            system: {
              body: 'User Ana changed from US.1111 to US.2222',
              previous_user_id: 'US.1111',
              user_id: 'US.2222',
              type: 'user_changed_user_id',
            },
          },
        ],
      }),
    );
    expect(await store.identities.findByKey(workspace.id, 'bsuid', 'US.2222')).toMatchObject({
      phone: `+${USER}`,
    });
    const stored = await messages(account.id);
    expect(stored).toHaveLength(2);
    expect(stored[0]?.chat_id).toBe(stored[1]?.chat_id);
  });

  it('stores a message another app sent through the API from its statuses, once, filled by its echo', async () => {
    const account = await createCloudAccount();
    const statuses = (...list: unknown[]) => envelope('messages', { statuses: list });
    await deliverAndProcess(
      account.id,
      statuses(status('wamid.api1', 'sent', '1760000000'), status('wamid.api1', 'delivered', '1760000003')),
    );
    await deliverAndProcess(account.id, statuses(status('wamid.api1', 'read', '1760000010')));
    // Delivered only (sent skipped): the first status seen places it.
    await deliverAndProcess(account.id, statuses(status('wamid.api2', 'delivered', '1760000020')));
    let stored = await messages(account.id);
    expect(Number(stored[1]?.sent_at)).toBe(1760000020_000);
    // Its `sent` status, arriving late, takes it back to when it was sent.
    await deliverAndProcess(account.id, statuses(status('wamid.api2', 'sent', '1760000015')));
    stored = await messages(account.id);
    expect(stored.map((m) => [m.source_message_id, m.from_me, m.type, m.text, m.delivery_status])).toEqual([
      ['wamid.api1', 1, 'unsupported', SENT_ELSEWHERE_TEXT, 'read'],
      ['wamid.api2', 1, 'unsupported', SENT_ELSEWHERE_TEXT, 'delivered'],
    ]);
    expect(Number(stored[0]?.sent_at)).toBe(1760000000_000);
    expect(Number(stored[1]?.sent_at)).toBe(1760000015_000);
    expect(json(stored[0]?.details)).toMatchObject({ sentElsewhere: true });
    expect(await partnerPhone(stored[0]?.chat_id)).toBe(`+${USER}`);
    expect(stored[0]?.chat_id).toBe(stored[1]?.chat_id);

    // Its echo, should one come, fills it: still one message.
    await deliverAndProcess(
      account.id,
      envelope('smb_message_echoes', {
        contacts: [{ wa_id: USER }],
        message_echoes: [text(BUSINESS, 'wamid.api1', '1760000000', 'Your order shipped', { to: USER })],
      }),
    );
    stored = await messages(account.id);
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatchObject({ type: 'text', text: 'Your order shipped', delivery_status: 'read' });
    expect(json(stored[0]?.details).sentElsewhere).toBeUndefined();

    // A message the account stored itself gets its status and no placeholder.
    await deliverAndProcess(
      account.id,
      envelope('smb_message_echoes', {
        contacts: [{ wa_id: USER }],
        message_echoes: [text(BUSINESS, 'wamid.own', '1760000100', 'from the app', { to: USER })],
      }),
    );
    await deliverAndProcess(account.id, statuses(status('wamid.own', 'sent', '1760000101')));
    stored = await messages(account.id);
    expect(stored.map((m) => [m.source_message_id, m.text])).toEqual([
      ['wamid.api1', 'Your order shipped'],
      ['wamid.api2', SENT_ELSEWHERE_TEXT],
      ['wamid.own', 'from the app'],
    ]);

    // A status for a group recipient goes to the group's chat.
    const group = 'Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD';
    await deliverAndProcess(
      account.id,
      statuses(status('wamid.grp1', 'sent', '1760000200', { recipient_id: group, recipient_type: 'group' })),
    );
    const [inGroup] = (await messages(account.id)).filter((m) => m.source_message_id === 'wamid.grp1');
    expect(await chat(inGroup?.chat_id)).toMatchObject({ kind: 'group', group_key: group });
  });
});
