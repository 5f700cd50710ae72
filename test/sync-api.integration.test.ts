import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import { DEMO_CLIENT } from '../src/sandboxes/salesforce/index.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { type SandboxRow, startTestOrg, type TestOrg } from './support/salesforce-org.js';

const MINUTE = 60_000;
const ANA = '+5511987654321';
const STRANGER = '+14155550199';
const EVE = '+14155550142';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

describeEachDatabase('sync API on the Salesforce sandbox', (database) => {
  let org: TestOrg;
  let h: Harness;
  let account: Account;
  let connectionId: string;
  let anaId: string;
  let sequence = 0;

  beforeAll(async () => {
    org = await startTestOrg();
  });
  afterAll(() => org.close());

  beforeEach(async () => {
    await org.reset();
    anaId = await org.seed('Contact', { FirstName: 'Ana', LastName: 'Souza', Phone: '(11) 98765-4321' });
    h = await startHarness(database, { WASYNC_DEFAULT_REGION: 'BR' });
    account = await h.createAccount('+5511900001111');
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: h.auth,
      payload: org.connectionInput(),
    });
    expect(created.statusCode, created.body).toBe(201);
    connectionId = created.json().id;
  });
  afterEach(() => h.close());

  type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
  const api = (method: Method, url: string, payload?: unknown, headers = h.auth) =>
    h.app.inject({
      method,
      url: `/api/v1${url}`,
      headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const errorOf = (response: { json(): unknown }) => (response.json() as ErrorBody).error;

  const post = async (messages: Record<string, unknown>[]) => {
    const response = await api('POST', `/accounts/${account.id}/messages`, { messages });
    expect(response.statusCode, response.body).toBe(200);
  };
  const direct = (phone: string, text: string, at: number, name?: string) => ({
    id: `wamid.api-${++sequence}`,
    chat: { type: 'direct', with: { phone, ...(name ? { name } : {}) } },
    timestamp: new Date(at).toISOString(),
    text,
  });
  const group = (from: string, text: string, at: number) => ({
    id: `wamid.api-${++sequence}`,
    chat: {
      type: 'group',
      id: '120363000000000009@g.us',
      title: 'Acme buyers',
      participants: [ANA, { phone: EVE, name: 'Eve Stone' }],
    },
    from,
    timestamp: new Date(at).toISOString(),
    text,
  });
  const sync = async () => {
    const outcome = await h.services.sync.runNow(connectionId);
    if (outcome.state !== 'done') throw new Error(`sync did not finish: ${JSON.stringify(outcome)}`);
    return outcome.summary;
  };
  /** The id of the direct chat with `phone`, or of the group chat. */
  const chatWith = async (phone: string | 'group') => {
    const chats = (await api('GET', '/chats')).json().data as {
      id: string;
      type: string;
      partner?: { phone?: string };
    }[];
    const chat = chats.find((c) => (phone === 'group' ? c.type === 'group' : c.partner?.phone === phone));
    if (!chat) throw new Error(`no chat with ${phone}`);
    return chat.id;
  };
  const chatRowsOn = async (recordId: string): Promise<SandboxRow[]> =>
    (await org.records('WhatsApp_Chat__c')).filter(
      (row) => row.Contact__c === recordId || row.Lead__c === recordId,
    );
  const memberAuth = async () => {
    const made = await api('POST', '/tokens', { name: 'rep', role: 'member' });
    return { authorization: `Bearer ${made.json().token}` };
  };
  /** Deletes a record through the org's REST API, as a person would in Salesforce. */
  const deleteInOrg = async (type: string, id: string) => {
    const token = await fetch(`${org.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: DEMO_CLIENT.clientId,
        client_secret: DEMO_CLIENT.clientSecret,
      }),
    });
    const { access_token: accessToken } = (await token.json()) as { access_token: string };
    const deleted = await fetch(`${org.url}/services/data/v62.0/sobjects/${type}/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(deleted.status).toBe(204);
  };

  it('lists chats with their latest message and CRM records with last sync, and finds them by name or number', async () => {
    const now = Date.now();
    await post([
      direct(ANA, 'first', now - 3 * MINUTE, 'Ana'),
      direct(ANA, 'the latest', now - 2 * MINUTE, 'Ana'),
      direct(STRANGER, 'who is this?', now - MINUTE, 'Zed 100% Real_Name'),
      group(EVE, 'in the group', now - 4 * MINUTE),
    ]);
    await sync();
    const list = (await api('GET', '/chats')).json().data as {
      title?: string;
      type: string;
      lastMessage?: { text?: string; fromMe: boolean; deleted: boolean };
      links: { record: { id: string }; lastSyncedAt?: string }[];
    }[];
    const ana = list.find((c) => c.title === 'Ana');
    expect(ana?.lastMessage).toMatchObject({ text: 'the latest', fromMe: false, deleted: false });
    expect(ana?.links).toEqual([expect.objectContaining({ record: expect.objectContaining({ id: anaId }) })]);
    expect(ana?.links[0]?.lastSyncedAt).toMatch(ISO);
    // A group lists the records of its members; the stranger has none.
    expect(list.find((c) => c.type === 'group')?.links.map((l) => l.record.id)).toEqual([anaId]);
    expect(list.find((c) => c.title?.startsWith('Zed'))?.links).toEqual([]);

    const search = async (q: string) =>
      ((await api('GET', `/chats?q=${encodeURIComponent(q)}`)).json().data as { title?: string }[]).map(
        (c) => c.title,
      );
    expect(await search('ana')).toEqual(['Ana']);
    expect(await search('98765')).toEqual(['Ana']);
    expect(await search('acme')).toEqual(['Acme buyers']);
    // LIKE's own characters are taken literally.
    expect(await search('100%')).toEqual(['Zed 100% Real_Name']);
    expect(await search('e_l')).toEqual([]);
    expect(await search('nobody at all')).toEqual([]);
  });

  it("never writes an excluded number's chat, and writes it once the exclusion is removed", async () => {
    await post([
      direct(ANA, 'private, please', Date.now() - MINUTE, 'Ana'),
      direct(STRANGER, 'hi', Date.now()),
    ]);
    const member = await memberAuth();
    expect(
      (await api('POST', '/exclusions', { kind: 'phone', value: '(11) 98765-4321' }, member)).statusCode,
    ).toBe(403);
    const bad = await api('POST', '/exclusions', { kind: 'phone', value: 'not a number' });
    expect(errorOf(bad).code).toBe('invalid_phone');
    expect(errorOf(await api('POST', '/exclusions', { kind: 'group', value: 'chat_nope' })).code).toBe(
      'not_found',
    );
    // Written as a person types it, stored as E.164 with the default region (BR).
    const excluded = await api('POST', '/exclusions', {
      kind: 'phone',
      value: '(11) 98765-4321',
      label: 'Ana, private',
    });
    expect(excluded.statusCode, excluded.body).toBe(201);
    expect(excluded.json()).toMatchObject({ kind: 'phone', value: ANA, label: 'Ana, private' });
    expect((await api('GET', '/exclusions', undefined, member)).json().data).toHaveLength(1);

    await sync();
    await sync();
    expect(await chatRowsOn(anaId)).toEqual([]);
    const status = (await api('GET', `/connections/${connectionId}/sync`)).json();
    expect(status.chats).toMatchObject({ excluded: 1, notInCrm: 1 });
    expect((await api('GET', `/connections/${connectionId}/links`)).json().data).toEqual([]);

    // Removed: the chat is looked at again and written.
    expect((await api('DELETE', `/exclusions/${excluded.json().id}`)).statusCode).toBe(204);
    await sync();
    const rows = await chatRowsOn(anaId);
    expect(rows).toHaveLength(1);
    expect(String(rows[0]?.Transcript__c)).toContain('private, please');
  });

  it('keeps workspace settings: defaults from the server, changes by admins, null for the default again', async () => {
    const settings = (await api('GET', '/settings')).json();
    expect(settings).toEqual({
      syncIntervalMinutes: 3,
      backfillDays: 3,
      timeZone: 'UTC',
      defaultRegion: 'BR',
      adminsSeeAllChats: true,
      auditRetentionDays: 365,
      realTime: true,
      extensionCapture: false,
      defaults: { syncIntervalMinutes: 3, backfillDays: 3, auditRetentionDays: 365 },
      storage: {
        usedBytes: 0,
        quotaBytes: 20 * 1024 ** 3,
        importMaxMediaBytes: 1024 ** 3,
        importMaxMediaFiles: 5000,
      },
    });
    const member = await memberAuth();
    expect((await api('PATCH', '/settings', { backfillDays: 1 }, member)).statusCode).toBe(403);
    const wrong = await api('PATCH', '/settings', { timeZone: 'Mars/Olympus' });
    expect(errorOf(wrong).code).toBe('validation_failed');
    const changed = await api('PATCH', '/settings', {
      syncIntervalMinutes: 10,
      backfillDays: 1,
      timeZone: 'Europe/Berlin',
      defaultRegion: 'de',
    });
    expect(changed.json()).toMatchObject({
      syncIntervalMinutes: 10,
      backfillDays: 1,
      timeZone: 'Europe/Berlin',
      defaultRegion: 'DE',
    });
    // A run reads them: the next run is scheduled an interval of 10 minutes on.
    const before = Date.now();
    await sync();
    const job = (await api('GET', `/connections/${connectionId}/sync`)).json().job;
    const next = Date.parse(job.nextRunAt) - before;
    expect(next).toBeGreaterThan(9 * MINUTE);
    expect(next).toBeLessThan(11 * MINUTE);
    expect(h.services.workspace.timeZone).toBe('Europe/Berlin');
    // The workspace's country reads numbers written without one, from now on.
    await post([direct('0151 2345 6789', 'hallo', Date.now())]);
    expect(await chatWith('+4915123456789')).toMatch(/^chat_/);
    const reset = await api('PATCH', '/settings', {
      syncIntervalMinutes: null,
      backfillDays: null,
      defaultRegion: null,
    });
    expect(reset.json()).toMatchObject({
      syncIntervalMinutes: 3,
      backfillDays: 3,
      timeZone: 'Europe/Berlin',
    });
    expect(reset.json().defaultRegion).toBeUndefined();
  });

  it('answers the sync status before and after a run, queues "sync now" and a retry', async () => {
    const now = Date.now();
    await post([
      direct(ANA, 'Do you have the blue one?', now - 10 * MINUTE),
      direct(STRANGER, 'Who is this?', now - 5 * MINUTE),
    ]);

    const before = await api('GET', `/connections/${connectionId}/sync`);
    expect(before.statusCode).toBe(200);
    expect(before.json()).toEqual({
      connection: { id: connectionId, name: 'Sandbox org', kind: 'salesforce', state: 'active' },
      job: { connectionId, running: false, attempts: 0 },
      chats: { inCrm: 0, waiting: 2, failed: 0, notInCrm: 0, excluded: 0 },
      writes: { done: 0, intent: 0, failed: 0, rejected: 0 },
      problems: [],
    });

    await sync();
    // By name as well as by id.
    const after = await api('GET', `/connections/${encodeURIComponent('Sandbox org')}/sync`);
    expect(after.statusCode).toBe(200);
    const status = after.json();
    expect(status.connection).toEqual({
      id: connectionId,
      name: 'Sandbox org',
      kind: 'salesforce',
      state: 'active',
    });
    expect(status.job).toMatchObject({
      connectionId,
      running: false,
      attempts: 0,
      lastStartedAt: expect.stringMatching(ISO),
      lastFinishedAt: expect.stringMatching(ISO),
      lastSuccessAt: expect.stringMatching(ISO),
      nextRunAt: expect.stringMatching(ISO),
      lastSummary: {
        chats: 2,
        matched: 1,
        unmatched: 1,
        linksFound: 1,
        transcriptsWritten: 1,
        transcriptsUnchanged: 0,
        filesUploaded: 0,
        failed: 0,
        rejected: 0,
        recovered: 0,
        startedAt: expect.stringMatching(ISO),
        finishedAt: expect.stringMatching(ISO),
      },
    });
    expect(status.job.lastError).toBeUndefined();
    expect(Date.parse(status.job.nextRunAt)).toBeGreaterThan(Date.now() + MINUTE);
    expect(status.chats).toEqual({ inCrm: 1, waiting: 0, failed: 0, notInCrm: 1, excluded: 0 });
    expect(status.writes.done).toBeGreaterThanOrEqual(1);
    expect(status.writes).toMatchObject({ intent: 0, failed: 0, rejected: 0 });
    expect(status.problems).toEqual([]);

    const syncNow = await api('POST', `/connections/${connectionId}/sync`);
    expect(syncNow.statusCode).toBe(202);
    expect(syncNow.json()).toMatchObject({ connectionId, running: false, nextRunReason: 'sync now' });
    expect(Date.parse(syncNow.json().nextRunAt)).toBeLessThanOrEqual(Date.now());

    const retry = await api('POST', `/connections/${connectionId}/sync/retry`);
    expect(retry.statusCode).toBe(202);
    expect(retry.json()).toEqual({ chats: 0 });
  });

  it('lists a write the CRM refused as a problem, with why, and retry queues its chat again', async () => {
    const carlaId = await org.seed('Contact', { FirstName: 'Carla', LastName: 'Dias' });
    await post([direct(STRANGER, 'Hello Carla here', Date.now() - 5 * MINUTE)]);
    const chatId = await chatWith(STRANGER);
    const linked = await api('POST', `/chats/${chatId}/links`, {
      connection: connectionId,
      record: { type: 'contact', id: carlaId },
    });
    expect(linked.statusCode, linked.body).toBe(201);
    // Someone deletes the record in the CRM before the sync writes to it.
    await deleteInOrg('Contact', carlaId);

    const summary = await sync();
    expect(summary.failed + summary.rejected).toBeGreaterThan(0);
    const status = (await api('GET', `/connections/${connectionId}/sync`)).json();
    expect(status.problems).toHaveLength(1);
    expect(status.problems[0]).toMatchObject({
      key: expect.any(String),
      kind: 'transcript',
      chatId,
      record: { type: 'contact', id: carlaId },
      day: expect.stringMatching(/^\d{4}-\d\d-\d\d$/),
      state: expect.stringMatching(/^(failed|rejected)$/),
      attempts: 1,
      lastError: expect.stringContaining('INVALID_CROSS_REFERENCE_KEY'),
      updatedAt: expect.stringMatching(ISO),
    });
    expect(status.writes.failed + status.writes.rejected).toBe(1);

    const retry = await api('POST', `/connections/${connectionId}/sync/retry`);
    expect(retry.statusCode).toBe(202);
    expect(retry.json()).toEqual({ chats: 1 });
    const queued = (await api('GET', `/connections/${connectionId}/sync`)).json();
    expect(queued.job).toMatchObject({ nextRunReason: 'sync now' });
    expect(Date.parse(queued.job.nextRunAt)).toBeLessThanOrEqual(Date.now());
  });

  it('links an unmatched chat by hand; the next sync writes its transcript to that record; unlinks', async () => {
    const doraId = await org.seed('Contact', {
      FirstName: 'Dora',
      LastName: 'Pereira',
      Email: 'dora@x.test',
    });
    await post([direct(STRANGER, 'It is Dora, from my new number', Date.now() - 5 * MINUTE)]);
    expect(await sync()).toMatchObject({ chats: 1, unmatched: 1, transcriptsWritten: 0 });
    const chatId = await chatWith(STRANGER);

    const unmatched = await api('GET', `/connections/${connectionId}/unmatched`);
    expect(unmatched.statusCode).toBe(200);
    expect(unmatched.json().data).toEqual([
      {
        chat: expect.objectContaining({
          id: chatId,
          accountId: account.id,
          type: 'direct',
          partner: expect.objectContaining({ phone: STRANGER }),
        }),
        reason: expect.stringContaining('No contact or lead'),
        checkedAt: expect.stringMatching(ISO),
        linked: false,
        olderNotSent: 0,
        unlinkedByHand: false,
      },
    ]);
    expect((await api('GET', `/connections/${connectionId}/unmatched?limit=0`)).statusCode).toBe(400);

    const found = await api('GET', `/connections/${connectionId}/records?q=Dora`);
    expect(found.statusCode).toBe(200);
    expect(found.json().data).toEqual([
      { type: 'contact', id: doraId, name: 'Dora Pereira', phones: [], url: expect.stringContaining(doraId) },
    ]);
    expect((await api('GET', `/connections/${connectionId}/records?q=`)).statusCode).toBe(400);

    const card = await api('GET', `/connections/${connectionId}/records/contact/${doraId}`);
    expect(card.statusCode, card.body).toBe(200);
    expect(card.json()).toMatchObject({
      type: 'contact',
      id: doraId,
      name: 'Dora Pereira',
      email: 'dora@x.test',
      url: expect.stringContaining(doraId),
      openDeals: [],
      latestNotes: [],
    });

    const linked = await api('POST', `/chats/${chatId}/links`, {
      connection: connectionId,
      record: { type: 'contact', id: doraId },
    });
    expect(linked.statusCode, linked.body).toBe(201);
    expect(linked.json()).toEqual({
      id: expect.any(String),
      connectionId,
      identity: { id: expect.any(String), phone: STRANGER },
      record: { type: 'contact', id: doraId, name: 'Dora Pereira' },
      linkedBy: 'manual',
      linkedAt: expect.stringMatching(ISO),
      backfillFrom: expect.stringMatching(ISO),
    });

    // "Sync now" through the API; the run itself happens in this process.
    expect((await api('POST', `/connections/${connectionId}/sync`)).statusCode).toBe(202);
    expect(await sync()).toMatchObject({ transcriptsWritten: 1, unmatched: 0 });
    const rows = await chatRowsOn(doraId);
    expect(rows).toHaveLength(1);
    expect(String(rows[0]?.Transcript__c)).toContain('It is Dora, from my new number');

    const records = await api('GET', `/chats/${chatId}/records`);
    expect(records.statusCode).toBe(200);
    expect(records.json().data).toEqual([
      expect.objectContaining({
        connection: { id: connectionId, name: 'Sandbox org', kind: 'salesforce' },
        identity: { id: linked.json().identity.id, phone: STRANGER },
        record: { type: 'contact', id: doraId, name: 'Dora Pereira' },
        linkedBy: 'manual',
        lastSyncedAt: expect.stringMatching(ISO),
      }),
    ]);
    const links = (await api('GET', `/connections/${connectionId}/links`)).json().data;
    expect(links.map((l: { record: { id: string } }) => l.record.id).sort()).toEqual([doraId]);
    expect(links[0]).toMatchObject({ linkedBy: 'manual', lastSyncedAt: expect.stringMatching(ISO) });
    expect((await api('GET', `/connections/${connectionId}/unmatched`)).json().data).toEqual([]);

    const unlink = `/chats/${chatId}/links?connection=${connectionId}`;
    expect((await api('DELETE', unlink)).statusCode).toBe(204);
    const again = await api('DELETE', unlink);
    expect(again.statusCode).toBe(404);
    expect(errorOf(again).code).toBe('not_found');
    expect((await api('GET', `/chats/${chatId}/records`)).json().data).toEqual([]);
    expect((await api('GET', `/connections/${connectionId}/links`)).json().data).toEqual([]);
  });

  it('links a chat to a contact however the org spelled its number, reading it with the workspace region', async () => {
    // Typed long ago (so only the org's search index knows it) with a trunk zero and a lone 9th digit.
    const longAgo = new Date(Date.now() - 3 * 24 * 60 * MINUTE).toISOString();
    const bia = await org.seed('Contact', {
      LastName: 'Bia',
      MobilePhone: '011 9 1234-5678',
      SystemModstamp: longAgo,
    });
    await post([direct('+5511912345678', 'oi', Date.now() - 5 * MINUTE, 'Bia')]);
    await sync();
    expect((await chatRowsOn(bia)).map((row) => row.Contact__c)).toEqual([bia]);
    // "Link existing record" by number goes through the same lookup, in the workspace's region (BR).
    const found = await api(
      'GET',
      `/connections/${connectionId}/records?q=${encodeURIComponent('(11) 91234-5678')}`,
    );
    expect(found.json().data.map((r: { id: string }) => r.id)).toEqual([bia]);
  });

  it('creates a contact from an unmatched chat: it is in the CRM with the phone, leaves the unmatched list and gets the transcript', async () => {
    await post([direct(EVE, 'Please add me to your list', Date.now() - 5 * MINUTE, 'Eve Stone')]);
    await sync();
    const chatId = await chatWith(EVE);
    expect((await api('GET', `/connections/${connectionId}/unmatched`)).json().data).toHaveLength(1);

    const created = await api('POST', `/chats/${chatId}/records`, {
      connection: 'Sandbox org',
      type: 'contact',
    });
    expect(created.statusCode, created.body).toBe(201);
    const link = created.json();
    expect(link).toMatchObject({
      connectionId,
      identity: { phone: EVE, name: 'Eve Stone' },
      record: { type: 'contact', name: 'Eve Stone' },
      linkedBy: 'created',
    });
    const contacts = await org.records('Contact');
    const eve = contacts.find((c) => c.Id === link.record.id);
    expect(eve).toMatchObject({ FirstName: 'Eve', LastName: 'Stone', MobilePhone: EVE });

    expect(await sync()).toMatchObject({ transcriptsWritten: 1, unmatched: 0 });
    expect((await api('GET', `/connections/${connectionId}/unmatched`)).json().data).toEqual([]);
    const rows = await chatRowsOn(link.record.id);
    expect(rows).toHaveLength(1);
    expect(String(rows[0]?.Transcript__c)).toContain('Please add me to your list');
  });

  it('creates a record with the number the rep typed, or for a person WhatsApp shows only by linked id', async () => {
    await post([direct(EVE, 'Call my office line', Date.now() - 5 * MINUTE, 'Eve Stone')]);
    const chatId = await chatWith(EVE);
    const before = (await org.records('Contact')).length;
    const bad = await api('POST', `/chats/${chatId}/records`, {
      connection: connectionId,
      type: 'contact',
      phone: 'not a number',
    });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad)).toMatchObject({ code: 'invalid_phone', details: { field: 'phone' } });
    expect(await org.records('Contact')).toHaveLength(before);

    // Any spelling; the chat is linked to the record whatever the record's number.
    const typed = await api('POST', `/chats/${chatId}/records`, {
      connection: connectionId,
      type: 'contact',
      phone: '+1 (415) 555-0199',
    });
    expect(typed.statusCode, typed.body).toBe(201);
    expect(typed.json()).toMatchObject({ identity: { phone: EVE }, linkedBy: 'created' });
    const eve = (await org.records('Contact')).find((c) => c.Id === typed.json().record.id);
    expect(eve).toMatchObject({ MobilePhone: '+14155550199' });

    // A person known by a linked id alone: without a number, nothing to put on the record.
    await post([
      {
        id: 'wamid.api-lid',
        chat: { type: 'direct', with: { lid: '203040506070809@lid', name: 'Lia Park' } },
        timestamp: new Date(Date.now() - MINUTE).toISOString(),
        text: 'Hi, it is Lia',
      },
    ]);
    const lidChat = (
      (await api('GET', `/chats/lookup?lid=${encodeURIComponent('203040506070809@lid')}`)).json() as {
        chats: { id: string }[];
      }
    ).chats[0]?.id;
    const without = await api('POST', `/chats/${lidChat}/records`, {
      connection: connectionId,
      type: 'contact',
    });
    expect(without.statusCode).toBe(409);
    const withNumber = await api('POST', `/chats/${lidChat}/records`, {
      connection: connectionId,
      type: 'contact',
      phone: '+1 415 555 0177',
    });
    expect(withNumber.statusCode, withNumber.body).toBe(201);
    expect(withNumber.json()).toMatchObject({ record: { name: 'Lia Park' }, linkedBy: 'created' });
    const lia = (await org.records('Contact')).find((c) => c.Id === withNumber.json().record.id);
    expect(lia).toMatchObject({ FirstName: 'Lia', LastName: 'Park', MobilePhone: '+14155550177' });
  });

  it('answers 409 crm_duplicates with the matching records when the org blocks a duplicate', async () => {
    const blocking = await startTestOrg({ duplicateRules: 'block' });
    try {
      const eveThere = await blocking.seed('Contact', { FirstName: 'Eve', LastName: 'Stone', Phone: EVE });
      const connection = await api('POST', '/connections', blocking.connectionInput('Blocking org'));
      expect(connection.statusCode, connection.body).toBe(201);
      await post([direct(EVE, 'Hello again', Date.now() - 5 * MINUTE, 'Eve Stone')]);
      const chatId = await chatWith(EVE);
      const refused = await api('POST', `/chats/${chatId}/records`, {
        connection: 'Blocking org',
        type: 'contact',
      });
      expect(refused.statusCode).toBe(409);
      expect(errorOf(refused)).toMatchObject({
        code: 'crm_duplicates',
        details: {
          crmCode: 'DUPLICATES_DETECTED',
          duplicates: [{ type: 'contact', id: eveThere, name: 'Eve Stone' }],
        },
      });
      expect(await blocking.records('Contact')).toHaveLength(1);
    } finally {
      await blocking.close();
    }
  });

  it('creates a lead for one person of a group chat, named by identityId', async () => {
    await post([group(EVE, 'Count me in', Date.now() - 5 * MINUTE)]);
    const chatId = await chatWith('group');
    const participants = (await api('GET', `/chats/${chatId}`)).json().participants as {
      id: string;
      phone?: string;
    }[];
    const eve = participants.find((p) => p.phone === EVE);
    if (!eve) throw new Error('Eve is not a participant');

    const noOne = await api('POST', `/chats/${chatId}/records`, { connection: connectionId, type: 'lead' });
    expect(noOne.statusCode).toBe(400);
    expect(errorOf(noOne).code).toBe('validation_failed');

    const created = await api('POST', `/chats/${chatId}/records`, {
      connection: connectionId,
      type: 'lead',
      name: 'Eve Stone',
      company: 'Stone & Co',
      identityId: eve.id,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ identity: { id: eve.id }, record: { type: 'lead' } });
    const lead = (await org.records('Lead')).find((l) => l.Id === created.json().record.id);
    expect(lead).toMatchObject({ LastName: 'Stone', Company: 'Stone & Co', MobilePhone: EVE });

    await sync();
    expect(String((await chatRowsOn(created.json().record.id))[0]?.Transcript__c)).toContain('Count me in');
    const records = (await api('GET', `/chats/${chatId}/records`)).json().data as {
      record: { id: string };
    }[];
    // Ana was found by phone, Eve was created: the group goes to both.
    expect(records.map((r) => r.record.id).sort()).toEqual([anaId, created.json().record.id].sort());
  });

  it('refuses what cannot be done with a stable error code', async () => {
    await post([group(ANA, 'Approved', Date.now() - 5 * MINUTE), direct(STRANGER, 'hi', Date.now())]);
    const groupId = await chatWith('group');
    const directId = await chatWith(STRANGER);

    const noIdentity = await api('POST', `/chats/${groupId}/links`, {
      connection: connectionId,
      record: { type: 'contact', id: anaId },
    });
    expect(noIdentity.statusCode).toBe(400);
    expect(errorOf(noIdentity).code).toBe('validation_failed');
    expect(errorOf(noIdentity).message).toContain('identityId');

    const notInChat = await api('POST', `/chats/${groupId}/links`, {
      connection: connectionId,
      record: { type: 'contact', id: anaId },
      identityId: 'idn_nobody',
    });
    expect(notInChat.statusCode).toBe(404);

    const unknownField = await api('POST', `/chats/${directId}/links`, {
      connection: connectionId,
      record: { type: 'contact', id: anaId },
      recordId: anaId,
    });
    expect(unknownField.statusCode).toBe(400);
    expect(errorOf(unknownField).code).toBe('validation_failed');
    const badType = await api('POST', `/chats/${directId}/links`, {
      connection: connectionId,
      record: { type: 'account', id: anaId },
    });
    expect(badType.statusCode).toBe(400);
    expect(errorOf(badType).code).toBe('validation_failed');

    // A record id the org cannot have.
    const missing = await api('POST', `/chats/${directId}/links`, {
      connection: connectionId,
      record: { type: 'contact', id: 'not-an-id' },
    });
    expect(missing.statusCode, missing.body).toBe(502);
    expect(errorOf(missing)).toMatchObject({ code: 'crm_refused', details: { crmCode: 'INVALID_ID' } });
    const card = await api('GET', `/connections/${connectionId}/records/contact/not-an-id`);
    expect(card.statusCode, card.body).toBe(502);
    expect(errorOf(card).code).toBe('crm_refused');
    expect((await api('GET', `/chats/${directId}/records`)).json().data).toEqual([]);

    const link = { connection: connectionId, record: { type: 'contact', id: anaId } };
    const unknownChat = await api('POST', '/chats/chat_nope/links', link);
    expect(unknownChat.statusCode).toBe(404);
    expect(errorOf(unknownChat).code).toBe('not_found');
    expect((await api('GET', '/chats/chat_nope/records')).statusCode).toBe(404);
    expect(
      (await api('POST', '/chats/chat_nope/records', { connection: connectionId, type: 'contact' }))
        .statusCode,
    ).toBe(404);
    expect((await api('DELETE', `/chats/chat_nope/links?connection=${connectionId}`)).statusCode).toBe(404);
    const unknownConnection = await api('POST', `/chats/${directId}/links`, {
      ...link,
      connection: 'crm_nope',
    });
    expect(unknownConnection.statusCode).toBe(404);
    expect(errorOf(unknownConnection).code).toBe('not_found');
    expect((await api('DELETE', `/chats/${directId}/links`)).statusCode).toBe(400);

    for (const [method, url] of [
      ['GET', '/connections/crm_nope/sync'],
      ['POST', '/connections/crm_nope/sync'],
      ['POST', '/connections/crm_nope/sync/retry'],
      ['GET', '/connections/crm_nope/links'],
      ['GET', '/connections/crm_nope/unmatched'],
      ['GET', '/connections/crm_nope/records?q=Ana'],
      ['GET', '/connections/crm_nope/records/contact/003000000000000AAA'],
    ] as const) {
      const response = await api(method, url);
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(errorOf(response).code).toBe('not_found');
    }
  });

  it('refuses to link a well-formed record id the org does not have with crm_refused', async () => {
    await post([direct(STRANGER, 'hi', Date.now())]);
    const chatId = await chatWith(STRANGER);
    const missing = await api('POST', `/chats/${chatId}/links`, {
      connection: connectionId,
      record: { type: 'contact', id: '003000000000000AAA' },
    });
    expect(missing.statusCode, missing.body).toBe(502);
    expect(errorOf(missing)).toMatchObject({ code: 'crm_refused', details: { crmCode: expect.any(String) } });
    const card = await api('GET', `/connections/${connectionId}/records/contact/003000000000000AAA`);
    expect(card.statusCode, card.body).toBe(502);
  });

  it('needs a token for every route; a member token works the chat card but may not retry a connection', async () => {
    await post([direct(ANA, 'hello', Date.now() - MINUTE)]);
    await sync();
    const chatId = await chatWith(ANA);
    const routes: [Method, string, unknown?][] = [
      ['GET', `/connections/${connectionId}/sync`],
      ['POST', `/connections/${connectionId}/sync`],
      ['POST', `/connections/${connectionId}/sync/retry`],
      ['GET', `/connections/${connectionId}/links`],
      ['GET', `/connections/${connectionId}/unmatched`],
      ['GET', `/connections/${connectionId}/records?q=Ana`],
      ['GET', `/connections/${connectionId}/records/contact/${anaId}`],
      ['GET', `/chats/${chatId}/records`],
      [
        'POST',
        `/chats/${chatId}/links`,
        { connection: connectionId, record: { type: 'contact', id: anaId } },
      ],
      ['POST', `/chats/${chatId}/records`, { connection: connectionId, type: 'lead' }],
      ['DELETE', `/chats/${chatId}/links?connection=${connectionId}`],
    ];
    for (const [method, url, payload] of routes) {
      const response = await api(method, url, payload, {} as typeof h.auth);
      expect(response.statusCode, `${method} ${url}`).toBe(401);
      expect(errorOf(response).code).toBe('unauthorized');
    }

    const member = await memberAuth();
    for (const [method, url, payload] of routes) {
      const response = await api(method, url, payload, member);
      if (url.endsWith('/sync/retry')) {
        expect(response.statusCode, `${method} ${url}`).toBe(403);
        expect(errorOf(response).code).toBe('forbidden');
      } else expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
    }
    // The member's link, lead and unlink went through: Ana's chat has no link left, a lead was made.
    expect((await api('GET', `/chats/${chatId}/records`)).json().data).toHaveLength(0);
    expect(await org.records('Lead')).toHaveLength(1);
  });

  it('documents every sync route in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const paths = doc.paths as Record<string, Record<string, { summary?: string; tags?: string[] }>>;
    const expected: [string, string][] = [
      ['/api/v1/connections/{connectionId}/sync', 'get'],
      ['/api/v1/connections/{connectionId}/sync', 'post'],
      ['/api/v1/connections/{connectionId}/sync/retry', 'post'],
      ['/api/v1/connections/{connectionId}/links', 'get'],
      ['/api/v1/connections/{connectionId}/unmatched', 'get'],
      ['/api/v1/connections/{connectionId}/records', 'get'],
      ['/api/v1/connections/{connectionId}/records/{type}/{recordId}', 'get'],
      ['/api/v1/chats/{chatId}/records', 'get'],
      ['/api/v1/chats/{chatId}/links', 'post'],
      ['/api/v1/chats/{chatId}/records', 'post'],
      ['/api/v1/chats/{chatId}/links', 'delete'],
    ];
    for (const [path, method] of expected) {
      expect(paths[path]?.[method]?.summary, `${method} ${path}`).toEqual(expect.any(String));
      expect(paths[path]?.[method]?.tags).toEqual(['sync']);
    }
    for (const schema of ['SyncStatus', 'SyncJob', 'RunSummary', 'SyncProblem', 'RecordLink', 'RecordCard']) {
      expect(doc.components.schemas[schema], schema).toBeDefined();
    }
  });
});
