/**
 * A deterministic workload shaped like a sales team's WhatsApp: many 1:1 chats, a few busy groups,
 * short texts with the odd long one. The same seed gives the same 100,000 messages every run.
 */

export interface WorkloadOptions {
  messages: number;
  directChats: number;
  groups: number;
  seed: number;
}

export function* generateItems(options: WorkloadOptions): Generator<Record<string, unknown>> {
  const random = mulberry32(options.seed);
  const start = Math.floor(Date.now() / 1000) - 20 * 86_400;
  const phone = (n: number) => `+55119${String(10_000_000 + n).slice(-8)}`;
  for (let i = 0; i < options.messages; i++) {
    const inGroup = random() < 0.2 && options.groups > 0;
    const fromMe = random() < 0.4;
    const timestamp = start + Math.floor((i / options.messages) * 19 * 86_400);
    const text = sentence(random, random() < 0.05 ? 80 : 12);
    if (inGroup) {
      const group = Math.floor(random() * options.groups);
      const member = Math.floor(random() * options.directChats);
      yield {
        id: `bench-${i}`,
        chat: {
          type: 'group',
          id: `1203630000${String(group).padStart(8, '0')}@g.us`,
          title: `Customer group ${group}`,
        },
        ...(fromMe ? { fromMe: true } : { from: { phone: phone(member), name: `Customer ${member}` } }),
        timestamp,
        text,
      };
    } else {
      const partner = Math.floor(random() * options.directChats);
      yield {
        id: `bench-${i}`,
        chat: { type: 'direct', with: { phone: phone(partner), name: `Customer ${partner}` } },
        ...(fromMe ? { fromMe: true } : {}),
        timestamp,
        text,
      };
    }
  }
}

const WORDS =
  'price order delivery invoice tomorrow thanks please send quote model size colour stock discount'.split(
    ' ',
  );

function sentence(random: () => number, words: number): string {
  return Array.from(
    { length: 1 + Math.floor(random() * words) },
    () => WORDS[Math.floor(random() * WORDS.length)],
  ).join(' ');
}

/** Small fast seeded PRNG (public domain), so runs are comparable. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
