import type { WAMessage } from 'baileys';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import { recordLidMappings } from '../src/sources/whatsapp-web/identity.js';
import { mapWebMessage } from '../src/sources/whatsapp-web/map.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

const LID = '123456789@lid';
const PN = '5511987654321@s.whatsapp.net';

describeEachDatabase('linked-device messages in the store', (database) => {
  let h: Harness;
  let account: Account;
  beforeEach(async () => {
    h = await startHarness(database);
    account = await h.createAccount('+14155550000', 'linked_device');
  });
  afterEach(() => h.close());

  const text = (remoteJid: string, id: string, words: string, at: number): WAMessage =>
    ({
      key: { remoteJid, fromMe: false, id },
      message: { conversation: words },
      messageTimestamp: at,
      pushName: 'Ana',
    }) as WAMessage;
  const ingest = (messages: WAMessage[]) =>
    h.services.ingest.ingest(
      account,
      messages.flatMap((m) => mapWebMessage(m, { accountId: account.id })),
    );
  const chats = () =>
    h.services.store.sql.db.selectFrom('chats').selectAll().where('account_id', '=', account.id).execute();

  it('keeps a chat that starts under a @lid one chat once the mapping to the phone arrives', async () => {
    await ingest([text(LID, 'A1', 'first, under the lid', 1_795_000_000)]);
    await ingest([text(PN, 'A2', 'then by phone', 1_795_000_060)]);
    expect(await chats()).toHaveLength(2);

    expect(await recordLidMappings(h.services.store, h.services.workspace.id, [{ lid: LID, pn: PN }])).toBe(
      1,
    );
    const [chat, ...others] = await chats();
    expect(others).toEqual([]);
    const messages = await h.services.store.sql.db
      .selectFrom('messages')
      .select(['source_message_id', 'chat_id'])
      .where('account_id', '=', account.id)
      .orderBy('sent_at')
      .execute();
    expect(messages).toEqual([
      { source_message_id: 'A1', chat_id: chat?.id },
      { source_message_id: 'A2', chat_id: chat?.id },
    ]);
    const person = await h.services.store.identities.findByKey(h.services.workspace.id, 'lid', LID);
    expect(person).toMatchObject({ phone: '+5511987654321', lid: LID });

    // The same mapping again, and a later message under the lid: still one chat.
    await recordLidMappings(h.services.store, h.services.workspace.id, [{ lid: LID, pn: PN }]);
    await ingest([text(LID, 'A3', 'again under the lid', 1_795_000_120)]);
    expect(await chats()).toHaveLength(1);
  });

  it('stores a history chunk delivered twice once', async () => {
    const chunk = [
      text(PN, 'H1', 'old one', 1_794_000_000),
      text(PN, 'H2', 'old two', 1_794_000_060),
      {
        key: { remoteJid: PN, fromMe: false, id: 'H3' },
        message: { reactionMessage: { key: { id: 'H1' }, text: '👍' } },
        messageTimestamp: 1_794_000_100,
      } as WAMessage,
    ];
    const first = await ingest(chunk);
    const second = await ingest(chunk);
    expect(first.stored).toEqual({ messages: 2, events: 1 });
    expect(second.stored).toEqual({ messages: 0, events: 0 });
    expect(second.duplicates).toEqual({ messages: 2, events: 1 });
  });
});
