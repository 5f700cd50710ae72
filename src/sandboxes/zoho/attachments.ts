import type { FastifyInstance } from 'fastify';
import { pageParameter, ZohoApiError } from './errors.js';
import { formParts } from './multipart.js';
import { parentModule, requiredFields } from './notes.js';
import { SANDBOX_USER, type StoredAttachment, type ZohoOrg, zohoTime } from './org.js';

// The OAS `Info` block: per_page 1 to 200.
const MAX_PER_PAGE = 200;

import { parseFieldsParam, pickFields, recordName, successDetails } from './record-writes.js';

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
        contentType: file?.contentType,
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

    /**
     * getAttachments: `fields` required (the v8 "Get list of Attachments" page marks it mandatory);
     * no attachment is 200 with an empty `data` (response-200-emptylist), newest first (unverified).
     * `page` and `per_page` page the list: the OAS's `Info` block has them with per_page at most 200
     * and the SDK's GetAttachmentsParam takes PAGE and PER_PAGE (the v8 page lists only `fields`).
     */
    app.get<{
      Params: { module: string; id: string };
      Querystring: { fields?: string; page?: string; per_page?: string };
    }>('/:module/:id/Attachments', async (request) => {
      const module = parentModule(request.params.module);
      const parent = org.find(module, request.params.id);
      if (!parent)
        throw new ZohoApiError(400, 'INVALID_DATA', 'the id given seems to be invalid', {
          id: request.params.id,
        });
      const fields = parseFieldsParam(request.query.fields);
      if (!fields) throw requiredFields();
      const page = pageParameter(request.query.page, 1, 'page');
      const perPage = pageParameter(request.query.per_page, MAX_PER_PAGE, 'per_page');
      if (perPage > MAX_PER_PAGE)
        throw new ZohoApiError(400, 'INVALID_DATA', 'invalid data', {
          api_name: 'per_page',
          maximum_length: MAX_PER_PAGE,
        });
      const list = attachmentsOf(org, module, request.params.id);
      const slice = list.slice((page - 1) * perPage, page * perPage);
      return {
        data: slice.map((attachment) => pickFields(attachmentView(attachment, recordName(parent)), fields)),
        // response-200-multipleattachments: the page tokens are null for this list.
        info: {
          per_page: perPage,
          next_page_token: null,
          count: slice.length,
          page,
          previous_page_token: null,
          page_token_expiry: null,
          more_records: list.length > page * perPage,
        },
      };
    });
  };
}

export function attachmentsOf(org: ZohoOrg, module: string, id: string): StoredAttachment[] {
  return [...org.attachments.values()]
    .filter((attachment) => attachment.parent.module === module && attachment.parent.id === id)
    .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
}

/**
 * An attachment as getAttachments shows it (operation `AttachmentObject`, response-200-multipleattachments):
 * Size a string of bytes ("0" for a link), `Parent_Id` the record's id and name, `$se_module` its
 * module, `$type` "File" or "Link URL", `$file_id` null for a link.
 */
export function attachmentView(attachment: StoredAttachment, parentName: string): Record<string, unknown> {
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
    Parent_Id: { name: parentName, id: attachment.parent.id },
    $se_module: attachment.parent.module,
    $type: attachment.linkUrl ? 'Link URL' : 'File',
    $file_id: attachment.linkUrl ? null : `sandbox-file-${attachment.id}`,
    $link_url: attachment.linkUrl ?? null,
    $editable: true,
    $state: 'save',
    $field_states: null,
  };
}
