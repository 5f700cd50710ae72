import type { FastifyInstance } from 'fastify';
import { contactPage } from './contact-page.js';
import { dealPage } from './deal-page.js';
import { leadPage } from './lead-page.js';
import type { Portal } from './portal.js';

/** The record pages by the kind in their path, and what a missing record answers. */
const RECORD_PAGES = {
  contact: { render: contactPage, missing: 'No such contact' },
  lead: { render: leadPage, missing: 'No such lead' },
  deal: { render: dealPage, missing: 'No such deal' },
} as const;

/**
 * What a person opens on the portal, beside the REST API: a contact's, lead's or deal's page
 * (`/crm/{contact|lead|deal}/details/{id}/`, from "Open in CRM" and the card's deals) and a file's
 * download and view links, as the portal's answers give them (`DOWNLOAD_URL`, `urlDownload`:
 * `/disk/downloadFile/{id}/`, `/disk/showFile/{id}/`). No sign-in: the sandbox is local, and these
 * pages are for people, never for the adapter.
 */
export function pageRoutes(portal: Portal) {
  return async (app: FastifyInstance) => {
    for (const [kind, { render, missing }] of Object.entries(RECORD_PAGES)) {
      app.get<{ Params: { id: string } }>(`/crm/${kind}/details/:id/`, async (request, reply) => {
        const page = render(portal, Number(request.params.id));
        if (page === undefined) return reply.status(404).type('text/plain').send(missing);
        return reply.type('text/html; charset=utf-8').send(page);
      });
    }
    for (const kind of ['downloadFile', 'showFile'] as const) {
      app.get<{ Params: { id: string } }>(`/disk/${kind}/:id/`, async (request, reply) => {
        const file = portal.files.get(Number(request.params.id));
        // A trashed file's links stop working (unverified, the stricter choice).
        if (!file || file.deletedAt !== undefined)
          return reply.status(404).type('text/plain').send('No such file');
        const disposition = kind === 'downloadFile' ? 'attachment' : 'inline';
        return reply
          .type('application/octet-stream')
          .header('content-disposition', `${disposition}; filename*=UTF-8''${encodeURIComponent(file.name)}`)
          .send(file.content);
      });
    }
  };
}
