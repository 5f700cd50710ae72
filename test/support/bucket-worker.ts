/**
 * A second wasync process taking from a rate bucket in the store (WASYNC_WORKER_INPUT): opens the
 * database, says `ready`, waits for a line on stdin (so both processes take at the same moment),
 * then for each round makes its takes all at once at the round's time, and prints how many passed.
 */
import type { DatabaseConfig } from '../../src/config/index.js';
import { openDatabase } from '../../src/store/database.js';
import { type BucketRule, RateBucketRepository } from '../../src/store/repositories/rate-buckets.js';

export interface BucketWorkerInput {
  database: DatabaseConfig;
  key: string;
  rule: BucketRule;
  /** Each round's time (epoch ms) and how many takes it makes at once. */
  rounds: [number, number][];
}

/** Each round's takes at once; how many passed in each. */
export async function takeRounds(buckets: RateBucketRepository, input: BucketWorkerInput): Promise<number[]> {
  const passed: number[] = [];
  for (const [now, count] of input.rounds) {
    const answers = await Promise.all(
      Array.from({ length: count }, () => buckets.take(input.key, input.rule, now)),
    );
    passed.push(answers.filter((answer) => answer.taken).length);
  }
  return passed;
}

if (process.env.WASYNC_WORKER_INPUT) {
  const input = JSON.parse(process.env.WASYNC_WORKER_INPUT) as BucketWorkerInput;
  const store = await openDatabase(input.database, { migrate: false });
  try {
    process.stdout.write('ready\n');
    await new Promise((resolve) => process.stdin.once('data', resolve));
    process.stdin.destroy();
    const passed = await takeRounds(new RateBucketRepository(store.db), input);
    process.stdout.write(`${JSON.stringify(passed)}\n`);
  } finally {
    await store.close();
  }
}
