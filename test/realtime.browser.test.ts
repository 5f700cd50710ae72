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
const ANA = '+5511987654321';

/**
 * Near-real-time mode as a person sees it: with the setting off a new message leaves its chat
 * "waiting" (the interval is an hour); switched on in Settings, the next message takes the chat to
 * "in CRM" on the open chat list and on the chat's CRM card, with no reload and no "sync now".
 */
describe.skipIf(skipped !== undefined)(
  `Near-real-time sync, in a browser${skipped ? ` (skipped: ${skipped})` : ''}`,
  { timeout: 120_000 },
  () => {
    let workspace: WorkspaceInBrowser;
    let h: Harness;
    let url: string;
    let org: TestOrg;
    let page: Page;
    let errors: string[];

    beforeAll(async () => {
      workspace = await startWorkspaceInBrowser({ env: { WASYNC_SYNC_INTERVAL: '1h' } });
      ({ h, url, page, errors } = workspace);
      org = await startTestOrg();
    });
    afterAll(async () => {
      await workspace?.close();
      await org?.close();
    });

    const api = async (method: 'GET' | 'POST', route: string, payload?: Record<string, unknown>) => {
      const response = await h.app.inject({
        method,
        url: `/api/v1${route}`,
        headers: h.auth,
        ...(payload ? { payload } : {}),
      });
      expect(response.statusCode, response.body).toBeLessThan(300);
      return response.json();
    };

    const setRealTime = async (realTime: boolean) => {
      const patched = await h.app.inject({
        method: 'PATCH',
        url: '/api/v1/settings',
        headers: h.auth,
        payload: { realTime },
      });
      expect(patched.statusCode, patched.body).toBe(200);
    };

    it('moves a chat from waiting to in CRM by itself once a message arrives', async () => {
      await org.seed('Contact', { FirstName: 'Ana', LastName: 'Lima', MobilePhone: ANA });
      const connection = await api('POST', '/connections', org.connectionInput('Sandbox org'));
      const account = await api('POST', '/accounts', {
        phone: '+1 415 555 0000',
        displayName: 'Rep',
        sourceKind: 'rest',
      });
      let n = 0;
      const post = (text: string) =>
        api('POST', `/accounts/${account.id}/messages`, {
          messages: [
            {
              id: `wamid.live-${++n}`,
              chat: { type: 'direct', with: { phone: ANA, name: 'Ana Lima' } },
              timestamp: new Date().toISOString(),
              text,
            },
          ],
        });
      await post('Hello, is the blue one in stock?');
      expect((await h.services.sync.runNow(connection.id)).state).toBe('done');
      h.services.syncWorker.start();
      h.services.realtime.start();

      // The setting, off: a new message waits for the interval (an hour away).
      await page.getByRole('link', { name: 'Setup' }).click();
      const settings = page.getByRole('form', { name: 'Settings' });
      const toggle = settings.getByLabel('Near-real-time sync');
      expect(await toggle.isChecked()).toBe(true);
      await toggle.uncheck();
      await settings.getByRole('button', { name: 'Save settings' }).click();
      await settings.getByText(/^Saved\./).waitFor();
      expect((await api('GET', '/settings')).realTime).toBe(false);

      await page.goto(`${url}/chats`);
      const list = page.getByRole('list', { name: 'Chats' });
      await list.getByText(/^In CRM/).waitFor();
      await post('And the red one?');
      await list.getByText(/^Waiting \(/).waitFor();

      // On again: the next message brings the chat into the CRM, and the open list follows.
      await setRealTime(true);
      await post('I will take both.');
      await list.getByText(/^In CRM/).waitFor({ timeout: 20_000 });
      expect(await list.getByText(/^Waiting/).count()).toBe(0);
      const rows = await org.records('WhatsApp_Chat__c');
      expect(rows.map((row) => String(row.Transcript__c)).join('\n')).toContain('I will take both.');

      // The chat's own page: its CRM card follows the same way.
      await list.getByText('Ana Lima').first().click();
      const state = page.getByRole('complementary', { name: 'In the CRM' }).getByTestId('crm-state');
      await state
        .getByText(/^In CRM up to /)
        .first()
        .waitFor();
      await setRealTime(false);
      await post('Delivery on Friday?');
      await state.getByText(/Waiting for the next run/).waitFor();
      await setRealTime(true);
      await post('Friday is fine.');
      await state
        .getByText(/^In CRM up to /)
        .first()
        .waitFor({ timeout: 20_000 });
      expect(await state.getByText(/Waiting/).count()).toBe(0);
      expect(errors).toEqual([]);
    });
  },
);
