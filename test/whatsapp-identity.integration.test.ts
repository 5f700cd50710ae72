import type { WAMessage } from 'baileys';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import { ReferenceCrm } from '../src/crms/reference/crm.js';
import { referenceKind } from '../src/crms/reference/kind.js';
import { crmRegistry } from '../src/crms/registry.js';
import { recordContacts, recordGroups, recordLidMappings } from '../src/sources/whatsapp-web/identity.js';
import { mapWebMessage } from '../src/sources/whatsapp-web/map.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

/** People as the linked device names them: numbers the phone metadata does not know. */
const crm = new ReferenceCrm('ref-key', { attachmentBytes: 64 });
const KIND = 'refidentity';
beforeAll(() => {
  crmRegistry.register(referenceKind(crm, { kind: KIND, attachments: 'after', keys: 'external-id' }));
});
afterAll(() => {
  crmRegistry.unregister(KIND);
});

/** Tokelau +690 8…: a range libphonenumber's metadata has no entry for, yet a registered WhatsApp id. */
const UNKNOWN_RANGE_JID = '69081234@s.whatsapp.net';

describeEachDatabase('a WhatsApp id the phone metadata calls invalid', (database) => {
  let h: Harness;
  let account: Account;
  beforeEach(async () => {
    crm.reset();
    h = await startHarness(database);
    account = await h.createAccount('+14155550000', 'linked_device');
  });
  afterEach(() => h.close());

  // Yesterday 11:00 UTC: inside the backfill window of a new link, whatever time the test runs.
  const yesterday = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 13 * 3_600_000;

  it('is stored as + and its digits, shown, and linked to the CRM record holding those digits', async () => {
    const contact = crm.seed({ type: 'contact', name: 'Sione Perez', phones: ['+690 81234'] });
    const message = {
      key: { remoteJid: UNKNOWN_RANGE_JID, fromMe: false, id: 'TK1' },
      message: { conversation: 'Malo lelei' },
      messageTimestamp: Math.floor(yesterday / 1000),
      pushName: 'Sione',
    } as WAMessage;
    const result = await h.services.ingest.ingest(account, mapWebMessage(message, { accountId: account.id }));
    expect(result.stored.messages).toBe(1);

    const chats = await h.app.inject({ method: 'GET', url: '/api/v1/chats', headers: h.auth });
    expect(chats.json().data).toEqual([
      expect.objectContaining({
        type: 'direct',
        title: 'Sione',
        partner: expect.objectContaining({ phone: '+69081234', name: 'Sione' }),
      }),
    ]);

    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: h.auth,
      payload: { kind: KIND, name: 'Reference', apiKey: 'ref-key' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const run = await h.services.sync.runNow((created.json() as { id: string }).id);
    expect(run).toMatchObject({ state: 'done', summary: { transcriptsWritten: 1 } });
    expect(crm.transcriptsOf(contact.id)[0]?.text).toContain('Malo lelei');
  });
});

const OWN_PHONE = '+14155550000';
const OWN_PN = '14155550000@s.whatsapp.net';
const OWN_LID = '88001122334455@lid';
const NUMBER = '5511987654321@s.whatsapp.net';
const OLD_LID = '111111111111111@lid';
const NEW_LID = '222222222222222@lid';

describeEachDatabase('never two people as one', (database) => {
  let h: Harness;
  let account: Account;
  beforeEach(async () => {
    h = await startHarness(database);
    account = await h.createAccount(OWN_PHONE, 'linked_device');
  });
  afterEach(() => h.close());

  let at = 1_795_000_000;
  const text = (remoteJid: string, id: string, words: string, extra: Partial<WAMessage['key']> = {}) =>
    ({
      key: { remoteJid, fromMe: false, id, ...extra },
      message: { conversation: words },
      messageTimestamp: at++,
      pushName: 'Ana',
    }) as WAMessage;
  const ingest = (...messages: WAMessage[]) =>
    h.services.ingest.ingest(
      account,
      messages.flatMap((m) => mapWebMessage(m, { accountId: account.id })),
    );
  const identities = () =>
    h.services.store.sql.db
      .selectFrom('identities')
      .select(['id', 'phone_e164', 'lid', 'display_name'])
      .where('workspace_id', '=', h.services.workspace.id)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  /** Each direct chat's partner (by lid) with its messages' texts and senders. */
  const chatsByPartner = async () => {
    const chats = (
      await h.services.store.chats.list(h.services.workspace.id, { accountId: account.id, limit: 50 })
    ).data;
    const out: Record<string, { partnerId: string; texts: string[]; senders: string[] }> = {};
    for (const chat of chats) {
      const messages = (await h.services.store.messages.listByChat(chat.id, { limit: 50, order: 'asc' }))
        .data;
      out[chat.partner?.lid ?? chat.partner?.phone ?? chat.id] = {
        partnerId: chat.partner?.id ?? '',
        texts: messages.map((m) => m.text ?? ''),
        senders: [...new Set(messages.map((m) => m.senderIdentityId ?? 'me'))],
      };
    }
    return out;
  };
  const workspace = () => h.services.workspace.id;

  it('gives a recycled number to the new person: the old one keeps their lid and history', async () => {
    await recordLidMappings(h.services.store, workspace(), [{ lid: OLD_LID, pn: NUMBER }]);
    await ingest(text(NUMBER, 'O1', 'old, by phone'), text(OLD_LID, 'O2', 'old, by lid'));
    // Months later WhatsApp gives the number to someone else, with their own lid.
    await ingest(text(NEW_LID, 'N1', 'new, by lid', { remoteJidAlt: NUMBER }));
    await ingest(text(NUMBER, 'N2', 'new, by phone'));
    await recordLidMappings(h.services.store, workspace(), [{ lid: NEW_LID, pn: NUMBER }]);

    const [old, fresh, ...others] = await identities();
    expect(others).toEqual([]);
    expect(old).toMatchObject({ lid: OLD_LID, phone_e164: null });
    expect(fresh).toMatchObject({ lid: NEW_LID, phone_e164: '+5511987654321' });
    const chats = await chatsByPartner();
    expect(chats[OLD_LID]).toEqual({
      partnerId: old?.id,
      texts: ['old, by phone', 'old, by lid'],
      senders: [old?.id],
    });
    expect(chats[NEW_LID]).toEqual({
      partnerId: fresh?.id,
      texts: ['new, by lid', 'new, by phone'],
      senders: [fresh?.id],
    });
  });

  it('sends the messages of a recycled number to the new person once the library maps it to their lid', async () => {
    await recordLidMappings(h.services.store, workspace(), [{ lid: OLD_LID, pn: NUMBER }]);
    await ingest(text(NUMBER, 'O1', 'old, by phone'));
    // Learned outside the ingest (the library's stored pairs): what the ingest knew of the number is stale.
    await recordLidMappings(h.services.store, workspace(), [{ lid: NEW_LID, pn: NUMBER }]);
    await ingest(text(NUMBER, 'N1', 'new, by phone'));

    const [old, fresh] = await identities();
    expect(old).toMatchObject({ lid: OLD_LID, phone_e164: null });
    expect(fresh).toMatchObject({ lid: NEW_LID, phone_e164: '+5511987654321' });
    const chats = await chatsByPartner();
    expect(chats[OLD_LID]?.texts).toEqual(['old, by phone']);
    expect(chats[NEW_LID]?.texts).toEqual(['new, by phone']);
  });

  it('records the account in its groups by one key, learning its lid there', async () => {
    await recordGroups(h.services.store, account, [
      {
        groupKey: '120363012345678901@g.us',
        title: 'Team',
        participants: [
          { lid: OWN_LID, phone: OWN_PHONE },
          { lid: OLD_LID, phone: '+5511987654321' },
        ],
      },
    ]);
    expect(await recordLidMappings(h.services.store, workspace(), [{ lid: OWN_LID, pn: NUMBER }])).toBe(0);
    expect((await identities()).map((p) => [p.phone_e164, p.lid])).toEqual(
      expect.arrayContaining([
        [OWN_PHONE, null],
        ['+5511987654321', OLD_LID],
      ]),
    );
    expect(await identities()).toHaveLength(2);
  });

  it('moves a person to their new number when their lid maps to it, merging who wrote from it', async () => {
    await recordLidMappings(h.services.store, workspace(), [{ lid: OLD_LID, pn: NUMBER }]);
    await ingest(text(OLD_LID, 'A1', 'before the change'));
    const NEW_NUMBER = '5521912345678@s.whatsapp.net';
    await ingest(text(NEW_NUMBER, 'A2', 'from the new number'));
    await recordLidMappings(h.services.store, workspace(), [{ lid: OLD_LID, pn: NEW_NUMBER }]);

    const [person, ...others] = await identities();
    expect(others).toEqual([]);
    expect(person).toMatchObject({ lid: OLD_LID, phone_e164: '+5521912345678' });
    expect(await chatsByPartner()).toEqual({
      [OLD_LID]: {
        partnerId: person?.id,
        texts: ['before the change', 'from the new number'],
        senders: [person?.id],
      },
    });
  });

  it("records no contact or pair that names the account's own number or lid", async () => {
    // History makes a contact of each conversation; a group's carries the account's own lid.
    await recordContacts(h.services.store, workspace(), [
      { id: '120363012345678901@g.us', name: 'Family', lid: OWN_LID },
      // A chat with no lid of its own: the library fills in the account's.
      { id: NUMBER, name: 'Ana', lid: OWN_LID },
      { id: OWN_PN, name: 'Me', lid: OWN_LID },
    ]);
    expect(await identities()).toEqual([
      expect.objectContaining({ phone_e164: '+5511987654321', lid: null, display_name: 'Ana' }),
    ]);
    // The library pairs a chat with the sender's alternate, the account's own on its messages.
    expect(
      await recordLidMappings(h.services.store, workspace(), [
        { lid: OWN_LID, pn: NUMBER },
        { lid: NEW_LID, pn: OWN_PN },
      ]),
    ).toBe(0);
    await ingest(text(NEW_LID, 'M1', 'from the account', { fromMe: true, remoteJidAlt: OWN_PN }));
    const people = await identities();
    expect(people.map((p) => [p.phone_e164, p.lid])).toEqual([
      ['+5511987654321', null],
      [null, NEW_LID],
    ]);
  });

  it('records no person for the group, broadcast and channel entries of contacts', async () => {
    await recordContacts(h.services.store, workspace(), [
      { id: '120363012345678901@g.us', name: 'Family', lid: OWN_LID },
      { id: '5511987654321-1600000000@g.us', name: 'Old group', phoneNumber: NUMBER },
      { id: 'status@broadcast', name: 'Status' },
      { id: '120363999999999999@newsletter', name: 'News', lid: OLD_LID },
    ]);
    expect(await identities()).toEqual([]);
  });
});
