import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';
import { type TeamMember, team } from './support/team.js';

const ANA = '+5511987654321';
const ANA_LID = '100000000000001@lid';
const LID_ONLY = '100000000000002@lid';
const OWN_LID = '100000000000099@lid';
const EVE = '+14155550142';
const BOS_ONLY = '+14155550177';
const NINA = '+5511912345678';
const ERASED = '+14155550166';
const GROUP = '120363000000000009@g.us';

interface ChatEntry {
  id: string;
  accountId: string;
  type: 'direct' | 'group';
  partner?: { id: string; phone?: string; lid?: string };
  lastMessage?: { text?: string };
  links: unknown[];
  crm: { connection: { id: string }; state: string }[];
  participants: { id: string; phone?: string }[];
}
interface Lookup {
  chats: ChatEntry[];
  person?: { id: string; phone?: string; lid?: string };
  keys: { phone?: string; lid?: string; groupId?: string };
}

/**
 * What the browser extension asks of the server beside a chat open in WhatsApp Web: the chats of the
 * person or group it shows (by WhatsApp ids), a chat made ahead of its messages so a CRM record can be
 * made for it, and "Never back up this chat". Members ask as well as admins, and only ever about
 * chats they read.
 */
describeEachDatabase('chat lookup, chats made ahead and exclusions from the chat card', (database) => {
  let org: TestOrg;
  let h: Harness;
  let people: Record<'ada' | 'bo' | 'cy', TeamMember>;
  let accounts: { company: string; bos: string };
  let connectionId: string;
  let sequence = 0;

  beforeAll(async () => {
    org = await startTestOrg();
  });
  afterAll(() => org.close());

  const post = async (accountId: string, messages: Record<string, unknown>[]) => {
    const response = await h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${accountId}/messages`,
      headers: h.auth,
      payload: { messages },
    });
    expect(response.statusCode, response.body).toBe(200);
  };
  const direct = (partner: unknown, text: string, minute: number) => ({
    id: `m${++sequence}`,
    chat: { type: 'direct', with: partner },
    timestamp: new Date(Date.now() - (100 - minute) * 60_000).toISOString(),
    text,
  });
  const lookup = async (who: TeamMember, query: Record<string, string>) => {
    const response = await who.browser.call('GET', `/chats/lookup?${new URLSearchParams(query)}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as Lookup;
  };
  const sync = async () => {
    const outcome = await h.services.sync.runNow(connectionId);
    if (outcome.state !== 'done') throw new Error(`sync did not finish: ${JSON.stringify(outcome)}`);
    return outcome.summary;
  };
  const stateOf = (entry: ChatEntry | undefined) =>
    entry?.crm.find((c) => c.connection.id === connectionId)?.state;

  beforeEach(async () => {
    await org.reset();
    h = await startHarness(database, { WASYNC_DEFAULT_REGION: 'BR' });
    people = await team(h, { ada: 'admin', bo: 'member', cy: 'member' });
    const create = async (who: TeamMember, body: Record<string, unknown>) => {
      const response = await who.browser.call('POST', '/accounts', body);
      expect(response.statusCode, response.body).toBe(201);
      return (response.json() as { id: string }).id;
    };
    // The company's number, which the team reads, and Bo's own phone, which only Bo (and admins) read.
    accounts = {
      company: await create(people.ada, { phone: '+14155550100' }),
      bos: await create(people.bo, { phone: '+14155550200', sourceKind: 'linked_device' }),
    };
    await post(accounts.company, [
      direct({ phone: ANA, lid: ANA_LID, name: 'Ana' }, 'on the company number', 10),
      direct({ lid: LID_ONLY, name: 'Lia' }, 'known by lid only', 11),
      {
        id: `m${++sequence}`,
        chat: { type: 'group', id: GROUP, title: 'Acme buyers', participants: [ANA, EVE] },
        from: EVE,
        timestamp: new Date(Date.now() - 80 * 60_000).toISOString(),
        text: 'in the group',
      },
    ]);
    await post(accounts.bos, [
      direct(ANA, 'on Bo’s own phone, later', 30),
      direct(BOS_ONLY, 'only Bo talks to me', 31),
    ]);
    const connection = await h.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: h.auth,
      payload: org.connectionInput(),
    });
    expect(connection.statusCode, connection.body).toBe(201);
    connectionId = connection.json().id;
  });
  afterEach(() => h.close());

  it("finds a person's chats by phone in any spelling and by lid, newest first, as the chat list has them, and only those the caller reads", async () => {
    const { ada, bo, cy } = people;
    const ofAna = await lookup(ada, { phone: ANA });
    expect(ofAna.chats.map((c) => c.accountId)).toEqual([accounts.bos, accounts.company]);
    expect(ofAna.person).toMatchObject({ phone: ANA, lid: ANA_LID });
    expect(ofAna.keys).toEqual({ phone: ANA });

    for (const phone of [
      '+55 11 98765-4321',
      '5511987654321@s.whatsapp.net',
      '5511987654321:7@s.whatsapp.net',
      '5511987654321@c.us',
      '(11) 98765-4321',
    ]) {
      const found = await lookup(ada, { phone });
      expect(
        found.chats.map((c) => c.id),
        phone,
      ).toEqual(ofAna.chats.map((c) => c.id));
      expect(found.keys).toEqual({ phone: ANA });
    }
    expect((await lookup(ada, { lid: ANA_LID })).chats.map((c) => c.id)).toEqual(
      ofAna.chats.map((c) => c.id),
    );

    // Each entry is the chat list's entry (links, CRM state) with its participants.
    const list = (await ada.browser.call('GET', '/chats')).json().data as Record<string, unknown>[];
    for (const entry of ofAna.chats) {
      const { participants, ...rest } = entry;
      expect(rest).toEqual(list.find((c) => c.id === entry.id));
      expect(participants.map((p) => p.phone)).toEqual([ANA]);
    }
    expect(ofAna.chats[0]?.lastMessage?.text).toBe('on Bo’s own phone, later');
    expect(ofAna.chats[0]?.crm).toEqual([expect.objectContaining({ connection: expect.anything() })]);

    // Cy reads the company's number, not Bo's phone: Bo's chat with Ana is simply absent.
    const byCy = await lookup(cy, { phone: ANA });
    expect(byCy.chats.map((c) => c.accountId)).toEqual([accounts.company]);
    expect(byCy.person?.id).toBe(ofAna.person?.id);
    expect((await lookup(bo, { phone: ANA })).chats).toHaveLength(2);
    // Someone only in Bo's chats: for Cy, as if unknown (no chat, no person).
    expect(await lookup(cy, { phone: BOS_ONLY })).toEqual({ chats: [], keys: { phone: BOS_ONLY } });
    expect((await lookup(bo, { phone: BOS_ONLY })).chats).toHaveLength(1);
    // Naming an account narrows to it; naming one the caller does not read finds nothing.
    expect((await lookup(ada, { phone: ANA, accountId: accounts.company })).chats).toHaveLength(1);
    expect((await lookup(cy, { phone: ANA, accountId: accounts.bos })).chats).toEqual([]);
  });

  it('prefers the lid over the phone, never answers for the workspace’s own lids, and answers ids not captured yet with their normalised keys', async () => {
    const { ada, cy } = people;
    const lia = await lookup(cy, { lid: LID_ONLY });
    expect(lia.chats).toHaveLength(1);
    expect(lia.person).toMatchObject({ lid: LID_ONLY });
    expect(lia.person?.phone).toBeUndefined();

    // Both known: the lid decides. The lid unknown: the phone does.
    const both = await lookup(cy, { phone: ANA, lid: LID_ONLY });
    expect(both.chats.map((c) => c.id)).toEqual(lia.chats.map((c) => c.id));
    expect(both.keys).toEqual({ phone: ANA, lid: LID_ONLY });
    const newLid = await lookup(cy, { phone: ANA, lid: '100000000000003@hosted.lid' });
    expect(newLid.chats.map((c) => c.partner?.phone)).toEqual([ANA]);
    expect(newLid.keys).toEqual({ phone: ANA, lid: '100000000000003@lid' });

    await h.services.store.identities.recordOwnLids(h.services.store.sql.db, h.services.workspace.id, [
      OWN_LID,
    ]);
    expect(await lookup(ada, { lid: OWN_LID, phone: ANA })).toEqual({
      chats: [],
      keys: { phone: ANA, lid: OWN_LID },
    });

    expect(await lookup(cy, { phone: '+1 415 555 0123' })).toEqual({
      chats: [],
      keys: { phone: '+14155550123' },
    });
    expect(await lookup(cy, { lid: '100000000000004@lid' })).toEqual({
      chats: [],
      keys: { lid: '100000000000004@lid' },
    });
    expect(await lookup(cy, { groupId: '120363000000000555@G.US' })).toEqual({
      chats: [],
      keys: { groupId: '120363000000000555@g.us' },
    });
  });

  it('finds a group by its id, with its participants', async () => {
    const { bo, cy } = people;
    const found = await lookup(cy, { groupId: GROUP });
    expect(found.chats).toHaveLength(1);
    expect(found.chats[0]).toMatchObject({ type: 'group', groupId: GROUP, accountId: accounts.company });
    expect(found.chats[0]?.participants.map((p) => p.phone).sort()).toEqual([EVE, ANA].sort());
    expect(found.person).toBeUndefined();
    expect(found.keys).toEqual({ groupId: GROUP });
    expect((await lookup(bo, { groupId: GROUP, accountId: accounts.bos })).chats).toEqual([]);
  });

  it('refuses a lookup without ids, with a group id and a person id, or with an id of the wrong kind', async () => {
    const { cy } = people;
    for (const [query, code] of [
      ['', 'validation_failed'],
      ['accountId=acc_x', 'validation_failed'],
      [`groupId=${GROUP}&phone=${encodeURIComponent(ANA)}`, 'validation_failed'],
      [`groupId=${GROUP}&lid=${LID_ONLY}`, 'validation_failed'],
      ['phone=not-a-number', 'validation_failed'],
      [`phone=${LID_ONLY}`, 'validation_failed'],
      [`lid=${encodeURIComponent(ANA)}`, 'validation_failed'],
      ['phone=123', 'invalid_phone'],
    ] as const) {
      const response = await cy.browser.call('GET', `/chats/lookup?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code, query).toBe(code);
    }
  });

  it('makes a chat ahead of its messages, once; the list and the sync cope with it, and a CRM record is created for it', async () => {
    const { bo, cy } = people;
    const made = await cy.browser.call('POST', `/accounts/${accounts.company}/chats`, {
      chat: { type: 'direct', with: { phone: NINA, name: 'Nina Costa' } },
    });
    expect(made.statusCode, made.body).toBe(201);
    const chat = made.json() as ChatEntry & { lastMessageAt?: string };
    expect(chat).toMatchObject({ accountId: accounts.company, type: 'direct', partner: { phone: NINA } });
    expect(chat.lastMessageAt).toBeUndefined();
    expect(chat.participants.map((p) => p.phone)).toEqual([NINA]);
    // Again, in another spelling: the same chat.
    const again = await cy.browser.call('POST', `/accounts/${accounts.company}/chats`, {
      chat: { type: 'direct', with: '5511912345678@c.us' },
    });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().id).toBe(chat.id);
    // A number the caller does not read is not there for them.
    const refused = await cy.browser.call('POST', `/accounts/${accounts.bos}/chats`, {
      chat: { type: 'direct', with: NINA },
    });
    expect(refused.statusCode).toBe(404);
    const badParty = await bo.browser.call('POST', `/accounts/${accounts.bos}/chats`, {
      chat: { type: 'direct', with: { name: 'nobody' } },
    });
    expect(badParty.statusCode).toBe(400);
    expect(badParty.json().error.code).toBe('validation_failed');

    const found = await lookup(cy, { phone: NINA });
    expect(found.chats.map((c) => c.id)).toEqual([chat.id]);
    expect(found.chats[0]?.lastMessage).toBeUndefined();

    // The list puts it last, and pages through every chat once.
    const all = (await h.app.inject({ url: '/api/v1/chats', headers: h.auth })).json().data as ChatEntry[];
    expect(all.at(-1)?.id).toBe(chat.id);
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = (
        await h.app.inject({
          url: `/api/v1/chats?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          headers: h.auth,
        })
      ).json() as { data: ChatEntry[]; nextCursor?: string };
      paged.push(...page.data.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all.map((c) => c.id));

    // A run takes the empty chat without failing: nobody of it has a record yet.
    expect(await sync()).toMatchObject({ failed: 0, rejected: 0 });
    const before = await lookup(cy, { phone: NINA });
    expect(stateOf(before.chats[0])).toBe('not_in_crm');

    const record = await cy.browser.call('POST', `/chats/${chat.id}/records`, {
      connection: connectionId,
      type: 'contact',
    });
    expect(record.statusCode, record.body).toBe(201);
    const contact = (await org.records('Contact')).find((c) => c.Id === record.json().record.id);
    expect(contact).toMatchObject({ LastName: 'Costa', MobilePhone: NINA });

    expect(await sync()).toMatchObject({ transcriptsWritten: 0, failed: 0, rejected: 0 });
    const after = await lookup(cy, { phone: NINA });
    expect(after.chats[0]?.links).toHaveLength(1);
    expect(await org.records('WhatsApp_Chat__c')).toEqual([]);
    // Linked, with nothing to send yet: not in the CRM, and the card says why.
    expect(after.chats[0]?.crm).toEqual([
      expect.objectContaining({ state: 'not_in_crm', reason: 'The chat has no messages yet.' }),
    ]);

    // Its first message goes to the record at the next run, in the same chat.
    await post(accounts.company, [direct(NINA, 'hello from Nina', 99)]);
    expect(await sync()).toMatchObject({ transcriptsWritten: 1, failed: 0 });
    const written = await lookup(cy, { phone: NINA });
    expect(written.chats.map((c) => c.id)).toEqual([chat.id]);
    expect(stateOf(written.chats[0])).toBe('in_crm');
    expect(await org.records('WhatsApp_Chat__c')).toEqual([
      expect.objectContaining({ Contact__c: record.json().record.id }),
    ]);

    // A group made ahead: its members are participants.
    const group = await cy.browser.call('POST', `/accounts/${accounts.company}/chats`, {
      chat: { type: 'group', id: '120363000000000777@g.us', title: 'New buyers', participants: [EVE] },
    });
    expect(group.statusCode, group.body).toBe(201);
    expect(group.json()).toMatchObject({ type: 'group', groupId: '120363000000000777@g.us' });
    expect(group.json().participants.map((p: { phone?: string }) => p.phone)).toEqual([EVE]);
  });

  it('refuses a chat with an erased person, and leaves erased members out of a group made ahead', async () => {
    const { ada, cy } = people;
    const erased = await ada.browser.call('POST', '/erasures', { phone: ERASED });
    expect(erased.statusCode, erased.body).toBe(201);
    for (const spelling of [ERASED, '14155550166@s.whatsapp.net']) {
      const refused = await cy.browser.call('POST', `/accounts/${accounts.company}/chats`, {
        chat: { type: 'direct', with: spelling },
      });
      expect(refused.statusCode, spelling).toBe(409);
      expect(refused.json().error.code).toBe('person_erased');
    }
    expect(await lookup(cy, { phone: ERASED })).toEqual({ chats: [], keys: { phone: ERASED } });

    const group = await cy.browser.call('POST', `/accounts/${accounts.company}/chats`, {
      chat: { type: 'group', id: '120363000000000888@g.us', participants: [ERASED, EVE] },
    });
    expect(group.statusCode, group.body).toBe(201);
    expect(group.json().participants.map((p: { phone?: string }) => p.phone)).toEqual([EVE]);
  });

  it('lets a member exclude a chat they read, once, audited; the chat then shows excluded, and a lid-only person is refused', async () => {
    const { ada, bo, cy } = people;
    const ana = (await lookup(cy, { phone: ANA })).chats[0];
    if (!ana) throw new Error('no chat with Ana');
    const excluded = await cy.browser.call('POST', `/chats/${ana.id}/exclusion`);
    expect(excluded.statusCode, excluded.body).toBe(201);
    const exclusion = excluded.json();
    expect(exclusion).toMatchObject({ kind: 'phone', value: ANA, label: 'Ana' });
    const again = await cy.browser.call('POST', `/chats/${ana.id}/exclusion`);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(exclusion);
    const audited = (await ada.browser.call('GET', '/audit?action=exclusion.added')).json().data as {
      target: { id: string };
    }[];
    expect(audited.map((e) => e.target.id)).toEqual([exclusion.id]);

    // The card says so at once, before any run has recorded it, and after one.
    const states = async () =>
      (await cy.browser.call('GET', `/chats/${ana.id}/crm`)).json().data as {
        state: string;
        reason?: string;
      }[];
    expect(stateOf((await lookup(cy, { phone: ANA })).chats[0])).toBe('excluded');
    expect(await states()).toMatchObject([{ state: 'excluded', reason: 'the number is excluded' }]);
    await sync();
    const after = await lookup(cy, { phone: ANA });
    expect(stateOf(after.chats[0])).toBe('excluded');
    expect((await states()).map((s) => s.state)).toEqual(['excluded']);
    // Taking it back stays with admins; once taken back, the chat waits for the next run at once.
    expect((await cy.browser.call('DELETE', `/exclusions/${exclusion.id}`)).statusCode).toBe(403);
    expect((await ada.browser.call('DELETE', `/exclusions/${exclusion.id}`)).statusCode).toBe(204);
    expect((await states()).map((s) => s.state)).toEqual(['waiting']);
    expect((await cy.browser.call('POST', `/chats/${ana.id}/exclusion`)).statusCode).toBe(201);

    const group = (await lookup(cy, { groupId: GROUP })).chats[0];
    const groupExcluded = await cy.browser.call('POST', `/chats/${group?.id}/exclusion`);
    expect(groupExcluded.statusCode).toBe(201);
    expect(groupExcluded.json()).toMatchObject({ kind: 'group', value: group?.id, label: 'Acme buyers' });

    const lia = (await lookup(cy, { lid: LID_ONLY })).chats[0];
    const refused = await cy.browser.call('POST', `/chats/${lia?.id}/exclusion`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('phone_not_shared');

    // Bo's own chat is not Cy's to exclude.
    const bos = (await lookup(bo, { phone: BOS_ONLY })).chats[0];
    expect((await cy.browser.call('POST', `/chats/${bos?.id}/exclusion`)).statusCode).toBe(404);
    expect((await h.app.inject({ url: '/api/v1/exclusions', headers: h.auth })).json().data).toHaveLength(2);
  });
});
