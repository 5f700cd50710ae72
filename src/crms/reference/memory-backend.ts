/**
 * The reference CRM in memory as the destination's backend: each call is one or more requests to the
 * ReferenceCrm, which refuses a request past its limits and fails requests as a test tells it; every
 * failure is mapped to a CrmError as the HTTP backend maps the sandbox's answers.
 */
import { normalizePhone } from '../../core/phone.js';
import { classifyStatus, networkFailure, parseRetryAfter } from '../kit/errors.js';
import { type CallOptions, CrmError, type RecordType } from '../types.js';
import type { BackendUpload, ReferenceBackend } from './backend.js';
import { ReferenceAnswerLost, type ReferenceCrm, ReferenceRefusal } from './crm.js';

/** What one request carries, for the CRM's per-request limits. */
interface RequestSize {
  records?: number;
  numbers?: number;
  bytes?: number;
}

export class ReferenceMemoryBackend implements ReferenceBackend {
  readonly plan: ReferenceBackend['plan'];

  constructor(
    private readonly crm: ReferenceCrm,
    /** The API key the connection presents. */
    private readonly apiKey: string,
  ) {
    this.plan = { batchRecords: crm.limits.batchRecords, attachmentBytes: crm.limits.attachmentBytes };
  }

  async limits() {
    return {
      lookupsPerCall: this.crm.limits.lookupNumbers,
      transcriptsPerCall: this.crm.limits.batchRecords,
    };
  }

  async acceptsKey(): Promise<boolean> {
    return this.send('test', { write: false }, () => this.apiKey === this.crm.apiKey);
  }

  async lookup(
    phones: Parameters<ReferenceBackend['lookup']>[0],
    defaultRegion: Parameters<ReferenceBackend['lookup']>[1],
    types: RecordType[],
    call: CallOptions = {},
  ) {
    return this.send('findByPhones', { options: call, write: false, size: { numbers: phones.length } }, () =>
      Object.fromEntries(
        phones.map(({ key, phone }) => [key, this.crm.holding(phone, defaultRegion, types)]),
      ),
    );
  }

  async search(query: string, defaultRegion: Parameters<ReferenceBackend['search']>[1], types: RecordType[]) {
    const trimmed = query.trim();
    if (trimmed === '') return [];
    if (/^[+\d\s()./-]+$/.test(trimmed) && trimmed.replace(/\D/g, '').length >= 6) {
      const read = normalizePhone(trimmed, { defaultRegion });
      if (read.ok) return (await this.lookup([{ key: 'q', phone: read.e164 }], defaultRegion, types)).q ?? [];
    }
    return this.send('search', { write: false }, () => this.crm.named(trimmed.toLowerCase(), types));
  }

  async createRecord(record: Parameters<ReferenceBackend['createRecord']>[0]) {
    return this.send('createRecord', { write: true }, () => this.crm.createRecord(record));
  }

  async card(ref: { type: RecordType; id: string }) {
    return this.send('card', { write: false }, () => {
      const record = this.crm.record(ref.id);
      if (!record || record.type !== ref.type) {
        throw new CrmError({
          kind: 'rejected',
          code: 'RECORD_NOT_FOUND',
          message: `No ${ref.type} ${ref.id}.`,
        });
      }
      return { record, latestNotes: this.crm.latestNotes(record.id) };
    });
  }

  async transcriptsOf(record: { type: RecordType; id: string }, call: CallOptions = {}) {
    return this.send('transcriptsOf', { options: call, write: false }, () =>
      this.crm.transcriptsOf(record.id),
    );
  }

  async writeTranscripts(
    writes: Parameters<ReferenceBackend['writeTranscripts']>[0],
    call: CallOptions = {},
  ) {
    return this.send(
      'upsertDayTranscripts',
      { options: call, write: true, size: { records: writes.length } },
      () => writes.map((write) => this.crm.writeTranscript(write)),
    );
  }

  async upload(upload: BackendUpload, call: CallOptions = {}): Promise<{ id: string }> {
    const existing = this.send('findAttachment', { options: call, write: false }, () =>
      this.crm.attachment(upload.key),
    );
    if (existing) return { id: existing.id };
    const bytes = Buffer.from(upload.bytes);
    return this.send(
      'uploadAttachment',
      { options: call, write: true, size: { bytes: bytes.length } },
      () => {
        const id = this.crm.nextId('F');
        this.crm.putAttachment({
          id,
          key: upload.key,
          transcriptId: upload.transcriptId,
          record: { type: upload.record.type, id: upload.record.id },
          fileName: upload.fileName,
          mimeType: upload.mimeType,
          bytes,
        });
        return { id };
      },
    );
  }

  async deleteWritten(objects: Parameters<ReferenceBackend['deleteWritten']>[0], call: CallOptions = {}) {
    return this.send('deleteWritten', { options: call, write: true }, () =>
      objects.map((object) => ({ alreadyGone: !this.crm.deleteWritten(object) })),
    );
  }

  /**
   * One request to the CRM: checked against the run's lease first, and its failures mapped as an HTTP
   * destination maps them (a 5xx or a lost answer on a write leaves its outcome unknown).
   */
  private send<T>(
    call: string,
    request: { options?: CallOptions; write: boolean; size?: RequestSize },
    work: () => T,
  ): T {
    request.options?.signal?.throwIfAborted();
    request.options?.beforeRequest?.();
    try {
      return this.crm.request(call, work, request.size);
    } catch (error) {
      if (error instanceof ReferenceAnswerLost) throw networkFailure('The reference CRM', error);
      if (!(error instanceof ReferenceRefusal)) throw error;
      const { kind, outcomeUnknown } = classifyStatus(error.status, request.write ? 'POST' : 'GET');
      throw new CrmError({
        kind,
        code: error.code,
        message: error.message,
        retryAfterMs: kind === 'retryable' ? parseRetryAfter(error.retryAfter) : undefined,
        outcomeUnknown,
      });
    }
  }
}
