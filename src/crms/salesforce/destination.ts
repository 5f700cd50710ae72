import { crmCheck, searchByNumberOrName } from '../kit/search-query.js';
import {
  type AttachmentUpload,
  type CallOptions,
  type ConnectionCheck,
  CrmError,
  type CrmRecord,
  type DeletionResult,
  type Destination,
  type DestinationCapabilities,
  type LookupContext,
  type NewRecord,
  type PhoneLookup,
  type RecordCard,
  type RecordType,
  type TranscriptResult,
  type TranscriptUpsert,
  type WrittenObject,
} from '../types.js';
import { readCard } from './card.js';
import { deleteWritten } from './deletions.js';
import { duplicatesError } from './duplicates.js';
import { uploadOnce } from './files.js';
import {
  OBJECT_OF,
  type QueryAnswer,
  RECORD_FIELDS,
  type SoqlRow,
  splitName,
  toCrmRecord,
} from './mapping.js';
import { findRecordsByPhone } from './phone-lookup.js';
import { DEFAULT_RECORD_DEFAULTS, LeadSourcePicklist, type RecordDefaults } from './record-defaults.js';
import { fieldAccessProblems, type ObjectDescribe } from './setup/field-access.js';
import { isSalesforceId, soqlContains } from './soql.js';
import { upsertTranscripts } from './transcripts.js';
import type { SalesforceTransport } from './transport.js';

/** Lead.Company is a 255-character text field. */
const COMPANY_LENGTH = 255;

/**
 * Salesforce as a wasync destination. Chats land as one WhatsApp_Chat__c record per chat, record and
 * day (upserted by its Chat_Key__c external id), and for contacts also as a note in Notes & Attachments;
 * files go on the chat record.
 */
export class SalesforceDestination implements Destination {
  readonly kind = 'salesforce' as const;
  readonly capabilities: DestinationCapabilities = {
    leads: true,
    deals: true,
    updatableTranscripts: true,
    // "Using a multipart message, you can insert or update files up to 2 GB" (REST API Developer
    // Guide, Insert or Update Blob Data).
    maxAttachmentBytes: 2 * 1024 ** 3,
    maxBatchRecords: 200,
    // Files go on the day's chat record once it exists (ContentVersion with FirstPublishLocationId).
    attachments: 'after',
    // Chat_Key__c is an external id: the day's record is upserted by it.
    keys: 'external-id',
  };

  private readonly leadSources: LeadSourcePicklist;

  constructor(
    private readonly transport: SalesforceTransport,
    private readonly defaults: RecordDefaults = DEFAULT_RECORD_DEFAULTS,
  ) {
    this.leadSources = new LeadSourcePicklist(transport);
  }

  async test(): Promise<string[]> {
    return (await this.check()).problems;
  }

  check(): Promise<ConnectionCheck> {
    return crmCheck(
      async () =>
        fieldAccessProblems(
          (await this.transport.request<ObjectDescribe>('GET', 'sobjects/WhatsApp_Chat__c/describe')).body,
        ),
      (error) =>
        error.code === 'NOT_FOUND' || error.code === 'INVALID_TYPE'
          ? 'The WhatsApp Chat custom object is not set up in this org: run `wasync setup salesforce`.'
          : undefined,
    );
  }

  findByPhones(
    numbers: readonly PhoneLookup[],
    context: LookupContext,
    options: CallOptions = {},
  ): Promise<Map<string, CrmRecord[]>> {
    return findRecordsByPhone(this.transport.forCall(options), numbers, {
      ...context,
      now: Date.now(),
    });
  }

  search(query: string, context: LookupContext): Promise<CrmRecord[]> {
    return searchByNumberOrName(query, context, {
      findByPhones: (numbers, lookup) => this.findByPhones(numbers, lookup),
      byName: (trimmed) => this.searchByName(trimmed),
    });
  }

  /** Contacts and leads not converted whose Name holds the query. */
  private async searchByName(trimmed: string): Promise<CrmRecord[]> {
    const results: CrmRecord[] = [];
    for (const type of ['contact', 'lead'] as const) {
      const converted = type === 'lead' ? 'IsConverted = false AND ' : '';
      const soql = `SELECT ${RECORD_FIELDS.join(', ')} FROM ${OBJECT_OF[type]} WHERE ${converted}Name LIKE ${soqlContains(trimmed)} ORDER BY Name LIMIT 20`;
      results.push(...(await this.records(type, soql)));
    }
    return results;
  }

  async createRecord(record: NewRecord): Promise<CrmRecord> {
    const fields: Record<string, unknown> = { ...splitName(record.name), MobilePhone: record.phone };
    if (record.type === 'lead') {
      fields.Company = (record.company?.trim() || this.defaults.leadCompany).slice(0, COMPANY_LENGTH);
    }
    const source = await this.leadSources.allowed(OBJECT_OF[record.type], this.defaults.leadSource);
    if (source) fields.LeadSource = source;
    // The user asked for this record: an alerting duplicate rule lets it through with this header
    // (REST API Developer Guide, Duplicate Rule Header, API 52.0+); a blocking one still refuses, and
    // then the user is shown the records it matched, to link one instead.
    const created = await this.transport
      .request<{ id: string }>('POST', `sobjects/${OBJECT_OF[record.type]}`, fields, {
        headers: {
          'Sforce-Duplicate-Rule-Header': 'allowSave=true; includeRecordDetails=false; runAsCurrentUser=true',
        },
      })
      .catch(async (error: unknown) => {
        throw error instanceof CrmError && error.code === 'DUPLICATES_DETECTED'
          ? await duplicatesError(this.transport, record.type, error)
          : error;
      });
    const instanceUrl = await this.transport.instanceUrl();
    return toCrmRecord(
      { Id: created.body.id, Name: record.name, MobilePhone: record.phone },
      record.type,
      instanceUrl,
    );
  }

  async card(record: { type: RecordType; id: string }): Promise<RecordCard> {
    if (!isSalesforceId(record.id))
      throw new CrmError({
        kind: 'rejected',
        code: 'INVALID_ID',
        message: `${record.id} is not a Salesforce id`,
      });
    return readCard(this.transport, record);
  }

  upsertDayTranscripts(
    batch: readonly TranscriptUpsert[],
    options: CallOptions = {},
  ): Promise<TranscriptResult[]> {
    return upsertTranscripts(this.transport.forCall(options), batch);
  }

  async uploadAttachment(upload: AttachmentUpload, options: CallOptions = {}): Promise<{ id: string }> {
    // Refused here rather than after streaming gigabytes the org would refuse at the end.
    if (upload.sizeBytes > this.capabilities.maxAttachmentBytes) {
      throw new CrmError({
        kind: 'rejected',
        code: 'FILE_TOO_LARGE',
        message: `${upload.fileName} is larger than the ${this.capabilities.maxAttachmentBytes} bytes Salesforce takes in one upload.`,
      });
    }
    return uploadOnce(this.transport.forCall(options), upload);
  }

  deleteWritten(objects: readonly WrittenObject[], options: CallOptions = {}): Promise<DeletionResult[]> {
    return deleteWritten(this.transport.forCall(options), objects);
  }

  private async records(type: RecordType, soql: string): Promise<CrmRecord[]> {
    const instanceUrl = await this.transport.instanceUrl();
    const rows: SoqlRow[] = [];
    let answer = (await this.transport.request<QueryAnswer>('GET', `query?q=${encodeURIComponent(soql)}`))
      .body;
    rows.push(...answer.records);
    while (!answer.done && answer.nextRecordsUrl) {
      answer = (await this.transport.request<QueryAnswer>('GET', answer.nextRecordsUrl)).body;
      rows.push(...answer.records);
    }
    return rows.map((row) => toCrmRecord(row, type, instanceUrl));
  }
}
