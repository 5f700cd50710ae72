import { afterEach, expect, it } from 'vitest';
import {
  type Bitrix24Sandbox,
  buildBitrix24Sandbox,
  DEMO_WEBHOOK,
} from '../../../src/sandboxes/bitrix24/index.js';

/**
 * The record pages a person opens from "Open in CRM" (contact, lead, deal), on a portal filled only
 * through the `/__sandbox/` seeding routes and the demo webhook, as the demo fills one it did not start.
 */

let sandbox: Bitrix24Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

// biome-ignore lint/suspicious/noExplicitAny: the sandbox's JSON answers, read loosely by the test
type Answer = any;

async function send(url: string, route: string, body?: unknown): Promise<{ status: number; body: Answer }> {
  const response = await fetch(`${url}${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

async function page(url: string): Promise<{ status: number; html: string }> {
  const response = await fetch(url);
  return { status: response.status, html: await response.text() };
}

it('seeds a portal over /__sandbox/ and serves the lead and deal pages with their fields, timeline, files and links', async () => {
  sandbox = await buildBitrix24Sandbox();
  const url = await sandbox.listen(0);
  const seed = async (body: unknown) => {
    const answer = await send(url, '/__sandbox/records', body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body;
  };
  const user = await send(url, '/__sandbox/users', {
    name: 'Rita',
    lastName: 'Reis',
    email: 'rita@example.com',
  });
  expect(user.status).toBe(201);
  expect((await send(url, '/__sandbox/users', { id: user.body.id })).status).toBe(409);
  const company = await seed({ kind: 'company', title: 'Souza & Filhos' });
  const ana = await seed({
    kind: 'contact',
    name: 'Ana',
    lastName: 'Souza',
    phones: [{ value: '(11) 98765-4321', valueType: 'WORK' }],
    companyId: company.id,
    assignedById: user.body.id,
  });
  const deal = await seed({
    kind: 'deal',
    title: 'Blue model, 30 units',
    stageId: 'PREPARATION',
    opportunity: 12600,
    contactId: ana.id,
    companyId: company.id,
    assignedById: user.body.id,
  });
  const bruno = await seed({
    kind: 'lead',
    name: 'Bruno',
    lastName: 'Lima',
    title: 'Blue model for Lima Ltda',
    companyTitle: 'Lima Ltda',
    phones: ['+55 21 99876-5432'],
    assignedById: user.body.id,
  });
  expect(bruno.fields).toMatchObject({
    TITLE: 'Blue model for Lima Ltda',
    COMPANY_TITLE: 'Lima Ltda',
    STATUS_ID: 'NEW',
  });
  expect((await send(url, '/__sandbox/records', { kind: 'lead', phones: [''] })).status).toBe(400);
  const leads = await send(url, '/__sandbox/records?kind=lead');
  expect(leads.body.records.map((r: Answer) => r.id)).toEqual([bruno.id]);
  expect(leads.body.records[0].phones).toEqual([{ value: '+55 21 99876-5432', valueType: 'WORK' }]);
  expect((await send(url, '/__sandbox/records?kind=task')).status).toBe(400);

  // Comments come the way the destination writes them: through the webhook, a file inline.
  const hook = `${url}/rest/${DEMO_WEBHOOK.userId}/${DEMO_WEBHOOK.secret}/`;
  for (const [entityType, entityId, text] of [
    ['lead', bruno.id, 'WhatsApp chat with Bruno <Lima>'],
    ['deal', deal.id, 'WhatsApp chat about the deal'],
  ] as const) {
    const added = await send(hook, 'crm.timeline.comment.add', {
      fields: {
        ENTITY_TYPE: entityType,
        ENTITY_ID: entityId,
        COMMENT: text,
        FILES: [[`${entityType}.pdf`, Buffer.from(`%PDF ${entityType}`).toString('base64')]],
      },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
  }
  const comments = await send(url, `/__sandbox/comments?entityType=lead&entityId=${bruno.id}`);
  expect(comments.body.comments).toEqual([
    expect.objectContaining({
      entityType: 'lead',
      entityId: bruno.id,
      comment: 'WhatsApp chat with Bruno <Lima>',
    }),
  ]);
  const [file] = comments.body.comments[0].files;
  expect(file).toMatchObject({ name: 'lead.pdf', size: 9 });
  expect(await (await fetch(file.url)).text()).toBe('%PDF lead');

  const lead = await page(`${url}/crm/lead/details/${bruno.id}/`);
  expect(lead.status).toBe(200);
  for (const text of [
    '<title>Bruno Lima — Lead</title>',
    'Blue model for Lima Ltda',
    'Lima Ltda',
    'NEW',
    '+55 21 99876-5432',
    'Rita Reis',
    'WhatsApp chat with Bruno &lt;Lima&gt;',
    'lead.pdf',
    `/disk/downloadFile/${file.id}/`,
  ])
    expect(lead.html).toContain(text);

  const dealPage = await page(`${url}/crm/deal/details/${deal.id}/`);
  expect(dealPage.status).toBe(200);
  for (const text of [
    '<title>Blue model, 30 units — Deal</title>',
    'PREPARATION',
    '12600.00 USD',
    'Souza &amp; Filhos',
    'Rita Reis',
    `<a href="/crm/contact/details/${ana.id}/">Ana Souza</a>`,
    'WhatsApp chat about the deal',
    'deal.pdf',
  ])
    expect(dealPage.html).toContain(text);

  // The contact's page links to its deal's page.
  const contact = await page(`${url}/crm/contact/details/${ana.id}/`);
  expect(contact.html).toContain(`<a href="/crm/deal/details/${deal.id}/">Blue model, 30 units</a>`);
  expect(contact.html).toContain('Rita Reis');

  expect((await page(`${url}/crm/lead/details/999/`)).status).toBe(404);
  expect((await page(`${url}/crm/deal/details/999/`)).status).toBe(404);
  expect((await page(`${url}/crm/lead/details/${ana.id + 100}/`)).html).toBe('No such lead');
  const index = await send(url, '/__sandbox');
  expect(index.body.routes).toEqual(
    expect.arrayContaining([
      'POST /__sandbox/records',
      'GET /__sandbox/records',
      'POST /__sandbox/users',
      'GET /__sandbox/comments',
    ]),
  );
});
