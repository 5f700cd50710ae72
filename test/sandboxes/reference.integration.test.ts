import { afterEach, describe, expect, it } from 'vitest';
import { ReferenceDestination } from '../../src/crms/reference/destination.js';
import { ReferenceHttpBackend } from '../../src/crms/reference/http-backend.js';
import { ReferenceTransport } from '../../src/crms/reference/transport.js';
import {
  buildReferenceSandbox,
  type ReferenceSandbox,
  type ReferenceSandboxOptions,
} from '../../src/sandboxes/reference/index.js';
import { contactDay, inlinePhoto } from '../support/day-content.js';

const context = { defaultRegion: 'BR' as const };

const write = contactDay;

describe('the reference CRM sandbox over HTTP', () => {
  let sandbox: ReferenceSandbox;
  afterEach(() => sandbox.close());

  const start = async (options: ReferenceSandboxOptions = {}, apiKey = 'reference-key') => {
    sandbox = await buildReferenceSandbox(options);
    const baseUrl = await sandbox.listen(0);
    const transport = new ReferenceTransport({ baseUrl, apiKey, fetch, timeoutMs: 2_000 });
    const seed = async (body: unknown) => {
      const response = await fetch(`${baseUrl}/__sandbox/records`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { id: string }).id;
    };
    const inspect = async <T>(path: string) =>
      (await (await fetch(`${baseUrl}/__sandbox${path}`)).json()) as T;
    return { baseUrl, transport, seed, inspect };
  };

  it('finds, writes by key, uploads once, shows the card and deletes, counting every request', async () => {
    const { transport, seed, inspect } = await start({ maxLookupsPerCall: 2, maxTranscriptsPerCall: 2 });
    const destination = new ReferenceDestination(new ReferenceHttpBackend(transport));
    expect(await destination.test()).toEqual([]);
    const contact = await seed({ type: 'contact', name: 'Ana', phones: ['(11) 98765-4321'] });
    const lead = await seed({ type: 'lead', name: 'Ana lead', phones: ['+55 11 98765-4321'] });
    await seed({ type: 'lead', name: 'Converted', phones: ['+5511987654321'], converted: true });

    // Three numbers over the API's limit of two: two lookups, one answer.
    const found = await destination.findByPhones(
      [
        { key: 'ana', phone: '+5511987654321' },
        { key: 'nobody', phone: '+14155550100' },
        { key: 'again', phone: '+5511987654321' },
      ],
      context,
    );
    expect(found.get('ana')?.map((record) => record.id)).toEqual([contact, lead]);
    expect(found.get('nobody')).toEqual([]);
    expect(found.get('again')?.map((record) => record.id)).toEqual([contact, lead]);

    const batch = ['k1', 'k2', 'k3'].map((key) => ({ write: write(contact, key, key), existing: undefined }));
    batch.push({ write: write('C-missing', 'k4', 'lost'), existing: undefined });
    const results = await destination.upsertDayTranscripts(batch);
    expect(results.map((result) => result.ok)).toEqual([true, true, true, false]);
    expect(results[3]).toMatchObject({ ok: false, error: { kind: 'rejected', code: 'RECORD_NOT_FOUND' } });
    const again = await destination.upsertDayTranscripts([
      { write: write(contact, 'k1', 'k1 edited'), existing: undefined, uncertain: true },
    ]);
    expect(again[0]).toEqual(results[0]);
    const { transcripts } = await inspect<{ transcripts: { key: string; text: string; writes: number }[] }>(
      '/transcripts',
    );
    expect(transcripts.map(({ key, text, writes }) => ({ key, text, writes }))).toEqual([
      { key: 'k1', text: 'WhatsApp 2026-11-20\n\n12:00 Ana: k1 edited', writes: 2 },
      { key: 'k2', text: 'WhatsApp 2026-11-20\n\n12:00 Ana: k2', writes: 1 },
      { key: 'k3', text: 'WhatsApp 2026-11-20\n\n12:00 Ana: k3', writes: 1 },
    ]);

    const ref = results[0]?.ok ? results[0].ref : undefined;
    if (!ref) throw new Error('no ref');
    const upload = {
      transcript: ref,
      record: { type: 'contact' as const, id: contact },
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
    expect((await inspect<{ attachments: unknown[] }>('/attachments')).attachments).toEqual([
      expect.objectContaining({ id: file.id, key: 'file-1', sizeBytes: 3, base64: 'AQID' }),
    ]);

    expect(await destination.card({ type: 'contact', id: contact })).toMatchObject({
      id: contact,
      name: 'Ana',
      // The latest first: the transcript just updated.
      latestNotes: [
        expect.objectContaining({
          excerpt: 'WhatsApp 2026-11-20\n\n12:00 Ana: k1 edited',
          title: 'WhatsApp 2026-11-20',
        }),
        expect.anything(),
        expect.anything(),
      ],
    });
    await expect(destination.card({ type: 'lead', id: contact })).rejects.toMatchObject({
      kind: 'rejected',
      code: 'RECORD_NOT_FOUND',
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

    const counters = await inspect<{ total: number; byRoute: Record<string, number> }>('/counters');
    expect(counters.byRoute['POST /api/v1/lookups']).toBe(2);
    expect(counters.byRoute['PUT /api/v1/transcripts']).toBe(3);
    const index = await inspect<{ routes: string[] }>('');
    expect(index.routes).toEqual(
      expect.arrayContaining([
        'POST /__sandbox/records',
        'GET /__sandbox/transcripts',
        'POST /__sandbox/reset',
      ]),
    );
  });

  it('finds a day again by its marker and carries files inline, for a destination in those modes', async () => {
    const { transport, seed, inspect } = await start();
    const destination = new ReferenceDestination(new ReferenceHttpBackend(transport), {
      keys: 'marker',
      attachments: 'inline',
    });
    const contact = await seed({ type: 'contact', name: 'Ana', phones: ['+5511987654321'] });
    const day = { ...write(contact, 'chat1:ana:2026-11-20', 'hello'), attachments: [inlinePhoto()] };
    const [first] = await destination.upsertDayTranscripts([{ write: day, existing: undefined }]);
    if (!first?.ok) throw new Error('not written');
    // The answer was lost: the uncertain retry finds the note by its marker and updates it.
    const [recovered] = await destination.upsertDayTranscripts([
      { write: { ...day, key: 'chat1:ana:2026-11-20' }, existing: undefined, uncertain: true },
    ]);
    expect(recovered).toEqual(first);
    const { transcripts } = await inspect<{
      transcripts: { id: string; key?: string; text: string; writes: number; files: unknown[] }[];
    }>('/transcripts');
    expect(transcripts).toEqual([
      expect.objectContaining({
        id: first.ref.id,
        writes: 2,
        text: expect.stringMatching(/hello[\s\S]+$/),
        files: [{ key: 'media-1:ana', fileName: 'photo.jpg', mimeType: 'image/jpeg', base64: 'AQID' }],
      }),
    ]);
    expect(transcripts[0]?.key).toBeUndefined();
    expect(
      await transport.request({
        method: 'GET',
        path: `/records/contact/${contact}/transcripts`,
        write: false,
      }),
    ).toEqual({
      transcripts: [{ id: first.ref.id, day: '2026-11-20', text: transcripts[0]?.text }],
    });
  });

  it('refuses a call over its limit and a wrong API key, each as its CrmError kind', async () => {
    const { transport, baseUrl } = await start({ maxTranscriptsPerCall: 1 });
    await expect(
      transport.request({ method: 'PUT', path: '/transcripts', body: { transcripts: [] }, write: true }),
    ).resolves.toEqual({ results: [] });
    const twice = {
      key: 'k',
      record: { type: 'contact', id: 'C1' },
      day: 'd',
      title: 't',
      text: 'x',
      messageCount: 1,
    };
    await expect(
      transport.request({
        method: 'PUT',
        path: '/transcripts',
        body: { transcripts: [twice, twice] },
        write: true,
      }),
    ).rejects.toMatchObject({ kind: 'rejected', code: 'LIMIT_EXCEEDED', outcomeUnknown: false });
    const wrongKey = new ReferenceDestination(
      new ReferenceHttpBackend(new ReferenceTransport({ baseUrl, apiKey: 'not-it', fetch })),
    );
    expect(await wrongKey.test()).toEqual(['The API key is not this CRM’s.']);
    await expect(wrongKey.search('Ana', context)).rejects.toMatchObject({
      kind: 'park',
      code: 'UNAUTHORIZED',
    });
  });

  it('answers 429 with Retry-After and 503 as retryable; a 503 on a write leaves its outcome unknown', async () => {
    const { transport } = await start({ faults: { rate: 1, kinds: ['429'] }, retryAfterSeconds: 3 });
    await expect(transport.request({ method: 'GET', path: '/account', write: false })).rejects.toMatchObject({
      kind: 'retryable',
      code: 'RATE_LIMITED',
      retryAfterMs: 3_000,
      outcomeUnknown: false,
    });
    await sandbox.close();
    const unavailable = await start({ faults: { rate: 1, kinds: ['503'] } });
    await expect(
      unavailable.transport.request({
        method: 'POST',
        path: '/deletions',
        body: { objects: [] },
        write: true,
      }),
    ).rejects.toMatchObject({
      kind: 'retryable',
      code: 'UNAVAILABLE',
      outcomeUnknown: true,
      retryAfterMs: undefined,
    });
    const counters = await unavailable.inspect<{ faults: Record<string, number> }>('/counters');
    expect(counters.faults).toEqual({ '503': 1 });
  });

  it('keeps the answers of the calls that went through when a later call of a batch fails', async () => {
    // Seed 5 at rate 0.5 lets the first two requests through (the limits, the first transcript)
    // and fails the third with a 503.
    const { transport, seed } = await start({
      maxTranscriptsPerCall: 1,
      faults: { rate: 0.5, seed: 5, kinds: ['503'] },
    });
    const contact = await seed({ type: 'contact', name: 'Ana', phones: ['+5511987654321'] });
    const destination = new ReferenceDestination(new ReferenceHttpBackend(transport));
    const results = await destination.upsertDayTranscripts(
      ['k1', 'k2', 'k3'].map((key) => ({ write: write(contact, key, key), existing: undefined })),
    );
    expect(results[0]).toMatchObject({ ok: true });
    for (const failed of results.slice(1)) {
      expect(failed).toMatchObject({
        ok: false,
        error: { kind: 'retryable', code: 'UNAVAILABLE', outcomeUnknown: true },
      });
    }
  });

  it('cuts a request it holds past the timeout, and drops the answer of one it served', async () => {
    const held = await start({ faults: { rate: 1, kinds: ['timeout'], timeoutMs: 50 } });
    const read = held.transport.request({ method: 'GET', path: '/account', write: false });
    await expect(read).rejects.toMatchObject({ kind: 'retryable', code: 'NETWORK', outcomeUnknown: false });
    const written = held.transport.request({
      method: 'POST',
      path: '/deletions',
      body: { objects: [] },
      write: true,
    });
    await expect(written).rejects.toMatchObject({ kind: 'retryable', outcomeUnknown: true });
    await sandbox.close();

    const lost = await start({ faults: { rate: 1, kinds: ['lost-answer'] } });
    const contact = await lost.seed({ type: 'contact', name: 'Ana', phones: ['+5511987654321'] });
    const transcript = {
      key: 'k1',
      record: { type: 'contact', id: contact },
      day: 'd',
      title: 't',
      text: 'x',
      messageCount: 1,
    };
    await expect(
      lost.transport.request({
        method: 'PUT',
        path: '/transcripts',
        body: { transcripts: [transcript] },
        write: true,
      }),
    ).rejects.toMatchObject({ kind: 'retryable', outcomeUnknown: true });
    // The work was done: the transcript is there though its answer never arrived.
    const { transcripts } = await lost.inspect<{ transcripts: { key: string }[] }>('/transcripts');
    expect(transcripts.map((transcript) => transcript.key)).toEqual(['k1']);
  });
});
