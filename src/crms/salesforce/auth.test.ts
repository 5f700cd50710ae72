import { describe, expect, it } from 'vitest';
import { DEMO_JWT_PRIVATE_KEY_PEM } from '../../sandboxes/salesforce/index.js';
import { defaultJwtAudience, jwtAssertion } from './auth.js';

describe('JWT bearer audience', () => {
  it.each([
    ['https://login.salesforce.com', 'https://login.salesforce.com'],
    ['https://acme.my.salesforce.com', 'https://login.salesforce.com'],
    ['https://acme.develop.my.salesforce.com', 'https://login.salesforce.com'],
    ['http://127.0.0.1:4100', 'https://login.salesforce.com'],
    ['https://test.salesforce.com/', 'https://test.salesforce.com'],
    ['https://acme--uat.sandbox.my.salesforce.com', 'https://test.salesforce.com'],
    ['https://cs42.salesforce.com', 'https://test.salesforce.com'],
    ['https://acme--uat.cs42.my.salesforce.com', 'https://test.salesforce.com'],
  ])('a connection to %s signs with aud %s by default', (loginUrl, audience) => {
    expect(defaultJwtAudience(loginUrl)).toBe(audience);
  });

  it('puts the configured audience in the assertion, else the default', async () => {
    const auth = {
      flow: 'jwt_bearer',
      clientId: 'key',
      username: 'u@example.com',
      privateKeyPem: DEMO_JWT_PRIVATE_KEY_PEM,
    } as const;
    const audOf = (assertion: string) =>
      JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString()).aud;
    expect(audOf(await jwtAssertion(auth, 'https://acme.my.salesforce.com', 0))).toBe(
      'https://login.salesforce.com',
    );
    expect(
      audOf(
        await jwtAssertion({ ...auth, audience: 'https://acme.my.salesforce.com/' }, 'https://x.test', 0),
      ),
    ).toBe('https://acme.my.salesforce.com');
  });
});
