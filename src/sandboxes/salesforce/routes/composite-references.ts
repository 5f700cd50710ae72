const REFERENCE = /@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g;

/** A reference the composite could not fill in: the subrequest fails instead of running. */
export class UnresolvedReference extends Error {}

function lookup(results: ReadonlyMap<string, unknown>, referenceId: string, path: string): unknown {
  if (!results.has(referenceId)) {
    throw new UnresolvedReference(
      `Invalid reference specified. No value for ${referenceId}${path} found in ${referenceId}. Provided referenceId ('${referenceId}') is not valid.`,
    );
  }
  let value = results.get(referenceId);
  for (const [, key, index] of path.matchAll(/\.([A-Za-z0-9_]+)|\[(\d+)\]/g)) {
    const step = key ?? index ?? '';
    value =
      value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[step] : undefined;
  }
  if (value === undefined) {
    throw new UnresolvedReference(
      `Invalid reference specified. No value for ${referenceId}${path} found in ${referenceId}.`,
    );
  }
  return value;
}

/**
 * Replaces `@{ref.id}` and `@{ref.records[0].Id}` with values from earlier subrequests, in the URL
 * and anywhere in the body. A string that is exactly one reference keeps the value's JSON type.
 */
export function resolveReferences(value: unknown, results: ReadonlyMap<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}$/.exec(value);
    if (whole?.[1] !== undefined) return lookup(results, whole[1], whole[2] ?? '');
    return value.replace(REFERENCE, (_, id: string, path: string) => String(lookup(results, id, path)));
  }
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, results));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveReferences(v, results)]));
  }
  return value;
}
