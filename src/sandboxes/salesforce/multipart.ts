import { badRequest } from './errors.js';

export interface MultipartPart {
  name: string;
  filename: string | undefined;
  contentType: string | undefined;
  data: Buffer;
}

/** The boundary from a multipart Content-Type, quoted or not. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return match?.[1] ?? match?.[2];
}

/**
 * Splits a multipart/form-data body into its parts. Small and strict: the sandbox only needs the
 * `entity_content` JSON part and the binary part of a ContentVersion upload.
 */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let position = body.indexOf(delimiter);
  if (position < 0) throw invalidMultipart('Multipart message has no boundary delimiter');
  while (true) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString() === '--') break;
    const headerEnd = body.indexOf('\r\n\r\n', position);
    const next = body.indexOf(delimiter, position);
    if (headerEnd < 0 || next < 0) throw invalidMultipart('Multipart message is truncated');
    const headers = body.subarray(position, headerEnd).toString('utf8');
    // The part's data ends before the CRLF that precedes the next delimiter.
    const data = body.subarray(headerEnd + 4, next - 2);
    const disposition = /content-disposition:[^\r\n]*\bname="([^"]*)"(?:[^\r\n]*\bfilename="([^"]*)")?/i.exec(
      headers,
    );
    if (!disposition?.[1]) throw invalidMultipart('Multipart part without a name');
    const contentType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim();
    parts.push({ name: disposition[1], filename: disposition[2], contentType, data });
    position = next;
  }
  return parts;
}

function invalidMultipart(message: string) {
  return badRequest('INVALID_MULTIPART_REQUEST', message);
}
