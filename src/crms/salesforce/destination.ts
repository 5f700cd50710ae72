import { crmPhoneSpellings } from '../../core/phone-spellings.js';
import {
  type AttachmentUpload,
  CrmError,
  type CrmRecord,
  type Destination,
  type DestinationCapabilities,
  type NewRecord,
  type RecordCard,
  type RecordType,
  type TranscriptResult,
  type TranscriptUpsert,
} from '../types.js';
import { readCard } from './card.js';
import { uploadOnce } from './files.js';
import {
  OBJECT_OF,
  type QueryAnswer,
  RECORD_FIELDS,
  type SoqlRow,
  splitName,
  toCrmRecord,
} from './mapping.js';
import { queryMany } from './query.js';
import { isSalesforceId, soqlContains, soqlList } from './soql.js';
import { upsertTranscripts } from './transcripts.js';
import type { SalesforceTransport } from './transport.js';

/** Spellings per query: keeps each SOQL statement far below Salesforce's 100,000-character limit. */
const SPELLINGS_PER_QUERY = 300;

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
    maxAttachmentBytes: 2 * 1024 ** 3,
    maxBatchRecords: 200,
  };

  constructor(private readonly transport: SalesforceTransport) {}

  async test(): Promise<string[]> {
    try {
      await this.transport.request('GET', 'sobjects/WhatsApp_Chat__c/describe');
      return [];
    } catch (error) {
      if (error instanceof CrmError && (error.code === 'NOT_FOUND' || error.code === 'INVALID_TYPE')) {
        return ['The WhatsApp Chat custom object is not set up in this org: run `wasync setup salesforce`.'];
      }
      if (error instanceof CrmError) return [`${error.message} (${error.code})`];
      throw error;
    }
  }

  async findByPhones(
    numbers: readonly { key: string; spellings: readonly string[] }[],
  ): Promise<Map<string, CrmRecord[]>> {
    const spellings = [...new Set(numbers.flatMap((n) => n.spellings))];
    const queries: { type: RecordType; soql: string }[] = [];
    for (const type of ['contact', 'lead'] as const) {
      for (let i = 0; i < spellings.length; i += SPELLINGS_PER_QUERY) {
        const list = soqlList(spellings.slice(i, i + SPELLINGS_PER_QUERY));
        const phoneMatch = `(Phone IN ${list} OR MobilePhone IN ${list})`;
        const where = type === 'lead' ? `IsConverted = false AND ${phoneMatch}` : phoneMatch;
        queries.push({
          type,
          soql: `SELECT ${RECORD_FIELDS.join(', ')} FROM ${OBJECT_OF[type]} WHERE ${where}`,
        });
      }
    }
    // Contacts and leads, every chunk of spellings: one Composite call for up to 25 queries.
    const instanceUrl = queries.length > 0 ? await this.transport.instanceUrl() : '';
    const answers = await queryMany(
      this.transport,
      queries.map((q) => q.soql),
    );
    const found = answers.flatMap((rows, i) =>
      rows.map((row) => toCrmRecord(row, queries[i]?.type ?? 'contact', instanceUrl)),
    );
    // A record holding two spellings of one number came back once per query chunk it matched.
    const unique = [...new Map(found.map((record) => [record.id, record])).values()];
    const result = new Map<string, CrmRecord[]>();
    for (const number of numbers) {
      const wanted = new Set(number.spellings);
      result.set(
        number.key,
        unique.filter((record) => record.phones.some((phone) => wanted.has(phone))),
      );
    }
    return result;
  }

  async search(query: string): Promise<CrmRecord[]> {
    const trimmed = query.trim();
    if (trimmed === '') return [];
    const asPhone =
      /^[+\d\s().-]{6,}$/.test(trimmed) && trimmed.startsWith('+') ? crmPhoneSpellings(trimmed) : [];
    const results: CrmRecord[] = [];
    for (const type of ['contact', 'lead'] as const) {
      const conditions = [`Name LIKE ${soqlContains(trimmed)}`];
      if (asPhone.length > 0)
        conditions.push(`Phone IN ${soqlList(asPhone)}`, `MobilePhone IN ${soqlList(asPhone)}`);
      const converted = type === 'lead' ? 'IsConverted = false AND ' : '';
      const soql = `SELECT ${RECORD_FIELDS.join(', ')} FROM ${OBJECT_OF[type]} WHERE ${converted}(${conditions.join(' OR ')}) ORDER BY Name LIMIT 20`;
      results.push(...(await this.records(type, soql)));
    }
    return results;
  }

  async createRecord(record: NewRecord): Promise<CrmRecord> {
    const fields: Record<string, unknown> = {
      ...splitName(record.name),
      MobilePhone: record.phone,
      LeadSource: 'WhatsApp',
    };
    if (record.type === 'lead') fields.Company = record.company ?? 'Unknown (WhatsApp)';
    const created = await this.transport.request<{ id: string }>(
      'POST',
      `sobjects/${OBJECT_OF[record.type]}`,
      fields,
    );
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

  upsertDayTranscripts(batch: readonly TranscriptUpsert[]): Promise<TranscriptResult[]> {
    return upsertTranscripts(this.transport, batch);
  }

  uploadAttachment(upload: AttachmentUpload): Promise<{ id: string }> {
    return uploadOnce(this.transport, upload);
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
