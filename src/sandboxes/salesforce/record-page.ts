import type { FastifyInstance, FastifyReply } from 'fastify';
import { toId18 } from './ids.js';
import type { SandboxOrg } from './org.js';
import { readField } from './record-view.js';
import type { FieldDef, FieldValue, SObjectDef } from './schema/types.js';
import type { StoredRecord } from './store/org-store.js';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/**
 * A record's page in Lightning Experience: `/lightning/r/{objectApiName}/{recordId}/view`, the URL of
 * the `standard__recordPage` page reference (Lightning Web Components Developer Guide, "PageReference
 * Types": record page, `actionName` `view`), on the org's `*.lightning.force.com` host. Off Salesforce
 * the host stays the instance URL's, so the sandbox answers the path itself.
 */
export const recordPagePath = (object: string, id: string) =>
  `/lightning/r/${encodeURIComponent(object)}/${encodeURIComponent(id)}/view`;

/**
 * A file's download link: `/sfc/servlet.shepherd/version/download/{ContentVersionId}`, what Lightning's
 * Download button opens. Salesforce does not document the servlet (cropredysfdc.com, "Download multiple
 * ContentVersion files as zip", reads it from the UI and notes it is unsupported and for ContentVersion
 * only); the sandbox serves one version per id.
 */
export const fileDownloadPath = (versionId: string) => `/sfc/servlet.shepherd/version/download/${versionId}`;

/**
 * What a person opens on the org, beside the API, for "Open in CRM" in the demo: a record's page with
 * its fields, the related lists of custom objects that look it up (the WhatsApp Chats wasync writes,
 * each with its transcript and files), the notes and files linked to it (ContentDocumentLink), and a
 * contact's opportunities; and a file's download link. No sign-in: the sandbox is local, and these
 * pages are for people, never for the adapter. An unknown object, an id that is not one of its
 * records, or a malformed id answers an HTML 404.
 */
export function recordPageRoutes(org: SandboxOrg) {
  return async (app: FastifyInstance) => {
    app.get<{ Params: { object: string; id: string } }>(
      '/lightning/r/:object/:id/view',
      async (request, reply) => {
        const def = org.store.schema.find(request.params.object);
        const record = def && findRecord(def, request.params.id);
        if (!def || !record) return notFoundPage(reply, 'No such record');
        return reply.type('text/html; charset=utf-8').send(recordPage(def, record));
      },
    );
    app.get<{ Params: { id: string } }>(fileDownloadPath(':id'), async (request, reply) => {
      const version = org.store.find('ContentVersion', request.params.id);
      const bytes = version && org.store.blob(version.id, 'VersionData');
      if (!version || !bytes) return notFoundPage(reply, 'No such file');
      const name = String(version.fields.PathOnClient ?? version.fields.Title ?? version.id);
      return reply
        .type('application/octet-stream')
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`)
        .send(bytes);
    });
  };

  function findRecord(def: SObjectDef, id: string): StoredRecord | undefined {
    const id18 = toId18(id);
    if (id18 === undefined || !id18.startsWith(def.keyPrefix)) return undefined;
    return org.store.find(def.name, id18);
  }

  function recordPage(def: SObjectDef, record: StoredRecord): string {
    const title = nameOf(def, record);
    const sections = [
      `<h2>Details</h2>${fieldTable(def, record, (f) => !SYSTEM_FIELDS.has(f.name))}`,
      ...childLists(def, record),
      ...(def.name === 'Contact' ? [opportunities(record)] : []),
      ...(def.name === 'ContentDocument' ? [versions(record)] : []),
      ...(isContent(def) ? [] : [notes(record), files(record)]),
      `<h2>System Information</h2>${fieldTable(def, record, (f) => SYSTEM_FIELDS.has(f.name) && f.name !== 'IsDeleted' && f.name !== 'SystemModstamp')}`,
    ];
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} | ${escapeHtml(def.label)} | Salesforce sandbox</title></head>
<body style="font-family: sans-serif; max-width: 56rem; margin: 2rem auto">
<p><small>${escapeHtml(def.label)} · Salesforce sandbox (org ${escapeHtml(org.orgId)})</small></p>
<h1>${escapeHtml(title)}</h1>
${sections.join('\n')}
</body></html>`;
  }

  /** The record's fields in describe order, the empty ones and blobs left out, lookups as links. */
  function fieldTable(def: SObjectDef, record: StoredRecord, shown: (field: FieldDef) => boolean): string {
    const rows = def.fields
      .filter((field) => field.type !== 'base64' && shown(field))
      .map((field) => [field, readField(org.store, record, field, org.options.apiVersion)] as const)
      .filter(([, value]) => value !== null && value !== '')
      .map(
        ([field, value]) =>
          `<tr><th style="text-align: left">${escapeHtml(field.label)}</th><td${field.type === 'textarea' ? ' style="white-space: pre-wrap"' : ''}>${shownValue(field, value)}</td></tr>`,
      );
    return `<table>${rows.join('')}</table>`;
  }

  function shownValue(field: FieldDef, value: FieldValue): string {
    if (field.type === 'reference' && typeof value === 'string') return linkTo(value);
    if (typeof value === 'boolean') return value ? 'Yes' : 'No';
    return escapeHtml(String(value));
  }

  /** A link to the page of the record with this id, by its name; the bare id when it is not in the org. */
  function linkTo(id: string): string {
    const type = org.store.typeOf(id);
    const def = type === undefined ? undefined : org.store.schema.find(type);
    const record = def && org.store.find(def.name, id);
    if (!def || !record) return escapeHtml(id);
    return `<a href="${escapeHtml(recordPagePath(def.name, record.id))}">${escapeHtml(nameOf(def, record))}</a>`;
  }

  /**
   * One related list per custom object lookup to this record (WhatsApp Chats by Contact__c or Lead__c),
   * newest first by Last_Message_At__c or CreatedDate: each row's name links to its page, then its
   * fields, the long text (the transcript) unfolded, and its files with their download links.
   */
  function childLists(def: SObjectDef, record: StoredRecord): string[] {
    const lists: string[] = [];
    for (const child of org.store.schema.list().filter((o) => o.custom)) {
      const lookups = child.fields.filter((f) => f.type === 'reference' && f.referenceTo?.includes(def.name));
      if (lookups.length === 0) continue;
      const rows = org.store
        .all(child.name)
        .filter((r) => lookups.some((f) => r.fields[f.name] === record.id))
        .sort((a, b) => sortKey(b).localeCompare(sortKey(a)) || b.id.localeCompare(a.id));
      const items = rows.map((row) => {
        const shown = child.fields.filter((f) => f.name.endsWith('__c') && !lookups.includes(f));
        const long = shown.filter((f) => f.type === 'textarea');
        const short = shown
          .filter((f) => f.type !== 'textarea')
          .map((f) => [f, readField(org.store, row, f, org.options.apiVersion)] as const)
          .filter(([, value]) => value !== null && value !== '')
          .map(([f, value]) => `${escapeHtml(f.label)}: ${shownValue(f, value)}`);
        const text = long
          .map((f) => [f, row.fields[f.name]] as const)
          .filter(([, value]) => typeof value === 'string' && value !== '')
          .map(
            ([f, value]) =>
              `<details open><summary>${escapeHtml(f.label)}</summary><div style="white-space: pre-wrap">${escapeHtml(String(value))}</div></details>`,
          );
        const rowFiles = linkedFiles(row.id);
        return `<article class="related-record">
<h3>${linkTo(row.id)}</h3>
<p>${short.join(' · ')}</p>
${text.join('\n')}
${rowFiles.length > 0 ? `<p>Files:</p><ul>${rowFiles.join('')}</ul>` : ''}
</article>`;
      });
      lists.push(
        `<section class="related-list"><h2>${escapeHtml(child.labelPlural)} (${rows.length})</h2>${items.join('\n') || `<p>No ${escapeHtml(child.labelPlural)}.</p>`}</section>`,
      );
    }
    return lists;
  }

  /** The contact's opportunities: by Opportunity.ContactId, or a contact role on them. */
  function opportunities(contact: StoredRecord): string {
    const viaRoles = new Set(
      org.store
        .all('OpportunityContactRole')
        .filter((r) => r.fields.ContactId === contact.id)
        .map((r) => r.fields.OpportunityId),
    );
    const rows = org.store
      .all('Opportunity')
      .filter((o) => o.fields.ContactId === contact.id || viaRoles.has(o.id))
      .map(
        (o) =>
          `<li>${linkTo(o.id)}${o.fields.StageName ? ` · ${escapeHtml(String(o.fields.StageName))}` : ''}</li>`,
      );
    return `<section class="related-list"><h2>Opportunities (${rows.length})</h2>${rows.length > 0 ? `<ul>${rows.join('')}</ul>` : '<p>No opportunities.</p>'}</section>`;
  }

  /** Notes (ContentNote) linked to the record, newest first, as text: the org keeps them as HTML. */
  function notes(record: StoredRecord): string {
    const items = linkedDocuments(record.id)
      .map((documentId) => org.store.find('ContentNote', documentId))
      .filter((note): note is StoredRecord => note !== undefined)
      .sort((a, b) => String(b.fields.CreatedDate).localeCompare(String(a.fields.CreatedDate)))
      .map((note) => {
        const html = org.store.blob(note.id, 'Content')?.toString('utf8') ?? '';
        return `<article class="note">
<h3>${escapeHtml(String(note.fields.Title ?? '')) || '<i>(no title)</i>'}</h3>
<div style="white-space: pre-wrap">${escapeHtml(noteText(html))}</div>
<small>Created ${escapeHtml(String(note.fields.CreatedDate ?? ''))}</small>
</article>`;
      });
    return `<section class="related-list"><h2>Notes (${items.length})</h2>${items.join('\n') || '<p>No notes.</p>'}</section>`;
  }

  /** Files (ContentDocument, notes left out) linked to the record, with their download links. */
  function files(record: StoredRecord): string {
    const items = linkedFiles(record.id);
    return `<section class="related-list"><h2>Files (${items.length})</h2>${items.length > 0 ? `<ul>${items.join('')}</ul>` : '<p>No files.</p>'}</section>`;
  }

  function linkedFiles(recordId: string): string[] {
    return linkedDocuments(recordId)
      .map((documentId) => org.store.find('ContentDocument', documentId))
      .filter((d): d is StoredRecord => d !== undefined && d.fields.FileType !== 'SNOTE')
      .map((document) => {
        const version = document.fields.LatestPublishedVersionId;
        const size =
          typeof document.fields.ContentSize === 'number' ? shownSize(document.fields.ContentSize) : '';
        const download =
          typeof version === 'string'
            ? ` · <a href="${escapeHtml(fileDownloadPath(version))}" download>Download</a>`
            : '';
        return `<li>${linkTo(document.id)} · ${escapeHtml(String(document.fields.FileType ?? ''))} · ${size}${download}</li>`;
      });
  }

  /** A file's versions, newest first, each with its download link. */
  function versions(document: StoredRecord): string {
    const items = org.store
      .all('ContentVersion')
      .filter((v) => v.fields.ContentDocumentId === document.id)
      .sort((a, b) => Number(b.fields.VersionNumber) - Number(a.fields.VersionNumber))
      .map(
        (v) =>
          `<li>Version ${escapeHtml(String(v.fields.VersionNumber ?? ''))} · ${escapeHtml(String(v.fields.PathOnClient ?? ''))} · <a href="${escapeHtml(fileDownloadPath(v.id))}" download>Download</a></li>`,
      );
    return `<section class="related-list"><h2>Versions (${items.length})</h2><ul>${items.join('')}</ul></section>`;
  }

  function linkedDocuments(recordId: string): string[] {
    return org.store
      .all('ContentDocumentLink')
      .filter((link) => link.fields.LinkedEntityId === recordId)
      .map((link) => String(link.fields.ContentDocumentId));
  }

  /** What the record is called on its page: Name (an autonumber on a chat), a file's Title, else its id. */
  function nameOf(def: SObjectDef, record: StoredRecord): string {
    const nameField = def.fields.find((f) => f.name === 'Name') ?? def.fields.find((f) => f.name === 'Title');
    const value = nameField ? readField(org.store, record, nameField, org.options.apiVersion) : null;
    return typeof value === 'string' && value !== '' ? value : record.id;
  }
}

/**
 * The fields a record page keeps for its System Information section, as Lightning's page layouts
 * do: who owns it, who made and last changed it, and when, plus its id.
 */
const SYSTEM_FIELDS: ReadonlySet<string> = new Set([
  'Id',
  'IsDeleted',
  'CreatedDate',
  'CreatedById',
  'LastModifiedDate',
  'LastModifiedById',
  'SystemModstamp',
  'OwnerId',
]);

function notFoundPage(reply: FastifyReply, message: string) {
  return reply
    .status(404)
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head><body><h1>${escapeHtml(message)}</h1></body></html>`,
    );
}

function isContent(def: SObjectDef): boolean {
  return def.name.startsWith('Content');
}

function sortKey(record: StoredRecord): string {
  return String(record.fields.Last_Message_At__c ?? record.fields.CreatedDate ?? '');
}

/** A note's stored HTML as the text a person reads: paragraphs and breaks as lines, entities decoded. */
export function noteText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(Number.parseInt(code, 16)))
    .replace(/&(lt|gt|quot|apos|amp);/g, (_, name: string) =>
      name === 'lt' ? '<' : name === 'gt' ? '>' : name === 'quot' ? '"' : name === 'apos' ? "'" : '&',
    )
    .trim();
}

/** A size as the Files list shows it: bytes under 1 KB, else KB or MB to one decimal. */
function shownSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
