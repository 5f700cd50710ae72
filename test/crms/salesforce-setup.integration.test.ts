import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SalesforceDestination } from '../../src/crms/salesforce/destination.js';
import { CHAT_FIELDS, setUpSalesforce } from '../../src/crms/salesforce/setup/index.js';
import type { SalesforceTransport } from '../../src/crms/salesforce/transport.js';
import { CrmError, type DayTranscriptWrite } from '../../src/crms/types.js';
import {
  buildSalesforceSandbox,
  type SalesforceSandbox,
  type SalesforceSandboxOptions,
} from '../../src/sandboxes/salesforce/index.js';
import { dayContent } from '../support/day-content.js';
import { sandboxTransport } from '../support/salesforce-org.js';

interface InspectedLayout {
  fullName: string;
  relatedLists: string[];
  body: { layoutSections: unknown[] };
}

function day(contactId: string): DayTranscriptWrite {
  return {
    record: { type: 'contact', id: contactId },
    key: `setup-test:${contactId}`,
    day: '2026-11-20',
    chat: { kind: 'direct', title: undefined },
    content: dayContent('WhatsApp chat with Ana — 2026-11-20', ['09:00', 'Ana', 'hello']),
    messageCount: 1,
    firstMessageAt: new Date('2026-11-20T12:00:00Z'),
    lastMessageAt: new Date('2026-11-20T12:00:00Z'),
    attachments: [],
  };
}

/** A bare org (nothing of wasync's deployed), signed in to as the demo app's integration user. */
describe('Salesforce setup on a bare org', () => {
  let sandbox: SalesforceSandbox;
  let url: string;
  let transport: SalesforceTransport;
  const start = async (options: SalesforceSandboxOptions = {}) => {
    sandbox = await buildSalesforceSandbox(options);
    url = await sandbox.listen(0);
    transport = sandboxTransport(url);
  };
  // biome-ignore lint/suspicious/noExplicitAny: the inspection routes' JSON, read loosely
  const inspect = async (path: string): Promise<any> => (await fetch(`${url}/__sandbox/${path}`)).json();
  const seedContact = async () => {
    const response = await fetch(`${url}/__sandbox/records/Contact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ LastName: 'Souza', FirstName: 'Ana' }),
    });
    return ((await response.json()) as { id: string }).id;
  };
  beforeEach(async () => start());
  afterEach(() => sandbox.close());

  it('deploys the object, grants its fields through a permission set, and the first sync writes', async () => {
    const destination = new SalesforceDestination(transport);
    expect((await destination.test())[0]).toContain('not set up');

    const report = await setUpSalesforce(transport);
    expect(report.created).toEqual(
      expect.arrayContaining([
        'WhatsApp_Chat__c',
        'WhatsApp_Chat__c.Chat_Key__c',
        'PermissionSet WhatsApp_Backup',
        'ObjectPermissions WhatsApp_Chat__c (read, create, edit)',
        'FieldPermissions WhatsApp_Chat__c.Chat_Key__c (read, edit)',
        'Layout Contact-Contact Layout: WhatsApp Chats related list',
        'Layout Lead-Lead Layout: WhatsApp Chats related list',
      ]),
    );
    expect(report.created.filter((c) => c.startsWith('FieldPermissions'))).toHaveLength(CHAT_FIELDS.length);
    expect(
      report.created.some((c) => c.startsWith('PermissionSetAssignment WhatsApp_Backup → user 005')),
    ).toBe(true);
    expect(report.manualSteps).toEqual([]);
    expect(await destination.test()).toEqual([]);

    const [result] = await destination.upsertDayTranscripts([
      { write: day(await seedContact()), existing: undefined },
    ]);
    expect(result?.ok).toBe(true);
    const { integrationUserId } = (await inspect('')) as { integrationUserId: string };
    const assignments = (await inspect('records/PermissionSetAssignment')).records;
    expect(assignments).toEqual([expect.objectContaining({ AssigneeId: integrationUserId })]);
  });

  it('changes nothing when run again', async () => {
    const first = await setUpSalesforce(transport);
    const again = await setUpSalesforce(transport);
    expect(again.created).toEqual([]);
    expect(again.manualSteps).toEqual([]);
    expect([...again.existing].sort()).toEqual([...first.created].sort());
    expect((await inspect('records/FieldPermissions')).records).toHaveLength(CHAT_FIELDS.length);
    const layouts: InspectedLayout[] = (await inspect('layouts')).layouts;
    for (const layout of layouts) {
      expect(layout.relatedLists.filter((name) => name.startsWith('WhatsApp_Chat__c.'))).toHaveLength(1);
    }
  });

  it('without the grants (what setup did before), the test says what to do and the write parks', async () => {
    // Only the metadata, as the old setup left an org: the fields exist but no one may see them.
    await transport.metadata(
      '<createMetadata><metadata xsi:type="CustomObject"><fullName>WhatsApp_Chat__c</fullName><label>WhatsApp Chat</label><pluralLabel>WhatsApp Chats</pluralLabel><nameField><type>AutoNumber</type><label>Chat #</label><displayFormat>WA-{000000}</displayFormat></nameField><deploymentStatus>Deployed</deploymentStatus><sharingModel>ReadWrite</sharingModel></metadata><metadata xsi:type="CustomField"><fullName>WhatsApp_Chat__c.Chat_Key__c</fullName><label>Chat Key</label><type>Text</type><length>255</length><externalId>true</externalId><unique>true</unique></metadata></createMetadata>',
    );
    const destination = new SalesforceDestination(transport);
    const [problem] = await destination.test();
    expect(problem).toContain('cannot write Chat_Key__c');
    expect(problem).toContain('WhatsApp Backup');
    const attempt = await destination
      .upsertDayTranscripts([{ write: day(await seedContact()), existing: undefined }])
      .catch((error: unknown) => error);
    expect(attempt).toBeInstanceOf(CrmError);
    expect(attempt).toMatchObject({ kind: 'park' });
  });

  it('adds the related list to every Contact and Lead layout and keeps the rest of each layout', async () => {
    const before: InspectedLayout[] = (await inspect('layouts')).layouts;
    await setUpSalesforce(transport);
    const after: InspectedLayout[] = (await inspect('layouts')).layouts;
    const contact = after.find((l) => l.fullName === 'Contact-Contact Layout');
    const lead = after.find((l) => l.fullName === 'Lead-Lead Layout');
    expect(contact?.relatedLists).toContain('WhatsApp_Chat__c.Contact__c');
    expect(lead?.relatedLists).toContain('WhatsApp_Chat__c.Lead__c');
    for (const layout of after) {
      const earlier = before.find((l) => l.fullName === layout.fullName);
      expect(layout.body.layoutSections).toEqual(earlier?.body.layoutSections);
      expect(layout.relatedLists.slice(0, -1)).toEqual(earlier?.relatedLists);
    }
  });

  it('says what to do by hand for a layout the org will not let it change', async () => {
    await sandbox.close();
    await start({ lockedLayouts: ['Lead-Lead Layout'] });
    const report = await setUpSalesforce(transport);
    expect(report.created).toContain('Layout Contact-Contact Layout: WhatsApp Chats related list');
    expect(report.manualSteps).toEqual([
      expect.stringMatching(
        /^Add the "WhatsApp Chats" related list to the Lead page layout "Lead-Lead Layout"/,
      ),
    ]);
    expect(await new SalesforceDestination(transport).test()).toEqual([]);
  });
});
