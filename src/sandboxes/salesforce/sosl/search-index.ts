/**
 * The org's search index as far as `IN PHONE FIELDS` needs it: the digits of every phone field of every
 * record, written asynchronously after the record, as Salesforce does.
 *
 * What it models, from Salesforce's documentation:
 * - Indexing lags writes. "Best Practices for Deployments with Large Data Volumes", Search
 *   Architecture: "After a searchable object's record is created or updated, it could take about 15
 *   minutes or more for the updated text to become searchable." A write becomes searchable
 *   `lagMs` after its SystemModstamp; until then a search still sees what the record held before
 *   (nothing, for a new record). Seeds that bring an old SystemModstamp are searchable at once.
 * - Search finds records in the index, then reads them from the database ("the result set is then
 *   used to query the records from the database"): a deleted record is never answered, and the fields
 *   answered are the record's current ones even where the index is older.
 *
 * What is unverified: how the index tokenises a phone field. Salesforce documents only that "the
 * search engine splits record information separated by spaces or punctuation into separate tokens"
 * (SOSL reference, FIND {SearchQuery}) and that `IN PHONE FIELDS` searches "only phone number
 * fields". How it normalises phone digits (a country code, a trunk prefix, partial numbers) is not
 * documented. The sandbox indexes each phone field as one token, the string of its digits with all
 * punctuation dropped (`+55 (11) 98765-4321` is `5511987654321`), and a search term matches when its
 * own digits equal that token (wildcards `*` and `?` stand for digits). It does not match digit groups
 * alone, suffixes, or a number with its country code against one stored without it: an adapter must
 * search for each digit string a number may be stored under, and confirm what it finds. Also
 * unverified: a write an allOrNone call rolled back still reaches the sandbox's index (search then
 * answers only records that exist, with their current fields).
 */
import type { OrgStore, RecordTriggers, StoredRecord } from '../store/org-store.js';

/** What the index holds of one record: its type and the digit string of each non-empty phone field. */
export interface IndexedRecord {
  type: string;
  phoneDigits: string[];
}

interface PendingEntry {
  id: string;
  /** When the write happened (its SystemModstamp); it becomes searchable `lagMs` later. */
  at: number;
  /** What the write left; undefined for a delete. */
  indexed: IndexedRecord | undefined;
}

export class SearchIndex {
  private indexed = new Map<string, IndexedRecord>();
  private pending: PendingEntry[] = [];

  constructor(
    private readonly lagMs: number,
    private readonly clock: () => number,
  ) {}

  /** Store triggers that queue every write of a record with phone fields for indexing. */
  triggers(): RecordTriggers {
    return {
      afterInsert: (store, record) => this.queue(store, record),
      afterUpdate: (store, record) => this.queue(store, record),
      beforeDelete: (_store, record) => {
        this.pending.push({ id: record.id, at: this.clock(), indexed: undefined });
      },
    };
  }

  /** The records as the index holds them now: every write older than the lag applied, in order. */
  searchable(): ReadonlyMap<string, IndexedRecord> {
    const due = this.clock() - this.lagMs;
    const later: PendingEntry[] = [];
    for (const entry of this.pending) {
      if (entry.at > due) later.push(entry);
      else if (entry.indexed) this.indexed.set(entry.id, entry.indexed);
      else this.indexed.delete(entry.id);
    }
    this.pending = later;
    return this.indexed;
  }

  reset(): void {
    this.indexed.clear();
    this.pending = [];
  }

  private queue(store: OrgStore, record: StoredRecord): void {
    const def = store.schema.find(record.type);
    const phoneFields = def?.fields.filter((field) => field.type === 'phone') ?? [];
    if (phoneFields.length === 0) return;
    const phoneDigits = phoneFields
      .map((field) => String(record.fields[field.name] ?? '').replace(/\D/g, ''))
      .filter((digits) => digits !== '');
    const stamp = Date.parse(String(record.fields.SystemModstamp ?? ''));
    const at = Number.isNaN(stamp) ? this.clock() : stamp;
    // Writes arrive in time order except seeds with their own past stamps; keep the queue sorted.
    const entry: PendingEntry = { id: record.id, at, indexed: { type: record.type, phoneDigits } };
    const after = this.pending.findIndex((pending) => pending.at > at);
    if (after === -1) this.pending.push(entry);
    else this.pending.splice(after, 0, entry);
  }
}

/** The store's triggers with the index's added to those that run for every object (`*`). */
export function withSearchIndexing(
  triggers: ReadonlyMap<string, RecordTriggers>,
  index: SearchIndex,
): ReadonlyMap<string, RecordTriggers> {
  const base = triggers.get('*') ?? {};
  const indexing = index.triggers();
  const combined: RecordTriggers = {
    ...base,
    afterInsert: (store, record, ctx) => {
      base.afterInsert?.(store, record, ctx);
      indexing.afterInsert?.(store, record, ctx);
    },
    afterUpdate: (store, record, ctx) => {
      base.afterUpdate?.(store, record, ctx);
      indexing.afterUpdate?.(store, record, ctx);
    },
    beforeDelete: (store, record) => {
      base.beforeDelete?.(store, record);
      indexing.beforeDelete?.(store, record);
    },
  };
  return new Map([...triggers, ['*', combined]]);
}
