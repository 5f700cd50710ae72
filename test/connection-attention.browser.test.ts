import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './support/harness.js';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';
import {
  browserSkipped,
  startWorkspaceInBrowser,
  type WorkspaceInBrowser,
} from './support/workspace-browser.js';

const skipped = browserSkipped();

/**
 * Setup tests a connection as it is saved: a wrong secret shows the org's reason and "Needs
 * attention". Then "Sync now", on the Sync page and on a chat's card, shows what the run did in the
 * line `wasync sync --once` prints.
 */
describe.skipIf(skipped !== undefined)(
  `saving a connection and syncing it, in a browser${skipped ? ` (skipped: ${skipped})` : ''}`,
  { timeout: 90_000 },
  () => {
    let workspace: WorkspaceInBrowser;
    let h: Harness;
    let page: Page;
    let errors: string[];
    let org: TestOrg;

    beforeAll(async () => {
      org = await startTestOrg();
      workspace = await startWorkspaceInBrowser({ consoleErrors: true });
      ({ h, page, errors } = workspace);
    });
    afterAll(async () => {
      await workspace?.close();
      await org?.close();
    });

    const connect = async (name: string, clientSecret: string) => {
      await page.getByRole('link', { name: 'Setup' }).click();
      await page.getByRole('button', { name: 'Connect a CRM' }).click();
      const form = page.getByRole('form', { name: 'Connect Salesforce' });
      const input = org.connectionInput();
      await form.getByLabel('Name').fill(name);
      await form.getByLabel('Login URL').fill(input.loginUrl);
      await form.getByLabel('Consumer key (client id)').fill(input.auth.clientId);
      await form.getByLabel('Consumer secret').fill(clientSecret);
      await form.getByRole('button', { name: 'Connect' }).click();
      return page.getByRole('article', { name });
    };

    it('shows a connection saved with a wrong secret as needing attention, with the org’s reason', async () => {
      const connection = await connect('Wrong secret org', 'not-the-secret');
      await page
        .getByText(/^Saved “Wrong secret org”, but it needs attention: .+\(invalid_client\)\./)
        .waitFor();
      expect(await connection.locator('.crm-state').textContent()).toBe('Needs attention');
      await connection.getByText(/^Needs attention: .+\(invalid_client\)\. The sync waits/).waitFor();
      // The reason is the org's own, as the API stored it.
      const [stored] = await h.services.connections.list(h.services.workspace.id);
      expect(stored).toMatchObject({
        state: 'parked',
        parkedReason: expect.stringContaining('(invalid_client)'),
      });
      expect(await connection.textContent()).toContain(stored?.parkedReason);
      // Testing it again keeps it so, and says why.
      await connection.getByRole('button', { name: 'Test connection' }).click();
      await connection.getByText(/^Could not sign in: .+\(invalid_client\)$/).waitFor();
      expect(await connection.locator('.crm-state').textContent()).toBe('Needs attention');
      expect(errors, errors.join('\n')).toEqual([]);
    });

    it('shows a connection with the right secret as active', async () => {
      const connection = await connect('Sandbox org', org.connectionInput().auth.clientSecret);
      await page.getByText('Connected “Sandbox org”: it signed in and is ready to sync.').waitFor();
      expect(await connection.locator('.crm-state').textContent()).toBe('Active');
      expect(errors, errors.join('\n')).toEqual([]);
    });

    it('shows what the run did after Sync now, on the Sync page and on the card', async () => {
      await org.seed('Contact', { FirstName: 'Ana', LastName: 'Lima', Phone: '+55 11 98765-4321' });
      await org.seed('Contact', { FirstName: 'Bruno', LastName: 'Keller', Phone: '+55 21 99876-5432' });
      const account = await h.createAccount('+14155550000');
      await h.postMessages(account, [
        {
          id: 'wamid.a1',
          chat: { type: 'direct', with: { phone: '+5511987654321', name: 'Ana Lima' } },
          timestamp: new Date().toISOString(),
          text: 'Do you have the blue one?',
        },
        {
          id: 'wamid.b1',
          chat: { type: 'direct', with: { phone: '+5521998765432', name: 'Bruno Keller' } },
          timestamp: new Date().toISOString(),
          text: 'Danke!',
        },
      ]);
      await page.getByRole('link', { name: 'Sync' }).click();
      const status = page.getByRole('region', { name: /Sandbox org/ });
      await status.getByRole('button', { name: 'Sync now' }).click();
      await status.getByText('A run is queued; this page updates when it ends.').waitFor();
      // The worker of `wasync serve` starts only now: the queued run is the one the page waits for.
      h.services.syncWorker.start();
      const finished = status.getByText(/^The run has finished/);
      await finished.waitFor({ timeout: 30_000 });
      expect(await finished.textContent()).toMatch(
        /^The run has finished: 2 chats \(2 matched, 0 unmatched\); 2 linked by phone; transcripts 2 written, 0 unchanged; 0 files; 0 failed, 0 rejected \(\d+\.\d s\)\.$/,
      );
      expect(await status.getByTestId('last-summary').textContent()).toMatch(
        /^Last run: 2 chats \(2 matched, 0 unmatched\); 2 linked by phone; transcripts 2 written/,
      );
      // The connection that needs attention was left alone: nothing ran for it.
      const parked = page.getByRole('region', { name: /Wrong secret org/ });
      await parked.getByText(/^Needs attention: .+\(invalid_client\)/).waitFor();
      expect(await parked.getByTestId('last-summary').count()).toBe(0);
      // Its health says trouble; the one that synced is ok.
      await parked.getByText('Trouble', { exact: true }).waitFor();
      await status.getByText('OK', { exact: true }).waitFor();

      // On Ana's card, after one more message: Sync now, and the run's line.
      await page.getByRole('link', { name: 'Chats', exact: true }).click();
      await page.getByRole('link', { name: /Ana Lima/ }).click();
      const card = page.getByRole('complementary', { name: 'In the CRM' });
      await card.getByText('Ana Lima', { exact: true }).waitFor();
      await h.postMessages(account, [
        {
          id: 'wamid.a2',
          chat: { type: 'direct', with: { phone: '+5511987654321', name: 'Ana Lima' } },
          timestamp: new Date().toISOString(),
          text: 'And in green?',
        },
      ]);
      await card.getByRole('button', { name: 'Sync now' }).click();
      const synced = card.getByText(/^Synced/);
      await synced.waitFor({ timeout: 30_000 });
      expect(await synced.textContent()).toMatch(
        /^Synced: 1 chat \(1 matched, 0 unmatched\); transcripts 1 written, 0 unchanged; 0 files; 0 failed, 0 rejected \(\d+\.\d s\)\.$/,
      );
      expect(errors, errors.join('\n')).toEqual([]);
    });
  },
);
