import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayMarker } from '../src/crms/kit/day-marker.js';
import { DEMO_CLIENT } from '../src/sandboxes/zoho/index.js';
import type { Harness } from './support/harness.js';
import {
  browserSkipped,
  startWorkspaceInBrowser,
  type WorkspaceInBrowser,
} from './support/workspace-browser.js';
import { startTestZoho, type TestZoho } from './support/zoho-org.js';

const skipped = browserSkipped();

/**
 * The mini-CRM card of a chat linked to a Zoho contact: Zoho's fields, the contact's open deals (not
 * the closed one) and the latest notes people wrote, not wasync's day notes, even when those
 * outnumber them many times over.
 */
describe.skipIf(skipped !== undefined)(
  `The card of a Zoho contact, in a browser${skipped ? ` (skipped: ${skipped})` : ''}`,
  { timeout: 90_000 },
  () => {
    let workspace: WorkspaceInBrowser;
    let h: Harness;
    let url: string;
    let zoho: TestZoho;
    let page: Page;
    let errors: string[];

    /** Zoho's API as a CRM user (another app) calls it: a Self Client token, then the request. */
    const zohoApi = async (method: string, route: string, body: unknown) => {
      const token = (await (
        await fetch(`${zoho.url}/oauth/v2/token`, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            client_id: DEMO_CLIENT.clientId,
            client_secret: DEMO_CLIENT.clientSecret,
            refresh_token: zoho.refreshToken,
          }),
        })
      ).json()) as { access_token: string };
      const answer = await fetch(`${zoho.url}/crm/v8/${route}`, {
        method,
        headers: {
          authorization: `Zoho-oauthtoken ${token.access_token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });
      expect(answer.status, await answer.clone().text()).toBeLessThan(300);
    };

    beforeAll(async () => {
      workspace = await startWorkspaceInBrowser({ env: { WASYNC_DEFAULT_REGION: 'BR' } });
      ({ h, url, page, errors } = workspace);
      zoho = await startTestZoho();
    });
    afterAll(async () => {
      await workspace?.close();
      await zoho?.close();
    });

    it("shows Zoho's fields, the open deals and people's latest notes, without wasync's day notes", async () => {
      const ana = await zoho.seed('Contacts', {
        First_Name: 'Ana',
        Last_Name: 'Souza',
        Email: 'ana@souza.example',
        Phone: '(11) 98765-4321',
        Account_Name: { name: 'Souza Importadora', id: '4876819000000900001' },
      });
      await zoho.seed('Deals', {
        Deal_Name: 'Blue model, 30 units',
        Stage: 'Negotiation/Review',
        Amount: 12600,
        Contact_Name: ana,
      });
      await zoho.seed('Deals', {
        Deal_Name: 'Spare parts',
        Stage: 'Qualification',
        Amount: 1800,
        Contact_Name: ana,
      });
      await zoho.seed('Deals', {
        Deal_Name: 'Pilot, 5 units',
        Stage: 'Closed Won',
        Amount: 2250,
        Contact_Name: ana,
      });
      const parent = { module: { api_name: 'Contacts' }, id: ana };
      // People's notes first, then a long history of day notes (each with its day's marker) on top.
      await zohoApi('POST', 'Notes', {
        data: [
          { Note_Title: 'Called Ana', Note_Content: 'Wants the blue model before March.', Parent_Id: parent },
          { Note_Title: 'Visit', Note_Content: 'Showroom visit booked for Friday.', Parent_Id: parent },
        ],
      });
      await zohoApi('POST', 'Notes', {
        data: Array.from({ length: 30 }, (_, day) => ({
          Note_Title: `WhatsApp with Ana, day ${day + 1}`,
          Note_Content: `an earlier chat-day\n\n${dayMarker(`earlier-day-${day}`)}`,
          Parent_Id: parent,
        })),
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
      const connection = await api('POST', '/connections', zoho.connectionInput('Zoho org'));
      const account = await api('POST', '/accounts', {
        phone: '+1 415 555 0000',
        displayName: 'Rep',
        sourceKind: 'rest',
      });
      await api('POST', `/accounts/${account.id}/messages`, {
        messages: [
          {
            id: 'wamid.zc1',
            chat: { type: 'direct', with: { phone: '+5511987654321', name: 'Ana Souza' } },
            timestamp: new Date(Date.now() - 60_000).toISOString(),
            text: 'Is the blue model in stock?',
          },
        ],
      });
      // The sync links the chat by phone, and writes today's note (with its marker) onto Ana.
      expect((await h.services.sync.runNow(connection.id)).state).toBe('done');
      expect((await zoho.notes()).filter((note) => note.parent.id === ana)).toHaveLength(33);

      await page.goto(`${url}/chats`);
      await page.getByRole('link', { name: /Ana Souza/ }).click();
      const card = page.getByRole('complementary', { name: 'In the CRM' });
      await card.getByText('Souza Importadora').waitFor();
      await card.getByText('ana@souza.example').waitFor();
      await card.getByRole('link', { name: 'Blue model, 30 units' }).waitFor();
      await card.getByRole('link', { name: 'Spare parts' }).waitFor();
      expect(await card.getByText('Pilot, 5 units').count()).toBe(0);
      expect(await card.getByRole('link', { name: 'Blue model, 30 units' }).getAttribute('href')).toMatch(
        new RegExp(`^${zoho.url}/crm/org\\d+/tab/Deals/\\d+$`),
      );
      await card.getByText('Called Ana').waitFor();
      await card.getByText('Showroom visit booked for Friday.').waitFor();
      expect(await card.getByText(/WhatsApp with Ana|wasync:/).count()).toBe(0);
      expect(errors).toEqual([]);
    });
  },
);
