import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxHarness, startSandbox } from './support.js';

const E164 = '+5511987654321';
const SPELLINGS = [E164, '5511987654321', '(11) 98765-4321', '11987654321'];
const inList = (values: string[]) => `(${values.map((v) => `'${v}'`).join(', ')})`;

describe('Salesforce sandbox: SOQL over /query', () => {
  let h: SandboxHarness;
  let ids: Record<string, string>;
  beforeAll(async () => {
    h = await startSandbox();
    const [acme] = await h.seed('Account', [{ Name: 'Acme Ltda' }]);
    const [ana, bruno, carla] = await h.seed('Contact', [
      { FirstName: 'Ana', LastName: 'Silva', Phone: '(11) 98765-4321', AccountId: acme },
      { FirstName: 'Bruno', LastName: 'Souza', MobilePhone: '+55 11 91234-5678' },
      { FirstName: "D'Arcy", LastName: "O'Neil", Phone: '+44 20 7946 0018' },
    ]);
    const [converted, open] = await h.seed('Lead', [
      { LastName: 'Old', Company: 'X', MobilePhone: '+5521999990000', IsConverted: true },
      { LastName: 'New', Company: 'Y', MobilePhone: '+5521999990000' },
    ]);
    ids = {
      acme: acme ?? '',
      ana: ana ?? '',
      bruno: bruno ?? '',
      carla: carla ?? '',
      converted: converted ?? '',
      open: open ?? '',
    };
  });
  afterAll(() => h.close());

  const idsOf = async (soql: string): Promise<string[]> => {
    const response = await h.query(soql);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().records.map((r: { Id: string }) => r.Id);
  };

  it('matches phones exactly as stored: the E.164 spelling alone misses a formatted number', async () => {
    expect(await idsOf(`SELECT Id FROM Contact WHERE Phone = '${E164}'`)).toEqual([]);
    expect(await idsOf("SELECT Id FROM Contact WHERE Phone = '(11) 98765-4321'")).toEqual([ids.ana]);
  });

  it('finds a contact by any candidate spelling across Phone and MobilePhone with IN lists', async () => {
    const soql = `SELECT Id, Name, Phone, MobilePhone FROM Contact WHERE Phone IN ${inList(SPELLINGS)} OR MobilePhone IN ${inList(SPELLINGS)}`;
    const response = await h.query(soql);
    expect(response.json()).toEqual({
      totalSize: 1,
      done: true,
      records: [
        {
          attributes: { type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${ids.ana}` },
          Id: ids.ana,
          Name: 'Ana Silva',
          Phone: '(11) 98765-4321',
          MobilePhone: null,
        },
      ],
    });
  });

  it('supports the Contact-then-Lead search, skipping converted leads', async () => {
    const phones = inList(['+5521999990000', '5521999990000']);
    expect(
      await idsOf(`SELECT Id FROM Contact WHERE Phone IN ${phones} OR MobilePhone IN ${phones}`),
    ).toEqual([]);
    const leads = await idsOf(
      `SELECT Id, IsConverted FROM Lead WHERE (Phone IN ${phones} OR MobilePhone IN ${phones}) AND IsConverted = false`,
    );
    expect(leads).toEqual([ids.open]);
    expect(await idsOf('SELECT Id FROM Lead WHERE IsConverted = true')).toEqual([ids.converted]);
    expect(await idsOf('SELECT Id FROM Lead WHERE NOT IsConverted = true')).toEqual([ids.open]);
  });

  it('nests relationship fields (Account.Name, Owner.Name) and gives null for an empty lookup', async () => {
    const response = await h.query(
      'SELECT Id, Account.Name, Owner.Name, Owner.Username FROM Contact ORDER BY LastName ASC',
    );
    const records = response.json().records;
    expect(records.map((r: { Id: string }) => r.Id)).toEqual([ids.carla, ids.ana, ids.bruno]);
    expect(records[1].Account).toEqual({
      attributes: { type: 'Account', url: `/services/data/v62.0/sobjects/Account/${ids.acme}` },
      Name: 'Acme Ltda',
    });
    expect(records[1].Owner).toMatchObject({
      attributes: { type: 'User' },
      Name: 'Sandbox Integration',
      Username: 'integration@wasync.sandbox',
    });
    expect(records[2].Account).toBeNull();
  });

  it('handles escaped quotes, LIKE, NOT IN, != null, ORDER BY DESC with LIMIT and COUNT()', async () => {
    expect(await idsOf("SELECT Id FROM Contact WHERE LastName = 'O\\'Neil'")).toEqual([ids.carla]);
    expect(await idsOf("SELECT Id FROM Contact WHERE Phone LIKE '%4321'")).toEqual([ids.ana]);
    expect(await idsOf("SELECT Id FROM Contact WHERE lastname = 'SILVA'")).toEqual([ids.ana]);
    expect(await idsOf(`SELECT Id FROM Contact WHERE Id NOT IN ('${ids.ana}', '${ids.bruno}')`)).toEqual([
      ids.carla,
    ]);
    expect(await idsOf('SELECT Id FROM Contact WHERE MobilePhone != null')).toEqual([ids.bruno]);
    expect(await idsOf('SELECT Id FROM Contact ORDER BY FirstName DESC LIMIT 2')).toEqual([
      ids.carla,
      ids.bruno,
    ]);
    const count = await h.query('SELECT COUNT() FROM Contact WHERE AccountId = null');
    expect(count.json()).toEqual({ totalSize: 2, done: true, records: [] });
  });

  it('accepts a 15-character id in a filter, as an org does', async () => {
    expect(await idsOf(`SELECT Id FROM Contact WHERE Id = '${ids.ana?.slice(0, 15)}'`)).toEqual([ids.ana]);
  });

  it.each([
    ['SELECT Id FROM Contact WHERE', 'MALFORMED_QUERY', 'unexpected token: <EOF>'],
    [
      "SELECT Id FROM Contact WHERE Phone = '1' AND LastName = 'x' OR Email = null",
      'MALFORMED_QUERY',
      'unexpected token: OR',
    ],
    ["SELECT Id FROM Contact WHERE Phone = 'unterminated", 'MALFORMED_QUERY', 'Unterminated string literal'],
    [
      'SELECT Id, Whatsapp__c FROM Contact',
      'INVALID_FIELD',
      "No such column 'Whatsapp__c' on entity 'Contact'",
    ],
    ['SELECT Id, Boss.Name FROM Contact', 'INVALID_FIELD', "Didn't understand relationship 'Boss'"],
    [
      "SELECT Id FROM Lead WHERE IsConverted = 'false'",
      'INVALID_QUERY_FILTER_OPERATOR',
      'must be of type boolean',
    ],
    ["SELECT Id FROM Contact WHERE Id = 'abc'", 'INVALID_QUERY_FILTER_OPERATOR', 'invalid ID field: abc'],
    ['SELECT Id FROM Chat__c', 'INVALID_TYPE', "sObject type 'Chat__c' is not supported"],
  ])('%s answers 400 %s', async (soql, errorCode, detail) => {
    const response = await h.query(soql);
    expect(response.statusCode).toBe(400);
    const [error] = response.json();
    expect(error.errorCode).toBe(errorCode);
    expect(error.message).toContain(detail);
    expect(error.message).toMatch(/ERROR at Row:1:Column:\d+/);
  });

  it('pages past the batch size with nextRecordsUrl', async () => {
    const local = await startSandbox();
    await local.seed(
      'Lead',
      Array.from({ length: 450 }, (_, i) => ({ LastName: `L${i}`, Company: 'Bulk' })),
    );
    const first = await local.sandbox.app.inject({
      method: 'GET',
      url: `/services/data/v62.0/query?q=${encodeURIComponent("SELECT Id FROM Lead WHERE Company = 'Bulk'")}`,
      headers: { ...local.auth, 'sforce-query-options': 'batchSize=200' },
    });
    const page1 = first.json();
    expect(page1).toMatchObject({ totalSize: 450, done: false });
    expect(page1.records).toHaveLength(200);
    const seen = [...page1.records];
    let next: string | undefined = page1.nextRecordsUrl;
    while (next) {
      const page = (await local.api('GET', next)).json();
      seen.push(...page.records);
      next = page.nextRecordsUrl;
    }
    expect(new Set(seen.map((r) => r.Id)).size).toBe(450);
    await local.close();
  });
});
