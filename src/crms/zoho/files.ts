import type { InlineAttachment } from '../types.js';
import { recordError } from './errors.js';
import type { ZohoList } from './mapping.js';
import type { ZohoTransport } from './transport.js';

/** Where a file is in Zoho: the record's module and id and the attachment's id (`Contacts/…/…`). */
export function fileRef(module: string, recordId: string, attachmentId: string): string {
  return `${module}/${recordId}/${attachmentId}`;
}

export function parseFileRef(
  ref: string,
): { module: string; recordId: string; attachmentId: string } | undefined {
  const [module, recordId, attachmentId, ...rest] = ref.split('/');
  if (!module || !recordId || !attachmentId || rest.length > 0) return undefined;
  return { module, recordId, attachmentId };
}

/** The record's attachments by `File_Name` and `Size` (getAttachments: `fields` is required). */
async function listAttachments(
  transport: ZohoTransport,
  module: string,
  recordId: string,
): Promise<{ id: string; fileName: string; size: number }[]> {
  const found: { id: string; fileName: string; size: number }[] = [];
  for (let page = 1; ; page++) {
    const answer = await transport.request<ZohoList>('GET', `${module}/${recordId}/Attachments`, {
      query: { fields: 'id,File_Name,Size', page, per_page: 200 },
    });
    for (const row of answer.body?.data ?? [])
      found.push({ id: String(row.id), fileName: String(row.File_Name ?? ''), size: Number(row.Size ?? -1) });
    if (!answer.body?.info?.more_records) return found;
  }
}

/**
 * Uploads each of the day's files once to the record's Attachments related list: files the previous
 * write of the day uploaded (`known`, from its ref) are not looked at again; for the others, the
 * record's list is read first, and a file already there by name and size (an upload whose note was
 * not written, or whose answer was lost) is taken as it is rather than uploaded twice. One file a call
 * (uploadAttachment.md: one file or one link per request). Answers each file's ref by its key.
 */
export async function uploadOnce(
  transport: ZohoTransport,
  record: { module: string; id: string },
  files: readonly InlineAttachment[],
  known: ReadonlyMap<string, string>,
): Promise<Map<string, string>> {
  const refs = new Map<string, string>();
  const missing = files.filter((file) => {
    const ref = known.get(file.key);
    if (ref !== undefined) refs.set(file.key, ref);
    return ref === undefined;
  });
  if (missing.length === 0) return refs;
  const present = await listAttachments(transport, record.module, record.id);
  const claimed = new Set(refs.values());
  for (const file of missing) {
    const match = present.find(
      (row) =>
        row.fileName === file.fileName &&
        row.size === file.sizeBytes &&
        !claimed.has(fileRef(record.module, record.id, row.id)),
    );
    const id = match?.id ?? (await upload(transport, record, file));
    const ref = fileRef(record.module, record.id, id);
    claimed.add(ref);
    refs.set(file.key, ref);
  }
  return refs;
}

async function upload(
  transport: ZohoTransport,
  record: { module: string; id: string },
  file: InlineAttachment,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of file.open()) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  const answer = await transport.request<{
    data?: { code?: string; status?: string; details?: { id?: string } }[];
  }>(
    'POST',
    `${record.module}/${record.id}/Attachments`,
    // A large file gets more time than a JSON call: 20 MB over a slow link.
    { file: { fileName: file.fileName, mimeType: file.mimeType, bytes }, timeoutMs: 300_000 },
  );
  const result = answer.body?.data?.[0];
  if (result?.status !== 'success' || !result.details?.id) throw recordError(result ?? {});
  return String(result.details.id);
}
