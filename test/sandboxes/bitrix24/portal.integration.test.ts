import { afterEach, expect, it } from 'vitest';
import {
  type Bitrix24Sandbox,
  buildBitrix24Sandbox,
  DEMO_WEBHOOK,
} from '../../../src/sandboxes/bitrix24/index.js';

let sandbox: Bitrix24Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

// biome-ignore lint/suspicious/noExplicitAny: the portal's JSON answers, read loosely by the test
type Answer = any;

it('serves the portal methods over the demo webhook: a contact, found by any spelling, a comment with a file a person can open', async () => {
  sandbox = await buildBitrix24Sandbox();
  const url = await sandbox.listen(0);
  const call = async (method: string, body: unknown): Promise<Answer> => {
    const answer = await fetch(`${url}/rest/${DEMO_WEBHOOK.userId}/${DEMO_WEBHOOK.secret}/${method}.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await answer.json()) as Answer;
    expect(answer.status, JSON.stringify(json)).toBe(200);
    expect(json.time).toBeDefined();
    return json;
  };
  const added = await call('crm.contact.add', {
    fields: {
      NAME: 'Ana',
      LAST_NAME: 'Souza',
      PHONE: [{ VALUE: '+55 (11) 98765-4321', VALUE_TYPE: 'MOBILE' }],
    },
  });
  const id = added.result;
  expect(typeof id).toBe('number');
  const found = await call('crm.duplicate.findbycomm', { type: 'PHONE', values: ['5511987654321'] });
  expect(found.result).toEqual({ CONTACT: [id] });
  expect(
    (await call('crm.duplicate.findbycomm', { type: 'PHONE', values: ['5511987654320'] })).result,
  ).toEqual([]);

  const comment = await call('crm.timeline.comment.add', {
    fields: {
      ENTITY_ID: id,
      ENTITY_TYPE: 'contact',
      COMMENT: 'WhatsApp chat with Ana — 2026-11-20',
      FILES: [['quote.pdf', Buffer.from('%PDF-1.4 quote').toString('base64')]],
    },
  });
  const read = await call('crm.timeline.comment.get', { id: comment.result });
  const [file] = Object.values(read.result.FILES) as { name: string; urlDownload: string }[];
  expect(file?.name).toBe('quote.pdf');
  const download = await fetch(String(file?.urlDownload));
  expect(download.status).toBe(200);
  expect(Buffer.from(await download.arrayBuffer()).toString()).toBe('%PDF-1.4 quote');

  const page = await fetch(`${url}/crm/contact/details/${id}/`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('Souza');
  expect(html).toContain('WhatsApp chat with Ana');
  expect((await fetch(`${url}/crm/contact/details/999999/`)).status).toBe(404);
});

it('answers user.get to any of user, user_brief, user_basic, and insufficient_scope to a webhook with none', async () => {
  sandbox = await buildBitrix24Sandbox();
  const url = await sandbox.listen(0);
  sandbox.portal.seedUser({ id: 5, name: 'Maria', lastName: 'Lopes', email: 'maria@example.com' });
  const hook = async (scopes: string[]) => {
    const registered = await fetch(`${url}/__sandbox/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 5, scopes }),
    });
    return ((await registered.json()) as { url: string }).url;
  };
  const userGet = async (base: string) => {
    const answer = await fetch(`${base}user.get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filter: { ID: 5 } }),
    });
    return { status: answer.status, body: (await answer.json()) as Answer };
  };
  const crmOnly = await userGet(await hook(['crm']));
  expect(crmOnly.status).toBe(401);
  expect(crmOnly.body.error).toBe('insufficient_scope');
  const brief = await userGet(await hook(['user_brief']));
  expect(brief.status).toBe(200);
  expect(brief.body.result).toEqual([
    expect.objectContaining({ ID: '5', NAME: 'Maria', LAST_NAME: 'Lopes' }),
  ]);
  expect(brief.body.result[0]).not.toHaveProperty('EMAIL');
  expect(brief.body.total).toBe(1);
  const basic = await userGet(await hook(['user_basic']));
  expect(basic.body.result[0].EMAIL).toBe('maria@example.com');
});

it('reads several contacts by id over GET with PHP bracket keys: filter[@ID][], select[] with PHONE, order', async () => {
  sandbox = await buildBitrix24Sandbox();
  const url = await sandbox.listen(0);
  const ids = ['+15550000001', '+15550000002', '+15550000003'].map(
    (phone, i) => sandbox?.portal.seedContact({ name: `C${i}`, phones: [phone] }).id,
  );
  const query = [
    `filter[@ID][]=${ids[0]}`,
    `filter[@ID][]=${ids[2]}`,
    'select[]=ID',
    'select[]=PHONE',
    'order[ID]=DESC',
  ].join('&');
  const answer = await fetch(
    `${url}/rest/${DEMO_WEBHOOK.userId}/${DEMO_WEBHOOK.secret}/crm.contact.list.json?${encodeURI(query)}`,
  );
  const body = (await answer.json()) as Answer;
  expect(answer.status).toBe(200);
  expect(body.total).toBe(2);
  expect(
    body.result.map((c: { ID: string; PHONE: { VALUE: string }[] }) => [c.ID, c.PHONE[0]?.VALUE]),
  ).toEqual([
    [String(ids[2]), '+15550000003'],
    [String(ids[0]), '+15550000001'],
  ]);
});
