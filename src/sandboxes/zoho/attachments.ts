import type { FastifyInstance } from 'fastify';
import { ZohoApiError } from './errors.js';
import { formParts } from './multipart.js';
import { parentModule, requiredFields } from './notes.js';
import { SANDBOX_USER, type StoredAttachment, type ZohoOrg, zohoTime } from './org.js';
import { parseFieldsParam, pickFields, successDetails } from './record-writes.js';

/**
 * A record's Attachments related list (crm-oas v8.0/attachments.json; attachments/mds/uploadAttachment.md):
 * upload one file (multipart part `file`) or one link (`attachmentUrl`) per call, list with
 * `fields` required. The v8 OAS states only a 100 MB request body (413 BODY_SIZE_REACHED); Zoho's
 * API 1.0 uploadFile page caps a file at 20 MB (links exempt). The sandbox takes the stricter 20 MB
 * by default (`maxAttachmentBytes`) and refuses a larger file with 413
 * FILE_SIZE_MORE_THAN_ALLOWED_SIZE (v8 response-413-filesizeexceeded example).
 */
export function attachmentRoutes(org: ZohoOrg, maxAttachmentBytes: number) {
  return async (app: FastifyInstance) => {
    app.post<{ Params: { module: string; id: string } }>('/:module/:id/Attachments', async (request) => {
      const module = parentModule(request.params.module);
      const parent = org.find(module, request.params.id);
      // uploadAttachment response-400-invalidrecordid example: an unknown record id is 400 INVALID_DATA.
      if (!parent)
        throw new ZohoApiError(400, 'INVALID_DATA', 'the id given seems to be invalid', {
          id: request.params.id,
        });
      if (!Buffer.isBuffer(request.body))
        throw new ZohoApiError(400, 'INVALID_DATA', 'invalid data', {
          api_name: 'file',
          expected_data_type: 'multipart',
        });
      const parts = formParts(request.body, request.headers['content-type']);
      const file = parts.find((part) => part.name === 'file' && part.filename !== undefined);
      const link = parts.find((part) => part.name === 'attachmentUrl');
      // uploadAttachment.md: the body is oneOf a file or a URL, never both.
      if ((file && link) || (!file && !link))
        throw new ZohoApiError(400, 'INVALID_DATA', 'invalid data', {
          api_name: file ? 'attachmentUrl' : 'file',
        });
      if (file && file.data.length > maxAttachmentBytes)
        throw new ZohoApiError(
          413,
          'FILE_SIZE_MORE_THAN_ALLOWED_SIZE',
          'Please check if the size of the file is in the correct range',
        );
      const attachment: StoredAttachment = {
        id: org.nextId(),
        parent: { module, id: parent.id },
        fileName: file ? (file.filename ?? 'file') : link ? link.data.toString('utf8') : '',
        bytes: file ? Buffer.from(file.data) : Buffer.alloc(0),
        createdAt: org.now(),
        ...(link ? { linkUrl: link.data.toString('utf8') } : {}),
      };
      org.attachments.set(attachment.id, attachment);
      // uploadAttachment.md: 200 with one SUCCESS result, "attachment uploaded successfully".
      return {
        data: [
          {
            code: 'SUCCESS',
            details: successDetails({ ...attachment, modifiedAt: attachment.createdAt }),
            message: 'attachment uploaded successfully',
            status: 'success',
          },
        ],
      };
    });

    /** getAttachments: `fields` required; no attachment is 200 with an empty `data` (response-200-emptylist). */
    app.get<{ Params: { module: string; id: string }; Querystring: { fields?: string } }>(
      '/:module/:id/Attachments',
      async (request) => {
        const module = parentModule(request.params.module);
        if (!org.find(module, request.params.id))
          throw new ZohoApiError(400, 'INVALID_DATA', 'the id given seems to be invalid', {
            id: request.params.id,
          });
        const fields = parseFieldsParam(request.query.fields);
        if (!fields) throw requiredFields();
        const list = attachmentsOf(org, module, request.params.id);
        return {
          data: list.map((attachment) => pickFields(attachmentView(attachment), fields)),
          info: { per_page: 200, count: list.length, page: 1, more_records: false },
        };
      },
    );
  };
}

export function attachmentsOf(org: ZohoOrg, module: string, id: string): StoredAttachment[] {
  return [...org.attachments.values()]
    .filter((attachment) => attachment.parent.module === module && attachment.parent.id === id)
    .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
}

/** An attachment as getAttachments shows it (response-200-multipleattachments): Size a string of bytes. */
export function attachmentView(attachment: StoredAttachment): Record<string, unknown> {
  const user = { name: SANDBOX_USER.name, id: SANDBOX_USER.id, email: SANDBOX_USER.email };
  return {
    id: attachment.id,
    File_Name: attachment.fileName,
    Size: String(attachment.bytes.length),
    Created_Time: zohoTime(attachment.createdAt),
    Modified_Time: zohoTime(attachment.createdAt),
    Created_By: user,
    Modified_By: user,
    Owner: user,
    Parent_Id: { id: attachment.parent.id },
    $se_module: attachment.parent.module,
    $type: attachment.linkUrl ? 'Link URL' : 'File',
    ...(attachment.linkUrl ? { $link_url: attachment.linkUrl } : {}),
  };
}
