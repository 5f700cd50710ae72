import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import type { PartyRef } from '../src/core/party.js';
import type { IngestMessage } from '../src/ingest/types.js';
import { openServices } from '../src/services.js';
import { parseBatch } from '../src/sources/rest/parse.js';
import { PHONE_NUMBERS } from './fixtures/phone-numbers.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
let sequence = 0;

function direct(partner: PartyRef, overrides: Partial<IngestMessage> = {}): IngestMessage {
  sequence++;
  return {
    kind: 'message',
    sourceId: `m-${sequence}`,
    chat: { kind: 'direct', partner },
    sender: partner,
    fromMe: false,
    sentAt: T0 + sequence * 1000,
    type: 'text',
    text: `text ${sequence}`,
    replyTo: undefined,
    details: undefined,
    media: undefined,
    raw: {},
    ...overrides,
  };
}

describeEachDatabase('identity', (database) => {
  let h: Harness;
  let account: Account;

  beforeAll(async () => {
    h = await startHarness(database);
    account = await h.createAccount();
  });
  afterAll(() => h.close());

  const chatsOf = async () =>
    (await h.services.store.chats.list(h.services.workspace.id, { accountId: account.id, limit: 200 })).data;
  const messagesOf = async (chatId: string) =>
    (await h.services.store.messages.listByChat(chatId, { limit: 500, order: 'asc' })).data;

  describe('phone table', () => {
    it.each(PHONE_NUMBERS.map((row) => [row.country, row] as const))(
      '%s: every spelling lands in one chat with one identity',
      async (_country, row) => {
        const items = row.inputs.map((input, i) => ({
          id: `${row.country}-${i}`,
          chat: { type: 'direct', with: { phone: input } },
          timestamp: T0 / 1000 + i,
          text: input,
        }));
        const parsed = parseBatch(items, { defaultRegion: row.region, mediaMaxBytes: 1024, now: Date.now() });
        if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
        await h.services.ingest.ingest(account, parsed.items);

        const identity = await h.services.store.identities.findByKey(
          h.services.workspace.id,
          'phone',
          row.e164,
        );
        expect(identity?.phone).toBe(row.e164);
        const chats = (await chatsOf()).filter((c) => c.partner?.id === identity?.id);
        expect(chats).toHaveLength(1);
        const texts = (await messagesOf(chats[0]?.id ?? '')).map((m) => m.text);
        expect(texts).toEqual(expect.arrayContaining(row.inputs));
      },
    );
  });

  describe('lid and phone', () => {
    it('keeps a chat first seen under a @lid as the one chat once the phone becomes known', async () => {
      const lid = '209876543210987@lid';
      await h.services.ingest.ingest(account, [direct({ lid, name: 'Rita' }), direct({ lid })]);
      const [lidChat] = (await chatsOf()).filter((c) => c.partner?.lid === lid);
      expect(lidChat?.partner?.phone).toBeUndefined();

      // The mapping arrives on a later message that carries both keys.
      await h.services.ingest.ingest(account, [direct({ lid, phone: '+4915123450001' })]);
      // And messages addressed by phone alone now go to the same chat.
      await h.services.ingest.ingest(account, [direct({ phone: '+4915123450001' })]);

      const chats = (await chatsOf()).filter(
        (c) => c.partner?.lid === lid || c.partner?.phone === '+4915123450001',
      );
      expect(chats).toHaveLength(1);
      expect(chats[0]?.id).toBe(lidChat?.id);
      expect(chats[0]?.partner).toMatchObject({ lid, phone: '+4915123450001', displayName: 'Rita' });
      expect(await messagesOf(lidChat?.id ?? '')).toHaveLength(4);
    });

    it('merges two chats into one when a mapping shows the @lid and the phone are one person', async () => {
      const lid = '301234567890123@lid';
      const phone = '+5521987650002';
      await h.services.ingest.ingest(account, [direct({ phone, name: 'Caio' }), direct({ phone })]);
      await h.services.ingest.ingest(account, [direct({ lid }), direct({ lid }), direct({ lid })]);
      const before = (await chatsOf()).filter((c) => c.partner?.lid === lid || c.partner?.phone === phone);
      expect(before).toHaveLength(2);
      // The older chat keeps its id: created first, or, within the same millisecond, the smaller id.
      const olderChatId = before
        .map((c) => ({ id: c.id, at: c.createdAt.getTime() }))
        .sort((a, b) => a.at - b.at || a.id.localeCompare(b.id))[0]?.id;

      const reaction = {
        kind: 'reaction' as const,
        sourceId: `reaction-${lid}`,
        target: `m-${sequence}`,
        sender: { lid },
        fromMe: false,
        occurredAt: T0,
        text: undefined,
        emoji: '👍',
        raw: {},
      };
      await h.services.ingest.ingest(account, [reaction]);
      // A group where the lid takes part: participation must follow the merge too.
      await h.services.ingest.ingest(account, [
        direct(
          { lid },
          {
            chat: { kind: 'group', groupKey: 'g-merge@g.us', title: 'Team', participants: [{ lid }] },
            sender: { lid },
          },
        ),
      ]);

      await h.services.ingest.ingest(account, [direct({ lid, phone })]);

      const after = (await chatsOf()).filter(
        (c) => c.kind === 'direct' && (c.partner?.lid === lid || c.partner?.phone === phone),
      );
      expect(after).toHaveLength(1);
      expect(after[0]?.id).toBe(olderChatId);
      const messages = await messagesOf(after[0]?.id ?? '');
      expect(messages).toHaveLength(6);
      const identity = await h.services.store.identities.findByKey(h.services.workspace.id, 'lid', lid);
      expect(identity?.phone).toBe(phone);
      expect(new Set(messages.map((m) => m.senderIdentityId))).toEqual(new Set([identity?.id]));
      expect(messages.flatMap((m) => m.reactions)).toEqual([
        expect.objectContaining({ emoji: '👍', identityId: identity?.id }),
      ]);
      const group = (await chatsOf()).find((c) => c.groupKey === 'g-merge@g.us');
      const participants = await h.services.store.chats.participants(group?.id ?? '');
      expect(participants.map((p) => p.id)).toEqual([identity?.id]);
      const groupMessages = await messagesOf(group?.id ?? '');
      expect(groupMessages.map((m) => m.senderIdentityId)).toEqual([identity?.id]);
      expect(await h.services.store.identities.findByKey(h.services.workspace.id, 'phone', phone)).toEqual(
        identity,
      );
    });

    it('keeps the address-book name through a merge and over later push names', async () => {
      const lid = '301234567890999@lid';
      const phone = '+5521987650099';
      await h.services.ingest.ingest(account, [direct({ phone, name: 'Caio' })]);
      await h.services.ingest.ingest(account, [direct({ lid, name: 'Caio Lima (Acme)', nameIsSaved: true })]);
      // The mapping merges the lid's identity (saved name) into the older phone one (push name).
      await h.services.ingest.ingest(account, [direct({ lid, phone, name: 'Caio ✌️' })]);
      const identity = await h.services.store.identities.findByKey(h.services.workspace.id, 'phone', phone);
      expect(identity).toMatchObject({ lid, displayName: 'Caio Lima (Acme)' });
    });

    it('recovers when another process merged away an identity this one had cached', async () => {
      // A second wasync on the same database, as workers in scale mode are.
      const other = await openServices(h.config, pino({ level: 'silent' }));
      try {
        const lid = '401234567890123@lid';
        const phone = '+5531987650003';
        await other.ingest.ingest(account, [direct({ phone })]);
        // This process learns "lid → identity X" and caches it.
        await h.services.ingest.ingest(account, [direct({ lid })]);
        // The other process learns lid and phone are one person: X merges into the older phone identity.
        await other.ingest.ingest(account, [direct({ lid, phone })]);
        // This process's cache still says X, which no longer exists.
        const result = await h.services.ingest.ingest(account, [
          direct({ lid }, { sourceId: 'after-merge' }),
        ]);
        expect(result.stored.messages).toBe(1);
        const identity = await h.services.store.identities.findByKey(h.services.workspace.id, 'lid', lid);
        expect(identity?.phone).toBe(phone);
        const chats = (await chatsOf()).filter((c) => c.partner?.id === identity?.id);
        expect(chats).toHaveLength(1);
        const messages = await messagesOf(chats[0]?.id ?? '');
        expect(messages.find((m) => m.sourceMessageId === 'after-merge')?.senderIdentityId).toBe(
          identity?.id,
        );
        expect(messages).toHaveLength(4);
      } finally {
        await other.close();
      }
    });

    it('resolves a business-scoped user id on its own and merges it with the phone later', async () => {
      const bsuid = 'US.13491208655302741918';
      await h.services.ingest.ingest(account, [direct({ bsuid, username: 'acme_buyer' })]);
      await h.services.ingest.ingest(account, [direct({ bsuid, phone: '+12015550199' })]);
      const identity = await h.services.store.identities.findByKey(h.services.workspace.id, 'bsuid', bsuid);
      expect(identity).toMatchObject({ bsuid, phone: '+12015550199', username: 'acme_buyer' });
      const chats = (await chatsOf()).filter((c) => c.partner?.id === identity?.id);
      expect(chats).toHaveLength(1);
    });
  });

  describe('never two people as one', () => {
    const identityOf = (key: 'phone' | 'lid' | 'bsuid', value: string) =>
      h.services.store.identities.findByKey(h.services.workspace.id, key, value);
    const changeNumber = (from: string, to: string) =>
      h.services.store.sql.db
        .transaction()
        .execute((trx) =>
          h.services.store.identities.changeKey(trx, h.services.workspace.id, 'phone', { from, to }),
        );

    it('opens a new person for a number that arrives with another business-scoped id', async () => {
      const phone = '+12015550301';
      await h.services.ingest.ingest(account, [direct({ phone, bsuid: 'US.1001', name: 'First owner' })]);
      await h.services.ingest.ingest(account, [direct({ phone, bsuid: 'US.2002', name: 'Second owner' })]);
      await h.services.ingest.ingest(account, [direct({ phone })]);
      const first = await identityOf('bsuid', 'US.1001');
      const second = await identityOf('bsuid', 'US.2002');
      expect(first).toMatchObject({ phone: undefined, displayName: 'First owner' });
      expect(second).toMatchObject({ phone, displayName: 'Second owner' });
      const chats = (await chatsOf()).filter(
        (c) => c.partner?.id === first?.id || c.partner?.id === second?.id,
      );
      expect(chats).toHaveLength(2);
      expect((await messagesOf(chats.find((c) => c.partner?.id === first?.id)?.id ?? '')).length).toBe(1);
      expect((await messagesOf(chats.find((c) => c.partner?.id === second?.id)?.id ?? '')).length).toBe(2);
    });

    it('merges a number change whose two identities carry no conflicting ids', async () => {
      await h.services.ingest.ingest(account, [direct({ phone: '+12015550311', bsuid: 'US.3001' })]);
      await h.services.ingest.ingest(account, [direct({ phone: '+12015550312' })]);
      await changeNumber('+12015550311', '+12015550312');
      const person = await identityOf('bsuid', 'US.3001');
      expect(person?.phone).toBe('+12015550312');
      expect(await identityOf('phone', '+12015550311')).toBeUndefined();
      expect((await chatsOf()).filter((c) => c.partner?.id === person?.id)).toHaveLength(1);
    });

    it('moves the number of a number change to the person, merging no one with another id', async () => {
      await h.services.ingest.ingest(account, [
        direct({ phone: '+12015550321', lid: '500000000000001@lid' }),
      ]);
      await h.services.ingest.ingest(account, [
        direct({ phone: '+12015550322', lid: '500000000000002@lid' }),
      ]);
      await changeNumber('+12015550321', '+12015550322');
      expect(await identityOf('lid', '500000000000001@lid')).toMatchObject({ phone: '+12015550322' });
      const other = await identityOf('lid', '500000000000002@lid');
      expect(other).toMatchObject({ lid: '500000000000002@lid', phone: undefined });
      const chat = (await chatsOf()).find((c) => c.kind === 'direct' && c.partner?.id === other?.id);
      expect(await messagesOf(chat?.id ?? '')).toHaveLength(1);
    });

    it('merges nothing when a lid and a business-scoped id name two people: the lid decides', async () => {
      await h.services.ingest.ingest(account, [direct({ lid: '600000000000001@lid', bsuid: 'US.6001' })]);
      await h.services.ingest.ingest(account, [direct({ bsuid: 'US.6002', name: 'Other' })]);
      const result = await h.services.ingest.ingest(account, [
        direct({ lid: '600000000000001@lid', bsuid: 'US.6002', name: 'Lid holder' }),
      ]);
      expect(result.stored.messages).toBe(1);
      expect(await identityOf('lid', '600000000000001@lid')).toMatchObject({
        bsuid: 'US.6001',
        displayName: 'Lid holder',
      });
      expect(await identityOf('bsuid', 'US.6002')).toMatchObject({ lid: undefined, displayName: 'Other' });
    });
  });
});
