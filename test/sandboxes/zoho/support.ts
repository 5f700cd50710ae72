import {
  buildZohoSandbox,
  DEMO_CLIENT,
  type ZohoSandbox,
  type ZohoSandboxOptions,
} from '../../../src/sandboxes/zoho/index.js';

/** A clock a test moves by hand, so token windows, expiry and the search lag need no waiting. */
export function manualClock(start = Date.parse('2026-08-01T09:00:00Z')) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

export interface ZohoHarness {
  sandbox: ZohoSandbox;
  url: string;
  clock: ReturnType<typeof manualClock>;
  refreshToken: string;
  /** A fresh access token from the refresh token (counts against its limits). */
  accessToken(): Promise<string>;
  /** An API call under /crm/v8 with the harness's access token; JSON body when given. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<Response>;
  /** Seeds records through the inspection route; answers their ids. */
  seed(module: 'Contacts' | 'Leads' | 'Deals', records: Record<string, unknown>[]): Promise<string[]>;
  close(): Promise<void>;
}

export async function tokenCall(url: string, params: Record<string, string>): Promise<Response> {
  return fetch(`${url}/oauth/v2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
}

export async function startZoho(options: ZohoSandboxOptions = {}): Promise<ZohoHarness> {
  const clock = manualClock();
  const sandbox = await buildZohoSandbox({ clock: clock.now, ...options });
  const url = await sandbox.listen(0);
  const minted = await fetch(`${url}/__sandbox/self-client`, { method: 'POST' });
  const { refresh_token: refreshToken } = (await minted.json()) as { refresh_token: string };
  const accessToken = async () => {
    const answer = await tokenCall(url, {
      grant_type: 'refresh_token',
      client_id: DEMO_CLIENT.clientId,
      client_secret: DEMO_CLIENT.clientSecret,
      refresh_token: refreshToken,
    });
    const body = (await answer.json()) as { access_token?: string };
    if (!body.access_token) throw new Error(`no access token: ${JSON.stringify(body)}`);
    return body.access_token;
  };
  const token = await accessToken();
  const api = (method: string, path: string, body?: unknown, bearer = token) =>
    fetch(`${url}/crm/v8${path}`, {
      method,
      headers: {
        authorization: `Zoho-oauthtoken ${bearer}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const seed = async (module: 'Contacts' | 'Leads' | 'Deals', records: Record<string, unknown>[]) => {
    const answer = await fetch(`${url}/__sandbox/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(records.map((fields) => ({ module, fields }))),
    });
    if (answer.status !== 201) throw new Error(`seed answered ${answer.status}: ${await answer.text()}`);
    return ((await answer.json()) as { ids: string[] }).ids;
  };
  return { sandbox, url, clock, refreshToken, accessToken, api, seed, close: () => sandbox.close() };
}

/** A JSON answer read loosely: the tests assert on its shape with `expect`. */
// biome-ignore lint/suspicious/noExplicitAny: the sandbox's JSON answers, read loosely
export type Answer = any;

export const json = (response: Response | Promise<Response>): Promise<Answer> =>
  Promise.resolve(response).then((resolved) => resolved.json() as Promise<Answer>);
