import { DisconnectReason, type GroupMetadata, type WAMessage } from 'baileys';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import { openServices, type Services } from '../src/services.js';
import { describeEachDatabase } from './support/databases.js';
import { type FakeSocket, FakeWhatsApp } from './support/fake-whatsapp.js';
import { type Harness, startHarness } from './support/harness.js';

const PHONE = '+14155550000';
const ME = '14155550000:3@s.whatsapp.net';
const GROUP = '120363025246125486@g.us';
const MINUTE = 60_000;

/**
 * Short waits, the default limits on chats per gap (5) and minimum gap (10 minutes), and a daily cap
 * of 8 history requests, so two gaps of five chats each run into it.
 */
const TIMING = {
  reconnectDelaysMs: [20],
  gapSettleMs: 5_000,
  gapQuietMs: 20,
  gapRequestSpacingMs: 1,
  watchdogMs: 60_000,
  watchdogCheckMs: 60_000,
  storeRetryMs: [20],
  gapRequestsPerDay: 8,
};

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One message in each of `chats` direct chats, the last one the most recent. */
function messagesInChats(chats: number, prefix: string): WAMessage[] {
  const now = Math.floor(Date.now() / 1000);
  return Array.from(
    { length: chats },
    (_, i) =>
      ({
        key: { remoteJid: `55119876500${10 + i}@s.whatsapp.net`, fromMe: false, id: `${prefix}${i}` },
        message: { conversation: `hello ${i}` },
        messageTimestamp: now + i,
      }) as WAMessage,
  );
}

describeEachDatabase('a linked-device session keeps its traffic to WhatsApp modest', (database) => {
  let h: Harness;
  let fake: FakeWhatsApp;
  let account: Account;
  beforeEach(async () => {
    fake = new FakeWhatsApp();
    fake.groups = {
      [GROUP]: {
        id: GROUP,
        subject: 'Acme rollout',
        owner: undefined,
        participants: [{ id: '4915112345678@s.whatsapp.net' }],
      } as GroupMetadata,
    };
    h = await startHarness(database, {}, { whatsappWebSocket: fake.factory, linkedDeviceTiming: TIMING });
    account = await h.createAccount(PHONE, 'linked_device');
  });
  afterEach(() => h.close());

  const store = () => h.services.store;
  const session = () => store().whatsappWebSessions.get(account.id);

  async function pairAndConnect() {
    const devices = h.services.linkedDevices;
    await devices.pair(account, { method: 'qr' }, 'rep');
    fake.current.pairSucceeds(ME);
    fake.current.close(DisconnectReason.restartRequired);
    const socket = await fake.socket(2);
    socket.open();
    await devices.idle();
    return socket;
  }

  /** The stored gap starts `minutes` ago, as after a drop that long. */
  async function gapOf(minutes: number) {
    await store().whatsappWebSessions.closeGap(account.id);
    await store().whatsappWebSessions.openGap(account.id, Date.now() - minutes * MINUTE);
  }

  /** The reconnected socket hears what came in while away, then that the offline messages are in. */
  async function catchUp(services: Services, socket: FakeSocket, messages: WAMessage[]) {
    socket.open();
    socket.emit('messages.upsert', { type: 'append', messages });
    socket.emit('connection.update', { receivedPendingNotifications: true });
    await services.linkedDevices.idle();
  }

  it('asks nothing for a short gap: WhatsApp delivers what was missed on its own', async () => {
    const first = await pairAndConnect();
    first.close(DisconnectReason.connectionLost);
    await h.services.linkedDevices.idle();
    await gapOf(3);
    const second = await fake.socket(3);
    await catchUp(h.services, second, messagesInChats(2, 'S'));
    await pause(100);
    await h.services.linkedDevices.idle();
    expect(second.historyRequests).toEqual([]);
    expect((await session())?.gapSince).toBeUndefined();
  });

  it('fills a long gap for the five most recently active chats only', async () => {
    const first = await pairAndConnect();
    first.close(DisconnectReason.connectionLost);
    await h.services.linkedDevices.idle();
    await gapOf(30);
    const second = await fake.socket(3);
    await catchUp(h.services, second, messagesInChats(7, 'L'));
    await until(() => second.historyRequests.length >= 5, 'the history requests');
    await pause(50);
    expect(second.historyRequests.map((r) => r.key.id)).toEqual(['L6', 'L5', 'L4', 'L3', 'L2']);
  });

  it('holds the daily cap on history requests across a restart', async () => {
    const first = await pairAndConnect();
    first.close(DisconnectReason.connectionLost);
    await h.services.linkedDevices.idle();
    await gapOf(30);
    const second = await fake.socket(3);
    await catchUp(h.services, second, messagesInChats(7, 'D'));
    await until(() => second.historyRequests.length >= 5, 'the first gap’s requests');
    await h.services.linkedDevices.stop();

    // Another process takes over after another long gap: three requests are left of the eight.
    const later = new FakeWhatsApp();
    const other = await openServices(h.config, pino({ level: 'silent' }), {
      whatsappWebSocket: later.factory,
      linkedDeviceTiming: TIMING,
    });
    try {
      await gapOf(45);
      await other.linkedDevices.tend();
      const resumed = await later.socket(1);
      await catchUp(other, resumed, messagesInChats(7, 'E'));
      await until(() => resumed.historyRequests.length >= 3, 'the second gap’s requests');
      await pause(100);
      await other.linkedDevices.idle();
      expect(resumed.historyRequests).toHaveLength(3);
    } finally {
      await other.close();
    }
  });

  it('fetches the groups once after pairing, then only a group the library says changed', async () => {
    const paired = await pairAndConnect();
    expect(paired.groupFetches).toEqual(['all']);
    expect((await session())?.groupsFetchedAt).toBeInstanceOf(Date);
    paired.close(DisconnectReason.connectionLost);
    const again = await fake.socket(3);
    again.open();
    await h.services.linkedDevices.idle();
    expect(again.groupFetches).toEqual([]);

    // The subject changed on the phone: the notice names the group, which is looked up alone.
    fake.groups[GROUP] = { ...(fake.groups[GROUP] as GroupMetadata), subject: 'Acme go-live' };
    again.emit('groups.update', [{ id: GROUP, subject: 'Acme go-live' }]);
    await h.services.linkedDevices.idle();
    expect(again.groupFetches).toEqual([GROUP]);
    const [group] = await store()
      .sql.db.selectFrom('chats')
      .selectAll()
      .where('account_id', '=', account.id)
      .execute();
    expect(group).toMatchObject({ kind: 'group', title: 'Acme go-live' });
    expect(await store().chats.participants(group?.id ?? '')).toHaveLength(1);
  });
});
