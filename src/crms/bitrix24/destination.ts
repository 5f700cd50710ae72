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
import { diskFolderOf, uploadToDisk } from './disk.js';
import { CrmMode } from './mode.js';
import { findRecordsByPhone } from './phone-lookup.js';
import { createRecord, searchByName } from './records.js';
import { linkFromComment, upsertTranscripts } from './transcripts.js';
import type { Bitrix24Transport } from './transport.js';

export interface Bitrix24RecordDefaults {
  /** TITLE of a lead made from a chat: `{prefix}: {name}`. */
  leadTitle: string;
  /** SOURCE_ID of contacts and leads made from a chat (a value of the portal's source list); undefined for none. */
  sourceId: string | undefined;
}

export interface Bitrix24DestinationOptions {
  defaults: Bitrix24RecordDefaults;
  clock?: () => number;
}

/** The largest file wasync puts on a comment: past it, the file is named in the comment with why. */
export const MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024;

/**
 * Bitrix24 as a wasync destination. A chat-day is one timeline comment on the contact's (or lead's)
 * page, updated in place as the day goes on; its files are on the comment (`FILES`), and files past
 * the portal's inline limit are uploaded to Disk and linked from the text. Comments have no field of
 * wasync's own, so a day is found again by the marker its text carries (`keys: 'marker'`).
 */
export class Bitrix24Destination implements Destination {
  readonly kind = 'bitrix24' as const;
  readonly capabilities: DestinationCapabilities = {
    leads: true,
    deals: true,
    updatableTranscripts: true,
    maxAttachmentBytes: MAX_ATTACHMENT_BYTES,
    // Days without files travel 50 commands to a batch request (batch.md); a day's files go with
    // its own comment, never inside a batch.
    maxBatchRecords: 50,
    attachments: 'inline',
    keys: 'marker',
  };

  readonly mode: CrmMode;
  readonly clock: () => number;

  constructor(
    readonly transport: Bitrix24Transport,
    readonly options: Bitrix24DestinationOptions,
  ) {
    this.mode = new CrmMode(transport);
    this.clock = options.clock ?? Date.now;
  }

  get portalUrl(): string {
    return this.transport.access.portalUrl;
  }

  /** The webhook or application may call the CRM (a profile read and the mode) and has the scopes. */
  async test(): Promise<string[]> {
    return (await this.check()).problems;
  }

  check(): Promise<ConnectionCheck> {
    return crmCheck(async () => {
      await this.transport.call('crm.settings.mode.get');
      await this.transport.call('crm.contact.list', { select: ['ID'] });
      return [];
    });
  }

  findByPhones(
    numbers: readonly PhoneLookup[],
    context: LookupContext,
    options: CallOptions = {},
  ): Promise<Map<string, CrmRecord[]>> {
    return findRecordsByPhone(this.transport.forCall(options), this, numbers, context);
  }

  search(query: string, context: LookupContext): Promise<CrmRecord[]> {
    return searchByNumberOrName(query, context, {
      findByPhones: (numbers, lookup) => this.findByPhones(numbers, lookup),
      byName: (trimmed) => searchByName(this.transport, this, trimmed),
      minLength: 2,
    });
  }

  createRecord(record: NewRecord): Promise<CrmRecord> {
    return createRecord(this.transport, this, this.options.defaults, record);
  }

  card(record: { type: RecordType; id: string }): Promise<RecordCard> {
    return readCard(this.transport, this.portalUrl, record);
  }

  upsertDayTranscripts(
    batch: readonly TranscriptUpsert[],
    options: CallOptions = {},
  ): Promise<TranscriptResult[]> {
    return upsertTranscripts(this.transport.forCall(options), batch, {
      folder: diskFolderOf(this.transport.access),
      maxAttachmentBytes: this.capabilities.maxAttachmentBytes,
    });
  }

  /**
   * A file beside a day's comment: uploaded to Disk and linked from the comment (the engine hands this
   * kind its files inline with the day, so only a caller outside the sync uses it; the day's next
   * write rewrites the text without the link). Refused past maxAttachmentBytes before its bytes are
   * read. Idempotent on the key, which the file's name on Disk carries.
   */
  async uploadAttachment(upload: AttachmentUpload, options: CallOptions = {}): Promise<{ id: string }> {
    if (upload.sizeBytes > this.capabilities.maxAttachmentBytes)
      throw new CrmError({
        kind: 'rejected',
        code: 'FILE_TOO_LARGE',
        message: `${upload.fileName} is larger than the ${this.capabilities.maxAttachmentBytes} bytes wasync puts on Bitrix24`,
      });
    const transport = this.transport.forCall(options);
    const file = await uploadToDisk(transport, diskFolderOf(this.transport.access), {
      key: upload.key,
      fileName: upload.fileName,
      mimeType: upload.mimeType,
      open: () => upload.open(),
    });
    await linkFromComment(transport, upload.transcript.id, { fileName: upload.fileName, url: file.url });
    return { id: file.id };
  }

  deleteWritten(objects: readonly WrittenObject[], options: CallOptions = {}): Promise<DeletionResult[]> {
    return deleteWritten(this.transport.forCall(options), objects);
  }
}
