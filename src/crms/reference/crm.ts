import type { CountryCode } from '../../core/phone.js';
import { numberToFind } from '../../core/phone-lookup.js';
import type { RecordType } from '../types.js';

/** A record the reference CRM holds. */
export interface ReferenceRecord {
  type: RecordType;
  id: string;
  name: string;
  phones: string[];
  company: string | undefined;
  email: string | undefined;
  /** Leads only: a converted lead is no longer found by a lookup. */
  converted: boolean;
  createdAt: Date;
}

/**
 * A day's transcript as the reference CRM holds it: one per key where the destination writes keys as
 * external ids; in marker mode (a CRM without them) the key is not stored and the text carries a marker.
 */
export interface ReferenceTranscript {
  id: string;
  key: string | undefined;
  record: { type: RecordType; id: string };
  day: string;
  title: string;
  text: string;
  messageCount: number;
  /** Files that came with the transcript (a destination attaching them inline). */
  files: { key: string; fileName: string; mimeType: string; bytes: Uint8Array }[];
  /** How many times the key was written: 1 after the first write, more after updates in place. */
  writes: number;
  updatedAt: Date;
}

/**
 * A day's transcript as a destination writes it: in place over the transcript `id` names, else over
 * the one stored under `key`, else as a new one (marker mode writes no key).
 */
export type ReferenceTranscriptWrite = Pick<
  ReferenceTranscript,
  'key' | 'record' | 'day' | 'title' | 'text' | 'messageCount' | 'files'
> & { id?: string | undefined };

/** One write's answer, per item as the API gives it. */
export type ReferenceWriteResult =
  | { ok: true; id: string; created: boolean }
  | { ok: false; error: { code: string; message: string } };

export interface ReferenceAttachment {
  id: string;
  key: string;
  transcriptId: string;
  record: { type: RecordType; id: string };
  fileName: string;
  mimeType: string;
  bytes: Uint8Array;
}

/** What one request to the reference CRM may carry; past it the CRM refuses the whole request. */
export interface ReferenceLimits {
  /** Transcripts written by one request. */
  batchRecords: number;
  /** Numbers looked up by one request. */
  lookupNumbers: number;
  /** Bytes of one file. */
  attachmentBytes: number;
}

export const DEFAULT_REFERENCE_LIMITS: ReferenceLimits = {
  batchRecords: 50,
  lookupNumbers: 20,
  attachmentBytes: 25 * 1024 * 1024,
};

/**
 * A failure a test makes the CRM answer: a rate limit (429), the server unavailable (503), the API key
 * no longer taken (401), each with a Retry-After when given; or `lost-answer`, a request done in full
 * whose answer never reaches the caller.
 */
export type ReferenceFault =
  | { kind: 'rate-limit' | 'unavailable'; retryAfterSeconds?: number | undefined }
  | { kind: 'unauthorized' | 'lost-answer' };

/** The CRM's answer to a request it refuses, as an HTTP API would give it. */
export class ReferenceRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The Retry-After header, in delay-seconds, when the CRM sends one. */
    readonly retryAfter: string | undefined = undefined,
  ) {
    super(message);
    this.name = 'ReferenceRefusal';
  }
}

/** The request was done, and then the connection dropped before its answer arrived. */
export class ReferenceAnswerLost extends Error {
  constructor(call: string) {
    super(`the connection closed before ${call} answered`);
    this.name = 'ReferenceAnswerLost';
  }
}

/**
 * The state of an in-memory CRM: what the reference destination reads and writes, and what a test
 * inspects. Nothing here is shared between instances.
 */
export class ReferenceCrm {
  private readonly records = new Map<string, ReferenceRecord>();
  private readonly transcripts = new Map<string, ReferenceTranscript>();
  private readonly attachments = new Map<string, ReferenceAttachment>();
  private faults: { fault: ReferenceFault; after: number; times: number }[] = [];
  private sequence = 0;
  /** Calls made into this CRM, by method name. */
  readonly calls = new Map<string, number>();
  readonly limits: ReferenceLimits;

  /** The API key a connection must present; the connection test reports any other. */
  constructor(
    readonly apiKey = 'reference-key',
    limits: Partial<ReferenceLimits> = {},
  ) {
    this.limits = { ...DEFAULT_REFERENCE_LIMITS, ...limits };
  }

  /** Forgets every record, transcript, file, queued fault and call count. */
  reset(): void {
    this.records.clear();
    this.transcripts.clear();
    this.attachments.clear();
    this.faults = [];
    this.calls.clear();
  }

  /**
   * Makes the next `times` requests (default 1) fail as `fault`, once `after` more (default 0) have
   * been answered. Queued faults apply in order.
   */
  failNext(fault: ReferenceFault, options: { after?: number; times?: number } = {}): void {
    this.faults.push({ fault, after: options.after ?? 0, times: options.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /**
   * One request: counted, refused as a queued fault or past the CRM's limits, else done by `work`,
   * whose answer a `lost-answer` fault then withholds. `size` is what the request carries.
   */
  request<T>(
    call: string,
    work: () => T,
    size: { records?: number; numbers?: number; bytes?: number } = {},
  ): T {
    this.count(call);
    const fault = this.takeFault();
    if (fault && fault.kind !== 'lost-answer') throw refusalOf(fault);
    this.checkLimits(size);
    const answer = work();
    if (fault?.kind === 'lost-answer') throw new ReferenceAnswerLost(call);
    return answer;
  }

  /** Marks a lead converted, as converting it into a new contact in the CRM's UI does. */
  convertLead(id: string): ReferenceRecord {
    const lead = this.records.get(id);
    if (lead?.type !== 'lead' || lead.converted) throw new Error(`no open lead ${id}`);
    lead.converted = true;
    return this.seed({ type: 'contact', name: lead.name, phones: [...lead.phones], email: lead.email });
  }

  /** Deletes a record as a person would in the CRM; what was written to it stays, as orphans. */
  deleteRecord(id: string): boolean {
    return this.records.delete(id);
  }

  nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}${String(this.sequence).padStart(6, '0')}`;
  }

  private takeFault(): ReferenceFault | undefined {
    const next = this.faults[0];
    if (!next) return undefined;
    if (next.after > 0) {
      next.after -= 1;
      return undefined;
    }
    next.times -= 1;
    if (next.times <= 0) this.faults.shift();
    return next.fault;
  }

  private checkLimits(size: { records?: number; numbers?: number; bytes?: number }): void {
    const over = (what: string, given: number | undefined, limit: number) => {
      if (given !== undefined && given > limit)
        throw new ReferenceRefusal(
          413,
          'LIMIT_EXCEEDED',
          `At most ${limit} ${what} per request, not ${given}.`,
        );
    };
    over('records', size.records, this.limits.batchRecords);
    over('numbers', size.numbers, this.limits.lookupNumbers);
    if (size.bytes !== undefined && size.bytes > this.limits.attachmentBytes)
      throw new ReferenceRefusal(
        413,
        'FILE_TOO_LARGE',
        `Files hold at most ${this.limits.attachmentBytes} bytes.`,
      );
  }

  count(call: string): void {
    this.calls.set(call, (this.calls.get(call) ?? 0) + 1);
  }

  /** Adds a record as if a person had made it in the CRM. */
  seed(
    record: Partial<ReferenceRecord> & Pick<ReferenceRecord, 'type' | 'name' | 'phones'>,
  ): ReferenceRecord {
    const stored: ReferenceRecord = {
      id: record.id ?? this.nextId(record.type === 'contact' ? 'C' : 'L'),
      company: undefined,
      email: undefined,
      converted: false,
      createdAt: new Date(),
      ...record,
    };
    this.records.set(stored.id, stored);
    return stored;
  }

  /** A record made through the API: a lead without a company gets `Unknown`. */
  createRecord(record: { type: RecordType; name: string; phone: string; company?: string | undefined }) {
    return this.seed({
      type: record.type,
      name: record.name,
      phones: [record.phone],
      company: record.type === 'lead' ? record.company?.trim() || 'Unknown' : record.company,
    });
  }

  /** Records a call may see: converted leads never, leads only where the caller asks for them. */
  visible(types: readonly RecordType[]): ReferenceRecord[] {
    return this.allRecords().filter(
      (record) => types.includes(record.type) && !(record.type === 'lead' && record.converted),
    );
  }

  /** The records whose phones hold this number in any spelling: contacts first, then the oldest first. */
  holding(
    phone: string,
    defaultRegion: CountryCode | undefined,
    types: readonly RecordType[],
  ): ReferenceRecord[] {
    const wanted = numberToFind(phone);
    return this.visible(types)
      .filter((record) => record.phones.some((stored) => wanted.isHeldIn(stored, defaultRegion)))
      .sort(
        (a, b) => byType(a, b) || a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id),
      );
  }

  /** The records whose name holds `needle` (lower case): contacts first, then by name. */
  named(needle: string, types: readonly RecordType[]): ReferenceRecord[] {
    return this.visible(types)
      .filter((record) => record.name.toLowerCase().includes(needle))
      .sort((a, b) => byType(a, b) || a.name.localeCompare(b.name));
  }

  record(id: string): ReferenceRecord | undefined {
    return this.records.get(id);
  }

  allRecords(): ReferenceRecord[] {
    return [...this.records.values()];
  }

  /** The transcript stored under a key (external-id mode). */
  transcript(key: string): ReferenceTranscript | undefined {
    return this.allTranscripts().find((transcript) => transcript.key === key);
  }

  transcriptById(id: string): ReferenceTranscript | undefined {
    return this.transcripts.get(id);
  }

  allTranscripts(): ReferenceTranscript[] {
    return [...this.transcripts.values()];
  }

  /** The transcripts written to one record, oldest day first. */
  transcriptsOf(recordId: string): ReferenceTranscript[] {
    return this.allTranscripts()
      .filter((transcript) => transcript.record.id === recordId)
      .sort((a, b) => a.day.localeCompare(b.day));
  }

  /** The record's five latest notes, as its page lists them: newest first, a short excerpt each. */
  latestNotes(recordId: string): { id: string; title: string; excerpt: string; createdAt: Date }[] {
    return this.transcriptsOf(recordId)
      .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || b.day.localeCompare(a.day))
      .slice(0, 5)
      .map((transcript) => ({
        id: transcript.id,
        title: transcript.title,
        excerpt: transcript.text.slice(0, 200),
        createdAt: transcript.updatedAt,
      }));
  }

  putTranscript(transcript: ReferenceTranscript): void {
    this.transcripts.set(transcript.id, transcript);
  }

  /** Writes one day's transcript (see ReferenceTranscriptWrite); refused per item without its record. */
  writeTranscript(write: ReferenceTranscriptWrite): ReferenceWriteResult {
    const record = this.records.get(write.record.id);
    if (!record || record.type !== write.record.type) {
      return {
        ok: false,
        error: { code: 'RECORD_NOT_FOUND', message: `No ${write.record.type} ${write.record.id}.` },
      };
    }
    const previous =
      write.id !== undefined
        ? this.transcripts.get(write.id)
        : write.key !== undefined
          ? this.transcript(write.key)
          : undefined;
    const id = previous?.id ?? this.nextId('T');
    this.putTranscript({
      id,
      key: write.key,
      record: { type: write.record.type, id: write.record.id },
      day: write.day,
      title: write.title,
      text: write.text,
      messageCount: write.messageCount,
      files: write.files,
      writes: (previous?.writes ?? 0) + 1,
      updatedAt: new Date(),
    });
    return { ok: true, id, created: previous === undefined };
  }

  /** Deletes what a destination wrote; false where it was gone already. */
  deleteWritten(object: { kind: 'chat_record' | 'note' | 'file'; id: string }): boolean {
    // The reference CRM keeps no note beside a day's transcript: a note is always gone already.
    if (object.kind === 'chat_record') return this.deleteTranscript(object.id);
    return object.kind === 'file' ? this.deleteAttachment(object.id) : false;
  }

  deleteTranscript(id: string): boolean {
    return this.transcripts.delete(id);
  }

  attachment(key: string): ReferenceAttachment | undefined {
    return this.attachments.get(key);
  }

  allAttachments(): ReferenceAttachment[] {
    return [...this.attachments.values()];
  }

  putAttachment(attachment: ReferenceAttachment): void {
    this.attachments.set(attachment.key, attachment);
  }

  deleteAttachment(id: string): boolean {
    for (const [key, attachment] of this.attachments) {
      if (attachment.id === id) return this.attachments.delete(key);
    }
    return false;
  }
}

const byType = (a: ReferenceRecord, b: ReferenceRecord) =>
  a.type === b.type ? 0 : a.type === 'contact' ? -1 : 1;

function refusalOf(fault: Exclude<ReferenceFault, { kind: 'lost-answer' }>): ReferenceRefusal {
  const retryAfter = 'retryAfterSeconds' in fault ? fault.retryAfterSeconds : undefined;
  const header = retryAfter === undefined ? undefined : String(retryAfter);
  if (fault.kind === 'rate-limit')
    return new ReferenceRefusal(429, 'RATE_LIMITED', 'Too many requests.', header);
  if (fault.kind === 'unavailable')
    return new ReferenceRefusal(503, 'UNAVAILABLE', 'The CRM is unavailable.', header);
  return new ReferenceRefusal(401, 'INVALID_API_KEY', 'The API key is not accepted.');
}
