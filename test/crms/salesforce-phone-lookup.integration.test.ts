/**
 * Finding a chat's contact or lead however the org spells the number: SOSL through the sandbox's
 * lagging search index, confirmed by reading the number, and exact spellings for records the index
 * has not reached yet.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CountryCode } from '../../src/core/phone.js';
import { crmPhoneSpellings } from '../../src/core/phone-spellings.js';
import { SalesforceDestination } from '../../src/crms/salesforce/destination.js';
import { queryMany } from '../../src/crms/salesforce/query.js';
import { soqlList } from '../../src/crms/salesforce/soql.js';
import type { SalesforceTransport } from '../../src/crms/salesforce/transport.js';
import { CRM_SPELLINGS, type CrmSpellingCase } from '../fixtures/crm-phone-spellings.js';
import { sandboxTransport, startTestOrg, type TestOrg } from '../support/salesforce-org.js';

const MINUTE = 60_000;
/** Records an org has held for days: its search index has them. */
const LONG_AGO = new Date(Date.now() - 3 * 24 * 60 * MINUTE).toISOString();
const OBJECT = { contact: 'Contact', lead: 'Lead' } as const;

describe('Salesforce lookup by phone, whatever the spelling', () => {
  let org: TestOrg;
  /** How far the sandbox's clock runs ahead of the real one: moving it lets its search index catch up. */
  let ahead = 0;
  let transport: SalesforceTransport;
  let destination: SalesforceDestination;

  const seed = (type: 'contact' | 'lead', fields: Record<string, unknown>, at = LONG_AGO) =>
    org.seed(OBJECT[type], {
      LastName: 'Person',
      ...(type === 'lead' ? { Company: 'Acme' } : {}),
      ...(at ? { CreatedDate: at, LastModifiedDate: at, SystemModstamp: at } : {}),
      ...fields,
    });
  const lookUp = (phones: readonly string[], defaultRegion: CountryCode | undefined) =>
    destination.findByPhones(
      phones.map((phone) => ({ key: phone, phone })),
      { defaultRegion },
    );
  const searches = async () =>
    ((await org.counters()) as { byRoute: Record<string, number> }).byRoute[
      'GET /services/data/:version/search'
    ] ?? 0;

  beforeAll(async () => {
    org = await startTestOrg({ clock: () => Date.now() + ahead });
  });
  afterAll(() => org.close());
  beforeEach(async () => {
    ahead = 0;
    await org.reset();
    transport = sandboxTransport(org.url);
    destination = new SalesforceDestination(transport);
  });

  it(`links each of ${CRM_SPELLINGS.length} real-world spellings to its record, where exact spellings alone link 16`, async () => {
    const ids = new Map<CrmSpellingCase, string>();
    for (const c of CRM_SPELLINGS)
      ids.set(c, await seed(c.type, { LastName: c.stored, [c.field]: c.stored }));
    const linked = new Map<CrmSpellingCase, string[]>();
    for (const region of new Set(CRM_SPELLINGS.map((c) => c.region))) {
      const cases = CRM_SPELLINGS.filter((c) => c.region === region);
      const found = await lookUp(
        cases.map((c) => c.chat),
        region,
      );
      for (const c of cases) linked.set(c, found.get(c.chat)?.map((r) => r.id) ?? []);
    }
    expect(CRM_SPELLINGS.map((c) => [c.chat, c.stored, linked.get(c)])).toEqual(
      CRM_SPELLINGS.map((c) => [c.chat, c.stored, [ids.get(c)]]),
    );
    // The lookup before SOSL: SOQL on the spellings crmPhoneSpellings foresees, nothing else.
    expect((await exactSpellingMatches(transport, CRM_SPELLINGS)).length).toBe(16);
  });

  it('puts a contact before a lead with the same number, and links nothing to a number one digit off', async () => {
    const lead = await seed('lead', { MobilePhone: '07400 123456' });
    const contact = await seed('contact', { Phone: '+44 (0)7400 123456' });
    const found = await lookUp(['+447400123456', '+447400123455'], 'GB');
    expect(found.get('+447400123456')?.map((r) => [r.type, r.id])).toEqual([
      ['contact', contact],
      ['lead', lead],
    ]);
    expect(found.get('+447400123455')).toEqual([]);
  });

  it('links nothing the search turns up that is not the number: a fax, another country with the same digits', async () => {
    // Digits 11987654321: the Brazilian national number of +55 11 98765-4321, and a (non-existent) US one.
    await seed('contact', { Phone: '+1 198-765-4321' });
    await seed('lead', { Fax: '(11) 98765-4321', Phone: '+55 21 3333-4444' });
    await seed('lead', { MobilePhone: '(11) 98765-4321', IsConverted: true });
    expect((await lookUp(['+5511987654321'], 'BR')).get('+5511987654321')).toEqual([]);
  });

  it('reads national spellings with the workspace default region, and only with it', async () => {
    const id = await seed('contact', { MobilePhone: '0412 345 678' });
    expect((await lookUp(['+61412345678'], 'AU')).get('+61412345678')?.map((r) => r.id)).toEqual([id]);
    // Without the region, 0412 345 678 is still one of the spellings of +61 412 345 678: exact matches hold.
    expect((await lookUp(['+61412345678'], undefined)).get('+61412345678')?.map((r) => r.id)).toEqual([id]);
    const other = await seed('contact', { MobilePhone: '(0412) 345-679' });
    expect((await lookUp(['+61412345679'], 'AU')).get('+61412345679')?.map((r) => r.id)).toEqual([other]);
    expect((await lookUp(['+61412345679'], 'GB')).get('+61412345679')).toEqual([]);
  });

  it('finds a record created just now by its exact spelling, before the search index has it', async () => {
    const created = await destination.createRecord({
      type: 'lead',
      name: 'Nova Lead',
      phone: '+5511987654321',
    });
    const typed = await seed('contact', { Phone: '(11) 98765-4321' }, '');
    const odd = await seed('contact', { Phone: '+55 (11) 9 8765-4321' }, '');
    const now = (await lookUp(['+5511987654321'], 'BR')).get('+5511987654321') ?? [];
    expect(now.map((r) => [r.type, r.id])).toEqual([
      ['contact', typed],
      ['lead', created.id],
    ]);
    // A spelling no exact list foresees waits for the index, which takes 15 minutes in the sandbox.
    ahead = 15 * MINUTE;
    const later = (await lookUp(['+5511987654321'], 'BR')).get('+5511987654321') ?? [];
    expect(later.map((r) => r.type)).toEqual(['contact', 'contact', 'lead']);
    expect(later.map((r) => r.id).sort()).toEqual([typed, odd, created.id].sort());
  });

  it('searches a hundred numbers in three SOSL calls and one Composite call for the unindexed', async () => {
    const phones = Array.from({ length: 100 }, (_, i) => `+4915123456${String(i).padStart(3, '0')}`);
    for (const [i, phone] of phones.entries()) {
      await seed('contact', { MobilePhone: `0${phone.slice(3, 7)} ${phone.slice(7)}`, LastName: `P${i}` });
    }
    const before = (await org.counters()) as { apiUsage: { used: number } };
    const searchesBefore = await searches();
    const found = await lookUp(phones, 'DE');
    const after = (await org.counters()) as { apiUsage: { used: number } };
    expect(phones.filter((phone) => found.get(phone)?.length === 1)).toEqual(phones);
    expect((await searches()) - searchesBefore).toBe(3);
    expect(after.apiUsage.used - before.apiUsage.used).toBe(4);
  });

  it('answers "link existing record" with the same lookup when the query is a number', async () => {
    const id = await seed('contact', { Phone: '+49 (0)30 123456', LastName: 'Weber' });
    expect((await destination.search('030 123456', { defaultRegion: 'DE' })).map((r) => r.id)).toEqual([id]);
    expect(
      (await destination.search('+49 30 123456', { defaultRegion: undefined })).map((r) => r.id),
    ).toEqual([id]);
    expect((await destination.search('Webe', { defaultRegion: 'DE' })).map((r) => r.id)).toEqual([id]);
  });
});

/** The cases an exact-spelling lookup links (Phone or MobilePhone IN every spelling of the number). */
async function exactSpellingMatches(
  transport: SalesforceTransport,
  cases: readonly CrmSpellingCase[],
): Promise<CrmSpellingCase[]> {
  const answers = await queryMany(
    transport,
    cases.map((c) => {
      const list = soqlList(crmPhoneSpellings(c.chat));
      return `SELECT Id FROM ${OBJECT[c.type]} WHERE Phone IN ${list} OR MobilePhone IN ${list}`;
    }),
  );
  return cases.filter((_, i) => (answers[i]?.length ?? 0) > 0);
}
