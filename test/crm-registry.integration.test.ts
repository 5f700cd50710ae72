import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { buildCli } from '../src/cli/main.js';
import type { Account } from '../src/core/model.js';
import { ReferenceCrm } from '../src/crms/reference/crm.js';
import { referenceKind } from '../src/crms/reference/kind.js';
import { crmRegistry } from '../src/crms/registry.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { secretKeyEnv } from './support/secret-key.js';

const ANA = '+5511987654321';
const BRUNO = '+5511912345678';
/** An hour ago: inside the backfill window of a new link. */
const DAY_1 = Date.now() - 3_600_000;

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/**
 * A third kind, registered through the registry's public `register` alone (the reference destination,
 * under a kind name no build has, without leads): it shows up in the API, syncs, and the CLI reads it.
 */
const crm = new ReferenceCrm('ref-key-1');
beforeAll(() => crmRegistry.register(referenceKind(crm, { kind: 'memorycrm', leads: false })));
afterAll(() => crmRegistry.unregister('memorycrm'));

/** Runs the CLI in this process (the test-only kind is registered here, not in a spawned one). */
async function cli(h: Harness, args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const { database } = h.config;
  const env: Record<string, string> = {
    WASYNC_DATA_DIR: h.config.dataDir,
    DATABASE_URL: database.dialect === 'postgres' ? database.url : `sqlite:${database.file}`,
    ...secretKeyEnv(database.dialect),
  };
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  const log = console.table;
  process.stdout.write = ((chunk: string) => {
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => {
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  console.table = (rows: unknown) => {
    stdout += `${JSON.stringify(rows)}\n`;
  };
  try {
    await buildCli()
      .exitOverride()
      .parseAsync(['node', 'wasync', ...args]);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    console.table = log;
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { stdout, stderr, code };
}

describeEachDatabase('a CRM kind registered through the registry alone', (database) => {
  let h: Harness;
  let account: Account;
  let sequence = 0;

  beforeEach(async () => {
    crm.reset();
    h = await startHarness(database, { WASYNC_DEFAULT_REGION: 'BR' });
    account = await h.createAccount('+5511900001111');
  });
  afterEach(() => h.close());

  type Method = 'GET' | 'POST' | 'DELETE';
  const api = (method: Method, url: string, payload?: unknown) =>
    h.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: h.auth,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const errorOf = (response: { json(): unknown }) => (response.json() as ErrorBody).error;
  const connect = async (name = 'Memory') => {
    const created = await api('POST', '/connections', {
      kind: 'memorycrm',
      name,
      workspaceLabel: 'sales',
      apiKey: 'ref-key-1',
    });
    expect(created.statusCode, created.body).toBe(201);
    return created.json() as {
      id: string;
      kind: string;
      settings: Record<string, unknown>;
      summary?: string;
    };
  };
  const post = async (phone: string, text: string, at: number) => {
    sequence += 1;
    await h.postMessages(account, [
      {
        id: `wamid.registry-${database.dialect}-${sequence}`,
        chat: { type: 'direct', with: { phone, name: 'Ana Lima' } },
        timestamp: new Date(at).toISOString(),
        text,
      },
    ]);
  };

  it('lists the kind with its capabilities and its form, beside Salesforce', async () => {
    const kinds = await api('GET', '/crm-kinds');
    expect(kinds.statusCode).toBe(200);
    const data = kinds.json().data as {
      kind: string;
      displayName: string;
      capabilities: { leads: boolean; deals: boolean };
      setup?: { label: string };
      form: { fields: { name: string; type: string; secret: boolean; required: boolean }[] };
    }[];
    expect(data.map((kind) => kind.kind)).toEqual(['salesforce', 'zoho', 'bitrix24', 'memorycrm']);
    const [salesforce, zoho, bitrix24, memory] = data;
    expect(salesforce).toMatchObject({
      displayName: 'Salesforce',
      capabilities: { leads: true, deals: true },
      setup: { label: 'Set up the WhatsApp Chat object' },
    });
    expect(salesforce?.form.fields.filter((field) => field.secret).map((field) => field.name)).toEqual([
      'auth.clientSecret',
      'auth.refreshToken',
      'auth.privateKeyPem',
    ]);
    expect(zoho).toMatchObject({ displayName: 'Zoho CRM', capabilities: { leads: true, deals: true } });
    expect(zoho?.form.fields.filter((field) => field.secret).map((field) => field.name)).toEqual([
      'auth.clientSecret',
      'auth.refreshToken',
    ]);
    expect(bitrix24).toMatchObject({ displayName: 'Bitrix24', capabilities: { leads: true, deals: true } });
    expect(bitrix24?.form.fields.filter((field) => field.secret).map((field) => field.name)).toEqual([
      'auth.webhookUrl',
      'auth.clientSecret',
      'auth.refreshToken',
    ]);
    expect(memory).toMatchObject({
      displayName: 'Reference CRM',
      capabilities: { leads: false, deals: false },
    });
    expect(memory?.setup).toBeUndefined();
    expect(memory?.form.fields).toEqual([
      expect.objectContaining({ name: 'name', type: 'text', required: true, secret: false }),
      expect.objectContaining({ name: 'workspaceLabel', type: 'text', required: false, secret: false }),
      expect.objectContaining({ name: 'apiKey', type: 'password', required: true, secret: true }),
    ]);
  });

  it('documents one body per kind under the kind discriminator, and rows report their kind', async () => {
    const document = (await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const body = document.paths['/api/v1/connections'].post.requestBody.content['application/json'].schema;
    const refs = JSON.stringify(body);
    expect(refs).toContain('#/components/schemas/SalesforceConnectionInput');
    expect(refs).toContain('#/components/schemas/ZohoConnectionInput');
    expect(refs).toContain('#/components/schemas/MemorycrmConnectionInput');
    expect(document.components.schemas.MemorycrmConnectionInput.properties.kind).toMatchObject({
      const: 'memorycrm',
    });
    expect(document.components.schemas.CrmConnection.properties.kind.enum).toEqual([
      'salesforce',
      'zoho',
      'bitrix24',
      'memorycrm',
    ]);

    const memory = await connect();
    expect(memory).toMatchObject({
      kind: 'memorycrm',
      settings: { workspaceLabel: 'sales' },
      summary: 'workspace sales',
    });
    // The API key is a secret: sealed in the store, never in the settings or an answer.
    expect(JSON.stringify(memory)).not.toContain('ref-key-1');
    const stored = await h.services.store.connections.find(h.services.workspace.id, memory.id);
    expect(stored?.sealedCredentials).not.toContain('ref-key-1');

    const salesforce = await api('POST', '/connections', {
      kind: 'salesforce',
      name: 'Acme org',
      loginUrl: 'https://acme.my.salesforce.com',
      auth: { flow: 'client_credentials', clientId: 'id', clientSecret: 'secret' },
    });
    expect(salesforce.statusCode, salesforce.body).toBe(201);
    expect(salesforce.json()).toMatchObject({
      kind: 'salesforce',
      summary: 'https://acme.my.salesforce.com · client credentials',
    });
    const list = (await api('GET', '/connections')).json().data as { name: string; kind: string }[];
    expect(list.map(({ name, kind }) => [name, kind]).sort()).toEqual([
      ['Acme org', 'salesforce'],
      ['Memory', 'memorycrm'],
    ]);

    // Each kind's own body: a Salesforce field on this kind, or a kind nobody registered, is refused.
    const mixed = await api('POST', '/connections', {
      kind: 'memorycrm',
      name: 'Mixed',
      apiKey: 'k',
      loginUrl: 'https://acme.my.salesforce.com',
    });
    expect(mixed.statusCode).toBe(400);
    expect(errorOf(mixed).code).toBe('validation_failed');
    const unknown = await api('POST', '/connections', { kind: 'pipedrive', name: 'P', apiKey: 'k' });
    expect(unknown.statusCode).toBe(400);
    expect(errorOf(unknown).code).toBe('validation_failed');
    expect((await api('GET', '/connections')).json().data).toHaveLength(2);
  });

  it('tests the connection with its sealed key, and says the kind has no setup', async () => {
    const memory = await connect();
    const tested = await api('POST', `/connections/${memory.id}/test`);
    expect(tested.json()).toEqual({ ok: true, problems: [] });
    const setup = await api('POST', `/connections/${memory.id}/setup`);
    expect(setup.statusCode).toBe(409);
    expect(errorOf(setup).message).toBe('Reference CRM needs no setup: connect it and sync.');
  });

  it('syncs a chat to the record its lookup finds, once per day, updating the day in place', async () => {
    const ana = crm.seed({ type: 'contact', name: `Ana ${database.dialect}`, phones: ['(11) 98765-4321'] });
    // A lead with the same number: this kind has no leads, so the lookup links the contact only.
    crm.seed({ type: 'lead', name: 'Ana as a lead', phones: [ANA] });
    const memory = await connect();
    await post(ANA, 'Do you have the blue one?', DAY_1);
    await post(ANA, 'Size 40, please.', DAY_1 + 60_000);
    const first = await h.services.sync.runNow(memory.id);
    expect(first.state).toBe('done');
    const written = crm.transcriptsOf(ana.id);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({
      day: expect.stringMatching(/^\d{4}-\d\d-\d\d$/),
      messageCount: 2,
      writes: 1,
    });
    expect(written[0]?.text).toContain('Do you have the blue one?');

    const again = await h.services.sync.runNow(memory.id);
    expect(again.state).toBe('done');
    expect(crm.transcriptsOf(ana.id)[0]?.writes).toBe(1);

    await post(ANA, 'Thanks!', DAY_1 + 120_000);
    expect(crm.calls.get('findByPhones')).toBe(1);
    await h.services.sync.runNow(memory.id);
    const updated = crm.transcriptsOf(ana.id);
    expect(updated).toHaveLength(1);
    expect(updated[0]).toMatchObject({ id: written[0]?.id, messageCount: 3, writes: 2 });

    const links = await api('GET', `/connections/${memory.id}/links`);
    expect(links.statusCode, links.body).toBe(200);
    expect(links.json().data).toEqual([
      expect.objectContaining({ record: expect.objectContaining({ type: 'contact', id: ana.id }) }),
    ]);
  });

  it('refuses leads where the kind has none, creates contacts, and shows no deals', async () => {
    const memory = await connect();
    await post(BRUNO, 'Hello', DAY_1);
    const chat = ((await api('GET', '/chats')).json().data as { id: string }[])[0];
    if (!chat) throw new Error('no chat');
    const lead = await api('POST', `/chats/${chat.id}/records`, { connection: memory.id, type: 'lead' });
    expect(lead.statusCode, lead.body).toBe(409);
    expect(errorOf(lead)).toMatchObject({ code: 'crm_unsupported', details: { capability: 'leads' } });
    expect(crm.allRecords().filter((record) => record.phones.includes(BRUNO))).toEqual([]);

    const contact = await api('POST', `/chats/${chat.id}/records`, {
      connection: memory.id,
      type: 'contact',
      name: 'Bruno Costa',
    });
    expect(contact.statusCode, contact.body).toBe(201);
    const id = contact.json().record.id as string;
    expect(crm.record(id)).toMatchObject({ type: 'contact', name: 'Bruno Costa', phones: [BRUNO] });
    const card = await api('GET', `/connections/${memory.id}/records/contact/${id}`);
    expect(card.statusCode, card.body).toBe(200);
    expect(card.json()).toMatchObject({ id, name: 'Bruno Costa', openDeals: [] });
  });

  it('shows in wasync status with its kind, and wasync setup says the kind has none', async () => {
    const memory = await connect('Memory org');
    const table = await cli(h, ['status']);
    expect(table.stdout).toContain('CRM connection Memory org (memorycrm): active');
    const json = await cli(h, ['status', '--json']);
    // The document status --json prints (anything a library may have logged before it aside).
    const document = json.stdout.slice(json.stdout.indexOf('{\n  "database"'));
    const connections = JSON.parse(document).connections as Record<string, unknown>[];
    expect(connections).toEqual([
      expect.objectContaining({
        id: memory.id,
        kind: 'memorycrm',
        kindName: 'Reference CRM',
        capabilities: { leads: false, deals: false },
      }),
    ]);

    const setup = await cli(h, ['setup', 'memorycrm', '--connection', 'Memory org']);
    expect(setup.code).toBe(1);
    expect(setup.stderr).toContain('wasync: Reference CRM has no setup step: Memory org syncs as it is.\n');
    const wrong = await cli(h, ['setup', 'salesforce', '--connection', 'Memory org']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(
      'wasync: Memory org is a Reference CRM connection: run wasync setup memorycrm\n',
    );
  }, 30_000);
});
