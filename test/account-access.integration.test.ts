import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { startTestOrg } from './support/salesforce-org.js';
import { type TeamMember, team } from './support/team.js';

const COMPANY_CUSTOMER = '+14155550001';
const BOS_CUSTOMER = '+14155550002';
const CYS_CUSTOMER = '+14155550003';

/**
 * Each rep's chats are theirs: a number (account) has an owner and may be shared with named people;
 * members read the chats of the numbers they own, are shared with or the team reads, and nothing of
 * the others, in any list, search, stream or route; admins read everything unless the workspace
 * narrows them.
 */
describeEachDatabase('who reads which chats', (database) => {
  let h: Harness;
  let people: Record<'ada' | 'bo' | 'cy', TeamMember>;
  let accounts: { company: string; bos: string; cys: string };
  let chats: { company: string; bos: string; cys: string; cysGroup: string };
  let sequence = 0;

  const post = async (accountId: string, messages: Record<string, unknown>[]) => {
    const response = await h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${accountId}/messages`,
      headers: h.auth,
      payload: { messages },
    });
    expect(response.statusCode, response.body).toBe(200);
  };
  const direct = (partner: string, text: string, extra: Record<string, unknown> = {}) => ({
    id: `m${++sequence}`,
    chat: { type: 'direct', with: partner },
    timestamp: new Date(Date.UTC(2026, 10, 20, 10, sequence)).toISOString(),
    text,
    ...extra,
  });
  const chatOf = async (accountId: string, kind: 'direct' | 'group' = 'direct') => {
    const page = await h.app.inject({ url: `/api/v1/chats?accountId=${accountId}`, headers: h.auth });
    const found = (page.json().data as { id: string; type: string }[]).find((c) => c.type === kind);
    if (!found) throw new Error(`no ${kind} chat on ${accountId}: ${page.body}`);
    return found.id;
  };
  const createAccount = async (who: TeamMember, body: Record<string, unknown>) => {
    const response = await who.browser.call('POST', '/accounts', body);
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string; access: Record<string, unknown> };
  };
  const chatIdsOf = async (who: TeamMember, query = '') =>
    ((await who.browser.call('GET', `/chats${query}`)).json().data as { id: string }[])
      .map((c) => c.id)
      .sort();

  beforeEach(async () => {
    h = await startHarness(database);
    people = await team(h, { ada: 'admin', bo: 'member', cy: 'member' });
    const company = await createAccount(people.ada, { phone: '+14155550100' });
    // A rep's own phone, linked as a device or imported from its exports: private unless shared.
    const bos = await createAccount(people.bo, { phone: '+14155550200', sourceKind: 'linked_device' });
    const cys = await createAccount(people.cy, { phone: '+14155550300', sourceKind: 'chat_export' });
    expect(company.access).toMatchObject({
      visibility: 'team',
      owner: { id: people.ada.id },
      yours: 'owner',
    });
    expect(bos.access).toMatchObject({ visibility: 'private', owner: { id: people.bo.id }, yours: 'owner' });
    expect(cys.access).toMatchObject({ visibility: 'private', owner: { id: people.cy.id }, sharedWith: [] });
    accounts = { company: company.id, bos: bos.id, cys: cys.id };
    await post(accounts.company, [direct(COMPANY_CUSTOMER, 'company question')]);
    await post(accounts.bos, [direct(BOS_CUSTOMER, 'for bo')]);
    await post(accounts.cys, [
      direct(CYS_CUSTOMER, 'for cy, with a file', {
        type: 'document',
        media: {
          base64: Buffer.from('secret quote').toString('base64'),
          mimeType: 'text/plain',
          fileName: 'q.txt',
        },
      }),
      {
        id: `m${++sequence}`,
        chat: { type: 'group', id: 'cys-group@g.us', title: 'Cy and customers' },
        from: CYS_CUSTOMER,
        timestamp: new Date(Date.UTC(2026, 10, 20, 11)).toISOString(),
        text: 'group talk',
      },
    ]);
    chats = {
      company: await chatOf(accounts.company),
      bos: await chatOf(accounts.bos),
      cys: await chatOf(accounts.cys),
      cysGroup: await chatOf(accounts.cys, 'group'),
    };
  });
  afterEach(() => h.close());

  it('lists, searches and opens only the chats of the numbers a member reads, and 404s the rest', async () => {
    const { ada, bo, cy } = people;
    expect(await chatIdsOf(bo)).toEqual([chats.company, chats.bos].sort());
    expect(await chatIdsOf(cy)).toEqual([chats.company, chats.cys, chats.cysGroup].sort());
    expect(await chatIdsOf(ada)).toEqual(Object.values(chats).sort());
    // Search: Cy's customer's digits find nothing for Bo, and naming Cy's account does not help.
    expect(await chatIdsOf(bo, '?q=0003')).toEqual([]);
    expect(await chatIdsOf(cy, '?q=0003')).toEqual([chats.cys]);
    expect(await chatIdsOf(bo, `?accountId=${accounts.cys}`)).toEqual([]);

    const messages = (await cy.browser.call('GET', `/chats/${chats.cys}/messages`)).json().data as {
      id: string;
      media?: unknown;
    }[];
    const withFile = messages.find((m) => m.media);
    expect(withFile).toBeDefined();
    for (const url of [
      `/chats/${chats.cys}`,
      `/chats/${chats.cys}/messages`,
      `/chats/${chats.cys}/messages/${withFile?.id}/media`,
      `/chats/${chats.cysGroup}/records`,
      `/accounts/${accounts.cys}`,
    ]) {
      const refused = await bo.browser.call('GET', url);
      expect(refused.statusCode, url).toBe(404);
      expect(refused.json().error.code).toBe('not_found');
      expect(refused.body).not.toContain('secret quote');
      expect((await cy.browser.call('GET', url)).statusCode, url).not.toBe(404);
    }
    const accountIds = (who: TeamMember) =>
      who.browser
        .call('GET', '/accounts')
        .then((r) => (r.json().data as { id: string }[]).map((a) => a.id).sort());
    expect(await accountIds(bo)).toEqual([accounts.company, accounts.bos].sort());
    expect(await accountIds(ada)).toEqual(Object.values(accounts).sort());
  });

  it('refuses to write into, import into, link from, or pair a number the member does not read', async () => {
    const { bo } = people;
    const ingest = await bo.browser.call('POST', `/accounts/${accounts.cys}/messages`, {
      messages: [direct('+14155550999', 'planted')],
    });
    expect(ingest.statusCode).toBe(404);
    const imported = await h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${accounts.cys}/imports`,
      headers: {
        cookie: `wasync_session=${bo.browser.cookie()}`,
        'content-type': 'text/plain',
        'x-csrf-token': (await bo.browser.call('GET', '/session')).json().csrfToken,
      },
      payload: '20/11/2026, 10:00 - Someone: planted\n',
    });
    expect(imported.statusCode, imported.body).toBe(404);
    const link = await bo.browser.call('POST', `/chats/${chats.cys}/links`, {
      connection: 'none',
      record: { type: 'contact', id: '003000000000001' },
    });
    expect(link.statusCode).toBe(404);
    const unlink = await bo.browser.call('DELETE', `/chats/${chats.cys}/links?connection=none`);
    expect(unlink.statusCode).toBe(404);
    expect((await bo.browser.call('DELETE', `/accounts/${accounts.cys}/pairing`)).statusCode).toBe(404);
    // Nothing was planted in Cy's number.
    const stored = await h.services.store.sql.db
      .selectFrom('messages')
      .select('text')
      .where('account_id', '=', accounts.cys)
      .execute();
    expect(stored.map((m) => m.text)).not.toContain('planted');
  });

  it('shares a number with a named person, who then reads it, until the owner takes it back', async () => {
    const { ada, bo, cy } = people;
    const shared = await cy.browser.call('PUT', `/accounts/${accounts.cys}/access`, { sharedWith: [bo.id] });
    expect(shared.statusCode, shared.body).toBe(200);
    expect(shared.json().access).toMatchObject({ sharedWith: [{ id: bo.id, name: 'bo' }], canManage: true });
    expect(await chatIdsOf(bo)).toEqual([chats.company, chats.bos, chats.cys, chats.cysGroup].sort());
    const asBo = (await bo.browser.call('GET', `/accounts/${accounts.cys}`)).json();
    expect(asBo.access).toMatchObject({ yours: 'shared', canManage: false });

    // A sharer does not manage: only the owner or an admin changes who reads the number.
    const grab = await bo.browser.call('PUT', `/accounts/${accounts.cys}/access`, { ownerId: bo.id });
    expect(grab.statusCode).toBe(403);
    expect(grab.json().error.code).toBe('forbidden');
    // Only people on the team can be named, and only an admin gives a number to no one.
    const stranger = await cy.browser.call('PUT', `/accounts/${accounts.cys}/access`, {
      sharedWith: [bo.id, 'usr_nobody'],
    });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.json().error.details.issues).toEqual([
      { field: 'sharedWith.1', message: 'usr_nobody is not on the team' },
    ]);
    expect(
      (await cy.browser.call('PUT', `/accounts/${accounts.cys}/access`, { ownerId: null })).statusCode,
    ).toBe(403);

    expect(
      (await cy.browser.call('PUT', `/accounts/${accounts.cys}/access`, { sharedWith: [] })).statusCode,
    ).toBe(200);
    expect(await chatIdsOf(bo)).toEqual([chats.company, chats.bos].sort());

    // Giving the number away: the new owner reads it, the old one no longer does, and an admin may
    // hand it on (a rep who left).
    const given = await cy.browser.call('PUT', `/accounts/${accounts.cys}/access`, { ownerId: bo.id });
    expect(given.json().access).toMatchObject({ owner: { id: bo.id }, yours: 'none', canManage: false });
    expect(await chatIdsOf(cy)).toEqual([chats.company]);
    const back = await ada.browser.call('PUT', `/accounts/${accounts.cys}/access`, {
      ownerId: cy.id,
      visibility: 'team',
    });
    expect(back.statusCode).toBe(200);
    expect(await chatIdsOf(bo)).toEqual(Object.values(chats).sort());
    // Every change of who reads a number is in the audit log, with who made it.
    const log = (await ada.browser.call('GET', '/audit?action=account.access_changed')).json().data as {
      actor: { label: string };
      details: { from: { sharedWith: string[] }; to: { sharedWith: string[]; owner: string } };
    }[];
    expect(log.map((e) => [e.actor.label, e.details.to.owner, e.details.to.sharedWith])).toEqual([
      ['ada <ada@example.com>', 'cy@example.com', []],
      ['cy <cy@example.com>', 'bo@example.com', []],
      ['cy <cy@example.com>', 'cy@example.com', []],
      ['cy <cy@example.com>', 'cy@example.com', ['bo@example.com']],
    ]);
  });

  it('lets a workspace narrow its admins to what they own or are shared, still managing every number', async () => {
    const { ada, bo } = people;
    expect((await bo.browser.call('PATCH', '/settings', { adminsSeeAllChats: false })).statusCode).toBe(403);
    const narrowed = await ada.browser.call('PATCH', '/settings', { adminsSeeAllChats: false });
    expect(narrowed.statusCode).toBe(200);
    expect(narrowed.json().adminsSeeAllChats).toBe(false);
    expect(await chatIdsOf(ada)).toEqual([chats.company]);
    expect((await ada.browser.call('GET', `/chats/${chats.bos}/messages`)).statusCode).toBe(404);
    // The admin still sees and manages every number, and is told which ones they do not read.
    const listed = (await ada.browser.call('GET', '/accounts')).json().data as {
      id: string;
      access: { yours: string; canManage: boolean };
    }[];
    expect(Object.fromEntries(listed.map((a) => [a.id, a.access.yours]))).toEqual({
      [accounts.company]: 'owner',
      [accounts.bos]: 'none',
      [accounts.cys]: 'none',
    });
    expect(listed.every((a) => a.access.canManage)).toBe(true);
    // The operator's token (made before anyone signed up, given to the first admin) follows its owner.
    const viaToken = await h.app.inject({ url: '/api/v1/chats', headers: h.auth });
    expect((viaToken.json().data as { id: string }[]).map((c) => c.id)).toEqual([chats.company]);
    await ada.browser.call('PATCH', '/settings', { adminsSeeAllChats: true });
    expect(await chatIdsOf(ada)).toEqual(Object.values(chats).sort());
  });

  it('streams live events only of the numbers the listener reads', async () => {
    const url = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    // Bo's page, signed in with his session.
    const response = await fetch(`${url}/api/v1/events`, {
      headers: { cookie: `wasync_session=${people.bo.browser.cookie()}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    await expect.poll(() => h.services.live.listeners).toBe(1);
    let text = '';
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    const reading = (async () => {
      try {
        for (;;) {
          const chunk = await reader?.read();
          if (!chunk || chunk.done) return;
          text += decoder.decode(chunk.value, { stream: true });
        }
      } catch {
        // aborted
      }
    })();
    await post(accounts.cys, [direct(CYS_CUSTOMER, 'cy again')]);
    await post(accounts.bos, [direct(BOS_CUSTOMER, 'bo again')]);
    // Events reach a page in order: once Bo's arrives, Cy's was weighed before it.
    await expect.poll(() => text, { timeout: 10_000 }).toContain(accounts.bos);
    expect(text).not.toContain(accounts.cys);
    expect(text).not.toContain(chats.cys);
    controller.abort();
    await reading;
  });
});

describeEachDatabase('who reads which chats: the sync pages', (database) => {
  let h: Harness;
  let org: Awaited<ReturnType<typeof startTestOrg>>;
  beforeEach(async () => {
    org = await startTestOrg();
    h = await startHarness(database);
  });
  afterEach(async () => {
    await h.close();
    await org.close();
  });

  it('shows a member the unmatched chats, links and failures of the numbers they read only', async () => {
    const people = await team(h, { ada: 'admin', bo: 'member' });
    const contact = await org.seed('Contact', {
      FirstName: 'Ana',
      LastName: 'Linked',
      Phone: '+14155550011',
    });
    const connection = await h.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: h.auth,
      payload: org.connectionInput(),
    });
    expect(connection.statusCode, connection.body).toBe(201);
    const connectionId = connection.json().id as string;
    const mine = (
      await people.ada.browser.call('POST', '/accounts', { phone: '+14155550400', visibility: 'private' })
    ).json().id as string;
    const team_ = (await people.ada.browser.call('POST', '/accounts', { phone: '+14155550500' })).json()
      .id as string;
    const message = (id: string, partner: string) => ({
      id,
      chat: { type: 'direct', with: partner },
      timestamp: new Date().toISOString(),
      text: 'hello',
    });
    for (const [accountId, batch] of [
      [mine, [message('p1', '+14155550011'), message('p2', '+14155550012')]],
      [team_, [message('t1', '+14155550013')]],
    ] as const) {
      const posted = await h.app.inject({
        method: 'POST',
        url: `/api/v1/accounts/${accountId}/messages`,
        headers: h.auth,
        payload: { messages: batch },
      });
      expect(posted.statusCode, posted.body).toBe(200);
    }
    await h.services.sync.runNow(connectionId);

    const unmatched = async (who: TeamMember) =>
      (
        (await who.browser.call('GET', `/connections/${connectionId}/unmatched`)).json().data as {
          chat: { accountId: string };
        }[]
      ).map((u) => u.chat.accountId);
    expect((await unmatched(people.ada)).sort()).toEqual([mine, team_].sort());
    expect(await unmatched(people.bo)).toEqual([team_]);
    const links = async (who: TeamMember) =>
      (
        (await who.browser.call('GET', `/connections/${connectionId}/links`)).json().data as {
          record: { id: string };
        }[]
      ).map((l) => l.record.id);
    expect(await links(people.ada)).toEqual([contact]);
    expect(await links(people.bo)).toEqual([]);
  });
});

describe('account access defaults', () => {
  it('keeps a rep’s own phone private and a business number shared with the team', async () => {
    const { defaultVisibility } = await import('../src/core/model.js');
    expect(defaultVisibility('linked_device')).toBe('private');
    expect(defaultVisibility('chat_export')).toBe('private');
    expect(defaultVisibility('whatsapp_cloud')).toBe('team');
    expect(defaultVisibility('rest')).toBe('team');
  });
});

describeEachDatabase('who reads which chats: numbers the operator names', (database) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(database);
  });
  afterEach(() => h.close());

  it('gives a number named on the command line to the person named by --owner, or to no one', async () => {
    const { bo } = await team(h, { ada: 'admin', bo: 'member' });
    const { operatorAccount } = await import('../src/cli/account-owner.js');
    const nobodys = await operatorAccount(h.services, '+14155550600', 'chat_export', undefined);
    expect(nobodys).toMatchObject({ ownerId: undefined, visibility: 'private' });
    const bos = await operatorAccount(h.services, '+14155550700', 'linked_device', 'BO@example.com');
    expect(bos).toMatchObject({ ownerId: bo.id, visibility: 'private' });
    // Naming the owner of a number that exists gives it to them.
    expect(await operatorAccount(h.services, '+14155550600', 'chat_export', 'bo@example.com')).toMatchObject({
      id: nobodys.id,
      ownerId: bo.id,
    });
    await expect(
      operatorAccount(h.services, '+14155550800', 'chat_export', 'eve@example.com'),
    ).rejects.toThrow('--owner eve@example.com: no one on the team has this e-mail');
    expect(
      await h.services.store.accounts.findByPhone(h.services.workspace.id, '+14155550800'),
    ).toBeUndefined();
    const listed = (await bo.browser.call('GET', '/accounts')).json().data as { phone: string }[];
    expect(listed.map((a) => a.phone).sort()).toEqual(['+14155550600', '+14155550700']);
  });
});

describeEachDatabase('who reads which chats: numbers made before owners existed', (database) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(database);
  });
  afterEach(() => h.close());

  it('gives a linked phone to the person who linked it, every other number to the first admin, rep phones private', async () => {
    const { ada, bo } = await team(h, { ada: 'admin', bo: 'member' });
    const { store } = h.services;
    const boPhone = await h.createAccount('+14155550901', 'linked_device');
    const cliPhone = await h.createAccount('+14155550902', 'linked_device');
    const exported = await h.createAccount('+14155550903', 'chat_export');
    const company = await h.createAccount('+14155550904', 'rest');
    await store.whatsappWebSessions.optIn(boPhone.id, 'Bo@Example.com');
    await store.whatsappWebSessions.optIn(cliPhone.id, 'wasync link-device (root)');
    // As the rows were before migration 013 gave them owners.
    await store.sql.db.updateTable('accounts').set({ owner_user_id: null, visibility: 'team' }).execute();
    const { backfillAccountAccess } = await import('../src/store/migrations/013-account-access.js');
    await backfillAccountAccess(store.sql.db as unknown as Kysely<unknown>);
    const rows = await store.sql.db
      .selectFrom('accounts')
      .select(['id', 'owner_user_id', 'visibility'])
      .execute();
    expect(Object.fromEntries(rows.map((r) => [r.id, [r.owner_user_id, r.visibility]]))).toEqual({
      [boPhone.id]: [bo.id, 'private'],
      [cliPhone.id]: [ada.id, 'private'],
      [exported.id]: [ada.id, 'private'],
      [company.id]: [ada.id, 'team'],
    });
  });
});
