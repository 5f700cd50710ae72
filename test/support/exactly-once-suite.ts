/**
 * The frame every exactly-once suite (sync-faults, sync-crash, sync-competing) runs in: for each
 * target of EXACTLY_ONCE_TARGETS and each database, the target's kind registered for the suite, and
 * for each test a fresh harness with one WhatsApp account and the target's sandbox, both closed after
 * it. The sandbox starts before each test with the suite's options, or, where a test chooses them
 * (a fault seed per test), when the test calls `startTarget`.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Account } from '../../src/core/model.js';
import { describeEachDatabase } from './databases.js';
import { EXACTLY_ONCE_TARGETS, type ExactlyOnceTarget, type TargetOptions } from './exactly-once-target.js';
import { type Harness, startHarness } from './harness.js';
import { buildScenario, type Scenario } from './sync-scenario.js';

export interface ExactlyOnceRun {
  readonly h: Harness;
  /** The WhatsApp account the scenario's messages arrive on. */
  readonly account: Account;
  /** The running sandbox; throws before it is started. */
  readonly target: ExactlyOnceTarget;
  /** Starts the sandbox with these options (closed after the test). */
  startTarget(options: TargetOptions): Promise<ExactlyOnceTarget>;
  /** The scenario's people seeded in the sandbox, and wasync connected to it. */
  connect(): Promise<{
    scenario: Scenario;
    connection: Awaited<ReturnType<Harness['services']['connections']['create']>>;
  }>;
}

/**
 * Describes `tests` once per target and database, titled `title (target name)`. With `options`, the
 * sandbox is started before each test; without, each test starts it through `startTarget`.
 */
export function describeExactlyOnce(
  title: string,
  options: TargetOptions | undefined,
  tests: (run: ExactlyOnceRun) => void,
): void {
  for (const kind of EXACTLY_ONCE_TARGETS) {
    describeEachDatabase(`${title} (${kind.name})`, (database) => {
      let h: Harness | undefined;
      let account: Account | undefined;
      let target: ExactlyOnceTarget | undefined;
      let unregister: () => void;
      const run: ExactlyOnceRun = {
        get h() {
          if (!h) throw new Error('no harness outside a test');
          return h;
        },
        get account() {
          if (!account) throw new Error('no account outside a test');
          return account;
        },
        get target() {
          if (!target) throw new Error('the sandbox is not started');
          return target;
        },
        startTarget: async (given) => {
          target = await kind.start(given);
          return target;
        },
        connect: async () => {
          const scenario = await buildScenario(run.target, { people: 20, now: Date.now() });
          const connection = await run.h.services.connections.create(
            run.h.services.workspace.id,
            run.target.connectionInput(),
          );
          return { scenario, connection };
        },
      };

      beforeAll(() => {
        unregister = kind.register();
      });
      afterAll(() => unregister());
      beforeEach(async () => {
        if (options) await run.startTarget(options);
        h = await startHarness(database);
        account = await h.createAccount('+14155550000');
      });
      afterEach(async () => {
        await h?.close();
        await target?.close();
        h = undefined;
        account = undefined;
        target = undefined;
      });

      tests(run);
    });
  }
}
