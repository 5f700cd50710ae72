/** A connected app the sandbox accepts at its token endpoint. */
export interface OAuthClient {
  /** The consumer key; also the `iss` of JWT bearer assertions. */
  clientId: string;
  /** The consumer secret, checked by the client-credentials and refresh-token flows. */
  clientSecret: string;
  /** PEM public key: when set, JWT bearer assertions from this client must carry a valid RS256 signature. */
  jwtPublicKeyPem?: string;
}

/** The kinds of injected failure: an HTTP status, or a request that hangs and is then cut off. */
export type FaultKind = '429' | '500' | '503' | 'timeout';

export interface FaultOptions {
  /** Share of API requests (0..1) that fail instead of being served. */
  rate: number;
  /** Seed of the generator that picks which requests fail and how, so a run can be replayed. Default 1. */
  seed?: number;
  /** How long a `timeout` fault holds the request before closing the connection unanswered. Default 30 000 ms. */
  timeoutMs?: number;
  /** Which failures to pick from, uniformly. Default all four. */
  kinds?: FaultKind[];
}

/** Options of {@link buildSalesforceSandbox}; every one is optional. */
export interface SalesforceSandboxOptions {
  /**
   * The API version the sandbox reports as its newest (`GET /services/data`). Paths accept any
   * `vNN.N`, as wasync pins its own. Default `v62.0`.
   */
  apiVersion?: string;
  /** Connected apps allowed at the token endpoint. Default: one demo app, {@link DEMO_CLIENT}. */
  clients?: OAuthClient[];
  /** Lifetime of access tokens; after it the API answers 401 INVALID_SESSION_ID. Default 2 hours (an org's default session timeout). */
  tokenTtlMs?: number;
  /** Refresh-token rotation: each refresh returns a new refresh token and invalidates the old one. Default false. */
  rotateRefreshTokens?: boolean;
  /** API requests allowed per rolling 24 hours; past it, 403 REQUEST_LIMIT_EXCEEDED. Default 100 000. */
  dailyRequestLimit?: number;
  /** Random failures of API requests (not of the token endpoint or the inspection routes). Default none. */
  faults?: FaultOptions;
  /** Delay added to every API and token request, in ms. Default 0. */
  latencyMs?: number;
  /**
   * How long after a write its record becomes searchable by SOSL. Default 15 minutes: "After a
   * searchable object's record is created or updated, it could take about 15 minutes or more for the
   * updated text to become searchable" (Best Practices for Deployments with Large Data Volumes,
   * Search Architecture). Tests set 0 to search at once, or a controllable `clock`.
   */
  searchIndexLagMs?: number;
  /** Start with WhatsApp_Chat__c already deployed (as wasync's setup would deploy it). Default false. */
  customObjectDeployed?: boolean;
  /** Log requests as JSON lines with pino. Default false. */
  logger?: boolean;
  /** Milliseconds since the epoch; tests pass a controllable clock to expire tokens or roll the daily window. Default `Date.now`. */
  clock?: () => number;
}

/** The demo connected app the sandbox accepts when no clients are configured. */
export const DEMO_CLIENT: OAuthClient = { clientId: 'wasync-sandbox', clientSecret: 'wasync-sandbox-secret' };

export interface ResolvedOptions {
  apiVersion: string;
  clients: OAuthClient[];
  tokenTtlMs: number;
  rotateRefreshTokens: boolean;
  dailyRequestLimit: number;
  faults: Required<FaultOptions>;
  latencyMs: number;
  searchIndexLagMs: number;
  customObjectDeployed: boolean;
  logger: boolean;
  clock: () => number;
}

export const DEFAULT_SEARCH_INDEX_LAG_MS = 15 * 60 * 1000;

const ALL_FAULTS: FaultKind[] = ['429', '500', '503', 'timeout'];

/** Fills in defaults and refuses values that would make the sandbox misbehave silently. */
export function resolveOptions(options: SalesforceSandboxOptions): ResolvedOptions {
  const apiVersion = options.apiVersion ?? 'v62.0';
  if (!/^v\d+\.\d$/.test(apiVersion)) throw new Error(`apiVersion must look like v62.0, not ${apiVersion}`);
  const rate = options.faults?.rate ?? 0;
  if (!(rate >= 0 && rate <= 1)) throw new Error(`faults.rate must be between 0 and 1, not ${rate}`);
  const kinds = options.faults?.kinds ?? ALL_FAULTS;
  if (kinds.length === 0) throw new Error('faults.kinds must name at least one kind');
  const searchIndexLagMs = options.searchIndexLagMs ?? DEFAULT_SEARCH_INDEX_LAG_MS;
  if (!(searchIndexLagMs >= 0 && Number.isFinite(searchIndexLagMs)))
    throw new Error(`searchIndexLagMs must be a number of milliseconds from 0, not ${searchIndexLagMs}`);
  return {
    apiVersion,
    clients: options.clients ?? [DEMO_CLIENT],
    tokenTtlMs: options.tokenTtlMs ?? 2 * 60 * 60 * 1000,
    rotateRefreshTokens: options.rotateRefreshTokens ?? false,
    dailyRequestLimit: options.dailyRequestLimit ?? 100_000,
    faults: { rate, seed: options.faults?.seed ?? 1, timeoutMs: options.faults?.timeoutMs ?? 30_000, kinds },
    latencyMs: options.latencyMs ?? 0,
    searchIndexLagMs,
    customObjectDeployed: options.customObjectDeployed ?? false,
    logger: options.logger ?? false,
    clock: options.clock ?? Date.now,
  };
}
