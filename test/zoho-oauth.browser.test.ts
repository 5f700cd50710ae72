import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_CLIENT } from '../src/sandboxes/zoho/index.js';
import { testDatabases } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { startTestZoho, type TestZoho } from './support/zoho-org.js';

const browserSetup = inject('browser');
const skipped = 'skipped' in browserSetup ? browserSetup.skipped : undefined;

/** "Connect Zoho CRM" in the workspace: through the sandbox's consent page and back, connected. */
describe.skipIf(skipped !== undefined)(
  `Connect Zoho CRM by signing in, in a browser${skipped ? ` (skipped: ${skipped})` : ''}`,
  { timeout: 60_000 },
  () => {
    let h: Harness;
    let url: string;
    let browser: Browser;
    let zoho: TestZoho;
    let page: Page;
    const errors: string[] = [];

    beforeAll(async () => {
      const sqlite = testDatabases().find((d) => d.dialect === 'sqlite');
      if (!sqlite) throw new Error('no sqlite');
      h = await startHarness(sqlite);
      url = await h.app.listen({ port: 0, host: '127.0.0.1' });
      zoho = await startTestZoho();
      if (!('executablePath' in browserSetup)) throw new Error('no browser');
      browser = await chromium.launch({
        executablePath: browserSetup.executablePath,
        args: ['--no-sandbox'],
      });
      page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      page.on('pageerror', (error) => errors.push(error.message));
      // The first admin, signed in in this browser.
      await page.goto(url);
      await page.getByLabel('Your name').fill('Ada Admin');
      await page.getByLabel('E-mail').fill('ada@example.com');
      await page.getByLabel('Password', { exact: true }).fill('a long admin password');
      await page.getByLabel('Repeat the password').fill('a long admin password');
      await page.getByRole('button', { name: 'Create admin account' }).click();
      await page.getByRole('heading', { name: 'Chats' }).waitFor();
    });
    afterAll(async () => {
      await browser?.close();
      await h?.close();
      await zoho?.close();
    });

    const signIn = async (name: string) => {
      await page.goto(`${url}/setup`);
      await page.getByRole('button', { name: 'Connect Zoho CRM' }).click();
      const form = page.getByRole('form', { name: 'Sign in at Zoho CRM' });
      await form.getByLabel('Name').fill(name);
      // The sandbox stands in for a data centre's accounts server (Zoho's are not reachable from a test).
      await form.getByLabel('Other accounts server').check();
      await form.getByRole('textbox', { name: 'Other accounts server' }).fill(zoho.url);
      await form.getByRole('button', { name: 'Sign in at Zoho CRM' }).click();
      await page.getByRole('heading', { name: 'Allow access to the Zoho CRM sandbox?' }).waitFor();
      expect(page.url().startsWith(`${zoho.url}/oauth/v2/auth?`)).toBe(true);
    };

    it('sets the app once, picks the sandbox, clicks Accept and comes back to an Active connection', async () => {
      await page.goto(`${url}/setup`);
      await page.getByRole('button', { name: 'Connect Zoho CRM' }).click();
      const appForm = page.getByRole('form', { name: 'Zoho CRM app' });
      await appForm.getByText(`${url}/api/v1/oauth/zoho/callback`).waitFor();
      await appForm.getByLabel('Client ID').fill(DEMO_CLIENT.clientId);
      await appForm.getByLabel('Client secret').fill(DEMO_CLIENT.clientSecret);
      await appForm.getByRole('button', { name: 'Save the app' }).click();
      await page.getByText(`Signs in with the app ${DEMO_CLIENT.clientId}`).waitFor();

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
