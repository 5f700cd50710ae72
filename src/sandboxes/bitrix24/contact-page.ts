/**
 * The contact as a person sees it on the portal, for "Open in CRM" in the demo; no sign-in. The frame
 * serves it at the portal's contact URL shape `/crm/contact/details/{id}/` (the path Bitrix24's UI
 * opens a contact at; unverified: no REST page documents UI paths). It shows the contact's fields,
 * phones and emails, company, responsible person, deals, and its timeline: each comment with its text
 * and its files, newest first as the timeline lists them.
 */
import type { CrmEntity, Portal } from './portal.js';

export const contactPagePath = (id: number | string) => `/crm/contact/details/${id}/`;

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

function fullName(contact: CrmEntity): string {
  return (
    [contact.fields.NAME, contact.fields.LAST_NAME].filter(Boolean).join(' ') || `Contact #${contact.id}`
  );
}

/** The page's HTML, or undefined when the portal has no such contact. */
export function contactPage(portal: Portal, id: number): string | undefined {
  const contact = portal.entity('contact', id);
  if (!contact) return undefined;
  const companyId = Number(contact.fields.COMPANY_ID);
  const company = Number.isInteger(companyId) ? portal.entity('company', companyId) : undefined;
  const rows: [string, string][] = [
    ['First name', contact.fields.NAME ?? ''],
    ['Last name', contact.fields.LAST_NAME ?? ''],
    ...contact.multifields.map((m): [string, string] => [
      `${m.typeId === 'PHONE' ? 'Phone' : 'E-mail'} (${m.valueType})`,
      m.value,
    ]),
    ['Company', company?.fields.TITLE ?? ''],
    ['Responsible person', portal.userName(contact.assignedById)],
    ['Created', when(contact.createdAt)],
    ['Modified', when(contact.modifiedAt)],
  ];
  const deals = portal.all('deal').filter((d) => d.fields.CONTACT_ID === String(id));
  const comments = portal.commentsOf('contact', id).sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
  const timeline = comments
    .map((c) => {
      const files = c.fileIds
        .map((fileId) => portal.files.get(fileId))
        .filter((f) => f !== undefined)
        .map(
          (f) =>
            `<li class="file"><a href="${escapeHtml(portal.downloadUrl(f))}">${escapeHtml(f.name)}</a> (${f.content.length} bytes)</li>`,
        )
        .join('');
      return `<article class="comment" data-id="${c.id}"><header>${escapeHtml(portal.userName(c.authorId))} · ${when(c.createdAt)}</header><pre>${escapeHtml(c.comment)}</pre>${files ? `<ul class="files">${files}</ul>` : ''}</article>`;
    })
    .join('\n');
  const name = escapeHtml(fullName(contact));
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${name} — Contact</title></head>
<body>
<h1>${name}</h1>
<table class="fields">${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
<h2>Deals</h2>
<ul class="deals">${deals.map((d) => `<li>${escapeHtml(d.fields.TITLE ?? '')} · ${escapeHtml(d.fields.STAGE_ID ?? '')}</li>`).join('') || '<li>No deals</li>'}</ul>
<h2>Timeline</h2>
${timeline || '<p>No comments yet</p>'}
</body></html>
`;
}
