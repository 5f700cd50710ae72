import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** A linked-device session's stored items, sealed by the caller: kind ("creds" or a key type), id, value. */
export class WhatsAppWebAuthRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(accountId: string, kind: string, ids: readonly string[]): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    for (let i = 0; i < ids.length; i += 400) {
      const rows = await this.db
        .selectFrom('whatsapp_web_auth')
        .select(['key_id', 'value'])
        .where('account_id', '=', accountId)
        .where('kind', '=', kind)
        .where('key_id', 'in', ids.slice(i, i + 400))
        .execute();
      for (const row of rows) values.set(row.key_id, row.value);
    }
    return values;
  }

  /**
   * Writes and deletes items all at once (one transaction): the library hands over a batch of keys that
   * only make sense together, and half of one would break decryption after a crash.
   */
  async write(
    accountId: string,
    changes: readonly { kind: string; id: string; value: string | null }[],
  ): Promise<void> {
    if (changes.length === 0) return;
    const now = Date.now();
    await this.db.transaction().execute(async (trx) => {
      for (const change of changes) {
        if (change.value === null) {
          await trx
            .deleteFrom('whatsapp_web_auth')
            .where('account_id', '=', accountId)
            .where('kind', '=', change.kind)
            .where('key_id', '=', change.id)
            .execute();
          continue;
        }
        await trx
          .insertInto('whatsapp_web_auth')
          .values({
            account_id: accountId,
            kind: change.kind,
            key_id: change.id,
            value: change.value,
            updated_at: now,
          })
          .onConflict((oc) =>
            oc
              .columns(['account_id', 'kind', 'key_id'])
              .doUpdateSet({ value: change.value as string, updated_at: now }),
          )
          .execute();
      }
    });
  }

  /** Forgets the whole session (logged out): the next start pairs again. */
  async clear(accountId: string): Promise<void> {
    await this.db.deleteFrom('whatsapp_web_auth').where('account_id', '=', accountId).execute();
  }

  async count(accountId: string): Promise<number> {
    const row = await this.db
      .selectFrom('whatsapp_web_auth')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
