import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/**
 * Prefixed, time-ordered ids (`chat_0192f0c8…`). The prefix tells a reader of a log line or an API
 * response what kind of thing an id names; UUIDv7 keeps ids roughly in creation order, which keeps
 * B-tree inserts cheap on both databases.
 */
export type IdPrefix = 'ws' | 'usr' | 'tok' | 'acc' | 'idn' | 'chat' | 'msg' | 'evt' | 'med';

// Random bytes drawn 4 KiB at a time: one system call per 256 ids instead of one per id, which is
// measurable when a batch creates thousands of rows.
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

function random16(): Uint8Array {
  if (offset + 16 > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + 16);
  offset += 16;
  return bytes;
}

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${uuidv7({ random: random16() }).replaceAll('-', '')}`;
}
