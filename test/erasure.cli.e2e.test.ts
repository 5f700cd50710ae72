import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runWasync } from './support/cli.js';

/** `wasync erase`, `export-person` and `tombstone` as a user runs them, on a fresh data dir. */
const ANA = '+5511987654321';

let dataDir: string;
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 }));

const runCli = (args: string[]) =>
  runWasync(args, { WASYNC_DATA_DIR: dataDir, WASYNC_TIME_ZONE: 'UTC', WASYNC_DEFAULT_REGION: 'BR' });

it('exports a person, previews and erases them, and keeps their chat out of a re-import until lifted', {
  timeout: 90_000,
}, async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-cli-erase-'));
  const chat = path.join(dataDir, 'chat.txt');
  fs.writeFileSync(chat, '25/02/24, 10:00 - Ana Souza: hello\n25/02/24, 10:05 - Me: hi Ana\n');
  const importArgs = [
    'import',
    chat,
    '--account',
    '+1 415 555 2671',
    '--chat-with',
    ANA,
    '--me',
    'Me',
    '--date-order',
    'dmy',
  ];
  const imported = await runCli(importArgs);
  expect(imported.stderr).not.toContain('wasync:');
  expect(imported.code).toBe(0);

  const zip = path.join(dataDir, 'ana.zip');
  const exported = await runCli(['export-person', ANA, '--out', zip]);
  expect(exported.stderr).toBe('');
  expect(exported.stdout).toContain('2 messages, 0 media files');
  expect(fs.readFileSync(zip).subarray(0, 2).toString()).toBe('PK');

  const preview = await runCli(['erase', '011 98765 4321', '--json']);
  expect(preview.stderr).toBe('');
  expect(JSON.parse(preview.stdout)).toMatchObject({
    dryRun: true,
    removed: { messages: 2, directChats: 1 },
  });

  const erased = await runCli(['erase', ANA, '--yes']);
  expect(erased.code).toBe(0);
  expect(erased.stdout).toContain('Erased +55 ••• 21');
  const listed = await runCli(['tombstone', 'list']);
  expect(listed.stdout).toContain('+55 ••• 21');

  const again = await runCli(importArgs);
  expect(again.stdout).toContain('2 left out: erased person');
  expect((await runCli(['export-person', ANA, '--out', zip])).stderr).toContain('holds nothing');

  expect((await runCli(['tombstone', 'lift', ANA])).code).toBe(0);
  const back = await runCli(importArgs);
  expect(back.stdout).toContain('messages: 2 (2 new');
});
