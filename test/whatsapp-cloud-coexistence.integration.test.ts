import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  buildWhatsAppCloudSandbox,
  SANDBOX_ACCESS_TOKEN,
  type WhatsAppCloudSandbox,
} from '../src/sandboxes/whatsapp-cloud/index.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

const NUMBER = '106540352242922';
const HOUR = 3_600_000;

describeEachDatabase('Coexistence history request of a Cloud API number', (database) => {
  let h: Harness;
  let sandbox: WhatsAppCloudSandbox;
  let sandboxUrl: string;

  beforeEach(async () => {
    h = await startHarness(database);
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
    sandboxUrl = await sandbox.listen();
  });
  afterEach(async () => {
    await sandbox.close();
    await h.close();
  });

  const create = async (cloud: Record<string, unknown>, phoneNumberId = NUMBER) => {
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: h.auth,
      payload: {
        phone: '+1 415 555 2671',
        cloud: {
          phoneNumberId,
          accessToken: SANDBOX_ACCESS_TOKEN,
          appSecret: 'sandbox-app-secret',
          graphBaseUrl: sandboxUrl,
          ...cloud,
        },
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
  const askAgain = (accountId: string, payload?: Record<string, unknown>, headers = h.auth) =>
    h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${accountId}/cloud/history-sync`,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
  const asked = () => sandbox.app.inject({ method: 'GET', url: '/__sandbox/smb_app_data' });

  it('asks Meta for contacts and history on creating a coexistence account and shows the request ids', async () => {
    const onboardedAt = new Date(Date.now() - HOUR).toISOString();
    const account = await create({ coexistence: { onboardedAt } });
    const requests = (await asked()).json().data as { syncType: string; requestId: string }[];
    expect(requests.map((r) => r.syncType)).toEqual(['smb_app_state_sync', 'history']);
    expect(account.cloud.coexistence).toEqual({
      onboardedAt,
      windowClosesAt: new Date(Date.parse(onboardedAt) + 24 * HOUR).toISOString(),
      windowOpen: true,
      requests: {
        smb_app_state_sync: {
          state: 'requested',
          requestId: requests[0]?.requestId,
          requestedAt: expect.any(String),
          lastAttemptAt: expect.any(String),
        },
        history: {
          state: 'requested',
          requestId: requests[1]?.requestId,
          requestedAt: expect.any(String),
          lastAttemptAt: expect.any(String),
        },
      },
    });
    expect(account.cloud.history).toEqual({});
    // The same shows in the account's view, and a number of the Cloud API alone has none of it.
    const shown = (
      await h.app.inject({ method: 'GET', url: `/api/v1/accounts/${account.id}`, headers: h.auth })
    ).json();
    expect(shown.cloud.coexistence.requests.history.requestId).toBe(requests[1]?.requestId);
  });

  it('does not ask for a number of the Cloud API alone, and refuses to ask later with not_coexistence', async () => {
    const account = await create({});
    expect(account.cloud.coexistence).toBeUndefined();
    expect((await asked()).json().data).toEqual([]);
    const again = await askAgain(account.id);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('not_coexistence');
  });

  it('surfaces Meta refusing a second request as coexistence_sync_refused, keeping the first request id', async () => {
    const account = await create({ coexistence: {} });
    const firstId = account.cloud.coexistence.requests.history.requestId;
    // Both were accepted: asking again (default: both) is refused by Meta, and each refusal is recorded.
    const again = await askAgain(account.id);
    expect(again.statusCode).toBe(502);
    expect(again.json().error).toMatchObject({
      code: 'coexistence_sync_refused',
      details: {
        refused: [
          { syncType: 'smb_app_state_sync', code: '2593107' },
          { syncType: 'history', code: '2593107' },
        ],
      },
    });
    expect(again.json().error.message).toContain('already requested');
    const shown = (
      await h.app.inject({ method: 'GET', url: `/api/v1/accounts/${account.id}`, headers: h.auth })
    ).json();
    expect(shown.cloud.coexistence.requests.history).toMatchObject({
      state: 'requested',
      requestId: firstId,
      errorCode: '2593107',
      error: expect.stringContaining('already requested'),
    });
    expect((await asked()).json().data).toHaveLength(2);
  });

  it('asks again only what Meta has not accepted yet, while the window is open', async () => {
    // The number is not yet known to Meta's side when the account is made: both requests fail.
    const account = await create({ coexistence: {} }, '555000111222');
    expect(account.cloud.coexistence.requests.history).toMatchObject({ state: 'failed', errorCode: '100' });
    // The id corrected, and the sandbox given the number, asking again gets both through.
    await sandbox.app.inject({
      method: 'POST',
      url: '/__sandbox/numbers',
      payload: {
        phoneNumberId: '555000111222',
        displayPhoneNumber: '14155550000',
        webhookUrl: 'http://127.0.0.1:9/unused',
        appSecret: 'sandbox-app-secret',
      },
    });
    const historyOnly = await askAgain(account.id, { syncTypes: ['history'] });
    expect(historyOnly.statusCode, historyOnly.body).toBe(200);
    expect(historyOnly.json().coexistence.requests).toMatchObject({
      history: { state: 'requested' },
      smb_app_state_sync: { state: 'failed' },
    });
    const rest = await askAgain(account.id);
    expect(rest.statusCode).toBe(200);
    expect(rest.json().coexistence.requests.smb_app_state_sync.state).toBe('requested');
    expect(((await asked()).json().data as { syncType: string }[]).map((r) => r.syncType)).toEqual([
      'history',
      'smb_app_state_sync',
    ]);
  });

  it('refuses with coexistence_window_closed 24 hours after onboarding, asking Meta nothing', async () => {
    const onboardedAt = new Date(Date.now() - 25 * HOUR).toISOString();
    const account = await create({ coexistence: { onboardedAt } });
    expect(account.cloud.coexistence).toMatchObject({ windowOpen: false, requests: {} });
    const again = await askAgain(account.id);
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json().error).toMatchObject({
      code: 'coexistence_window_closed',
      details: { onboardedAt, windowClosedAt: new Date(Date.parse(onboardedAt) + 24 * HOUR).toISOString() },
    });
    expect((await asked()).json().data).toEqual([]);
  });

  it('marks an existing number as shared with the Business app through PATCH, then asks on request', async () => {
    const account = await create({});
    const onboardedAt = new Date(Date.now() - 2 * HOUR).toISOString();
    const patched = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${account.id}/cloud`,
      headers: h.auth,
      payload: { coexistence: { onboardedAt } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().cloud.coexistence).toMatchObject({ onboardedAt, windowOpen: true, requests: {} });
    expect((await asked()).json().data).toEqual([]);
    const again = await askAgain(account.id);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().coexistence.requests).toMatchObject({
      smb_app_state_sync: { state: 'requested' },
      history: { state: 'requested' },
    });
  });

  it('lets only an admin ask again', async () => {
    const account = await create({ coexistence: {} });
    const member = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: h.auth,
      payload: { name: 'rep', role: 'member' },
    });
    const refused = await askAgain(
      account.id,
      { syncTypes: ['history'] },
      {
        authorization: `Bearer ${member.json().token}`,
      },
    );
    expect(refused.statusCode).toBe(403);
    expect((await askAgain('acc_missing')).statusCode).toBe(404);
    expect((await askAgain(account.id, { syncTypes: ['messages'] })).json().error.code).toBe(
      'validation_failed',
    );
    const future = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${account.id}/cloud`,
      headers: h.auth,
      payload: { coexistence: { onboardedAt: new Date(Date.now() + 2 * HOUR).toISOString() } },
    });
    expect(future.json().error).toMatchObject({
      code: 'validation_failed',
      details: {
        issues: [{ field: 'body.coexistence.onboardedAt', message: 'The onboarding time is in the future.' }],
      },
    });
  });

  it('shows the history chunks received per phase beside the requests', async () => {
    const account = await create({ coexistence: {} });
    await h.services.cloud.repository.updateHistoryProgress(account.id, {
      0: { chunks: [1, 2], progress: 100 },
      1: { chunks: [1], progress: 40 },
    });
    const shown = (
      await h.app.inject({ method: 'GET', url: `/api/v1/accounts/${account.id}`, headers: h.auth })
    ).json();
    expect(shown.cloud.history).toEqual({ 0: { chunks: 2, progress: 100 }, 1: { chunks: 1, progress: 40 } });
  });
});
