/**
 * Disk folders: a folder made in a storage's root and the children of a storage's root or of a folder,
 * so that an application keeps its files in a folder of its own (b24restdocs api-reference/disk/storage/
 * disk-storage-add-folder.md, disk-storage-get-children.md, folder/disk-folder-get-children.md).
 */
import { Bitrix24Error, type MethodContext, type MethodDefinition } from '../method.js';
import type { DiskFolder } from '../portal.js';
import { diskFileView } from './disk.js';
import { bitrixDate, idParam, isRecord, type Params, page, startParam } from './params.js';

function requiredId(params: Params): number {
  const id = idParam(params.id);
  // ERROR_ARGUMENT "Invalid value of parameter {Parameter #0}" (disk-file-delete.md's table; alike here: unverified).
  if (id === undefined)
    throw new Bitrix24Error(400, 'ERROR_ARGUMENT', 'Invalid value of parameter {Parameter #0}');
  return id;
}

function notFound(id: unknown): never {
  throw new Bitrix24Error(400, 'ERROR_NOT_FOUND', `Could not find entity with id \`${String(id)}\``);
}

/** A folder as getchildren lists it: ids as strings, TYPE `folder` (disk-storage-get-children.md example). */
function folderView(context: MethodContext, folder: DiskFolder) {
  return {
    ID: String(folder.id),
    NAME: folder.name,
    CODE: null,
    STORAGE_ID: String(folder.storageId),
    TYPE: 'folder',
    PARENT_ID: folder.parentId === null ? null : String(folder.parentId),
    DELETED_TYPE: '0',
    CREATE_TIME: bitrixDate(context.portal.now()),
    UPDATE_TIME: bitrixDate(context.portal.now()),
    DELETE_TIME: null,
    CREATED_BY: '1',
    UPDATED_BY: '1',
    DELETED_BY: '0',
    DETAIL_URL: `${context.portal.baseUrl}/docs/path/${encodeURIComponent(folder.name)}/`,
  };
}

/**
 * A folder's files and folders, filtered by the fields given (NAME and TYPE here; the pages say "fields
 * … as USE_IN_FILTER", exact match assumed, unverified), 50 a page with `start`
 * (list-methods-pecularities.md). Files as disk.file.get shows them, every value a string (the pages'
 * example).
 */
function children(context: MethodContext, folderId: number, params: Params) {
  const { portal } = context;
  const filter = isRecord(params.filter) ? params.filter : {};
  const rows: Record<string, unknown>[] = [
    ...[...portal.folders.values()]
      .filter((folder) => folder.parentId === folderId)
      .map((folder) => folderView(context, folder) as Record<string, unknown>),
    // A file in the trash is not among the folder's children (unverified).
    ...[...portal.files.values()]
      .filter((file) => file.folderId === folderId && file.deletedAt === undefined)
      .map((file) => diskFileView(portal, file, 'read') as Record<string, unknown>),
  ].filter((row) => Object.entries(filter).every(([field, value]) => String(row[field]) === String(value)));
  const { rows: shown, total, next } = page(rows, startParam(params));
  return { result: shown, total, ...(next === undefined ? {} : { next }) };
}

const storageGetChildren: MethodDefinition = {
  scope: 'disk',
  handle: (params, context) => {
    const id = requiredId(params);
    const storage = context.portal.storages.get(id) ?? notFound(id);
    return children(context, storage.rootFolderId, params);
  },
};

const folderGetChildren: MethodDefinition = {
  scope: 'disk',
  handle: (params, context) => {
    const id = requiredId(params);
    if (!context.portal.folders.has(id)) notFound(id);
    return children(context, id, params);
  },
};

/**
 * A folder in the storage's root. ERROR_ARGUMENT without NAME, DISK_OBJ_22000 "A folder with this name
 * already exists", ERROR_NOT_FOUND for an unknown storage; the answer's ID a number
 * (disk-storage-add-folder.md).
 */
const storageAddFolder: MethodDefinition = {
  scope: 'disk',
  handle: (params, context) => {
    const id = requiredId(params);
    const storage = context.portal.storages.get(id) ?? notFound(id);
    const data = isRecord(params.data) ? params.data : {};
    const name = typeof data.NAME === 'string' ? data.NAME.trim() : '';
    if (name === '')
      throw new Bitrix24Error(400, 'ERROR_ARGUMENT', 'Invalid value of parameter {Parameter #1}');
    const { portal } = context;
    const taken =
      [...portal.folders.values()].some((f) => f.parentId === storage.rootFolderId && f.name === name) ||
      portal.nameTaken(storage.rootFolderId, name);
    if (taken) throw new Bitrix24Error(400, 'DISK_OBJ_22000', 'A folder with this name already exists');
    const folder = portal.addFolder(storage.rootFolderId, name);
    const view = folderView(context, folder);
    return { result: { ...view, ID: folder.id, REAL_OBJECT_ID: folder.id } };
  },
};

export const DISK_FOLDER_METHODS: Record<string, MethodDefinition> = {
  'disk.storage.getchildren': storageGetChildren,
  'disk.folder.getchildren': folderGetChildren,
  'disk.storage.addfolder': storageAddFolder,
};
