import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import type { PartyRef } from '../src/core/party.js';
import type { IngestMessage } from '../src/ingest/types.js';
import type { NewLink } from '../src/store/repositories/record-links.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

const DAY = 86_400_000;
let sequence = 0;

function message(partner: PartyRef): IngestMessage {
  sequence++;
  return {
    kind: 'message',
    sourceId: `link-test-${sequence}`,
    chat: { kind: 'direct', partner },
    sender: partner,
    fromMe: false,
    sentAt: Date.UTC(2026, 10, 20) + sequence,
    type: 'text',
    text: 'hi',
    replyTo: undefined,
    details: undefined,
    media: undefined,
    raw: {},
  };
}

describeEachDatabase('record links', (database) => {
  let h: Harness;
  let account: Account;
  let connectionId: string;

  beforeEach(async () => {
    h = await startHarness(database);
    account = await h.createAccount();
    const connection = await h.services.connections.create(h.services.workspace.id, {
      kind: 'salesforce',
      name: 'Acme org',
      loginUrl: 'https://acme.my.salesforce.com',
      apiVersion: '62.0',
      auth: { flow: 'client_credentials', clientId: 'id', clientSecret: 'secret' },
    });
    connectionId = connection.id;
  });
  afterEach(() => h.close());

  const identityOf = async (party: PartyRef) => {
    await h.services.ingest.ingest(account, [message(party)]);
    const key = party.phone ? 'phone' : 'lid';
    const identity = await h.services.store.identities.findByKey(
      h.services.workspace.id,
      key,
      party.phone ?? party.lid ?? '',
    );
    if (!identity) throw new Error('no identity');
    return identity.id;
  };
  const link = (identityId: string, recordId: string, linkedBy: NewLink['linkedBy'], backfillFrom = 0) =>
    h.services.store.links.link({
      connectionId,
      identityId,
      record: { type: 'contact', id: recordId, name: `Contact ${recordId}` },
      linkedBy,
      backfillFrom,
    });

  it('keeps one record per identity and connection; a link by hand wins over a lookup', async () => {
    const ana = await identityOf({ phone: '+5511987654321' });
    const first = await link(ana, '003A', 'lookup', 1000);
    expect(first).toMatchObject({ record: { id: '003A' }, linkedBy: 'lookup', backfillFrom: new Date(1000) });

    const manual = await link(ana, '003B', 'manual', 2000);
    expect(manual).toMatchObject({
      id: first.id,
      record: { id: '003B' },
      linkedBy: 'manual',
      backfillFrom: new Date(2000),
    });
    // A later automatic lookup does not undo what a person chose.
    expect(await link(ana, '003C', 'lookup', 3000)).toMatchObject({
      record: { id: '003B' },
      linkedBy: 'manual',
    });

    expect(await h.services.store.links.list(connectionId)).toHaveLength(1);
    expect(await h.services.store.links.unlink(connectionId, ana)).toBe(true);
    expect((await h.services.store.links.forIdentities(connectionId, [ana])).size).toBe(0);
  });

  it('records the last sync time per link', async () => {
    const ana = await identityOf({ phone: '+5511987654321' });
    const linked = await link(ana, '003A', 'lookup');
    await h.services.store.links.markSynced([linked.id], 5 * DAY);
    const [reread] = await h.services.store.links.list(connectionId);
    expect(reread?.lastSyncedAt).toEqual(new Date(5 * DAY));
  });

  it('moves links along when identities merge, a manual link winning over an automatic one', async () => {
    const lid = '209876543210987@lid';
    const phone = '+4915123450001';
    const byPhone = await identityOf({ phone });
    const byLid = await identityOf({ lid });
    await link(byPhone, '003AUTO', 'lookup');
    await link(byLid, '003HAND', 'manual');

    await h.services.ingest.ingest(account, [message({ lid, phone })]);
    const merged = await h.services.store.identities.findByKey(h.services.workspace.id, 'lid', lid);
    expect(merged?.id).toBe(byPhone);
    const links = await h.services.store.links.list(connectionId);
    expect(links).toEqual([
      expect.objectContaining({ identityId: byPhone, record: expect.objectContaining({ id: '003HAND' }) }),
    ]);
  });

  it('goes away with its connection', async () => {
    const ana = await identityOf({ phone: '+5511987654321' });
    await link(ana, '003A', 'lookup');
    await h.services.connections.delete(h.services.workspace.id, connectionId);
    expect(await h.services.store.links.list(connectionId)).toEqual([]);
  });
});
