import { setTimeout as sleep } from 'node:timers/promises';
import { readAnswerBody } from '../kit/answer-body.js';
import { requestSignal } from '../kit/errors.js';
import { type CallOptions, CrmError } from '../types.js';
import type { ZohoToken } from './auth.js';
import { networkError, zohoError } from './errors.js';
import type { ZohoSignIn } from './sign-in.js';

/** Pauses before a failed read is tried again: three attempts in all. */
const READ_PAUSES_MS = [200, 1_000];
/** A read the CRM asks to wait longer for is left to the engine's retry. */
const MAX_READ_RETRY_WAIT_MS = 5_000;

/** One file part of a multipart upload (Attachments: the part is named `file`). */
export interface FilePart {
  fileName: string;
  mimeType: string;
  bytes: Uint8Array;
}

export interface ZohoRequest {
  /** Query parameters, encoded here. */
  query?: Record<string, string | number | undefined>;
  /** A JSON body. */
  json?: unknown;
  /** A multipart body with one file. */
  file?: FilePart;
  timeoutMs?: number;
  /**
   * A batch write answers per record inside `data[]`, with 400 when every record was refused
   * (createRecords.md; notes.json answers 202): such an answer is returned for the caller to read
   * item by item, not thrown.
   */
  perItem?: boolean;
  /** A read sent as POST (COQL): a failure leaves nothing in doubt. */
  read?: boolean;
}

export interface ZohoResponse<T> {
  status: number;
  /** Undefined for 204 (Zoho's "nothing matched") and other empty answers. */
  body: T | undefined;
  headers: Headers;
}

/** API calls made, for the benchmark: each costs the org credits. */
export interface ZohoCallCounter {
  calls: number;
}

/**
 * The only place wasync speaks HTTP to Zoho CRM's API (the accounts server is `sign-in.ts`'s). Every
 * call goes to the `api_domain` the latest token answer named, under `/crm/v8/`, with the header
 * `Authorization: Zoho-oauthtoken …`; through the connection's limiter; a 401 INVALID_TOKEN signs in
 * again once (one refresh however many calls found the token stale); every failure becomes a CrmError
 * that says whether to retry, park or give up.
 */
export class ZohoTransport {
  constructor(
    readonly signIn: ZohoSignIn,
    private readonly call: CallOptions = {},
    readonly counter: ZohoCallCounter = { calls: 0 },
    private readonly timeoutMs = 60_000,
  ) {}

  /** This transport's sign-in (shared, not repeated), with requests checked and cut as `call` says. */
  forCall(call: CallOptions): ZohoTransport {
    if (!call.signal && !call.beforeRequest) return this;
    return new ZohoTransport(this.signIn, call, this.counter, this.timeoutMs);
  }

  /** The API domain of the live token (signing in if need be). */
  async apiDomain(): Promise<string> {
    return (await this.signIn.current()).apiDomain;
  }

  /**
   * `path` is relative to /crm/v8/ (`Contacts/search`). An error answer throws a CrmError. A read
   * that fails in passing (a 5xx, a 429, no answer) is tried again, three attempts in all
   * with a short pause, so one dropped request does not end a sync run whose lookups take many; a
   * longer wait the CRM asks for is left to the engine. Writes are never repeated here: after a
   * failed write the engine looks for what it left first.
   */
  async request<T>(method: string, path: string, request: ZohoRequest = {}): Promise<ZohoResponse<T>> {
    const read = request.read === true || method === 'GET';
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.requestOnce<T>(method, path, request);
      } catch (error) {
        const pause = READ_PAUSES_MS[attempt - 1];
        if (
          !read ||
          pause === undefined ||
          !(error instanceof CrmError) ||
          error.kind !== 'retryable' ||
          (error.retryAfterMs ?? 0) > MAX_READ_RETRY_WAIT_MS
        )
          throw error;
        await sleep(
          Math.max(pause, error.retryAfterMs ?? 0),
          undefined,
          this.call.signal ? { signal: this.call.signal } : {},
        );
      }
    }
  }

  private async requestOnce<T>(method: string, path: string, request: ZohoRequest): Promise<ZohoResponse<T>> {
    const response = await this.signIn.withToken(
      (token) => this.send(token, method, path, request),
      (answer) => answer.status === 401 && codeOf(answer.body) === 'INVALID_TOKEN',
    );
    if (response.status >= 400 && !(request.perItem && response.status === 400 && hasItems(response.body))) {
      const error = zohoError(
        response.status,
        response.body,
        response.headers.get('retry-after'),
        request.read ? 'GET' : method,
      );
      // The org's credits for the day are gone: nothing more is sent until the wait is over.
      if (error.code === 'LIMIT_EXCEEDED') this.signIn.limiter.reportSpent(error.retryAfterMs);
      throw error;
    }
    return response as ZohoResponse<T>;
  }

  private async send(
    token: ZohoToken,
    method: string,
    path: string,
    request: ZohoRequest,
  ): Promise<ZohoResponse<unknown>> {
    const url = new URL(`${token.apiDomain}/crm/v8/${path}`);
    for (const [name, value] of Object.entries(request.query ?? {}))
      if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = {
      authorization: `Zoho-oauthtoken ${token.accessToken}`,
      accept: 'application/json',
    };
    let body: string | Uint8Array | undefined;
    if (request.file) {
      const multipart = multipartBody(request.file);
      headers['content-type'] = multipart.contentType;
      body = multipart.bytes;
    } else if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    }
    const slot = await this.signIn.limiter.acquire(this.call.signal);
    this.counter.calls++;
    try {
      this.call.beforeRequest?.();
      this.call.signal?.throwIfAborted();
      let response: Response;
      try {
        response = await this.signIn.fetch(url.toString(), {
          method,
          headers,
          ...(body === undefined ? {} : { body }),
          signal: requestSignal(request.timeoutMs ?? this.timeoutMs, this.call.signal),
        });
      } catch (error) {
        this.call.signal?.throwIfAborted();
        throw networkError(error);
      }
      return { status: response.status, body: await readAnswerBody(response), headers: response.headers };
    } finally {
      slot.release();
    }
  }
}

function hasItems(body: unknown): boolean {
  return typeof body === 'object' && body !== null && Array.isArray((body as { data?: unknown }).data);
}

function codeOf(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null ? (body as { code?: string }).code : undefined;
}

/**
 * multipart/form-data with one part `file` (attachments/mds/uploadAttachment.md: the file goes in
 * `file`); the file name in UTF-8 in `filename`, as RFC 7578 §4.2 asks (not `filename*`).
 */
function multipartBody(file: FilePart): { contentType: string; bytes: Uint8Array } {
  const boundary = `wasync-${crypto.randomUUID()}`;
  const name = file.fileName.replace(/["\r\n\\]/g, '_');
  const head = new TextEncoder().encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: ${file.mimeType}\r\n\r\n`,
  );
  const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
  const bytes = new Uint8Array(head.length + file.bytes.length + tail.length);
  bytes.set(head, 0);
  bytes.set(file.bytes, head.length);
  bytes.set(tail, head.length + file.bytes.length);
  return { contentType: `multipart/form-data; boundary=${boundary}`, bytes };
}
