import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildWhatsAppCloudSandbox,
  SANDBOX_ACCESS_TOKEN,
  type WhatsAppCloudSandbox,
} from '../../src/sandboxes/whatsapp-cloud/index.js';

const NUMBER = '106540352242922';

describe('WhatsApp Cloud sandbox: POST /{version}/{phone-number-id}/smb_app_data', () => {
  let sandbox: WhatsAppCloudSandbox;
  beforeEach(async () => {
    sandbox = await buildWhatsAppCloudSandbox({
      numbers: [
        {
          phoneNumberId: NUMBER,
          displayPhoneNumber: '14155552671',
          webhookUrl: 'http://127.0.0.1:9/unused',
          appSecret: 'sandbox-app-secret',
        },
      ],
    });
  });
  afterEach(() => sandbox.close());

  const ask = (payload: unknown, { number = NUMBER, token = SANDBOX_ACCESS_TOKEN, version = 'v23.0' } = {}) =>
    sandbox.app.inject({
      method: 'POST',
      url: `/${version}/${number}/smb_app_data`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
  const contacts = { messaging_product: 'whatsapp', sync_type: 'smb_app_state_sync' };
  const history = { messaging_product: 'whatsapp', sync_type: 'history' };

  it('answers each sync type once with a request id, and refuses a second call with 2593107', async () => {
    for (const body of [contacts, history]) {
      const first = await ask(body);
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({ messaging_product: 'whatsapp', request_id: expect.any(String) });
    }
    const again = await ask(history);
    expect(again.statusCode).toBe(400);
    expect(again.json().error).toMatchObject({ code: 2593107, type: 'OAuthException' });
    const listed = (await sandbox.app.inject({ method: 'GET', url: '/__sandbox/smb_app_data' })).json().data;
    expect(listed.map((r: { syncType: string }) => r.syncType)).toEqual(['smb_app_state_sync', 'history']);
  });

  it('requires the bearer token, a known number, a version, messaging_product and sync_type', async () => {
    const cases: [Awaited<ReturnType<typeof ask>>, number, number][] = [
      [await ask(history, { token: 'wrong-token' }), 401, 190],
      [await ask(history, { number: '999999999' }), 400, 100],
      [await ask(history, { version: 'latest' }), 404, 803],
      [await ask({ sync_type: 'history' }), 400, 100],
      [await ask({ messaging_product: 'sms', sync_type: 'history' }), 400, 100],
      [await ask({ messaging_product: 'whatsapp' }), 400, 100],
      [await ask({ messaging_product: 'whatsapp', sync_type: 'messages' }), 400, 100],
    ];
    for (const [response, status, code] of cases) {
      expect(response.statusCode).toBe(status);
      expect(response.json().error.code).toBe(code);
    }
    // None of the refused calls spent the number's one request.
    expect((await ask(history)).statusCode).toBe(200);
  });

  it('refuses a request more than 24 hours after the onboarding time set for the number', async () => {
    const set = await sandbox.app.inject({
      method: 'POST',
      url: '/__sandbox/coexistence',
      payload: { phoneNumberId: NUMBER, onboardedAt: new Date(Date.now() - 25 * 3_600_000).toISOString() },
    });
    expect(set.statusCode).toBe(200);
    const late = await ask(contacts);
    expect(late.statusCode).toBe(400);
    expect(late.json().error.code).toBe(2593108);
    await sandbox.app.inject({
      method: 'POST',
      url: '/__sandbox/coexistence',
      payload: { phoneNumberId: NUMBER, onboardedAt: Date.now() - 23 * 3_600_000 },
    });
    expect((await ask(contacts)).statusCode).toBe(200);
  });
});
