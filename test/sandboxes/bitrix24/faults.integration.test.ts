import { afterEach, describe, expect, it } from 'vitest';
import { type Bitrix24Harness, json, postJson, startBitrix24 } from './support.js';

let b24: Bitrix24Harness;
afterEach(async () => b24?.close());

const script = (kind: string, after = 0, times = 1) =>
  postJson(`${b24.url}/__sandbox/faults`, { kind, after, times });

describe('Bitrix24 sandbox: injected faults and inspection', () => {
  it('answers scripted faults as the portal does, after the given number of calls', async () => {
    b24 = await startBitrix24();
    expect((await script('503', 1)).status).toBe(201);
    await script('500');
    expect((await b24.call('test.echo')).status).toBe(200);
    expect(await b24.call('test.echo')).toEqual({
      status: 503,
      body: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' },
    });
    expect(await b24.call('test.echo')).toEqual({
      status: 500,
      body: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' },
    });
    expect((await b24.call('test.echo')).status).toBe(200);
  });

  it('answers expired_token to an OAuth call (the token still works after a refresh) and 500 to a webhook', async () => {
    b24 = await startBitrix24();
    const minted = await postJson(`${b24.url}/__sandbox/tokens`, {});
    await script('expired-token', 0, 2);
    expect((await postJson(`${b24.url}/rest/test.echo`, { auth: minted.body.access_token })).body.error).toBe(
      'expired_token',
    );
    expect((await b24.call('test.echo')).body.error).toBe('INTERNAL_SERVER_ERROR');
  });

  it('serves a lost-answer call but drops its answer', async () => {
    b24 = await startBitrix24();
    await script('lost-answer');
    await expect(b24.call('test.add', { fields: { NAME: 'x' } })).rejects.toThrow();
    // The add ran: the next one is number 2.
    expect((await b24.call('test.add', { fields: {} })).body.result).toBe(2);
  });

  it('cuts a timeout call unanswered', async () => {
    b24 = await startBitrix24({ faults: { rate: 0, timeoutMs: 50 } });
    await script('timeout');
    await expect(b24.call('test.echo')).rejects.toThrow();
    expect((await b24.call('test.echo')).status).toBe(200);
  });

  it('draws faults at the configured rate, reproducibly for a seed', async () => {
    const run = async () => {
      b24 = await startBitrix24({ faults: { rate: 0.5, seed: 7, kinds: ['503', '500'] } });
      const statuses: number[] = [];
      for (let index = 0; index < 20; index++) statuses.push((await b24.call('test.echo')).status);
      await b24.close();
      return statuses;
    };
    const first = await run();
    expect(first.filter((status) => status !== 200).length).toBeGreaterThan(0);
    expect(first.filter((status) => status === 200).length).toBeGreaterThan(0);
    expect(await run()).toEqual(first);
  });

  it('counts requests by method and faults, lists its routes, clears scripted faults and resets', async () => {
    b24 = await startBitrix24();
    await b24.call('test.echo');
    await script('500');
    await b24.call('test.echo');
    await script('503');
    expect((await json(await fetch(`${b24.url}/__sandbox/faults`, { method: 'DELETE' }))).body).toEqual({
      cleared: true,
    });
    expect((await b24.call('test.echo')).status).toBe(200);
    const counters = await json(await fetch(`${b24.url}/__sandbox/counters`));
    expect(counters.body).toMatchObject({ total: 3, byRoute: { 'test.echo': 3 }, faults: { '500': 1 } });
    const index = await json(await fetch(`${b24.url}/__sandbox`));
    expect(index.body.routes).toEqual(
      expect.arrayContaining(['POST /__sandbox/webhooks', 'POST /__sandbox/tokens', 'POST /__sandbox/reset']),
    );
    expect(index.body.methods).toEqual(['test.add', 'test.echo', 'test.fail', 'test.files', 'test.list']);

    const webhook = await postJson(`${b24.url}/__sandbox/webhooks`, { scopes: ['crm'] });
    expect((await postJson(`${webhook.body.url}test.echo`)).status).toBe(200);
    await postJson(`${b24.url}/__sandbox/reset`);
    expect((await postJson(`${webhook.body.url}test.echo`)).body.error).toBe('INVALID_CREDENTIALS');
    expect((await json(await fetch(`${b24.url}/__sandbox/counters`))).body).toMatchObject({ total: 1 });
  });
});
