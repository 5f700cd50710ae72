import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

const APP_SECRET = 'one-meta-app-secret';
const OTHER_APP_SECRET = 'another-meta-app-secret';
const FIRST = '1000000000001';
const SECOND = '1000000000002';
const sign = (body: string, secret = APP_SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** One `messages` change of a number: a text from a customer, as Meta's messages webhook shapes it. */
const change = (phoneNumberId: string, text: string, from = '15551230001') => ({
  field: 'messages',
  value: {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: `1555000${phoneNumberId.slice(-4)}`, phone_number_id: phoneNumberId },
    contacts: [{ profile: { name: 'Ana' }, wa_id: from }],
    messages: [
      {
        from,
        id: `wamid.${phoneNumberId}.${text.replace(/\W/g, '')}`,
        timestamp: '1767225600',
        type: 'text',
        text: { body: text },
      },
    ],
  },
});
const envelope = (...entries: { id: string; changes: unknown[] }[]) => ({
  object: 'whatsapp_business_account',
  entry: entries,
});

describeEachDatabase('WhatsApp Cloud API app-level webhook URL', (database) => {
  let h: Harness;
  let phoneSeq = 0;

  beforeEach(async () => {
    h = await startHarness(database);
  });
  afterEach(() => h.close());

  const createCloudAccount = async (phoneNumberId: string, cloud: Record<string, unknown> = {}) => {
    phoneSeq++;
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: h.auth,
      payload: {
        phone: `+1 415 555 ${String(3000 + phoneSeq)}`,
        sourceKind: 'whatsapp_cloud',
        cloud: { phoneNumberId, accessToken: 'EAAG-test-token', appSecret: APP_SECRET, ...cloud },
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as {
      id: string;
      cloud: { webhookUrl: string; appWebhookUrl: string; verifyToken: string };
    };
  };
  const post = (url: string, body: unknown, signature?: string) => {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    return h.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature ?? sign(raw) },
      payload: raw,
    });
  };
  const texts = async (accountId: string) =>
    (
      await h.services.store.sql.db
        .selectFrom('messages')
        .select('text')
        .where('account_id', '=', accountId)
        .orderBy('text')
        .execute()
    ).map((m) => m.text);
  const deliveries = (accountId?: string) => {
    let query = h.services.store.sql.db
      .selectFrom('webhook_deliveries')
      .select(['account_id', 'body', 'state']);
    if (accountId) query = query.where('account_id', '=', accountId);
    return query.execute();
  };

  it('answers with the app-level URL and passes its handshake with any account’s verify token', async () => {
    const first = await createCloudAccount(FIRST, { verifyToken: 'first-verify-token' });
    await createCloudAccount(SECOND, { verifyToken: 'second-verify-token' });
    expect(first.cloud.appWebhookUrl).toBe('http://localhost:80/webhooks/whatsapp-cloud');
    expect(first.cloud.webhookUrl).toBe(`http://localhost:80/webhooks/whatsapp-cloud/${first.id}`);
    const handshake = (query: string) =>
      h.app.inject({ method: 'GET', url: `/webhooks/whatsapp-cloud?${query}` });
    for (const token of ['first-verify-token', 'second-verify-token']) {
      const good = await handshake(`hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=77`);
      expect(good.statusCode).toBe(200);
      expect(good.body).toBe('77');
    }
    for (const query of [
      'hub.mode=subscribe&hub.verify_token=nobodys-token&hub.challenge=1',
      'hub.mode=unsubscribe&hub.verify_token=first-verify-token&hub.challenge=1',
      'hub.mode=subscribe&hub.challenge=1',
    ]) {
      const bad = await handshake(query);
      expect(bad.statusCode).toBe(403);
      expect(bad.json().error.code).toBe('forbidden');
    }
  });

  it('routes each change of one signed body with two numbers to its own account', async () => {
    const first = await createCloudAccount(FIRST);
    const second = await createCloudAccount(SECOND);
    const body = envelope(
      {
        id: 'waba-1',
        changes: [change(FIRST, 'for the first number'), change(SECOND, 'for the second number')],
      },
      { id: 'waba-2', changes: [change(SECOND, 'second again, other entry')] },
    );
    const response = await post('/webhooks/whatsapp-cloud', body);
    expect(response.statusCode, response.body).toBe(200);
    // Each account's queue holds its own part, naming only its own number.
    const firstParts = await deliveries(first.id);
    const secondParts = await deliveries(second.id);
    expect(firstParts).toHaveLength(1);
    expect(secondParts).toHaveLength(1);
    expect(firstParts[0]?.body).not.toContain(SECOND);
    expect(secondParts[0]?.body).not.toContain(FIRST);
    expect(JSON.parse(secondParts[0]?.body ?? '{}').entry.map((e: { id: string }) => e.id)).toEqual([
      'waba-1',
      'waba-2',
    ]);
    await h.services.webhookProcessor.drain();
    expect(await texts(first.id)).toEqual(['for the first number']);
    expect(await texts(second.id)).toEqual(['for the second number', 'second again, other entry']);
    expect((await deliveries()).map((d) => d.state)).toEqual(['processed', 'processed']);
    const shown = (
      await h.app.inject({ method: 'GET', url: `/api/v1/accounts/${second.id}`, headers: h.auth })
    ).json();
    expect(shown.cloud.lastDeliveryAt).toBeDefined();
    expect(shown.cloud.deliveries).toMatchObject({ processed: 1, parked: 0 });
  });

  it('stores a body with one number as received, byte for byte', async () => {
    const first = await createCloudAccount(FIRST);
    const raw = JSON.stringify(envelope({ id: 'waba-1', changes: [change(FIRST, 'K\u00e4se / @name')] }))
      .replace('K\u00e4se', 'K\\u00e4se')
      .replace(' / ', ' \\/ ');
    expect((await post('/webhooks/whatsapp-cloud', raw)).statusCode).toBe(200);
    expect((await deliveries(first.id))[0]?.body).toBe(raw);
    await h.services.webhookProcessor.drain();
    expect(await texts(first.id)).toEqual(['Käse / @name']);
  });

  it('refuses the changes of a number no account has with unknown_phone_number, storing the rest', async () => {
    const first = await createCloudAccount(FIRST);
    const alone = await post(
      '/webhooks/whatsapp-cloud',
      envelope({ id: 'waba-1', changes: [change('1999999999999', 'nobody here')] }),
    );
    expect(alone.statusCode).toBe(404);
    expect(alone.json().error).toMatchObject({
      code: 'unknown_phone_number',
      details: { phoneNumberIds: ['1999999999999'], storedForAccounts: 0 },
    });
    expect(await deliveries()).toHaveLength(0);

    const mixed = await post(
      '/webhooks/whatsapp-cloud',
      envelope({
        id: 'waba-1',
        changes: [change(FIRST, 'known number'), change('1999999999999', 'unknown')],
      }),
    );
    expect(mixed.statusCode).toBe(404);
    expect(mixed.json().error.details).toEqual({ phoneNumberIds: ['1999999999999'], storedForAccounts: 1 });
    const stored = await deliveries();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.account_id).toBe(first.id);
    expect(stored[0]?.body).not.toContain('1999999999999');
    await h.services.webhookProcessor.drain();
    expect(await texts(first.id)).toEqual(['known number']);
  });

  it('does not store a change under an account whose app secret does not sign the body', async () => {
    // The second number belongs to another Meta app: a body signed by the first app's secret that names
    // it is no delivery for it.
    const first = await createCloudAccount(FIRST);
    const other = await createCloudAccount(SECOND, { appSecret: OTHER_APP_SECRET });
    const response = await post(
      '/webhooks/whatsapp-cloud',
      envelope({ id: 'waba-1', changes: [change(FIRST, 'mine'), change(SECOND, 'not signed by its app')] }),
    );
    expect(response.statusCode).toBe(404);
    expect(response.json().error.details.phoneNumberIds).toEqual([SECOND]);
    await h.services.webhookProcessor.drain();
    expect(await texts(first.id)).toEqual(['mine']);
    expect(await deliveries(other.id)).toHaveLength(0);
  });

  it('stores nothing of a body with a bad signature and counts it on the accounts it names', async () => {
    const first = await createCloudAccount(FIRST);
    const second = await createCloudAccount(SECOND);
    const body = JSON.stringify(
      envelope({ id: 'waba-1', changes: [change(FIRST, 'forged'), change(SECOND, 'forged too')] }),
    );
    for (const signature of [sign(body, 'a-guessed-secret'), 'sha256=00', '', sign(`${body} `)]) {
      const response = await post('/webhooks/whatsapp-cloud', body, signature);
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('unauthorized');
    }
    // A forged body about an unknown number is refused as forged, not as unknown.
    const unknown = JSON.stringify(envelope({ id: 'w', changes: [change('1999999999999', 'x')] }));
    expect(
      (await post('/webhooks/whatsapp-cloud', unknown, sign(unknown, 'a-guessed-secret'))).statusCode,
    ).toBe(401);
    expect(await deliveries()).toHaveLength(0);
    for (const account of [first, second]) {
      const shown = (
        await h.app.inject({ method: 'GET', url: `/api/v1/accounts/${account.id}`, headers: h.auth })
      ).json();
      expect(shown.cloud.signatureFailures).toBe(4);
    }
  });

  it('keeps the per-account URL refusing changes for other numbers, even ones another account has', async () => {
    const first = await createCloudAccount(FIRST);
    const second = await createCloudAccount(SECOND);
    const response = await post(
      `/webhooks/whatsapp-cloud/${first.id}`,
      envelope({ id: 'waba-1', changes: [change(SECOND, 'sent to the wrong URL')] }),
    );
    expect(response.statusCode).toBe(200);
    await h.services.webhookProcessor.drain();
    expect(await texts(first.id)).toEqual([]);
    expect(await texts(second.id)).toEqual([]);
    expect((await deliveries(first.id)).map((d) => d.state)).toEqual(['parked']);
    // Its own number's changes still land.
    expect(
      (
        await post(
          `/webhooks/whatsapp-cloud/${first.id}`,
          envelope({ id: 'w', changes: [change(FIRST, 'ok')] }),
        )
      ).statusCode,
    ).toBe(200);
    await h.services.webhookProcessor.drain();
    expect(await texts(first.id)).toEqual(['ok']);
  });
});
