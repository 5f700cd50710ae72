import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { USER_AGENT } from '../src/core/user-agent.js';
import { MediaFetcher } from '../src/ingest/media-fetcher.js';
import {
  buildWhatsAppCloudSandbox,
  SANDBOX_ACCESS_TOKEN,
  type WhatsAppCloudSandbox,
} from '../src/sandboxes/whatsapp-cloud/index.js';
import { CLOUD_MEDIA_LIFETIME } from '../src/sources/whatsapp-cloud/service.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

const APP_SECRET = 'sandbox-app-secret';
const PHONE_NUMBER_ID = '106540352242922';
const DAY = 24 * 3_600_000;

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describeEachDatabase('Cloud API media downloads over days, and after new settings', (database) => {
  let h: Harness;
  let sandbox: WhatsAppCloudSandbox;
  let accountId: string;

  beforeEach(async () => {
    h = await startHarness(database);
    const wasyncUrl = await h.app.listen({ port: 0, host: '127.0.0.1' });
    sandbox = await buildWhatsAppCloudSandbox({ retryDelaysMs: [50], mediaUrlTtlMs: 60_000 });
    const sandboxUrl = await sandbox.listen();
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: h.auth,
      payload: {
        phone: '+1 415 555 2671',
        cloud: {
          phoneNumberId: PHONE_NUMBER_ID,
          accessToken: SANDBOX_ACCESS_TOKEN,
          appSecret: APP_SECRET,
          graphBaseUrl: sandboxUrl,
        },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    accountId = created.json().id;
    const number = await sandbox.app.inject({
      method: 'POST',
      url: '/__sandbox/numbers',
      payload: {
        phoneNumberId: PHONE_NUMBER_ID,
        displayPhoneNumber: '14155552671',
        webhookUrl: `${wasyncUrl}/webhooks/whatsapp-cloud/${accountId}`,
        appSecret: APP_SECRET,
      },
    });
    expect(number.statusCode).toBe(201);
  });
  afterEach(async () => {
    await sandbox.close();
    await h.close();
  });

  /** A photo sent to the number, delivered and processed: returns a reader of its media row. */
  const receivePhoto = async (label: string) => {
    const sent = await sandbox.app.inject({
      method: 'POST',
      url: '/__sandbox/messages',
      payload: {
        phoneNumberId: PHONE_NUMBER_ID,
        from: '16505551234',
        media: { base64: Buffer.from(`photo ${label}`).toString('base64'), mimeType: 'image/jpeg' },
      },
    });
    const { deliveryId, messageId } = sent.json() as { deliveryId: string; messageId: string };
    await until(
      () => (sandbox.deliveries.find((d) => d.id === deliveryId)?.state === 'delivered' ? true : undefined),
      'the webhook delivery',
    );
    await h.services.webhookProcessor.drain();
    const db = h.services.store.sql.db;
    const message = await db
      .selectFrom('messages')
      .select('id')
      .where('source_message_id', '=', messageId)
      .executeTakeFirstOrThrow();
    return () =>
      db.selectFrom('media').selectAll().where('message_id', '=', message.id).executeTakeFirstOrThrow();
  };
  const patchCloud = (payload: Record<string, unknown>) =>
    h.app.inject({ method: 'PATCH', url: `/api/v1/accounts/${accountId}/cloud`, headers: h.auth, payload });

  it('keeps retrying a failing download with growing delays for 7 days, then gives up with the reason', async () => {
    const media = await receivePhoto('that never downloads');
    await sandbox.app.inject({ method: 'POST', url: '/__sandbox/faults', payload: { mediaFailures: 1_000 } });
    const start = Number((await media()).created_at);
    const attemptsAt: number[] = [];
    let clock = start;
    for (let pass = 0; pass < 200; pass++) {
      const row = await media();
      if (row.state !== 'pending') break;
      clock = Math.max(clock, Number(row.next_attempt_at));
      expect(await h.services.mediaFetcher.drain(() => clock)).toBe(1);
      attemptsAt.push(clock);
    }
    const row = await media();
    expect(row).toMatchObject({ state: 'failed', failure: CLOUD_MEDIA_LIFETIME.expiredReason });
    const gaps = attemptsAt.slice(1).map((at, i) => at - (attemptsAt[i] ?? 0));
    // Still trying on every day of the week, never after it, with delays that only grow (to a cap).
    for (let day = 1; day < 7; day++) expect(attemptsAt.some((at) => at >= start + day * DAY)).toBe(true);
    expect(Math.max(...attemptsAt)).toBe(start + 7 * DAY);
    for (let i = 1; i < gaps.length - 1; i++) expect(gaps[i]).toBeGreaterThanOrEqual(gaps[i - 1] ?? 0);
    expect(gaps[0]).toBe(30_000);
    expect(Math.max(...gaps)).toBe(12 * 3_600_000);
    expect(Number(row.attempts)).toBe(attemptsAt.length);
    // Failed for good: later passes leave it alone.
    expect(await h.services.mediaFetcher.drain(() => start + 30 * DAY)).toBe(0);
  });

  it('re-queues failed and waiting media of the account when its access token changes, and they download', async () => {
    expect((await patchCloud({ accessToken: 'an-outdated-access-token' })).statusCode).toBe(200);
    const failed = await receivePhoto('failed under an older version');
    const waiting = await receivePhoto('waiting for its retry');
    // A fetcher without the Cloud API lifetime gives up at once, as earlier versions did after a few tries.
    const giveUp = new MediaFetcher({
      fetch: h.services.outbound,
      media: h.services.store.media,
      blobs: h.services.store.blobs,
      logger: pino({ level: 'silent' }),
      maxBytes: 1024 * 1024,
      retryDelaysMs: [],
    });
    giveUp.registerResolver('whatsapp-cloud:', h.services.cloud.mediaResolver());
    expect(await giveUp.drain()).toBe(2);
    const db = h.services.store.sql.db;
    await db
      .updateTable('media')
      .set({ state: 'pending', next_attempt_at: Date.now() + 6 * 3_600_000 })
      .where('id', '=', (await waiting()).id)
      .execute();
    expect(await failed()).toMatchObject({
      state: 'failed',
      failure: 'HTTP 401 from the Graph API media lookup',
    });

    // A setting that is not the token or the Graph API re-queues nothing.
    expect((await patchCloud({ verifyToken: 'another-verify-token' })).statusCode).toBe(200);
    expect(await h.services.mediaFetcher.drain()).toBe(0);
    expect((await failed()).state).toBe('failed');

    expect((await patchCloud({ accessToken: SANDBOX_ACCESS_TOKEN })).statusCode).toBe(200);
    expect(await failed()).toMatchObject({ state: 'pending', attempts: 0 });
    expect(Number((await waiting()).next_attempt_at)).toBeLessThanOrEqual(Date.now());
    expect(await h.services.mediaFetcher.drain()).toBe(2);
    expect(await failed()).toMatchObject({ state: 'stored', failure: null });
    expect(await waiting()).toMatchObject({ state: 'stored' });
  });

  it('does not re-queue media whose id has expired', async () => {
    const media = await receivePhoto('expired');
    await sandbox.app.inject({ method: 'POST', url: '/__sandbox/faults', payload: { mediaFailures: 1 } });
    const start = Number((await media()).created_at);
    await h.services.mediaFetcher.drain(() => start + 8 * DAY);
    expect(await media()).toMatchObject({ state: 'failed', failure: CLOUD_MEDIA_LIFETIME.expiredReason });
    expect((await patchCloud({ accessToken: SANDBOX_ACCESS_TOKEN })).statusCode).toBe(200);
    expect((await media()).state).toBe('failed');
  });

  it('names itself with a User-Agent on both hops of the download', async () => {
    const media = await receivePhoto('named');
    expect(await h.services.mediaFetcher.drain()).toBe(1);
    expect((await media()).state).toBe('stored');
    expect(USER_AGENT).toMatch(/^wasync\/\d+\.\d+\.\d+/);
    expect(sandbox.mediaRequests.map(({ hop, userAgent, status }) => ({ hop, userAgent, status }))).toEqual([
      { hop: 'graph', userAgent: USER_AGENT, status: 200 },
      { hop: 'lookaside', userAgent: USER_AGENT, status: 200 },
    ]);
  });
});
