import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import { SecretBox } from '../src/core/secret-box.js';
import { medianGap, silenceThreshold } from '../src/health/health.js';
import { WhatsAppCloudRepository } from '../src/store/repositories/whatsapp-cloud.js';
import { resealSecrets } from '../src/store/sealed-secrets.js';
import { textMessage } from './support/batches.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.UTC(2026, 2, 10, 12, 0, 0);

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
}

/** An alert receiver on loopback: records each POST; answers `status` (200 unless a test changes it). */
function startReceiver(): Promise<{
  url: string;
  received: Received[];
  status: { code: number };
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  const status = { code: 200 };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: request.headers, body, json: JSON.parse(body) });
      response.writeHead(status.code).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/alerts`,
        received,
        status,
        close: () => new Promise((done) => server.close(() => done())),
      });
    }),
  );
}

interface Mail {
  from: string | undefined;
  to: string[];
  user: string | undefined;
  data: string;
}

/**
 * A real SMTP server on loopback (smtp-server, by nodemailer's authors): takes mail from the user
 * `alerts` with the password `mail-password` only, and keeps what it receives.
 */
function startSmtp(): Promise<{ port: number; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    // Plain SMTP on loopback: no certificate to trust, so STARTTLS is not offered and AUTH is allowed.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === 'alerts' && auth.password === 'mail-password')
        callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === 'string' ? session.user : undefined,
          data: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.server.address() as AddressInfo;
      resolve({ port, mails, close: () => new Promise((done) => server.close(() => done())) });
    }),
  );
}

describe('the webhook silence rule', () => {
  it('takes the median gap, and max(6 h, 4 × median) with 10 gaps or more, else 72 h', () => {
    expect(medianGap([0, 10, 30])).toBe(15);
    expect(medianGap([0, 10, 20, 60])).toBe(10);
    expect(medianGap([5])).toBeUndefined();
    const every = (gap: number, n: number) => Array.from({ length: n }, (_, i) => i * gap);
    expect(silenceThreshold(every(10 * MINUTE, 11))).toBe(6 * HOUR);
    expect(silenceThreshold(every(4 * HOUR, 11))).toBe(16 * HOUR);
    expect(silenceThreshold(every(4 * HOUR, 10))).toBe(72 * HOUR);
  });
});

describeEachDatabase('health and alerts', (database) => {
  let h: Harness;
  let clock: number;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());
  beforeEach(async () => {
    clock = NOW;
    receiver.received.length = 0;
    receiver.status.code = 200;
    h = await startHarness(database, {}, { healthClock: () => clock });
  });
  afterEach(() => h.close());

  const db = () => h.services.store.sql.db;
  const healthOf = async (accountId: string) => {
    const response = await h.app.inject({ method: 'GET', url: '/api/v1/accounts', headers: h.auth });
    expect(response.statusCode).toBe(200);
    return response.json().data.find((a: { id: string }) => a.id === accountId).health;
  };
  const codes = async (accountId: string) =>
    ((await healthOf(accountId)).signs as { code: string }[]).map((s) => s.code);
  const linkedDevice = async (state: string, since: number): Promise<Account> => {
    const account = await h.createAccount('+14155552671', 'linked_device');
    await h.services.store.whatsappWebSessions.ensure(account.id, since);
    await db()
      .updateTable('whatsapp_web_sessions')
      .set({ state, state_at: since })
      .where('account_id', '=', account.id)
      .execute();
    return account;
  };
  const setState = (account: Account, state: string, since: number) =>
    db()
      .updateTable('whatsapp_web_sessions')
      .set({ state, state_at: since })
      .where('account_id', '=', account.id)
      .execute();
  const cloudAccount = async (deliveries: number[]): Promise<Account> => {
    const account = await h.createAccount('+14155550100', 'whatsapp_cloud');
    const repository = new WhatsAppCloudRepository(db());
    await repository.create({
      accountId: account.id,
      phoneNumberId: '1000',
      wabaId: undefined,
      graphBaseUrl: 'https://graph.facebook.com',
      apiVersion: 'v21.0',
      verifyToken: 'verify',
      sealedCredentials: 'v1:unused',
      coexistenceOnboardedAt: undefined,
    });
    for (const at of deliveries) await repository.enqueue(account.id, '{}', at);
    return account;
  };
  const configureAlerts = (payload: Record<string, unknown>) =>
    h.app.inject({ method: 'PATCH', url: '/api/v1/settings/alerts', headers: h.auth, payload });

  describe('signs of a linked device', () => {
    it('is ok and connected while connected', async () => {
      const account = await linkedDevice('connected', NOW - HOUR);
      expect(await healthOf(account.id)).toEqual({ status: 'ok', connected: true, signs: [] });
    });

    it('says logged out, replaced and banned as trouble', async () => {
      const account = await linkedDevice('logged_out', NOW - HOUR);
      const health = await healthOf(account.id);
      expect(health).toMatchObject({ status: 'trouble', connected: false });
      expect(health.signs).toEqual([
        expect.objectContaining({
          code: 'logged_out',
          level: 'trouble',
          since: new Date(NOW - HOUR).toISOString(),
        }),
      ]);
      await setState(account, 'replaced', NOW - MINUTE);
      expect(await healthOf(account.id)).toMatchObject({
        status: 'trouble',
        connected: false,
        signs: [{ code: 'replaced', level: 'trouble', message: expect.stringContaining('Another copy') }],
      });
      await setState(account, 'banned', NOW - MINUTE);
      await db()
        .updateTable('whatsapp_web_sessions')
        .set({ paused_until: NOW + 2 * HOUR })
        .where('account_id', '=', account.id)
        .execute();
      expect(await healthOf(account.id)).toMatchObject({
        status: 'trouble',
        signs: [
          {
            code: 'banned',
            level: 'trouble',
            message: expect.stringContaining(
              `temporarily banned this number until ${new Date(NOW + 2 * HOUR).toISOString()}`,
            ),
          },
        ],
      });
    });

    it('warns while reconnecting, and calls a disconnection of over 30 minutes trouble', async () => {
      const account = await linkedDevice('disconnected', NOW - 10 * MINUTE);
      expect(await healthOf(account.id)).toMatchObject({
        status: 'warning',
        signs: [{ code: 'disconnected', level: 'warning' }],
      });
      clock = NOW + 25 * MINUTE;
      expect(await healthOf(account.id)).toMatchObject({
        status: 'trouble',
        signs: [{ code: 'disconnected', level: 'trouble' }],
      });
      // Reconnect attempts restamp the state; the open gap keeps when the connection was lost.
      await setState(account, 'connecting', NOW + 24 * MINUTE);
      expect(await healthOf(account.id)).toMatchObject({
        signs: [{ code: 'disconnected', level: 'warning' }],
      });
      await db()
        .updateTable('whatsapp_web_sessions')
        .set({ gap_since: NOW - 10 * MINUTE })
        .where('account_id', '=', account.id)
        .execute();
      expect(await healthOf(account.id)).toMatchObject({
        status: 'trouble',
        signs: [{ code: 'disconnected', level: 'trouble', since: new Date(NOW - 10 * MINUTE).toISOString() }],
      });
    });
  });

  describe('signs of a Cloud API webhook', () => {
    it('calls it silent past max(6 h, 4 × its median gap): 6 h for a number heard every 10 minutes', async () => {
      const last = NOW - 5 * HOUR;
      const account = await cloudAccount(Array.from({ length: 12 }, (_, i) => last - (11 - i) * 10 * MINUTE));
      expect(await healthOf(account.id)).toMatchObject({ status: 'ok', connected: true, signs: [] });
      clock = last + 6 * HOUR + MINUTE;
      const health = await healthOf(account.id);
      expect(health).toMatchObject({ status: 'trouble', connected: false });
      expect(health.signs).toEqual([
        expect.objectContaining({ code: 'webhook_silent', since: new Date(last).toISOString() }),
      ]);
    });

    it('lets a number heard every 4 hours stay quiet for 16 hours', async () => {
      const last = NOW - 15 * HOUR;
      const account = await cloudAccount(Array.from({ length: 12 }, (_, i) => last - (11 - i) * 4 * HOUR));
      expect(await codes(account.id)).toEqual([]);
      clock = last + 16 * HOUR + MINUTE;
      expect(await codes(account.id)).toEqual(['webhook_silent']);
    });

    it('waits 72 h for a number without a rhythm yet, and warns when none ever arrived', async () => {
      const account = await cloudAccount([NOW - 50 * HOUR, NOW - 48 * HOUR]);
      expect(await codes(account.id)).toEqual([]);
      clock = NOW - 48 * HOUR + 72 * HOUR + MINUTE;
      expect(await codes(account.id)).toEqual(['webhook_silent']);
      await db().deleteFrom('webhook_deliveries').execute();
      await db().updateTable('whatsapp_cloud_accounts').set({ last_delivery_at: null }).execute();
      await db()
        .updateTable('accounts')
        .set({ created_at: NOW - 30 * HOUR })
        .execute();
      expect(await codes(account.id)).toEqual(['webhook_never']);
      clock = NOW - 7 * HOUR;
      expect(await codes(account.id)).toEqual([]);
      clock = NOW;
      expect(await healthOf(account.id)).toMatchObject({
        status: 'warning',
        connected: false,
        signs: [{ code: 'webhook_never' }],
      });
    });
  });

  it('warns of media that failed in the last day, not of older failures', async () => {
    const account = await h.createAccount();
    await h.postMessages(account, [
      textMessage({ type: 'image', text: 'a', media: { url: 'https://files.example/a.jpg' } }),
      textMessage({ type: 'image', text: 'b', media: { url: 'https://files.example/b.jpg' } }),
    ]);
    const ids = (await db().selectFrom('media').select('id').orderBy('id').execute()).map((r) => r.id);
    await db()
      .updateTable('media')
      .set({ state: 'failed', failure: 'HTTP 404 from the media URL', updated_at: NOW - 25 * HOUR })
      .execute();
    expect(await codes(account.id)).toEqual([]);
    await db()
      .updateTable('media')
      .set({ updated_at: NOW - HOUR })
      .where('id', '=', ids[0] as string)
      .execute();
    expect(await healthOf(account.id)).toMatchObject({
      status: 'warning',
      signs: [
        {
          code: 'media_failing',
          level: 'warning',
          message:
            '1 media file could not be downloaded in the last day (last: HTTP 404 from the media URL).',
        },
      ],
    });
  });

  it('says a connection needs attention, or that its runs keep failing', async () => {
    const { store, workspace } = h.services;
    const connection = await store.connections.create({
      id: store.connections.newId(),
      workspaceId: workspace.id,
      kind: 'reference',
      name: 'Sales CRM',
      settings: {},
      sealedCredentials: 'v1:unused',
    });
    if (!connection) throw new Error('no connection');
    const health = async () =>
      (await h.app.inject({ method: 'GET', url: '/api/v1/health/connections', headers: h.auth })).json().data;
    expect(await health()).toEqual([
      { id: connection.id, name: 'Sales CRM', health: { status: 'ok', signs: [] } },
    ]);
    await db()
      .insertInto('sync_jobs')
      .values({
        connection_id: connection.id,
        run_at: NOW,
        reason: 'retry',
        lease_owner: null,
        lease_until: null,
        attempts: 2,
        last_error: 'crm_unavailable: 503',
        last_started_at: NOW - MINUTE,
        last_finished_at: NOW - MINUTE,
        last_success_at: NOW - HOUR,
        last_summary: null,
        updated_at: NOW,
      })
      .execute();
    expect((await health())[0].health.status).toBe('ok');
    await db().updateTable('sync_jobs').set({ attempts: 3 }).execute();
    expect((await health())[0].health).toMatchObject({
      status: 'trouble',
      signs: [{ code: 'runs_failing', message: 'The last 3 sync runs failed: crm_unavailable: 503.' }],
    });
    await store.connections.setState(connection.id, {
      parked: true,
      reason: 'Sign-in refused (invalid_grant)',
    });
    expect((await health())[0].health.signs).toEqual([
      expect.objectContaining({ code: 'needs_attention', level: 'trouble' }),
    ]);
  });

  describe('alerts to admins', () => {
    const SECRET = 'a-signing-secret-of-some-length';

    it('announces a trouble once when it starts and once when it clears, signed', async () => {
      expect((await configureAlerts({ webhookUrl: receiver.url, webhookSecret: SECRET })).json()).toEqual({
        webhookUrl: receiver.url,
        webhookSigned: true,
        recipients: [],
      });
      const account = await linkedDevice('connected', NOW - HOUR);
      expect(await h.services.alerts.check()).toEqual({ started: 0, cleared: 0, retried: 0 });
      await setState(account, 'logged_out', NOW);
      clock = NOW + MINUTE;
      expect(await h.services.alerts.check()).toEqual({ started: 1, cleared: 0, retried: 0 });
      clock = NOW + 2 * MINUTE;
      expect(await h.services.alerts.check()).toEqual({ started: 0, cleared: 0, retried: 0 });
      expect(receiver.received).toHaveLength(1);
      const [started] = receiver.received;
      expect(started?.json).toMatchObject({
        event: 'started',
        subject: { type: 'account', id: account.id, label: '+14155552671' },
        code: 'logged_out',
        since: new Date(NOW).toISOString(),
        at: new Date(NOW + MINUTE).toISOString(),
      });
      const timestamp = Math.floor((NOW + MINUTE) / 1000);
      const mac = createHmac('sha256', SECRET).update(`${timestamp}.${started?.body}`).digest('hex');
      expect(started?.headers['x-wasync-signature']).toBe(`t=${timestamp},v1=${mac}`);
      expect(started?.headers['content-type']).toBe('application/json');

      await setState(account, 'connected', NOW + 3 * MINUTE);
      clock = NOW + 4 * MINUTE;
      expect(await h.services.alerts.check()).toEqual({ started: 0, cleared: 1, retried: 0 });
      expect(await h.services.alerts.check()).toEqual({ started: 0, cleared: 0, retried: 0 });
      expect(receiver.received.map((r) => [r.json.event, r.json.code])).toEqual([
        ['started', 'logged_out'],
        ['cleared', 'logged_out'],
      ]);
      const log = (await h.app.inject({ method: 'GET', url: '/api/v1/alerts', headers: h.auth })).json().data;
      expect(log.map((a: { event: string; delivered: boolean }) => [a.event, a.delivered])).toEqual([
        ['cleared', true],
        ['started', true],
      ]);
    });

    it('alerts on a connection that needs attention, and not on warnings', async () => {
      await configureAlerts({ webhookUrl: receiver.url });
      await linkedDevice('disconnected', NOW - 5 * MINUTE);
      const { store, workspace } = h.services;
      const connection = await store.connections.create({
        id: store.connections.newId(),
        workspaceId: workspace.id,
        kind: 'reference',
        name: 'Sales CRM',
        settings: {},
        sealedCredentials: 'v1:unused',
        parkedReason: 'Sign-in refused (invalid_grant)',
      });
      expect(await h.services.alerts.check()).toEqual({ started: 1, cleared: 0, retried: 0 });
      expect(receiver.received[0]?.json).toMatchObject({
        event: 'started',
        subject: { type: 'connection', id: connection?.id, label: 'Sales CRM' },
        code: 'needs_attention',
      });
      expect(receiver.received[0]?.headers['x-wasync-signature']).toBeUndefined();
    });

    it('records an alert the receiver refused, tries it again with growing waits, and stops once it is taken', async () => {
      await configureAlerts({ webhookUrl: receiver.url });
      receiver.status.code = 500;
      await linkedDevice('logged_out', NOW);
      const list = async () =>
        (await h.app.inject({ method: 'GET', url: '/api/v1/alerts', headers: h.auth })).json().data;
      expect(await h.services.alerts.check()).toEqual({ started: 1, cleared: 0, retried: 0 });
      expect(await list()).toMatchObject([
        {
          event: 'started',
          delivered: false,
          error: 'the webhook answered HTTP 500',
          attempts: 1,
          retryAt: new Date(NOW + MINUTE).toISOString(),
        },
      ]);
      // Not before its time.
      clock = NOW + MINUTE - 1;
      expect(await h.services.alerts.check()).toEqual({ started: 0, cleared: 0, retried: 0 });
      expect(receiver.received).toHaveLength(1);
      // The second try is refused too: the next waits five minutes.
      clock = NOW + MINUTE;
      expect(await h.services.alerts.check()).toEqual({ started: 0, cleared: 0, retried: 1 });
      expect(await list()).toMatchObject([
        { delivered: false, attempts: 2, retryAt: new Date(NOW + 6 * MINUTE).toISOString() },
      ]);
      // The receiver is back: the third try is taken, with the trouble's own start, and nothing follows.
      receiver.status.code = 200;
      clock = NOW + 6 * MINUTE;
      expect(await h.services.alerts.check()).toEqual({ started: 0, cleared: 0, retried: 1 });
      expect(receiver.received).toHaveLength(3);
      expect(receiver.received[2]?.json).toMatchObject({
        event: 'started',
        code: 'logged_out',
        since: new Date(NOW).toISOString(),
        at: new Date(NOW + 6 * MINUTE).toISOString(),
      });
      const [taken] = await list();
      expect(taken).toMatchObject({ delivered: true, attempts: 3 });
      expect(taken.retryAt).toBeUndefined();
      expect(taken.error).toBeUndefined();
      clock = NOW + 10 * HOUR;
      expect(await h.services.alerts.check()).toEqual({ started: 0, cleared: 0, retried: 0 });
      expect(receiver.received).toHaveLength(3);
    });

    it('gives an alert up after its last try, and never tries a test alert again', async () => {
      await configureAlerts({ webhookUrl: receiver.url });
      receiver.status.code = 503;
      await linkedDevice('logged_out', NOW);
      await h.services.alerts.check();
      const test = await h.app.inject({
        method: 'POST',
        url: '/api/v1/settings/alerts/test',
        headers: h.auth,
      });
      expect(test.json().data[0]).toMatchObject({ event: 'test', delivered: false, attempts: 1 });
      expect(test.json().data[0].retryAt).toBeUndefined();
      // Five more tries, each when its wait is over (1, 5, 15, 60, 180 minutes after the one before).
      for (const wait of [1, 5, 15, 60, 180]) {
        clock += wait * MINUTE;
        expect(await h.services.alerts.check()).toEqual({ started: 0, cleared: 0, retried: 1 });
      }
      clock += 24 * HOUR;
      expect(await h.services.alerts.check()).toEqual({ started: 0, cleared: 0, retried: 0 });
      // The trouble's alert: the first send and five tries; the test alert: one.
      expect(receiver.received.filter((r) => r.json.event === 'started')).toHaveLength(6);
      expect(receiver.received.filter((r) => r.json.event === 'test')).toHaveLength(1);
      const data = (await h.app.inject({ method: 'GET', url: '/api/v1/alerts', headers: h.auth })).json()
        .data;
      const started = data.find((a: { event: string }) => a.event === 'started');
      expect(started).toMatchObject({
        delivered: false,
        attempts: 6,
        error: 'the webhook answered HTTP 503',
      });
      expect(started.retryAt).toBeUndefined();
    });

    it('sends nothing and tracks nothing without a channel, then announces what is wrong once one is set', async () => {
      await linkedDevice('logged_out', NOW);
      expect(await h.services.alerts.check()).toEqual({ started: 0, cleared: 0, retried: 0 });
      await configureAlerts({ webhookUrl: receiver.url });
      expect(await h.services.alerts.check()).toEqual({ started: 1, cleared: 0, retried: 0 });
    });

    it('sends a test alert, and refuses one without a channel', async () => {
      const none = await h.app.inject({
        method: 'POST',
        url: '/api/v1/settings/alerts/test',
        headers: h.auth,
      });
      expect(none.statusCode).toBe(400);
      await configureAlerts({ webhookUrl: receiver.url, webhookSecret: SECRET });
      const test = await h.app.inject({
        method: 'POST',
        url: '/api/v1/settings/alerts/test',
        headers: h.auth,
      });
      expect(test.statusCode).toBe(200);
      expect(test.json().data).toEqual([
        expect.objectContaining({ event: 'test', delivered: true, channel: 'webhook' }),
      ]);
      expect(receiver.received[0]?.json).toMatchObject({ event: 'test', code: 'test' });
      expect(receiver.received[0]?.headers['x-wasync-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    });

    it('seals the signing secret and the SMTP password, and re-seals both when the secret key rotates', async () => {
      await configureAlerts({
        webhookUrl: receiver.url,
        webhookSecret: SECRET,
        smtp: { host: '127.0.0.1', port: 25, password: 'mail-password', from: 'wasync@example.com' },
      });
      const to = new SecretBox('another secret key, long enough to be one');
      await resealSecrets(db(), new SecretBox(h.services.secretKey), to);
      const row = await db()
        .selectFrom('alert_settings')
        .select(['webhook_secret', 'smtp_password'])
        .executeTakeFirstOrThrow();
      const ws = h.services.workspace.id;
      expect(to.open(row.webhook_secret as string, `alert-webhook:${ws}`)).toBe(SECRET);
      expect(to.open(row.smtp_password as string, `alert-smtp:${ws}`)).toBe('mail-password');
    });

    it('refuses a webhook URL the outbound rules forbid, and lets only admins change settings', async () => {
      const forbidden = await configureAlerts({ webhookUrl: 'http://10.0.0.1/hook' });
      expect(forbidden.statusCode).toBe(400);
      expect(forbidden.json().error).toMatchObject({ code: 'url_forbidden' });
      const short = await configureAlerts({ webhookUrl: receiver.url, webhookSecret: 'short' });
      expect(short.statusCode).toBe(400);
      const { token } = await h.services.store.tokens.create({
        workspaceId: h.services.workspace.id,
        name: 'member',
        role: 'member',
      });
      const member = await h.app.inject({
        method: 'PATCH',
        url: '/api/v1/settings/alerts',
        headers: { authorization: `Bearer ${token}` },
        payload: { webhookUrl: receiver.url },
      });
      expect(member.statusCode).toBe(403);
      const settings = await h.app.inject({ method: 'GET', url: '/api/v1/settings/alerts', headers: h.auth });
      expect(settings.json()).toEqual({ webhookSigned: false, recipients: [] });
    });

    it("e-mails the workspace's admins through the SMTP server set, signed in, the password sealed", async () => {
      const smtp = await startSmtp();
      try {
        const { store, workspace, passwords } = h.services;
        await store.people.createFirstAdmin({
          workspaceId: workspace.id,
          email: 'boss@example.com',
          name: 'Boss',
          passwordHash: await passwords.hash('a long enough password'),
        });
        const set = await configureAlerts({
          smtp: {
            host: '127.0.0.1',
            port: smtp.port,
            user: 'alerts',
            password: 'mail-password',
            from: 'wasync@example.com',
          },
        });
        expect(set.json()).toEqual({
          webhookSigned: false,
          smtp: {
            host: '127.0.0.1',
            port: smtp.port,
            secure: false,
            user: 'alerts',
            passwordSet: true,
            from: 'wasync@example.com',
          },
          recipients: ['boss@example.com'],
        });
        const stored = await db().selectFrom('alert_settings').select('smtp_password').executeTakeFirst();
        expect(stored?.smtp_password).toMatch(/^v1:/);
        expect(stored?.smtp_password).not.toContain('mail-password');

        const account = await linkedDevice('replaced', NOW);
        expect(await h.services.alerts.check()).toEqual({ started: 1, cleared: 0, retried: 0 });
        expect(smtp.mails).toHaveLength(1);
        expect(smtp.mails[0]).toMatchObject({
          from: 'wasync@example.com',
          to: ['boss@example.com'],
          user: 'alerts',
        });
        expect(smtp.mails[0]?.data).toContain('Subject: [wasync] Trouble: +14155552671 (replaced)');
        expect(smtp.mails[0]?.data).toContain('Another copy of this linked device');

        await setState(account, 'connected', NOW + MINUTE);
        expect(await h.services.alerts.check()).toEqual({ started: 0, cleared: 1, retried: 0 });
        expect(smtp.mails[1]?.data).toContain('Subject: [wasync] Cleared: +14155552671 (replaced)');

        // A password the server refuses: the alert is recorded as not delivered, with the server's words.
        await configureAlerts({
          smtp: {
            host: '127.0.0.1',
            port: smtp.port,
            user: 'alerts',
            password: 'wrong',
            from: 'wasync@example.com',
          },
        });
        const test = await h.app.inject({
          method: 'POST',
          url: '/api/v1/settings/alerts/test',
          headers: h.auth,
        });
        expect(test.json().data).toEqual([
          expect.objectContaining({
            channel: 'email',
            delivered: false,
            error: expect.stringContaining('Invalid'),
          }),
        ]);
        expect(smtp.mails).toHaveLength(2);
      } finally {
        await smtp.close();
      }
    });
  });
});
