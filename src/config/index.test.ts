import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

describe('loadConfig', () => {
  it('runs with no environment at all: SQLite under ./data, port 3000, 3-minute sync, 3 days backfill', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: path.resolve('data'),
      database: { dialect: 'sqlite', file: path.resolve('data', 'wasync.db') },
      redisUrl: undefined,
      redisPrefix: 'wasync',
      syncIntervalMs: 180_000,
      backfillDays: 3,
      defaultRegion: undefined,
      timeZone: 'UTC',
      bodyLimitBytes: 32 * 1024 * 1024,
    });
  });

  it('refuses a Redis prefix that is no plain name', () => {
    expect(() => loadConfig({ WASYNC_REDIS_PREFIX: 'a b' })).toThrow(/WASYNC_REDIS_PREFIX/);
  });

  it('reads the outbound allow-list, none by default, and refuses an entry that is no host', () => {
    expect(loadConfig({}).outboundAllow).toEqual([]);
    expect(
      loadConfig({ WASYNC_OUTBOUND_ALLOW: ' 127.0.0.1, localhost:4100,[::1]:80 ' }).outboundAllow,
    ).toEqual(['127.0.0.1', 'localhost:4100', '[::1]:80']);
    expect(() => loadConfig({ WASYNC_OUTBOUND_ALLOW: 'http://x/y' })).toThrow(/WASYNC_OUTBOUND_ALLOW/);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      WASYNC_PORT: '8080',
      WASYNC_HOST: '0.0.0.0',
      WASYNC_DATA_DIR: '/srv/wasync',
      DATABASE_URL: 'postgres://u:p@db:5432/wasync',
      REDIS_URL: 'redis://cache:6379',
      WASYNC_REDIS_PREFIX: 'crm-a',
      WASYNC_SYNC_INTERVAL: '90s',
      WASYNC_BACKFILL_DAYS: '7',
      WASYNC_DEFAULT_REGION: 'br',
      WASYNC_TIME_ZONE: 'America/Sao_Paulo',
      WASYNC_SECRET_KEY: 'k'.repeat(40),
      WASYNC_BODY_LIMIT: '8mb',
      WASYNC_MEDIA_MAX_BYTES: '512kb',
      WASYNC_LOG_LEVEL: 'debug',
      WASYNC_PUBLIC_URL: 'https://wasync.example.com',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/srv/wasync',
      database: { dialect: 'postgres', url: 'postgres://u:p@db:5432/wasync' },
      redisUrl: 'redis://cache:6379',
      redisPrefix: 'crm-a',
      syncIntervalMs: 90_000,
      backfillDays: 7,
      defaultRegion: 'BR',
      timeZone: 'America/Sao_Paulo',
      bodyLimitBytes: 8 * 1024 * 1024,
      mediaMaxBytes: 512 * 1024,
      logLevel: 'debug',
      publicUrl: 'https://wasync.example.com',
    });
  });

  it('keeps media in the data dir by default, in the database in scale mode on Postgres, as WASYNC_MEDIA_STORE says', () => {
    const postgres = { DATABASE_URL: 'postgres://u:p@db:5432/wasync', WASYNC_SECRET_KEY: 'k'.repeat(40) };
    const scale = { ...postgres, REDIS_URL: 'redis://cache:6379' };
    expect(loadConfig({}).mediaStore).toBe('filesystem');
    expect(loadConfig(postgres).mediaStore).toBe('filesystem');
    expect(loadConfig(scale).mediaStore).toBe('database');
    expect(loadConfig({ ...scale, WASYNC_MEDIA_STORE: 'filesystem' }).mediaStore).toBe('filesystem');
    expect(loadConfig({ ...postgres, WASYNC_MEDIA_STORE: 'database' }).mediaStore).toBe('database');
    expect(() => loadConfig({ WASYNC_MEDIA_STORE: 'database' })).toThrow(
      /WASYNC_MEDIA_STORE: database keeps media in Postgres/,
    );
    expect(() => loadConfig({ WASYNC_MEDIA_STORE: 's3' })).toThrow(
      /WASYNC_MEDIA_STORE must be filesystem or database/,
    );
  });

  it('accepts a SQLite file given as DATABASE_URL', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite:./other.db' }).database).toEqual({
      dialect: 'sqlite',
      file: path.resolve('other.db'),
    });
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({
        WASYNC_PORT: 'eighty',
        WASYNC_SYNC_INTERVAL: 'soon',
        WASYNC_DEFAULT_REGION: 'XX',
        WASYNC_TIME_ZONE: 'Mars/Olympus',
        REDIS_URL: 'http://nope',
        WASYNC_SECRET_KEY: 'short',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(6);
    for (const name of [
      'WASYNC_PORT',
      'WASYNC_SYNC_INTERVAL',
      'WASYNC_DEFAULT_REGION',
      'WASYNC_TIME_ZONE',
      'REDIS_URL',
      'WASYNC_SECRET_KEY',
    ]) {
      expect(problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
    }
  });

  it('refuses scale mode (REDIS_URL) on SQLite, and without a secret key on Postgres', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://cache:6379' })).toThrow(
      /REDIS_URL: scale mode .* Postgres/,
    );
    expect(() =>
      loadConfig({ REDIS_URL: 'redis://cache:6379', DATABASE_URL: 'postgres://u:p@db:5432/wasync' }),
    ).toThrow(/WASYNC_SECRET_KEY/);
    expect(
      loadConfig({
        REDIS_URL: 'redis://cache:6379',
        DATABASE_URL: 'postgres://u:p@db:5432/wasync',
        WASYNC_SECRET_KEY: 'k'.repeat(40),
      }).redisUrl,
    ).toBe('redis://cache:6379');
  });

  it('with Postgres, refuses to start without a secret key or a key file', () => {
    const postgres = 'postgres://u:p@db:5432/wasync';
    expect(() => loadConfig({ DATABASE_URL: postgres })).toThrow(
      /WASYNC_SECRET_KEY: With Postgres, set WASYNC_SECRET_KEY \(or WASYNC_SECRET_KEY_FILE\)/,
    );
    expect(loadConfig({ DATABASE_URL: postgres, WASYNC_SECRET_KEY_FILE: 'key' }).secretKeyFile).toBe(
      path.resolve('key'),
    );
  });

  it('refuses a DATABASE_URL it cannot use', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://db/wasync' })).toThrow(/DATABASE_URL: must be postgres/);
  });
});
