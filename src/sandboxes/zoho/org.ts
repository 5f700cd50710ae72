import type { ModuleName } from './fields.js';

/** The one user of the sandbox org: owner and author of everything written through the API. */
export const SANDBOX_USER = { name: 'Sandbox User', id: '4876819000000000101', email: 'sandbox@wasync.test' };

export interface StoredRecord {
  id: string;
  module: ModuleName;
  fields: Record<string, unknown>;
  createdAt: number;
  modifiedAt: number;
  /** Leads only: converted leads are hidden from the API, as Zoho hides them. */
  converted?: { contactId: string; at: number };
  /** What search sees: snapshots of the fields, each visible from `visibleAt` (the index lag). */
  indexed: { visibleAt: number; fields: Record<string, unknown> }[];
}

export interface StoredNote {
  id: string;
  parent: { module: ModuleName; id: string };
  title: string;
  content: string;
  createdAt: number;
  modifiedAt: number;
}

export interface StoredAttachment {
  id: string;
  parent: { module: ModuleName; id: string };
  fileName: string;
  bytes: Buffer;
  /** The upload part's Content-Type, answered again on download. */
  contentType: string | undefined;
  createdAt: number;
  /** A link attachment (`attachmentUrl`) has a URL and no bytes. */
  linkUrl?: string;
}

/** Zoho's time format: ISO 8601 to the second with an offset (crm-oas attachment examples). */
export function zohoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/**
 * An org's data, in memory. Ids are 19-digit strings past JavaScript's safe integers, as Zoho's are
 * (crm-oas examples such as `2876819000001935002`; the schemas type ids as strings, pattern ^[0-9]+$).
 */
export class ZohoOrg {
  records = new Map<string, StoredRecord>();
  notes = new Map<string, StoredNote>();
  attachments = new Map<string, StoredAttachment>();
  private sequence = 0;

  constructor(
    private readonly clock: () => number,
    private readonly searchIndexLagMs: number,
  ) {}

  nextId(): string {
    this.sequence += 1;
    return `4876819000${String(1_000_000 + this.sequence).padStart(9, '0')}`;
  }

  now(): number {
    return this.clock();
  }

  insert(module: ModuleName, fields: Record<string, unknown>, at = this.clock()): StoredRecord {
    const record: StoredRecord = {
      id: this.nextId(),
      module,
      fields: { ...fields },
      createdAt: at,
      modifiedAt: at,
      indexed: [],
    };
    this.records.set(record.id, record);
    this.reindex(record);
    return record;
  }

  update(record: StoredRecord, fields: Record<string, unknown>): void {
    Object.assign(record.fields, fields);
    record.modifiedAt = this.clock();
    this.reindex(record);
  }

  /** A live record of the module (converted leads are gone from the API). */
  find(module: ModuleName, id: string): StoredRecord | undefined {
    const record = this.records.get(id);
    if (!record || record.module !== module || record.converted) return undefined;
    return record;
  }

  /**
   * Deletes a record as a person does in the CRM's UI: it goes to the recycle bin, gone from the API,
   * and its notes and attachments with it (Zoho CRM Help, "Deleting records"; unverified for the API).
   */
  remove(id: string): boolean {
    if (!this.records.delete(id)) return false;
    for (const [noteId, note] of this.notes) if (note.parent.id === id) this.notes.delete(noteId);
    for (const [fileId, file] of this.attachments) if (file.parent.id === id) this.attachments.delete(fileId);
    return true;
  }

  live(module: ModuleName): StoredRecord[] {
    return [...this.records.values()].filter((record) => record.module === module && !record.converted);
  }

  /** The fields search sees now: the newest snapshot whose lag has passed, if any. */
  searchView(record: StoredRecord): Record<string, unknown> | undefined {
    const now = this.clock();
    let view: Record<string, unknown> | undefined;
    for (const snapshot of record.indexed) if (snapshot.visibleAt <= now) view = snapshot.fields;
    return view;
  }

  private reindex(record: StoredRecord): void {
    record.indexed.push({ visibleAt: this.clock() + this.searchIndexLagMs, fields: { ...record.fields } });
  }

  reset(): void {
    this.records.clear();
    this.notes.clear();
    this.attachments.clear();
    this.sequence = 0;
  }
}
