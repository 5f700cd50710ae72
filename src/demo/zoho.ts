/**
 * The demo's Zoho CRM org, beside the Salesforce one: the Zoho sandbox started in this process (a new
 * org on every start, its ZGID drawn at random), or one already running elsewhere. The same people
 * are seeded into it, Ana with deals; seeding, the Self Client refresh token and reading go through
 * the sandbox's `/__sandbox/` inspection routes, as a person would use Zoho's API console. wasync
 * itself only ever uses the org's accounts server and API.
 */
import { randomInt } from 'node:crypto';
import { buildZohoSandbox } from '../sandboxes/zoho/index.js';
import { PEOPLE, seededPeople } from './conversations.js';
import { freePortOr } from './sandbox.js';

export type ZohoSandboxRow = Record<string, unknown> & { id: string; module: string };

/** The scopes the Self Client's refresh token is minted for: those the Zoho destination needs. */
const SELF_CLIENT_SCOPES =
  'ZohoCRM.modules.ALL,ZohoCRM.coql.READ,ZohoCRM.settings.fields.READ,ZohoCRM.org.READ,ZohoCRM.users.READ,ZohoSearch.securesearch.READ';

export interface DemoZoho {
  /** Base URL: the accounts server, the API domain and the root of the inspection routes. */
  url: string;
  /** The org's ZGID: in its record pages' paths, and new every time a sandbox starts here. */
  zgid: string;
  /** True when this process started the sandbox (and stops it on close). */
  inProcess: boolean;
  records(module: string): Promise<ZohoSandboxRow[]>;
  notes(): Promise<(Record<string, unknown> & { parent: { module: string; id: string } })[]>;
  /** A refresh token of the sandbox's Self Client, as the API console would generate one. */
  mintRefreshToken(): Promise<string>;
  /** The record's page in the org's web UI, as Zoho links it. */
  recordPage(module: string, id: string): string;
  close(): Promise<void>;
}

/** Starts a Zoho sandbox here, on `port` (or, when none was asked for, 4200 if free, else any free port). */
export async function startDemoZoho(options: { port: number | undefined; host: string }): Promise<DemoZoho> {
  const zgid = String(randomInt(100_000_000, 1_000_000_000));
  const sandbox = await buildZohoSandbox({ zgid, orgId: `demo-${zgid}`, companyName: 'wasync demo' });
  const port = options.port ?? (await freePortOr(4200, options.host));
  let url: string;
  try {
    url = await sandbox.listen(port, options.host);
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  return { ...(await describeZoho(url)), inProcess: true, close: () => sandbox.close() };
}

/** A Zoho sandbox someone else runs (`wasync sandbox zoho`): its records outlive the demo. */
export async function attachDemoZoho(url: string): Promise<DemoZoho> {
  return { ...(await describeZoho(url.replace(/\/+$/, ''))), inProcess: false, close: async () => {} };
}

async function describeZoho(url: string): Promise<Omit<DemoZoho, 'inProcess' | 'close'>> {
  const response = await fetch(`${url}/__sandbox`).catch((error: unknown) => {
    throw new Error(`No Zoho sandbox answers at ${url}: ${String(error)}`);
  });
  const details = response.ok ? ((await response.json()) as { zgid?: unknown }) : {};
  if (typeof details.zgid !== 'string')
    throw new Error(`${url} is not a wasync Zoho sandbox (GET /__sandbox: ${response.status})`);
  const zgid = details.zgid;
  const inspect = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const answer = await fetch(`${url}/__sandbox/${route}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!answer.ok) throw new Error(`${method} /__sandbox/${route} failed: ${await answer.text()}`);
    return (await answer.json()) as T;
  };
  return {
    url,
    zgid,
    records: async (module) =>
      (await inspect<{ records: ZohoSandboxRow[] }>('GET', `records?module=${module}`)).records,
    notes: async () =>
      (await inspect<{ notes: Awaited<ReturnType<DemoZoho['notes']>> }>('GET', 'notes')).notes,
    mintRefreshToken: async () =>
      (await inspect<{ refresh_token: string }>('POST', 'self-client', { scope: SELF_CLIENT_SCOPES }))
        .refresh_token,
    recordPage: (module, id) => `${url}/crm/org${zgid}/tab/${module}/${id}`,
  };
}

/** Salesforce's field names of the demo's people, as Zoho's standard layout names them. */
const ZOHO_FIELD: Record<string, string> = {
  FirstName: 'First_Name',
  LastName: 'Last_Name',
  Title: 'Title',
  Phone: 'Phone',
  MobilePhone: 'Mobile',
  Company: 'Company',
};

/** The people in Zoho: the same as in Salesforce, in Zoho's modules and field names. */
export function zohoPeople(): {
  name: string;
  module: 'Contacts' | 'Leads';
  fields: Record<string, string>;
}[] {
  return seededPeople().map((person) => ({
    name: person.name,
    module: person.record.type === 'Contact' ? 'Contacts' : 'Leads',
    fields: Object.fromEntries(
      Object.entries(person.record.fields).map(([name, value]) => [ZOHO_FIELD[name] ?? name, value]),
    ),
  }));
}

/** Ana's deals: two open ones the card lists, and a closed one it leaves out. */
export const ANA_DEALS = [
  { Deal_Name: 'Blue model, 30 units', Stage: 'Negotiation/Review', Amount: 12_600 },
  { Deal_Name: 'Blue model, spare parts', Stage: 'Qualification', Amount: 1_800 },
  { Deal_Name: 'Pilot, 5 units', Stage: 'Closed Won', Amount: 2_250 },
] as const;

/**
 * Seeds the people, and Ana's deals, each once: a record already in the org (same fields, from an
 * earlier run against the same sandbox) is left alone. Answers how many people were created, and
 * the ids of the people and deals (by name) for the guide's links.
 */
export async function seedZoho(zoho: DemoZoho): Promise<{
  created: number;
  existing: number;
  people: { name: string; module: string; id: string }[];
  deals: { name: string; id: string }[];
}> {
  let created = 0;
  let existing = 0;
  const people: { name: string; module: string; id: string }[] = [];
  const seed = async (module: string, fields: Record<string, unknown>) => {
    const same = (await zoho.records(module)).find((record) =>
      Object.entries(fields).every(([name, value]) =>
        typeof value === 'object' && value !== null
          ? (record[name] as { id?: unknown } | undefined)?.id === (value as { id: unknown }).id
          : record[name] === value,
      ),
    );
    if (same) return { id: same.id, created: false };
    const response = await fetch(`${zoho.url}/__sandbox/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ module, fields }),
    });
    if (!response.ok)
      throw new Error(`seeding ${module} in the Zoho sandbox failed: ${await response.text()}`);
    return { id: ((await response.json()) as { id: string }).id, created: true };
  };
  for (const person of zohoPeople()) {
    const made = await seed(person.module, person.fields);
    if (made.created) created++;
    else existing++;
    people.push({ name: person.name, module: person.module, id: made.id });
  }
  const ana = people.find((person) => person.name === PEOPLE.ana.name);
  const deals: { name: string; id: string }[] = [];
  if (ana)
    for (const deal of ANA_DEALS) {
      const made = await seed('Deals', { ...deal, Contact_Name: ana.id });
      deals.push({ name: deal.Deal_Name, id: made.id });
    }
  return { created, existing, people, deals };
}
