import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { MediaFetcher } from '../src/ingest/media-fetcher.js';
import { textMessage } from './support/batches.js';
import { describeEachMediaStore } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

const PHOTO = Buffer.from('\xff\xd8\xff\xe0 not really a jpeg, but bytes all the same', 'latin1');

/** A file server on loopback: /photo.jpg works, /flaky fails twice then works, /broken always 500s. */
function startFileServer(): Promise<{ url: string; hits: Map<string, number>; close(): Promise<void> }> {
  const hits = new Map<string, number>();
  const server = http.createServer((request, response) => {
    const path = request.url ?? '';
    const count = (hits.get(path) ?? 0) + 1;
    hits.set(path, count);
    if (path === '/photo.jpg' || (path === '/flaky' && count > 2)) {
      response.writeHead(200, { 'content-type': 'image/jpeg' }).end(PHOTO);
    } else if (path === '/big') {
      response.writeHead(200, { 'content-type': 'video/mp4' }).end(Buffer.alloc(4096));
    } else {
      response.writeHead(500).end('no');
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        hits,
        close: () => new Promise((done) => server.close(() => done())),
      });
    }),
  );
}

describeEachMediaStore('media by URL', (database, mediaStore) => {
  let files: Awaited<ReturnType<typeof startFileServer>>;
  let h: Harness;
  let accountId: string;
  let clock: number;
  let fetcher: MediaFetcher;

  beforeAll(async () => {
    files = await startFileServer();
  });
  afterAll(() => files.close());
  beforeEach(async () => {
    h = await startHarness(database, { WASYNC_MEDIA_STORE: mediaStore });
    expect(h.services.store.blobs.kind).toBe(mediaStore);
    accountId = (
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/accounts',
        headers: h.auth,
        payload: { phone: '+14155552671' },
      })
    ).json().id;
    clock = Date.now() + 60_000; // a minute ahead, so media ingested during the test is due
    fetcher = new MediaFetcher({
      fetch: h.services.outbound,
      media: h.services.store.media,
      blobs: h.services.store.blobs,
      logger: pino({ level: 'silent' }),
      maxBytes: 1024,
      retryDelaysMs: [1_000, 5_000],
    });
  });
  afterEach(() => h.close());

  const ingest = (url: string) =>
    h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${accountId}/messages`,
      headers: h.auth,
      payload: {
        messages: [textMessage({ type: 'image', text: 'look', media: { url, fileName: 'p.jpg' } })],
      },
    });
  const firstMessage = async () => {
    const [chat] = (await h.app.inject({ method: 'GET', url: '/api/v1/chats', headers: h.auth })).json().data;
    const [message] = (
      await h.app.inject({ method: 'GET', url: `/api/v1/chats/${chat.id}/messages`, headers: h.auth })
    ).json().data;
    return { chatId: chat.id as string, message };
  };
  const media = async () => (await firstMessage()).message.media;

  it('stores the message at once with its media pending, then downloads the bytes', async () => {
    expect((await ingest(`${files.url}/photo.jpg`)).statusCode).toBe(200);
    expect(await media()).toEqual({ state: 'pending', fileName: 'p.jpg' });
    expect(await fetcher.drain(() => clock)).toBe(1);
    const sha256 = createHash('sha256').update(PHOTO).digest('hex');
    expect(await media()).toEqual({
      state: 'stored',
      sha256,
      mimeType: 'image/jpeg',
      size: PHOTO.length,
      fileName: 'p.jpg',
    });
    expect(await h.services.store.blobs.has(sha256)).toBe(true);
    // Served back whole from whichever store holds it.
    const { chatId, message } = await firstMessage();
    const download = await h.app.inject({
      method: 'GET',
      url: `/api/v1/chats/${chatId}/messages/${message.id}/media`,
      headers: h.auth,
    });
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload).toEqual(PHOTO);
  });

  it('retries a failing download after the delay and succeeds', async () => {
    await ingest(`${files.url}/flaky`);
    expect(await fetcher.drain(() => clock)).toBe(1);
    expect(await media()).toMatchObject({ state: 'pending', failure: 'HTTP 500 from the media URL' });
    expect(await fetcher.drain(() => clock)).toBe(0); // not due yet
    clock += 1_000;
    await fetcher.drain(() => clock);
    clock += 5_000;
    await fetcher.drain(() => clock);
    expect(await media()).toMatchObject({ state: 'stored', size: PHOTO.length });
    expect(files.hits.get('/flaky')).toBe(3);
  });

  it('gives up after the last retry, keeping the message and the reason', async () => {
    await ingest(`${files.url}/broken`);
    for (const step of [0, 1_000, 5_000]) {
      clock += step;
      await fetcher.drain(() => clock);
    }
    clock += 3_600_000;
    expect(await fetcher.drain(() => clock)).toBe(0);
    expect(await media()).toMatchObject({ state: 'failed', failure: 'HTTP 500 from the media URL' });
  });

  it('refuses a file over the size limit without retrying', async () => {
    await ingest(`${files.url}/big`);
    await fetcher.drain(() => clock);
    expect(await media()).toMatchObject({
      state: 'failed',
      failure: 'The file is larger than the 1024-byte limit',
    });
    expect(
      await h.services.store.blobs.has(createHash('sha256').update(Buffer.alloc(4096)).digest('hex')),
    ).toBe(false);
  });
});
