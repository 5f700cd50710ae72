/**
 * What both stores can keep verbatim. Postgres refuses NUL in `text` and `jsonb`, and neither store can
 * hold a lone UTF-16 surrogate (no valid UTF-8 spells one: SQLite silently turns it into U+FFFD, so an id
 * would change on read-back). Such strings are no valid Unicode text, so they are refused up front, on
 * both databases alike, instead of failing (or changing) at the store.
 */

/** Deeper than any real source payload (a Cloud API delivery nests about 8 levels). */
export const MAX_DEPTH = 64;

export type StorableProblem =
  | { kind: 'text'; path: string; message: string }
  | { kind: 'depth'; path: string; message: string };

// With the `u` flag a well-formed surrogate pair reads as one code point, so this matches only lone halves.
const LONE_SURROGATE = /\p{Cs}/u;

/** The first string (key or value) that cannot be stored, or nesting past MAX_DEPTH; walks without recursion. */
export function findUnstorable(value: unknown): StorableProblem | undefined {
  const stack: { value: unknown; path: readonly string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const next = stack.pop();
    if (!next) break;
    const { value: current, path } = next;
    if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem) return { kind: 'text', path: path.join('.'), message: problem };
      continue;
    }
    // Media bytes are no text; walking them byte by byte would only cost time.
    if (typeof current !== 'object' || current === null || ArrayBuffer.isView(current)) continue;
    if (path.length >= MAX_DEPTH) {
      return {
        kind: 'depth',
        path: path.slice(0, 1).join('.'),
        message: `nested deeper than ${MAX_DEPTH} levels`,
      };
    }
    for (const [key, child] of Object.entries(current)) {
      const problem = textProblem(key);
      // The bad key itself is left out of the path: echoing it back would repeat the problem.
      if (problem) return { kind: 'text', path: path.join('.'), message: `a key holds ${problem}` };
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return undefined;
}

function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'a NUL character';
  if (LONE_SURROGATE.test(text)) return 'a lone UTF-16 surrogate (not valid Unicode)';
  return undefined;
}
