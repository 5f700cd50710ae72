import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase } from './support/databases.js';
import {
  hasSharedFixtures,
  noteSkippedWithoutSharedFixtures,
  OWN_FIXTURES,
  SHARED_FIXTURES,
} from './support/fixtures.js';
import { type Harness, startHarness } from './support/harness.js';

const APP_SECRET = 'app-secret-for-tests';
const readVariants = (dir: string, file: string): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(path.join(dir, 'cloud-api', file), 'utf8'));
/** pywa's webhook bodies, kept beside the project: the tests of every update type read these. */
const fixture = (file: string) => readVariants(SHARED_FIXTURES, file);
/** Our own text and reaction bodies: enough for signatures, retries and duplicates. */
const ownFixture = (file: 'message.json') => readVariants(OWN_FIXTURES, file);
const withShared = it.skipIf(!hasSharedFixtures);
noteSkippedWithoutSharedFixtures('WhatsApp Cloud API webhooks');
const sign = (body: string, secret = APP_SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** What each variant of message.json must store: type, text, and details it must carry. */
const MESSAGE_EXPECTATIONS: Record<
  string,
  { type: string; text?: string; details?: object; media?: boolean }
> = {
  text: { type: 'text', text: 'Body Text' },
  image: { type: 'image', media: true },
  media_with_url: { type: 'image', media: true },
  video: { type: 'video', text: 'caption', details: { forwarded: true }, media: true },
  document: { type: 'document', text: 'caption', media: true },
  audio: { type: 'audio', media: true },
  voice: { type: 'voice', media: true },
  static_sticker: { type: 'sticker', details: { animated: false }, media: true },
  animated_sticker: { type: 'sticker', details: { animated: true }, media: true },
  current_location: { type: 'location', details: { location: { latitude: 12.25089, longitude: 43.90539 } } },
  chosen_location: { type: 'location', text: 'Facebook HQ', details: { location: { name: 'Facebook HQ' } } },
  contacts: {
    type: 'contacts',
    details: { contacts: [{ name: 'Chandler Bing', phones: ['+1 555-555-5555'] }, {}, {}] },
  },
  order: { type: 'order', details: { order: { catalog_id: '354160437058781' } } },
  unsupported: { type: 'unsupported', details: { originalType: 'unsupported' } },
  unsupported_with_type: { type: 'unsupported', details: { content: { type: 'pool' } } },
  reply: { type: 'text', text: 'replied text' },
  forwarded: { type: 'text', text: 'forwarded text', details: { forwarded: true } },
  forwarded_many_times: { type: 'text', details: { forwarded: true, frequentlyForwarded: true } },
  interactive_message_with_err: { type: 'unsupported', details: { originalType: 'interactive' } },
  referral: { type: 'text', text: 'BODY', details: { referral: { source_id: 'ADID' } } },
};

describeEachDatabase('WhatsApp Cloud API webhooks', (database) => {
  let h: Harness;
  let phoneSeq = 0;

  beforeEach(async () => {
    h = await startHarness(database);
  });
  afterEach(() => h.close());

  const createCloudAccount = async (cloud: Record<string, unknown> = {}) => {
    phoneSeq++;
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: h.auth,
      payload: {
        phone: `+1 415 555 ${String(1000 + phoneSeq)}`,
        sourceKind: 'whatsapp_cloud',
        cloud: {
          phoneNumberId: '1122334455667',
          accessToken: 'EAAG-test-token',
          appSecret: APP_SECRET,
          ...cloud,
        },
      },
    });
    expect(response.statusCode).toBe(201);
    return response.json() as { id: string; cloud: { webhookUrl: string; verifyToken: string } };
  };

  const deliver = async (accountId: string, body: unknown, signature?: string) => {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    return h.app.inject({
      method: 'POST',
      url: `/webhooks/whatsapp-cloud/${accountId}`,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature ?? sign(raw) },
      payload: raw,
    });
  };

  const deliverAndProcess = async (accountId: string, body: unknown) => {
    const response = await deliver(accountId, body);
    expect(response.statusCode).toBe(200);
    await h.services.webhookProcessor.drain();
  };

  const messages = (accountId: string) =>
    h.services.store.sql.db
      .selectFrom('messages')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('sent_at')
      .execute();
  const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
  /** A fixture body as Meta would send it to the test accounts' number (some fixtures name others). */
  const toTestNumber = (body: unknown) =>
    JSON.parse(
      JSON.stringify(body).replace(/"phone_number_id":"[^"]*"/g, '"phone_number_id":"1122334455667"'),
    );
  const deliveryStates = async (accountId: string) =>
    (
      await h.services.store.sql.db
        .selectFrom('webhook_deliveries')
        .select(['state', 'error'])
        .where('account_id', '=', accountId)
        .execute()
    ).map((d) => d.state);

  it('creates an account with sealed secrets and answers with the webhook URL and verify token', async () => {
    const account = await createCloudAccount({ verifyToken: 'my-verify-token' });
    expect(account.cloud.webhookUrl).toBe(`http://localhost:80/webhooks/whatsapp-cloud/${account.id}`);
    expect(account.cloud.verifyToken).toBe('my-verify-token');
    expect(JSON.stringify(account)).not.toContain(APP_SECRET);
    expect(JSON.stringify(account)).not.toContain('EAAG-test-token');
    const row = await h.services.store.sql.db
      .selectFrom('whatsapp_cloud_accounts')
      .selectAll()
      .where('account_id', '=', account.id)
      .executeTakeFirstOrThrow();
    expect(row.credentials).not.toContain(APP_SECRET);
    expect(row.credentials).toMatch(/^v1:/);
    const generated = await createCloudAccount();
    expect(generated.cloud.verifyToken.length).toBeGreaterThanOrEqual(16);

    const missing = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: h.auth,
      payload: { phone: '+1 415 555 9999', sourceKind: 'whatsapp_cloud' },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe('validation_failed');
  });

  it('rotates the app secret and verify token of an account, admin only, and lists cloud settings', async () => {
    const account = await createCloudAccount({ verifyToken: 'first-verify-token' });
    const patch = (payload: Record<string, unknown>, headers = h.auth, id = account.id) =>
      h.app.inject({ method: 'PATCH', url: `/api/v1/accounts/${id}/cloud`, headers, payload });
    const member = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: h.auth,
      payload: { name: 'rep', role: 'member' },
    });
    const memberAuth = { authorization: `Bearer ${member.json().token}` };
    expect((await patch({ appSecret: 'new-app-secret' }, memberAuth)).statusCode).toBe(403);
    expect((await patch({})).json().error.code).toBe('validation_failed');
    expect((await patch({ appSecret: 'new-app-secret' }, h.auth, 'acc_missing')).statusCode).toBe(404);
    const rest = await h.createAccount('+14155559876');
    const notCloud = await patch({ appSecret: 'new-app-secret' }, h.auth, rest.id);
    expect(notCloud.statusCode).toBe(404);
    expect(notCloud.json().error.message).toContain('not a WhatsApp Cloud API account');

    const rotated = await patch({ appSecret: 'new-app-secret', verifyToken: 'second-verify-token' });
    expect(rotated.statusCode, rotated.body).toBe(200);
    expect(rotated.json().cloud).toMatchObject({
      verifyToken: 'second-verify-token',
      phoneNumberId: '1122334455667',
    });
    expect(rotated.body).not.toContain('new-app-secret');
    // Webhooks signed with the old secret are refused from now on; the new one is taken.
    const body = JSON.stringify(ownFixture('message.json').text);
    expect((await deliver(account.id, body)).statusCode).toBe(401);
    expect((await deliver(account.id, body, sign(body, 'new-app-secret'))).statusCode).toBe(200);
    const handshake = (token: string) =>
      h.app.inject({
        method: 'GET',
        url: `/webhooks/whatsapp-cloud/${account.id}?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=42`,
      });
    expect((await handshake('first-verify-token')).statusCode).toBe(403);
    expect((await handshake('second-verify-token')).body).toBe('42');
    // The access token was left as it was: still sealed, still the one media downloads use.
    const stored = await h.services.cloud.repository.get(account.id);
    expect(stored?.sealedCredentials).not.toContain('EAAG-test-token');

    // The list shows each Cloud API account's settings and webhook health, the others without.
    const list = await h.app.inject({ method: 'GET', url: '/api/v1/accounts', headers: h.auth });
    const listed = list.json().data as {
      id: string;
      cloud?: { verifyToken: string; signatureFailures: number };
    }[];
    expect(listed.find((a) => a.id === account.id)?.cloud).toMatchObject({
      verifyToken: 'second-verify-token',
      signatureFailures: 1,
    });
    expect(listed.find((a) => a.id === rest.id)?.cloud).toBeUndefined();
  });

  it('answers the verify handshake with the challenge, and 403 otherwise, without a bearer token', async () => {
    const account = await createCloudAccount({ verifyToken: 'my-verify-token' });
    const url = `/webhooks/whatsapp-cloud/${account.id}`;
    const good = await h.app.inject({
      method: 'GET',
      url: `${url}?hub.mode=subscribe&hub.verify_token=my-verify-token&hub.challenge=1158201444`,
    });
    expect(good.statusCode).toBe(200);
    expect(good.headers['content-type']).toMatch(/^text\/plain/);
    expect(good.body).toBe('1158201444');
    for (const query of [
      'hub.mode=subscribe&hub.verify_token=wrong-token&hub.challenge=1',
      'hub.mode=unsubscribe&hub.verify_token=my-verify-token&hub.challenge=1',
      'hub.mode=subscribe&hub.challenge=1',
    ]) {
      const bad = await h.app.inject({ method: 'GET', url: `${url}?${query}` });
      expect(bad.statusCode).toBe(403);
    }
    const unknown = await h.app.inject({
      method: 'GET',
      url: '/webhooks/whatsapp-cloud/acc_nope?hub.mode=subscribe&hub.verify_token=my-verify-token&hub.challenge=1',
    });
    expect(unknown.statusCode).toBe(403);
  });

  it('refuses a wrong signature with 401, stores nothing, and counts it for webhook health', async () => {
    const account = await createCloudAccount();
    const body = JSON.stringify(ownFixture('message.json').text);
    for (const signature of [sign(body, 'another-secret'), 'sha256=00', '', sign(`${body} `)]) {
      const response = await deliver(account.id, body, signature);
      expect(response.statusCode).toBe(401);
    }
    await h.services.webhookProcessor.drain();
    expect(await messages(account.id)).toHaveLength(0);
    expect(await deliveryStates(account.id)).toHaveLength(0);
    const shown = (
      await h.app.inject({ method: 'GET', url: `/api/v1/accounts/${account.id}`, headers: h.auth })
    ).json();
    expect(shown.cloud.signatureFailures).toBe(4);
    expect(shown.cloud.lastDeliveryAt).toBeUndefined();
  });

  it('verifies the signature over the raw bytes, escaped unicode and slashes included', async () => {
    const account = await createCloudAccount();
    // Meta signs an escaped body; re-serialising it would give other bytes and fail the check.
    const raw = JSON.stringify(ownFixture('message.json').text)
      .replace('Body Text', 'K\\u00e4se \\/ @name')
      .replace('wamid.xyzxyz', 'wamid.escaped');
    await deliverAndProcess(account.id, raw);
    const [stored] = await messages(account.id);
    expect(stored?.text).toBe('Käse / @name');
  });

  withShared(
    'stores every message type of message.json as the right type, with parties, replies and forwards',
    async () => {
      const variants = fixture('message.json');
      expect(Object.keys(variants).sort()).toEqual(
        [...Object.keys(MESSAGE_EXPECTATIONS), 'reaction', 'unreaction_empty', 'unreaction_no_emoji'].sort(),
      );
      for (const [name, expected] of Object.entries(MESSAGE_EXPECTATIONS)) {
        const account = await createCloudAccount();
        await deliverAndProcess(account.id, variants[name]);
        const stored = await messages(account.id);
        expect(stored, name).toHaveLength(1);
        const [message] = stored;
        expect(message?.type, name).toBe(expected.type);
        expect(message?.from_me, name).toBe(0);
        if (expected.text !== undefined) expect(message?.text, name).toBe(expected.text);
        if (expected.details) expect(json(message?.details), name).toMatchObject(expected.details);
        const media = await h.services.store.sql.db
          .selectFrom('media')
          .selectAll()
          .where('message_id', '=', message?.id ?? '')
          .execute();
        expect(media.length, name).toBe(expected.media ? 1 : 0);
        if (expected.media) {
          expect(media[0]?.state).toBe('pending');
          expect(media[0]?.source_url).toMatch(/^whatsapp-cloud:\/\//);
        }
        if (name === 'reply') expect(message?.reply_to_source_id).toBe('wamid.xyzxyz==');
        if (name === 'document') expect(media[0]?.file_name).toBe('filename.pdf');
        // The sender: phone from wa_id, business-scoped ids and the profile name from value.contacts.
        const sender = await h.services.store.identities.get(message?.sender_identity_id ?? '');
        expect(sender, name).toMatchObject({
          phone: '+972987654321',
          waId: '972987654321',
          bsuid: 'US.13491208655302741918',
          parentBsuid: 'US.ENT.11815799212886844830',
          displayName: 'Test Name',
        });
        expect(await deliveryStates(account.id)).toEqual(['processed']);
      }
    },
  );

  withShared('applies reactions and un-reactions, before or after their message arrives', async () => {
    const variants = fixture('message.json');
    const account = await createCloudAccount();
    // The reaction first: it waits for its target.
    await deliverAndProcess(account.id, variants.reaction);
    const target = JSON.parse(
      JSON.stringify(variants.text)
        .replace('"wamid.xyzxyz"', '"wamid.yzxyzx="')
        .replace('Body Text', 'target'),
    );
    await deliverAndProcess(account.id, target);
    const reactions = () =>
      h.services.store.sql.db.selectFrom('message_reactions').select(['emoji']).execute();
    expect(await reactions()).toEqual([{ emoji: '😮' }]);
    // Un-reactions: empty emoji, and the emoji key missing. Each has its own event id.
    const unreact = JSON.parse(
      JSON.stringify(variants.unreaction_no_emoji)
        .replace('"wamid.xyzxyz"', '"wamid.unreact"')
        .replace('1697044456', '1697044999'),
    );
    await deliverAndProcess(account.id, unreact);
    expect(await reactions()).toEqual([]);
    await deliverAndProcess(account.id, variants.unreaction_empty);
    expect(await reactions()).toEqual([]);
  });

  withShared('stores button, list and flow replies as interactive messages', async () => {
    const cases: [string, string, string, string | undefined][] = [
      ['callback_button.json', 'button', 'interactive', 'title'],
      ['callback_button.json', 'quick_reply', 'button', 'title'],
      ['callback_button.json', 'quick_reply_without_context', 'button', 'title'],
      ['callback_selection.json', 'callback', 'interactive', 'title'],
      ['callback_selection.json', 'description', 'interactive', 'title'],
      ['flow_completion.json', 'completion', 'interactive', 'Sent'],
      ['flow_completion.json', 'without_flow_token', 'interactive', 'Sent'],
    ];
    for (const [file, key, type, text] of cases) {
      const account = await createCloudAccount();
      await deliverAndProcess(account.id, fixture(file)[key]);
      const [message] = await messages(account.id);
      expect(message?.type, `${file} ${key}`).toBe(type);
      expect(message?.text, `${file} ${key}`).toBe(text);
    }
    const account = await createCloudAccount();
    await deliverAndProcess(account.id, fixture('flow_completion.json').completion);
    const [flow] = await messages(account.id);
    expect(json(flow?.details)).toMatchObject({
      interactive: { type: 'nfm_reply', response: { delivery_rating: '4' } },
    });
  });

  withShared('applies edits and revokes, and stores business-app echoes as from me', async () => {
    const account = await createCloudAccount();
    const edited = fixture('edited_message.json').image as {
      entry: { changes: { value: { messages: { edit: { original_message_id: string } }[] } }[] }[];
    };
    const original = edited.entry[0]?.changes[0]?.value.messages[0]?.edit.original_message_id ?? '';
    const image = JSON.parse(
      JSON.stringify(fixture('message.json').image).replace('"wamid.xyzxyz"', JSON.stringify(original)),
    );
    await deliverAndProcess(account.id, image);
    await deliverAndProcess(account.id, toTestNumber(edited));
    let [message] = await messages(account.id);
    expect(message?.text).toBe('Updated image caption');
    expect(message?.edited_at).not.toBeNull();

    // deleted_message.json has placeholders for ids; its revoke event is accepted and waits for its target.
    await deliverAndProcess(account.id, toTestNumber(fixture('deleted_message.json').revoke));
    const events = await h.services.store.sql.db
      .selectFrom('message_events')
      .select(['kind', 'target_source_message_id'])
      .where('account_id', '=', account.id)
      .execute();
    expect(events).toContainEqual({
      kind: 'delete',
      target_source_message_id: '<ORIGINAL_WHATSAPP_MESSAGE_ID>',
    });

    const echoes = fixture('outgoing_message.json');
    const echoAccount = await createCloudAccount();
    await deliverAndProcess(echoAccount.id, echoes.text);
    const own = JSON.parse(
      JSON.stringify(echoes.text)
        .replace('<WHATSAPP_MESSAGE_ID>', 'wamid.zzzzzz')
        .replace('1697043223', '1697044000'),
    );
    await deliverAndProcess(echoAccount.id, own);
    await deliverAndProcess(echoAccount.id, echoes.edit);
    [message] = (await messages(echoAccount.id)).filter((m) => m.source_message_id === 'wamid.zzzzzz');
    expect(message).toMatchObject({ from_me: 1, text: 'Text was edited', sender_identity_id: null });
    await deliverAndProcess(
      echoAccount.id,
      JSON.parse(JSON.stringify(echoes.delete).replace('wamid.yyyyyy', 'wamid.revoke1')),
    );
    [message] = (await messages(echoAccount.id)).filter((m) => m.source_message_id === 'wamid.zzzzzz');
    expect(message?.deleted_at).not.toBeNull();
    const all = await messages(echoAccount.id);
    expect(all.every((m) => m.from_me === 1)).toBe(true);
    // The echo's chat is with the user named in value.contacts.
    const chat = await h.services.store.sql.db
      .selectFrom('chats')
      .select('partner_identity_id')
      .where('id', '=', all[0]?.chat_id ?? '')
      .executeTakeFirstOrThrow();
    expect(await h.services.store.identities.get(chat.partner_identity_id ?? '')).toMatchObject({
      phone: '+972987654321',
    });
  });

  withShared('moves the identity on a number change, keeping its chat', async () => {
    const account = await createCloudAccount();
    await deliverAndProcess(account.id, fixture('message.json').text);
    await deliverAndProcess(account.id, fixture('system.json').phone_number_change);
    expect(
      await h.services.store.sql.db.selectFrom('webhook_deliveries').select(['state', 'error']).execute(),
    ).toEqual([
      { state: 'processed', error: null },
      { state: 'processed', error: null },
    ]);
    const stored = await messages(account.id);
    expect(stored.map((m) => m.type)).toEqual(['text', 'system']);
    expect(stored[1]?.text).toBe('User A changed from 972987654321 to 972912345678');
    expect(stored[0]?.chat_id).toBe(stored[1]?.chat_id);
    const { store, workspace } = h.services;
    expect(await store.identities.findByKey(workspace.id, 'phone', '+972987654321')).toBeUndefined();
    const moved = await store.identities.findByKey(workspace.id, 'phone', '+972912345678');
    expect(moved).toMatchObject({
      id: stored[0]?.sender_identity_id,
      waId: '972912345678',
      bsuid: 'US.13491208655302741918',
    });
    // Delivered again: nothing changes.
    await deliverAndProcess(account.id, fixture('system.json').phone_number_change);
    expect(await messages(account.id)).toHaveLength(2);
    expect(await store.identities.findByKey(workspace.id, 'phone', '+972987654321')).toBeUndefined();

    // Its id repeats the text message's in the fixture; a real notice has its own.
    const identityChange = JSON.stringify(fixture('system.json').identity_change).replace(
      '"wamid.xyzxyz"',
      '"wamid.identity"',
    );
    await deliverAndProcess(account.id, identityChange);
    expect((await messages(account.id)).map((m) => m.type)).toEqual(['text', 'system', 'system']);
  });

  withShared(
    'records the delivery status of a message sent from the account, only ever moving it forward',
    async () => {
      const account = await createCloudAccount();
      const statuses = fixture('message_status.json') as Record<
        string,
        { entry: { changes: { value: { statuses: { id: string }[] } }[] }[] }
      >;
      const wamid = statuses.sent?.entry[0]?.changes[0]?.value.statuses[0]?.id ?? '';
      // The message, as the account sent it (here through the REST ingest, as another tool would).
      const posted = await h.app.inject({
        method: 'POST',
        url: `/api/v1/accounts/${account.id}/messages`,
        headers: h.auth,
        payload: {
          messages: [
            {
              id: wamid,
              chat: { type: 'direct', with: '+14155550123' },
              fromMe: true,
              timestamp: 1698266940,
              text: 'Your order shipped',
            },
          ],
        },
      });
      expect(posted.statusCode, posted.body).toBe(200);
      const deliveryOf = async () => {
        const chats = (
          await h.app.inject({ method: 'GET', url: `/api/v1/chats?accountId=${account.id}`, headers: h.auth })
        ).json().data as { id: string }[];
        const list = await h.app.inject({
          method: 'GET',
          url: `/api/v1/chats/${chats[0]?.id}/messages`,
          headers: h.auth,
        });
        return (list.json().data as { id: string; delivery?: { status: string } }[])[0]?.delivery?.status;
      };
      for (const name of ['sent', 'read', 'delivered'] as const) {
        const body = structuredClone(statuses[name]);
        for (const entry of body?.entry ?? [])
          for (const change of entry.changes) for (const s of change.value.statuses) s.id = wamid;
        await deliverAndProcess(account.id, body);
        // Delivered arriving after read does not take it back.
        expect(await deliveryOf(), name).toBe(name === 'delivered' ? 'read' : name);
      }
    },
  );

  withShared(
    'accepts statuses and every field that carries nothing to store, recording them processed',
    async () => {
      const files = [
        'message_status.json',
        'account_update.json',
        'call_connect.json',
        'call_status.json',
        'call_terminate.json',
        'template_category_update.json',
        'template_components_update.json',
        'template_quality_update.json',
        'template_status_update.json',
        'user_marketing_preferences.json',
      ];
      const account = await createCloudAccount();
      let bodies = 0;
      for (const file of files) {
        for (const body of Object.values(fixture(file))) {
          const response = await deliver(account.id, toTestNumber(body));
          expect(response.statusCode, file).toBe(200);
          bodies++;
        }
      }
      await h.services.webhookProcessor.drain();
      const states = await deliveryStates(account.id);
      expect(states).toHaveLength(bodies);
      expect(states.every((s) => s === 'processed')).toBe(true);
      // Only statuses of messages never stored (another app sent them) leave something: a placeholder.
      const placeholders = await messages(account.id);
      expect(placeholders.every((m) => json(m.details).sentElsewhere === true)).toBe(true);

      // A call permission reply is the user answering in the chat: stored, as an interactive reply.
      for (const body of Object.values(fixture('call_permission_update.json')))
        await deliverAndProcess(account.id, body);
      const [reply] = (await messages(account.id)).filter((m) => !json(m.details)?.sentElsewhere);
      expect(reply?.type).toBe('interactive');
      expect(json(reply?.details)).toMatchObject({
        interactive: { type: 'call_permission_reply', response: 'accept' },
      });
    },
  );

  it('stores the same update once, however often it is delivered', async () => {
    const account = await createCloudAccount();
    const body = ownFixture('message.json').text;
    await deliverAndProcess(account.id, body);
    await deliverAndProcess(account.id, body);
    await deliverAndProcess(account.id, ownFixture('message.json').reaction);
    await deliverAndProcess(account.id, ownFixture('message.json').reaction);
    expect(await messages(account.id)).toHaveLength(1);
    const events = await h.services.store.sql.db
      .selectFrom('message_events')
      .select('id')
      .where('account_id', '=', account.id)
      .execute();
    expect(events).toHaveLength(1);
    expect(await deliveryStates(account.id)).toEqual(['processed', 'processed', 'processed', 'processed']);
    const shown = (
      await h.app.inject({ method: 'GET', url: `/api/v1/accounts/${account.id}`, headers: h.auth })
    ).json();
    expect(shown).toMatchObject({
      messages: 1,
      cloud: { signatureFailures: 0, deliveries: { pending: 0, processed: 4 } },
    });
    expect(shown.cloud.lastDeliveryAt).toBeDefined();
    expect(shown.lastMessageAt).toBe(new Date(1697043223000).toISOString());
  });

  it('imports coexistence history chunks and address-book names from smb_app_state_sync', async () => {
    const account = await createCloudAccount();
    const envelope = (field: string, value: Record<string, unknown>) => ({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'waba',
          changes: [
            {
              field,
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550783881', phone_number_id: '1122334455667' },
                ...value,
              },
            },
          ],
        },
      ],
    });
    const history = (chunk: number, progress: number, messages: unknown[]) =>
      envelope('history', {
        history: [
          {
            metadata: { phase: 1, chunk_order: chunk, progress },
            threads: [{ id: '16505551234', messages }],
          },
        ],
      });
    // Chunk 2 before chunk 1: order of arrival does not matter.
    await deliverAndProcess(
      account.id,
      history(2, 100, [
        {
          from: '15550783881',
          to: '16505551234',
          id: 'wamid.h2',
          timestamp: '1739230960',
          type: 'text',
          text: { body: 'our answer' },
          history_context: { status: 'READ' },
        },
      ]),
    );
    await deliverAndProcess(
      account.id,
      history(1, 50, [
        {
          from: '16505551234',
          id: 'wamid.h1',
          timestamp: '1739230955',
          type: 'text',
          text: { body: 'old question' },
          history_context: { status: 'DELIVERED' },
        },
        { from: '16505551234', id: 'wamid.h3', timestamp: '1739230970', type: 'media_placeholder' },
      ]),
    );
    await deliverAndProcess(
      account.id,
      envelope('smb_app_state_sync', {
        state_sync: [
          {
            type: 'contact',
            contact: { full_name: 'Pablo Morales', first_name: 'Pablo', phone_number: '16505551234' },
            action: 'add',
            metadata: { timestamp: '1739321024' },
          },
        ],
      }),
    );
    const stored = await messages(account.id);
    expect(stored.map((m) => [m.source_message_id, m.from_me, m.type])).toEqual([
      ['wamid.h1', 0, 'text'],
      ['wamid.h2', 1, 'text'],
      ['wamid.h3', 0, 'unsupported'],
    ]);
    expect(json(stored[2]?.details)).toMatchObject({ mediaPlaceholder: true });
    const { store, workspace } = h.services;
    expect(await store.identities.findByKey(workspace.id, 'phone', '+16505551234')).toMatchObject({
      displayName: 'Pablo Morales',
    });
    const progress = await h.services.cloud.repository.get(account.id);
    expect(progress?.historyProgress).toEqual({ 1: { chunks: [1, 2], progress: 100 } });

    // The placeholder's content comes later on `history`, shaped like `messages`: it fills the
    // placeholder (type, caption, media to download) and marks the chat changed for the sync.
    const chatOf = () =>
      h.services.store.sql.db
        .selectFrom('chats')
        .select(['id', 'change_seq'])
        .where('id', '=', stored[2]?.chat_id ?? '')
        .executeTakeFirstOrThrow();
    const before = await chatOf();
    const content = envelope('history', {
      messages: [
        {
          from: '16505551234',
          id: 'wamid.h3',
          timestamp: '1739230970',
          type: 'image',
          image: { caption: 'the invoice', mime_type: 'image/jpeg', sha256: 'abc', id: '1003383421387256' },
        },
      ],
    });
    await deliverAndProcess(account.id, content);
    await deliverAndProcess(account.id, content);
    // The placeholder delivered again changes nothing back.
    await deliverAndProcess(
      account.id,
      history(1, 50, [
        { from: '16505551234', id: 'wamid.h3', timestamp: '1739230970', type: 'media_placeholder' },
      ]),
    );
    const [filled] = (await messages(account.id)).filter((m) => m.source_message_id === 'wamid.h3');
    expect(filled).toMatchObject({ type: 'image', text: 'the invoice' });
    expect(json(filled?.details)).toMatchObject({ filledPlaceholder: true });
    expect(json(filled?.details).mediaPlaceholder).toBeUndefined();
    const media = await h.services.store.sql.db
      .selectFrom('media')
      .select(['state', 'mime_type'])
      .where('message_id', '=', filled?.id ?? '')
      .execute();
    expect(media).toEqual([{ state: expect.any(String), mime_type: 'image/jpeg' }]);
    expect(Number((await chatOf()).change_seq)).toBeGreaterThan(Number(before.change_seq));
  });

  it('keeps a delivery whose processing fails and processes it on a later pass', async () => {
    const account = await createCloudAccount();
    const original = h.services.ingest.ingest.bind(h.services.ingest);
    let fail = true;
    h.services.ingest.ingest = async (...args) => {
      if (fail) throw new Error('database went away');
      return original(...args);
    };
    await deliver(account.id, ownFixture('message.json').text);
    await h.services.webhookProcessor.drain();
    expect(await messages(account.id)).toHaveLength(0);
    const [pending] = await h.services.store.sql.db.selectFrom('webhook_deliveries').selectAll().execute();
    expect(pending).toMatchObject({ state: 'pending', attempts: 1, error: 'database went away' });
    fail = false;
    await h.services.webhookProcessor.drain(() => Date.now() + 60_000);
    expect(await messages(account.id)).toHaveLength(1);
    expect(await deliveryStates(account.id)).toEqual(['processed']);
  });

  /** The text message of message.json with `text` as its body (escaped by JSON.stringify as Meta would). */
  const textDelivery = (text: string, extra: Record<string, unknown> = {}) => {
    const body = structuredClone(ownFixture('message.json').text) as {
      entry: { changes: { value: { messages: Record<string, unknown>[] } }[] }[];
    };
    const message = body.entry[0]?.changes[0]?.value.messages[0];
    if (!message) throw new Error('message.json changed shape');
    Object.assign(message, { text: { body: text }, ...extra });
    return body;
  };
  const webhookHealth = async (accountId: string) =>
    (await h.app.inject({ method: 'GET', url: `/api/v1/accounts/${accountId}`, headers: h.auth })).json()
      .cloud.deliveries;
  /** Nested as JSON text: stringifying so deep a value would overflow the stack of the test itself. */
  const deepJson = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

  it.each([
    ['a NUL in the text', () => JSON.stringify(textDelivery('a\u0000b')), 'a NUL character'],
    [
      'a lone surrogate in the text',
      () => JSON.stringify(textDelivery('half \ud83d')),
      'lone UTF-16 surrogate',
    ],
    ['a NUL in a key', () => JSON.stringify(textDelivery('ok', { 'x\u0000': 1 })), 'a NUL character'],
    [
      'nesting 5,000 levels deep',
      () => JSON.stringify(textDelivery('ok', { extra: 'DEEP' })).replace('"DEEP"', deepJson(5000)),
      'deeper than 64',
    ],
    ['NUL bytes in the body', () => `${JSON.stringify(textDelivery('ok'))}\u0000`, 'NUL bytes'],
  ])(
    'parks a signed delivery with %s, visible in webhook health, instead of retrying it forever',
    async (_name, body, reason) => {
      const account = await createCloudAccount();
      const response = await deliver(account.id, body());
      expect(response.statusCode).toBe(200);
      await h.services.webhookProcessor.drain();
      // Much later, nothing is retried: the delivery stays parked after one attempt at most.
      await h.services.webhookProcessor.drain(() => Date.now() + 24 * 3_600_000);
      const [delivery] = await h.services.store.sql.db
        .selectFrom('webhook_deliveries')
        .select(['state', 'error', 'attempts'])
        .where('account_id', '=', account.id)
        .execute();
      expect(delivery?.state).toBe('parked');
      expect(delivery?.error).toContain(reason);
      expect(delivery?.attempts).toBeLessThanOrEqual(1);
      expect(await messages(account.id)).toHaveLength(0);
      expect(await webhookHealth(account.id)).toMatchObject({
        pending: 0,
        parked: 1,
        lastParkedReason: expect.stringContaining(reason),
      });
    },
  );

  it('stores emoji and other scripts of a delivery faithfully', async () => {
    const account = await createCloudAccount();
    await deliverAndProcess(account.id, textDelivery('Olá 👋🏽 日本語 𝄞'));
    const [message] = await messages(account.id);
    expect(message?.text).toBe('Olá 👋🏽 日本語 𝄞');
  });

  it('refuses a delivery for another phone_number_id: nothing lands in this account', async () => {
    const account = await createCloudAccount();
    const foreign = JSON.parse(
      JSON.stringify(textDelivery('for another number')).replace('"1122334455667"', '"9988776655"'),
    );
    await deliverAndProcess(account.id, foreign);
    expect(await messages(account.id)).toHaveLength(0);
    const chats = await h.app.inject({
      method: 'GET',
      url: `/api/v1/chats?accountId=${account.id}`,
      headers: h.auth,
    });
    expect(chats.json().data).toHaveLength(0);
    expect(await webhookHealth(account.id)).toMatchObject({
      parked: 1,
      lastParkedReason: expect.stringContaining('9988776655'),
    });
    // The same message addressed to the account's own number is stored.
    await deliverAndProcess(account.id, textDelivery('for this number'));
    expect((await messages(account.id)).map((m) => m.text)).toEqual(['for this number']);
  });

  it('stores a message whose timestamp no date can hold at its arrival time, and it reads back', async () => {
    const account = await createCloudAccount();
    const before = Date.now();
    await deliverAndProcess(account.id, textDelivery('from the far future', { timestamp: '1e300' }));
    const chats = await h.app.inject({
      method: 'GET',
      url: `/api/v1/chats?accountId=${account.id}`,
      headers: h.auth,
    });
    const list = await h.app.inject({
      method: 'GET',
      url: `/api/v1/chats/${chats.json().data[0]?.id}/messages`,
      headers: h.auth,
    });
    expect(list.statusCode).toBe(200);
    const [message] = list.json().data;
    expect(message.text).toBe('from the far future');
    expect(Date.parse(message.timestamp)).toBeGreaterThanOrEqual(before - 1000);
    expect(await deliveryStates(account.id)).toEqual(['processed']);
  });

  it('parks a delivery Postgres refuses with a data exception instead of retrying it', async () => {
    const account = await createCloudAccount();
    const original = h.services.ingest.ingest.bind(h.services.ingest);
    // What node-postgres throws for text Postgres cannot take (SQLSTATE 22P05, untranslatable character).
    h.services.ingest.ingest = async () => {
      throw Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' });
    };
    await deliver(account.id, textDelivery('x'));
    await h.services.webhookProcessor.drain();
    h.services.ingest.ingest = original;
    await h.services.webhookProcessor.drain(() => Date.now() + 24 * 3_600_000);
    expect(await deliveryStates(account.id)).toEqual(['parked']);
    expect(await webhookHealth(account.id)).toMatchObject({
      parked: 1,
      lastParkedReason: 'unsupported Unicode escape sequence',
    });
  });
});
