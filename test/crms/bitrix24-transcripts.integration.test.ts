import { afterEach, describe, expect, it } from 'vitest';
import { diskName } from '../../src/crms/bitrix24/disk.js';
import { INLINE_FILE_BYTES } from '../../src/crms/bitrix24/files.js';
import { dayMarker } from '../../src/crms/kit/day-marker.js';
import type {
  DayTranscriptWrite,
  InlineAttachment,
  TranscriptRef,
  TranscriptResult,
} from '../../src/crms/types.js';
import { writtenObjectsOf } from '../../src/crms/written.js';
import { startTestBitrix24, type TestBitrix24 } from '../support/bitrix24-portal.js';
import { contactDay, dayContent, inlinePhoto } from '../support/day-content.js';

let b24: TestBitrix24;
afterEach(async () => b24?.close());

const requestsOf = async (method: string) =>
  ((await b24.counters()).byRoute as Record<string, number> | undefined)?.[method] ?? 0;

/** Ana's day on a contact with `count` messages, one a minute from 09:00. */
function growingDay(contactId: number, count: number, key = 'chat-1:day'): DayTranscriptWrite {
  const messages = Array.from(
    { length: count },
    (_, i) => [`09:${String(i).padStart(2, '0')}`, 'Ana', `message ${i + 1}`] as [string, string, string],
  );
  return {
    ...contactDay(String(contactId), key, 'unused'),
    content: dayContent('WhatsApp chat with Ana — 2026-11-20', ...messages),
    messageCount: count,
  };
}

function file(key: string, fileName: string, bytes: Buffer): InlineAttachment {
  return {
    key,
    fileName,
    mimeType: 'application/octet-stream',
    sizeBytes: bytes.length,
    senderName: 'Ana',
    time: '10:30',
    async *open() {
      yield bytes;
    },
  };
}

function refOf(result: TranscriptResult | undefined): TranscriptRef {
  if (!result?.ok) throw new Error(`not written: ${result?.ok === false ? result.error.message : 'none'}`);
  return result.ref;
}

describe('Bitrix24 day transcripts over the sandbox', () => {
  it('writes one comment a chat-day on the contact and updates it in place as the day grows', async () => {
    b24 = await startTestBitrix24();
    const destination = await b24.destination();
    const contact = b24.portal.seedContact({ name: 'Ana', phones: ['+5511987654321'] });
    let ref: TranscriptRef | undefined;
    for (const count of [1, 2, 3]) {
      const [result] = await destination.upsertDayTranscripts([
        { write: growingDay(contact.id, count), existing: ref },
      ]);
      ref = refOf(result);
    }
    const comments = b24.portal.inspectComments('contact', contact.id);
    expect(comments).toHaveLength(1);
    expect(String(comments[0]?.id)).toBe(ref?.id);
    const lines = comments[0]?.comment.split('\n') ?? [];
    expect(lines[0]).toBe('[B]WhatsApp chat with Ana — 2026-11-20[/B]');
    expect(lines).toContain('09:02 [B]Ana[/B]: message 3');
    expect(lines.at(-1)).toBe(dayMarker('chat-1:day'));
    expect(await requestsOf('crm.timeline.comment.add')).toBe(1);
    expect(await requestsOf('crm.timeline.comment.update')).toBe(2);
  });

  it('writes a lead’s day on the lead’s timeline', async () => {
    b24 = await startTestBitrix24();
    const destination = await b24.destination();
    const lead = b24.portal.seedLead({ name: 'Bruno' });
    const write: DayTranscriptWrite = {
      ...growingDay(lead.id, 1),
      record: { type: 'lead', id: String(lead.id) },
    };
    const [result] = await destination.upsertDayTranscripts([{ write, existing: undefined }]);
    expect(b24.portal.inspectComments('lead', lead.id).map((c) => String(c.id))).toEqual([refOf(result).id]);
  });

  it('finds the comment of an add whose answer was lost, and writes no second one', async () => {
    b24 = await startTestBitrix24();
    const destination = await b24.destination();
    const contact = b24.portal.seedContact({ name: 'Ana' });
    await b24.inspect('POST', 'faults', { kind: 'lost-answer' });
    const lost = await destination
      .upsertDayTranscripts([{ write: growingDay(contact.id, 1), existing: undefined }])
      .catch((error) => error);
    expect(lost).toMatchObject({ kind: 'retryable', outcomeUnknown: true });
    expect(b24.portal.inspectComments('contact', contact.id)).toHaveLength(1);

    const [result] = await destination.upsertDayTranscripts([
      { write: growingDay(contact.id, 2), existing: undefined, uncertain: true },
    ]);
    const comments = b24.portal.inspectComments('contact', contact.id);
    expect(comments).toHaveLength(1);
    expect(refOf(result).id).toBe(String(comments[0]?.id));
    expect(comments[0]?.comment).toContain('message 2');
  });

  it('looks for the comments of a lost batch in one batch request, reading on past a record’s newest 50', async () => {
    b24 = await startTestBitrix24();
    const destination = await b24.destination();
    const ana = b24.portal.seedContact({ name: 'Ana' });
    const bruno = b24.portal.seedContact({ name: 'Bruno' });
    const writes = (count: number) => [
      growingDay(ana.id, count, 'chat-1:day'),
      growingDay(bruno.id, count, 'chat-2:day'),
    ];
    await b24.inspect('POST', 'faults', { kind: 'lost-answer' });
    const lost = await destination
      .upsertDayTranscripts(writes(1).map((write) => ({ write, existing: undefined })))
      .catch((error) => error);
    expect(lost).toMatchObject({ kind: 'retryable', outcomeUnknown: true });
    // People comment on Ana's page meanwhile: the day's comment is no longer among her newest 50.
    for (let i = 0; i < 60; i++) {
      const id = b24.portal.nextId('comment');
      b24.portal.comments.set(id, {
        id,
        entityType: 'contact',
        entityId: ana.id,
        comment: `note ${i}`,
        authorId: 1,
        createdAt: 0,
        fileIds: [],
      });
    }
    const batchesBefore = await requestsOf('batch');
    const listsBefore = await requestsOf('crm.timeline.comment.list');

    const results = await destination.upsertDayTranscripts(
      writes(2).map((write) => ({ write, existing: undefined, uncertain: true })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    // The lookups in one batch, Ana's second page on its own, the updates in one batch.
    expect(await requestsOf('batch')).toBe(batchesBefore + 2);
    expect(await requestsOf('crm.timeline.comment.list')).toBe(listsBefore + 1);
    for (const person of [ana, bruno]) {
      const days = b24.portal
        .inspectComments('contact', person.id)
        .filter((c) => c.comment.includes('wasync:'));
      expect(days).toHaveLength(1);
      expect(days[0]?.comment).toContain('message 2');
    }
  });

  it('writes a comment a person deleted anew', async () => {
    b24 = await startTestBitrix24();
    const destination = await b24.destination();
    const contact = b24.portal.seedContact({ name: 'Ana' });
    const [first] = await destination.upsertDayTranscripts([
      { write: growingDay(contact.id, 1), existing: undefined },
    ]);
    const ref = refOf(first);
    b24.portal.comments.delete(Number(ref.id));
    const [again] = await destination.upsertDayTranscripts([
      { write: growingDay(contact.id, 2), existing: ref },
    ]);
    const comments = b24.portal.inspectComments('contact', contact.id);
    expect(comments).toHaveLength(1);
    expect(refOf(again).id).toBe(String(comments[0]?.id));
    expect(refOf(again).id).not.toBe(ref.id);
    expect(comments[0]?.comment).toContain('message 2');
  });

  it('puts the day’s files on the comment, sending them again only when one is new', async () => {
    b24 = await startTestBitrix24();
    const destination = await b24.destination();
    const contact = b24.portal.seedContact({ name: 'Ana' });
    const photo = inlinePhoto();
    const quote = file('media-2:ana', 'quote.pdf', Buffer.from('a quote'));
    const day = (count: number, attachments: InlineAttachment[]) => ({
      ...growingDay(contact.id, count),
      attachments,
    });
    const [first] = await destination.upsertDayTranscripts([{ write: day(1, [photo]), existing: undefined }]);
    const filesOf = () => b24.portal.inspectComments('contact', contact.id)[0]?.files ?? [];
    const [photoOnComment] = filesOf();
    expect(photoOnComment).toMatchObject({ name: 'photo.jpg', size: 3 });
    expect([...(photoOnComment?.content ?? [])]).toEqual([1, 2, 3]);
    const text = b24.portal.inspectComments('contact', contact.id)[0]?.comment ?? '';
    expect(text).toContain('📎 photo.jpg (from Ana, 2026-11-20 10:00, 3 B): attached to this comment');

    // More messages, no new file: the file stays as it was, not uploaded again.
    const [second] = await destination.upsertDayTranscripts([
      { write: day(2, [photo]), existing: refOf(first) },
    ]);
    expect(filesOf().map((f) => f.id)).toEqual([photoOnComment?.id]);

    // A new file: the comment carries both (an update with FILES replaces the earlier ones).
    await destination.upsertDayTranscripts([{ write: day(3, [photo, quote]), existing: refOf(second) }]);
    expect(filesOf().map((f) => [f.name, f.size])).toEqual([
      ['photo.jpg', 3],
      ['quote.pdf', 7],
    ]);
    expect(b24.portal.inspectComments('contact', contact.id)).toHaveLength(1);
  });

  it('uploads a file past the inline limit to Disk once and links it; names a refused file with why', async () => {
    b24 = await startTestBitrix24();
    const destination = await b24.destination();
    const contact = b24.portal.seedContact({ name: 'Ana' });
    const video = file('media-3:ana', 'video.mp4', Buffer.alloc(INLINE_FILE_BYTES + 1, 7));
    const day = (count: number): DayTranscriptWrite => ({
      ...growingDay(contact.id, count),
      attachments: [video],
      refusedAttachments: [
        {
          fileName: 'film.mov',
          sizeBytes: 300 * 1024 * 1024,
          senderName: 'Ana',
          time: '11:00',
          reason: 'too_large',
        },
      ],
    });
    const [first] = await destination.upsertDayTranscripts([{ write: day(1), existing: undefined }]);
    const [onDisk] = b24.portal.inspectDiskFiles();
    expect(b24.portal.inspectDiskFiles()).toHaveLength(1);
    // In wasync's folder on the shared drive, under a name that carries the file's key.
    expect(onDisk).toMatchObject({ name: diskName('video.mp4', 'media-3:ana') });
    expect(onDisk?.name).toMatch(/^video \(wasync [0-9a-f]{8}\)\.mp4$/);
    const folder = b24.portal.folders.get(onDisk?.folderId ?? 0);
    expect(folder?.name).toBe('wasync');
    expect(b24.portal.folders.get(folder?.parentId ?? 0)?.parentId).toBeNull();
    expect(onDisk?.content.length).toBe(INLINE_FILE_BYTES + 1);
    expect(refOf(first).related[`file:media-3:ana`]).toBe(String(onDisk?.id));

    const [second] = await destination.upsertDayTranscripts([{ write: day(2), existing: refOf(first) }]);
    expect(b24.portal.inspectDiskFiles()).toHaveLength(1);
    expect(await requestsOf('disk.folder.uploadfile')).toBe(1);
    const [comment] = b24.portal.inspectComments('contact', contact.id);
    expect(comment?.files).toEqual([]);
    expect(comment?.comment).toContain(
      `📎 video.mp4 (from Ana, 2026-11-20 10:30, 5.0 MB): [URL=${b24.portal.showUrl(onDisk as never)}]open on Drive[/URL]`,
    );
    expect(comment?.comment).toContain(
      '📎 film.mov (from Ana, 2026-11-20 11:00, 300.0 MB): larger than the 100.0 MB wasync puts on Bitrix24 per file',
    );
    expect(comment?.comment).toContain('message 2');
    expect(refOf(second).related).toEqual(refOf(first).related);
  });

  it('takes a Disk file whose upload answer was lost as it is, and looks the folder up once', async () => {
    b24 = await startTestBitrix24();
    const destination = await b24.destination();
    const contact = b24.portal.seedContact({ name: 'Ana' });
    const video = file('media-3:ana', 'video.mp4', Buffer.alloc(INLINE_FILE_BYTES + 1, 7));
    const write = { ...growingDay(contact.id, 1), attachments: [video] };
    // getlist, the root's children, addfolder, the folder's children, the upload URL: the answer of
    // the file's POST to it is lost.
    await b24.inspect('POST', 'faults', { kind: 'lost-answer', after: 5 });
    const lost = await destination
      .upsertDayTranscripts([{ write, existing: undefined }])
      .catch((error) => error);
    expect(lost).toMatchObject({ kind: 'retryable', outcomeUnknown: true });
    expect(b24.portal.inspectDiskFiles()).toHaveLength(1);

    const [result] = await destination.upsertDayTranscripts([
      { write, existing: undefined, uncertain: true },
    ]);
    const [onDisk] = b24.portal.inspectDiskFiles();
    expect(b24.portal.inspectDiskFiles()).toHaveLength(1);
    expect(refOf(result).related['file:media-3:ana']).toBe(String(onDisk?.id));
    expect(await requestsOf('disk.folder.uploadfile')).toBe(1);
    expect(await requestsOf('upload')).toBe(1);
    expect(await requestsOf('disk.storage.addfolder')).toBe(1);
    expect(await requestsOf('disk.storage.getlist')).toBe(1);
    expect(b24.portal.inspectComments('contact', contact.id)).toHaveLength(1);
  });

  it('makes wasync’s Disk folder again when a person deleted it', async () => {
    b24 = await startTestBitrix24();
    const destination = await b24.destination();
    const contact = b24.portal.seedContact({ name: 'Ana' });
    const large = (key: string) => file(key, `${key}.mp4`, Buffer.alloc(INLINE_FILE_BYTES + 1, 1));
    const dayWith = (key: string) => ({
      ...growingDay(contact.id, 1, `chat-1:${key}`),
      attachments: [large(key)],
    });
    await destination.upsertDayTranscripts([{ write: dayWith('v1'), existing: undefined }]);
    const [first] = b24.portal.inspectDiskFiles();
    b24.portal.folders.delete(first?.folderId ?? 0);
    b24.portal.files.delete(first?.id ?? 0);

    const [result] = await destination.upsertDayTranscripts([{ write: dayWith('v2'), existing: undefined }]);
    expect(result?.ok).toBe(true);
    const [second] = b24.portal.inspectDiskFiles();
    expect(b24.portal.folders.get(second?.folderId ?? 0)?.name).toBe('wasync');
    expect(second?.folderId).not.toBe(first?.folderId);
    expect(await requestsOf('disk.storage.addfolder')).toBe(2);
  });

  it('sends file-less days 50 to a batch request, and refuses a day on a deleted contact only', async () => {
    b24 = await startTestBitrix24();
    const destination = await b24.destination();
    const contacts = Array.from({ length: 60 }, (_, i) => b24.portal.seedContact({ name: `P${i}` }));
    const writes = contacts.map((c, i) => growingDay(c.id, 1, `chat-${i}:day`));
    writes[17] = { ...(writes[17] as DayTranscriptWrite), record: { type: 'contact', id: '999999' } };
    const results = await destination.upsertDayTranscripts(
      writes.map((write) => ({ write, existing: undefined })),
    );
    expect(await requestsOf('batch')).toBe(2);
    expect(results.filter((r) => r.ok)).toHaveLength(59);
    expect(results[17]).toMatchObject({ ok: false, error: { kind: 'rejected', code: 'OWNER_NOT_FOUND' } });
    expect(b24.portal.inspectComments('contact', contacts[18]?.id ?? 0)).toHaveLength(1);

    // The same days updated: again two batch requests, every comment in place.
    const updates = results.flatMap((result, i) =>
      result.ok
        ? [{ write: growingDay(contacts[i]?.id ?? 0, 2, `chat-${i}:day`), existing: result.ref }]
        : [],
    );
    const updated = await destination.upsertDayTranscripts(updates);
    expect(updated.every((r) => r.ok)).toBe(true);
    expect(await requestsOf('batch')).toBe(4);
    expect(b24.portal.comments.size).toBe(59);
  });

  it('deletes what it wrote in one batch request, counting what is already gone as deleted', async () => {
    b24 = await startTestBitrix24();
    const destination = await b24.destination();
    const contact = b24.portal.seedContact({ name: 'Ana' });
    const large = (key: string) => file(key, `${key}.mp4`, Buffer.alloc(INLINE_FILE_BYTES + 1, 1));
    const results = await destination.upsertDayTranscripts([
      {
        write: { ...growingDay(contact.id, 1, 'chat-1:a'), attachments: [inlinePhoto(), large('v1')] },
        existing: undefined,
      },
      {
        write: { ...growingDay(contact.id, 1, 'chat-1:b'), attachments: [large('v2')] },
        existing: undefined,
      },
    ]);
    const [a, b] = results.map(refOf);
    b24.portal.comments.delete(Number(b?.id));
    b24.portal.files.delete(Number(b?.related['file:v2']));
    const objects = [
      ...writtenObjectsOf(a as TranscriptRef),
      ...writtenObjectsOf(b as TranscriptRef),
      { kind: 'note' as const, id: 'not-an-id' },
    ];
    // The Disk file, then the comment (its own file goes with it), of each day.
    expect(objects.map((o) => o.kind)).toEqual(['file', 'chat_record', 'file', 'chat_record', 'note']);
    const batchesBefore = await requestsOf('batch');
    const deleted = await destination.deleteWritten(objects);
    expect(deleted).toEqual([
      { ok: true, alreadyGone: false },
      { ok: true, alreadyGone: false },
      { ok: true, alreadyGone: true },
      { ok: true, alreadyGone: true },
      { ok: false, error: expect.objectContaining({ kind: 'rejected', code: 'INVALID_ID' }) },
    ]);
    expect(await requestsOf('batch')).toBe(batchesBefore + 1);
    expect(b24.portal.inspectComments('contact', contact.id)).toEqual([]);
    expect(b24.portal.inspectDiskFiles()).toEqual([]);
  });

  it('uploads a single file to Disk, refusing one past the largest size before reading it', async () => {
    b24 = await startTestBitrix24();
    const destination = await b24.destination();
    const contact = b24.portal.seedContact({ name: 'Ana' });
    const [day] = await destination.upsertDayTranscripts([
      { write: { ...growingDay(contact.id, 1), attachments: [inlinePhoto()] }, existing: undefined },
    ]);
    const upload = {
      transcript: refOf(day),
      record: { type: 'contact' as const, id: String(contact.id) },
      key: 'media-9:ana',
      fileName: 'notes.txt',
      mimeType: 'text/plain',
      sizeBytes: 5,
      description: 'from Ana',
      async *open() {
        yield Buffer.from('notes');
      },
    };
    const { id } = await destination.uploadAttachment(upload);
    expect(b24.portal.inspectDiskFiles().map((f) => [String(f.id), f.name])).toEqual([
      [id, diskName('notes.txt', 'media-9:ana')],
    ]);
    // Once a key, linked from the day's comment once, before its marker; the comment's files stay.
    expect(await destination.uploadAttachment(upload)).toEqual({ id });
    expect(b24.portal.inspectDiskFiles()).toHaveLength(1);
    const [comment] = b24.portal.inspectComments('contact', contact.id);
    const lines = comment?.comment.split('\n') ?? [];
    const linkLine = `📎 notes.txt: [URL=${b24.portal.showUrl(b24.portal.inspectDiskFiles()[0] as never)}]open on Drive[/URL]`;
    expect(lines.filter((line) => line === linkLine)).toHaveLength(1);
    expect(lines.at(-3)).toBe(linkLine);
    expect(lines.at(-1)).toBe(dayMarker('chat-1:day'));
    expect(comment?.files.map((f) => f.name)).toEqual(['photo.jpg']);
    await expect(
      destination.uploadAttachment({
        ...upload,
        sizeBytes: destination.capabilities.maxAttachmentBytes + 1,
        open: () => {
          throw new Error('read');
        },
      }),
    ).rejects.toMatchObject({ kind: 'rejected', code: 'FILE_TOO_LARGE' });
  });

  it('posts a file only to an upload URL on the portal', async () => {
    b24 = await startTestBitrix24();
    const transport = await b24.transport();
    await expect(
      transport.postFile('https://elsewhere.test/rest/upload.json?token=x', 'file', {
        fileName: 'a.txt',
        mimeType: 'text/plain',
        bytes: Buffer.from('a'),
      }),
    ).rejects.toMatchObject({ kind: 'rejected', code: 'UPLOAD_URL_REFUSED' });
    expect(await requestsOf('upload')).toBe(0);
  });
});
