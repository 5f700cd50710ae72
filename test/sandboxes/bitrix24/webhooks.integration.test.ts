import { afterEach, describe, expect, it } from 'vitest';
import { type Bitrix24Harness, json, postJson, startBitrix24 } from './support.js';

let b24: Bitrix24Harness;
afterEach(async () => b24?.close());

describe('Bitrix24 sandbox: inbound webhooks', () => {
  it('runs a method as the webhook user, with the query and JSON body merged and time in the answer', async () => {
    b24 = await startBitrix24();
    const answer = await postJson(`${b24.hook}test.echo?a=1&fields[NAME]=q`, {
      b: 2,
      fields: { NAME: 'Jane' },
    });
    expect(answer.status).toBe(200);
    const result = answer.body.result as {
      params: Record<string, unknown>;
      userId: number;
      scopes: string[];
    };
    // The body wins over the query for the same key.
    expect(result.params).toEqual({ a: '1', b: 2, fields: { NAME: 'Jane' } });
    expect(result.userId).toBe(1);
    expect(result.scopes).toEqual(['crm', 'disk', 'user']);
    const time = answer.body.time as Record<string, unknown>;
    expect(Object.keys(time).sort()).toEqual(
      [
        'date_finish',
        'date_start',
        'duration',
        'finish',
        'operating',
        'operating_reset_at',
        'processing',
        'start',
      ].sort(),
    );
    expect(time.start).toBe(Date.parse('2026-08-01T09:00:00Z') / 1000);
    expect(time.date_start).toBe('2026-08-01T09:00:00+00:00');
    expect(time.operating_reset_at).toBe(Date.parse('2026-08-01T09:10:00Z') / 1000);
  });

  it('takes GET with a .json suffix and PHP bracket keys, in the query or a form body', async () => {
    b24 = await startBitrix24();
    const query =
      'fields[TITLE]=My%20company&fields[PHONE][0][VALUE]=112233&fields[PHONE][0][VALUE_TYPE]=WORK&fields[PHONE][1][VALUE]=555&values[]=x&values[]=y';
    const expected = {
      fields: {
        TITLE: 'My company',
        PHONE: [{ VALUE: '112233', VALUE_TYPE: 'WORK' }, { VALUE: '555' }],
      },
      values: ['x', 'y'],
    };
    const viaGet = await json(await fetch(`${b24.hook}test.echo.json?${query}`));
    expect(viaGet.status).toBe(200);
    expect((viaGet.body.result as { params: unknown }).params).toEqual(expected);
    const viaForm = await json(
      await fetch(`${b24.hook}test.echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: query,
      }),
    );
    expect((viaForm.body.result as { params: unknown }).params).toEqual(expected);
  });

  it('answers a list with total and next', async () => {
    b24 = await startBitrix24();
    const first = await b24.call('test.list');
    expect(first.body).toMatchObject({ total: 120, next: 50 });
    expect((first.body.result as unknown[]).length).toBe(50);
    const last = await b24.call('test.list', { start: 100 });
    expect(last.body.total).toBe(120);
    expect(last.body.next).toBeUndefined();
  });

  it('refuses a wrong secret or user, an expired webhook, a missing scope and an unknown method', async () => {
    b24 = await startBitrix24();
    const wrongSecret = await postJson(`${b24.url}/rest/1/nottherightsecret/test.echo`);
    expect(wrongSecret).toEqual({
      status: 401,
      body: { error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' },
    });
    const wrongUser = await postJson(`${b24.hook.replace('/rest/1/', '/rest/2/')}test.echo`);
    expect(wrongUser.body.error).toBe('INVALID_CREDENTIALS');

    const registered = await postJson(`${b24.url}/__sandbox/webhooks`, {
      userId: 7,
      scopes: ['crm'],
      expiresAt: '2026-08-01T10:00:00Z',
    });
    expect(registered.status).toBe(201);
    const url = registered.body.url as string;
    expect(url).toMatch(new RegExp(`^${b24.url}/rest/7/[A-Za-z0-9]+/$`));
    const asSeven = await postJson(`${url}test.echo`);
    expect((asSeven.body.result as { userId: number }).userId).toBe(7);
    const noDisk = await postJson(`${url}test.files`);
    expect(noDisk).toEqual({
      status: 401,
      body: {
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the webhook token',
      },
    });
    b24.clock.advance(60 * 60 * 1000);
    expect((await postJson(`${url}test.echo`)).body.error).toBe('INVALID_CREDENTIALS');

    const unknown = await b24.call('crm.nothing.here');
    expect(unknown).toEqual({
      status: 404,
      body: { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' },
    });
  });

  it('answers a method error with its status and code', async () => {
    b24 = await startBitrix24();
    expect(await b24.call('test.fail')).toEqual({
      status: 400,
      body: { error: 'NOT_FOUND', error_description: 'Not found.' },
    });
  });

  it('refuses a GET that carries a JSON body', async () => {
    b24 = await startBitrix24();
    const { request } = await import('node:http');
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const body = JSON.stringify({ a: 1 });
      const req = request(`${b24.hook}test.echo`, {
        method: 'GET',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      req.on('response', (response) => {
        let text = '';
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error_description).toBe('Communication type is not defined');
  });
});
