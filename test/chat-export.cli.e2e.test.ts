import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runWasync } from './support/cli.js';

/** `wasync import` as a user runs it: `node --import tsx src/cli/run.ts import …` on a fresh data dir. */
const FIXTURE = 'test/fixtures/chat-export/group_mmddyyyy_12hrs.txt';

let dataDir: string;
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 }));

const runCli = (args: string[]) => runWasync(args, { WASYNC_DATA_DIR: dataDir, WASYNC_TIME_ZONE: 'UTC' });

it('imports a fixture, prints the summary, and status shows the messages', { timeout: 60_000 }, async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-cli-import-'));
  const first = await runCli(['import', FIXTURE, '--account', '+1 415 555 2671']);
  expect(first.stderr).not.toContain('wasync:');
  expect(first.code).toBe(0);
  expect(first.stdout).toContain('Imported the group group_mmddyyyy_12hrs (11 lines, dates mdy)');
  expect(first.stdout).toContain('messages: 9 (9 new, 0 already there; 3 system)');
  expect(first.stdout).toContain('media: 0 found, 0 missing, 0 left out of the export');
  expect(first.stdout).toContain('lines skipped: 0');

  const again = await runCli(['import', FIXTURE, '--account', '+14155552671', '--json']);
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout)).toMatchObject({ messages: { total: 9, new: 0, existing: 9 } });

  const status = await runCli(['status', '--json']);
  expect(JSON.parse(status.stdout).accounts).toEqual([
    expect.objectContaining({ phone: '+14155552671', source: 'chat_export', chats: 1, messages: 9 }),
  ]);

  const bad = await runCli(['import', 'package.json', '--account', '+14155552671']);
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toContain('(export_invalid)');
});
