import { normalizePhone } from '../../core/phone.js';
import { numberToFind } from '../../core/phone-lookup.js';
import { dayMarker, markerIn } from '../kit/day-marker.js';
import { renderText } from '../kit/transcript-render.js';
import {
  type AttachmentUpload,
  type CallOptions,
  CrmError,
  type CrmRecord,
  type DeletionResult,
  type Destination,
  type DestinationCapabilities,
  type InlineAttachment,
  type LookupContext,
  type NewRecord,
  type PhoneLookup,
  type RecordCard,
  type RecordType,
  type TranscriptResult,
  type TranscriptUpsert,
  type WrittenObject,
} from '../types.js';
import type { ReferenceCrm, ReferenceRecord, ReferenceTranscript } from './crm.js';

export interface ReferenceOptions {
  /** Leads beside contacts (default true); without, creating or linking a lead is refused. */
  leads?: boolean | undefined;
  /** Deals on the card (default false: the reference CRM holds none). */
  deals?: boolean | undefined;
  /** The API key the connection presents. */
  apiKey: string;
  maxBatchRecords?: number | undefined;
  maxAttachmentBytes?: number | undefined;
  /** Files uploaded after their transcript (default), or carried inside it. */
  attachments?: 'after' | 'inline' | undefined;
  /**
   * Days found again by their key as an external id (default), or, as in a CRM without external
   * ids, by the marker written into the text.
   */
  keys?: 'external-id' | 'marker' | undefined;
}

/**
 * The reference destination: the destination contract, kept in memory, for the engine's own tests
 * and as the model of a new CRM's folder. Transcripts are upserted by key (a second write of a key
 * updates it in place), files by their key, and every batch answers per item.
 */
export class ReferenceDestination implements Destination {
  readonly kind: string;
  readonly capabilities: DestinationCapabilities;

  constructor(
    private readonly crm: ReferenceCrm,
    private readonly options: ReferenceOptions,
    kind = 'reference',
  ) {
    this.kind = kind;
    this.capabilities = {
      leads: options.leads ?? true,
      deals: options.deals ?? false,
      updatableTranscripts: true,
      maxAttachmentBytes: options.maxAttachmentBytes ?? 25 * 1024 * 1024,
      maxBatchRecords: options.maxBatchRecords ?? 50,
      attachments: options.attachments ?? 'after',
      keys: options.keys ?? 'external-id',
    };
  }

  async test(): Promise<string[]> {
    this.call('test');
    return this.options.apiKey === this.crm.apiKey ? [] : ['The API key is not this CRM’s.'];
  }

  async findByPhones(
    numbers: readonly PhoneLookup[],
    context: LookupContext,
    options: CallOptions = {},
  ): Promise<Map<string, CrmRecord[]>> {
    this.call('findByPhones', options);
    const answer = new Map<string, CrmRecord[]>();
    for (const { key, phone } of numbers) {
      const wanted = numberToFind(phone);
      const found = this.visible()
        .filter((record) => record.phones.some((stored) => wanted.isHeldIn(stored, context.defaultRegion)))
        .sort(byTypeThenAge)
        .map(toCrmRecord);
      answer.set(key, found);
    }
    return answer;
  }

  async search(query: string, context: LookupContext): Promise<CrmRecord[]> {
    this.call('search');
    const trimmed = query.trim();
    if (trimmed === '') return [];
    if (/^[+\d\s()./-]+$/.test(trimmed) && trimmed.replace(/\D/g, '').length >= 6) {
      const read = normalizePhone(trimmed, { defaultRegion: context.defaultRegion });
      if (read.ok) return (await this.findByPhones([{ key: 'q', phone: read.e164 }], context)).get('q') ?? [];
    }
    const needle = trimmed.toLowerCase();
    return this.visible()
      .filter((record) => record.name.toLowerCase().includes(needle))
      .sort((a, b) => byType(a, b) || a.name.localeCompare(b.name))
      .map(toCrmRecord);
  }

  async createRecord(record: NewRecord): Promise<CrmRecord> {
    this.call('createRecord');
    this.checkType(record.type);
    const stored = this.crm.seed({
      type: record.type,
      name: record.name,
      phones: [record.phone],
      company: record.type === 'lead' ? record.company?.trim() || 'Unknown' : record.company,
    });
    return toCrmRecord(stored);
  }

  async card(ref: { type: RecordType; id: string }): Promise<RecordCard> {
    this.call('card');
    const record = this.existing(ref);
    return {
      ...toCrmRecord(record),
      company: record.company,
      owner: undefined,
      email: record.email,
      leadStatus: record.type === 'lead' ? (record.converted ? 'Converted' : 'Open') : undefined,
      openDeals: [],
      latestNotes: this.crm
        .transcriptsOf(record.id)
        .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || b.day.localeCompare(a.day))
        .slice(0, 5)
        .map((transcript) => ({
          id: transcript.id,
          title: transcript.title,
          excerpt: transcript.text.slice(0, 200),
          createdAt: transcript.updatedAt,
        })),
    };
  }

  async upsertDayTranscripts(
    batch: readonly TranscriptUpsert[],
    options: CallOptions = {},
  ): Promise<TranscriptResult[]> {
    if (batch.length > this.capabilities.maxBatchRecords) {
      throw new CrmError({
        kind: 'rejected',
        code: 'BATCH_TOO_LARGE',
        message: `At most ${this.capabilities.maxBatchRecords} transcripts per call.`,
      });
    }
    this.call('upsertDayTranscripts', options);
    const results: TranscriptResult[] = [];
    for (const upsert of batch) results.push(await this.upsertOne(upsert));
    return results;
  }

  private async upsertOne({ write, existing, uncertain }: TranscriptUpsert): Promise<TranscriptResult> {
    const record = this.crm.record(write.record.id);
    if (!record || record.type !== write.record.type) {
      return {
        ok: false,
        error: new CrmError({
          kind: 'rejected',
          code: 'RECORD_NOT_FOUND',
          message: `No ${write.record.type} ${write.record.id}.`,
        }),
      };
    }
    const marker = this.capabilities.keys === 'marker' ? dayMarker(write.key) : undefined;
    const text = renderText(write.content);
    const previous = this.previousWrite(write, existing, uncertain, marker);
    const id = previous?.id ?? this.crm.nextId('T');
    this.crm.putTranscript({
      id,
      key: marker === undefined ? write.key : undefined,
      record: { type: write.record.type, id: write.record.id },
      day: write.day,
      title: write.content.header,
      text: marker === undefined ? text : `${text}\n\n${marker}`,
      messageCount: write.messageCount,
      files: await Promise.all(write.attachments.map(readInline)),
      writes: (previous?.writes ?? 0) + 1,
      updatedAt: new Date(),
    });
    return { ok: true, ref: { id, related: {} } };
  }

  /**
   * What an earlier write of this day left: by key where keys are external ids; else the transcript
   * the ledger knows, or, after an attempt whose answer was lost, the one carrying the day's marker.
   */
  private previousWrite(
    write: TranscriptUpsert['write'],
    existing: TranscriptUpsert['existing'],
    uncertain: boolean | undefined,
    marker: string | undefined,
  ) {
    if (marker === undefined) return this.crm.transcript(write.key);
    const known = existing === undefined ? undefined : this.crm.transcriptById(existing.id);
    if (known !== undefined) return known;
    if (existing === undefined && !uncertain) return undefined;
    return this.crm.transcriptsOf(write.record.id).find((transcript) => markerIn(transcript.text) === marker);
  }

  async uploadAttachment(upload: AttachmentUpload, options: CallOptions = {}): Promise<{ id: string }> {
    this.call('uploadAttachment', options);
    const existing = this.crm.attachment(upload.key);
    if (existing) return { id: existing.id };
    if (upload.sizeBytes > this.capabilities.maxAttachmentBytes) {
      throw new CrmError({
        kind: 'rejected',
        code: 'FILE_TOO_LARGE',
        message: `${upload.fileName} is too large.`,
      });
    }
    const chunks: Uint8Array[] = [];
    for await (const chunk of upload.open()) chunks.push(chunk);
    const id = this.crm.nextId('F');
    this.crm.putAttachment({
      id,
      key: upload.key,
      transcriptId: upload.transcript.id,
      record: { type: upload.record.type, id: upload.record.id },
      fileName: upload.fileName,
      mimeType: upload.mimeType,
      bytes: Buffer.concat(chunks),
    });
    return { id };
  }

  async deleteWritten(
    objects: readonly WrittenObject[],
    options: CallOptions = {},
  ): Promise<DeletionResult[]> {
    this.call('deleteWritten', options);
    return objects.map((object): DeletionResult => {
      // The reference CRM keeps no note beside a day's transcript: a note is always gone already.
      const deleted =
        object.kind === 'chat_record'
          ? this.crm.deleteTranscript(object.id)
          : object.kind === 'file'
            ? this.crm.deleteAttachment(object.id)
            : false;
      return { ok: true, alreadyGone: !deleted };
    });
  }

  /** Records a lookup may find: converted leads are not, nor leads where this mode has none. */
  private visible(): ReferenceRecord[] {
    return this.crm
      .allRecords()
      .filter((record) => record.type === 'contact' || (this.capabilities.leads && !record.converted));
  }

  private existing(ref: { type: RecordType; id: string }): ReferenceRecord {
    this.checkType(ref.type);
    const record = this.crm.record(ref.id);
    if (!record || record.type !== ref.type) {
      throw new CrmError({
        kind: 'rejected',
        code: 'RECORD_NOT_FOUND',
        message: `No ${ref.type} ${ref.id}.`,
      });
    }
    return record;
  }

  private checkType(type: RecordType): void {
    if (type === 'lead' && !this.capabilities.leads) {
      throw new CrmError({ kind: 'rejected', code: 'NO_LEADS', message: 'This CRM has no leads.' });
    }
  }

  private call(name: string, options: CallOptions = {}): void {
    options.signal?.throwIfAborted();
    options.beforeRequest?.();
    this.crm.count(name);
  }
}

const byType = (a: ReferenceRecord, b: ReferenceRecord) =>
  a.type === b.type ? 0 : a.type === 'contact' ? -1 : 1;

/** Contacts first, then leads; the oldest record first within each (by the CRM's created time). */
const byTypeThenAge = (a: ReferenceRecord, b: ReferenceRecord) =>
  byType(a, b) || a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id);

function toCrmRecord(record: ReferenceRecord): CrmRecord {
  return {
    type: record.type,
    id: record.id,
    name: record.name,
    phones: [...record.phones],
    url: `reference://records/${record.id}`,
    createdAt: record.createdAt,
  };
}

async function readInline(file: InlineAttachment): Promise<ReferenceTranscript['files'][number]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of file.open()) chunks.push(chunk);
  return { key: file.key, fileName: file.fileName, mimeType: file.mimeType, bytes: Buffer.concat(chunks) };
}
