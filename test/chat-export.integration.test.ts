import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import yazl from 'yazl';
import type { Account } from '../src/core/model.js';
import type { ExportLimits } from '../src/sources/chat-export/archive.js';
import { DEFAULT_LIMITS } from '../src/sources/chat-export/archive.js';
import { type ImportOptions, importChatExportFile } from '../src/sources/chat-export/import.js';
import { readBlob } from '../src/store/blobs/blob-store.js';
import { describeEachDatabase } from './support/databases.js';
import { OWN_FIXTURES } from './support/fixtures.js';
import { type Harness, startHarness } from './support/harness.js';

const FIXTURES = path.join(OWN_FIXTURES, 'chat-export');

interface ZipEntry {
  name: string;
  data: Buffer | string;
  mode?: number;
  compress?: boolean;
}

/** Builds a zip in memory; `rename` rewrites entry names afterwards (yazl refuses unsafe ones itself). */
function buildZip(entries: ZipEntry[], rename: [string, string][] = []): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) {
    zip.addBuffer(Buffer.from(entry.data), entry.name, {
      ...(entry.mode === undefined ? {} : { mode: entry.mode }),
      compress: entry.compress ?? true,
    });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => {
      let bytes = Buffer.concat(chunks);
      for (const [from, to] of rename) {
        if (from.length !== to.length) throw new Error('a rename keeps the length');
        bytes = Buffer.from(bytes.toString('latin1').replaceAll(from, to), 'latin1');
      }
      resolve(bytes);
    });
  });
}

const IOS_CHAT = [
  '\u200e[31.12.20, 21:15:00] Ana Lima: \u200eMessages and calls are end-to-end encrypted.',
  '[31.12.20, 21:15:10] Ana Lima: Olá! Happy new year',
  '[31.12.20, 21:15:42] Ana Lima: \u200e<attached: 00000012-PHOTO-2020-12-31-21-15-42.jpg>',
  '[31.12.20, 21:16:02] Sales Line: thanks, you too',
  '[31.12.20, 21:16:30] Sales Line: \u200e<attached: 00000013-PHOTO-2020-12-31-21-16-30.jpg>',
  '[31.12.20, 21:17:00] Ana Lima: \u200eaudio omitted',
  '[31.12.20, 21:18:00] Ana Lima: two lines',
  'second line',
].join('\r\n');

describeEachDatabase('chat-export import', (database) => {
  let h: Harness;
  let account: Account;
  let dir: string;

  beforeEach(async () => {
    h = await startHarness(database, { WASYNC_TIME_ZONE: 'America/Sao_Paulo' });
    const created = await h.services.store.accounts.create({
      workspaceId: h.services.workspace.id,
      phone: '+14155552671',
      sourceKind: 'chat_export',
      displayName: 'Sales Line',
    });
    if (!created) throw new Error('no account');
    account = created;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-export-'));
  });
  afterEach(async () => {
    await h.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const write = (name: string, data: Buffer | string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, data);
    return file;
  };
  const run = (file: string, options: Partial<ImportOptions> = {}, limits?: ExportLimits) =>
    importChatExportFile(
      { ingest: h.services.ingest, blobs: h.services.store.blobs },
      file,
      path.basename(file),
      {
        account,
        timeZone: 'America/Sao_Paulo',
        defaultRegion: undefined,
        mediaMaxBytes: 1024 * 1024,
        ...(limits ? { limits } : {}),
        ...options,
      },
    );
  const messageCount = async () =>
    (await h.services.store.accounts.stats(h.services.workspace.id)).get(account.id)?.messages ?? 0;
  const messages = async () => {
    const chats = (await h.app.inject({ method: 'GET', url: '/api/v1/chats', headers: h.auth })).json().data;
    const all = [];
    for (const chat of chats) {
      const page = await h.app.inject({
        method: 'GET',
        url: `/api/v1/chats/${chat.id}/messages?limit=200`,
        headers: h.auth,
      });
      all.push(...page.json().data.map((m: Record<string, unknown>) => ({ ...m, chat })));
    }
    return all;
  };

  it('imports a fixture as a group chat, and a second import adds nothing', async () => {
    const file = path.join(FIXTURES, 'group_ddmmyy_24hrs.txt');
    const first = await run(file);
    expect(first).toMatchObject({
      chat: { kind: 'group', title: 'group_ddmmyy_24hrs' },
      dateOrder: 'dmy',
      lines: 11,
      messages: { total: 9, new: 9, existing: 0, system: 3 },
      skipped: { total: 0 },
    });
    const stored = await messages();
    expect(stored).toHaveLength(9);
    const bruno = stored.find((m) => m.text?.startsWith('Thanks for the quote,\n'));
    // 20:49 in São Paulo (UTC-2 in that summer of 2019).
    expect(bruno).toMatchObject({ timestamp: '2019-01-30T22:49:00.000Z', type: 'text' });
    const again = await run(file);
    expect(again.messages).toMatchObject({ total: 9, new: 0, existing: 9 });
    expect(await messageCount()).toBe(9);
  });

  it('an overlapping newer export adds only the new messages', async () => {
    const older = ['1/2/21, 10:00 - Ana: one', '1/2/21, 10:00 - Ana: one', '1/13/21, 10:01 - Bob: two'];
    const newer = [...older.slice(1), '1/13/21, 10:01 - Bob: two', '1/14/21, 11:00 - Ana: three'];
    const a = await run(write('WhatsApp Chat with Team.txt', older.join('\n')));
    expect(a.messages.new).toBe(3);
    // The newer export starts mid-minute: its one "one" is the first of that minute, already there.
    const b = await run(write('WhatsApp Chat with Team.txt', newer.join('\n')));
    expect(b.chat).toMatchObject({ kind: 'group', title: 'Team' });
    expect(b.messages).toMatchObject({ total: 4, new: 2, existing: 2 });
    expect(await messageCount()).toBe(5);
  });

  it('imports an iOS zip with media, links the 1:1 partner to --chat-with and finds the owner', async () => {
    const photo = Buffer.from('jpeg bytes of a photo');
    const zip = await buildZip([
      { name: '_chat.txt', data: IOS_CHAT },
      { name: '00000012-PHOTO-2020-12-31-21-15-42.jpg', data: photo, compress: false },
    ]);
    const summary = await run(write('WhatsApp Chat - Ana Lima.zip', zip), { chatWith: '+55 11 98765-4321' });
    expect(summary).toMatchObject({
      chat: { kind: 'direct', key: 'direct:+5511987654321' },
      authors: { me: 'Sales Line', others: 1 },
      messages: { total: 7, new: 7, system: 1 },
      media: { found: 1, missing: 1, omitted: 1 },
    });
    const stored = await messages();
    const image = stored.find((m) => m.media?.state === 'stored');
    expect(image).toMatchObject({
      type: 'image',
      fromMe: false,
      media: { size: photo.length, mimeType: 'image/jpeg' },
    });
    expect(stored.find((m) => m.text === 'thanks, you too')).toMatchObject({ fromMe: true });
    expect(stored.find((m) => m.text === 'two lines\nsecond line')).toBeDefined();
    expect(stored[0].chat.partner).toMatchObject({ phone: '+5511987654321' });
    const sha = image.media.sha256 as string;
    expect(await readBlob(h.services.store.blobs, sha)).toEqual(photo);
  });

  it('asks for --chat-with when a 1:1 partner has only a name, and for --date-order when nothing tells', async () => {
    const oneToOne = write('chat.txt', '1/13/21, 10:00 - Sales Line: hi\n1/13/21, 10:01 - Ana: hello');
    await expect(run(oneToOne)).rejects.toMatchObject({
      code: 'export_ambiguous',
      details: { option: 'chatWith' },
    });
    const ambiguous = write('amb.txt', '1/2/21, 10:00 - Ana: one\n1/3/21, 10:00 - Bob: two');
    await expect(run(ambiguous)).rejects.toMatchObject({
      code: 'export_ambiguous',
      details: { option: 'dateOrder' },
    });
    const overridden = await run(ambiguous, { dateOrder: 'dmy' });
    expect(overridden).toMatchObject({ dateOrder: 'dmy', dateOrderDetected: false, messages: { new: 2 } });
  });

  it('imports a French Android export without --date-order: its language says day first', async () => {
    // Every date of the file (3 and 4 July) reads either way; the French notices decide.
    const summary = await run(path.join(FIXTURES, 'locales', 'fr-android.txt'));
    expect(summary).toMatchObject({
      dateOrder: 'dmy',
      dateOrderDetected: true,
      lines: 12,
      messages: { total: 10, new: 10, system: 5 },
      media: { omitted: 1, missing: 1 },
      skipped: { total: 0 },
      authors: { me: undefined, others: 2 },
    });
    const stored = await messages();
    expect(stored.filter((m) => m.type === 'system')).toHaveLength(5);
    // 09:15 in São Paulo (UTC-3) on 3 July 2025.
    expect(stored.find((m) => m.text?.startsWith('Bonjour à tous'))).toMatchObject({
      timestamp: '2025-07-03T12:15:00.000Z',
      type: 'text',
    });
  });

  it('takes the encryption notice under the account owner as a system line, with or without its mark', async () => {
    const chat = [
      '[03.07.25, 09:12:00] Sales Line: Сообщения и звонки защищены сквозным шифрованием. Подробнее.',
      '[03.07.25, 09:15:00] Ольга: Доброе утро!',
      '[03.07.25, 09:16:00] Ольга: \u200eизображение отсутствует',
    ].join('\r\n');
    const summary = await run(write('_chat.txt', chat), { chatWith: '+7 912 345-67-89' });
    // Were the notice a message, Sales Line would be an author and the owner.
    expect(summary).toMatchObject({
      chat: { kind: 'direct', key: 'direct:+79123456789' },
      dateOrder: 'dmy',
      authors: { me: undefined, others: 1 },
      messages: { total: 3, system: 1 },
      media: { omitted: 1 },
    });
    const stored = await messages();
    expect(stored.find((m) => m.text?.startsWith('Сообщения и звонки'))).toMatchObject({ type: 'system' });
  });

  const hostile: [string, () => Promise<string>, string, ExportLimits?][] = [
    [
      'a ../ path',
      async () =>
        write(
          'traversal.zip',
          await buildZip(
            [
              { name: '_chat.txt', data: '1/13/21, 10:00 - Ana: hi' },
              { name: 'xx/evil.jpg', data: 'x' },
            ],
            [['xx/evil.jpg', '../evil.jpg']],
          ),
        ),
      'export_unsafe_entry',
    ],
    [
      'a symbolic link',
      async () =>
        write(
          'link.zip',
          await buildZip([
            { name: '_chat.txt', data: '1/13/21, 10:00 - Ana: hi' },
            { name: 'IMG-1.jpg', data: '/etc/passwd', mode: 0o120777 },
          ]),
        ),
      'export_unsafe_entry',
    ],
    [
      'a zip bomb by total size',
      async () =>
        write(
          'big.zip',
          await buildZip([
            { name: '_chat.txt', data: '1/13/21, 10:00 - Ana: hi' },
            { name: 'IMG-1.jpg', data: Buffer.alloc(20_000, 1), compress: false },
          ]),
        ),
      'export_too_large',
      { ...DEFAULT_LIMITS, maxTotalBytes: 10_000 },
    ],
    [
      'a zip bomb by compression ratio',
      async () =>
        write(
          'ratio.zip',
          await buildZip([
            { name: '_chat.txt', data: '1/13/21, 10:00 - Ana: hi' },
            { name: 'IMG-1.jpg', data: Buffer.alloc(4 * 1024 * 1024) },
          ]),
        ),
      'export_too_large',
    ],
    [
      'binary text',
      async () =>
        write('bin.txt', Buffer.concat([Buffer.from('1/13/21, 10:00 - Ana: hi\n'), Buffer.alloc(64)])),
      'export_binary',
    ],
    [
      'a line of 17 MB',
      async () =>
        write(
          'long.txt',
          Buffer.concat([Buffer.from('1/13/21, 10:00 - Ana: hi\n'), Buffer.alloc(17 * 1024 * 1024, 0x61)]),
        ),
      'export_line_too_long',
    ],
    [
      'non-UTF-8 text',
      async () =>
        write('latin1.txt', Buffer.from('1/13/21, 10:00 - Ana: hi\n1/13/21, 10:01 - Bob: café', 'latin1')),
      'export_not_utf8',
    ],
    ['a text without any message line', async () => write('none.txt', 'hello\nworld\n'), 'export_invalid'],
    [
      'a zip without chat text',
      async () => write('empty.zip', await buildZip([{ name: 'a.jpg', data: 'x' }])),
      'export_invalid',
    ],
  ];

  it.each(hostile)('refuses %s with its code and stores nothing', async (_name, make, code, limits) => {
    // Valid lines come first: a streaming importer that wrote as it read would have stored them.
    const file = await make();
    await expect(run(file, { chatWith: '+5511987654321' }, limits)).rejects.toMatchObject({ code });
    expect(await messageCount()).toBe(0);
  });

  it('the upload route imports a text export and answers the summary; a bad file gets its code', async () => {
    const body = fs.readFileSync(path.join(FIXTURES, 'group_mmddyyyy_12hrs.txt'));
    const response = await h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${account.id}/imports?chatName=Groupname&tz=UTC`,
      headers: { ...h.auth, 'content-type': 'text/plain' },
      payload: body,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      accountId: account.id,
      chat: { kind: 'group', title: 'Groupname' },
      dateOrder: 'mdy',
      messages: { total: 9, new: 9 },
    });
    const bad = await h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${account.id}/imports`,
      headers: { ...h.auth, 'content-type': 'application/zip' },
      payload: await buildZip(
        [{ name: 'xx/_chat.txt', data: 'x' }],
        [['xx/_chat.txt', '../_chat.tx']].map(([a, b]) => [a, `${b}t`] as [string, string]),
      ),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('export_unsafe_entry');
    const missing = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts/acc_nope/imports',
      headers: { ...h.auth, 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(missing.statusCode).toBe(404);
  });
});
