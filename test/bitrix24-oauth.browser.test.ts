import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPLICATION } from '../src/sandboxes/bitrix24/index.js';
import { startTestBitrix24, type TestBitrix24 } from './support/bitrix24-portal.js';
import { type OAuthKindScreens, saveOAuthApp } from './support/oauth-browser.js';
import {
  browserSkipped,
  startWorkspaceInBrowser,
  type WorkspaceInBrowser,
} from './support/workspace-browser.js';

const skipped = browserSkipped();

const BITRIX24: OAuthKindScreens = {
  crm: 'Bitrix24',
  kind: 'bitrix24',
  appForm: {
    name: 'Bitrix24 app',
    clientId: 'Application ID (client_id)',
    clientSecret: 'Application key (client_secret)',
  },
  // Bitrix24's sign-in form types the portal and the OAuth server in; it has no list to pick from.
  typedServer: 'OAuth server',
  consent: { heading: 'Allow access', path: '/oauth/authorize/' },
};

/**
 * "Connect Bitrix24" in the workspace: the portal's local application set once, then through the
 * sandbox's consent page (the portal and its OAuth server in one) and back, connected.
 */
describe.skipIf(skipped !== undefined)(
  `Connect Bitrix24 by signing in, in a browser${skipped ? ` (skipped: ${skipped})` : ''}`,
  { timeout: 60_000 },
  () => {
    let workspace: WorkspaceInBrowser;
    let url: string;
    let b24: TestBitrix24;
    let page: Page;
    let errors: string[];

    beforeAll(async () => {
      workspace = await startWorkspaceInBrowser();
      ({ url, page, errors } = workspace);
      // The local application as the portal's administrator registered it: its handler is this
      // workspace's callback, known once the workspace listens.
      b24 = await startTestBitrix24({
        applications: [{ ...DEMO_APPLICATION, redirectUri: `${url}/api/v1/oauth/bitrix24/callback` }],
      });
    });
    afterAll(async () => {
      await workspace?.close();
      await b24?.close();
    });

    /** Starts signing in a connection called `name` at the sandbox, up to the portal's consent page. */
    const signIn = async (name: string) => {
      await page.goto(`${url}/setup`);
      await page.getByRole('button', { name: 'Connect Bitrix24' }).click();
      const form = page.getByRole('form', { name: 'Sign in at Bitrix24' });
      await form.getByLabel('Name').fill(name);
      await form.getByLabel('Portal', { exact: true }).fill(b24.url);
      await form.getByLabel(BITRIX24.typedServer).fill(b24.url);
      await form.getByRole('button', { name: 'Sign in at Bitrix24' }).click();
      await page.getByRole('heading', { name: BITRIX24.consent.heading }).waitFor();
      const authorize = new URL(page.url());
      expect(`${authorize.origin}${authorize.pathname}`).toBe(`${b24.url}${BITRIX24.consent.path}`);
      expect(authorize.searchParams.get('client_id')).toBe(DEMO_APPLICATION.clientId);
    };

    it('sets the local application once, signs in at the portal, clicks Allow and comes back to an Active connection', async () => {
      await saveOAuthApp(page, url, BITRIX24, DEMO_APPLICATION);
      await signIn('Bitrix24 via OAuth');
      await page.getByRole('button', { name: 'Allow' }).click();

      await page.getByText('Connected “Bitrix24 via OAuth”: signed in at Bitrix24.').waitFor();
      expect(new URL(page.url()).pathname).toBe('/setup');
      const item = page.getByRole('article', { name: 'Bitrix24 via OAuth' });
      await item.getByText('Active').waitFor();
      // The test calls the portal with a token the stored refresh token renews.
      await item.getByRole('button', { name: 'Test connection' }).click();
      await item.getByText(/^Connected/).waitFor();
      expect(errors).toEqual([]);
    });

    it('shows a denied consent, and connects nothing', async () => {
      await signIn('Denied portal');
      await page.getByRole('button', { name: 'Deny' }).click();
      await page.getByText('You declined access in Bitrix24.').waitFor();
      expect(await page.getByRole('article', { name: 'Denied portal' }).count()).toBe(0);
    });

    it('shows why the OAuth server refused a wrong application key, and connects nothing', async () => {
      await page.goto(`${url}/setup`);
      await page.getByRole('button', { name: 'Connect Bitrix24' }).click();
      await page.getByRole('button', { name: 'Change the app' }).click();
      const appForm = page.getByRole('form', { name: BITRIX24.appForm.name });
      await appForm.getByLabel(BITRIX24.appForm.clientSecret).fill('not the key');
      await appForm.getByRole('button', { name: 'Save the app' }).click();
      await page.getByText(`Signs in with the app ${DEMO_APPLICATION.clientId}`).waitFor();
      await signIn('Wrong key');
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.getByText(/^Bitrix24 refused the sign-in: .*\(invalid_client\)\.$/).waitFor();
      expect(new URL(page.url()).pathname).toBe('/setup');
      expect(await page.getByRole('article', { name: 'Wrong key' }).count()).toBe(0);
    });
  },
);
