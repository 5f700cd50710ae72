import type { Kysely, Transaction } from 'kysely';
import type { SecretBox } from '../core/secret-box.js';
import { alertSmtpContext, alertWebhookContext } from './repositories/alerts.js';
import { oauthAppContext } from './repositories/oauth.js';
import { privacyKeyContext } from './repositories/tombstones.js';
import type { Database } from './schema.js';

/**
 * Every value sealed with the secret key, with the context it was sealed under: CRM credentials (the
 * connection id) and token sessions (`<connection id>:session`), Cloud API secrets (the account id),
 * linked-device session keys and the tombstone hash keys (TombstoneRepository), OAuth apps' client
 * secrets (OAuthService), alert webhook secrets and SMTP passwords (AlertService). Authorizations under way (oauth_requests) live ten minutes and are left out:
 * one that no longer opens fails as expired. Keep in step with the places that seal (ConnectionService,
 * WhatsAppCloudService, storedAuthState, TombstoneRepository).
 */
interface SealedValue {
  context: string;
  sealed: string;
  /** Writes the value re-sealed (key rotation). */
  replace(trx: Transaction<Database>, sealed: string): Promise<void>;
}

async function* sealedValues(db: Kysely<Database>, limitPerKind?: number): AsyncGenerator<SealedValue> {
  const limited = <Q extends { limit(n: number): Q }>(query: Q) =>
    limitPerKind === undefined ? query : query.limit(limitPerKind);
  for (const row of await limited(db.selectFrom('crm_connections').select(['id', 'credentials'])).execute())
    yield {
      context: row.id,
      sealed: row.credentials,
      replace: (trx, sealed) =>
        trx
          .updateTable('crm_connections')
          .set({ credentials: sealed })
          .where('id', '=', row.id)
          .execute()
          .then(),
    };
  // A CRM connection's token session (the CRM kit's token holder), sealed under `<connection id>:session`.
  for (const row of await limited(
    db
      .selectFrom('crm_token_leases')
      .select(['connection_id', 'sealed_session'])
      .where('sealed_session', 'is not', null),
  ).execute())
    if (row.sealed_session !== null)
      yield {
        context: `${row.connection_id}:session`,
        sealed: row.sealed_session,
        replace: (trx, sealed) =>
          trx
            .updateTable('crm_token_leases')
            .set({ sealed_session: sealed })
            .where('connection_id', '=', row.connection_id)
            .execute()
            .then(),
      };
  for (const row of await limited(
    db.selectFrom('whatsapp_cloud_accounts').select(['account_id', 'credentials']),
  ).execute())
    yield {
      context: row.account_id,
      sealed: row.credentials,
      replace: (trx, sealed) =>
        trx
          .updateTable('whatsapp_cloud_accounts')
          .set({ credentials: sealed })
          .where('account_id', '=', row.account_id)
          .execute()
          .then(),
    };
  for (const row of await limited(
    db.selectFrom('whatsapp_web_auth').select(['account_id', 'kind', 'key_id', 'value']),
  ).execute())
    yield {
      context: `whatsapp-web:${row.account_id}:${row.kind}:${row.key_id}`,
      sealed: row.value,
      replace: (trx, sealed) =>
        trx
          .updateTable('whatsapp_web_auth')
          .set({ value: sealed })
          .where('account_id', '=', row.account_id)
          .where('kind', '=', row.kind)
          .where('key_id', '=', row.key_id)
          .execute()
          .then(),
    };
  for (const row of await limited(
    db.selectFrom('privacy_keys').select(['workspace_id', 'sealed_key']),
  ).execute())
    yield {
      context: privacyKeyContext(row.workspace_id),
      sealed: row.sealed_key,
      replace: (trx, sealed) =>
        trx
          .updateTable('privacy_keys')
          .set({ sealed_key: sealed })
          .where('workspace_id', '=', row.workspace_id)
          .execute()
          .then(),
    };
  for (const row of await limited(
    db.selectFrom('oauth_apps').select(['workspace_id', 'kind', 'credentials']),
  ).execute())
    yield {
      context: oauthAppContext(row.workspace_id, row.kind),
      sealed: row.credentials,
      replace: (trx, sealed) =>
        trx
          .updateTable('oauth_apps')
          .set({ credentials: sealed })
          .where('workspace_id', '=', row.workspace_id)
          .where('kind', '=', row.kind)
          .execute()
          .then(),
    };
  for (const row of await limited(
    db
      .selectFrom('alert_settings')
      .select(['workspace_id', 'webhook_secret'])
      .where('webhook_secret', 'is not', null),
  ).execute())
    if (row.webhook_secret !== null)
      yield {
        context: alertWebhookContext(row.workspace_id),
        sealed: row.webhook_secret,
        replace: (trx, sealed) =>
          trx
            .updateTable('alert_settings')
            .set({ webhook_secret: sealed })
            .where('workspace_id', '=', row.workspace_id)
            .execute()
            .then(),
      };
  for (const row of await limited(
    db
      .selectFrom('alert_settings')
      .select(['workspace_id', 'smtp_password'])
      .where('smtp_password', 'is not', null),
  ).execute())
    if (row.smtp_password !== null)
      yield {
        context: alertSmtpContext(row.workspace_id),
        sealed: row.smtp_password,
        replace: (trx, sealed) =>
          trx
            .updateTable('alert_settings')
            .set({ smtp_password: sealed })
            .where('workspace_id', '=', row.workspace_id)
            .execute()
            .then(),
      };
}

export class SecretKeyMismatchError extends Error {
  constructor() {
    super(
      'The secret key does not open the secrets stored in this database (CRM credentials, Cloud API ' +
        'secrets or linked-device sessions): they were sealed with another key. Start every process that ' +
        'shares this database with the same WASYNC_SECRET_KEY (or WASYNC_SECRET_KEY_FILE); to change the ' +
        'key, use `wasync rotate-key` (README, "Rotating the secret key").',
    );
    this.name = 'SecretKeyMismatchError';
  }
}

/**
 * Refuses a key that cannot open what is stored, at start rather than on the first webhook or sync:
 * a second process with a key of its own would otherwise answer every delivery with a 500. Opens the
 * first stored value of each kind, which is enough to tell one key from another.
 */
export async function checkSecretKey(db: Kysely<Database>, box: SecretBox): Promise<void> {
  for await (const value of sealedValues(db, 1)) {
    try {
      box.open(value.sealed, value.context);
    } catch {
      throw new SecretKeyMismatchError();
    }
  }
}

/**
 * Re-seals every stored secret from one key to another in a single transaction: either all of them
 * open with the new key afterwards, or (any value failing to open with the old key) none was changed.
 */
export async function resealSecrets(db: Kysely<Database>, from: SecretBox, to: SecretBox): Promise<number> {
  const values: SealedValue[] = [];
  for await (const value of sealedValues(db)) values.push(value);
  const resealed = values.map((value) => {
    try {
      return to.seal(from.open(value.sealed, value.context), value.context);
    } catch {
      throw new SecretKeyMismatchError();
    }
  });
  await db.transaction().execute(async (trx) => {
    for (const [index, value] of values.entries()) await value.replace(trx, resealed[index] as string);
  });
  return values.length;
}
