import { createHash } from 'node:crypto';
import { badRequest } from '../errors.js';
import type { FieldValue } from '../schema/types.js';
import type { OrgStore, PendingChange, RecordTriggers, StoredRecord } from './org-store.js';

const FILE_TYPES: Record<string, string> = {
  jpg: 'JPG',
  jpeg: 'JPG',
  png: 'PNG',
  gif: 'GIF',
  pdf: 'PDF',
  txt: 'TEXT',
  csv: 'CSV',
  mp3: 'MP3',
  mp4: 'MP4',
  ogg: 'UNKNOWN',
  opus: 'UNKNOWN',
  html: 'HTML',
  zip: 'ZIP',
};

/**
 * Named entities an org takes in a note: the XML ones, as String.escapeXml writes them. Any other,
 * `&apos;` and `&eacute;` included, makes the insert fail (D. Reed, "Importing Notes in Salesforce" and
 * DMRNoteAttachmentImporter: "Other entities, including &apos;, result in an exception"); numeric
 * references are fine. The ContentNote Object Reference only says special characters "must be escaped".
 */
const NOTE_ENTITIES: ReadonlySet<string> = new Set(['amp', 'lt', 'gt', 'quot']);

/** A bare `<`, `>` or `&` in the text, or a named entity the org does not take. */
function hasUnescapedText(html: string): boolean {
  const text = html.replace(/<\/?[A-Za-z][^<>]*>/g, '');
  if (/[<>]/.test(text) || /&(?![A-Za-z][A-Za-z0-9]*;|#\d+;|#x[0-9A-Fa-f]+;)/.test(text)) return true;
  return [...text.matchAll(/&([A-Za-z][A-Za-z0-9]*);/g)].some(([, name]) => !NOTE_ENTITIES.has(name ?? ''));
}

/**
 * The org stores a note's HTML without newlines. Plain text must arrive HTML-escaped; the org refuses a
 * bare `&` or `<` and named entities besides the XML ones, with the message of Salesforce Help article
 * 000232870 ("ContentNote insert error"); the error code is the sandbox's best guess (unverified).
 */
function normalizeNote(store: OrgStore, change: PendingChange): void {
  const { record, blobs } = change;
  const content = blobs.get('Content') ?? (change.inserting ? Buffer.alloc(0) : undefined);
  if (content !== undefined) {
    const html = content.toString('utf8').replace(/[\r\n]/g, '');
    if (hasUnescapedText(html)) {
      throw badRequest(
        'FIELD_INTEGRITY_EXCEPTION',
        "Note can't be saved because it contains HTML tags or unescaped characters that are not allowed in a Note.",
        ['Content'],
      );
    }
    const stored = Buffer.from(html, 'utf8');
    blobs.set('Content', stored);
    record.fields.ContentSize = stored.length;
    record.fields.TextPreview = plainText(html).slice(0, 255);
    record.fields.FileType = 'SNOTE';
  }
  if (!change.inserting) {
    const document = store.find('ContentDocument', record.id);
    if (document) document.fields.Title = record.fields.Title ?? null;
  }
}

const contentNote: RecordTriggers = {
  beforeSave: normalizeNote,
  afterInsert(store, note, ctx) {
    const content = store.blob(note.id, 'Content') ?? Buffer.alloc(0);
    const title = note.fields.Title ?? null;
    const version = store.putSystemRecord(
      'ContentVersion',
      {
        Title: title,
        PathOnClient: `${String(title)}.snote`,
        FileType: 'SNOTE',
        ContentSize: content.length,
        IsLatest: true,
        ContentLocation: 'S',
        Origin: 'C',
        VersionNumber: '1',
        Checksum: createHash('md5').update(content).digest('hex'),
        ContentDocumentId: note.id,
      },
      ctx.userId,
    );
    store.setBlob(version.id, 'VersionData', content);
    note.fields.LatestPublishedVersionId = version.id;
    createDocument(
      store,
      {
        Id: note.id,
        Title: title,
        FileType: 'SNOTE',
        ContentSize: content.length,
        LatestPublishedVersionId: version.id,
      },
      ctx.userId,
    );
  },
  beforeDelete(store, note) {
    deleteDocument(store, note.id);
  },
};

const contentVersion: RecordTriggers = {
  beforeSave(store, { record, blobs, inserting }) {
    if (!inserting) return;
    const data = blobs.get('VersionData') ?? Buffer.alloc(0);
    const path = String(record.fields.PathOnClient ?? '');
    const base = path.split(/[\\/]/).pop() ?? path;
    const dot = base.lastIndexOf('.');
    const extension = dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
    record.fields.FileExtension = extension || null;
    record.fields.FileType = FILE_TYPES[extension] ?? (extension ? extension.toUpperCase() : 'UNKNOWN');
    record.fields.Title ??= dot > 0 ? base.slice(0, dot) : base;
    record.fields.ContentSize = data.length;
    // The org's Checksum is the MD5 of the bytes, which lets a client spot a re-upload of the same file.
    record.fields.Checksum = createHash('md5').update(data).digest('hex');
    const document = record.fields.ContentDocumentId;
    const earlier = store
      .all('ContentVersion')
      .filter((v) => document && v.fields.ContentDocumentId === document);
    record.fields.VersionNumber = String(earlier.length + 1);
    record.fields.IsLatest = true;
  },
  afterInsert(store, version, ctx) {
    const existing = version.fields.ContentDocumentId;
    if (typeof existing === 'string') {
      for (const older of store.all('ContentVersion')) {
        if (older.fields.ContentDocumentId === existing && older.id !== version.id)
          older.fields.IsLatest = false;
      }
      const document = store.find('ContentDocument', existing);
      if (document) Object.assign(document.fields, documentFields(version));
      return;
    }
    const document = createDocument(store, documentFields(version), ctx.userId);
    version.fields.ContentDocumentId = document.id;
    const location = version.fields.FirstPublishLocationId;
    if (typeof location === 'string' && location !== document.fields.OwnerId) {
      store.putSystemRecord(
        'ContentDocumentLink',
        { ContentDocumentId: document.id, LinkedEntityId: location, ShareType: 'I', Visibility: 'AllUsers' },
        ctx.userId,
      );
    }
  },
};

const contentDocumentLink: RecordTriggers = {
  beforeSave(store, { record, inserting }) {
    if (!inserting) return;
    const { ContentDocumentId: document, LinkedEntityId: entity } = record.fields;
    const clash = store
      .all('ContentDocumentLink')
      .some((l) => l.fields.ContentDocumentId === document && l.fields.LinkedEntityId === entity);
    if (clash) {
      throw badRequest(
        'DUPLICATE_VALUE',
        `Document with ID: ${String(document)} is already linked with the entity with ID: ${String(entity)}`,
        ['LinkedEntityId'],
      );
    }
  },
};

const contentDocument: RecordTriggers = {
  beforeDelete(store, document) {
    deleteDocument(store, document.id);
  },
};

/** Deleting any record removes the file links that pointed at it, as the org does. */
const anyRecord: RecordTriggers = {
  beforeDelete(store, record) {
    for (const link of store.all('ContentDocumentLink')) {
      if (link.fields.LinkedEntityId === record.id) store.discard('ContentDocumentLink', link.id);
    }
  },
};

function documentFields(version: StoredRecord): Record<string, FieldValue> {
  const { Title, FileType, FileExtension, ContentSize } = version.fields;
  return {
    Title: Title ?? null,
    FileType: FileType ?? null,
    FileExtension: FileExtension ?? null,
    ContentSize: ContentSize ?? null,
    LatestPublishedVersionId: version.id,
  };
}

/** A new document is always shared with its owner (ShareType I), besides any record it is published to. */
function createDocument(store: OrgStore, fields: Record<string, FieldValue>, userId: string): StoredRecord {
  const document = store.putSystemRecord('ContentDocument', fields, userId);
  store.putSystemRecord(
    'ContentDocumentLink',
    { ContentDocumentId: document.id, LinkedEntityId: userId, ShareType: 'I', Visibility: 'AllUsers' },
    userId,
  );
  return document;
}

function deleteDocument(store: OrgStore, documentId: string): void {
  for (const type of ['ContentDocumentLink', 'ContentVersion']) {
    for (const r of store.all(type)) if (r.fields.ContentDocumentId === documentId) store.discard(type, r.id);
  }
  store.discard('ContentDocument', documentId);
  store.discard('ContentNote', documentId);
}

/** The triggers by object name; `*` runs for every object. */
export const CONTENT_TRIGGERS: ReadonlyMap<string, RecordTriggers> = new Map([
  ['ContentNote', contentNote],
  ['ContentVersion', contentVersion],
  ['ContentDocumentLink', contentDocumentLink],
  ['ContentDocument', contentDocument],
  ['*', anyRecord],
]);

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };

/** A note's text as Salesforce previews it: blocks become line breaks, tags go, entities are decoded. */
function plainText(html: string): string {
  return html
    .replace(/<(br|\/p|\/div|\/li|\/h[1-6])\b[^<>]*>/gi, '\n')
    .replace(/<\/?[A-Za-z][^<>]*>/g, '')
    .replace(/&(#x[0-9A-Fa-f]+|#\d+|[A-Za-z]+);/g, (entity, name: string) => {
      if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
      if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
      return ENTITIES[name] ?? entity;
    })
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*/g, '\n')
    .trim();
}
