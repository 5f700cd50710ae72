import { describe, expect, it } from 'vitest';
import { withCliSandbox } from '../../support/cli-sandbox.js';

/** Runs `wasync sandbox salesforce` with the options given; `use` gets its URL and printed lines. */
const withSalesforceSandbox = (options: string[], use: (url: string, stdout: string) => Promise<void>) =>
  withCliSandbox('salesforce', options, 'client secret', use);

async function signIn(url: string): Promise<Response> {
  return fetch(`${url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=wasync-sandbox&client_secret=wasync-sandbox-secret',
  });
}

describe('wasync sandbox salesforce', () => {
  it('starts, prints the URL and demo credentials, answers a token request, and exits 0 on SIGTERM', async () => {
    const code = await withSalesforceSandbox([], async (url, stdout) => {
      expect(stdout).toContain('client id:      wasync-sandbox');
      expect(stdout).toContain('client secret:  wasync-sandbox-secret');
      const token = await signIn(url);
      expect(token.status).toBe(200);
      expect(((await token.json()) as { instance_url: string }).instance_url).toBe(url);
    });
    expect(code).toBe(0);
  });

  it('--search-index-lag 0 makes a record searchable by SOSL as soon as it is written', async () => {
    await withSalesforceSandbox(['--search-index-lag', '0'], async (url) => {
      const { access_token: token } = (await (await signIn(url)).json()) as { access_token: string };
      await fetch(`${url}/__sandbox/records/Contact`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ LastName: 'Ana', Phone: '(11) 98765-4321' }),
      });
      const sosl = 'FIND {11987654321} IN PHONE FIELDS RETURNING Contact(Name)';
      const answer = await fetch(`${url}/services/data/v62.0/search?q=${encodeURIComponent(sosl)}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(((await answer.json()) as { searchRecords: { Name: string }[] }).searchRecords).toEqual([
        expect.objectContaining({ Name: 'Ana' }),
      ]);
    });
  });
});
