import type { WAMessage } from 'baileys';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Account, SourceKind } from '../src/core/model.js';
import { mapWebMessage } from '../src/sources/whatsapp-web/map.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

/**
 * The workspace setting "capture from the browser extension" (extensionCapture, off by default) and its
 * gate on the REST ingest: a batch sent with `X-Wasync-Client: extension` is refused while it is off,
 * and taken only into numbers whose message ids are WhatsApp's own (linked device, REST), where it
 * merges with what a linked device captured.
 */
const ANA = '+5511987654321';
const ANA_JID = '5511987654321@s.whatsapp.net';
const AT = 1_795_000_000;

describeEachDatabase('capture from the browser extension', (database) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(database);
  });
  afterEach(async () => {
    await h.close();
  });

  const message = (id: string, text = 'Do you have the blue one?') => ({
    id,
    chat: { type: 'direct', with: ANA },
    timestamp: AT,
    text,
  });
  const post = (account: Account, messages: unknown[], client: string | null = 'extension') =>
    h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${account.id}/messages`,
      headers: { ...h.auth, ...(client === null ? {} : { 'x-wasync-client': client }) },
      payload: { messages },
    });
  const patch = (payload: Record<string, unknown>, auth = h.auth) =>
    h.app.inject({ method: 'PATCH', url: '/api/v1/settings', headers: auth, payload });
  const storedIds = async (account: Account) =>
    (
      await h.services.store.sql.db
        .selectFrom('messages')
        .select('source_message_id')
        .where('account_id', '=', account.id)
        .orderBy('source_message_id')
        .execute()
    ).map((row) => row.source_message_id);
  const turnOn = async () => {
    const response = await patch({ extensionCapture: true });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ extensionCapture: true });
  };

  it('is off by default: a batch from the extension is refused whole, any other client is not', async () => {
    const account = await h.createAccount('+14155550100', 'linked_device');
    const settings = await h.app.inject({ method: 'GET', url: '/api/v1/settings', headers: h.auth });
    expect(settings.json()).toMatchObject({ extensionCapture: false });

    const refused = await post(account, [message('3EB0A1')]);
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'extension_capture_off' });
    // The header's value is read case-insensitively, as a person might type it.
    expect((await post(account, [message('3EB0A1')], ' Extension ')).statusCode).toBe(403);
    expect(await storedIds(account)).toEqual([]);

    // Without the header (or naming another client) the REST ingest is what it always was.
    const plain = await post(account, [message('3EB0A1')], null);
    expect(plain.statusCode, plain.body).toBe(200);
    const other = await post(account, [message('3EB0A2')], 'gateway');
    expect(other.statusCode, other.body).toBe(200);
    expect(await storedIds(account)).toEqual(['3EB0A1', '3EB0A2']);
  });

  it('is changed by admins only, audited, and read by everyone', async () => {
    const made = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: h.auth,
      payload: { name: 'rep', role: 'member' },
    });
    expect(made.statusCode, made.body).toBe(201);
    const member = { authorization: `Bearer ${made.json().token}` };
    const denied = await patch({ extensionCapture: true }, member);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('forbidden');
    expect((await patch({ extensionCapture: 'yes' })).statusCode).toBe(400);

    await turnOn();
    const read = await h.app.inject({ method: 'GET', url: '/api/v1/settings', headers: member });
    expect(read.json()).toMatchObject({ extensionCapture: true, realTime: true });
    // Setting what is set records nothing more.
    await turnOn();
    const audit = await h.app.inject({
      method: 'GET',
      url: '/api/v1/audit?action=workspace.settings_changed',
      headers: h.auth,
    });
    const events = (audit.json() as { data: { details: unknown }[] }).data;
    expect(events.map((e) => e.details)).toEqual([
      { changes: { extensionCapture: { from: false, to: true } } },
    ]);
    // Other settings leave it as it is.
    const other = await patch({ backfillDays: 3 });
    expect(other.json()).toMatchObject({ extensionCapture: true, backfillDays: 3 });
  });

  it('on, stores into linked-device and REST numbers, and refuses Cloud API and chat-export ones', async () => {
    await turnOn();
    const numbers: Record<SourceKind, Account> = {
      linked_device: await h.createAccount('+14155550101', 'linked_device'),
      rest: await h.createAccount('+14155550102', 'rest'),
      whatsapp_cloud: await h.createAccount('+14155550103', 'whatsapp_cloud'),
      chat_export: await h.createAccount('+14155550104', 'chat_export'),
    };
    for (const kind of ['linked_device', 'rest'] as const) {
      const response = await post(numbers[kind], [message('3EB0B1'), message('3EB0B2', 'Yes')]);
      expect(response.statusCode, `${kind}: ${response.body}`).toBe(200);
      expect(response.json()).toMatchObject({ received: 2, stored: { messages: 2 } });
      expect(await storedIds(numbers[kind])).toEqual(['3EB0B1', '3EB0B2']);
    }
    for (const kind of ['whatsapp_cloud', 'chat_export'] as const) {
      const response = await post(numbers[kind], [message('3EB0B1')]);
      expect(response.statusCode, `${kind}: ${response.body}`).toBe(409);
      expect(response.json().error).toMatchObject({
        code: 'extension_capture_unsupported',
        details: { sourceKind: kind },
      });
      expect(await storedIds(numbers[kind])).toEqual([]);
    }
    // Turned off again, it refuses at once (no restart).
    expect((await patch({ extensionCapture: false })).json()).toMatchObject({ extensionCapture: false });
    expect((await post(numbers.rest, [message('3EB0B3')])).statusCode).toBe(403);
    expect(await storedIds(numbers.rest)).toEqual(['3EB0B1', '3EB0B2']);
  });

  it('merges with the linked device on WhatsApp’s message id: each message is stored once', async () => {
    await turnOn();
    const account = await h.createAccount('+14155550105', 'linked_device');
    /** The message as the linked device hands it to the ingest pipeline (mapWebMessage, as the session does). */
    const fromDevice = (id: string, text: string) =>
      h.services.ingest.ingest(
        account,
        mapWebMessage(
          {
            key: { remoteJid: ANA_JID, fromMe: false, id },
            message: { conversation: text },
            messageTimestamp: AT,
            pushName: 'Ana',
          } as WAMessage,
          { accountId: account.id },
        ),
      );

    // Captured by the extension first, then sent again (a re-opened chat) and by the linked device.
    const first = await post(account, [message('3EB0C1', 'Hello')]);
    expect(first.json()).toMatchObject({ stored: { messages: 1 }, duplicates: { messages: 0 } });
    const again = await post(account, [message('3EB0C1', 'Hello')]);
    expect(again.json()).toMatchObject({ stored: { messages: 0 }, duplicates: { messages: 1 } });
    const device = await fromDevice('3EB0C1', 'Hello');
    expect(device.stored.messages).toBe(0);
    expect(device.duplicates.messages).toBe(1);

    // The linked device first, then the extension: the same.
    expect((await fromDevice('3EB0C2', 'Bye')).stored.messages).toBe(1);
    const late = await post(account, [message('3EB0C2', 'Bye')]);
    expect(late.json()).toMatchObject({ stored: { messages: 0 }, duplicates: { messages: 1 } });

    expect(await storedIds(account)).toEqual(['3EB0C1', '3EB0C2']);
    const chats = await h.services.store.sql.db
      .selectFrom('chats')
      .select('id')
      .where('account_id', '=', account.id)
      .execute();
    expect(chats).toHaveLength(1);
  });
});
