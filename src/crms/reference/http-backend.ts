/**
 * The reference CRM sandbox over HTTP as the destination's backend: each call is a request of its
 * JSON API (src/sandboxes/reference/README.md) through the transport, which maps every failure to a
 * CrmError. Records and notes come back with their times as Dates.
 */
import { type CallOptions, CrmError, type RecordType } from '../types.js';
import type {
  BackendNote,
  BackendRecord,
  BackendUpload,
  BackendWriteResult,
  ReferenceBackend,
} from './backend.js';
import type { ReferenceTransport } from './transport.js';

/** A record or note as JSON carries it: its time as a string. */
type Dated<T extends { createdAt: Date }> = Omit<T, 'createdAt'> & { createdAt: string };

const dated = <T extends { createdAt: Date }>(item: Dated<T>): T =>
  ({ ...item, createdAt: new Date(item.createdAt) }) as T;

export class ReferenceHttpBackend implements ReferenceBackend {
  constructor(
    private readonly transport: ReferenceTransport,
    /** The engine's plan: transcripts per call (split further to the API's limit), bytes per file. */
    readonly plan: ReferenceBackend['plan'] = { batchRecords: 50, attachmentBytes: 25 * 1024 * 1024 },
  ) {}

  limits(call: CallOptions = {}) {
    return this.transport.limits(call);
  }

  async acceptsKey(): Promise<boolean> {
    try {
      await this.transport.request({ method: 'GET', path: '/account', write: false });
      return true;
    } catch (error) {
      if (error instanceof CrmError && error.kind === 'park') return false;
      throw error;
    }
  }

  async lookup(
    phones: Parameters<ReferenceBackend['lookup']>[0],
    defaultRegion: Parameters<ReferenceBackend['lookup']>[1],
    types: RecordType[],
    call: CallOptions = {},
  ) {
    const { matches } = await this.transport.request<{ matches: Record<string, Dated<BackendRecord>[]> }>(
      { method: 'POST', path: '/lookups', body: { phones, defaultRegion, types }, write: false },
      call,
    );
    return Object.fromEntries(Object.entries(matches).map(([key, records]) => [key, records.map(dated)]));
  }

  async search(query: string, defaultRegion: Parameters<ReferenceBackend['search']>[1], types: RecordType[]) {
    const { records } = await this.transport.request<{ records: Dated<BackendRecord>[] }>({
      method: 'POST',
      path: '/searches',
      body: { query, defaultRegion, types },
      write: false,
    });
    return records.map(dated);
  }

  async createRecord(record: Parameters<ReferenceBackend['createRecord']>[0]) {
    return dated(
      await this.transport.request<Dated<BackendRecord>>({
        method: 'POST',
        path: '/records',
        body: record,
        write: true,
      }),
    );
  }

  async card(ref: { type: RecordType; id: string }) {
    const { record, latestNotes } = await this.transport.request<{
      record: Dated<BackendRecord>;
      latestNotes: Dated<BackendNote>[];
    }>({ method: 'GET', path: recordPath(ref), write: false });
    return { record: dated(record), latestNotes: latestNotes.map(dated) };
  }

  async transcriptsOf(record: { type: RecordType; id: string }, call: CallOptions = {}) {
    const { transcripts } = await this.transport.request<{ transcripts: { id: string; text: string }[] }>(
      { method: 'GET', path: `${recordPath(record)}/transcripts`, write: false },
      call,
    );
    return transcripts;
  }

  async writeTranscripts(
    writes: Parameters<ReferenceBackend['writeTranscripts']>[0],
    call: CallOptions = {},
  ) {
    const { results } = await this.transport.request<{ results: BackendWriteResult[] }>(
      {
        method: 'PUT',
        path: '/transcripts',
        // Upserted by id or key, so a repeat after a lost answer (uncertain) updates what it left.
        body: {
          transcripts: writes.map(({ files, ...write }) => ({
            ...write,
            files: files.map(({ bytes, ...file }) => ({
              ...file,
              base64: Buffer.from(bytes).toString('base64'),
            })),
          })),
        },
        write: true,
      },
      call,
    );
    return results;
  }

  async upload({ bytes, ...upload }: BackendUpload, call: CallOptions = {}) {
    const { id } = await this.transport.request<{ id: string }>(
      {
        method: 'POST',
        path: '/attachments',
        // Keyed: a second upload of the key answers the first one's id.
        body: { ...upload, base64: Buffer.from(bytes).toString('base64') },
        write: true,
      },
      call,
    );
    return { id };
  }

  async deleteWritten(objects: Parameters<ReferenceBackend['deleteWritten']>[0], call: CallOptions = {}) {
    const { results } = await this.transport.request<{ results: { alreadyGone: boolean }[] }>(
      { method: 'POST', path: '/deletions', body: { objects }, write: true },
      call,
    );
    return results;
  }
}

function recordPath(ref: { type: RecordType; id: string }): string {
  return `/records/${encodeURIComponent(ref.type)}/${encodeURIComponent(ref.id)}`;
}
