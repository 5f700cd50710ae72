/**
 * A Zoho CRM sandbox for tests: started on a free port, with a Self Client refresh token minted, and
 * the inspection routes a test reads and seeds through (never the adapter).
 */

import { ZohoDestination } from '../../src/crms/zoho/destination.js';
import { ZohoSignIn } from '../../src/crms/zoho/sign-in.js';
import { ZohoTransport } from '../../src/crms/zoho/transport.js';
import { buildZohoSandbox, DEMO_CLIENT, type ZohoSandboxOptions } from '../../src/sandboxes/zoho/index.js';

// biome-ignore lint/suspicious/noExplicitAny: the sandbox's JSON rows, read loosely by tests
export type ZohoSandboxRow = Record<string, any>;

export interface TestZoho {
  url: string;
  refreshToken: string;
  /** The body that connects wasync to this sandbox (POST /connections). */
  connectionInput(name?: string): Record<string, unknown>;
  /** A destination signed in with the sandbox's Self Client, as a stored connection would be. */
  destination(options?: { clock?: () => number }): ZohoDestination;
  /** `/__sandbox/{path}`. */
  inspect(method: string, path: string, body?: unknown): Promise<unknown>;
  seed(
    module: 'Contacts' | 'Leads' | 'Deals',
    fields: Record<string, unknown>,
    modifiedAt?: string,
  ): Promise<string>;
  records(module?: string): Promise<ZohoSandboxRow[]>;
  notes(): Promise<ZohoSandboxRow[]>;
  attachments(): Promise<ZohoSandboxRow[]>;
  counters(): Promise<ZohoSandboxRow>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestZoho(options: ZohoSandboxOptions = {}): Promise<TestZoho> {
  const sandbox = await buildZohoSandbox(options);
  const url = await sandbox.listen(0);
  const inspect = async (method: string, path: string, body?: unknown) => {
    const answer = await fetch(`${url}/__sandbox/${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!answer.ok)
      throw new Error(`${method} /__sandbox/${path} answered ${answer.status}: ${await answer.text()}`);
    const text = await answer.text();
    return text ? JSON.parse(text) : undefined;
  };
  const mint = async () =>
    (
      (await inspect('POST', 'self-client', {
        scope:
          'ZohoCRM.modules.ALL,ZohoCRM.coql.READ,ZohoCRM.org.READ,ZohoCRM.users.READ,ZohoSearch.securesearch.READ',
      })) as { refresh_token: string }
    ).refresh_token;
  let refreshToken = await mint();
  return {
    url,
    get refreshToken() {
      return refreshToken;
    },
    connectionInput: (name = 'Zoho sandbox') => ({
      kind: 'zoho',
      name,
      dataCentre: 'us',
      accountsUrl: url,
      auth: {
        flow: 'refresh_token',
        clientId: DEMO_CLIENT.clientId,
        clientSecret: DEMO_CLIENT.clientSecret,
        refreshToken,
      },
    }),
    destination: (extra = {}) =>
      new ZohoDestination(
        new ZohoTransport(
          new ZohoSignIn({
            accountsUrl: url,
            clientId: DEMO_CLIENT.clientId,
            clientSecret: DEMO_CLIENT.clientSecret,
            refreshToken,
          }),
        ),
        {
          defaults: { leadCompany: 'WhatsApp', leadSource: undefined },
          webBase: undefined,
          ...(extra.clock ? { clock: extra.clock } : {}),
        },
      ),
    inspect,
    seed: async (module, fields, modifiedAt) =>
      (
        (await inspect('POST', 'records', { module, fields, ...(modifiedAt ? { modifiedAt } : {}) })) as {
          id: string;
        }
      ).id,
    records: async (module) =>
      ((await inspect('GET', `records${module ? `?module=${module}` : ''}`)) as { records: ZohoSandboxRow[] })
        .records,
    notes: async () => ((await inspect('GET', 'notes')) as { notes: ZohoSandboxRow[] }).notes,
    attachments: async () =>
      ((await inspect('GET', 'attachments')) as { attachments: ZohoSandboxRow[] }).attachments,
    counters: async () => (await inspect('GET', 'counters')) as ZohoSandboxRow,
    reset: async () => {
      await inspect('POST', 'reset');
      refreshToken = await mint();
    },
    close: () => sandbox.close(),
  };
}
