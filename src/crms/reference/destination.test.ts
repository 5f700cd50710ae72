import { describe, expect, it } from 'vitest';
import { contactDay, inlinePhoto } from '../../../test/support/day-content.js';
import { dayMarker } from '../kit/day-marker.js';
import { ReferenceCrm } from './crm.js';
import { ReferenceDestination } from './destination.js';
import { ReferenceMemoryBackend } from './memory-backend.js';

const context = { defaultRegion: 'BR' as const };

const write = contactDay;

describe('the reference destination', () => {
  it('finds contacts before leads by any spelling of the number, never converted leads', async () => {
    const crm = new ReferenceCrm();
    const destination = new ReferenceDestination(new ReferenceMemoryBackend(crm, crm.apiKey));
    const lead = crm.seed({ type: 'lead', name: 'Ana lead', phones: ['+55 11 98765-4321'] });
    crm.seed({ type: 'lead', name: 'Ana converted', phones: ['+5511987654321'], converted: true });
    const contact = crm.seed({ type: 'contact', name: 'Ana', phones: ['(11) 98765-4321'] });
    crm.seed({ type: 'contact', name: 'One digit off', phones: ['(11) 98765-4322'] });
    const found = await destination.findByPhones(
      [
        { key: 'ana', phone: '+5511987654321' },
        { key: 'nobody', phone: '+14155550100' },
      ],
      context,
    );
    expect(found.get('ana')?.map((record) => record.id)).toEqual([contact.id, lead.id]);
    expect(found.get('nobody')).toEqual([]);
    expect((await destination.search('ana', context)).map((record) => record.name)).toEqual([
      'Ana',
      'Ana lead',
    ]);

    const contactsOnly = new ReferenceDestination(new ReferenceMemoryBackend(crm, crm.apiKey), {
      leads: false,
    });
    expect(
      (await contactsOnly.findByPhones([{ key: 'ana', phone: '+5511987654321' }], context)).get('ana'),
    ).toEqual([expect.objectContaining({ id: contact.id })]);
    await expect(
      contactsOnly.createRecord({ type: 'lead', name: 'X', phone: '+5511912345678' }),
    ).rejects.toThrow('This CRM has no leads.');
  });

  it('upserts transcripts by key, answers per item, and deletes what it wrote', async () => {
    const crm = new ReferenceCrm('reference-key', { batchRecords: 3 });
    const destination = new ReferenceDestination(new ReferenceMemoryBackend(crm, crm.apiKey));
    const ana = crm.seed({ type: 'contact', name: 'Ana', phones: ['+5511987654321'] });
    const first = await destination.upsertDayTranscripts([
      { write: write(ana.id, 'k1', 'hello'), existing: undefined },
      { write: write('C-missing', 'k2', 'lost'), existing: undefined },
    ]);
    expect(first[0]).toMatchObject({ ok: true });
    expect(first[1]).toMatchObject({ ok: false, error: { kind: 'rejected', code: 'RECORD_NOT_FOUND' } });
    const ref = first[0]?.ok ? first[0].ref : undefined;
    if (!ref) throw new Error('no ref');

    // The same key again (a retry after a lost answer) updates in place.
    const again = await destination.upsertDayTranscripts([
      { write: write(ana.id, 'k1', 'hello again'), existing: undefined, uncertain: true },
    ]);
    expect(again).toEqual([{ ok: true, ref }]);
    expect(crm.transcriptsOf(ana.id)).toEqual([
      expect.objectContaining({
        id: ref.id,
        text: 'WhatsApp 2026-11-20\n\n12:00 Ana: hello again',
        writes: 2,
      }),
    ]);
    // More than the CRM takes per request: split into requests it takes.
    const callsBefore = crm.calls.get('upsertDayTranscripts') ?? 0;
    const many = await destination.upsertDayTranscripts(
      ['a', 'b', 'c', 'd'].map((key) => ({ write: write(ana.id, key, key), existing: undefined })),
    );
    expect(many.map((result) => result.ok)).toEqual([true, true, true, true]);
    expect((crm.calls.get('upsertDayTranscripts') ?? 0) - callsBefore).toBe(2);
    expect(() => crm.request('upsertDayTranscripts', () => undefined, { records: 4 })).toThrow(
      'At most 3 records per request',
    );
    for (const key of ['a', 'b', 'c', 'd']) crm.deleteTranscript(crm.transcript(key)?.id ?? '');

    const upload = {
      transcript: ref,
      record: { type: 'contact' as const, id: ana.id },
      key: 'file-1',
      fileName: 'photo.jpg',
      mimeType: 'image/jpeg',
      sizeBytes: 3,
      description: 'a photo',
      async *open() {
        yield new Uint8Array([1, 2, 3]);
      },
    };
    const file = await destination.uploadAttachment(upload);
    expect(await destination.uploadAttachment(upload)).toEqual(file);
    expect(crm.allAttachments()).toEqual([
      expect.objectContaining({ id: file.id, bytes: Buffer.from([1, 2, 3]) }),
    ]);

    const card = await destination.card({ type: 'contact', id: ana.id });
    expect(card).toMatchObject({
      id: ana.id,
      openDeals: [],
      latestNotes: [{ id: ref.id, title: 'WhatsApp 2026-11-20' }],
    });

    expect(
      await destination.deleteWritten([
        { kind: 'chat_record', id: ref.id },
        { kind: 'file', id: file.id },
        { kind: 'chat_record', id: ref.id },
      ]),
    ).toEqual([
      { ok: true, alreadyGone: false },
      { ok: true, alreadyGone: false },
      { ok: true, alreadyGone: true },
    ]);
    expect(crm.allTranscripts()).toEqual([]);
    expect(crm.allAttachments()).toEqual([]);
  });

  it('without external ids, finds a day again by the marker in its text, only when a write may have been lost', async () => {
    const crm = new ReferenceCrm();
    const destination = new ReferenceDestination(new ReferenceMemoryBackend(crm, crm.apiKey), {
      keys: 'marker',
    });
    const ana = crm.seed({ type: 'contact', name: 'Ana', phones: ['+5511987654321'] });
    const [first] = await destination.upsertDayTranscripts([
      { write: write(ana.id, 'chat1:ana:2026-11-20', 'hello'), existing: undefined },
    ]);
    if (!first?.ok) throw new Error('not written');
    const [stored] = crm.transcriptsOf(ana.id);
    // The CRM holds no key, only the text with the day's marker at its end.
    expect(stored?.key).toBeUndefined();
    expect(stored?.text.endsWith(dayMarker('chat1:ana:2026-11-20'))).toBe(true);

    // The answer was lost: the retry is uncertain, and finds the note by its marker.
    const [recovered] = await destination.upsertDayTranscripts([
      { write: write(ana.id, 'chat1:ana:2026-11-20', 'hello, later'), existing: undefined, uncertain: true },
    ]);
    expect(recovered).toEqual(first);
    // Known from the ledger: updated in place by id.
    const [updated] = await destination.upsertDayTranscripts([
      { write: write(ana.id, 'chat1:ana:2026-11-20', 'hello, later still'), existing: first.ref },
    ]);
    expect(updated).toEqual(first);
    expect(crm.transcriptsOf(ana.id)).toEqual([
      expect.objectContaining({
        id: first.ref.id,
        writes: 3,
        text: expect.stringContaining('hello, later still'),
      }),
    ]);
    // Another day of the same chat is another note.
    const [other] = await destination.upsertDayTranscripts([
      { write: write(ana.id, 'chat1:ana:2026-11-21', 'next day'), existing: undefined, uncertain: true },
    ]);
    expect(other?.ok && other.ref.id).not.toBe(first.ref.id);
    expect(crm.transcriptsOf(ana.id)).toHaveLength(2);
  });

  it('takes a day’s files inline with its transcript where it declares so', async () => {
    const crm = new ReferenceCrm();
    const destination = new ReferenceDestination(new ReferenceMemoryBackend(crm, crm.apiKey), {
      attachments: 'inline',
    });
    expect(destination.capabilities.attachments).toBe('inline');
    const ana = crm.seed({ type: 'contact', name: 'Ana', phones: ['+5511987654321'] });
    const [result] = await destination.upsertDayTranscripts([
      {
        write: {
          ...write(ana.id, 'k1', 'a photo'),
          attachments: [inlinePhoto()],
        },
        existing: undefined,
      },
    ]);
    expect(result).toMatchObject({ ok: true });
    expect(crm.transcriptsOf(ana.id)[0]?.files).toEqual([
      { key: 'media-1:ana', fileName: 'photo.jpg', mimeType: 'image/jpeg', bytes: Buffer.from([1, 2, 3]) },
    ]);
  });

  it('reports the CRM refusing its key as a problem, and splits lookups to the CRM’s limit', async () => {
    const crm = new ReferenceCrm('reference-key', { lookupNumbers: 2 });
    const destination = new ReferenceDestination(new ReferenceMemoryBackend(crm, crm.apiKey));
    crm.failNext({ kind: 'unauthorized' });
    expect(await destination.test()).toEqual(['The API key is not accepted. (INVALID_API_KEY)']);
    expect(await destination.test()).toEqual([]);
    const ana = crm.seed({ type: 'contact', name: 'Ana', phones: ['+5511987654321'] });
    const numbers = [
      '+5511900000001',
      '+5511900000002',
      '+5511987654321',
      '+5511900000003',
      '+5511900000004',
    ];
    const found = await destination.findByPhones(
      numbers.map((phone, i) => ({ key: `k${i}`, phone })),
      context,
    );
    expect([...found].map(([key, records]) => [key, records.map((record) => record.id)])).toEqual([
      ['k0', []],
      ['k1', []],
      ['k2', [ana.id]],
      ['k3', []],
      ['k4', []],
    ]);
    expect(crm.calls.get('findByPhones')).toBe(3);
  });
});
