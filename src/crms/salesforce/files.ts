import { createHash, randomUUID } from 'node:crypto';
import type { AttachmentUpload } from '../types.js';
import { type QueryAnswer, related, type SoqlRow, text } from './mapping.js';
import { soqlString } from './soql.js';
import { StreamingBody } from './streaming-body.js';
import type { SalesforceTransport } from './transport.js';

/** ContentVersion.Title and ContentDocument.Title hold 255 characters. */
const TITLE_MAX = 255;
/** The slowest uplink an upload is given time for, in bytes per millisecond (about 2 Mbit/s). */
const SLOWEST_UPLINK_BYTES_PER_MS = 256;
const BASE_TIMEOUT_MS = 60_000;

/**
 * Uploads a file onto its chat record once. A retry after a lost answer finds the file by what the org
 * keeps of it rather than by a key written into a field: ReasonForChange, used for that before, is shown
 * to users and unindexed.
 */
export async function uploadOnce(
  transport: SalesforceTransport,
  upload: AttachmentUpload,
): Promise<{ id: string }> {
  const found = await findUploadedFile(transport, upload);
  if (found) return { id: found };
  const created = await transport.request<{ id: string }>(
    'POST',
    'sobjects/ContentVersion',
    contentVersionUpload(upload),
  );
  return { id: created.body.id };
}

/**
 * The version of this file already on the chat record: the same title and the same bytes. The record's
 * ContentDocumentLinks are how an org lists its files (ContentDocumentLink must be filtered by
 * LinkedEntityId or ContentDocumentId, Object Reference); a query on ContentVersion without an Id may
 * leave out files shared through a record (Object Reference, ContentVersion). The upload publishes the
 * file to the chat record (FirstPublishLocationId), so that link exists as soon as the file does.
 * Checksum is "the MD5 checksum of the file" (Object Reference, ContentVersion), so it is compared
 * with the MD5 of our bytes, read only when a file of that title is there. One consequence, accepted:
 * the same file sent twice in one chat on one day lands once on that day's chat record.
 */
async function findUploadedFile(
  transport: SalesforceTransport,
  upload: AttachmentUpload,
): Promise<string | undefined> {
  const soql = [
    'SELECT ContentDocument.LatestPublishedVersionId, ContentDocument.LatestPublishedVersion.Checksum',
    `FROM ContentDocumentLink WHERE LinkedEntityId = ${soqlString(upload.transcript.id)}`,
    `AND ContentDocument.Title = ${soqlString(titleOf(upload))}`,
  ].join(' ');
  const answer = await transport.request<QueryAnswer>('GET', `query?q=${encodeURIComponent(soql)}`);
  const candidates = answer.body.records.map(uploadedVersion).filter((v) => v !== undefined);
  if (candidates.length === 0) return undefined;
  const checksum = await md5Of(upload);
  return candidates.find((candidate) => candidate.checksum === checksum)?.id;
}

function uploadedVersion(row: SoqlRow): { id: string; checksum: string | undefined } | undefined {
  const document = row.ContentDocument;
  if (typeof document !== 'object' || document === null) return undefined;
  const id = text(document as SoqlRow, 'LatestPublishedVersionId');
  return id
    ? { id, checksum: related(document as SoqlRow, 'LatestPublishedVersion', 'Checksum') }
    : undefined;
}

async function md5Of(upload: AttachmentUpload): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of upload.open()) hash.update(chunk);
  return hash.digest('hex');
}

function titleOf(upload: AttachmentUpload): string {
  return upload.fileName.slice(0, TITLE_MAX);
}

/**
 * The multipart insert of REST API Developer Guide, "Insert or Update Blob Data": first the record's
 * fields as JSON in a part with no filename (a part with one counts as binary, and an org refuses a
 * second binary part), then the bytes, streamed from the blob store. The timeout grows with the file.
 */
function contentVersionUpload(upload: AttachmentUpload): StreamingBody {
  const boundary = `wasync-${randomUUID()}`;
  const entity = {
    Title: titleOf(upload),
    PathOnClient: upload.fileName,
    FirstPublishLocationId: upload.transcript.id,
    Description: upload.description,
  };
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="entity_content"\r\n` +
      `Content-Type: application/json\r\n\r\n${JSON.stringify(entity)}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="VersionData"; filename="${formDataName(upload.fileName)}"\r\n` +
      `Content-Type: ${singleLine(upload.mimeType) || 'application/octet-stream'}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new StreamingBody({
    contentType: `multipart/form-data; boundary=${boundary}`,
    timeoutMs: BASE_TIMEOUT_MS + Math.ceil(Math.max(0, upload.sizeBytes) / SLOWEST_UPLINK_BYTES_PER_MS),
    async *open() {
      yield head;
      yield* upload.open();
      yield tail;
    },
  });
}

/** A filename inside a quoted Content-Disposition parameter, as browsers encode it (WHATWG HTML, form-data). */
function formDataName(name: string): string {
  return name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function singleLine(value: string): string {
  return value.replace(/[\r\n]/g, '').trim();
}
