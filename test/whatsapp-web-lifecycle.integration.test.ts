import { DisconnectReason } from 'baileys';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import { openServices } from '../src/services.js';
import { recordLidMappings } from '../src/sources/whatsapp-web/identity.js';
import type { SessionTiming } from '../src/sources/whatsapp-web/session.js';
import { describeEachDatabase } from './support/databases.js';
import { FakeWhatsApp } from './support/fake-whatsapp.js';
import { type Harness, startHarness } from './support/harness.js';

const PHONE = '+14155550000';
const ME = '14155550000:3@s.whatsapp.net';
const HOUR_MS = 60 * 60_000;

/**
 * Short waits, so reconnects happen within a test; a connection counts as stable after 300 ms; the
 * jitter is fixed (10% of each delay).
 */
const TIMING: Partial<SessionTiming> = {
  reconnectDelaysMs: [100, 400, 1_600],
  stableAfterMs: 300,
  banPauseMs: 6 * HOUR_MS,
  random: () => 0.5,
  gapSettleMs: 60_000,
  watchdogMs: 60_000,
  watchdogCheckMs: 60_000,
  storeRetryMs: [20],
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDatabase('a linked-device session across disconnects', (database) => {
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

  /** Pairs by QR code the way the phone does it (scan, the library's restart, open); the open socket. */
  async function pairAndConnect() {
    const made = fake.sockets.length;
    await devices().pair(account, { method: 'qr' }, 'admin@example.com');
    const first = fake.current;
    first.emit('connection.update', { qr: 'QR-1' });
    await devices().idle();
    first.pairSucceeds(ME);
    first.close(DisconnectReason.restartRequired, 'Stream Errored (restart required)');
    const second = await fake.socket(made + 2);
    second.open();
    await devices().idle();
    return second;
  }

  /** Closes the current socket and waits for the session to make the next one. */
  async function dropAndReconnect(statusCode: number) {
    const n = fake.sockets.length;
    fake.current.close(statusCode, 'Connection was lost');
    await devices().idle();
    const reason = (await session())?.reason;
    const next = await fake.socket(n + 1);
    return { reason, next };
  }

  it('backs off further when a connection closes right after opening, and starts over after a stable one', async () => {
    await pairAndConnect();
    // Each socket opens and is closed at once: the wait grows (100, then 400 ms; 10% jitter).
    const first = await dropAndReconnect(DisconnectReason.connectionLost);
    expect(first.reason).toMatch(/Reconnecting in 0\.1 s\.$/);
    first.next.open();
    await devices().idle();
    const second = await dropAndReconnect(DisconnectReason.connectionLost);
    expect(second.reason).toMatch(/Reconnecting in 0\.4 s\.$/);
    second.next.open();
    await devices().idle();
    const third = await dropAndReconnect(DisconnectReason.connectionClosed);
    expect(third.reason).toMatch(/Reconnecting in 1\.8 s\.$/);
    // This one stays open past the stable time: the next drop waits the first delay again.
    third.next.open();
    await devices().idle();
    await pause(350);
    const fourth = await dropAndReconnect(DisconnectReason.connectionLost);
    expect(fourth.reason).toMatch(/Reconnecting in 0\.1 s\.$/);
  });

  it('stops, and says why, when another copy takes the session over (440), until wasync starts again', async () => {
    await pairAndConnect();
    await devices().tend(); // this process's first pass is over
    fake.current.close(DisconnectReason.connectionReplaced, 'Stream Errored (conflict)');
    await devices().idle();
    const stopped = await session();
    expect(stopped).toMatchObject({ state: 'replaced', statusCode: 440, me: ME, leaseOwner: undefined });
    expect(stopped?.reason).toMatch(/Another copy of this session connected.*banned.*restart wasync/);
    expect(stopped?.gapSince).toBeInstanceOf(Date);
    expect(devices().get(account.id)).toBeUndefined();
    await devices().tend();
    await pause(250);
    expect(fake.sockets).toHaveLength(2); // no reconnect: that would take the session back, and so on
    expect(await store().whatsappWebSessions.paired()).toEqual([]);
    // The auth state is kept: a process that starts (a person restarted wasync) resumes it.
    expect(await store().whatsappWebAuth.count(account.id)).toBeGreaterThan(0);
    const later = new FakeWhatsApp();
    const other = await openServices(h.config, pino({ level: 'silent' }), {
      whatsappWebSocket: later.factory,
      linkedDeviceTiming: TIMING,
    });
    try {
      await other.linkedDevices.tend();
      (await later.socket(1)).open();
      await other.linkedDevices.idle();
      expect(await other.store.whatsappWebSessions.get(account.id)).toMatchObject({ state: 'connected' });
    } finally {
      await other.close();
    }
  });

  it('resumes a replaced session from the workspace once the other copy is stopped, and only then', async () => {
    const resume = () =>
      h.app.inject({ method: 'POST', url: `/api/v1/accounts/${account.id}/pairing/resume`, headers: h.auth });
    await pairAndConnect();
    await devices().tend();
    // Nothing to resume while it runs.
    const early = await resume();
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('conflict');
    fake.current.close(DisconnectReason.connectionReplaced, 'Stream Errored (conflict)');
    await devices().idle();
    expect(await session()).toMatchObject({ state: 'replaced' });
    const resumed = await resume();
    expect(resumed.statusCode, resumed.body).toBe(200);
    (await fake.socket(3)).open();
    await devices().idle();
    expect(await session()).toMatchObject({ state: 'connected', leaseOwner: devices().owner });
    // Resumed from the stored keys: no pairing, the same session.
    expect(fake.current.options.auth.creds.me?.id).toBe(ME);
    const audited = await store().audit.list(h.services.workspace.id, { action: 'pairing' }, { limit: 10 });
    expect(audited.data[0]).toMatchObject({ action: 'pairing.resumed', target: { id: account.id } });
  });

  it("knows the account's own lid from the moment it connects, so no partner is mapped to it", async () => {
    await pairAndConnect();
    // The library holds the account's lid once paired (`creds.me.lid`, with its device suffix).
    expect([...(await store().identities.ownLids(account.workspaceId))]).toEqual(['999000111@lid']);
    // A mapping that pairs it with a partner's number (the sender's alternate on the account's own
    // messages) is not recorded before any history taught it.
    expect(
      await recordLidMappings(store(), account.workspaceId, [
        { lid: '999000111@lid', pn: '5511987654321@s.whatsapp.net' },
      ]),
    ).toBe(0);
  });

  it('pauses until a temporary ban (402) ends, with the end stored, then connects again', async () => {
    await pairAndConnect();
    const before = Date.now();
    // What WhatsApp sends: <failure reason="402" code="101" expire="…"/> (expire in seconds).
    fake.current.close(402, 'Connection Failure', { reason: '402', code: '101', expire: '1' });
    await devices().idle();
    const banned = await session();
    expect(banned).toMatchObject({ state: 'banned', statusCode: 402, leaseOwner: devices().owner });
    const until = banned?.pausedUntil?.getTime() ?? 0;
    expect(until).toBeGreaterThanOrEqual(before + 1_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 1_000);
    expect(banned?.reason).toMatch(/banned this number for a while \(402\) \(ban code 101: .+\)/);
    expect(banned?.reason).toContain(new Date(until).toISOString());
    expect(banned?.gapSince).toBeInstanceOf(Date);
    await pause(500);
    expect(fake.sockets).toHaveLength(2); // nothing tried during the ban
    const next = await fake.socket(3);
    expect(Date.now()).toBeGreaterThanOrEqual(until - 5);
    next.open();
    await devices().idle();
    expect(await session()).toMatchObject({ state: 'connected', pausedUntil: undefined });
  });

  it('pauses a ban with no end given for the default time, and keeps it across a restart of the process', async () => {
    await pairAndConnect();
    const before = Date.now();
    fake.current.close(402, 'Connection Failure', { reason: '402' });
    await devices().idle();
    const banned = await session();
    expect(banned?.state).toBe('banned');
    const until = banned?.pausedUntil?.getTime() ?? 0;
    expect(until).toBeGreaterThanOrEqual(before + 6 * HOUR_MS);
    expect(until).toBeLessThanOrEqual(Date.now() + 6 * HOUR_MS);
    expect(banned?.reason).toMatch(/did not say until when/);

    // The process stops: the ban stays, and the process taking over waits for its end too.
    await devices().stop();
    expect(await session()).toMatchObject({ state: 'banned', pausedUntil: new Date(until) });
    const later = new FakeWhatsApp();
    const other = await openServices(h.config, pino({ level: 'silent' }), {
      whatsappWebSocket: later.factory,
      linkedDeviceTiming: TIMING,
    });
    try {
      await other.linkedDevices.tend();
      expect(other.linkedDevices.get(account.id)?.isRunning).toBe(true);
      await pause(200);
      expect(later.sockets).toEqual([]);
      expect(await other.store.whatsappWebSessions.get(account.id)).toMatchObject({ state: 'banned' });
    } finally {
      await other.close();
    }
  });

  it('ends as logged out, keys forgotten, on 403, 406 (banned) and 411 (multi-device mismatch)', async () => {
    for (const [code, words] of [
      [DisconnectReason.forbidden, /refused the session \(403\)/],
      [406, /banned this number and ended the session \(406\)/],
      [DisconnectReason.multideviceMismatch, /411/],
    ] as const) {
      await pairAndConnect();
      const made = fake.sockets.length;
      fake.current.close(code, 'Connection Failure');
      await devices().idle();
      const ended = await session();
      expect(ended).toMatchObject({
        state: 'logged_out',
        statusCode: code,
        me: undefined,
        leaseOwner: undefined,
      });
      expect(ended?.reason).toMatch(words);
      expect(await store().whatsappWebAuth.count(account.id)).toBe(0);
      await pause(150);
      expect(fake.sockets).toHaveLength(made);
    }
  });

  it('gives every socket of a session the same retry-count cache, so counts survive a reconnect', async () => {
    const socket = await pairAndConnect();
    const cache = socket.options.msgRetryCounterCache;
    expect(cache).toBeDefined();
    await cache.set('MSG-1', 2);
    const { next } = await dropAndReconnect(DisconnectReason.connectionLost);
    expect(next.options.msgRetryCounterCache).toBe(cache);
    expect(fake.sockets.map((s) => s.options.msgRetryCounterCache)).toEqual([cache, cache, cache]);
    expect(await next.options.msgRetryCounterCache.get('MSG-1')).toBe(2);
  });

  it("says unavailable once when the account's name arrives after pairing, and never available", async () => {
    const socket = await pairAndConnect();
    // Opened without the name: the library said nothing (it needs the name for a presence).
    expect(socket.presences).toEqual([]);
    socket.nameArrives('Rep');
    await devices().idle();
    expect(socket.presences).toEqual(['unavailable']);
    // The same name again, and creds updates without one: nothing more.
    socket.nameArrives('Rep');
    socket.emit('creds.update', { lastAccountSyncTimestamp: 1_795_000_000 });
    await devices().idle();
    expect(socket.presences).toEqual(['unavailable']);
    // Reconnected with the name known: the library says unavailable on open, and the session adds none.
    const { next } = await dropAndReconnect(DisconnectReason.connectionLost);
    next.open();
    await devices().idle();
    expect(next.presences).toEqual(['unavailable']);
  });
});
