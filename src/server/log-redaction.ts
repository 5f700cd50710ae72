import type { FastifyRequest } from 'fastify';

const REDACTED = '[redacted]';

/**
 * Query parameters whose value is a secret: Meta's `hub.verify_token`, OAuth `code`, anything named
 * like a token, secret, password, key or signature. Their values never reach a log line.
 */
const SECRET_QUERY_NAME = /token|secret|passw|signature|api[_-]?key|^key$|^code$/i;

/** Secrets wasync mints (invite links `wsi_`, sessions `wss_`, API tokens `wsk_`), wherever they appear in a path. */
const MINTED_SECRET = /^ws[iks]_/;

/** The path segment after these is an invite link's token (`/invite/<token>`, `/api/v1/invites/<token>/accept`). */
const TOKEN_FOLLOWS = new Set(['invite', 'invites']);

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function redactPath(pathname: string): string {
  const segments = pathname.split('/');
  return segments
    .map((segment, index) => {
      const value = decoded(segment);
      const previous = index > 0 ? decoded(segments[index - 1] ?? '') : '';
      // An invite's id (`inv_…`, used to revoke it) is no secret; its token is.
      const isInviteToken = TOKEN_FOLLOWS.has(previous) && value !== '' && !value.startsWith('inv_');
      return MINTED_SECRET.test(value) || isInviteToken ? REDACTED : segment;
    })
    .join('/');
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals < 0) return pair;
      const name = decoded(pair.slice(0, equals).replaceAll('+', ' '));
      const value = decoded(pair.slice(equals + 1));
      return SECRET_QUERY_NAME.test(name) || MINTED_SECRET.test(value)
        ? `${pair.slice(0, equals)}=${REDACTED}`
        : pair;
    })
    .join('&');
}

/** A request URL as the log may carry it: secrets in the path and the query replaced. */
export function redactUrl(url: string): string {
  const question = url.indexOf('?');
  if (question < 0) return redactPath(url);
  return `${redactPath(url.slice(0, question))}?${redactQuery(url.slice(question + 1))}`;
}

/** Fastify's request serializer, with the URL redacted (the rest as Fastify logs it). */
export function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort ?? 0,
  };
}
