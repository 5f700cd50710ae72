import net from 'node:net';

/**
 * Which external services the integration suites can reach. Probed once per test run (global setup)
 * and handed to the test files with vitest's provide/inject.
 */
export interface ServiceAvailability {
  postgres: { url: string } | { skipped: string };
  redis: { url: string } | { skipped: string };
}

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Set by .ci/run: a service that cannot be reached fails the run instead of skipping its suites. */
export const REQUIRE_SERVICES_VAR = 'WASYNC_TEST_REQUIRE_SERVICES';

export async function probePostgres(url: string): Promise<string | undefined> {
  const { hostname, port } = new URL(url);
  if (!(await listening(hostname, Number(port || 5432))))
    return `nothing listens on ${hostname}:${port || 5432}`;
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return `cannot connect: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Whether Redis answers PING at `url` (undefined) or why not. */
export async function probeRedis(url: string): Promise<string | undefined> {
  const { hostname, port } = new URL(url);
  if (!(await listening(hostname, Number(port || 6379))))
    return `nothing listens on ${hostname}:${port || 6379}`;
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await client.connect();
    const answer = await client.ping();
    return answer === 'PONG' ? undefined : `PING answered ${answer}`;
  } catch (error) {
    return `cannot connect: ${(error as Error).message}`;
  } finally {
    client.disconnect();
  }
}

function listening(hostname: string, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: hostname, port });
    socket.setTimeout(1500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
