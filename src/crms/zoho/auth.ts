import { CrmError } from '../types.js';

/** A Zoho session: the access token, the API host the token answer named, and the refreshes spent. */
export interface ZohoToken {
  accessToken: string;
  /** `api_domain` of the token answer, without a trailing slash: every API call goes there. */
  apiDomain: string;
  /** When the access token stops working (ms since epoch): `expires_in` of the answer (an hour). */
  expiresAt: number | undefined;
  refreshToken?: string | undefined;
  obtainedAt?: number | undefined;
  /**
   * When the connection's refresh token was spent within the last {@link REFRESH_WINDOW_MS} (ms
   * since epoch), as every process shares it through the stored session: Zoho issues at most
   * {@link REFRESHES_PER_WINDOW} access tokens per refresh token in that window.
   */
  refreshes?: number[] | undefined;
}

/**
 * "A maximum of ten access tokens can be generated from a refresh token in a span of 10 minutes";
 * past that the token endpoint answers "Access Denied" until the window has room (Zoho CRM API v8,
 * OAuth "Token Validity"; Kaizen #43). The holder refreshes only when a token expires (after an hour)
 * or is refused, and never asks for an eleventh in the window: it waits instead.
 */
export const REFRESHES_PER_WINDOW = 10;
export const REFRESH_WINDOW_MS = 10 * 60_000;

/** The refresh grant (Zoho Accounts OAuth, "Refresh access token"): a form POST to {accounts}/oauth/v2/token. */
export function refreshRequestBody(auth: {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: auth.clientId,
    client_secret: auth.clientSecret,
    refresh_token: auth.refreshToken,
  });
}

/**
 * The token endpoint answers its refusals with HTTP 200 and an `error` key (the crm-apis notes §2.1
 * and §2.8: "check the body, not the status"): `invalid_code` for a refresh token Zoho does not know
 * (revoked, or the 21st of a client deleted the first), `invalid_client` for a wrong id or secret,
 * "Access Denied" past ten tokens in ten minutes. The first two need a person; the last passes once
 * the window has room.
 */
export function tokenAnswerError(body: Record<string, unknown>, httpStatus: number): CrmError | undefined {
  const error = body.error;
  if (typeof error !== 'string') {
    if (httpStatus >= 500 || httpStatus === 429)
      return new CrmError({
        kind: 'retryable',
        code: `HTTP_${httpStatus}`,
        message: `Zoho's accounts server answered ${httpStatus}`,
      });
    return undefined;
  }
  const description = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
  if (/access denied/i.test(error))
    return new CrmError({
      kind: 'retryable',
      code: 'ACCESS_DENIED',
      message: `Zoho refused a new access token for now (${error}${description})`,
      retryAfterMs: REFRESH_WINDOW_MS,
    });
  return new CrmError({
    kind: 'park',
    code: error,
    message: `Zoho refused to sign in (${error}${description})`,
  });
}

/** A successful token answer, or a retryable error when it carries no token. */
export function toZohoToken(body: Record<string, unknown>, now: number): ZohoToken {
  const { access_token: accessToken, api_domain: apiDomain, expires_in: expiresIn } = body;
  if (typeof accessToken !== 'string' || typeof apiDomain !== 'string')
    throw new CrmError({
      kind: 'retryable',
      code: 'BAD_TOKEN_RESPONSE',
      message: 'Zoho sent a token answer without a token or api_domain',
    });
  return {
    accessToken,
    apiDomain: apiDomain.replace(/\/+$/, ''),
    expiresAt: typeof expiresIn === 'number' && expiresIn > 0 ? now + expiresIn * 1000 : undefined,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
  };
}
