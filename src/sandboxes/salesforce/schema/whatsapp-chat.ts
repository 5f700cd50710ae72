import type { CustomFieldMetadata, CustomObjectMetadata } from './custom-objects.js';

// Inline fields of a CustomObject carry short names, as in a Metadata API CustomObject.
const field = (fullName: string, meta: Omit<CustomFieldMetadata, 'fullName'>): CustomFieldMetadata => ({
  fullName,
  ...meta,
});

/**
 * The WhatsApp_Chat__c object as wasync's setup step deploys it (crm-apis.md §1.6). The sandbox
 * applies exactly this when started with `customObjectDeployed: true`, and the same components sent
 * through SOAP `createMetadata` produce the same object.
 */
export const WHATSAPP_CHAT_METADATA: CustomObjectMetadata = {
  fullName: 'WhatsApp_Chat__c',
  label: 'WhatsApp Chat',
  pluralLabel: 'WhatsApp Chats',
  nameField: { type: 'AutoNumber', label: 'Chat #', displayFormat: 'WA-{000000}' },
  fields: [
    field('Chat_Key__c', {
      label: 'Chat Key',
      type: 'Text',
      length: '255',
      externalId: 'true',
      unique: 'true',
    }),
    field('Contact__c', {
      label: 'Contact',
      type: 'Lookup',
      referenceTo: 'Contact',
      relationshipName: 'WhatsApp_Chats',
    }),
    field('Lead__c', {
      label: 'Lead',
      type: 'Lookup',
      referenceTo: 'Lead',
      relationshipName: 'WhatsApp_Chats',
    }),
    field('Transcript__c', { label: 'Transcript', type: 'LongTextArea', length: '131072' }),
    field('Message_Count__c', { label: 'Message Count', type: 'Number', precision: '18', scale: '0' }),
    field('First_Message_At__c', { label: 'First Message At', type: 'DateTime' }),
    field('Last_Message_At__c', { label: 'Last Message At', type: 'DateTime' }),
    field('Chat_Type__c', { label: 'Chat Type', type: 'Text', length: '40' }),
    field('Group_Name__c', { label: 'Group Name', type: 'Text', length: '255' }),
  ],
};
