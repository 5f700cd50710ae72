import { notFound, SalesforceError } from '../errors.js';
import { newSalesforceId, toId18 } from '../ids.js';
import type { FieldDef, FieldValue, SObjectDef } from '../schema/types.js';
import { type SchemaLookup, schemaForUser } from './field-security.js';
import { formatDateTime } from './field-values.js';
import { applyInput, auditFields, requireFields } from './record-input.js';
import { SchemaRegistry } from './schema-registry.js';

export interface StoredRecord {
  readonly type: string;
  readonly id: string;
  fields: Record<string, FieldValue>;
}

/** Who writes and how: API writes obey createable/updateable; seeding may set audit fields. */
export interface WriteContext {
  userId: string;
  seeding?: boolean;
}

/** Per-type side effects that a real org runs on save (content documents, links). */
export interface RecordTriggers {
  /** Runs after validation and before anything is saved, so it may still refuse the write. */
  beforeSave?(store: OrgStore, change: PendingChange): void;
  afterInsert?(store: OrgStore, record: StoredRecord, ctx: WriteContext): void;
  afterUpdate?(store: OrgStore, record: StoredRecord, ctx: WriteContext): void;
  beforeDelete?(store: OrgStore, record: StoredRecord): void;
}

export interface PendingChange {
  record: StoredRecord;
  /** Decoded base64 fields of this write, by field name. */
  blobs: Map<string, Buffer>;
  inserting: boolean;
}

interface Snapshot {
  records: Map<string, Map<string, StoredRecord>>;
  blobs: Map<string, Buffer>;
  autoNumbers: Map<string, number>;
}

/**
 * The org's data, in memory. Records are kept per type because a ContentNote and its ContentDocument
 * share one id. Every write validates like the org does and throws SalesforceError.
 */
export class OrgStore {
  readonly schema = new SchemaRegistry();
  private records = new Map<string, Map<string, StoredRecord>>();
  private blobs = new Map<string, Buffer>();
  private autoNumbers = new Map<string, number>();

  constructor(
    private readonly clock: () => number,
    private readonly triggers: ReadonlyMap<string, RecordTriggers>,
  ) {}

  all(type: string): StoredRecord[] {
    return [...(this.records.get(type)?.values() ?? [])];
  }

  find(type: string, id: string): StoredRecord | undefined {
    const id18 = toId18(id);
    return id18 === undefined ? undefined : this.records.get(type)?.get(id18);
  }

  /**
   * The record for a REST path. Like an org, a segment that is not an id of this object is taken for
   * an external id field name, hence the second message.
   */
  require(type: string, id: string): StoredRecord {
    const record = this.find(type, id);
    if (record) return record;
    const def = this.schema.require(type);
    if (toId18(id) !== undefined && id.startsWith(def.keyPrefix)) throw notFound();
    throw notFound(`Provided external ID field does not exist or is not accessible: ${id}`);
  }

  /** The canonical object name of an existing record, by its key prefix. */
  typeOf(id: string): string | undefined {
    const def = this.schema.byKeyPrefix(id.slice(0, 3));
    return def && this.find(def.name, id) ? def.name : undefined;
  }

  blob(id: string, field: string): Buffer | undefined {
    return this.blobs.get(`${id}/${field}`);
  }

  setBlob(id: string, field: string, data: Buffer): void {
    this.blobs.set(`${id}/${field}`, data);
  }

  /** The objects and fields as `userId` sees them through field-level security. */
  schemaFor(userId: string): SchemaLookup {
    return schemaForUser(this.schema, (type) => this.all(type), userId);
  }

  insert(type: string, input: Record<string, unknown>, ctx: WriteContext): StoredRecord {
    const def = this.writableDef(type, ctx);
    const id = newSalesforceId(def.keyPrefix);
    const record: StoredRecord = { type: def.name, id, fields: {} };
    const blobs = applyInput(def, record.fields, input, this.inputOptions(ctx, true));
    for (const field of def.fields) {
      if (field.name in record.fields) continue;
      if (field.defaultValue !== undefined) record.fields[field.name] = field.defaultValue;
      else if (field.autoNumberFormat) {
        record.fields[field.name] = this.nextAutoNumber(def.name, field.autoNumberFormat);
      }
    }
    const audit = auditFields(def, {
      now: formatDateTime(this.clock()),
      userId: ctx.userId,
      inserting: true,
    });
    // Seeds may bring their own audit values; API writes cannot (applyInput refused them).
    record.fields = { ...audit, ...record.fields, Id: id };
    requireFields(def, record.fields, blobs, true);
    this.assertUnique(def, record);
    const triggers = this.triggers.get(def.name);
    triggers?.beforeSave?.(this, { record, blobs, inserting: true });
    for (const [field, data] of blobs) this.setBlob(id, field, data);
    this.bucket(def.name).set(id, record);
    triggers?.afterInsert?.(this, record, ctx);
    this.triggers.get('*')?.afterInsert?.(this, record, ctx);
    return record;
  }

  update(type: string, id: string, input: Record<string, unknown>, ctx: WriteContext): StoredRecord {
    const def = this.writableDef(type, ctx);
    const current = this.require(def.name, id);
    const next: StoredRecord = { ...current, fields: { ...current.fields } };
    const blobs = applyInput(def, next.fields, input, this.inputOptions(ctx, false));
    requireFields(def, next.fields, blobs, false);
    this.assertUnique(def, next);
    this.triggers.get(def.name)?.beforeSave?.(this, { record: next, blobs, inserting: false });
    const audit = auditFields(def, {
      now: formatDateTime(this.clock()),
      userId: ctx.userId,
      inserting: false,
    });
    current.fields = { ...next.fields, ...audit };
    for (const [field, data] of blobs) this.setBlob(current.id, field, data);
    this.triggers.get(def.name)?.afterUpdate?.(this, current, ctx);
    this.triggers.get('*')?.afterUpdate?.(this, current, ctx);
    return current;
  }

  remove(type: string, id: string): void {
    const def = this.schema.require(type);
    const record = this.require(def.name, id);
    this.triggers.get(def.name)?.beforeDelete?.(this, record);
    this.triggers.get('*')?.beforeDelete?.(this, record);
    this.discard(def.name, record.id);
  }

  /**
   * Saves a record the org creates on its own (the ContentDocument behind a note or file), skipping
   * API validation; audit fields and an id are filled in when absent.
   */
  putSystemRecord(type: string, fields: Record<string, FieldValue>, userId: string): StoredRecord {
    const def = this.schema.require(type);
    const id = typeof fields.Id === 'string' ? fields.Id : newSalesforceId(def.keyPrefix);
    const audit = auditFields(def, { now: formatDateTime(this.clock()), userId, inserting: true });
    const record: StoredRecord = { type: def.name, id, fields: { ...audit, ...fields, Id: id } };
    this.bucket(def.name).set(id, record);
    return record;
  }

  /** Drops a record without triggers, for cascades that already know what to remove. */
  discard(type: string, id: string): void {
    this.records.get(type)?.delete(id);
    for (const key of this.blobs.keys()) if (key.startsWith(`${id}/`)) this.blobs.delete(key);
  }

  /** Records of a type whose external id matches, ignoring case as a non-case-sensitive unique field does. */
  findByExternalId(def: SObjectDef, field: FieldDef, value: string): StoredRecord[] {
    if (field.type === 'id') {
      const record = this.find(def.name, value);
      return record ? [record] : [];
    }
    const wanted = value.toLowerCase();
    return this.all(def.name).filter((r) => String(r.fields[field.name] ?? '').toLowerCase() === wanted);
  }

  /** A point to roll back to, for allOrNone composite and collection calls. */
  snapshot(): Snapshot {
    const records = new Map<string, Map<string, StoredRecord>>();
    for (const [type, bucket] of this.records) {
      records.set(type, new Map([...bucket].map(([id, r]) => [id, { ...r, fields: { ...r.fields } }])));
    }
    return { records, blobs: new Map(this.blobs), autoNumbers: new Map(this.autoNumbers) };
  }

  restore(snapshot: Snapshot): void {
    this.records = snapshot.records;
    this.blobs = snapshot.blobs;
    this.autoNumbers = snapshot.autoNumbers;
  }

  reset(): void {
    this.schema.reset();
    this.restore({ records: new Map(), blobs: new Map(), autoNumbers: new Map() });
  }

  private bucket(type: string): Map<string, StoredRecord> {
    let bucket = this.records.get(type);
    if (!bucket) {
      bucket = new Map();
      this.records.set(type, bucket);
    }
    return bucket;
  }

  private nextAutoNumber(type: string, format: string): string {
    const n = (this.autoNumbers.get(type) ?? 0) + 1;
    this.autoNumbers.set(type, n);
    return format.replace(/\{(0+)\}/, (_, zeros: string) => String(n).padStart(zeros.length, '0'));
  }

  /** API writes see only the fields their user may see; seeding sees them all. */
  private writableDef(type: string, ctx: WriteContext): SObjectDef {
    return ctx.seeding ? this.schema.require(type) : this.schemaFor(ctx.userId).require(type);
  }

  private inputOptions(ctx: WriteContext, inserting: boolean) {
    return { inserting, seeding: ctx.seeding === true, resolveType: (id: string) => this.typeOf(id) };
  }

  private assertUnique(def: SObjectDef, record: StoredRecord): void {
    for (const field of def.fields) {
      const value = record.fields[field.name];
      if (!field.unique || value === null || value === undefined) continue;
      const clash = this.findByExternalId(def, field, String(value)).find((r) => r.id !== record.id);
      if (clash) {
        throw new SalesforceError({
          status: 400,
          errorCode: 'DUPLICATE_VALUE',
          message: `duplicate value found: ${field.name} duplicates value on record with id: ${clash.id}`,
          fields: [],
        });
      }
    }
  }
}
