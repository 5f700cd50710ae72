import fs from 'node:fs';
import path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_BUILD } from './support/browser.js';
import { testDatabases } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';
import {
  type ExtensionInBrowser,
  type FakeWhatsAppWeb,
  type FakeWhatsAppWebData,
  launchWithExtension,
  startFakeWhatsAppWeb,
  WHATSAPP_WEB_URL,
} from './support/whatsapp-web.js';
import { browserSkipped, createFirstAdmin } from './support/workspace-browser.js';

/** Where the screenshots of each main screen go (kept by CI as artifacts). */
const SCREENSHOTS = path.resolve('artifacts/screenshots');

const skipped = browserSkipped();

const OWN = { phone: '+1 415 555 0000', wid: '14155550000:3@c.us' };
const ANA = { phone: '+5511987654321', jid: '5511987654321@c.us' };
const BRUNO = { phone: '+49301234567', jid: '49301234567@c.us' };
const GROUP = '120363012345678901@g.us';
/** A group wasync has not captured. */
const FAIR = '120363099999999999@g.us';
/** 4 December 2026, 10:31 in the browser's zone (UTC here), as the page writes it. */
const SHOWN_AT = '10:31, 12/4/2026';
const AT = Date.parse('2026-12-04T10:31:00Z') / 1000;

/** WhatsApp Web as the tests' page shows it: a known contact, an unknown number and a group. */
const PAGE: FakeWhatsAppWebData = {
  ownWid: OWN.wid,
  chats: [
    {
      name: 'Ana Souza',
      messages: [
        { id: `false_${ANA.jid}_3EB0ANA1`, text: 'Do you have the blue chairs?', time: SHOWN_AT },
        { id: `true_${ANA.jid}_3EB0ANA2`, text: 'Yes, 30 in stock.', time: SHOWN_AT },
        { id: `false_${ANA.jid}_3EB0ANA3`, text: 'Great, I will order on Monday.', time: '10:40, 12/4/2026' },
      ],
    },
    { name: '+49 170 1234567' },
    {
      name: 'Trade fair 2027',
      subtitle: 'Ana Souza, +49 30 1234567, You',
      messages: [
        { id: `false_${FAIR}_3EB0F1_${ANA.jid}`, text: 'Booth 12?', sender: 'Ana Souza', time: SHOWN_AT },
        {
          id: `false_${FAIR}_3EB0F2_${BRUNO.jid}`,
          text: 'Fine by me.',
          sender: '+49 30 1234567',
          time: SHOWN_AT,
        },
      ],
    },
    {
      name: 'Chair suppliers',
      subtitle: 'Ana Souza, +49 30 1234567, You',
      messages: [
        {
          id: `false_${GROUP}_3EB0G1_${ANA.jid}`,
          text: 'Shipping on Monday.',
          sender: 'Ana Souza',
          time: SHOWN_AT,
        },
        {
          id: `false_${GROUP}_3EB0G2_${BRUNO.jid}`,
          text: 'Invoice follows.',
          sender: '+49 30 1234567',
          time: SHOWN_AT,
        },
      ],
    },
  ],
};

/**
 * The browser extension in Debian's chromium, on a local stand-in for WhatsApp Web (served as
 * web.whatsapp.com with a test certificate, through the browser's host-resolver rules), signed in to a
 * wasync on SQLite with a token from "Connect the extension", writing to the Salesforce sandbox org:
 * signed out it asks to sign in; a known contact shows its card and "In CRM up to"; an unknown number
 * offers create/link, and creating fills the card; switching chats switches the card within a second;
 * a group shows its participants; capture while open adds the page's messages once.
 */
describe.skipIf(skipped !== undefined)(
  `the browser extension beside WhatsApp Web${skipped ? ` (skipped: ${skipped})` : ''}`,
  { timeout: 120_000 },
  () => {
    let h: Harness;
    let url: string;
    let org: TestOrg;
    let whatsapp: FakeWhatsAppWeb;
    let browser: ExtensionInBrowser;
    let workspace: Page;
    let tab: Page;
    let sidebar: FrameLocator;
    let connectionId: string;
    let accountId: string;
    const errors: string[] = [];

    const api = async (method: 'GET' | 'POST' | 'PATCH', route: string, payload?: unknown) => {
      const response = await h.app.inject({
        method,
        url: `/api/v1${route}`,
        headers: h.auth,
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
      expect(response.statusCode, response.body).toBeLessThan(300);
      return response.json();
    };
    const shoot = (page: Page, name: string) =>
      page.screenshot({ path: path.join(SCREENSHOTS, `extension-${name}.png`) });
    const openChat = (name: string) => tab.locator('#pane-side').getByText(name, { exact: true }).click();

    beforeAll(async () => {
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      const sqlite = testDatabases().find((d) => d.dialect === 'sqlite');
      if (!sqlite) throw new Error('no sqlite');
      org = await startTestOrg();
      h = await startHarness(sqlite);
      url = await h.app.listen({ port: 0, host: '127.0.0.1' });
      whatsapp = await startFakeWhatsAppWeb(PAGE);
      browser = await launchWithExtension({
        extensionDir: EXTENSION_BUILD,
        hostPort: whatsapp.port,
        // The rep's "Allow" for the wasync origin, which headless chromium cannot click.
        grantOrigins: ['http://127.0.0.1/*'],
      });

      // Ana is in the org; her chat and the group's are in wasync (a REST number), Bruno is not in the org.
      await org.seed('Contact', { FirstName: 'Ana', LastName: 'Souza', Phone: '+55 11 98765-4321' });
      connectionId = (await api('POST', '/connections', org.connectionInput('Sandbox org'))).id;
      accountId = (await api('POST', '/accounts', { phone: OWN.phone, displayName: 'Ada' })).id;
      await api('POST', `/accounts/${accountId}/messages`, {
        messages: [
          {
            id: '3EB0ANA1',
            chat: { type: 'direct', with: ANA.phone },
            timestamp: AT,
            text: 'Do you have the blue chairs?',
          },
          {
            id: '3EB0ANA2',
            chat: { type: 'direct', with: ANA.phone },
            timestamp: AT + 60,
            fromMe: true,
            text: 'Yes, 30 in stock.',
          },
          {
            id: '3EB0G1',
            chat: {
              type: 'group',
              id: GROUP,
              title: 'Chair suppliers',
              participants: [ANA.phone, BRUNO.phone],
            },
            from: ANA.phone,
            timestamp: AT,
            text: 'Shipping on Monday.',
          },
        ],
      });
      expect((await h.services.sync.runNow(connectionId)).state).toBe('done');

      workspace = await browser.context.newPage();
      tab = await browser.context.newPage();
      for (const page of [workspace, tab]) page.on('pageerror', (error) => errors.push(error.message));
      sidebar = tab.frameLocator('#wasync-sidebar');
    });
    afterAll(async () => {
      await browser?.close();
      await whatsapp?.close();
      await h?.close();
      await org?.close();
    });

    it('asks to sign in while it has no token', async () => {
      await tab.goto(WHATSAPP_WEB_URL);
      await sidebar.getByRole('heading', { name: 'Sign in to wasync' }).waitFor();
      await sidebar.getByRole('button', { name: 'Open the options' }).waitFor();
      await shoot(tab, 'signed-out');
    });

    it('signs in with a token from "Connect the extension", asking for the wasync origin only', async () => {
      await createFirstAdmin(workspace, url);
      await workspace.goto(`${url}/extension`);
      await workspace.getByRole('button', { name: 'Connect the extension' }).click();
      const token = await workspace.getByLabel('Token', { exact: true }).inputValue();

      const options = await browser.context.newPage();
      await options.goto(`chrome-extension://${browser.extensionId}/options.html`);
      await options.getByLabel('wasync server').fill(url);
      await options.getByLabel('Token').fill(token);
      await options.getByRole('button', { name: 'Sign in' }).click();
      await options.getByText(`Signed in to ${url}: one WhatsApp number you can read.`).waitFor();
      // What the extension holds: that server's origin (and WhatsApp Web's), nothing more.
      const origins = (await options.evaluate(
        'chrome.permissions.getAll().then((all) => all.origins)',
      )) as string[];
      expect(origins).toContain('http://127.0.0.1/*');
      expect(origins).not.toContain('https://*/*');
      await shoot(options, 'options');
      await options.close();

      // The open WhatsApp Web tab follows at once: no chat is open yet.
      await tab.bringToFront();
      await sidebar.getByText('Open a chat in WhatsApp Web to see its CRM record here.').waitFor();
    });

    it("shows a known contact's card and how far the chat is in the CRM", async () => {
      await openChat('Ana Souza');
      await sidebar.getByTestId('sidebar-chat').getByText('Ana Souza').waitFor();
      const card = sidebar.getByRole('complementary', { name: 'In the CRM' });
      await card.getByText('Ana Souza', { exact: true }).waitFor();
      await card
        .getByTestId('crm-state')
        .getByText(/^In CRM up to/)
        .first()
        .waitFor();
      await card.getByRole('link', { name: 'Open in CRM' }).waitFor();
      await shoot(tab, 'known-contact');
      // "Sync now" runs the sync; its end reaches the sidebar as a live event over the token's stream.
      await card.getByRole('button', { name: 'Sync now' }).click();
      // The worker of `wasync serve` starts only now: the queued run is the one the card waits for.
      h.services.syncWorker.start();
      await card.getByText(/^Synced: \d+ chats? /).waitFor({ timeout: 30_000 });
    });

    it('switches the card within a second of opening another chat', async () => {
      const card = sidebar.getByRole('complementary', { name: 'In the CRM' });
      for (const [name, shows] of [
        ['Chair suppliers', card.locator('.person').filter({ hasText: '+49 30 1234567' })],
        ['Ana Souza', card.getByText('Ana Souza', { exact: true })],
      ] as const) {
        const started = Date.now();
        await openChat(name);
        await sidebar.getByTestId('sidebar-chat').getByText(name).waitFor({ timeout: 1_000 });
        await shows.first().waitFor({ timeout: 1_000 });
        expect(Date.now() - started).toBeLessThan(1_000);
      }
    });

    it('offers create or link for an unknown number, and creating one fills the card', async () => {
      await openChat('+49 170 1234567');
      await sidebar.getByTestId('sidebar-chat').getByText('+49 170 1234567').waitFor();
      await sidebar.getByText(/has not captured this chat yet/).waitFor();
      await sidebar.getByRole('button', { name: 'Link existing record' }).waitFor();
      await shoot(tab, 'unknown-number');
      await sidebar.getByRole('button', { name: 'Create contact or lead' }).click();
      // The number comes from the chat, and may be changed for the record.
      expect(await sidebar.getByLabel('Number').inputValue()).toBe('+49 170 1234567');
      await sidebar.getByLabel('Name').fill('Carla Mendes');
      await sidebar.getByRole('button', { name: 'Create in the CRM' }).click();
      const card = sidebar.getByRole('complementary', { name: 'In the CRM' });
      await card.getByText('Carla Mendes', { exact: true }).waitFor();
      await card.getByRole('link', { name: 'Open in CRM' }).waitFor();
      const created = (await org.records('Contact')).find((row) => row.LastName === 'Mendes');
      expect(created?.Phone ?? created?.MobilePhone).toMatch(/49\D*170\D*1234567/);
      await shoot(tab, 'created');
    });

    it('shows a group with each participant and their record or create/link', async () => {
      await openChat('Chair suppliers');
      await sidebar.getByTestId('sidebar-chat').getByText('Chair suppliers').waitFor();
      const card = sidebar.getByRole('complementary', { name: 'In the CRM' });
      const ana = card.locator('.person').filter({ hasText: 'Ana Souza' });
      const bruno = card.locator('.person').filter({ hasText: '+49 30 1234567' });
      await ana.getByRole('button', { name: 'Sync now' }).waitFor();
      await bruno.getByRole('button', { name: 'Create contact or lead' }).waitFor();
      await bruno.getByRole('button', { name: 'Link existing record' }).waitFor();
      await shoot(tab, 'group');
    });

    it("captures the open chat's text messages when turned on, each once beside what wasync had", async () => {
      const ana = (await api('GET', `/chats/lookup?phone=${encodeURIComponent(ANA.phone)}`)).chats[0];
      const texts = async () =>
        ((await api('GET', `/chats/${ana.id}/messages`)).data as { text?: string }[])
          .map((m) => m.text)
          .sort();
      expect(await texts()).toEqual(['Do you have the blue chairs?', 'Yes, 30 in stock.']);

      // Off in the workspace: the extension says capture stopped, and nothing is stored.
      const options = await browser.context.newPage();
      await options.goto(`chrome-extension://${browser.extensionId}/options.html`);
      await options.getByLabel(/Send the text messages of the chats I open/).check();
      await tab.bringToFront();
      await openChat('Ana Souza');
      await sidebar
        .getByTestId('capture-state')
        .getByText(/Capture stopped/)
        .waitFor();
      expect(await texts()).toHaveLength(2);

      // On: the page's third message joins the two wasync had, and nothing is doubled.
      await api('PATCH', '/settings', { extensionCapture: true });
      await tab.reload();
      await openChat('Ana Souza');
      await expect
        .poll(texts, { timeout: 10_000 })
        .toEqual(['Do you have the blue chairs?', 'Great, I will order on Monday.', 'Yes, 30 in stock.']);
      await sidebar
        .getByTestId('capture-state')
        .getByText(/3 sent to wasync/)
        .waitFor();
      await options.getByLabel(/Send the text messages of the chats I open/).uncheck();
      await options.close();
      expect(errors).toEqual([]);
    });

    it('loads wa-js into WhatsApp Web only once turned on, and keeps reading the page until wa-js is ready', async () => {
      const hasWaJs = () => tab.evaluate('typeof window.WPP');
      expect(await hasWaJs()).toBe('undefined');
      const options = await browser.context.newPage();
      await options.goto(`chrome-extension://${browser.extensionId}/options.html`);
      await options.getByLabel(/Read the open chat with wa-js/).check();
      // The service worker registers wa-js for WhatsApp Web's page (MAIN world) once the choice is stored.
      await expect
        .poll(() =>
          options.evaluate(
            'chrome.scripting.getRegisteredContentScripts().then((s) => s.map((x) => x.world))',
          ),
        )
        .toEqual(['MAIN']);
      await tab.bringToFront();
      await tab.reload();
      expect(await hasWaJs()).toBe('object');
      // This page is not WhatsApp Web's own code: wa-js never becomes ready, and the page's markup still names the chat.
      await openChat('Ana Souza');
      await sidebar
        .getByRole('complementary', { name: 'In the CRM' })
        .getByText('Ana Souza', { exact: true })
        .waitFor();
      await options.getByLabel(/Read the open chat with wa-js/).uncheck();
      await expect
        .poll(() => options.evaluate('chrome.scripting.getRegisteredContentScripts().then((s) => s.length)'))
        .toBe(0);
      await options.close();
    });

    it('adds a group wasync has not captured, then lists its participants', async () => {
      await openChat('Trade fair 2027');
      await sidebar.getByTestId('not-captured').waitFor();
      await sidebar.getByRole('button', { name: 'Add this group to wasync' }).click();
      const card = sidebar.getByRole('complementary', { name: 'In the CRM' });
      await card
        .locator('.person')
        .filter({ hasText: '+49 30 1234567' })
        .getByRole('button', { name: 'Link existing record' })
        .waitFor();
      await card.locator('.person').filter({ hasText: '+55 11 98765 4321' }).waitFor();
      const found = await api('GET', `/chats/lookup?groupId=${encodeURIComponent(FAIR)}`);
      expect(found.chats).toHaveLength(1);
      expect((found.chats[0].participants as { phone?: string }[]).map((p) => p.phone).sort()).toEqual(
        [BRUNO.phone, ANA.phone].sort(),
      );
    });

    it('asks to sign in again once the token is revoked in the workspace', async () => {
      await workspace.bringToFront();
      await workspace.goto(`${url}/extension`);
      workspace.once('dialog', (dialog) => void dialog.accept());
      await workspace.getByRole('button', { name: /^Revoke Browser extension / }).click();
      await workspace
        .getByRole('button', { name: /^Revoke Browser extension / })
        .waitFor({ state: 'detached' });
      await tab.bringToFront();
      await openChat('Ana Souza');
      await sidebar.getByRole('heading', { name: 'Sign in to wasync' }).waitFor();
      await sidebar.getByText('wasync no longer accepts the token (revoked or expired).').waitFor();
      expect(errors).toEqual([]);
    });
  },
);
