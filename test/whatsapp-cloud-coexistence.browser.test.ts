import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildWhatsAppCloudSandbox,
  SANDBOX_ACCESS_TOKEN,
  type WhatsAppCloudSandbox,
} from '../src/sandboxes/whatsapp-cloud/index.js';
import {
  browserSkipped,
  startWorkspaceInBrowser,
  type WorkspaceInBrowser,
} from './support/workspace-browser.js';

const skipped = browserSkipped();
const NUMBER = '106540352242922';

/**
 * Setup adds a Cloud API number shared with the WhatsApp Business app: wasync asks the sandbox for its
 * contacts and history at once; a request Meta did not take shows its error, and Request history asks
 * again while the 24 hours after onboarding last.
 */
describe.skipIf(skipped !== undefined)(
  `a coexistence number's history request, in a browser${skipped ? ` (skipped: ${skipped})` : ''}`,
  { timeout: 90_000 },
  () => {
    let workspace: WorkspaceInBrowser;
    let page: Page;
    let errors: string[];
    let sandbox: WhatsAppCloudSandbox;
    let sandboxUrl: string;

    beforeAll(async () => {
      sandbox = await buildWhatsAppCloudSandbox();
      sandboxUrl = await sandbox.listen();
      workspace = await startWorkspaceInBrowser({ consoleErrors: true });
      ({ page, errors } = workspace);
    });
    afterAll(async () => {
      await workspace?.close();
      await sandbox?.close();
    });

    it('shows the requests Meta refused, and Request history asks again', async () => {
      await page.getByRole('link', { name: 'Setup' }).click();
      await page.getByRole('button', { name: 'Add a Cloud API number' }).click();
      const form = page.getByRole('form', { name: 'Add a Cloud API number' });
      await form.getByLabel('Phone number', { exact: true }).fill('+1 415 555 2671');
      await form.getByLabel('Phone number ID').fill(NUMBER);
      await form.getByLabel('Access token').fill(SANDBOX_ACCESS_TOKEN);
      await form.getByLabel('App secret').fill('sandbox-app-secret');
      await form.getByLabel('Graph API URL (optional)').fill(sandboxUrl);
      await form.getByLabel(/Shared with the WhatsApp Business app/).check();
      await form.getByRole('button', { name: 'Add number' }).click();
      // Meta's side does not know the number yet: both requests were refused, and say why.
      await page.getByRole('button', { name: 'Done' }).click();
      const card = page.getByRole('article', { name: '+14155552671' });
      const status = card.getByRole('region', { name: 'Business app history' });
      await status.getByText(/^Chat history: not accepted: .*Unsupported post request/).waitFor();

      await sandbox.app.inject({
        method: 'POST',
        url: '/__sandbox/numbers',
        payload: {
          phoneNumberId: NUMBER,
          displayPhoneNumber: '14155552671',
          webhookUrl: 'http://127.0.0.1:9/unused',
          appSecret: 'sandbox-app-secret',
        },
      });
      await status.getByRole('button', { name: 'Request history' }).click();
      const requests = async () =>
        (await sandbox.app.inject({ method: 'GET', url: '/__sandbox/smb_app_data' })).json().data as {
          syncType: string;
          requestId: string;
        }[];
      const history = () => requests().then((all) => all.find((r) => r.syncType === 'history'));
      await status.getByText(/^Chat history: asked .* \(request id [0-9a-f]+\)$/).waitFor();
      expect(await status.textContent()).toContain(`request id ${(await history())?.requestId}`);
      expect((await requests()).map((r) => r.syncType)).toEqual(['smb_app_state_sync', 'history']);

      // Asking once more: Meta takes each sync type once, and says so.
      await status.getByRole('button', { name: 'Request history' }).click();
      await status
        .getByRole('alert')
        .getByText(/already requested/)
        .waitFor();
      expect(
        errors.filter((e) => !/502/.test(e)),
        errors.join('\n'),
      ).toEqual([]);
    });
  },
);
