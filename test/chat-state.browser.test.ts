import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportLine, plainDayAgo } from './support/export-lines.js';
import type { Harness } from './support/harness.js';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';
import {
  browserSkipped,
  startWorkspaceInBrowser,
  type WorkspaceInBrowser,
} from './support/workspace-browser.js';

const skipped = browserSkipped();

/**
 * What the workspace says of a chat is what the CRM holds: an imported month-old chat, once its person
 * is linked by hand, is written to the sandbox org and its card says "In CRM up to"; a newer message
 * makes it wait for the next run, then it is in the CRM again; unlinking by hand says so and offers
 * to match by phone again. "Never back up this chat" puts the partner's number on the exclusion list
 * from the card, and the card says the chat is excluded at once.
 */
describe.skipIf(skipped !== undefined)(
  `A chat's CRM state, in a browser${skipped ? ` (skipped: ${skipped})` : ''}`,
  { timeout: 120_000 },
  () => {
    let workspace: WorkspaceInBrowser;
    let h: Harness;
    let url: string;
    let org: TestOrg;
    let page: Page;
    let errors: string[];

    beforeAll(async () => {
      workspace = await startWorkspaceInBrowser({ env: { WASYNC_DEFAULT_REGION: 'BR' } });
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

    it('shows an imported month-old chat in the CRM once linked, waiting after a new message, and unlinked by hand', async () => {
      // Bruno is in the org under another number: only a link by hand finds him.
      const bruno = await org.seed('Contact', {
        FirstName: 'Bruno',
        LastName: 'Keller',
        Phone: '+49 30 1234567',
      });
      const connection = await api('POST', '/connections', org.connectionInput('Sandbox org'));
      const account = await api('POST', '/accounts', {
        phone: '+1 415 555 0000',
        displayName: 'Rep',
        sourceKind: 'chat_export',
      });
      const day = plainDayAgo(30);
      const lines = [
        exportLine(new Date(day.getTime() + 9 * 3_600_000), 'Bruno', 'Could you quote 30 chairs?'),
        exportLine(new Date(day.getTime() + 9 * 3_600_000 + 120_000), 'Rep', 'Sure: 4,200 delivered.'),
      ];
      const query = new URLSearchParams({
        fileName: 'WhatsApp Chat with Bruno.txt',
        tz: 'UTC',
        chatWith: '+5511912345678',
        me: 'Rep',
      });
      const imported = await h.app.inject({
        method: 'POST',
        url: `/api/v1/accounts/${account.id}/imports?${query}`,
        headers: { ...h.auth, 'content-type': 'text/plain' },
        payload: `${lines.join('\n')}\n`,
      });
      expect(imported.statusCode, imported.body).toBe(200);
      const chatId = imported.json().chatId as string;
      expect((await h.services.sync.runNow(connection.id)).state).toBe('done');

      await page.goto(`${url}/chats/${chatId}`);
      const card = page.getByRole('complementary', { name: 'In the CRM' });
      const state = card.getByTestId('crm-state');
      await state.getByText(/Not in CRM: No contact or lead in Sandbox org has this number/).waitFor();

      // Link the existing record by name.
      await card.getByRole('button', { name: 'Link existing record' }).click();
      await card.getByLabel('Search the CRM by name or number').fill('Bruno');
      await card.getByRole('button', { name: 'Search' }).click();
      await card.getByRole('button', { name: 'Link', exact: true }).click();
      await state.getByText(/Waiting for the next run/).waitFor();

      expect((await h.services.sync.runNow(connection.id)).state).toBe('done');
      const rows = (await org.records('WhatsApp_Chat__c')).filter((row) => row.Contact__c === bruno);
      expect(rows).toHaveLength(1);
      expect(String(rows[0]?.Transcript__c)).toContain('30 chairs');
      const upTo = new Date(day.getTime() + 9 * 3_600_000 + 120_000).toLocaleDateString(undefined, {
        day: 'numeric',
        month: 'short',
        year: 'numeric',
      });
      await state.getByText(`In CRM up to ${upTo}.`).waitFor();
      await card.getByText(/Backed up in full/).waitFor();

      // A newer message: waiting for the next run, then in the CRM after it.
      await api('POST', `/accounts/${account.id}/messages`, {
        messages: [
          {
            id: 'wamid.state-new',
            chat: { type: 'direct', with: { phone: '+5511912345678' } },
            timestamp: new Date(Date.now() - 60_000).toISOString(),
            text: 'Is the quote still valid?',
          },
        ],
      });
      await state.getByText(/Waiting for the next run \((in \d+ min|now)\)/).waitFor();
      await page.goto(`${url}/chats`);
      const list = page.getByRole('list', { name: 'Chats' });
      await list.getByText(/^Waiting \(/).waitFor();
      await page.getByLabel('Filter chats by CRM state').selectOption('in_crm');
      await page.getByText('No chat is in the state “In CRM”.').waitFor();
      await page.getByLabel('Filter chats by CRM state').selectOption('waiting');
      await list.getByText('Bruno').waitFor();

      expect((await h.services.sync.runNow(connection.id)).state).toBe('done');
      await page.goto(`${url}/chats/${chatId}`);
      await state
        .getByText(/^In CRM up to /)
        .first()
        .waitFor();
      expect(await state.getByText(/Waiting/).count()).toBe(0);

      // Unlinked by hand: said so, and not matched again until asked.
      await card.getByRole('button', { name: 'Unlink' }).click();
      await card
        .getByTestId('unlinked-by-hand')
        .getByText(/Unlinked by hand from Bruno Keller/)
        .waitFor();
      await card.getByRole('button', { name: 'Match by phone again' }).click();
      await card.getByTestId('unlinked-by-hand').waitFor({ state: 'detached' });
      await card.getByRole('button', { name: 'Link existing record' }).waitFor();
      expect(errors).toEqual([]);
    });

    it('never backs up a chat from its card: excluded at once, its number on the exclusion list', async () => {
      const connections = (await api('GET', '/connections')).data as { id: string }[];
      if (connections.length === 0) await api('POST', '/connections', org.connectionInput('Sandbox org'));
      const account = await api('POST', '/accounts', {
        phone: '+1 415 555 0001',
        displayName: 'Rep two',
        sourceKind: 'rest',
      });
      // A name longer than the extension's sidebar is wide.
      const chat = await api('POST', `/accounts/${account.id}/chats`, {
        chat: {
          type: 'direct',
          with: { phone: '+5511987654321', name: 'Carla Beatriz Dias Fernandes de Albuquerque-Montenegro' },
        },
      });

      await page.goto(`${url}/chats/${chat.id}`);
      const card = page.getByRole('complementary', { name: 'In the CRM' });
      const state = card.getByTestId('crm-state');
      await state.waitFor();
      await card.getByRole('button', { name: 'Never back up this chat' }).click();
      const confirm = card.getByRole('group', { name: 'Never back up this chat?' });
      await confirm
        .getByText(/^\+55 11 98765 4321 goes on the workspace's exclusion list: nothing more of this chat/)
        .waitFor();
      await confirm.getByText(/Setup → Never back up/).waitFor();
      await confirm.getByRole('button', { name: 'Yes, never back up' }).click();
      await state.getByText(/Excluded: .*; never written to the CRM\./).waitFor();
      await card
        .getByTestId('chat-excluded')
        .getByText(/^Never backed up: the workspace's exclusion list holds this chat/)
        .waitFor();
      expect(await card.getByRole('button', { name: 'Never back up this chat' }).count()).toBe(0);
      const states = (await api('GET', `/chats/${chat.id}/crm`)).data as { state: string }[];
      expect(states.length).toBeGreaterThan(0);
      expect(states.every((s) => s.state === 'excluded')).toBe(true);

      // Opened again, the card says so instead of offering it; Setup lists the number.
      await page.reload();
      await card.getByTestId('chat-excluded').waitFor();
      expect(await card.getByRole('button', { name: 'Never back up this chat' }).count()).toBe(0);
      await page.goto(`${url}/setup`);
      const excluded = page.getByRole('list', { name: 'Excluded' });
      await excluded.getByText('+55 11 98765 4321').waitFor();
      const exclusions = (await api('GET', '/exclusions')).data as { kind: string; value: string }[];
      expect(exclusions).toContainEqual(expect.objectContaining({ kind: 'phone', value: '+5511987654321' }));

      // The card in the extension's sidebar width: nothing wider than the card.
      await page.setViewportSize({ width: 360, height: 800 });
      await page.goto(`${url}/chats/${chat.id}`);
      await card.getByTestId('chat-excluded').waitFor();
      await card.getByRole('button', { name: 'Create contact or lead' }).click();
      await card.getByRole('button', { name: 'Link existing record' }).click();
      expect(await card.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
      await page.setViewportSize({ width: 1280, height: 900 });

      // A person known only by a linked id: no number to put on the list, said in words.
      const hidden = await api('POST', `/accounts/${account.id}/chats`, {
        chat: { type: 'direct', with: { lid: '204857392018475@lid', name: 'Hidden Number' } },
      });
      await page.goto(`${url}/chats/${hidden.id}`);
      await card.getByRole('button', { name: 'Never back up this chat' }).click();
      await card.getByRole('button', { name: 'Yes, never back up' }).click();
      await card
        .getByRole('alert')
        .getByText(/WhatsApp has not shared this person's number, only a linked id/)
        .waitFor();
      expect(((await api('GET', `/chats/${hidden.id}/crm`)).data as { state: string }[])[0]?.state).not.toBe(
        'excluded',
      );
      expect(errors).toEqual([]);
    });
  },
);
