import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENT } from '../src/sandboxes/salesforce/index.js';
import { type OAuthKindScreens, saveOAuthApp, signInAtSandbox } from './support/oauth-browser.js';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';
import {
  browserSkipped,
  startWorkspaceInBrowser,
  type WorkspaceInBrowser,
} from './support/workspace-browser.js';

const skipped = browserSkipped();

const SALESFORCE: OAuthKindScreens = {
  crm: 'Salesforce',
  kind: 'salesforce',
  appForm: { name: 'Salesforce app', clientId: 'Consumer key (client id)', clientSecret: 'Consumer secret' },
  // The sandbox stands in for a My Domain (login.salesforce.com is not reachable from a test).
  typedServer: 'My Domain URL',
  consent: { heading: 'Allow Access?', path: '/services/oauth2/authorize' },
};

/** "Connect Salesforce" in the workspace: through the sandbox's authorize page and back, connected. */
describe.skipIf(skipped !== undefined)(
  `Connect Salesforce by signing in, in a browser${skipped ? ` (skipped: ${skipped})` : ''}`,
  { timeout: 60_000 },
  () => {
    let workspace: WorkspaceInBrowser;
    let url: string;
    let org: TestOrg;
    let page: Page;
    let errors: string[];

    beforeAll(async () => {
      workspace = await startWorkspaceInBrowser();
      ({ url, page, errors } = workspace);
      org = await startTestOrg();
    });
    afterAll(async () => {
      await workspace?.close();
      await org?.close();
    });

    const signIn = (name: string) => signInAtSandbox(page, url, SALESFORCE, org.url, name);

    it('sets the app once, signs in at the sandbox, clicks Allow and comes back to an Active connection', async () => {
      await saveOAuthApp(page, url, SALESFORCE, DEMO_CLIENT);

      await signIn('Sandbox via OAuth');
      await page.getByRole('button', { name: 'Allow' }).click();

      await page.getByText('Connected “Sandbox via OAuth”: signed in at Salesforce.').waitFor();
      expect(new URL(page.url()).pathname).toBe('/setup');
      expect(new URL(page.url()).search).toBe('');
      const item = page.getByRole('article', { name: 'Sandbox via OAuth' });
      await item.getByText('Active').waitFor();
      await item.getByRole('button', { name: 'Test connection' }).click();
      await item.getByText('Connected, and everything wasync writes into is set up.').waitFor();
      expect(errors).toEqual([]);
    });

    it("sends the start body the kind's form describes: a login picked, or a My Domain typed in", async () => {
      // The answer is held back: test.salesforce.com is not reachable from a test.
      const bodies: unknown[] = [];
      await page.route('**/api/v1/oauth/salesforce/start', (route) => {
        bodies.push(route.request().postDataJSON());
        return route.fulfill({
          status: 409,
          json: { error: { code: 'conflict', message: 'Held back by the test.', requestId: 'test' } },
        });
      });
      try {
        await page.goto(`${url}/setup`);
        await page.getByRole('button', { name: 'Connect Salesforce' }).click();
        const form = page.getByRole('form', { name: 'Sign in at Salesforce' });
        const where = form.getByRole('group', { name: 'Where you sign in' });
        // count() does not wait: the form is on the page first.
        await where.getByRole('radio').last().waitFor();
        expect(await where.getByRole('radio').count()).toBe(3);
        expect(await where.getByLabel('Production (login.salesforce.com)').isChecked()).toBe(true);
        expect(await form.getByRole('textbox', { name: 'My Domain URL' }).count()).toBe(0);
        await form.getByRole('button', { name: 'Sign in at Salesforce' }).click();
        await form.getByText('Held back by the test.').waitFor();
        await where.getByLabel('Sandbox org (test.salesforce.com)').check();
        await form.getByLabel('Name').fill('  Sandbox org  ');
        await form.getByRole('button', { name: 'Sign in at Salesforce' }).click();
        await expect.poll(() => bodies.length, { timeout: 15_000 }).toBe(2);
        await where.getByLabel('My Domain URL').check();
        await form.getByRole('textbox', { name: 'My Domain URL' }).fill(' https://acme.my.salesforce.com ');
        await form.getByRole('button', { name: 'Sign in at Salesforce' }).click();
        await expect.poll(() => bodies.length, { timeout: 15_000 }).toBe(3);
        expect(bodies).toEqual([
          { name: 'Salesforce', loginUrl: 'https://login.salesforce.com' },
          { name: 'Sandbox org', loginUrl: 'https://test.salesforce.com' },
          { name: 'Sandbox org', loginUrl: 'https://acme.my.salesforce.com' },
        ]);
      } finally {
        await page.unroute('**/api/v1/oauth/salesforce/start');
      }
    });

    it('shows a declined consent', async () => {
      await signIn('Declined org');
      await page.getByRole('button', { name: 'Deny' }).click();
      await page.getByText('You declined access in Salesforce.').waitFor();
      expect(await page.getByRole('article', { name: 'Declined org' }).count()).toBe(0);
    });
  },
);
