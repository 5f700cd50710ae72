import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_CLIENT } from '../src/sandboxes/salesforce/index.js';
import { testDatabases } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';

const browserSetup = inject('browser');
const skipped = 'skipped' in browserSetup ? browserSetup.skipped : undefined;

/** "Connect Salesforce" in the workspace: through the sandbox's authorize page and back, connected. */
describe.skipIf(skipped !== undefined)(
  `Connect Salesforce by signing in, in a browser${skipped ? ` (skipped: ${skipped})` : ''}`,
  { timeout: 60_000 },
  () => {
    let h: Harness;
    let url: string;
    let browser: Browser;
    let org: TestOrg;
    let page: Page;
    const errors: string[] = [];

    beforeAll(async () => {
      const sqlite = testDatabases().find((d) => d.dialect === 'sqlite');
      if (!sqlite) throw new Error('no sqlite');
      h = await startHarness(sqlite);
      url = await h.app.listen({ port: 0, host: '127.0.0.1' });
      org = await startTestOrg();
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
      await org?.close();
    });

    const signIn = async (name: string) => {
      await page.goto(`${url}/setup`);
      await page.getByRole('button', { name: 'Connect Salesforce' }).click();
      const form = page.getByRole('form', { name: 'Sign in at Salesforce' });
      await form.getByLabel('Name').fill(name);
      // The sandbox stands in for a My Domain (login.salesforce.com is not reachable from a test).
      await form.getByLabel('My Domain URL').check();
      await form.getByRole('textbox', { name: 'My Domain URL' }).fill(org.url);
      await form.getByRole('button', { name: 'Sign in at Salesforce' }).click();
      await page.getByRole('heading', { name: 'Allow Access?' }).waitFor();
      expect(page.url().startsWith(`${org.url}/services/oauth2/authorize?`)).toBe(true);
    };

    it('sets the app once, signs in at the sandbox, clicks Allow and comes back to an Active connection', async () => {
      await page.goto(`${url}/setup`);
      await page.getByRole('button', { name: 'Connect Salesforce' }).click();
      const appForm = page.getByRole('form', { name: 'Salesforce app' });
      await appForm.getByText(`${url}/api/v1/oauth/salesforce/callback`).waitFor();
      await appForm.getByLabel('Consumer key (client id)').fill(DEMO_CLIENT.clientId);
      await appForm.getByLabel('Consumer secret').fill(DEMO_CLIENT.clientSecret);
      await appForm.getByRole('button', { name: 'Save the app' }).click();
      await page.getByText(`Signs in with the app ${DEMO_CLIENT.clientId}`).waitFor();

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
