/**
 * Disk, where files too large to go on a comment inline are kept (b24restdocs api-reference/disk/):
 * uploaded once into the portal's shared drive and linked from the comment by their DETAIL_URL.
 */
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

/**
 * The folder wasync uploads into, looked up once per destination: the root of the portal's shared
 * drive, the storage whose ENTITY_TYPE is `common` (disk.storage.getlist, filterable by its fields:
 * disk-storage-get-list.md), so that everyone who sees the contact can open the file.
 */
export class DiskFolder {
  private folder: Promise<string> | undefined;

  id(transport: Bitrix24Transport): Promise<string> {
    this.folder ??= findSharedRoot(transport).catch((error: unknown) => {
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
 * so the shared drive is looked up once a connection, not once a sync run.
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

async function findSharedRoot(transport: Bitrix24Transport): Promise<string> {
  for await (const page of transport.pages<StorageRow>('disk.storage.getlist', {
    filter: { ENTITY_TYPE: 'common' },
  })) {
    for (const row of page) {
      const root = idOf(row.ROOT_OBJECT_ID);
      if (row.ENTITY_TYPE === 'common' && root) return root;
    }
  }
  throw new CrmError({
    kind: 'park',
    code: 'NO_SHARED_DRIVE',
    message: 'The portal has no shared drive for the files too large to attach to a comment',
  });
}

/**
 * Uploads one file into wasync's folder, its content base64 in `fileContent` (disk-folder-upload-file.md,
 * "Direct File Upload"), under a unique name when one is taken (`generateUniqueName`: "file (1).docx").
 * A folder a person deleted is looked up again once.
 */
export async function uploadToDisk(
  transport: Bitrix24Transport,
  folder: DiskFolder,
  file: { fileName: string; bytes: Buffer },
): Promise<DiskFile> {
  for (let attempt = 1; ; attempt++) {
    const id = await folder.id(transport);
    try {
      const answer = await transport.call<{ ID?: unknown; DETAIL_URL?: unknown; DOWNLOAD_URL?: unknown }>(
        'disk.folder.uploadfile',
        {
          id: Number(id),
          data: { NAME: file.fileName },
          fileContent: [file.fileName, file.bytes.toString('base64')],
          generateUniqueName: true,
        },
      );
      const fileId = idOf(answer.result?.ID);
      const url = answer.result?.DETAIL_URL ?? answer.result?.DOWNLOAD_URL;
      if (!fileId || typeof url !== 'string')
        throw new CrmError({
          kind: 'retryable',
          code: 'UNEXPECTED_ANSWER',
          message: 'Bitrix24 answered a Disk upload without the file’s id and link',
          outcomeUnknown: true,
        });
      return { id: fileId, url };
    } catch (error) {
      if (attempt > 1 || !isNotFound(error)) throw error;
      folder.forget();
    }
  }
}

/** A file's bytes, read whole: the portal takes them base64 in one JSON body. */
export async function readAll(open: () => AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of open()) chunks.push(chunk);
  return Buffer.concat(chunks);
}
