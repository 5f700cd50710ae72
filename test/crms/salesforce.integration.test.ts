import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SalesforceDestination } from '../../src/crms/salesforce/destination.js';
import { noteHtml } from '../../src/crms/salesforce/note-html.js';
import { queryMany } from '../../src/crms/salesforce/query.js';
import { salesforceLimiter } from '../../src/crms/salesforce/sign-in.js';
import { SalesforceTransport } from '../../src/crms/salesforce/transport.js';
import type { DayTranscriptWrite } from '../../src/crms/types.js';
import {
  buildSalesforceSandbox,
  DEMO_CLIENT,
  type SalesforceSandbox,
} from '../../src/sandboxes/salesforce/index.js';
import { dayContent } from '../support/day-content.js';
import { sandboxTransport } from '../support/salesforce-org.js';

type Row = Record<string, unknown> & { Id: string };

const NO_REGION = { defaultRegion: undefined };

/** A sign-in to the sandbox with the demo client (or another secret). */
function transportTo(url: string, clientSecret = DEMO_CLIENT.clientSecret): SalesforceTransport {
  return sandboxTransport(url, clientSecret);
}

/** A one-message day on a contact. */
function smallDay(contactId: string, key: string): DayTranscriptWrite {
  return {
    record: { type: 'contact', id: contactId },
    key,
    day: '2026-11-20',
    chat: { kind: 'direct', title: undefined },
    content: dayContent('t', ['10:00', 'Ana', 't']),
    messageCount: 1,
    firstMessageAt: new Date(),
    lastMessageAt: new Date(),
    attachments: [],
  };
}

describe('Salesforce destination against the sandbox', () => {
  let sandbox: SalesforceSandbox;
  let baseUrl: string;
  let destination: SalesforceDestination;
  let transport: SalesforceTransport;

  const inspect = async (type: string): Promise<Row[]> => {
    const response = await fetch(`${baseUrl}/__sandbox/records/${type}`);
    const body = (await response.json()) as { records: Row[] } | Row[];
    return Array.isArray(body) ? body : body.records;
  };
  const seed = async (type: string, fields: Record<string, unknown>): Promise<string> => {
    const response = await fetch(`${baseUrl}/__sandbox/records/${type}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fields),
    });
    const body = (await response.json()) as { id?: string; Id?: string };
    return body.id ?? body.Id ?? '';
  };

  /** Requests the sandbox served, by route (`POST /services/data/:version/composite`, …). */
  const routeCounts = async (): Promise<Record<string, number>> =>
    ((await (await fetch(`${baseUrl}/__sandbox/counters`)).json()) as { byRoute: Record<string, number> })
      .byRoute;

  beforeAll(async () => {
    sandbox = await buildSalesforceSandbox({ customObjectDeployed: true });
    baseUrl = await sandbox.listen(0);
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    await fetch(`${baseUrl}/__sandbox/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    transport = transportTo(baseUrl, DEMO_CLIENT.clientSecret);
    destination = new SalesforceDestination(transport);
  });

  /** A file on a contact's day, its bytes yielded in chunks by `open`. */
  const fileUpload = (transcript: { id: string; related: Record<string, string> }, contactId: string) => ({
    transcript,
    record: { type: 'contact' as const, id: contactId },
    key: 'conn1:msg1:file',
    fileName: 'quote "final".pdf',
    mimeType: 'application/pdf',
    sizeBytes: 3 * 64 * 1024,
    description: 'WhatsApp file from Ana',
    async *open(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < 3; i++) yield new Uint8Array(64 * 1024).fill(65 + i);
    },
  });

  it('finds a contact stored as (11) 98765-4321 from WhatsApp 5511987654321, before a lead with the number', async () => {
    const contactId = await seed('Contact', {
      FirstName: 'Ana',
      LastName: 'Souza',
      Phone: '(11) 98765-4321',
    });
    await seed('Lead', { LastName: 'Souza', Company: 'Acme', MobilePhone: '+5511987654321' });
    await seed('Contact', { LastName: 'Other', Phone: '(11) 91111-2222' });
    const found = await destination.findByPhones(
      [
        { key: 'ana', phone: '+5511987654321' },
        { key: 'nobody', phone: '+4915123456789' },
      ],
      { defaultRegion: undefined },
    );
    expect(found.get('ana')?.map((r) => [r.type, r.name])).toEqual([
      ['contact', 'Ana Souza'],
      ['lead', 'Souza'],
    ]);
    expect(found.get('ana')?.[0]?.id).toBe(contactId);
    expect(found.get('nobody')).toEqual([]);
  });

  it('runs a dozen queries as Composite calls of at most five queries, answering each in order', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `Query${i}`);
    for (const name of names) await seed('Contact', { LastName: name });
    const before = (await routeCounts())['POST /services/data/:version/composite'] ?? 0;
    const answers = await queryMany(
      transport,
      names.map((name) => `SELECT Id, LastName FROM Contact WHERE LastName = '${name}'`),
    );
    expect(answers.map((rows) => rows.map((row) => row.LastName))).toEqual(names.map((name) => [name]));
    expect(((await routeCounts())['POST /services/data/:version/composite'] ?? 0) - before).toBe(3);
  });

  it('looks up forty numbers in one batch and finds every one', async () => {
    const phones = Array.from({ length: 40 }, (_, i) => `+1415555${String(1000 + i)}`);
    const ids = new Map<string, string>();
    for (const phone of phones)
      ids.set(phone, await seed('Contact', { LastName: 'Batch', MobilePhone: phone }));
    const found = await destination.findByPhones(
      phones.map((phone) => ({ key: phone, phone })),
      { defaultRegion: undefined },
    );
    expect(phones.map((phone) => found.get(phone)?.map((r) => r.id))).toEqual(
      phones.map((phone) => [ids.get(phone)]),
    );
  });

  it('creates contacts and leads the way Salesforce requires them', async () => {
    const lead = await destination.createRecord({
      type: 'lead',
      name: 'Maria da Silva',
      phone: '+5521987650000',
    });
    const contact = await destination.createRecord({
      type: 'contact',
      name: 'Jonas',
      phone: '+4915123456789',
    });
    const leads = await inspect('Lead');
    expect(leads).toEqual([
      expect.objectContaining({
        Id: lead.id,
        FirstName: 'Maria da',
        LastName: 'Silva',
        Company: 'Unknown (WhatsApp)',
        MobilePhone: '+5521987650000',
      }),
    ]);
    expect(await inspect('Contact')).toEqual([
      expect.objectContaining({ Id: contact.id, LastName: 'Jonas' }),
    ]);
    expect(lead.url).toContain(`/lightning/r/Lead/${lead.id}/view`);
  });

  it('writes one chat record and one note per day, updated in place, and finds the note again after a lost answer', async () => {
    const contactId = await seed('Contact', { LastName: 'Souza', Phone: '+5511987654321' });
    const write = (count: number): DayTranscriptWrite => ({
      record: { type: 'contact', id: contactId },
      key: `conn1:chat1:${contactId}:2026-11-20`,
      day: '2026-11-20',
      chat: { kind: 'direct', title: undefined },
      content: dayContent('WhatsApp chat with Ana Souza — 2026-11-20', [
        '09:15',
        'Ana',
        `hello (${count}) & more`,
      ]),
      messageCount: count,
      firstMessageAt: new Date('2026-11-20T12:15:00Z'),
      lastMessageAt: new Date('2026-11-20T12:15:00Z'),
      attachments: [],
    });
    const [first] = await destination.upsertDayTranscripts([{ write: write(1), existing: undefined }]);
    if (!first?.ok) throw new Error(`first write failed: ${JSON.stringify(first)}`);
    expect(first.ref.related.note).toMatch(/^069/);

    const [second] = await destination.upsertDayTranscripts([{ write: write(2), existing: first.ref }]);
    // As if the ledger had lost the first answer: the note must be found, not written twice.
    const [third] = await destination.upsertDayTranscripts([{ write: write(3), existing: undefined }]);
    expect(second).toEqual(first);
    expect(third).toEqual(first);

    const chats = await inspect('WhatsApp_Chat__c');
    expect(chats).toEqual([
      expect.objectContaining({ Id: first.ref.id, Contact__c: contactId, Message_Count__c: 3 }),
    ]);
    expect(String(chats[0]?.Transcript__c)).toContain('hello (3)');
    const notes = await inspect('ContentNote');
    expect(notes).toHaveLength(1);
    // Besides the owner's own link (a 005… user, as a real org adds), the note is on the contact and the chat.
    const links = (await inspect('ContentDocumentLink')).filter(
      (l) => !String(l.LinkedEntityId).startsWith('005'),
    );
    expect(links.map((l) => l.LinkedEntityId).sort()).toEqual([contactId, first.ref.id].sort());

    // The day's note is wasync's own: the card shows people's notes only (card-notes.integration.test.ts).
    const card = await destination.card({ type: 'contact', id: contactId });
    expect(card.latestNotes).toEqual([]);
  });

  /** A contact's day whose chat record an earlier attempt already wrote, as the first call of a write does. */
  const dayWithChatRecord = async (key: string) => {
    const contactId = await seed('Contact', { LastName: 'Souza', Phone: '+5511987654321' });
    const write: DayTranscriptWrite = {
      ...smallDay(contactId, key),
      content: dayContent('WhatsApp chat with Ana — 2026-11-20', ['10:00', 'Ana', 'hello again']),
    };
    const chat = await transport.request<{ id: string }>(
      'PATCH',
      `sobjects/WhatsApp_Chat__c/Chat_Key__c/${encodeURIComponent(key)}`,
      { Contact__c: contactId, Message_Count__c: 1 },
    );
    return { contactId, chatId: chat.body.id, write };
  };
  const createNote = async (title: string, linkedTo: string[]) => {
    const created = await transport.request<{ id: string }>('POST', 'sobjects/ContentNote', {
      Title: title,
      Content: Buffer.from('<p>hello</p>').toString('base64'),
    });
    for (const to of linkedTo) {
      await transport.request('POST', 'sobjects/ContentDocumentLink', {
        ContentDocumentId: created.body.id,
        LinkedEntityId: to,
        ShareType: 'V',
      });
    }
    return created.body.id;
  };
  const linksOf = async (documentId: string) =>
    (await inspect('ContentDocumentLink'))
      .filter((l) => l.ContentDocumentId === documentId && !String(l.LinkedEntityId).startsWith('005'))
      .map((l) => String(l.LinkedEntityId))
      .sort();

  it('adopts a note an earlier attempt created but never linked, though that attempt was not marked uncertain', async () => {
    const { contactId, chatId, write } = await dayWithChatRecord('chat9:2026-11-20');
    // What a link call that failed (a 503, not a lost answer) left behind: a note linked to no record.
    const orphan = await createNote(write.content.header, []);
    const [result] = await destination.upsertDayTranscripts([{ write, existing: undefined }]);
    if (!result?.ok) throw new Error(`write failed: ${JSON.stringify(result)}`);
    const notes = await inspect('ContentNote');
    expect(notes.map((n) => n.Id)).toEqual([orphan]);
    expect(result.ref).toEqual({ id: chatId, related: { note: orphan } });
    expect(String(notes[0]?.Content)).toContain('hello again');
    expect(await linksOf(orphan)).toEqual([contactId, chatId].sort());
  });

  it('links a note found on its chat record to the contact it lacks, instead of writing a second', async () => {
    const { contactId, chatId, write } = await dayWithChatRecord('chat10:2026-11-20');
    // What a link collection that failed halfway left: the note on the chat record, not on the contact.
    const half = await createNote(write.content.header, [chatId]);
    const [result] = await destination.upsertDayTranscripts([{ write, existing: undefined }]);
    expect(result).toEqual({ ok: true, ref: { id: chatId, related: { note: half } } });
    expect((await inspect('ContentNote')).map((n) => n.Id)).toEqual([half]);
    expect(await linksOf(half)).toEqual([contactId, chatId].sort());
  });

  it('takes the note on the chat record by its file type, never a file uploaded to the same record', async () => {
    const contactId = await seed('Contact', { LastName: 'Souza' });
    const write = smallDay(contactId, 'chat11:2026-11-20');
    const [first] = await destination.upsertDayTranscripts([{ write, existing: undefined }]);
    if (!first?.ok) throw new Error('transcript failed');
    await destination.uploadAttachment(fileUpload(first.ref, contactId));
    // The ledger lost the note: the chat record holds the note and the file, both documents (069…).
    const later = dayContent('t', ['10:00', 'Ana', 't, later']);
    const [again] = await destination.upsertDayTranscripts([
      { write: { ...write, content: later }, existing: undefined },
    ]);
    expect(again).toEqual(first);
    expect((await inspect('ContentNote')).map((n) => [n.Id, String(n.Content)])).toEqual([
      [first.ref.related.note, noteHtml(later)],
    ]);
  });

  it('leaves one note, on the contact and the chat record, whichever call of a write the org refused', async () => {
    const DAILY = 20;
    for (let allowed = 1; allowed <= 3; allowed++) {
      let now = Date.UTC(2026, 10, 20, 12);
      const org = await buildSalesforceSandbox({
        customObjectDeployed: true,
        dailyRequestLimit: DAILY,
        clock: () => now,
      });
      try {
        const url = await org.listen(0);
        const seeded = await fetch(`${url}/__sandbox/records/Contact`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ LastName: 'Souza' }),
        });
        const contactId = ((await seeded.json()) as { id: string }).id;
        // The transport's budget keeps the org's time: it waits out the spent allowance with it.
        const limitedTransport = new SalesforceTransport({
          loginUrl: url,
          apiVersion: '62.0',
          auth: {
            flow: 'client_credentials',
            clientId: DEMO_CLIENT.clientId,
            clientSecret: DEMO_CLIENT.clientSecret,
          },
          limiter: salesforceLimiter({ clock: () => now }),
        });
        const limited = new SalesforceDestination(limitedTransport);
        // The org's daily allowance has `allowed` requests left: the write is refused at the next call.
        for (let used = 0; used < DAILY - allowed; used++) await limitedTransport.request('GET', 'limits');
        const write = smallDay(contactId, `chat12:${allowed}`);
        await limited.upsertDayTranscripts([{ write, existing: undefined }]).catch(() => undefined);
        // A day later the allowance is back; the engine retries, knowing nothing of what landed.
        now += 24 * 60 * 60 * 1000;
        const [result] = await limited.upsertDayTranscripts([{ write, existing: undefined }]);
        if (!result?.ok) throw new Error(`retry failed: ${JSON.stringify(result)}`);
        const records = async (type: string) =>
          ((await (await fetch(`${url}/__sandbox/records/${type}`)).json()) as { records: Row[] }).records;
        const notes = await records('ContentNote');
        expect(
          notes.map((n) => n.Id),
          `refused after ${allowed}`,
        ).toEqual([result.ref.related.note]);
        const links = (await records('ContentDocumentLink'))
          .filter((l) => l.ContentDocumentId === result.ref.related.note)
          .map((l) => String(l.LinkedEntityId))
          .filter((id) => !id.startsWith('005'))
          .sort();
        expect(links, `refused after ${allowed}`).toEqual([contactId, result.ref.id].sort());
      } finally {
        await org.close();
      }
    }
  });

  it('writes the other notes of a batch when the org refuses one, and leaves nothing of the refused one', async () => {
    const contactIds = [
      await seed('Contact', { LastName: 'A' }),
      await seed('Contact', { LastName: 'B' }),
      await seed('Contact', { LastName: 'C' }),
    ];
    // The middle one names a lead as its contact: the org refuses that chat record alone.
    const leadId = await seed('Lead', { LastName: 'L', Company: 'Acme' });
    const contents = contactIds.map((_, n) => dayContent('t', ['10:00', 'Ana', `day ${n}`]));
    const writes = contactIds.map((id, n) => ({
      ...smallDay(n === 1 ? leadId : id, `chat13:${n}`),
      content: contents[n] ?? dayContent('t'),
    }));
    const results = await destination.upsertDayTranscripts(
      writes.map((write) => ({ write, existing: undefined })),
    );
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]).toMatchObject({
      ok: false,
      error: { kind: 'rejected', code: 'FIELD_INTEGRITY_EXCEPTION' },
    });
    const notes = await inspect('ContentNote');
    expect(notes.map((n) => String(n.Content)).sort()).toEqual(
      [contents[0], contents[2]].map((content) => noteHtml(content ?? dayContent('t'))).sort(),
    );
    for (const [n, result] of results.entries()) {
      if (!result.ok) continue;
      expect(await linksOf(result.ref.related.note ?? '')).toEqual([contactIds[n], result.ref.id].sort());
    }
  });

  it('recovers 200 days at once whatever their titles: the lookups travel in the body, not the URL', async () => {
    const contactId = await seed('Contact', { LastName: 'Souza' });
    const writes = Array.from({ length: 200 }, (_, n) => ({
      ...smallDay(contactId, `chat14:${n}`),
      content: dayContent(
        `WhatsApp group "Équipe commerciale — São Paulo & região" — 2026-11-${String(n).padStart(3, '0')}`,
        ['10:00', 'Ana', 't'],
      ),
    }));
    // A first attempt wrote the chat records and died before the notes.
    await transport.request('PATCH', 'composite/sobjects/WhatsApp_Chat__c/Chat_Key__c', {
      allOrNone: false,
      records: writes.map((w) => ({
        attributes: { type: 'WhatsApp_Chat__c' },
        Chat_Key__c: w.key,
        Contact__c: contactId,
      })),
    });
    const results = await destination.upsertDayTranscripts(
      writes.map((write) => ({ write, existing: undefined, uncertain: true })),
    );
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(await inspect('ContentNote')).toHaveLength(200);
  });

  it('puts lead transcripts on the chat record only, and shows open deals on a contact card', async () => {
    const leadId = await seed('Lead', {
      LastName: 'Lee',
      Company: 'Lee & Co',
      Status: 'Open - Not Contacted',
      MobilePhone: '+12015550123',
    });
    const [result] = await destination.upsertDayTranscripts([
      {
        write: {
          record: { type: 'lead', id: leadId },
          key: `conn1:group1:${leadId}:2026-11-20`,
          day: '2026-11-20',
          chat: { kind: 'group', title: 'Acme buyers' },
          content: dayContent('WhatsApp group "Acme buyers" — 2026-11-20', ['12:00', 'Ana', 'text']),
          messageCount: 1,
          firstMessageAt: new Date('2026-11-20T12:00:00Z'),
          lastMessageAt: new Date('2026-11-20T12:00:00Z'),
          attachments: [],
        },
        existing: undefined,
      },
    ]);
    expect(result?.ok).toBe(true);
    expect(await inspect('WhatsApp_Chat__c')).toEqual([
      expect.objectContaining({ Lead__c: leadId, Chat_Type__c: 'Group', Group_Name__c: 'Acme buyers' }),
    ]);
    expect(await inspect('ContentNote')).toEqual([]);
    const leadCard = await destination.card({ type: 'lead', id: leadId });
    expect(leadCard).toMatchObject({
      company: 'Lee & Co',
      leadStatus: 'Open - Not Contacted',
      openDeals: [],
    });

    const contactId = await seed('Contact', { LastName: 'Buyer' });
    await seed('Opportunity', {
      Name: 'Fleet renewal',
      StageName: 'Proposal',
      Amount: 12000,
      CloseDate: '2026-12-31',
      ContactId: contactId,
    });
    const card = await destination.card({ type: 'contact', id: contactId });
    expect(card.openDeals).toEqual([
      expect.objectContaining({ name: 'Fleet renewal', stage: 'Proposal', amount: 12000 }),
    ]);
  });

  it('shows the open deals a contact has a role on, as orgs link contacts to opportunities', async () => {
    const contactId = await seed('Contact', { LastName: 'Buyer' });
    const deal = (Name: string, StageName: string, CloseDate: string) =>
      seed('Opportunity', { Name, StageName, CloseDate, Amount: 500 });
    const open = await deal('Fleet renewal', 'Proposal', '2026-12-31');
    const sooner = await deal('Spare parts', 'Prospecting', '2026-12-01');
    const closed = await deal('Old order', 'Closed Won', '2026-01-31');
    await seed('Opportunity', { Name: 'Not theirs', StageName: 'Proposal', CloseDate: '2026-12-15' });
    for (const [opportunity, Role, IsPrimary] of [
      [open, 'Decision Maker', true],
      [sooner, 'Evaluator', false],
      [closed, 'Economic Buyer', true],
    ] as const) {
      await seed('OpportunityContactRole', {
        OpportunityId: opportunity,
        ContactId: contactId,
        Role,
        IsPrimary,
      });
    }
    const card = await destination.card({ type: 'contact', id: contactId });
    expect(card.openDeals.map((d) => d.name)).toEqual(['Spare parts', 'Fleet renewal']);
  });

  it('signs in again once when the token expires, however many requests notice it', async () => {
    await seed('Contact', { LastName: 'Souza', Phone: '+5511987654321' });
    await destination.findByPhones([{ key: 'a', phone: '+5511987654321' }], NO_REGION);
    await fetch(`${baseUrl}/__sandbox/tokens/expire`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const signIns: string[] = [];
    const watched = new SalesforceTransport({
      loginUrl: baseUrl,
      apiVersion: '62.0',
      auth: {
        flow: 'client_credentials',
        clientId: DEMO_CLIENT.clientId,
        clientSecret: DEMO_CLIENT.clientSecret,
      },
      onToken: (token) => {
        signIns.push(token.accessToken);
      },
    });
    const watchedDestination = new SalesforceDestination(watched);
    await watchedDestination.findByPhones([{ key: 'a', phone: '+5511987654321' }], NO_REGION);
    await fetch(`${baseUrl}/__sandbox/tokens/expire`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        watchedDestination.findByPhones([{ key: 'a', phone: '+5511987654321' }], NO_REGION),
      ),
    );
    expect(answers.every((a) => a.get('a')?.length === 1)).toBe(true);
    expect(signIns).toHaveLength(2);
  });

  it('parks on bad credentials and reports a missing custom object as a setup problem', async () => {
    const wrong = new SalesforceDestination(transportTo(baseUrl, 'wrong'));
    await expect(wrong.findByPhones([{ key: 'a', phone: '+12015550123' }], NO_REGION)).rejects.toMatchObject({
      kind: 'park',
      code: 'invalid_client',
    });
    expect(await destination.test()).toEqual([]);

    const bare = await buildSalesforceSandbox();
    const bareUrl = await bare.listen(0);
    try {
      const notSetUp = new SalesforceDestination(transportTo(bareUrl, DEMO_CLIENT.clientSecret));
      expect(await notSetUp.test()).toEqual([expect.stringContaining('wasync setup salesforce')]);
      const contactId = (
        (await (
          await fetch(`${bareUrl}/__sandbox/records/Contact`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ LastName: 'Souza' }),
          })
        ).json()) as { id: string }
      ).id;
      const writing = notSetUp.upsertDayTranscripts([
        { write: smallDay(contactId, 'k'), existing: undefined },
      ]);
      await expect(writing).rejects.toMatchObject({ kind: 'park', code: 'SETUP_REQUIRED' });
    } finally {
      await bare.close();
    }
  });

  it('uploads a file onto the chat record as one JSON part and one streamed binary part, once', async () => {
    const contactId = await seed('Contact', { LastName: 'Souza' });
    const [day] = await destination.upsertDayTranscripts([
      { write: smallDay(contactId, 'k-files'), existing: undefined },
    ]);
    if (!day?.ok) throw new Error('transcript failed');
    const upload = fileUpload(day.ref, contactId);
    const uploadRequests = async () => {
      const counters = (await (await fetch(`${baseUrl}/__sandbox/counters`)).json()) as {
        byRoute: Record<string, number>;
      };
      return counters.byRoute['POST /services/data/:version/sobjects/:type'] ?? 0;
    };
    const streamed = {
      ...upload,
      // The second chunk waits until the org has the request: a body read whole before sending never gets there.
      async *open(): AsyncIterable<Uint8Array> {
        let first = true;
        for await (const chunk of upload.open()) {
          if (!first) {
            const deadline = Date.now() + 5_000;
            while ((await uploadRequests()) === 0) {
              if (Date.now() > deadline) throw new Error('the upload was not sent until the file was read');
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
          }
          first = false;
          yield chunk;
        }
      },
    };
    const first = await destination.uploadAttachment(streamed);
    const again = await destination.uploadAttachment(upload);
    expect(again).toEqual(first);
    // Notes are ContentVersions too (FileType SNOTE); the file is the one other version.
    const versions = (await inspect('ContentVersion')).filter((v) => v.FileType !== 'SNOTE');
    expect(versions).toEqual([
      expect.objectContaining({
        Id: first.id,
        Title: 'quote "final".pdf',
        FirstPublishLocationId: day.ref.id,
        ContentSize: 3 * 64 * 1024,
        // Nothing written into a field users see to find the file again.
        ReasonForChange: null,
      }),
    ]);
    // The bytes as they were read, chunk after chunk (all ASCII, so they read back as text).
    const download = await transport.request<string>(
      'GET',
      `sobjects/ContentVersion/${first.id}/VersionData`,
    );
    expect(download.body).toBe(['A', 'B', 'C'].map((c) => c.repeat(64 * 1024)).join(''));
  });

  it('finds a file already on the chat record by its title and bytes, and uploads a different one', async () => {
    const contactId = await seed('Contact', { LastName: 'Souza' });
    const [day] = await destination.upsertDayTranscripts([
      { write: smallDay(contactId, 'k-files'), existing: undefined },
    ]);
    if (!day?.ok) throw new Error('transcript failed');
    const upload = fileUpload(day.ref, contactId);
    const first = await destination.uploadAttachment(upload);
    // An attempt under another key (the ledger lost it, or the media was stored again) finds the file.
    expect(await destination.uploadAttachment({ ...upload, key: 'conn1:msg1:file-again' })).toEqual(first);
    // Same name, other bytes: another file. Same bytes on another day's record: another file too.
    const other = await destination.uploadAttachment({
      ...upload,
      key: 'conn1:msg2:file',
      async *open() {
        yield new TextEncoder().encode('other bytes');
      },
    });
    const [nextDay] = await destination.upsertDayTranscripts([
      { write: smallDay(contactId, 'k-files-next-day'), existing: undefined },
    ]);
    if (!nextDay?.ok) throw new Error('transcript failed');
    const elsewhere = await destination.uploadAttachment({ ...upload, transcript: nextDay.ref, key: 'k3' });
    expect(new Set([first.id, other.id, elsewhere.id]).size).toBe(3);
    expect((await inspect('ContentVersion')).filter((v) => v.FileType !== 'SNOTE')).toHaveLength(3);
  });
});
