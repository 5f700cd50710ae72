import { SalesforceTransport } from '../../src/crms/salesforce/transport.js';
import {
  buildSalesforceSandbox,
  DEMO_CLIENT,
  type SalesforceSandbox,
  type SalesforceSandboxOptions,
} from '../../src/sandboxes/salesforce/index.js';

export type SandboxRow = Record<string, unknown> & { Id: string };

/** A Salesforce sandbox on a free port, with the inspection routes wrapped for tests. */
export interface TestOrg {
  url: string;
  sandbox: SalesforceSandbox;
  records(type: string): Promise<SandboxRow[]>;
  seed(type: string, fields: Record<string, unknown>): Promise<string>;
  counters(): Promise<Record<string, unknown>>;
  /** Calls an inspection route (`/__sandbox/<path>`); throws unless it answers 2xx. */
  inspect(method: string, path: string, body?: unknown): Promise<unknown>;
  /** Empties the org (records, sessions, counters). */
  reset(): Promise<void>;
  /** The connection input that signs wasync in to this org with the demo client. */
  connectionInput(name?: string): {
    kind: 'salesforce';
    name: string;
    loginUrl: string;
    apiVersion: string;
    auth: { flow: 'client_credentials'; clientId: string; clientSecret: string };
  };
  close(): Promise<void>;
}

/** The demo connected app's client-credentials sign-in, as a connection or a transport carries it. */
export function demoClientCredentials(clientSecret = DEMO_CLIENT.clientSecret) {
  return { flow: 'client_credentials' as const, clientId: DEMO_CLIENT.clientId, clientSecret };
}

/** A transport signed in to a sandbox at `url` with the demo app (or another secret). */
export function sandboxTransport(url: string, clientSecret?: string): SalesforceTransport {
  return new SalesforceTransport({
    loginUrl: url,
    apiVersion: '62.0',
    auth: demoClientCredentials(clientSecret),
  });
}

export async function startTestOrg(options: SalesforceSandboxOptions = {}): Promise<TestOrg> {
  const sandbox = await buildSalesforceSandbox({ customObjectDeployed: true, ...options });
  const url = await sandbox.listen(0);
  return {
    url,
    sandbox,
    records: async (type) => {
      const body = (await (await fetch(`${url}/__sandbox/records/${type}`)).json()) as {
        records: SandboxRow[];
      };
      return body.records;
    },
    seed: async (type, fields) => {
      const response = await fetch(`${url}/__sandbox/records/${type}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fields),
      });
      const body = (await response.json()) as { id?: string; Id?: string };
      const id = body.id ?? body.Id;
      if (!response.ok || !id) throw new Error(`seeding ${type} failed: ${JSON.stringify(body)}`);
      return id;
    },
    reset: async () => {
      await fetch(`${url}/__sandbox/reset`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
    },
    inspect: async (method, path, body) => {
      const response = await fetch(`${url}/__sandbox/${path}`, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      const answer: unknown = await response.json();
      if (!response.ok) throw new Error(`${method} /__sandbox/${path}: ${JSON.stringify(answer)}`);
      return answer;
    },
    counters: async () =>
      (await (await fetch(`${url}/__sandbox/counters`)).json()) as Record<string, unknown>,
    connectionInput: (name = 'Sandbox org') => ({
      kind: 'salesforce',
      name,
      loginUrl: url,
      apiVersion: '62.0',
      auth: demoClientCredentials(),
    }),
    close: () => sandbox.close(),
  };
}

/** Notes (ContentNote) linked to a record, with their HTML content. */
export async function notesOn(org: TestOrg, recordId: string): Promise<SandboxRow[]> {
  const links = await org.records('ContentDocumentLink');
  const noteIds = new Set(
    links.filter((link) => link.LinkedEntityId === recordId).map((link) => String(link.ContentDocumentId)),
  );
  return (await org.records('ContentNote')).filter((note) => noteIds.has(note.Id));
}
