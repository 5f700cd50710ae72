import { randomBytes } from 'node:crypto';
import { type FaultOptions, type ResolvedFaults, resolveFaults } from '../kit/faults.js';
import type { MethodDefinition } from './method.js';
import { PORTAL_METHODS } from './methods/index.js';

/**
 * Faults a test can inject: `503` QUERY_LIMIT_EXCEEDED and `500` INTERNAL_SERVER_ERROR (the system
 * errors of `_includes/system-errors.md`), `expired-token` (401 expired_token to an OAuth call; a
 * webhook has no token, so it meets a 500 instead), and the kit's `timeout` and `lost-answer`.
 */
export type Bitrix24FaultKind = '503' | '500' | 'expired-token' | 'timeout' | 'lost-answer';
export const BITRIX24_FAULT_KINDS: readonly Bitrix24FaultKind[] = [
  '503',
  '500',
  'expired-token',
  'timeout',
  'lost-answer',
];

/** An inbound webhook: `/rest/{userId}/{secret}/…` runs as the user, with the scopes it was given. */
export interface Bitrix24Webhook {
  userId: number;
  secret: string;
  scopes: string[];
  /** Milliseconds since the epoch after which the webhook answers as one that does not exist. */
  expiresAt?: number | undefined;
}

/** A local application installed on the portal (its card: id, secret, redirect address, scopes). */
export interface Bitrix24Application {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scopes: string[];
}

/** The webhook and application every sandbox starts with, so the demo and the CLI need no setup. */
export const DEMO_WEBHOOK: Bitrix24Webhook = {
  userId: 1,
  secret: 'wasyncdemowebhook1',
  scopes: ['crm', 'disk', 'user'],
};
export const DEMO_APPLICATION: Bitrix24Application = {
  clientId: 'local.wasyncdemo00000001.00000001',
  clientSecret: 'wasync-demo-bitrix24-client-secret',
  redirectUri: 'http://127.0.0.1:8080/oauth/bitrix24/callback',
  scopes: ['crm', 'disk', 'user'],
};

export interface Bitrix24SandboxOptions {
  /** The REST methods the portal serves, by name (`crm.contact.add` → its definition). Default: the portal's (methods/). */
  methods?: Record<string, MethodDefinition>;
  /** Milliseconds since the epoch; a test moves it by hand. Default Date.now. */
  clock?: () => number;
  /** `member_id`, the portal's stable id. Default a random 32-hex id. */
  memberId?: string;
  /** The portal's domain as the OAuth redirect names it. Default the Host the request came to. */
  domain?: string;
  /** Enterprise plans get the larger bucket (250, 5 a second); others 50, 2 a second. */
  plan?: 'standard' | 'enterprise';
  /** Seconds of execution a method may sum in 10 minutes before it is blocked. Default 480. */
  operatingLimitSeconds?: number;
  /** Seconds of execution a call costs against its method's operating time. Default: measured. */
  operatingCost?: (method: string) => number;
  /** Access token lifetime. Default 3600 s. */
  accessTokenTtlMs?: number;
  webhooks?: Bitrix24Webhook[];
  applications?: Bitrix24Application[];
  latencyMs?: number;
  faults?: FaultOptions<Bitrix24FaultKind>;
  logger?: boolean;
}

export interface ResolvedBitrix24Options {
  methods: Record<string, MethodDefinition>;
  clock: () => number;
  memberId: string;
  domain: string | undefined;
  bucket: { burst: number; drainPerSecond: number };
  operatingLimitSeconds: number;
  operatingCost: ((method: string) => number) | undefined;
  accessTokenTtlMs: number;
  webhooks: Bitrix24Webhook[];
  applications: Bitrix24Application[];
  latencyMs: number;
  faults: ResolvedFaults<Bitrix24FaultKind>;
  logger: boolean;
}

export function resolveBitrix24Options(options: Bitrix24SandboxOptions): ResolvedBitrix24Options {
  return {
    methods: options.methods ?? PORTAL_METHODS,
    clock: options.clock ?? Date.now,
    memberId: options.memberId ?? randomBytes(16).toString('hex'),
    domain: options.domain,
    // limits.md, "Request Intensity Limits": Enterprise 250 and 5 a second, other plans 50 and 2.
    bucket:
      options.plan === 'enterprise' ? { burst: 250, drainPerSecond: 5 } : { burst: 50, drainPerSecond: 2 },
    // limits.md, "Resource Consumption Limits": 480 seconds within 10 minutes.
    operatingLimitSeconds: options.operatingLimitSeconds ?? 480,
    operatingCost: options.operatingCost,
    // settings/oauth/index.md: `expires_in` 3600 in the token answer.
    accessTokenTtlMs: options.accessTokenTtlMs ?? 3_600_000,
    webhooks: (options.webhooks ?? [DEMO_WEBHOOK]).map((webhook) => ({ ...webhook })),
    applications: options.applications ?? [DEMO_APPLICATION],
    latencyMs: options.latencyMs ?? 0,
    faults: resolveFaults(options.faults, BITRIX24_FAULT_KINDS),
    logger: options.logger ?? false,
  };
}
