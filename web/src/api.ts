/**
 * The app's one way to the API: JSON in and out, the session cookie sent by the browser, the session's
 * CSRF token on every change, and the API's error envelope turned into an ApiError with its code.
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

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'network', 'wasync cannot be reached. Check your connection and try again.');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const envelope = (json as { error?: { code?: string; message?: string; details?: unknown } })?.error;
    const error = new ApiError(
      response.status,
      envelope?.code ?? 'http_error',
      envelope?.message ?? `The server answered ${response.status}.`,
      envelope?.details,
    );
    if (error.code === 'session_expired' || (error.code === 'unauthorized' && path !== '/session')) {
      for (const listener of sessionListeners) listener(error);
    }
    throw error;
  }
  const token = (json as { csrfToken?: unknown } | undefined)?.csrfToken;
  if (typeof token === 'string') rememberCsrf(token);
  return json as T;
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'member';
  createdAt: string;
  lastSignInAt?: string;
}

export interface Session {
  user: User;
  csrfToken: string;
  expiresAt: string;
}

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
