import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../errors.js';
import type { SandboxOrg } from '../org.js';
import { executeSoql } from '../soql/execute.js';
import { schemaOf } from './api-guard.js';

const DEFAULT_BATCH = 2000;
const MIN_BATCH = 200;

interface Cursor {
  records: Record<string, unknown>[];
  batchSize: number;
}

/** `Sforce-Query-Options: batchSize=N` asks for pages of N rows (200 to 2000), as in an org. */
function batchSizeOf(header: string | string[] | undefined): number {
  const match = /batchSize=(\d+)/i.exec(String(header ?? ''));
  const asked = match?.[1] ? Number(match[1]) : DEFAULT_BATCH;
  return Math.min(DEFAULT_BATCH, Math.max(MIN_BATCH, asked));
}

/**
 * `GET /query?q=` and the `nextRecordsUrl` pages after it. Rows past the first page are held in a
 * cursor (`01g…-2000`) until read.
 */
export function queryRoutes(org: SandboxOrg) {
  const cursors = new Map<string, Cursor>();

  const page = (version: string, cursorId: string, cursor: Cursor, start: number) => {
    const end = start + cursor.batchSize;
    const done = end >= cursor.records.length;
    if (done) cursors.delete(cursorId);
    return {
      totalSize: cursor.records.length,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/${version}/query/${cursorId}-${end}` }),
      records: cursor.records.slice(start, end),
    };
  };

  return async (app: FastifyInstance) => {
    app.get<{ Params: { version: string }; Querystring: { q?: string } }>(
      '/:version/query',
      async (request) => {
        const soql = request.query.q;
        if (!soql) throw badRequest('MALFORMED_QUERY', 'A query string has to be specified');
        const result = executeSoql(org.store, soql, {
          version: request.params.version,
          schema: schemaOf(org, request),
        });
        const batchSize = batchSizeOf(request.headers['sforce-query-options']);
        if (result.records.length <= batchSize)
          return { totalSize: result.totalSize, done: true, records: result.records };
        const cursorId = `01g${randomBytes(8).toString('hex').slice(0, 15)}`;
        const cursor = { records: result.records, batchSize };
        cursors.set(cursorId, cursor);
        return page(request.params.version, cursorId, cursor, 0);
      },
    );

    app.get<{ Params: { version: string; locator: string } }>('/:version/query/:locator', async (request) => {
      const [cursorId, start] = request.params.locator.split('-');
      const cursor = cursorId ? cursors.get(cursorId) : undefined;
      if (!cursor || !cursorId || start === undefined || !/^\d+$/.test(start)) {
        throw badRequest('INVALID_QUERY_LOCATOR', 'invalid query locator');
      }
      return page(request.params.version, cursorId, cursor, Number(start));
    });

    app.get('/:version/limits', async () => ({
      DailyApiRequests: { Max: org.usage.limit, Remaining: Math.max(0, org.usage.limit - org.usage.used()) },
    }));
  };
}
