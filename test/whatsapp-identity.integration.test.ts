import type { WAMessage } from 'baileys';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import { ReferenceCrm } from '../src/crms/reference/crm.js';
import { referenceKind } from '../src/crms/reference/kind.js';
import { crmRegistry } from '../src/crms/registry.js';
import { mapWebMessage } from '../src/sources/whatsapp-web/map.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

/** People as the linked device names them: numbers the phone metadata does not know. */
const crm = new ReferenceCrm('ref-key', { attachmentBytes: 64 });
const KIND = 'refidentity';
beforeAll(() => {
  crmRegistry.register(referenceKind(crm, { kind: KIND, attachments: 'after', keys: 'external-id' }));
});
afterAll(() => {
  crmRegistry.unregister(KIND);
});

/** Tokelau +690 8…: a range libphonenumber's metadata has no entry for, yet a registered WhatsApp id. */
const UNKNOWN_RANGE_JID = '69081234@s.whatsapp.net';

describeEachDatabase('a WhatsApp id the phone metadata calls invalid', (database) => {
  let h: Harness;
  let account: Account;
  beforeEach(async () => {
    crm.reset();
    h = await startHarness(database);
    account = await h.createAccount('+14155550000', 'linked_device');
  });
  afterEach(() => h.close());

  // Yesterday 11:00 UTC: inside the backfill window of a new link, whatever time the test runs.
  const yesterday = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 13 * 3_600_000;

  it('is stored as + and its digits, shown, and linked to the CRM record holding those digits', async () => {
    const contact = crm.seed({ type: 'contact', name: 'Sione Perez', phones: ['+690 81234'] });
    const message = {
      key: { remoteJid: UNKNOWN_RANGE_JID, fromMe: false, id: 'TK1' },
      message: { conversation: 'Malo lelei' },
      messageTimestamp: Math.floor(yesterday / 1000),
      pushName: 'Sione',
    } as WAMessage;
    const result = await h.services.ingest.ingest(account, mapWebMessage(message, { accountId: account.id }));
    expect(result.stored.messages).toBe(1);

    const chats = await h.app.inject({ method: 'GET', url: '/api/v1/chats', headers: h.auth });
    expect(chats.json().data).toEqual([
      expect.objectContaining({
        type: 'direct',
        title: 'Sione',
        partner: expect.objectContaining({ phone: '+69081234', name: 'Sione' }),
      }),
    ]);

    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: h.auth,
      payload: { kind: KIND, name: 'Reference', apiKey: 'ref-key' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const run = await h.services.sync.runNow((created.json() as { id: string }).id);
    expect(run).toMatchObject({ state: 'done', summary: { transcriptsWritten: 1 } });
    expect(crm.transcriptsOf(contact.id)[0]?.text).toContain('Malo lelei');
  });
});
