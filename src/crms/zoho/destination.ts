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
  DuplicateRecordsError,
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
import { recordError, type ZohoErrorBody } from './errors.js';
import { uploadOnce } from './files.js';
import {
  coqlString,
  isZohoId,
  MODULE_OF,
  RECORD_FIELDS,
  type RecordLinks,
  splitName,
  toCrmRecord,
  type ZohoList,
} from './mapping.js';
import { findRecordsByPhone } from './phone-lookup.js';
import { upsertTranscripts } from './transcripts.js';
import type { ZohoTransport } from './transport.js';

/** Lead Company is 200 characters (the sandbox's field lengths; unverified beyond Zoho's usual text). */
const COMPANY_LENGTH = 200;

export interface ZohoRecordDefaults {
  /** Company of a lead made from a chat when none is given (a Leads layout usually requires one). */
  leadCompany: string;
  /** Lead_Source of records made from a chat; undefined for none (a picklist value the org must have). */
  leadSource: string | undefined;
}

export interface ZohoDestinationOptions {
  defaults: ZohoRecordDefaults;
  /** Where a person opens the CRM (https://crm.zoho.eu), or undefined for the API domain (a sandbox). */
  webBase: string | undefined;
  clock?: () => number;
  /** The connection's org links, read once and shared by its destinations; by default this one's own. */
  orgLinks?: OrgLinks | undefined;
}

/** What is read of the org once per connection: a failed read is tried again by the next caller. */
export class OrgLinks {
  private once: Promise<RecordLinks> | undefined;

  get(read: () => Promise<RecordLinks>): Promise<RecordLinks> {
    this.once ??= read().catch((error: unknown) => {
      this.once = undefined;
      throw error;
    });
    return this.once;
  }
}

/**
 * Zoho CRM as a wasync destination. A chat-day is a note on the contact or lead (Notes related list),
 * the same note on the contact's five most recently modified deals; the day's files are in the
 * record's Attachments, uploaded once and listed in the note. Notes have no field of wasync's own, so
 * a day is found again by the marker its note carries (`keys: 'marker'`).
 */
export class ZohoDestination implements Destination {
  readonly kind = 'zoho' as const;
  readonly capabilities: DestinationCapabilities = {
    leads: true,
    deals: true,
    updatableTranscripts: true,
    // 20 MB a file: Zoho CRM API "uploadFile Method" (the v8 OAS states only a 100 MB request body);
    // a larger file is named in the note with why.
    maxAttachmentBytes: 20 * 1024 * 1024,
    // A contact's day is up to six notes (its own and five deals'): 16 days fill one call of 100
    // notes, so each batch the engine records is one write to Zoho, not part of several.
    maxBatchRecords: 16,
    // The note lists the day's files, so they are uploaded with it, before it is written.
    attachments: 'inline',
    keys: 'marker',
  };

  private readonly orgLinks: OrgLinks;
  private readonly clock: () => number;

  constructor(
    private readonly transport: ZohoTransport,
    private readonly options: ZohoDestinationOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.orgLinks = options.orgLinks ?? new OrgLinks();
  }

  async test(): Promise<string[]> {
    return (await this.check()).problems;
  }

  check(): Promise<ConnectionCheck> {
    return crmCheck(async () => {
      await this.transport.request('GET', 'users', { query: { type: 'CurrentUser' } });
      await this.links();
      return [];
    });
  }

  findByPhones(
    numbers: readonly PhoneLookup[],
    context: LookupContext,
    options: CallOptions = {},
  ): Promise<Map<string, CrmRecord[]>> {
    return findRecordsByPhone(this.transport.forCall(options), () => this.links(), numbers, context);
  }

  search(query: string, context: LookupContext): Promise<CrmRecord[]> {
    return searchByNumberOrName(query, context, {
      findByPhones: (numbers, lookup) => this.findByPhones(numbers, lookup),
      byName: (trimmed) => this.searchByName(trimmed),
      minLength: 2,
    });
  }

  /** First and last names by COQL, and the word search, over contacts and leads. */
  private async searchByName(trimmed: string): Promise<CrmRecord[]> {
    const links = await this.links();
    const results = new Map<string, CrmRecord>();
    const pattern = coqlString(`%${trimmed.replace(/[%_]/g, '')}%`);
    for (const type of ['contact', 'lead'] as const) {
      // COQL sees a record the moment it is made (a contact created from a chat a minute ago); the
      // word search, behind the index, finds the name in any text field and in any case.
      const exact = await this.transport.request<ZohoList>('POST', 'coql', {
        json: {
          select_query: `select ${RECORD_FIELDS.join(', ')} from ${MODULE_OF[type]} where (First_Name like ${pattern} or Last_Name like ${pattern}) limit 20`,
        },
        read: true,
      });
      const words = await this.transport.request<ZohoList>('GET', `${MODULE_OF[type]}/search`, {
        query: { word: trimmed, fields: RECORD_FIELDS.join(','), per_page: 20, page: 1 },
      });
      for (const row of [...(exact.body?.data ?? []), ...(words.body?.data ?? [])]) {
        const record = toCrmRecord(row, type, links);
        results.set(`${type}:${record.id}`, record);
      }
    }
    return [...results.values()];
  }

  async createRecord(record: NewRecord): Promise<CrmRecord> {
    const module = MODULE_OF[record.type];
    const fields: Record<string, unknown> = { ...splitName(record.name), Mobile: record.phone };
    if (record.type === 'lead')
      fields.Company = [...(record.company?.trim() || this.options.defaults.leadCompany)]
        .slice(0, COMPANY_LENGTH)
        .join('');
    if (this.options.defaults.leadSource) fields.Lead_Source = this.options.defaults.leadSource;
    const answer = await this.transport.request<{
      data?: (ZohoErrorBody & { details?: Record<string, unknown> })[];
    }>('POST', module, { json: { data: [fields] }, perItem: true });
    const item = answer.body?.data?.[0];
    if (item?.status !== 'success' || typeof item.details?.id !== 'string') {
      if (item?.code === 'DUPLICATE_DATA') throw await this.duplicates(record.type, item);
      throw recordError(item ?? {});
    }
    const id = item.details.id;
    return toCrmRecord(
      {
        id,
        Full_Name: record.name,
        Mobile: record.phone,
        ...(typeof item.details.Created_Time === 'string' ? { Created_Time: item.details.Created_Time } : {}),
      },
      record.type,
      await this.links(),
    );
  }

  async card(record: { type: RecordType; id: string }): Promise<RecordCard> {
    if (!isZohoId(record.id))
      throw new CrmError({ kind: 'rejected', code: 'INVALID_ID', message: `${record.id} is not a Zoho id` });
    return readCard(this.transport, await this.links(), record);
  }

  upsertDayTranscripts(
    batch: readonly TranscriptUpsert[],
    options: CallOptions = {},
  ): Promise<TranscriptResult[]> {
    return upsertTranscripts(this.transport.forCall(options), batch, {
      links: () => this.links(),
      maxAttachmentBytes: this.capabilities.maxAttachmentBytes,
      today: () => new Date(this.clock()).toISOString().slice(0, 10),
    });
  }

  async uploadAttachment(upload: AttachmentUpload, options: CallOptions = {}): Promise<{ id: string }> {
    if (upload.sizeBytes > this.capabilities.maxAttachmentBytes)
      throw new CrmError({
        kind: 'rejected',
        code: 'FILE_TOO_LARGE',
        message: `${upload.fileName} is larger than the 20 MB Zoho CRM takes per file.`,
      });
    const refs = await uploadOnce(
      this.transport.forCall(options),
      { module: MODULE_OF[upload.record.type], id: upload.record.id },
      [{ ...upload, senderName: '', time: '' }],
      new Map(),
    );
    return { id: refs.get(upload.key) ?? '' };
  }

  deleteWritten(objects: readonly WrittenObject[], options: CallOptions = {}): Promise<DeletionResult[]> {
    return deleteWritten(this.transport.forCall(options), objects);
  }

  /**
   * The org's web address for links to records (`GET /org`: its `zgid`), read once for the connection:
   * the connection's destinations share it (`orgLinks`), so a sync run does not read it again.
   */
  links(): Promise<RecordLinks> {
    return this.orgLinks.get(async () => {
      const answer = await this.transport.request<{ org?: { zgid?: string | number; id?: string }[] }>(
        'GET',
        'org',
      );
      const org = answer.body?.org?.[0];
      const zgid = org?.zgid ?? org?.id;
      if (zgid === undefined)
        throw new CrmError({
          kind: 'retryable',
          code: 'BAD_ANSWER',
          message: 'Zoho answered no organization',
        });
      return { web: this.options.webBase ?? (await this.transport.apiDomain()), zgid: String(zgid) };
    });
  }

  /** The records a DUPLICATE_DATA refusal names (`details.duplicate_record`), for linking one instead. */
  private async duplicates(type: RecordType, item: ZohoErrorBody & { details?: Record<string, unknown> }) {
    const named = item.details?.duplicate_record as { id?: string } | undefined;
    const duplicates: CrmRecord[] = [];
    if (named?.id) {
      const answer = await this.transport.request<ZohoList>('GET', `${MODULE_OF[type]}/${named.id}`, {
        query: { fields: RECORD_FIELDS.join(',') },
      });
      const row = answer.body?.data?.[0];
      if (row) duplicates.push(toCrmRecord(row, type, await this.links()));
    }
    return new DuplicateRecordsError({
      code: 'DUPLICATE_DATA',
      message: item.message ?? 'Zoho refused the record as a duplicate',
      duplicates,
    });
  }
}
