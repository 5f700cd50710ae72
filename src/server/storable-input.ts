import type { FastifyInstance } from 'fastify';
import { WasyncError } from '../core/errors.js';
import { findUnstorable } from '../core/storable-text.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reports bad text in its body itself, per item (the REST ingest). */
    checksBodyTextItself?: boolean;
  }
}

/**
 * Refuses any request whose path parameters, query or JSON body hold text no database can store as
 * sent (a NUL, a lone UTF-16 surrogate) or nest past the limit, with 400 validation_failed naming the
 * field. Without this, Postgres answered such text with an error (a 500) and SQLite changed it.
 */
export function registerStorableInput(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const parts: [string, unknown][] = [
      ['params', request.params],
      ['querystring', request.query],
    ];
    if (!request.routeOptions.config.checksBodyTextItself && isJsonValue(request.body))
      parts.push(['body', request.body]);
    for (const [part, value] of parts) {
      const problem = findUnstorable(value);
      if (!problem) continue;
      const field = [part, problem.path].filter(Boolean).join('.');
      throw new WasyncError(
        'validation_failed',
        `${field || part}: ${problem.message}; nothing was stored.`,
        {
          issues: [{ field, message: problem.message }],
        },
      );
    }
  });
}

/** Parsed JSON, as opposed to the buffers and streams of webhook and upload routes. */
function isJsonValue(body: unknown): boolean {
  if (typeof body === 'string') return true;
  if (typeof body !== 'object' || body === null) return false;
  const prototype = Object.getPrototypeOf(body);
  return Array.isArray(body) || prototype === Object.prototype || prototype === null;
}
