/**
 * `crm.timeline.comment.add|update|get|list|delete` (b24restdocs api-reference/crm/timeline/comments/).
 * A comment sits on a lead, deal, contact or company; its FILES are `[name, base64]` pairs on add and
 * update, stored on Disk, and listed back as an object keyed by file id with the file's links.
 */
import { Bitrix24Error, type MethodContext, type MethodDefinition } from '../method.js';
import type { EntityKind, TimelineComment } from '../portal.js';
import { inlineFile, isImage } from './files.js';
import {
  bitrixDate,
  idParam,
  isDirection,
  isRecord,
  type Params,
  page,
  sortBy,
  startParam,
} from './params.js';

/**
 * ENTITY_TYPE values the sandbox has (crm-timeline-comment-fields.md lists lead, deal, contact,
 * company, order; `order` and `dynamic_*` are not modelled and refused).
 */
const ENTITY_TYPES: readonly EntityKind[] = ['lead', 'deal', 'contact', 'company'];

/** The fields a list may select and order by (crm-timeline-comment-list.md: order by ID, CREATED, AUTHOR_ID). */
const COMMENT_FIELDS = ['ID', 'ENTITY_ID', 'ENTITY_TYPE', 'CREATED', 'COMMENT', 'AUTHOR_ID', 'FILES'];
const ORDER_FIELDS = ['ID', 'CREATED', 'AUTHOR_ID'];

/** `fields` in lowercase only since crm 23.100.0 (crm-timeline-comment-add.md, -update.md warnings). */
function commentFields(params: Params): Record<string, unknown> {
  if (!isRecord(params.fields)) throw new Bitrix24Error(400, '100', 'Required fields not provided.');
  return params.fields;
}

/**
 * FILES stored on Disk in the comment folder. An empty array means no files (how-to-update-files.md:
 * "To delete all files, pass an empty array"). A file past the portal's inline limit is refused
 * (unverified: no per-file limit is documented; see PortalOptions.inlineFileLimit).
 */
function storeFiles(context: MethodContext, value: unknown): number[] {
  if (value === '' || value === null) return [];
  if (!Array.isArray(value))
    throw new Bitrix24Error(400, 'ERROR_CORE', 'FILES must be an array of [name, base64].');
  const files = value.map((item, index) => inlineFile(item, `FILES[${index}]`));
  for (const file of files)
    if (file.content.length > context.portal.inlineFileLimit)
      throw new Bitrix24Error(400, 'ERROR_CORE', `File ${file.name} is too large to attach inline.`);
  const { portal } = context;
  return files.map(
    (file) => portal.addFile(portal.commentFolderId, file.name, file.content, context.userId).id,
  );
}

function removeFiles(context: MethodContext, ids: number[]): void {
  for (const id of ids) context.portal.files.delete(id);
}

function findComment(context: MethodContext, params: Params): TimelineComment {
  const id = idParam(params.id);
  // get's error table: empty `error`, "ID is not defined or invalid." / "Not found." (crm-timeline-comment-get.md).
  if (id === undefined) throw new Bitrix24Error(400, '', 'ID is not defined or invalid.');
  const comment = context.portal.comments.get(id);
  if (!comment) throw new Bitrix24Error(400, 'NOT_FOUND', 'Not found.');
  return comment;
}

/** A comment file as get/list show it (crm-timeline-comment-get.md FILES; `image` sizes are not computed). */
function fileView(context: MethodContext, id: number) {
  const { portal } = context;
  const file = portal.files.get(id);
  if (!file) return undefined;
  const image = isImage(file.name);
  return {
    id: file.id,
    date: bitrixDate(file.createdAt),
    type: image ? 'image' : 'file',
    name: file.name,
    size: file.content.length,
    authorId: file.createdBy,
    authorName: portal.userName(file.createdBy),
    ...(image ? { urlPreview: `${portal.showUrl(file)}&width=640&height=640` } : {}),
    urlShow: portal.showUrl(file),
    urlDownload: portal.downloadUrl(file),
  };
}

/** The comment with ids as strings and FILES as an object keyed by id, `{}` when none (list example). */
export function commentView(context: MethodContext, comment: TimelineComment, select: string[] = []) {
  const files: Record<string, unknown> = {};
  for (const id of comment.fileIds) {
    const view = fileView(context, id);
    if (view) files[String(id)] = view;
  }
  const full: Record<string, unknown> = {
    ID: String(comment.id),
    ENTITY_ID: String(comment.entityId),
    ENTITY_TYPE: comment.entityType,
    CREATED: bitrixDate(comment.createdAt),
    COMMENT: comment.comment,
    AUTHOR_ID: String(comment.authorId),
    FILES: files,
  };
  if (select.length === 0) return full;
  return Object.fromEntries(Object.entries(full).filter(([k]) => select.includes(k)));
}

function commentText(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  // INVALID_ARG_VALUE "Empty comment" (crm-timeline-comment-add.md error table).
  if (text.trim() === '') throw new Bitrix24Error(400, 'INVALID_ARG_VALUE', 'Empty comment');
  return text;
}

const add: MethodDefinition = {
  scope: 'crm',
  handle: (params, context) => {
    const fields = commentFields(params);
    const entityId = idParam(fields.ENTITY_ID);
    const entityType = String(fields.ENTITY_TYPE ?? '').toLowerCase() as EntityKind;
    // ENTITY_ID, ENTITY_TYPE and COMMENT are required (the page's parameter table; code 100).
    if (entityId === undefined || fields.ENTITY_TYPE === undefined)
      throw new Bitrix24Error(400, '100', 'Required fields not provided.');
    if (!ENTITY_TYPES.includes(entityType))
      throw new Bitrix24Error(400, 'OWNER_NOT_FOUND', 'Owner of the element not found');
    const text = commentText(fields.COMMENT);
    if (!context.portal.entity(entityType, entityId))
      throw new Bitrix24Error(400, 'OWNER_NOT_FOUND', 'Owner of the element not found');
    const authorId = idParam(fields.AUTHOR_ID) ?? context.userId;
    const fileIds = fields.FILES === undefined ? [] : storeFiles(context, fields.FILES);
    const comment: TimelineComment = {
      id: context.portal.nextId('comment'),
      entityType,
      entityId,
      comment: text,
      authorId,
      createdAt: context.portal.now(),
      fileIds,
    };
    context.portal.comments.set(comment.id, comment);
    // The new comment's id as an integer (`"result": 999`).
    return { result: comment.id };
  },
};

/**
 * COMMENT and FILES change; FILES replaces every earlier file ("Old files are always deleted when
 * updating", how-to-update-files.md); without FILES the files stay (unverified).
 */
const update: MethodDefinition = {
  scope: 'crm',
  handle: (params, context) => {
    const comment = findComment(context, params);
    const fields = commentFields(params);
    const text = fields.COMMENT === undefined ? comment.comment : commentText(fields.COMMENT);
    if (fields.FILES !== undefined) {
      const fileIds = storeFiles(context, fields.FILES);
      removeFiles(context, comment.fileIds);
      comment.fileIds = fileIds;
    }
    comment.comment = text;
    return { result: comment.id };
  },
};

const get: MethodDefinition = {
  scope: 'crm',
  handle: (params, context) => {
    const id = idParam(params.id);
    if (id === undefined) throw new Bitrix24Error(400, '', 'ID is not defined or invalid.');
    const comment = context.portal.comments.get(id);
    if (!comment) throw new Bitrix24Error(400, '', 'Not found.');
    return { result: commentView(context, comment) };
  },
};

/**
 * A CRM object's comments: filter ENTITY_ID and ENTITY_TYPE are both mandatory; order only by ID,
 * CREATED, AUTHOR_ID; 50 a page with `start` (crm-timeline-comment-list.md). Missing filter fields are
 * refused (the code is unverified).
 */
const list: MethodDefinition = {
  scope: 'crm',
  handle: (params, context) => {
    const filter = isRecord(params.filter) ? params.filter : {};
    const entityId = idParam(filter.ENTITY_ID);
    const entityType = String(filter.ENTITY_TYPE ?? '').toLowerCase() as EntityKind;
    if (entityId === undefined || !ENTITY_TYPES.includes(entityType))
      throw new Bitrix24Error(400, '', 'ENTITY_ID and ENTITY_TYPE are required in filter.');
    const order = isRecord(params.order) ? params.order : {};
    for (const [field, direction] of Object.entries(order)) {
      if (!ORDER_FIELDS.includes(field)) throw new Bitrix24Error(400, '', `Cannot order by ${field}.`);
      // "Possible values for order: ASC, DESC" (the page); another is refused (unverified code).
      if (!isDirection(direction))
        throw new Bitrix24Error(400, '', `Unknown order direction ${String(direction)}.`);
    }
    const select = Array.isArray(params.select)
      ? params.select.map(String).filter((f) => COMMENT_FIELDS.includes(f))
      : [];
    const sorted = sortBy(
      context.portal.commentsOf(entityType, entityId).sort((a, b) => a.id - b.id),
      order,
      (c, f) => (f === 'ID' ? c.id : f === 'CREATED' ? c.createdAt : c.authorId),
    );
    const { rows, total, next } = page(sorted, startParam(params));
    return {
      result: rows.map((c) => commentView(context, c, select)),
      total,
      ...(next === undefined ? {} : { next }),
    };
  },
};

/**
 * Deleting answers `null` ("The operation always returns `null`"), NOT_FOUND "Not found." for an unknown
 * id (crm-timeline-comment-delete.md); the comment's files go too (unverified).
 */
const remove: MethodDefinition = {
  scope: 'crm',
  handle: (params, context) => {
    const comment = findComment(context, params);
    removeFiles(context, comment.fileIds);
    context.portal.comments.delete(comment.id);
    return { result: null };
  },
};

export const TIMELINE_METHODS: Record<string, MethodDefinition> = {
  'crm.timeline.comment.add': add,
  'crm.timeline.comment.update': update,
  'crm.timeline.comment.get': get,
  'crm.timeline.comment.list': list,
  'crm.timeline.comment.delete': remove,
};
