/**
 * The destination contract: what the sync engine asks of a CRM. One implementation per CRM lives in
 * its own folder (transport.ts is the only place HTTP to the vendor happens; destination.ts implements
 * this interface; mapping.ts turns vendor JSON into these types). The engine never sees an HTTP client
 * or a vendor's JSON, and a destination never sees a WhatsApp source's types.
 */

import type { CountryCode } from '../core/phone.js';

/** A registered kind's name (src/crms/registry.ts): salesforce, and later zoho and bitrix24. */
export type CrmKind = string;

/** Which kind of record a chat partner is linked to (defined once, in core/model). */
import type { RecordType } from '../core/model.js';

export type { RecordType };

/** A CRM record as the engine and the mini-CRM card need it. Ids stay strings (Zoho's exceed 2^53). */
export interface CrmRecord {
  type: RecordType;
  id: string;
  name: string;
  /** The phone fields as the CRM holds them, in the CRM's own spelling. */
  phones: string[];
  /** Where a person opens the record in the CRM's UI. */
  url: string;
  /**
   * When the record was created in the CRM, where it says: of several records with one number, the
   * oldest is linked (ids do not sort by age in every CRM).
   */
  createdAt?: Date | undefined;
}

export interface RecordCard extends CrmRecord {
  company: string | undefined;
  owner: string | undefined;
  email: string | undefined;
  /** Lead status; undefined for contacts. */
  leadStatus: string | undefined;
  /** Open deals (opportunities); empty where the CRM has none or the record has none. */
  openDeals: {
    id: string;
    name: string;
    stage: string | undefined;
    amount: number | undefined;
    url: string;
  }[];
  /** The latest notes, newest first, at most five. */
  latestNotes: { id: string; title: string; excerpt: string; createdAt: Date }[];
}

export interface NewRecord {
  type: RecordType;
  /** From the WhatsApp push name or address-book name; the destination splits it as its CRM needs. */
  name: string;
  /** E.164. */
  phone: string;
  /** Leads need a company in most CRMs; the destination fills a placeholder when absent. */
  company?: string | undefined;
}

/** A piece of a transcript line: text, or a link a rich format makes clickable. */
export type TranscriptInline = string | { link: string };
export type TranscriptLine = TranscriptInline[];

/** One message of a day, as every format renders it. */
export interface TranscriptBlock {
  /** Local `HH:mm`. */
  time: string;
  sender: string;
  /** At least one line; the first follows the sender's name, the rest are continuation lines. */
  lines: TranscriptLine[];
}

/**
 * A chat-day's messages, structured: each destination renders them in its CRM's format (plain text,
 * note HTML, BBCode) with the helpers in kit/transcript-render.ts, so no CRM's markup leaks into the
 * engine and every format says the same thing.
 */
export interface TranscriptContent {
  /** `WhatsApp chat with Ana Souza (+55 11 98765 4321) — 2026-11-20`: the note's title and first line. */
  header: string;
  blocks: TranscriptBlock[];
}

/** A file that travels with its day's transcript, for destinations that attach files inline. */
export interface InlineAttachment {
  /** Stable key of the file on this record (the same key an upload after the transcript would have). */
  key: string;
  fileName: string;
  mimeType: string;
  sizeBytes: number;
  /** Who sent it and when (local `HH:mm` of the day, as the transcript shows): a destination that lists the day's files says so. */
  senderName: string;
  time: string;
  /** Opens the bytes from the start, a new stream each call. */
  open(): AsyncIterable<Uint8Array>;
}

/**
 * A file of the day that an inline destination does not get (larger than its maxAttachmentBytes): the
 * engine records the refusal once; the destination names it in the transcript, with why.
 */
export interface RefusedAttachment {
  fileName: string;
  sizeBytes: number;
  senderName: string;
  /** Local `HH:mm`. */
  time: string;
  reason: 'too_large';
}

/** One chat's transcript for one local day, written to one record. */
export interface DayTranscriptWrite {
  record: { type: RecordType; id: string };
  /**
   * Stable key of (connection, chat, record, day). A destination whose CRM has external ids stores it
   * as one; the others put `dayMarker(key)` (kit/day-marker.ts) in what they write and find it again
   * by that marker, so the same day is updated in place, never written twice, also after a crash.
   */
  key: string;
  day: string;
  chat: { kind: 'direct' | 'group'; title: string | undefined };
  content: TranscriptContent;
  messageCount: number;
  firstMessageAt: Date;
  lastMessageAt: Date;
  /**
   * The day's files, for a destination whose capabilities say `attachments: 'inline'` (each at most
   * its maxAttachmentBytes); empty for the others, which are handed files one by one after the day
   * is written.
   */
  attachments: InlineAttachment[];
  /** The day's files left out of `attachments` because the CRM does not take them (inline destinations). */
  refusedAttachments?: RefusedAttachment[] | undefined;
}

/** Where a written transcript lives in the CRM, to update it in place later. */
export interface TranscriptRef {
  /** The CRM id of the day record or note. */
  id: string;
  /** Further ids the destination needs to update in place (a Salesforce note beside the chat record). */
  related: Record<string, string>;
}

export interface TranscriptUpsert {
  write: DayTranscriptWrite;
  /** Where the previous sync put this day, if it did. */
  existing: TranscriptRef | undefined;
  /**
   * An earlier attempt may have reached the CRM without its answer reaching wasync (a crash or a
   * timeout mid-call): the destination looks for what that attempt left before creating anything
   * (by its key, or by its marker among the record's notes).
   */
  uncertain?: boolean | undefined;
}

export type TranscriptResult = { ok: true; ref: TranscriptRef } | { ok: false; error: CrmError };

export interface AttachmentUpload {
  /** The transcript the file belongs to (its day record, where the CRM has one). */
  transcript: TranscriptRef;
  record: { type: RecordType; id: string };
  /** Stable key of the attachment (connection, message, record): uploads are not repeated. */
  key: string;
  fileName: string;
  mimeType: string;
  sizeBytes: number;
  /** Opens the bytes from the start, a new stream each call (a destination may read them twice). */
  open(): AsyncIterable<Uint8Array>;
  description: string;
}

export interface DestinationCapabilities {
  /** Leads exist beside contacts. */
  leads: boolean;
  /** Open deals can be shown on the card. */
  deals: boolean;
  /** A transcript can be updated in place rather than appended. */
  updatableTranscripts: boolean;
  /** Largest file the destination accepts. */
  maxAttachmentBytes: number;
  /** Most records one batched call can write; the engine plans calls with it. */
  maxBatchRecords: number;
  /**
   * Where a day's files go: `after` its transcript is written, one uploadAttachment call each beside
   * the transcript's ref (Salesforce files on the chat record); or `inline`, handed over with the
   * transcript itself (a Bitrix24 timeline comment carries its files).
   */
  attachments: 'after' | 'inline';
  /**
   * How a day is found again: by its key stored as an external id (`external-id`), or by the marker
   * written into the note (`marker`), for CRMs whose notes have no field of the integration's own.
   */
  keys: 'external-id' | 'marker';
}

/**
 * Why a call failed, so the engine knows what to do: retry later (with Retry-After when the CRM said),
 * park the connection until a person fixes it (bad credentials, missing custom object), or give up on
 * this one write (the CRM refused this input).
 */
export type CrmFailureKind = 'retryable' | 'park' | 'rejected';

export class CrmError extends Error {
  readonly kind: CrmFailureKind;
  /** The CRM's own code, e.g. INVALID_SESSION_ID, REQUEST_LIMIT_EXCEEDED. */
  readonly code: string;
  readonly retryAfterMs: number | undefined;
  /** The CRM's own error answer, for the adapter that reads more from it than the code. */
  readonly vendorAnswer: unknown;
  /**
   * The request may have reached the CRM and done its work (a timeout, a connection cut after the
   * request went out, a server error on a write): a write is looked up before it is made again.
   */
  readonly outcomeUnknown: boolean;

  constructor(options: {
    kind: CrmFailureKind;
    code: string;
    message: string;
    retryAfterMs?: number | undefined;
    vendorAnswer?: unknown;
    outcomeUnknown?: boolean;
  }) {
    super(options.message);
    this.name = 'CrmError';
    this.kind = options.kind;
    this.code = options.code;
    this.retryAfterMs = options.retryAfterMs;
    this.vendorAnswer = options.vendorAnswer;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
  }
}

/**
 * The CRM refused a new record as a duplicate of records it holds (its duplicate rules block the
 * save): the user links one of `duplicates` instead.
 */
export class DuplicateRecordsError extends CrmError {
  readonly duplicates: CrmRecord[];

  constructor(options: { code: string; message: string; duplicates: CrmRecord[] }) {
    super({ kind: 'rejected', code: options.code, message: options.message });
    this.name = 'DuplicateRecordsError';
    this.duplicates = options.duplicates;
  }
}

/** A WhatsApp number to find in the CRM. */
export interface PhoneLookup {
  /** The caller's name for this number; the answer is keyed by it. */
  key: string;
  /** E.164, as WhatsApp identities hold it. */
  phone: string;
}

/** What a lookup needs to know of the workspace to read the numbers the CRM holds. */
export interface LookupContext {
  /**
   * The country of numbers stored without one (the workspace's default region, else the server's
   * WASYNC_DEFAULT_REGION): `07400 123456` is a British number only when this says GB.
   */
  defaultRegion: CountryCode | undefined;
}

/** What the engine may pass to a call that writes: a signal that cuts it and every request it makes. */
export interface CallOptions {
  /** Aborted when the run lost its lease: the destination stops at once and writes nothing more. */
  signal?: AbortSignal | undefined;
  /**
   * Called before each request the call makes; throws (the signal's reason) once the run may no
   * longer write, e.g. its lease ran out by the clock while the process was paused, before any timer
   * could notice.
   */
  beforeRequest?: (() => void) | undefined;
}

/** Something wasync wrote into the CRM, as the sync ledger's refs name it: what to delete on erasure. */
export interface WrittenObject {
  /** A day's chat record, the note written beside it, or a file uploaded to it. */
  kind: 'chat_record' | 'note' | 'file';
  /** The CRM id the ledger holds (for a file, the id its upload answered). */
  id: string;
}

/** One deletion's outcome: done (or found gone already), or why not. */
export type DeletionResult = { ok: true; alreadyGone: boolean } | { ok: false; error: CrmError };

/** What a connection test found: setup problems once signed in, or the CRM error that stopped it. */
export interface ConnectionCheck {
  problems: string[];
  failure: CrmError | undefined;
}

/** A connected CRM. Every method may throw CrmError; none returns partial success silently. */
export interface Destination {
  readonly kind: CrmKind;
  readonly capabilities: DestinationCapabilities;

  /** Checks credentials and setup; answers a readable problem list (empty when all is well). */
  test(): Promise<string[]>;

  /**
   * The same check, with `failure` set when the CRM refused the credentials or could not be reached
   * (rather than signed in and found setup left to do): the connection then needs attention. A
   * destination without it is judged by `test` alone.
   */
  check?(): Promise<ConnectionCheck>;

  /**
   * For each number, the contacts and leads (converted leads excluded) whose phone or mobile field
   * holds it in any spelling that reads as the same number with the context's default region, or as
   * one WhatsApp treats as the same (see numberToFind in core/phone-lookup); a number one digit off is
   * another number. Contacts first, then leads. The CRM's own search finds spellings no list of
   * exact spellings foresees; records younger than its search index are found by exact spellings.
   * Many numbers go in one call where the CRM allows, so the answer is keyed by each number's `key`;
   * a number with no record maps to an empty list.
   */
  findByPhones(
    numbers: readonly PhoneLookup[],
    context: LookupContext,
    options?: CallOptions,
  ): Promise<Map<string, CrmRecord[]>>;

  /**
   * Searches records for linking by hand: by name, or, when the query reads as a phone number (with the
   * context's default region), with the same lookup as findByPhones.
   */
  search(query: string, context: LookupContext): Promise<CrmRecord[]>;

  createRecord(record: NewRecord): Promise<CrmRecord>;

  card(record: { type: RecordType; id: string }): Promise<RecordCard>;

  /**
   * Creates or updates (by key) the transcripts of chat-days on records, as few calls as the CRM's
   * batch limits allow. Idempotent. Answers per item, in order: one refused item does not fail the rest.
   */
  upsertDayTranscripts(
    batch: readonly TranscriptUpsert[],
    options?: CallOptions,
  ): Promise<TranscriptResult[]>;

  /**
   * Uploads one file beside a transcript. Idempotent on the upload's key where the CRM allows. A file
   * larger than `capabilities.maxAttachmentBytes` (by its `sizeBytes`) is refused before its bytes are
   * read: CrmError rejected, code FILE_TOO_LARGE.
   */
  uploadAttachment(upload: AttachmentUpload, options?: CallOptions): Promise<{ id: string }>;

  /**
   * Deletes what wasync wrote (an erasure on request): chat records, notes and files, as few calls as
   * the CRM allows. Answers per object, in order; an object the CRM no longer has counts as deleted
   * (alreadyGone), and one refused does not stop the rest.
   */
  deleteWritten(objects: readonly WrittenObject[], options?: CallOptions): Promise<DeletionResult[]>;
}
