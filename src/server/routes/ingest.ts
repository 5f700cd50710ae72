import type { FastifyRouteSchemaDef } from 'fastify/types/schema.js';
import { type FastifyPluginAsyncZod, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WasyncError } from '../../core/errors.js';
import type { Account, SourceKind } from '../../core/model.js';
import type { Metrics } from '../../health/metrics.js';
import { defaultRegionOf, type Services } from '../../services.js';
import { parseBatch } from '../../sources/rest/parse.js';
import { IngestBatchSchema, IngestResultSchema, MAX_BATCH } from '../../sources/rest/schema.js';
import { ChatAccess } from '../access.js';
import { ErrorEnvelopeSchema } from '../error-envelope.js';

/** Zod validation for params and query; the body passes through to parseBatch. */
function exceptBody<S>(route: FastifyRouteSchemaDef<S>) {
  if (route.httpPart === 'body') return (value: unknown) => ({ value });
  return validatorCompiler(route as unknown as Parameters<typeof validatorCompiler>[0]);
}

/** The header by which the browser extension says a batch is what it captured from WhatsApp Web. */
const CLIENT_HEADER = 'x-wasync-client';

/**
 * The sources whose message ids are WhatsApp's own key ids, the ids the extension reads from WhatsApp
 * Web: what it captures merges with what a linked device stored (one message per (account, id)). A Cloud
 * API number keeps `wamid…` ids and a chat export `export:…` ones, so captured messages would be doubled.
 */
const EXTENSION_CAPTURE_SOURCES: readonly SourceKind[] = ['linked_device', 'rest'];

function fromExtension(header: string | string[] | undefined): boolean {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return values.some((value) => value.trim().toLowerCase() === 'extension');
}

/** The REST ingest: the generic source any client (an extension, another gateway) can post to. */
export function ingestRoutes(services: Services, metrics: Metrics): FastifyPluginAsyncZod {
  const { config } = services;
  const access = new ChatAccess(services);
  /** Refuses a batch from the browser extension unless the workspace allows it into this number. */
  const allowCapture = async (account: Account) => {
    if (!(await services.store.workspaces.settings(account.workspaceId)).extensionCapture) {
      throw new WasyncError(
        'extension_capture_off',
        'Capture from the browser extension is off in this workspace; an admin turns it on in Setup → Settings.',
      );
    }
    if (!EXTENSION_CAPTURE_SOURCES.includes(account.sourceKind)) {
      throw new WasyncError(
        'extension_capture_unsupported',
        `The browser extension captures only into linked-device and REST numbers; this one is ${account.sourceKind}, whose message ids would not match and would store every message twice.`,
        { sourceKind: account.sourceKind },
      );
    }
  };
  return async (app) => {
    app.post(
      '/accounts/:accountId/messages',
      {
        schema: {
          tags: ['ingest'],
          summary: `Store a batch of up to ${MAX_BATCH} messages and events`,
          description:
            'Idempotent on (account, item id): a re-sent item is counted under `duplicates` and changes nothing. ' +
            'A batch with any invalid item is refused whole with `batch_invalid`, naming each item; nothing is stored. ' +
            'The browser extension sends `X-Wasync-Client: extension`: such a batch is refused with `extension_capture_off` ' +
            "while the workspace's extensionCapture setting is off, and with `extension_capture_unsupported` into a " +
            "number that is not a linked device or REST (its message ids would never match WhatsApp Web's).",
          params: z.object({ accountId: z.string() }),
          body: IngestBatchSchema,
          response: {
            200: IngestResultSchema,
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
          },
        },
        // The body schema documents the batch; items are validated one by one below (so errors can
        // name each bad item), and validating the whole body first as well would do the work twice.
        validatorCompiler: exceptBody,
        // Bad text is reported per item (invalid_text), naming the item, like every other item error.
        config: { checksBodyTextItself: true },
      },
      async (request) => {
        const account = await access.account(request, request.params.accountId);
        if (fromExtension(request.headers[CLIENT_HEADER])) await allowCapture(account);
        const items = batchItems(request.body);
        const parsed = parseBatch(items, {
          defaultRegion: defaultRegionOf(services),
          mediaMaxBytes: config.mediaMaxBytes,
          now: Date.now(),
        });
        if (!parsed.ok) {
          metrics.ingestedItems.inc({ source: 'rest', outcome: 'rejected' }, items.length);
          throw new WasyncError(
            'batch_invalid',
            `${new Set(parsed.errors.map((e) => e.index)).size} of ${items.length} items are invalid; nothing was stored.`,
            { items: parsed.errors },
          );
        }
        const result = await services.ingest.ingest(account, parsed.items);
        const stored = result.stored.messages + result.stored.events;
        metrics.ingestedItems.inc({ source: 'rest', outcome: 'stored' }, stored);
        metrics.ingestedItems.inc({ source: 'rest', outcome: 'duplicate' }, result.received - stored);
        const { chats: _chats, ...answer } = result;
        return answer;
      },
    );
  };
}

function batchItems(body: unknown): unknown[] {
  const messages =
    typeof body === 'object' && body !== null ? (body as { messages?: unknown }).messages : undefined;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new WasyncError(
      'validation_failed',
      'The body must be {"messages": [ … ]} with at least one item.',
      {
        issues: [{ field: 'body.messages', message: 'expected a non-empty array' }],
      },
    );
  }
  if (messages.length > MAX_BATCH) {
    throw new WasyncError('validation_failed', `A batch holds at most ${MAX_BATCH} items; split it.`, {
      issues: [{ field: 'body.messages', message: `${messages.length} items` }],
    });
  }
  const extra = Object.keys(body as object).filter((key) => key !== 'messages');
  if (extra.length > 0) {
    throw new WasyncError('validation_failed', `Unknown field: ${extra.join(', ')}`, {
      issues: extra.map((field) => ({ field: `body.${field}`, message: 'unknown field' })),
    });
  }
  return messages;
}
