import { CrmError } from '../types.js';
import { type SalesforceAuth, type SalesforceToken, tokenRequestBody } from './auth.js';
import { networkError, oauthError, salesforceError } from './errors.js';
import { StreamingBody } from './streaming-body.js';

export interface SalesforceTransportOptions {
  /** OAuth host: https://login.salesforce.com, a My Domain URL, or a sandbox's base URL. */
  loginUrl: string;
  /** Data API version, e.g. '62.0'. */
  apiVersion: string;
  auth: SalesforceAuth;
  timeoutMs?: number;
  /** Called with each new token, so a rotated refresh token can be persisted; awaited before use. */
  onToken?: (token: SalesforceToken) => void | Promise<void>;
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
 * The only place wasync speaks HTTP to Salesforce. Signs in with the configured flow, signs in again
 * once when a token expires (one sign-in at a time, however many requests found the token stale),
 * and turns every failure into a CrmError that says whether to retry, park or give up.
 */
export class SalesforceTransport {
  private token: Promise<SalesforceToken> | undefined;
  private usage: ApiUsage | undefined;
  private calls = 0;

  constructor(private readonly options: SalesforceTransportOptions) {}

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
    return (await this.currentToken()).instanceUrl;
  }

  /** `path` is relative to /services/data/vXX.X/ unless it starts with /services/. */
  async request<T>(method: string, path: string, body?: unknown): Promise<SalesforceResponse<T>> {
    const token = await this.currentToken();
    const first = await this.send<T>(token, method, path, body);
    if (first.status !== 401) return this.checked(first);
    // A token expires whenever the org's session policy says; there is no expires_in to plan by.
    const renewed = await this.renewToken(token);
    return this.checked(await this.send<T>(renewed, method, path, body));
  }

  /**
   * A Metadata API (SOAP) call: `operation` is the inner XML of the Body. The session goes in the
   * SessionHeader; a fault answering INVALID_SESSION_ID signs in again once, like a REST 401.
   */
  async metadata(operation: string): Promise<string> {
    const token = await this.currentToken();
    const first = await this.sendSoap(token, operation);
    if (!first.includes('INVALID_SESSION_ID')) return first;
    return this.sendSoap(await this.renewToken(token), operation);
  }

  private async sendSoap(token: SalesforceToken, operation: string): Promise<string> {
    const envelope = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"',
      ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://soap.sforce.com/2006/04/metadata">',
      `<soapenv:Header><SessionHeader><sessionId>${token.accessToken}</sessionId></SessionHeader></soapenv:Header>`,
      `<soapenv:Body>${operation}</soapenv:Body></soapenv:Envelope>`,
    ].join('');
    this.calls++;
    try {
      const response = await fetch(`${token.instanceUrl}/services/Soap/m/${this.options.apiVersion}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=UTF-8', soapaction: '""' },
        body: envelope,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      });
      this.recordUsage(response.headers.get('sforce-limit-info'));
      return await response.text();
    } catch (error) {
      throw networkError(error);
    }
  }

  private async send<T>(
    token: SalesforceToken,
    method: string,
    path: string,
    body: unknown,
  ): Promise<SalesforceResponse<T> & { headers: Headers }> {
    const url = path.startsWith('/services/')
      ? `${token.instanceUrl}${path}`
      : `${token.instanceUrl}/services/data/v${this.options.apiVersion}/${path}`;
    const headers: Record<string, string> = {
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
    this.calls++;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        // A stream body is sent as it is read; fetch requires saying so (`duplex: 'half'`).
        ...(payload === undefined ? {} : { body: payload, duplex: 'half' as const }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw networkError(error);
    }
    this.recordUsage(response.headers.get('sforce-limit-info'));
    return { status: response.status, body: (await readBody(response)) as T, headers: response.headers };
  }

  private checked<T>(response: SalesforceResponse<T> & { headers: Headers }): SalesforceResponse<T> {
    if (response.status >= 400) {
      throw salesforceError(response.status, response.body, response.headers.get('retry-after'));
    }
    return { status: response.status, body: response.body };
  }

  private currentToken(): Promise<SalesforceToken> {
    this.token ??= this.signIn();
    return this.token;
  }

  /** Renews once per stale token: requests that fail with the same token share one sign-in. */
  private async renewToken(stale: SalesforceToken): Promise<SalesforceToken> {
    const current = this.token ? await this.token.catch(() => undefined) : undefined;
    if (current && current.accessToken !== stale.accessToken) return current;
    this.token = this.signIn();
    return this.token;
  }

  private async signIn(): Promise<SalesforceToken> {
    const loginUrl = this.options.loginUrl.replace(/\/$/, '');
    let response: Response;
    try {
      response = await fetch(`${loginUrl}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: tokenRequestBody(this.options.auth, loginUrl),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      });
    } catch (error) {
      this.token = undefined;
      throw networkError(error);
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      this.token = undefined;
      throw oauthError(response.status, body);
    }
    const token = toToken(body);
    if (token.refreshToken && this.options.auth.flow === 'refresh_token') {
      this.options.auth.refreshToken = token.refreshToken;
    }
    await this.options.onToken?.(token);
    return token;
  }

  private recordUsage(header: string | null): void {
    const match = header ? /api-usage=(\d+)\/(\d+)/.exec(header) : null;
    if (match) this.usage = { used: Number(match[1]), max: Number(match[2]) };
  }
}

function toToken(body: unknown): SalesforceToken {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const { access_token: accessToken, instance_url: instanceUrl, refresh_token: refreshToken } = record;
  if (typeof accessToken !== 'string' || typeof instanceUrl !== 'string') {
    throw new CrmError({
      kind: 'retryable',
      code: 'BAD_TOKEN_RESPONSE',
      message: 'Salesforce sent a token answer without a token',
    });
  }
  return {
    accessToken,
    instanceUrl: instanceUrl.replace(/\/$/, ''),
    refreshToken: typeof refreshToken === 'string' ? refreshToken : undefined,
  };
}

/** JSON when it is JSON; a proxy's HTML error page stays text, for the error message. */
async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
