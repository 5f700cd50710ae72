import { afterEach, describe, expect, it } from 'vitest';
import { stripBbcode } from '../../src/crms/bitrix24/card.js';
import { dayMarker } from '../../src/crms/kit/day-marker.js';
import { CrmError } from '../../src/crms/types.js';
import type { EntityKind } from '../../src/sandboxes/bitrix24/portal.js';
import { startTestBitrix24, type TestBitrix24 } from '../support/bitrix24-portal.js';

let b24: TestBitrix24;
afterEach(async () => b24?.close());

const NOW = Date.parse('2026-11-20T12:00:00Z');
const minutes = (n: number) => NOW - n * 60_000;

/** A comment on the portal's timeline, as a person or wasync left it `ago` minutes before NOW. */
function comment(entityType: EntityKind, entityId: number, text: string, ago: number): number {
  const id = b24.portal.nextId('comment');
  b24.portal.comments.set(id, {
    id,
    entityType,
    entityId,
    comment: text,
    authorId: 1,
    createdAt: minutes(ago),
    fileIds: [],
  });
  return id;
}

async function requestsDuring(run: () => Promise<unknown>): Promise<Record<string, number>> {
  const read = async () => ((await b24.counters()).byRoute ?? {}) as Record<string, number>;
  const before = await read();
  await run();
  const after = await read();
  return Object.fromEntries(
    Object.entries(after)
      .map(([route, n]) => [route, n - (before[route] ?? 0)] as const)
      .filter(([, n]) => n !== 0),
  );
}

describe('Bitrix24 card over the sandbox', () => {
  it("shows a contact's company, responsible person, email, open deals and people's latest comments, in two requests", async () => {
    b24 = await startTestBitrix24({ clock: () => NOW });
    const { portal } = b24;
    const rita = portal.seedUser({ name: 'Rita', lastName: 'Reis' });
    const company = portal.seedCompany('Souza Ltda');
    const ana = portal.seedContact({
      name: 'Ana',
      lastName: 'Souza',
      phones: ['+55 11 98765-4321'],
      emails: ['ana@souza.example'],
      companyId: company.id,
      assignedById: rita.id,
    });
    const open = portal.seedDeal({
      title: 'Pallets',
      contactId: ana.id,
      stageId: 'PREPARATION',
      opportunity: 1500,
    });
    portal.seedDeal({ title: 'Won last year', contactId: ana.id, stageId: 'WON', closed: true });
    portal.seedDeal({ title: 'Someone else’s', stageId: 'NEW' });
    const people = [1, 2, 3, 4, 5, 6].map((n) =>
      comment(
        'contact',
        ana.id,
        `[b]Call ${n}[/b]\nShe asked about [url=https://example.com/p]the price[/url].`,
        n * 10,
      ),
    );
    comment('contact', ana.id, `WhatsApp chat with Ana — 2026-11-20\n${dayMarker('day-1')}`, 1);
    comment('contact', ana.id, `WhatsApp chat with Ana — 2026-11-19\n${dayMarker('day-2')}`, 25);
    const destination = await b24.destination();
    await destination.mode.usesLeads();

    let card = await destination.card({ type: 'contact', id: String(ana.id) });
    const served = await requestsDuring(async () => {
      card = await destination.card({ type: 'contact', id: String(ana.id) });
    });
    expect(served).toEqual({ batch: 2 });
    expect(card).toMatchObject({
      type: 'contact',
      id: String(ana.id),
      name: 'Ana Souza',
      phones: ['+55 11 98765-4321'],
      url: `${b24.url}/crm/contact/details/${ana.id}/`,
      company: 'Souza Ltda',
      owner: 'Rita Reis',
      email: 'ana@souza.example',
      leadStatus: undefined,
      openDeals: [
        {
          id: String(open.id),
          name: 'Pallets',
          stage: 'PREPARATION',
          amount: 1500,
          url: `${b24.url}/crm/deal/details/${open.id}/`,
        },
      ],
    });
    expect(card.latestNotes.map((note) => note.id)).toEqual(people.slice(0, 5).map(String));
    expect(card.latestNotes[0]).toEqual({
      id: String(people[0]),
      title: 'Call 1',
      excerpt: 'Call 1 She asked about the price.',
      createdAt: new Date(Math.floor(minutes(10) / 1000) * 1000),
    });
  });

  it("shows a lead's company title and status, no deals, and no owner the portal cannot name", async () => {
    b24 = await startTestBitrix24({ clock: () => NOW });
    const lead = b24.portal.seedLead({ name: 'Bruno', phones: ['+5521998765432'], assignedById: 77 });
    lead.fields.COMPANY_TITLE = 'Bruno & Filhos';
    lead.fields.STATUS_ID = 'IN_PROCESS';
    const destination = await b24.destination();
    let card = await destination.card({ type: 'lead', id: `L_${lead.id}` });
    const served = await requestsDuring(async () => {
      card = await destination.card({ type: 'lead', id: `L_${lead.id}` });
    });
    // The lead and its comments in one batch; the owner alone in a second request.
    expect(served).toEqual({ batch: 1, 'user.get': 1 });
    expect(card).toMatchObject({
      type: 'lead',
      name: 'Bruno',
      company: 'Bruno & Filhos',
      owner: undefined,
      leadStatus: 'IN_PROCESS',
      openDeals: [],
      latestNotes: [],
    });
  });

  it("reads further pages of comments when wasync's own crowd out people's", async () => {
    b24 = await startTestBitrix24({ clock: () => NOW });
    const ana = b24.portal.seedContact({ name: 'Ana' });
    for (let n = 1; n <= 120; n++) comment('contact', ana.id, `Chat day ${n} ${dayMarker(`day-${n}`)}`, n);
    const older = [200, 201].map((ago) => comment('contact', ana.id, `Visit ${ago}`, ago));
    const destination = await b24.destination();
    const card = await destination.card({ type: 'contact', id: String(ana.id) });
    expect(card.latestNotes.map((note) => note.title)).toEqual(['Visit 200', 'Visit 201']);
    expect(card.latestNotes.map((note) => note.id)).toEqual(older.map(String));
  });

  it('refuses an id that is not one, and a record the portal does not have', async () => {
    b24 = await startTestBitrix24();
    const destination = await b24.destination();
    const invalid = await destination.card({ type: 'contact', id: 'abc' }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(CrmError);
    expect(invalid).toMatchObject({ kind: 'rejected', code: 'INVALID_ID' });
    // A lead's id carries Bitrix24's short code for leads: a bare number names a contact.
    const bare = await destination.card({ type: 'lead', id: '4242' }).catch((e: unknown) => e);
    expect(bare).toMatchObject({ kind: 'rejected', code: 'INVALID_ID' });
    const missing = await destination.card({ type: 'lead', id: 'L_4242' }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ kind: 'rejected', code: 'NOT_FOUND' });
  });
});

describe('stripBbcode', () => {
  it('keeps the words of a comment and drops its markup', () => {
    expect(
      stripBbcode(
        '[B]Hi[/B] [url=https://x.example]there[/url] [DISK FILE ID=n12] [1] [color=#f00]ok[/color]',
      ),
    ).toBe('Hi there  [1] ok');
  });
});
