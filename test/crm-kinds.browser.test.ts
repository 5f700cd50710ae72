import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReferenceCrm } from '../src/crms/reference/crm.js';
import { referenceKind } from '../src/crms/reference/kind.js';
import { crmRegistry } from '../src/crms/registry.js';
import type { Harness } from './support/harness.js';
import {
  browserSkipped,
  startWorkspaceInBrowser,
  type WorkspaceInBrowser,
} from './support/workspace-browser.js';

const skipped = browserSkipped();

/**
 * A third CRM kind, registered through the registry alone before the app starts: the workspace's
 * "Connect a CRM" offers it with the form the registry describes, and its card and unmatched list
 * offer no lead where the kind has none.
 */
describe.skipIf(skipped !== undefined)(
  `a registered CRM kind in the workspace${skipped ? ` (skipped: ${skipped})` : ''}`,
  { timeout: 60_000 },
  () => {
    const crm = new ReferenceCrm('browser-ref-key');
    let workspace: WorkspaceInBrowser;
    let h: Harness;
    let page: Page;
    let errors: string[];

    beforeAll(async () => {
      crmRegistry.register(referenceKind(crm, { kind: 'memorycrm', leads: false }));
      workspace = await startWorkspaceInBrowser({
        viewport: { width: 1280, height: 800 },
        consoleErrors: true,
      });
      ({ h, page, errors } = workspace);
    });
    afterAll(async () => {
      await workspace?.close();
      crmRegistry.unregister('memorycrm');
    });

    it('offers the kind in "Connect a CRM" with its own form, and connects it', async () => {
      await page.getByRole('link', { name: 'Setup' }).click();
      await page.getByRole('button', { name: 'Connect a CRM' }).click();
      // Salesforce first, as registered (then Zoho CRM and Bitrix24); its form is the one shown until another kind is picked.
      const kinds = page.getByRole('group', { name: 'CRM' });
      await kinds.getByRole('radio').last().waitFor();
      expect(await kinds.getByRole('radio').count()).toBe(4);
      await page.getByRole('form', { name: 'Connect Salesforce' }).waitFor();
      await kinds.getByLabel('Reference CRM').check();
      const form = page.getByRole('form', { name: 'Connect Reference CRM' });
      await form.waitFor();
      expect(await page.getByRole('form', { name: 'Connect Salesforce' }).count()).toBe(0);
      expect(await form.getByLabel('Name').inputValue()).toBe('Reference CRM');
      expect(await form.getByLabel('API key').getAttribute('type')).toBe('password');
      await form.getByLabel('Name').fill('Memory');
      await form.getByLabel('Workspace').fill('sales');
      await form.getByLabel('API key').fill('browser-ref-key');
      await form.getByRole('button', { name: 'Connect' }).click();

      const connection = page.getByRole('article', { name: 'Memory' });
      await connection.getByText('memorycrm').waitFor();
      await connection.getByText(/workspace sales · since/).waitFor();
      // The kind has no setup: no setup button.
      expect(await connection.getByRole('button').allTextContents()).toEqual(['Test connection', 'Delete']);
      await connection.getByRole('button', { name: 'Test connection' }).click();
      await connection.getByText('Connected, and everything wasync writes into is set up.').waitFor();
      const stored = (await h.services.connections.list(h.services.workspace.id))[0];
      expect(stored).toMatchObject({ kind: 'memorycrm', settings: { workspaceLabel: 'sales' } });
    });

    it("keeps Salesforce's form: fields per sign-in flow, its hints, and the body it sends", async () => {
      await page.getByRole('link', { name: 'Setup' }).click();
      await page.getByRole('button', { name: 'Connect a CRM' }).click();
      const form = page.getByRole('form', { name: 'Connect Salesforce' });
      await form.waitFor();
      const loginHint = () => form.getByText(/^Your My Domain URL/).textContent();
      expect(await loginHint()).toContain(
        'the client credentials flow does not work on login.salesforce.com',
      );
      expect(await form.getByLabel('Consumer secret').count()).toBe(1);
      expect(await form.getByLabel('Username').count()).toBe(0);
      await form.getByLabel('JWT bearer').check();
      expect(await loginHint()).toBe(
        'Your My Domain URL, https://login.salesforce.com, or https://test.salesforce.com for a sandbox org.',
      );
      expect(await form.getByLabel('Consumer secret').count()).toBe(0);
      expect(await form.getByLabel('API version').inputValue()).toBe('62.0');
      expect(await form.getByLabel('Lead Source of records made from a chat').inputValue()).toBe('WhatsApp');
      await form.getByLabel('Name', { exact: true }).fill('JWT org');
      await form.getByLabel('Login URL').fill('https://test.salesforce.com');
      await form.getByLabel('Lead Source of records made from a chat').fill('');
      await form.getByLabel('Consumer key (client id)').fill('  jwt-client  ');
      await form.getByLabel('Username').fill('integration@example.com');
      await form
        .getByLabel('Private key (PEM)')
        .fill('-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n');
      await form.getByRole('button', { name: 'Connect' }).click();
      await page
        .getByRole('article', { name: 'JWT org' })
        .getByText(/jwt bearer · since/)
        .waitFor();
      const jwt = (await h.services.connections.list(h.services.workspace.id)).find(
        (c) => c.name === 'JWT org',
      );
      // An empty Lead Source is "none" (null), the client id is trimmed, and the audience defaults for a sandbox org.
      expect(jwt).toMatchObject({
        kind: 'salesforce',
        settings: {
          loginUrl: 'https://test.salesforce.com',
          apiVersion: '62.0',
          leadSource: null,
          leadCompany: 'Unknown (WhatsApp)',
          flow: 'jwt_bearer',
          clientId: 'jwt-client',
          username: 'integration@example.com',
          audience: 'https://test.salesforce.com',
        },
      });
      expect(errors, errors.join('\n')).toEqual([]);
      await h.services.connections.delete(h.services.workspace.id, 'JWT org');
    });

    it('offers contacts only on the card and the unmatched list of a kind without leads', async () => {
      const account = await h.createAccount('+14155550000');
      await h.postMessages(account, [
        {
          id: 'wamid.kind-1',
          chat: { type: 'direct', with: { phone: '+44 7911 123456', name: 'Chloe Price' } },
          timestamp: new Date(Date.now() - 60_000).toISOString(),
          text: 'Hello there',
        },
        {
          id: 'wamid.kind-2',
          chat: { type: 'direct', with: { phone: '+49 151 23456789', name: 'Bruno Keller' } },
          timestamp: new Date(Date.now() - 30_000).toISOString(),
          text: 'Hallo',
        },
      ]);
      await h.services.sync.runNow('Memory');

      await page.getByRole('link', { name: 'Unmatched' }).click();
      const list = page.getByRole('list', { name: 'Unmatched chats of Memory' });
      const bruno = list.getByRole('listitem').filter({ hasText: 'Bruno Keller' });
      await bruno.waitFor();
      expect(await bruno.getByRole('button').allTextContents()).toEqual(['Create contact']);

      await page.getByRole('link', { name: 'Chats', exact: true }).click();
      await page.getByRole('link', { name: /Chloe Price/ }).click();
      const card = page.getByRole('complementary', { name: 'In the CRM' });
      await card.getByText('is not linked to a record in Memory').waitFor();
      expect(await card.getByRole('button', { name: 'Create contact or lead' }).count()).toBe(0);
      await card.getByRole('button', { name: 'Create contact', exact: true }).click();
      expect(await card.getByText('Create as').count()).toBe(0);
      expect(await card.getByLabel('Company (leads)').count()).toBe(0);
      await card.getByRole('button', { name: 'Create in the CRM' }).click();
      await card.getByText('Chloe Price', { exact: true }).waitFor();
      expect(crm.allRecords()).toEqual([
        expect.objectContaining({ type: 'contact', name: 'Chloe Price', phones: ['+447911123456'] }),
      ]);
      expect(errors, errors.join('\n')).toEqual([]);
    });
  },
);
