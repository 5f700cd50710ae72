/**
 * "Link existing record" on the CRM card: the search route finds a record by any spelling of its
 * number (the destination's phone lookup, with the workspace's default region) as well as by name,
 * each record once. On Salesforce, Zoho CRM and Bitrix24, over their sandboxes.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestBitrix24, type TestBitrix24 } from './support/bitrix24-portal.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';
import { startTestZoho, type TestZoho } from './support/zoho-org.js';

/** Records an org has held for days: a CRM's search index has them. */
const LONG_AGO = new Date(Date.now() - 3 * 24 * 3_600_000).toISOString();
/** The same number as the CRM stores it, and as people type it into the search. */
const STORED = '(415) 555-0101';
const TYPED = ['+1 415 555 0101', '4155550101', '415-555-0101', '+14155550101'];

interface Sandbox {
  connectionInput(): Record<string, unknown>;
  /** A contact with this name and phone, as the CRM holds it; answers its id. */
  contact(name: string, phone: string | undefined): Promise<string>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

const sandboxes: Record<string, () => Promise<Sandbox>> = {
  Salesforce: async () => {
    const org: TestOrg = await startTestOrg();
    return {
      connectionInput: () => org.connectionInput(),
      contact: (name, phone) =>
        org.seed('Contact', {
          LastName: name,
          ...(phone ? { Phone: phone } : {}),
          CreatedDate: LONG_AGO,
          LastModifiedDate: LONG_AGO,
          SystemModstamp: LONG_AGO,
        }),
      reset: () => org.reset(),
      close: () => org.close(),
    };
  },
  'Zoho CRM': async () => {
    const zoho: TestZoho = await startTestZoho();
    return {
      connectionInput: () => zoho.connectionInput(),
      contact: (name, phone) =>
        zoho.seed('Contacts', { Last_Name: name, ...(phone ? { Phone: phone } : {}) }, LONG_AGO),
      reset: () => zoho.reset(),
      close: () => zoho.close(),
    };
  },
  Bitrix24: async () => {
    // The portal has no reset of its own: a fresh one per test.
    let b24: TestBitrix24 = await startTestBitrix24();
    return {
      connectionInput: () => b24.connectionInput(),
      contact: async (name, phone) => {
        const [first, ...rest] = name.split(' ');
        return String(
          b24.portal.seedContact({
            name: first ?? name,
            lastName: rest.join(' '),
            phones: phone ? [phone] : [],
          }).id,
        );
      },
      reset: async () => {
        await b24.close();
        b24 = await startTestBitrix24();
      },
      close: () => b24.close(),
    };
  },
};

for (const [crm, start] of Object.entries(sandboxes)) {
  describe(`link existing record on ${crm}`, () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await start();
    });
    afterAll(() => sandbox.close());

    describeEachDatabase('search route', (database) => {
      let h: Harness;
      let connectionId: string;
      beforeEach(async () => {
        await sandbox.reset();
        h = await startHarness(database, { WASYNC_DEFAULT_REGION: 'US' });
        const created = await h.app.inject({
          method: 'POST',
          url: '/api/v1/connections',
          headers: h.auth,
          payload: sandbox.connectionInput(),
        });
        expect(created.statusCode, created.body).toBe(201);
        connectionId = created.json().id;
      });
      afterEach(() => h.close());

      const search = async (q: string) => {
        const response = await h.app.inject({
          method: 'GET',
          url: `/api/v1/connections/${connectionId}/records?q=${encodeURIComponent(q)}`,
          headers: h.auth,
        });
        expect(response.statusCode, response.body).toBe(200);
        return (response.json().data as { id: string; name: string }[]).map((record) => record.name);
      };

      it(`finds a record stored as ${STORED} by every spelling of its number`, async () => {
        await sandbox.contact('Olivia Park', STORED);
        await sandbox.contact('Noah Brandt', '(415) 555-0102');
        for (const typed of TYPED) expect([typed, await search(typed)]).toEqual([typed, ['Olivia Park']]);
        expect(await search('Olivia')).toEqual(['Olivia Park']);
        expect(await search('415 555 0199')).toEqual([]);
      });

      it('finds by number and by name together, each record once', async () => {
        // Named after the number it holds: the phone lookup and the name search both find it.
        await sandbox.contact('Front desk 415 555 0101', STORED);
        // The number in its name only.
        await sandbox.contact('Old line 415 555 0101', undefined);
        expect((await search('415 555 0101')).sort()).toEqual([
          'Front desk 415 555 0101',
          'Old line 415 555 0101',
        ]);
      });
    });
  });
}
