import type { KitToken } from '../kit/token-holder.js';
import { CrmError } from '../types.js';

/**
 * An application's session on a portal (b24restdocs `settings/oauth/index.md`): the access token, the
 * refresh token the same answer rotated, and `client_endpoint`, the portal's REST address the calls go
 * to. No expiry is kept on purpose: the docs ask not to refresh ahead of time or on a schedule
 * (`settings/oauth/auto-renewal.md`), only once the portal answers 401 `expired_token`.
 */
export interface Bitrix24Token extends KitToken {
  /** `https://portal.bitrix24.com/rest/`: where the methods are called. */
  clientEndpoint: string;
  /** The portal's stable id (the domain may change: `settings/how-to-call-rest-api/change-domen.md`). */
  memberId: string | undefined;
}

/** The refresh grant as the docs write it: a GET with its parameters in the query (`settings/oauth/index.md`). */
export function refreshUrl(
  oauthServer: string,
  auth: { clientId: string; clientSecret: string; refreshToken: string },
): string {
  const url = new URL(`${oauthServer.replace(/\/+$/, '')}/oauth/token/`);
  url.searchParams.set('grant_type', 'refresh_token');
  url.searchParams.set('client_id', auth.clientId);
  url.searchParams.set('client_secret', auth.clientSecret);
  url.searchParams.set('refresh_token', auth.refreshToken);
  return url.toString();
}

/**
 * A token answer's refusal (`settings/oauth/error-codes.md`): an unknown or revoked refresh token
 * (`invalid_grant`), a wrong client (`invalid_client`), or an application the portal no longer pays
 * for or has removed park the connection until someone connects it again; the server's trouble passes.
 */
export function tokenAnswerError(body: Record<string, unknown>, httpStatus: number): CrmError | undefined {
  const error = typeof body.error === 'string' ? body.error : undefined;
  if (error === undefined && httpStatus < 400 && typeof body.access_token === 'string') return undefined;
  const description = typeof body.error_description === 'string' ? body.error_description : undefined;
  const code = error ?? `HTTP_${httpStatus}`;
  const message = `Bitrix24 refused to renew the sign-in: ${description ?? code}`;
  if (httpStatus >= 500 || httpStatus === 429) return new CrmError({ kind: 'retryable', code, message });
  return new CrmError({ kind: 'park', code, message });
}

/** The session a token answer gives; `client_endpoint` is required (the calls go nowhere else). */
export function toBitrix24Token(body: Record<string, unknown>): Bitrix24Token {
  const endpoint = body.client_endpoint;
  if (typeof body.access_token !== 'string' || typeof endpoint !== 'string' || endpoint === '')
    throw new CrmError({
      kind: 'retryable',
      code: 'UNEXPECTED_TOKEN_ANSWER',
      message: 'Bitrix24 answered the sign-in without an access token or a client_endpoint',
    });
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
    clientEndpoint: endpoint.endsWith('/') ? endpoint : `${endpoint}/`,
    memberId: typeof body.member_id === 'string' ? body.member_id : undefined,
  };
}
