/**
 * The live Zoho suite's body: the connection test, the destination conformance suite, and one sync
 * end to end, run against the org a connection reaches. Every record it makes is deleted at the end
 * with the notes and files on it, also after a failure. Zoho needs no setup: wasync writes notes and
 * attachments, which every org has.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ZohoConnectionInput } from '../../src/crms/zoho/connection.js';
import { describeDestinationConformance } from '../crms/conformance.js';
import { syncOneChatFromContact } from './live-sync.js';
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
      await syncOneChatFromContact(org(), org().connection, {
        seeded: async (contactId) => {
          await org().seedDeal(contactId, { name: `Blue model ${org().tag}`, stage: 'Qualification' });
        },
        check: async ({ contactId, said }) => {
          const contact = { type: 'contact' as const, id: contactId };
          const notes = await org().notesOn(contact);
          expect(notes).toHaveLength(1);
          expect(notes[0]?.content).toContain(`Ana Souza: ${said}`);
          const card = await org().destination.card(contact);
          expect(card.openDeals.map((deal) => deal.name)).toEqual([`Blue model ${org().tag}`]);
        },
      });
    });
  });
}
