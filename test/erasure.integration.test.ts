import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import type { Account } from '../src/core/model.js';
import { zipStream } from '../src/privacy/zip-stream.js';
import { openServices } from '../src/services.js';
import { recordContacts, recordGroups } from '../src/sources/whatsapp-web/identity.js';
import { rotateSecretKey } from '../src/store/rotate-key.js';
import { describeEachMediaStore } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';

const ANA = '+5511987654321';
const BRUNO = '+5521998765432';
const GROUP = '120363000000000001@g.us';
const APP_SECRET = 'app-secret-for-tests';
const MINUTE = 60_000;
const DAY = 86_400_000;
/** Midday today (UTC): every day of the test stays whole whatever the hour it runs at. */
const NOW = Math.floor(Date.now() / DAY) * DAY + DAY / 2;
const PHOTO = Buffer.from('a photo only Ana sent').toString('base64');
const SHARED = Buffer.from('the same price list, sent by both').toString('base64');

/** Reads a zip answer into name → bytes. */
async function unzip(bytes: Buffer): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (error, file) => (error ? reject(error) : resolve(file))),
  );
  const files = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          files.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  return files;
}

describe('zip stream', () => {
  it('writes an archive yauzl reads back, streamed entries included', async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of zipStream([
      { name: 'a.json', data: Buffer.from('{"x":1}') },
      { name: 'media/é.bin', data: () => fs.createReadStream(import.meta.filename) },
    ]))
      chunks.push(chunk);
    const files = await unzip(Buffer.concat(chunks));
    expect(files.get('a.json')?.toString()).toBe('{"x":1}');
    expect(files.get('media/é.bin')?.equals(fs.readFileSync(import.meta.filename))).toBe(true);
  });
});

describeEachMediaStore('erasure on request', (database, mediaStore) => {
  let org: TestOrg;
  let h: Harness;
  let account: Account;
  let sequence = 0;

  beforeAll(async () => {
    org = await startTestOrg();
  });
  afterAll(() => org.close());

  beforeEach(async () => {
    await org.reset();
    h = await startHarness(database, { WASYNC_DEFAULT_REGION: 'BR', WASYNC_MEDIA_STORE: mediaStore });
    account = await h.createAccount('+5511900001111');
  });
  afterEach(() => h.close());

  const db = () => h.services.store.sql.db;
  const post = (messages: Record<string, unknown>[]) =>
    h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${account.id}/messages`,
      headers: h.auth,
      payload: { messages },
    });
  const direct = (phone: string, text: string, at: number, extra: Record<string, unknown> = {}) => ({
    id: `wamid.erase-${++sequence}`,
    chat: { type: 'direct', with: { phone, name: phone === ANA ? 'Ana Souza' : 'Bruno Lima' } },
    timestamp: new Date(at).toISOString(),
    text,
    ...extra,
  });
  const group = (from: string, text: string, at: number, extra: Record<string, unknown> = {}) => ({
    id: `wamid.erase-${++sequence}`,
    chat: { type: 'group', id: GROUP, title: 'Acme buyers', participants: [ANA, BRUNO] },
    from,
    timestamp: new Date(at).toISOString(),
    text,
    ...extra,
  });
  const erase = (payload: Record<string, unknown>, headers: Record<string, string> = h.auth) =>
    h.app.inject({ method: 'POST', url: '/api/v1/erasures', headers, payload });

  /** Ana and Bruno each in a direct chat and together in a group; both sent the same file. */
  const seed = async () => {
    const anaPhoto = direct(ANA, 'my photo', NOW - 2 * DAY, {
      type: 'image',
      media: { base64: PHOTO, mimeType: 'image/jpeg', fileName: 'ana.jpg' },
    });
    const anaShared = direct(ANA, 'price list', NOW - 2 * DAY + MINUTE, {
      type: 'document',
      media: { base64: SHARED, fileName: 'prices.pdf' },
    });
    const reply = direct(ANA, 'thanks Ana', NOW - 2 * DAY + 2 * MINUTE, { fromMe: true });
    const brunoShared = direct(BRUNO, 'price list too', NOW - 2 * DAY, {
      type: 'document',
      media: { base64: SHARED, fileName: 'prices.pdf' },
    });
    const brunoText = direct(BRUNO, 'hello from Bruno', NOW - 2 * DAY + MINUTE);
    const anaInGroup = group(ANA, 'Ana in the group', NOW - DAY);
    const brunoInGroup = group(BRUNO, 'Bruno quoting Ana', NOW - DAY + MINUTE, {
      raw: { quoted: { participant: `${ANA.slice(1)}@s.whatsapp.net` }, note: 'kept' },
    });
    const response = await post([
      anaPhoto,
      anaShared,
      reply,
      brunoShared,
      brunoText,
      anaInGroup,
      brunoInGroup,
    ]);
    expect(response.statusCode, response.body).toBe(200);
    const events = await post([
      {
        kind: 'reaction',
        id: `wamid.erase-${++sequence}`,
        target: brunoInGroup.id,
        from: ANA,
        emoji: '👍',
        timestamp: new Date(NOW - DAY + 2 * MINUTE).toISOString(),
      },
      {
        kind: 'edit',
        id: `wamid.erase-${++sequence}`,
        target: anaPhoto.id,
        from: ANA,
        text: 'my photo (edited)',
        timestamp: new Date(NOW - 2 * DAY + 5 * MINUTE).toISOString(),
      },
      {
        kind: 'reaction',
        id: `wamid.erase-${++sequence}`,
        target: anaInGroup.id,
        from: BRUNO,
        emoji: '❤️',
        timestamp: new Date(NOW - DAY + 3 * MINUTE).toISOString(),
      },
    ]);
    expect(events.statusCode, events.body).toBe(200);
    return { anaPhoto, brunoShared, brunoText, brunoInGroup, anaInGroup };
  };
  const texts = async () =>
    (await db().selectFrom('messages').select('text').orderBy('sent_at').execute()).map((m) => m.text);
  const sha = (base64: string) => createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex');

  it('a dry run tells what would go and writes nothing; a non-admin is refused', async () => {
    await seed();
    const before = await texts();
    const preview = await erase({ phone: '(11) 98765-4321', dryRun: true });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toMatchObject({
      dryRun: true,
      phone: ANA,
      tombstoned: false,
      removed: { identities: 1, directChats: 1, groupChats: 1, messages: 4, media: 2, reactions: 2 },
    });
    expect(await texts()).toEqual(before);
    expect(await db().selectFrom('tombstones').selectAll().execute()).toEqual([]);
    expect(await db().selectFrom('erasures').selectAll().execute()).toEqual([]);
    expect(await db().selectFrom('privacy_keys').selectAll().execute()).toEqual([]);

    const { token } = await h.services.store.tokens.create({
      workspaceId: h.services.workspace.id,
      name: 'member',
      role: 'member',
    });
    const member = { authorization: `Bearer ${token}` };
    for (const [method, url, payload] of [
      ['POST', '/api/v1/erasures', { phone: ANA }],
      ['GET', '/api/v1/erasures', undefined],
      ['GET', '/api/v1/tombstones', undefined],
      ['GET', `/api/v1/people/export?phone=${encodeURIComponent(ANA)}`, undefined],
    ] as const) {
      const response = await h.app.inject({ method, url, headers: member, ...(payload ? { payload } : {}) });
      expect(response.statusCode, url).toBe(403);
    }
    expect(await texts()).toEqual(before);
    const doc = (await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    for (const path of [
      '/api/v1/erasures',
      '/api/v1/erasures/{erasureId}/crm-deletions',
      '/api/v1/tombstones/{tombstoneId}',
      '/api/v1/people/export',
    ])
      expect(Object.keys(doc.paths)).toContain(path);
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Erasure', 'ErasurePreview', 'Tombstone']),
    );
    const bad = await erase({ phone: '12' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_phone');
  });

  it("removes exactly the person's data, keeps the others' and a file someone else also sent", async () => {
    await seed();
    // A processed Cloud-style delivery naming Ana goes; a pending one is kept for the others in it.
    await db()
      .insertInto('webhook_deliveries')
      .values([
        {
          id: 'whd_done',
          account_id: account.id,
          received_at: NOW,
          body: JSON.stringify({ from: ANA.slice(1) }),
          state: 'processed',
          attempts: 1,
          error: null,
          next_attempt_at: null,
          processed_at: NOW,
        },
        {
          id: 'whd_wait',
          account_id: account.id,
          received_at: NOW,
          body: JSON.stringify({ from: ANA.slice(1), other: BRUNO.slice(1) }),
          state: 'pending',
          attempts: 0,
          error: null,
          next_attempt_at: NOW + DAY,
          processed_at: null,
        },
        {
          id: 'whd_other',
          account_id: account.id,
          received_at: NOW,
          body: JSON.stringify({ from: BRUNO.slice(1) }),
          state: 'processed',
          attempts: 1,
          error: null,
          next_attempt_at: null,
          processed_at: NOW,
        },
      ])
      .execute();
    const groupBefore = await db()
      .selectFrom('chats')
      .select(['id', 'change_seq'])
      .where('kind', '=', 'group')
      .executeTakeFirstOrThrow();

    const response = await erase({ phone: ANA });
    expect(response.statusCode, response.body).toBe(201);
    const erasure = response.json();
    expect(erasure.phoneHint).toBe('+55 ••• 21');
    expect(JSON.stringify(erasure)).not.toContain('987654321');
    expect(erasure.removed).toMatchObject({
      identities: 1,
      directChats: 1,
      groupChats: 1,
      messages: 4,
      media: 2,
      mediaFiles: 1,
      webhookDeliveries: 1,
      webhookDeliveriesPending: 1,
      payloadsRedacted: 1,
    });

    expect(await texts()).toEqual(['price list too', 'hello from Bruno', 'Bruno quoting Ana']);
    const identities = await db().selectFrom('identities').select('phone_e164').execute();
    expect(identities.map((i) => i.phone_e164)).toEqual([BRUNO]);
    expect(await db().selectFrom('chats').select('kind').orderBy('kind').execute()).toEqual([
      { kind: 'direct' },
      { kind: 'group' },
    ]);
    const bruno = await db().selectFrom('identities').select('id').executeTakeFirstOrThrow();
    const participants = await db().selectFrom('chat_participants').select('identity_id').execute();
    expect(new Set(participants.map((p) => p.identity_id))).toEqual(new Set([bruno.id]));
    expect(await db().selectFrom('message_reactions').selectAll().execute()).toEqual([]);
    expect(await db().selectFrom('message_events').select('kind').execute()).toEqual([]);
    // The group stays and counts as changed for the next sync; Bruno's payload no longer names Ana.
    const groupAfter = await db()
      .selectFrom('chats')
      .select(['id', 'change_seq'])
      .where('kind', '=', 'group')
      .executeTakeFirstOrThrow();
    expect(groupAfter.change_seq).toBeGreaterThan(groupBefore.change_seq);
    const quoting = await db()
      .selectFrom('messages')
      .select('raw')
      .where('chat_id', '=', groupAfter.id)
      .executeTakeFirstOrThrow();
    const raw = typeof quoting.raw === 'string' ? JSON.parse(quoting.raw) : quoting.raw;
    expect(JSON.stringify(raw)).not.toContain(ANA.slice(1));
    // Bytes only Ana sent are gone; the file Bruno sent too stays.
    const blobs = h.services.store.blobs;
    expect(await blobs.has(sha(PHOTO))).toBe(false);
    expect(await blobs.has(sha(SHARED))).toBe(true);
    expect(
      (await db().selectFrom('webhook_deliveries').select('id').orderBy('id').execute()).map((r) => r.id),
    ).toEqual(['whd_other', 'whd_wait']);

    const listed = await h.app.inject({ method: 'GET', url: '/api/v1/erasures', headers: h.auth });
    expect(listed.json().data.map((e: { id: string }) => e.id)).toEqual([erasure.id]);
    const tombstones = await h.app.inject({
      method: 'GET',
      url: `/api/v1/tombstones?phone=${encodeURIComponent(ANA)}`,
      headers: h.auth,
    });
    expect(tombstones.json().data).toMatchObject([{ erasureId: erasure.id, phoneHint: '+55 ••• 21' }]);
    // Erased again: nothing left to remove, still one tombstone.
    const again = await erase({ phone: ANA });
    expect(again.json().removed).toMatchObject({ identities: 0, messages: 0 });
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/v1/tombstones', headers: h.auth })).json().data,
    ).toHaveLength(1);
    // The store holds a keyed hash, not the number.
    const stored = JSON.stringify(await db().selectFrom('tombstone_keys').selectAll().execute());
    expect(stored).not.toContain('987654321');
  });

  it('the tombstone keeps the person out of REST ingest, chat-export imports and Cloud webhooks, until lifted', async () => {
    await seed();
    expect((await erase({ phone: ANA })).statusCode).toBe(201);

    const again = await post([
      direct(ANA, 'Ana writes again', NOW),
      direct(ANA, 'we write to Ana', NOW, { fromMe: true }),
      group(ANA, 'Ana in the group again', NOW),
      group(BRUNO, 'Bruno stays', NOW + 1),
    ]);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({
      received: 4,
      stored: { messages: 1 },
      dropped: { messages: 3, events: 0 },
    });
    expect(await db().selectFrom('identities').select('phone_e164').execute()).toEqual([
      { phone_e164: BRUNO },
    ]);
    const participants = await db().selectFrom('chat_participants').select('identity_id').execute();
    expect(new Set(participants.map((p) => p.identity_id)).size).toBe(1);

    const exported = `25/02/24, 10:00 - Ana Souza: hello again\n25/02/24, 10:05 - Me: hi Ana\n`;
    const imported = await h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${account.id}/imports?chatWith=${encodeURIComponent(ANA)}&me=Me&tz=UTC`,
      headers: { ...h.auth, 'content-type': 'text/plain' },
      payload: exported,
    });
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json().messages).toMatchObject({ total: 2, new: 0, dropped: 2 });

    const cloud = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: h.auth,
      payload: {
        phone: '+1 415 555 1001',
        sourceKind: 'whatsapp_cloud',
        cloud: { phoneNumberId: '1122334455667', accessToken: 'EAAG-test-token', appSecret: APP_SECRET },
      },
    });
    expect(cloud.statusCode, cloud.body).toBe(201);
    const cloudId = cloud.json().id as string;
    const delivery = (id: string) =>
      JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '1',
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: '14155551001', phone_number_id: '1122334455667' },
                  contacts: [{ profile: { name: 'Ana Souza' }, wa_id: ANA.slice(1) }],
                  messages: [
                    {
                      from: ANA.slice(1),
                      id,
                      timestamp: String(Math.floor(NOW / 1000)),
                      type: 'text',
                      text: { body: 'Ana via Cloud' },
                    },
                  ],
                },
              },
            ],
          },
        ],
      });
    const deliver = async (body: string) => {
      const response = await h.app.inject({
        method: 'POST',
        url: `/webhooks/whatsapp-cloud/${cloudId}`,
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`,
        },
        payload: body,
      });
      expect(response.statusCode).toBe(200);
      await h.services.webhookProcessor.drain();
    };
    await deliver(delivery('wamid.cloud-1'));
    const cloudMessages = () =>
      db().selectFrom('messages').select('text').where('account_id', '=', cloudId).execute();
    expect(await cloudMessages()).toEqual([]);
    expect(await db().selectFrom('identities').select('phone_e164').execute()).toEqual([
      { phone_e164: BRUNO },
    ]);

    // A linked device's contact and group updates do not record her again either.
    await recordContacts(h.services.store, h.services.workspace.id, [
      { id: `${ANA.slice(1)}@s.whatsapp.net`, lid: '99887766@lid', notify: 'Ana Souza' },
    ]);
    await recordGroups(h.services.store, account, [
      {
        groupKey: GROUP,
        title: 'Acme buyers',
        participants: [{ phone: ANA, name: 'Ana' }, { phone: BRUNO }],
      },
    ]);
    expect(await db().selectFrom('identities').select('phone_e164').execute()).toEqual([
      { phone_e164: BRUNO },
    ]);

    // Lifted: the next messages are stored again.
    const { data } = (
      await h.app.inject({ method: 'GET', url: '/api/v1/tombstones', headers: h.auth })
    ).json();
    const lifted = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/tombstones/${data[0].id}`,
      headers: h.auth,
    });
    expect(lifted.statusCode).toBe(204);
    expect(
      (await h.app.inject({ method: 'DELETE', url: `/api/v1/tombstones/${data[0].id}`, headers: h.auth }))
        .statusCode,
    ).toBe(404);
    await deliver(delivery('wamid.cloud-2'));
    expect(await cloudMessages()).toEqual([{ text: 'Ana via Cloud' }]);
    const back = await post([direct(ANA, 'Ana is back', NOW + 2)]);
    expect(back.json()).toMatchObject({ stored: { messages: 1 }, dropped: { messages: 0 } });
  });

  it('a tombstone outlives a rotation of the secret key; its hash key is sealed like the other secrets', async () => {
    expect((await erase({ phone: ANA })).statusCode).toBe(201);
    const newKey = 'the-new-key-after-rotation-0123456789-abcdef';
    const rotated = await rotateSecretKey(h.config, newKey);
    expect(rotated.resealed).toBe(1);
    const restarted = await openServices({ ...h.config, secretKey: newKey }, pino({ level: 'silent' }));
    try {
      const gone = await restarted.store.tombstones.tombstoned(h.services.workspace.id, [
        { phone: ANA },
        { phone: BRUNO },
      ]);
      expect([...gone].map((party) => party.phone)).toEqual([ANA]);
    } finally {
      await restarted.close();
    }
  });

  it("exports the person's messages and media, and nothing of others", async () => {
    const { anaPhoto } = await seed();
    const response = await h.app.inject({
      method: 'GET',
      url: `/api/v1/people/export?phone=${encodeURIComponent(ANA)}`,
      headers: h.auth,
    });
    expect(response.statusCode, response.body.slice(0, 200)).toBe(200);
    expect(response.headers['content-type']).toBe('application/zip');
    const files = await unzip(response.rawPayload);
    const person = JSON.parse(files.get('person.json')?.toString() ?? '{}');
    expect(person.phone).toBe(ANA);
    expect(person.identities).toMatchObject([{ phone: ANA, displayName: 'Ana Souza' }]);
    const texts = person.messages.map((m: { text: string }) => m.text).sort();
    expect(texts).toEqual(['Ana in the group', 'my photo (edited)', 'price list', 'thanks Ana'].sort());
    const photo = person.messages.find((m: { sourceMessageId: string }) => m.sourceMessageId === anaPhoto.id);
    expect(photo.edits).toMatchObject([{ text: 'my photo (edited)' }]);
    const inGroup = person.messages.find((m: { text: string }) => m.text === 'Ana in the group');
    expect(inGroup.reactions).toMatchObject([{ by: 'someone else', emoji: '❤️' }]);
    expect(person.reactionsGiven).toMatchObject([{ emoji: '👍' }]);
    const all = files.get('person.json')?.toString() ?? '';
    expect(all).not.toContain('Bruno');
    expect(all).not.toContain(BRUNO);
    expect(files.get(photo.media.file)?.toString('base64')).toBe(PHOTO);
    expect([...files.keys()].filter((name) => name.startsWith('media/'))).toHaveLength(2);

    const nobody = await h.app.inject({
      method: 'GET',
      url: '/api/v1/people/export?phone=%2B14155550100',
      headers: h.auth,
    });
    expect(nobody.statusCode).toBe(404);
  });

  it('records erasures, exports and lifted tombstones in the audit log, naming the number only by its hint', async () => {
    await seed();
    const exported = await h.app.inject({
      method: 'GET',
      url: `/api/v1/people/export?phone=${encodeURIComponent(ANA)}`,
      headers: h.auth,
    });
    expect(exported.statusCode).toBe(200);
    const erased = await erase({ phone: ANA });
    expect(erased.statusCode).toBe(201);
    const [tombstone] = (
      await h.app.inject({ method: 'GET', url: '/api/v1/tombstones', headers: h.auth })
    ).json().data as { id: string }[];
    await h.app.inject({ method: 'DELETE', url: `/api/v1/tombstones/${tombstone?.id}`, headers: h.auth });
    const log = await h.app.inject({ method: 'GET', url: '/api/v1/audit?limit=200', headers: h.auth });
    const events = log.json().data as { action: string; target?: { label?: string } }[];
    const hint = erased.json().phoneHint as string;
    expect(
      events
        .filter((e) => ['person.exported', 'person.erased', 'tombstone.lifted'].includes(e.action))
        .map((e) => [e.action, e.target?.label])
        .reverse(),
    ).toEqual([
      ['person.exported', hint],
      ['person.erased', hint],
      ['tombstone.lifted', hint],
    ]);
    // The log never holds the number an erasure took away.
    expect(log.body).not.toContain(ANA.slice(-8));
  });

  it("leaves off the list what was written from someone else's chat onto a record they share", async () => {
    const CARLA = '+5531987654321';
    // One contact holds both numbers: Ana's and Carla's chats are both written onto it.
    const shared = await org.seed('Contact', {
      FirstName: 'Ana',
      LastName: 'Souza',
      Phone: '(11) 98765-4321',
      MobilePhone: '+55 31 98765-4321',
    });
    const connectionId = (await h.services.connections.create(h.services.workspace.id, org.connectionInput()))
      .id;
    expect(
      (await post([direct(ANA, 'from Ana', NOW - DAY), direct(CARLA, 'from Carla', NOW - DAY)])).statusCode,
    ).toBe(200);
    expect((await h.services.sync.runNow(connectionId)).state).toBe('done');
    const records = (await org.records('WhatsApp_Chat__c')).filter((r) => r.Contact__c === shared);
    const ofCarla = records.filter((r) => String(r.Transcript__c).includes('from Carla'));
    const ofAna = records.filter((r) => String(r.Transcript__c).includes('from Ana'));
    expect(ofCarla).toHaveLength(1);
    expect(ofAna).toHaveLength(1);
    const erasure = (await erase({ phone: ANA })).json();
    const listed = erasure.crmWrites.map((w: { crmId: string }) => w.crmId);
    expect(listed).toContain(ofAna[0]?.Id);
    expect(listed).not.toContain(ofCarla[0]?.Id);
    await h.app.inject({
      method: 'POST',
      url: `/api/v1/erasures/${erasure.id}/crm-deletions`,
      headers: h.auth,
    });
    expect((await org.records('WhatsApp_Chat__c')).map((r) => r.Id)).toEqual([ofCarla[0]?.Id]);
  });

  it('lists the CRM writes made from the chats and deletes them in Salesforce; a refused one is retried', async () => {
    const contact = await org.seed('Contact', {
      FirstName: 'Ana',
      LastName: 'Souza',
      Phone: '(11) 98765-4321',
    });
    const brunoContact = await org.seed('Contact', {
      FirstName: 'Bruno',
      LastName: 'Lima',
      MobilePhone: '+55 21 99876-5432',
    });
    const connectionId = (await h.services.connections.create(h.services.workspace.id, org.connectionInput()))
      .id;
    await seed();
    const outcome = await h.services.sync.runNow(connectionId);
    expect(outcome.state).toBe('done');
    const chatRecords = await org.records('WhatsApp_Chat__c');
    const onAna = chatRecords.filter((r) => r.Contact__c === contact);
    const onBruno = chatRecords.filter((r) => r.Contact__c === brunoContact);
    expect(onAna.length).toBeGreaterThan(0);
    expect(onBruno.length).toBeGreaterThan(0);
    const notes = await org.records('ContentNote');
    const fileTitles = async () =>
      (await org.records('ContentDocument'))
        .map((d) => d.Title)
        .filter((t) => t !== undefined && !String(t).startsWith('WhatsApp'))
        .sort();
    const filesBefore = await fileTitles();
    expect(filesBefore.filter((t) => t === 'ana.jpg')).toHaveLength(1);

    // The export names the record Ana is linked to.
    const exported = await h.app.inject({
      method: 'GET',
      url: `/api/v1/people/export?phone=${encodeURIComponent(ANA)}`,
      headers: h.auth,
    });
    const person = JSON.parse((await unzip(exported.rawPayload)).get('person.json')?.toString() ?? '{}');
    expect(person.recordLinks).toMatchObject([
      { connection: 'Sandbox org', recordType: 'contact', recordId: contact },
    ]);

    const preview = (await erase({ phone: ANA, dryRun: true })).json();
    const listedIds = preview.crmWrites.map((w: { crmId: string }) => w.crmId);
    for (const record of onAna) expect(listedIds).toContain(record.Id);
    for (const record of onBruno) expect(listedIds).not.toContain(record.Id);
    expect(preview.crmWrites.filter((w: { kind: string }) => w.kind === 'note').length).toBe(onAna.length);

    const erasure = (await erase({ phone: ANA })).json();
    expect(erasure.crmWrites.every((w: { state: string }) => w.state === 'listed')).toBe(true);
    // The ledger keeps only what was written onto Bruno (his days and his file).
    const ledger = await db().selectFrom('sync_writes').select('record_id').execute();
    expect(ledger.length).toBeGreaterThanOrEqual(onBruno.length);
    expect(new Set(ledger.map((row) => row.record_id))).toEqual(new Set([brunoContact]));

    // One chat record is locked in the org: it fails with the org's reason, the rest go.
    const locked = onAna[0]?.Id as string;
    await fetch(`${org.url}/__sandbox/locks/${locked}`, { method: 'POST' });
    const first = await h.app.inject({
      method: 'POST',
      url: `/api/v1/erasures/${erasure.id}/crm-deletions`,
      headers: h.auth,
    });
    expect(first.statusCode, first.body).toBe(200);
    const states = first.json().crmWrites as { crmId: string; state: string; errorCode?: string }[];
    expect(states.find((w) => w.crmId === locked)).toMatchObject({
      state: 'failed',
      errorCode: 'ENTITY_IS_LOCKED',
    });
    expect(states.filter((w) => w.crmId !== locked).every((w) => w.state === 'deleted')).toBe(true);
    const left = await org.records('WhatsApp_Chat__c');
    expect(left.map((r) => r.Id).sort()).toEqual([locked, ...onBruno.map((r) => r.Id)].sort());
    expect((await org.records('ContentNote')).length).toBe(notes.length - onAna.length);
    // Ana's files went with their documents; Bruno's copy of the same file stays.
    const filesAfter = await fileTitles();
    expect(filesAfter).not.toContain('ana.jpg');
    expect(filesAfter.filter((t) => t === 'prices.pdf')).toHaveLength(1);
    expect((await org.records('ContentVersion')).map((v) => v.Title)).not.toContain('ana.jpg');

    await fetch(`${org.url}/__sandbox/locks/${locked}`, { method: 'DELETE' });
    const retry = await h.app.inject({
      method: 'POST',
      url: `/api/v1/erasures/${erasure.id}/crm-deletions`,
      headers: h.auth,
    });
    const after = retry.json().crmWrites as { crmId: string; state: string }[];
    expect(after.find((w) => w.crmId === locked)?.state).toBe('deleted');
    expect((await org.records('WhatsApp_Chat__c')).map((r) => r.Id).sort()).toEqual(
      onBruno.map((r) => r.Id).sort(),
    );
    // The group day on Bruno's record is written again without Ana's message on the next run.
    const groupDay = () =>
      org
        .records('WhatsApp_Chat__c')
        .then((rows) => rows.find((r) => r.Contact__c === brunoContact && r.Chat_Type__c === 'Group'));
    expect(String((await groupDay())?.Transcript__c)).toContain('Ana in the group');
    expect((await h.services.sync.runNow(connectionId)).state).toBe('done');
    const rewritten = String((await groupDay())?.Transcript__c);
    expect(rewritten).toContain('Bruno quoting Ana');
    expect(rewritten).not.toContain('Ana in the group');
    // Nothing is left to do: a third call sends no deletion.
    const again = await h.app.inject({
      method: 'POST',
      url: `/api/v1/erasures/${erasure.id}/crm-deletions`,
      headers: h.auth,
    });
    expect(again.json().crmWrites).toEqual(retry.json().crmWrites);
  });
});
