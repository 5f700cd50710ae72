import { XMLParser } from 'fast-xml-parser';
import { CrmError } from '../types.js';
import type { SalesforceTransport } from './transport.js';

/**
 * The custom object wasync writes a chat-day into, with its fields. `wasync setup salesforce` creates it
 * with the Metadata API; the user running it needs "Customize Application" and "Modify Metadata"
 * (a System Administrator has both), the integration user afterwards only create/edit on the object.
 */
const OBJECT = 'WhatsApp_Chat__c';

const FIELDS: Record<string, string>[] = [
  {
    fullName: 'Chat_Key__c',
    label: 'Chat Key',
    type: 'Text',
    length: '255',
    externalId: 'true',
    unique: 'true',
  },
  {
    fullName: 'Contact__c',
    label: 'Contact',
    type: 'Lookup',
    referenceTo: 'Contact',
    relationshipName: 'WhatsApp_Chats',
    deleteConstraint: 'SetNull',
  },
  {
    fullName: 'Lead__c',
    label: 'Lead',
    type: 'Lookup',
    referenceTo: 'Lead',
    relationshipName: 'WhatsApp_Chats',
    deleteConstraint: 'SetNull',
  },
  {
    fullName: 'Transcript__c',
    label: 'Transcript',
    type: 'LongTextArea',
    length: '131072',
    visibleLines: '20',
  },
  { fullName: 'Message_Count__c', label: 'Message Count', type: 'Number', precision: '18', scale: '0' },
  { fullName: 'First_Message_At__c', label: 'First Message At', type: 'DateTime' },
  { fullName: 'Last_Message_At__c', label: 'Last Message At', type: 'DateTime' },
  { fullName: 'Chat_Type__c', label: 'Chat Type', type: 'Text', length: '40' },
  { fullName: 'Group_Name__c', label: 'Group Name', type: 'Text', length: '255' },
];

export interface SetupReport {
  created: string[];
  /** Components that were there already (a second setup changes nothing). */
  existing: string[];
}

/** Creates WhatsApp_Chat__c and its fields; safe to run again. Throws CrmError (park) on failure. */
export async function setUpCustomObject(transport: SalesforceTransport): Promise<SetupReport> {
  const report: SetupReport = { created: [], existing: [] };
  const object = component('CustomObject', {
    fullName: OBJECT,
    label: 'WhatsApp Chat',
    pluralLabel: 'WhatsApp Chats',
    deploymentStatus: 'Deployed',
    sharingModel: 'ReadWrite',
    enableReports: 'true',
    enableSearch: 'true',
    nameField: { type: 'AutoNumber', label: 'Chat #', displayFormat: 'WA-{000000}' },
  });
  await createMetadata(transport, [object], report);
  const fields = FIELDS.map((field) =>
    component('CustomField', { ...field, fullName: `${OBJECT}.${field.fullName}` }),
  );
  await createMetadata(transport, fields, report);
  return report;
}

async function createMetadata(
  transport: SalesforceTransport,
  components: string[],
  report: SetupReport,
): Promise<void> {
  const answer = await transport.metadata(`<createMetadata>${components.join('')}</createMetadata>`);
  const parsed = parser.parse(answer) as Record<string, unknown>;
  const body = dig(parsed, ['Envelope', 'Body']);
  const fault = dig(body, ['Fault']);
  if (fault) {
    throw new CrmError({
      kind: 'park',
      code: 'METADATA_FAULT',
      message: `Salesforce refused the setup: ${String(dig(fault, ['faultstring']) ?? 'no reason given')}`,
    });
  }
  const results = dig(body, ['createMetadataResponse', 'result']);
  for (const result of Array.isArray(results) ? results : [results]) {
    const fullName = String(dig(result, ['fullName']) ?? '');
    if (String(dig(result, ['success'])) === 'true') report.created.push(fullName);
    else if (String(dig(result, ['errors', 'statusCode'])) === 'DUPLICATE_DEVELOPER_NAME')
      report.existing.push(fullName);
    else {
      const message = String(dig(result, ['errors', 'message']) ?? 'no reason given');
      throw new CrmError({
        kind: 'park',
        code: 'METADATA_REFUSED',
        message: `Salesforce refused ${fullName}: ${message}`,
      });
    }
  }
}

const parser = new XMLParser({ removeNSPrefix: true, parseTagValue: false, ignoreAttributes: true });

function dig(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

type Tree = { [key: string]: string | Tree };

/** `<metadata xsi:type="CustomField"><fullName>…</fullName>…</metadata>`, values escaped. */
function component(type: string, fields: Tree): string {
  return `<metadata xsi:type="${type}">${elements(fields)}</metadata>`;
}

function elements(tree: Tree): string {
  return Object.entries(tree)
    .map(
      ([name, value]) =>
        `<${name}>${typeof value === 'string' ? escapeXml(value) : elements(value)}</${name}>`,
    )
    .join('');
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
