import { afterEach, describe, expect, it } from 'vitest';
import { CrmError } from '../../src/crms/types.js';
import type { SalesforceSandboxOptions } from '../../src/sandboxes/salesforce/index.js';
import { sandboxTransport, startTestOrg, type TestOrg } from '../support/salesforce-org.js';

/** The two REQUEST_LIMIT_EXCEEDED of an org, as the sync engine is told to wait for them. */
describe('Salesforce request limits: the concurrency limit is not the daily allocation', () => {
  let org: TestOrg | undefined;
  afterEach(() => org?.close());

  const refusalOf = async (options: SalesforceSandboxOptions, callsBefore = 0): Promise<CrmError> => {
    org = await startTestOrg(options);
    const transport = sandboxTransport(org.url);
    // One API request each.
    const call = () => transport.request('GET', 'limits');
    for (let i = 0; i < callsBefore; i++) await call();
    const error = await call().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    if (!(error instanceof CrmError)) throw new Error(`expected a CrmError, got ${String(error)}`);
    return error;
  };

  it("past the concurrent-request limit: retried after the engine's short backoff", async () => {
    const error = await refusalOf({ faults: { rate: 1, kinds: ['concurrency'] } });
    expect(error).toMatchObject({
      kind: 'retryable',
      code: 'REQUEST_LIMIT_EXCEEDED',
      retryAfterMs: undefined,
    });
  });

  it('past the daily allocation: retried once the rolling window has room, not before', async () => {
    const error = await refusalOf({ dailyRequestLimit: 1 }, 1);
    expect(error).toMatchObject({
      kind: 'retryable',
      code: 'REQUEST_LIMIT_EXCEEDED',
      retryAfterMs: 30 * 60_000,
    });
  });

  it('past the daily allocation: sends nothing more until the wait is over', async () => {
    org = await startTestOrg({ dailyRequestLimit: 1 });
    const transport = sandboxTransport(org.url);
    const limits = () =>
      transport.request('GET', 'limits').then(
        () => undefined,
        (failure: unknown) => failure,
      );
    // Requests that reached the org, beside its token endpoint.
    const dataCalls = async () => {
      const counters = (await org?.counters()) as { total: number; byRoute: Record<string, number> };
      return counters.total - (counters.byRoute['POST /services/oauth2/token'] ?? 0);
    };
    expect(await limits()).toBeUndefined();
    // The answer said api-usage=1/1; the org alone says whether it takes more.
    expect(await limits()).toMatchObject({ code: 'REQUEST_LIMIT_EXCEEDED', retryAfterMs: 30 * 60_000 });
    expect(await dataCalls()).toBe(2);
    // Refused: the next calls fail here, with what is left of the wait, and never reach the org.
    for (let i = 0; i < 3; i++) {
      const error = await limits();
      expect(error).toMatchObject({ kind: 'retryable', code: 'REQUEST_LIMIT_EXCEEDED' });
      expect((error as CrmError).retryAfterMs).toBeGreaterThan(29 * 60_000);
    }
    expect(await dataCalls()).toBe(2);
  });

  it('past the daily allocation, refused by the org itself: the same wait', async () => {
    // No answer reported the usage before: the org's own 403 says it.
    org = await startTestOrg({ dailyRequestLimit: 0 });
    const error = await sandboxTransport(org.url)
      .request('GET', 'limits')
      .then(
        () => undefined,
        (failure: unknown) => failure,
      );
    expect(error).toMatchObject({
      kind: 'retryable',
      code: 'REQUEST_LIMIT_EXCEEDED',
      retryAfterMs: 30 * 60_000,
    });
  });
});
