/** The key every Postgres harness and worker seals with: processes sharing a database share a key. */
export const TEST_POSTGRES_SECRET_KEY = 'test-secret-key-for-postgres-harnesses-0123456789';

/** What a test process adds to its environment: a key on Postgres (required), none on SQLite (generated). */
export function secretKeyEnv(dialect: 'sqlite' | 'postgres'): Record<string, string> {
  return dialect === 'postgres' ? { WASYNC_SECRET_KEY: TEST_POSTGRES_SECRET_KEY } : {};
}
