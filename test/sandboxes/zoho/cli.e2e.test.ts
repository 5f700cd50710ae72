import { describe, expect, it } from 'vitest';
import { DEMO_CLIENT } from '../../../src/sandboxes/zoho/index.js';
import { withCliSandbox } from '../../support/cli-sandbox.js';
import { json } from './support.js';

describe('wasync sandbox zoho', () => {
  it('prints its URL and the demo client, and answers a Self Client refresh with its own api_domain', async () => {
    const code = await withCliSandbox('zoho', ['--data-centre', 'eu'], 'inspect:', async (url, stdout) => {
      expect(stdout).toContain(DEMO_CLIENT.clientId);
      expect(stdout).toContain(DEMO_CLIENT.clientSecret);
      expect(stdout).toContain('data centre eu');
      const minted = await json(fetch(`${url}/__sandbox/self-client`, { method: 'POST' }));
      const token = await json(
        fetch(`${url}/oauth/v2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            client_id: minted.client_id,
            client_secret: minted.client_secret,
            refresh_token: minted.refresh_token,
          }).toString(),
        }),
      );
      expect(token).toMatchObject({ api_domain: url, token_type: 'Bearer', expires_in: 3600 });
    });
    expect(code).toBe(0);
  });
});
