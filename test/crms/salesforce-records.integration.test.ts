import { afterEach, describe, expect, it } from 'vitest';
import { SalesforceDestination } from '../../src/crms/salesforce/destination.js';
import type { RecordDefaults } from '../../src/crms/salesforce/record-defaults.js';
import { DuplicateRecordsError } from '../../src/crms/types.js';
import type { SalesforceSandboxOptions } from '../../src/sandboxes/salesforce/index.js';
import { sandboxTransport, startTestOrg, type TestOrg } from '../support/salesforce-org.js';

/** Contacts and leads created from a chat, against what an org's picklists, lengths and duplicate rules allow. */
describe('Salesforce: records created from a chat', () => {
  let org: TestOrg;
  const start = async (options: SalesforceSandboxOptions = {}, defaults?: RecordDefaults) => {
    org = await startTestOrg(options);
    const transport = sandboxTransport(org.url);
    return new SalesforceDestination(transport, defaults);
  };
  afterEach(() => org.close());

  it('leaves Lead Source out where the restricted picklist has no WhatsApp value, and sets it where it has', async () => {
    const plain = await start();
    const contact = await plain.createRecord({ type: 'contact', name: 'Ana Souza', phone: '+5511987654321' });
    expect((await org.records('Contact')).find((c) => c.Id === contact.id)).toMatchObject({
      LastName: 'Souza',
      LeadSource: null,
    });
    await org.close();

    const withWhatsApp = await start({ leadSourceValues: ['Web', 'WhatsApp'] });
    const lead = await withWhatsApp.createRecord({ type: 'lead', name: 'Bo', phone: '+14155550100' });
    expect((await org.records('Lead')).find((l) => l.Id === lead.id)).toMatchObject({
      LeadSource: 'WhatsApp',
      Company: 'Unknown (WhatsApp)',
    });
  });

  it("uses the connection's Lead Source and company placeholder, spelled as the org spells the value", async () => {
    const destination = await start({}, { leadSource: 'phone inquiry', leadCompany: 'Walk-in (WhatsApp)' });
    const lead = await destination.createRecord({ type: 'lead', name: 'Bo Lee', phone: '+14155550100' });
    expect((await org.records('Lead')).find((l) => l.Id === lead.id)).toMatchObject({
      LeadSource: 'Phone Inquiry',
      Company: 'Walk-in (WhatsApp)',
    });
  });

  it('cuts a long WhatsApp name to the field lengths (FirstName 40, LastName 80)', async () => {
    const destination = await start();
    const name = `${'Maria '.repeat(10)}${'Oliveira'.repeat(12)}`;
    const created = await destination.createRecord({ type: 'contact', name, phone: '+5511987654321' });
    const row = (await org.records('Contact')).find((c) => c.Id === created.id);
    expect(String(row?.FirstName)).toHaveLength(40);
    expect(String(row?.LastName)).toHaveLength(80);
  });

  it('creates through an alerting duplicate rule: the user asked for the record', async () => {
    const destination = await start();
    await org.seed('Contact', { FirstName: 'Ana', LastName: 'Souza', Phone: '(11) 98765-4321' });
    const created = await destination.createRecord({
      type: 'contact',
      name: 'Ana Souza',
      phone: '+5511987654321',
    });
    expect(created.id).toMatch(/^003/);
    expect(await org.records('Contact')).toHaveLength(2);
  });

  it('answers the matching records when a blocking duplicate rule refuses the record', async () => {
    const destination = await start({ duplicateRules: 'block' });
    const existing = await org.seed('Contact', {
      FirstName: 'Ana',
      LastName: 'Souza',
      Phone: '(11) 98765-4321',
    });
    const refused = await destination
      .createRecord({ type: 'contact', name: 'Ana Souza', phone: '+5511987654321' })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DuplicateRecordsError);
    expect((refused as DuplicateRecordsError).duplicates).toEqual([
      expect.objectContaining({ id: existing, name: 'Ana Souza', phones: ['(11) 98765-4321'] }),
    ]);
    expect((refused as DuplicateRecordsError).message).toContain('Link that record instead');
    expect(await org.records('Contact')).toHaveLength(1);
  });
});
