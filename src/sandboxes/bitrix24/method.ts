/**
 * How the Bitrix24 sandbox's REST methods plug into its HTTP frame: each method is a handler of the
 * call's parameters (query and JSON body merged, as the portal reads them) over the portal's state,
 * answering what goes in `result` (and `total`/`next` for lists), or throwing a Bitrix24Error the frame
 * turns into the portal's error answer `{error, error_description}` with its HTTP status. The frame
 * (index.ts) adds `time` to every answer, runs `batch`, and applies the leaky bucket and faults.
 */
import type { Portal } from './portal.js';

export class Bitrix24Error extends Error {
  constructor(
    /** The HTTP status the portal answers with (400 for most refusals, 401, 403, 404, 503). */
    readonly status: number,
    /** `error`: ERROR_CORE, QUERY_LIMIT_EXCEEDED, expired_token, NOT_FOUND, … */
    readonly code: string,
    /** `error_description`. */
    readonly description: string,
  ) {
    super(`${code}: ${description}`);
    this.name = 'Bitrix24Error';
  }
}

export interface MethodContext {
  portal: Portal;
  /** The user the call runs as: the webhook's user, or the OAuth token's. */
  userId: number;
  /** The scopes the webhook or application was given (`crm`, `disk`, …). */
  scopes: readonly string[];
}

/** What a method answers: its `result`, and for lists the `total` and the `next` offset. */
export interface MethodAnswer {
  result: unknown;
  total?: number;
  next?: number;
}

export type MethodHandler = (params: Record<string, unknown>, context: MethodContext) => MethodAnswer;

/**
 * A method and the scope it needs (a call without the scope answers insufficient_scope); a list is
 * any one of them (user.get takes `user`, `user_brief` or `user_basic`: user/user-get.md).
 */
export interface MethodDefinition {
  scope: string | readonly string[];
  handle: MethodHandler;
}
