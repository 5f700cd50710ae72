/**
 * What the portal's record pages (contact, lead, deal) have in common, for "Open in CRM" in the demo:
 * one layout (a heading, a table of fields, sections, the timeline) and the timeline itself, each
 * comment with its text and its files, newest first as the timeline lists them. The paths are the
 * portal's `/crm/{contact|lead|deal}/details/{id}/` (the paths Bitrix24's UI opens records at;
 * unverified: no REST page documents UI paths). No sign-in: the sandbox is local.
 */
import type { CrmEntity, EntityKind, Portal } from './portal.js';

export type PageKind = 'contact' | 'lead' | 'deal';

export const recordPagePath = (kind: PageKind, id: number | string) => `/crm/${kind}/details/${id}/`;

export const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

/** A row of the fields table; `href` makes its value a link to another page of the portal. */
export interface FieldRow {
  label: string;
  value: string;
  href?: string;
}

/** A person's name as the portal shows it: first and last name, else the record's number. */
export function personName(entity: CrmEntity, fallback: string): string {
  return (
    [entity.fields.NAME, entity.fields.LAST_NAME].filter(Boolean).join(' ') || `${fallback} #${entity.id}`
  );
}

/** The phones and e-mails of a contact or lead, a row each with its type (WORK, MOBILE, …). */
export function multifieldRows(entity: CrmEntity): FieldRow[] {
  return entity.multifields.map((m) => ({
    label: `${m.typeId === 'PHONE' ? 'Phone' : 'E-mail'} (${m.valueType})`,
    value: m.value,
  }));
}

/** The company an entity names in COMPANY_ID, if the portal has it. */
export function companyOf(portal: Portal, entity: CrmEntity): CrmEntity | undefined {
  const id = Number(entity.fields.COMPANY_ID);
  return Number.isInteger(id) ? portal.entity('company', id) : undefined;
}

/** A row linking to the contact an entity names in CONTACT_ID; none when it names none. */
export function contactRow(portal: Portal, entity: CrmEntity): FieldRow[] {
  const id = Number(entity.fields.CONTACT_ID);
  const contact = Number.isInteger(id) ? portal.entity('contact', id) : undefined;
  if (!contact) return [];
  return [{ label: 'Contact', value: personName(contact, 'Contact'), href: recordPagePath('contact', id) }];
}

/** The rows every record ends with: who is responsible, when it was made and last changed. */
export function ownershipRows(portal: Portal, entity: CrmEntity): FieldRow[] {
  return [
    { label: 'Responsible person', value: portal.userName(entity.assignedById) },
    { label: 'Created', value: when(entity.createdAt) },
    { label: 'Modified', value: when(entity.modifiedAt) },
  ];
}

export const link = (href: string, text: string) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;

function timeline(portal: Portal, kind: EntityKind, id: number): string {
  const comments = portal.commentsOf(kind, id).sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
  return comments
    .map((c) => {
      const files = c.fileIds
        .map((fileId) => portal.files.get(fileId))
        .filter((f) => f !== undefined)
        .map(
          (f) => `<li class="file">${link(portal.downloadUrl(f), f.name)} (${f.content.length} bytes)</li>`,
        )
        .join('');
      return `<article class="comment" data-id="${c.id}"><header>${escapeHtml(portal.userName(c.authorId))} · ${when(c.createdAt)}</header><pre>${escapeHtml(c.comment)}</pre>${files ? `<ul class="files">${files}</ul>` : ''}</article>`;
    })
    .join('\n');
}

/** A record's page: its heading, its fields, further sections (already HTML), then its timeline. */
export function renderRecordPage(page: {
  portal: Portal;
  entity: CrmEntity;
  /** What the record is, in the title: "Contact", "Lead", "Deal". */
  label: string;
  heading: string;
  rows: FieldRow[];
  sections?: { heading: string; html: string }[];
}): string {
  const heading = escapeHtml(page.heading);
  const rows = page.rows
    .map(
      (row) =>
        `<tr><th>${escapeHtml(row.label)}</th><td>${row.href ? link(row.href, row.value) : escapeHtml(row.value)}</td></tr>`,
    )
    .join('');
  const sections = (page.sections ?? [])
    .map((s) => `<h2>${escapeHtml(s.heading)}</h2>\n${s.html}\n`)
    .join('');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${heading} — ${escapeHtml(page.label)}</title></head>
<body>
<h1>${heading}</h1>
<table class="fields">${rows}</table>
${sections}<h2>Timeline</h2>
${timeline(page.portal, page.entity.kind, page.entity.id) || '<p>No comments yet</p>'}
</body></html>
`;
}
