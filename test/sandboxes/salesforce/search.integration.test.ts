import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATA, type SandboxHarness, startSandbox } from './support.js';

const MINUTE = 60_000;
const RETURNING =
  'RETURNING Contact(Id, Name, Phone, MobilePhone), Lead(Id, Name, Phone WHERE IsConverted = false)';

interface SearchRecord {
  attributes: { type: string; url: string };
  Id?: string;
  [field: string]: unknown;
}

describe('Salesforce sandbox: SOSL search in phone fields', () => {
  let h: SandboxHarness;
  let now: number;
  const search = (sosl: string) => h.api('GET', `${DATA}/search?q=${encodeURIComponent(sosl)}`);
  const found = async (sosl: string): Promise<SearchRecord[]> => {
    const response = await search(sosl);
    if (response.statusCode !== 200)
      throw new Error(`search answered ${response.statusCode}: ${response.body}`);
    return response.json().searchRecords;
  };
  const ids = async (sosl: string) => (await found(sosl)).map((r) => r.Id);
  const later = (minutes: number) => {
    now += minutes * MINUTE;
  };

  beforeEach(async () => {
    now = Date.parse('2026-06-01T12:00:00Z');
    h = await startSandbox({ searchIndexLagMs: 15 * MINUTE, clock: () => now });
  });
  afterEach(() => h.close());

  it('finds contacts and leads by the digits of any phone field, whatever the punctuation', async () => {
    const [ana, bruno] = await h.seed('Contact', [
      { LastName: 'Ana', Phone: '(11) 98765-4321' },
      { LastName: 'Bruno', MobilePhone: '+55 11 98765-4321', HomePhone: '555' },
    ]);
    const [lead] = await h.seed('Lead', [{ LastName: 'Lia', Company: 'Acme', Fax: '11.98765.4321' }]);
    await h.seed('Lead', [{ LastName: 'Old', Company: 'Acme', Phone: '11987654321', IsConverted: true }]);
    later(15);
    const records = await found(`FIND {11987654321 OR 5511987654321} IN PHONE FIELDS ${RETURNING}`);
    expect(records.map((r) => [r.attributes.type, r.Id])).toEqual([
      ['Contact', ana],
      ['Contact', bruno],
      ['Lead', lead],
    ]);
    expect(records[0]).toEqual({
      attributes: { type: 'Contact', url: `${DATA}/sobjects/Contact/${ana}` },
      Id: ana,
      Name: 'Ana',
      Phone: '(11) 98765-4321',
      MobilePhone: null,
    });
  });

  it('matches whole phone numbers only: not a digit group, not a number one digit off', async () => {
    await h.seed('Contact', [{ LastName: 'Ana', Phone: '(11) 98765-4321' }]);
    later(15);
    expect(await ids(`FIND {98765} IN PHONE FIELDS ${RETURNING}`)).toEqual([]);
    expect(await ids(`FIND {11987654322} IN PHONE FIELDS ${RETURNING}`)).toEqual([]);
    expect(await ids(`FIND {1198765*} IN PHONE FIELDS ${RETURNING}`)).toHaveLength(1);
  });

  it('does not find a record until the index catches up with its write, and answers its current fields', async () => {
    const [id] = await h.seed('Contact', [{ LastName: 'Ana', Phone: '+49 1512 3456789' }]);
    const sosl = `FIND {4915123456789} IN PHONE FIELDS ${RETURNING}`;
    expect(await ids(sosl)).toEqual([]);
    later(14);
    expect(await ids(sosl)).toEqual([]);
    later(1);
    expect(await ids(sosl)).toEqual([id]);

    await h.api('PATCH', `${DATA}/sobjects/Contact/${id}`, { Phone: '+49 30 1234567', LastName: 'Weber' });
    // Until the update is indexed, the old number still finds the record, with its new fields.
    expect(await found(sosl)).toEqual([
      expect.objectContaining({ Id: id, Name: 'Weber', Phone: '+49 30 1234567' }),
    ]);
    expect(await ids(`FIND {49301234567} IN PHONE FIELDS ${RETURNING}`)).toEqual([]);
    later(15);
    expect(await ids(sosl)).toEqual([]);
    expect(await ids(`FIND {49301234567} IN PHONE FIELDS ${RETURNING}`)).toEqual([id]);

    await h.api('DELETE', `${DATA}/sobjects/Contact/${id}`);
    expect(await ids(`FIND {49301234567} IN PHONE FIELDS ${RETURNING}`)).toEqual([]);
  });

  it('indexes seeded records by their own SystemModstamp', async () => {
    const [old] = await h.seed('Contact', [
      { LastName: 'Old', Phone: '020 7946 0958', SystemModstamp: '2026-05-01T00:00:00Z' },
    ]);
    await h.seed('Contact', [{ LastName: 'New', Phone: '020 7946 0958' }]);
    expect(await ids(`FIND {02079460958} IN PHONE FIELDS ${RETURNING}`)).toEqual([old]);
  });

  it('honours OR, AND NOT, parentheses and escaped reserved characters', async () => {
    const [a, b] = await h.seed('Contact', [
      { LastName: 'A', Phone: '+1 201-555-0123', MobilePhone: '+1 201-555-0199' },
      { LastName: 'B', Phone: '+1 201-555-0123' },
    ]);
    later(15);
    expect(await ids(`FIND {\\+12015550123 AND NOT 12015550199} IN PHONE FIELDS ${RETURNING}`)).toEqual([b]);
    expect(
      await ids(`FIND {(12015550199 OR 999) AND "\\+1 201\\-555\\-0123"} IN PHONE FIELDS ${RETURNING}`),
    ).toEqual([a]);
    expect(await ids(`FIND {12015550123 12015550199} IN PHONE FIELDS ${RETURNING}`)).toEqual([a]);
  });

  it('refuses unescaped reserved characters with MALFORMED_SEARCH, even inside quotes', async () => {
    const bare = await search(`FIND {+12015550123} IN PHONE FIELDS ${RETURNING}`);
    expect(bare.statusCode).toBe(400);
    expect(bare.json()).toEqual([
      {
        errorCode: 'MALFORMED_SEARCH',
        message: `\nFIND {+12015550123} IN PHONE FIELDS ${RETURNING}\n      ^\nERROR at Row:1:Column:7\nline 1:7 mismatched character '+' expecting '}'`,
      },
    ]);
    const quoted = await search(`FIND {"201-555-0123"} IN PHONE FIELDS ${RETURNING}`);
    expect(quoted.json()[0].errorCode).toBe('MALFORMED_SEARCH');
    const unclosed = await search('FIND {12015550123 IN PHONE FIELDS');
    expect(unclosed.json()[0].errorCode).toBe('MALFORMED_SEARCH');
    const noFind = await search('SELECT Id FROM Contact');
    expect(noFind.json()[0].errorCode).toBe('MALFORMED_SEARCH');
  });

  it('answers no rows for a search query past 10,000 characters', async () => {
    await h.seed('Contact', [
      { LastName: 'A', Phone: '12015550123', SystemModstamp: '2026-05-01T00:00:00Z' },
    ]);
    const terms = Array.from({ length: 800 }, (_, i) => String(30_000_000_000 + i));
    const fits = ['12015550123', ...terms.slice(0, 500)].join(' OR ');
    const tooLong = ['12015550123', ...terms].join(' OR ');
    expect(fits.length).toBeLessThan(10_000);
    expect(tooLong.length).toBeGreaterThan(10_000);
    expect(await ids(`FIND {${fits}} IN PHONE FIELDS ${RETURNING}`)).toHaveLength(1);
    expect(await ids(`FIND {${tooLong}} IN PHONE FIELDS ${RETURNING}`)).toEqual([]);
  });

  it('checks RETURNING like SOQL: unknown fields are refused, LIMIT caps the rows', async () => {
    await h.seed(
      'Contact',
      Array.from({ length: 3 }, (_, i) => ({ LastName: `C${i}`, Phone: '12015550123' })),
    );
    later(15);
    const bad = await search('FIND {12015550123} IN PHONE FIELDS RETURNING Contact(Id, Nope)');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()[0].errorCode).toBe('INVALID_FIELD');
    expect(
      await ids('FIND {12015550123} IN PHONE FIELDS RETURNING Contact(Id ORDER BY LastName DESC LIMIT 2)'),
    ).toHaveLength(2);
    expect(await ids('FIND {12015550123} IN PHONE FIELDS RETURNING Contact LIMIT 1')).toHaveLength(1);
  });

  it('counts a search as one API request, and says so for search groups it does not model', async () => {
    const response = await search(`FIND {12015550123} IN PHONE FIELDS ${RETURNING}`);
    expect(response.headers['sforce-limit-info']).toBe('api-usage=1/100000');
    const all = await search(`FIND {Ana} IN ALL FIELDS ${RETURNING}`);
    expect(all.statusCode).toBe(501);
  });
});
