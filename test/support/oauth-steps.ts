/**
 * The browser's steps of an OAuth sign-in against a CRM sandbox, as the OAuth tests drive them over
 * HTTP: the consent page and its answer, the redirect back to wasync, and the Setup page's outcome.
 */
import { expect } from 'vitest';
import type { Browser } from './team.js';

/** Where the callback sent the browser: the Setup page's outcome parameters. */
export function oauthOutcome(response: { statusCode: number; headers: Record<string, unknown> }) {
  expect(response.statusCode).toBe(302);
  const location = new URL(String(response.headers.location), 'http://wasync.test');
  expect(location.pathname).toBe('/setup');
  return Object.fromEntries(location.searchParams);
}

/**
 * Opens a sandbox's authorize URL and answers its consent form (posted to `answerAt`) with `decision`;
 * answers the redirect's Location: the callback URL with code and state, or the refusal.
 */
export async function answerConsent(authorizeUrl: string, answerAt: string, decision: string): Promise<URL> {
  const page = await fetch(authorizeUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  const ticket = /name="ticket" value="([^"]+)"/.exec(html)?.[1];
  if (!ticket) throw new Error(`no consent form in ${html}`);
  const answered = await fetch(answerAt, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ticket, decision }).toString(),
    redirect: 'manual',
  });
  expect(answered.status).toBe(302);
  return new URL(String(answered.headers.get('location')));
}

/** Follows the CRM's redirect back to wasync's callback of `kind` with this browser (its cookie, no CSRF header). */
export function followCallback(browser: Browser, kind: string, location: URL | string) {
  const url = new URL(String(location));
  expect(url.pathname).toBe(`/api/v1/oauth/${kind}/callback`);
  return browser.call('GET', `${url.pathname.slice('/api/v1'.length)}${url.search}`, undefined, {
    csrf: false,
  });
}
