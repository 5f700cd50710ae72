import { type FaultOptions as KitFaultOptions, type ResolvedFaults, resolveFaults } from '../kit/faults.js';
import { DEMO_JWT_PUBLIC_KEY_PEM } from './auth/demo-jwt-key.js';
import type { DuplicateRuleAction } from './duplicate-rules.js';

/** A connected app the sandbox accepts at its token endpoint. */
export interface OAuthClient {
  /** The consumer key; also the `iss` of JWT bearer assertions. */
  clientId: string;
  /** The consumer secret, checked by the client-credentials and refresh-token flows. */
  clientSecret: string;
  /**
   * PEM public key of the app's certificate: JWT bearer assertions from this client must carry an
   * RS256 signature by it. A client without one cannot use the JWT bearer flow.
   */
  jwtPublicKeyPem?: string;
  /**
   * The app's callback URLs: the authorize endpoint refuses any other `redirect_uri` (Salesforce
   * Help, "OAuth 2.0 Web Server Flow for Web App Integration": redirect_uri must be one of the
   * app's callback URLs). Default: none registered, and any http(s) URL is taken, so tests need not
   * know their port in advance.
   */
  callbackUrls?: string[];
}

/**
 * An `aud` a JWT bearer assertion may carry: Salesforce's generic login hosts, or `my-domain` for
 * this server's own URL standing in for the org's My Domain.
 */
export type JwtAudience = 'https://login.salesforce.com' | 'https://test.salesforce.com' | 'my-domain';

/**
 * The kinds of injected failure: `concurrency`, the org's concurrent-request limit (403
 * REQUEST_LIMIT_EXCEEDED, as an org answers it); `500` and `503`, the server failing; `timeout`, a
 * request that hangs and is then cut off.
 */
export type FaultKind = 'concurrency' | '500' | '503' | 'timeout';

/** A fault kind as options take it: `'429'` is the old name of `concurrency`, still accepted. */
export type FaultKindOption = FaultKind | '429';

/**
 * Random failures of API requests, drawn by the sandbox kit (rate, seed, timeoutMs, kinds); default
 * all four kinds.
 */
export type FaultOptions = KitFaultOptions<FaultKindOption>;

/** Options of {@link buildSalesforceSandbox}; every one is optional. */
export interface SalesforceSandboxOptions {
  /**
   * The API version the sandbox reports as its newest (`GET /services/data`). Paths accept any
   * `vNN.N`, as wasync pins its own. Default `v62.0`.
   */
  apiVersion?: string;
  /** Connected apps allowed at the token endpoint. Default: one demo app, {@link DEMO_CLIENT}. */
  clients?: OAuthClient[];
  /**
   * The `aud` values JWT bearer assertions may carry. A production org takes
   * https://login.salesforce.com, a sandbox org https://test.salesforce.com, and apps that require
   * it the org's My Domain URL (Salesforce Help, "OAuth 2.0 JWT Bearer Flow for Server-to-Server
   * Integration"). Default: a production org that also takes its My Domain,
   * `['https://login.salesforce.com', 'my-domain']`.
   */
  jwtAudiences?: JwtAudience[];
  /**
   * Host names (of the Host header, without port) that stand for Salesforce's generic login hosts
   * rather than the org's My Domain: there the client-credentials grant is refused, as
   * login.salesforce.com and test.salesforce.com refuse it. Default
   * `['login.salesforce.com', 'test.salesforce.com']`; tests add a name of their own, such as
   * `login.sandbox.test`, and send it as the Host header.
   */
  genericLoginHosts?: string[];
  /** Lifetime of access tokens; after it the API answers 401 INVALID_SESSION_ID. Default 2 hours (an org's default session timeout). */
  tokenTtlMs?: number;
  /**
   * Refresh-token rotation: each refresh returns a new refresh token and invalidates the old one.
   * Without it a refresh answers no `refresh_token` and the old one stays valid. Default false.
   */
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
  /**
   * The standard Contact and Lead duplicate rules on create: `alert` (a new org's default: refused with
   * DUPLICATES_DETECTED unless the Duplicate Rule Header says allowSave=true), `block`, or `off`.
   */
  duplicateRules?: DuplicateRuleAction;
  /**
   * The values of the Lead Source picklist (Contact and Lead), a restricted picklist in the sandbox.
   * Default the five a new org has: Web, Phone Inquiry, Partner Referral, Purchased List, Other.
   */
  leadSourceValues?: string[];
  /**
   * Page layouts the Metadata API may not change (updateMetadata answers INSUFFICIENT_ACCESS), as in an
   * org whose admin keeps integrations off some layouts. Default none.
   */
  lockedLayouts?: string[];
  /** Log requests as JSON lines with pino. Default false. */
  logger?: boolean;
  /** Milliseconds since the epoch; tests pass a controllable clock to expire tokens or roll the daily window. Default `Date.now`. */
  clock?: () => number;
}

/**
 * The demo connected app the sandbox accepts when no clients are configured, with the sandbox's
 * published demo key pair registered for the JWT bearer flow (see `auth/demo-jwt-key.ts`).
 */
export const DEMO_CLIENT: Required<Omit<OAuthClient, 'callbackUrls'>> = {
  clientId: 'wasync-sandbox',
  clientSecret: 'wasync-sandbox-secret',
  jwtPublicKeyPem: DEMO_JWT_PUBLIC_KEY_PEM,
};

/** The username of the org's seeded integration user: the `sub` of demo JWT bearer assertions. */
export const DEMO_USERNAME = 'integration@wasync.sandbox';

export interface ResolvedOptions {
  apiVersion: string;
  clients: OAuthClient[];
  jwtAudiences: JwtAudience[];
  genericLoginHosts: string[];
  tokenTtlMs: number;
  rotateRefreshTokens: boolean;
  dailyRequestLimit: number;
  faults: ResolvedFaults<FaultKind>;
  latencyMs: number;
  searchIndexLagMs: number;
  customObjectDeployed: boolean;
  lockedLayouts: string[];
  leadSourceValues: string[] | undefined;
  duplicateRules: DuplicateRuleAction;
  logger: boolean;
  clock: () => number;
}

export const DEFAULT_SEARCH_INDEX_LAG_MS = 15 * 60 * 1000;

const ALL_FAULTS: FaultKind[] = ['concurrency', '500', '503', 'timeout'];

/** Fills in defaults and refuses values that would make the sandbox misbehave silently. */
export function resolveOptions(options: SalesforceSandboxOptions): ResolvedOptions {
  const apiVersion = options.apiVersion ?? 'v62.0';
  if (!/^v\d+\.\d$/.test(apiVersion)) throw new Error(`apiVersion must look like v62.0, not ${apiVersion}`);
  const faults = resolveFaults(
    options.faults && {
      ...options.faults,
      kinds: options.faults.kinds?.map((kind) => (kind === '429' ? 'concurrency' : kind)),
    },
    ALL_FAULTS,
  );
  const searchIndexLagMs = options.searchIndexLagMs ?? DEFAULT_SEARCH_INDEX_LAG_MS;
  if (!(searchIndexLagMs >= 0 && Number.isFinite(searchIndexLagMs)))
    throw new Error(`searchIndexLagMs must be a number of milliseconds from 0, not ${searchIndexLagMs}`);
  return {
    apiVersion,
    clients: options.clients ?? [DEMO_CLIENT],
    jwtAudiences: options.jwtAudiences ?? ['https://login.salesforce.com', 'my-domain'],
    genericLoginHosts: (options.genericLoginHosts ?? ['login.salesforce.com', 'test.salesforce.com']).map(
      (host) => host.toLowerCase(),
    ),
    tokenTtlMs: options.tokenTtlMs ?? 2 * 60 * 60 * 1000,
    rotateRefreshTokens: options.rotateRefreshTokens ?? false,
    dailyRequestLimit: options.dailyRequestLimit ?? 100_000,
    faults,
    latencyMs: options.latencyMs ?? 0,
    searchIndexLagMs,
    customObjectDeployed: options.customObjectDeployed ?? false,
    lockedLayouts: options.lockedLayouts ?? [],
    leadSourceValues: options.leadSourceValues,
    duplicateRules: options.duplicateRules ?? 'alert',
    logger: options.logger ?? false,
    clock: options.clock ?? Date.now,
  };
}
