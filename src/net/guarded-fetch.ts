import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { isBlockedAddress } from './blocked-addresses.js';
import {
  checkOutboundUrl,
  isAllowListed,
  type OutboundAllowList,
  UrlForbiddenError,
} from './outbound-url.js';

export interface GuardedFetchOptions {
  allow: OutboundAllowList;
  /** Redirects followed before giving up (each one checked like the first URL). Default 5. */
  maxRedirects?: number;
  /** Whole request, body included, for a request without a signal of its own. Default 60 s. */
  timeoutMs?: number;
  /** Largest response body read. Default 256 MiB. */
  maxResponseBytes?: number;
}

/** What a guarded request may carry: the part of fetch's RequestInit wasync uses. */
export interface GuardedRequestInit {
  method?: string;
  headers?: NonNullable<ConstructorParameters<typeof Headers>[0]>;
  body?: string | URLSearchParams | Uint8Array | ReadableStream<Uint8Array> | null;
  signal?: AbortSignal | null;
  duplex?: 'half';
}

/** fetch with the outbound rules applied; answers a WHATWG Response like fetch. */
export type GuardedFetch = ((url: string | URL, init?: GuardedRequestInit) => Promise<Response>) & {
  /** The allow-list it applies, for checks made before any request (vendor base URLs). */
  readonly allow: OutboundAllowList;
};

export class ResponseTooLargeError extends Error {
  constructor(limit: number) {
    super(`the response is larger than ${limit} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([204, 205, 304]);
/** Headers that must not follow a redirect to another origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * The one HTTP client for URLs a user supplied (media URLs, vendor base URLs, the instance URL a
 * token answer names). https only; http and local addresses only for allow-listed hosts; no
 * credentials in the URL; every address a host name resolves to is checked when the socket connects,
 * so DNS rebinding gains nothing; redirects are followed here, each hop checked again.
 */
export function createGuardedFetch(options: GuardedFetchOptions): GuardedFetch {
  const maxRedirects = options.maxRedirects ?? 5;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxBytes = options.maxResponseBytes ?? 256 * 1024 ** 2;
  const agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };
  const guarded = async (input: string | URL, init: GuardedRequestInit = {}): Promise<Response> => {
    // A caller's signal carries its own deadline (a large upload may need more than the default).
    const signal = init.signal ?? AbortSignal.timeout(timeoutMs);
    let url = checkOutboundUrl(input, options.allow);
    let method = (init.method ?? 'GET').toUpperCase();
    const headers = new Headers(init.headers ?? undefined);
    let body = requestBody(init.body ?? undefined, headers);
    for (let hop = 0; ; hop++) {
      const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
      const response = await send(url, { method, headers, body, signal, agent }, options.allow);
      const location = response.headers.location;
      if (!REDIRECTS.has(response.statusCode ?? 0) || location === undefined)
        return toResponse(response, method, maxBytes);
      response.resume();
      if (hop >= maxRedirects) throw new Error(`more than ${maxRedirects} redirects from ${url.origin}`);
      const next = checkOutboundUrl(new URL(location, url), options.allow);
      if (next.origin !== url.origin) for (const name of CREDENTIAL_HEADERS) headers.delete(name);
      if (response.statusCode === 303 || ((response.statusCode ?? 0) < 303 && method === 'POST')) {
        method = 'GET';
        body = undefined;
        headers.delete('content-type');
        headers.delete('content-length');
      } else if (body instanceof Readable) {
        throw new Error(`${url.origin} redirected a streamed request body, which cannot be sent again`);
      }
      url = next;
    }
  };
  return Object.assign(guarded, { allow: options.allow });
}

interface Outgoing {
  method: string;
  headers: Headers;
  body: Buffer | Readable | undefined;
  signal: AbortSignal;
  agent: http.Agent;
}

function send(url: URL, outgoing: Outgoing, allow: OutboundAllowList): Promise<IncomingMessage> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(url, {
      method: outgoing.method,
      headers: Object.fromEntries(outgoing.headers),
      agent: outgoing.agent,
      signal: outgoing.signal,
      // An allow-listed host may be local; every other host must resolve to public addresses only.
      ...(isAllowListed(url, allow) ? {} : { lookup: checkedLookup(url) }),
    });
    request.once('response', resolve);
    request.once('error', (error) => reject(outgoing.signal.aborted ? outgoing.signal.reason : error));
    if (outgoing.body instanceof Readable) outgoing.body.pipe(request);
    else request.end(outgoing.body);
  });
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * dns.lookup that refuses a host with any blocked address among its answers, run by the socket
 * itself: the address checked is the address connected to.
 */
function checkedLookup(url: URL) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const blocked = addresses.find((entry) => isBlockedAddress(entry.address));
      if (blocked) {
        const reason = `${hostname} resolves to ${blocked.address}, a local, private or reserved address`;
        return callback(new UrlForbiddenError(url.href, reason), []);
      }
      const [first] = addresses;
      if (options.all) return callback(null, addresses);
      if (!first)
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      return callback(null, first.address, first.family);
    });
  };
}

function requestBody(body: GuardedRequestInit['body'], headers: Headers): Buffer | Readable | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof URLSearchParams) {
    if (!headers.has('content-type'))
      headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
    return Buffer.from(body.toString());
  }
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return Readable.fromWeb(body as WebReadableStream<Uint8Array>);
}

function toResponse(incoming: IncomingMessage, method: string, maxBytes: number): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2)
    headers.append(incoming.rawHeaders[i] ?? '', incoming.rawHeaders[i + 1] ?? '');
  const status = incoming.statusCode ?? 502;
  const empty = NULL_BODY_STATUSES.has(status) || method === 'HEAD';
  if (empty) incoming.resume();
  const body = empty ? null : (Readable.toWeb(incoming.pipe(limited(maxBytes, incoming))) as ReadableStream);
  return new Response(body, { status, statusText: incoming.statusMessage ?? '', headers });
}

/** Passes bytes through until `maxBytes`, then fails the stream (and drops the connection). */
function limited(maxBytes: number, source: IncomingMessage): Transform {
  let seen = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) {
        source.destroy();
        return done(new ResponseTooLargeError(maxBytes));
      }
      done(null, chunk);
    },
  });
  source.once('error', (error) => limiter.destroy(error));
  return limiter;
}
