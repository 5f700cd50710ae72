/**
 * Disk for files past the comment's inline limit (b24restdocs api-reference/disk/): list the
 * storages, upload into a storage's root or a folder with `fileContent: [name, base64]` or in two
 * steps (an upload URL, then a multipart POST of the file to it: upload.ts serves that URL), read a
 * file back, move it to the trash or delete it for good. A comment's FILES take only base64 content,
 * never a Disk object id (how-to-upload-files.md, how-to-update-files.md), so a Disk file is linked
 * from a comment by its DOWNLOAD_URL/DETAIL_URL in the text.
 */
import { randomBytes } from 'node:crypto';
import { Bitrix24Error, type MethodContext, type MethodDefinition } from '../method.js';
import type { DiskFile, PendingUpload, Portal } from '../portal.js';
import { inlineFile } from './files.js';
import { bitrixDate, idParam, isRecord, type Params } from './params.js';

/**
 * The file as the portal shows it. `upload`: as disk.folder.uploadFile answers it (its answer: ID,
 * FILE_ID, DELETED_TYPE, GLOBAL_CONTENT_VERSION numbers; SIZE, *_ID, *_BY strings; DELETED_BY null).
 * `read`: as disk.file.get and disk.file.markdeleted answer it, every value a string, DELETED_BY "0"
 * until deleted (disk-file-get.md, disk-file-mark-deleted.md answers). DELETED_TYPE 3 is in the trash.
 */
export function diskFileView(portal: Portal, file: DiskFile, shape: 'upload' | 'read') {
  const read = shape === 'read';
  const number = (n: number) => (read ? String(n) : n);
  const trashed = file.deletedAt !== undefined;
  return {
    ID: number(file.id),
    NAME: file.name,
    CODE: null,
    STORAGE_ID: String(file.storageId),
    TYPE: 'file',
    PARENT_ID: String(file.folderId),
    DELETED_TYPE: number(trashed ? 3 : 0),
    GLOBAL_CONTENT_VERSION: number(1),
    FILE_ID: number(file.id),
    SIZE: String(file.content.length),
    CREATE_TIME: bitrixDate(file.createdAt),
    UPDATE_TIME: bitrixDate(file.deletedAt ?? file.createdAt),
    DELETE_TIME: file.deletedAt === undefined ? null : bitrixDate(file.deletedAt),
    CREATED_BY: String(file.createdBy),
    UPDATED_BY: String(file.deletedBy ?? file.createdBy),
    DELETED_BY: file.deletedBy !== undefined ? String(file.deletedBy) : read ? '0' : null,
    DOWNLOAD_URL: portal.downloadUrl(file),
    DETAIL_URL: portal.showUrl(file),
  };
}

/** `name (1).ext`, `name (2).ext`, … as generateUniqueName does ("file (1).docx"). */
function uniqueName(portal: Portal, folderId: number, name: string): string {
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  let candidate = name;
  for (let n = 1; portal.nameTaken(folderId, candidate); n++) candidate = `${stem} (${n})${ext}`;
  return candidate;
}

const truthy = (value: unknown) =>
  value === true || value === 'true' || value === 'Y' || value === 1 || value === '1';

/**
 * Stores a file in a folder, under a unique name when asked (generateUniqueName). An empty name is
 * DISK_BASE_SERVICE_22001 (the page's error table); a taken name without generateUniqueName is
 * refused (the code is unverified).
 */
function store(
  portal: Portal,
  folderId: number,
  rawName: string,
  content: Buffer,
  unique: boolean,
  userId: number,
) {
  const name = rawName.trim();
  if (name === '')
    throw new Bitrix24Error(
      400,
      'DISK_BASE_SERVICE_22001',
      'Error: required parameter NAME (DISK_BASE_SERVICE_22001)',
    );
  if (!portal.folders.has(folderId)) notFound(folderId);
  let finalName = name;
  if (portal.nameTaken(folderId, name)) {
    if (!unique) throw new Bitrix24Error(400, 'DISK_OBJ_22000', `A file named ${name} already exists.`);
    finalName = uniqueName(portal, folderId, name);
  }
  return diskFileView(portal, portal.addFile(folderId, finalName, content, userId), 'upload');
}

/**
 * Without `fileContent` the method uploads nothing and answers `{field, uploadUrl}`: the form field
 * to send the file in and the URL to POST it to (disk-folder-upload-file.md, "Uploading a File via
 * URL"; `data` is optional then). The URL is the portal's `/rest/upload.json` with a `token` shaped as
 * the page's example (`disk|` base64 of the folder id and generateUniqueName `|` a random part); the
 * sandbox's token is single-use and lives PortalOptions.uploadUrlTtlMs (both unverified).
 */
function uploadUrl(context: MethodContext, folderId: number, params: Params) {
  const { portal } = context;
  const data = isRecord(params.data) ? params.data : {};
  const unique = truthy(params.generateUniqueName);
  const random = randomBytes(24).toString('base64url');
  const inner = Buffer.from(`id=${folderId}&generateUniqueName=${unique ? 1 : 0}&_=${random}`).toString(
    'base64',
  );
  const token = `disk|${inner}|${randomBytes(24).toString('hex')}`;
  const pending: PendingUpload = {
    token,
    folderId,
    generateUniqueName: unique,
    userId: context.userId,
    expiresAt: portal.now() + portal.uploadUrlTtlMs,
  };
  if (typeof data.NAME === 'string' && data.NAME.trim() !== '') pending.name = data.NAME;
  portal.uploads.set(token, pending);
  return {
    result: {
      field: UPLOAD_FIELD,
      uploadUrl: `${portal.baseUrl}/rest/upload.json?token=${encodeURIComponent(token)}`,
    },
  };
}

/** The form field the file goes in ("field": "file" in the page's answer). */
export const UPLOAD_FIELD = 'file';

/**
 * The second step: the file POSTed to the upload URL is stored as the first call asked, named
 * `data.NAME` if it gave one, else as the uploaded file is named; the answer is the file as the
 * one-step upload answers it ("the server will return an array with data about the uploaded file";
 * its exact shape is unverified).
 */
export function completeUpload(portal: Portal, pending: PendingUpload, fileName: string, content: Buffer) {
  return store(
    portal,
    pending.folderId,
    pending.name ?? fileName,
    content,
    pending.generateUniqueName,
    pending.userId,
  );
}

function upload(context: MethodContext, folderId: number, params: Params) {
  const content = params.fileContent;
  if (content === undefined) return uploadUrl(context, folderId, params);
  const data = isRecord(params.data) ? params.data : {};
  const name = typeof data.NAME === 'string' ? data.NAME : '';
  const file = inlineFile(content, 'fileContent');
  const unique = truthy(params.generateUniqueName);
  return { result: store(context.portal, folderId, name, file.content, unique, context.userId) };
}

function notFound(id: unknown): never {
  throw new Bitrix24Error(400, 'ERROR_NOT_FOUND', `Could not find entity with id \`${String(id)}\``);
}

function requiredId(params: Params): number {
  const id = idParam(params.id);
  if (id === undefined)
    throw new Bitrix24Error(400, 'ERROR_ARGUMENT', 'Invalid value of parameter {Parameter #0}');
  return id;
}

/** Storages with ids as strings (disk-storage-get-list.md shape; unverified here). */
const storageGetList: MethodDefinition = {
  scope: 'disk',
  handle: (_params, context) => {
    const storages = [...context.portal.storages.values()].map((s) => ({
      ID: String(s.id),
      NAME: s.name,
      CODE: null,
      MODULE_ID: 'disk',
      ENTITY_TYPE: s.entityType,
      ENTITY_ID: s.entityId,
      ROOT_OBJECT_ID: String(s.rootFolderId),
    }));
    return { result: storages, total: storages.length };
  },
};

/**
 * Into the storage's root folder. Its page (disk-storage-upload-file.md) documents only `fileContent`;
 * the two-step upload without it answers as disk.folder.uploadFile's (unverified).
 */
const storageUploadFile: MethodDefinition = {
  scope: 'disk',
  handle: (params, context) => {
    const id = requiredId(params);
    const storage = context.portal.storages.get(id) ?? notFound(id);
    return upload(context, storage.rootFolderId, params);
  },
};

const folderUploadFile: MethodDefinition = {
  scope: 'disk',
  handle: (params, context) => {
    const id = requiredId(params);
    if (!context.portal.folders.has(id)) notFound(id);
    return upload(context, id, params);
  },
};

/** The file, every value a string (disk-file-get.md answer); a trashed one too, DELETED_TYPE "3". */
const fileGet: MethodDefinition = {
  scope: 'disk',
  handle: (params, context) => {
    const id = requiredId(params);
    const file = context.portal.files.get(id) ?? notFound(id);
    return { result: diskFileView(context.portal, file, 'read') };
  },
};

/**
 * Moves the file to the trash and answers it with DELETED_TYPE "3", DELETE_TIME and DELETED_BY
 * (disk-file-mark-deleted.md); its links stop working (pages.ts). Trashing a trashed file again
 * answers it unchanged (unverified).
 */
const fileMarkDeleted: MethodDefinition = {
  scope: 'disk',
  handle: (params, context) => {
    const id = requiredId(params);
    const file = context.portal.files.get(id) ?? notFound(id);
    if (file.deletedAt === undefined) {
      file.deletedAt = context.portal.now();
      file.deletedBy = context.userId;
    }
    return { result: diskFileView(context.portal, file, 'read') };
  },
};

/**
 * Deletes the file for good, from a folder or the trash, and answers `true`; an unknown id is
 * ERROR_NOT_FOUND "Could not find entity with id `X`", a missing one ERROR_ARGUMENT
 * (disk-file-delete.md). A comment that had the file lists it no more.
 */
const fileDelete: MethodDefinition = {
  scope: 'disk',
  handle: (params, context) => {
    const id = requiredId(params);
    if (!context.portal.files.has(id)) notFound(id);
    context.portal.files.delete(id);
    return { result: true };
  },
};

/** The method names are case-insensitive on a portal (the page spells disk.folder.uploadFile). */
export const DISK_METHODS: Record<string, MethodDefinition> = {
  'disk.storage.getlist': storageGetList,
  'disk.storage.uploadfile': storageUploadFile,
  'disk.folder.uploadfile': folderUploadFile,
  'disk.file.get': fileGet,
  'disk.file.markdeleted': fileMarkDeleted,
  'disk.file.delete': fileDelete,
};
