import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBlockedAddress } from '../../src/net/blocked-addresses.js';
import { createGuardedFetch, ResponseTooLargeError } from '../../src/net/guarded-fetch.js';
import { UrlForbiddenError } from '../../src/net/outbound-url.js';

/** A loopback server: /secret is what an attacker wants, /to?url= redirects, /echo answers the request. */
function startServer(): Promise<{ port: number; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((request, response) => {
    hits.push(`${request.method} ${request.url}`);
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname === '/secret') return response.end('internal secret');
    if (url.pathname === '/to')
      return response.writeHead(302, { location: url.searchParams.get('url') ?? '/' }).end();
    if (url.pathname === '/loop') return response.writeHead(302, { location: '/loop' }).end();
    if (url.pathname === '/big') return response.end(Buffer.alloc(10_000));
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () =>
      response.end(
        JSON.stringify({ method: request.method, body, authorization: request.headers.authorization }),
      ),
    );
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        hits,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) =>
      error instanceof UrlForbiddenError ? error.message : `not refused: ${String(error)}`,
  );

describe('guarded fetch', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('refuses loopback in every spelling, and plain http, when nothing is allow-listed', async () => {
    const guarded = createGuardedFetch({ allow: [] });
    const { port } = server;
    for (const url of [
      `http://127.0.0.1:${port}/secret`,
      `https://127.0.0.1:${port}/secret`,
      `https://2130706433:${port}/secret`,
      `https://0x7f.1:${port}/secret`,
      `https://0177.0.0.1:${port}/secret`,
      `https://[::ffff:127.0.0.1]:${port}/secret`,
      `https://[::127.0.0.1]:${port}/secret`,
      `https://[::1]:${port}/secret`,
      `https://169.254.169.254/latest/meta-data/`,
      `https://user:pass@example.com/`,
      `file:///etc/passwd`,
    ])
      expect(await refusal(guarded(url)), url).toMatch(/is not allowed/);
    expect(server.hits).toEqual([]);
  });

  it('checks the address a host name resolves to when it connects', async () => {
    const guarded = createGuardedFetch({ allow: [] });
    expect(await refusal(guarded(`https://localhost:${server.port}/secret`))).toMatch(
      /localhost resolves to (127\.0\.0\.1|::1), a local, private or reserved address/,
    );
    expect(server.hits).toEqual([]);
  });

  it('checks each redirect hop again, even from an allow-listed host', async () => {
    const guarded = createGuardedFetch({ allow: [`localhost:${server.port}`] });
    const hop = (target: string) => `http://localhost:${server.port}/to?url=${encodeURIComponent(target)}`;
    expect(await refusal(guarded(hop(`http://127.0.0.1:${server.port}/secret`)))).toMatch(/plain http/);
    expect(await refusal(guarded(hop(`https://127.0.0.1:${server.port}/secret`)))).toMatch(/local, private/);
    expect(await refusal(guarded(hop(`https://[::ffff:7f00:1]:${server.port}/secret`)))).toMatch(
      /local, private/,
    );
    expect(server.hits.filter((hit) => hit.includes('/secret'))).toEqual([]);
  });

  it('fetches from allow-listed hosts, follows redirects there, and limits them', async () => {
    const guarded = createGuardedFetch({ allow: ['127.0.0.1'], maxResponseBytes: 5_000 });
    const base = `http://127.0.0.1:${server.port}`;
    const posted = await guarded(`${base}/echo`, {
      method: 'POST',
      body: new URLSearchParams({ a: '1' }),
      headers: { authorization: 'Bearer t' },
    });
    expect(await posted.json()).toEqual({ method: 'POST', body: 'a=1', authorization: 'Bearer t' });
    const redirected = await guarded(`${base}/to?url=${encodeURIComponent('/secret')}`);
    expect(await redirected.text()).toBe('internal secret');
    await expect(guarded(`${base}/loop`)).rejects.toThrow('more than 5 redirects');
    const big = await guarded(`${base}/big`);
    await expect(big.arrayBuffer()).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it('drops credentials on a redirect to another origin', async () => {
    const guarded = createGuardedFetch({ allow: ['127.0.0.1', 'localhost'] });
    const target = `http://localhost:${server.port}/echo`;
    const response = await guarded(`http://127.0.0.1:${server.port}/to?url=${encodeURIComponent(target)}`, {
      headers: { authorization: 'Bearer t' },
    });
    expect(await response.json()).toEqual({ method: 'GET', body: '' });
  });

  it('knows the private, local and reserved ranges', () => {
    for (const address of [
      '0.0.0.0',
      '10.1.2.3',
      '100.64.0.1',
      '127.8.8.8',
      '169.254.169.254',
      '172.31.255.255',
      '192.168.1.1',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      '::ffff:10.0.0.1',
      '::ffff:a9fe:a9fe',
      'fd12:3456::1',
      'fe80::1',
      'ff02::1',
      '64:ff9b::7f00:1',
    ])
      expect(isBlockedAddress(address), address).toBe(true);
    for (const address of ['8.8.8.8', '172.32.0.1', '2a03:2880:f003:c07:face:b00c::2', '::ffff:8.8.8.8'])
      expect(isBlockedAddress(address), address).toBe(false);
  });
});
