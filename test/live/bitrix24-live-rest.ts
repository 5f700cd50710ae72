/**
 * The live Bitrix24 suite's own REST calls to the portal, as a person's script would make them through
 * the inbound webhook: plain fetch, never the product's transport, so that what the suite seeds, reads
 * and deletes does not depend on the code under test. They take their turn in the bucket the product's
 * destination fills (b24restdocs `limits.md`: one bucket per portal and address).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import qs from 'qs';
import type { RateLimiter } from '../../src/crms/kit/rate-limiter.js';

/** A method the portal refused: its HTTP status, `error` and `error_description`. */
export class PortalRefusal extends Error {
  override name = 'PortalRefusal';
  constructor(
    readonly method: string,
    readonly status: number,
    readonly code: string,
    readonly description: string,
  ) {
    super(`${method} answered ${status} ${code || '(no code)'}: ${description}`);
  }
}

/**
 * The object is not there (any more): NOT_FOUND / ERROR_NOT_FOUND, or a "not found" description with
 * an empty or ERROR_CORE code (crm-contact-delete.md, crm-lead-delete.md, crm-timeline-comment-delete.md,
 * disk-file-delete.md error tables).
 */
export function isGone(error: unknown): boolean {
  if (!(error instanceof PortalRefusal)) return false;
  return (
    error.code === 'NOT_FOUND' || error.code === 'ERROR_NOT_FOUND' || /not found/i.test(error.description)
  );
}

export interface PortalCommand {
  method: string;
  params: Record<string, unknown>;
}

/** A command's answer; `next` when a list has more pages (the batch's `result_next`). */
export type CommandOutcome =
  | { ok: true; result: unknown; next?: number }
  | { ok: false; error: PortalRefusal };

/** `batch` takes at most 50 commands (settings/how-to-call-rest-api/batch.md). */
const BATCH_LIMIT = 50;
/** A full bucket (503 QUERY_LIMIT_EXCEEDED, limits.md) drains by 2 a second at least: waited out. */
const LIMITED_RETRIES = 10;

/** REST calls to one portal through an inbound webhook (`https://{portal}/rest/{user}/{secret}/`). */
export class LivePortalRest {
  constructor(
    private readonly base: string,
    private readonly limiter: RateLimiter,
  ) {}

  /** One method's answer, `result` and for lists `total` and `next`; a refusal throws PortalRefusal. */
  async call<T = unknown>(
    method: string,
    params: Record<string, unknown> = {},
  ): Promise<{ result: T; total?: number; next?: number }> {
    for (let attempt = 1; ; attempt++) {
      const slot = await this.limiter.acquire();
      let status: number;
      let body: Record<string, unknown>;
      try {
        const answer = await fetch(`${this.base}${method}.json`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(params),
          signal: AbortSignal.timeout(60_000),
        });
        status = answer.status;
        body = (await answer.json().catch(() => ({}))) as Record<string, unknown>;
      } finally {
        slot.release();
      }
      const code = typeof body.error === 'string' ? body.error : undefined;
      if (code === 'QUERY_LIMIT_EXCEEDED' && attempt < LIMITED_RETRIES) {
        await sleep(1_000);
        continue;
      }
      if (code !== undefined || status >= 400 || !('result' in body))
        throw new PortalRefusal(method, status, code ?? '', String(body.error_description ?? ''));
      return body as { result: T; total?: number; next?: number };
    }
  }

  /** Every row of a list method, 50 a page from `start` (crm-contact-list.md, crm-timeline-comment-list.md). */
  async all<T>(method: string, params: Record<string, unknown>): Promise<T[]> {
    const rows: T[] = [];
    for (let start: number | undefined = 0; start !== undefined; ) {
      const page: { result: T[]; next?: number } = await this.call<T[]>(method, { ...params, start });
      rows.push(...page.result);
      start = page.next;
    }
    return rows;
  }

  /**
   * Commands 50 to a `batch` call, each answered in its place; `halt` 0, so one refusal stops nothing
   * (batch.md). A command's parameters go as the PHP query string the batch reads.
   */
  async batch(commands: readonly PortalCommand[]): Promise<CommandOutcome[]> {
    const outcomes: CommandOutcome[] = [];
    for (let from = 0; from < commands.length; from += BATCH_LIMIT) {
      const chunk = commands.slice(from, from + BATCH_LIMIT);
      const cmd = Object.fromEntries(
        chunk.map((command, i) => [`c${i}`, `${command.method}?${qs.stringify(command.params)}`]),
      );
      const { result } = await this.call<{
        result?: Record<string, unknown> | unknown[];
        result_error?: Record<string, { error?: string; error_description?: string }> | unknown[];
        result_next?: Record<string, unknown> | unknown[];
      }>('batch', { halt: 0, cmd });
      const nexts = asRecord(result.result_next);
      const results = asRecord(result.result);
      const errors = asRecord(result.result_error) as Record<
        string,
        { error?: string; error_description?: string }
      >;
      chunk.forEach((command, i) => {
        const error = errors[`c${i}`];
        outcomes.push(
          error
            ? {
                ok: false,
                error: new PortalRefusal(
                  command.method,
                  400,
                  error.error ?? '',
                  error.error_description ?? '',
                ),
              }
            : {
                ok: true,
                result: results[`c${i}`],
                ...(typeof nexts[`c${i}`] === 'number' ? { next: nexts[`c${i}`] as number } : {}),
              },
        );
      });
    }
    return outcomes;
  }
}

/** An empty section of a batch answer comes as `[]` (batch.md's error examples). */
function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
