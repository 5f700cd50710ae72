import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import { ReferenceCrm } from '../src/crms/reference/crm.js';
import { referenceKind } from '../src/crms/reference/kind.js';
import { crmRegistry } from '../src/crms/registry.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

/**
 * The engine against the reference destination in each of the contract's shapes: files after the
 * transcript or inline with it, days found by external id or by a marker in the note. The same
 * messages must land the same way whatever the CRM's shape.
 */
const crm = new ReferenceCrm('ref-key', { attachmentBytes: 64 });
const SHAPES = [
  { kind: 'refafter', attachments: 'after', keys: 'external-id' },
  { kind: 'refinline', attachments: 'inline', keys: 'marker' },
] as const;
beforeAll(() => {
  for (const shape of SHAPES) crmRegistry.register(referenceKind(crm, shape));
});
afterAll(() => {
  for (const shape of SHAPES) crmRegistry.unregister(shape.kind);
});

const ANA = '+5511987654321';
const PDF = Buffer.from('%PDF-1.4 quote').toString('base64');
const TOO_BIG = Buffer.alloc(100, 1).toString('base64');

describeEachDatabase('the engine on the reference destination', (database) => {
  let h: Harness;
  let account: Account;

  beforeEach(async () => {
    crm.reset();
    h = await startHarness(database);
    account = await h.createAccount('+5511900001111');
  });
  afterEach(() => h.close());

  const connect = async (kind: string) => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: h.auth,
      payload: { kind, name: kind, apiKey: 'ref-key' },
    });
    expect(created.statusCode, created.body).toBe(201);
    return (created.json() as { id: string }).id;
  };

  it.each(SHAPES)(
    'writes each day once, with its files, and updates it in place ($attachments files, $keys)',
    async (shape) => {
      const contact = crm.seed({ type: 'contact', name: 'Ana Lima', phones: ['(11) 98765-4321'] });
      const connectionId = await connect(shape.kind);
      // All on one local day whatever the time the test runs: yesterday from 11:00 UTC, inside the
      // backfill window of a new link.
      const noon = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 12 * 3_600_000;
      const at = (minutesBeforeNoon: number) => new Date(noon - minutesBeforeNoon * 60_000).toISOString();
      await h.postMessages(account, [
        {
          id: 'wamid.ref-1',
          chat: { type: 'direct', with: { phone: ANA, name: 'Ana Lima' } },
          timestamp: at(50),
          text: 'hello',
        },
        {
          id: 'wamid.ref-2',
          chat: { type: 'direct', with: { phone: ANA, name: 'Ana Lima' } },
          timestamp: at(40),
          type: 'document',
          text: 'the quote',
          media: { base64: PDF, mimeType: 'application/pdf', fileName: 'quote.pdf' },
        },
        {
          id: 'wamid.ref-3',
          chat: { type: 'direct', with: { phone: ANA, name: 'Ana Lima' } },
          timestamp: at(30),
          type: 'document',
          media: { base64: TOO_BIG, mimeType: 'application/pdf', fileName: 'big.pdf' },
        },
      ]);
      const first = await h.services.sync.runNow(connectionId);
      expect(first).toMatchObject({
        state: 'done',
        summary: { transcriptsWritten: 1, filesUploaded: 1, rejected: 1 },
      });
      const [day] = crm.transcriptsOf(contact.id);
      expect(day?.text).toContain('Ana Lima: hello');
      expect(day?.text).toContain('📎 quote.pdf');
      const files =
        shape.attachments === 'inline'
          ? (day?.files ?? []).map((file) => file.fileName)
          : crm.allAttachments().map((file) => file.fileName);
      expect(files).toEqual(['quote.pdf']);
      if (shape.attachments === 'inline') expect(crm.allAttachments()).toEqual([]);
      else expect(day?.files).toEqual([]);
      // The file too large for this CRM is refused once, and says so on the Sync page.
      const problems = await h.services.store.ledger.problems(connectionId, 5);
      expect(problems.map((problem) => problem.lastError)).toEqual([
        expect.stringMatching(/^FILE_TOO_LARGE: big\.pdf/),
      ]);

      await h.postMessages(account, [
        {
          id: 'wamid.ref-4',
          chat: { type: 'direct', with: { phone: ANA, name: 'Ana Lima' } },
          timestamp: at(20),
          text: 'later',
        },
      ]);
      const second = await h.services.sync.runNow(connectionId);
      expect(second).toMatchObject({ state: 'done', summary: { transcriptsWritten: 1, rejected: 0 } });
      const days = crm.transcriptsOf(contact.id);
      expect(days).toHaveLength(1);
      expect(days[0]).toMatchObject({ id: day?.id, writes: 2 });
      expect(days[0]?.text).toContain('Ana Lima: later');
      // Files after the transcript are not uploaded again; inline ones travel with each write.
      expect(crm.allAttachments()).toHaveLength(shape.attachments === 'inline' ? 0 : 1);
      if (shape.attachments === 'inline')
        expect(days[0]?.files.map((file) => file.fileName)).toEqual(['quote.pdf']);
    },
  );

  it('links the record the CRM created first, whatever its id says', async () => {
    const newer = crm.seed({
      id: 'C000001',
      type: 'contact',
      name: 'Ana (newer)',
      phones: [ANA],
      createdAt: new Date('2026-06-01T00:00:00Z'),
    });
    const older = crm.seed({
      id: 'C000002',
      type: 'contact',
      name: 'Ana (older)',
      phones: [ANA],
      createdAt: new Date('2025-01-01T00:00:00Z'),
    });
    const connectionId = await connect('refafter');
    await h.postMessages(account, [
      {
        id: 'wamid.ref-age',
        chat: { type: 'direct', with: { phone: ANA, name: 'Ana Lima' } },
        timestamp: new Date().toISOString(),
        text: 'hi',
      },
    ]);
    await h.services.sync.runNow(connectionId);
    expect(crm.transcriptsOf(older.id)).toHaveLength(1);
    expect(crm.transcriptsOf(newer.id)).toEqual([]);
  });
});
