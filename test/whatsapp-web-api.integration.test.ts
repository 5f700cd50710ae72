import { DisconnectReason } from 'baileys';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase } from './support/databases.js';
import { FakeWhatsApp } from './support/fake-whatsapp.js';
import { type Harness, startHarness } from './support/harness.js';

const ME = '5511912340000:4@s.whatsapp.net';

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

describeEachDatabase('pairing a linked-device account through the API', (database) => {
  let h: Harness;
  let fake: FakeWhatsApp;
  beforeEach(async () => {
    fake = new FakeWhatsApp();
    h = await startHarness(
      database,
      {},
      { whatsappWebSocket: fake.factory, linkedDeviceTiming: { reconnectDelaysMs: [20] } },
    );
  });
  afterEach(() => h.close());

  const createAccount = async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: h.auth,
      payload: { phone: '+55 11 91234-0000', sourceKind: 'linked_device', displayName: 'Rita' },
    });
    expect(created.statusCode, created.body).toBe(201);
    return created.json() as { id: string; linkedDevice: { state: string } };
  };
  const pair = (accountId: string, payload: Record<string, unknown>) =>
    h.app.inject({ method: 'POST', url: `/api/v1/accounts/${accountId}/pairing`, headers: h.auth, payload });

  it('streams QR codes until the phone confirms, then shows the account connected and who opted in', async () => {
    const account = await createAccount();
    expect(account.linkedDevice).toMatchObject({ state: 'unpaired', history: {} });

    const streamed = pair(account.id, { acceptRisk: true });
    const first = await fake.socket(1);
    first.emit('connection.update', { qr: '2@first-code' });
    first.emit('connection.update', { qr: '2@second-code' });
    first.pairSucceeds(ME);
    first.close(DisconnectReason.restartRequired);
    (await fake.socket(2)).open();
    const response = await streamed;
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/event-stream');
    const got = events(response.body);
    // The stream joins once the route has recorded the start: a code drawn before that reaches it as
    // the replay of the latest one (onPairing), so it holds both codes in order, or the second alone.
    const codes = got.filter((e) => e.event === 'qr').map((e) => e.data.qr);
    expect([['2@first-code', '2@second-code'], ['2@second-code']]).toContainEqual(codes);
    expect(got.map((e) => e.event)).toEqual([...codes.map(() => 'qr'), 'connected']);
    expect(got[0]?.data).toMatchObject({ svg: expect.stringMatching(/^<svg /) });
    expect(got.at(-1)?.data).toEqual({ me: ME });

    const shown = (
      await h.app.inject({ method: 'GET', url: `/api/v1/accounts/${account.id}`, headers: h.auth })
    ).json();
    expect(shown.linkedDevice).toMatchObject({
      state: 'connected',
      me: ME,
      optedInBy: 'API token "first admin token"',
      optedInAt: expect.any(String),
      connectedAt: expect.any(String),
    });
    const listed = (await h.app.inject({ method: 'GET', url: '/api/v1/accounts', headers: h.auth })).json();
    expect(listed.data[0].linkedDevice.state).toBe('connected');

    // Linked already: pairing again is refused until it is unlinked.
    const again = await pair(account.id, { acceptRisk: true });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('conflict');
    const unlinked = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/accounts/${account.id}/pairing`,
      headers: h.auth,
    });
    expect(unlinked.statusCode, unlinked.body).toBe(200);
    expect(unlinked.json().linkedDevice).toMatchObject({
      state: 'logged_out',
      reason: 'Unlinked in wasync.',
    });
    expect(fake.sockets[1]?.loggedOut).toBe(true);
    // Both are in the audit log, against the account.
    const audited = await h.services.store.audit.list(
      h.services.workspace.id,
      { action: 'pairing' },
      { limit: 10 },
    );
    expect(audited.data.map((e) => [e.action, e.target?.id, e.actor.via])).toEqual([
      ['pairing.unlinked', account.id, 'token'],
      ['pairing.started', account.id, 'token'],
    ]);
    expect(audited.data[1]?.details).toEqual({ method: 'qr' });
  });

  it('gives a pairing code instead when asked, and says when pairing ends unfinished', async () => {
    const account = await createAccount();
    const streamed = pair(account.id, { acceptRisk: true, method: 'code' });
    const socket = await fake.socket(1);
    socket.emit('connection.update', { qr: '2@unused' });
    await h.services.linkedDevices.idle();
    socket.close(DisconnectReason.timedOut, 'QR refs attempts ended');
    const got = events((await streamed).body);
    expect(got).toEqual([
      { event: 'code', data: { code: 'ABCD1234' } },
      {
        event: 'failed',
        data: {
          code: 'pairing_timeout',
          reason: 'Pairing ended: nothing was scanned or entered on the phone in time.',
        },
      },
    ]);
    expect(socket.pairingCodeRequests).toEqual(['5511912340000']);
    const shown = (
      await h.app.inject({ method: 'GET', url: `/api/v1/accounts/${account.id}`, headers: h.auth })
    ).json();
    expect(shown.linkedDevice).toMatchObject({
      state: 'unpaired',
      reason: expect.stringMatching(/^Pairing ended/),
    });
  });

  it('joins a pairing under way with GET, and answers 404 when none is', async () => {
    const account = await createAccount();
    const none = await h.app.inject({
      method: 'GET',
      url: `/api/v1/accounts/${account.id}/pairing`,
      headers: h.auth,
    });
    expect(none.statusCode).toBe(404);
    const started = pair(account.id, { acceptRisk: true });
    const socket = await fake.socket(1);
    socket.emit('connection.update', { qr: '2@current' });
    await h.services.linkedDevices.idle();
    const joined = h.app.inject({
      method: 'GET',
      url: `/api/v1/accounts/${account.id}/pairing`,
      headers: h.auth,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.close(DisconnectReason.timedOut);
    // The late joiner sees the current QR code first, then the end.
    expect(events((await joined).body).map((e) => e.event)).toEqual(['qr', 'failed']);
    expect(events((await started).body).map((e) => e.event)).toEqual(['qr', 'failed']);
  });

  it('refuses a pairing without the owner accepting the risk, and for an account of another kind', async () => {
    const account = await createAccount();
    for (const payload of [{}, { acceptRisk: false }, { acceptRisk: 'yes' }]) {
      const refused = await pair(account.id, payload);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.code).toBe('validation_failed');
      expect(refused.body).toMatch(/can restrict or ban a number/);
    }
    expect(fake.sockets).toEqual([]);
    const rest = await h.createAccount('+14155550000', 'rest');
    const wrongKind = await pair(rest.id, { acceptRisk: true });
    expect(wrongKind.statusCode).toBe(400);
    expect(wrongKind.json().error.message).toMatch(/not a linked-device account/);
    const missing = await pair('acc_missing', { acceptRisk: true });
    expect(missing.statusCode).toBe(404);
  });
});
