import type { Schemas } from './types';

/**
 * The app's one way to the API: JSON in and out, the session cookie sent by the browser, the session's
 * CSRF token on every change, and the API's error envelope turned into an ApiError with its code. A page
 * served from elsewhere (the browser extension's) points it at a wasync server with a token instead
 * (configureApi).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;

/** Where requests go and how they are signed in: the page's own origin and its session by default. */
let target: { baseUrl: string; token: string | undefined } = { baseUrl: '', token: undefined };

export interface ApiTarget {
  /** The wasync server's URL (`https://wasync.example.com`); requests go to `${baseUrl}/api/v1${path}`. */
  baseUrl?: string;
  /** An API token: sent as `Authorization: Bearer`, with no cookie and no CSRF token. */
  token?: string;
}

/**
 * Points api() and streamEvents() at a wasync server other than the page's own, for a page that is
 * not served by wasync (the browser extension's): with a token, requests carry it as a bearer header
 * and leave cookies out. `configureApi({})` returns to the default: the page's origin and its session.
 */
export function configureApi(options: ApiTarget): void {
  target = { baseUrl: (options.baseUrl ?? '').replace(/\/+$/, ''), token: options.token || undefined };
}

/** The URL of an API path as requests reach it (`/api/v1…`, after the configured server's URL if any). */
export function apiUrl(path: string): string {
  return `${target.baseUrl}/api/v1${path}`;
}

/** The session's CSRF token, for requests made without api() (uploads with progress). */
export function currentCsrf(): string | undefined {
  return csrfToken;
}

/** Set from every answer that carries the session's CSRF token (sign-in, GET /session). */
export function rememberCsrf(token: string | undefined): void {
  csrfToken = token;
}

type Listener = (error: ApiError) => void;
const sessionListeners = new Set<Listener>();

/** Called when the API says the session is gone, wherever that happens. */
export function onSessionEnded(listener: Listener): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}

/**
 * A request to the API as the browser sends it: JSON body, session cookie, CSRF token on changes; or,
 * with a configured token, the bearer header alone.
 */
function request(
  method: string,
  path: string,
  body: unknown,
  accept: string,
  signal?: AbortSignal,
  extraHeaders?: Record<string, string>,
) {
  const headers: Record<string, string> = { ...extraHeaders, accept };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const { token } = target;
  if (token) headers.authorization = `Bearer ${token}`;
  else if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  return fetch(apiUrl(path), {
    method,
    headers,
    credentials: token ? 'omit' : 'same-origin',
    ...(signal ? { signal } : {}),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** The API's error envelope as an ApiError; a session found gone is told to whoever listens. */
function refused(status: number, path: string, json: unknown): ApiError {
  const envelope = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
    ?.error;
  const error = new ApiError(
    status,
    envelope?.code ?? 'http_error',
    envelope?.message ?? `The server answered ${status}.`,
    envelope?.details,
  );
  if (error.code === 'session_expired' || (error.code === 'unauthorized' && path !== '/session')) {
    for (const listener of sessionListeners) listener(error);
  }
  return error;
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  options: { headers?: Record<string, string> } = {},
): Promise<T> {
  let response: Response;
  try {
    response = await request(method, path, body, 'application/json', undefined, options.headers);
  } catch {
    throw new ApiError(0, 'network', 'wasync cannot be reached. Check your connection and try again.');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) throw refused(response.status, path, json);
  const token = (json as { csrfToken?: unknown } | undefined)?.csrfToken;
  if (typeof token === 'string') rememberCsrf(token);
  return json as T;
}

export type User = Schemas['User'];

export type Session = Schemas['Session'];

/** A validation failure's first problem, worded for a person, or the error's own message. */
export function describe(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Try again.';
  const issues = (error.details as { issues?: { field?: string; message?: string }[] } | undefined)?.issues;
  const first = issues?.[0];
  if (error.code === 'validation_failed' && first?.message) {
    const field = first.field?.replace(/^body\./, '');
    return field ? `${field}: ${first.message}` : first.message;
  }
  return error.message;
}

/**
 * Sends a request whose answer is a stream of server-sent events (EventSource only does GET), and
 * hands each event to `onEvent` as it arrives. Resolves when the stream ends; a refused request
 * throws an ApiError like api() does.
 */
export async function streamEvents(
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  onEvent: (event: string, data: unknown) => void,
  signal?: AbortSignal,
): Promise<void> {
  const response = await request(method, path, body, 'text/event-stream', signal);
  if (!response.ok || !response.body) {
    throw refused(response.status, path, await response.json().catch(() => undefined));
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value;
    let end = buffered.indexOf('\n\n');
    while (end >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      end = buffered.indexOf('\n\n');
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0) onEvent(event, JSON.parse(data.join('\n')));
    }
  }
}
