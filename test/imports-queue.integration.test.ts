import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import { openServices, type Services } from '../src/services.js';
import { QueuedImports } from '../src/sources/chat-export/queued.js';
import { type StoredBlob, sha256Of } from '../src/store/blobs/blob-store.js';
import type { Store } from '../src/store/index.js';
import type { ImportRequestOptions } from '../src/store/repositories/imports.js';
import { describeEachDatabase, describePostgres } from './support/databases.js';
import { OWN_FIXTURES } from './support/fixtures.js';
import { type Harness, startHarness } from './support/harness.js';
import { describeWithRedis, dropPrefix, uniquePrefix } from './support/redis.js';

const GROUP_EXPORT = fs.readFileSync(path.join(OWN_FIXTURES, 'chat-export', 'group_mmddyyyy_12hrs.txt'));
const OPTIONS: ImportRequestOptions = {
  chatWith: undefined,
  me: undefined,
  chatName: 'Groupname',
  fileName: 'group.txt',
  timeZone: 'UTC',
  dateOrder: undefined,
  toCrm: true,
};

/** An upload queued for the import pass, as the API process queues it. */
const queueImport = (store: Store, accountId: string, blob: StoredBlob, now: number) =>
  store.imports.create({ accountId, options: OPTIONS, blob, requestedBy: undefined, now });

describeEachDatabase('imports repository', (database) => {
  let h: Harness;
  let account: Account;
  let other: Account;
  beforeEach(async () => {
    h = await startHarness(database);
    account = await h.createAccount('+14155550001', 'chat_export');
    other = await h.createAccount('+14155550002', 'chat_export');
  });
  afterEach(async () => {
    await h.close();
  });

  const create = (accountId: string, now: number, sha256 = 'a'.repeat(64)) =>
    h.services.store.imports.create({
      accountId,
      options: OPTIONS,
      blob: { sha256, sizeBytes: 42 },
      requestedBy: 'usr_1',
      now,
    });

  it('keeps the options, hands each import to one claimant in order, and retakes an expired claim', async () => {
    const { imports } = h.services.store;
    const first = await create(account.id, 1_000);
    const second = await create(account.id, 2_000, 'b'.repeat(64));
    expect(first).toMatchObject({
      accountId: account.id,
      state: 'queued',
      options: OPTIONS,
      blob: { sha256: 'a'.repeat(64), sizeBytes: 42 },
      requestedBy: 'usr_1',
      attempts: 0,
      progress: undefined,
      claim: undefined,
    });
    expect(await imports.get(other.id, first.id)).toBeUndefined();
    expect((await imports.recent(account.id, 10)).map((j) => j.id)).toEqual([second.id, first.id]);

    const a = await imports.claimNext('worker-a', 10_000, 60_000);
    expect(a).toMatchObject({ id: first.id, state: 'running', attempts: 1, claim: { owner: 'worker-a' } });
    expect(a?.startedAt?.getTime()).toBe(10_000);
    const b = await imports.claimNext('worker-b', 10_000, 60_000);
    expect(b?.id).toBe(second.id);
    // Both held: nothing left to claim until a claim runs out.
    expect(await imports.claimNext('worker-c', 69_999, 60_000)).toBeUndefined();
    expect(await imports.heartbeat(first.id, 'worker-c', 100_000, undefined)).toBe(false);
    expect(
      await imports.heartbeat(first.id, 'worker-a', 75_000, { phase: 'import', done: 10, total: 20 }),
    ).toBe(true);
    // worker-b's claim ran out at 70,000 (worker-a's was extended): worker-c takes the second over.
    const retaken = await imports.claimNext('worker-c', 70_000, 60_000);
    expect(retaken).toMatchObject({ id: second.id, attempts: 2, claim: { owner: 'worker-c' } });
    expect(retaken?.startedAt?.getTime()).toBe(10_000);
    // The one that lost its claim cannot end the import; the new holder can.
    expect(await imports.finish(second.id, 'worker-b', 71_000, { state: 'done', summary: {} })).toBe(false);
    expect(
      await imports.finish(second.id, 'worker-c', 72_000, {
        state: 'failed',
        code: 'export_invalid',
        message: 'No WhatsApp message line was found in the file.',
      }),
    ).toBe(true);
    expect(await imports.get(account.id, second.id)).toMatchObject({
      state: 'failed',
      error: { code: 'export_invalid', message: 'No WhatsApp message line was found in the file.' },
      claim: undefined,
    });
    expect(await imports.get(account.id, first.id)).toMatchObject({
      progress: { phase: 'import', done: 10, total: 20 },
    });
    expect(await imports.blobPending('a'.repeat(64))).toBe(true);
    await imports.finish(first.id, 'worker-a', 73_000, { state: 'done', summary: { lines: 3 } });
    const done = await imports.get(account.id, first.id);
    expect(done).toMatchObject({ state: 'done', summary: { lines: 3 }, error: undefined });
    expect(done?.finishedAt?.getTime()).toBe(73_000);
    expect(await imports.blobPending('a'.repeat(64))).toBe(false);
  });

  it('the import pass runs a queued import from the blob store, and gives up one whose workers kept dying', async () => {
    const { store } = h.services;
    const blob = await store.blobs.putBytes(GROUP_EXPORT);
    const queued = await queueImport(store, account.id, blob, Date.now());
    // The same file uploaded twice: one blob, kept until the second import no longer needs it.
    const twice = await queueImport(store, other.id, blob, Date.now() + 1);
    expect(await h.services.imports.drain()).toBe(2);
    expect(await store.imports.get(account.id, queued.id)).toMatchObject({
      state: 'done',
      attempts: 1,
      summary: { accountId: account.id, chat: { title: 'Groupname' }, messages: { new: 9 } },
    });
    expect(await store.imports.get(other.id, twice.id)).toMatchObject({
      state: 'done',
      summary: { accountId: other.id, messages: { new: 9 } },
    });
    expect(await store.blobs.has(blob.sha256)).toBe(false);

    const again = await store.blobs.putBytes(GROUP_EXPORT);
    const doomed = await queueImport(store, other.id, again, Date.now());
    // Three workers claimed it in turn, and each died before its claim ran out.
    for (let attempt = 0; attempt < 3; attempt++)
      await store.imports.claimNext(`dead-${attempt}`, Date.now() - (10 - 2 * attempt) * 60_000, 60_000);
    expect(await h.services.imports.drain()).toBe(1);
    expect(await store.imports.get(other.id, doomed.id)).toMatchObject({
      state: 'failed',
      attempts: 4,
      error: { code: 'internal_error' },
    });
    const stats = await store.accounts.stats(h.services.workspace.id);
    expect(stats.get(other.id)?.messages).toBe(9);
    expect(await store.blobs.has(again.sha256)).toBe(false);
  });

  it('tries an import again when it failed for want of its bytes, not for its file', async () => {
    const { store } = h.services;
    const blob = await store.blobs.putBytes(GROUP_EXPORT);
    const queued = await queueImport(store, account.id, blob, Date.now());
    // The blob store lost the upload for a moment (a failover): the import is not the file's fault.
    await store.blobs.remove(blob.sha256);
    expect(await h.services.imports.drain()).toBe(1);
    const waiting = await store.imports.get(account.id, queued.id);
    expect(waiting).toMatchObject({ state: 'running', attempts: 1 });
    expect(await h.services.imports.drain()).toBe(0);
    // Back again: once the short claim runs out, any worker's pass takes it and imports it.
    await store.blobs.putBytes(GROUP_EXPORT);
    const later = new QueuedImports({
      store,
      ingest: h.services.ingest,
      config: h.config,
      workspace: h.services.workspace,
      logger: pino({ level: 'silent' }),
      owner: 'another-worker',
      now: () => Date.now() + 60_000,
    });
    expect(await later.drain()).toBe(1);
    expect(await store.imports.get(account.id, queued.id)).toMatchObject({
      state: 'done',
      attempts: 2,
      summary: { messages: { new: 9 } },
    });
  });

  it('embedded mode still imports while the request waits, and knows no queued import', async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${account.id}/imports?chatName=Groupname&tz=UTC`,
      headers: { ...h.auth, 'content-type': 'text/plain' },
      payload: GROUP_EXPORT,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ messages: { total: 9, new: 9 } });
    expect(await h.services.store.imports.recent(account.id, 10)).toEqual([]);
    const unknown = await h.app.inject({
      method: 'GET',
      url: `/api/v1/accounts/${account.id}/imports/imp_nope`,
      headers: h.auth,
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
  });
});

describeWithRedis('imports in scale mode', (redisUrl) => {
  describePostgres('an API process queues, a worker imports', (database) => {
    let prefix: string;
    let api: Harness;
    let worker: Services;
    let account: Account;

    beforeEach(async () => {
      prefix = uniquePrefix('imports');
      api = await startHarness(
        database,
        { REDIS_URL: redisUrl, WASYNC_REDIS_PREFIX: prefix, WASYNC_IMPORT_MAX_BYTES: '1mb' },
        { role: 'api' },
      );
      account = await api.createAccount('+14155552671', 'chat_export');
      // A second process on the same database, data dir and Redis: it runs the queue's jobs only (no
      // sweep), so what it imports reached it as a job.
      worker = await openServices(api.config, pino({ level: 'silent' }), { role: 'worker' });
      worker.syncWorker.start();
    });
    afterEach(async () => {
      await worker.close();
      await api.close();
      await dropPrefix(redisUrl, prefix);
    });

    const upload = (query: string, body: Buffer | string) =>
      api.app.inject({
        method: 'POST',
        url: `/api/v1/accounts/${account.id}/imports?${query}`,
        headers: { ...api.auth, 'content-type': 'text/plain' },
        payload: body,
      });
    const status = async (location: string) =>
      (await api.app.inject({ method: 'GET', url: location, headers: api.auth })).json();
    const finished = (location: string) =>
      expect
        .poll(async () => (await status(location)).state, { timeout: 20_000, interval: 100 })
        .toMatch(/^(done|failed)$/);
    const messageCount = async () =>
      (await api.services.store.accounts.stats(api.services.workspace.id)).get(account.id)?.messages ?? 0;

    it('answers 202 with the queued import; a worker imports it and the GET shows the summary', async () => {
      const response = await upload('chatName=Groupname&tz=UTC&fileName=group.txt', GROUP_EXPORT);
      expect(response.statusCode).toBe(202);
      const queued = response.json();
      expect(queued).toMatchObject({
        accountId: account.id,
        state: 'queued',
        fileName: 'group.txt',
        sizeBytes: GROUP_EXPORT.length,
      });
      const location = response.headers.location as string;
      expect(location).toBe(`/api/v1/accounts/${account.id}/imports/${queued.id}`);

      await finished(location);
      const done = await status(location);
      expect(done).toMatchObject({
        id: queued.id,
        state: 'done',
        summary: {
          accountId: account.id,
          chat: { kind: 'group', title: 'Groupname' },
          dateOrder: 'mdy',
          messages: { total: 9, new: 9, existing: 0 },
          toCrm: true,
        },
      });
      expect(done.error).toBeUndefined();
      expect(done.finishedAt).toBeDefined();
      expect(await messageCount()).toBe(9);
      // The upload's bytes went once imported.
      expect(await api.services.store.blobs.has(sha256Of(GROUP_EXPORT))).toBe(false);

      const list = await api.app.inject({
        method: 'GET',
        url: `/api/v1/accounts/${account.id}/imports`,
        headers: api.auth,
      });
      expect(list.json().data.map((j: { id: string }) => j.id)).toEqual([queued.id]);
      // Another account's import is no import of this one.
      const other = await api.createAccount('+14155550009', 'chat_export');
      const elsewhere = await api.app.inject({
        method: 'GET',
        url: `/api/v1/accounts/${other.id}/imports/${queued.id}`,
        headers: api.auth,
      });
      expect(elsewhere.statusCode).toBe(404);
    });

    it('a bad export ends failed with its code and stores nothing; checks needing no parsing answer at once', async () => {
      // Valid lines first: an importer that wrote as it read would have stored them.
      const latin1 = Buffer.from('1/13/21, 10:00 - Ana: hi\n1/13/21, 10:01 - Bob: café', 'latin1');
      const response = await upload('chatWith=%2B5511987654321&tz=UTC', latin1);
      expect(response.statusCode).toBe(202);
      const location = response.headers.location as string;
      await finished(location);
      expect(await status(location)).toMatchObject({
        state: 'failed',
        error: { code: 'export_not_utf8' },
      });
      expect((await status(location)).summary).toBeUndefined();
      expect(await messageCount()).toBe(0);
      expect(await api.services.store.blobs.has(sha256Of(latin1))).toBe(false);

      const badZone = await upload('tz=Mars%2FOlympus', GROUP_EXPORT);
      expect(badZone.statusCode).toBe(400);
      expect(badZone.json().error.code).toBe('validation_failed');
      const tooLarge = await api.app.inject({
        method: 'POST',
        url: `/api/v1/accounts/${account.id}/imports?tz=UTC`,
        headers: { ...api.auth, 'content-type': 'text/plain' },
        payload: Buffer.alloc(api.config.importMaxBytes + 1, 0x61),
      });
      expect(tooLarge.statusCode).toBe(413);
      expect(tooLarge.json().error).toMatchObject({
        code: 'export_too_large',
        details: { limit: 'totalBytes' },
      });
      expect(await api.services.store.imports.recent(account.id, 10)).toHaveLength(1);
    });

    it("a dead worker's import is taken again once its claim ran out", async () => {
      const { store } = api.services;
      const blob = await store.blobs.putBytes(GROUP_EXPORT);
      const job = await queueImport(store, account.id, blob, Date.now());
      // A worker claimed it ten minutes ago for a minute, and died.
      const dead = await store.imports.claimNext('dead-worker', Date.now() - 10 * 60_000, 60_000);
      expect(dead).toMatchObject({ id: job.id, state: 'running', attempts: 1 });

      api.services.wake('import');
      const location = `/api/v1/accounts/${account.id}/imports/${job.id}`;
      await finished(location);
      expect(await status(location)).toMatchObject({ state: 'done', summary: { messages: { new: 9 } } });
      expect(await store.imports.get(account.id, job.id)).toMatchObject({ attempts: 2, claim: undefined });
      expect(await messageCount()).toBe(9);
    });
  });
});
