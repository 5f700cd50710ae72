import { v7 as uuidv7 } from 'uuid';

/**
 * Prefixed, time-ordered ids (`chat_0192f0c8…`). The prefix tells a reader of a log line or an API
 * response what kind of thing an id names; UUIDv7 keeps ids roughly in creation order, which keeps
 * B-tree inserts cheap on both databases.
 */
export type IdPrefix = 'ws' | 'usr' | 'tok' | 'acc' | 'idn' | 'chat' | 'msg' | 'evt' | 'med';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${uuidv7().replaceAll('-', '')}`;
}
