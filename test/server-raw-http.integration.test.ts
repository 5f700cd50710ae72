import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

const sqlite = testDatabases()[0];

/**
 * Sends `requestLine` and headers byte for byte over a socket and answers the status code and body:
 * app.inject and HTTP clients normalise the target, and an attacker's bytes are not normalised.
 */
function rawRequest(
  port: number,
  requestLine: string,
  headers: string[] = [],
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(
        `${requestLine}\r\nHost: 127.0.0.1:${port}\r\n${headers.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`,
      );
    });
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => {
      data += chunk;
    });
    socket.on('error', reject);
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
  });
}

describe('the auth check sees the path the router sees', () => {
  let h: Harness;
  let port: number;
  beforeAll(async () => {
    if (!sqlite) throw new Error('no sqlite');
    h = await startHarness(sqlite);
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const address = h.app.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    port = address.port;
    await h.createAccount('+14155552671');
  });
  afterAll(() => h.close());

  const SPELLINGS_OF_ACCOUNTS = [
    'GET /api/v1/accounts HTTP/1.1',
    'GET /%61pi/v1/accounts HTTP/1.1',
    'GET /api/v1/%61ccounts HTTP/1.1',
    'GET /%61%70%69/v1/accounts HTTP/1.1',
    'GET http://127.0.0.1/api/v1/accounts HTTP/1.1',
    'GET http://example.com/api/v1/accounts HTTP/1.1',
    'GET http://127.0.0.1/%61pi/v1/accounts HTTP/1.1',
  ];

  it.each([
    ...SPELLINGS_OF_ACCOUNTS,
    'GET /api%2Fv1/accounts HTTP/1.1',
    'GET //api/v1/accounts HTTP/1.1',
    'GET /api/v1/accounts/ HTTP/1.1',
    'GET /api/v1/accounts;x HTTP/1.1',
    'GET /API/v1/accounts HTTP/1.1',
    'GET /api/v1/docs/%2e%2e/accounts HTTP/1.1',
    'GET /api/v1/docs/..%2faccounts HTTP/1.1',
    'GET /api/v1/setup/../accounts HTTP/1.1',
    'GET /api/v1/invites/wsi_x%2F..%2F..%2Faccounts HTTP/1.1',
    'GET http://x/api/v1/setup/../accounts HTTP/1.1',
  ])('%s without a token never answers account data', async (line) => {
    const response = await rawRequest(port, line);
    expect(response.body).not.toContain('+14155552671');
    expect([401, 404]).toContain(response.status);
  });

  it.each(SPELLINGS_OF_ACCOUNTS)(
    '%s with a token passes the auth check like the plain path',
    async (line) => {
      // Before, the check skipped these (the route then refused its missing grant): whatever the
      // router matches, the check has seen.
      const response = await rawRequest(port, line, [`Authorization: Bearer ${h.token}`]);
      expect(response.status).toBe(200);
      expect(response.body).toContain('+14155552671');
    },
  );

  it('a revoked token is refused on every spelling', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: h.auth,
      payload: { name: 'short-lived', role: 'member' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id, token } = created.json();
    await h.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: h.auth });
    for (const line of SPELLINGS_OF_ACCOUNTS) {
      const response = await rawRequest(port, line, [`Authorization: Bearer ${token}`]);
      expect(response.status, line).toBe(401);
    }
  });

  it('answers the public routes without a token', async () => {
    expect((await rawRequest(port, 'GET /api/v1/setup HTTP/1.1')).status).toBe(200);
    expect((await rawRequest(port, 'GET /api/v1/%73etup HTTP/1.1')).status).toBe(200);
  });
});
