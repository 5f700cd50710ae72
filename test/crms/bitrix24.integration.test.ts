/**
 * wasync end to end on the Bitrix24 sandbox: chats reach the contact's timeline as one comment a chat
 * and day, updated in place, group chats on every linked participant, files on the comment, simple
 * mode without leads, and a backfill of 2,000 messages within the portal's bucket.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Account } from '../../src/core/model.js';
import { markerIn } from '../../src/crms/kit/day-marker.js';
import type { Bitrix24SandboxOptions } from '../../src/sandboxes/bitrix24/index.js';
import { startTestBitrix24, type TestBitrix24 } from '../support/bitrix24-portal.js';
import { describeEachDatabase } from '../support/databases.js';
import { type Harness, startHarness } from '../support/harness.js';

const ANA = '+5511987654321';
const BRUNO = '+5521998765432';
const DAY = 86_400_000;
const MINUTE = 60_000;
/** Yesterday at noon UTC: inside the backfill window of a new link, one local day (the workspace keeps UTC). */
const NOON = Math.floor(Date.now() / DAY) * DAY - DAY / 2;
const at = (minutesBeforeNoon: number) => new Date(NOON - minutesBeforeNoon * MINUTE).toISOString();
const PHOTO = Buffer.from('a small photo of the blue model').toString('base64');

describeEachDatabase('wasync on the Bitrix24 sandbox', (database) => {
  let h: Harness;
  let account: Account;
  let b24: TestBitrix24 | undefined;

  beforeEach(async () => {
    h = await startHarness(database);
    account = await h.createAccount('+5511900001111');
  });
  afterEach(async () => {
    await h.close();
    await b24?.close();
    b24 = undefined;
  });

  const portal = async (options: Bitrix24SandboxOptions = {}) => {
    b24 = await startTestBitrix24(options);
    return b24;
  };
  /** A connection made as the API makes it, through the portal's webhook. */
  const connect = async (portal: TestBitrix24) => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: h.auth,
      payload: portal.connectionInput(),
    });
    expect(created.statusCode, created.body).toBe(201);
    return (created.json() as { id: string }).id;
  };
  const text = (id: string, minutesBeforeNoon: number, body: string, phone = ANA) =>
    h.postMessages(account, [
      {
        id,
        chat: { type: 'direct', with: { phone, name: 'Ana Lima' } },
        timestamp: at(minutesBeforeNoon),
        text: body,
      },
    ]);
  const run = async (connectionId: string) => {
    const outcome = await h.services.sync.runNow(connectionId);
    expect(outcome.state, JSON.stringify(outcome)).toBe('done');
    return outcome;
  };

  it("puts a chat on the contact's timeline, one comment for the day updated in place, linked by a Phone spelt any way", async () => {
    const b24 = await portal();
    const ana = b24.portal.seedContact({ name: 'Ana', lastName: 'Lima', phones: ['+55 (11) 98765-4321'] });
    const connectionId = await connect(b24);
    await text('wamid.b1', 50, 'first');
    await text('wamid.b2', 45, 'from one digit off', '+5511987654320');
    await run(connectionId);
    await text('wamid.b3', 40, 'second');
    await run(connectionId);
    await text('wamid.b4', 30, 'third');
    await run(connectionId);
    const comments = b24.portal.inspectComments('contact', ana.id);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.comment).toMatch(/first[\s\S]*second[\s\S]*third/);
    expect(comments[0]?.comment).not.toContain('one digit off');
    expect(markerIn(comments[0]?.comment ?? '')).toBeDefined();
    // The number one digit off has no record, and none was made for it.
    expect(b24.portal.all('contact').map((contact) => contact.id)).toEqual([ana.id]);
    // The last sync time per contact, as the workspace shows it.
    const links = (
      await h.app.inject({ method: 'GET', url: `/api/v1/connections/${connectionId}/links`, headers: h.auth })
    ).json() as { data: { record: { id: string }; lastSyncedAt?: string }[] };
    expect(links.data.find((link) => link.record.id === String(ana.id))?.lastSyncedAt).toEqual(
      expect.any(String),
    );
  });

  it('writes a group chat to every linked participant, and its photo on the comment', async () => {
    const b24 = await portal();
    const ana = b24.portal.seedContact({ name: 'Ana', lastName: 'Lima', phones: [ANA] });
    const bruno = b24.portal.seedLead({ name: 'Bruno', lastName: 'Reis', phones: [BRUNO] });
    const connectionId = await connect(b24);
    const chat = {
      type: 'group',
      id: '120363012345678901@g.us',
      title: 'Acme buyers',
      participants: [ANA, BRUNO],
    };
    await h.postMessages(account, [
      { id: 'wamid.g1', chat, from: ANA, timestamp: at(30), text: 'who has the price list?' },
      {
        id: 'wamid.g2',
        chat,
        from: BRUNO,
        timestamp: at(20),
        text: 'this one',
        type: 'image',
        media: { base64: PHOTO, mimeType: 'image/jpeg', fileName: 'blue.jpg' },
      },
    ]);
    await run(connectionId);
    for (const [entity, id] of [
      ['contact', ana.id],
      ['lead', bruno.id],
    ] as const) {
      const comments = b24.portal.inspectComments(entity, id);
      expect(comments, `${entity} ${id}`).toHaveLength(1);
      expect(comments[0]?.comment).toContain('Acme buyers');
      expect(comments[0]?.comment).toMatch(/who has the price list\?[\s\S]*this one/);
      expect(comments[0]?.files.map((file) => file.name)).toEqual(['blue.jpg']);
    }
  });

  it('links contacts only on a portal in simple mode, which has no leads', async () => {
    const b24 = await portal();
    b24.portal.mode = 2;
    const ana = b24.portal.seedContact({ name: 'Ana', lastName: 'Lima', phones: [ANA] });
    const connectionId = await connect(b24);
    await text('wamid.s1', 30, 'hello');
    await run(connectionId);
    expect(b24.portal.inspectComments('contact', ana.id)).toHaveLength(1);
    const counters = await b24.counters();
    expect(JSON.stringify(counters.batchCommands)).not.toContain('crm.lead');
  });

  it("backfills 2,000 messages over 300 chats within the portal's bucket: not one 503", async () => {
    const b24 = await portal();
    const phones = Array.from({ length: 300 }, (_, n) => `+1415${String(5_550_000 + n).padStart(7, '0')}`);
    for (const [n, phone] of phones.entries())
      b24.portal.seedContact({ name: `Client${n}`, lastName: 'Backfill', phones: [phone] });
    const connectionId = await connect(b24);
    const messages = phones.flatMap((phone, n) =>
      Array.from({ length: n < 200 ? 7 : 6 }, (_, m) => ({
        id: `wamid.fill-${n}-${m}`,
        chat: { type: 'direct', with: { phone } },
        timestamp: at(300 - m),
        text: `message ${m} of chat ${n}`,
      })),
    );
    expect(messages).toHaveLength(2_000);
    for (let i = 0; i < messages.length; i += 500) await h.postMessages(account, messages.slice(i, i + 500));
    const outcome = await run(connectionId);
    expect(outcome.state === 'done' && outcome.summary.transcriptsWritten).toBe(300);
    expect(b24.portal.comments.size).toBe(300);
    const counters = await b24.counters();
    expect((counters.bucket as { refused: number }).refused).toBe(0);
    expect(Object.values(counters.faults as Record<string, number>)).toEqual([]);
  });
});
