import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import {
  buildSalesforceSandbox,
  DEMO_CLIENT,
  type SalesforceSandbox,
  type SalesforceSandboxOptions,
} from '../../../src/sandboxes/salesforce/index.js';

type Method = NonNullable<InjectOptions['method']>;

export const VERSION = 'v62.0';
export const DATA = `/services/data/${VERSION}`;

export interface SandboxHarness {
  sandbox: SalesforceSandbox;
  /** Bearer header of a client-credentials session. */
  auth: { authorization: string };
  /** An API call with the session, JSON body when given. */
  api(method: Method, url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  query(soql: string): Promise<LightMyRequestResponse>;
  /** Seeds records through the inspection route and returns their ids. */
  seed(type: string, records: Record<string, unknown>[]): Promise<string[]>;
  /** What the inspection route shows for a type. */
  records(type: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export function tokenForm(fields: Record<string, string>): InjectOptions {
  return {
    method: 'POST',
    url: '/services/oauth2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  };
}

export const CLIENT_CREDENTIALS = {
  grant_type: 'client_credentials',
  client_id: DEMO_CLIENT.clientId,
  client_secret: DEMO_CLIENT.clientSecret,
};

export async function startSandbox(options: SalesforceSandboxOptions = {}): Promise<SandboxHarness> {
  const sandbox = await buildSalesforceSandbox(options);
  const { app } = sandbox;
  const client = options.clients?.[0] ?? DEMO_CLIENT;
  const token = await app.inject(
    tokenForm({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
    }),
  );
  if (token.statusCode !== 200) throw new Error(`token endpoint answered ${token.statusCode}: ${token.body}`);
  const auth = { authorization: `Bearer ${token.json().access_token}` };
  const api = (method: Method, url: string, payload?: unknown) => {
    const options: InjectOptions = { method, url, headers: auth };
    if (payload !== undefined) options.payload = payload as NonNullable<InjectOptions['payload']>;
    return app.inject(options);
  };
  return {
    sandbox,
    auth,
    api,
    query: (soql) => api('GET', `${DATA}/query?q=${encodeURIComponent(soql)}`),
    async seed(type, records) {
      const response = await app.inject({
        method: 'POST',
        url: `/__sandbox/records/${type}`,
        payload: records,
      });
      if (response.statusCode !== 201) throw new Error(`seeding ${type} failed: ${response.body}`);
      return response.json().ids;
    },
    async records(type) {
      return (await app.inject({ method: 'GET', url: `/__sandbox/records/${type}` })).json().records;
    },
    close: () => sandbox.close(),
  };
}

/**
 * Grants the session's user read and edit on fields through a permission set, as `wasync setup
 * salesforce` does: fields deployed through the Metadata API are invisible until then.
 */
export async function grantFieldAccess(
  h: SandboxHarness,
  object: string,
  fields: readonly string[],
  options: { edit?: boolean; name?: string } = {},
): Promise<string> {
  const created = async (type: string, body: Record<string, unknown>) => {
    const response = await h.api('POST', `${DATA}/sobjects/${type}`, body);
    if (response.statusCode !== 201) throw new Error(`creating ${type} failed: ${response.body}`);
    return response.json().id as string;
  };
  const name = options.name ?? 'Test_Access';
  const set = await created('PermissionSet', { Name: name, Label: name.replaceAll('_', ' ') });
  for (const field of fields) {
    await created('FieldPermissions', {
      ParentId: set,
      SobjectType: object,
      Field: `${object}.${field}`,
      PermissionsRead: true,
      PermissionsEdit: options.edit ?? true,
    });
  }
  // Client-credentials sessions run as the org's integration user.
  await created('PermissionSetAssignment', { PermissionSetId: set, AssigneeId: await integrationUser(h) });
  return set;
}

async function integrationUser(h: SandboxHarness): Promise<string> {
  return (await h.sandbox.app.inject({ method: 'GET', url: '/__sandbox' })).json().integrationUserId;
}
