import type { FastifyInstance, FastifyReply } from 'fastify';
import { attachmentsOf } from './attachments.js';
import { dealsOf } from './deals.js';
import type { ModuleName } from './fields.js';
import type { ResolvedZohoOptions } from './options.js';
import { SANDBOX_USER, type StoredRecord, type ZohoOrg } from './org.js';
import { recordName, recordView } from './record-writes.js';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/**
 * The path of a record's page in Zoho's web UI: `/crm/org{zgid}/tab/{Module}/{id}`. Zoho's help
 * ("FAQs: Zoho User ID, User IDs and Org IDs in Zoho CRM") puts the org id in the UI's URL as
 * "org(numerical)", and the v8 org OAS gives `domain_name` as "org" and that number (e.g.
 * org694902300); `/tab/{Module}/{id}` after it is the record page as Zoho's UI links it (unverified:
 * no API document states the UI's paths).
 */
export const recordPagePath = (zgid: string, module: string, id: string) =>
  `/crm/org${zgid}/tab/${module}/${id}`;

/**
 * The record as a person sees it in Zoho's UI, for "Open in CRM" in the demo; no sign-in. It shows
 * the record's fields, its Notes (title, content with its line breaks, when it was added; newest
 * first), its Attachments related list (file name, attached by, date added, size) and a contact's
 * deals. It answers at Zoho's path shape, and at the older `/crm/org/{orgId}/tab/…` it used first.
 */
export function recordPageRoutes(org: ZohoOrg, options: ResolvedZohoOptions) {
  return async (app: FastifyInstance) => {
    app.get<{ Params: { zgid: string; module: string; id: string } }>(
      '/crm/org:zgid/tab/:module/:id',
      async (request, reply) => {
        const { zgid, module, id } = request.params;
        return page(reply, zgid === options.zgid ? org.find(module as ModuleName, id) : undefined);
      },
    );
    app.get<{ Params: { orgId: string; module: string; id: string } }>(
      '/crm/org/:orgId/tab/:module/:id',
      async (request, reply) => {
        const { orgId, module, id } = request.params;
        return page(reply, orgId === options.orgId ? org.find(module as ModuleName, id) : undefined);
      },
    );
  };

  function page(reply: FastifyReply, record: StoredRecord | undefined) {
    reply.type('text/html; charset=utf-8');
    if (!record)
      return reply.status(404).send('<!doctype html><title>Not found</title><h1>No such record</h1>');
    const title = recordName(record) || record.id;
    const fields = Object.entries(recordView(record))
      .filter(([, value]) => typeof value === 'string' && value !== '')
      .map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(String(value))}</td></tr>`)
      .join('');
    const notes = [...org.notes.values()]
      .filter((note) => note.parent.module === record.module && note.parent.id === record.id)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
      .map(
        (note) => `<article class="note">
<h3>${escapeHtml(note.title) || '<i>(no title)</i>'}</h3>
<div class="content" style="white-space: pre-wrap">${escapeHtml(note.content)}</div>
<small>Added <time datetime="${new Date(note.createdAt).toISOString()}">${shownTime(note.createdAt)}</time> by ${escapeHtml(SANDBOX_USER.name)}</small>
</article>`,
      )
      .join('');
    const attachments = attachmentsOf(org, record.module, record.id)
      .map(
        (attachment) =>
          `<tr><td>${escapeHtml(attachment.linkUrl ?? attachment.fileName)}</td><td>${escapeHtml(SANDBOX_USER.name)}</td><td><time datetime="${new Date(attachment.createdAt).toISOString()}">${shownTime(attachment.createdAt)}</time></td><td>${attachment.linkUrl ? '' : shownSize(attachment.bytes.length)}</td></tr>`,
      )
      .join('');
    const deals =
      record.module === 'Contacts'
        ? dealsOf(org, record.id)
            .map(
              (deal) =>
                `<li><a href="${recordPagePath(options.zgid, 'Deals', deal.id)}">${escapeHtml(String(deal.fields.Deal_Name ?? deal.id))}</a>${deal.fields.Stage ? ` · ${escapeHtml(String(deal.fields.Stage))}` : ''}</li>`,
            )
            .join('')
        : '';
    return reply.send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Zoho sandbox</title></head>
<body style="font-family: sans-serif; max-width: 48rem; margin: 2rem auto">
<p><small>${escapeHtml(record.module)} · ${escapeHtml(options.companyName)} · Zoho CRM sandbox</small></p>
<h1>${escapeHtml(title)}</h1>
<table>${fields}</table>
<h2>Notes</h2>${notes || '<p>No notes.</p>'}
<h2>Attachments</h2>
${attachments ? `<table><tr><th>File Name</th><th>Attached By</th><th>Date Added</th><th>Size</th></tr>${attachments}</table>` : '<p>No attachments.</p>'}
${record.module === 'Contacts' ? `<h2>Deals</h2>${deals ? `<ul>${deals}</ul>` : '<p>No deals.</p>'}` : ''}
</body></html>`);
  }
}

/** A time as a person reads it, in UTC to the minute: "2026-08-01 09:00 UTC". */
const shownTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** A size as the related list shows it: bytes under 1 KB, else KB or MB to one decimal. */
function shownSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
