import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type CountryCode, isRegion, normalizePhone } from '../../core/phone.js';
import { numberToFind } from '../../core/phone-lookup.js';
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
const Transcripts = z.object({
  transcripts: z.array(
    z.object({
      key: z.string().min(1),
      record: RecordRef,
      day: z.string(),
      title: z.string(),
      text: z.string(),
      messageCount: z.number().int().min(0),
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
      for (const { key, phone } of phones) matches[key] = holding(crm, phone, defaultRegion, types);
      return { matches };
    });

    app.post('/searches', async (request) => {
      const { query, defaultRegion, types } = parse(Search, request.body);
      const trimmed = query.trim();
      if (trimmed === '') return { records: [] };
      if (/^[+\d\s()./-]+$/.test(trimmed) && trimmed.replace(/\D/g, '').length >= 6) {
        const read = normalizePhone(trimmed, { defaultRegion });
        if (read.ok) return { records: holding(crm, read.e164, defaultRegion, types) };
      }
      const needle = trimmed.toLowerCase();
      const records = visible(crm, types)
        .filter((record) => record.name.toLowerCase().includes(needle))
        .sort((a, b) => byType(a, b) || a.name.localeCompare(b.name));
      return { records };
    });

    app.post('/records', async (request, reply) => {
      const record = parse(NewRecord, request.body);
      const stored = crm.seed({
        type: record.type,
        name: record.name,
        phones: [record.phone],
        company: record.type === 'lead' ? record.company?.trim() || 'Unknown' : record.company,
      });
      return reply.status(201).send(stored);
    });

    app.get<{ Params: { type: string; id: string } }>('/records/:type/:id', async (request) => {
      const ref = parse(RecordRef, request.params);
      const record = existing(crm, ref);
      return { record, latestNotes: crm.latestNotes(record.id) };
    });

    app.put('/transcripts', async (request) => {
      const { transcripts } = parse(Transcripts, request.body);
      if (transcripts.length > options.maxTranscriptsPerCall)
        throw tooMany('transcripts', options.maxTranscriptsPerCall);
      const results = transcripts.map((write) => {
        const record = crm.record(write.record.id);
        if (!record || record.type !== write.record.type) {
          return { ok: false, error: notFound(write.record).toBody().error };
        }
        const previous = crm.transcript(write.key);
        const id = previous?.id ?? crm.nextId('T');
        crm.putTranscript({
          ...write,
          files: [],
          id,
          writes: (previous?.writes ?? 0) + 1,
          updatedAt: new Date(),
        });
        return { ok: true, id, created: previous === undefined };
      });
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

    // The reference CRM keeps no note beside a day's transcript: a note is always gone already.
    app.post('/deletions', async (request) => {
      const { objects } = parse(Deletions, request.body);
      const results = objects.map((object) => {
        const deleted =
          object.kind === 'chat_record'
            ? crm.deleteTranscript(object.id)
            : object.kind === 'file'
              ? crm.deleteAttachment(object.id)
              : false;
        return { ok: true, alreadyGone: !deleted };
      });
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

/** Records a call may see: converted leads never, leads only where the caller asks for them. */
function visible(crm: ReferenceCrm, types: readonly string[]): ReferenceRecord[] {
  return crm
    .allRecords()
    .filter((record) => types.includes(record.type) && !(record.type === 'lead' && record.converted));
}

/** The records whose phones hold this number in any spelling: contacts first, then the oldest first. */
function holding(
  crm: ReferenceCrm,
  phone: string,
  defaultRegion: CountryCode | undefined,
  types: readonly string[],
): ReferenceRecord[] {
  const wanted = numberToFind(phone);
  return visible(crm, types)
    .filter((record) => record.phones.some((stored) => wanted.isHeldIn(stored, defaultRegion)))
    .sort(
      (a, b) => byType(a, b) || a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id),
    );
}

const byType = (a: ReferenceRecord, b: ReferenceRecord) =>
  a.type === b.type ? 0 : a.type === 'contact' ? -1 : 1;

function notFound(ref: { type: string; id: string }): ReferenceApiError {
  return new ReferenceApiError(404, 'RECORD_NOT_FOUND', `No ${ref.type} ${ref.id}.`);
}

function existing(crm: ReferenceCrm, ref: { type: string; id: string }): ReferenceRecord {
  const record = crm.record(ref.id);
  if (!record || record.type !== ref.type) throw notFound(ref);
  return record;
}
