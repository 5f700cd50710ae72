import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { expect } from 'vitest';
import { testDatabases } from '../support/databases.js';
import { type Harness, startHarness } from '../support/harness.js';
import { postDirectMessage } from './live-ingest.js';

/** What a live org offers the sync end to end: the run's tag and phone, and seeding a contact. */
export interface LiveSyncOrg {
  readonly tag: string;
  readonly runPhone: string;
  seed(type: 'contact', fields: { firstName?: string; lastName: string; phone: string }): Promise<string>;
}

/** What one sync end to end left for its suite to check. */
export interface LiveSyncedChat {
  contactId: string;
  /** The text of the one message synced. */
  said: string;
}

/**
 * One sync end to end against a live org: a contact with the run's phone, a message from that phone
 * to a wasync on SQLite connected to the org, and one sync that matches and writes that one chat.
 * `seeded` runs before the sync, `check` after it; `closing` runs before the wasync closes, also
 * after a failure, once the connection is stored.
 */
export async function syncOneChatFromContact(
  org: LiveSyncOrg,
  connection: Readonly<Record<string, unknown>>,
  steps: {
    seeded?(contactId: string): Promise<void>;
    check(synced: LiveSyncedChat): Promise<void>;
    closing?(h: Harness, connectionId: string): Promise<void>;
  },
): Promise<void> {
  const sqlite = testDatabases().find((database) => database.dialect === 'sqlite');
  if (!sqlite) throw new Error('no SQLite test database');
  const h = await startHarness(sqlite, { WASYNC_DEFAULT_REGION: 'BR' });
  let connectionId: string | undefined;
  try {
    // Stored as people type it into a CRM: national format.
    const contactId = await org.seed('contact', {
      firstName: 'Ana',
      lastName: 'Souza',
      phone: parsePhoneNumberWithError(org.runPhone).formatNational(),
    });
    await steps.seeded?.(contactId);
    const account = await h.createAccount('+5511900001111');
    connectionId = (await h.services.connections.create(h.services.workspace.id, connection)).id;
    const said = `Live check ${org.tag}`;
    await postDirectMessage(h, account.id, {
      id: `wamid.${org.tag}`,
      from: { phone: org.runPhone, name: 'Ana Souza' },
      text: said,
    });

    expect(await h.services.sync.runNow(connectionId)).toMatchObject({
      state: 'done',
      summary: { chats: 1, matched: 1, linksFound: 1, transcriptsWritten: 1, failed: 0, rejected: 0 },
    });
    await steps.check({ contactId, said });
  } finally {
    if (connectionId) await steps.closing?.(h, connectionId);
    await h.close();
  }
}
