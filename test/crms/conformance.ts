/**
 * The destination conformance suite: what the sync engine relies on, asked of a destination connected
 * to its CRM's sandbox. Every destination runs it (see `<crm>.conformance.test.ts`); a CRM-specific
 * test file then covers what only that CRM does.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { DayTranscriptWrite, Destination, RecordType } from '../../src/crms/types.js';
import { dayContent } from '../support/day-content.js';

export interface ConformanceTarget {
  /** A destination signed in to the sandbox, which is set up for wasync and empty. */
  destination: Destination;
  /** Puts a record into the sandbox the way a CRM user would, the phone spelled as given. */
  seed(type: RecordType, fields: { firstName?: string; lastName: string; phone: string }): Promise<string>;
  /** The transcript texts the CRM holds for a record, one per stored chat-day. */
  transcriptsOn(record: { type: RecordType; id: string }): Promise<string[]>;
  /** Names of the files stored beside a record's transcripts. */
  filesOn(record: { type: RecordType; id: string }): Promise<string[]>;
}

export function describeDestinationConformance(name: string, fresh: () => Promise<ConformanceTarget>): void {
  describe(`${name} destination conformance`, () => {
    let target: ConformanceTarget;
    let destination: Destination;
    beforeEach(async () => {
      target = await fresh();
      destination = target.destination;
    });

    const day = (
      record: { type: RecordType; id: string },
      key: string,
      text: string,
      date = '2026-11-20',
    ): DayTranscriptWrite => ({
      record,
      key,
      day: date,
      chat: { kind: 'direct', title: undefined },
      content: dayContent(`WhatsApp chat with Ana — ${date}`, ['09:00', 'Ana', text]),
      messageCount: 1,
      firstMessageAt: new Date(`${date}T12:00:00Z`),
      lastMessageAt: new Date(`${date}T12:00:00Z`),
      attachments: [],
    });

    it('declares its capabilities', () => {
      const { capabilities } = destination;
      expect(capabilities.maxBatchRecords).toBeGreaterThanOrEqual(1);
      expect(capabilities.maxAttachmentBytes).toBeGreaterThan(0);
      expect(typeof capabilities.leads).toBe('boolean');
      expect(typeof capabilities.updatableTranscripts).toBe('boolean');
    });

    it('reports no problem when connected and set up', async () => {
      expect(await destination.test()).toEqual([]);
    });

    it('finds records by any spelling of a number, not one digit off, contacts first, and answers every key', async () => {
      const contact = await target.seed('contact', {
        firstName: 'Ana',
        lastName: 'Souza',
        phone: '(11) 98765-4321',
      });
      const lead = await target.seed('lead', { lastName: 'Souza', phone: '+55 11 98765-4321' });
      await target.seed('contact', { lastName: 'Near', phone: '(11) 98765-4322' });
      const found = await destination.findByPhones(
        [
          { key: 'ana', phone: '+5511987654321' },
          { key: 'nobody', phone: '+4915123456789' },
        ],
        { defaultRegion: 'BR' },
      );
      expect(found.get('ana')?.map((r) => [r.type, r.id])).toEqual([
        ['contact', contact],
        ['lead', lead],
      ]);
      expect(found.get('nobody')).toEqual([]);
    });

    it('creates a contact and a lead that a lookup then finds, and reads their cards', async () => {
      const contact = await destination.createRecord({
        type: 'contact',
        name: 'Jonas Weber',
        phone: '+4915123456789',
      });
      const lead = await destination.createRecord({
        type: 'lead',
        name: 'Maria Silva',
        phone: '+5521987650000',
      });
      expect(contact).toMatchObject({ type: 'contact', name: 'Jonas Weber' });
      expect(contact.url).toMatch(/^https?:\/\//);
      const found = await destination.findByPhones(
        [
          { key: 'jonas', phone: '+4915123456789' },
          { key: 'maria', phone: '+5521987650000' },
        ],
        { defaultRegion: undefined },
      );
      expect(found.get('jonas')?.map((r) => r.id)).toEqual([contact.id]);
      expect(found.get('maria')?.map((r) => r.id)).toEqual([lead.id]);
      const card = await destination.card({ type: 'lead', id: lead.id });
      expect(card).toMatchObject({ type: 'lead', id: lead.id, name: 'Maria Silva' });
      expect(card.phones.join(' ')).toContain('5521987650000');
      expect(Array.isArray(card.openDeals) && Array.isArray(card.latestNotes)).toBe(true);
      expect((await destination.search('Jonas', { defaultRegion: undefined })).map((r) => r.id)).toContain(
        contact.id,
      );
      // A number typed into "Link existing record" goes through the same lookup, national spellings too.
      expect((await destination.search('01512 3456789', { defaultRegion: 'DE' })).map((r) => r.id)).toEqual([
        contact.id,
      ]);
    });

    it('writes a batch of day transcripts, answering per item in order, and updates them in place by key', async () => {
      const ana = {
        type: 'contact' as const,
        id: await target.seed('contact', { lastName: 'Ana', phone: '+5511987654321' }),
      };
      const bruno = {
        type: 'lead' as const,
        id: await target.seed('lead', { lastName: 'Bruno', phone: '+5521998765432' }),
      };
      const writes = [
        day(ana, 'conf:chat1:ana:2026-11-20', 'first day'),
        day(ana, 'conf:chat1:ana:2026-11-21', 'second day', '2026-11-21'),
        day(bruno, 'conf:chat2:bruno:2026-11-20', 'lead day'),
      ];
      const first = await destination.upsertDayTranscripts(
        writes.map((write) => ({ write, existing: undefined })),
      );
      expect(first.map((r) => r.ok)).toEqual([true, true, true]);

      const updated = writes.map((write, i) => ({
        write: {
          ...write,
          content: {
            ...write.content,
            blocks: write.content.blocks.map((block) => ({
              ...block,
              lines: [[`${block.lines[0]?.[0]} & later`]],
            })),
          },
          messageCount: 2,
        },
        existing: first[i]?.ok ? first[i].ref : undefined,
      }));
      const second = await destination.upsertDayTranscripts(updated);
      expect(second).toEqual(first);
      // As after a crash that lost the answers: written again without refs, still in place.
      const third = await destination.upsertDayTranscripts(
        updated.map(({ write }) => ({ write, existing: undefined, uncertain: true })),
      );
      expect(third.map((r) => (r.ok ? r.ref.id : undefined))).toEqual(
        first.map((r) => (r.ok ? r.ref.id : undefined)),
      );

      const onAna = await target.transcriptsOn(ana);
      expect(onAna).toHaveLength(2);
      expect(onAna.join('\n')).toContain('first day & later');
      expect(onAna.join('\n')).not.toMatch(/first day(?! & later)/);
      expect(await target.transcriptsOn(bruno)).toHaveLength(1);
    });

    it('uploads a file beside a transcript once per key', async () => {
      const ana = {
        type: 'contact' as const,
        id: await target.seed('contact', { lastName: 'Ana', phone: '+5511987654321' }),
      };
      const [written] = await destination.upsertDayTranscripts([
        { write: day(ana, 'conf:files:ana:2026-11-20', 'a file'), existing: undefined },
      ]);
      if (!written?.ok) throw new Error('the transcript was not written');
      const upload = {
        transcript: written.ref,
        record: ana,
        key: 'conf:media1:ana',
        fileName: 'quote.pdf',
        mimeType: 'application/pdf',
        sizeBytes: 9,
        description: 'WhatsApp, from Ana',
        async *open() {
          yield new TextEncoder().encode('%PDF-1.4 ');
        },
      };
      const first = await destination.uploadAttachment(upload);
      expect(await destination.uploadAttachment(upload)).toEqual(first);
      expect(await target.filesOn(ana)).toEqual(['quote.pdf']);
    });

    it('deletes what it wrote, more than one batch of it, answering per object; gone ones count as gone', async () => {
      const ana = {
        type: 'contact' as const,
        id: await target.seed('contact', { lastName: 'Ana', phone: '+5511987654321' }),
      };
      const bruno = {
        type: 'lead' as const,
        id: await target.seed('lead', { lastName: 'Bruno', phone: '+5521998765432' }),
      };
      const dates = Array.from({ length: 205 }, (_, i) =>
        new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
      );
      const written = await destination.upsertDayTranscripts([
        { write: day(ana, 'conf:erase:ana:2026-11-20', 'to erase'), existing: undefined },
        ...dates.map((date) => ({
          write: day(bruno, `conf:erase:bruno:${date}`, 'lead day', date),
          existing: undefined,
        })),
      ]);
      const refs = written.map((r) => {
        if (!r.ok) throw new Error('a transcript was not written');
        return r.ref;
      });
      const [anaRef] = refs;
      if (!anaRef) throw new Error('no transcript for Ana');
      const file = await destination.uploadAttachment({
        transcript: anaRef,
        record: ana,
        key: 'conf:erase-media:ana',
        fileName: 'erase-me.pdf',
        mimeType: 'application/pdf',
        sizeBytes: 9,
        description: 'WhatsApp, from Ana',
        async *open() {
          yield new TextEncoder().encode('%PDF-1.4 ');
        },
      });
      const objects = [
        { kind: 'file' as const, id: file.id },
        ...Object.values(anaRef.related).map((id) => ({ kind: 'note' as const, id })),
        ...refs.map((ref) => ({ kind: 'chat_record' as const, id: ref.id })),
      ];
      const first = await destination.deleteWritten(objects);
      expect(first).toHaveLength(objects.length);
      expect(first.every((r) => r.ok && !r.alreadyGone)).toBe(true);
      expect(await target.transcriptsOn(ana)).toEqual([]);
      expect(await target.transcriptsOn(bruno)).toEqual([]);
      const again = await destination.deleteWritten(objects);
      expect(again.every((r) => r.ok && r.alreadyGone)).toBe(true);
    });
  });
}
