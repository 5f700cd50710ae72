import { WasyncError } from '../core/errors.js';

/**
 * Keyset pagination: a cursor is the (time, id) of the last row of a page, opaque to clients. Keyset
 * rather than offset pages stay correct while messages keep arriving and cost the same on page 1000.
 */
export interface PageCursor {
  at: number;
  id: string;
}

export interface Page<T> {
  data: T[];
  /** Pass as `cursor` to get the next page; absent on the last page. */
  nextCursor: string | undefined;
}

export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString('base64url');
}

export function decodeCursor(text: string): PageCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') {
      return { at: value[0], id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new WasyncError(
    'invalid_cursor',
    'The cursor is not one this server issued; start again without it.',
  );
}

/** Builds a page from `limit + 1` fetched rows: the extra row only says whether there is a next page. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
  cursorOf: (row: R) => PageCursor,
): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    data: pageRows.map(map),
    nextCursor: hasMore && last !== undefined ? encodeCursor(cursorOf(last)) : undefined,
  };
}
