import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { ReferenceCrm } from '../src/crms/reference/crm.js';
import { referenceKind } from '../src/crms/reference/kind.js';
import { crmRegistry } from '../src/crms/registry.js';
import { SyncService } from '../src/sync/service.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

const MINUTE = 60_000;
/** The interval `wasync serve` was started with here; the CLI process below has the default, 3 min. */
const SERVE_INTERVAL = 15 * MINUTE;
const CLI_INTERVAL = 3 * MINUTE;

const crm = new ReferenceCrm('once-key');
beforeAll(() => crmRegistry.register(referenceKind(crm, { kind: 'oncecrm', leads: false })));
afterAll(() => crmRegistry.unregister('oncecrm'));

/**
 * `wasync sync --once` runs in its own process, with its own WASYNC_SYNC_INTERVAL, beside the worker
 * of `wasync serve` that schedules each connection. An extra pass from the CLI must leave the
 * connection on the worker's schedule.
 */
describeEachDatabase('sync --once and the schedule of a connection', (database) => {
  let h: Harness;
  let cli: SyncService;
  let connectionId: string;

  beforeEach(async () => {
    crm.reset();
    h = await startHarness(database, { WASYNC_SYNC_INTERVAL: '15m' });
    connectionId = (
      await h.services.connections.create(h.services.workspace.id, {
        kind: 'oncecrm',
        name: 'Memory',
        apiKey: 'once-key',
      })
    ).id;
    cli = new SyncService({
      store: h.services.store,
      workspace: h.services.workspace,
      connections: h.services.connections,
      logger: pino({ level: 'silent' }),
      backfillDays: 3,
      intervalMs: CLI_INTERVAL,
    });
  });
  afterEach(() => h.close());

  const runAt = async () => (await h.services.sync.queue.state(connectionId))?.runAt?.getTime();

  /** The worker of `serve` takes the connection's due run and schedules the next. */
  const serveRuns = async () => {
    const job = await h.services.sync.claimNext();
    expect(job?.connectionId).toBe(connectionId);
    if (job) expect((await h.services.sync.runJob(job)).state).toBe('done');
  };

  it("keeps the next run where serve's worker put it, on serve's interval", async () => {
    await h.services.sync.queue.scheduleNew(Date.now());
    const before = Date.now();
    await serveRuns();
    const scheduled = await runAt();
    expect(scheduled).toBeGreaterThanOrEqual(before + SERVE_INTERVAL);
    expect(scheduled).toBeLessThanOrEqual(Date.now() + SERVE_INTERVAL);

    const once = await cli.runNow(connectionId);
    expect(once.state).toBe('done');
    // Not moved to the CLI's 3 minutes from now: the run ahead is the one serve scheduled.
    expect(await runAt()).toBe(scheduled);
    const state = await h.services.sync.queue.state(connectionId);
    expect(state).toMatchObject({ reason: 'schedule', running: undefined, attempts: 0 });
    expect(state?.lastFinishedAt?.getTime()).toBeGreaterThan(before);

    // And serve's next run, when it comes, is again one of its own intervals on.
    const again = await cli.runNow(connectionId);
    expect(again.state).toBe('done');
    expect(await runAt()).toBe(scheduled);
  });

  it('schedules a connection with no run ahead one interval on (the only one this process knows)', async () => {
    const before = Date.now();
    expect(await runAt()).toBeUndefined();
    expect((await cli.runNow(connectionId)).state).toBe('done');
    const next = await runAt();
    expect(next).toBeGreaterThanOrEqual(before + CLI_INTERVAL);
    expect(next).toBeLessThanOrEqual(Date.now() + CLI_INTERVAL);
  });

  it('leaves a connection that serve is running alone: busy, and no second run queued behind it', async () => {
    await h.services.sync.queue.scheduleNew(Date.now());
    const job = await h.services.sync.claimNext();
    expect(job?.connectionId).toBe(connectionId);
    if (!job) return;
    expect(await cli.runNow(connectionId)).toEqual({ state: 'busy' });
    expect(await runAt()).toBeUndefined();

    const before = Date.now();
    expect((await h.services.sync.runJob(job)).state).toBe('done');
    // Serve's run schedules the next on its interval; the CLI's attempt did not queue one for now.
    expect(await runAt()).toBeGreaterThanOrEqual(before + SERVE_INTERVAL);
  });
});
