import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActiveChat } from '../extension/src/active-chat.js';
import {
  type ExtensionInBrowser,
  type FakeWhatsAppWeb,
  launchWithExtension,
  openChat,
  openWhatsAppWeb,
  sampleWhatsAppWebData,
  startFakeWhatsAppWeb,
  WHATSAPP_WEB_URL,
} from './support/whatsapp-web.js';
import { browserSkipped } from './support/workspace-browser.js';

const skipped = browserSkipped();

/** Where the screenshots go (kept by CI as artifacts): the fake page's look, for reviewing it. */
const SCREENSHOTS = path.resolve('artifacts/screenshots');

/** The smallest extension that shows the harness works: a worker (for its id) and a content script. */
function writeProbeExtension(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-probe-extension-'));
  const manifest = {
    manifest_version: 3,
    name: 'wasync harness probe',
    version: '0.0.1',
    background: { service_worker: 'worker.js' },
    optional_host_permissions: ['http://127.0.0.1/*'],
    content_scripts: [{ matches: ['https://web.whatsapp.com/*'], js: ['content.js'] }],
  };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  fs.writeFileSync(path.join(dir, 'worker.js'), '// The extension id comes from this worker.\n');
  fs.writeFileSync(
    path.join(dir, 'content.js'),
    'document.body.dataset.probeExtension = chrome.runtime.id;\n',
  );
  return dir;
}

/** extension/src/dom-chat.ts as one script for the page, exposing `window.domChat`. */
async function bundleDomChat(): Promise<string> {
  const result = await build({
    entryPoints: [path.resolve('extension/src/dom-chat.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'domChat',
    target: 'es2022',
    write: false,
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild gave no output');
  return output.text;
}

/**
 * Runs `expression` in the page. Written as text: the root tsconfig has no DOM types (they would let
 * browser globals slip into the server's code). `window.domChat` is dom-chat.ts's exports.
 */
async function inPage<T>(page: Page, expression: string): Promise<T> {
  return (await page.evaluate(expression)) as T;
}

const read = (page: Page) =>
  inPage<ActiveChat | null>(page, 'window.domChat.readActiveChat(document, localStorage) ?? null');

const OWN = '4915100000001';

/**
 * The fake WhatsApp Web through the harness (HTTPS as web.whatsapp.com with the test certificate, an
 * extension loaded), and the page reading of the open chat run on it: what each kind of chat gives,
 * and that a listener hears of a switch at once but not of a re-render.
 */
describe.skipIf(skipped !== undefined)(
  `the fake WhatsApp Web and the page reading of the open chat${skipped ? ` (skipped: ${skipped})` : ''}`,
  { timeout: 60_000 },
  () => {
    let site: FakeWhatsAppWeb;
    let browser: ExtensionInBrowser;
    let probeDir: string;
    let domChat: string;

    beforeAll(async () => {
      site = await startFakeWhatsAppWeb(sampleWhatsAppWebData());
      probeDir = writeProbeExtension();
      browser = await launchWithExtension({
        extensionDir: probeDir,
        hostPort: site.port,
        grantOrigins: ['http://127.0.0.1/*'],
      });
      domChat = await bundleDomChat();
    });
    afterAll(async () => {
      await browser?.close();
      await site?.close();
      if (probeDir) fs.rmSync(probeDir, { recursive: true, force: true });
    });

    const openWithReader = async () => {
      const page = await openWhatsAppWeb(browser.context);
      await page.addScriptTag({ content: domChat });
      return page;
    };

    it('serves the page as web.whatsapp.com over HTTPS with the test certificate, and the content script runs', async () => {
      const page = await browser.context.newPage();
      const response = await page.goto(WHATSAPP_WEB_URL);
      expect(response?.status()).toBe(200);
      expect(page.url()).toBe(WHATSAPP_WEB_URL);
      const security = await response?.securityDetails();
      expect(security?.subjectName).toBe('web.whatsapp.com');
      expect(security?.issuer).toBe('web.whatsapp.com');
      expect(browser.extensionId).toMatch(/^[a-p]{32}$/);
      await expect
        .poll(() => inPage<string | null>(page, 'document.body.dataset.probeExtension ?? null'))
        .toBe(browser.extensionId);
      // The granted origin is the extension's without a prompt, as after the rep's "Allow".
      const worker = browser.context.serviceWorkers()[0];
      const granted = await worker?.evaluate(
        "chrome.permissions.contains({ origins: ['http://127.0.0.1/*'] })",
      );
      expect(granted).toBe(true);
      await page.close();
    });

    it('reads each kind of chat: a contact, an unknown number, a linked id, a group', async () => {
      const page = await openWithReader();
      expect(await read(page)).toBeNull();

      await openChat(page, 'Alice Example');
      expect(await read(page)).toStrictEqual({
        type: 'direct',
        title: 'Alice Example',
        partner: { phone: '4915112345678', name: 'Alice Example' },
        ownPhone: OWN,
      });

      await openChat(page, '+49 170 1234567');
      expect(await read(page)).toStrictEqual({
        type: 'direct',
        title: '+49 170 1234567',
        partner: { phone: '491701234567' },
        ownPhone: OWN,
      });

      await openChat(page, 'Carla Lid');
      expect(await read(page)).toStrictEqual({
        type: 'direct',
        title: 'Carla Lid',
        partner: { lid: '123456789012345@lid', name: 'Carla Lid' },
        ownPhone: OWN,
      });

      await openChat(page, 'Project Team');
      expect(await read(page)).toStrictEqual({
        type: 'group',
        title: 'Project Team',
        groupId: '120363025246125486@g.us',
        participants: [
          // A linked id whose messages show their number.
          { phone: '447700900123', lid: '987654321098765@lid' },
          { phone: '4915112345678', name: 'Alice Example' },
          { phone: '4917600000002', name: 'Bob Builder' },
          // Named only in the header.
          { name: 'Dora Dev' },
        ],
        ownPhone: OWN,
      });
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'whatsapp-web-fake-group.png') });
      await page.close();
    });

    it('reads no own number when the page keeps none', async () => {
      const { ownWid: _, ...signedOut } = sampleWhatsAppWebData();
      site.setData(signedOut);
      try {
        const page = await openWithReader();
        await openChat(page, 'Alice Example');
        expect(await read(page)).toStrictEqual({
          type: 'direct',
          title: 'Alice Example',
          partner: { phone: '4915112345678', name: 'Alice Example' },
        });
        await page.close();
      } finally {
        site.setData(sampleWhatsAppWebData());
      }
    });

    it('gives fewer details, or no chat, for markup it cannot read, and never throws', async () => {
      const page = await openWithReader();
      const row = (id: string, pre = '[10:31, 12/4/2026] Alice: ') =>
        `<div data-id="${id}"><div class="copyable-text" data-pre-plain-text="${pre}"><span>hi</span></div></div>`;
      const header = (title: string, subtitle?: string) =>
        `<header><div title="Profile details"><span dir="auto">${title}</span>${
          subtitle ? `<span title="${subtitle}">${subtitle}</span>` : ''
        }</div></header>`;
      const cases: {
        html: string;
        storage?: Record<string, string> | 'throws';
        expected: ActiveChat | null;
      }[] = [
        { html: '<div id="app"></div>', expected: null },
        { html: '<div id="main"></div>', expected: null },
        {
          html: `<div id="main">${header('Alice', 'last seen 12/4/2026, 10:31')}</div>`,
          expected: { type: 'direct', title: 'Alice', partner: { name: 'Alice' } },
        },
        {
          // Direction marks around a number, as WhatsApp Web writes them.
          html: `<div id="main">${header('\u202a+49 170 1234567\u202c')}</div>`,
          expected: { type: 'direct', title: '+49 170 1234567', partner: { phone: '491701234567' } },
        },
        {
          html: `<div id="main">${header('Team', 'Alice, +44 7700 900123, Du')}</div>`,
          expected: {
            type: 'group',
            title: 'Team',
            participants: [{ phone: '447700900123' }, { name: 'Alice' }],
          },
        },
        {
          html: `<div id="main">${header('Team', 'click here for group info')}${row(
            'false_4915112345678-1612345678@g.us_ABC1_4915112345678@c.us',
            '[10:31, 12/4/2026] ~ Alice: ',
          )}</div>`,
          expected: {
            type: 'group',
            title: 'Team',
            groupId: '4915112345678-1612345678@g.us',
            participants: [{ phone: '4915112345678', name: 'Alice' }],
          },
        },
        {
          html: `<div id="main">${header('Status')}${row('false_status@broadcast_ABC1_4915112345678@c.us')}</div>`,
          expected: null,
        },
        {
          html: `<div id="main">${header('News')}${row('false_120363000000000001@newsletter_ABC1')}</div>`,
          expected: null,
        },
        {
          html: `<div id="main">${header('Alice')}${row('not a key')}${row('')}</div>`,
          expected: { type: 'direct', title: 'Alice', partner: { name: 'Alice' } },
        },
        {
          html: `<div id="main">${header('Alice')}</div>`,
          storage: { 'last-wid': '"4915100000001@c.us"' },
          expected: { type: 'direct', title: 'Alice', partner: { name: 'Alice' }, ownPhone: '4915100000001' },
        },
        {
          html: `<div id="main">${header('Alice')}</div>`,
          storage: 'throws',
          expected: { type: 'direct', title: 'Alice', partner: { name: 'Alice' } },
        },
      ];
      for (const { html, storage, expected } of cases) {
        const reading = await inPage<ActiveChat | null>(
          page,
          `(() => {
            const doc = new DOMParser().parseFromString(${JSON.stringify(`<body>${html}</body>`)}, 'text/html');
            const values = ${JSON.stringify(storage ?? {})};
            const storage = {
              getItem: (name) => {
                if (values === 'throws') throw new Error('SecurityError');
                return values[name] ?? null;
              },
            };
            return window.domChat.readActiveChat(doc, storage) ?? null;
          })()`,
        );
        expect(reading, html).toStrictEqual(expected);
      }
      await page.close();
    });

    it('tells a listener of a switch within a second, of new members, and not of a re-render', async () => {
      const page = await openWithReader();
      await openChat(page, 'Alice Example');
      await inPage(
        page,
        `window.seen = [];
        window.domChat.pageChatSource(document, localStorage).subscribe((chat) => window.seen.push(chat ?? null))`,
      );
      const seenTitles = () =>
        inPage<(string | null)[]>(page, 'window.seen.map((chat) => chat?.title ?? null)');
      const receive = (message: { id: string; sender: string; text: string }) =>
        inPage(page, `window.fakeWhatsAppWeb.receive(${JSON.stringify(message)})`);

      await openChat(page, 'Carla Lid');
      await expect.poll(seenTitles, { timeout: 1_000 }).toEqual(['Carla Lid']);

      // A new #main for the same chat, given time to be read; then a real switch. Had the re-render been
      // told, it would sit between the two.
      await inPage(page, 'window.fakeWhatsAppWeb.rerender()');
      await page.waitForTimeout(400);
      await openChat(page, 'Project Team');
      await expect.poll(seenTitles, { timeout: 1_000 }).toEqual(['Carla Lid', 'Project Team']);

      // A message from someone not seen before adds them; one more from a known member changes nothing.
      await receive({
        id: 'false_120363025246125486@g.us_3EB0D00000000000A5_4915700000003@c.us',
        sender: 'Erik Extra',
        text: 'Can I join?',
      });
      const lastParticipants = () =>
        inPage<{ count: number; participants?: string[] }>(
          page,
          `({ count: window.seen.length, participants: window.seen.at(-1)?.participants?.map((p) => p.name ?? p.phone) })`,
        );
      await expect.poll(lastParticipants, { timeout: 1_000 }).toEqual({
        count: 3,
        participants: ['447700900123', 'Alice Example', 'Erik Extra', 'Bob Builder', 'Dora Dev'],
      });
      await receive({
        id: 'false_120363025246125486@g.us_3EB0D00000000000A6_4915112345678@c.us',
        sender: 'Alice Example',
        text: 'Sure.',
      });
      await page.waitForTimeout(400);
      await openChat(page, 'Alice Example');
      await expect
        .poll(seenTitles, { timeout: 1_000 })
        .toEqual(['Carla Lid', 'Project Team', 'Project Team', 'Alice Example']);
      await page.close();
    });
  },
);
