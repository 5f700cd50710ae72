import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { type Config, loadConfig } from '../../src/config/index.js';
import type { Account, SourceKind } from '../../src/core/model.js';
import { buildApp } from '../../src/server/app.js';
import {
  ensureFirstAdminToken,
  openServices,
  type ServiceOverrides,
  type Services,
} from '../../src/services.js';
import type { TestDatabase } from './databases.js';
import { secretKeyEnv } from './secret-key.js';

export interface Harness {
  services: Services;
  app: FastifyInstance;
  /** The admin token created on first start. */
  token: string;
  config: Config;
  /** Authorization header for `app.inject`. */
  auth: { authorization: string };
  /** A connected WhatsApp number to ingest into, straight through the store (a REST one by default). */
  createAccount(phone?: string, sourceKind?: SourceKind): Promise<Account>;
  /** Posts messages to the account through the REST ingest, as a client would; throws unless 200. */
  postMessages(account: Account, messages: readonly Record<string, unknown>[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A whole wasync (store, services, HTTP app) on a fresh database and data dir, built exactly as
 * `wasync serve` builds it, minus listen().
 */
export async function startHarness(
  database: TestDatabase,
  env: Record<string, string> = {},
  overrides: ServiceOverrides = {},
): Promise<Harness> {
  const created = await database.create();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-data-'));
  // Password hashes at a low cost: the tests sign in often, and the cost is read from each hash anyway.
  // The sandboxes and file servers of the tests listen on loopback over http: allow-listed here, on
  // purpose, unless a test gives its own list (the outbound-guard tests do).
  const config: Config = {
    ...loadConfig({
      WASYNC_DATA_DIR: dataDir,
      WASYNC_PASSWORD_COST: '12',
      WASYNC_OUTBOUND_ALLOW: '127.0.0.1,localhost,[::1]',
      // Postgres needs a key given (no generated one); SQLite keeps generating its own into the data dir.
      ...secretKeyEnv(created.config.dialect),
      // Read as the config reads it: scale mode (REDIS_URL) is refused without Postgres,
      // and the settings that depend on the database (WASYNC_MEDIA_STORE) are checked against this one.
      ...(created.config.dialect === 'postgres' ? { DATABASE_URL: created.config.url } : {}),
      ...env,
    }),
    database: created.config,
  };
  const services = await openServices(config, pino({ level: 'silent' }), overrides);
  const token = await ensureFirstAdminToken(services);
  if (!token) throw new Error('a fresh store should have no token');
  const app = await buildApp(services, { logger: false });
  return {
    services,
    app,
    token,
    config,
    auth: { authorization: `Bearer ${token}` },
    createAccount: async (phone = '+14155552671', sourceKind: SourceKind = 'rest') => {
      const account = await services.store.accounts.create({
        workspaceId: services.workspace.id,
        phone,
        sourceKind,
        displayName: undefined,
      });
      if (!account) throw new Error(`an account for ${phone} exists already`);
      return account;
    },
    postMessages: async (account, messages) => {
      const response = await app.inject({
        method: 'POST',
        url: `/api/v1/accounts/${account.id}/messages`,
        headers: { authorization: `Bearer ${token}` },
        payload: { messages },
      });
      if (response.statusCode !== 200)
        throw new Error(`ingest answered ${response.statusCode}: ${response.body}`);
    },
    close: async () => {
      await app.close();
      await services.close();
      await created.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
