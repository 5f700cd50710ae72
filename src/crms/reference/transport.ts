import { classifyStatus, networkFailure, parseRetryAfter, requestSignal } from '../kit/errors.js';
import { type CallOptions, CrmError } from '../types.js';

/** How a request reaches the network: the connection's guarded fetch, or plain fetch in tests. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal },
) => Promise<Response>;

export interface ReferenceTransportOptions {
  /** The sandbox's base URL, e.g. http://127.0.0.1:4200; the API lives under /api/v1. */
  baseUrl: string;
  apiKey: string;
  fetch: FetchLike;
  /** Per request. Default 30 s. */
  timeoutMs?: number | undefined;
}

export interface ReferenceRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: unknown;
  /**
   * The request changes the CRM: when it fails without an answer (a timeout, a cut connection, a
   * server error), its outcome is unknown, and the engine looks before writing again.
   */
  write: boolean;
}

const NAME = 'The reference CRM';

/** The per-call limits the API reports (GET /account). */
export interface ReferenceLimits {
  lookupsPerCall: number;
  transcriptsPerCall: number;
}

/**
 * The only place the reference destination speaks HTTP (to the reference CRM sandbox's JSON API,
 * src/sandboxes/reference/README.md). Every failure becomes a CrmError: 429 and 5xx retryable (with
 * Retry-After), 401 and 403 park the connection, other 4xx reject the input, and a request cut
 * without an answer is retryable with its outcome unknown where it writes.
 */
export class ReferenceTransport {
  private knownLimits: Promise<ReferenceLimits> | undefined;

  constructor(private readonly options: ReferenceTransportOptions) {}

  /** The API's per-call limits, read once per connection (a failed read is tried again next time). */
  async limits(call: CallOptions = {}): Promise<ReferenceLimits> {
    this.knownLimits ??= this.request<{ limits: ReferenceLimits }>(
      { method: 'GET', path: '/account', write: false },
      call,
    ).then((answer) => answer.limits);
    try {
      return await this.knownLimits;
    } catch (error) {
      this.knownLimits = undefined;
      throw error;
    }
  }

  async request<T>(request: ReferenceRequest, call: CallOptions = {}): Promise<T> {
    call.beforeRequest?.();
    call.signal?.throwIfAborted();
    const signal = requestSignal(this.options.timeoutMs ?? 30_000, call.signal);
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}/api/v1${request.path}`;
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.apiKey}`,
      accept: 'application/json',
    };
    let response: Response;
    let text: string;
    try {
      if (request.body !== undefined) headers['content-type'] = 'application/json';
      response = await this.options.fetch(url, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal,
      });
      text = await response.text();
    } catch (error) {
      call.signal?.throwIfAborted();
      const failure = networkFailure(NAME, error);
      if (request.write) throw failure;
      // A read leaves nothing behind: its outcome is never in doubt.
      throw new CrmError({ kind: failure.kind, code: failure.code, message: failure.message });
    }
    const body = parseJson(text);
    if (response.status >= 400) throw this.failure(response, body, request.write);
    return body as T;
  }

  private failure(response: Response, body: unknown, write: boolean): CrmError {
    const { kind, outcomeUnknown } = classifyStatus(response.status, write ? 'POST' : 'GET');
    const answer = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    return new CrmError({
      kind,
      code: typeof answer?.code === 'string' ? answer.code : `HTTP_${response.status}`,
      message: typeof answer?.message === 'string' ? answer.message : `${NAME} answered ${response.status}.`,
      retryAfterMs: kind === 'retryable' ? parseRetryAfter(response.headers.get('retry-after')) : undefined,
      vendorAnswer: body,
      outcomeUnknown,
    });
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
