/**
 * What the workspace says of a chat is true: imported history reaches the CRM whatever its age, each
 * chat carries its own state on each connection (in CRM up to, waiting, failed, not in CRM, excluded),
 * the chat list's filter, the Unmatched page and the Sync page's counts agree, older history is sent
 * on request, and a person unlinked by hand stays unlinked until someone asks to match by phone again.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import { describeEachDatabase } from './support/databases.js';
import { exportLine, plainDayAgo } from './support/export-lines.js';
import { type Harness, startHarness } from './support/harness.js';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';

const DAY = 86_400_000;
const MINUTE = 60_000;
const ANA = '+5511987654321';
const STRANGER = '+14155550199';

interface CrmState {
  connection: { id: string; name: string };
  state: string;
  reason?: string;
  upTo?: string;
  nextRunAt?: string;
  history?: { from: string; firstSentAt?: string; olderNotSent: number; asked: boolean };
  unlinked: { identityId: string; record: { id: string; name?: string }; at: string }[];
}

describeEachDatabase('chat CRM state on the Salesforce sandbox', (database) => {
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

  const api = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
    h.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: h.auth,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const post = async (phone: string, text: string, at: number) => {
    const response = await api('POST', `/accounts/${account.id}/messages`, {
      messages: [
        {
          id: `wamid.state-${++sequence}`,
          chat: { type: 'direct', with: { phone } },
          timestamp: new Date(at).toISOString(),
          text,
        },
      ],
    });
    expect(response.statusCode, response.body).toBe(200);
  };
  const sync = async () => {
    const outcome = await h.services.sync.runNow(connectionId);
    if (outcome.state !== 'done') throw new Error(`sync did not finish: ${JSON.stringify(outcome)}`);
    return outcome.summary;
  };
  const stateOf = async (chatId: string): Promise<CrmState> => {
    const response = await api('GET', `/chats/${chatId}/crm`);
    expect(response.statusCode, response.body).toBe(200);
    const [state] = response.json().data as CrmState[];
    if (!state) throw new Error('no state on the connection');
    return state;
  };
  const listed = async (crmState: string): Promise<string[]> => {
    const response = await api('GET', `/chats?crmState=${crmState}&connectionId=${connectionId}`);
    expect(response.statusCode, response.body).toBe(200);
    return (response.json().data as { id: string }[]).map((chat) => chat.id);
  };
  const chatWith = async (phone: string) => {
    const chats = (await api('GET', '/chats')).json().data as { id: string; partner?: { phone?: string } }[];
    const chat = chats.find((c) => c.partner?.phone === phone);
    if (!chat) throw new Error(`no chat with ${phone}`);
    return chat.id;
  };
  const importExport = async (lines: string[], toCrm?: boolean) => {
    const query = new URLSearchParams({
      fileName: 'WhatsApp Chat with Ana.txt',
      tz: 'UTC',
      chatWith: ANA,
      me: 'Rep',
      ...(toCrm === undefined ? {} : { toCrm: String(toCrm) }),
    });
    const response = await h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${account.id}/imports?${query}`,
      headers: { ...h.auth, 'content-type': 'text/plain' },
      payload: `${lines.join('\n')}\n`,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { chatId: string; toCrm: boolean; messages: { new: number } };
  };
  const transcriptsOfAna = async () =>
    (await org.records('WhatsApp_Chat__c')).filter((row) => row.Contact__c === anaId);

  const monthOld = () => {
    const day = plainDayAgo(35);
    return [
      exportLine(new Date(day.getTime() + 9 * 3_600_000), 'Ana', 'Hi, is the blue sofa still for sale?'),
      exportLine(new Date(day.getTime() + 9 * 3_600_000 + 5 * MINUTE), 'Rep', 'Yes, 450 with delivery.'),
      exportLine(new Date(day.getTime() + DAY + 10 * 3_600_000), 'Ana', 'Deal, I will pay tomorrow.'),
    ];
  };

  it('writes an imported month-old chat to the CRM, and its state says so', async () => {
    const summary = await importExport(monthOld());
    expect(summary).toMatchObject({ toCrm: true, messages: { new: 3 } });
    expect(await stateOf(summary.chatId)).toMatchObject({ state: 'waiting' });
    expect(await listed('waiting')).toEqual([summary.chatId]);

    expect(await sync()).toMatchObject({ matched: 1, transcriptsWritten: 2 });
    const rows = await transcriptsOfAna();
    expect(rows).toHaveLength(2);
    expect(rows.map((row) => String(row.Transcript__c)).join('\n')).toContain('blue sofa');

    const state = await stateOf(summary.chatId);
    expect(state).toMatchObject({
      state: 'in_crm',
      history: { olderNotSent: 0, asked: true },
    });
    const last = Date.parse(plainDayAgo(35).toISOString()) + DAY + 10 * 3_600_000;
    expect(Date.parse(state.upTo ?? '')).toBe(last);
    expect(await listed('in_crm')).toEqual([summary.chatId]);
    expect(await listed('waiting')).toEqual([]);
  });

  it('leaves old imported history to the backfill window with toCrm=false, until "Send older history"', async () => {
    const summary = await importExport(monthOld(), false);
    expect(summary.toCrm).toBe(false);
    await sync();
    expect(await transcriptsOfAna()).toHaveLength(0);
    const before = await stateOf(summary.chatId);
    expect(before).toMatchObject({ state: 'not_in_crm', history: { olderNotSent: 3, asked: false } });
    expect(before.reason).toContain('older than the backfill window');
    // The Unmatched page lists it, with the older messages it could send.
    const unmatched = (await api('GET', `/connections/${connectionId}/unmatched`)).json().data;
    expect(unmatched).toEqual([
      expect.objectContaining({
        chat: expect.objectContaining({ id: summary.chatId }),
        linked: true,
        olderNotSent: 3,
      }),
    ]);

    const asked = await api('POST', `/chats/${summary.chatId}/history`);
    expect(asked.statusCode, asked.body).toBe(202);
    expect(asked.json().data[0]).toMatchObject({
      state: 'waiting',
      history: { olderNotSent: 0, asked: true },
    });
    expect(await sync()).toMatchObject({ transcriptsWritten: 2 });
    expect(await transcriptsOfAna()).toHaveLength(2);
    expect(await stateOf(summary.chatId)).toMatchObject({ state: 'in_crm' });
    expect((await api('POST', '/chats/chat_missing/history')).statusCode).toBe(404);

    // The chat is backed up in full: history a source delivers later, however old, goes too.
    await post(ANA, 'An old message a phone delivered late', Date.now() - 20 * DAY);
    expect(await sync()).toMatchObject({ transcriptsWritten: 1 });
    expect(await transcriptsOfAna()).toHaveLength(3);
    expect(await stateOf(summary.chatId)).toMatchObject({ state: 'in_crm', history: { olderNotSent: 0 } });
  });

  it('shows a chat with a message newer than the last run as waiting, then in CRM after the run', async () => {
    await post(ANA, 'Hello', Date.now() - 10 * MINUTE);
    await sync();
    const chatId = await chatWith(ANA);
    expect(await stateOf(chatId)).toMatchObject({ state: 'in_crm' });

    await post(ANA, 'One more thing', Date.now() - MINUTE);
    const waiting = await stateOf(chatId);
    expect(waiting.state).toBe('waiting');
    expect(Date.parse(waiting.nextRunAt ?? '')).toBeGreaterThan(0);
    expect(await listed('waiting')).toEqual([chatId]);
    // The list's own badge carries the same state.
    const row = ((await api('GET', '/chats')).json().data as { id: string; crm: CrmState[] }[]).find(
      (chat) => chat.id === chatId,
    );
    expect(row?.crm.map((c) => c.state)).toEqual(['waiting']);

    await sync();
    const synced = await stateOf(chatId);
    expect(synced.state).toBe('in_crm');
    expect(Date.parse(synced.upTo ?? '')).toBeGreaterThan(Date.now() - 2 * MINUTE);
  });

  it('counts chats on the Sync page as the chat list filters them, and Unmatched lists the same', async () => {
    await post(ANA, 'Hello', Date.now() - 10 * MINUTE);
    await post(STRANGER, 'Who is this?', Date.now() - 9 * MINUTE);
    await sync();
    await post(ANA, 'Still there?', Date.now() - MINUTE);
    const status = (await api('GET', `/connections/${connectionId}/sync`)).json();
    expect(status.chats).toEqual({ inCrm: 0, waiting: 1, failed: 0, notInCrm: 1, excluded: 0 });
    for (const [state, key] of [
      ['in_crm', 'inCrm'],
      ['waiting', 'waiting'],
      ['not_in_crm', 'notInCrm'],
    ] as const) {
      expect((await listed(state)).length, state).toBe(status.chats[key]);
    }
    const stranger = await chatWith(STRANGER);
    expect(await listed('not_in_crm')).toEqual([stranger]);
    const unmatched = (await api('GET', `/connections/${connectionId}/unmatched`)).json().data;
    expect(unmatched.map((u: { chat: { id: string } }) => u.chat.id)).toEqual([stranger]);
    expect((await api('GET', '/chats?crmState=lost')).statusCode).toBe(400);
  });

  it('keeps a person unlinked by hand unlinked, until "Match by phone again"', async () => {
    await post(ANA, 'Hello', Date.now() - 10 * MINUTE);
    await sync();
    const chatId = await chatWith(ANA);
    expect((await api('DELETE', `/chats/${chatId}/links?connection=${connectionId}`)).statusCode).toBe(204);
    await post(ANA, 'Are you there?', Date.now() - MINUTE);
    await sync();

    const state = await stateOf(chatId);
    expect(state.state).toBe('not_in_crm');
    expect(state.reason).toContain('Unlinked by hand');
    expect(state.unlinked).toEqual([
      expect.objectContaining({ record: expect.objectContaining({ id: anaId, name: 'Ana Souza' }) }),
    ]);
    expect((await api('GET', `/chats/${chatId}/records`)).json().data).toEqual([]);
    const unmatched = (await api('GET', `/connections/${connectionId}/unmatched`)).json().data;
    expect(unmatched).toEqual([expect.objectContaining({ unlinkedByHand: true })]);

    const again = await api('POST', `/chats/${chatId}/links/match-again`, { connection: connectionId });
    expect(again.statusCode, again.body).toBe(204);
    expect(
      (await api('POST', `/chats/${chatId}/links/match-again`, { connection: connectionId })).statusCode,
    ).toBe(404);
    expect(await sync()).toMatchObject({ linksFound: 1 });
    expect(await stateOf(chatId)).toMatchObject({ state: 'in_crm', unlinked: [] });
  });
});
