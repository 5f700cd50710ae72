import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SecretBox } from '../src/core/secret-box.js';
import { openServices } from '../src/services.js';
import { rotateSecretKey } from '../src/store/rotate-key.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

const silent = pino({ level: 'silent' });
const OTHER_KEY = 'another-process-generated-this-key-0123456789';

describeEachDatabase('one secret key for one database', (database) => {
  let h: Harness;
  const dirs: string[] = [];
  beforeEach(async () => {
    h = await startHarness(database);
  });
  afterEach(async () => {
    await h.close();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A Cloud API account: its access token and app secret are sealed with the key. */
  const createSealedSecrets = async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: h.auth,
      payload: {
        phone: '+1 415 555 2671',
        sourceKind: 'whatsapp_cloud',
        cloud: { phoneNumberId: '1122334455667', accessToken: 'EAAG-key-test', appSecret: 'key-test-secret' },
      },
    });
    expect(response.statusCode).toBe(201);
    return (response.json() as { id: string }).id;
  };
  const storedCredentials = async (accountId: string) =>
    (
      await h.services.store.sql.db
        .selectFrom('whatsapp_cloud_accounts')
        .select('credentials')
        .where('account_id', '=', accountId)
        .executeTakeFirstOrThrow()
    ).credentials;

  it('refuses at start a second process whose key cannot open the stored secrets', async () => {
    await createSealedSecrets();
    await expect(openServices({ ...h.config, secretKey: OTHER_KEY }, silent)).rejects.toThrow(
      /The secret key does not open the secrets stored in this database/,
    );
    // The same key (configured on Postgres, the data dir's file on SQLite) starts.
    const same = await openServices(h.config, silent);
    await same.close();
  });

  it('generates no key for Postgres: a process without one is refused; SQLite uses its data dir key', async () => {
    const keyless = { ...h.config, secretKey: undefined, secretKeyFile: undefined };
    if (database.dialect === 'postgres') {
      await expect(openServices(keyless, silent)).rejects.toThrow(/With Postgres, set WASYNC_SECRET_KEY/);
    } else {
      const started = await openServices(keyless, silent);
      expect(started.secretKey).toBe(h.services.secretKey);
      await started.close();
    }
  });

  it('rotate-key re-seals every stored secret: the new key opens them, the old one is refused', async () => {
    const accountId = await createSealedSecrets();
    const oldKey = h.services.secretKey;
    const newKey = 'the-new-key-after-rotation-0123456789-abcdef';
    const rotated = await rotateSecretKey(h.config, newKey);
    expect(rotated.resealed).toBe(1);
    const secrets = JSON.parse(new SecretBox(newKey).open(await storedCredentials(accountId), accountId));
    expect(secrets).toMatchObject({ accessToken: 'EAAG-key-test', appSecret: 'key-test-secret' });
    await expect(openServices({ ...h.config, secretKey: oldKey }, silent)).rejects.toThrow(
      /does not open the secrets stored/,
    );
    if (database.dialect === 'sqlite') {
      // The generated key file now holds the new key, so the next start just works.
      expect(rotated.replacedKeyFile).toBe(path.join(h.config.dataDir, 'secret.key'));
      expect(fs.readFileSync(path.join(h.config.dataDir, 'secret.key'), 'utf8').trim()).toBe(newKey);
    }
    const restarted = await openServices({ ...h.config, secretKey: newKey }, silent);
    expect((await restarted.cloud.view(accountId))?.verifyToken).toBeDefined();
    // The rotation is in the audit log, by the command line, without either key.
    const audited = await restarted.store.audit.list(
      restarted.workspace.id,
      { action: 'secret_key' },
      { limit: 5 },
    );
    expect(audited.data.map((e) => [e.action, e.actor.via, e.details])).toEqual([
      ['secret_key.rotated', 'cli', { resealed: 1 }],
    ]);
    expect(JSON.stringify(audited)).not.toContain(newKey);
    await restarted.close();
  });

  it("rotate-key re-seals a CRM connection's token session beside its credentials", async () => {
    const { id } = await h.services.connections.create(h.services.workspace.id, {
      kind: 'salesforce',
      name: 'Org',
      loginUrl: 'http://127.0.0.1:9',
      auth: { flow: 'client_credentials', clientId: 'id', clientSecret: 'secret' },
    });
    const session = { accessToken: '00Dx!session', instanceUrl: 'http://127.0.0.1:9' };
    const context = `${id}:session`;
    await h.services.store.connections.storeTokenSession(
      id,
      new SecretBox(h.services.secretKey).seal(JSON.stringify(session), context),
    );
    const newKey = 'the-new-key-after-rotation-0123456789-abcdef';
    expect((await rotateSecretKey(h.config, newKey)).resealed).toBe(2);
    const sealed = await h.services.store.connections.tokenSession(id);
    expect(JSON.parse(new SecretBox(newKey).open(sealed ?? '', context))).toEqual(session);
  });

  it('creates the data dir (and a SQLite file) readable by their owner only', async () => {
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-perm-')), 'nested', 'data');
    dirs.push(path.dirname(path.dirname(dataDir)));
    const config = { ...h.config, dataDir };
    if (config.database.dialect === 'sqlite')
      config.database = { dialect: 'sqlite', file: path.join(dataDir, 'wasync.db') };
    const services = await openServices(config, silent);
    await services.close();
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    if (config.database.dialect === 'sqlite')
      expect(fs.statSync(config.database.file).mode & 0o777).toBe(0o600);
  });
});
