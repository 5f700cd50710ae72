import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENT } from '../src/sandboxes/zoho/index.js';
import { type OAuthKindScreens, saveOAuthApp, signInAtSandbox } from './support/oauth-browser.js';
import {
  browserSkipped,
  startWorkspaceInBrowser,
  type WorkspaceInBrowser,
} from './support/workspace-browser.js';
import { startTestZoho, type TestZoho } from './support/zoho-org.js';

const skipped = browserSkipped();

const ZOHO: OAuthKindScreens = {
  crm: 'Zoho CRM',
  kind: 'zoho',
  appForm: { name: 'Zoho CRM app', clientId: 'Client ID', clientSecret: 'Client secret' },
  // The sandbox stands in for a data centre's accounts server (Zoho's are not reachable from a test).
  typedServer: 'Other accounts server',
  consent: { heading: 'Allow access to the Zoho CRM sandbox?', path: '/oauth/v2/auth' },
};

/** "Connect Zoho CRM" in the workspace: through the sandbox's consent page and back, connected. */
describe.skipIf(skipped !== undefined)(
  `Connect Zoho CRM by signing in, in a browser${skipped ? ` (skipped: ${skipped})` : ''}`,
  { timeout: 60_000 },
  () => {
    let workspace: WorkspaceInBrowser;
    let url: string;
    let zoho: TestZoho;
    let page: Page;
    let errors: string[];

    beforeAll(async () => {
      workspace = await startWorkspaceInBrowser();
      ({ url, page, errors } = workspace);
      zoho = await startTestZoho();
    });
    afterAll(async () => {
      await workspace?.close();
      await zoho?.close();
    });

    const signIn = (name: string) => signInAtSandbox(page, url, ZOHO, zoho.url, name);

    it('sets the app once, picks the sandbox, clicks Accept and comes back to an Active connection', async () => {
      await saveOAuthApp(page, url, ZOHO, DEMO_CLIENT);

      // The data centres are offered, the United States' by default.
      const where = page
        .getByRole('form', { name: 'Sign in at Zoho CRM' })
        .getByRole('group', { name: 'Data centre' });
      await where.getByRole('radio').last().waitFor();
      expect(await where.getByRole('radio').count()).toBe(10);
      expect(await where.getByLabel('United States (zoho.com)').isChecked()).toBe(true);

      await signIn('Zoho via OAuth');
      await page.getByRole('button', { name: 'Accept' }).click();

      await page.getByText('Connected “Zoho via OAuth”: signed in at Zoho CRM.').waitFor();
      expect(new URL(page.url()).pathname).toBe('/setup');
      const item = page.getByRole('article', { name: 'Zoho via OAuth' });
      await item.getByText('Active').waitFor();
      await item.getByRole('button', { name: 'Test connection' }).click();
      await item.getByText(/^Connected/).waitFor();
      expect(errors).toEqual([]);
    });

    it('shows a rejected consent', async () => {
      await signIn('Rejected org');
      await page.getByRole('button', { name: 'Reject' }).click();
      await page.getByText('You declined access in Zoho.').waitFor();
      expect(await page.getByRole('article', { name: 'Rejected org' }).count()).toBe(0);
    });
  },
);
