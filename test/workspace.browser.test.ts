import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { FakeWhatsApp } from './support/fake-whatsapp.js';
import { type Harness, startHarness } from './support/harness.js';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';

/** Where the screenshots of each main screen go (kept by CI as artifacts). */
export const SCREENSHOTS = path.resolve('artifacts/screenshots');

const browserSetup = inject('browser');
const skipped = 'skipped' in browserSetup ? browserSetup.skipped : undefined;

describe.skipIf(skipped !== undefined)(
  `workspace in a browser${skipped ? ` (skipped: ${skipped})` : ''}`,
  { timeout: 60_000 },
  () => {
    let h: Harness;
    let url: string;
    let browser: Browser;
    let org: TestOrg;
    const contexts: BrowserContext[] = [];
    // Linked-device sessions reach this stand-in, not WhatsApp: the test plays the phone.
    const whatsapp = new FakeWhatsApp();

    beforeAll(async () => {
      const sqlite = testDatabases().find((d) => d.dialect === 'sqlite');
      if (!sqlite) throw new Error('no sqlite');
      h = await startHarness(sqlite, {}, { whatsappWebSocket: whatsapp.factory });
      url = await h.app.listen({ port: 0, host: '127.0.0.1' });
      // The background work of `wasync serve`: media downloads, webhook processing, the sync worker.
      h.services.mediaFetcher.start();
      h.services.webhookProcessor.start();
      h.services.syncWorker.start();
      if (!('executablePath' in browserSetup)) throw new Error('no browser');
      browser = await chromium.launch({
        executablePath: browserSetup.executablePath,
        args: ['--no-sandbox'],
      });
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      org = await startTestOrg();
    });
    afterAll(async () => {
      for (const context of contexts) await context.close();
      await browser?.close();
      await h?.close();
      await org?.close();
    });

    /** A new browser profile (its own cookies) with a page that records console errors. */
    const open = async (viewport = { width: 1280, height: 800 }) => {
      const context = await browser.newContext({ viewport });
      contexts.push(context);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      return { page, errors };
    };
    const shot = (page: Page, name: string) =>
      page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

    const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'a long admin password' };
    let admin: { page: Page; errors: string[] };
    let inviteLink = '';

    it('lets the first visitor create the admin account and lands on the chats', async () => {
      admin = await open();
      const { page } = admin;
      await page.goto(url);
      await page.getByRole('heading', { name: 'Set up your workspace' }).waitFor();
      await shot(page, 'first-run');
      await page.getByLabel('Your name').fill(ADMIN.name);
      await page.getByLabel('E-mail').fill(ADMIN.email);
      await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
      await page.getByLabel('Repeat the password').fill('something else entirely');
      await page.getByRole('button', { name: 'Create admin account' }).click();
      await page.getByText('The two passwords differ.').waitFor();
      await page.getByLabel('Repeat the password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Create admin account' }).click();
      await page.getByRole('heading', { name: 'Chats' }).waitFor();
      await page.getByText('No chats yet.').waitFor();
      expect(new URL(page.url()).pathname).toBe('/chats');
      expect(await page.getByRole('link', { name: 'Team' }).count()).toBe(1);
    });

    it('lists chats with their last message time, filtered by name or number', async () => {
      const account = await h.createAccount('+14155550000');
      const posted = await h.app.inject({
        method: 'POST',
        url: `/api/v1/accounts/${account.id}/messages`,
        headers: h.auth,
        payload: {
          messages: [
            {
              id: 'wamid.w1',
              chat: { type: 'direct', with: { phone: '+55 11 98765-4321', name: 'Ana Lima' } },
              timestamp: new Date().toISOString(),
              text: 'Do you have the blue one?',
            },
            {
              id: 'wamid.w2',
              chat: { type: 'direct', with: { phone: '+49 151 2345 6789', name: 'Bruno Keller' } },
              timestamp: new Date(Date.now() - 2 * 86_400_000).toISOString(),
              text: 'Danke!',
            },
          ],
        },
      });
      expect(posted.statusCode, posted.body).toBe(200);
      const { page } = admin;
      await page.reload();
      const list = page.getByRole('list', { name: 'Chats' });
      await list.getByText('Ana Lima').waitFor();
      expect(await list.getByRole('listitem').count()).toBe(2);
      // Newest first.
      expect(await list.getByRole('listitem').first().textContent()).toContain('Ana Lima');
      // Each row: the last message, and whether the person is in the CRM (no CRM is connected yet).
      expect(await list.getByRole('listitem').first().textContent()).toContain('Do you have the blue one?');
      expect(await list.getByRole('listitem').first().textContent()).toContain('No CRM connected');
      await shot(page, 'chats');
      await page.getByLabel('Search chats by name or number').fill('4915123');
      await expect.poll(() => list.getByRole('listitem').count()).toBe(1);
      expect(await list.textContent()).toContain('Bruno Keller');
      await page.getByLabel('Search chats by name or number').fill('nobody');
      await page.getByText('No chat matches').waitFor();
    });

    it('has the admin invite a member, and shows the link once', async () => {
      const { page } = admin;
      await page.getByRole('link', { name: 'Team' }).click();
      await page.getByRole('heading', { name: 'Team' }).waitFor();
      await page.getByRole('region', { name: 'Invite someone' }).getByLabel('E-mail').fill('bob@example.com');
      await page.getByRole('button', { name: 'Create invite link' }).click();
      const link = page.getByLabel('Invite link');
      await link.waitFor();
      inviteLink = await link.inputValue();
      expect(inviteLink).toMatch(/\/invite\/wsi_/);
      await page.getByText('bob@example.com').first().waitFor();
      // The first-start token is the first admin's once they signed up, and the list says so.
      const tokens = page.getByRole('list', { name: 'Active API tokens' });
      expect(await tokens.getByRole('listitem').first().textContent()).toContain(`owner ${ADMIN.name}`);
      await shot(page, 'team');
      expect(admin.errors).toEqual([]);
    });

    it('lets the member join through the link, without admin pages or routes', async () => {
      const bob = await open({ width: 390, height: 844 });
      const { page } = bob;
      await page.goto(inviteLink);
      await page.getByRole('heading', { name: 'Join your team on wasync' }).waitFor();
      await page.getByText('as a member with bob@example.com').waitFor();
      await shot(page, 'invite');
      await page.getByLabel('Your name').fill('Bob Member');
      await page.getByLabel('Password', { exact: true }).fill('bobs long password');
      await page.getByLabel('Repeat the password').fill('bobs long password');
      await page.getByRole('button', { name: 'Join' }).click();
      await page.getByRole('heading', { name: 'Chats' }).waitFor();
      await page.getByText('Ana Lima').waitFor();
      await shot(page, 'chats-phone');
      expect(await page.getByRole('link', { name: 'Team' }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
      await page.goto(`${url}/team`);
      await page.getByRole('heading', { name: 'For admins' }).waitFor();
      // The routes behind the admin pages refuse the member's session too.
      const status = await page.evaluate(async () => (await fetch('/api/v1/users')).status);
      expect(status).toBe(403);
      expect(await page.evaluate(async () => (await fetch('/api/v1/audit')).status)).toBe(403);
      // The used link does not open twice.
      const again = await open();
      await again.page.goto(inviteLink);
      await again.page.getByRole('heading', { name: 'This invite cannot be used' }).waitFor();
      expect(bob.errors.filter((e) => !e.includes('403'))).toEqual([]);

      // Signing out, a wrong password, then the right one.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You are signed out.').waitFor();
      await page.getByLabel('E-mail').fill('bob@example.com');
      await page.getByLabel('Password').fill('not his password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('That e-mail and password do not match an account.').waitFor();
      await shot(page, 'sign-in-error');
      await page.getByLabel('Password').fill('bobs long password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      // Back on the page where they signed out.
      await page.getByRole('heading', { name: 'For admins' }).waitFor();
    });

    it('sends someone whose session ended to the sign-in, saying so, and back to work after it', async () => {
      const { page } = admin;
      await h.services.store.sql.db
        .updateTable('sessions')
        .set({ expires_at: Date.now() - 1 })
        .execute();
      await page.getByRole('link', { name: 'Chats', exact: true }).click();
      await page.getByText('Your session has ended. Sign in again to go on.').waitFor();
      await page.getByLabel('E-mail').fill(ADMIN.email);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Chats' }).waitFor();
      await page.getByText('Ana Lima').waitFor();
    });

    it('connects the Salesforce sandbox and a Cloud API number in Setup; a signed webhook chat appears live', async () => {
      const { page, errors } = admin;
      errors.length = 0;
      await page.getByRole('link', { name: 'Setup' }).click();
      await page.getByRole('button', { name: 'Connect a CRM' }).click();
      const form = page.getByRole('form', { name: 'Connect Salesforce' });
      const input = org.connectionInput();
      await form.getByLabel('Name').fill('Sandbox org');
      await form.getByLabel('Login URL').fill(input.loginUrl);
      await form.getByLabel('Consumer key (client id)').fill(input.auth.clientId);
      await form.getByLabel('Consumer secret').fill(input.auth.clientSecret);
      await shot(page, 'setup-crm');
      await form.getByRole('button', { name: 'Connect' }).click();
      const connection = page.getByRole('article', { name: 'Sandbox org' });
      // The test org has the WhatsApp Chat object deployed already: setup finds it and creates nothing.
      await connection.getByRole('button', { name: 'Set up the WhatsApp Chat object' }).click();
      await connection.getByText(/^(Set up: \d+ change|Already set up)/).waitFor();
      await connection.getByRole('button', { name: 'Test connection' }).click();
      await connection.getByText('Connected, and everything wasync writes into is set up.').waitFor();

      await page.getByRole('button', { name: 'Add a Cloud API number' }).click();
      const cloud = page.getByRole('form', { name: 'Add a Cloud API number' });
      await cloud.getByLabel('Phone number', { exact: true }).fill('+1 415 555 2671');
      await cloud.getByLabel('Phone number ID').fill('1122334455667');
      await cloud.getByLabel('Access token').fill('EAAG-browser-test');
      await cloud.getByLabel('App secret').fill('browser-app-secret');
      await cloud.getByRole('button', { name: 'Add number' }).click();
      const webhookUrl = await page.getByLabel('Callback URL', { exact: true }).inputValue();
      const verifyToken = await page.getByLabel('Verify token', { exact: true }).inputValue();
      // The app-level URL: Meta sends it every number of the app, and wasync routes by phone_number_id.
      expect(webhookUrl).toMatch(/\/webhooks\/whatsapp-cloud$/);
      await shot(page, 'setup');
      // A chat export, uploaded with a progress bar, ends in the import's summary.
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('button', { name: 'Import a chat export' }).click();
      const importForm = page.getByRole('form', { name: 'Import a chat export' });
      await importForm
        .getByLabel('Export file')
        .setInputFiles(path.resolve('test/fixtures/chat-export/group_ddmmyy_24hrs.txt'));
      await importForm.getByRole('button', { name: 'Upload and import' }).click();
      await importForm.getByText(/^Imported the group .*: 9 new messages \(0 already there/).waitFor();
      await shot(page, 'setup-import');
      await importForm.getByRole('button', { name: 'Close' }).click();

      // Meta's verify handshake with the values shown.
      const handshake = await fetch(
        `${webhookUrl}?hub.mode=subscribe&hub.verify_token=${verifyToken}&hub.challenge=1234`,
      );
      expect(await handshake.text()).toBe('1234');

      // On the chat list, a signed webhook delivers a new person's message: the chat appears live.
      await page.getByRole('link', { name: 'Chats', exact: true }).click();
      await page.getByRole('list', { name: 'Chats' }).waitFor();
      const body = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: 'waba',
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: '14155552671', phone_number_id: '1122334455667' },
                  contacts: [{ profile: { name: 'Dana Scully' }, wa_id: '5511912345678' }],
                  messages: [
                    {
                      from: '5511912345678',
                      id: 'wamid.dana1',
                      timestamp: String(Math.floor(Date.now() / 1000)),
                      type: 'text',
                      text: { body: 'Hello from the Cloud API' },
                    },
                  ],
                },
              },
            ],
          },
        ],
      });
      const delivered = await fetch(webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': `sha256=${createHmac('sha256', 'browser-app-secret').update(body).digest('hex')}`,
        },
        body,
      });
      expect(delivered.status).toBe(200);
      const dana = page.getByRole('link', { name: /Dana Scully/ });
      await dana.waitFor();
      expect(await dana.textContent()).toContain('Hello from the Cloud API');

      // From that chat: create the contact, sync now, and the card shows the last sync time.
      await dana.click();
      await page.getByRole('list', { name: 'Messages' }).getByText('Hello from the Cloud API').waitFor();
      const card = page.getByRole('complementary', { name: 'In the CRM' });
      await card.getByRole('button', { name: 'Create contact or lead' }).click();
      expect(await card.getByLabel('Name').inputValue()).toBe('Dana Scully');
      await card.getByRole('button', { name: 'Create in the CRM' }).click();
      await card.getByText('Dana Scully', { exact: true }).waitFor();
      await card.getByRole('button', { name: 'Sync now' }).click();
      await card.getByText(/^Synced: \d+ chats? \(/).waitFor({ timeout: 30_000 });
      expect(await card.getByTestId('last-sync').textContent()).toMatch(/\d/);
      // The sandbox holds the transcript on the contact made from the chat.
      const [contact] = (await org.records('Contact')).filter((c) => c.LastName === 'Scully');
      const days = (await org.records('WhatsApp_Chat__c')).filter((r) => r.Contact__c === contact?.Id);
      expect(days).toHaveLength(1);
      expect(String(days[0]?.Transcript__c)).toContain('Hello from the Cloud API');
      await page.getByRole('link', { name: 'Chats', exact: true }).click();
      expect(errors, errors.join('\n')).toEqual([]);
    });

    it('shows a chat with media, replies, edits, deletions and reactions, and creates its contact from the card', async () => {
      const api = async (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => {
        const response = await h.app.inject({
          method,
          url: `/api/v1${url}`,
          headers: h.auth,
          ...(payload ? { payload } : {}),
        });
        expect(response.statusCode, response.body).toBeLessThan(300);
        return response.json();
      };
      // The connection made in Setup; the REST account of the chat list test.
      const account = (await api('GET', '/accounts')).data.find(
        (a: { phone: string }) => a.phone === '+14155550000',
      );
      const png =
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
      const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
      const chloe = { phone: '+44 7911 123456', name: 'Chloe Price' };
      await api('POST', `/accounts/${account.id}/messages`, {
        messages: [
          {
            id: 'wamid.c1',
            chat: { type: 'direct', with: chloe },
            timestamp: at(30),
            text: 'Hi! Is the blue sofa still available?',
          },
          {
            id: 'wamid.c2',
            chat: { type: 'direct', with: chloe },
            timestamp: at(29),
            type: 'image',
            text: 'This one',
            media: { base64: png, mimeType: 'image/png' },
          },
          {
            id: 'wamid.c3',
            chat: { type: 'direct', with: chloe },
            fromMe: true,
            timestamp: at(28),
            text: 'Yes, 499 EUR',
            replyTo: 'wamid.c1',
          },
          {
            id: 'wamid.c4',
            chat: { type: 'direct', with: chloe },
            timestamp: at(27),
            text: 'oops, wrong chat',
          },
          {
            kind: 'reaction',
            id: 'wamid.r1',
            target: 'wamid.c3',
            emoji: '👍',
            from: chloe.phone,
            timestamp: at(26),
          },
          {
            kind: 'edit',
            id: 'wamid.e1',
            target: 'wamid.c3',
            text: 'Yes, 449 EUR this week',
            fromMe: true,
            timestamp: at(25),
          },
          { kind: 'delete', id: 'wamid.d1', target: 'wamid.c4', from: chloe.phone, timestamp: at(24) },
        ],
      });

      const { page, errors } = admin;
      // The expired session before left its 401 in the console; from here on, nothing may.
      errors.length = 0;
      // The admin is on the chat list: the new chat appears there live, without a reload.
      expect(new URL(page.url()).pathname).toBe('/chats');
      await page.getByRole('link', { name: /Chloe Price/ }).click();
      await page.getByRole('heading', { name: 'Chloe Price' }).waitFor();
      const messages = page.getByRole('list', { name: 'Messages' });
      await messages.getByText('Hi! Is the blue sofa still available?').first().waitFor();
      // The reply quotes its message; the edit replaced the text and says so; the deletion shows.
      await messages.getByText('Yes, 449 EUR this week').waitFor();
      expect(await messages.locator('.quote').first().textContent()).toBe(
        'Hi! Is the blue sofa still available?',
      );
      await messages.getByText('edited').waitFor();
      await messages.getByText('This message was deleted').waitFor();
      expect(await messages.getByText('oops, wrong chat').count()).toBe(0);
      await messages.getByText('Reactions:').waitFor();
      const image = messages.getByRole('img', { name: 'Image: This one' });
      await image.waitFor();
      await expect
        .poll(() => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
        .toBe(1);

      // Not in the CRM yet: create the contact from the chat, then sync now.
      const card = page.getByRole('complementary', { name: 'In the CRM' });
      await card.getByText('is not linked to a record in Sandbox org').waitFor();
      await card.getByRole('button', { name: 'Create contact or lead' }).click();
      expect(await card.getByLabel('Name').inputValue()).toBe('Chloe Price');
      await card.getByRole('button', { name: 'Create in the CRM' }).click();
      await card.getByText('Chloe Price', { exact: true }).waitFor();
      await card.getByRole('button', { name: 'Sync now' }).click();
      await card.getByText(/^Synced: \d+ chats? \(/).waitFor({ timeout: 30_000 });
      expect(await card.getByTestId('last-sync').textContent()).not.toBe('Not yet');
      expect(await card.getByRole('link', { name: 'Open in CRM' }).getAttribute('href')).toContain(org.url);
      await shot(page, 'chat');

      // A new message of this chat shows in the open conversation as it arrives.
      await api('POST', `/accounts/${account.id}/messages`, {
        messages: [
          {
            id: 'wamid.c5',
            chat: { type: 'direct', with: chloe },
            timestamp: at(0),
            text: 'Great, I will pick it up tomorrow',
          },
        ],
      });
      await messages.getByText('Great, I will pick it up tomorrow').waitFor();

      // The sandbox holds the day's transcript on the new contact.
      const [contact] = (await org.records('Contact')).filter(
        (c) => c.LastName === 'Price' || c.Name === 'Chloe Price',
      );
      expect(contact).toBeDefined();
      const days = (await org.records('WhatsApp_Chat__c')).filter((r) => r.Contact__c === contact?.Id);
      expect(days.length).toBeGreaterThan(0);
      expect(JSON.stringify(days)).toContain('449 EUR this week');
      expect(errors, errors.join('\n')).toEqual([]);
    });

    it('lists the unmatched chats, one click from a contact, and shows the sync status per connection', async () => {
      const { page, errors } = admin;
      await h.services.sync.runNow('Sandbox org');
      await page.getByRole('link', { name: 'Unmatched' }).click();
      const list = page.getByRole('list', { name: 'Unmatched chats of Sandbox org' });
      const bruno = list.getByRole('listitem').filter({ hasText: 'Bruno Keller' });
      await bruno.waitFor();
      expect(await list.getByText('Chloe Price').count()).toBe(0);
      await shot(page, 'unmatched');
      await bruno.getByRole('button', { name: 'Create contact' }).click();
      await page.getByText('Bruno Keller now has a contact in Sandbox org.').waitFor();
      expect(await list.getByText('Bruno Keller').count()).toBe(0);
      expect((await org.records('Contact')).some((c) => c.LastName === 'Keller')).toBe(true);

      await page.getByRole('link', { name: 'Sync' }).click();
      const status = page.getByRole('region', { name: /Sandbox org/ });
      await status.getByRole('button', { name: 'Sync now' }).click();
      const linked = page.getByRole('table', { name: 'Linked records of Sandbox org' });
      // The run ends and the page follows: Bruno's new contact gets its first sync time.
      const brunoRow = linked.getByRole('row').filter({ hasText: 'Bruno Keller' });
      await expect
        .poll(() => brunoRow.getByRole('cell').last().textContent(), { timeout: 20_000 })
        .not.toBe('Not yet');
      expect(await linked.getByRole('row').filter({ hasText: 'Chloe Price' }).count()).toBe(1);
      await shot(page, 'sync');
      expect(errors, errors.join('\n')).toEqual([]);
    });

    it("keeps an excluded number's chat out of the sandbox, and saves the settings", async () => {
      const { page, errors } = admin;
      // Eve is a contact in the CRM, so her chat would be written by phone.
      const eveId = await org.seed('Contact', {
        FirstName: 'Eve',
        LastName: 'Polastri',
        Phone: '+55 11 93333-4444',
      });
      const account = (await h.app.inject({ method: 'GET', url: '/api/v1/accounts', headers: h.auth }))
        .json()
        .data.find((a: { phone: string }) => a.phone === '+14155550000');
      const posted = await h.app.inject({
        method: 'POST',
        url: `/api/v1/accounts/${account.id}/messages`,
        headers: h.auth,
        payload: {
          messages: [
            {
              id: 'wamid.eve1',
              chat: { type: 'direct', with: { phone: '+55 11 93333-4444', name: 'Eve Polastri' } },
              timestamp: new Date().toISOString(),
              text: 'a private matter',
            },
          ],
        },
      });
      expect(posted.statusCode).toBe(200);
      await page.getByRole('link', { name: 'Setup' }).click();
      const exclude = page.getByRole('form', { name: 'Exclude from backups' });
      await exclude.getByLabel('Number').fill('+55 11 93333-4444');
      await exclude.getByLabel('Note (optional)').fill('private');
      await exclude.getByRole('button', { name: 'Exclude' }).click();
      await page.getByText('Excluded: from the next sync run on').waitFor();
      // The number in the international format, as every screen spells numbers.
      await page.getByRole('list', { name: 'Excluded' }).getByText('+55 11 93333 4444').waitFor();

      const settings = page.getByRole('form', { name: 'Settings' });
      await settings.getByLabel('Sync interval (minutes)').fill('5');
      // Picked, not typed: the zones the browser knows, and the countries by their names.
      await settings.getByLabel('Time zone').selectOption('Europe/Berlin');
      await settings.getByLabel('Default country').selectOption({ label: 'Brazil (BR)' });
      // Off by default: the browser extension's capture is the admin's choice.
      const capture = settings.getByLabel('Capture from the browser extension');
      expect(await capture.isChecked()).toBe(false);
      await capture.check();
      await settings.getByRole('button', { name: 'Save settings' }).click();
      await settings.getByText('Saved. The next sync run uses these settings.').waitFor();
      const saved = (await h.app.inject({ method: 'GET', url: '/api/v1/settings', headers: h.auth })).json();
      expect(saved).toMatchObject({
        syncIntervalMinutes: 5,
        timeZone: 'Europe/Berlin',
        defaultRegion: 'BR',
        extensionCapture: true,
      });
      // Media storage against the quota (20 GB by default), with what one import may add.
      await settings
        .getByRole('region', { name: 'Media storage' })
        .getByText(/^[\d.]+ \S+ of 20\.0 GB used\.$/)
        .waitFor();
      await shot(page, 'settings');

      await h.services.sync.runNow('Sandbox org');
      await h.services.sync.runNow('Sandbox org');
      const written = (await org.records('WhatsApp_Chat__c')).filter((r) => r.Contact__c === eveId);
      expect(written).toEqual([]);
      expect(
        (
          await h.app.inject({
            method: 'GET',
            url: '/api/v1/connections/Sandbox%20org/sync',
            headers: h.auth,
          })
        ).json().chats.excluded,
      ).toBe(1);

      // What kept it out was the exclusion: backed up again, the next run writes Eve's chat.
      await page
        .getByRole('list', { name: 'Excluded' })
        .getByRole('button', { name: 'Back up again' })
        .click();
      await page.getByText('is backed up again from the next sync run on.').waitFor();
      await h.services.sync.runNow('Sandbox org');
      await expect
        .poll(
          async () => (await org.records('WhatsApp_Chat__c')).filter((r) => r.Contact__c === eveId).length,
        )
        .toBe(1);
      expect(errors, errors.join('\n')).toEqual([]);
    });

    it('shows the admin the audit log: who did what, filtered, and the retention in Settings', async () => {
      const { page, errors } = admin;
      await page.getByRole('link', { name: 'Setup' }).click();
      const settings = page.getByRole('form', { name: 'Settings' });
      await settings.getByLabel('Keep the audit log (days)').fill('90');
      const saved = page.waitForResponse(
        (r) => r.url().endsWith('/api/v1/settings') && r.request().method() === 'PATCH',
      );
      await settings.getByRole('button', { name: 'Save settings' }).click();
      expect((await saved).status()).toBe(200);

      await page.getByRole('link', { name: 'Audit log' }).click();
      await page.getByRole('heading', { name: 'Audit log' }).waitFor();
      const table = page.getByRole('table', { name: 'Audit events' });
      await table
        .getByRole('row')
        .filter({ hasText: 'Changed settings' })
        .filter({ hasText: 'auditRetentionDays: 365 → 90' })
        .first()
        .waitFor();
      await table
        .getByRole('row')
        .filter({ hasText: 'Bob Member <bob@example.com>' })
        .filter({ hasText: 'Signed in' })
        .first()
        .waitFor();
      await shot(page, 'audit-log');

      const filter = page.getByRole('form', { name: 'Filter the audit log' });
      await filter.getByLabel('What').selectOption({ label: 'Exclusions' });
      await filter.getByRole('button', { name: 'Show' }).click();
      await table.getByRole('row').filter({ hasText: 'Backed up again' }).waitFor();
      await expect
        .poll(async () =>
          (await table.getByRole('row').allTextContents())
            .slice(1)
            .every((row) => /Excluded from backups|Backed up again/.test(row)),
        )
        .toBe(true);
      expect(errors, errors.join('\n')).toEqual([]);
    });

    it('erases Eve by number after a typed confirmation, deletes her chat records in the sandbox, and lifts her tombstone', async () => {
      const { page, errors } = admin;
      // Confirmations (delete in the CRM, lift) are accepted as a person would.
      page.on('dialog', (dialog) => void dialog.accept());
      await page.getByRole('link', { name: 'Privacy' }).click();
      await page.getByRole('heading', { name: 'Privacy' }).waitFor();
      await page.getByLabel('Phone number').first().fill('+55 11 93333-4444');
      await page.getByRole('button', { name: 'Preview' }).click();
      const preview = page.getByLabel('Erasure preview');
      await preview.getByText(/Erasing \+5511933334444 removes: 1 messages/).waitFor();
      const erase = preview.getByRole('button', { name: 'Erase' });
      expect(await erase.isDisabled()).toBe(true);
      await preview.getByLabel('Type +5511933334444 to confirm').fill('+5511933334444');
      await erase.click();
      await page.getByText('+55 ••• 44 was erased and tombstoned.').waitFor();
      const card = page.getByRole('article', { name: 'Erasure of +55 ••• 44' });
      await card.getByText('Not deleted', { exact: true }).first().waitFor();
      await shot(page, 'privacy');
      await card.getByRole('button', { name: /^Delete \d+ in the CRM$/ }).click();
      // Exact: a plain getByText('Deleted') also matches "Not deleted", and would not wait for the answer.
      await card.getByText('Deleted', { exact: true }).first().waitFor();
      expect(await card.getByText('Not deleted', { exact: true }).count()).toBe(0);
      const eve = (await org.records('Contact')).find((r) => r.LastName === 'Polastri');
      expect((await org.records('WhatsApp_Chat__c')).filter((r) => r.Contact__c === eve?.Id)).toEqual([]);
      const tombstones = page.getByRole('list', { name: 'Tombstones' });
      await tombstones.getByText('+55 ••• 44').waitFor();
      await tombstones.getByRole('button', { name: 'Lift' }).click();
      await page.getByText('No tombstones.').waitFor();
      expect(errors, errors.join('\n')).toEqual([]);
    });

    it('links a WhatsApp by QR code once the owner accepts the risk; its chats then arrive live', async () => {
      const { page, errors } = admin;
      errors.length = 0;
      await page.getByRole('link', { name: 'Setup' }).click();
      await page.getByRole('button', { name: 'Link a WhatsApp (QR code)' }).click();
      const form = page.getByRole('form', { name: 'Link a WhatsApp account' });
      await form.getByLabel('Phone number', { exact: true }).fill('+55 11 91234 0000');
      await form.getByLabel('Name (optional)').fill('Rita (sales)');
      await form.getByRole('button', { name: 'Next: pair' }).click();
      const pairing = page.getByRole('form', { name: 'Pair +5511912340000' });
      await pairing.getByText(/can restrict or ban a number/).waitFor();
      // No QR code before the owner's opt-in: the form will not submit without it.
      await pairing.getByRole('button', { name: 'Show the code' }).click();
      expect(whatsapp.sockets).toHaveLength(0);
      await pairing.getByLabel('I own this WhatsApp account and accept this risk.').check();
      await shot(page, 'setup-link-device');
      await pairing.getByRole('button', { name: 'Show the code' }).click();

      // The phone's side: WhatsApp hands out a QR code, the screen shows it; the phone scans it.
      const first = await whatsapp.socket(1);
      first.emit('connection.update', { qr: '2@browser-test-qr,abc,def,ghi' });
      const qr = page.getByRole('img', { name: 'QR code to scan with WhatsApp on the phone' });
      await qr.waitFor();
      await shot(page, 'setup-pairing-qr');
      first.pairSucceeds('5511912340000:4@s.whatsapp.net');
      first.close(515, 'restart required');
      const linked = await whatsapp.socket(2);
      linked.open();
      await page.getByText(/^Linked\. History is arriving/).waitFor();
      await page.getByRole('button', { name: 'Done' }).click();
      const card = page.getByRole('article', { name: '+5511912340000' });
      await card.getByText('Connected', { exact: true }).waitFor();
      await card.getByText(/Opted in by ada@example\.com/).waitFor();
      // Its health: a badge, and no sign while it is connected.
      await card.getByText('OK · connected', { exact: true }).waitFor();
      expect(await card.getByRole('list', { name: 'Signs of trouble' }).count()).toBe(0);

      // A message to that WhatsApp shows up in Chats by itself.
      await page.getByRole('link', { name: 'Chats', exact: true }).click();
      await page.getByRole('list', { name: 'Chats' }).waitFor();
      linked.emit('messages.upsert', {
        type: 'notify',
        messages: [
          {
            key: { remoteJid: '5511955554444@s.whatsapp.net', fromMe: false, id: '3EB0LINKED1' },
            message: { conversation: 'Oi Rita, can we talk prices?' },
            messageTimestamp: Math.floor(Date.now() / 1000),
            pushName: 'Paulo Prado',
          },
        ],
      });
      const paulo = page.getByRole('link', { name: /Paulo Prado/ });
      await paulo.waitFor();
      expect(await paulo.textContent()).toContain('Oi Rita, can we talk prices?');

      // The connection drops while Setup is open: the card follows by itself.
      await page.getByRole('link', { name: 'Setup' }).click();
      await card.getByText('Connected', { exact: true }).waitFor();
      linked.close(408, 'Connection was lost');
      await whatsapp.socket(3, 15_000);
      await card.getByText('Connecting', { exact: true }).waitFor({ timeout: 15_000 });
      await card.getByText('Warning · not connected', { exact: true }).waitFor();
      await card
        .getByRole('list', { name: 'Signs of trouble' })
        .getByText(/^Reconnecting/)
        .waitFor();
      await shot(page, 'setup-number-health');
      expect(errors, errors.join('\n')).toEqual([]);
    });

    it("keeps a linked phone's chats to its owner until they share it with a named teammate", async () => {
      const bob = await open();
      await bob.page.goto(url);
      await bob.page.getByLabel('E-mail').fill('bob@example.com');
      await bob.page.getByLabel('Password').fill('bobs long password');
      await bob.page.getByRole('button', { name: 'Sign in' }).click();
      const list = bob.page.getByRole('list', { name: 'Chats' });
      await list.getByText('Ana Lima').waitFor();
      expect(await list.getByText('Paulo Prado').count()).toBe(0);

      const { page, errors } = admin;
      errors.length = 0;
      await page.getByRole('link', { name: 'Setup' }).click();
      const card = page.getByRole('article', { name: '+5511912340000' });
      await card.getByText(/^Private · owner Ada Admin/).waitFor();
      await card.getByRole('button', { name: 'Who reads it' }).click();
      const form = page.getByRole('form', { name: 'Who reads +5511912340000' });
      await form.getByLabel('Bob Member (bob@example.com)').check();
      await shot(page, 'setup-account-access');
      await form.getByRole('button', { name: 'Save' }).click();
      await card.getByText(/^Private, shared with Bob Member · owner Ada Admin/).waitFor();

      await bob.page.reload();
      await list.getByText('Paulo Prado').waitFor();
      await bob.page.getByRole('link', { name: 'My numbers' }).click();
      await bob.page
        .getByRole('article', { name: '+5511912340000' })
        .getByText(/shared with you$/)
        .waitFor();
      expect(await bob.page.getByRole('button', { name: 'Who reads it' }).count()).toBe(0);
      expect([...errors, ...bob.errors], [...errors, ...bob.errors].join('\n')).toEqual([]);
    });

    it('is usable by keyboard: a skip link, and the sign-in form submits with Enter', async () => {
      const { page } = await open();
      await page.goto(url);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      // The e-mail field has focus on arrival; type, tab to the password, press Enter.
      await page.keyboard.type(ADMIN.email);
      await page.keyboard.press('Tab');
      await page.keyboard.type(ADMIN.password);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Chats' }).waitFor();
      await page.keyboard.press('Tab');
      expect(await page.locator(':focus').textContent()).toBe('Skip to content');
    });
  },
);
