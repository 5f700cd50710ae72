import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SecretBox } from '../src/core/secret-box.js';
import { ConnectionService } from '../src/crms/connections.js';
import {
  buildSalesforceSandbox,
  DEMO_CLIENT,
  type SalesforceSandbox,
} from '../src/sandboxes/salesforce/index.js';
import { openServices, type Services } from '../src/services.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

const ANA = '+5511987654321';

/**
 * A connection signs in through one token holder per process, and an org that rotates refresh tokens
 * (each refresh spends the old one) keeps answering every process that shares the store.
 */
describeEachDatabase('Salesforce sign-in shared by a connection', (database) => {
  let sandbox: SalesforceSandbox;
  let url: string;
  let h: Harness;
  let others: Services[];
  /** The refresh token the org handed out last, and whether the store held it at each data call. */
  let lastIssued: string | undefined;
  let storedAtDataCalls: boolean[];
  let connectionId: string;

  beforeEach(async () => {
    lastIssued = undefined;
    storedAtDataCalls = [];
    others = [];
    h = await startHarness(database);
    sandbox = await buildSalesforceSandbox({ rotateRefreshTokens: true });
    // Watches the org's side: each refresh token it issues, and what the store holds when a call comes.
    sandbox.app.addHook('onSend', async (request, _reply, payload) => {
      if (request.url === '/services/oauth2/token' && typeof payload === 'string') {
        const issued = (JSON.parse(payload) as { refresh_token?: string }).refresh_token;
        if (issued) lastIssued = issued;
      }
      return payload;
    });
    sandbox.app.addHook('onRequest', async (request) => {
      if (!request.url.startsWith('/services/data') && !request.url.startsWith('/services/Soap')) return;
      storedAtDataCalls.push((await storedRefreshToken()) === lastIssued);
    });
    url = await sandbox.listen(0);
    const minted = (await (
      await fetch(`${url}/__sandbox/refresh-tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
    ).json()) as { refresh_token: string };
    lastIssued = minted.refresh_token;
    connectionId = (
      await h.services.connections.create(h.services.workspace.id, {
        kind: 'salesforce',
        name: 'Rotating org',
        loginUrl: url,
        apiVersion: '62.0',
        auth: {
          flow: 'refresh_token',
          clientId: DEMO_CLIENT.clientId,
          clientSecret: DEMO_CLIENT.clientSecret,
          refreshToken: minted.refresh_token,
        },
      })
    ).id;
  });
  afterEach(async () => {
    for (const other of others) await other.close();
    await h.close();
    await sandbox.close();
  });

  async function storedRefreshToken(): Promise<string | undefined> {
    const row = await h.services.store.connections.find(h.services.workspace.id, connectionId);
    if (!row) return undefined;
    const secrets = JSON.parse(new SecretBox(h.services.secretKey).open(row.sealedCredentials, row.id));
    return (secrets as { refreshToken?: string }).refreshToken;
  }
  const signIns = async () => {
    const counters = (await (await fetch(`${url}/__sandbox/counters`)).json()) as {
      byRoute: Record<string, number>;
    };
    return counters.byRoute['POST /services/oauth2/token'] ?? 0;
  };
  const expireSessions = () =>
    fetch(`${url}/__sandbox/tokens/expire`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
  /** Another wasync process on the same database, as a second `wasync serve` would be. */
  const anotherProcess = async () => {
    const other = await openServices(h.config, pino({ level: 'silent' }));
    others.push(other);
    return other;
  };

  it('setup, the connection test and a sync sign in once between them, and store each rotated token before using it', async () => {
    const seeded = await fetch(`${url}/__sandbox/records/Contact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ FirstName: 'Ana', LastName: 'Souza', Phone: ANA }),
    });
    expect(seeded.status).toBe(201);
    const account = await h.createAccount('+5511900001111');
    const ingested = await h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${account.id}/messages`,
      headers: h.auth,
      payload: {
        messages: [
          {
            id: 'wamid.sign-in-1',
            chat: { type: 'direct', with: ANA },
            timestamp: new Date().toISOString(),
            text: 'Oi!',
          },
        ],
      },
    });
    expect(ingested.statusCode, ingested.body).toBe(200);

    const setup = await h.app.inject({
      method: 'POST',
      url: `/api/v1/connections/${connectionId}/setup`,
      headers: h.auth,
    });
    expect(setup.statusCode, setup.body).toBe(200);
    for (let i = 0; i < 2; i++) {
      const test = await h.app.inject({
        method: 'POST',
        url: `/api/v1/connections/${connectionId}/test`,
        headers: h.auth,
      });
      expect(test.json()).toEqual({ ok: true, problems: [] });
    }
    const outcome = await h.services.sync.runNow(connectionId);
    expect(outcome).toMatchObject({ state: 'done', summary: { transcriptsWritten: 1 } });
    const chats = (await (await fetch(`${url}/__sandbox/records/WhatsApp_Chat__c`)).json()) as {
      totalSize: number;
    };
    expect(chats.totalSize).toBe(1);

    expect(await signIns()).toBe(1);
    expect(storedAtDataCalls.length).toBeGreaterThan(5);
    expect(storedAtDataCalls.every(Boolean)).toBe(true);
    expect(await storedRefreshToken()).toBe(lastIssued);
  });

  it('two processes on one store share one session and sign in once per expiry, one after the other and at once', async () => {
    const other = await anotherProcess();
    const workspaceId = h.services.workspace.id;
    await h.services.connections.setUp(workspaceId, connectionId);
    const here = await h.services.connections.destination(workspaceId, connectionId);
    const there = await other.connections.destination(workspaceId, connectionId);
    for (let round = 0; round < 6; round++) {
      await expireSessions();
      // Each refresh spends the token the other process signed in with last.
      expect(await (round % 2 === 0 ? here : there).test()).toEqual([]);
    }
    expect(storedAtDataCalls.every(Boolean)).toBe(true);
    // One sign-in for setup, one per expiry: the process that comes second uses the stored session.
    expect(await signIns()).toBe(7);
    // Both at once: they take turns under the store's lease, and never spend a token twice. The
    // second uses the first's session when it was refused before that one was got (a sign-in else).
    for (let round = 0; round < 3; round++) {
      await expireSessions();
      expect(await Promise.all([here.test(), there.test()])).toEqual([[], []]);
    }
    expect(await signIns()).toBeGreaterThanOrEqual(10);
    expect(await signIns()).toBeLessThanOrEqual(13);
    expect(await storedRefreshToken()).toBe(lastIssued);

    // A process started now (a restart) uses the session the store holds: no sign-in at all.
    const before = await signIns();
    const restarted = new ConnectionService(
      h.services.store.connections,
      h.services.secretKey,
      h.services.outbound,
    );
    expect(await (await restarted.destination(workspaceId, connectionId)).test()).toEqual([]);
    expect(await signIns()).toBe(before);
  });
});
