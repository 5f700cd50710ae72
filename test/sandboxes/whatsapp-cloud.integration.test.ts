import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { USER_AGENT } from '../../src/core/user-agent.js';
import {
  buildWhatsAppCloudSandbox,
  SANDBOX_ACCESS_TOKEN,
  type WhatsAppCloudSandbox,
} from '../../src/sandboxes/whatsapp-cloud/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { type Harness, startHarness } from '../support/harness.js';

const APP_SECRET = 'sandbox-app-secret';
const PHONE_NUMBER_ID = '106540352242922';

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describeEachDatabase('WhatsApp Cloud sandbox with wasync', (database) => {
  let h: Harness;
  let sandbox: WhatsAppCloudSandbox;
  let sandboxUrl: string;
  let wasyncUrl: string;
  let accountId: string;
  let proxy: http.Server | undefined;

  beforeEach(async () => {
    h = await startHarness(database);
    wasyncUrl = await h.app.listen({ port: 0, host: '127.0.0.1' });
    sandbox = await buildWhatsAppCloudSandbox({ retryDelaysMs: [50, 100, 200], mediaUrlTtlMs: 60_000 });
    sandboxUrl = await sandbox.listen();
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
          apiVersion: 'v23.0',
        },
      },
    });
    expect(created.statusCode).toBe(201);
    accountId = created.json().id;
  });
  afterEach(async () => {
    proxy?.close();
    proxy = undefined;
    await sandbox.close();
    await h.close();
  });

  const configureNumber = async (webhookUrl: string) => {
    const response = await sandbox.app.inject({
      method: 'POST',
      url: '/__sandbox/numbers',
      payload: {
        phoneNumberId: PHONE_NUMBER_ID,
        displayPhoneNumber: '14155552671',
        webhookUrl,
        appSecret: APP_SECRET,
      },
    });
    expect(response.statusCode).toBe(201);
  };
  const send = async (payload: Record<string, unknown>) => {
    const response = await sandbox.app.inject({
      method: 'POST',
      url: '/__sandbox/messages',
      payload: { phoneNumberId: PHONE_NUMBER_ID, from: '16505551234', name: 'Pablo', ...payload },
    });
    expect(response.statusCode).toBe(202);
    return response.json() as { messageId: string; deliveryId: string; mediaId?: string };
  };
  const delivered = (deliveryId: string) =>
    until(async () => {
      const found = sandbox.deliveries.find((d) => d.id === deliveryId);
      return found?.state === 'delivered' ? found : undefined;
    }, 'the webhook delivery');
  const storedMessage = (sourceId: string) =>
    h.services.store.sql.db
      .selectFrom('messages')
      .selectAll()
      .where('source_message_id', '=', sourceId)
      .executeTakeFirst();

  it('delivers a simulated inbound message as a signed webhook that wasync stores', async () => {
    await configureNumber(`${wasyncUrl}/webhooks/whatsapp-cloud/${accountId}`);
    const sent = await send({ text: 'hello from the sandbox' });
    const delivery = await delivered(sent.deliveryId);
    expect(delivery.attempts).toBe(1);
    await h.services.webhookProcessor.drain();
    expect(await storedMessage(sent.messageId)).toMatchObject({
      type: 'text',
      text: 'hello from the sandbox',
      from_me: 0,
    });
  });

  it('retries a delivery the target refused, as Meta does', async () => {
    let refused = 0;
    proxy = http.createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      if (refused < 2) {
        refused++;
        response.writeHead(503).end();
        return;
      }
      const forwarded = await fetch(`${wasyncUrl}${request.url}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': String(request.headers['x-hub-signature-256']),
        },
        body: Buffer.concat(chunks),
      });
      response.writeHead(forwarded.status).end(await forwarded.text());
    });
    await new Promise<void>((resolve) => proxy?.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as AddressInfo).port;
    await configureNumber(`http://127.0.0.1:${port}/webhooks/whatsapp-cloud/${accountId}`);
    const sent = await send({ text: 'retried' });
    const delivery = await delivered(sent.deliveryId);
    expect(delivery.attempts).toBe(3);
    await h.services.webhookProcessor.drain();
    expect(await storedMessage(sent.messageId)).toMatchObject({ text: 'retried' });
  });

  it('downloads media through the two Graph API hops with the bearer token, retrying a failure', async () => {
    // The two hops need the bearer; an expired or unsigned URL is refused.
    const bytes = Buffer.from(`%PDF-1.4 sandbox document ${Date.now()}`);
    await configureNumber(`${wasyncUrl}/webhooks/whatsapp-cloud/${accountId}`);
    const sent = await send({
      media: {
        base64: bytes.toString('base64'),
        mimeType: 'application/pdf',
        fileName: 'quote.pdf',
        caption: 'the quote',
      },
    });
    const lookup = await fetch(`${sandboxUrl}/v23.0/${sent.mediaId}`);
    expect(lookup.status).toBe(401);
    const info = (await (
      await fetch(`${sandboxUrl}/v23.0/${sent.mediaId}`, {
        headers: { authorization: `Bearer ${SANDBOX_ACCESS_TOKEN}` },
      })
    ).json()) as { url: string };
    expect((await fetch(info.url)).status).toBe(401);

    await delivered(sent.deliveryId);
    await h.services.webhookProcessor.drain();
    const message = await storedMessage(sent.messageId);
    expect(message).toMatchObject({ type: 'document', text: 'the quote' });
    const media = () =>
      h.services.store.sql.db
        .selectFrom('media')
        .selectAll()
        .where('message_id', '=', message?.id ?? '')
        .executeTakeFirstOrThrow();
    expect(await media()).toMatchObject({ state: 'pending', file_name: 'quote.pdf' });

    // First download fails (500): kept pending with the reason, the message stays stored.
    await sandbox.app.inject({ method: 'POST', url: '/__sandbox/faults', payload: { mediaFailures: 1 } });
    expect(await h.services.mediaFetcher.drain()).toBe(1);
    expect(await media()).toMatchObject({
      state: 'pending',
      attempts: 1,
      failure: 'HTTP 500 from the media URL',
    });

    // The retry, once its delay has passed, stores the bytes with their sha256.
    expect(await h.services.mediaFetcher.drain(() => Date.now() + 60 * 60_000)).toBe(1);
    const stored = await media();
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(stored).toMatchObject({
      state: 'stored',
      sha256,
      size_bytes: bytes.length,
      mime_type: 'application/pdf',
    });
    expect(await h.services.store.blobs.has(sha256)).toBe(true);
  });

  it('takes a rotated access token for the next media download', async () => {
    // The account holds a token the Graph API no longer takes: the download fails and is kept.
    const outdated = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${accountId}/cloud`,
      headers: h.auth,
      payload: { accessToken: 'an-outdated-access-token' },
    });
    expect(outdated.statusCode, outdated.body).toBe(200);
    await configureNumber(`${wasyncUrl}/webhooks/whatsapp-cloud/${accountId}`);
    const sent = await send({
      media: { base64: Buffer.from('a photo').toString('base64'), mimeType: 'image/jpeg' },
    });
    await delivered(sent.deliveryId);
    await h.services.webhookProcessor.drain();
    const message = await storedMessage(sent.messageId);
    const media = () =>
      h.services.store.sql.db
        .selectFrom('media')
        .selectAll()
        .where('message_id', '=', message?.id ?? '')
        .executeTakeFirstOrThrow();
    expect(await h.services.mediaFetcher.drain()).toBe(1);
    expect(await media()).toMatchObject({
      state: 'pending',
      failure: 'HTTP 401 from the Graph API media lookup',
    });

    const rotated = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${accountId}/cloud`,
      headers: h.auth,
      payload: { accessToken: SANDBOX_ACCESS_TOKEN },
    });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.body).not.toContain(SANDBOX_ACCESS_TOKEN);
    expect(await h.services.mediaFetcher.drain(() => Date.now() + 60 * 60_000)).toBe(1);
    expect(await media()).toMatchObject({ state: 'stored', size_bytes: 'a photo'.length });
  });

  /** Emits a webhook of `kind` through the control route and waits until wasync took it (200). */
  const emitted = async (kind: string, payload: Record<string, unknown>) => {
    const response = await sandbox.app.inject({
      method: 'POST',
      url: `/__sandbox/webhooks/${kind}`,
      payload: { phoneNumberId: PHONE_NUMBER_ID, ...payload },
    });
    expect(response.statusCode, response.body).toBe(202);
    await delivered(response.json().deliveryId);
    await h.services.webhookProcessor.drain();
  };
  const deliveryStates = async () =>
    (
      await h.services.store.sql.db
        .selectFrom('webhook_deliveries')
        .select(['state', 'error'])
        .where('account_id', '=', accountId)
        .orderBy('received_at')
        .execute()
    ).map((d) => d.state);

  it('verifies the signature over the escaped bytes Meta sends and stores the text unescaped', async () => {
    await configureNumber(`${wasyncUrl}/webhooks/whatsapp-cloud/${accountId}`);
    const sent = await send({ text: 'Käse / café 👋 @name' });
    const delivery = await delivered(sent.deliveryId);
    // The bytes are not what JSON.stringify gives: a receiver that re-serialized would fail the check.
    expect(delivery.body).toContain('K\\u00e4se \\/ caf\\u00e9 \\ud83d\\udc4b');
    expect(delivery.body).not.toBe(JSON.stringify(JSON.parse(delivery.body)));
    expect(delivery.lastStatus).toBe(200);
    await h.services.webhookProcessor.drain();
    expect(await storedMessage(sent.messageId)).toMatchObject({ text: 'Käse / café 👋 @name' });
  });

  it('sends User-Agent wasync/<version> on both hops and checks the hex sha256 of the Graph answer', async () => {
    await configureNumber(`${wasyncUrl}/webhooks/whatsapp-cloud/${accountId}`);
    const sent = await send({
      media: { base64: Buffer.from('hex checked').toString('base64'), mimeType: 'image/png' },
    });
    await delivered(sent.deliveryId);
    await h.services.webhookProcessor.drain();
    expect(await h.services.mediaFetcher.drain()).toBe(1);
    const message = await storedMessage(sent.messageId);
    const media = await h.services.store.sql.db
      .selectFrom('media')
      .selectAll()
      .where('message_id', '=', message?.id ?? '')
      .executeTakeFirstOrThrow();
    expect(media).toMatchObject({
      state: 'stored',
      sha256: createHash('sha256').update('hex checked').digest('hex'),
    });
    expect(sandbox.mediaRequests.map((r) => [r.hop, r.userAgent, r.status])).toEqual([
      ['graph', USER_AGENT, 200],
      ['lookaside', USER_AGENT, 200],
    ]);
  });

  it('accepts each kind the sandbox emits: echoes, statuses, history, system changes, errors and standby', async () => {
    await configureNumber(`${wasyncUrl}/webhooks/whatsapp-cloud/${accountId}`);
    // An echo is stored from the account; its statuses then move its delivery forward.
    await emitted('echoes', { to: '16505551234', id: 'wamid.echo1', text: 'sent from the app' });
    expect(await storedMessage('wamid.echo1')).toMatchObject({ text: 'sent from the app', from_me: 1 });
    await emitted('statuses', { messageId: 'wamid.echo1', recipientId: '16505551234', status: 'delivered' });
    expect(await storedMessage('wamid.echo1')).toMatchObject({ delivery_status: 'delivered' });
    await emitted('statuses', {
      messageId: 'wamid.echo1',
      recipientId: '16505551234',
      status: 'failed',
      errors: [{ code: 131026, title: 'Message undeliverable' }],
    });
    expect(await storedMessage('wamid.echo1')).toMatchObject({ delivery_status: 'failed' });
    // A history chunk lands with its progress.
    await emitted('history', {
      phase: 1,
      chunkOrder: 1,
      progress: 100,
      threads: [
        {
          id: '16505551234',
          messages: [
            {
              from: '16505551234',
              id: 'wamid.old1',
              timestamp: '1739230955',
              type: 'text',
              text: { body: 'an old one' },
            },
          ],
        },
      ],
    });
    expect(await storedMessage('wamid.old1')).toMatchObject({ text: 'an old one', from_me: 0 });
    expect((await h.services.cloud.repository.get(accountId))?.historyProgress).toEqual({
      1: { chunks: [1], progress: 100 },
    });
    // A number change moves the person to the new number.
    await emitted('system', { type: 'user_changed_number', from: '16505551234', newWaId: '16505559999' });
    const { workspace, store } = h.services;
    expect(await store.identities.findByKey(workspace.id, 'phone', '+16505559999')).toBeDefined();
    await emitted('system', {
      type: 'user_changed_user_id',
      from: '16505559999',
      userId: 'US.22222222',
      previousUserId: 'US.11111111',
    });
    // Value-level errors are taken (200, processed) and store no message.
    const count = async () => (await store.sql.db.selectFrom('messages').select('id').execute()).length;
    const before = await count();
    await emitted('errors', { errors: [{ code: 131000, title: 'Something went wrong' }] });
    expect(await count()).toBe(before);
    // Standby: only that wasync takes the delivery (its mapping is not part of this test).
    await emitted('standby', {
      messages: [
        { from: '16505551234', id: 'wamid.sb1', timestamp: '1739230999', type: 'text', text: { body: 'x' } },
      ],
    });
    expect(await deliveryStates()).toEqual(Array(8).fill('processed'));
  });
});
