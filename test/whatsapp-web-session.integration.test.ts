import { createHash, randomBytes } from 'node:crypto';
import { aesEncryptGCM, BufferJSON, DisconnectReason, hmacSign, proto, type WAMessage } from 'baileys';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import { openServices } from '../src/services.js';
import type { PairingUpdate } from '../src/sources/whatsapp-web/session.js';
import { describeEachDatabase } from './support/databases.js';
import { FakeWhatsApp } from './support/fake-whatsapp.js';
import { type Harness, startHarness } from './support/harness.js';

const PHONE = '+14155550000';
const ME = '14155550000:3@s.whatsapp.net';
const ANA_PN = '5511987654321@s.whatsapp.net';
const ANA_LID = '123456789@lid';
const GROUP = '120363025246125486@g.us';

/** Short waits, so reconnects and gap fills happen within a test; every gap is filled, however short. */
const TIMING = {
  gapMinMs: 0,
  reconnectDelaysMs: [20],
  gapSettleMs: 5_000,
  gapQuietMs: 20,
  gapRequestSpacingMs: 1,
  watchdogMs: 60_000,
  watchdogCheckMs: 60_000,
  storeRetryMs: [20],
};

/**
 * A poll vote encrypted as a voter's phone encrypts it: AES-GCM under a key derived from the poll's
 * secret and the poll's id, creator and voter (the reverse of the library's `decryptPollVote`,
 * WhiskeySockets/Baileys src/Utils/process-message.ts); options go as SHA-256 hashes of their names.
 */
function encryptVote(
  options: string[],
  poll: { pollId: string; creator: string; voter: string; secret: Uint8Array },
): proto.Message.IPollEncValue {
  const plain = proto.Message.PollVoteMessage.encode({
    selectedOptions: options.map((name) => createHash('sha256').update(name).digest()),
  }).finish();
  const sign = Buffer.concat([
    Buffer.from(poll.pollId),
    Buffer.from(poll.creator),
    Buffer.from(poll.voter),
    Buffer.from('Poll Vote'),
    new Uint8Array([1]),
  ]);
  const key = hmacSign(sign, hmacSign(poll.secret, new Uint8Array(32)));
  const iv = randomBytes(12);
  const aad = Buffer.from(`${poll.pollId}\u0000${poll.voter}`);
  return { encPayload: aesEncryptGCM(plain, key, iv, aad), encIv: iv };
}

/** Waits until `check` holds (the session works in the background), or fails after a while. */
async function until(check: () => boolean, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const text = (
  remoteJid: string,
  id: string,
  words: string,
  at: number,
  extra: Partial<WAMessage> & { participant?: string; participantAlt?: string; fromMe?: boolean } = {},
): WAMessage => {
  const { participant, participantAlt, fromMe, ...rest } = extra;
  return {
    key: { remoteJid, fromMe: fromMe ?? false, id, participant, participantAlt },
    message: { conversation: words },
    messageTimestamp: at,
    ...rest,
  } as WAMessage;
};

describeEachDatabase('a linked-device session driven by the library events', (database) => {
  let h: Harness;
  let fake: FakeWhatsApp;
  let account: Account;
  beforeEach(async () => {
    fake = new FakeWhatsApp();
    h = await startHarness(database, {}, { whatsappWebSocket: fake.factory, linkedDeviceTiming: TIMING });
    account = await h.createAccount(PHONE, 'linked_device');
  });
  afterEach(() => h.close());

  const devices = () => h.services.linkedDevices;
  const store = () => h.services.store;
  const session = () => store().whatsappWebSessions.get(account.id);
  const messages = () =>
    store()
      .sql.db.selectFrom('messages')
      .select(['source_message_id', 'chat_id', 'text', 'sender_name', 'from_me'])
      .where('account_id', '=', account.id)
      .orderBy('sent_at')
      .execute();
  const chats = () =>
    store().sql.db.selectFrom('chats').selectAll().where('account_id', '=', account.id).execute();

  /** Pairs by QR code the way the phone does it: scan, the library's restart, then open. */
  async function pairAndConnect(updates: PairingUpdate[] = []) {
    const running = await devices().pair(account, { method: 'qr' }, 'admin@example.com');
    running.onPairing((update) => updates.push(update));
    const first = fake.current;
    first.emit('connection.update', { qr: 'QR-1' });
    first.emit('connection.update', { qr: 'QR-2' });
    await devices().idle();
    first.pairSucceeds(ME);
    first.close(DisconnectReason.restartRequired, 'Stream Errored (restart required)');
    const second = await fake.socket(2);
    second.open();
    await devices().idle();
    return second;
  }

  it('pairs by QR code, and resumes in a new process from the stored auth state without pairing again', async () => {
    const updates: PairingUpdate[] = [];
    await pairAndConnect(updates);
    expect(updates).toEqual([
      { type: 'qr', qr: 'QR-1' },
      { type: 'qr', qr: 'QR-2' },
      { type: 'connected', me: ME },
    ]);
    expect(await session()).toMatchObject({
      state: 'connected',
      me: ME,
      optedInBy: 'admin@example.com',
      leaseOwner: devices().owner,
    });
    const creds = JSON.stringify(fake.current.options.auth.creds, BufferJSON.replacer);

    // The process stops (its sockets end, its lease goes), and another one starts on the same store.
    await devices().stop();
    expect(await session()).toMatchObject({ state: 'disconnected', leaseOwner: undefined });
    const later = new FakeWhatsApp();
    const other = await openServices(h.config, pino({ level: 'silent' }), {
      whatsappWebSocket: later.factory,
      linkedDeviceTiming: TIMING,
    });
    try {
      await other.linkedDevices.tend();
      const resumed = await later.socket(1);
      expect(JSON.stringify(resumed.options.auth.creds, BufferJSON.replacer)).toBe(creds);
      resumed.open();
      await other.linkedDevices.idle();
      expect(resumed.pairingCodeRequests).toEqual([]);
      expect(await other.store.whatsappWebSessions.get(account.id)).toMatchObject({
        state: 'connected',
        me: ME,
        leaseOwner: other.linkedDevices.owner,
      });
      // Signal keys written by the first process open in the second.
      await fake.sockets[0]?.options.auth.keys.set({ 'sender-key-memory': { g1: { [ME]: true } } });
      expect(await resumed.options.auth.keys.get('sender-key-memory', ['g1'])).toEqual({
        g1: { [ME]: true },
      });
    } finally {
      await other.close();
    }
  });

  it('pairs with a code typed on the phone, asked for the account number', async () => {
    const updates: PairingUpdate[] = [];
    const running = await devices().pair(account, { method: 'code' }, 'rep@example.com');
    running.onPairing((update) => updates.push(update));
    fake.current.emit('connection.update', { qr: 'QR-1' });
    fake.current.emit('connection.update', { qr: 'QR-2' });
    await devices().idle();
    expect(fake.current.pairingCodeRequests).toEqual(['14155550000']);
    expect(updates).toEqual([{ type: 'code', code: 'ABCD1234' }]);
  });

  it('ends a pairing nobody completes, and lets the account pair again', async () => {
    const updates: PairingUpdate[] = [];
    const running = await devices().pair(account, { method: 'qr' }, 'rep@example.com');
    running.onPairing((update) => updates.push(update));
    fake.current.emit('connection.update', { qr: 'QR-1' });
    fake.current.close(DisconnectReason.timedOut, 'QR refs attempts ended');
    await running.idle();
    expect(updates.at(-1)).toMatchObject({ type: 'failed', code: 'pairing_timeout' });
    expect(await session()).toMatchObject({ state: 'unpaired', leaseOwner: undefined });
    expect(devices().get(account.id)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(fake.sockets).toHaveLength(1); // no reconnect loop showing QR codes to nobody
    await devices().pair(account, { method: 'qr' }, 'rep@example.com');
    expect(fake.sockets).toHaveLength(2);
  });

  it('stores a group conversation with its subject and named participants, both directions', async () => {
    const socket = await pairAndConnect();
    socket.emit('groups.upsert', [
      {
        id: GROUP,
        subject: 'Acme rollout',
        owner: undefined,
        participants: [
          { id: ANA_LID, phoneNumber: ANA_PN },
          { id: '4915112345678@s.whatsapp.net' },
          { id: ME.replace(':3', '') },
        ],
      },
    ]);
    socket.emit('contacts.upsert', [
      { id: '4915112345678@s.whatsapp.net', name: 'Jonas (Acme)' },
      { id: ANA_LID, phoneNumber: ANA_PN, notify: 'Ana' },
    ]);
    const at = 1_795_000_000;
    socket.emit('messages.upsert', {
      type: 'notify',
      messages: [
        text(GROUP, 'G1', 'When do we start?', at, {
          participant: ANA_LID,
          participantAlt: ANA_PN,
          pushName: 'Ana',
        }),
        text(GROUP, 'G2', 'Monday works for us', at + 60, {
          participant: '4915112345678@s.whatsapp.net',
          pushName: 'Jonas',
        }),
      ],
    });
    // Sent from the phone: arrives as an append, from me.
    socket.emit('messages.upsert', {
      type: 'append',
      messages: [text(GROUP, 'G3', 'Monday it is', at + 120, { fromMe: true })],
    });
    await devices().idle();

    const [group, ...others] = await chats();
    expect(others).toEqual([]);
    expect(group).toMatchObject({ kind: 'group', title: 'Acme rollout' });
    const people = await store().chats.participants(group?.id ?? '');
    expect(
      people
        .map((p) => ({ phone: p.phone, name: p.displayName }))
        .sort((a, b) => String(a.phone).localeCompare(String(b.phone))),
    ).toEqual([
      { phone: '+14155550000', name: undefined },
      // The name the rep saved in the address book, not the push name his messages carry.
      { phone: '+4915112345678', name: 'Jonas (Acme)' },
      { phone: '+5511987654321', name: 'Ana' },
    ]);
    expect(await messages()).toEqual([
      {
        source_message_id: 'G1',
        chat_id: group?.id,
        text: 'When do we start?',
        sender_name: 'Ana',
        from_me: expect.anything(),
      },
      {
        source_message_id: 'G2',
        chat_id: group?.id,
        text: 'Monday works for us',
        sender_name: 'Jonas',
        from_me: expect.anything(),
      },
      {
        source_message_id: 'G3',
        chat_id: group?.id,
        text: 'Monday it is',
        sender_name: null,
        from_me: expect.anything(),
      },
    ]);
    expect((await messages()).map((m) => Boolean(m.from_me))).toEqual([false, false, true]);
  });

  it('names a person by the rep’s address book over any push name, before or after', async () => {
    const socket = await pairAndConnect();
    const person = () => store().identities.findByKey(h.services.workspace.id, 'phone', '+5511987654321');
    socket.emit('messages.upsert', {
      type: 'notify',
      messages: [text(ANA_PN, 'N1', 'hi', 1_795_000_000, { pushName: 'Ana 🌸' })],
    });
    await devices().idle();
    expect(await person()).toMatchObject({ displayName: 'Ana 🌸' });
    // Saved in the phone's address book (the app state sync's contact action).
    socket.emit('contacts.upsert', [{ id: ANA_PN, name: 'Ana Souza (Acme)', notify: 'Ana 🌸' }]);
    await devices().idle();
    expect(await person()).toMatchObject({ displayName: 'Ana Souza (Acme)' });
    // She changes her push name; her next message carries it: the saved name stays.
    socket.emit('contacts.update', [{ id: ANA_PN, notify: 'Ana S.' }]);
    socket.emit('messages.upsert', {
      type: 'notify',
      messages: [text(ANA_PN, 'N2', 'again', 1_795_000_060, { pushName: 'Ana S.' })],
    });
    await devices().idle();
    expect(await person()).toMatchObject({ displayName: 'Ana Souza (Acme)' });
    // The rep renames her in the address book: that wins.
    socket.emit('contacts.update', [{ id: ANA_PN, name: 'Ana Souza' }]);
    await devices().idle();
    expect(await person()).toMatchObject({ displayName: 'Ana Souza' });
  });

  it('records poll votes with the options chosen, read with the poll’s key or handed over by the library', async () => {
    const socket = await pairAndConnect();
    const JONAS = '4915112345678@s.whatsapp.net';
    const secret = randomBytes(32);
    const at = 1_795_000_000;
    socket.emit('messages.upsert', {
      type: 'notify',
      messages: [
        {
          key: { remoteJid: GROUP, participant: ANA_PN, fromMe: false, id: 'Q1' },
          message: {
            pollCreationMessageV3: {
              name: 'Which day?',
              options: [{ optionName: 'Monday' }, { optionName: 'Friday' }],
              selectableOptionsCount: 1,
            },
            messageContextInfo: { messageSecret: secret },
          },
          messageTimestamp: at,
        } as WAMessage,
      ],
    });
    await devices().idle();
    // Jonas votes from his phone: the vote is encrypted for the poll, as WhatsApp sends it.
    socket.emit('messages.upsert', {
      type: 'notify',
      messages: [
        {
          key: { remoteJid: GROUP, participant: JONAS, fromMe: false, id: 'V1' },
          message: {
            pollUpdateMessage: {
              pollCreationMessageKey: { remoteJid: GROUP, participant: ANA_PN, id: 'Q1' },
              vote: encryptVote(['Friday'], { pollId: 'Q1', creator: ANA_PN, voter: JONAS, secret }),
            },
          },
          messageTimestamp: at + 60,
        } as WAMessage,
      ],
    });
    // A library version that reads votes itself hands them over on the poll's key.
    socket.emit('messages.update', [
      {
        key: { remoteJid: GROUP, participant: ANA_PN, fromMe: false, id: 'Q1' },
        update: {
          pollUpdates: [
            {
              pollUpdateMessageKey: { remoteJid: GROUP, participant: ANA_PN, fromMe: false, id: 'V2' },
              vote: { selectedOptions: [createHash('sha256').update('Monday').digest()] },
              senderTimestampMs: (at + 120) * 1000,
            },
          ],
        },
      },
    ]);
    await devices().idle();
    const byId = Object.fromEntries((await messages()).map((m) => [m.source_message_id, m.text]));
    expect(byId).toEqual({
      Q1: '📊 Which day?\n• Monday\n• Friday',
      V1: '🗳 Voted: Friday',
      V2: '🗳 Voted: Monday',
    });
  });

  it('keeps a chat that starts under a @lid one chat once the library maps it to a phone', async () => {
    const socket = await pairAndConnect();
    socket.emit('messages.upsert', {
      type: 'notify',
      messages: [text(ANA_LID, 'L1', 'hi, under my lid', 1_795_000_000, { pushName: 'Ana' })],
    });
    await devices().idle();
    socket.emit('lid-mapping.update', { lid: ANA_LID, pn: ANA_PN });
    socket.emit('messages.upsert', {
      type: 'notify',
      messages: [text(ANA_PN, 'L2', 'and now by phone', 1_795_000_060, { pushName: 'Ana' })],
    });
    // Another person, met in history with the mapping alongside.
    socket.emit('messaging-history.set', {
      chats: [],
      contacts: [],
      messages: [text('777@lid', 'L3', 'old, under a lid', 1_790_000_000)],
      lidPnMappings: [{ lid: '777@lid', pn: '4915199999999@s.whatsapp.net' }],
      syncType: proto.HistorySync.HistorySyncType.RECENT,
      chunkOrder: 1,
      progress: 100,
    });
    await devices().idle();
    const list = await chats();
    expect(list).toHaveLength(2);
    const ana = await store().identities.findByKey(h.services.workspace.id, 'lid', ANA_LID);
    expect(ana).toMatchObject({ phone: '+5511987654321', lid: ANA_LID });
    const byMessage = Object.fromEntries((await messages()).map((m) => [m.source_message_id, m.chat_id]));
    expect(byMessage.L1).toBe(byMessage.L2);
    expect(await store().identities.findByKey(h.services.workspace.id, 'lid', '777@lid')).toMatchObject({
      phone: '+4915199999999',
    });
  });

  it('stores a history chunk delivered twice once, with the progress on the account', async () => {
    const socket = await pairAndConnect();
    const chunk = (order: number, progress: number, ids: string[]) => ({
      chats: [{ id: GROUP, name: 'Old team' }],
      contacts: [{ id: ANA_PN, name: 'Ana Souza' }],
      messages: ids.map((id, i) => text(ANA_PN, id, `history ${id}`, 1_790_000_000 + order * 1000 + i)),
      syncType: proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
      chunkOrder: order,
      progress,
      isLatest: true,
    });
    socket.emit('messaging-history.set', chunk(1, 40, ['H1', 'H2', 'H3']));
    socket.emit('messaging-history.set', chunk(1, 40, ['H1', 'H2', 'H3']));
    await devices().idle();
    expect((await session())?.history.bootstrap).toEqual({
      chunks: [1],
      messages: 3,
      progress: 40,
      complete: false,
    });
    socket.emit('messaging-history.set', chunk(2, 100, ['H4']));
    await devices().idle();

    expect((await messages()).map((m) => m.source_message_id)).toEqual(['H1', 'H2', 'H3', 'H4']);
    expect((await session())?.history.bootstrap).toEqual({
      chunks: [1, 2],
      messages: 4,
      progress: 100,
      complete: true,
    });
    expect((await chats()).find((c) => c.kind === 'group')?.title).toBe('Old team');
    expect(
      await store().identities.findByKey(h.services.workspace.id, 'phone', '+5511987654321'),
    ).toMatchObject({
      displayName: 'Ana Souza',
    });
  });

  it('reconnects after a drop and fills the gap from the phone: no hole, no duplicate', async () => {
    const first = await pairAndConnect();
    const now = Math.floor(Date.now() / 1000);
    first.emit('messages.upsert', {
      type: 'notify',
      messages: [text(ANA_PN, 'M1', 'one', now - 60), text(ANA_PN, 'M2', 'two', now - 50)],
    });
    await devices().idle();
    first.close(DisconnectReason.connectionLost, 'Connection was lost');
    await devices().idle();
    const dropped = await session();
    expect(dropped).toMatchObject({ state: 'disconnected' });
    expect(dropped?.reason).toMatch(/connection was lost.*Reconnecting in/i);
    expect(dropped?.gapSince).toBeInstanceOf(Date);

    // Back: the phone delivers a new message and one already stored; then the pending ones are in.
    const second = await fake.socket(3);
    second.open();
    second.emit('messages.upsert', {
      type: 'append',
      messages: [text(ANA_PN, 'M5', 'five', now + 30), text(ANA_PN, 'M2', 'two', now - 50)],
    });
    second.emit('connection.update', { receivedPendingNotifications: true });
    await until(() => second.historyRequests.length > 0, 'the history request');
    await devices().idle();
    expect(second.historyRequests).toHaveLength(1);
    const request = second.historyRequests[0];
    expect(request).toMatchObject({
      count: 50,
      key: { remoteJid: ANA_PN, id: 'M5' },
      timestampMs: (now + 30) * 1000,
    });

    // The phone answers with what came before M5: the two missed, and one already stored.
    second.emit('messaging-history.set', {
      chats: [],
      contacts: [],
      messages: [
        text(ANA_PN, 'M3', 'three', now + 5),
        text(ANA_PN, 'M4', 'four', now + 10),
        text(ANA_PN, 'M2', 'two', now - 50),
      ],
      syncType: proto.HistorySync.HistorySyncType.ON_DEMAND,
      peerDataRequestSessionId: request?.id ?? null,
    });
    await devices().idle();
    expect((await messages()).map((m) => m.source_message_id)).toEqual(['M1', 'M2', 'M3', 'M4', 'M5']);
    expect(await session()).toMatchObject({ state: 'connected', gapSince: undefined });
    expect((await session())?.history.on_demand).toMatchObject({ messages: 3 });
  });

  it('asks again while a full answer still ends inside the gap', async () => {
    const first = await pairAndConnect();
    const now = Math.floor(Date.now() / 1000);
    first.emit('messages.upsert', { type: 'notify', messages: [text(ANA_PN, 'OLD', 'before', now - 600)] });
    await devices().idle();
    first.close(DisconnectReason.connectionClosed);
    const second = await fake.socket(3);
    second.open();
    second.emit('messages.upsert', { type: 'append', messages: [text(ANA_PN, 'NEW', 'after', now + 600)] });
    second.emit('connection.update', { receivedPendingNotifications: true });
    await until(() => second.historyRequests.length > 0, 'the history request');
    const full = Array.from({ length: 50 }, (_, i) => text(ANA_PN, `F${i}`, `missed ${i}`, now + 100 + i));
    second.emit('messaging-history.set', {
      chats: [],
      contacts: [],
      messages: full,
      syncType: proto.HistorySync.HistorySyncType.ON_DEMAND,
      peerDataRequestSessionId: second.historyRequests[0]?.id ?? null,
    });
    await until(() => second.historyRequests.length > 1, 'the second history request');
    await devices().idle();
    expect(second.historyRequests).toHaveLength(2);
    expect(second.historyRequests[1]?.key.id).toBe('F0');
    expect((await session())?.gapSince).toBeInstanceOf(Date);
    second.emit('messaging-history.set', {
      chats: [],
      contacts: [],
      messages: [text(ANA_PN, 'E1', 'early in the gap', now + 1)],
      syncType: proto.HistorySync.HistorySyncType.ON_DEMAND,
      peerDataRequestSessionId: second.historyRequests[1]?.id ?? null,
    });
    await devices().idle();
    expect((await session())?.gapSince).toBeUndefined();
    expect(await messages()).toHaveLength(53);
  });

  it('stores what the library still buffered when the socket closed', async () => {
    const socket = await pairAndConnect();
    // While the library buffers (offline catch-up), a message arrives; then the connection drops.
    socket.ev.buffer();
    socket.emit('messages.upsert', {
      type: 'append',
      messages: [text(ANA_PN, 'B1', 'delivered just before the drop', 1_795_000_000)],
    });
    socket.close(DisconnectReason.connectionLost);
    await devices().idle();
    expect((await messages()).map((m) => m.source_message_id)).toEqual(['B1']);
  });

  it('learns the @lid ↔ phone pairs the library keeps to itself, from the keys it stores', async () => {
    const socket = await pairAndConnect();
    socket.emit('messages.upsert', {
      type: 'notify',
      messages: [text(ANA_LID, 'K1', 'under the lid', 1_795_000_000)],
    });
    socket.emit('messages.upsert', {
      type: 'notify',
      messages: [text(ANA_PN, 'K2', 'by phone', 1_795_000_060)],
    });
    await devices().idle();
    expect(await chats()).toHaveLength(2);
    // What the library writes when it learns a mapping from a message key or a history sync.
    await socket.options.auth.keys.set({
      'lid-mapping': { '5511987654321': '123456789', '123456789_reverse': '5511987654321' },
    });
    await devices().idle();
    expect(await chats()).toHaveLength(1);
    expect(await store().identities.findByKey(h.services.workspace.id, 'lid', ANA_LID)).toMatchObject({
      phone: '+5511987654321',
    });
  });

  it('keeps the key fields the protobuf form drops, so a stored message can be read back whole', async () => {
    const socket = await pairAndConnect();
    socket.emit('messages.upsert', {
      type: 'notify',
      messages: [
        {
          ...text(ANA_LID, 'R1', 'hello', 1_795_000_000),
          key: { remoteJid: ANA_LID, remoteJidAlt: ANA_PN, fromMe: false, id: 'R1', addressingMode: 'lid' },
        } as WAMessage,
      ],
    });
    await devices().idle();
    expect(await store().messages.rawOf(account.id, 'R1')).toMatchObject({
      key: { remoteJid: ANA_LID, remoteJidAlt: ANA_PN, id: 'R1', addressingMode: 'lid' },
      message: { conversation: 'hello' },
    });
  });

  it('stops for good when the phone logs the device out, and forgets the keys', async () => {
    const socket = await pairAndConnect();
    await fake.current.options.auth.keys.set({ session: { [ANA_PN]: Buffer.from('signal session') } });
    socket.close(DisconnectReason.loggedOut, 'Connection Failure');
    await devices().idle();
    expect(await session()).toMatchObject({
      state: 'logged_out',
      statusCode: 401,
      me: undefined,
      leaseOwner: undefined,
    });
    expect((await session())?.reason).toMatch(/Linked devices/);
    expect(await store().whatsappWebAuth.count(account.id)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(fake.sockets).toHaveLength(2);
    expect(await store().whatsappWebSessions.paired()).toEqual([]);
  });

  it('unlinks on request: the device is logged out on WhatsApp and the session forgotten', async () => {
    const socket = await pairAndConnect();
    expect(await store().whatsappWebAuth.count(account.id)).toBeGreaterThan(0);
    await devices().unlink(account);
    expect(socket.loggedOut).toBe(true);
    expect(await session()).toMatchObject({ state: 'logged_out', me: undefined, leaseOwner: undefined });
    expect(await store().whatsappWebAuth.count(account.id)).toBe(0);
  });

  it('says so when unlinking a session that is not connected: the phone must remove it too', async () => {
    await pairAndConnect();
    await devices().stop();
    await devices().unlink(account);
    const gone = await session();
    expect(gone).toMatchObject({ state: 'logged_out', me: undefined });
    expect(gone?.reason).toMatch(/while not connected: remove it on the phone too/);
    expect(await store().whatsappWebAuth.count(account.id)).toBe(0);
  });

  it('refuses to pair an account that is linked already, or one of another kind', async () => {
    await pairAndConnect();
    await expect(devices().pair(account, { method: 'qr' }, 'x')).rejects.toMatchObject({ code: 'conflict' });
    const rest = await h.createAccount('+14155559999', 'rest');
    await expect(devices().pair(rest, { method: 'qr' }, 'x')).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('leaves a session another process holds alone, and hands the pairing to that process', async () => {
    await store().whatsappWebSessions.ensure(account.id);
    expect(await store().whatsappWebSessions.acquireLease(account.id, 'other-process', 60_000)).toEqual({
      previous: undefined,
    });
    await devices().pair(account, { method: 'code' }, 'x');
    expect(fake.sockets).toEqual([]);
    expect((await session())?.request).toMatchObject({ kind: 'pair', method: 'code', doneAt: undefined });
    await devices().serveRequests();
    expect(fake.sockets).toEqual([]);
    expect((await session())?.leaseOwner).toBe('other-process');
  });
});

describeEachDatabase('the linked-device watchdog', (database) => {
  let h: Harness;
  let fake: FakeWhatsApp;
  beforeEach(async () => {
    fake = new FakeWhatsApp();
    h = await startHarness(
      database,
      {},
      {
        whatsappWebSocket: fake.factory,
        linkedDeviceTiming: { ...TIMING, watchdogMs: 150, watchdogCheckMs: 20 },
      },
    );
  });
  afterEach(() => h.close());

  it('recycles a socket that looks open but receives nothing, and not one that hears keep-alives', async () => {
    const account = await h.createAccount(PHONE, 'linked_device');
    const devices = h.services.linkedDevices;
    await devices.pair(account, { method: 'qr' }, 'rep');
    fake.current.pairSucceeds(ME);
    fake.current.close(DisconnectReason.restartRequired);
    const live = await fake.socket(2);
    live.open();
    // Frames keep arriving for a while: the socket is alive.
    for (let i = 0; i < 10; i++) {
      live.frame();
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    expect(live.ended).toBeUndefined();
    // Then nothing: recycled, and a new socket connects.
    const next = await fake.socket(3);
    expect(live.ended?.error?.message).toBe('no sign of life');
    next.open();
    await devices.idle();
    expect(await h.services.store.whatsappWebSessions.get(account.id)).toMatchObject({ state: 'connected' });
  });
});
