import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayMarker } from '../src/crms/kit/day-marker.js';
import type { EntityKind } from '../src/sandboxes/bitrix24/portal.js';
import { startTestBitrix24, type TestBitrix24 } from './support/bitrix24-portal.js';
import type { Harness } from './support/harness.js';
import {
  browserSkipped,
  startWorkspaceInBrowser,
  type WorkspaceInBrowser,
} from './support/workspace-browser.js';

const skipped = browserSkipped();

/**
 * The mini-CRM card of a chat linked to a Bitrix24 contact or lead (issue 16, item 3): the company,
 * the responsible person, the open deals (not the closed one) and the latest comments people wrote,
 * not wasync's day comments, even when those crowd people's off the first page; "Open in CRM" opens
 * the record's page on the portal. And a lead asked of a portal in simple mode is refused in words.
 */
describe.skipIf(skipped !== undefined)(
  `The card of a Bitrix24 contact or lead, in a browser${skipped ? ` (skipped: ${skipped})` : ''}`,
  { timeout: 90_000 },
  () => {
    let workspace: WorkspaceInBrowser;
    let h: Harness;
    let url: string;
    let page: Page;
    let errors: string[];
    /** A portal in the classic mode (leads and deals). */
    let b24: TestBitrix24;
    let connectionId: string;
    let accountId: string;

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

    /** A message from `phone` a minute ago, in the rep's direct chat with them. */
    const messageFrom = (id: string, phone: string, name: string, text: string) =>
      api('POST', `/accounts/${accountId}/messages`, {
        messages: [
          {
            id,
            chat: { type: 'direct', with: { phone, name } },
            timestamp: new Date(Date.now() - 60_000).toISOString(),
            text,
          },
        ],
      });

    /** A comment on the portal's timeline, left `ago` minutes before now (by a person, or with a marker by wasync). */
    const comment = (portal: TestBitrix24, kind: EntityKind, entityId: number, text: string, ago: number) => {
      const id = portal.portal.nextId('comment');
      portal.portal.comments.set(id, {
        id,
        entityType: kind,
        entityId,
        comment: text,
        authorId: 1,
        createdAt: Date.now() - ago * 60_000,
        fileIds: [],
      });
    };

    /** The chat's card, its section for the connection named `connection`. */
    const openCard = async (chatName: RegExp, connection: string): Promise<Locator> => {
      await page.goto(`${url}/chats`);
      await page.getByRole('link', { name: chatName }).click();
      return page
        .getByRole('complementary', { name: 'In the CRM' })
        .getByRole('region', { name: connection });
    };

    /** "Open in CRM" clicked: the page it opens on the portal, and the HTTP status its address answers. */
    const openInCrm = async (section: Locator) => {
      const link = section.getByRole('link', { name: 'Open in CRM' });
      const href = (await link.getAttribute('href')) ?? '';
      const [opened] = await Promise.all([page.waitForEvent('popup'), link.click()]);
      await opened.waitForLoadState();
      return { href, opened, status: (await fetch(href)).status };
    };

    beforeAll(async () => {
      workspace = await startWorkspaceInBrowser({ env: { WASYNC_DEFAULT_REGION: 'BR' } });
      ({ h, url, page, errors } = workspace);
      b24 = await startTestBitrix24();
      connectionId = (await api('POST', '/connections', b24.connectionInput('Bitrix24 portal'))).id;
      accountId = (
        await api('POST', '/accounts', { phone: '+1 415 555 0000', displayName: 'Rep', sourceKind: 'rest' })
      ).id;
    });
    afterAll(async () => {
      await workspace?.close();
      await b24?.close();
    });

    it("shows the company, the responsible person, the open deal and people's latest comments, without wasync's day comments", async () => {
      const { portal } = b24;
      const rita = portal.seedUser({ name: 'Rita', lastName: 'Reis' });
      const company = portal.seedCompany('Souza Importadora');
      const ana = portal.seedContact({
        name: 'Ana',
        lastName: 'Souza',
        phones: ['+55 11 98765-4321'],
        emails: ['ana@souza.example'],
        companyId: company.id,
        assignedById: rita.id,
      });
      const open = portal.seedDeal({
        title: 'Blue model, 30 units',
        contactId: ana.id,
        stageId: 'PREPARATION',
        opportunity: 12600,
      });
      portal.seedDeal({ title: 'Pilot, 5 units', contactId: ana.id, stageId: 'WON', closed: true });
      // Six comments people wrote (the card shows five), then sixty earlier chat-days of wasync's on
      // top of them: more than the timeline's first page of fifty.
      for (let n = 1; n <= 6; n++)
        comment(
          b24,
          'contact',
          ana.id,
          `[B]Call ${n}[/B]\nAna asked about the blue model, call ${n}.`,
          100 + n,
        );
      for (let day = 1; day <= 60; day++)
        comment(b24, 'contact', ana.id, `WhatsApp chat, day ${day}\n${dayMarker(`earlier-day-${day}`)}`, day);

      await messageFrom('wamid.b24c1', '+5511987654321', 'Ana Souza', 'Is the blue model in stock?');
      // The sync links the chat by phone, and writes today's comment (with its marker) onto Ana.
      expect((await h.services.sync.runNow(connectionId)).state).toBe('done');
      const written = portal.inspectComments('contact', ana.id);
      expect(written).toHaveLength(67);
      expect(written.at(-1)?.comment).toContain('Is the blue model in stock?');

      const section = await openCard(/Ana Souza/, 'Bitrix24 portal');
      await section.getByText('Souza Importadora').waitFor();
      await section.getByText('Rita Reis').waitFor();
      await section.getByText('ana@souza.example').waitFor();
      const deal = section.getByRole('link', { name: 'Blue model, 30 units' });
      expect(await deal.getAttribute('href')).toBe(`${b24.url}/crm/deal/details/${open.id}/`);
      expect(await section.getByText('Pilot, 5 units').count()).toBe(0);
      // The five latest of people's comments, their markup gone; not the sixth, not wasync's.
      for (let n = 1; n <= 5; n++) await section.getByText(`Call ${n}`, { exact: true }).waitFor();
      await section.getByText('Call 1 Ana asked about the blue model, call 1.').waitFor();
      expect(await section.getByText('Call 6', { exact: true }).count()).toBe(0);
      expect(await section.getByText(/WhatsApp chat|wasync:|\[B\]/).count()).toBe(0);

      const { href, opened, status } = await openInCrm(section);
      expect(href).toBe(`${b24.url}/crm/contact/details/${ana.id}/`);
      expect(status).toBe(200);
      await opened.getByRole('heading', { name: 'Ana Souza', level: 1 }).waitFor();
      await opened.getByText('Rita Reis').waitFor();
      await opened.close();
      expect(errors).toEqual([]);
    });

    it("shows a lead's company name, status and responsible person, and opens the lead's page", async () => {
      const { portal } = b24;
      const marcos = portal.seedUser({ name: 'Marcos', lastName: 'Lima' });
      const bruno = portal.seedLead({
        name: 'Bruno',
        lastName: 'Costa',
        title: 'Shelves for the new shop',
        companyTitle: 'Bruno & Filhos',
        phones: ['+55 21 99876-5432'],
        assignedById: marcos.id,
      });
      bruno.fields.STATUS_ID = 'IN_PROCESS';
      comment(b24, 'lead', bruno.id, 'Wants a quote for twelve shelves.', 30);

      await messageFrom('wamid.b24l1', '+5521998765432', 'Bruno Costa', 'Can you send the quote?');
      expect((await h.services.sync.runNow(connectionId)).state).toBe('done');
      // No contact has Bruno's number, so the chat lands on his lead.
      expect(portal.inspectComments('lead', bruno.id).at(-1)?.comment).toContain('Can you send the quote?');

      const section = await openCard(/Bruno Costa/, 'Bitrix24 portal');
      await section.getByText('lead', { exact: true }).waitFor();
      await section.getByText('Bruno & Filhos').waitFor();
      await section.getByText('Marcos Lima').waitFor();
      await section.getByText('IN_PROCESS').waitFor();
      await section.getByText('Wants a quote for twelve shelves.').first().waitFor();
      expect(await section.getByText('Open deals').count()).toBe(0);

      const { href, opened, status } = await openInCrm(section);
      // The portal's page takes the lead's own number, not wasync's L_ name for it.
      expect(href).toBe(`${b24.url}/crm/lead/details/${bruno.id}/`);
      expect(status).toBe(200);
      await opened.getByRole('heading', { name: 'Bruno Costa', level: 1 }).waitFor();
      await opened.getByText('Shelves for the new shop').waitFor();
      await opened.close();
      expect(errors).toEqual([]);
    });

    it('refuses a lead on a portal in simple mode in words, and makes the contact instead', async () => {
      const simple = await startTestBitrix24();
      try {
        simple.portal.mode = 2;
        await api('POST', '/connections', simple.connectionInput('Simple portal'));
        await messageFrom(
          'wamid.b24s1',
          '+5531991234567',
          'Carla Dias',
          'Hello, do you ship to Belo Horizonte?',
        );

        const section = await openCard(/Carla Dias/, 'Simple portal');
        await section.getByRole('button', { name: 'Create contact or lead' }).click();
        const form = section.getByRole('form', { name: 'Create a record' });
        await form.getByRole('radio', { name: 'Lead' }).check();
        await form.getByRole('button', { name: 'Create in the CRM' }).click();
        await section
          .getByText(
            'This Bitrix24 portal uses the simple CRM mode, which has no leads: create a contact instead',
          )
          .waitFor();
        // Refused before anything was written: in simple mode a lead would have become a deal.
        expect(simple.portal.all('lead')).toHaveLength(0);
        expect(simple.portal.all('deal')).toHaveLength(0);
        expect(simple.portal.all('contact')).toHaveLength(0);

        await form.getByRole('radio', { name: 'Contact' }).check();
        await form.getByRole('button', { name: 'Create in the CRM' }).click();
        await section.getByRole('link', { name: 'Open in CRM' }).waitFor();
        const [carla] = simple.portal.all('contact');
        expect(carla?.fields).toMatchObject({ NAME: 'Carla', LAST_NAME: 'Dias' });
        expect(await section.getByRole('link', { name: 'Open in CRM' }).getAttribute('href')).toBe(
          `${simple.url}/crm/contact/details/${carla?.id}/`,
        );
        expect(errors).toEqual([]);
      } finally {
        await simple.close();
      }
    });
  },
);
