import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

describeEachDatabase('secrets in logs and links', (database) => {
  let h: Harness;
  let app: FastifyInstance;
  let lines: string[];

  /** The app as `wasync serve` builds it, logging at info, its log lines kept. */
  const startLogged = async (env: Record<string, string> = {}) => {
    h = await startHarness(database, env);
    lines = [];
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    app = await buildApp(h.services, { logStream });
  };
  afterEach(async () => {
    await app.close();
    await h.close();
  });

  const invite = (headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/invites',
      headers: { ...h.auth, ...headers },
      payload: { email: 'bob@example.com' },
    });

  beforeEach(() => startLogged());

  it('logs no invite token, however the link is used', async () => {
    const created = await invite();
    expect(created.statusCode, created.body).toBe(201);
    const token = new URL(created.json().url).pathname.split('/').pop() as string;
    expect(token).toMatch(/^wsi_/);
    await app.inject({ method: 'GET', url: `/api/v1/invites/${token}` });
    await app.inject({ method: 'GET', url: `/api/v1/invites/${encodeURIComponent(token)}?x=1` });
    await app.inject({ method: 'POST', url: `/api/v1/invites/${token}/accept`, payload: {} });
    await app.inject({ method: 'GET', url: `/invite/${token}` });
    const logged = lines.join('\n');
    expect(lines.length).toBeGreaterThanOrEqual(8);
    expect(logged).not.toContain(token.slice(4));
    expect(logged).toContain('"url":"/api/v1/invites/[redacted]/accept"');
    expect(logged).toContain('"url":"/invite/[redacted]"');
    // An invite's id, used to revoke it, is no secret and stays readable.
    const id = created.json().invite.id as string;
    await app.inject({ method: 'DELETE', url: `/api/v1/invites/${id}`, headers: h.auth });
    expect(lines.join('\n')).toContain(`"url":"/api/v1/invites/${id}"`);
  });

  it("logs Meta's verify handshake without the verify token, the rest of the query kept", async () => {
    await app.inject({
      method: 'GET',
      url: '/webhooks/whatsapp-cloud/acc_nope?hub.mode=subscribe&hub.verify_token=very-secret-verify&hub.challenge=42',
    });
    await app.inject({ method: 'GET', url: '/api/v1/chats?access_token=also-secret&limit=5' });
    const logged = lines.join('\n');
    expect(logged).not.toContain('very-secret-verify');
    expect(logged).not.toContain('also-secret');
    expect(logged).toContain('hub.verify_token=[redacted]&hub.challenge=42');
    expect(logged).toContain('access_token=[redacted]&limit=5');
  });

  it('builds no invite link from a Host header that is not this machine, and stores no invite', async () => {
    for (const headers of [
      { host: 'evil.example.com' },
      { host: 'localhost', 'x-forwarded-host': 'evil.example.com' },
    ]) {
      const refused = await invite(headers);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.code).toBe('public_url_required');
    }
    const listed = await app.inject({ method: 'GET', url: '/api/v1/invites', headers: h.auth });
    expect(listed.json().data).toEqual([]);
    const local = await invite({ host: '127.0.0.1:3000' });
    expect(local.json().url).toMatch(/^http:\/\/127\.0\.0\.1:3000\/invite\/wsi_/);
  });
});

describeEachDatabase('invite links with WASYNC_PUBLIC_URL', (database) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(database, { WASYNC_PUBLIC_URL: 'https://wasync.example.org/' });
  });
  afterEach(() => h.close());

  it('uses the configured address, whatever the Host header says', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/invites',
      headers: { ...h.auth, host: 'evil.example.com' },
      payload: { email: 'bob@example.com' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().url).toMatch(/^https:\/\/wasync\.example\.org\/invite\/wsi_/);
  });
});
