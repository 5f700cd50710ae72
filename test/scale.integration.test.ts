import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import { describePostgres } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { describeWithRedis, dropPrefix, uniquePrefix } from './support/redis.js';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';
import { TEST_POSTGRES_SECRET_KEY } from './support/secret-key.js';
import { type WasyncProcess as Proc, startWasync } from './support/wasync-process.js';

/**
 * Scale mode as it is deployed: one API process (`wasync serve --role api`) and three workers
 * (`wasync worker`), real processes started from the sources, on the test Postgres and Redis. Messages
 * across many chats reach two Salesforce sandbox orgs through the REST ingest of the API process; a
 * worker is killed with SIGKILL while it runs a connection and another is started. Every message lands
 * on its record exactly once in both orgs, no org refused a request for its limits, and the live page
 * on the API process saw the runs of every worker.
 *
 * The size is WASYNC_SCALE_PEOPLE chats × WASYNC_SCALE_MESSAGES_PER_CHAT messages (defaults: 1,000 ×
 * 100 = 100,000 messages).
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PEOPLE = Number(process.env.WASYNC_SCALE_PEOPLE ?? 1_000);
const PER_CHAT = Number(process.env.WASYNC_SCALE_MESSAGES_PER_CHAT ?? 100);
const BATCH = 1_000;

async function until(what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The live page of the workspace, on the API process: every `sync` event it heard. */
function openLivePage(url: string, token: string) {
  const events: { connectionId: string; state: string; by?: string }[] = [];
  const controller = new AbortController();
  const done = (async () => {
    const response = await fetch(`${url}/api/v1/events`, {
      headers: { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (/^event: sync$/m.test(frame)) {
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (data) events.push(JSON.parse(data));
        }
        end = buffer.indexOf('\n\n');
      }
    }
  })().catch(() => undefined);
  return { events, close: () => controller.abort(), done };
}

const TOKEN = /\[s(\d+)\]/g;

/** Tokens per record in an org's chat records: each must be there once, on the record it was meant for. */
async function tokensByRecord(org: TestOrg): Promise<Map<string, Map<number, number>>> {
  const byRecord = new Map<string, Map<number, number>>();
  for (const row of await org.records('WhatsApp_Chat__c')) {
    const record = String(row.Contact__c ?? row.Lead__c);
    const counts = byRecord.get(record) ?? new Map<number, number>();
    for (const match of String(row.Transcript__c ?? '').matchAll(TOKEN)) {
      const token = Number(match[1]);
      counts.set(token, (counts.get(token) ?? 0) + 1);
    }
    byRecord.set(record, counts);
  }
  return byRecord;
}

describeWithRedis('scale mode', (redisUrl) => {
  describePostgres('one API process and three workers', (database) => {
    let h: Harness;
    let orgs: TestOrg[];
    let prefix: string;
    const procs: Proc[] = [];
    let env: Record<string, string>;
    let account: Account;
    /** Record id per person, per org; and the tokens each person's chat carries. */
    const records: Map<number, string>[] = [];

    beforeAll(async () => {
      prefix = uniquePrefix('scale');
      orgs = [await startTestOrg(), await startTestOrg()];
      h = await startHarness(database, { REDIS_URL: redisUrl, WASYNC_REDIS_PREFIX: prefix });
      if (h.config.database.dialect !== 'postgres') throw new Error('scale mode runs on Postgres');
      account = await h.createAccount('+14155550000');
      for (const [n, org] of orgs.entries()) {
        const byPerson = new Map<number, string>();
        for (let person = 0; person < PEOPLE; person++) {
          const id = await org.seed('Contact', {
            FirstName: `Person${person}`,
            LastName: 'Scale',
            MobilePhone: phoneOf(person),
          });
          byPerson.set(person, id);
        }
        records.push(byPerson);
        await h.services.connections.create(h.services.workspace.id, org.connectionInput(`Org ${n + 1}`));
      }
      env = {
        DATABASE_URL: h.config.database.url,
        REDIS_URL: redisUrl,
        WASYNC_REDIS_PREFIX: prefix,
        WASYNC_SECRET_KEY: TEST_POSTGRES_SECRET_KEY,
        WASYNC_OUTBOUND_ALLOW: '127.0.0.1,localhost',
        WASYNC_SYNC_INTERVAL: '10s',
        WASYNC_PASSWORD_COST: '12',
        WASYNC_LOG_LEVEL: 'warn',
        WASYNC_HOST: '127.0.0.1',
        WASYNC_PORT: '0',
      };
    }, 600_000);

    afterAll(async () => {
      for (const proc of procs) if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
      await h?.close();
      for (const org of orgs ?? []) await org.close();
      await dropPrefix(redisUrl, prefix);
      for (const proc of procs) {
        const dir = proc.child.spawnargs.includes('worker') ? 'worker' : 'api';
        if (process.env.WASYNC_SCALE_KEEP_LOGS) {
          fs.writeFileSync(path.join(ROOT, `artifacts/scale-${dir}-${proc.child.pid}.log`), proc.output());
        }
      }
    });

    it('brings every message to both orgs exactly once across a worker killed mid-run', {
      timeout: 1_800_000,
    }, async () => {
      const dataDir = (name: string) => fs.mkdtempSync(path.join(h.config.dataDir, `${name}-`));
      const api = startWasync(['serve', '--role', 'api'], { ...env, WASYNC_DATA_DIR: dataDir('api') });
      procs.push(api);
      const apiUrl = await api.url;
      const workers = [0, 1, 2].map((n) =>
        startWasync(['worker'], { ...env, WASYNC_DATA_DIR: dataDir(`w${n}`) }),
      );
      procs.push(...workers);
      await Promise.all(workers.map((worker) => worker.url));
      const page = openLivePage(apiUrl, h.token);

      // The messages, through the API process's REST ingest, a batch at a time.
      let sequence = 0;
      const start = Date.now() - 2 * 3_600_000;
      const batch: Record<string, unknown>[] = [];
      const post = async () => {
        const response = await fetch(`${apiUrl}/api/v1/accounts/${account.id}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ messages: batch.splice(0) }),
        });
        expect(response.status, await response.text()).toBe(200);
      };
      for (let round = 0; round < PER_CHAT; round++) {
        for (let person = 0; person < PEOPLE; person++) {
          sequence++;
          batch.push({
            id: `wamid.scale-${sequence}`,
            chat: { type: 'direct', with: phoneOf(person) },
            timestamp: new Date(start + round * 60_000 + person).toISOString(),
            text: `[s${sequence}] message ${round} of person ${person}`,
          });
          if (batch.length === BATCH) await post();
        }
      }
      if (batch.length > 0) await post();

      // A worker is killed with SIGKILL while it holds a connection's run, and another is started.
      let victim: Proc | undefined;
      await until(
        'a worker running a connection',
        async () => {
          const held = await h.services.store.sql.db
            .selectFrom('sync_jobs')
            .select('lease_owner')
            .where('lease_until', '>', Date.now())
            .execute();
          victim = workers.find((worker) => held.some((row) => row.lease_owner === worker.owner));
          return victim !== undefined;
        },
        300_000,
      );
      victim?.child.kill('SIGKILL');
      const replacement = startWasync(['worker'], { ...env, WASYNC_DATA_DIR: dataDir('w3') });
      procs.push(replacement);
      await replacement.url;

      // Every message on its record, once, in both orgs.
      const complete = async () => {
        for (const [n, org] of orgs.entries()) {
          const byRecord = await tokensByRecord(org);
          const seen = [...byRecord.values()].reduce((sum, counts) => sum + counts.size, 0);
          if (seen < PEOPLE * PER_CHAT) return false;
          if (records[n] === undefined) return false;
        }
        return true;
      };
      await until('every message in both orgs', complete, 1_500_000);
      for (const [n, org] of orgs.entries()) {
        const byRecord = await tokensByRecord(org);
        const byPerson = records[n] ?? new Map<number, string>();
        let wrong = 0;
        for (let token = 1; token <= PEOPLE * PER_CHAT; token++) {
          const person = (token - 1) % PEOPLE;
          const record = byPerson.get(person) ?? '';
          if (byRecord.get(record)?.get(token) !== 1) wrong++;
        }
        expect(wrong, `messages not exactly once on their record in org ${n + 1}`).toBe(0);
        const total = [...byRecord.values()].reduce(
          (sum, counts) => sum + [...counts.values()].reduce((a, b) => a + b, 0),
          0,
        );
        expect(total, `tokens written in org ${n + 1}`).toBe(PEOPLE * PER_CHAT);
        // No request was refused for the org's limits.
        const counters = (await org.counters()) as { apiUsage: { used: number; limit: number } };
        expect(counters.apiUsage.used).toBeLessThan(counters.apiUsage.limit);
        expect(JSON.stringify(counters)).not.toContain('REQUEST_LIMIT_EXCEEDED');
      }

      // The page on the API process heard runs of every worker still running, the replacement included.
      const alive = [...workers.filter((worker) => worker !== victim), replacement];
      await until(
        'a run of every worker on the live page',
        async () => alive.every((worker) => page.events.some((event) => event.by === worker.owner)),
        300_000,
      );
      page.close();
      expect(victim).toBeDefined();
    });
  });
});

function phoneOf(person: number): string {
  return `+1415${String(2_000_000 + person).padStart(7, '0')}`;
}
