import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { notesOn, type SandboxRow, startTestOrg, type TestOrg } from './support/salesforce-org.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const ANA = '+5511987654321';
const BRUNO = '+5521998765432';
const STRANGER = '+14155550199';

describeEachDatabase('sync engine on the Salesforce sandbox', (database) => {
  let org: TestOrg;
  let h: Harness;
  let account: Account;
  let connectionId: string;
  let anaId: string;
  let brunoId: string;
  let sequence = 0;

  beforeAll(async () => {
    org = await startTestOrg();
  });
  afterAll(() => org.close());

  beforeEach(async () => {
    await org.reset();
    // Stored the way people type numbers into a CRM: national format, no country code.
    anaId = await org.seed('Contact', { FirstName: 'Ana', LastName: 'Souza', Phone: '(11) 98765-4321' });
    brunoId = await org.seed('Lead', {
      FirstName: 'Bruno',
      LastName: 'Lima',
      Company: 'Lima Ltda',
      MobilePhone: '+55 21 99876-5432',
    });
    h = await startHarness(database, { WASYNC_DEFAULT_REGION: 'BR' });
    account = await h.createAccount('+5511900001111');
    connectionId = (await h.services.connections.create(h.services.workspace.id, org.connectionInput())).id;
  });
  afterEach(() => h.close());

  const post = async (messages: Record<string, unknown>[]) => {
    const response = await h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${account.id}/messages`,
      headers: h.auth,
      payload: { messages },
    });
    expect(response.statusCode, response.body).toBe(200);
  };
  const direct = (phone: string, text: string, at: number, extra: Record<string, unknown> = {}) => ({
    id: `wamid.sync-${++sequence}`,
    chat: { type: 'direct', with: { phone, name: phone === ANA ? 'Ana Souza' : undefined } },
    timestamp: new Date(at).toISOString(),
    text,
    ...extra,
  });
  const group = (from: string, text: string, at: number) => ({
    id: `wamid.sync-${++sequence}`,
    chat: {
      type: 'group',
      id: '120363000000000001@g.us',
      title: 'Acme buyers',
      participants: [ANA, BRUNO, STRANGER],
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
  const chatRecords = () => org.records('WhatsApp_Chat__c');
  const onRecord = (rows: SandboxRow[], recordId: string) =>
    rows.filter((row) => row.Contact__c === recordId || row.Lead__c === recordId);

  it('writes each chat to the right contact or lead, a group to every linked participant, and lists the rest as unmatched', async () => {
    const now = Date.now();
    await post([
      direct(ANA, 'Do you have the blue one?', now - 30 * MINUTE),
      direct(ANA, 'Yes, sending the quote', now - 29 * MINUTE, { fromMe: true }),
      direct(BRUNO, 'Please call me tomorrow', now - 20 * MINUTE),
      direct(STRANGER, 'Who is this?', now - 10 * MINUTE),
      group(ANA, 'Approved by finance', now - 5 * MINUTE),
      group(STRANGER, 'Great news', now - 4 * MINUTE),
    ]);

    const summary = await sync();
    expect(summary).toMatchObject({ chats: 4, matched: 3, unmatched: 1, linksFound: 2, failed: 0 });

    const rows = await chatRecords();
    const ana = onRecord(rows, anaId);
    const bruno = onRecord(rows, brunoId);
    expect(ana.map((r) => r.Chat_Type__c).sort()).toEqual(['Direct', 'Group']);
    expect(bruno.map((r) => r.Chat_Type__c).sort()).toEqual(['Direct', 'Group']);
    expect(rows).toHaveLength(4);
    const anaDirect = ana.find((r) => r.Chat_Type__c === 'Direct');
    expect(anaDirect?.Transcript__c).toContain('Ana Souza: Do you have the blue one?');
    expect(anaDirect?.Transcript__c).toContain('Yes, sending the quote');
    expect(anaDirect?.Message_Count__c).toBe(2);
    const brunoGroup = bruno.find((r) => r.Chat_Type__c === 'Group');
    expect(brunoGroup?.Group_Name__c).toBe('Acme buyers');
    expect(brunoGroup?.Transcript__c).toContain('Approved by finance');
    expect(brunoGroup?.Transcript__c).toContain('Great news');
    expect(JSON.stringify(rows)).not.toContain('Who is this?');

    // Contacts also get the day as a note in Notes & Attachments; leads keep the chat record only.
    const notes = await notesOn(org, anaId);
    expect(notes).toHaveLength(2);
    expect(notes.map((n) => String(n.Content)).join('')).toContain('Do you have the blue one?');

    const unmatched = await h.services.records.unmatched(connectionId);
    expect(unmatched.map((u) => u.chat.partner?.phone)).toEqual([STRANGER]);
    expect(unmatched[0]?.reason).toContain('No contact or lead');

    const links = await h.services.records.linkedRecords(connectionId);
    expect(links.map((l) => [l.identity.phone, l.link.record.id, l.link.linkedBy]).sort()).toEqual(
      [
        [ANA, anaId, 'lookup'],
        [BRUNO, brunoId, 'lookup'],
      ].sort(),
    );
    for (const { link } of links) expect(link.lastSyncedAt).toBeInstanceOf(Date);
  });

  it('backfills 3 days on the first sync: a message 3 days and 1 minute old stays out, 3 days less 1 minute goes in', async () => {
    const now = Date.now();
    await post([
      direct(ANA, 'too old to back up', now - 3 * DAY - MINUTE),
      direct(ANA, 'just inside the window', now - 3 * DAY + MINUTE),
      direct(ANA, 'today', now - MINUTE),
    ]);
    await sync();
    const text = onRecord(await chatRecords(), anaId)
      .map((r) => String(r.Transcript__c))
      .join('\n');
    expect(text).toContain('just inside the window');
    expect(text).toContain('today');
    expect(text).not.toContain('too old to back up');
  });

  it('a second sync writes nothing; a later message or edit updates the day in place', async () => {
    const now = Date.now();
    const first = direct(ANA, 'first message', now - 10 * MINUTE);
    await post([first]);
    expect((await sync()).transcriptsWritten).toBe(1);
    const requestsAfterFirst = (await org.counters()).total;

    const second = await sync();
    expect(second).toMatchObject({ transcriptsWritten: 0, filesUploaded: 0, linksFound: 0 });
    expect((await org.counters()).total).toEqual(requestsAfterFirst);

    await post([
      direct(ANA, 'second message', now - 5 * MINUTE),
      {
        kind: 'edit',
        id: `wamid.sync-edit-${sequence}`,
        target: first.id,
        text: 'first message, edited',
        from: ANA,
        timestamp: new Date(now - 4 * MINUTE).toISOString(),
      },
    ]);
    expect((await sync()).transcriptsWritten).toBe(1);
    const ana = onRecord(await chatRecords(), anaId);
    expect(ana).toHaveLength(1);
    expect(ana[0]?.Message_Count__c).toBe(2);
    expect(ana[0]?.Transcript__c).toContain('first message, edited');
    expect(ana[0]?.Transcript__c).toContain('second message');
    const notes = await notesOn(org, anaId);
    expect(notes).toHaveLength(1);
    expect(String(notes[0]?.Content)).toContain('second message');
  });

  it('after a @lid chat and a phone chat turn out to be one person, updates their days in place', async () => {
    const lid = '209876543210987@lid';
    const today = new Date();
    today.setUTCHours(12, 0, 0, 0);
    const dayOne = today.getTime() - 2 * DAY;
    const dayTwo = today.getTime() - DAY;
    await post([direct(ANA, 'asked by phone', dayOne)]);
    await sync();
    // A chat under a @lid only: WhatsApp did not share the number, so a person links it by hand.
    await post([
      {
        id: `wamid.sync-${++sequence}`,
        chat: { type: 'direct', with: { lid, name: 'Ana' } },
        timestamp: new Date(dayTwo).toISOString(),
        text: 'asked under a lid',
      },
    ]);
    await sync();
    const lidChat = (await h.services.records.unmatched(connectionId))[0]?.chat;
    if (!lidChat) throw new Error('the @lid chat should be unmatched');
    await h.services.records.linkChat(lidChat.id, {
      connection: connectionId,
      record: { type: 'contact', id: anaId },
    });
    await sync();
    expect(onRecord(await chatRecords(), anaId)).toHaveLength(2);

    // The number and the lid arrive together: one person, one chat.
    await post([
      {
        id: `wamid.sync-${++sequence}`,
        chat: { type: 'direct', with: { phone: ANA, lid } },
        timestamp: new Date(dayTwo + MINUTE).toISOString(),
        text: 'one person after all',
      },
    ]);
    await sync();
    const rows = onRecord(await chatRecords(), anaId);
    expect(rows).toHaveLength(2);
    const second = rows.find((row) => String(row.Transcript__c).includes('asked under a lid'));
    expect(second?.Transcript__c).toContain('one person after all');
    expect(second?.Message_Count__c).toBe(2);
    expect(await notesOn(org, anaId)).toHaveLength(2);
  });
});
