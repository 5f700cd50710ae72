/**
 * The destination conformance suite: what the sync engine relies on, asked of a destination connected
 * to its CRM's sandbox. Every destination runs it (see `<crm>.conformance.test.ts`); a CRM-specific
 * test file then covers what only that CRM does.
 */
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type AttachmentUpload,
  CrmError,
  type DayTranscriptWrite,
  type Destination,
  type RecordType,
  type TranscriptRef,
} from '../../src/crms/types.js';
import { writtenObjectsOf } from '../../src/crms/written.js';
import { dayContent } from '../support/day-content.js';

/**
 * A failure the CRM is made to answer, named the same for every CRM; each target answers it as its
 * CRM does: `rate-limit`, the CRM's request limit; `unavailable`, the server down for a while;
 * `unauthorized`, the credentials no longer taken; `lost-answer`, a request the CRM carries out in
 * full and whose answer never arrives (the connection closes first).
 */
export type ConformanceFault =
  | { kind: 'rate-limit' | 'unavailable'; retryAfterSeconds?: number }
  | { kind: 'unauthorized' | 'lost-answer' };

type RecordRef = { type: RecordType; id: string };

/** Making the CRM fail, where a test can (a sandbox; not a real CRM). */
export interface ConformanceFaults {
  /**
   * Makes the CRM answer its next API requests (not sign-ins) with `fault`: `times` requests
   * (default 1), after `after` more (default 0) are answered as usual. Queued faults apply in order.
   */
  failNext(fault: ConformanceFault, options?: { after?: number; times?: number }): Promise<void>;
  /** Forgets queued faults. */
  clear(): Promise<void>;
  /**
   * Whether the CRM sends Retry-After with a rate limit or an outage (the fault's
   * `retryAfterSeconds`); Salesforce sends none.
   */
  sendsRetryAfter: boolean;
}

/**
 * What the suite needs of a CRM besides the destination: seeding and reading records as a CRM user
 * would, and making the CRM fail. This is what a new CRM implements to run the suite; a real CRM
 * (the live suite) leaves out what it cannot do, and the cases that need it are skipped.
 */
export interface ConformanceTarget {
  /** A destination signed in to the sandbox, which is set up for wasync and empty. */
  destination: Destination;
  /** Puts a record into the sandbox the way a CRM user would, the phone spelled as given. */
  seed(type: RecordType, fields: { firstName?: string; lastName: string; phone: string }): Promise<string>;
  /** Deletes a record the way a CRM user would. */
  deleteRecord(record: RecordRef): Promise<void>;
  /** Converts a lead the way a CRM user would (the CRM may make a contact of it). */
  convertLead?: (id: string) => Promise<void>;
  /** The transcript texts the CRM holds for a record, one per stored chat-day. */
  transcriptsOn(record: RecordRef): Promise<string[]>;
  /**
   * What the CRM holds for a record beyond one copy of each chat-day, one line each (a second note
   * for a day, a note on the record but on no day): empty when each day was written once. A CRM that
   * keeps exactly one object per key answers empty, and transcriptsOn shows its days.
   */
  duplicatesOn(record: RecordRef): Promise<string[]>;
  /** Names of the files stored beside a record's transcripts. */
  filesOn(record: RecordRef): Promise<string[]>;
  faults?: ConformanceFaults;
}

/** The error a promise rejects with; fails the test when it resolves. */
async function failureOf(promise: Promise<unknown>): Promise<CrmError> {
  const error = await promise.then(
    () => {
      throw new Error('the call succeeded, but was expected to fail');
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(CrmError);
  return error as CrmError;
}

/** Consecutive days from a date, as YYYY-MM-DD. */
function daysFrom(first: string, count: number): string[] {
  const start = Date.parse(`${first}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
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

    const seedPeople = async () => ({
      ana: {
        type: 'contact' as const,
        id: await target.seed('contact', { lastName: 'Ana', phone: '+5511987654321' }),
      },
      bruno: {
        type: 'lead' as const,
        id: await target.seed('lead', { lastName: 'Bruno', phone: '+5521998765432' }),
      },
    });

    const refOf = (result: { ok: true; ref: TranscriptRef } | { ok: false; error: CrmError } | undefined) => {
      if (!result?.ok) throw new Error(`a transcript was not written: ${result?.error.message}`);
      return result.ref;
    };

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
      // As an erasure lists them: the file, and what each day's ref names.
      const objects = [
        { kind: 'file' as const, id: file.id },
        ...refs.flatMap((ref) => writtenObjectsOf(ref)),
      ];
      const first = await destination.deleteWritten(objects);
      expect(first).toHaveLength(objects.length);
      expect(first.every((r) => r.ok && !r.alreadyGone)).toBe(true);
      expect(await target.transcriptsOn(ana)).toEqual([]);
      expect(await target.transcriptsOn(bruno)).toEqual([]);
      const again = await destination.deleteWritten(objects);
      expect(again.every((r) => r.ok && r.alreadyGone)).toBe(true);
    });

    it('says what to do when the CRM limits, fails or no longer takes the credentials', async (test) => {
      if (!target.faults) return test.skip();
      const faults = target.faults;
      const lookup = () =>
        destination.findByPhones([{ key: 'jonas', phone: '+4915123456789' }], { defaultRegion: undefined });
      // Limits and outages that last: a destination may try a read again a few times first.
      await faults.failNext({ kind: 'rate-limit', retryAfterSeconds: 7 }, { times: 5 });
      const limited = await failureOf(lookup());
      await faults.clear();
      expect(limited).toMatchObject({ kind: 'retryable', outcomeUnknown: false });
      if (faults.sendsRetryAfter) expect(limited.retryAfterMs).toBe(7000);

      await faults.failNext({ kind: 'unavailable', retryAfterSeconds: 3 }, { times: 5 });
      const down = await failureOf(lookup());
      await faults.clear();
      expect(down).toMatchObject({ kind: 'retryable', outcomeUnknown: false });
      if (faults.sendsRetryAfter) expect(down.retryAfterMs).toBe(3000);

      // A write the CRM failed on may have been done before it failed: the error says so, unless the
      // failure came before anything was written (a destination may read before it writes).
      const { ana } = await seedPeople();
      let failures = 0;
      for (let after = 0; after < 4; after++) {
        const before = (await target.transcriptsOn(ana)).length;
        await faults.failNext({ kind: 'unavailable' }, { after });
        const outcome = await destination
          .upsertDayTranscripts([{ write: day(ana, `conf:down:ana:${after}`, 'down'), existing: undefined }])
          .then(([item]) => (item?.ok ? undefined : item?.error))
          .catch((error: unknown) => error);
        await faults.clear();
        // A write of fewer requests than `after` went through whole.
        if (outcome === undefined) continue;
        failures++;
        expect(outcome).toBeInstanceOf(CrmError);
        const error = outcome as CrmError;
        expect(error.kind).toBe('retryable');
        if (!error.outcomeUnknown)
          expect(
            (await target.transcriptsOn(ana)).length,
            `failed at request ${after + 1}: nothing written`,
          ).toBe(before);
      }
      expect(failures).toBeGreaterThan(0);

      // Refused credentials stay refused however often the destination signs in again: a person acts.
      await faults.failNext({ kind: 'unauthorized' }, { times: 5 });
      expect(await failureOf(lookup())).toMatchObject({ kind: 'park' });
      await faults.clear();
      expect((await lookup()).get('jonas')).toEqual([]);
    });

    it('answers a refused item in its place and writes the rest of its batch', async () => {
      const { ana, bruno } = await seedPeople();
      const gone = {
        type: 'contact' as const,
        id: await target.seed('contact', { lastName: 'Gone', phone: '+5511912345678' }),
      };
      await target.deleteRecord(gone);
      const results = await destination.upsertDayTranscripts(
        [
          day(ana, 'conf:refused:ana', 'kept'),
          day(gone, 'conf:refused:gone', 'refused'),
          day(bruno, 'conf:refused:bruno', 'kept too'),
        ].map((write) => ({ write, existing: undefined })),
      );
      expect(results.map((result) => result.ok)).toEqual([true, false, true]);
      const refused = results[1];
      expect(refused?.ok === false && refused.error).toBeInstanceOf(CrmError);
      expect(refused).toMatchObject({ ok: false, error: { kind: 'rejected' } });
      expect(await target.transcriptsOn(ana)).toEqual([expect.stringContaining('kept')]);
      expect(await target.transcriptsOn(bruno)).toEqual([expect.stringContaining('kept too')]);
      expect(await target.duplicatesOn(ana)).toEqual([]);
    });

    it('recovers after a lost answer, whichever request lost it, without writing a day twice', async (test) => {
      if (!target.faults) return test.skip();
      const faults = target.faults;
      const { ana, bruno } = await seedPeople();
      const dates = daysFrom('2026-10-01', 10);
      let lostAnswers = 0;
      // The answer of the first request of the write is lost, then of the second, and so on, past the
      // requests a write needs (a lost read may be tried again by the destination and not show).
      for (const [after, date] of dates.entries()) {
        const writes = [
          day(ana, `conf:lost:ana:${date}`, `lost ${after}`, date),
          day(bruno, `conf:lost:bruno:${date}`, `lost ${after}`, date),
        ];
        await faults.failNext({ kind: 'lost-answer' }, { after });
        const outcome = await destination
          .upsertDayTranscripts(writes.map((write) => ({ write, existing: undefined })))
          .then(
            (results) => ({ results }),
            (error: unknown) => ({ error }),
          );
        await faults.clear();
        if ('results' in outcome) {
          expect(outcome.results.map((result) => result.ok)).toEqual([true, true]);
          continue;
        }
        lostAnswers++;
        expect(outcome.error).toBeInstanceOf(CrmError);
        expect(outcome.error).toMatchObject({ kind: 'retryable', outcomeUnknown: true });
        const retried = await destination.upsertDayTranscripts(
          writes.map((write) => ({ write, existing: undefined, uncertain: true })),
        );
        expect(retried.map((result) => result.ok)).toEqual([true, true]);
      }
      expect(lostAnswers).toBeGreaterThanOrEqual(1);
      expect(lostAnswers).toBeLessThan(dates.length);
      for (const record of [ana, bruno]) {
        expect(await target.transcriptsOn(record)).toHaveLength(dates.length);
        expect(await target.duplicatesOn(record)).toEqual([]);
      }
    });

    it('writes a batch larger than one call takes, answering every item in order', async () => {
      const { ana, bruno } = await seedPeople();
      const count = 2 * destination.capabilities.maxBatchRecords + 1;
      const dates = daysFrom('2025-01-01', count);
      const writes = dates.map((date, i) =>
        i % 2 === 0
          ? day(ana, `conf:large:ana:${date}`, `day ${i}`, date)
          : day(bruno, `conf:large:bruno:${date}`, `day ${i}`, date),
      );
      const results = await destination.upsertDayTranscripts(
        writes.map((write) => ({ write, existing: undefined })),
      );
      const refs = results.map(refOf);
      expect(new Set(refs.map((ref) => ref.id)).size).toBe(count);
      expect(await target.transcriptsOn(ana)).toHaveLength(Math.ceil(count / 2));
      expect(await target.transcriptsOn(bruno)).toHaveLength(Math.floor(count / 2));
      expect(await target.duplicatesOn(ana)).toEqual([]);
      // In order: written again by key, each answers with its own ref.
      const again = await destination.upsertDayTranscripts(
        writes.map((write, i) => ({ write, existing: refs[i] })),
      );
      expect(again.map(refOf).map((ref) => ref.id)).toEqual(refs.map((ref) => ref.id));
    });

    it('answers every key of a lookup larger than one call takes', async () => {
      const numbers = Array.from({ length: 150 }, (_, i) => ({
        key: `n${i}`,
        phone: `+4915120${String(i * 37).padStart(6, '0')}`,
      }));
      const expected = new Map<string, string[]>();
      for (const [i, { key, phone }] of numbers.entries()) {
        if (i % 3 !== 0) {
          expected.set(key, []);
          continue;
        }
        // Spelled as a CRM's own forms format it, international or national (German, with the region).
        const number = parsePhoneNumberWithError(phone);
        const spelled = i % 2 === 0 ? number.formatInternational() : number.formatNational();
        expected.set(key, [await target.seed('contact', { lastName: `Number ${i}`, phone: spelled })]);
      }
      const found = await destination.findByPhones(numbers, { defaultRegion: 'DE' });
      expect(new Map([...found].map(([key, records]) => [key, records.map((r) => r.id)]))).toEqual(expected);
    });

    it('never finds a converted lead', async (test) => {
      if (!target.convertLead) return test.skip();
      const convertLead = target.convertLead;
      const phone = '+5521987650001';
      const lead = await target.seed('lead', { lastName: 'Converted', phone });
      const lookup = async () =>
        (await destination.findByPhones([{ key: 'lead', phone }], { defaultRegion: undefined })).get('lead');
      expect((await lookup())?.map((record) => record.id)).toEqual([lead]);
      await convertLead(lead);
      const after = await lookup();
      expect(after?.filter((record) => record.type === 'lead')).toEqual([]);
      expect(after?.map((record) => record.id)).not.toContain(lead);
      expect(
        (await destination.search('Converted', { defaultRegion: undefined })).map((r) => r.id),
      ).not.toContain(lead);
    });

    it('refuses a file over its size limit before sending it, and stores nothing', async () => {
      const { ana } = await seedPeople();
      const [written] = await destination.upsertDayTranscripts([
        { write: day(ana, 'conf:big-file:ana', 'a big file'), existing: undefined },
      ]);
      const sizeBytes = destination.capabilities.maxAttachmentBytes + 1;
      let read = 0;
      const upload: AttachmentUpload = {
        transcript: refOf(written),
        record: ana,
        key: 'conf:big-media:ana',
        fileName: 'too-big.mp4',
        mimeType: 'video/mp4',
        sizeBytes,
        description: 'WhatsApp, from Ana',
        // The bytes are made as they are read, so a destination that sends them costs no memory.
        async *open() {
          const block = new Uint8Array(1024 * 1024);
          for (let sent = 0; sent < sizeBytes; sent += block.length) {
            const part = block.subarray(0, Math.min(block.length, sizeBytes - sent));
            read += part.length;
            yield part;
          }
        },
      };
      expect(await failureOf(destination.uploadAttachment(upload))).toMatchObject({
        kind: 'rejected',
        code: 'FILE_TOO_LARGE',
      });
      expect(read).toBeLessThan(sizeBytes);
      expect(await target.filesOn(ana)).toEqual([]);
    });
  });
}
