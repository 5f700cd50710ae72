/**
 * wasync against the Zoho CRM sandbox end to end: messages in through the REST ingest, a connection
 * made with the kind's input, the sync engine writing chat-days as notes on contacts, leads and deals,
 * the day's files in the record's Attachments, and an erasure taking back what was written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Account } from '../../src/core/model.js';
import { markerIn } from '../../src/crms/kit/day-marker.js';
import { DEMO_CLIENT, type ZohoSandboxOptions } from '../../src/sandboxes/zoho/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { type Harness, startHarness } from '../support/harness.js';
import { startTestZoho, type TestZoho, type ZohoSandboxRow } from '../support/zoho-org.js';
import { zohoProcess } from '../support/zoho-processes.js';

const ANA = '+5511987654321';
const DAY = 86_400_000;
const MINUTE = 60_000;
/**
 * Yesterday at noon UTC: every message of a test lands on one local day (the workspace keeps UTC),
 * inside the backfill window of a new link, whatever the hour the test runs at.
 */
const NOON = Math.floor(Date.now() / DAY) * DAY - DAY / 2;
const at = (minutesBeforeNoon: number) => new Date(NOON - minutesBeforeNoon * MINUTE).toISOString();
const YESTERDAY = new Date(NOON).toISOString().slice(0, 10);

const parentOf = (row: ZohoSandboxRow) => String(row.parent?.id ?? row.Parent_Id?.id);

describeEachDatabase('wasync on the Zoho CRM sandbox', (database) => {
  let h: Harness;
  let account: Account;
  let zoho: TestZoho | undefined;

  beforeEach(async () => {
    h = await startHarness(database);
    account = await h.createAccount('+5511900001111');
  });
  afterEach(async () => {
    await h.close();
    await zoho?.close();
    zoho = undefined;
  });

  const sandbox = async (options: ZohoSandboxOptions = {}) => {
    zoho = await startTestZoho(options);
    return zoho;
  };
  /** A connection made as the API makes it, with the kind's input. */
  const connect = async (org: TestZoho) => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: h.auth,
      payload: org.connectionInput(),
    });
    expect(created.statusCode, created.body).toBe(201);
    return (created.json() as { id: string }).id;
  };
  const text = (id: string, minutesBeforeNoon: number, body: string, phone = ANA, to = account) =>
    h.postMessages(to, [
      {
        id,
        chat: { type: 'direct', with: { phone, name: 'Ana Lima' } },
        timestamp: at(minutesBeforeNoon),
        text: body,
      },
    ]);
  const run = async (connectionId: string) => {
    const outcome = await h.services.sync.runNow(connectionId);
    expect(outcome.state, JSON.stringify(outcome)).toBe('done');
    return outcome;
  };
  const notesOn = async (org: TestZoho, id: string) =>
    (await org.notes()).filter((note) => parentOf(note) === id);

  it('links a contact whose Mobile reads +55 (11) 98765-4321 to WhatsApp 5511987654321, and not one digit off', async () => {
    const org = await sandbox();
    const contact = await org.seed('Contacts', { Last_Name: 'Lima', Mobile: '+55 (11) 98765-4321' });
    const connectionId = await connect(org);
    await text('wamid.p1', 30, 'hello from Ana');
    await text('wamid.p2', 20, 'hello from someone else', '+5511987654320');
    await run(connectionId);
    const notes = await org.notes();
    expect(notes.map((note) => [parentOf(note), note.Note_Title])).toEqual([
      [contact, expect.stringContaining(YESTERDAY)],
    ]);
    expect(String(notes[0]?.Note_Content)).toContain('hello from Ana');
    expect(String(notes[0]?.Note_Content)).not.toContain('someone else');
    // The number one digit off stays without a record: none was made for it either.
    expect((await org.records('Contacts')).map((r) => r.id)).toEqual([contact]);
  });

  it('updates the day’s note in place as the day gets more messages: one note per chat, record and day', async () => {
    const org = await sandbox();
    const contact = await org.seed('Contacts', { Last_Name: 'Lima', Mobile: ANA });
    const connectionId = await connect(org);
    await text('wamid.u1', 50, 'first');
    await run(connectionId);
    const [first] = await notesOn(org, contact);
    await text('wamid.u2', 40, 'second');
    await run(connectionId);
    await text('wamid.u3', 30, 'third');
    await run(connectionId);
    // Another chat with Ana (a second WhatsApp number of the team) is its own note the same day.
    const other = await h.createAccount('+5511900002222');
    await text('wamid.u4', 20, 'from the other number', ANA, other);
    await run(connectionId);
    const notes = await notesOn(org, contact);
    expect(notes).toHaveLength(2);
    const own = notes.find((note) => note.id === first?.id);
    expect(String(own?.Note_Content)).toMatch(/first[\s\S]*second[\s\S]*third/);
    expect(new Set(notes.map((note) => markerIn(String(note.Note_Content)))).size).toBe(2);
  });

  it('puts the day on the five most recently modified of seven deals, and chooses again on a later day', async () => {
    let now = Date.now();
    const org = await sandbox({ clock: () => now });
    const contact = await org.seed('Contacts', { Last_Name: 'Lima', Mobile: ANA });
    // Seeded out of order: hours since each deal was modified.
    const hoursAgo = [3, 6, 1, 7, 2, 5, 4];
    const deals = new Map<number, string>();
    for (const [n, hours] of hoursAgo.entries())
      deals.set(
        hours,
        await org.seed(
          'Deals',
          { Deal_Name: `Deal ${n}`, Stage: 'Qualification', Contact_Name: contact },
          new Date(now - hours * 3_600_000).toISOString(),
        ),
      );
    const dealOf = (hours: number) => deals.get(hours) ?? '';
    const connectionId = await connect(org);
    // A process whose "today" is the sandbox's.
    const connections = zohoProcess(h, () => now);
    const destination = await connections.destination(h.services.workspace.id, connectionId);
    const connection = { id: connectionId, name: 'Zoho sandbox' };
    const parents = async () => (await org.notes()).map(parentOf).sort();

    await text('wamid.d1', 30, 'first message');
    await h.services.sync.engine.run(connection, destination);
    expect(await parents()).toEqual([contact, ...[1, 2, 3, 4, 5].map(dealOf)].sort());

    // A day later a person works on the deal modified longest ago: it is now the latest.
    now += DAY;
    const edited = await org.inspect('PATCH', `records/${dealOf(7)}`, { Stage: 'Negotiation/Review' });
    expect(edited).toMatchObject({ modifiedAt: new Date(now).toISOString() });
    await text('wamid.d2', 20, 'second message');
    await h.services.sync.engine.run(connection, destination);
    const notes = await org.notes();
    expect(notes.map(parentOf).sort()).toEqual([contact, ...[7, 1, 2, 3, 4, 5].map(dealOf)].sort());
    for (const note of notes) expect(String(note.Note_Content)).toContain('second message');
    expect(notes.map(parentOf)).not.toContain(dealOf(6));
  });

  it('finds a contact made from a chat by its number while the search index has not caught up', async () => {
    const org = await sandbox({ searchIndexLagMs: 24 * 3_600_000 });
    const connectionId = await connect(org);
    await text('wamid.c1', 30, 'hello, I am new here');
    await run(connectionId);
    const chats = await h.services.store.chats.list(h.services.workspace.id, { limit: 10 });
    const chat = chats.data[0];
    if (!chat) throw new Error('no chat');
    const link = await h.services.records.createRecordFromChat(chat.id, {
      connection: connectionId,
      type: 'contact',
    });
    await text('wamid.c2', 20, 'after the contact was made');
    await run(connectionId);
    // A second connection to the org (another team's) looks Ana up by her number: the search index
    // does not have the contact yet (it answers 204), the exact spellings find it.
    const second = await h.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: h.auth,
      payload: org.connectionInput('Zoho, second team'),
    });
    const secondId = (second.json() as { id: string }).id;
    const access = await tokenFor(org, org.refreshToken);
    const search = await fetch(`${org.url}/crm/v8/Contacts/search?phone=${encodeURIComponent(ANA)}`, {
      headers: { authorization: `Zoho-oauthtoken ${access}` },
    });
    expect(search.status).toBe(204);
    const searchesBefore = await searches(org);
    await run(secondId);
    // The exact spelling found her at once: the lagging search was not even asked.
    expect(await searches(org)).toBe(searchesBefore);
    const contacts = await org.records('Contacts');
    expect(contacts.map((c) => [c.id, c.Mobile])).toEqual([[link.record.id, ANA]]);
    const notes = await notesOn(org, link.record.id);
    // One note a connection: the chat's day as each connection wrote it.
    expect(notes).toHaveLength(2);
    for (const note of notes) expect(String(note.Note_Content)).toContain('after the contact was made');
  });

  const smallFileOnceBigFileNamed = async () => {
    const org = await sandbox();
    const contact = await org.seed('Contacts', { Last_Name: 'Lima', Mobile: ANA });
    const connectionId = await connect(org);
    const pdf = Buffer.from('%PDF-1.4 the quote').toString('base64');
    const big = Buffer.alloc(21 * 1024 * 1024, 7).toString('base64');
    await h.postMessages(account, [
      {
        id: 'wamid.f1',
        chat: { type: 'direct', with: { phone: ANA, name: 'Ana Lima' } },
        timestamp: at(50),
        type: 'document',
        text: 'the quote',
        media: { base64: pdf, mimeType: 'application/pdf', fileName: 'quote.pdf' },
      },
      {
        id: 'wamid.f2',
        chat: { type: 'direct', with: { phone: ANA, name: 'Ana Lima' } },
        timestamp: at(40),
        type: 'video',
        media: { base64: big, mimeType: 'video/mp4', fileName: 'visit.mp4' },
      },
    ]);
    await run(connectionId);
    const attachments = await org.attachments();
    expect(attachments.map((a) => [parentOf(a), a.File_Name, a.size])).toEqual([[contact, 'quote.pdf', 18]]);
    const [note] = await notesOn(org, contact);
    const content = String(note?.Note_Content);
    expect(content).toMatch(
      new RegExp(`📎 quote\\.pdf \\(from Ana Lima, ${YESTERDAY} \\d\\d:\\d\\d, 18 B\\)`),
    );
    expect(content).toMatch(
      /Files not attached\n📎 visit\.mp4 \(from Ana Lima, .*21(\.0)? MB\): larger than the 20/,
    );

    await text('wamid.f3', 30, 'did you get it?');
    await run(connectionId);
    await run(connectionId);
    expect((await org.attachments()).map((a) => a.File_Name)).toEqual(['quote.pdf']);
    expect(await uploads(org)).toBe(1);
    const notes = await notesOn(org, contact);
    expect(notes).toHaveLength(1);
    expect(String(notes[0]?.Note_Content)).toContain('did you get it?');
    expect(String(notes[0]?.Note_Content)).toContain('📎 quote.pdf');
  };

  it(
    'uploads a small file once and lists it in the note; names a 21 MB file as not attached',
    smallFileOnceBigFileNamed,
  );

  // Scale mode's media store: the same sync with the files' bytes in Postgres rather than the data dir.
  it.runIf(database.dialect === 'postgres')(
    'does the same with the media in the database (WASYNC_MEDIA_STORE=database)',
    async () => {
      await h.close();
      h = await startHarness(database, { WASYNC_MEDIA_STORE: 'database' });
      account = await h.createAccount('+5511900001111');
      expect(h.services.store.blobs.kind).toBe('database');
      await smallFileOnceBigFileNamed();
      const blobs = await h.services.store.sql.db
        .selectFrom('media_blobs')
        .select(['size_bytes', 'chunk_count'])
        .orderBy('size_bytes')
        .execute();
      expect(blobs).toEqual([
        { size_bytes: 18, chunk_count: 1 },
        { size_bytes: 21 * 1024 * 1024, chunk_count: 21 },
      ]);
      expect(fs.existsSync(path.join(h.config.dataDir, 'media'))).toBe(false);
    },
    // Two harnesses and 21 MB through the REST ingest, on a machine running other suites.
    60_000,
  );

  it('writes later days on the contact a lead was converted to', async () => {
    const org = await sandbox();
    const lead = await org.seed('Leads', { Last_Name: 'Lima', Company: 'Lima Ltda', Mobile: ANA });
    const connectionId = await connect(org);
    await text('wamid.l1', 50, 'as a lead');
    await run(connectionId);
    expect((await notesOn(org, lead)).map((note) => String(note.Note_Content))).toEqual([
      expect.stringContaining('as a lead'),
    ]);
    const { contactId } = (await org.inspect('POST', `leads/${lead}/convert`)) as { contactId: string };
    await text('wamid.l2', 40, 'after the conversion');
    await run(connectionId);
    // And a new day, today, with a file: it goes to the contact's Attachments.
    await h.postMessages(account, [
      {
        id: 'wamid.l3',
        chat: { type: 'direct', with: { phone: ANA, name: 'Ana Lima' } },
        timestamp: new Date(NOON + DAY / 2 + 1000).toISOString(),
        type: 'document',
        text: 'a new day',
        media: {
          base64: Buffer.from('%PDF-1.4 order').toString('base64'),
          mimeType: 'application/pdf',
          fileName: 'order.pdf',
        },
      },
    ]);
    await run(connectionId);
    expect((await org.attachments()).map((a) => [parentOf(a), a.File_Name])).toEqual([
      [contactId, 'order.pdf'],
    ]);
    const onContact = (await notesOn(org, contactId)).map((note) => String(note.Note_Content));
    expect(onContact).toEqual(
      expect.arrayContaining([
        expect.stringContaining('after the conversion'),
        expect.stringContaining('a new day'),
      ]),
    );
    expect(onContact).toHaveLength(2);
    expect(await notesOn(org, lead)).toEqual([]);
  });

  it('deletes the notes on the contact and its deals and the files wasync wrote when Ana is erased', async () => {
    const org = await sandbox();
    const contact = await org.seed('Contacts', { Last_Name: 'Lima', Mobile: ANA });
    const deal = await org.seed('Deals', {
      Deal_Name: 'Fleet',
      Stage: 'Qualification',
      Contact_Name: contact,
    });
    // A note a person wrote on the contact: the erasure leaves it.
    const own = await fetch(`${org.url}/crm/v8/Notes`, {
      method: 'POST',
      headers: {
        authorization: `Zoho-oauthtoken ${await tokenFor(org, org.refreshToken)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        data: [
          {
            Note_Title: 'Call',
            Note_Content: 'Called Ana about the quote',
            Parent_Id: { module: { api_name: 'Contacts' }, id: contact },
          },
        ],
      }),
    });
    expect(own.ok, await own.text()).toBe(true);
    const connectionId = await connect(org);
    await h.postMessages(account, [
      {
        id: 'wamid.e1',
        chat: { type: 'direct', with: { phone: ANA, name: 'Ana Lima' } },
        timestamp: at(50),
        type: 'document',
        text: 'the quote',
        media: {
          base64: Buffer.from('%PDF-1.4 q').toString('base64'),
          mimeType: 'application/pdf',
          fileName: 'quote.pdf',
        },
      },
    ]);
    await run(connectionId);
    expect((await org.notes()).map(parentOf).sort()).toEqual([contact, contact, deal].sort());
    expect(await org.attachments()).toHaveLength(1);

    const erasure = await h.services.erasures.erase(h.services.workspace.id, ANA, 'test');
    const done = await h.services.erasures.deleteCrmWrites(h.services.workspace.id, erasure.id);
    expect(done.crmWrites.map((item) => [item.kind, item.state]).sort()).toEqual(
      [
        ['chat_record', 'deleted'],
        ['note', 'deleted'],
        ['file', 'deleted'],
      ].sort(),
    );
    expect((await org.notes()).map((note) => note.Note_Content)).toEqual(['Called Ana about the quote']);
    expect(await org.attachments()).toEqual([]);
    expect((await org.records()).map((r) => r.id).sort()).toEqual([contact, deal].sort());
  });
});

/** Uploads the sandbox took, to any record's Attachments. */
async function uploads(org: TestZoho): Promise<number> {
  const counters = (await org.counters()) as { byRoute: Record<string, number> };
  return Object.entries(counters.byRoute)
    .filter(([route]) => route.startsWith('POST ') && route.endsWith('/Attachments'))
    .reduce((sum, [, count]) => sum + count, 0);
}

/** Requests the sandbox's search answered, all modules. */
async function searches(org: TestZoho): Promise<number> {
  const counters = (await org.counters()) as { byRoute: Record<string, number> };
  return Object.entries(counters.byRoute)
    .filter(([route]) => route.includes('search'))
    .reduce((sum, [, count]) => sum + count, 0);
}

/** An access token for a refresh token of the sandbox, as a person's own script would get one. */
async function tokenFor(org: TestZoho, refreshToken: string): Promise<string> {
  const answer = await fetch(`${org.url}/oauth/v2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: DEMO_CLIENT.clientId,
      client_secret: DEMO_CLIENT.clientSecret,
      refresh_token: refreshToken,
    }),
  });
  return ((await answer.json()) as { access_token: string }).access_token;
}
