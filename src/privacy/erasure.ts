import type { Logger } from 'pino';
import { WasyncError } from '../core/errors.js';
import { type CountryCode, normalizePhone, parseValid } from '../core/phone.js';
import type { ConnectionService } from '../crms/connections.js';
import { CrmError, type WrittenObject } from '../crms/types.js';
import type { Store } from '../store/index.js';
import {
  type CrmWriteItem,
  countsOf,
  type Erasure,
  type ErasureCounts,
} from '../store/repositories/erasures.js';
import { phoneHint } from '../store/repositories/tombstones.js';
import { writeTransaction } from '../store/write-transaction.js';

/** What an erasure of a number would remove (a dry run), and whether the number is tombstoned already. */
export interface ErasurePreview {
  phone: string;
  phoneHint: string;
  removed: ErasureCounts;
  crmWrites: CrmWriteItem[];
  tombstoned: boolean;
}

/** Reads a number as the workspace reads numbers; a 400 invalid_phone when it is none. */
export function erasureNumber(
  input: string,
  defaultRegion: CountryCode | undefined,
  field = 'phone',
): string {
  const phone = normalizePhone(input, { defaultRegion });
  if (!phone.ok) throw new WasyncError('invalid_phone', `${input}: ${phone.message}`, { field });
  return phone.e164;
}

/** `+55 ••• 44`: what an erasure, a tombstone and the audit log keep of a number. */
export function hintOf(e164: string): string {
  return phoneHint(e164, parseValid(e164)?.countryCallingCode ?? e164.slice(1, 3));
}

/**
 * Erasure on request. `erase` removes a person's identities and all that points at them in one write
 * transaction (store/repositories/erasures.ts has the list), tombstones their number so no capture
 * path stores them again, and records what went and which CRM writes were made from their chats;
 * `deleteCrmWrites` then deletes those writes in the CRM on an admin's word, item by item, so a retry
 * deletes only what is left.
 */
export class ErasureService {
  constructor(private readonly deps: { store: Store; connections: ConnectionService; logger: Logger }) {}

  async preview(workspaceId: string, e164: string): Promise<ErasurePreview> {
    const { store } = this.deps;
    const plan = await store.erasures.plan(store.sql.db, workspaceId, e164);
    return {
      phone: e164,
      phoneHint: hintOf(e164),
      removed: countsOf(plan),
      crmWrites: plan.crmWrites,
      tombstoned: (await store.tombstones.findByPhone(workspaceId, e164)) !== undefined,
    };
  }

  async erase(workspaceId: string, e164: string, requestedBy: string): Promise<Erasure> {
    const { store } = this.deps;
    const hint = hintOf(e164);
    // The tombstone key is read (or made) before the transaction: on SQLite it cannot be read from
    // outside the transaction while the transaction holds the one connection.
    await store.tombstones.hashOf(workspaceId, { kind: 'phone', value: e164 });
    const existing = await store.tombstones.findByPhone(workspaceId, e164);
    const { erasure, plan } = await writeTransaction(store.sql.db, store.sql.dialect, async (trx) => {
      await store.tombstones.hold(trx, store.sql.dialect, workspaceId, 'update');
      const plan = await store.erasures.plan(trx, workspaceId, e164);
      const reacted = await chatsOfMessages(
        trx,
        plan.reactions.map((r) => r.messageId),
      );
      const removed = await store.erasures.remove(trx, plan);
      // Group chats (and chats whose messages lost a reaction) count as changed for the next sync.
      const gone = new Set(plan.directChatIds);
      const changed = [...new Set([...plan.groupChatIds, ...reacted])].filter((id) => !gone.has(id));
      await store.chats.advanceLastMessage(trx, new Map(changed.map((id) => [id, 0])));
      const erasure = await store.erasures.insert(trx, {
        workspaceId,
        phoneHint: hint,
        requestedBy,
        removed,
        crmWrites: plan.crmWrites,
      });
      const hashes: string[] = [];
      for (const key of plan.keys) hashes.push(await store.tombstones.hashOf(workspaceId, key, trx));
      if (!existing)
        await store.tombstones.add(trx, workspaceId, { erasureId: erasure.id, phoneHint: hint, hashes });
      else await store.tombstones.addKeys(trx, workspaceId, existing.id, hashes);
      return { erasure, plan };
    });
    // Files go after the commit, and only those no remaining message uses (the same bytes may have been
    // sent by someone else: blobs are stored once per content).
    let mediaFiles = 0;
    for (const sha256 of new Set(plan.media.flatMap((m) => (m.sha256 ? [m.sha256] : [])))) {
      if (!(await store.media.usesBlob(sha256)) && (await store.blobs.remove(sha256))) mediaFiles++;
    }
    if (mediaFiles > 0) {
      erasure.removed = { ...erasure.removed, mediaFiles };
      await store.erasures.update(erasure.id, { removed: erasure.removed });
    }
    return erasure;
  }

  /**
   * Deletes in the CRMs what the erasure listed and is not deleted yet (listed or failed before), one
   * call per connection for as many items as its batches take. Each item keeps its outcome: deleted,
   * gone (the CRM no longer had it), or failed with the CRM's code and reason.
   */
  async deleteCrmWrites(workspaceId: string, erasureId: string): Promise<Erasure> {
    const { store, connections, logger } = this.deps;
    const erasure = await store.erasures.get(workspaceId, erasureId);
    if (!erasure) throw new WasyncError('not_found', `No erasure ${erasureId}.`);
    const items = erasure.crmWrites.map((item) => ({ ...item }));
    const open = (item: CrmWriteItem) => item.state === 'listed' || item.state === 'failed';
    const byConnection = new Map<string, CrmWriteItem[]>();
    for (const item of items.filter(open))
      byConnection.set(item.connectionId, [...(byConnection.get(item.connectionId) ?? []), item]);
    const now = Date.now();
    for (const [connectionId, pending] of byConnection) {
      const fail = (code: string, message: string) => {
        for (const item of pending)
          Object.assign(item, { state: 'failed', errorCode: code, error: message, attemptedAt: now });
      };
      let destination: Awaited<ReturnType<ConnectionService['destination']>>;
      try {
        destination = await connections.destination(workspaceId, connectionId);
      } catch {
        fail('connection_gone', 'The CRM connection was removed; delete these in the CRM by hand.');
        continue;
      }
      try {
        const objects: WrittenObject[] = pending.map((item) => ({ kind: item.kind, id: item.crmId }));
        const results = await destination.deleteWritten(objects);
        for (const [index, item] of pending.entries()) {
          const result = results[index];
          if (result?.ok)
            Object.assign(item, {
              state: result.alreadyGone ? 'gone' : 'deleted',
              errorCode: undefined,
              error: undefined,
              attemptedAt: now,
            });
          else
            Object.assign(item, {
              state: 'failed',
              errorCode: result?.error.code ?? 'UNKNOWN',
              error: result?.error.message ?? 'no answer',
              attemptedAt: now,
            });
        }
      } catch (error) {
        if (!(error instanceof CrmError)) throw error;
        logger.warn({ connectionId, code: error.code }, 'deleting erased writes failed');
        fail(error.code, error.message);
      }
    }
    await store.erasures.update(erasure.id, { crmWrites: items });
    return { ...erasure, crmWrites: items };
  }
}

async function chatsOfMessages(
  db: Parameters<Store['erasures']['plan']>[0],
  messageIds: readonly string[],
): Promise<string[]> {
  const chats = new Set<string>();
  const unique = [...new Set(messageIds)];
  for (let i = 0; i < unique.length; i += 400) {
    const rows = await db
      .selectFrom('messages')
      .select('chat_id')
      .where('id', 'in', unique.slice(i, i + 400))
      .execute();
    for (const row of rows) chats.add(row.chat_id);
  }
  return [...chats];
}
