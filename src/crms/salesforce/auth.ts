import { createSign } from 'node:crypto';

/** How wasync signs in to an org. Every flow works headless; none needs a person after setup. */
export type SalesforceAuth =
  | { flow: 'client_credentials'; clientId: string; clientSecret: string }
  | { flow: 'refresh_token'; clientId: string; clientSecret: string; refreshToken: string }
  | { flow: 'jwt_bearer'; clientId: string; username: string; privateKeyPem: string };

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
export function tokenRequestBody(auth: SalesforceAuth, loginUrl: string, now = Date.now()): URLSearchParams {
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
        assertion: jwtAssertion(auth, loginUrl, now),
      });
  }
}

/** RS256-signed assertion: iss = consumer key, sub = username, aud = login URL, a short expiry. */
export function jwtAssertion(
  auth: Extract<SalesforceAuth, { flow: 'jwt_bearer' }>,
  loginUrl: string,
  now: number,
): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'RS256', typ: 'JWT' });
  const claims = encode({
    iss: auth.clientId,
    sub: auth.username,
    aud: loginUrl.replace(/\/$/, ''),
    exp: Math.floor(now / 1000) + 180,
  });
  const signature = createSign('RSA-SHA256')
    .update(`${header}.${claims}`)
    .sign(auth.privateKeyPem, 'base64url');
  return `${header}.${claims}.${signature}`;
}
