import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices, type Services } from '../src/services.js';
import { describePostgres } from './support/databases.js';
import { OWN_FIXTURES } from './support/fixtures.js';
import { describeWithRedis, dropPrefix, uniquePrefix } from './support/redis.js';
import {
  browserSkipped,
  startWorkspaceInBrowser,
  type WorkspaceInBrowser,
} from './support/workspace-browser.js';

const skipped = browserSkipped();

/**
 * The workspace's import form in scale mode: the upload is answered 202, the page follows the queued
 * import until a worker (another process on the same database and Redis) has imported it, and shows the
 * same summary as embedded mode; a bad file shows its error.
 */
describe.skipIf(skipped !== undefined)(
  `Chat-export import in scale mode, in a browser${skipped ? ` (skipped: ${skipped})` : ''}`,
  { timeout: 120_000 },
  () => {
    describeWithRedis('queued imports', (redisUrl) => {
      describePostgres('an API process and a worker', (database) => {
        let workspace: WorkspaceInBrowser;
        let worker: Services;
        let prefix: string;
        let dir: string;

        beforeAll(async () => {
          prefix = uniquePrefix('imports-browser');
          workspace = await startWorkspaceInBrowser({
            database,
            env: { REDIS_URL: redisUrl, WASYNC_REDIS_PREFIX: prefix },
          });
          worker = await openServices(workspace.h.config, pino({ level: 'silent' }), { role: 'worker' });
          worker.syncWorker.start();
          dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-export-'));
        });
        afterAll(async () => {
          await worker?.close();
          await workspace?.close();
          await dropPrefix(redisUrl, prefix);
          fs.rmSync(dir, { recursive: true, force: true });
        });

        it('follows the queued import to its summary, and shows a bad file its error', async () => {
          const { h, url, page, errors } = workspace;
          const account = await h.createAccount('+14155552671', 'chat_export');
          await page.goto(`${url}/numbers`);
          await page.getByRole('button', { name: 'Import a chat export' }).click();
          const form = page.getByRole('form', { name: 'Import a chat export' });
          await form
            .getByLabel('Export file')
            .setInputFiles(path.join(OWN_FIXTURES, 'chat-export', 'group_ddmmyy_24hrs.txt'));
          await form.getByRole('button', { name: 'Upload and import' }).click();
          await form.getByText(/^Imported the group .*: 9 new messages \(0 already there/).waitFor();
          // It went through the queue: a worker ran it.
          const [done] = await h.services.store.imports.recent(account.id, 10);
          expect(done).toMatchObject({ state: 'done', attempts: 1 });

          const bad = path.join(dir, 'WhatsApp Chat with Ana.txt');
          fs.writeFileSync(
            bad,
            Buffer.from('1/13/21, 10:00 - Ana: hi\n1/13/21, 10:01 - Bob: café', 'latin1'),
          );
          await form.getByLabel("Other person's number (1:1 chats)").fill('+5511987654321');
          await form.getByLabel('Export file').setInputFiles(bad);
          await form.getByRole('button', { name: 'Upload and import' }).click();
          await form.getByText(/The chat text is not UTF-8/).waitFor();
          const [failed] = await h.services.store.imports.recent(account.id, 10);
          expect(failed).toMatchObject({ state: 'failed', error: { code: 'export_not_utf8' } });
          expect(errors).toEqual([]);
        });
      });
    });
  },
);
