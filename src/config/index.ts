import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_PASSWORD_COST } from '../auth/passwords.js';
import type { CountryCode } from '../core/phone.js';
import { isRegion } from '../core/phone.js';
import { isTimeZone } from '../core/time-zone.js';
import { splitAllowEntry } from '../net/outbound-url.js';
import { POSTGRES_NEEDS_A_KEY } from '../store/secret-key.js';
import { parseDuration, parseSize } from './units.js';

/**
 * The only module that reads `process.env`. Everything else receives a typed {@link Config}.
 * Every variable is documented in the README's configuration table; keep the two in step.
 */
export interface Config {
  /** TCP port of `wasync serve` (WASYNC_PORT, default 3000). */
  port: number;
  /** Interface to listen on (WASYNC_HOST, default 127.0.0.1; use 0.0.0.0 behind a proxy or in a container). */
  host: string;
  /** Where the SQLite file, media and the generated secret key live (WASYNC_DATA_DIR, default ./data). */
  dataDir: string;
  /** The database: SQLite file by default, Postgres when DATABASE_URL is a postgres:// URL. */
  database: DatabaseConfig;
  /** Redis for scale mode (REDIS_URL); undefined in embedded mode. */
  redisUrl: string | undefined;
  /**
   * Put before this install's Redis keys and channels (WASYNC_REDIS_PREFIX, default `wasync`), so
   * that several installs share one Redis.
   */
  redisPrefix: string;
  /**
   * Where media bytes live (WASYNC_MEDIA_STORE): `filesystem`, the data dir's `media/` folder, or
   * `database`, tables of the Postgres database. Default `filesystem`; `database` in scale mode
   * (REDIS_URL set) on Postgres, since workers on other machines do not reach one machine's data dir.
   * `database` needs Postgres.
   */
  mediaStore: MediaStoreKind;
  /** How often each CRM connection syncs (WASYNC_SYNC_INTERVAL, default 3m). */
  syncIntervalMs: number;
  /** Days of history backed up when a CRM is first connected or a number first linked (WASYNC_BACKFILL_DAYS, 3). */
  backfillDays: number;
  /** Region for numbers written without a country code (WASYNC_DEFAULT_REGION, e.g. BR); none by default. */
  defaultRegion: CountryCode | undefined;
  /** IANA time zone that day transcripts are cut in (WASYNC_TIME_ZONE, default UTC). */
  timeZone: string;
  /** Key sealing stored secrets (WASYNC_SECRET_KEY); generated into the data dir when unset, on SQLite only. */
  secretKey: string | undefined;
  /** A file holding that key instead (WASYNC_SECRET_KEY_FILE); one of the two is required with Postgres. */
  secretKeyFile: string | undefined;
  /** Largest request body accepted (WASYNC_BODY_LIMIT, default 32mb). */
  bodyLimitBytes: number;
  /** Largest single media file stored (WASYNC_MEDIA_MAX_BYTES, default 100mb). */
  mediaMaxBytes: number;
  /** Largest upload and largest total a chat-export zip unpacks to (WASYNC_IMPORT_MAX_BYTES, default 2gb). */
  importMaxBytes: number;
  /** Media files one chat-export import may store (WASYNC_IMPORT_MAX_MEDIA_FILES, default 5000). */
  importMaxMediaFiles: number;
  /** Bytes of media one chat-export import may store (WASYNC_IMPORT_MAX_MEDIA_BYTES, default 1gb). */
  importMaxMediaBytes: number;
  /** Media bytes the workspace may hold in all (WASYNC_STORAGE_QUOTA, default 20gb; `none` for no quota). */
  storageQuotaBytes: number | undefined;
  /** pino log level (WASYNC_LOG_LEVEL, default info). */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Public base URL of this server, used in webhook URLs shown to users (WASYNC_PUBLIC_URL). */
  publicUrl: string | undefined;
  /** log2 of scrypt's cost for password hashes (WASYNC_PASSWORD_COST, 12-20, default 17: 128 MiB). */
  passwordCost: number;
  /** WebSocket URL linked-device sessions connect to (WASYNC_WHATSAPP_WEB_URL); WhatsApp's own by default. */
  whatsappWebUrl: string | undefined;
  /** Bearer token `/metrics` requires when set (WASYNC_METRICS_TOKEN); open when unset. */
  metricsToken: string | undefined;
  /**
   * Hosts (host or host:port) wasync may fetch from over plain http and on local or private addresses
   * (WASYNC_OUTBOUND_ALLOW, comma-separated; none by default): self-hosted sandboxes, a test server.
   */
  outboundAllow: readonly string[];
}

export type MediaStoreKind = 'filesystem' | 'database';

export type DatabaseConfig = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string };

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const duration = (name: string) =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms < 1_000) {
      ctx.addIssue({
        code: 'custom',
        message: `${name} must be a duration of at least 1s, like 90s, 3m or 1h`,
      });
      return z.NEVER;
    }
    return ms;
  });

const size = (name: string) =>
  z.string().transform((text, ctx) => {
    const bytes = parseSize(text);
    if (bytes === undefined || bytes < 1024) {
      ctx.addIssue({ code: 'custom', message: `${name} must be a size of at least 1kb, like 512kb or 32mb` });
      return z.NEVER;
    }
    return bytes;
  });

const integer = (name: string, min: number, max: number) =>
  z.string().transform((text, ctx) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}` });
      return z.NEVER;
    }
    return value;
  });

const envSchema = z.object({
  WASYNC_PORT: integer('WASYNC_PORT', 0, 65535).default(3000),
  WASYNC_HOST: z.string().min(1).default('127.0.0.1'),
  WASYNC_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().min(1).optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must start with redis:// or rediss://')
    .optional(),
  WASYNC_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'WASYNC_REDIS_PREFIX must be 1 to 64 letters, digits, _ . or -')
    .default('wasync'),
  WASYNC_MEDIA_STORE: z
    .enum(['filesystem', 'database'], { error: 'WASYNC_MEDIA_STORE must be filesystem or database' })
    .optional(),
  WASYNC_SYNC_INTERVAL: duration('WASYNC_SYNC_INTERVAL').default(180_000),
  WASYNC_BACKFILL_DAYS: integer('WASYNC_BACKFILL_DAYS', 0, 3650).default(3),
  WASYNC_DEFAULT_REGION: z
    .string()
    .transform((v) => v.toUpperCase())
    .refine((v) => isRegion(v), 'WASYNC_DEFAULT_REGION must be an ISO 3166 country code such as BR, US or DE')
    .transform((v) => v as CountryCode)
    .optional(),
  WASYNC_TIME_ZONE: z
    .string()
    .refine(isTimeZone, 'WASYNC_TIME_ZONE must be an IANA time zone such as Europe/Berlin or UTC')
    .default('UTC'),
  WASYNC_SECRET_KEY: z.string().min(32, 'WASYNC_SECRET_KEY must be at least 32 characters').optional(),
  WASYNC_SECRET_KEY_FILE: z.string().min(1).optional(),
  WASYNC_BODY_LIMIT: size('WASYNC_BODY_LIMIT').default(32 * 1024 ** 2),
  WASYNC_MEDIA_MAX_BYTES: size('WASYNC_MEDIA_MAX_BYTES').default(100 * 1024 ** 2),
  WASYNC_IMPORT_MAX_BYTES: size('WASYNC_IMPORT_MAX_BYTES').default(2 * 1024 ** 3),
  WASYNC_IMPORT_MAX_MEDIA_FILES: integer('WASYNC_IMPORT_MAX_MEDIA_FILES', 0, 10_000_000).default(5_000),
  WASYNC_IMPORT_MAX_MEDIA_BYTES: size('WASYNC_IMPORT_MAX_MEDIA_BYTES').default(1024 ** 3),
  WASYNC_STORAGE_QUOTA: z.union([z.literal('none'), size('WASYNC_STORAGE_QUOTA')]).default(20 * 1024 ** 3),
  WASYNC_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WASYNC_PUBLIC_URL: z.url('WASYNC_PUBLIC_URL must be an absolute URL').optional(),
  WASYNC_PASSWORD_COST: integer('WASYNC_PASSWORD_COST', 12, 20).default(DEFAULT_PASSWORD_COST),
  WASYNC_WHATSAPP_WEB_URL: z
    .url({ protocol: /^wss?$/, error: 'WASYNC_WHATSAPP_WEB_URL must be a ws:// or wss:// URL' })
    .optional(),
  WASYNC_METRICS_TOKEN: z.string().min(16, 'WASYNC_METRICS_TOKEN must be at least 16 characters').optional(),
  WASYNC_OUTBOUND_ALLOW: z
    .string()
    .transform((text, ctx) => {
      const entries = text
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
      for (const entry of entries) {
        try {
          splitAllowEntry(entry);
        } catch {
          ctx.addIssue({
            code: 'custom',
            message: `WASYNC_OUTBOUND_ALLOW: "${entry}" is not a host or host:port (like localhost:4100 or 10.0.0.5)`,
          });
        }
      }
      return entries;
    })
    .optional(),
});

export const SCALE_NEEDS_POSTGRES =
  'scale mode (REDIS_URL set) runs every process on one Postgres: set DATABASE_URL=postgres://… too ' +
  '(SQLite is one process on one machine; leave REDIS_URL unset to run that way).';

/** Every variable the config reads; the README's configuration table lists each (a test checks). */
export const ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/**
 * Reads and validates the environment. Throws a {@link ConfigError} listing every problem at once, so
 * an operator fixes them in one go rather than one restart per mistake.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.WASYNC_DATA_DIR);
  const database = parseDatabaseUrl(e.DATABASE_URL, dataDir);
  if ('problem' in database) throw new ConfigError([`DATABASE_URL: ${database.problem}`]);
  if (e.REDIS_URL !== undefined && database.dialect !== 'postgres')
    throw new ConfigError([`REDIS_URL: ${SCALE_NEEDS_POSTGRES}`]);
  if (database.dialect === 'postgres' && !e.WASYNC_SECRET_KEY && !e.WASYNC_SECRET_KEY_FILE)
    throw new ConfigError([`WASYNC_SECRET_KEY: ${POSTGRES_NEEDS_A_KEY}`]);
  const mediaStore = e.WASYNC_MEDIA_STORE ?? (e.REDIS_URL !== undefined ? 'database' : 'filesystem');
  const mediaProblem = mediaStoreProblem(mediaStore, database);
  if (mediaProblem) throw new ConfigError([mediaProblem]);
  return {
    port: e.WASYNC_PORT,
    host: e.WASYNC_HOST,
    dataDir,
    database,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.WASYNC_REDIS_PREFIX,
    mediaStore,
    syncIntervalMs: e.WASYNC_SYNC_INTERVAL,
    backfillDays: e.WASYNC_BACKFILL_DAYS,
    defaultRegion: e.WASYNC_DEFAULT_REGION,
    timeZone: e.WASYNC_TIME_ZONE,
    secretKey: e.WASYNC_SECRET_KEY,
    secretKeyFile:
      e.WASYNC_SECRET_KEY_FILE === undefined ? undefined : path.resolve(e.WASYNC_SECRET_KEY_FILE),
    bodyLimitBytes: e.WASYNC_BODY_LIMIT,
    mediaMaxBytes: e.WASYNC_MEDIA_MAX_BYTES,
    importMaxBytes: e.WASYNC_IMPORT_MAX_BYTES,
    importMaxMediaFiles: e.WASYNC_IMPORT_MAX_MEDIA_FILES,
    importMaxMediaBytes: e.WASYNC_IMPORT_MAX_MEDIA_BYTES,
    storageQuotaBytes: e.WASYNC_STORAGE_QUOTA === 'none' ? undefined : e.WASYNC_STORAGE_QUOTA,
    logLevel: e.WASYNC_LOG_LEVEL,
    publicUrl: e.WASYNC_PUBLIC_URL,
    passwordCost: e.WASYNC_PASSWORD_COST,
    whatsappWebUrl: e.WASYNC_WHATSAPP_WEB_URL,
    metricsToken: e.WASYNC_METRICS_TOKEN,
    outboundAllow: e.WASYNC_OUTBOUND_ALLOW ?? [],
  };
}

function parseDatabaseUrl(url: string | undefined, dataDir: string): DatabaseConfig | { problem: string } {
  if (url === undefined) return { dialect: 'sqlite', file: path.join(dataDir, 'wasync.db') };
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', url };
  const sqlite = /^(?:sqlite|file):(?:\/\/)?(.+)$/.exec(url);
  if (sqlite?.[1])
    return { dialect: 'sqlite', file: sqlite[1] === ':memory:' ? ':memory:' : path.resolve(sqlite[1]) };
  return { problem: 'must be postgres://…, postgresql://… or sqlite:PATH' };
}

/**
 * Why this media store cannot work on this database, if it cannot: the database store keeps its
 * chunks in Postgres only (SQLite lives on one machine, where the data dir serves as well).
 */
export function mediaStoreProblem(kind: MediaStoreKind, database: DatabaseConfig): string | undefined {
  if (kind === 'database' && database.dialect !== 'postgres')
    return 'WASYNC_MEDIA_STORE: database keeps media in Postgres; set DATABASE_URL to a postgres:// URL, or WASYNC_MEDIA_STORE=filesystem';
  return undefined;
}
