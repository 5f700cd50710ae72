import { afterEach, describe, expect, it } from 'vitest';
import type { Bitrix24Token } from '../../src/crms/bitrix24/auth.js';
import { OperatingTimes } from '../../src/crms/bitrix24/operating-time.js';
import { OAuthAccess } from '../../src/crms/bitrix24/sign-in.js';
import { Bitrix24Transport } from '../../src/crms/bitrix24/transport.js';
import { InProcessRateLimiter } from '../../src/crms/kit/rate-limiter.js';
import { memoryTokenStore } from '../../src/crms/kit/token-holder.js';
import { CrmError } from '../../src/crms/types.js';
import { DEMO_APPLICATION } from '../../src/sandboxes/bitrix24/index.js';
import { startTestBitrix24, type TestBitrix24 } from '../support/bitrix24-portal.js';

let b24: TestBitrix24;
afterEach(async () => b24?.close());

const fault = (kind: string, after = 0, times = 1) => b24.inspect('POST', 'faults', { kind, after, times });
const requestsOf = async (method: string) =>
  ((await b24.counters()).byRoute as Record<string, number> | undefined)?.[method] ?? 0;

describe('Bitrix24 transport over the sandbox', () => {
  it('calls methods through an inbound webhook and reads ids as the portal gives them', async () => {
    b24 = await startTestBitrix24();
    const transport = await b24.transport();
    const added = await transport.call<number>('crm.contact.add', {
      fields: { NAME: 'Ana', PHONE: [{ VALUE: '+55 11 98765-4321', VALUE_TYPE: 'MOBILE' }] },
    });
    expect(typeof added.result).toBe('number');
    const got = await transport.call<{ ID: string; PHONE: { VALUE: string }[] }>('crm.contact.get', {
      id: added.result,
    });
    expect(got.result.ID).toBe(String(added.result));
    expect(got.result.PHONE[0]?.VALUE).toBe('+55 11 98765-4321');
    expect(transport.counter.requests).toBe(2);
  });

  it('sends commands 50 to a batch request and answers each in order, a failed one on its own', async () => {
    b24 = await startTestBitrix24();
    const transport = await b24.transport();
    const contact = b24.portal.seedContact({ name: 'Ana', phones: ['+5511987654321'] });
    const commands = Array.from({ length: 120 }, (_, index) =>
      index === 61
        ? { method: 'crm.contact.get', params: { id: 999_999 } }
        : {
            method: 'crm.duplicate.findbycomm',
            params: { type: 'PHONE', values: [index === 7 ? '+5511987654321' : `+1555000${1000 + index}`] },
          },
    );
    const results = await transport.batch(commands);
    expect(results).toHaveLength(120);
    expect(await requestsOf('batch')).toBe(3);
    expect(transport.counter).toEqual({ requests: 3, commands: 120 });
    expect(results[7]).toMatchObject({ ok: true, result: { CONTACT: [contact.id] } });
    expect(results[8]).toMatchObject({ ok: true, result: [] });
    const failed = results[61];
    expect(failed?.ok).toBe(false);
    expect(failed?.ok === false && failed.error.kind).toBe('rejected');
  });

  it('tries a read again after the portal’s 503 or 500, and never repeats a write', async () => {
    b24 = await startTestBitrix24();
    const transport = await b24.transport();
    await fault('503');
    await fault('500');
    expect((await transport.call<number>('crm.settings.mode.get')).result).toBe(1);
    expect(await requestsOf('crm.settings.mode.get')).toBe(3);

    await fault('500');
    const write = await transport.call('crm.contact.add', { fields: { NAME: 'Bo' } }).catch((e) => e);
    expect(write).toBeInstanceOf(CrmError);
    expect(write).toMatchObject({ kind: 'retryable', code: 'INTERNAL_SERVER_ERROR', outcomeUnknown: true });
    expect(await requestsOf('crm.contact.add')).toBe(1);
  });

  it('reads a lost answer of a write as one whose outcome is unknown', async () => {
    b24 = await startTestBitrix24();
    const transport = await b24.transport();
    await fault('lost-answer');
    const error = await transport.call('crm.contact.add', { fields: { NAME: 'Cy' } }).catch((e) => e);
    expect(error).toMatchObject({ kind: 'retryable', outcomeUnknown: true });
    expect(b24.portal.all('contact')).toHaveLength(1);
  });

  it('stops calling a method near its operating time, before the portal blocks it', async () => {
    b24 = await startTestBitrix24({ operatingCost: (method) => (method === 'crm.contact.list' ? 100 : 0) });
    const transport = new Bitrix24Transport(await b24.access(), { operating: new OperatingTimes() });
    for (let call = 0; call < 4; call++) await transport.call('crm.contact.list', { select: ['ID'] });
    const refused = await transport.call('crm.contact.list', { select: ['ID'] }).catch((e) => e);
    expect(refused).toMatchObject({ kind: 'retryable', code: 'OPERATION_TIME_BUDGET' });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(await requestsOf('crm.contact.list')).toBe(4);
    // Other methods go on.
    expect((await transport.call<number>('crm.settings.mode.get')).result).toBe(1);
  });

  it('parks the connection on a webhook the portal does not know', async () => {
    b24 = await startTestBitrix24();
    const { WebhookAccess } = await import('../../src/crms/bitrix24/sign-in.js');
    const transport = new Bitrix24Transport(
      new WebhookAccess(`${b24.url}/rest/1/notthesecret/`, new InProcessRateLimiter({})),
    );
    await expect(transport.call('crm.settings.mode.get')).rejects.toMatchObject({
      kind: 'park',
      code: 'INVALID_CREDENTIALS',
    });
  });
});

describe('Bitrix24 OAuth session over the sandbox', () => {
  const oauth = async () => {
    const input = (await b24.oauthConnectionInput()) as { auth: { refreshToken: string } };
    const rotated: string[] = [];
    let stored = input.auth.refreshToken;
    const store = memoryTokenStore<Bitrix24Token>({
      read: async () => stored,
      write: async (token) => {
        rotated.push(token);
        stored = token;
      },
    });
    const access = new OAuthAccess({
      portalUrl: b24.url,
      oauthServer: b24.url,
      clientId: DEMO_APPLICATION.clientId,
      clientSecret: DEMO_APPLICATION.clientSecret,
      refreshToken: input.auth.refreshToken,
      limiter: new InProcessRateLimiter({}),
      store,
    });
    return { access, rotated, first: input.auth.refreshToken };
  };

  it('signs in once, and renews only when the portal says expired_token, storing the rotated refresh token', async () => {
    b24 = await startTestBitrix24();
    const { access, rotated, first } = await oauth();
    const transport = new Bitrix24Transport(access);
    await transport.call('crm.settings.mode.get');
    await transport.call('crm.settings.mode.get');
    expect(access.refreshCount).toBe(1);
    expect(rotated).toHaveLength(1);
    expect(rotated[0]).not.toBe(first);

    await b24.inspect('POST', 'tokens/expire');
    // Many calls find the token expired at once: one refresh for them all.
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => transport.call<number>('crm.settings.mode.get')),
    );
    expect(answers.map((answer) => answer.result)).toEqual([1, 1, 1, 1, 1]);
    expect(access.refreshCount).toBe(2);
    expect(rotated).toHaveLength(2);
    expect(rotated[1]).not.toBe(rotated[0]);
  });

  it('parks the connection when the refresh token is refused', async () => {
    b24 = await startTestBitrix24();
    const access = new OAuthAccess({
      portalUrl: b24.url,
      oauthServer: b24.url,
      clientId: DEMO_APPLICATION.clientId,
      clientSecret: DEMO_APPLICATION.clientSecret,
      refreshToken: 'not-a-refresh-token',
      limiter: new InProcessRateLimiter({}),
    });
    await expect(new Bitrix24Transport(access).call('crm.settings.mode.get')).rejects.toMatchObject({
      kind: 'park',
      code: 'invalid_grant',
    });
  });
});
