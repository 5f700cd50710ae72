/**
 * A call's parameters as the portal reads them: the query string and a form body with PHP's bracket
 * keys (`fields[PHONE][0][VALUE]=…`, `values[]=…`) decoded into nested values
 * (settings/how-to-call-rest-api/data-encoding.md, "GET Request" and "POST Request"), and a JSON body
 * merged over them. A PHP array whose keys run 0..n-1 is a list in JSON, so such objects become lists.
 */
export type Params = Record<string, unknown>;

export function decodePhpQuery(query: string | URLSearchParams): Params {
  const entries = typeof query === 'string' ? new URLSearchParams(query) : query;
  const root: Params = {};
  for (const [key, value] of entries) assign(root, splitKey(key), value);
  return listify(root) as Params;
}

/** `a[b][]` → ['a', 'b', '']; a key without brackets is itself. */
function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const parts = [key.slice(0, open)];
  const pattern = /\[([^\]]*)\]/g;
  for (const match of key.slice(open).matchAll(pattern)) parts.push(match[1] ?? '');
  return parts;
}

function assign(target: Params, path: string[], value: string): void {
  let node = target;
  for (let index = 0; index < path.length; index++) {
    let part = path[index] ?? '';
    // `[]` appends, as PHP does: the next integer key.
    if (part === '') part = String(Object.keys(node).filter((key) => /^\d+$/.test(key)).length);
    if (index === path.length - 1) {
      node[part] = value;
      return;
    }
    const next = node[part];
    if (typeof next !== 'object' || next === null) node[part] = {};
    node = node[part] as Params;
  }
}

function listify(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const entries = Object.entries(value).map(([key, inner]) => [key, listify(inner)] as const);
  const isList = entries.length > 0 && entries.every(([key], index) => key === String(index));
  return isList ? entries.map(([, inner]) => inner) : Object.fromEntries(entries);
}
