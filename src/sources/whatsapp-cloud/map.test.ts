import { describe, expect, it } from 'vitest';
import { mapDelivery, SENT_ELSEWHERE_TEXT } from './map.js';

const BUSINESS = '15550783881';
const USER = '16505551234';

const body = (field: string, value: Record<string, unknown>) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: 'waba',
      changes: [
        {
          field,
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: BUSINESS, phone_number_id: '1' },
            ...value,
          },
        },
      ],
    },
  ],
});
const map = (field: string, value: Record<string, unknown>) => mapDelivery(body(field, value), 'acc', 5_000);
const text = (from: string, id: string, extra: Record<string, unknown> = {}) => ({
  from,
  id,
  timestamp: '100',
  type: 'text',
  text: { body: id },
  ...extra,
});

describe('mapDelivery', () => {
  it('maps standby like messages and echoes: customer in, agent replies from me, statuses', () => {
    const mapped = map('standby', {
      contacts: [{ wa_id: USER }],
      messages: [text(USER, 'wamid.in')],
      message_echoes: [text(BUSINESS, 'wamid.out', { to: USER })],
      statuses: [{ id: 'wamid.out', status: 'read', timestamp: '101', recipient_id: USER }],
    });
    expect(mapped.items.map((i) => [i.sourceId, i.fromMe])).toEqual([
      ['wamid.in', false],
      ['wamid.out', true],
    ]);
    expect(mapped.statuses.map((s) => [s.messageId, s.status, s.at])).toEqual([
      ['wamid.out', 'read', 101_000],
    ]);
    expect(mapped.ignored).toEqual([]);
  });

  it("takes history from the account's own number as from me, in the thread's chat", () => {
    const mapped = map('history', {
      history: [
        {
          metadata: { phase: 0, chunk_order: 1, progress: 10 },
          threads: [
            { id: 'US.42', messages: [text(USER, 'wamid.a'), text(BUSINESS, 'wamid.b', { to: USER })] },
          ],
        },
      ],
    });
    expect(mapped.items.map((i) => [i.sourceId, i.fromMe, i.kind === 'message' && i.chat])).toEqual([
      ['wamid.a', false, { kind: 'direct', partner: { bsuid: 'US.42' } }],
      ['wamid.b', true, { kind: 'direct', partner: { bsuid: 'US.42' } }],
    ]);
    expect(mapped.placeholderContent).toEqual([]);
  });

  it('lists history media content as filling placeholders, whatever its from says', () => {
    const image = { caption: 'c', mime_type: 'image/jpeg', sha256: 'x', id: 'm1' };
    const mapped = map('history', {
      messages: [
        { from: BUSINESS, id: 'wamid.own', timestamp: '100', type: 'image', image },
        { from: USER, id: 'wamid.user', timestamp: '100', type: 'image', image },
      ],
    });
    expect(mapped.placeholderContent).toEqual(['wamid.own', 'wamid.user']);
    expect(mapped.items.map((i) => [i.sourceId, i.fromMe])).toEqual([
      ['wamid.own', true],
      ['wamid.user', false],
    ]);
  });

  it('reads a BSUID change without from or contacts, the previous id from the body', () => {
    const mapped = map('messages', {
      messages: [
        {
          id: 'wamid.s',
          timestamp: '100',
          type: 'system',
          system: { body: 'User A changed from US.1 to US.2', user_id: 'US.2', type: 'user_changed_user_id' },
        },
      ],
    });
    expect(mapped.keyChanges).toEqual([{ key: 'bsuid', from: { bsuid: 'US.1' }, to: { bsuid: 'US.2' } }]);
    expect(mapped.items).toHaveLength(1);
    expect(mapped.items[0]).toMatchObject({ type: 'system', sender: { bsuid: 'US.1' } });
  });

  it('reads both keys of a number change that brings a new BSUID, the id first', () => {
    const mapped = map('messages', {
      messages: [
        {
          from: USER,
          id: 'wamid.s',
          timestamp: '100',
          type: 'system',
          system: {
            body: `User A changed from ${USER} to 12195555358`,
            new_wa_id: '12195555358',
            user_id: 'US.9',
            parent_user_id: 'US.ENT.9',
            type: 'user_changed_number',
          },
        },
      ],
    });
    expect(mapped.keyChanges.map((c) => [c.key, c.from.phone, c.to])).toEqual([
      ['bsuid', `+${USER}`, { bsuid: 'US.9', parentBsuid: 'US.ENT.9' }],
      ['phone', `+${USER}`, { phone: '+12195555358', waId: '12195555358' }],
    ]);
  });

  it('gives each status the placeholder of a message sent elsewhere, in a group chat for a group', () => {
    const mapped = map('messages', {
      statuses: [
        { id: 'wamid.1', status: 'sent', timestamp: '100', recipient_id: USER, recipient_user_id: 'US.5' },
        { id: 'wamid.2', status: 'sent', timestamp: '100', recipient_id: 'GROUP1', recipient_type: 'group' },
        { id: 'wamid.3', status: 'sent', timestamp: '100' },
      ],
    });
    const [direct, group, none] = mapped.statuses;
    expect(direct?.placeholder).toMatchObject({
      sourceId: 'wamid.1',
      fromMe: true,
      sentAt: 100_000,
      type: 'unsupported',
      text: SENT_ELSEWHERE_TEXT,
      details: { sentElsewhere: true },
      chat: { kind: 'direct', partner: { phone: `+${USER}`, bsuid: 'US.5' } },
    });
    expect(group?.placeholder?.chat).toEqual({
      kind: 'group',
      groupKey: 'GROUP1',
      title: undefined,
      participants: [],
    });
    expect(none?.placeholder).toBeUndefined();
  });
});
