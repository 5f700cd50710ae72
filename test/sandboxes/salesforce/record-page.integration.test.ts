import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SalesforceDestination } from '../../../src/crms/salesforce/destination.js';
import type { CrmRecord, DayTranscriptWrite } from '../../../src/crms/types.js';
import { buildSalesforceSandbox, type SalesforceSandbox } from '../../../src/sandboxes/salesforce/index.js';
import { dayContent } from '../../support/day-content.js';
import { sandboxTransport } from '../../support/salesforce-org.js';

const NO_REGION = { defaultRegion: undefined };
const AT = new Date('2026-11-20T12:00:00Z');

function day(
  record: { type: 'contact' | 'lead'; id: string },
  key: string,
  text: string,
): DayTranscriptWrite {
  return {
    record,
    key,
    day: '2026-11-20',
    chat: { kind: 'direct', title: undefined },
    content: dayContent('WhatsApp 2026-11-20', ['12:00', 'Ana', text]),
    messageCount: 1,
    firstMessageAt: AT,
    lastMessageAt: AT,
    attachments: [],
  };
}

/**
 * "Open in CRM" on the Salesforce sandbox: the links the destination gives for its records are pages
 * the sandbox serves, with the record's fields, its WhatsApp Chats (the transcripts wasync wrote), its
 * notes and the files on its chats, which download.
 */
describe('Salesforce sandbox: Lightning record pages', () => {
  let sandbox: SalesforceSandbox;
  let baseUrl: string;
  let destination: SalesforceDestination;

  const seed = async (type: string, fields: Record<string, unknown>): Promise<string> => {
    const response = await fetch(`${baseUrl}/__sandbox/records/${type}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fields),
    });
    return ((await response.json()) as { id: string }).id;
  };
  const found = async (phone: string): Promise<CrmRecord> => {
    const records = (await destination.findByPhones([{ key: 'k', phone }], NO_REGION)).get('k') ?? [];
    const [record] = records;
    if (!record) throw new Error(`nobody found by ${phone}`);
    return record;
  };

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
    destination = new SalesforceDestination(sandboxTransport(baseUrl));
  });

  it("a contact's link opens its page: fields, its WhatsApp Chats with the transcript, its note and the chat's file", async () => {
    await seed('Contact', {
      FirstName: 'Ana',
      LastName: 'Souza <Ltda>',
      Title: 'Purchasing manager',
      Phone: '(11) 98765-4321',
    });
    const contact = await found('+5511987654321');
    expect(new URL(contact.url).pathname).toBe(`/lightning/r/Contact/${contact.id}/view`);
    const [written] = await destination.upsertDayTranscripts([
      {
        write: day(
          { type: 'contact', id: contact.id },
          'chat1:2026-11-20',
          'Can you do 5% off & ship Monday?',
        ),
        existing: undefined,
      },
    ]);
    if (!written?.ok) throw new Error(`transcript failed: ${JSON.stringify(written)}`);
    const pdf = Buffer.from('%PDF-1.4 quote');
    await destination.uploadAttachment({
      transcript: written.ref,
      record: { type: 'contact', id: contact.id },
      key: 'chat1:msg1:file',
      fileName: 'quote-Q-1042.pdf',
      mimeType: 'application/pdf',
      sizeBytes: pdf.length,
      description: 'WhatsApp file from Ana',
      async *open() {
        yield pdf;
      },
    });

    const page = await fetch(contact.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    // The name is escaped: the org's value, not markup.
    expect(html).toContain('<h1>Ana Souza &lt;Ltda&gt;</h1>');
    expect(html).not.toContain('<Ltda>');
    expect(html).toContain('Purchasing manager');
    expect(html).toContain('(11) 98765-4321');
    expect(html).toContain('<h2>WhatsApp Chats (1)</h2>');
    expect(html).toContain('WA-000001');
    expect(html).toContain('Can you do 5% off &amp; ship Monday?');
    expect(html).toContain('<h2>Notes (1)</h2>');
    expect(html).toContain('WhatsApp 2026-11-20');
    expect(html).toContain('quote-Q-1042');

    // The chat's row links to the chat record's page, which lists the file with its download link.
    const chatLink = /href="(\/lightning\/r\/WhatsApp_Chat__c\/[^"]+\/view)"/.exec(html)?.[1];
    expect(chatLink).toBe(`/lightning/r/WhatsApp_Chat__c/${written.ref.id}/view`);
    const chatPage = await (await fetch(`${baseUrl}${chatLink}`)).text();
    expect(chatPage).toContain('<h1>WA-000001</h1>');
    expect(chatPage).toContain('Ana Souza &lt;Ltda&gt;</a>');
    expect(chatPage).toContain('<h2>Files (1)</h2>');
    const download = /href="(\/sfc\/servlet\.shepherd\/version\/download\/[^"]+)"/.exec(chatPage)?.[1];
    expect(download).toBeDefined();
    const file = await fetch(`${baseUrl}${download}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''quote-Q-1042.pdf");
    expect(Buffer.from(await file.arrayBuffer())).toEqual(pdf);
  });

  it("a lead's link opens its page with its WhatsApp Chats", async () => {
    await seed('Lead', {
      FirstName: 'Bruno',
      LastName: 'Lima',
      Company: 'Lima Ltda',
      MobilePhone: '+55 21 99876-5432',
    });
    const lead = await found('+5521998765432');
    expect(lead.type).toBe('lead');
    await destination.upsertDayTranscripts([
      {
        write: day({ type: 'lead', id: lead.id }, 'chat2:2026-11-20', 'About 200 units a month'),
        existing: undefined,
      },
    ]);
    const page = await fetch(lead.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<h1>Bruno Lima</h1>');
    expect(html).toContain('Lima Ltda');
    expect(html).toContain('<h2>WhatsApp Chats (1)</h2>');
    expect(html).toContain('About 200 units a month');
  });

  it("the card's open deals link to pages the sandbox serves", async () => {
    const contactId = await seed('Contact', { LastName: 'Chen', Phone: '+1 415 555 0100' });
    await seed('Opportunity', {
      Name: 'Blue model, 30 units',
      StageName: 'Negotiation/Review',
      CloseDate: '2026-12-31',
      ContactId: contactId,
    });
    const card = await destination.card({ type: 'contact', id: contactId });
    const [deal] = card.openDeals;
    if (!deal) throw new Error('no open deal on the card');
    const page = await fetch(deal.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>Blue model, 30 units</h1>');
    const contactPage = await (await fetch(`${baseUrl}/lightning/r/Contact/${contactId}/view`)).text();
    expect(contactPage).toContain('<h2>Opportunities (1)</h2>');
  });

  it('an unknown id, an id of another object, an unknown object or file answers a 404 HTML page', async () => {
    const contactId = await seed('Contact', { LastName: 'Chen' });
    const unknownContact = `${contactId.slice(0, 10)}ZZZZZ`;
    for (const path of [
      `/lightning/r/Contact/${unknownContact}/view`,
      `/lightning/r/Lead/${contactId}/view`,
      `/lightning/r/Nope__c/${contactId}/view`,
      '/lightning/r/Contact/not-an-id/view',
      '/sfc/servlet.shepherd/version/download/068000000000000AAA',
    ]) {
      const response = await fetch(`${baseUrl}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(await response.text(), path).toMatch(/<h1>No such (record|file)<\/h1>/);
    }
  });
});
