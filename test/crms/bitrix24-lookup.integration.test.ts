import { afterEach, describe, expect, it } from 'vitest';
import { Bitrix24Destination } from '../../src/crms/bitrix24/destination.js';
import { Bitrix24Transport } from '../../src/crms/bitrix24/transport.js';
import { CrmError } from '../../src/crms/types.js';
import { startTestBitrix24, type TestBitrix24 } from '../support/bitrix24-portal.js';

let b24: TestBitrix24;
afterEach(async () => b24?.close());

interface Counters {
  byRoute?: Record<string, number>;
  batchCommands?: Record<string, number>;
}

const counters = async () => (await b24.counters()) as Counters;
/** Commands of a method the portal ran, alone or inside batches. */
const commandsOf = (c: Counters, method: string) =>
  (c.byRoute?.[method] ?? 0) + (c.batchCommands?.[method] ?? 0);
const ids = (records: { type: string; id: string }[] | undefined) => records?.map((r) => [r.type, r.id]);
/** What the portal served while `run` ran: requests by method, and batch commands by method. */
async function servedDuring(run: () => Promise<unknown>): Promise<Counters> {
  const before = await counters();
  await run();
  const after = await counters();
  const less = (a: Record<string, number> = {}, b: Record<string, number> = {}) =>
    Object.fromEntries(
      Object.entries(a)
        .map(([key, n]) => [key, n - (b[key] ?? 0)] as const)
        .filter(([, n]) => n !== 0),
    );
  return {
    byRoute: less(after.byRoute, before.byRoute),
    batchCommands: less(after.batchCommands, before.batchCommands),
  };
}

/** German mobile numbers, each looked up under five digit strings (numberToFind's searchTerms). */
const german = (i: number) => `+4915120${String(1000 + i).padStart(6, '0')}`;
const germanNational = (i: number) => `01512 0${String(1000 + i).padStart(6, '0')}`;

describe('Bitrix24 lookup by phone over the sandbox', () => {
  it('finds contacts and leads under any spelling of the number, contacts first, and answers every key', async () => {
    b24 = await startTestBitrix24();
    const { portal } = b24;
    const lead = portal.seedLead({ name: 'Ana', lastName: 'Lead', phones: ['+55 11 98765-4321'] });
    const national = portal.seedContact({ name: 'Ana', lastName: 'Souza', phones: ['(11) 98765-4321'] });
    const trunk = portal.seedContact({ name: 'Ana', lastName: 'Trunk', phones: ['011 98765 4321'] });
    const digits = portal.seedContact({
      name: 'Ana',
      lastName: 'Digits',
      phones: ['+1 555 0100', { value: '5511987654321', valueType: 'MOBILE' }],
    });
    // Before WhatsApp's 9th digit: the same person to WhatsApp.
    const eightDigits = portal.seedContact({ name: 'Ana', lastName: 'Old', phones: ['+55 11 8765-4321'] });
    portal.seedContact({ name: 'Near', phones: ['(11) 98765-4322'] });
    // The same digits as the national spelling, but a US number: the index matches it, the number does not.
    portal.seedContact({ name: 'Other', lastName: 'Country', phones: ['+1 198 765 4321'] });
    const destination = await b24.destination();

    const found = await destination.findByPhones(
      [
        { key: 'ana', phone: '+5511987654321' },
        { key: 'nobody', phone: '+4915123456789' },
      ],
      { defaultRegion: 'BR' },
    );
    expect(ids(found.get('ana'))).toEqual([
      ['contact', String(national.id)],
      ['contact', String(trunk.id)],
      ['contact', String(digits.id)],
      ['contact', String(eightDigits.id)],
      ['lead', `L_${lead.id}`],
    ]);
    expect(found.get('nobody')).toEqual([]);
    const ana = found.get('ana')?.[0];
    expect(ana).toMatchObject({ name: 'Ana Souza', phones: ['(11) 98765-4321'] });
    expect(ana?.url).toBe(`${b24.url}/crm/contact/details/${national.id}/`);
    expect(ana?.createdAt).toBeInstanceOf(Date);
  });

  it('asks 20 values a command, every number of a lookup in one batch request, and reads the hits in one more call', async () => {
    b24 = await startTestBitrix24();
    for (let i = 0; i < 30; i += 3)
      b24.portal.seedContact({ lastName: `N${i}`, phones: [germanNational(i)] });
    const destination = await b24.destination();
    const numbers = Array.from({ length: 30 }, (_, i) => ({ key: `n${i}`, phone: german(i) }));

    let found = new Map<string, unknown[]>();
    const c = await servedDuring(async () => {
      found = await destination.findByPhones(numbers, { defaultRegion: 'DE' });
    });
    for (let i = 0; i < 30; i++) expect(found.get(`n${i}`)).toHaveLength(i % 3 === 0 ? 1 : 0);
    // 30 numbers × 5 digit strings = 150 values: 8 commands of at most 20, for contacts and for leads.
    expect(c.batchCommands?.['crm.duplicate.findbycomm']).toBe(16);
    // The mode once, the lookup in one batch request, and the ten contacts it found in one list call.
    expect(c.byRoute).toEqual({ 'crm.settings.mode.get': 1, batch: 1, 'crm.contact.list': 1 });
  });

  it('finds every holder of numbers whose command the portal answered with 20 ids, by asking again in halves', async () => {
    b24 = await startTestBitrix24();
    const expected = new Map<string, string[]>();
    // Four numbers are 20 values: one command, with 24 contacts behind it.
    for (let i = 0; i < 4; i++) {
      const holders = Array.from({ length: 6 }, (_, n) =>
        String(b24.portal.seedContact({ lastName: `H${i}.${n}`, phones: [german(i)] }).id),
      );
      expected.set(`n${i}`, holders);
    }
    const destination = await b24.destination();
    const found = await destination.findByPhones(
      Array.from({ length: 4 }, (_, i) => ({ key: `n${i}`, phone: german(i) })),
      { defaultRegion: undefined },
    );
    expect(new Map([...found].map(([key, records]) => [key, records.map((r) => r.id)]))).toEqual(expected);
  });

  it('never links a converted lead', async () => {
    b24 = await startTestBitrix24();
    const lead = b24.portal.seedLead({ name: 'Carla', lastName: 'Converted', phones: ['+5521987650001'] });
    const destination = await b24.destination();
    const lookup = async () =>
      (
        await destination.findByPhones([{ key: 'k', phone: '+5521987650001' }], { defaultRegion: undefined })
      ).get('k');
    expect(ids(await lookup())).toEqual([['lead', `L_${lead.id}`]]);
    lead.fields.STATUS_ID = 'CONVERTED';
    expect(await lookup()).toEqual([]);
    expect(await destination.search('Converted', { defaultRegion: undefined })).toEqual([]);
  });

  it('asks for no lead in simple mode, and refuses to create one there', async () => {
    b24 = await startTestBitrix24();
    b24.portal.mode = 2;
    const contact = b24.portal.seedContact({ name: 'Ana', phones: ['+5511987654321'] });
    b24.portal.seedLead({ name: 'Ana', lastName: 'Lead', phones: ['+5511987654321'] });
    const destination = await b24.destination();
    const found = await destination.findByPhones([{ key: 'ana', phone: '+5511987654321' }], {
      defaultRegion: undefined,
    });
    expect(ids(found.get('ana'))).toEqual([['contact', String(contact.id)]]);
    expect(ids(await destination.search('Ana', { defaultRegion: undefined }))).toEqual([
      ['contact', String(contact.id)],
    ]);
    const c = await counters();
    // One number's eight digit strings: one command, for contacts only.
    expect(commandsOf(c, 'crm.duplicate.findbycomm')).toBe(1);
    expect(commandsOf(c, 'crm.lead.list')).toBe(0);

    const refused = await destination
      .createRecord({ type: 'lead', name: 'Maria Silva', phone: '+5521987650000' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CrmError);
    expect(refused).toMatchObject({ kind: 'rejected', code: 'LEADS_DISABLED' });
    expect(commandsOf(await counters(), 'crm.lead.add')).toBe(0);
    expect(b24.portal.all('lead')).toHaveLength(1);
  });
});

describe('Bitrix24 search and new records over the sandbox', () => {
  it('searches first and last names of contacts and leads in one batch request, contacts first', async () => {
    b24 = await startTestBitrix24();
    const { portal } = b24;
    const leadAna = portal.seedLead({ name: 'Ana', lastName: 'Lima', phones: ['+5511900000001'] });
    const souza = portal.seedContact({ name: 'Ana', lastName: 'Souza' });
    const anabela = portal.seedContact({ name: 'Anabela', lastName: 'Reis' });
    const bruno = portal.seedContact({ name: 'Bruno', lastName: 'Santana' });
    portal.seedContact({ name: 'Carlos', lastName: 'Dias' });
    const destination = await b24.destination();
    await destination.mode.usesLeads();

    let found: { type: string; id: string }[] = [];
    const c = await servedDuring(async () => {
      found = await destination.search('ana', { defaultRegion: undefined });
    });
    // "ana" is in Ana's and Anabela's first names and in Santana; any case.
    expect(ids(found)).toEqual([
      ['contact', String(souza.id)],
      ['contact', String(anabela.id)],
      ['contact', String(bruno.id)],
      ['lead', `L_${leadAna.id}`],
    ]);
    expect(c.byRoute).toEqual({ batch: 1 });
    expect(c.batchCommands).toEqual({ 'crm.contact.list': 2, 'crm.lead.list': 2 });
    expect(ids(await destination.search('Ana Souza', { defaultRegion: undefined }))).toEqual([
      ['contact', String(souza.id)],
    ]);
    expect(ids(await destination.search('  x ', { defaultRegion: undefined }))).toEqual([]);
  });

  it('looks a typed number up as findByPhones does', async () => {
    b24 = await startTestBitrix24();
    const contact = b24.portal.seedContact({
      name: 'Jonas',
      lastName: 'Weber',
      phones: ['+49 1512 3456789'],
    });
    const destination = await b24.destination();
    expect(ids(await destination.search('01512 3456789', { defaultRegion: 'DE' }))).toEqual([
      ['contact', String(contact.id)],
    ]);
  });

  it('creates a contact and a lead with the number as MOBILE, the lead titled, the source set', async () => {
    b24 = await startTestBitrix24();
    const destination = new Bitrix24Destination(new Bitrix24Transport(await b24.access()), {
      defaults: { leadTitle: 'WhatsApp', sourceId: 'WEB' },
    });
    const contact = await destination.createRecord({
      type: 'contact',
      name: 'Jonas Weber',
      phone: '+4915123456789',
    });
    expect(contact).toMatchObject({ type: 'contact', name: 'Jonas Weber', phones: ['+4915123456789'] });
    expect(contact.url).toBe(`${b24.url}/crm/contact/details/${contact.id}/`);
    const stored = b24.portal.entity('contact', Number(contact.id));
    expect(stored?.fields).toMatchObject({ NAME: 'Jonas', LAST_NAME: 'Weber', SOURCE_ID: 'WEB' });
    expect(stored?.multifields).toMatchObject([
      { typeId: 'PHONE', value: '+4915123456789', valueType: 'MOBILE' },
    ]);

    const lead = await destination.createRecord({
      type: 'lead',
      name: 'Maria da Silva',
      phone: '+5521987650000',
      company: 'Silva Ltda',
    });
    expect(lead).toMatchObject({ type: 'lead', name: 'Maria da Silva' });
    expect(b24.portal.entity('lead', Number(lead.id.slice(2)))?.fields).toMatchObject({
      NAME: 'Maria da',
      LAST_NAME: 'Silva',
      TITLE: 'WhatsApp: Maria da Silva',
      COMPANY_TITLE: 'Silva Ltda',
      SOURCE_ID: 'WEB',
    });
    const found = await destination.findByPhones(
      [
        { key: 'jonas', phone: '+4915123456789' },
        { key: 'maria', phone: '+5521987650000' },
      ],
      { defaultRegion: undefined },
    );
    expect(found.get('jonas')?.map((r) => r.id)).toEqual([contact.id]);
    expect(found.get('maria')?.map((r) => r.id)).toEqual([lead.id]);
  });
});
