import { renderText } from '../kit/transcript-render.js';
import {
  type AttachmentUpload,
  type CallOptions,
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
import type { ReferenceTransport } from './transport.js';

export interface ReferenceHttpOptions {
  /** Leads beside contacts (default true); without, lookups ask for contacts alone. */
  leads?: boolean | undefined;
  /** Transcripts the engine plans per call (default 50); calls are split further to the API's limit. */
  maxBatchRecords?: number | undefined;
  maxAttachmentBytes?: number | undefined;
}

/** A record as the API answers it. */
interface ApiRecord {
  type: RecordType;
  id: string;
  name: string;
  phones: string[];
  company?: string | undefined;
  email?: string | undefined;
  converted?: boolean | undefined;
}

type ApiItemResult = { ok: true; id: string } | { ok: false; error: { code: string; message: string } };

/**
 * The reference destination over HTTP, against the reference CRM sandbox: the same contract as the
 * in-memory one, so the exactly-once suites can run the engine against a CRM that times out, drops
 * answers and asks to slow down. Calls are split to the API's per-call limits.
 */
export class ReferenceHttpDestination implements Destination {
  readonly kind: string;
  readonly capabilities: DestinationCapabilities;

  constructor(
    private readonly transport: ReferenceTransport,
    options: ReferenceHttpOptions = {},
    kind = 'reference',
  ) {
    this.kind = kind;
    this.capabilities = {
      leads: options.leads ?? true,
      deals: false,
      updatableTranscripts: true,
      maxAttachmentBytes: options.maxAttachmentBytes ?? 25 * 1024 * 1024,
      maxBatchRecords: options.maxBatchRecords ?? 50,
      attachments: 'after',
      keys: 'external-id',
    };
  }

  async test(): Promise<string[]> {
    try {
      await this.transport.request({ method: 'GET', path: '/account', write: false });
      return [];
    } catch (error) {
      if (error instanceof CrmError && error.kind === 'park') return ['The API key is not this CRM’s.'];
      throw error;
    }
  }

  async findByPhones(
    numbers: readonly PhoneLookup[],
    context: LookupContext,
    options: CallOptions = {},
  ): Promise<Map<string, CrmRecord[]>> {
    const answer = new Map<string, CrmRecord[]>();
    const { lookupsPerCall } = await this.transport.limits(options);
    for (const part of chunks(numbers, lookupsPerCall)) {
      const { matches } = await this.transport.request<{ matches: Record<string, ApiRecord[]> }>(
        {
          method: 'POST',
          path: '/lookups',
          body: { phones: part, defaultRegion: context.defaultRegion, types: this.types() },
          write: false,
        },
        options,
      );
      for (const { key } of part) answer.set(key, (matches[key] ?? []).map(toCrmRecord));
    }
    return answer;
  }

  async search(query: string, context: LookupContext): Promise<CrmRecord[]> {
    const { records } = await this.transport.request<{ records: ApiRecord[] }>({
      method: 'POST',
      path: '/searches',
      body: { query, defaultRegion: context.defaultRegion, types: this.types() },
      write: false,
    });
    return records.map(toCrmRecord);
  }

  async createRecord(record: NewRecord): Promise<CrmRecord> {
    this.checkType(record.type);
    const created = await this.transport.request<ApiRecord>({
      method: 'POST',
      path: '/records',
      body: record,
      write: true,
    });
    return toCrmRecord(created);
  }

  async card(ref: { type: RecordType; id: string }): Promise<RecordCard> {
    this.checkType(ref.type);
    const { record, latestNotes } = await this.transport.request<{
      record: ApiRecord;
      latestNotes: { id: string; title: string; excerpt: string; createdAt: string }[];
    }>({
      method: 'GET',
      path: `/records/${encodeURIComponent(ref.type)}/${encodeURIComponent(ref.id)}`,
      write: false,
    });
    return {
      ...toCrmRecord(record),
      company: record.company,
      owner: undefined,
      email: record.email,
      leadStatus: record.type === 'lead' ? (record.converted ? 'Converted' : 'Open') : undefined,
      openDeals: [],
      latestNotes: latestNotes.map((note) => ({ ...note, createdAt: new Date(note.createdAt) })),
    };
  }

  async upsertDayTranscripts(
    batch: readonly TranscriptUpsert[],
    options: CallOptions = {},
  ): Promise<TranscriptResult[]> {
    const results: TranscriptResult[] = [];
    const { transcriptsPerCall } = await this.transport.limits(options);
    const parts = chunks(batch, Math.min(transcriptsPerCall, this.capabilities.maxBatchRecords));
    for (const [index, part] of parts.entries()) {
      let answer: { results: ApiItemResult[] };
      try {
        answer = await this.transport.request<{ results: ApiItemResult[] }>(
          {
            method: 'PUT',
            path: '/transcripts',
            // Upserted by key, so a repeat after a lost answer (uncertain) updates what it left.
            body: {
              transcripts: part.map(({ write }) => ({
                key: write.key,
                record: write.record,
                day: write.day,
                title: write.content.header,
                text: renderText(write.content),
                messageCount: write.messageCount,
              })),
            },
            write: true,
          },
          options,
        );
      } catch (error) {
        // The calls that went through keep their answers; this one's items and those not sent yet
        // fail with its error (a CRM asking to slow down is not sent more), to be retried.
        if (!(error instanceof CrmError) || results.length === 0) throw error;
        for (const _unsent of parts.slice(index).flat()) results.push({ ok: false, error });
        break;
      }
      for (const item of answer.results) {
        results.push(
          item.ok
            ? { ok: true, ref: { id: item.id, related: {} } }
            : { ok: false, error: new CrmError({ kind: 'rejected', ...item.error, vendorAnswer: item }) },
        );
      }
    }
    return results;
  }

  async uploadAttachment(upload: AttachmentUpload, options: CallOptions = {}): Promise<{ id: string }> {
    if (upload.sizeBytes > this.capabilities.maxAttachmentBytes) {
      throw new CrmError({
        kind: 'rejected',
        code: 'FILE_TOO_LARGE',
        message: `${upload.fileName} is too large.`,
      });
    }
    const parts: Uint8Array[] = [];
    for await (const part of upload.open()) parts.push(part);
    const { id } = await this.transport.request<{ id: string }>(
      {
        method: 'POST',
        path: '/attachments',
        // Keyed: a second upload of the key answers the first one's id.
        body: {
          key: upload.key,
          transcriptId: upload.transcript.id,
          record: upload.record,
          fileName: upload.fileName,
          mimeType: upload.mimeType,
          base64: Buffer.concat(parts).toString('base64'),
        },
        write: true,
      },
      options,
    );
    return { id };
  }

  async deleteWritten(
    objects: readonly WrittenObject[],
    options: CallOptions = {},
  ): Promise<DeletionResult[]> {
    const { results } = await this.transport.request<{ results: { ok: true; alreadyGone: boolean }[] }>(
      { method: 'POST', path: '/deletions', body: { objects }, write: true },
      options,
    );
    return results.map((result) => ({ ok: true, alreadyGone: result.alreadyGone }));
  }

  private types(): RecordType[] {
    return this.capabilities.leads ? ['contact', 'lead'] : ['contact'];
  }

  private checkType(type: RecordType): void {
    if (type === 'lead' && !this.capabilities.leads) {
      throw new CrmError({ kind: 'rejected', code: 'NO_LEADS', message: 'This CRM has no leads.' });
    }
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let start = 0; start < items.length; start += size) parts.push(items.slice(start, start + size));
  return parts;
}

function toCrmRecord(record: ApiRecord): CrmRecord {
  return {
    type: record.type,
    id: record.id,
    name: record.name,
    phones: [...record.phones],
    url: `reference://records/${record.id}`,
  };
}
