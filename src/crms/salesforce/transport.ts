import { readAnswerBody } from '../kit/answer-body.js';
import { requestSignal } from '../kit/errors.js';
import type { RateLimiter } from '../kit/rate-limiter.js';
import type { CallOptions } from '../types.js';
import type { SalesforceAuth, SalesforceToken } from './auth.js';
import { networkError, salesforceError } from './errors.js';
import { SalesforceSignIn } from './sign-in.js';
import { StreamingBody } from './streaming-body.js';

/**
 * How the transport signs in: through a connection's shared token holder, or (tests, one-off tools)
 * with credentials of its own.
 */
export type SalesforceTransportOptions = {
  /** Data API version, e.g. '62.0'. */
  apiVersion: string;
  timeoutMs?: number;
} & (
  | { signIn: SalesforceSignIn }
  | {
      /** OAuth host: https://login.salesforce.com, a My Domain URL, or a sandbox's base URL. */
      loginUrl: string;
      auth: SalesforceAuth;
      /** Called with each new token; awaited before the token is used. */
      onToken?: (token: SalesforceToken) => void | Promise<void>;
      /** The request budget; by default Salesforce's, of this transport alone. */
      limiter?: RateLimiter;
    }
);

export interface RequestOptions {
  /** Extra request headers, e.g. Sforce-Duplicate-Rule-Header. */
  headers?: Record<string, string>;
}

export interface SalesforceResponse<T> {
  status: number;
  body: T;
}

/** Daily API usage as the last answer reported it (`Sforce-Limit-Info: api-usage=18/5000`). */
export interface ApiUsage {
  used: number;
  max: number;
}

/**
 * The only place wasync speaks HTTP to Salesforce's APIs (the token endpoint is `sign-in.ts`'s).
 * Signs in through the connection's token holder, whose `withToken` signs in again once when the org
 * refuses a token (one sign-in at a time, however many requests found it stale), and turns every failure into a
 * CrmError that says whether to retry, park or give up.
 */
export class SalesforceTransport {
  private readonly signIn: SalesforceSignIn;
  private usage: ApiUsage | undefined;
  private calls = 0;

  /**
   * `call` may cut every request of this transport (a run that lost its lease): one not yet sent is
   * not sent, one in flight is dropped, and either rejects with the signal's reason.
   */
  constructor(
    private readonly options: SalesforceTransportOptions,
    private readonly call: CallOptions = {},
  ) {
    this.signIn =
      'signIn' in options
        ? options.signIn
        : new SalesforceSignIn({
            loginUrl: options.loginUrl,
            auth: options.auth,
            ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
            ...(options.onToken ? { onToken: options.onToken } : {}),
            ...(options.limiter ? { limiter: options.limiter } : {}),
          });
  }

  /** This transport's sign-in (shared, not repeated), with requests checked and cut as `call` says. */
  forCall(call: CallOptions): SalesforceTransport {
    if (!call.signal && !call.beforeRequest) return this;
    const { apiVersion, timeoutMs } = this.options;
    return new SalesforceTransport(
      { apiVersion, signIn: this.signIn, ...(timeoutMs === undefined ? {} : { timeoutMs }) },
      call,
    );
  }

  get apiUsage(): ApiUsage | undefined {
    return this.usage;
  }

  /** The data API version in use, e.g. '62.0'. */
  get apiVersion(): string {
    return this.options.apiVersion;
  }

  /** HTTP requests made to the data API (not counting sign-ins), for the benchmark. */
  get requestCount(): number {
    return this.calls;
  }

  /** The org's instance URL (signing in if need be), for links to records. */
  async instanceUrl(): Promise<string> {
    return (await this.signIn.current()).instanceUrl;
  }

  /** The id of the user wasync signs in as (setup grants this user access). */
  async userId(): Promise<string | undefined> {
    return (await this.signIn.current()).userId;
  }

  /** `path` is relative to /services/data/vXX.X/ unless it starts with /services/. */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<SalesforceResponse<T>> {
    // A token expires whenever the org's session policy says; there is no expires_in to plan by.
    const response = await this.signIn.withToken(
      (token) => this.send<T>(token, { method, path, body, options }),
      (answer) => answer.status === 401,
    );
    return this.checked(response, method);
  }

  /**
   * A Metadata API (SOAP) call: `operation` is the inner XML of the Body. The session goes in the
   * SessionHeader; a fault answering INVALID_SESSION_ID signs in again once, like a REST 401.
   */
  async metadata(operation: string): Promise<string> {
    return this.signIn.withToken(
      (token) => this.sendSoap(token, operation),
      (answer) => answer.includes('INVALID_SESSION_ID'),
    );
  }

  private async sendSoap(token: SalesforceToken, operation: string): Promise<string> {
    const envelope = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"',
      ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://soap.sforce.com/2006/04/metadata">',
      `<soapenv:Header><SessionHeader><sessionId>${token.accessToken}</sessionId></SessionHeader></soapenv:Header>`,
      `<soapenv:Body>${operation}</soapenv:Body></soapenv:Envelope>`,
    ].join('');
    const slot = await this.signIn.limiter.acquire(this.call.signal);
    this.calls++;
    try {
      const response = await this.signIn.fetch(
        `${token.instanceUrl}/services/Soap/m/${this.options.apiVersion}`,
        {
          method: 'POST',
          headers: { 'content-type': 'text/xml; charset=UTF-8', soapaction: '""' },
          body: envelope,
          signal: this.signalFor(this.options.timeoutMs ?? 60_000),
        },
      );
      this.recordUsage(response.headers.get('sforce-limit-info'));
      return await response.text();
    } catch (error) {
      this.call.signal?.throwIfAborted();
      throw networkError(error);
    } finally {
      slot.release();
    }
  }

  private async send<T>(
    token: SalesforceToken,
    call: { method: string; path: string; body: unknown; options: RequestOptions },
  ): Promise<SalesforceResponse<T> & { headers: Headers }> {
    const { method, path, body } = call;
    const url = path.startsWith('/services/')
      ? `${token.instanceUrl}${path}`
      : `${token.instanceUrl}/services/data/v${this.options.apiVersion}/${path}`;
    const headers: Record<string, string> = {
      ...call.options.headers,
      authorization: `Bearer ${token.accessToken}`,
      accept: 'application/json',
    };
    let payload: string | ReadableStream<Uint8Array> | undefined;
    let timeoutMs = this.options.timeoutMs ?? 60_000;
    if (body instanceof StreamingBody) {
      headers['content-type'] = body.contentType;
      payload = body.stream();
      timeoutMs = Math.max(timeoutMs, body.timeoutMs);
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    // Waits for the connection's budget; the request's own timeout starts once it may go.
    const slot = await this.signIn.limiter.acquire(this.call.signal);
    this.calls++;
    try {
      let response: Response;
      try {
        response = await this.signIn.fetch(url, {
          method,
          headers,
          // A stream body is sent as it is read; fetch requires saying so (`duplex: 'half'`).
          ...(payload === undefined ? {} : { body: payload, duplex: 'half' as const }),
          signal: this.signalFor(timeoutMs),
        });
      } catch (error) {
        this.call.signal?.throwIfAborted();
        throw networkError(error);
      }
      this.recordUsage(response.headers.get('sforce-limit-info'));
      return {
        status: response.status,
        body: (await readAnswerBody(response)) as T,
        headers: response.headers,
      };
    } finally {
      slot.release();
    }
  }

  /** The request's timeout, and the run's abort when there is one. */
  private signalFor(timeoutMs: number): AbortSignal {
    this.call.beforeRequest?.();
    this.call.signal?.throwIfAborted();
    return requestSignal(timeoutMs, this.call.signal);
  }

  private checked<T>(
    response: SalesforceResponse<T> & { headers: Headers },
    method: string,
  ): SalesforceResponse<T> {
    if (response.status >= 400) {
      const error = salesforceError(
        response.status,
        response.body,
        response.headers.get('retry-after'),
        response.headers.get('sforce-limit-info'),
        method,
      );
      // The daily allocation (not the concurrency limit, which has no wait): the connection sends
      // nothing more until the wait is over or an answer reports room.
      if (error.code === 'REQUEST_LIMIT_EXCEEDED' && error.retryAfterMs !== undefined)
        this.signIn.limiter.reportSpent(error.retryAfterMs);
      throw error;
    }
    return { status: response.status, body: response.body };
  }

  private recordUsage(header: string | null): void {
    const match = header ? /api-usage=(\d+)\/(\d+)/.exec(header) : null;
    if (!match) return;
    this.usage = { used: Number(match[1]), max: Number(match[2]) };
    this.signIn.limiter.reportUsage(this.usage);
  }
}
