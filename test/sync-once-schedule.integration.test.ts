import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { ReferenceCrm } from '../src/crms/reference/crm.js';
import { referenceKind } from '../src/crms/reference/kind.js';
import { crmRegistry } from '../src/crms/registry.js';
import { SyncService } from '../src/sync/service.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { runDue, sqlQueue } from './support/queue-steps.js';

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

  const runAt = async () => (await h.services.sync.jobState(connectionId))?.runAt?.getTime();

  /** The worker of `serve` takes the connection's due run and schedules the next. */
  const serveRuns = async () => {
    const ran = await runDue(h.services.sync);
    expect(ran).toMatchObject({ connectionId, decision: { state: 'ran' } });
  };

  it("keeps the next run where serve's worker put it, on serve's interval", async () => {
    const before = Date.now();
    await serveRuns();
    const scheduled = await runAt();
    expect(scheduled).toBeGreaterThanOrEqual(before + SERVE_INTERVAL);
    expect(scheduled).toBeLessThanOrEqual(Date.now() + SERVE_INTERVAL);

    const once = await cli.runNow(connectionId);
    expect(once.state).toBe('done');
    // Not moved to the CLI's 3 minutes from now: the run ahead is the one serve scheduled.
    expect(await runAt()).toBe(scheduled);
    const state = await h.services.sync.jobState(connectionId);
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
    // Serve's worker gives the connection its first run and takes the connection's lease for it.
    await sqlQueue(h.services.sync).reconcile([connectionId], SERVE_INTERVAL);
    const first = await h.services.sync.jobState(connectionId);
    expect(first).toMatchObject({ reason: 'first sync' });
    const held = await h.services.sync.runs.acquire(connectionId, 'serve', Date.now(), 60_000, 'first sync');
    expect(held).toBeDefined();

    expect(await cli.runNow(connectionId)).toEqual({ state: 'busy' });
    // The CLI's attempt queued nothing: the run due is still serve's first one.
    expect(await h.services.sync.jobState(connectionId)).toMatchObject({
      reason: 'first sync',
      runAt: first?.runAt,
      running: { owner: 'serve' },
    });
  });
});
