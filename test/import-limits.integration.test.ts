import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import yazl from 'yazl';
import type { Account } from '../src/core/model.js';
import { seededRandom } from '../src/core/seeded-random.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

const MEDIA_BYTES = 40 * 1024;

/** An iOS export: one photo message per media file, each file MEDIA_BYTES of seeded noise (stored, not deflated). */
function exportZip(photos: number, seed: number): Promise<Buffer> {
  const random = seededRandom(seed);
  const zip = new yazl.ZipFile();
  const lines = [
    '[31.12.20, 21:15:10] Ana Lima: Olá! Happy new year',
    '[31.12.20, 21:16:02] Sales Line: thanks',
  ];
  for (let n = 0; n < photos; n++) {
    const name = `${String(seed * 100 + n).padStart(8, '0')}-PHOTO-2020-12-31-21-17-${String(n).padStart(2, '0')}.jpg`;
    lines.push(`[31.12.20, 21:17:${String(n).padStart(2, '0')}] Ana Lima: \u200e<attached: ${name}>`);
    const bytes = Buffer.alloc(MEDIA_BYTES);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
    zip.addBuffer(bytes, name, { compress: false });
  }
  zip.addBuffer(Buffer.from(lines.join('\r\n')), '_chat.txt');
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

describeEachDatabase('import limits and the storage quota', (database) => {
  let h: Harness;
  let account: Account;
  afterEach(() => h.close());

  const start = async (env: Record<string, string>) => {
    h = await startHarness(database, { WASYNC_TIME_ZONE: 'UTC', ...env });
    const created = await h.services.store.accounts.create({
      workspaceId: h.services.workspace.id,
      phone: '+14155552671',
      sourceKind: 'chat_export',
      displayName: 'Sales Line',
    });
    if (!created) throw new Error('no account');
    account = created;
  };
  const upload = (body: Buffer, chatWith = '+5511987654321', type = 'application/zip') =>
    h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${account.id}/imports?chatWith=${encodeURIComponent(chatWith)}`,
      headers: { ...h.auth, 'content-type': type },
      payload: body,
    });
  const messageCount = async () =>
    (await h.services.store.accounts.stats(h.services.workspace.id)).get(account.id)?.messages ?? 0;
  /** Media files in the blob store (the temp folder aside). */
  const storedFiles = (): string[] => {
    const root = path.join(h.config.dataDir, 'media');
    if (!fs.existsSync(root)) return [];
    return fs
      .readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && !entry.parentPath.startsWith(path.join(root, 'tmp')))
      .map((entry) => entry.name);
  };

  it('refuses an export with more media files than one import may store, writing nothing', async () => {
    await start({ WASYNC_IMPORT_MAX_MEDIA_FILES: '2' });
    const refused = await upload(await exportZip(3, 1));
    expect(refused.statusCode).toBe(413);
    expect(refused.json().error).toMatchObject({
      code: 'export_too_large',
      details: { limit: 'mediaFiles', mediaFiles: 3, maxMediaFiles: 2 },
    });
    expect(await messageCount()).toBe(0);
    expect(storedFiles()).toEqual([]);
    expect((await upload(await exportZip(2, 2))).statusCode).toBe(200);
    expect(storedFiles()).toHaveLength(2);
  });

  it('refuses an export with more media bytes than one import may store, writing nothing', async () => {
    await start({ WASYNC_IMPORT_MAX_MEDIA_BYTES: '100kb' });
    const refused = await upload(await exportZip(3, 3));
    expect(refused.statusCode).toBe(413);
    expect(refused.json().error).toMatchObject({
      code: 'export_too_large',
      details: { limit: 'mediaBytes', mediaBytes: 3 * MEDIA_BYTES, maxMediaBytes: 100 * 1024 },
    });
    expect(await messageCount()).toBe(0);
    expect(storedFiles()).toEqual([]);
  });

  it('keeps the workspace under its storage quota, shown in the settings', async () => {
    await start({ WASYNC_STORAGE_QUOTA: '100kb' });
    expect((await upload(await exportZip(2, 4))).statusCode).toBe(200);
    const settings = async () =>
      (await h.app.inject({ method: 'GET', url: '/api/v1/settings', headers: h.auth })).json().storage;
    expect(await settings()).toMatchObject({ usedBytes: 2 * MEDIA_BYTES, quotaBytes: 100 * 1024 });
    const before = await messageCount();

    const refused = await upload(await exportZip(1, 5), '+5511900000000');
    expect(refused.statusCode).toBe(413);
    expect(refused.json().error).toMatchObject({
      code: 'storage_quota_exceeded',
      details: { usedBytes: 2 * MEDIA_BYTES, quotaBytes: 100 * 1024, importBytes: MEDIA_BYTES },
    });
    expect(await messageCount()).toBe(before);
    expect(storedFiles()).toHaveLength(2);
    expect((await settings()).usedBytes).toBe(2 * MEDIA_BYTES);
  });

  it('bounds the upload spooled to the temp dir', async () => {
    await start({ WASYNC_IMPORT_MAX_BYTES: '64kb' });
    const refused = await upload(
      Buffer.alloc(100 * 1024, '[31.12.20, 21:15:10] Ana Lima: hi\n'),
      undefined,
      'text/plain',
    );
    expect(refused.statusCode).toBe(413);
    expect(refused.json().error).toMatchObject({
      code: 'export_too_large',
      details: { limit: 'totalBytes' },
    });
    expect(await messageCount()).toBe(0);
  });
});
