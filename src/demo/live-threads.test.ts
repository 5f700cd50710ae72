import { describe, expect, it } from 'vitest';
import { PEOPLE } from './conversations.js';
import { LIVE_CHATS, type LiveChat, liveChatAt, liveMessage } from './live-threads.js';

const AT = Date.UTC(2026, 11, 5, 9, 0);
const TURNS = 60;

/** The first `turns` live messages of each chat, in the order they are posted. */
function threads(turns: number) {
  const byChat = new Map<LiveChat, ReturnType<typeof liveMessage>[]>(LIVE_CHATS.map((c) => [c, []]));
  for (let step = 0; step < turns * LIVE_CHATS.length; step++) {
    const message = liveMessage(step, AT + step * 30_000);
    byChat.get(message.chat)?.push(message);
  }
  return byChat;
}

/** Who said it: the rep, or the phone of the person (in the group, the member). */
function speaker(item: Record<string, unknown>): string {
  if (item.fromMe === true) return 'me';
  const from = item.from as { phone: string } | undefined;
  const chat = item.chat as { with?: { phone: string } };
  return from?.phone ?? chat.with?.phone ?? '?';
}

describe('the demo live messages', () => {
  it('each round of five visits every chat once, in an order that changes from round to round', () => {
    const orders = new Set<string>();
    for (let round = 0; round < 20; round++) {
      const chats = [0, 1, 2, 3, 4].map((i) => liveChatAt(round * 5 + i));
      expect(chats.map((c) => c.chat).sort()).toEqual([...LIVE_CHATS].sort());
      expect(new Set(chats.map((c) => c.turn))).toEqual(new Set([round]));
      orders.add(chats.map((c) => c.chat).join());
    }
    expect(orders.size).toBeGreaterThan(5);
  });

  it(`no chat repeats a line in its first ${TURNS} live messages`, () => {
    for (const [chat, messages] of threads(TURNS)) {
      expect(messages, chat).toHaveLength(TURNS);
      const texts = messages.map((m) => String(m.item.text));
      expect(new Set(texts).size, chat).toBe(TURNS);
    }
  });

  it('in a 1:1 chat the person and the rep take turns, the person first', () => {
    for (const chat of ['ana', 'mike', 'bruno', 'carmen'] as const) {
      const speakers = (threads(TURNS).get(chat) ?? []).map((m) => speaker(m.item));
      const person = PEOPLE[chat].phone;
      expect(speakers, chat).toEqual(speakers.map((_, i) => (i % 2 === 0 ? person : 'me')));
    }
  });

  it('in the group Ana and Bruno each report in turn, the rep answering each', () => {
    const messages = threads(8).get('group') ?? [];
    const [ana, bruno] = [PEOPLE.ana.phone, PEOPLE.bruno.phone];
    expect(messages.map((m) => speaker(m.item))).toEqual([ana, 'me', bruno, 'me', ana, 'me', bruno, 'me']);
    expect(messages.map((m) => m.item.text)).toEqual([
      expect.stringMatching(/^São Paulo, week 1: /),
      'Thanks Ana, great week 1!',
      expect.stringMatching(/^Rio, week 1: /),
      'Good progress in week 1, Bruno.',
      expect.stringMatching(/^São Paulo, week 2: /),
      'Thanks Ana, great week 2!',
      expect.stringMatching(/^Rio, week 2: /),
      'Good progress in week 2, Bruno.',
    ]);
  });

  it("a thread follows its story: Ana's reorder goes from her PO to its invoice, then the support call is about that order", () => {
    const texts = (threads(10).get('ana') ?? []).map((m) => String(m.item.text));
    expect(texts[0]).toMatch(/^Hi! The \w+ store needs \d+ more blue units, our PO-1043\.$/);
    expect(texts[1]).toMatch(/^Thanks Ana, PO-1043 is in/);
    expect(texts[5]).toBe('Glad to hear it! The invoice for PO-1043 is in your inbox.');
    expect(texts[6]).toMatch(/^One of the units from PO-1043 has a loose /);
    expect(texts.slice(6).every((t) => t.includes('PO-1043'))).toBe(true);
  });

  it('is the same every time: seeded, ids by step, timestamps as given', () => {
    const first = liveMessage(123, AT);
    expect(liveMessage(123, AT)).toEqual(first);
    expect(first.item.id).toBe('demo.live.123');
    expect(first.item.timestamp).toBe(new Date(AT).toISOString());
    const ids = Array.from({ length: 50 }, (_, step) => liveMessage(step, AT).item.id);
    expect(new Set(ids).size).toBe(50);
  });
});
