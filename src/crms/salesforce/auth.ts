import { createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';

/** How wasync signs in to an org. Every flow works headless; none needs a person after setup. */
export type SalesforceAuth =
  | { flow: 'client_credentials'; clientId: string; clientSecret: string }
  | { flow: 'refresh_token'; clientId: string; clientSecret: string; refreshToken: string }
  | {
      flow: 'jwt_bearer';
      clientId: string;
      username: string;
      privateKeyPem: string;
      /** The assertion's `aud`; by default {@link defaultJwtAudience} of the login URL. */
      audience?: string;
    };

export interface SalesforceToken {
  accessToken: string;
  /** Always use the instance URL of the latest token: orgs move between instances. */
  instanceUrl: string;
  /** A rotated refresh token, when the org rotates them; persist it. */
  refreshToken: string | undefined;
  /** The user the session runs as: the last segment of the token answer's identity URL (`id`). */
  userId: string | undefined;
}

/** The form body of a token request for each flow (Salesforce OAuth 2.0 token endpoint). */
export async function tokenRequestBody(
  auth: SalesforceAuth,
  loginUrl: string,
  now = Date.now(),
): Promise<URLSearchParams> {
  switch (auth.flow) {
    case 'client_credentials':
      return new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: auth.clientId,
        client_secret: auth.clientSecret,
      });
    case 'refresh_token':
      return new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: auth.clientId,
        client_secret: auth.clientSecret,
        refresh_token: auth.refreshToken,
      });
    case 'jwt_bearer':
      return new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: await jwtAssertion(auth, loginUrl, now),
      });
  }
}

export const PRODUCTION_LOGIN = 'https://login.salesforce.com';
export const SANDBOX_LOGIN = 'https://test.salesforce.com';

/**
 * The `aud` a JWT bearer assertion carries unless the connection says otherwise. Salesforce asks for
 * the authorization server's URL: https://login.salesforce.com, https://test.salesforce.com for
 * sandbox orgs, or an Experience Cloud site's URL (Salesforce Help, "OAuth 2.0 JWT Bearer Flow for
 * Server-to-Server Integration"), also when the request itself goes to a My Domain URL. A sandbox
 * org is told by its host as the Salesforce CLI tells it (sfdx-core `SfdcUrl.isSandboxUrl`):
 * test.salesforce.com, `…sandbox.my.salesforce.com` (enhanced domains), a `csNN` instance. Apps that
 * want the My Domain URL as `aud` instead (reported for External Client Apps since Spring '26;
 * unverified in the docs) set it on the connection.
 */
export function defaultJwtAudience(loginUrl: string): string {
  const host = new URL(loginUrl).hostname.toLowerCase();
  const sandbox =
    host === 'test.salesforce.com' ||
    host.endsWith('.sandbox.my.salesforce.com') ||
    /(^|\.)cs\d+(\.my)?\.salesforce\.com$/.test(host);
  return sandbox ? SANDBOX_LOGIN : PRODUCTION_LOGIN;
}

/**
 * RS256-signed assertion (signed by jose): iss = consumer key, sub = username, aud = the org's
 * audience, a short expiry. The key may be PKCS#8 or PKCS#1 PEM, as Salesforce's own guides make it.
 */
export function jwtAssertion(
  auth: Extract<SalesforceAuth, { flow: 'jwt_bearer' }>,
  loginUrl: string,
  now: number,
): Promise<string> {
  return (
    new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(auth.clientId)
      .setSubject(auth.username)
      .setAudience((auth.audience ?? defaultJwtAudience(loginUrl)).replace(/\/$/, ''))
      // The help page asks for an expiry within 3 minutes.
      .setExpirationTime(Math.floor(now / 1000) + 180)
      .sign(createPrivateKey(auth.privateKeyPem))
  );
}
