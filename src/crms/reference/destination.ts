import { normalizePhone } from '../../core/phone.js';
import { numberToFind } from '../../core/phone-lookup.js';
import { dayMarker, markerIn } from '../kit/day-marker.js';
import { classifyStatus, networkFailure, parseRetryAfter } from '../kit/errors.js';
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
import {
  ReferenceAnswerLost,
  type ReferenceCrm,
  type ReferenceRecord,
  ReferenceRefusal,
  type ReferenceTranscript,
} from './crm.js';

export interface ReferenceOptions {
  /** Leads beside contacts (default true); without, creating or linking a lead is refused. */
  leads?: boolean | undefined;
  /** Deals on the card (default false: the reference CRM holds none). */
  deals?: boolean | undefined;
  /** The API key the connection presents. */
  apiKey: string;
  /** Files uploaded after their transcript (default), or carried inside it. */
  attachments?: 'after' | 'inline' | undefined;
  /**
   * Days found again by their key as an external id (default), or, as in a CRM without external
   * ids, by the marker written into the text.
   */
  keys?: 'external-id' | 'marker' | undefined;
}

/** What one request carries, for the CRM's per-request limits. */
interface RequestSize {
  records?: number;
  numbers?: number;
  bytes?: number;
}

/**
 * The reference destination: the destination contract, kept in memory, for the engine's own tests
 * and as the model of a new CRM's folder. Transcripts are upserted by key (a second write of a key
 * updates it in place), files by their key, and every batch answers per item. Each method call is one
 * or more requests to the CRM, which refuses a request past its limits (the capabilities are those
 * limits) and fails requests as a test tells it; the destination splits its calls to fit and maps
 * every failure to a CrmError as an HTTP destination would.
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
      maxAttachmentBytes: crm.limits.attachmentBytes,
      maxBatchRecords: crm.limits.batchRecords,
      attachments: options.attachments ?? 'after',
      keys: options.keys ?? 'external-id',
    };
  }

  async test(): Promise<string[]> {
    try {
      const accepted = this.send('test', { write: false }, () => this.options.apiKey === this.crm.apiKey);
      return accepted ? [] : ['The API key is not this CRM’s.'];
    } catch (error) {
      // The CRM failing the check is a problem to show, as Salesforce's test reports it.
      if (error instanceof CrmError) return [`${error.message} (${error.code})`];
      throw error;
    }
  }

  async findByPhones(
    numbers: readonly PhoneLookup[],
    context: LookupContext,
    options: CallOptions = {},
  ): Promise<Map<string, CrmRecord[]>> {
    const answer = new Map<string, CrmRecord[]>();
    // The CRM takes so many numbers per request: one request per slice of them.
    for (const slice of chunks(numbers, this.crm.limits.lookupNumbers)) {
      const found = this.send(
        'findByPhones',
        { options, write: false, size: { numbers: slice.length } },
        () =>
          slice.map(({ phone }) => {
            const wanted = numberToFind(phone);
            return this.visible()
              .filter((record) =>
                record.phones.some((stored) => wanted.isHeldIn(stored, context.defaultRegion)),
              )
              .sort(byTypeThenAge)
              .map(toCrmRecord);
          }),
      );
      for (const [i, { key }] of slice.entries()) answer.set(key, found[i] ?? []);
    }
    return answer;
  }

  async search(query: string, context: LookupContext): Promise<CrmRecord[]> {
    const trimmed = query.trim();
    if (trimmed === '') return [];
    if (/^[+\d\s()./-]+$/.test(trimmed) && trimmed.replace(/\D/g, '').length >= 6) {
      const read = normalizePhone(trimmed, { defaultRegion: context.defaultRegion });
      if (read.ok) return (await this.findByPhones([{ key: 'q', phone: read.e164 }], context)).get('q') ?? [];
    }
    const needle = trimmed.toLowerCase();
    return this.send('search', { write: false }, () =>
      this.visible()
        .filter((record) => record.name.toLowerCase().includes(needle))
        .sort((a, b) => byType(a, b) || a.name.localeCompare(b.name))
        .map(toCrmRecord),
    );
  }

  async createRecord(record: NewRecord): Promise<CrmRecord> {
    this.checkType(record.type);
    const stored = this.send('createRecord', { write: true }, () =>
      this.crm.seed({
        type: record.type,
        name: record.name,
        phones: [record.phone],
        company: record.type === 'lead' ? record.company?.trim() || 'Unknown' : record.company,
      }),
    );
    return toCrmRecord(stored);
  }

  async card(ref: { type: RecordType; id: string }): Promise<RecordCard> {
    return this.send('card', { write: false }, () => this.cardOf(ref));
  }

  private cardOf(ref: { type: RecordType; id: string }): RecordCard {
    const record = this.existing(ref);
    return {
      ...toCrmRecord(record),
      company: record.company,
      owner: undefined,
      email: record.email,
      leadStatus: record.type === 'lead' ? (record.converted ? 'Converted' : 'Open') : undefined,
      openDeals: [],
      latestNotes: this.crm.latestNotes(record.id),
    };
  }

  async upsertDayTranscripts(
    batch: readonly TranscriptUpsert[],
    options: CallOptions = {},
  ): Promise<TranscriptResult[]> {
    const results: TranscriptResult[] = [];
    for (const slice of chunks(batch, this.capabilities.maxBatchRecords)) {
      // Files that travel inline are read first, as a client builds its request body.
      const files = await Promise.all(
        slice.map(({ write }) => Promise.all(write.attachments.map(readInline))),
      );
      results.push(
        ...this.send('upsertDayTranscripts', { options, write: true, size: { records: slice.length } }, () =>
          slice.map((upsert, i) => this.upsertOne(upsert, files[i] ?? [])),
        ),
      );
    }
    return results;
  }

  private upsertOne(
    { write, existing, uncertain }: TranscriptUpsert,
    files: ReferenceTranscript['files'],
  ): TranscriptResult {
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
      files,
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
    const existing = this.send('findAttachment', { options, write: false }, () =>
      this.crm.attachment(upload.key),
    );
    if (existing) return { id: existing.id };
    // Refused before a byte is read: the CRM would refuse the file after the whole of it was sent.
    if (upload.sizeBytes > this.capabilities.maxAttachmentBytes) {
      throw new CrmError({
        kind: 'rejected',
        code: 'FILE_TOO_LARGE',
        message: `${upload.fileName} is too large.`,
      });
    }
    const parts: Uint8Array[] = [];
    for await (const part of upload.open()) parts.push(part);
    const bytes = Buffer.concat(parts);
    return this.send('uploadAttachment', { options, write: true, size: { bytes: bytes.length } }, () => {
      const id = this.crm.nextId('F');
      this.crm.putAttachment({
        id,
        key: upload.key,
        transcriptId: upload.transcript.id,
        record: { type: upload.record.type, id: upload.record.id },
        fileName: upload.fileName,
        mimeType: upload.mimeType,
        bytes,
      });
      return { id };
    });
  }

  async deleteWritten(
    objects: readonly WrittenObject[],
    options: CallOptions = {},
  ): Promise<DeletionResult[]> {
    return this.send('deleteWritten', { options, write: true }, () =>
      objects.map((object): DeletionResult => {
        // The reference CRM keeps no note beside a day's transcript: a note is always gone already.
        const deleted =
          object.kind === 'chat_record'
            ? this.crm.deleteTranscript(object.id)
            : object.kind === 'file'
              ? this.crm.deleteAttachment(object.id)
              : false;
        return { ok: true, alreadyGone: !deleted };
      }),
    );
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

  /**
   * One request to the CRM: checked against the run's lease first, and its failures mapped as an HTTP
   * destination maps them (a 5xx or a lost answer on a write leaves its outcome unknown).
   */
  private send<T>(
    call: string,
    request: { options?: CallOptions; write: boolean; size?: RequestSize },
    work: () => T,
  ): T {
    request.options?.signal?.throwIfAborted();
    request.options?.beforeRequest?.();
    try {
      return this.crm.request(call, work, request.size);
    } catch (error) {
      if (error instanceof ReferenceAnswerLost) throw networkFailure('The reference CRM', error);
      if (!(error instanceof ReferenceRefusal)) throw error;
      const { kind, outcomeUnknown } = classifyStatus(error.status, request.write ? 'POST' : 'GET');
      throw new CrmError({
        kind,
        code: error.code,
        message: error.message,
        retryAfterMs: kind === 'retryable' ? parseRetryAfter(error.retryAfter) : undefined,
        outcomeUnknown,
      });
    }
  }
}

/** Consecutive slices of at most `size` items. */
function chunks<T>(items: readonly T[], size: number): T[][] {
  const slices: T[][] = [];
  for (let start = 0; start < items.length; start += size) slices.push(items.slice(start, start + size));
  return slices;
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
    // The contract asks for a link a browser opens; .invalid (RFC 2606) says no server is behind it.
    url: `https://reference-crm.invalid/records/${record.id}`,
    createdAt: record.createdAt,
  };
}

async function readInline(file: InlineAttachment): Promise<ReferenceTranscript['files'][number]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of file.open()) chunks.push(chunk);
  return { key: file.key, fileName: file.fileName, mimeType: file.mimeType, bytes: Buffer.concat(chunks) };
}
