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
import { importChatExportFile } from '../../sources/chat-export/import.js';
import { importContext } from '../../sources/chat-export/limits.js';
import { DATE_ORDERS } from '../../sources/chat-export/parser.js';
import { ChatAccess } from '../access.js';
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

const UPLOAD_TYPES = [
  'application/zip',
  'application/x-zip-compressed',
  'text/plain',
  'application/octet-stream',
];

/** Chat-export upload: the raw file as the body, spooled to a temp file, then imported like the CLI does. */
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
            'adds only what is new.',
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
            400: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
            413: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
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
                if (size > limit) {
                  return callback(
                    new WasyncError('export_too_large', `The upload is larger than ${limit} bytes.`, {
                      limit: 'totalBytes',
                    }),
                  );
                }
                callback(null, chunk);
              },
            }),
            fs.createWriteStream(file),
          );
          const context = importContext(services);
          const summary = await importChatExportFile(
            context.services,
            file,
            query.fileName ?? query.chatName ?? 'upload',
            {
              account,
              chatWith: query.chatWith,
              me: query.me,
              chatName: query.chatName,
              timeZone: query.tz ?? services.workspace.timeZone,
              dateOrder: query.dateOrder,
              toCrm: query.toCrm === 'true',
              defaultRegion: defaultRegionOf(services),
              ...context.limits,
            },
          );
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
  };
}
