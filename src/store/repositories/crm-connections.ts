import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../core/ids.js';
import { type CrmConnectionTable, type Database, readJson } from '../schema.js';

/** A connection as stored: settings in the clear, credentials still sealed. */
export interface StoredConnection {
  id: string;
  workspaceId: string;
  kind: string;
  name: string;
  settings: Record<string, unknown>;
  sealedCredentials: string;
  state: 'active' | 'parked';
  parkedReason: string | undefined;
  createdAt: Date;
  updatedAt: Date;
}

export class CrmConnectionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** A fresh id, so the caller can seal credentials bound to it before the row exists. */
  newId(): string {
    return newId('crm');
  }

  /**
   * Inserts; returns undefined when the workspace already has a connection of that name. With a
   * `parkedReason` the row starts parked: the sync leaves it alone until that is cleared.
   */
  async create(
    input: Pick<
      StoredConnection,
      'id' | 'workspaceId' | 'kind' | 'name' | 'settings' | 'sealedCredentials'
    > & {
      parkedReason?: string | undefined;
    },
  ): Promise<StoredConnection | undefined> {
    const now = Date.now();
    const row = {
      id: input.id,
      workspace_id: input.workspaceId,
      kind: input.kind,
      name: input.name,
      settings: JSON.stringify(input.settings),
      credentials: input.sealedCredentials,
      state: input.parkedReason === undefined ? 'active' : 'parked',
      parked_reason: input.parkedReason ?? null,
      created_at: now,
      updated_at: now,
    };
    const inserted = await this.db
      .insertInto('crm_connections')
      .values(row)
      .onConflict((oc) => oc.columns(['workspace_id', 'name']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted ? toStored({ ...row, settings: input.settings }) : undefined;
  }

  async list(workspaceId: string): Promise<StoredConnection[]> {
    const rows = await this.db
      .selectFrom('crm_connections')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('created_at')
      .execute();
    return rows.map(toStored);
  }

  /** By id or by name. */
  async find(workspaceId: string, idOrName: string): Promise<StoredConnection | undefined> {
    const row = await this.db
      .selectFrom('crm_connections')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .executeTakeFirst();
    return row && toStored(row);
  }

  async setState(id: string, state: { parked: false } | { parked: true; reason: string }): Promise<void> {
    await this.db
      .updateTable('crm_connections')
      .set({
        state: state.parked ? 'parked' : 'active',
        parked_reason: state.parked ? state.reason : null,
        updated_at: Date.now(),
      })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Replaces what a person saved (name, settings, sealed secrets), parked with `parkedReason` until
   * tested, and forgets the token session signed in with the old secrets. False when another
   * connection of the workspace has that name.
   */
  async replace(
    id: string,
    input: Pick<StoredConnection, 'workspaceId' | 'name' | 'settings' | 'sealedCredentials'> & {
      parkedReason: string;
    },
  ): Promise<boolean> {
    const clash = await this.db
      .selectFrom('crm_connections')
      .select('id')
      .where('workspace_id', '=', input.workspaceId)
      .where('name', '=', input.name)
      .where('id', '!=', id)
      .executeTakeFirst();
    if (clash) return false;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('crm_connections')
        .set({
          name: input.name,
          settings: JSON.stringify(input.settings),
          credentials: input.sealedCredentials,
          state: 'parked',
          parked_reason: input.parkedReason,
          updated_at: Date.now(),
        })
        .where('id', '=', id)
        .execute();
      await trx
        .updateTable('crm_token_leases')
        .set({ sealed_session: null })
        .where('connection_id', '=', id)
        .execute();
    });
    return true;
  }

  /** Replaces the sealed secrets (a rotated refresh token). */
  async updateCredentials(id: string, sealedCredentials: string): Promise<void> {
    await this.db
      .updateTable('crm_connections')
      .set({ credentials: sealedCredentials, updated_at: Date.now() })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Takes the connection's token lease for `holder` until `until`, unless another holder has it and
   * it has not run out (one atomic upsert, so two processes never both take it). True when taken.
   */
  async acquireTokenLease(
    connectionId: string,
    holder: string,
    until: number,
    now: number,
  ): Promise<boolean> {
    const row = await this.db
      .insertInto('crm_token_leases')
      .values({
        connection_id: connectionId,
        holder,
        lease_until: until,
        sealed_session: null,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .column('connection_id')
          .doUpdateSet({ holder, lease_until: until, updated_at: now })
          .where((eb) =>
            eb.or([
              eb('crm_token_leases.holder', 'is', null),
              eb('crm_token_leases.lease_until', '<=', now),
              eb('crm_token_leases.holder', '=', holder),
            ]),
          ),
      )
      .returning('holder')
      .executeTakeFirst();
    return row?.holder === holder;
  }

  async releaseTokenLease(connectionId: string, holder: string): Promise<void> {
    await this.db
      .updateTable('crm_token_leases')
      .set({ holder: null, lease_until: 0 })
      .where('connection_id', '=', connectionId)
      .where('holder', '=', holder)
      .execute();
  }

  /** The connection's token session as stored (sealed), shared by every process. */
  async tokenSession(connectionId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('crm_token_leases')
      .select('sealed_session')
      .where('connection_id', '=', connectionId)
      .executeTakeFirst();
    return row?.sealed_session ?? undefined;
  }

  async storeTokenSession(connectionId: string, sealedSession: string): Promise<void> {
    const now = Date.now();
    await this.db
      .insertInto('crm_token_leases')
      .values({
        connection_id: connectionId,
        holder: null,
        lease_until: 0,
        sealed_session: sealedSession,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.column('connection_id').doUpdateSet({ sealed_session: sealedSession, updated_at: now }),
      )
      .execute();
  }

  async delete(workspaceId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('crm_connections')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function toStored(row: Selectable<CrmConnectionTable>): StoredConnection {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    kind: row.kind,
    name: row.name,
    settings: readJson<Record<string, unknown>>(row.settings),
    sealedCredentials: row.credentials,
    state: row.state === 'parked' ? 'parked' : 'active',
    parkedReason: row.parked_reason ?? undefined,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}
