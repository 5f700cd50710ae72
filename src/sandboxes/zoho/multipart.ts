import { ZohoApiError } from './errors.js';

export interface FormPart {
  name: string;
  filename: string | undefined;
  /** The part's own Content-Type, if it has one. */
  contentType: string | undefined;
  data: Buffer;
}

/**
 * The parts of a multipart/form-data body (RFC 7578), small and strict: enough for an attachment
 * upload's `file` or `attachmentUrl` part. A body that is not well-formed is INVALID_DATA.
 */
export function formParts(body: Buffer, contentType: string | undefined): FormPart[] {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw malformed();
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let position = body.indexOf(delimiter);
  if (position < 0) throw malformed();
  while (true) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString() === '--') return parts;
    const headerEnd = body.indexOf('\r\n\r\n', position);
    const next = body.indexOf(delimiter, position);
    if (headerEnd < 0 || next < 0) throw malformed();
    const headers = body.subarray(position, headerEnd).toString('utf8');
    const disposition = /content-disposition:[^\r\n]*\bname="([^"]*)"(?:[^\r\n]*\bfilename="([^"]*)")?/i.exec(
      headers,
    );
    if (!disposition?.[1]) throw malformed();
    parts.push({
      name: disposition[1],
      filename: disposition[2],
      contentType: /^content-type:\s*([^\r\n]+)/im.exec(headers)?.[1]?.trim(),
      data: body.subarray(headerEnd + 4, next - 2),
    });
    position = next;
  }
}

const malformed = () => new ZohoApiError(400, 'INVALID_DATA', 'invalid data', { api_name: 'file' });
