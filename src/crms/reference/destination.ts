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
import type { BackendRecord, ReferenceBackend } from './backend.js';
import type { ReferenceTranscript, ReferenceTranscriptWrite } from './crm.js';

export interface ReferenceOptions {
  /** Leads beside contacts (default true); without, lookups ask for contacts alone and creating or linking a lead is refused. */
  leads?: boolean | undefined;
  /** Deals on the card (default false: the reference CRM holds none). */
  deals?: boolean | undefined;
  /** Files uploaded after their transcript (default), or carried inside it. */
  attachments?: 'after' | 'inline' | undefined;
  /**
   * Days found again by their key as an external id (default), or, as in a CRM without external
   * ids, by the marker written into the text.
   */
  keys?: 'external-id' | 'marker' | undefined;
}

/**
 * The reference destination: the destination contract over the reference CRM, in memory
 * (memory-backend.ts) for the engine's own tests, or over HTTP against its sandbox (http-backend.ts)
 * so the exactly-once suites can run the engine against a CRM that times out, drops answers and asks
 * to slow down; and the model of a new CRM's folder. Transcripts are upserted by key (a second write
 * of a key updates it in place), or found again by the marker in their text; files by their key; every
 * batch answers per item. Calls are split to the CRM's per-call limits.
 */
export class ReferenceDestination implements Destination {
  readonly kind: string;
  readonly capabilities: DestinationCapabilities;

  constructor(
    private readonly backend: ReferenceBackend,
    options: ReferenceOptions = {},
    kind = 'reference',
  ) {
    this.kind = kind;
    this.capabilities = {
      leads: options.leads ?? true,
      deals: options.deals ?? false,
      updatableTranscripts: true,
      maxAttachmentBytes: backend.plan.attachmentBytes,
      maxBatchRecords: backend.plan.batchRecords,
      attachments: options.attachments ?? 'after',
      keys: options.keys ?? 'external-id',
    };
  }

  async test(): Promise<string[]> {
    try {
      return (await this.backend.acceptsKey()) ? [] : ['The API key is not this CRM’s.'];
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
    // The CRM takes so many numbers per call: one call per slice of them.
    const { lookupsPerCall } = await this.backend.limits(options);
    for (const slice of chunks(numbers, lookupsPerCall)) {
      const matches = await this.backend.lookup(slice, context.defaultRegion, this.types(), options);
      for (const { key } of slice) answer.set(key, (matches[key] ?? []).map(toCrmRecord));
    }
    return answer;
  }

  async search(query: string, context: LookupContext): Promise<CrmRecord[]> {
    return (await this.backend.search(query, context.defaultRegion, this.types())).map(toCrmRecord);
  }

  async createRecord(record: NewRecord): Promise<CrmRecord> {
    this.checkType(record.type);
    return toCrmRecord(await this.backend.createRecord(record));
  }

  async card(ref: { type: RecordType; id: string }): Promise<RecordCard> {
    this.checkType(ref.type);
    const { record, latestNotes } = await this.backend.card(ref);
    return {
      ...toCrmRecord(record),
      company: record.company,
      owner: undefined,
      email: record.email,
      leadStatus: record.type === 'lead' ? (record.converted ? 'Converted' : 'Open') : undefined,
      openDeals: [],
      latestNotes,
    };
  }

  async upsertDayTranscripts(
    batch: readonly TranscriptUpsert[],
    options: CallOptions = {},
  ): Promise<TranscriptResult[]> {
    const results: TranscriptResult[] = [];
    const { transcriptsPerCall } = await this.backend.limits(options);
    const parts = chunks(batch, Math.min(transcriptsPerCall, this.capabilities.maxBatchRecords));
    for (const [index, part] of parts.entries()) {
      let answer: Awaited<ReturnType<ReferenceBackend['writeTranscripts']>>;
      try {
        answer = await this.backend.writeTranscripts(await this.transcriptWrites(part, options), options);
      } catch (error) {
        // The calls that went through keep their answers; this one's items and those not sent yet
        // fail with its error (a CRM asking to slow down is not sent more), to be retried.
        if (!(error instanceof CrmError) || results.length === 0) throw error;
        for (const _unsent of parts.slice(index).flat()) results.push({ ok: false, error });
        break;
      }
      for (const item of answer) {
        results.push(
          item.ok
            ? { ok: true, ref: { id: item.id, related: {} } }
            : { ok: false, error: new CrmError({ kind: 'rejected', ...item.error, vendorAnswer: item }) },
        );
      }
    }
    return results;
  }

  /**
   * One call's writes. Files that travel inline are read first, as a client builds its request body.
   * By key where keys are external ids; else in place over the transcript the ledger knows, or, after
   * an attempt whose answer was lost, the one carrying the day's marker.
   */
  private async transcriptWrites(
    part: readonly TranscriptUpsert[],
    options: CallOptions,
  ): Promise<ReferenceTranscriptWrite[]> {
    const held = new Map<string, Promise<{ id: string; text: string }[]>>();
    const heldOn = (record: { type: RecordType; id: string }) => {
      const known = held.get(record.id) ?? this.backend.transcriptsOf(record, options);
      held.set(record.id, known);
      return known;
    };
    const writes: ReferenceTranscriptWrite[] = [];
    for (const { write, existing, uncertain } of part) {
      const marker = this.capabilities.keys === 'marker' ? dayMarker(write.key) : undefined;
      const text = renderText(write.content);
      let id: string | undefined;
      if (marker !== undefined && (existing !== undefined || uncertain)) {
        const transcripts = await heldOn(write.record);
        id = (
          transcripts.find((transcript) => transcript.id === existing?.id) ??
          transcripts.find((transcript) => markerIn(transcript.text) === marker)
        )?.id;
      }
      writes.push({
        id,
        key: marker === undefined ? write.key : undefined,
        record: { type: write.record.type, id: write.record.id },
        day: write.day,
        title: write.content.header,
        text: marker === undefined ? text : `${text}\n\n${marker}`,
        messageCount: write.messageCount,
        files: await Promise.all(write.attachments.map(readInline)),
      });
    }
    return writes;
  }

  async uploadAttachment(upload: AttachmentUpload, options: CallOptions = {}): Promise<{ id: string }> {
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
    return this.backend.upload(
      {
        key: upload.key,
        transcriptId: upload.transcript.id,
        record: { type: upload.record.type, id: upload.record.id },
        fileName: upload.fileName,
        mimeType: upload.mimeType,
        bytes: Buffer.concat(parts),
      },
      options,
    );
  }

  async deleteWritten(
    objects: readonly WrittenObject[],
    options: CallOptions = {},
  ): Promise<DeletionResult[]> {
    const results = await this.backend.deleteWritten(objects, options);
    return results.map((result) => ({ ok: true, alreadyGone: result.alreadyGone }));
  }

  /** Record types a lookup may find: leads only where this mode has them. */
  private types(): RecordType[] {
    return this.capabilities.leads ? ['contact', 'lead'] : ['contact'];
  }

  private checkType(type: RecordType): void {
    if (type === 'lead' && !this.capabilities.leads) {
      throw new CrmError({ kind: 'rejected', code: 'NO_LEADS', message: 'This CRM has no leads.' });
    }
  }
}

/** Consecutive slices of at most `size` items. */
function chunks<T>(items: readonly T[], size: number): T[][] {
  const slices: T[][] = [];
  for (let start = 0; start < items.length; start += size) slices.push(items.slice(start, start + size));
  return slices;
}

function toCrmRecord(record: BackendRecord): CrmRecord {
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
