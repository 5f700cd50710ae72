import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'qs';
import { readAnswerBody } from '../kit/answer-body.js';
import { requestSignal } from '../kit/errors.js';
import { type CallOptions, CrmError } from '../types.js';
import { bitrix24Error, commandError, networkError, OPERATION_LIMIT_WAIT_MS } from './errors.js';
import { type Bitrix24Time, OperatingTimes } from './operating-time.js';
import type { Bitrix24Access, Bitrix24Endpoint } from './sign-in.js';

/** Pauses before a failed read is tried again: three attempts in all. */
const READ_PAUSES_MS = [500, 2_000];
/** A read the portal asks to wait longer for is left to the engine's retry. */
const MAX_READ_RETRY_WAIT_MS = 6_000;
/**
 * Commands in one batch: "up to 50" (`settings/how-to-call-rest-api/batch.md`; more is 400
 * ERROR_BATCH_LENGTH_EXCEEDED, `_includes/system-errors.md`).
 */
export const BATCH_LIMIT = 50;
/** Cloud portals cut a request after 60 s (the crm-apis notes §3.1). */
const REQUEST_TIMEOUT_MS = 60_000;
/** A file's upload gets longer: 100 MB over a slow link (the upload URL is not a REST method). */
const UPLOAD_TIMEOUT_MS = 300_000;

/** A method's answer: `result`, and for lists `total` and `next` (the offset of the next page). */
export interface Bitrix24Answer<T> {
  result: T;
  total: number | undefined;
  next: number | undefined;
}

export interface Bitrix24Command {
  method: string;
  params?: Record<string, unknown>;
}

export type CommandResult<T = unknown> =
  | { ok: true; result: T; total: number | undefined; next: number | undefined }
  | { ok: false; error: CrmError };

/** HTTP requests made and commands run, for the benchmark: the bucket counts requests. */
export interface Bitrix24CallCounter {
  requests: number;
  commands: number;
}

/** Methods that change nothing: a failed one leaves nothing in doubt and may be tried again at once. */
export function isReadMethod(method: string): boolean {
  return /\.(get|list|getlist|fields|current)$|^crm\.duplicate\.findbycomm$|^crm\.settings\.mode\.get$|^user\.get$/i.test(
    method,
  );
}

/**
 * The only place wasync speaks HTTP to a Bitrix24 portal (the OAuth server is `sign-in.ts`'s). Each
 * call is one POST of JSON to `{endpoint}{method}` (a GET with a JSON body is refused: the crm-apis
 * notes §3.1), through the portal's bucket; 401 `expired_token` renews an application's session once;
 * `batch` sends up to 50 commands a request, each answered on its own; every failure becomes a
 * CrmError that says whether to retry, park or give up.
 */
export class Bitrix24Transport {
  constructor(
    readonly access: Bitrix24Access,
    private readonly options: {
      call?: CallOptions;
      counter?: Bitrix24CallCounter;
      operating?: OperatingTimes;
      timeoutMs?: number;
    } = {},
  ) {}

  get counter(): Bitrix24CallCounter {
    this.options.counter ??= { requests: 0, commands: 0 };
    return this.options.counter;
  }

  get operating(): OperatingTimes {
    this.options.operating ??= new OperatingTimes();
    return this.options.operating;
  }

  /** This transport's access (shared, not repeated), with requests checked and cut as `call` says. */
  forCall(call: CallOptions): Bitrix24Transport {
    if (!call.signal && !call.beforeRequest) return this;
    return new Bitrix24Transport(this.access, {
      ...this.options,
      call,
      counter: this.counter,
      operating: this.operating,
    });
  }

  /**
   * One method. An error answer throws a CrmError. A read that fails in passing (a 5xx, the bucket, no
   * answer) is tried again, three attempts in all, so one dropped request does not end a run whose
   * lookups take many; writes are never repeated here (the engine looks for what a failed one left).
   */
  async call<T>(method: string, params: Record<string, unknown> = {}): Promise<Bitrix24Answer<T>> {
    return this.retryingReads(isReadMethod(method), async () => {
      this.operating.check(method);
      const body = await this.post(method, params, isReadMethod(method));
      const answer = body as { result?: T; total?: unknown; next?: unknown; time?: Bitrix24Time };
      this.operating.report(method, answer.time);
      return {
        result: answer.result as T,
        total: typeof answer.total === 'number' ? answer.total : undefined,
        next: typeof answer.next === 'number' ? answer.next : undefined,
      };
    });
  }

  /**
   * Commands in batches of 50 (one request each, one count in the bucket: `limits.md`), answered in
   * order, each ok or failed on its own (a batch answers 200 whatever its commands did: `batch.md`).
   * The commands must not refer to each other's results (a batch of 50 may be split). A batch of reads
   * only is tried again whole when the request fails in passing; a read command the portal failed in
   * passing is asked again in the next request.
   */
  async batch<T = unknown>(commands: readonly Bitrix24Command[]): Promise<CommandResult<T>[]> {
    const results: CommandResult<T>[] = [];
    for (let start = 0; start < commands.length; start += BATCH_LIMIT) {
      const chunk = commands.slice(start, start + BATCH_LIMIT);
      results.push(...(await this.batchOnce<T>(chunk)));
    }
    return results;
  }

  /** Several pages of a list, `next` by `next`, each page one call (50 rows a page: list methods' docs). */
  async *pages<T>(method: string, params: Record<string, unknown>): AsyncGenerator<T[]> {
    let start: number | undefined = 0;
    while (start !== undefined) {
      const answer: Bitrix24Answer<T[] | Record<string, T[]>> = await this.call(method, { ...params, start });
      yield listOf<T>(answer.result);
      start = answer.next;
    }
  }

  /**
   * The second step of a two-step Disk upload (disk/folder/disk-folder-upload-file.md, "Uploading a File
   * via URL"): the file POSTed as `multipart/form-data` in the form field the first step named, to the
   * upload URL it answered, so that a large file travels as its bytes rather than a third larger in
   * base64. The URL must be on the portal (its token is the POST's authority). One count in the
   * bucket; never repeated here (a write).
   */
  async postFile<T>(
    uploadUrl: string,
    field: string,
    file: { fileName: string; mimeType: string; bytes: Uint8Array },
  ): Promise<T> {
    let url: URL;
    try {
      url = new URL(uploadUrl);
    } catch {
      url = new URL('invalid:');
    }
    if (url.origin !== new URL(this.access.portalUrl).origin)
      throw new CrmError({
        kind: 'rejected',
        code: 'UPLOAD_URL_REFUSED',
        message: `Bitrix24 answered an upload URL off the portal (${url.origin})`,
      });
    const boundary = `wasync-${randomUUID()}`;
    const safe = (text: string) => text.replace(/["\r\n\\]/g, '_');
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${safe(field)}"; filename="${safe(file.fileName)}"\r\n` +
        `Content-Type: ${safe(file.mimeType) || 'application/octet-stream'}\r\n\r\n`,
    );
    const body = Buffer.concat([head, file.bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const call = this.options.call ?? {};
    const slot = await this.access.limiter.acquire(call.signal);
    this.counter.requests++;
    let answer: { status: number; body: unknown; retryAfter: string | null };
    try {
      call.beforeRequest?.();
      call.signal?.throwIfAborted();
      let response: Response;
      try {
        response = await this.access.fetch(url.toString(), {
          method: 'POST',
          headers: {
            'content-type': `multipart/form-data; boundary=${boundary}`,
            accept: 'application/json',
          },
          body,
          signal: requestSignal(UPLOAD_TIMEOUT_MS, call.signal),
        });
      } catch (error) {
        call.signal?.throwIfAborted();
        throw networkError(error);
      }
      answer = {
        status: response.status,
        body: await readAnswerBody(response),
        retryAfter: response.headers.get('retry-after'),
      };
    } finally {
      slot.release();
    }
    if (answer.status >= 400 || typeof answer.body !== 'object' || answer.body === null) {
      const error = bitrix24Error(answer.status >= 400 ? answer.status : 502, answer.body, {
        write: true,
        retryAfterHeader: answer.retryAfter,
        method: 'upload',
      });
      if (error.code === 'QUERY_LIMIT_EXCEEDED') this.access.limiter.reportSpent(error.retryAfterMs);
      throw error;
    }
    return (answer.body as { result?: T }).result as T;
  }

  private async batchOnce<T>(commands: readonly Bitrix24Command[]): Promise<CommandResult<T>[]> {
    if (commands.length === 1) {
      // One command is one call: the same bucket count, and its own status and operating time.
      const [only] = commands;
      if (!only) return [];
      try {
        const answer = await this.call<T>(only.method, only.params ?? {});
        return [{ ok: true, ...answer }];
      } catch (error) {
        if (error instanceof CrmError && error.kind === 'rejected') return [{ ok: false, error }];
        throw error;
      }
    }
    for (const command of commands) this.operating.check(command.method);
    const reads = commands.every((command) => isReadMethod(command.method));
    const cmd: Record<string, string> = {};
    commands.forEach((command, index) => {
      cmd[`c${index}`] = `${command.method}?${stringify(command.params ?? {}, { arrayFormat: 'indices' })}`;
    });
    const body = (await this.retryingReads(reads, () => this.post('batch', { halt: 0, cmd }, reads))) as {
      result?: {
        result?: Record<string, unknown> | unknown[];
        result_error?: Record<string, unknown> | unknown[];
        result_total?: Record<string, unknown> | unknown[];
        result_next?: Record<string, unknown> | unknown[];
      };
    };
    this.counter.commands += commands.length;
    const section = (name: 'result' | 'result_error' | 'result_total' | 'result_next') => {
      const value = body.result?.[name];
      // Empty sections are `[]` (batch.md answers).
      return value && !Array.isArray(value) ? value : {};
    };
    const answered = section('result');
    const failed = section('result_error');
    const totals = section('result_total');
    const nexts = section('result_next');
    return commands.map((command, index): CommandResult<T> => {
      const name = `c${index}`;
      const write = !isReadMethod(command.method);
      if (name in failed) {
        const error = commandError(failed[name], command.method, write);
        if (error.code === 'OPERATION_TIME_LIMIT')
          this.operating.blockFor(command.method, OPERATION_LIMIT_WAIT_MS);
        return { ok: false, error };
      }
      if (!(name in answered))
        // Neither answered nor failed (a halted batch; never with halt 0): it may not have run.
        return {
          ok: false,
          error: new CrmError({
            kind: 'retryable',
            code: 'BATCH_COMMAND_UNANSWERED',
            message: `Bitrix24 did not answer ${command.method} in a batch`,
            outcomeUnknown: write,
          }),
        };
      const total = totals[name];
      const next = nexts[name];
      return {
        ok: true,
        result: answered[name] as T,
        total: typeof total === 'number' ? total : undefined,
        next: typeof next === 'number' ? next : undefined,
      };
    });
  }

  private async retryingReads<R>(read: boolean, attempt: () => Promise<R>): Promise<R> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        const pause = READ_PAUSES_MS[tries - 1];
        if (!read || pause === undefined || !(error instanceof CrmError) || error.kind !== 'retryable')
          throw error;
        // After a full bucket the limiter itself holds the next request until it has drained.
        const wait = error.code === 'QUERY_LIMIT_EXCEEDED' ? 0 : (error.retryAfterMs ?? 0);
        if (wait > MAX_READ_RETRY_WAIT_MS) throw error;
        const signal = this.options.call?.signal;
        await sleep(Math.max(pause, wait), undefined, signal ? { signal } : {});
      }
    }
  }

  /** One request; its body when the portal answered 2xx, else the answer as a CrmError. */
  private async post(method: string, params: Record<string, unknown>, read: boolean): Promise<unknown> {
    const answer = await this.access.withEndpoint(
      (endpoint) => this.send(endpoint, method, params),
      (result) => result.status === 401 && errorCodeOf(result.body) === 'expired_token',
    );
    if (answer.status >= 400 || typeof answer.body !== 'object' || answer.body === null) {
      const error = bitrix24Error(answer.status >= 400 ? answer.status : 502, answer.body, {
        write: !read,
        retryAfterHeader: answer.retryAfter,
        method,
      });
      // Another application on the portal (or wasync on another server) filled the bucket: every
      // process of the connection waits for it to drain.
      if (error.code === 'QUERY_LIMIT_EXCEEDED') this.access.limiter.reportSpent(error.retryAfterMs);
      if (error.code === 'OPERATION_TIME_LIMIT')
        this.operating.blockFor(method, error.retryAfterMs ?? OPERATION_LIMIT_WAIT_MS);
      throw error;
    }
    return answer.body;
  }

  private async send(
    endpoint: Bitrix24Endpoint,
    method: string,
    params: Record<string, unknown>,
  ): Promise<{ status: number; body: unknown; retryAfter: string | null }> {
    const call = this.options.call ?? {};
    const body = JSON.stringify(endpoint.auth === undefined ? params : { ...params, auth: endpoint.auth });
    const slot = await this.access.limiter.acquire(call.signal);
    this.counter.requests++;
    try {
      call.beforeRequest?.();
      call.signal?.throwIfAborted();
      let response: Response;
      try {
        response = await this.access.fetch(`${endpoint.base}${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body,
          signal: requestSignal(this.options.timeoutMs ?? REQUEST_TIMEOUT_MS, call.signal),
        });
      } catch (error) {
        call.signal?.throwIfAborted();
        throw networkError(error);
      }
      return {
        status: response.status,
        body: await readAnswerBody(response),
        retryAfter: response.headers.get('retry-after'),
      };
    } finally {
      slot.release();
    }
  }
}

/** A list method's rows: an array, or (crm.item.list) `{items: [...]}`, or (timeline) `{...: [...]}`. */
export function listOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  if (typeof result === 'object' && result !== null) {
    const values = Object.values(result);
    if (values.length === 1 && Array.isArray(values[0])) return values[0] as T[];
  }
  return [];
}

function errorCodeOf(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null ? (body as { error?: string }).error : undefined;
}
