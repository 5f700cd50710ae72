import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import { ReferenceCrm } from '../src/crms/reference/crm.js';
import { referenceKind } from '../src/crms/reference/kind.js';
import { crmRegistry } from '../src/crms/registry.js';
import { emptySummary } from '../src/sync/day-writes.js';
import { REALTIME_REASON, type RealtimeClock } from '../src/sync/realtime.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

/**
 * Near-real-time sync (src/sync/realtime.ts): the debouncer on a fake clock over the real store and
 * queue (what it asks for, and when), then a message posted through the REST ingest reaching the CRM
 * on its own, well before the interval.
 */
const crm = new ReferenceCrm('rt-key', { attachmentBytes: 1024 });
const KIND = 'refrealtime';
beforeAll(() =>
  crmRegistry.register(referenceKind(crm, { kind: KIND, attachments: 'after', keys: 'external-id' })),
);
afterAll(() => crmRegistry.unregister(KIND));

const ANA = '+5511987654321';
const BEA = '+5511912345678';

/** Timers that run only when the test moves the clock. */
class FakeClock implements RealtimeClock {
  private time = Date.now();
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; run: () => void }>();
  now(): number {
    return this.time;
  }
  setTimeout(run: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, run });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Moves the clock by `ms`, running each timer due on the way at its own time; `settle` after each. */
  async advance(ms: number, settle: () => Promise<void>): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].run();
      await settle();
    }
    this.time = end;
  }
}

describeEachDatabase('near-real-time sync', (database) => {
  let h: Harness;
  let account: Account;
  let clock: FakeClock;
  let asked: { connectionId: string; at: number }[];
  let seq = 0;
  let start = 0;

  const connect = async (name: string) => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: h.auth,
      payload: { kind: KIND, name, apiKey: 'rt-key' },
    });
    expect(created.statusCode, created.body).toBe(201);
    return (created.json() as { id: string }).id;
  };
  const post = async (phone: string, text = 'hello') => {
    seq++;
    await h.postMessages(account, [
      {
        id: `wamid.rt-${seq}`,
        chat: { type: 'direct', with: { phone } },
        timestamp: new Date().toISOString(),
        text: `${text} ${seq}`,
      },
    ]);
    await h.services.realtime.idle();
  };
  const settle = () => h.services.realtime.idle();
  const advance = (ms: number) => clock.advance(ms, settle);

  beforeEach(async () => {
    crm.reset();
    clock = new FakeClock();
    h = await startHarness(database, {}, { realtime: { clock } });
    account = await h.createAccount('+5511900001111');
    asked = [];
    // The queue is the real one; this only notes each time a run was asked for, on the test's clock.
    const enqueue = h.services.sync.enqueue.bind(h.services.sync);
    h.services.sync.enqueue = async (connectionId, reason) => {
      if (reason === REALTIME_REASON) asked.push({ connectionId, at: clock.now() - start });
      await enqueue(connectionId, reason);
    };
    h.services.realtime.start();
    start = clock.now();
  });
  afterEach(() => h.close());

  it('coalesces a burst into one run, asked for once the chat is quiet', async () => {
    const id = await connect('crm');
    for (let i = 0; i < 4; i++) {
      await post(ANA);
      await advance(500);
    }
    // Last message at 1.5 s, quiet for 1 s: asked at 2.5 s, not before.
    await advance(400);
    expect(asked).toEqual([]);
    await advance(100);
    expect(asked).toEqual([{ connectionId: id, at: 2_500 }]);
    const job = await h.services.sync.jobState(id);
    expect(job).toMatchObject({ reason: REALTIME_REASON });
    expect(job?.runAt?.getTime()).toBeLessThanOrEqual(Date.now());
    await advance(10_000);
    expect(asked).toHaveLength(1);
  });

  it('asks at the latest 3 s after the first message of a chat that never goes quiet', async () => {
    const id = await connect('crm');
    for (let i = 0; i < 8; i++) {
      await post(i % 2 ? ANA : BEA);
      await advance(800);
    }
    // Messages at 0 … 5.6 s: the first run is asked for at 3 s, the next 3 s after the first message
    // that followed it (3.2 s).
    expect(asked[0]).toEqual({ connectionId: id, at: 3_000 });
    await advance(10_000);
    expect(asked.map((a) => a.at)).toEqual([3_000, 6_200]);
  });

  it('keeps at least 3 s between the runs of a connection, counting a run another process started', async () => {
    const id = await connect('crm');
    await post(ANA);
    await advance(1_000);
    expect(asked).toEqual([{ connectionId: id, at: 1_000 }]);
    // Quiet at 2 s, but the gap holds it to 4 s.
    await post(ANA);
    await advance(2_999);
    expect(asked).toHaveLength(1);
    await advance(1);
    expect(asked.map((a) => a.at)).toEqual([1_000, 4_000]);

    // A run started at 10 s (the interval's, or another process's): a message at 10.5 s waits until 13 s.
    await advance(6_000);
    expect(clock.now() - start).toBe(10_000);
    const { runs } = h.services.sync;
    const job = await runs.acquire(id, 'other-process', clock.now(), 60_000, 'schedule');
    expect(job).toBeDefined();
    if (job) await runs.complete(job, emptySummary(clock.now()));
    await advance(500);
    await post(ANA);
    await advance(2_499);
    expect(asked).toHaveLength(2);
    await advance(1);
    expect(asked.map((a) => a.at)).toEqual([1_000, 4_000, 13_000]);
  });

  it('asks nothing for an excluded chat, nor of a parked connection', async () => {
    const active = await connect('active crm');
    const parked = await connect('parked crm');
    await h.services.store.connections.setState(parked, { parked: true, reason: 'signed out (test)' });
    await h.services.store.exclusions.add(h.services.workspace.id, {
      kind: 'phone',
      value: BEA,
      label: 'Bea',
    });
    await post(BEA);
    await advance(10_000);
    expect(asked).toEqual([]);
    await post(ANA);
    await advance(10_000);
    expect(asked.map((a) => a.connectionId)).toEqual([active]);
    // Parked while its run waited: nothing is asked (a parked connection waits for a person).
    await post(ANA);
    await h.services.store.connections.setState(active, { parked: true, reason: 'signed out (test)' });
    await advance(10_000);
    expect(asked).toHaveLength(1);
    expect((await h.services.sync.jobState(parked))?.runAt).toBeUndefined();
  });

  it('asks nothing while the connection waits out a retry (a spent allocation)', async () => {
    const id = await connect('crm');
    const { queue, runs } = h.services.sync;
    const job = await runs.acquire(id, 'worker', clock.now(), 60_000, 'first sync');
    if (!job) throw new Error('no job');
    const retryAt = clock.now() + 30 * 60_000;
    // The run failed on the spent allocation: the service queues its retry in place of what was due.
    await runs.fail(job, "DAILY_LIMIT_REACHED: The CRM's daily request allocation is used up", undefined);
    await queue.unscheduleSync(id);
    await queue.requestSync(id, retryAt, 'retry');
    await advance(5_000);
    await post(ANA);
    await advance(10_000);
    expect(asked).toEqual([]);
    expect((await h.services.sync.jobState(id))?.runAt?.getTime()).toBe(retryAt);
  });

  it('follows the workspace setting without a restart', async () => {
    const id = await connect('crm');
    const patch = async (realTime: boolean) => {
      const response = await h.app.inject({
        method: 'PATCH',
        url: '/api/v1/settings',
        headers: h.auth,
        payload: { realTime },
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ realTime });
    };
    const settings = await h.app.inject({ method: 'GET', url: '/api/v1/settings', headers: h.auth });
    expect(settings.json()).toMatchObject({ realTime: true });

    await patch(false);
    await post(ANA);
    await advance(10_000);
    expect(asked).toEqual([]);
    // Turned off while a run waited: it is not asked for.
    await patch(true);
    await post(ANA);
    await patch(false);
    await advance(10_000);
    expect(asked).toEqual([]);
    await patch(true);
    await post(ANA);
    await advance(10_000);
    expect(asked.map((a) => a.connectionId)).toEqual([id]);
    const bad = await h.app.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: h.auth,
      payload: { realTime: 'yes' },
    });
    expect(bad.statusCode).toBe(400);
  });
});

describeEachDatabase('near-real-time sync, end to end', (database) => {
  let h: Harness;

  beforeEach(async () => {
    crm.reset();
    // An interval of an hour: only the real-time trigger can bring the message within the test.
    h = await startHarness(database, { WASYNC_SYNC_INTERVAL: '1h' });
  });
  afterEach(() => h.close());

  it('brings a message posted through the REST ingest into the CRM by itself, well before the interval', async () => {
    const contact = crm.seed({ type: 'contact', name: 'Ana Lima', phones: [ANA] });
    const account = await h.createAccount('+5511900002222');
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: h.auth,
      payload: { kind: KIND, name: 'crm', apiKey: 'rt-key' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const connectionId = (created.json() as { id: string }).id;
    h.services.syncWorker.start();
    h.services.realtime.start();
    // The connection's first run (nothing to write yet) puts its next one an hour away.
    await until(async () => (await h.services.sync.jobState(connectionId))?.lastSuccessAt !== undefined);
    const next = (await h.services.sync.nextRunAt(connectionId))?.getTime() ?? 0;
    expect(next - Date.now()).toBeGreaterThan(50 * 60_000);

    const posted = Date.now();
    await h.postMessages(account, [
      {
        id: 'wamid.rt-e2e',
        chat: { type: 'direct', with: { phone: ANA, name: 'Ana Lima' } },
        timestamp: new Date().toISOString(),
        text: 'is the blue one in stock?',
      },
    ]);
    await until(async () =>
      crm.transcriptsOf(contact.id).some((day) => day.text.includes('is the blue one in stock?')),
    );
    const latency = Date.now() - posted;
    // Debounced (1 s quiet) and written: seconds, against an interval of an hour.
    expect(latency).toBeLessThan(15_000);
    // The run that wrote it was the real-time one (the transcript shows before the run records itself).
    await until(
      async () => (await h.services.sync.jobState(connectionId))?.lastSummary?.transcriptsWritten === 1,
    );
    expect(Date.now() - posted).toBeLessThan(15_000);
  });
});

/** Polls `done` every 50 ms, for up to 20 s. */
async function until(done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
