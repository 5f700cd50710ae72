import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WasyncError } from '../../core/errors.js';
import { isTimeZone } from '../../core/time-zone.js';
import { defaultRegionOf, type Services } from '../../services.js';
import { DATE_ORDERS } from '../../sources/chat-export/parser.js';
import { importUpload } from '../../sources/chat-export/upload.js';
import { BlobTooLargeError } from '../../store/blobs/blob-store.js';
import type { ImportJob, ImportRequestOptions } from '../../store/repositories/imports.js';
import { ChatAccess } from '../access.js';
import { grantOf } from '../auth.js';
import { ErrorEnvelopeSchema } from '../error-envelope.js';

const ImportSummarySchema = z
  .object({
    accountId: z.string(),
    chat: z.object({
      kind: z.enum(['direct', 'group']),
      key: z.string(),
      title: z.string().optional(),
    }),
    dateOrder: z.enum(DATE_ORDERS),
    dateOrderDetected: z.boolean(),
    lines: z.number().int(),
    messages: z.object({
      total: z.number(),
      new: z.number(),
      existing: z.number(),
      system: z.number(),
      dropped: z.number().describe('Left out: their author or chat partner was erased (tombstoned).'),
    }),
    media: z.object({ found: z.number(), missing: z.number(), omitted: z.number(), tooLarge: z.number() }),
    skipped: z.object({ total: z.number(), reasons: z.record(z.string(), z.number()) }),
    authors: z.object({ me: z.string().optional(), others: z.number() }),
    chatId: z.string().optional().describe('The chat the messages are in.'),
    toCrm: z
      .boolean()
      .describe('Whether the imported history goes to the CRM at the next sync, whatever its age.'),
  })
  .meta({ id: 'ImportSummary' });

const ImportStatusSchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    state: z
      .enum(['queued', 'running', 'done', 'failed'])
      .describe('queued, then running on a worker, then done (with the summary) or failed (with the error).'),
    fileName: z.string().optional(),
    chatName: z.string().optional(),
    sizeBytes: z.number().int().describe('The size of the upload.'),
    progress: z
      .object({
        phase: z
          .enum(['scan', 'media', 'import'])
          .describe('scan: the text is checked; media: attachments are stored; import: messages are stored.'),
        done: z.number(),
        total: z.number().describe('Bytes of chat text (scan, import) or media files (media).'),
      })
      .optional()
      .describe('How far the running import is, as of its last heartbeat.'),
    summary: ImportSummarySchema.optional().describe('Once done: what was imported.'),
    error: z
      .object({ code: z.string(), message: z.string() })
      .optional()
      .describe(
        'Once failed: the error code (an `export_*` one for a bad file: nothing was stored) and message.',
      ),
    createdAt: z.string(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
  })
  .meta({ id: 'ImportStatus' });

function importStatusDto(job: ImportJob): z.infer<typeof ImportStatusSchema> {
  return {
    id: job.id,
    accountId: job.accountId,
    state: job.state,
    ...(job.options.fileName === undefined ? {} : { fileName: job.options.fileName }),
    ...(job.options.chatName === undefined ? {} : { chatName: job.options.chatName }),
    sizeBytes: job.blob.sizeBytes,
    ...(job.progress && job.state === 'running'
      ? { progress: job.progress as z.infer<typeof ImportStatusSchema>['progress'] }
      : {}),
    ...(job.state === 'done' && job.summary !== undefined
      ? { summary: job.summary as z.infer<typeof ImportSummarySchema> }
      : {}),
    ...(job.state === 'failed' && job.error ? { error: job.error } : {}),
    createdAt: job.createdAt.toISOString(),
    ...(job.startedAt ? { startedAt: job.startedAt.toISOString() } : {}),
    ...(job.finishedAt ? { finishedAt: job.finishedAt.toISOString() } : {}),
  };
}

const RECENT_IMPORTS = 20;

const UPLOAD_TYPES = [
  'application/zip',
  'application/x-zip-compressed',
  'text/plain',
  'application/octet-stream',
];

/**
 * Chat-export upload: the raw file as the body. Embedded mode spools it to a temp file and imports it
 * like the CLI does, answering the summary. Scale mode (a BullMQ queue) stores it in the blob store,
 * queues an `import` job for a worker and answers 202 with the import to poll.
 */
export function importRoutes(services: Services): FastifyPluginAsyncZod {
  const { config, audit } = services;
  const access = new ChatAccess(services);
  return async (app) => {
    // The body stays a stream: an export can be far larger than WASYNC_BODY_LIMIT.
    app.removeContentTypeParser('text/plain');
    app.addContentTypeParser(UPLOAD_TYPES, (_request, payload, done) => done(null, payload));
    app.post(
      '/accounts/:accountId/imports',
      {
        schema: {
          tags: ['ingest'],
          summary: 'Import a WhatsApp "Export chat" file (.txt or .zip)',
          description:
            'The body is the exported file itself (`application/zip` or `text/plain`). The whole file is checked ' +
            'before anything is stored; a bad file is refused with an `export_*` code and stores nothing. ' +
            'Message ids derive from the content, so importing the same export again, or a newer overlapping one, ' +
            'adds only what is new.\n\n' +
            'Embedded mode imports the file while the request waits and answers 200 with the summary. Scale mode ' +
            '(REDIS_URL) stores the upload and answers 202 with the queued import and a `Location` header: a worker ' +
            'imports it, and `GET /accounts/{accountId}/imports/{importId}` shows its state, then the summary or ' +
            'the error (a bad file ends `failed` with its `export_*` code).',
          params: z.object({ accountId: z.string() }),
          querystring: z.object({
            chatWith: z.string().optional().describe('Phone of the other person of a 1:1 chat.'),
            me: z.string().optional().describe("The account owner's name as the export writes it."),
            chatName: z.string().optional().describe('Name of the chat; a group chat is keyed by it.'),
            fileName: z
              .string()
              .max(255)
              .optional()
              .describe(
                'The name of the uploaded file, which names the chat ("WhatsApp Chat with Ana.txt").',
              ),
            tz: z
              .string()
              .optional()
              .describe('Time zone of the exporting phone (default: the workspace zone).'),
            dateOrder: z.enum(DATE_ORDERS).optional().describe('Date order when the file is ambiguous.'),
            toCrm: z
              .enum(['true', 'false'])
              .default('true')
              .describe(
                'Send the imported history to the CRM whatever its age (default); `false` leaves it to the backfill window.',
              ),
          }),
          response: {
            200: ImportSummarySchema,
            202: ImportStatusSchema,
            400: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
            413: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        const account = await access.account(request, request.params.accountId);
        const body = request.body as NodeJS.ReadableStream | undefined;
        if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function') {
          throw new WasyncError(
            'unsupported_media_type',
            'Send the export as application/zip or text/plain.',
          );
        }
        const query = request.query;
        if (query.tz !== undefined && !isTimeZone(query.tz)) {
          throw new WasyncError('validation_failed', `Unknown time zone ${query.tz}.`, {
            issues: [{ field: 'querystring.tz', message: 'not an IANA time zone' }],
          });
        }
        const options: ImportRequestOptions = {
          chatWith: query.chatWith,
          me: query.me,
          chatName: query.chatName,
          fileName: query.fileName,
          timeZone: query.tz ?? services.workspace.timeZone,
          dateOrder: query.dateOrder,
          toCrm: query.toCrm === 'true',
        };
        await audit.record(
          request,
          'import.started',
          { type: 'account', id: account.id, label: account.phone },
          {
            fileName: query.fileName,
            chatName: query.chatName,
            contentType: request.headers['content-type'],
            bytes: Number(request.headers['content-length']) || undefined,
          },
        );
        if (services.queue.kind === 'bullmq') {
          // Scale mode: the import runs on a worker; the upload waits for it in the blob store.
          let blob: { sha256: string; sizeBytes: number };
          try {
            blob = await services.store.blobs.putStream(
              body as AsyncIterable<Uint8Array>,
              config.importMaxBytes,
            );
          } catch (error) {
            if (error instanceof BlobTooLargeError) throw uploadTooLarge(config.importMaxBytes);
            throw error;
          }
          const job = await services.store.imports.create({
            accountId: account.id,
            options,
            blob,
            requestedBy: grantOf(request).userId,
            now: Date.now(),
          });
          services.wake('import');
          return reply
            .status(202)
            .header('location', `/api/v1/accounts/${account.id}/imports/${job.id}`)
            .send(importStatusDto(job));
        }
        const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'wasync-import-'));
        const file = path.join(dir, 'upload');
        try {
          let size = 0;
          // The spool is bounded too: an upload may not fill the temp dir past WASYNC_IMPORT_MAX_BYTES.
          const limit = config.importMaxBytes;
          await pipeline(
            body,
            new Transform({
              transform(chunk: Buffer, _encoding, callback) {
                size += chunk.length;
                if (size > limit) return callback(uploadTooLarge(limit));
                callback(null, chunk);
              },
            }),
            fs.createWriteStream(file),
          );
          const summary = await importUpload(services, file, account, options, {
            defaultRegion: defaultRegionOf(services),
          });
          return {
            accountId: account.id,
            ...summary,
            chat: { ...summary.chat, title: summary.chat.title },
            authors: { ...summary.authors, me: summary.authors.me },
            chatId: summary.chatId,
          };
        } finally {
          await fs.promises.rm(dir, { recursive: true, force: true });
        }
      },
    );
    app.get(
      '/accounts/:accountId/imports/:importId',
      {
        schema: {
          tags: ['ingest'],
          summary: 'An import queued in scale mode: its state, then its summary or error',
          description:
            'Poll it (every second or so) after a 202 from the upload until the state is `done` or `failed`.',
          params: z.object({ accountId: z.string(), importId: z.string() }),
          response: { 200: ImportStatusSchema, 404: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        const account = await access.account(request, request.params.accountId);
        const job = await services.store.imports.get(account.id, request.params.importId);
        if (!job) throw new WasyncError('not_found', `No import ${request.params.importId}.`);
        return importStatusDto(job);
      },
    );
    app.get(
      '/accounts/:accountId/imports',
      {
        schema: {
          tags: ['ingest'],
          summary: `The account's latest imports queued in scale mode (${RECENT_IMPORTS} at most), newest first`,
          params: z.object({ accountId: z.string() }),
          response: {
            200: z.object({ data: z.array(ImportStatusSchema) }),
            404: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
        const account = await access.account(request, request.params.accountId);
        const jobs = await services.store.imports.recent(account.id, RECENT_IMPORTS);
        return { data: jobs.map(importStatusDto) };
      },
    );
  };
}

function uploadTooLarge(limit: number): WasyncError {
  return new WasyncError('export_too_large', `The upload is larger than ${limit} bytes.`, {
    limit: 'totalBytes',
  });
}
