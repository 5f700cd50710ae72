import fs from 'node:fs';
import type { Kysely } from 'kysely';
import type { Config } from '../config/index.js';
import { SecretBox } from '../core/secret-box.js';
import { openDatabase } from './database.js';
import { AuditRepository } from './repositories/audit.js';
import type { Database } from './schema.js';
import { resealSecrets } from './sealed-secrets.js';
import { dataDirKeyFile, resolveSecretKey } from './secret-key.js';

export interface RotatedKey {
  /** How many stored secrets were re-sealed. */
  resealed: number;
  /** Set when the key lived in the data dir's secret.key: the file now holds the new key. */
  replacedKeyFile: string | undefined;
}

/**
 * Re-seals every stored secret from the configured key to `newKey`, in one transaction. Run it with
 * every other wasync process on this database stopped (they would go on sealing with the old key).
 * When the old key came from the generated `<dataDir>/secret.key`, that file is replaced with the new
 * key (written beside it first, renamed over it after the commit); otherwise the operator puts the new
 * key into WASYNC_SECRET_KEY / WASYNC_SECRET_KEY_FILE of every process before starting them again.
 */
export async function rotateSecretKey(config: Config, newKey: string): Promise<RotatedKey> {
  if (newKey.length < 32) throw new Error('the new secret key must be at least 32 characters');
  const oldKey = resolveSecretKey({ ...config, dialect: config.database.dialect });
  if (newKey === oldKey) throw new Error('the new secret key is the key in use');
  const usesDataDirKey = !config.secretKey && !config.secretKeyFile;
  const keyFile = dataDirKeyFile(config.dataDir);
  const staged = `${keyFile}.next`;
  if (usesDataDirKey) fs.writeFileSync(staged, `${newKey}\n`, { mode: 0o600 });
  const sql = await openDatabase(config.database, { migrate: false });
  try {
    const resealed = await resealSecrets(sql.db, new SecretBox(oldKey), new SecretBox(newKey));
    if (usesDataDirKey) fs.renameSync(staged, keyFile);
    await auditRotation(sql.db, resealed);
    return { resealed, replacedKeyFile: usesDataDirKey ? keyFile : undefined };
  } catch (error) {
    if (usesDataDirKey) fs.rmSync(staged, { force: true });
    throw error;
  } finally {
    await sql.close();
  }
}

/**
 * Writes `secret_key.rotated` into each workspace's audit log. The rotation has happened by then; a
 * database whose schema predates the audit log (rotated before the new version first started) has
 * nowhere to write it, which does not undo the rotation.
 */
async function auditRotation(db: Kysely<Database>, resealed: number): Promise<void> {
  try {
    const workspaces = await db.selectFrom('workspaces').select('id').execute();
    const audit = new AuditRepository(db);
    for (const { id } of workspaces) {
      await audit.insert({
        workspaceId: id,
        occurredAt: Date.now(),
        actor: { via: 'cli', label: 'command line' },
        action: 'secret_key.rotated',
        details: { resealed },
      });
    }
  } catch {
    // no audit_events table yet: see above
  }
}
