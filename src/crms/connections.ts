import { randomUUID } from 'node:crypto';
import { WasyncError } from '../core/errors.js';
import { SecretBox } from '../core/secret-box.js';
import type { GuardedFetch } from '../net/guarded-fetch.js';
import type { CrmConnectionRepository, StoredConnection } from '../store/repositories/crm-connections.js';
import { type CrmObserver, observedFetch, observedLimiter } from './kit/crm-observer.js';
import { type BucketStore, InMemoryBucketStore, type RateBuckets, rateBuckets } from './kit/leaky-bucket.js';
import type { RateLimiter } from './kit/rate-limiter.js';
import {
  composeTokenStore,
  type KitToken,
  type RefreshTokenSlot,
  storeLease,
  type TokenStore,
} from './kit/token-holder.js';
import {
  type CrmKindDefinition,
  type CrmRegistry,
  type CrmSession,
  crmRegistry,
  type SetupReport,
} from './registry.js';
import { CrmError, type Destination } from './types.js';

/** The input of a connection of any registered kind: `kind` picks the kind's own schema. */
export type ConnectionInput = { kind: string; name: string } & Record<string, unknown>;

/**
 * How long one process may hold a connection's sign-in lease: longer than a token request may take
 * (60 s), short enough that a process that died mid-refresh does not hold the others up for long.
 */
const TOKEN_LEASE_MS = 90_000;

/** What the API and the CLI show of a connection: never a secret. */
export interface ConnectionView {
  id: string;
  kind: string;
  name: string;
  settings: Record<string, unknown>;
  state: 'active' | 'parked';
  parkedReason: string | undefined;
  createdAt: Date;
}

/** Why a connection saved through the API waits, until its first test has answered. */
const NOT_TESTED_YET = 'Not tested yet: test the connection (not_tested)';

/**
 * What a connection test found. `failure` is set when wasync could not sign in at the CRM or reach
 * it (the CRM's stable code and its message): the connection needs attention and the sync leaves it
 * alone. Signed in, `problems` lists what is left to set up in the CRM (none: `ok`).
 */
export interface ConnectionTest {
  ok: boolean;
  problems: string[];
  failure: { code: string; message: string } | undefined;
}

/**
 * CRM connections: stored with their secrets sealed (bound to the connection's id), opened only to
 * build a destination. What each kind takes and builds comes from the CRM registry.
 */
export class ConnectionService {
  private readonly box: SecretBox;
  /**
   * One token holder per connection in this process, shared by setup, the connection test and the
   * sync: one sign-in serves them all, and a refresh token an org rotates is never spent twice here.
   */
  private readonly sessions = new Map<string, CrmSession>();
  /** This process's name on the token leases it takes. */
  private readonly leaseHolder = `process:${randomUUID()}`;
  /** The CRMs' request buckets by key, one limiter per key in this process. */
  private readonly buckets: RateBuckets;

  /**
   * `guarded` is the client every CRM request goes through; its allow-list also decides which base
   * URLs a connection may name beside the vendor's own hosts. `buckets` keeps the CRMs' request
   * buckets: the store's table, so that every process shares them (the service builder passes it);
   * left out, this process's memory, which counts for this process alone. `observer` hears of each
   * connection's requests and budget waits (the process's metrics).
   */
  constructor(
    private readonly repository: CrmConnectionRepository,
    secretKey: string,
    private readonly guarded: GuardedFetch,
    readonly registry: CrmRegistry = crmRegistry,
    buckets: BucketStore = new InMemoryBucketStore(),
    private readonly observer?: CrmObserver,
  ) {
    this.box = new SecretBox(secretKey);
    this.buckets = rateBuckets(buckets);
  }

  /**
   * Stores a connection; `input` is checked (and its defaults filled) here, whoever calls: the API,
   * the CLI, or a sign-in at the CRM, which adds the settings it `learned` there (Salesforce: the
   * instance URL the token answer named).
   */
  async create(
    workspaceId: string,
    given: Readonly<Record<string, unknown>>,
    options: {
      learned?: Record<string, unknown> | undefined;
      /**
       * Stored as needing attention until `test` answers: a worker never picks up a connection
       * that has not yet shown it can sign in.
       */
      untested?: boolean;
    } = {},
  ): Promise<ConnectionView> {
    const definition = this.registry.get(String(given.kind));
    if (!definition) {
      throw new WasyncError('validation_failed', `No CRM kind ${String(given.kind)}.`, {
        issues: [{ field: 'kind', message: `one of ${this.registry.names().join(', ')}` }],
      });
    }
    const input = definition.input.parse(given) as ConnectionInput;
    definition.checkInput?.(input, this.guarded);
    const { settings, secrets } = definition.split(input);
    const id = this.repository.newId();
    const stored = await this.repository.create({
      id,
      workspaceId,
      kind: input.kind,
      name: input.name,
      settings: { ...settings, ...options.learned },
      sealedCredentials: this.box.seal(JSON.stringify(secrets), id),
      parkedReason: options.untested ? NOT_TESTED_YET : undefined,
    });
    if (!stored) throw new WasyncError('conflict', `A connection named ${input.name} already exists.`);
    return view(stored);
  }

  /**
   * Replaces a connection's name, settings and secrets with a new body of its kind (what a person
   * fixes after a failed test). It waits as untested until `test` answers; the old sign-in is dropped.
   */
  async replace(
    workspaceId: string,
    idOrName: string,
    given: Readonly<Record<string, unknown>>,
  ): Promise<ConnectionView> {
    const stored = await this.stored(workspaceId, idOrName);
    if (given.kind !== stored.kind) {
      throw new WasyncError('validation_failed', `The connection is of kind ${stored.kind}.`, {
        issues: [{ field: 'kind', message: `must stay ${stored.kind}` }],
      });
    }
    const definition = this.definitionOf(stored);
    const input = definition.input.parse(given) as ConnectionInput;
    definition.checkInput?.(input, this.guarded);
    const { settings, secrets } = definition.split(input);
    const replaced = await this.repository.replace(stored.id, {
      workspaceId,
      name: input.name,
      settings,
      sealedCredentials: this.box.seal(JSON.stringify(secrets), stored.id),
      parkedReason: NOT_TESTED_YET,
    });
    if (!replaced) throw new WasyncError('conflict', `A connection named ${input.name} already exists.`);
    this.sessions.delete(stored.id);
    return this.get(workspaceId, stored.id);
  }

  async list(workspaceId: string): Promise<ConnectionView[]> {
    return (await this.repository.list(workspaceId)).map(view);
  }

  /** Whether the workspace has a connection of that id or name. */
  async has(workspaceId: string, idOrName: string): Promise<boolean> {
    return (await this.repository.find(workspaceId, idOrName)) !== undefined;
  }

  async get(workspaceId: string, idOrName: string): Promise<ConnectionView> {
    return view(await this.stored(workspaceId, idOrName));
  }

  async delete(workspaceId: string, idOrName: string): Promise<void> {
    const stored = await this.stored(workspaceId, idOrName);
    await this.repository.delete(workspaceId, stored.id);
    this.sessions.delete(stored.id);
  }

  /** A destination for the connection, signed in lazily on its first call. */
  async destination(workspaceId: string, idOrName: string): Promise<Destination> {
    const stored = await this.stored(workspaceId, idOrName);
    return this.sessionOf(stored).destination();
  }

  /** The registry's entry of a stored connection's kind. */
  definitionOf(connection: { kind: string }): CrmKindDefinition {
    return this.registry.require(connection.kind);
  }

  /** Stops syncing the connection until a person fixes what `reason` says. */
  async park(id: string, reason: string): Promise<void> {
    await this.repository.setState(id, { parked: true, reason });
  }

  async unpark(id: string): Promise<void> {
    await this.repository.setState(id, { parked: false });
  }

  /**
   * Signs in at the CRM and checks what wasync writes into. A connection that cannot sign in (bad
   * credentials, the CRM unreachable) needs attention: it is parked with the CRM's reason, so the
   * sync leaves it alone. A test that passes clears that; one that signs in but finds setup left to
   * do clears it only with `clearWhenSignedIn` (a connection just saved, whose setup comes next).
   * Answers the test and the connection as it is now; `cleared` when it went from parked to active.
   */
  async test(
    workspaceId: string,
    idOrName: string,
    options: { clearWhenSignedIn?: boolean } = {},
  ): Promise<{ test: ConnectionTest; connection: ConnectionView; cleared: boolean }> {
    const stored = await this.stored(workspaceId, idOrName);
    let test: ConnectionTest;
    try {
      const destination = await this.sessionOf(stored).destination();
      const found = destination.check
        ? await destination.check()
        : { problems: await destination.test(), failure: undefined };
      test = {
        ok: found.problems.length === 0,
        problems: found.problems,
        failure: found.failure && { code: found.failure.code, message: found.failure.message },
      };
    } catch (error) {
      const failure =
        error instanceof CrmError
          ? { code: error.code, message: error.message }
          : {
              code: 'test_failed',
              message: `The test stopped: ${error instanceof Error ? error.message : String(error)}`,
            };
      test = { ok: false, problems: [`${failure.message} (${failure.code})`], failure };
    }
    let cleared = false;
    if (test.failure) {
      await this.park(stored.id, `${test.failure.message} (${test.failure.code})`);
      // The next use signs in afresh with whatever a person changes.
      this.sessions.delete(stored.id);
    } else if (stored.state === 'parked' && (test.ok || options.clearWhenSignedIn)) {
      await this.unpark(stored.id);
      cleared = true;
    }
    return { test, connection: await this.get(workspaceId, stored.id), cleared };
  }

  /**
   * Creates the CRM-side objects wasync writes into (Salesforce: the WhatsApp_Chat__c object); a
   * kind without a setup answers a 409 that says so.
   */
  async setUp(workspaceId: string, idOrName: string): Promise<SetupReport> {
    const stored = await this.stored(workspaceId, idOrName);
    const session = this.sessionOf(stored);
    if (!session.setUp) {
      throw new WasyncError(
        'conflict',
        `${this.definitionOf(stored).displayName} needs no setup: connect it and sync.`,
      );
    }
    return session.setUp();
  }

  /**
   * The connection's session, opened once per process: its token holder is shared by setup, the
   * connection test and the sync, and the secrets it reads and writes are the store's, re-read before
   * each refresh (another process may have rotated a token) and written before a new token is used.
   */
  private sessionOf(stored: StoredConnection): CrmSession {
    let session = this.sessions.get(stored.id);
    if (!session) {
      const current = async () => {
        const row = await this.repository.find(stored.workspaceId, stored.id);
        if (!row) throw new WasyncError('not_found', `No CRM connection ${stored.id}.`);
        return this.secrets(row);
      };
      const { observer } = this;
      const caller = { connectionId: stored.id, kind: stored.kind };
      const limited = (limiter: RateLimiter) =>
        observer ? observedLimiter(limiter, observer, caller) : limiter;
      session = this.definitionOf(stored).open({
        id: stored.id,
        workspaceId: stored.workspaceId,
        settings: stored.settings,
        secrets: this.secrets(stored),
        readSecrets: current,
        writeSecrets: async (secrets) => {
          await this.repository.updateCredentials(
            stored.id,
            this.box.seal(JSON.stringify(secrets), stored.id),
          );
        },
        guarded: observer ? observedFetch(this.guarded, observer, caller) : this.guarded,
        tokenStore: (refreshTokens) => this.tokenStore(stored, refreshTokens),
        rateBucket: (key, budget) => limited(this.buckets(key, budget)),
        limited,
      });
      this.sessions.set(stored.id, session);
    }
    return session;
  }

  /**
   * The connection's session as every process shares it: the access token sealed in the store, the
   * refresh token with the other secrets, and a lease row so that one process at a time refreshes.
   */
  private tokenStore<T extends KitToken>(
    stored: StoredConnection,
    refreshTokens: RefreshTokenSlot | undefined,
  ): TokenStore<T> {
    const binding = `${stored.id}:session`;
    return composeTokenStore<T>({
      session: {
        read: async () => {
          const sealed = await this.repository.tokenSession(stored.id);
          if (sealed === undefined) return undefined;
          try {
            return JSON.parse(this.box.open(sealed, binding)) as T;
          } catch {
            // Sealed under another key (the secret key was replaced): sign in afresh.
            return undefined;
          }
        },
        write: (token) =>
          this.repository.storeTokenSession(stored.id, this.box.seal(JSON.stringify(token), binding)),
      },
      refreshTokens,
      exclusive: storeLease(
        {
          acquire: (holder, until, now) => this.repository.acquireTokenLease(stored.id, holder, until, now),
          release: (holder) => this.repository.releaseTokenLease(stored.id, holder),
        },
        { holder: this.leaseHolder, leaseMs: TOKEN_LEASE_MS },
      ),
    });
  }

  private secrets(stored: StoredConnection): unknown {
    return JSON.parse(this.box.open(stored.sealedCredentials, stored.id));
  }

  private async stored(workspaceId: string, idOrName: string): Promise<StoredConnection> {
    const stored = await this.repository.find(workspaceId, idOrName);
    if (!stored) throw new WasyncError('not_found', `No CRM connection ${idOrName}.`);
    return stored;
  }
}

function view(stored: StoredConnection): ConnectionView {
  return {
    id: stored.id,
    kind: stored.kind,
    name: stored.name,
    settings: stored.settings,
    state: stored.state,
    parkedReason: stored.parkedReason,
    createdAt: stored.createdAt,
  };
}
