import type { Caller } from './credentials.js';
import { type Dispatcher, serve } from './dispatch.js';
import { Bitrix24Error, type MethodAnswer } from './method.js';
import { decodePhpQuery, type Params } from './params.js';
import { answerTime } from './time.js';

// settings/how-to-call-rest-api/batch.md: "The number of requests in a batch is limited to 50".
export const BATCH_LIMIT = 50;

/**
 * `batch` (settings/how-to-call-rest-api/batch.md): `cmd` maps names (or list positions) to
 * `method?query` strings, run in order; `$result[name][field]…` in a later command's parameters is
 * the named command's result (or a part of it); `halt` 1 stops at the first error. The answer is
 * HTTP 200 whatever the commands did: their results, errors, totals, next offsets and times by name,
 * an empty section as `[]` (the doc's error examples). A nested batch is refused (rest 24.0.0) with
 * 405 ERROR_BATCH_METHOD_NOT_ALLOWED, more than 50 commands with 400 ERROR_BATCH_LENGTH_EXCEEDED
 * (_includes/system-errors.md; in result_error for the former, for the whole call the latter:
 * unverified). Every command runs as the batch's caller and adds to its own method's operating time.
 */
export function runBatch(
  dispatcher: Dispatcher,
  params: Params,
  caller: Caller,
  onCommand: (method: string) => void,
): MethodAnswer {
  const cmd = params.cmd;
  const commands: [string, unknown][] = typeof cmd === 'object' && cmd !== null ? Object.entries(cmd) : [];
  if (commands.length > BATCH_LIMIT)
    throw new Bitrix24Error(400, 'ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded');
  const halt = params.halt === true || params.halt === 1 || params.halt === '1' || params.halt === 'true';

  const results: Record<string, unknown> = {};
  const errors: Record<string, unknown> = {};
  const totals: Record<string, unknown> = {};
  const nexts: Record<string, unknown> = {};
  const times: Record<string, unknown> = {};
  for (const [name, command] of commands) {
    const started = dispatcher.clock();
    try {
      const { method, query } = splitCommand(command);
      onCommand(method);
      if (method === 'batch')
        throw new Bitrix24Error(
          405,
          'ERROR_BATCH_METHOD_NOT_ALLOWED',
          'Method is not allowed for batch usage',
        );
      const resolved = resolveReferences(decodePhpQuery(query), results) as Params;
      delete resolved.auth;
      const served = serve(dispatcher, method, resolved, caller);
      results[name] = served.result;
      if (served.total !== undefined) totals[name] = served.total;
      if (served.next !== undefined) nexts[name] = served.next;
      times[name] = answerTime(started, dispatcher.clock(), served.processingMs);
    } catch (error) {
      if (!(error instanceof Bitrix24Error)) throw error;
      errors[name] = { error: error.code, error_description: error.description };
      if (halt) break;
    }
  }
  const section = (entries: Record<string, unknown>) => (Object.keys(entries).length > 0 ? entries : []);
  return {
    result: {
      result: section(results),
      result_error: section(errors),
      result_total: section(totals),
      result_next: section(nexts),
      result_time: section(times),
    },
  };
}

function splitCommand(command: unknown): { method: string; query: string } {
  if (typeof command !== 'string' || command.trim() === '')
    // Unverified: what the portal answers for a command that is not a `method?query` string.
    throw new Bitrix24Error(400, 'ERROR_ARGUMENT', 'A batch command is a "method?query" string');
  const mark = command.indexOf('?');
  return mark < 0
    ? { method: command.trim(), query: '' }
    : { method: command.slice(0, mark).trim(), query: command.slice(mark + 1) };
}

const REFERENCE = /\$result((?:\[[^\]]*\])+)/g;

/**
 * Replaces `$result[name][path…]` in every string parameter: a parameter that is only a reference
 * takes the referenced value as it is (a list stays a list); one inside other text is spelt into it.
 * A reference to nothing (a failed or unknown command, a missing field) is empty (unverified).
 */
function resolveReferences(value: unknown, results: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^\$result((?:\[[^\]]*\])+)$/.exec(value);
    if (whole) return lookup(whole[1] ?? '', results) ?? '';
    return value.replace(REFERENCE, (_match, path: string) => {
      const found = lookup(path, results);
      return found === undefined || found === null
        ? ''
        : typeof found === 'object'
          ? JSON.stringify(found)
          : String(found);
    });
  }
  if (Array.isArray(value)) return value.map((inner) => resolveReferences(inner, results));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, resolveReferences(inner, results)]),
    );
  return value;
}

function lookup(path: string, results: Record<string, unknown>): unknown {
  const keys = [...path.matchAll(/\[([^\]]*)\]/g)].map((match) => match[1] ?? '');
  let node: unknown = results;
  for (const key of keys) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
