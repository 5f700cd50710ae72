/**
 * "Latest notes" on the CRM card: the notes people wrote on the record, newest first, each cut at a
 * word boundary with an ellipsis; never wasync's own day notes (the chat the rep is looking at
 * already), however many of them there are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SalesforceDestination } from '../../src/crms/salesforce/destination.js';
import type { DayTranscriptWrite, Destination } from '../../src/crms/types.js';
import { ZohoSignIn } from '../../src/crms/zoho/sign-in.js';
import { ZohoTransport } from '../../src/crms/zoho/transport.js';
import { DEMO_CLIENT } from '../../src/sandboxes/zoho/index.js';
import { dayContent } from '../support/day-content.js';
import { sandboxTransport, startTestOrg, type TestOrg } from '../support/salesforce-org.js';
import { startTestZoho, type TestZoho } from '../support/zoho-org.js';

const LONG_NOTE =
  'Called Ana about the quote for the pallets: she wants the blue ones delivered before the end of the month, and asked whether we could split the invoice between her two shops in Campinas and Santos, which have different tax numbers and different people who pay the bills';
/** Six days of chat: more of wasync's notes than the card shows. */
const DAYS = ['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25'];

function dayOn(contactId: string, day: string): DayTranscriptWrite {
  const at = new Date(`${day}T12:00:00Z`);
  return {
    record: { type: 'contact', id: contactId },
    key: `conn1:chat1:${contactId}:${day}`,
    day,
    chat: { kind: 'direct', title: undefined },
    content: dayContent(`WhatsApp chat with Ana Souza — ${day}`, ['12:00', 'Ana', `hello on ${day}`]),
    messageCount: 1,
    firstMessageAt: at,
    lastMessageAt: at,
    attachments: [],
  };
}

/** People's notes first, then wasync's days (newer than all of them), then the card. */
async function cardAfterDays(
  destination: Destination,
  contactId: string,
  peopleWrite: (title: string, content: string) => Promise<void>,
) {
  await peopleWrite('Quote', LONG_NOTE);
  await peopleWrite('Visit', 'Dropped by the shop.');
  for (const day of DAYS) {
    const [result] = await destination.upsertDayTranscripts([
      { write: dayOn(contactId, day), existing: undefined },
    ]);
    if (!result?.ok) throw new Error(`the day ${day} was not written: ${JSON.stringify(result)}`);
  }
  return destination.card({ type: 'contact', id: contactId });
}

function expectPeopleNotesOnly(notes: { title: string; excerpt: string }[]) {
  expect(notes.map((note) => note.title)).toEqual(['Visit', 'Quote']);
  expect(notes[0]?.excerpt).toBe('Dropped by the shop.');
  const cut = notes[1]?.excerpt ?? '';
  expect(cut).toMatch(/…$/);
  expect([...cut].length).toBeLessThanOrEqual(200);
  // Cut between words: what precedes the ellipsis is a whole word of the note.
  const words = LONG_NOTE.split(/\s+/).map((word) => word.replace(/[,:.]$/, ''));
  expect(words).toContain(cut.slice(0, -1).split(' ').at(-1));
  expect(LONG_NOTE.startsWith(cut.slice(0, -1))).toBe(true);
}

describe('card notes on Salesforce', () => {
  let org: TestOrg;
  // Each reading of the sandbox's clock a second later: notes are ordered by their CreatedDate.
  let now = Date.parse('2026-12-01T09:00:00Z');
  beforeAll(async () => {
    org = await startTestOrg({ clock: () => (now += 1000) });
  });
  afterAll(() => org.close());

  it("shows people's notes on a contact, not wasync's day notes, the long one cut at a word", async () => {
    const transport = sandboxTransport(org.url);
    const destination = new SalesforceDestination(transport);
    const contactId = await org.seed('Contact', { LastName: 'Souza', Phone: '+5511987654321' });
    const card = await cardAfterDays(destination, contactId, async (title, content) => {
      const note = await transport.request<{ id: string }>('POST', 'sobjects/ContentNote', {
        Title: title,
        Content: Buffer.from(`<p>${content}</p>`).toString('base64'),
      });
      await transport.request('POST', 'sobjects/ContentDocumentLink', {
        ContentDocumentId: note.body.id,
        LinkedEntityId: contactId,
        ShareType: 'V',
      });
    });
    expectPeopleNotesOnly(card.latestNotes);
  });
});

describe('card notes on Zoho CRM', () => {
  let zoho: TestZoho;
  let now = Date.parse('2026-12-01T09:00:00Z');
  beforeAll(async () => {
    zoho = await startTestZoho({ clock: () => (now += 1000) });
  });
  afterAll(() => zoho.close());

  it("shows people's notes on a contact, not wasync's day notes, the long one cut at a word", async () => {
    const destination = zoho.destination({ clock: () => now });
    const transport = new ZohoTransport(
      new ZohoSignIn({
        accountsUrl: zoho.url,
        clientId: DEMO_CLIENT.clientId,
        clientSecret: DEMO_CLIENT.clientSecret,
        refreshToken: zoho.refreshToken,
      }),
    );
    const contactId = await zoho.seed('Contacts', { Last_Name: 'Souza', Mobile: '+5511987654321' });
    const card = await cardAfterDays(destination, contactId, async (title, content) => {
      await transport.request('POST', 'Notes', {
        json: {
          data: [
            {
              Note_Title: title,
              Note_Content: content,
              Parent_Id: { module: { api_name: 'Contacts' }, id: contactId },
            },
          ],
        },
      });
    });
    expectPeopleNotesOnly(card.latestNotes);
    // wasync's days are there, just not on the card.
    expect((await zoho.notes()).length).toBe(2 + DAYS.length);
  });
});
