import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestCounters } from '../kit/counters.js';
import type { FaultGate } from '../kit/faults.js';
import type { LeakyBucket } from './limits.js';
import { Bitrix24Error } from './method.js';
import { completeUpload, UPLOAD_FIELD } from './methods/disk.js';
import type { Bitrix24FaultKind, ResolvedBitrix24Options } from './options.js';
import type { Portal } from './portal.js';
import { faultError } from './rest.js';
import { answerTime } from './time.js';

export interface UploadParts {
  portal: Portal;
  bucket: LeakyBucket;
  counters: RequestCounters;
  faults: FaultGate<Bitrix24FaultKind>;
  options: ResolvedBitrix24Options;
}

/** The path of the upload URL disk.folder.uploadfile answers (its example: `/rest/upload.json?…&token=…`). */
export const UPLOAD_PATH = '/rest/upload.json';

const refuse = (description: string) => new Bitrix24Error(400, 'ERROR_ARGUMENT', description);

/**
 * The second step of a two-step Disk upload (disk-folder-upload-file.md, "Uploading a File via URL"):
 * a `multipart/form-data` POST to the upload URL with the file in the form field the first call named
 * (`file`). The URL's token is all the authority the POST needs here (the real one also carries the
 * caller's access token); it is spent by any attempt, and an unknown, spent or expired one, a body
 * that is not multipart, or a form without the file is refused with 400 ERROR_ARGUMENT (all
 * unverified: the page documents only the success). The POST meets the bucket and faults as a REST
 * call does (unverified, the stricter choice). The form is read by the platform's own multipart
 * parser (`Request.formData()`); the parser is registered for this route only.
 */
export function uploadRoutes(parts: UploadParts) {
  const { portal, bucket, counters, faults, options } = parts;
  return async (app: FastifyInstance) => {
    app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (_request, body, done) =>
      done(null, body),
    );
    app.post(UPLOAD_PATH, async (request: FastifyRequest, reply: FastifyReply) => {
      const start = options.clock();
      counters.recordRequest('upload');
      bucket.admit(request.ip);
      const fault = await faults.decide(request, reply);
      if (fault.action === 'dropped') return reply;
      if (fault.action === 'answer') throw faultError(fault.kind, { userId: 0, scopes: [], via: 'webhook' });
      const token = (request.query as Record<string, unknown>).token;
      const pending = typeof token === 'string' ? portal.takeUpload(token) : undefined;
      if (!pending) throw refuse('The upload token is unknown, spent or expired.');
      const contentType = request.headers['content-type'] ?? '';
      if (!Buffer.isBuffer(request.body) || !/^multipart\/form-data/i.test(contentType))
        throw refuse('Send the file as multipart/form-data.');
      let form: FormData;
      try {
        form = await new Request('http://upload.invalid/', {
          method: 'POST',
          headers: { 'content-type': contentType },
          body: request.body,
        }).formData();
      } catch {
        throw refuse('The multipart body cannot be read.');
      }
      const part = form.get(UPLOAD_FIELD);
      if (part === null || typeof part === 'string')
        throw refuse(`No file in the form field "${UPLOAD_FIELD}".`);
      const content = Buffer.from(await part.arrayBuffer());
      const result = completeUpload(portal, pending, part.name, content);
      const finish = options.clock();
      return reply.send({ result, time: answerTime(start, finish, finish - start) });
    });
  };
}
