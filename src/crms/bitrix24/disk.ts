/**
 * Disk, where files too large to go on a comment inline are kept (b24restdocs api-reference/disk/):
 * uploaded once into wasync's folder on the portal's shared drive and linked from the comment.
 */
import { createHash } from 'node:crypto';
import { CrmError } from '../types.js';
import { isNotFound } from './errors.js';
import { idOf } from './mapping.js';
import type { Bitrix24Transport } from './transport.js';

/** A Disk file as disk.folder.uploadfile answers it (disk-folder-upload-file.md: ID, DETAIL_URL, DOWNLOAD_URL). */
export interface DiskFile {
  id: string;
  /** Where a person opens the file on the portal. */
  url: string;
}

interface StorageRow {
  ID?: unknown;
  ENTITY_TYPE?: unknown;
  ROOT_OBJECT_ID?: unknown;
}

/** The folder of wasync's files in the portal's shared drive. */
export const FOLDER_NAME = 'wasync';

interface StorageRow {
  ID?: unknown;
  ENTITY_TYPE?: unknown;
}

interface ChildRow {
  ID?: unknown;
  NAME?: unknown;
  TYPE?: unknown;
  DETAIL_URL?: unknown;
}

/**
 * The folder wasync uploads into, looked up (or made) once per connection: `wasync` in the root of the
 * portal's shared drive, the storage whose ENTITY_TYPE is `common` (disk.storage.getlist, filterable by
 * its fields: disk-storage-get-list.md), so that everyone who sees the contact can open the file.
 */
export class DiskFolder {
  private folder: Promise<string> | undefined;

  id(transport: Bitrix24Transport): Promise<string> {
    this.folder ??= findOrMakeFolder(transport).catch((error: unknown) => {
      this.folder = undefined;
      throw error;
    });
    return this.folder;
  }

  /** The folder is gone (a person deleted it): it is looked up again on the next upload. */
  forget(): void {
    this.folder = undefined;
  }
}

/**
 * The folder of a connection's access: every destination and transport of one connection shares it,
 * so the folder is looked up once a connection, not once a sync run.
 */
const FOLDERS = new WeakMap<object, DiskFolder>();

export function diskFolderOf(access: object): DiskFolder {
  let folder = FOLDERS.get(access);
  if (!folder) {
    folder = new DiskFolder();
    FOLDERS.set(access, folder);
  }
  return folder;
}

async function findOrMakeFolder(transport: Bitrix24Transport): Promise<string> {
  const storage = await sharedStorage(transport);
  // The root's children by name (disk-storage-get-children.md); made when missing
  // (disk-storage-add-folder.md), and looked up again when another process made it meanwhile
  // (DISK_OBJ_22000 "A folder with this name already exists").
  const find = async () =>
    (await childNamed(transport, 'disk.storage.getchildren', storage, FOLDER_NAME, 'folder'))?.id;
  const found = await find();
  if (found) return found;
  try {
    const made = await transport.call<{ ID?: unknown }>('disk.storage.addfolder', {
      id: Number(storage),
      data: { NAME: FOLDER_NAME },
    });
    const id = idOf(made.result?.ID);
    if (id) return id;
  } catch (error) {
    if (!(error instanceof CrmError) || error.code !== 'DISK_OBJ_22000') throw error;
  }
  const again = await find();
  if (again) return again;
  throw new CrmError({
    kind: 'retryable',
    code: 'UNEXPECTED_ANSWER',
    message: `Bitrix24 did not answer the id of the ${FOLDER_NAME} folder on the shared drive`,
  });
}

async function sharedStorage(transport: Bitrix24Transport): Promise<string> {
  for await (const page of transport.pages<StorageRow>('disk.storage.getlist', {
    filter: { ENTITY_TYPE: 'common' },
  })) {
    for (const row of page) {
      const id = idOf(row.ID);
      if (row.ENTITY_TYPE === 'common' && id) return id;
    }
  }
  throw new CrmError({
    kind: 'park',
    code: 'NO_SHARED_DRIVE',
    message: 'The portal has no shared drive for the files too large to attach to a comment',
  });
}

/** A child of a storage's root or of a folder, by its exact name and type, through the list's filter. */
async function childNamed(
  transport: Bitrix24Transport,
  method: 'disk.storage.getchildren' | 'disk.folder.getchildren',
  parent: string,
  name: string,
  type: 'file' | 'folder',
): Promise<{ id: string; url: string | undefined } | undefined> {
  for await (const page of transport.pages<ChildRow>(method, {
    id: Number(parent),
    filter: { NAME: name },
  })) {
    for (const row of page) {
      const id = idOf(row.ID);
      if (id && row.NAME === name && row.TYPE === type)
        return { id, url: typeof row.DETAIL_URL === 'string' ? row.DETAIL_URL : undefined };
    }
  }
  return undefined;
}

/**
 * A file's name on Disk: its own, with a short mark of its key (`video (wasync 3f2a9c1b).mp4`), so that
 * a file whose upload answer was lost, or whose comment was not written, is found in the folder by
 * name and never uploaded twice, and two chats' `video.mp4` are never taken for one another.
 */
export function diskName(fileName: string, key: string): string {
  const mark = createHash('sha256').update(key).digest('hex').slice(0, 8);
  const dot = fileName.lastIndexOf('.');
  const stem = dot > 0 ? fileName.slice(0, dot) : fileName;
  const ext = dot > 0 ? fileName.slice(dot) : '';
  return `${stem} (wasync ${mark})${ext}`;
}

/**
 * Uploads one file into wasync's folder once: a file of its name already there (an earlier attempt's)
 * is taken as it is; else it goes in two steps (disk-folder-upload-file.md, "Uploading a File via
 * URL"): disk.folder.uploadfile without `fileContent` answers the upload URL and the form field, and
 * the bytes are POSTed there as multipart/form-data, a third smaller than base64 in JSON. A folder a
 * person deleted is looked up again once. The file is linked by its DETAIL_URL, never by DOWNLOAD_URL,
 * which may carry the caller's `auth` (disk-storage-get-children.md example).
 */
export async function uploadToDisk(
  transport: Bitrix24Transport,
  folder: DiskFolder,
  file: { key: string; fileName: string; mimeType: string; open: () => AsyncIterable<Uint8Array> },
): Promise<DiskFile> {
  const name = diskName(file.fileName, file.key);
  for (let attempt = 1; ; attempt++) {
    const id = await folder.id(transport);
    try {
      const there = await childNamed(transport, 'disk.folder.getchildren', id, name, 'file');
      if (there?.url) return { id: there.id, url: there.url };
      // `data.NAME` names the file; without generateUniqueName a taken name is refused, not renamed.
      const target = await transport.call<{ field?: unknown; uploadUrl?: unknown }>(
        'disk.folder.uploadfile',
        {
          id: Number(id),
          data: { NAME: name },
        },
      );
      const { field, uploadUrl } = target.result ?? {};
      if (typeof field !== 'string' || typeof uploadUrl !== 'string')
        throw unexpected('Bitrix24 answered a Disk upload without its upload URL', false);
      const answer = await transport.postFile<{ ID?: unknown; DETAIL_URL?: unknown }>(uploadUrl, field, {
        fileName: name,
        mimeType: file.mimeType,
        bytes: await readAll(file.open),
      });
      const fileId = idOf(answer?.ID);
      const url = answer?.DETAIL_URL;
      if (!fileId || typeof url !== 'string')
        throw unexpected('Bitrix24 answered a Disk upload without the file’s id and link', true);
      return { id: fileId, url };
    } catch (error) {
      // Another process uploaded it meanwhile (DISK_OBJ_22000, a name taken: unverified for files).
      if (error instanceof CrmError && error.code === 'DISK_OBJ_22000') {
        const there = await childNamed(transport, 'disk.folder.getchildren', id, name, 'file');
        if (there?.url) return { id: there.id, url: there.url };
      }
      if (attempt > 1 || !isNotFound(error)) throw error;
      folder.forget();
    }
  }
}

function unexpected(message: string, outcomeUnknown: boolean): CrmError {
  return new CrmError({ kind: 'retryable', code: 'UNEXPECTED_ANSWER', message, outcomeUnknown });
}

/** A file's bytes, read whole: the portal takes them base64 in one JSON body. */
export async function readAll(open: () => AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of open()) chunks.push(chunk);
  return Buffer.concat(chunks);
}
