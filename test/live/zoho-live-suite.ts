/**
 * The live Zoho suite's body: the connection test, the destination conformance suite, and one sync
 * end to end, run against the org a connection reaches. Every record it makes is deleted at the end
 * with the notes and files on it, also after a failure. Zoho needs no setup: wasync writes notes and
 * attachments, which every org has.
 */
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ZohoConnectionInput } from '../../src/crms/zoho/connection.js';
import { describeDestinationConformance } from '../crms/conformance.js';
import { testDatabases } from '../support/databases.js';
import { startHarness } from '../support/harness.js';
import { postDirectMessage } from './live-ingest.js';
import { ZohoLiveOrg } from './zoho-live-org.js';

export function describeLiveZoho(connection: ZohoConnectionInput): void {
  // Each call may cross the internet, and Zoho's search index trails a create.
  vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

  describe(`Zoho CRM live org at ${connection.accountsUrl ?? connection.dataCentre} (${connection.edition})`, () => {
    let opened: ZohoLiveOrg | undefined;
    const org = (): ZohoLiveOrg => {
      if (!opened) throw new Error('the org was not opened (see the error of beforeAll)');
      return opened;
    };
    beforeAll(async () => {
      opened = await ZohoLiveOrg.open(connection);
    });
    afterAll(async () => {
      await opened?.cleanUp();
    });

    it('the connection test is clean: the Self Client reaches the org with the scopes wasync needs', async () => {
      expect(await org().destination.test()).toEqual([]);
    });

    describeDestinationConformance('Zoho CRM (live org)', async () => {
      // What the previous test made goes, as the sandbox's reset would empty it.
      await org().cleanUp();
      return org().conformanceTarget();
    });

    it("one sync writes a chat from a contact's number to a note on that contact, and the card shows the contact's open deal", async () => {
      const sqlite = testDatabases().find((database) => database.dialect === 'sqlite');
      if (!sqlite) throw new Error('no SQLite test database');
      const h = await startHarness(sqlite, { WASYNC_DEFAULT_REGION: 'BR' });
      try {
        // Stored as people type it into a CRM: national format.
        const contact = {
          type: 'contact' as const,
          id: await org().seed('contact', {
            firstName: 'Ana',
            lastName: 'Souza',
            phone: parsePhoneNumberWithError(org().runPhone).formatNational(),
          }),
        };
        await org().seedDeal(contact.id, { name: `Blue model ${org().tag}`, stage: 'Qualification' });
        const account = await h.createAccount('+5511900001111');
        const connectionId = (await h.services.connections.create(h.services.workspace.id, org().connection))
          .id;
        const said = `Live check ${org().tag}`;
        await postDirectMessage(h, account.id, {
          id: `wamid.${org().tag}`,
          from: { phone: org().runPhone, name: 'Ana Souza' },
          text: said,
        });

        expect(await h.services.sync.runNow(connectionId)).toMatchObject({
          state: 'done',
          summary: { chats: 1, matched: 1, linksFound: 1, transcriptsWritten: 1, failed: 0, rejected: 0 },
        });

        const notes = await org().notesOn(contact);
        expect(notes).toHaveLength(1);
        expect(notes[0]?.content).toContain(`Ana Souza: ${said}`);
        const card = await org().destination.card(contact);
        expect(card.openDeals.map((deal) => deal.name)).toEqual([`Blue model ${org().tag}`]);
      } finally {
        await h.close();
      }
    });
  });
}
