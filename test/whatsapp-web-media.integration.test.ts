import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DisconnectReason, encryptedStream, type WAMessage } from 'baileys';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import { readBlob } from '../src/store/blobs/blob-store.js';
import { describeEachDatabase } from './support/databases.js';
import { FakeWhatsApp } from './support/fake-whatsapp.js';
import { type Harness, startHarness } from './support/harness.js';

const ME = '14155550000:3@s.whatsapp.net';
const ANA = '5511987654321@s.whatsapp.net';

/**
 * A media server in WhatsApp's manner: it hands out the encrypted file (what the phone uploaded) at
 * its path, or 410 Gone for a path that expired.
 */
async function mediaServer(files: Map<string, Buffer>) {
  const hits: string[] = [];
  const server = http.createServer((request, response) => {
    const path = request.url ?? '';
    hits.push(path);
    const body = files.get(path);
    if (!body) {
      response.writeHead(410).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, hits, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describeEachDatabase('linked-device media', (database) => {
  let h: Harness;
  let fake: FakeWhatsApp;
  let account: Account;
  let server: Awaited<ReturnType<typeof mediaServer>>;
  const files = new Map<string, Buffer>();
  const photo = randomBytes(70_000);
  let encrypted: Awaited<ReturnType<typeof encryptedStream>>;

  beforeEach(async () => {
    fake = new FakeWhatsApp();
    h = await startHarness(
      database,
      {},
      {
        whatsappWebSocket: fake.factory,
        linkedDeviceTiming: { reconnectDelaysMs: [20], reuploadsPerHour: 2 },
      },
    );
    account = await h.createAccount('+14155550000', 'linked_device');
    encrypted = await encryptedStream(photo, 'image');
    files.clear();
    files.set('/v/fresh.enc', fs.readFileSync(encrypted.encFilePath));
    fs.rmSync(encrypted.encFilePath, { force: true });
    server = await mediaServer(files);
  });
  afterEach(async () => {
    await server.close();
    await h.close();
  });

  async function connect() {
    await h.services.linkedDevices.pair(account, { method: 'qr' }, 'rep');
    fake.current.pairSucceeds(ME);
    fake.current.close(DisconnectReason.restartRequired);
    const socket = await fake.socket(2);
    socket.open();
    await h.services.linkedDevices.idle();
    return socket;
  }

  /** An image sent `daysAgo` days ago (an hour ago by default). */
  const image = (id: string, path: string, daysAgo = 1 / 24): WAMessage =>
    ({
      key: { remoteJid: ANA, fromMe: false, id },
      messageTimestamp: Math.floor((Date.now() - daysAgo * 86_400_000) / 1000),
      pushName: 'Ana',
      message: {
        imageMessage: {
          url: `${server.base}${path}`,
          mimetype: 'image/jpeg',
          caption: 'the signed order',
          mediaKey: encrypted.mediaKey,
          fileSha256: encrypted.fileSha256,
          fileEncSha256: encrypted.fileEncSha256,
          fileLength: encrypted.fileLength,
        },
      },
    }) as WAMessage;

  const media = () =>
    h.services.store.sql.db
      .selectFrom('media')
      .innerJoin('messages', 'messages.id', 'media.message_id')
      .select([
        'messages.source_message_id',
        'media.state',
        'media.sha256',
        'media.mime_type',
        'media.failure',
      ])
      .where('messages.account_id', '=', account.id)
      .execute();

  it('downloads and decrypts a message’s media in the background, checked against its hash', async () => {
    const socket = await connect();
    socket.emit('messages.upsert', { type: 'notify', messages: [image('IMG1', '/v/fresh.enc')] });
    await h.services.linkedDevices.idle();
    expect(await media()).toMatchObject([{ source_message_id: 'IMG1', state: 'pending' }]);

    expect(await h.services.mediaFetcher.drain()).toBe(1);
    const sha = createHash('sha256').update(photo).digest('hex');
    expect(await media()).toEqual([
      { source_message_id: 'IMG1', state: 'stored', sha256: sha, mime_type: 'image/jpeg', failure: null },
    ]);
    expect(await readBlob(h.services.store.blobs, sha)).toEqual(photo);
  });

  it('asks the phone to upload expired media again (410), then downloads it from the new path', async () => {
    const socket = await connect();
    const reuploaded: string[] = [];
    socket.reupload = (message) => {
      reuploaded.push(message.key.id ?? '');
      const content = message.message?.imageMessage;
      if (content) content.url = `${server.base}/v/fresh.enc`;
      return message;
    };
    socket.emit('messages.upsert', { type: 'notify', messages: [image('IMG2', '/v/expired.enc')] });
    await h.services.linkedDevices.idle();
    await h.services.mediaFetcher.drain();
    expect(reuploaded).toEqual(['IMG2']);
    expect(server.hits).toEqual(['/v/expired.enc', '/v/fresh.enc']);
    expect(await media()).toMatchObject([{ source_message_id: 'IMG2', state: 'stored' }]);
  });

  it('does not ask the phone to re-upload expired media older than 30 days', async () => {
    const socket = await connect();
    const reuploaded: string[] = [];
    socket.reupload = (message) => {
      reuploaded.push(message.key.id ?? '');
      return message;
    };
    socket.emit('messages.upsert', {
      type: 'append',
      messages: [image('OLD', '/v/expired.enc', 31), image('RECENT', '/v/expired.enc', 29)],
    });
    await h.services.linkedDevices.idle();
    await h.services.mediaFetcher.drain();
    expect(reuploaded).toEqual(['RECENT']);
    const old = (await media()).find((row) => row.source_message_id === 'OLD');
    expect(old?.failure).toMatch(/older than 30 days/);
  });

  it('asks the phone for at most the hourly number of re-uploads', async () => {
    const socket = await connect();
    const reuploaded: string[] = [];
    socket.reupload = (message) => {
      reuploaded.push(message.key.id ?? '');
      const content = message.message?.imageMessage;
      if (content) content.url = `${server.base}/v/fresh.enc`;
      return message;
    };
    socket.emit('messages.upsert', {
      type: 'notify',
      messages: [image('R1', '/v/expired.enc'), image('R2', '/v/expired.enc'), image('R3', '/v/expired.enc')],
    });
    await h.services.linkedDevices.idle();
    await h.services.mediaFetcher.drain();
    expect(reuploaded).toHaveLength(2);
    const rows = await media();
    expect(rows.filter((row) => row.state === 'stored')).toHaveLength(2);
    const waiting = rows.filter((row) => row.state !== 'stored');
    expect(waiting).toHaveLength(1);
    expect(waiting[0]?.failure).toMatch(/2 re-uploads were asked of the phone in the last hour/);
  });

  it('keeps expired media pending, with the reason, while no session can ask the phone', async () => {
    const socket = await connect();
    socket.emit('messages.upsert', { type: 'notify', messages: [image('IMG3', '/v/expired.enc')] });
    await h.services.linkedDevices.idle();
    await h.services.linkedDevices.stop();
    await h.services.mediaFetcher.drain();
    const [row] = await media();
    expect(row).toMatchObject({ source_message_id: 'IMG3', state: 'pending' });
    expect(row?.failure).toMatch(/re-upload/);
  });

  it('refuses bytes that do not match the hash the message states', async () => {
    const socket = await connect();
    const other = await encryptedStream(randomBytes(1_000), 'image');
    files.set('/v/other.enc', fs.readFileSync(other.encFilePath));
    fs.rmSync(other.encFilePath, { force: true });
    // The right key for the other file, but this message's hash.
    const message = image('IMG4', '/v/other.enc');
    const content = message.message?.imageMessage;
    if (content) {
      content.mediaKey = other.mediaKey;
      content.fileLength = other.fileLength;
    }
    socket.emit('messages.upsert', { type: 'notify', messages: [message] });
    await h.services.linkedDevices.idle();
    await h.services.mediaFetcher.drain();
    const [row] = await media();
    expect(row).toMatchObject({ state: 'pending' });
    expect(row?.failure).toMatch(/hash/);
  });
});
