import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { BackgroundPass } from '../core/background-pass.js';
import type { Grant } from '../server/auth.js';
import type { AuditActor, AuditFilter, AuditRepository, AuditTarget } from '../store/repositories/audit.js';
import type { PeopleRepository } from '../store/repositories/people.js';
import type { WorkspaceRepository } from '../store/repositories/workspaces.js';

/**
 * Every action the audit log records, by stable dotted name: clients filter on them, so a name is
 * never renamed or reused. `person.*` and `tombstone.lifted` are written by erasure and export.
 */
export const AUDIT_ACTIONS = [
  'session.sign_in',
  'session.sign_in_failed',
  'session.sign_out',
  'session.password_changed',
  'workspace.first_admin_created',
  'workspace.settings_changed',
  'invite.created',
  'invite.revoked',
  'invite.accepted',
  'user.role_changed',
  'user.removed',
  'token.created',
  'token.revoked',
  'token.used',
  'connection.created',
  'connection.updated',
  'connection.deleted',
  'connection.tested',
  'connection.setup_run',
  'connection.sync_requested',
  'connection.retry_requested',
  'exclusion.added',
  'exclusion.removed',
  'account.created',
  'account.updated',
  'account.deleted',
  'account.access_changed',
  'import.started',
  'pairing.started',
  'pairing.unlinked',
  'pairing.resumed',
  'secret_key.rotated',
  'person.erased',
  'erasure.crm_deleted',
  'person.exported',
  'tombstone.lifted',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const DEFAULT_AUDIT_RETENTION_DAYS = 365;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** A token's use of a route family is written at its first use in the hour, then its count at most this often. */
const USE_FLUSH_MS = 60_000;
const PRUNE_EVERY_MS = HOUR_MS;

/**
 * Keys never written into an event's details, at any depth: whatever a caller passes, a password,
 * a token or a credential does not reach the log.
 */
const SECRET_KEYS = new Set(
  [
    'password',
    'currentPassword',
    'newPassword',
    'passwordHash',
    'token',
    'secret',
    'accessToken',
    'refreshToken',
    'appSecret',
    'clientSecret',
    'privateKey',
    'apiKey',
    'verifyToken',
    'credentials',
    'csrfToken',
  ].map((key) => key.toLowerCase()),
);
const MAX_TEXT = 500;

/** Who did it: a request (its session or token, else nobody signed in), or an actor named outright. */
export type AuditSource = FastifyRequest | { actor: AuditActor; request?: FastifyRequest | undefined };

interface PendingUse {
  workspaceId: string;
  actor: AuditActor;
  family: string;
  hour: number;
  key: string;
  /** Uses not yet counted in the store. */
  pending: number;
  flushedAt: number;
  clientAddress: string | undefined;
  userAgent: string | undefined;
}

/**
 * The audit log the routes and the CLI write to: one call per action (`record`), one per request
 * made with a token (`tokenUsed`, counted per token, route family and hour), and the pruning of
 * events past the workspace's retention, in the background of `wasync serve`.
 */
export class AuditLog {
  readonly now: () => number;
  private readonly uses = new Map<string, PendingUse>();
  private readonly loop: BackgroundPass;
  private lastPrune = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly options: {
      repository: AuditRepository;
      people: PeopleRepository;
      workspaces: WorkspaceRepository;
      /** The workspace of actions by nobody signed in (sign-in attempts) and of the CLI. */
      workspaceId: string;
      logger: Logger;
      now?: (() => number) | undefined;
    },
  ) {
    this.now = options.now ?? Date.now;
    this.loop = new BackgroundPass(() => this.maintain(), {
      pollMs: USE_FLUSH_MS,
      onError: (error) => options.logger.error({ err: error }, 'audit log maintenance failed'),
    });
  }

  /**
   * Records an action. It is called after the action took effect, so a store that cannot write the
   * event is logged as an error rather than failing the request that already did its work.
   */
  async record(
    source: AuditSource,
    action: AuditAction,
    target?: AuditTarget,
    details?: Record<string, unknown>,
  ): Promise<void> {
    const request = isRequest(source) ? source : source.request;
    try {
      const actor = isRequest(source) ? await this.actorOf(source.grant) : source.actor;
      await this.options.repository.insert({
        workspaceId: this.workspaceOf(request),
        occurredAt: this.now(),
        actor,
        action,
        target: target && {
          type: target.type,
          id: target.id,
          label: target.label === undefined ? undefined : clip(target.label),
        },
        details: details && (withoutSecrets(details) as Record<string, unknown>),
        ...requestFacts(request),
      });
    } catch (error) {
      this.options.logger.error({ err: error, action }, 'could not write an audit event');
    }
  }

  /** The actor of a person acting outside a request's grant (signing in, accepting an invite). */
  static person(user: { id: string; name: string; email: string }): AuditActor {
    return { via: 'session', userId: user.id, label: personLabel(user) };
  }

  /** The actor of the command line (`wasync token create`, `setup`, `import`, `rotate-key`). */
  static readonly cli: AuditActor = { via: 'cli', label: 'command line' };

  /**
   * Counts a request made with an API token against its route family (the route's tag in the API
   * doc: accounts, chats, ingest, …). One event per token, family and hour holds the count: the
   * first use is written at once, later ones at most once a minute, so heavy ingest adds no rows.
   */
  async tokenUsed(request: FastifyRequest): Promise<void> {
    const grant = request.grant;
    if (grant?.via !== 'token') return;
    const family = routeFamily(request);
    if (!family) return;
    const now = this.now();
    const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
    const key = `token.used:${grant.tokenId}:${family}:${hour}`;
    const known = this.uses.get(key);
    if (known) {
      known.pending += 1;
      if (now - known.flushedAt >= USE_FLUSH_MS) await this.flushUse(known, now);
      return;
    }
    const use: PendingUse = {
      workspaceId: grant.workspaceId,
      actor: await this.actorOf(grant),
      family,
      hour,
      key,
      pending: 1,
      flushedAt: now,
      ...requestFacts(request),
    };
    this.uses.set(key, use);
    await this.flushUse(use, now);
    // A new hour began for this token or family: hours gone by are counted in full and forgotten.
    if ([...this.uses.values()].some((other) => other.hour < hour)) await this.flush();
  }

  /** Writes every token use counted in memory and not yet in the store (before reading, and on stop). */
  async flush(): Promise<void> {
    const now = this.now();
    const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
    for (const use of [...this.uses.values()]) {
      await this.flushUse(use, now);
      // An hour gone by and counted in full is forgotten.
      if (use.hour < hour && use.pending === 0) this.uses.delete(use.key);
    }
  }

  async list(workspaceId: string, filter: AuditFilter, page: { limit: number; cursor?: string | undefined }) {
    await this.flush();
    return this.options.repository.list(workspaceId, filter, page);
  }

  /**
   * Deletes the events older than the workspace's retention (`auditRetentionDays`, default 365);
   * answers how many went.
   */
  async prune(workspaceId = this.options.workspaceId): Promise<number> {
    const { auditRetentionDays } = await this.options.workspaces.settings(workspaceId);
    const days = auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
    return this.options.repository.prune(workspaceId, this.now() - days * DAY_MS);
  }

  /** Flushes token uses and prunes once an hour; started by `wasync serve`. */
  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.flush().catch((error: unknown) =>
      this.options.logger.error({ err: error }, 'could not write the last token uses'),
    );
  }

  private async maintain(): Promise<void> {
    await this.flush();
    const now = this.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const pruned = await this.prune();
    if (pruned > 0) this.options.logger.info({ pruned }, 'audit events past their retention deleted');
  }

  private async flushUse(use: PendingUse, now: number): Promise<void> {
    if (use.pending === 0) return;
    const count = use.pending;
    use.pending = 0;
    use.flushedAt = now;
    try {
      await this.options.repository.count(
        {
          workspaceId: use.workspaceId,
          // Written by the first use of the hour; a later count only adds to it.
          occurredAt: Math.min(now, use.hour + HOUR_MS - 1),
          actor: use.actor,
          action: 'token.used',
          target: { type: 'route_family', id: use.family, label: use.family },
          details: { family: use.family, hourStartingAt: new Date(use.hour).toISOString() },
          clientAddress: use.clientAddress,
          userAgent: use.userAgent,
        },
        use.key,
        count,
      );
    } catch (error) {
      use.pending += count;
      this.options.logger.error({ err: error }, 'could not count a token use in the audit log');
    }
  }

  private workspaceOf(request: FastifyRequest | undefined): string {
    return request?.grant?.workspaceId ?? this.options.workspaceId;
  }

  private async actorOf(grant: Grant | undefined): Promise<AuditActor> {
    if (!grant) return { via: 'anonymous', label: 'nobody signed in' };
    if (grant.via === 'session') {
      return { via: 'session', userId: grant.userId, label: personLabel(grant) };
    }
    const owner = grant.userId ? await this.options.people.get(grant.workspaceId, grant.userId) : undefined;
    return {
      via: 'token',
      userId: grant.userId,
      tokenId: grant.tokenId,
      label: clip(`token "${grant.name}"${owner ? ` of ${personLabel(owner)}` : ''}`),
    };
  }
}

function isRequest(source: AuditSource): source is FastifyRequest {
  return 'headers' in source && 'method' in source;
}

function personLabel(person: { name: string; email: string }): string {
  return clip(`${person.name} <${person.email}>`);
}

function requestFacts(request: FastifyRequest | undefined): {
  clientAddress: string | undefined;
  userAgent: string | undefined;
} {
  const agent = request?.headers['user-agent'];
  return {
    clientAddress: request?.ip,
    userAgent: typeof agent === 'string' ? clip(agent) : undefined,
  };
}

/**
 * The family of a route: its tag in the API doc (accounts, chats, ingest, connections, sync, …),
 * else the first part of its path after /api/v1. Undefined when no route matched.
 */
export function routeFamily(request: FastifyRequest): string | undefined {
  const url = request.routeOptions.url;
  if (!url) return undefined;
  const tags = (request.routeOptions.schema as { tags?: unknown } | undefined)?.tags;
  if (Array.isArray(tags) && typeof tags[0] === 'string') return tags[0];
  return url.replace(/^\/api\/v1\//, '').split('/')[0] || undefined;
}

/** Details as stored: secrets dropped by name at any depth, long text cut. */
export function withoutSecrets(value: unknown): unknown {
  if (typeof value === 'string') return clip(value);
  if (Array.isArray(value)) return value.slice(0, 100).map(withoutSecrets);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (SECRET_KEYS.has(key.toLowerCase()) || inner === undefined) continue;
      out[key] = withoutSecrets(inner);
    }
    return out;
  }
  return value;
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}
