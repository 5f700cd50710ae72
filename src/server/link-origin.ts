import type { FastifyRequest } from 'fastify';
import { WasyncError } from '../core/errors.js';

/** Host names only the machine itself answers to: a link built from one cannot send anyone elsewhere. */
const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/i;

/**
 * The origin of links wasync hands out with a secret in them (invite links). WASYNC_PUBLIC_URL when
 * set. Without it, the request's Host header is trusted only when it names this machine (a local
 * install, the demo): behind a proxy, or with any other Host, a forged header would make the link
 * carry its token to another site, so the link is refused until WASYNC_PUBLIC_URL is set.
 */
export function secretLinkOrigin(
  publicUrl: string | undefined,
  request: Pick<FastifyRequest, 'protocol' | 'host' | 'headers'>,
): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  const proxied =
    request.headers['x-forwarded-host'] !== undefined || request.headers.forwarded !== undefined;
  if (!proxied && LOOPBACK_HOST.test(request.host)) return `${request.protocol}://${request.host}`;
  throw new WasyncError(
    'public_url_required',
    'Set WASYNC_PUBLIC_URL to the address people reach wasync at: invite links are not built from the ' +
      "request's Host header, which a client or proxy can set to anything.",
  );
}
