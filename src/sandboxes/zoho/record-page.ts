import type { FastifyInstance } from 'fastify';
import { attachmentsOf } from './attachments.js';
import { dealsOf } from './deals.js';
import type { ModuleName } from './fields.js';
import type { ZohoOrg } from './org.js';
import { recordView } from './record-writes.js';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/**
 * `GET /crm/org/{orgId}/tab/{module}/{id}`: the record as a person sees it in Zoho's UI (the URL
 * shape of a record page), with its fields, Notes (newest first), Attachments (file name, attached
 * by, date added, size) and a contact's deals. For "Open in CRM" in the demo; no sign-in.
 */
export function recordPageRoutes(org: ZohoOrg, orgId: string) {
  return async (app: FastifyInstance) => {
    app.get<{ Params: { orgId: string; module: string; id: string } }>(
      '/crm/org/:orgId/tab/:module/:id',
      async (request, reply) => {
        const { module, id } = request.params;
        const record = request.params.orgId === orgId ? org.find(module as ModuleName, id) : undefined;
        reply.type('text/html; charset=utf-8');
        if (!record)
          return reply.status(404).send('<!doctype html><title>Not found</title><h1>No such record</h1>');
        const view = recordView(record);
        const fields = Object.entries(view)
          .filter(([, value]) => typeof value === 'string' && value !== '')
          .map(
            ([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(String(value))}</td></tr>`,
          )
          .join('');
        const notes = [...org.notes.values()]
          .filter((note) => note.parent.id === id)
          .sort((a, b) => b.createdAt - a.createdAt)
          .map(
            (note) =>
              `<article class="note"><h3>${escapeHtml(note.title)}</h3><pre>${escapeHtml(note.content)}</pre><small>${new Date(note.modifiedAt).toISOString()}</small></article>`,
          )
          .join('');
        const attachments = attachmentsOf(org, record.module, id)
          .map(
            (attachment) =>
              `<tr><td>${escapeHtml(attachment.fileName)}</td><td>Sandbox User</td><td>${new Date(attachment.createdAt).toISOString()}</td><td>${attachment.bytes.length}</td></tr>`,
          )
          .join('');
        const deals =
          record.module === 'Contacts'
            ? dealsOf(org, id)
                .map(
                  (deal) =>
                    `<li><a href="/crm/org/${escapeHtml(orgId)}/tab/Deals/${deal.id}">${escapeHtml(String(deal.fields.Deal_Name ?? deal.id))}</a></li>`,
                )
                .join('')
            : '';
        return reply.send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(String(view.Full_Name ?? view.Deal_Name ?? id))} · Zoho sandbox</title></head>
<body style="font-family: sans-serif; max-width: 48rem; margin: 2rem auto">
<p><small>${escapeHtml(record.module)} · Zoho CRM sandbox</small></p>
<h1>${escapeHtml(String(view.Full_Name ?? view.Deal_Name ?? id))}</h1>
<table>${fields}</table>
<h2>Notes</h2>${notes || '<p>No notes.</p>'}
<h2>Attachments</h2>
<table><tr><th>File Name</th><th>Attached By</th><th>Date Added</th><th>Size</th></tr>${attachments}</table>
${record.module === 'Contacts' ? `<h2>Deals</h2><ul>${deals}</ul>` : ''}
</body></html>`);
      },
    );
  };
}
