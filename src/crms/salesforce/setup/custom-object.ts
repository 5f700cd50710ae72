import { CrmError } from '../../types.js';
import type { SalesforceTransport } from '../transport.js';
import { component, metadataCall, saveResults } from './metadata-soap.js';
import type { SetupReport } from './report.js';

/** The custom object wasync writes a chat-day into. */
export const CHAT_OBJECT = 'WhatsApp_Chat__c';

/**
 * Its fields. None is required, so every one can carry field-level security (FieldPermissions refuses
 * required fields), which setup grants through the WhatsApp Backup permission set.
 */
export const CHAT_FIELDS: Record<string, string>[] = [
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

/** Creates WhatsApp_Chat__c and its fields with createMetadata; what exists already is left as it is. */
export async function deployChatObject(transport: SalesforceTransport, report: SetupReport): Promise<void> {
  const object = component('CustomObject', {
    fullName: CHAT_OBJECT,
    label: 'WhatsApp Chat',
    pluralLabel: 'WhatsApp Chats',
    deploymentStatus: 'Deployed',
    sharingModel: 'ReadWrite',
    enableReports: 'true',
    enableSearch: 'true',
    nameField: { type: 'AutoNumber', label: 'Chat #', displayFormat: 'WA-{000000}' },
  });
  await createMetadata(transport, [object], report);
  const fields = CHAT_FIELDS.map((field) =>
    component('CustomField', { ...field, fullName: `${CHAT_OBJECT}.${field.fullName}` }),
  );
  // createMetadata takes at most 10 components per call (Metadata API Developer Guide, createMetadata).
  await createMetadata(transport, fields, report);
}

async function createMetadata(
  transport: SalesforceTransport,
  components: string[],
  report: SetupReport,
): Promise<void> {
  const response = await metadataCall(transport, `<createMetadata>${components.join('')}</createMetadata>`);
  for (const result of saveResults(response)) {
    if (result.success) report.created.push(result.fullName);
    else if (result.statusCode === 'DUPLICATE_DEVELOPER_NAME') report.existing.push(result.fullName);
    else {
      throw new CrmError({
        kind: 'park',
        code: 'METADATA_REFUSED',
        message: `Salesforce refused ${result.fullName}: ${result.message ?? 'no reason given'}`,
      });
    }
  }
}
