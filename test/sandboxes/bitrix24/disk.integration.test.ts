import { afterEach, describe, expect, it } from 'vitest';
import {
  type Bitrix24Sandbox,
  buildBitrix24Sandbox,
  DEMO_WEBHOOK,
} from '../../../src/sandboxes/bitrix24/index.js';
import { type Answer, json, manualClock, postJson } from './support.js';

let sandbox: Bitrix24Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

// biome-ignore lint/suspicious/noExplicitAny: the portal's JSON answers, read loosely by the test
type Loose = any;

async function start() {
  const clock = manualClock();
  sandbox = await buildBitrix24Sandbox({ clock: clock.now });
  const url = await sandbox.listen(0);
  const hook = `${url}/rest/${DEMO_WEBHOOK.userId}/${DEMO_WEBHOOK.secret}/`;
  const call = (method: string, body: unknown = {}) => postJson(`${hook}${method}`, body);
  const storages = (await call('disk.storage.getlist')).body.result as Loose[];
  const shared = storages.find((s) => s.ENTITY_TYPE === 'common');
  return { url, clock, call, storageId: Number(shared.ID), folderId: Number(shared.ROOT_OBJECT_ID) };
}

/** POSTs `content` as a multipart form, in `field` under `filename`, as the page's curl and PHP examples do. */
function postFile(uploadUrl: string, content: string, filename: string, field = 'file'): Promise<Answer> {
  const form = new FormData();
  form.append(field, new Blob([content], { type: 'application/pdf' }), filename);
  return fetch(uploadUrl, { method: 'POST', body: form }).then(json);
}

describe('two-step Disk upload', () => {
  it('answers {field, uploadUrl} without fileContent; a multipart POST of the file there stores it and answers the file', async () => {
    const { url, call, folderId } = await start();
    const first = await call('disk.folder.uploadfile', { id: folderId });
    expect(first.status).toBe(200);
    const { field, uploadUrl } = first.body.result as { field: string; uploadUrl: string };
    expect(field).toBe('file');
    expect(uploadUrl.startsWith(`${url}/rest/upload.json?token=disk%7C`)).toBe(true);
    expect(first.body.time).toBeDefined();

    const uploaded = await postFile(uploadUrl, '%PDF-1.4 chat', 'chat.pdf');
    expect(uploaded.status).toBe(200);
    const file = uploaded.body.result as Loose;
    expect(file).toMatchObject({
      NAME: 'chat.pdf',
      SIZE: '13',
      PARENT_ID: String(folderId),
      TYPE: 'file',
      CREATED_BY: '1',
      DELETED_TYPE: 0,
    });
    expect(typeof file.ID).toBe('number');
    expect(uploaded.body.time).toBeDefined();
    const download = await fetch(file.DOWNLOAD_URL);
    expect(Buffer.from(await download.arrayBuffer()).toString()).toBe('%PDF-1.4 chat');
    expect(sandbox?.portal.inspectDiskFiles().map((f) => f.name)).toEqual(['chat.pdf']);

    // Single use: the same URL again is refused and stores nothing.
    const again = await postFile(uploadUrl, 'x', 'again.pdf');
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('ERROR_ARGUMENT');
    expect(sandbox?.portal.inspectDiskFiles()).toHaveLength(1);
  });

  it('names the file data.NAME when the first call gave one, and applies generateUniqueName', async () => {
    const { call, folderId, storageId } = await start();
    const urlFor = async (body: Record<string, unknown>, method = 'disk.folder.uploadfile') =>
      ((await call(method, body)).body.result as { uploadUrl: string }).uploadUrl;
    expect(
      (await postFile(await urlFor({ id: folderId, data: { NAME: 'WhatsApp chat.pdf' } }), 'a', 'tmp.bin'))
        .body.result,
    ).toMatchObject({ NAME: 'WhatsApp chat.pdf' });
    const taken = await postFile(await urlFor({ id: folderId }), 'b', 'WhatsApp chat.pdf');
    expect(taken.status).toBe(400);
    const unique = await postFile(
      await urlFor({ id: folderId, generateUniqueName: true }),
      'c',
      'WhatsApp chat.pdf',
    );
    expect(unique.body.result).toMatchObject({ NAME: 'WhatsApp chat (1).pdf' });
    // The storage's root takes the same two steps.
    const viaStorage = await postFile(
      await urlFor({ id: storageId }, 'disk.storage.uploadfile'),
      'd',
      'd.pdf',
    );
    expect(viaStorage.body.result).toMatchObject({ NAME: 'd.pdf', PARENT_ID: String(folderId) });
    expect((await call('disk.folder.uploadfile', { id: 99999 })).body.error).toBe('ERROR_NOT_FOUND');
  });

  it('refuses an expired URL, a body that is not multipart, a form without the file field, an unknown token', async () => {
    const { url, clock, call, folderId } = await start();
    const urlFor = async () =>
      ((await call('disk.folder.uploadfile', { id: folderId })).body.result as { uploadUrl: string })
        .uploadUrl;
    const late = await urlFor();
    clock.advance(5 * 60_000 + 1);
    expect((await postFile(late, 'a', 'a.pdf')).status).toBe(400);
    expect((await postJson(await urlFor(), { file: 'a' })).body.error).toBe('ERROR_ARGUMENT');
    const wrongField = await postFile(await urlFor(), 'a', 'a.pdf', 'document');
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.error_description).toContain('"file"');
    expect((await postFile(`${url}/rest/upload.json?token=nope`, 'a', 'a.pdf')).status).toBe(400);
    expect((await postFile(`${url}/rest/upload.json`, 'a', 'a.pdf')).status).toBe(400);
    expect(sandbox?.portal.inspectDiskFiles()).toHaveLength(0);
  });

  it('meets scripted faults like any REST call', async () => {
    const { url, call, folderId } = await start();
    const { uploadUrl } = (await call('disk.folder.uploadfile', { id: folderId })).body.result as {
      uploadUrl: string;
    };
    await postJson(`${url}/__sandbox/faults`, { kind: '503' });
    const failed = await postFile(uploadUrl, 'a', 'a.pdf');
    expect(failed).toMatchObject({ status: 503, body: { error: 'QUERY_LIMIT_EXCEEDED' } });
    const counters = await fetch(`${url}/__sandbox/counters`).then(json);
    expect((counters.body.byRoute as Record<string, number>).upload).toBe(1);
  });
});

describe('Disk trash and delete over HTTP', () => {
  it('markdeleted stops the file links; delete answers true, then ERROR_NOT_FOUND', async () => {
    const { call, folderId } = await start();
    const added = await call('disk.folder.uploadfile', {
      id: folderId,
      data: { NAME: 'a.txt' },
      fileContent: ['a.txt', Buffer.from('a').toString('base64')],
    });
    const file = added.body.result as Loose;
    expect((await fetch(file.DOWNLOAD_URL)).status).toBe(200);
    const trashed = await call('disk.file.markdeleted', { id: file.ID });
    expect(trashed.body.result).toMatchObject({ ID: String(file.ID), DELETED_TYPE: '3' });
    expect((await fetch(file.DOWNLOAD_URL)).status).toBe(404);
    expect((await call('disk.file.delete', { id: file.ID })).body).toMatchObject({ result: true });
    const missing = await call('disk.file.delete', { id: file.ID });
    expect(missing).toMatchObject({
      status: 400,
      body: { error: 'ERROR_NOT_FOUND', error_description: `Could not find entity with id \`${file.ID}\`` },
    });
  });
});
