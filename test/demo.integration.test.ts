import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoHandle, runDemo } from '../src/demo/index.js';
import type { SandboxRecord } from '../src/demo/sandbox.js';
import { type Bitrix24Sandbox, buildBitrix24Sandbox } from '../src/sandboxes/bitrix24/index.js';
import { buildSalesforceSandbox, type SalesforceSandbox } from '../src/sandboxes/salesforce/index.js';
import { buildZohoSandbox, type ZohoSandbox } from '../src/sandboxes/zoho/index.js';

/**
 * `wasync demo` in this process, on free ports and a temp data dir: the sandbox it starts, the real
 * server and sync worker, the simulated account posting over HTTP. No live messages (--every 0), a
 * short sync interval, logs off.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENV = { WASYNC_SYNC_INTERVAL: '2s', WASYNC_LOG_LEVEL: 'silent' };
const TYPES = ['Contact', 'Lead', 'WhatsApp_Chat__c', 'ContentNote', 'ContentDocumentLink', 'ContentVersion'];

async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

async function start(
  dataDir: string,
  extra: { sandboxUrl?: string; zohoSandboxUrl?: string; bitrix24SandboxUrl?: string } = {},
) {
  const lines: string[] = [];
  const demo = await runDemo({
    dataDir,
    port: 0,
    sandboxPort: 0,
    zohoSandboxPort: 0,
    bitrix24SandboxPort: 0,
    everyMs: 0,
    env: ENV,
    out: (text) => lines.push(text),
    ...extra,
  });
  return { demo, output: () => lines.join('') };
}

/** The demo's records in the org, once every chat of the script is there. */
async function syncedOrg(demo: DemoHandle) {
  return eventually('the demo chats in the sandbox', async () => {
    const records = Object.fromEntries(
      await Promise.all(TYPES.map(async (type) => [type, await demo.org.records(type)] as const)),
    ) as Record<string, SandboxRecord[]>;
    const byLastName = (type: string, name: string) =>
      records[type]?.find((record) => record.LastName === name)?.Id as string;
    const ids = {
      ana: byLastName('Contact', 'Souza'),
      mike: byLastName('Contact', 'Chen'),
      bruno: byLastName('Lead', 'Lima'),
    };
    const chats = records.WhatsApp_Chat__c ?? [];
    const on = (id: string) => chats.filter((chat) => chat.Contact__c === id || chat.Lead__c === id);
    const text = (id: string, type: string) =>
      on(id)
        .filter((chat) => chat.Chat_Type__c === type)
        .map((chat) => String(chat.Transcript__c))
        .join('\n');
    const ready =
      text(ids.ana, 'Direct').includes('Deal: 5% off for 30 units.') &&
      text(ids.mike, 'Direct').includes('Perfect, see you then') &&
      text(ids.bruno, 'Direct').includes('About 200 units a month to start.') &&
      text(ids.ana, 'Group').includes('Obrigado, Ana!') &&
      text(ids.bruno, 'Group').includes('Obrigado, Ana!') &&
      (records.ContentVersion ?? []).some((file) => file.PathOnClient === 'quote-Q-1042.pdf');
    return ready ? { records, ids, on, text } : undefined;
  });
}

/** The demo's people and notes in the Zoho org, once the script's days are on Ana's contact and Bruno's lead. */
async function syncedZoho(demo: DemoHandle) {
  return eventually('the demo chats in the Zoho sandbox', async () => {
    const contacts = await demo.zoho.records('Contacts');
    const leads = await demo.zoho.records('Leads');
    const ana = contacts.find((record) => record.Last_Name === 'Souza')?.id;
    const mike = contacts.find((record) => record.Last_Name === 'Chen')?.id;
    const bruno = leads.find((record) => record.Last_Name === 'Lima')?.id;
    if (!ana || !mike || !bruno) return undefined;
    const notes = await demo.zoho.notes();
    const on = (id: string) =>
      notes
        .filter((note) => note.parent.id === id)
        .map((note) => String(note.Note_Content))
        .join('\n');
    const ready =
      on(ana).includes('Deal: 5% off for 30 units.') &&
      on(ana).includes('Obrigado, Ana!') &&
      on(mike).includes('Perfect, see you then') &&
      on(bruno).includes('About 200 units a month to start.');
    return ready ? { ids: { ana, mike, bruno }, notes, on } : undefined;
  });
}

/** The demo's people in the Bitrix24 portal, once the script's days are on their timelines as comments. */
async function syncedBitrix24(demo: DemoHandle) {
  const b24 = demo.bitrix24;
  return eventually('the demo chats in the Bitrix24 sandbox', async () => {
    const contacts = await b24.records('contact');
    const ana = contacts.find((record) => record.fields.LAST_NAME === 'Souza')?.id;
    const mike = contacts.find((record) => record.fields.LAST_NAME === 'Chen')?.id;
    const bruno = (await b24.records('lead')).find((record) => record.fields.LAST_NAME === 'Lima')?.id;
    if (!ana || !mike || !bruno) return undefined;
    const comments = {
      ana: await b24.comments('contact', ana),
      mike: await b24.comments('contact', mike),
      bruno: await b24.comments('lead', bruno),
    };
    const text = (key: keyof typeof comments) => comments[key].map((c) => c.comment).join('\n');
    const ready =
      text('ana').includes('Deal: 5% off for 30 units.') &&
      text('ana').includes('Obrigado, Ana!') &&
      text('mike').includes('Perfect, see you then') &&
      text('bruno').includes('About 200 units a month to start.') &&
      comments.ana.some((c) => c.files.some((file) => file.name === 'quote-Q-1042.pdf'));
    return ready ? { ids: { ana, mike, bruno }, comments, text } : undefined;
  });
}

/**
 * "Open in CRM": the page the workspace's card links to for a record (the destination's own URL for
 * it) is one its sandbox serves, an HTML page with the person's name and what wasync wrote there.
 */
async function openInCrm(
  demo: DemoHandle,
  connectionId: string,
  record: { type: 'contact' | 'lead'; id: string },
  expected: string[],
) {
  const card = await demo.services.records.card(connectionId, record);
  const response = await fetch(card.url);
  expect(response.status, card.url).toBe(200);
  expect(response.headers.get('content-type'), card.url).toMatch(/^text\/html/);
  const html = await response.text();
  for (const text of expected) expect(html, card.url).toContain(text);
}

/** The Bitrix24 pages the guide prints, each answering 200 with the record's name. */
async function bitrix24Pages(demo: DemoHandle, output: string) {
  const b24 = demo.bitrix24;
  const contact = (await b24.records('contact')).find((record) => record.fields.LAST_NAME === 'Souza');
  const lead = (await b24.records('lead')).find((record) => record.fields.LAST_NAME === 'Lima');
  const deal = (await b24.records('deal')).find((record) => record.fields.CONTACT_ID === String(contact?.id));
  if (!contact || !lead || !deal) throw new Error('the demo people are not in the Bitrix24 sandbox');
  const pages = [
    [b24.recordPage('contact', contact.id), 'Ana Souza'],
    [b24.recordPage('lead', lead.id), 'Bruno Lima'],
    [b24.recordPage('deal', deal.id), 'Blue model, 30 units'],
  ] as const;
  for (const [page, name] of pages) {
    expect(output).toContain(page);
    const response = await fetch(page);
    expect(response.status, page).toBe(200);
    const html = await response.text();
    expect(html).toContain(name);
    if (page.includes('/contact/') || page.includes('/deal/')) expect(html).toContain('Rafael Costa');
  }
  return { ids: { ana: contact.id, bruno: lead.id, deal: deal.id } };
}

function counts(records: Record<string, SandboxRecord[]>): Record<string, number> {
  return Object.fromEntries(TYPES.map((type) => [type, records[type]?.length ?? 0]));
}

describe('wasync demo', () => {
  let dataDir: string;
  const running: DemoHandle[] = [];

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-demo-'));
  });
  afterAll(async () => {
    for (const demo of running) await demo.close();
    fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
  });

  let firstCounts: Record<string, number>;

  it('sets up the org, posts the chats over HTTP, and the sync writes them to the right contacts and lead', async () => {
    const { demo, output } = await start(dataDir);
    running.push(demo);
    const { records, ids, on, text } = await syncedOrg(demo);

    // Edited text, the reply and the reaction made it into Ana's transcript.
    expect(text(ids.ana, 'Direct')).toContain('42 units in São Paulo');
    expect(text(ids.ana, 'Direct')).toContain('Could you do 5% off for 30 units?');
    expect(text(ids.ana, 'Direct')).toContain('👍');
    expect(on(ids.ana).find((chat) => chat.Chat_Type__c === 'Group')?.Group_Name__c).toBe(
      'Blue model rollout',
    );
    // Carmen has no record: her words are nowhere in the org, and wasync lists her chat as unmatched.
    expect(JSON.stringify(records.WhatsApp_Chat__c)).not.toContain('catalogue');
    const unmatched = await demo.services.records.unmatched(demo.connection.id);
    expect(unmatched.map((u) => u.chat.partner?.phone)).toEqual(['+34612345678']);

    // The day also lands as a note on the contact (Notes & Attachments), and the PDF as a file.
    const noteIds = new Set(
      (records.ContentDocumentLink ?? [])
        .filter((link) => link.LinkedEntityId === ids.ana)
        .map((link) => String(link.ContentDocumentId)),
    );
    const notes = (records.ContentNote ?? []).filter((note) => noteIds.has(note.Id));
    expect(notes.map((note) => String(note.Content)).join('')).toContain(
      'Do you still have the blue model in stock?',
    );
    const files = (records.ContentVersion ?? []).filter(
      (file) => !String(file.PathOnClient).endsWith('.snote'),
    );
    expect(files.map((file) => file.PathOnClient)).toEqual(['quote-Q-1042.pdf']);

    // The guide prints the Salesforce record pages; Ana's shows her WhatsApp Chats, her notes and
    // the PDF on the chat with its download link, as "Open in CRM" opens it.
    const anaSalesforce = `${demo.org.url}/lightning/r/Contact/${ids.ana}/view`;
    expect(output()).toContain(anaSalesforce);
    expect(output()).toContain(`${demo.org.url}/lightning/r/Lead/${ids.bruno}/view`);
    await openInCrm(demo, demo.connection.id, { type: 'contact', id: ids.ana }, [
      '<h1>Ana Souza</h1>',
      '<h2>WhatsApp Chats (',
      'Deal: 5% off for 30 units.',
      'Obrigado, Ana!',
      'quote-Q-1042',
      '/sfc/servlet.shepherd/version/download/',
    ]);
    await openInCrm(demo, demo.connection.id, { type: 'lead', id: ids.bruno }, [
      '<h1>Bruno Lima</h1>',
      'About 200 units a month to start.',
    ]);

    // The commands to try next, each on the demo's data dir.
    expect(output()).toContain(`wasync status --data-dir ${dataDir}`);
    expect(output()).toContain(`wasync sync --once --data-dir ${dataDir}`);
    expect(output()).toContain(`wasync sync --once --connection 'Salesforce sandbox' --data-dir ${dataDir}`);

    // The custom object came from wasync's own setup through the Metadata API.
    expect(output()).toContain('deployed by wasync through the Metadata API');
    expect(output()).toContain(`${demo.url}/api/v1/docs`);
    expect(output()).toContain(`/api/v1/connections/${demo.connection.id}/sync`);
    expect(output()).toContain(demo.token);
    // The workspace opens with the demo's data: the printed sign-in works and shows the chats.
    expect(output()).toContain(`sign in as ${demo.signIn.email} / ${demo.signIn.password}`);
    const signedIn = await fetch(`${demo.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(demo.signIn),
    });
    expect(signedIn.status).toBe(200);
    const cookie = signedIn.headers.get('set-cookie')?.split(';')[0] ?? '';
    const chats = (await (await fetch(`${demo.url}/api/v1/chats`, { headers: { cookie } })).json()) as {
      data: unknown[];
    };
    expect(chats.data.length).toBeGreaterThanOrEqual(5);
    await eventually('a finished run reported', async () =>
      /sync run finished: \d+ day transcripts written, 1 file uploaded/.test(output()) ? true : undefined,
    );
    firstCounts = counts(records);

    // The same people in Zoho, the same days as notes on them, and Ana's deals beside her.
    const zoho = await syncedZoho(demo);
    expect(zoho.on(zoho.ids.ana)).toContain('Do you still have the blue model in stock?');
    expect(JSON.stringify(zoho.notes)).not.toContain('catalogue');
    const deals = (await demo.zoho.records('Deals')).filter(
      (deal) => (deal.Contact_Name as { id?: string } | undefined)?.id === zoho.ids.ana,
    );
    expect(deals.map((deal) => deal.Deal_Name).sort()).toEqual([
      'Blue model, 30 units',
      'Blue model, spare parts',
      'Pilot, 5 units',
    ]);
    // The guide prints the record pages to open; they answer with the record.
    const anaPage = `${demo.zoho.url}/crm/org${demo.zoho.zgid}/tab/Contacts/${zoho.ids.ana}`;
    expect(output()).toContain(anaPage);
    expect(output()).toContain(`${demo.zoho.url}/crm/org${demo.zoho.zgid}/tab/Leads/${zoho.ids.bruno}`);
    expect(output()).toContain(`${demo.zoho.url}/crm/org${demo.zoho.zgid}/tab/Deals/${deals[0]?.id}`);
    const page = await fetch(anaPage);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Souza');
    await openInCrm(demo, demo.zohoConnection.id, { type: 'contact', id: zoho.ids.ana }, [
      'Souza',
      'Do you still have the blue model in stock?',
    ]);
    await eventually('a finished Zoho run reported', async () =>
      /Zoho sandbox: sync run finished: \d+ day transcripts written, 1 file uploaded/.test(output())
        ? true
        : undefined,
    );

    // Bitrix24: the same people, Ana a contact of her company with Rafael responsible and an open
    // deal, Bruno a lead; the guide prints their pages, which open.
    await bitrix24Pages(demo, output());
    expect(output()).toContain(`inbound webhook ${demo.bitrix24.url}/rest/1/`);
    expect(demo.bitrix24Connection.kind).toBe('bitrix24');
    // The same days reach Ana's contact and Bruno's lead as timeline comments, the PDF on Ana's.
    const b24 = await syncedBitrix24(demo);
    expect(b24.text('ana')).toContain('Do you still have the blue model in stock?');
    expect(b24.text('ana')).toContain('42 units in São Paulo');
    expect(JSON.stringify(b24.comments)).not.toContain('catalogue');
    const quote = b24.comments.ana.flatMap((c) => c.files).find((file) => file.name === 'quote-Q-1042.pdf');
    expect((await fetch(String(quote?.url))).status).toBe(200);
    // The page "Open in CRM" leads to shows them: Ana's comment and its file, Bruno's on his lead's page.
    const anaTimeline = await (await fetch(demo.bitrix24.recordPage('contact', b24.ids.ana))).text();
    expect(anaTimeline).toContain('Deal: 5% off for 30 units.');
    expect(anaTimeline).toContain('quote-Q-1042.pdf');
    await openInCrm(demo, demo.bitrix24Connection.id, { type: 'contact', id: String(b24.ids.ana) }, [
      'Ana Souza',
      'Deal: 5% off for 30 units.',
    ]);
    const brunoPage = await (await fetch(demo.bitrix24.recordPage('lead', b24.ids.bruno))).text();
    expect(brunoPage).toContain('About 200 units a month to start.');
    // The group with Ana and Bruno lands on both: contact 1 and lead 1 are two people.
    expect(b24.text('bruno')).toContain('Obrigado, Ana!');
    await eventually('a finished Bitrix24 run reported', async () =>
      /Bitrix24 sandbox: sync run finished: \d+ day transcripts written/.test(output()) ? true : undefined,
    );
    await demo.close();
  });

  it('run again on the same data dir (a fresh in-memory org): nothing is duplicated, same counts', async () => {
    const { demo, output } = await start(dataDir);
    running.push(demo);
    expect(output()).toContain('19 items: 0 stored, 19 already there');
    expect(output()).toContain('made again');
    const { records } = await syncedOrg(demo);
    // Let another run (2 s interval) go by: still nothing new.
    const finished = (await demo.services.sync.jobState(demo.connection.id))?.lastFinishedAt?.getTime() ?? 0;
    await eventually('one more sync run', async () => {
      const state = await demo.services.sync.jobState(demo.connection.id);
      return (state?.lastFinishedAt?.getTime() ?? 0) > finished ? state : undefined;
    });
    expect(counts(records)).toEqual(firstCounts);
    expect(counts(await syncedOrg(demo).then((r) => r.records))).toEqual(firstCounts);
    expect(await demo.services.connections.list(demo.services.workspace.id)).toHaveLength(3);
    await syncedZoho(demo);
    await syncedBitrix24(demo);
    await demo.close();
  });

  describe('against a sandbox that outlives the demo (--sandbox-url)', () => {
    let sandbox: SalesforceSandbox;
    let url: string;
    let zohoSandbox: ZohoSandbox;
    let zohoUrl: string;
    let bitrix24Sandbox: Bitrix24Sandbox;
    let bitrix24Url: string;
    beforeAll(async () => {
      sandbox = await buildSalesforceSandbox();
      url = await sandbox.listen(0);
      zohoSandbox = await buildZohoSandbox();
      zohoUrl = await zohoSandbox.listen(0);
      bitrix24Sandbox = await buildBitrix24Sandbox();
      bitrix24Url = await bitrix24Sandbox.listen(0);
    });
    afterAll(async () => {
      await sandbox.close();
      await zohoSandbox.close();
      await bitrix24Sandbox.close();
    });

    it('the second run reuses the connection, seeds nobody twice and writes nothing twice', async () => {
      const sandboxes = { sandboxUrl: url, zohoSandboxUrl: zohoUrl, bitrix24SandboxUrl: bitrix24Url };
      const first = await start(dataDir, sandboxes);
      running.push(first.demo);
      const before = counts((await syncedOrg(first.demo)).records);
      expect(before).toEqual(firstCounts);
      // The first run has backed the chats up into all three before it stops.
      await syncedZoho(first.demo);
      await syncedBitrix24(first.demo);
      const connectionId = first.demo.connection.id;
      await first.demo.close();

      const restartedAt = Date.now();
      const second = await start(dataDir, sandboxes);
      running.push(second.demo);
      expect(second.demo.connection.id).toBe(connectionId);
      expect(second.output()).toContain('(3 were there already)');
      // Zoho's and Bitrix24's guide lines both.
      expect(second.output().match(/\(3 people were there already\)/g)).toHaveLength(2);
      expect(second.demo.zohoConnection.id).toBe(first.demo.zohoConnection.id);
      expect(second.demo.bitrix24Connection.id).toBe(first.demo.bitrix24Connection.id);
      // Nobody seeded twice in the portal: one company, one deal, one Rafael, the three people.
      expect(bitrix24Sandbox.portal.all('contact')).toHaveLength(2);
      expect(bitrix24Sandbox.portal.all('lead')).toHaveLength(1);
      expect(bitrix24Sandbox.portal.all('company')).toHaveLength(1);
      expect(bitrix24Sandbox.portal.all('deal')).toHaveLength(1);
      expect([...bitrix24Sandbox.portal.users.values()].map((user) => user.name).sort()).toEqual([
        'Rafael',
        'Sandbox',
      ]);
      expect(second.output()).not.toContain('made again');
      expect(second.output()).toContain('already deployed');
      const summary = await eventually('the run after the restart', async () => {
        const state = await second.demo.services.sync.jobState(connectionId);
        return state?.lastSummary && (state.lastFinishedAt?.getTime() ?? 0) >= restartedAt
          ? state.lastSummary
          : undefined;
      });
      expect(summary).toMatchObject({ transcriptsWritten: 0, filesUploaded: 0, failed: 0 });
      expect(counts((await syncedOrg(second.demo)).records)).toEqual(before);
      // Nor into the portal: the restarted run writes no comment, and the timelines stay as they were.
      const commentsBefore = bitrix24Sandbox.portal.comments.size;
      const bitrix24Summary = await eventually('the Bitrix24 run after the restart', async () => {
        const state = await second.demo.services.sync.jobState(second.demo.bitrix24Connection.id);
        return state?.lastSummary && (state.lastFinishedAt?.getTime() ?? 0) >= restartedAt
          ? state.lastSummary
          : undefined;
      });
      expect(bitrix24Summary).toMatchObject({ transcriptsWritten: 0, filesUploaded: 0, failed: 0 });
      expect(bitrix24Sandbox.portal.comments.size).toBe(commentsBefore);
      await second.demo.close();
    });
  });

  it('`wasync demo --help` lists its options', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'demo', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    for (const option of [
      '--data-dir',
      '--port',
      '--sandbox-port',
      '--sandbox-url',
      '--zoho-sandbox-port',
      '--zoho-sandbox-url',
      '--bitrix24-sandbox-port',
      '--bitrix24-sandbox-url',
      '--every',
    ]) {
      expect(result.stdout).toContain(option);
    }
  });
});
