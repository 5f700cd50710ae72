import { isIP } from 'node:net';
import { isBlockedAddress } from './blocked-addresses.js';

/**
 * A URL wasync refuses to fetch: a scheme other than https (or http to an allow-listed host),
 * credentials in the URL, or an address inside this machine or its private network. The code is
 * stable: the API answers it as `url_forbidden` and a media download records the message as its
 * failure reason.
 */
export class UrlForbiddenError extends Error {
  readonly code = 'url_forbidden';
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`${redact(url)} is not allowed: ${reason}`);
    this.name = 'UrlForbiddenError';
  }
}

/**
 * Hosts an admin lets wasync reach although they are local or plain http (WASYNC_OUTBOUND_ALLOW):
 * each entry is a host (any port) or host:port, IPv6 in brackets (`[::1]:4100`).
 */
export type OutboundAllowList = readonly string[];

/** Whether the allow-list names the URL's host, on any port or on the URL's own. */
export function isAllowListed(url: URL, allow: OutboundAllowList): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allow.some((entry) => {
    const { host: allowedHost, port: allowedPort } = splitAllowEntry(entry);
    return allowedHost === host && (allowedPort === undefined || allowedPort === port);
  });
}

/**
 * The checks that need no network: the scheme, credentials, and an IP-literal host (which the URL
 * parser has already turned from decimal, octal or hex spellings into dotted form). Addresses a host
 * name resolves to are checked when the connection is made.
 */
export function checkOutboundUrl(raw: string | URL, allow: OutboundAllowList): URL {
  const text = String(raw);
  const url = URL.parse(text);
  if (!url) throw new UrlForbiddenError(text, 'it is not an absolute URL');
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UrlForbiddenError(text, `wasync fetches only https URLs, not ${url.protocol}`);
  if (url.username !== '' || url.password !== '')
    throw new UrlForbiddenError(text, 'a URL may not carry a user name or password');
  const allowListed = isAllowListed(url, allow);
  if (url.protocol === 'http:' && !allowListed)
    throw new UrlForbiddenError(text, 'plain http is allowed only to hosts in WASYNC_OUTBOUND_ALLOW');
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowListed && isIP(literal) !== 0 && isBlockedAddress(literal))
    throw new UrlForbiddenError(text, `${literal} is a local, private or reserved address`);
  return url;
}

/** Parses one allow-list entry; undefined port means any. Throws on an entry that is no host. */
export function splitAllowEntry(entry: string): { host: string; port: string | undefined } {
  const url = URL.parse(`http://${entry.trim()}`);
  if (url?.pathname !== '/' || url.username || url.search || url.hash)
    throw new Error(`"${entry}" is not a host or host:port`);
  const explicitPort = /:(\d+)$/.exec(entry.trim())?.[1];
  return { host: url.hostname.toLowerCase(), port: explicitPort };
}

/** The URL without user name and password, so a refusal never repeats a secret. */
function redact(text: string): string {
  const url = URL.parse(text);
  if (!url) return JSON.stringify(text.slice(0, 200));
  url.username = '';
  url.password = '';
  return url.href;
}
