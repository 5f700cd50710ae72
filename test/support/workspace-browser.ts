import { type Browser, chromium, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { type TestDatabase, testDatabases } from './databases.js';
import { type Harness, startHarness } from './harness.js';

/** Why the browser suites do not run here (no chromium), or undefined when they do. */
export function browserSkipped(): string | undefined {
  const setup = inject('browser');
  return 'skipped' in setup ? setup.skipped : undefined;
}

export interface WorkspaceInBrowserOptions {
  /** Environment the harness starts with, over the test defaults. */
  env?: Record<string, string>;
  viewport?: { width: number; height: number };
  /** Counts the console's errors too, not only uncaught page errors. */
  consoleErrors?: boolean;
  /** The database (SQLite by default; scale mode needs Postgres). */
  database?: TestDatabase;
}

export interface WorkspaceInBrowser {
  h: Harness;
  url: string;
  browser: Browser;
  page: Page;
  /** The page's errors so far: a test expects none. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * A wasync on SQLite (or `options.database`) listening on loopback, and Debian's chromium (the one
 * global setup found) on a page signed in as the first admin, created through the first-run screen and
 * landed on the chats.
 */
export async function startWorkspaceInBrowser(
  options: WorkspaceInBrowserOptions = {},
): Promise<WorkspaceInBrowser> {
  const database = options.database ?? testDatabases().find((d) => d.dialect === 'sqlite');
  if (!database) throw new Error('no sqlite');
  const setup = inject('browser');
  if (!('executablePath' in setup)) throw new Error('no browser');
  const h = await startHarness(database, options.env);
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await h.close();
  };
  try {
    const url = await h.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: setup.executablePath, args: ['--no-sandbox'] });
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    if (options.consoleErrors) {
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
    }
    page.on('pageerror', (error) => errors.push(error.message));
    await createFirstAdmin(page, url);
    return { h, url, browser, page, errors, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Opens a new workspace at `url` and makes its first admin, Ada, through the first-run screen. */
export async function createFirstAdmin(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('heading', { name: 'Set up your workspace' }).waitFor();
  await page.getByLabel('Your name').fill('Ada Admin');
  await page.getByLabel('E-mail').fill('ada@example.com');
  await page.getByLabel('Password', { exact: true }).fill('a long admin password');
  await page.getByLabel('Repeat the password').fill('a long admin password');
  await page.getByRole('button', { name: 'Create admin account' }).click();
  await page.getByRole('heading', { name: 'Chats' }).waitFor();
}
