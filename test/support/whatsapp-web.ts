import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { inject } from 'vitest';

/**
 * The stand-in for WhatsApp Web the extension's browser tests drive: the page in
 * test/fixtures/whatsapp-web served over HTTPS on loopback with the test certificate of
 * test/fixtures/tls, and chromium with the extension loaded, told that web.whatsapp.com is that server
 * and to accept that one certificate. Nothing leaves the machine.
 */

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const PAGE_DIR = path.join(FIXTURES, 'whatsapp-web');
const CERT = path.join(FIXTURES, 'tls', 'web.whatsapp.com.cert.pem');
const KEY = path.join(FIXTURES, 'tls', 'web.whatsapp.com.key.pem');

/** Where the browser finds the fake page (mapped to the fake server by `launchWithExtension`). */
export const WHATSAPP_WEB_URL = 'https://web.whatsapp.com/';

/** A message row of the fake page. */
export interface FakeMessage {
  /**
   * The row's `data-id`, the serialized message key: `false_<jid>_<KEYID>` (received) or
   * `true_<jid>_<KEYID>` (sent) in a direct chat, `false_<gid>@g.us_<KEYID>_<participant jid>` in a
   * group. Jids: `<digits>@c.us`, `<digits>@lid`, `<digits>-<digits>@g.us` or `<digits>@g.us`.
   */
  id: string;
  text: string;
  /** The sender in `data-pre-plain-text`; by default "You" for a sent message, the chat's name for a
   * received one, and in a group the participant's number. */
  sender?: string;
  /** The `[…]` part of `data-pre-plain-text`; `10:31, 12/4/2026` by default. */
  time?: string;
}

/** A chat of the fake page: a row in the list, and what `#main` shows once it is clicked. */
export interface FakeChat {
  /** The list's and the header's title: a contact's or group's name, or a number ("+49 170 1234567"). */
  name: string;
  /** The header's second line: for a group its members ("Alice, Bob, You"); none by default. */
  subtitle?: string;
  messages?: FakeMessage[];
}

/** What the fake page serves as /chats.json. */
export interface FakeWhatsAppWebData {
  chats: FakeChat[];
  /** The signed-in id the page keeps in localStorage `last-wid-md`, e.g. `4915100000001:12@c.us`. */
  ownWid?: string;
}

export interface FakeWhatsAppWeb {
  /** The loopback port the HTTPS server listens on (for `launchWithExtension`'s `hostPort`). */
  port: number;
  /** Replaces what the page shows from its next load on. */
  setData(data: FakeWhatsAppWebData): void;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '/': 'text/html; charset=utf-8',
  '/app.js': 'text/javascript; charset=utf-8',
  '/style.css': 'text/css; charset=utf-8',
};

/** The fake WhatsApp Web on 127.0.0.1 (a free port), over HTTPS with the test certificate. */
export async function startFakeWhatsAppWeb(initial: FakeWhatsAppWebData): Promise<FakeWhatsAppWeb> {
  let data = initial;
  const server = https.createServer(
    { cert: fs.readFileSync(CERT), key: fs.readFileSync(KEY) },
    (req, res) => {
      const route = new URL(req.url ?? '/', 'https://web.whatsapp.com').pathname;
      const type = CONTENT_TYPES[route];
      if (route === '/chats.json') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(data));
      } else if (type) {
        const file = route === '/' ? 'index.html' : route.slice(1);
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(fs.readFileSync(path.join(PAGE_DIR, file)));
      } else {
        res.writeHead(route === '/favicon.ico' ? 204 : 404);
        res.end();
      }
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    setData(next) {
      data = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Base64 of the SHA-256 of the test certificate's public key: what chromium is told to accept. */
export function testCertificateSpki(): string {
  const spki = new X509Certificate(fs.readFileSync(CERT)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

export interface LaunchWithExtensionOptions {
  /** The built (unpacked) extension; it is copied, never changed. */
  extensionDir: string;
  /** The fake WhatsApp Web's port: web.whatsapp.com resolves to 127.0.0.1 on it. */
  hostPort: number;
  /**
   * Origins added to the copy's `host_permissions`, e.g. `http://127.0.0.1/*` for the wasync under
   * test. They stand for the rep's click on "Allow" when the options page asks for the wasync origin
   * (`chrome.permissions.request`): headless chromium cannot answer that prompt (the promise never
   * settles), but grants at once an origin the manifest already lists.
   */
  grantOrigins?: string[];
  viewport?: { width: number; height: number };
}

export interface ExtensionInBrowser {
  context: BrowserContext;
  /** The extension's id, for its pages: `chrome-extension://<id>/options.html`. */
  extensionId: string;
  close(): Promise<void>;
}

/**
 * Debian's chromium (new headless) with the extension loaded in a fresh profile, web.whatsapp.com
 * mapped to the fake server and its test certificate accepted by its key (no blanket ignoring of
 * certificate errors: a wrong certificate still fails). The extension must have a service worker
 * (its id is read from it).
 */
export async function launchWithExtension(options: LaunchWithExtensionOptions): Promise<ExtensionInBrowser> {
  const setup = inject('browser');
  if (!('executablePath' in setup)) throw new Error('no browser');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-profile-'));
  const extension = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-extension-'));
  const removeDirs = () => {
    fs.rmSync(profile, { recursive: true, force: true });
    fs.rmSync(extension, { recursive: true, force: true });
  };
  let context: BrowserContext | undefined;
  try {
    fs.cpSync(options.extensionDir, extension, { recursive: true });
    grantHostPermissions(path.join(extension, 'manifest.json'), options.grantOrigins ?? []);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: setup.executablePath,
      headless: true,
      viewport: options.viewport ?? { width: 1366, height: 768 },
      ignoreDefaultArgs: ['--disable-extensions'],
      args: [
        '--no-sandbox',
        `--disable-extensions-except=${extension}`,
        `--load-extension=${extension}`,
        `--host-resolver-rules=MAP web.whatsapp.com 127.0.0.1:${options.hostPort}`,
        `--ignore-certificate-errors-spki-list=${testCertificateSpki()}`,
      ],
    });
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    const opened = context;
    return {
      context: opened,
      extensionId: new URL(worker.url()).host,
      close: async () => {
        await opened.close();
        removeDirs();
      },
    };
  } catch (error) {
    await context?.close();
    removeDirs();
    throw error;
  }
}

/** Adds `origins` to the manifest's `host_permissions`: the stand-in for the rep's "Allow". */
function grantHostPermissions(manifestPath: string, origins: string[]): void {
  if (origins.length === 0) return;
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { host_permissions?: string[] };
  manifest.host_permissions = [...new Set([...(manifest.host_permissions ?? []), ...origins])];
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
}

/** Opens the fake WhatsApp Web in a new tab and waits for its chat list. */
export async function openWhatsAppWeb(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(WHATSAPP_WEB_URL);
  await page.locator('body[data-fake-whatsapp-ready="true"]').waitFor();
  return page;
}

/** Clicks the chat named `name` in the list (the header shows the same name, so the list is searched). */
export async function openChat(page: Page, name: string): Promise<void> {
  await page.locator('#pane-side [role="row"]').filter({ hasText: name }).first().click();
  await page.locator('#main header').getByText(name, { exact: true }).waitFor();
}

/**
 * A chat of each kind the extension must read: a saved contact, an unknown number without messages,
 * a contact known only by a linked id, and a group (members named in the header, messages from a saved
 * contact and from a linked id shown by number). Signed in as 4915100000001.
 */
export function sampleWhatsAppWebData(): FakeWhatsAppWebData {
  return {
    ownWid: '4915100000001:12@c.us',
    chats: [
      {
        name: 'Alice Example',
        subtitle: 'online',
        messages: [
          { id: 'false_4915112345678@c.us_3EB0A1B2C3D4E5F60001', text: 'Hi, is the offer still valid?' },
          { id: 'true_4915112345678@c.us_3EB0A1B2C3D4E5F60002', text: 'Yes, until Friday.' },
          { id: 'false_4915112345678@c.us_3EB0A1B2C3D4E5F60003', text: 'Great, send it over please.' },
        ],
      },
      { name: '+49 170 1234567' },
      {
        name: 'Carla Lid',
        messages: [
          { id: 'false_123456789012345@lid_3EB0C0FFEE0000000001', text: 'Hello from a hidden number.' },
          { id: 'true_123456789012345@lid_3EB0C0FFEE0000000002', text: 'Hello Carla!' },
        ],
      },
      {
        name: 'Project Team',
        subtitle: 'Alice Example, Bob Builder, Dora Dev, You',
        messages: [
          {
            id: 'false_120363025246125486@g.us_3EB0D00000000000A1_4915112345678@c.us',
            sender: 'Alice Example',
            text: 'Kick-off on Monday?',
          },
          {
            id: 'false_120363025246125486@g.us_3EB0D00000000000A2_987654321098765@lid',
            sender: '+44 7700 900123',
            text: 'Works for me.',
          },
          {
            id: 'false_120363025246125486@g.us_3EB0D00000000000A3_4917600000002@c.us',
            sender: 'Bob Builder',
            text: 'Monday 10:00 then.',
          },
          {
            id: 'true_120363025246125486@g.us_3EB0D00000000000A4_4915100000001@c.us',
            text: 'Booked the room.',
          },
        ],
      },
    ],
  };
}
