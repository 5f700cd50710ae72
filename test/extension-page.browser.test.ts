import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserSkipped,
  startWorkspaceInBrowser,
  type WorkspaceInBrowser,
} from './support/workspace-browser.js';

/** Where the screenshots of each main screen go (kept by CI as artifacts). */
const SCREENSHOTS = path.resolve('artifacts/screenshots');

const skipped = browserSkipped();

/**
 * The Browser extension page, as a member sees it: "Connect the extension" shows a token of their own
 * once, with this server's URL; the token reads the API as a member, and Revoke stops it.
 */
describe.skipIf(skipped !== undefined)(
  `the Browser extension page${skipped ? ` (skipped: ${skipped})` : ''}`,
  { timeout: 60_000 },
  () => {
    let w: WorkspaceInBrowser;
    beforeAll(async () => {
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      w = await startWorkspaceInBrowser({ consoleErrors: true });
    });
    afterAll(() => w?.close());

    const api = (token: string, route: string) =>
      fetch(`${w.url}/api/v1${route}`, { headers: { authorization: `Bearer ${token}` } });

    it('gives a member a token of their own for the extension, shown once, that they can revoke', async () => {
      const { h, url, page, errors } = w;
      // The admin page of the setup signs out; the member joins through an invite made with the API.
      const invited = await h.app.inject({
        method: 'POST',
        url: '/api/v1/invites',
        headers: h.auth,
        payload: { email: 'bob@example.com' },
      });
      expect(invited.statusCode, invited.body).toBe(201);
      // Every signed-in person has the page in the navigation, the admin too.
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Browser extension' })
        .waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You are signed out.').waitFor();
      await page.goto(invited.json().url.replace(/^https?:\/\/[^/]+/, url));
      await page.getByLabel('Your name').fill('Bob Member');
      await page.getByLabel('Password', { exact: true }).fill('bobs long password');
      await page.getByLabel('Repeat the password').fill('bobs long password');
      await page.getByRole('button', { name: 'Join' }).click();
      await page.getByRole('heading', { name: 'Chats' }).waitFor();

      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Browser extension' })
        .click();
      await page.getByRole('heading', { name: 'Browser extension' }).waitFor();
      await page.getByText('No extension is connected with a token of yours.').waitFor();
      await page.getByRole('button', { name: 'Connect the extension' }).click();
      const shown = page.getByLabel('Token', { exact: true });
      await shown.waitFor();
      const token = await shown.inputValue();
      expect(token).toMatch(/^wsk_/);
      expect(await page.getByLabel('Server URL').inputValue()).toBe(url);
      const listed = page.getByRole('list', { name: 'Your active tokens' }).getByRole('listitem');
      await listed.first().waitFor();
      expect(await listed.count()).toBe(1);
      expect(await listed.first().textContent()).toContain(`${token.slice(0, 10)}… · member`);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'extension.png'), fullPage: true });

      // The token reads as Bob, a member: chats yes, admin routes no, and no more tokens.
      expect((await api(token, '/chats')).status).toBe(200);
      expect((await api(token, '/users')).status).toBe(403);
      const minted = await fetch(`${url}/api/v1/session/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(minted.status).toBe(403);
      expect(((await minted.json()) as { error: { code: string } }).error.code).toBe('session_required');
      const owned = await h.services.store.tokens.list(h.services.workspace.id);
      expect(owned.find((t) => t.prefix === token.slice(0, 10))).toMatchObject({
        role: 'member',
        owner: { email: 'bob@example.com' },
      });

      // Shown once: after a reload only its prefix is left.
      await page.reload();
      await listed.first().waitFor();
      expect(await page.getByLabel('Token', { exact: true }).count()).toBe(0);
      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: /^Revoke/ }).click();
      await page.getByText('No extension is connected with a token of yours.').waitFor();
      expect((await api(token, '/chats')).status).toBe(401);
      expect(errors).toEqual([]);
    });
  },
);
