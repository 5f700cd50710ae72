import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * "In each REST call, the maximum length for the combined URI and headers is 16,384 bytes. A request
 * exceeding this limit returns a 431 Request Header Fields Too Large error. If the URI itself exceeds
 * this limit, the request returns a 414 URI Too Long error." (Salesforce Help, Knowledge Article
 * 000386264, "Maximum number of rows returned by SOQL queries over the REST API"; the REST API
 * Developer Guide's limits page says the same.)
 */
export const URI_AND_HEADERS_LIMIT = 16_384;

/**
 * Node's own parser refuses a request head past `maxHeaderSize` (16 KiB by default) with an empty 431
 * before any route sees it. The sandbox listens with this much more, so that the limit above is
 * answered by {@link refuseOversizedRequest}, by rule, and not by accident of Node's default.
 */
export const NODE_MAX_HEADER_SIZE = 64 * 1024;

/** Bytes of the request-target and of the header lines (`Name: value\r\n`), as they came in. */
export function requestHeadSize(request: FastifyRequest): { uri: number; headers: number } {
  const raw = request.raw.rawHeaders ?? [];
  let headers = 0;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    // Node decodes header bytes as latin1, so this counts the bytes that were sent.
    headers += Buffer.byteLength(`${raw[i]}: ${raw[i + 1]}\r\n`, 'latin1');
  }
  return { uri: Buffer.byteLength(request.raw.url ?? request.url, 'latin1'), headers };
}

/**
 * Answers 414 or 431 past the limit, and says whether it did. The body is the front end's HTML page
 * (unverified: the shape is taken from client reports quoting "Bad Message 431 reason: Request Header
 * Fields Too Large", a Jetty error page); it is not the REST API's JSON error array.
 */
export function refuseOversizedRequest(request: FastifyRequest, reply: FastifyReply): boolean {
  const { uri, headers } = requestHeadSize(request);
  const status = uri > URI_AND_HEADERS_LIMIT ? 414 : uri + headers > URI_AND_HEADERS_LIMIT ? 431 : undefined;
  if (status === undefined) return false;
  const reason = status === 414 ? 'URI Too Long' : 'Request Header Fields Too Large';
  reply
    .status(status)
    .type('text/html;charset=iso-8859-1')
    .header('connection', 'close')
    .send(`<h1>Bad Message ${status}</h1><pre>reason: ${reason}</pre>`);
  return true;
}
