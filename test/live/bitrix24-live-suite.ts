/**
 * The live Bitrix24 suite's body: the connection test, the destination conformance suite, and one sync
 * end to end, run against the portal a webhook reaches. Every record it makes is deleted at the end with
 * the comments on it and the Disk files wasync wrote, also after a failure; so are the records of an
 * earlier run that was interrupted. Bitrix24 needs no setup: wasync writes timeline comments, which
 * every portal has, and its Disk folder is made on the first large file.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Bitrix24ConnectionInput } from '../../src/crms/bitrix24/connection.js';
import { describeDestinationConformance } from '../crms/conformance.js';
import { Bitrix24LiveOrg } from './bitrix24-live-org.js';
import { syncOneChatFromContact } from './live-sync.js';

export function describeLiveBitrix24(connection: Bitrix24ConnectionInput): void {
  // Each call may cross the internet, and the portal's bucket drains by 2 requests a second.
  vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });
  const portal = connection.auth.flow === 'webhook' ? new URL(connection.auth.webhookUrl).host : '';

  describe(`Bitrix24 live portal ${portal} (${connection.plan})`, () => {
    let opened: Bitrix24LiveOrg | undefined;
    const org = (): Bitrix24LiveOrg => {
      if (!opened) throw new Error('the portal was not opened (see the error of beforeAll)');
      return opened;
    };
    beforeAll(async () => {
      opened = await Bitrix24LiveOrg.open(connection);
    });
    afterAll(async () => {
      await opened?.cleanUp();
    });

    it('the connection test is clean: the webhook reaches the portal with the scopes wasync needs', async () => {
      expect(await org().destination.test()).toEqual([]);
    });

    describeDestinationConformance('Bitrix24 (live portal)', async () => {
      // What the previous test made goes, as the sandbox's reset would empty it.
      await org().cleanUp();
      return org().conformanceTarget();
    });

    it("one sync writes a chat from a contact's number to a comment on that contact's page", async () => {
      await syncOneChatFromContact(org(), org().connection, {
        check: async ({ contactId, said }) => {
          const contact = { type: 'contact' as const, id: contactId };
          const comments = await org().commentsOn(contact);
          expect(comments).toHaveLength(1);
          // A message reads `HH:mm [B]Sender[/B]: text` in the comment's BBCode.
          expect(comments[0]?.text).toContain(`[B]Ana Souza[/B]: ${said}`);
          expect(await org().duplicatesOn(contact)).toEqual([]);
          expect((await org().destination.card(contact)).name).toBe('Ana Souza');
        },
      });
    });
  });
}
