/**
 * What the reference destination asks of the reference CRM, call by call: the CRM's API as its
 * sandbox serves it (src/sandboxes/reference/README.md). Two backends answer it: the ReferenceCrm in
 * memory (memory-backend.ts) and the sandbox over HTTP (http-backend.ts). Every failure is a CrmError.
 */
import type { CountryCode } from '../../core/phone.js';
import type { CallOptions, NewRecord, PhoneLookup, RecordType, WrittenObject } from '../types.js';
import type { ReferenceAttachment, ReferenceRecord, ReferenceTranscriptWrite } from './crm.js';

/** A record as the CRM answers it. */
export type BackendRecord = Pick<ReferenceRecord, 'type' | 'id' | 'name' | 'phones' | 'createdAt'> &
  Partial<Pick<ReferenceRecord, 'company' | 'email' | 'converted'>>;

export interface BackendNote {
  id: string;
  title: string;
  excerpt: string;
  createdAt: Date;
}

/** A file to store beside a written transcript, keyed: a second upload of the key answers the first. */
export type BackendUpload = Omit<ReferenceAttachment, 'id'>;

export type BackendWriteResult =
  | { ok: true; id: string }
  | { ok: false; error: { code: string; message: string } };

export interface ReferenceBackend {
  /** What the destination plans with before asking the CRM: transcripts per call, bytes per file. */
  readonly plan: { batchRecords: number; attachmentBytes: number };
  /** The CRM's per-call limits. */
  limits(call?: CallOptions): Promise<{ lookupsPerCall: number; transcriptsPerCall: number }>;
  /** Whether the CRM takes the connection's API key; other failures throw. */
  acceptsKey(): Promise<boolean>;
  lookup(
    phones: readonly PhoneLookup[],
    defaultRegion: CountryCode | undefined,
    types: RecordType[],
    call?: CallOptions,
  ): Promise<Record<string, BackendRecord[]>>;
  search(
    query: string,
    defaultRegion: CountryCode | undefined,
    types: RecordType[],
  ): Promise<BackendRecord[]>;
  createRecord(record: NewRecord): Promise<BackendRecord>;
  card(ref: { type: RecordType; id: string }): Promise<{ record: BackendRecord; latestNotes: BackendNote[] }>;
  /** The transcripts on a record, to find a day again by the marker in its text. */
  transcriptsOf(
    record: { type: RecordType; id: string },
    call?: CallOptions,
  ): Promise<{ id: string; text: string }[]>;
  /** One call's transcript writes, answered per item in order. */
  writeTranscripts(writes: ReferenceTranscriptWrite[], call?: CallOptions): Promise<BackendWriteResult[]>;
  upload(upload: BackendUpload, call?: CallOptions): Promise<{ id: string }>;
  deleteWritten(objects: readonly WrittenObject[], call?: CallOptions): Promise<{ alreadyGone: boolean }[]>;
}
