/**
 * The live suite's body: setup, the destination conformance suite, and one sync end to end, run
 * against the org a connection reaches. Every record it makes is deleted at the end, also after a
 * failure; what setup makes (the custom object, the permission set and its assignment, the related
 * lists) stays, since removing metadata is a separate, deliberate step.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SecretBox } from '../../src/core/secret-box.js';
import { refreshTokenOf, type SalesforceConnectionInput } from '../../src/crms/salesforce/connection.js';
import { CHAT_OBJECT, PERMISSION_SET, setUpSalesforce } from '../../src/crms/salesforce/setup/index.js';
import { soqlString } from '../../src/crms/salesforce/soql.js';
import { describeDestinationConformance } from '../crms/conformance.js';
import type { Harness } from '../support/harness.js';
import { LiveOrg } from './live-org.js';
import { queryAll } from './live-query.js';
import { syncOneChatFromContact } from './live-sync.js';

export function describeLiveSalesforce(connection: SalesforceConnectionInput): void {
  // Each call may cross the internet, and setup waits for the org to deploy metadata.
  vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

  describe(`Salesforce live org at ${connection.loginUrl} (${connection.auth.flow})`, () => {
    let opened: LiveOrg | undefined;
    const org = (): LiveOrg => {
      if (!opened) throw new Error('the org was not opened (see the error of beforeAll)');
      return opened;
    };
    beforeAll(async () => {
      opened = await LiveOrg.open(connection);
    });
    afterAll(async () => {
      await opened?.cleanUp();
    });

    it('setup deploys the chat object and grants its user access; the connection test is then clean, and setup again changes nothing', async () => {
      const first = await setUpSalesforce(org().transport);
      console.info(`setup changed: ${JSON.stringify(first, null, 2)}`);
      expect([...first.created, ...first.existing]).toEqual(
        expect.arrayContaining([CHAT_OBJECT, `PermissionSet ${PERMISSION_SET.Name}`]),
      );
      const userId = await org().transport.userId();
      const assigned = await queryAll(
        org().transport,
        `SELECT Id FROM PermissionSetAssignment WHERE PermissionSet.Name = ${soqlString(PERMISSION_SET.Name)} AND AssigneeId = ${soqlString(userId ?? '')}`,
      );
      expect(assigned).toHaveLength(1);
      expect(await org().destination.test()).toEqual([]);

      const second = await setUpSalesforce(org().transport);
      expect(second.created).toEqual([]);
      expect(second.manualSteps).toEqual(first.manualSteps);
    });

    describeDestinationConformance('Salesforce (live org)', async () => {
      // What the previous test made goes, as the sandbox's reset would empty it.
      await org().cleanUp();
      return org().conformanceTarget();
    });

    it("one sync writes a chat from a contact's number to a WhatsApp Chat record and a note on that contact", async () => {
      await syncOneChatFromContact(org(), org().connectionInput(), {
        check: async ({ contactId, said }) => {
          const chats = await org().chatRecordsOn(contactId);
          expect(chats).toHaveLength(1);
          expect(chats[0]?.Transcript__c).toContain(`Ana Souza: ${said}`);
          expect(chats[0]?.Message_Count__c).toBe(1);
          const notes = await org().notesOn(contactId);
          expect(notes).toHaveLength(1);
          expect(notes[0]?.preview).toContain(said);
        },
        closing: async (h, connectionId) => {
          org().adoptRefreshToken(await storedRefreshToken(h, connectionId));
        },
      });
    });
  });
}

/** The refresh token a wasync store holds for a connection after the sync (rotated, if the org rotates). */
async function storedRefreshToken(h: Harness, connectionId: string): Promise<string | undefined> {
  const stored = await h.services.store.connections.find(h.services.workspace.id, connectionId);
  if (!stored) return undefined;
  const secrets: unknown = JSON.parse(
    new SecretBox(h.services.secretKey).open(stored.sealedCredentials, stored.id),
  );
  return refreshTokenOf(secrets);
}
