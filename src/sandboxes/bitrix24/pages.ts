import type { FastifyInstance } from 'fastify';
import { contactPage } from './contact-page.js';
import type { Portal } from './portal.js';

/**
 * What a person opens on the portal, beside the REST API: a contact's page (`/crm/contact/details/{id}/`,
 * from "Open in CRM") and a file's download and view links, as the portal's answers give them
 * (`DOWNLOAD_URL`, `urlDownload`: `/disk/downloadFile/{id}/`, `/disk/showFile/{id}/`). No sign-in: the
 * sandbox is local, and these pages are for people, never for the adapter.
 */
export function pageRoutes(portal: Portal) {
  return async (app: FastifyInstance) => {
    app.get<{ Params: { id: string } }>('/crm/contact/details/:id/', async (request, reply) => {
      const page = contactPage(portal, Number(request.params.id));
      if (page === undefined) return reply.status(404).type('text/plain').send('No such contact');
      return reply.type('text/html; charset=utf-8').send(page);
    });
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
