/**
 * The demo's Salesforce org: the sandbox started in this process (empty, WhatsApp_Chat__c not yet
 * deployed, so wasync's own setup deploys it), or one already running elsewhere. Seeding and reading
 * go through the sandbox's `/__sandbox/` inspection routes; wasync itself only ever uses the org's API.
 */
import net from 'node:net';
import { buildSalesforceSandbox } from '../sandboxes/salesforce/index.js';
import { type DemoPerson, seededPeople } from './conversations.js';

export type SandboxRecord = Record<string, unknown> & { Id: string };

export interface DemoOrg {
  /** Base URL: the login URL of the connection and the root of the inspection routes. */
  url: string;
  /** The org's id: a new one every time a sandbox starts, as its records live in memory. */
  orgId: string;
  /** True when this process started the sandbox (and stops it on close). */
  inProcess: boolean;
  records(type: string): Promise<SandboxRecord[]>;
  close(): Promise<void>;
}

/** Starts a sandbox here, on `port` (or, when none was asked for, 4100 if free, else any free port). */
export async function startDemoOrg(options: { port: number | undefined; host: string }): Promise<DemoOrg> {
  const sandbox = await buildSalesforceSandbox({ customObjectDeployed: false });
  const port = options.port ?? (await freePortOr(4100, options.host));
  let url: string;
  try {
    url = await sandbox.listen(port, options.host);
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  return { ...(await describeOrg(url)), inProcess: true, close: () => sandbox.close() };
}

/** A sandbox someone else runs (`wasync sandbox salesforce`): its records outlive the demo. */
export async function attachDemoOrg(url: string): Promise<DemoOrg> {
  return { ...(await describeOrg(url.replace(/\/+$/, ''))), inProcess: false, close: async () => {} };
}

async function describeOrg(url: string): Promise<Pick<DemoOrg, 'url' | 'orgId' | 'records'>> {
  const response = await fetch(`${url}/__sandbox`).catch((error: unknown) => {
    throw new Error(`No Salesforce sandbox answers at ${url}: ${String(error)}`);
  });
  if (!response.ok)
    throw new Error(`${url} is not a wasync Salesforce sandbox (GET /__sandbox: ${response.status})`);
  const { orgId } = (await response.json()) as { orgId: string };
  return {
    url,
    orgId,
    records: async (type) => {
      const answer = await fetch(`${url}/__sandbox/records/${type}`);
      if (!answer.ok) throw new Error(`reading ${type} from the sandbox failed: ${answer.status}`);
      return ((await answer.json()) as { records: SandboxRecord[] }).records;
    },
  };
}

/**
 * Seeds the demo's contacts and lead, each once: a person already in the org (same name and number,
 * from an earlier run against the same sandbox) is left alone. Answers how many were created, and
 * each person's record, for the pages the guide prints.
 */
export async function seedPeople(org: DemoOrg): Promise<{
  created: number;
  existing: number;
  people: { name: string; type: 'Contact' | 'Lead'; id: string }[];
}> {
  let created = 0;
  let existing = 0;
  const people: { name: string; type: 'Contact' | 'Lead'; id: string }[] = [];
  const current = new Map<string, SandboxRecord[]>();
  for (const person of seededPeople()) {
    const { type, fields } = person.record;
    if (!current.has(type)) current.set(type, await org.records(type));
    const found = current.get(type)?.find((record) => sameRecord(record, fields));
    if (found) {
      existing++;
      people.push({ name: person.name, type, id: found.Id });
      continue;
    }
    const response = await fetch(`${org.url}/__sandbox/records/${type}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fields),
    });
    if (!response.ok) throw new Error(`seeding ${type} ${person.name} failed: ${await response.text()}`);
    people.push({ name: person.name, type, id: ((await response.json()) as { id: string }).id });
    created++;
  }
  return { created, existing, people };
}

function sameRecord(record: SandboxRecord, fields: NonNullable<DemoPerson['record']>['fields']): boolean {
  return Object.entries(fields).every(([name, value]) => record[name] === value);
}

/** `preferred` when nothing listens there, else 0 (any free port). */
export function freePortOr(preferred: number, host: string): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(0));
    probe.listen(preferred, host, () => probe.close(() => resolve(preferred)));
  });
}
