import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type CountryCode, isRegion, normalizePhone } from '../../core/phone.js';
import type { ReferenceCrm, ReferenceRecord } from '../../crms/reference/crm.js';
import { ReferenceApiError } from './errors.js';
import type { ResolvedReferenceOptions } from './options.js';

const RecordType = z.enum(['contact', 'lead']);
const RecordRef = z.object({ type: RecordType, id: z.string().min(1) });
/** Which record types a call sees: a connection in a mode without leads asks for contacts alone. */
const Types = z.array(RecordType).min(1).default(['contact', 'lead']);
const Region = z
  .string()
  .refine((code): code is CountryCode => isRegion(code))
  .optional();

const Lookup = z.object({
  phones: z.array(z.object({ key: z.string(), phone: z.string() })),
  defaultRegion: Region,
  types: Types,
});
const Search = z.object({ query: z.string(), defaultRegion: Region, types: Types });
const NewRecord = z.object({
  type: RecordType,
  name: z.string().min(1),
  phone: z.string().min(1),
  company: z.string().optional(),
});
/** A file that travels inside its transcript's write. */
const InlineFile = z.object({
  key: z.string().min(1),
  fileName: z.string().min(1),
  mimeType: z.string().min(1),
  base64: z.string(),
});
const Transcripts = z.object({
  transcripts: z.array(
    z.object({
      /** In place over this transcript; else by key; else a new one (a client keeping no keys). */
      id: z.string().min(1).optional(),
      key: z.string().min(1).optional(),
      record: RecordRef,
      day: z.string(),
      title: z.string(),
      text: z.string(),
      messageCount: z.number().int().min(0),
      files: z.array(InlineFile).default([]),
    }),
  ),
});
const Upload = z.object({
  key: z.string().min(1),
  transcriptId: z.string().min(1),
  record: RecordRef,
  fileName: z.string().min(1),
  mimeType: z.string().min(1),
  base64: z.string(),
});
const Deletions = z.object({
  objects: z.array(z.object({ kind: z.enum(['chat_record', 'note', 'file']), id: z.string() })),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new ReferenceApiError(400, 'INVALID_REQUEST', z.prettifyError(result.error));
  return result.data;
}

function tooMany(what: string, limit: number): ReferenceApiError {
  return new ReferenceApiError(400, 'LIMIT_EXCEEDED', `At most ${limit} ${what} per call.`);
}

/**
 * The reference CRM's API, under `/api/v1` with `Authorization: Bearer <apiKey>`; see README.md for
 * the routes and bodies. Every write is keyed (transcripts and files by the caller's key), so a
 * repeated call updates or answers what is there instead of adding a second one.
 */
export function apiRoutes(crm: ReferenceCrm, options: ResolvedReferenceOptions) {
  return async (app: FastifyInstance) => {
    app.get('/account', async () => ({ name: 'Reference CRM', limits: limitsOf(options) }));

    app.post('/lookups', async (request) => {
      const { phones, defaultRegion, types } = parse(Lookup, request.body);
      if (phones.length > options.maxLookupsPerCall) throw tooMany('phones', options.maxLookupsPerCall);
      const matches: Record<string, ReferenceRecord[]> = {};
      for (const { key, phone } of phones) matches[key] = crm.holding(phone, defaultRegion, types);
      return { matches };
    });

    app.post('/searches', async (request) => {
      const { query, defaultRegion, types } = parse(Search, request.body);
      const trimmed = query.trim();
      if (trimmed === '') return { records: [] };
      if (/^[+\d\s()./-]+$/.test(trimmed) && trimmed.replace(/\D/g, '').length >= 6) {
        const read = normalizePhone(trimmed, { defaultRegion });
        if (read.ok) return { records: crm.holding(read.e164, defaultRegion, types) };
      }
      return { records: crm.named(trimmed.toLowerCase(), types) };
    });

    app.post('/records', async (request, reply) => {
      return reply.status(201).send(crm.createRecord(parse(NewRecord, request.body)));
    });

    app.get<{ Params: { type: string; id: string } }>('/records/:type/:id', async (request) => {
      const ref = parse(RecordRef, request.params);
      const record = existing(crm, ref);
      return { record, latestNotes: crm.latestNotes(record.id) };
    });

    // What a record holds, for a client that finds a day again by the marker in its text. Transcripts
    // stay after their record is deleted (as orphans), so this answers whether or not it still exists.
    app.get<{ Params: { type: string; id: string } }>('/records/:type/:id/transcripts', async (request) => {
      const ref = parse(RecordRef, request.params);
      const transcripts = crm
        .transcriptsOf(ref.id)
        .filter((transcript) => transcript.record.type === ref.type)
        .map(({ id, key, day, text }) => ({ id, key, day, text }));
      return { transcripts };
    });

    app.put('/transcripts', async (request) => {
      const { transcripts } = parse(Transcripts, request.body);
      if (transcripts.length > options.maxTranscriptsPerCall)
        throw tooMany('transcripts', options.maxTranscriptsPerCall);
      const results = transcripts.map(({ files, ...write }) =>
        crm.writeTranscript({
          ...write,
          key: write.key,
          files: files.map(({ base64, ...file }) => ({ ...file, bytes: Buffer.from(base64, 'base64') })),
        }),
      );
      return { results };
    });

    app.post('/attachments', async (request, reply) => {
      const upload = parse(Upload, request.body);
      const there = crm.attachment(upload.key);
      if (there) return reply.status(200).send({ id: there.id, created: false });
      const bytes = Buffer.from(upload.base64, 'base64');
      if (bytes.length > options.maxAttachmentBytes) {
        throw new ReferenceApiError(
          413,
          'FILE_TOO_LARGE',
          `${upload.fileName} is larger than ${options.maxAttachmentBytes} bytes.`,
        );
      }
      existing(crm, upload.record);
      const id = crm.nextId('F');
      crm.putAttachment({
        id,
        key: upload.key,
        transcriptId: upload.transcriptId,
        record: upload.record,
        fileName: upload.fileName,
        mimeType: upload.mimeType,
        bytes,
      });
      return reply.status(201).send({ id, created: true });
    });

    app.post('/deletions', async (request) => {
      const { objects } = parse(Deletions, request.body);
      const results = objects.map((object) => ({ ok: true, alreadyGone: !crm.deleteWritten(object) }));
      return { results };
    });
  };
}

export function limitsOf(options: ResolvedReferenceOptions) {
  return {
    lookupsPerCall: options.maxLookupsPerCall,
    transcriptsPerCall: options.maxTranscriptsPerCall,
    attachmentBytes: options.maxAttachmentBytes,
  };
}

function notFound(ref: { type: string; id: string }): ReferenceApiError {
  return new ReferenceApiError(404, 'RECORD_NOT_FOUND', `No ${ref.type} ${ref.id}.`);
}

function existing(crm: ReferenceCrm, ref: { type: string; id: string }): ReferenceRecord {
  const record = crm.record(ref.id);
  if (!record || record.type !== ref.type) throw notFound(ref);
  return record;
}
