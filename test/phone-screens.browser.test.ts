/**
 * Every page of the workspace on a phone (390×844, an iPhone 14's viewport), with the data a working
 * team has: no page is wider than the screen, so nothing needs sideways scrolling. A screenshot of
 * each page goes to artifacts/screenshots/phone-*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';
import {
  browserSkipped,
  startWorkspaceInBrowser,
  type WorkspaceInBrowser,
} from './support/workspace-browser.js';

const PHONE = { width: 390, height: 844 };
/** Where the screenshots go (kept by CI as artifacts, beside the desktop ones). */
const SCREENSHOTS = path.resolve('artifacts/screenshots');
const skipped = browserSkipped();
const MINUTE = 60_000;

/**
 * How wide the page is against the screen, and what sticks out past the right edge: the outermost
 * elements that do, not counting those a box of their own scrolls or clips. In the page's own
 * JavaScript (a string: this project's types have no DOM).
 */
const MEASURE = `(() => {
  const innerWidth = window.innerWidth;
  const sticksOut = (element) => element.getBoundingClientRect().right > innerWidth + 0.5;
  const clipped = (element) => {
    for (let up = element.parentElement; up; up = up.parentElement) {
      if (up === document.body) return false;
      if (getComputedStyle(up).overflowX !== 'visible' && !sticksOut(up)) return true;
    }
    return false;
  };
  const culprits = [];
  for (const element of document.body.querySelectorAll('*')) {
    if (element.getBoundingClientRect().width === 0 || !sticksOut(element) || clipped(element)) continue;
    if (element.parentElement && sticksOut(element.parentElement) && element.parentElement !== document.body) continue;
    const classes = element.getAttribute('class');
    culprits.push('<' + element.tagName.toLowerCase() + (classes ? ' class="' + classes + '"' : '') + '> right '
      + Math.round(element.getBoundingClientRect().right) + ': ' + (element.textContent || '').trim().slice(0, 60));
  }
  return { scrollWidth: document.documentElement.scrollWidth, innerWidth, culprits };
})()`;

async function overflow(
  page: Page,
): Promise<{ scrollWidth: number; innerWidth: number; culprits: string[] }> {
  return page.evaluate(MEASURE);
}

describe.skipIf(skipped !== undefined)(
  `the workspace on a phone${skipped ? ` (skipped: ${skipped})` : ''}`,
  { timeout: 120_000 },
  () => {
    let w: WorkspaceInBrowser;
    let org: TestOrg;
    const chatIds = new Map<string, string>();

    beforeAll(async () => {
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      org = await startTestOrg();
      w = await startWorkspaceInBrowser({ viewport: PHONE, env: { WASYNC_DEFAULT_REGION: 'DE' } });
      const { h } = w;
      const call = async (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => {
        const response = await h.app.inject({
          method,
          url: `/api/v1${url}`,
          headers: h.auth,
          ...(payload ? { payload } : {}),
        });
        expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
        return response.json();
      };

      // A CRM with one of the chat partners in it, under the longest name a record may plausibly carry.
      await org.seed('Contact', {
        FirstName: 'Maximiliane',
        LastName: 'Oberhuber-Schwarzenbeck',
        Phone: '01512 3456789',
        Email: 'maximiliane.oberhuber-schwarzenbeck@example-logistik.de',
      });
      await call('POST', '/connections', org.connectionInput('Salesforce production org (Europe)'));
      await call('POST', '/invites', {
        email: 'a.very.long.address.for.a.colleague@example-logistik.de',
        role: 'member',
      });

      const account = await h.createAccount('+4915112345678');
      const now = Date.now();
      const direct = (id: string, phone: string, name: string, text: string, at: number) => ({
        id,
        chat: { type: 'direct', with: { phone, name } },
        timestamp: new Date(at).toISOString(),
        text,
      });
      await h.postMessages(account, [
        direct(
          'wamid.p1',
          '+4915123456789',
          'Maximiliane Oberhuber-Schwarzenbeck',
          'Guten Morgen! Können Sie mir das Angebot für die Paletten noch einmal schicken? https://example-logistik.de/angebote/2026/11/paletten-angebot-nummer-4711-0815-final.pdf',
          now - 50 * MINUTE,
        ),
        direct('wamid.p2', '+5511987654321', 'Ana Lima', 'Do you have the blue one?', now - 40 * MINUTE),
        direct('wamid.p3', '+14155550101', 'Olivia', 'Thanks! 👍', now - 30 * MINUTE),
        {
          id: 'wamid.p4',
          chat: {
            type: 'group',
            id: '120363041234567890@g.us',
            title: 'Lieferungen Süddeutschland und Österreich (Logistik-Team)',
          },
          from: { phone: '+4915123456789', name: 'Maximiliane Oberhuber-Schwarzenbeck' },
          timestamp: new Date(now - 20 * MINUTE).toISOString(),
          text: 'Die Lieferung für Kunde 4711-0815-2342 kommt morgen zwischen 08:00 und 12:00.',
        },
      ]);
      await h.services.sync.runNow('Salesforce production org (Europe)');
      await call('POST', '/erasures', { phone: '+14155550199', dryRun: false });
      for (const chat of (await call('GET', '/chats')).data as { id: string; title?: string }[])
        chatIds.set(chat.title ?? '', chat.id);
    });
    afterAll(async () => {
      await w?.close();
      await org?.close();
    });

    const pages: [name: string, path: () => string, heading: string][] = [
      ['chats', () => '/chats', 'Chats'],
      [
        'chat',
        () => `/chats/${chatIds.get('Maximiliane Oberhuber-Schwarzenbeck')}`,
        'Maximiliane Oberhuber-Schwarzenbeck',
      ],
      ['chat-unlinked', () => `/chats/${chatIds.get('Ana Lima')}`, 'Ana Lima'],
      [
        'group',
        () => `/chats/${chatIds.get('Lieferungen Süddeutschland und Österreich (Logistik-Team)')}`,
        'Lieferungen Süddeutschland und Österreich (Logistik-Team)',
      ],
      ['unmatched', () => '/unmatched', 'Unmatched'],
      ['sync', () => '/sync', 'Sync status'],
      ['setup', () => '/setup', 'CRM connections'],
      ['team', () => '/team', 'Team'],
      ['audit', () => '/audit', 'Audit log'],
      ['privacy', () => '/privacy', 'Privacy'],
      ['extension', () => '/extension', 'Browser extension'],
    ];

    for (const [name, where, heading] of pages) {
      it(`fits the ${name} page in a phone's width`, async () => {
        const { page } = w;
        await page.goto(`${w.url}${where()}`);
        await page.getByRole('heading', { name: heading, exact: true }).first().waitFor();
        // What the page loads after its heading (the CRM card, the tables) is in before measuring.
        await page.waitForLoadState('networkidle');
        await page.screenshot({ path: path.join(SCREENSHOTS, `phone-${name}.png`), fullPage: true });
        const measured = await overflow(page);
        expect(
          { page: name, wider: measured.scrollWidth > measured.innerWidth, culprits: measured.culprits },
          `the ${name} page is ${measured.scrollWidth}px wide on a ${measured.innerWidth}px screen`,
        ).toEqual({ page: name, wider: false, culprits: [] });
        expect(w.errors).toEqual([]);
      });
    }

    it('spells a number one way on a screen, and names a group member once on the card', async () => {
      const { page } = w;
      await page.goto(`${w.url}/chats/${chatIds.get('Maximiliane Oberhuber-Schwarzenbeck')}`);
      const card = page.getByRole('complementary', { name: 'In the CRM' });
      await card.getByText('Phone', { exact: true }).waitFor();
      // WhatsApp's +4915123456789 and the CRM's "01512 3456789" (read in the person's country), alike.
      const international = '+49 1512 3456789';
      expect(await page.getByRole('main').getByText(international, { exact: true }).count()).toBe(2);
      const shown = (await page.getByRole('main').textContent()) ?? '';
      expect(shown).not.toContain('+4915123456789');
      expect(shown).not.toContain('01512 3456789');

      await page.goto(
        `${w.url}/chats/${chatIds.get('Lieferungen Süddeutschland und Österreich (Logistik-Team)')}`,
      );
      // The record's fields come in after the link: its phone is among them.
      await card.getByText('Phone', { exact: true }).waitFor();
      const onCard = (await card.textContent()) ?? '';
      // Her name heads her part of the card; the record, named the same, does not say it again.
      expect(onCard.split('Maximiliane Oberhuber-Schwarzenbeck').length - 1).toBe(1);
      expect(onCard.split(international).length - 1).toBe(2);
    });

    it('sets each radio button beside its label, at the height of the text', async () => {
      const { page } = w;
      await page.goto(`${w.url}/chats/${chatIds.get('Ana Lima')}`);
      const card = page.getByRole('complementary', { name: 'In the CRM' });
      await card.getByRole('button', { name: 'Create contact or lead' }).click();
      for (const name of ['Contact', 'Lead']) {
        const radio = await card.getByRole('radio', { name }).boundingBox();
        const label = await card
          .locator('label')
          .filter({ hasText: new RegExp(`^\\s*${name}\\s*$`) })
          .boundingBox();
        if (!radio || !label) throw new Error(`no ${name} radio`);
        expect(radio.height).toBeLessThanOrEqual(24);
        // Level with its word, and on its left.
        expect(Math.abs(radio.y + radio.height / 2 - (label.y + label.height / 2))).toBeLessThanOrEqual(3);
        expect(label.width - radio.width).toBeGreaterThan(20);
        expect(label.height).toBeLessThanOrEqual(32);
      }
    });
  },
);
