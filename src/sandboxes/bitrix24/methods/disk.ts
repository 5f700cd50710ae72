/**
 * Disk for files past the comment's inline limit (b24restdocs api-reference/disk/): list the
 * storages, upload into a storage's root or a folder with `fileContent: [name, base64]`, read a file
 * back. A comment's FILES take only base64 content, never a Disk object id (how-to-upload-files.md,
 * how-to-update-files.md), so a Disk file is linked from a comment by its DOWNLOAD_URL/DETAIL_URL in
 * the text.
 */
import { Bitrix24Error, type MethodContext, type MethodDefinition } from '../method.js';
import type { DiskFile } from '../portal.js';
import { inlineFile } from './files.js';
import { bitrixDate, idParam, isRecord, type Params } from './params.js';

/** The file as disk.folder.uploadfile answers it (disk-folder-upload-file.md answer: ID, FILE_ID numbers; SIZE, *_ID, *_BY strings). */
export function diskFileView(context: MethodContext, file: DiskFile) {
  const { portal } = context;
  return {
    ID: file.id,
    NAME: file.name,
    CODE: null,
    STORAGE_ID: String(file.storageId),
    TYPE: 'file',
    PARENT_ID: String(file.folderId),
    DELETED_TYPE: 0,
    GLOBAL_CONTENT_VERSION: 1,
    FILE_ID: file.id,
    SIZE: String(file.content.length),
    CREATE_TIME: bitrixDate(file.createdAt),
    UPDATE_TIME: bitrixDate(file.createdAt),
    DELETE_TIME: null,
    CREATED_BY: String(file.createdBy),
    UPDATED_BY: String(file.createdBy),
    DELETED_BY: null,
    DOWNLOAD_URL: portal.downloadUrl(file),
    DETAIL_URL: portal.showUrl(file),
  };
}

/** `name (1).ext`, `name (2).ext`, … as generateUniqueName does ("file (1).docx"). */
function uniqueName(context: MethodContext, folderId: number, name: string): string {
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  let candidate = name;
  for (let n = 1; context.portal.nameTaken(folderId, candidate); n++) candidate = `${stem} (${n})${ext}`;
  return candidate;
}

function upload(context: MethodContext, folderId: number, params: Params) {
  const data = isRecord(params.data) ? params.data : {};
  const content = params.fileContent;
  // Without fileContent the method answers the two-step upload URL (disk-folder-upload-file.md "Uploading
  // a File via URL"); the sandbox does not serve it and refuses instead (unverified).
  if (content === undefined)
    throw new Bitrix24Error(400, 'ERROR_ARGUMENT', 'The sandbox takes only fileContent uploads.');
  const name = typeof data.NAME === 'string' ? data.NAME.trim() : '';
  if (name === '')
    throw new Bitrix24Error(
      400,
      'DISK_BASE_SERVICE_22001',
      'Error: required parameter NAME (DISK_BASE_SERVICE_22001)',
    );
  const file = inlineFile(content, 'fileContent');
  const unique =
    params.generateUniqueName === true ||
    params.generateUniqueName === 'true' ||
    params.generateUniqueName === 'Y';
  let finalName = name;
  if (context.portal.nameTaken(folderId, name)) {
    // A taken name without generateUniqueName is refused (the code is unverified).
    if (!unique) throw new Bitrix24Error(400, 'DISK_OBJ_22000', `A file named ${name} already exists.`);
    finalName = uniqueName(context, folderId, name);
  }
  return {
    result: diskFileView(context, context.portal.addFile(folderId, finalName, file.content, context.userId)),
  };
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

const fileGet: MethodDefinition = {
  scope: 'disk',
  handle: (params, context) => {
    const id = requiredId(params);
    const file = context.portal.files.get(id) ?? notFound(id);
    return { result: diskFileView(context, file) };
  },
};

/** The method names are case-insensitive on a portal (the page spells disk.folder.uploadFile). */
export const DISK_METHODS: Record<string, MethodDefinition> = {
  'disk.storage.getlist': storageGetList,
  'disk.storage.uploadfile': storageUploadFile,
  'disk.folder.uploadfile': folderUploadFile,
  'disk.file.get': fileGet,
};
