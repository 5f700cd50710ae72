/**
 * The demo's Bitrix24 portal: the sandbox started in this process (a new portal on every start, its
 * member id drawn at random), or one already running elsewhere (`wasync sandbox bitrix24`). The same
 * people are seeded into it, Ana as a contact of her company with a responsible person and an open
 * deal, Bruno as a lead; seeding and reading go through the sandbox's `/__sandbox/` routes, as a
 * person would fill a portal by hand. wasync itself only ever uses the portal's REST API, through the
 * inbound webhook every sandbox starts with.
 */
import type { ConnectionView } from '../crms/connections.js';
import { buildBitrix24Sandbox, DEMO_WEBHOOK } from '../sandboxes/bitrix24/index.js';
import type { Services } from '../services.js';
import { PEOPLE, seededPeople } from './conversations.js';
import { freePortOr } from './sandbox.js';
import { readDemoState, updateDemoState } from './state.js';
import { ANA_DEALS } from './zoho.js';

export const DEMO_BITRIX24_CONNECTION_NAME = 'Bitrix24 sandbox';

export type Bitrix24RecordKind = 'contact' | 'lead' | 'company' | 'deal';

/** A record as the sandbox's `/__sandbox/records` lists it. */
export interface Bitrix24SandboxRecord {
  kind: Bitrix24RecordKind;
  id: number;
  fields: Record<string, string>;
  phones: { value: string; valueType: string }[];
  assignedById: number;
}

/** A timeline comment as `/__sandbox/comments` lists it, with its files. */
export interface Bitrix24SandboxComment {
  id: number;
  entityType: string;
  entityId: number;
  comment: string;
  files: { id: number; name: string; size: number; url: string }[];
}

export interface DemoBitrix24 {
  /** Base URL: the portal's address, its REST API and the root of the inspection routes. */
  url: string;
  /** The portal's `member_id`: new every time a sandbox starts here. */
  memberId: string;
  /** The inbound webhook wasync's connection is made with. */
  webhookUrl: string;
  /** True when this process started the sandbox (and stops it on close). */
  inProcess: boolean;
  records(kind: Bitrix24RecordKind): Promise<Bitrix24SandboxRecord[]>;
  /** The timeline comments of one record, oldest first. */
  comments(entityType: 'contact' | 'lead' | 'deal', entityId: number): Promise<Bitrix24SandboxComment[]>;
  /** The record's page on the portal, where "Open in CRM" leads. */
  recordPage(kind: 'contact' | 'lead' | 'deal', id: number | string): string;
  close(): Promise<void>;
}

/** Starts a Bitrix24 sandbox here, on `port` (or, when none was asked for, 4400 if free, else any free port). */
export async function startDemoBitrix24(options: {
  port: number | undefined;
  host: string;
}): Promise<DemoBitrix24> {
  const sandbox = await buildBitrix24Sandbox();
  const port = options.port ?? (await freePortOr(4400, options.host));
  let url: string;
  try {
    url = await sandbox.listen(port, options.host);
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  return { ...(await describeBitrix24(url)), inProcess: true, close: () => sandbox.close() };
}

/** A Bitrix24 sandbox someone else runs: its records outlive the demo. */
export async function attachDemoBitrix24(url: string): Promise<DemoBitrix24> {
  return {
    ...(await describeBitrix24(url.replace(/\/+$/, ''))),
    inProcess: false,
    close: async () => {},
  };
}

async function describeBitrix24(url: string): Promise<Omit<DemoBitrix24, 'inProcess' | 'close'>> {
  const response = await fetch(`${url}/__sandbox`).catch((error: unknown) => {
    throw new Error(`No Bitrix24 sandbox answers at ${url}: ${String(error)}`);
  });
  const details = response.ok ? ((await response.json()) as { memberId?: unknown }) : {};
  if (typeof details.memberId !== 'string')
    throw new Error(`${url} is not a wasync Bitrix24 sandbox (GET /__sandbox: ${response.status})`);
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
  // Every sandbox starts with the demo webhook; one started with others gets it registered.
  const { webhooks } = await inspect<{ webhooks: { secret: string; url: string }[] }>('GET', 'webhooks');
  const webhookUrl =
    webhooks.find((hook) => hook.secret === DEMO_WEBHOOK.secret)?.url ??
    (await inspect<{ url: string }>('POST', 'webhooks', DEMO_WEBHOOK)).url;
  return {
    url,
    memberId: details.memberId,
    webhookUrl,
    records: async (kind) =>
      (await inspect<{ records: Bitrix24SandboxRecord[] }>('GET', `records?kind=${kind}`)).records,
    comments: async (entityType, entityId) =>
      (
        await inspect<{ comments: Bitrix24SandboxComment[] }>(
          'GET',
          `comments?entityType=${entityType}&entityId=${entityId}`,
        )
      ).comments,
    recordPage: (kind, id) => `${url}/crm/${kind}/details/${id}/`,
  };
}

/** The person responsible for the demo's records in the portal: the card's "owner". */
export const DEMO_BITRIX24_USER = {
  name: 'Rafael',
  lastName: 'Costa',
  email: 'rafael.costa@example.com',
  workPosition: 'Sales manager',
};
export const ANA_COMPANY = 'Souza Distribuidora';
/** Ana's open deal: the first of the Zoho demo's, so both CRMs tell one story. */
export const ANA_OPEN_DEAL = { title: ANA_DEALS[0].Deal_Name, opportunity: ANA_DEALS[0].Amount };

type Seed = Record<string, unknown> & { kind: Bitrix24RecordKind };

/** The people in Bitrix24: the same as in Salesforce, as the portal's contacts and leads hold them. */
export function bitrix24People(): { name: string; seed: Seed }[] {
  return seededPeople().map((person) => {
    const { fields } = person.record;
    const phones = [
      ...(fields.Phone ? [{ value: fields.Phone, valueType: 'WORK' }] : []),
      ...(fields.MobilePhone ? [{ value: fields.MobilePhone, valueType: 'MOBILE' }] : []),
    ];
    const common = { name: fields.FirstName, lastName: fields.LastName, phones };
    return {
      name: person.name,
      seed:
        person.record.type === 'Contact'
          ? { kind: 'contact', ...common }
          : {
              kind: 'lead',
              ...common,
              title: `Inquiry from ${fields.Company ?? person.name}`,
              ...(fields.Company ? { companyTitle: fields.Company } : {}),
            },
    };
  });
}

export interface Bitrix24Seeded {
  created: number;
  existing: number;
  people: { name: string; kind: 'contact' | 'lead'; id: number }[];
  deal: { name: string; id: number };
  owner: string;
}

/**
 * Seeds the responsible person, Ana's company, the people and Ana's open deal, each once: a record
 * already in the portal (same fields, from an earlier run against the same sandbox) is left alone.
 */
export async function seedBitrix24(b24: DemoBitrix24): Promise<Bitrix24Seeded> {
  const post = async <T>(route: string, body: unknown): Promise<T> => {
    const response = await fetch(`${b24.url}/__sandbox/${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`seeding the Bitrix24 sandbox failed: ${await response.text()}`);
    return (await response.json()) as T;
  };
  const users = await fetch(`${b24.url}/__sandbox/users`).then(
    async (r) => ((await r.json()) as { users: { id: number; email: string }[] }).users,
  );
  const owner =
    users.find((user) => user.email === DEMO_BITRIX24_USER.email) ??
    (await post<{ id: number }>('users', DEMO_BITRIX24_USER));
  const seed = async (wanted: Seed): Promise<{ id: number; created: boolean }> => {
    const full = { ...wanted, assignedById: owner.id };
    const same = (await b24.records(wanted.kind)).find((record) => sameRecord(record, full));
    if (same) return { id: same.id, created: false };
    return { id: (await post<{ id: number }>('records', full)).id, created: true };
  };
  const company = await seed({ kind: 'company', title: ANA_COMPANY });
  let created = 0;
  const people: Bitrix24Seeded['people'] = [];
  for (const person of bitrix24People()) {
    const isAna = person.name === PEOPLE.ana.name;
    const made = await seed(isAna ? { ...person.seed, companyId: company.id } : person.seed);
    if (made.created) created++;
    people.push({ name: person.name, kind: person.seed.kind === 'lead' ? 'lead' : 'contact', id: made.id });
  }
  const ana = people.find((person) => person.name === PEOPLE.ana.name);
  const deal = await seed({
    kind: 'deal',
    title: ANA_OPEN_DEAL.title,
    stageId: 'PREPARATION',
    opportunity: ANA_OPEN_DEAL.opportunity,
    companyId: company.id,
    ...(ana ? { contactId: ana.id } : {}),
  });
  return {
    created,
    existing: people.length - created,
    people,
    deal: { name: ANA_OPEN_DEAL.title, id: deal.id },
    owner: `${DEMO_BITRIX24_USER.name} ${DEMO_BITRIX24_USER.lastName}`,
  };
}

/** The portal's field each seed key fills (`/__sandbox/records` takes the keys, lists the fields). */
const SEED_FIELD: Record<string, string> = {
  name: 'NAME',
  lastName: 'LAST_NAME',
  title: 'TITLE',
  companyTitle: 'COMPANY_TITLE',
  companyId: 'COMPANY_ID',
  contactId: 'CONTACT_ID',
  stageId: 'STAGE_ID',
};

function sameRecord(record: Bitrix24SandboxRecord, seed: Record<string, unknown>): boolean {
  if (seed.assignedById !== record.assignedById) return false;
  const phones = (seed.phones ?? []) as { value: string }[];
  if (phones.some((phone) => !record.phones.some((p) => p.value === phone.value))) return false;
  return Object.entries(SEED_FIELD).every(
    ([key, field]) => seed[key] === undefined || record.fields[field] === String(seed[key]),
  );
}

/**
 * The demo's Bitrix24 connection, made once through the inbound webhook and reused while it points at
 * the same portal (by its member id and URL), as the Salesforce and Zoho ones are: a new portal gets a
 * new connection, and the stored chats are backed up into it from scratch.
 */
export async function demoBitrix24Connection(
  services: Services,
  b24: DemoBitrix24,
  dataDir: string,
): Promise<{ connection: ConnectionView; remade: boolean }> {
  const workspaceId = services.workspace.id;
  const state = readDemoState(dataDir)?.bitrix24;
  const existing = (await services.connections.list(workspaceId)).find(
    (c) => c.name === DEMO_BITRIX24_CONNECTION_NAME,
  );
  if (
    existing &&
    state?.connectionId === existing.id &&
    state.memberId === b24.memberId &&
    state.url === b24.url &&
    existing.settings.portalUrl === b24.url
  ) {
    return { connection: existing, remade: false };
  }
  if (existing) await services.connections.delete(workspaceId, existing.id);
  const connection = await services.connections.create(workspaceId, {
    kind: 'bitrix24',
    name: DEMO_BITRIX24_CONNECTION_NAME,
    auth: { flow: 'webhook', webhookUrl: b24.webhookUrl },
  });
  updateDemoState(dataDir, {
    bitrix24: { connectionId: connection.id, memberId: b24.memberId, url: b24.url },
  });
  return { connection, remade: existing !== undefined };
}

/** The guide's Bitrix24 lines: the portal, what was seeded, the pages to open, the connection. */
export function bitrix24Guide(info: {
  b24: DemoBitrix24;
  seeded: Bitrix24Seeded;
  connection: ConnectionView;
  remade: boolean;
}): string[] {
  const { b24, seeded } = info;
  const width = Math.max(...seeded.people.map((p) => p.name.length), 'deal'.length) + 2;
  return [
    `  Bitrix24 sandbox   ${b24.url}   (${b24.inProcess ? 'started here, in memory' : 'already running'}; inbound webhook ${b24.webhookUrl})`,
    `    seeded           the same people, Ana at ${ANA_COMPANY} with an open deal, ${seeded.owner} responsible${seeded.existing > 0 ? ` (${seeded.existing} people were there already)` : ''}`,
    "    open in a browser (the day comments and files land on these records' timelines):",
    ...seeded.people.map((p) => `    ${p.name.padEnd(width)} ${b24.recordPage(p.kind, p.id)}   (${p.kind})`),
    `    ${'deal'.padEnd(width)} ${b24.recordPage('deal', seeded.deal.id)}   (${seeded.deal.name})`,
    `    comments         ${b24.url}/__sandbox/comments`,
    `  CRM connection     "${info.connection.name}" ${info.connection.id}${info.remade ? ' (made again: this Bitrix24 sandbox is a new, empty portal, so the stored chats are backed up into it from scratch)' : ''}`,
  ];
}
