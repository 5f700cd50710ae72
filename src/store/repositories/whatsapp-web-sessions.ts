import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { type Database, readJson, type WhatsAppWebSessionTable } from '../schema.js';

/**
 * Where a linked-device session stands. `disconnected`: reconnecting with backoff. `banned`: WhatsApp
 * banned the number for a while; no connection before `pausedUntil`, then it reconnects on its own.
 * `replaced`: another copy connected with the same keys; stopped until wasync is started again.
 * `logged_out`: the device was unlinked (or WhatsApp refused the session for good); pair again.
 */
export const LINKED_DEVICE_STATES = [
  'unpaired',
  'pairing',
  'connecting',
  'connected',
  'disconnected',
  'banned',
  'replaced',
  'logged_out',
] as const;
export type LinkedDeviceState = (typeof LINKED_DEVICE_STATES)[number];

/** One history sync phase (bootstrap, recent, full, on demand, ...) as far as it has arrived. */
export interface HistoryPhase {
  /** Chunk numbers received (a chunk delivered again is counted once). */
  chunks: number[];
  /** Messages in those chunks. */
  messages: number;
  /** The phone's own progress figure, 0–100. */
  progress: number;
  complete: boolean;
}

/** What a pairing screen is told, in order: QR codes (renewed every ~20 s) or one code, then the end. */
export type PairingUpdate =
  | { type: 'qr'; qr: string }
  | { type: 'code'; code: string }
  | { type: 'connected'; me: string }
  | { type: 'failed'; code: 'pairing_timeout' | 'logged_out' | 'pairing_failed' | 'stopped'; reason: string };

/** What a process asks of the holder of a session: start pairing, resume after a 440, unlink. */
export type SessionRequestKind = 'pair' | 'resume' | 'unlink';

/** A request made of a session's holder, and where it stands. */
export interface SessionRequest {
  id: string;
  kind: SessionRequestKind;
  /** With `pair`: how the person pairs. */
  method: 'qr' | 'code' | undefined;
  at: Date;
  /** When the holder acted on it; unset while it waits. */
  doneAt: Date | undefined;
  /** Why the holder could not do it. */
  error: string | undefined;
}

export interface LinkedDeviceSession {
  accountId: string;
  optedInBy: string | undefined;
  optedInAt: Date | undefined;
  state: LinkedDeviceState;
  /** Why the session is in its state, in words (a disconnection's cause, a failed pairing). */
  reason: string | undefined;
  /** The library's status code of the last disconnection. */
  statusCode: number | undefined;
  stateAt: Date;
  /** The linked device's own JID once paired. */
  me: string | undefined;
  connectedAt: Date | undefined;
  lastEventAt: Date | undefined;
  /** Start of the disconnection whose gap is still to fill. */
  gapSince: Date | undefined;
  /** While `banned`: the session does not connect before this time. */
  pausedUntil: Date | undefined;
  history: Record<string, HistoryPhase>;
  leaseOwner: string | undefined;
  leaseUntil: Date | undefined;
  /** When the account's groups were last fetched in full (after pairing); unset: not yet. */
  groupsFetchedAt: Date | undefined;
  /** The latest request made of the session's holder (kept once done, until the next one). */
  request: SessionRequest | undefined;
  /** The pairing's latest update, as the holder's socket produced it, and its number (0: none yet). */
  pairing: { seq: number; update: PairingUpdate | undefined };
}

/**
 * A lease granted, and who held it as it was read (the owner itself, when it renews): taken by anyone
 * else, that holder let it run out (it died, or lost the database) without giving it back.
 */
export interface LeaseGrant {
  previous: { owner: string; until: number } | undefined;
}

/** A request waiting for a holder that this process may serve. */
export interface PendingRequest {
  accountId: string;
  id: string;
  kind: SessionRequestKind;
  method: 'qr' | 'code' | undefined;
}

/** What a session asks of WhatsApp that counts against a cap: a gap's history, a media re-upload. */
export type CappedRequest = 'history' | 'reupload';

/** Requests older than this are pruned: no cap looks further back than a day. */
const REQUEST_MEMORY_MS = 2 * 24 * 3_600_000;

export interface StateChange {
  state: LinkedDeviceState;
  reason?: string | undefined;
  statusCode?: number | undefined;
  me?: string | undefined;
  connectedAt?: number | undefined;
  /** Only with `banned`: when the pause ends (every other state clears it). */
  pausedUntil?: number | undefined;
}

/** The state of linked-device sessions, and the lease that gives each account one running socket. */
export class WhatsAppWebSessionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(accountId: string): Promise<LinkedDeviceSession | undefined> {
    const row = await this.db
      .selectFrom('whatsapp_web_sessions')
      .selectAll()
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return row && toSession(row);
  }

  async getMany(accountIds: readonly string[]): Promise<Map<string, LinkedDeviceSession>> {
    if (accountIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('whatsapp_web_sessions')
      .selectAll()
      .where('account_id', 'in', accountIds)
      .execute();
    return new Map(rows.map((row) => [row.account_id, toSession(row)]));
  }

  /** The row of an account, made (unpaired) if it has none. */
  async ensure(accountId: string, now = Date.now()): Promise<LinkedDeviceSession> {
    await this.db
      .insertInto('whatsapp_web_sessions')
      .values({ account_id: accountId, state: 'unpaired', state_at: now, history: '{}' })
      .onConflict((oc) => oc.column('account_id').doNothing())
      .execute();
    const session = await this.get(accountId);
    if (!session) throw new Error(`the session row of ${accountId} vanished`);
    return session;
  }

  /** Records who accepted the risk of linking this account, and when (the latest opt-in counts). */
  async optIn(accountId: string, by: string, now = Date.now()): Promise<void> {
    await this.ensure(accountId, now);
    await this.db
      .updateTable('whatsapp_web_sessions')
      .set({ opted_in_by: by, opted_in_at: now })
      .where('account_id', '=', accountId)
      .execute();
  }

  async setState(accountId: string, change: StateChange, now = Date.now()): Promise<void> {
    await this.db
      .updateTable('whatsapp_web_sessions')
      .set({
        state: change.state,
        reason: change.reason ?? null,
        status_code: change.statusCode ?? null,
        state_at: now,
        paused_until: change.state === 'banned' ? (change.pausedUntil ?? null) : null,
        ...(change.me !== undefined ? { me: change.me } : {}),
        ...(change.connectedAt !== undefined ? { connected_at: change.connectedAt } : {}),
        ...(change.state === 'logged_out' || change.state === 'unpaired'
          ? { me: null, gap_since: null, groups_fetched_at: null }
          : {}),
      })
      .where('account_id', '=', accountId)
      .execute();
  }

  async touch(accountId: string, at: number): Promise<void> {
    await this.db
      .updateTable('whatsapp_web_sessions')
      .set({ last_event_at: at })
      .where('account_id', '=', accountId)
      .where((eb) => eb.or([eb('last_event_at', 'is', null), eb('last_event_at', '<', at)]))
      .execute();
  }

  /** Notes the start of a disconnection; an earlier gap still open is kept (it is the wider one). */
  async openGap(accountId: string, since: number): Promise<void> {
    await this.db
      .updateTable('whatsapp_web_sessions')
      .set({ gap_since: since })
      .where('account_id', '=', accountId)
      .where('gap_since', 'is', null)
      .execute();
  }

  async closeGap(accountId: string): Promise<void> {
    await this.db
      .updateTable('whatsapp_web_sessions')
      .set({ gap_since: null })
      .where('account_id', '=', accountId)
      .execute();
  }

  /** Notes that the account's groups were fetched in full (a re-pairing fetches them again). */
  async groupsFetched(accountId: string, at: number): Promise<void> {
    await this.db
      .updateTable('whatsapp_web_sessions')
      .set({ groups_fetched_at: at })
      .where('account_id', '=', accountId)
      .execute();
  }

  /**
   * Takes one request of `kind` if fewer than `limit` were taken in the `windowMs` before `now`, and
   * says whether it did. Only the process holding the account's lease asks, and its session asks one
   * at a time, so the count and the insert need no lock of their own.
   */
  async takeRequest(
    accountId: string,
    kind: CappedRequest,
    limit: number,
    windowMs: number,
    now = Date.now(),
  ): Promise<boolean> {
    const row = await this.db
      .selectFrom('whatsapp_web_requests')
      .select((eb) => eb.fn.countAll<number | string>().as('taken'))
      .where('account_id', '=', accountId)
      .where('kind', '=', kind)
      .where('at', '>', now - windowMs)
      .executeTakeFirst();
    if (Number(row?.taken ?? 0) >= limit) return false;
    await this.db
      .deleteFrom('whatsapp_web_requests')
      .where('account_id', '=', accountId)
      .where('at', '<', now - REQUEST_MEMORY_MS)
      .execute();
    await this.db
      .insertInto('whatsapp_web_requests')
      .values({ account_id: accountId, kind, at: now })
      .execute();
    return true;
  }

  /**
   * Adds a history chunk to its phase. Only the process holding the account's lease writes here, so
   * read-then-write cannot lose a chunk to another writer.
   */
  async recordHistoryChunk(
    accountId: string,
    phase: string,
    chunk: { order: number | undefined; messages: number; progress: number | undefined },
  ): Promise<void> {
    const session = await this.get(accountId);
    if (!session) return;
    const found = session.history[phase] ?? { chunks: [], messages: 0, progress: 0, complete: false };
    const repeated = chunk.order !== undefined && found.chunks.includes(chunk.order);
    const next: HistoryPhase = {
      chunks:
        chunk.order === undefined || repeated
          ? found.chunks
          : [...found.chunks, chunk.order].sort((a, b) => a - b),
      messages: found.messages + (repeated ? 0 : chunk.messages),
      progress: Math.max(found.progress, chunk.progress ?? 0),
      complete: found.complete || (chunk.progress ?? 0) >= 100,
    };
    await this.writeHistory(accountId, { ...session.history, [phase]: next });
  }

  async completeHistory(accountId: string, phase: string): Promise<void> {
    const session = await this.get(accountId);
    if (!session) return;
    const found = session.history[phase] ?? { chunks: [], messages: 0, progress: 0, complete: false };
    await this.writeHistory(accountId, { ...session.history, [phase]: { ...found, complete: true } });
  }

  private async writeHistory(accountId: string, history: Record<string, HistoryPhase>): Promise<void> {
    await this.db
      .updateTable('whatsapp_web_sessions')
      .set({ history: JSON.stringify(history) })
      .where('account_id', '=', accountId)
      .execute();
  }

  /**
   * Takes or renews the account's lease for `owner`: granted when nobody holds it, the owner already
   * does, or the holder let it run out. A compare-and-set on the lease as read, so two processes never
   * both win, and the winner knows whose lease it took (its session may have a gap to fill).
   */
  async acquireLease(
    accountId: string,
    owner: string,
    ttlMs: number,
    now = Date.now(),
  ): Promise<LeaseGrant | undefined> {
    const row = await this.db
      .selectFrom('whatsapp_web_sessions')
      .select(['lease_owner', 'lease_until'])
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    if (!row) return undefined;
    const until = row.lease_until === null ? null : Number(row.lease_until);
    const held = row.lease_owner !== null && row.lease_owner !== owner && (until === null || until >= now);
    if (held) return undefined;
    const result = await this.db
      .updateTable('whatsapp_web_sessions')
      .set({ lease_owner: owner, lease_until: now + ttlMs })
      .where('account_id', '=', accountId)
      .where((eb) =>
        // The holder renewing needs only to hold it still; anyone else takes the lease as it was read.
        row.lease_owner === owner
          ? eb('lease_owner', '=', owner)
          : eb.and([
              row.lease_owner === null
                ? eb('lease_owner', 'is', null)
                : eb('lease_owner', '=', row.lease_owner),
              until === null ? eb('lease_until', 'is', null) : eb('lease_until', '=', until),
            ]),
      )
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    return {
      previous: row.lease_owner !== null && until !== null ? { owner: row.lease_owner, until } : undefined,
    };
  }

  async releaseLease(accountId: string, owner: string): Promise<void> {
    await this.db
      .updateTable('whatsapp_web_sessions')
      .set({ lease_owner: null, lease_until: null })
      .where('account_id', '=', accountId)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /**
   * Asks whoever holds (or takes) the account's session to pair, resume or unlink it; a request still
   * waiting is replaced. Returns the request's id and the pairing's count so far (a follower reads the
   * updates after it).
   */
  async request(
    accountId: string,
    kind: SessionRequestKind,
    method: 'qr' | 'code' | undefined,
    now = Date.now(),
  ): Promise<{ id: string; seq: number }> {
    const id = randomUUID();
    await this.ensure(accountId, now);
    await this.db
      .updateTable('whatsapp_web_sessions')
      .set({
        request_id: id,
        request_kind: kind,
        request_method: method ?? null,
        request_at: now,
        request_done_at: null,
        request_error: null,
      })
      .where('account_id', '=', accountId)
      .execute();
    const session = await this.get(accountId);
    return { id, seq: session?.pairing.seq ?? 0 };
  }

  /**
   * Requests waiting that `owner` may serve: on sessions it holds, nobody holds, or whose holder let
   * the lease run out.
   */
  async pendingRequests(owner: string, now = Date.now()): Promise<PendingRequest[]> {
    const rows = await this.db
      .selectFrom('whatsapp_web_sessions')
      .select(['account_id', 'request_id', 'request_kind', 'request_method'])
      .where('request_id', 'is not', null)
      .where('request_done_at', 'is', null)
      .where((eb) =>
        eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', owner), eb('lease_until', '<', now)]),
      )
      .orderBy('request_at')
      .execute();
    return rows.map((row) => ({
      accountId: row.account_id,
      id: row.request_id ?? '',
      kind: row.request_kind as SessionRequestKind,
      method: (row.request_method ?? undefined) as 'qr' | 'code' | undefined,
    }));
  }

  /** Marks a request done, with why it failed if it did; a newer request is left waiting. */
  async finishRequest(accountId: string, id: string, error?: string, now = Date.now()): Promise<void> {
    await this.db
      .updateTable('whatsapp_web_sessions')
      .set({ request_done_at: now, request_error: error ?? null })
      .where('account_id', '=', accountId)
      .where('request_id', '=', id)
      .execute();
  }

  /** Records the pairing's latest update for whoever follows it, from any process. */
  async recordPairing(accountId: string, update: PairingUpdate): Promise<void> {
    await this.db
      .updateTable('whatsapp_web_sessions')
      .set((eb) => ({ pairing_update: JSON.stringify(update), pairing_seq: eb('pairing_seq', '+', 1) }))
      .where('account_id', '=', accountId)
      .execute();
  }

  /**
   * Paired sessions of every workspace: the ones a process should keep connected. A session another
   * copy replaced is left alone unless `replaced` is set (a process starting up: a person restarted it).
   * With `unheldAt`, only those nobody holds a live lease on at that time.
   */
  async paired(options: { replaced?: boolean; unheldAt?: number } = {}): Promise<string[]> {
    const stopped = options.replaced ? ['logged_out'] : ['logged_out', 'replaced'];
    const unheldAt = options.unheldAt;
    let query = this.db
      .selectFrom('whatsapp_web_sessions')
      .innerJoin('accounts', 'accounts.id', 'whatsapp_web_sessions.account_id')
      .select('whatsapp_web_sessions.account_id')
      .where('accounts.source_kind', '=', 'linked_device')
      .where('whatsapp_web_sessions.me', 'is not', null)
      .where('whatsapp_web_sessions.state', 'not in', stopped);
    if (unheldAt !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb('whatsapp_web_sessions.lease_owner', 'is', null),
          eb('whatsapp_web_sessions.lease_until', '<', unheldAt),
        ]),
      );
    }
    const rows = await query.orderBy('whatsapp_web_sessions.account_id').execute();
    return rows.map((row) => row.account_id);
  }
}

const date = (value: number | null) => (value === null ? undefined : new Date(Number(value)));

function toSession(row: Selectable<WhatsAppWebSessionTable>): LinkedDeviceSession {
  return {
    accountId: row.account_id,
    optedInBy: row.opted_in_by ?? undefined,
    optedInAt: date(row.opted_in_at),
    state: row.state as LinkedDeviceState,
    reason: row.reason ?? undefined,
    statusCode: row.status_code ?? undefined,
    stateAt: new Date(Number(row.state_at)),
    me: row.me ?? undefined,
    connectedAt: date(row.connected_at),
    lastEventAt: date(row.last_event_at),
    gapSince: date(row.gap_since),
    pausedUntil: date(row.paused_until),
    history: row.history === null ? {} : readJson<Record<string, HistoryPhase>>(row.history),
    leaseOwner: row.lease_owner ?? undefined,
    leaseUntil: date(row.lease_until),
    groupsFetchedAt: date(row.groups_fetched_at),
    request:
      row.request_id === null
        ? undefined
        : {
            id: row.request_id,
            kind: row.request_kind as SessionRequestKind,
            method: (row.request_method ?? undefined) as 'qr' | 'code' | undefined,
            at: new Date(Number(row.request_at)),
            doneAt: date(row.request_done_at),
            error: row.request_error ?? undefined,
          },
    pairing: {
      seq: Number(row.pairing_seq ?? 0),
      update: row.pairing_update === null ? undefined : readJson<PairingUpdate>(row.pairing_update),
    },
  };
}
