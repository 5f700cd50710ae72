import { reference, type SObjectDef, text, withSystemFields } from './types.js';

const readOnly = { createable: false, updateable: false } as const;

const contentDocument: SObjectDef = {
  name: 'ContentDocument',
  label: 'Content Document',
  labelPlural: 'Content Documents',
  keyPrefix: '069',
  custom: false,
  fields: withSystemFields(
    [
      text('Title', 'Title', { updateable: true, createable: false }),
      text('FileType', 'File Type', { length: 20, ...readOnly }),
      text('FileExtension', 'File Extension', { length: 40, ...readOnly }),
      { name: 'ContentSize', label: 'Size', type: 'int', ...readOnly },
      reference(
        'LatestPublishedVersionId',
        'Latest Published Version ID',
        'ContentVersion',
        'LatestPublishedVersion',
        readOnly,
      ),
    ],
    { owned: true },
  ),
};

/** Enhanced notes: the id is a ContentDocument id, so notes link to records like any file. */
const contentNote: SObjectDef = {
  name: 'ContentNote',
  label: 'Note',
  labelPlural: 'Notes',
  keyPrefix: '069',
  custom: false,
  fields: withSystemFields(
    [
      text('Title', 'Title', { required: true }),
      { name: 'Content', label: 'Content', type: 'base64', createable: true, updateable: true },
      text('TextPreview', 'Text Preview', readOnly),
      text('FileType', 'File Type', { length: 20, ...readOnly }),
      { name: 'ContentSize', label: 'Size', type: 'int', ...readOnly },
      reference(
        'LatestPublishedVersionId',
        'Latest Published Version ID',
        'ContentVersion',
        'LatestPublishedVersion',
        readOnly,
      ),
    ],
    { owned: true },
  ),
};

const contentVersion: SObjectDef = {
  name: 'ContentVersion',
  label: 'Content Version',
  labelPlural: 'Content Versions',
  keyPrefix: '068',
  custom: false,
  fields: withSystemFields(
    [
      text('Title', 'Title'),
      text('PathOnClient', 'Path On Client', { required: true, updateable: false }),
      {
        name: 'VersionData',
        label: 'Version Data',
        type: 'base64',
        createable: true,
        updateable: false,
        required: true,
      },
      text('Description', 'Description', { type: 'textarea', length: 1000 }),
      text('ReasonForChange', 'Reason For Change', { length: 1000 }),
      text('TagCsv', 'Tags', { type: 'textarea', length: 2000 }),
      text('Origin', 'Content Origin', {
        type: 'picklist',
        picklistValues: ['C', 'H'],
        defaultValue: 'C',
        updateable: false,
      }),
      text('SharingPrivacy', 'Sharing Privacy', {
        type: 'picklist',
        picklistValues: ['N', 'P'],
        defaultValue: 'N',
      }),
      text('Checksum', 'Checksum', { length: 50, ...readOnly }),
      text('VersionNumber', 'Version Number', { length: 20, ...readOnly }),
      // Polymorphic: any record id the file is first shared with.
      reference(
        'FirstPublishLocationId',
        'First Publish Location ID',
        ['Contact', 'Lead', 'Account', 'Opportunity', 'User'],
        'FirstPublishLocation',
        { updateable: false, polymorphic: true },
      ),
      reference('ContentDocumentId', 'Content Document ID', 'ContentDocument', 'ContentDocument', {
        updateable: false,
      }),
      text('FileType', 'File Type', { length: 20, ...readOnly }),
      text('FileExtension', 'File Extension', { length: 40, ...readOnly }),
      { name: 'ContentSize', label: 'Size', type: 'int', ...readOnly },
      { name: 'IsLatest', label: 'Is Latest', type: 'boolean', ...readOnly },
      text('ContentLocation', 'Content Location', { type: 'picklist', updateable: false, defaultValue: 'S' }),
    ],
    { owned: true },
  ),
};

/** Links carry no owner and no created/modified audit fields in a real org, only SystemModstamp. */
const contentDocumentLink: SObjectDef = {
  name: 'ContentDocumentLink',
  label: 'Content Document Link',
  labelPlural: 'Content Document Links',
  keyPrefix: '06A',
  custom: false,
  fields: [
    { name: 'Id', label: 'ID', type: 'id', ...readOnly },
    { name: 'IsDeleted', label: 'Deleted', type: 'boolean', ...readOnly },
    { name: 'SystemModstamp', label: 'System Modstamp', type: 'datetime', ...readOnly },
    reference('ContentDocumentId', 'ContentDocument ID', 'ContentDocument', 'ContentDocument', {
      required: true,
      updateable: false,
    }),
    reference(
      'LinkedEntityId',
      'Linked Entity ID',
      ['Contact', 'Lead', 'Account', 'Opportunity', 'User'],
      'LinkedEntity',
      { required: true, updateable: false, polymorphic: true },
    ),
    text('ShareType', 'Share Type', {
      type: 'picklist',
      length: 40,
      picklistValues: ['V', 'C', 'I'],
      defaultValue: 'V',
    }),
    text('Visibility', 'Visibility', {
      type: 'picklist',
      length: 40,
      picklistValues: ['AllUsers', 'InternalUsers', 'SharedUsers'],
      defaultValue: 'AllUsers',
    }),
  ],
};

export const CONTENT_OBJECTS: readonly SObjectDef[] = [
  contentDocument,
  contentNote,
  contentVersion,
  contentDocumentLink,
];
