import type { FastifyInstance } from 'fastify';
import { relatedIdInvalid, ZohoApiError } from './errors.js';
import { parentModule } from './notes.js';
import type { StoredAttachment, ZohoOrg } from './org.js';

/**
 * One attachment of a record, `/{module}/{id}/Attachments/{attachment_id}` (crm-oas v8.0/attachments,
 * getAttachmentById and deleteAttachment):
 *
 * - GET answers the file's bytes, 200, with the Content-Type it was uploaded with (the OAS lists
 *   application/octet-stream, image/png, image/jpeg, application/pdf) and a Content-Disposition
 *   naming the file (the header is among those the v8 download answer carries; its exact form,
 *   `attachment; filename="…"`, is unverified). An attachment id that is not the record's answers
 *   204 (the OAS: "No Content - Invalid attachment ID"); a link attachment 400 DOWNLOAD_NOT_ALLOWED
 *   (response-400-linkattachmenterror); an unknown record 400 INVALID_DATA "the related id given
 *   seems to be invalid" with `resource_path_index` (the OAS 400 schema).
 * - DELETE answers 200 `{data: [{code: "SUCCESS", details: {id}, message: "record deleted"}]}`
 *   (response-200-successfuldeletion); an unknown record, an unknown attachment or one already
 *   deleted answer the flat 400 INVALID_DATA "record not deleted" with `resource_path_index: 3`
 *   (the OAS's InvalidData, InvalidAttachmentId and AlreadyDeleted examples). Files and links both
 *   go: the v8 "Delete an Attachment" page deletes "an attachment added to a record", though the
 *   OAS's summary says links only (the sandbox follows the page; unverified which Zoho does).
 */
export function attachmentFileRoutes(org: ZohoOrg) {
  return async (app: FastifyInstance) => {
    app.get<{ Params: { module: string; id: string; attachmentId: string } }>(
      '/:module/:id/Attachments/:attachmentId',
      async (request, reply) => {
        const module = parentModule(request.params.module);
        if (!org.find(module, request.params.id)) throw relatedIdInvalid(1);
        const attachment = attachmentOf(org, module, request.params.id, request.params.attachmentId);
        if (!attachment) return reply.status(204).send();
        if (attachment.linkUrl)
          throw new ZohoApiError(
            400,
            'DOWNLOAD_NOT_ALLOWED',
            'As it is a linked attachment, you can not download it',
          );
        return reply
          .status(200)
          .header('content-type', attachment.contentType ?? 'application/octet-stream')
          .header('content-disposition', contentDisposition(attachment.fileName))
          .send(attachment.bytes);
      },
    );

    app.delete<{ Params: { module: string; id: string; attachmentId: string } }>(
      '/:module/:id/Attachments/:attachmentId',
      async (request) => {
        const module = parentModule(request.params.module);
        const attachment = org.find(module, request.params.id)
          ? attachmentOf(org, module, request.params.id, request.params.attachmentId)
          : undefined;
        if (!attachment)
          throw new ZohoApiError(400, 'INVALID_DATA', 'record not deleted', { resource_path_index: 3 });
        org.attachments.delete(attachment.id);
        return {
          data: [
            { code: 'SUCCESS', details: { id: attachment.id }, message: 'record deleted', status: 'success' },
          ],
        };
      },
    );
  };
}

function attachmentOf(
  org: ZohoOrg,
  module: string,
  recordId: string,
  attachmentId: string,
): StoredAttachment | undefined {
  const attachment = org.attachments.get(attachmentId);
  return attachment && attachment.parent.module === module && attachment.parent.id === recordId
    ? attachment
    : undefined;
}

/** RFC 6266: a plain ASCII `filename` for old clients and the exact name as RFC 8187 `filename*`. */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
