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

export interface ReferenceAttachment {
  id: string;
  key: string;
  transcriptId: string;
  record: { type: RecordType; id: string };
  fileName: string;
  mimeType: string;
  bytes: Uint8Array;
}

/**
 * The state of an in-memory CRM: what the reference destination reads and writes, and what a test
 * inspects. Nothing here is shared between instances.
 */
export class ReferenceCrm {
  private readonly records = new Map<string, ReferenceRecord>();
  private readonly transcripts = new Map<string, ReferenceTranscript>();
  private readonly attachments = new Map<string, ReferenceAttachment>();
  private sequence = 0;
  /** Calls made into this CRM, by method name. */
  readonly calls = new Map<string, number>();

  /** The API key a connection must present; the connection test reports any other. */
  constructor(readonly apiKey = 'reference-key') {}

  /** Forgets every record, transcript, file and call count. */
  reset(): void {
    this.records.clear();
    this.transcripts.clear();
    this.attachments.clear();
    this.calls.clear();
  }

  nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}${String(this.sequence).padStart(6, '0')}`;
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

  putTranscript(transcript: ReferenceTranscript): void {
    this.transcripts.set(transcript.id, transcript);
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
