import { CrmError, type TranscriptResult } from '../types.js';

/** One record's result in an sObject Collections answer. */
export interface SaveResult {
  id?: string;
  success: boolean;
  created?: boolean;
  errors?: { statusCode?: string; message?: string }[];
}

/** Codes that say a record was only caught in someone else's failure, or a lock of the moment. */
const PASSING = new Set(['UNABLE_TO_LOCK_ROW', 'ALL_OR_NONE_OPERATION_ROLLED_BACK', 'PROCESSING_HALTED']);

export function isSaveResult(value: unknown): value is SaveResult {
  return value !== null && typeof value === 'object' && typeof (value as SaveResult).success === 'boolean';
}

/** The code of a refused record, or undefined when it was only rolled back with the others. */
export function ownRefusal(result: SaveResult): string | undefined {
  if (result.success) return undefined;
  const code = result.errors?.[0]?.statusCode ?? 'UNKNOWN';
  return code === 'ALL_OR_NONE_OPERATION_ROLLED_BACK' || code === 'PROCESSING_HALTED' ? undefined : code;
}

/** A record's result as the engine reads it: the id, or why not and whether trying again can help. */
export function saveOutcome(
  item: SaveResult | undefined,
  what: string,
  alsoPassing: readonly string[] = [],
): TranscriptResult {
  if (item?.success && item.id) return { ok: true, ref: { id: item.id, related: {} } };
  const error = item?.errors?.[0];
  const code = error?.statusCode ?? 'UNKNOWN';
  const retryable = PASSING.has(code) || alsoPassing.includes(code);
  return {
    ok: false,
    error: new CrmError({
      kind: retryable ? 'retryable' : 'rejected',
      code,
      message: `Salesforce refused ${what}: ${error?.message ?? 'no reason given'}`,
    }),
  };
}
