import { DisconnectReason, proto, type WAMessage } from 'baileys';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import { SecretBox } from '../src/core/secret-box.js';
import { buildApp } from '../src/server/app.js';
import { openServices, type Services } from '../src/services.js';
import { storedAuthState } from '../src/sources/whatsapp-web/auth-state.js';
import type { PairingUpdate } from '../src/sources/whatsapp-web/session.js';
import { LinkedDevices, type LinkedDevicesOptions } from '../src/sources/whatsapp-web/sessions.js';
import { describeEachDatabase } from './support/databases.js';
import { FakeWhatsApp } from './support/fake-whatsapp.js';
import { type Harness, startHarness } from './support/harness.js';

/**
 * Scale mode: several processes on one database, each linked-device session held by one of them. A
 * lease of 1.5 s (renewed every 500 ms, its socket dropped 250 ms before it runs out unrenewed) and
 * requests looked for every 20 ms keep the hand-overs within a test, with room for a loaded machine.
 */
const LEASE_MS = 1_500;
const TIMING = {
  gapMinMs: 0,
  reconnectDelaysMs: [20],
  gapSettleMs: 5_000,
  gapQuietMs: 20,
  gapRequestSpacingMs: 1,
  watchdogMs: 60_000,
  watchdogCheckMs: 60_000,
  storeRetryMs: [20],
  random: () => 0.5,
};
const ANA = '5511987654321@s.whatsapp.net';

/** Waits until `check` holds (other processes work in the background), or fails after a while. */
async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const text = (id: string, words: string, at: number): WAMessage =>
  ({
    key: { remoteJid: ANA, fromMe: false, id },
    message: { conversation: words },
    messageTimestamp: at,
  }) as WAMessage;

/** The events of a server-sent event stream, in order. */
function events(body: string): { event: string; data: Record<string, unknown> }[] {
  return body
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => ({
      event: /^event: (.+)$/m.exec(block)?.[1] ?? 'message',
      data: JSON.parse(/^data: (.+)$/m.exec(block)?.[1] ?? '{}') as Record<string, unknown>,
    }));
}

describeEachDatabase('linked-device sessions shared by several processes', (database) => {
  let h: Harness;
  const running: LinkedDevices[] = [];
  const others: Services[] = [];
  beforeEach(async () => {
    h = await startHarness(database);
  });
  afterEach(async () => {
    for (const devices of running.splice(0)) await devices.stop().catch(() => undefined);
    for (const services of others.splice(0)) await services.close().catch(() => undefined);
    await h.close();
  });

  const store = () => h.services.store;
  const session = (account: Account) => store().whatsappWebSessions.get(account.id);

  /** A process's linked devices: a worker (started by the test) or, with holdsSessions false, an API. */
  function linkedDevices(
    fake: FakeWhatsApp,
    options: Partial<LinkedDevicesOptions> = {},
    services = h.services,
  ) {
    const devices = new LinkedDevices({
      store: services.store,
      ingest: services.ingest,
      box: new SecretBox(services.secretKey),
      factory: fake.factory,
      logger: pino({ level: 'silent' }),
      leaseMs: LEASE_MS,
      requestPollMs: 20,
      timing: TIMING,
      ...options,
    });
    running.push(devices);
    return devices;
  }

  /** An account whose device was paired before (its keys stored), not running anywhere. */
  async function pairedAccount(phone: string): Promise<Account> {
    const account = await h.createAccount(phone, 'linked_device');
    const auth = await storedAuthState({
      accountId: account.id,
      repository: store().whatsappWebAuth,
      box: new SecretBox(h.services.secretKey),
    });
    const me = `${phone.slice(1)}:3@s.whatsapp.net`;
    auth.state.creds.me = { id: me, lid: '999000111:3@lid' };
    auth.state.creds.account = {
      details: Buffer.from('signed device identity'),
      accountSignatureKey: Buffer.alloc(32, 1),
      accountSignature: Buffer.alloc(64, 2),
      deviceSignature: Buffer.alloc(64, 3),
    };
    await auth.saveCreds();
    await store().whatsappWebSessions.ensure(account.id);
    await store().whatsappWebSessions.setState(account.id, { state: 'disconnected', me });
    return account;
  }

  it('holds each session in exactly one worker, each taking up to its cap', async () => {
    const accounts = await Promise.all(
      ['+14155550001', '+14155550002', '+14155550003', '+14155550004', '+14155550005'].map(pairedAccount),
    );
    const fakeA = new FakeWhatsApp();
    const fakeB = new FakeWhatsApp();
    const a = linkedDevices(fakeA, { maxSessions: 2 });
    const b = linkedDevices(fakeB, { maxSessions: 2 });
    a.start();
    b.start();
    await until(() => fakeA.sockets.length === 2 && fakeB.sockets.length === 2, 'both workers at their cap');
    // Both keep renewing; nobody takes what the other holds, and the fifth waits for a free place.
    await a.tend();
    await b.tend();
    await a.tend();
    expect(fakeA.sockets).toHaveLength(2);
    expect(fakeB.sockets).toHaveLength(2);
    const owners = await Promise.all(accounts.map(async (account) => (await session(account))?.leaseOwner));
    const heldBy = (owner: string) => accounts.filter((_, i) => owners[i] === owner).map((x) => x.id);
    expect(heldBy(a.owner)).toHaveLength(2);
    expect(heldBy(b.owner)).toHaveLength(2);
    expect(owners.filter((owner) => owner === undefined)).toHaveLength(1);
    for (const [i, account] of accounts.entries()) {
      const holders = [a, b].filter((devices) => devices.get(account.id) !== undefined);
      expect(holders.map((devices) => devices.owner)).toEqual(owners[i] === undefined ? [] : [owners[i]]);
    }
    // A worker with room takes the one left waiting.
    const c = linkedDevices(new FakeWhatsApp());
    await c.tend();
    const waiting = accounts.find((_, i) => owners[i] === undefined) as Account;
    expect((await session(waiting))?.leaseOwner).toBe(c.owner);
    expect(c.get(waiting.id)).toBeDefined();
  });

  it('moves the session of a worker that dies to another, which reconnects and fills the gap', async () => {
    const account = await pairedAccount('+14155550000');
    // The first worker has its own connection pool, as a process of its own does.
    const servicesA = await openServices(h.config, pino({ level: 'silent' }));
    others.push(servicesA);
    const fakeA = new FakeWhatsApp();
    const fakeB = new FakeWhatsApp();
    const a = linkedDevices(fakeA, {}, servicesA);
    const b = linkedDevices(fakeB);
    a.start();
    const first = await fakeA.socket(1);
    first.open();
    const now = Math.floor(Date.now() / 1000);
    first.emit('messages.upsert', { type: 'notify', messages: [text('M1', 'one', now - 60)] });
    await a.idle();
    expect(await session(account)).toMatchObject({ state: 'connected', leaseOwner: a.owner });
    b.start();
    await b.tend();
    expect(fakeB.sockets).toHaveLength(0);

    // The first worker loses its database (as a process that dies stops renewing): it drops its socket
    // before its lease runs out, and the other takes the session over once it has.
    const lastRenewal = Date.now();
    await servicesA.store.close();
    const second = await fakeB.socket(1);
    expect(first.ended).toBeDefined();
    expect(a.get(account.id)).toBeUndefined();
    await until(async () => (await session(account))?.state === 'connecting', 'the new holder connecting');
    const taken = await session(account);
    expect(taken?.leaseOwner).toBe(b.owner);
    // The gap starts at the dead holder's last renewal: at most a lease before it was found dead.
    expect(taken?.gapSince?.getTime()).toBeLessThanOrEqual(lastRenewal);
    expect(taken?.gapSince?.getTime()).toBeGreaterThan(lastRenewal - LEASE_MS);

    // Connected again from the stored keys, the new holder asks the phone what the chat missed.
    second.open();
    second.emit('messages.upsert', { type: 'append', messages: [text('M3', 'three', now + 30)] });
    second.emit('connection.update', { receivedPendingNotifications: true });
    await until(() => second.historyRequests.length > 0, 'the history request');
    const request = second.historyRequests[0];
    expect(request).toMatchObject({ key: { remoteJid: ANA, id: 'M3' } });
    second.emit('messaging-history.set', {
      chats: [],
      contacts: [],
      messages: [text('M2', 'two, while nobody held the session', now + 5)],
      syncType: proto.HistorySync.HistorySyncType.ON_DEMAND,
      peerDataRequestSessionId: request?.id ?? null,
    });
    await b.idle();
    const stored = await store()
      .sql.db.selectFrom('messages')
      .select('source_message_id')
      .where('account_id', '=', account.id)
      .orderBy('sent_at')
      .execute();
    expect(stored.map((m) => m.source_message_id)).toEqual(['M1', 'M2', 'M3']);
    expect(await session(account)).toMatchObject({
      state: 'connected',
      gapSince: undefined,
      leaseOwner: b.owner,
    });
  });

  it('drops the socket at once, writing nothing, when another process took the lease', async () => {
    const account = await pairedAccount('+14155550000');
    const fake = new FakeWhatsApp();
    const a = linkedDevices(fake);
    a.start();
    (await fake.socket(1)).open();
    await a.idle();
    const before = await session(account);
    expect(before).toMatchObject({ state: 'connected', leaseOwner: a.owner });
    // Another process holds the lease now (as after a pause longer than the lease: a stalled host).
    await store().whatsappWebSessions.releaseLease(account.id, a.owner);
    expect(
      await store().whatsappWebSessions.acquireLease(account.id, 'another-process', 60_000),
    ).toBeDefined();
    await until(() => fake.current.ended !== undefined, 'the socket to end');
    expect(a.get(account.id)).toBeUndefined();
    await a.idle();
    await a.tend();
    expect(fake.sockets).toHaveLength(1);
    // The state is the new holder's to write: this process wrote nothing after losing it.
    expect(await session(account)).toMatchObject({
      state: 'connected',
      stateAt: before?.stateAt,
      leaseOwner: 'another-process',
    });
    // That process stops renewing: this one takes the session back, the gap counted from its last renewal.
    const lapsed = Date.now() - 1;
    await store()
      .sql.db.updateTable('whatsapp_web_sessions')
      .set({ lease_until: lapsed })
      .where('account_id', '=', account.id)
      .execute();
    await a.tend();
    expect(fake.sockets).toHaveLength(2);
    expect(await session(account)).toMatchObject({
      leaseOwner: a.owner,
      gapSince: new Date(lapsed - LEASE_MS),
    });
  });

  it('pairs from a process serving the API only: the worker makes the QR codes, read back through the store', async () => {
    const account = await h.createAccount('+5511912340000', 'linked_device');
    const workerFake = new FakeWhatsApp();
    const apiFake = new FakeWhatsApp();
    const worker = linkedDevices(workerFake);
    const api = linkedDevices(apiFake, { holdsSessions: false });
    worker.start();
    const feed = await api.pair(account, { method: 'qr' }, 'admin@example.com');
    const heard: PairingUpdate[] = [];
    feed.onPairing((update) => heard.push(update));
    const socket = await workerFake.socket(1);
    socket.emit('connection.update', { qr: '2@first-code' });
    await until(() => heard.some((u) => u.type === 'qr' && u.qr === '2@first-code'), 'the first QR code');
    // A page opened later (served by the API process) shows the current code.
    const late: PairingUpdate[] = [];
    const followed = await api.follow(account);
    followed?.onPairing((update) => late.push(update));
    await until(() => late.length > 0, 'the replayed QR code');
    expect(late[0]).toEqual({ type: 'qr', qr: '2@first-code' });
    socket.emit('connection.update', { qr: '2@second-code' });
    await until(() => heard.some((u) => u.type === 'qr' && u.qr === '2@second-code'), 'the second QR code');
    socket.pairSucceeds('5511912340000:4@s.whatsapp.net');
    socket.close(DisconnectReason.restartRequired);
    (await workerFake.socket(2)).open();
    await until(() => heard.at(-1)?.type === 'connected', 'the pairing to end');
    expect(heard.at(-1)).toEqual({ type: 'connected', me: '5511912340000:4@s.whatsapp.net' });
    await until(() => late.at(-1)?.type === 'connected', 'the late follower to hear the end');
    expect(apiFake.sockets).toHaveLength(0);
    expect(await session(account)).toMatchObject({
      state: 'connected',
      leaseOwner: worker.owner,
      optedInBy: 'admin@example.com',
      request: { kind: 'pair', method: 'qr', doneAt: expect.any(Date), error: undefined },
    });
    await expect(api.pair(account, { method: 'qr' }, 'x')).rejects.toMatchObject({ code: 'conflict' });

    // Replaced by another copy (440), resumed from the API process: the worker connects again.
    await worker.tend(); // its first pass is over
    workerFake.current.close(DisconnectReason.connectionReplaced);
    await until(async () => (await session(account))?.state === 'replaced', 'the session to stop');
    const resumed = api.resume(account);
    (await workerFake.socket(3)).open();
    await resumed;
    await until(async () => (await session(account))?.state === 'connected', 'the resumed session');
    expect(worker.get(account.id)).toBeDefined();

    // Unlinked from the API process: the worker logs the device out over its socket.
    await api.unlink(account);
    expect(workerFake.current.loggedOut).toBe(true);
    expect(await session(account)).toMatchObject({
      state: 'logged_out',
      me: undefined,
      leaseOwner: undefined,
    });
    expect(worker.get(account.id)).toBeUndefined();
    expect(apiFake.sockets).toHaveLength(0);
  });

  it('streams a pairing code to a page served by the API process', async () => {
    const account = await h.createAccount('+5511912340000', 'linked_device');
    const workerFake = new FakeWhatsApp();
    const worker = linkedDevices(workerFake);
    const api = linkedDevices(new FakeWhatsApp(), { holdsSessions: false });
    worker.start();
    const app = await buildApp({ ...h.services, linkedDevices: api }, { logger: false });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/accounts/${account.id}/pairing`, {
        method: 'POST',
        headers: { ...h.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ acceptRisk: true, method: 'code' }),
      });
      expect(response.status).toBe(200);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let body = '';
      /** Reads the stream until `what` has come (or the stream ends). */
      const readUntil = async (what: string) => {
        while (!body.includes(what)) {
          const { value, done } = await reader.read();
          if (done) return;
          body += decoder.decode(value, { stream: true });
        }
      };
      const socket = await workerFake.socket(1);
      socket.emit('connection.update', { qr: '2@ignored-code' });
      await readUntil('event: code');
      socket.pairSucceeds('5511912340000:4@s.whatsapp.net');
      socket.close(DisconnectReason.restartRequired);
      (await workerFake.socket(2)).open();
      await readUntil('event: connected');
      await readUntil('\n\n\u0000'); // to the end of the stream
      expect(events(body)).toEqual([
        { event: 'code', data: { code: 'ABCD1234' } },
        { event: 'connected', data: { me: '5511912340000:4@s.whatsapp.net' } },
      ]);
      expect(socket.pairingCodeRequests).toEqual(['5511912340000']);
    } finally {
      await app.close();
    }
  });

  it('says so when no worker takes a request from the API process', async () => {
    const account = await h.createAccount('+5511912340000', 'linked_device');
    const api = linkedDevices(new FakeWhatsApp(), { holdsSessions: false, requestTimeoutMs: 200 });
    const feed = await api.pair(account, { method: 'qr' }, 'admin@example.com');
    const heard: PairingUpdate[] = [];
    feed.onPairing((update) => heard.push(update));
    await until(() => heard.length > 0, 'the pairing to fail');
    expect(heard).toEqual([
      {
        type: 'failed',
        code: 'pairing_failed',
        reason: expect.stringMatching(
          /^No wasync process running background work took the request in 0\.2 s: is `wasync worker`/,
        ),
      },
    ]);
    await expect(api.unlink(account)).rejects.toMatchObject({ code: 'worker_unavailable' });
    // Given up on: a worker starting later does not act on it.
    const workerFake = new FakeWhatsApp();
    const worker = linkedDevices(workerFake);
    await worker.serveRequests();
    expect(workerFake.sockets).toHaveLength(0);
    expect((await session(account))?.request).toMatchObject({
      kind: 'unlink',
      error: expect.stringMatching(/in time/),
    });
  });
});
