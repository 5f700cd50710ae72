/**
 * The messages `wasync demo` posts now and then, after the script: each chat goes on as a thread of
 * its own, picking up where the script left it (Ana reorders after her 5% deal, Mike calls on the
 * installed units, Bruno gets quotes for Rio, Carmen asks about the catalogue, the group reports on
 * the rollout). A thread is a run of episodes, each a short exchange in which the person and the rep
 * take turns, the person first; every line of an episode names its own number (a PO, a work order,
 * a week of the rollout), so a chat never shows the same line twice. Everything is drawn from a fixed
 * seed: the n-th live message is always the same.
 */
import { seededRandom } from '../core/seeded-random.js';
import {
  DEMO_GROUP,
  type DemoPersonKey,
  groupChat,
  type IngestItem,
  PEOPLE,
  party,
} from './conversations.js';

/** The chats the live messages go to, in the order a round is shuffled from. */
export const LIVE_CHATS = ['ana', 'mike', 'bruno', 'carmen', 'group'] as const;
export type LiveChat = (typeof LIVE_CHATS)[number];

const SEED = 0x5eed_da7a;

/** Who says a line: the chat's person (in the group, a member), or the demo rep. */
type Speaker = 'them' | 'me' | 'ana' | 'bruno';

interface Turn {
  by: Speaker;
  text: (p: Params) => string;
}

/** What an episode is about, drawn once per chat and episode from the seed. */
interface Params {
  /** The episode's own number, unique within the chat: it is in every line. */
  n: number;
  qty: number;
  day: string;
  time: string;
  store: string;
  room: string;
  part: string;
  price: string;
  colour: string;
  city: string;
}

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
const TIMES = ['9:00', '10:30', '11:00', '14:00', '15:30', '16:00'];
const STORES = ['Paulista', 'Pinheiros', 'Moema', 'Santana'];
const ROOMS = ['the lobby', 'meeting room 2', 'the warehouse', 'the third-floor office'];
const PARTS = ['side panel', 'handle', 'power cable', 'front cover'];
const COLOURS = ['blue', 'graphite', 'white', 'sand'];
const CITIES = ['Valencia', 'Sevilla', 'Bilbao', 'Zaragoza'];

function params(chat: LiveChat, episode: number): Params {
  const random = seededRandom(
    SEED ^ Math.imul(LIVE_CHATS.indexOf(chat) + 1, 0x9e37_79b1) ^ Math.imul(episode + 1, 0x85eb_ca6b),
  );
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  return {
    n: episode + 1,
    qty: 5 * (2 + Math.floor(random() * 11)),
    day: pick(DAYS),
    time: pick(TIMES),
    store: pick(STORES),
    room: pick(ROOMS),
    part: pick(PARTS),
    price: (95 + Math.floor(random() * 40)).toFixed(2),
    colour: pick(COLOURS),
    city: pick(CITIES),
  };
}

const po = (p: Params) => `PO-${1042 + p.n}`;
/** The order of the episode before (a reorder), which a support episode is about. */
const lastPo = (p: Params) => `PO-${1041 + p.n}`;
const workOrder = (p: Params) => `WO-${310 + p.n}`;
const rioQuote = (p: Params) => `RJ-${200 + p.n}`;
/** The quote of the episode before, which a call is about. */
const lastRioQuote = (p: Params) => `RJ-${199 + p.n}`;
const item = (p: Params) => `item ${(4100 + 7 * p.n).toString()}`;

/**
 * Each chat's episodes, taken in turn; within one, the person and the rep alternate, the person
 * first, and every episode has an even number of turns, so the next one starts with the person again.
 */
const EPISODES: Record<LiveChat, Turn[][]> = {
  ana: [
    [
      { by: 'them', text: (p) => `Hi! The ${p.store} store needs ${p.qty} more blue units, our ${po(p)}.` },
      { by: 'me', text: (p) => `Thanks Ana, ${po(p)} is in: ${p.qty} blue units with the 5% off.` },
      { by: 'them', text: (p) => `Can ${po(p)} reach ${p.store} by ${p.day}?` },
      { by: 'me', text: (p) => `Yes, ${po(p)} leaves tomorrow and arrives ${p.day}.` },
      { by: 'them', text: (p) => `${po(p)} arrived, all ${p.qty} units in good shape 👍` },
      { by: 'me', text: (p) => `Glad to hear it! The invoice for ${po(p)} is in your inbox.` },
    ],
    [
      {
        by: 'them',
        text: (p) => `One of the units from ${lastPo(p)} has a loose ${p.part}. Can someone look at it?`,
      },
      { by: 'me', text: (p) => `Sorry about that! A technician can fix the ${lastPo(p)} unit on ${p.day}.` },
      { by: 'them', text: (p) => `${p.day} at ${p.time} is fine for the ${lastPo(p)} unit.` },
      { by: 'me', text: (p) => `Booked: ${p.day} at ${p.time}, the ${p.part} of the ${lastPo(p)} unit.` },
    ],
  ],
  mike: [
    [
      { by: 'them', text: (p) => `Hey, the unit in ${p.room} is beeping again. Work order ${workOrder(p)}.` },
      { by: 'me', text: (p) => `On it: I can come for ${workOrder(p)} on ${p.day} at ${p.time}.` },
      { by: 'them', text: (p) => `${p.day} works. Your badge for ${workOrder(p)} will be at reception.` },
      { by: 'me', text: (p) => `${workOrder(p)} done: new filter, the unit in ${p.room} is quiet now.` },
    ],
    [
      { by: 'them', text: (p) => `Could you send ${p.qty} spare filters? Put them on ${workOrder(p)}.` },
      { by: 'me', text: (p) => `Sure, ${p.qty} filters on ${workOrder(p)}, they ship today.` },
    ],
  ],
  bruno: [
    [
      {
        by: 'them',
        text: (p) => `Could you quote ${p.qty * 10} units for Rio? Our reference ${rioQuote(p)}.`,
      },
      {
        by: 'me',
        text: (p) => `Quote ${rioQuote(p)}: ${p.qty * 10} units at USD ${p.price} each, two days to Rio.`,
      },
      { by: 'them', text: (p) => `Any discount on ${rioQuote(p)} if we pay upfront?` },
      { by: 'me', text: (p) => `Yes: 3% off ${rioQuote(p)} for payment upfront.` },
    ],
    [
      {
        by: 'them',
        text: (p) => `Can we have a video call on ${p.day} at ${p.time} about ${lastRioQuote(p)}?`,
      },
      { by: 'me', text: (p) => `${p.day} at ${p.time} is in my calendar, for ${lastRioQuote(p)}.` },
    ],
  ],
  carmen: [
    [
      {
        by: 'them',
        text: (p) => `Another question on the catalogue: is ${item(p)} available in ${p.colour}?`,
      },
      { by: 'me', text: (p) => `Yes, ${item(p)} comes in ${p.colour}, EUR ${p.price}, shipped from Madrid.` },
    ],
    [
      { by: 'them', text: (p) => `How long does ${item(p)} take to reach ${p.city}?` },
      { by: 'me', text: (p) => `To ${p.city}, ${item(p)} takes ${2 + (p.n % 3)} working days.` },
      { by: 'them', text: (p) => `Then I'll order ${p.qty / 5} of ${item(p)} for ${p.city}.` },
      { by: 'me', text: (p) => `Thank you Carmen! Order for ${p.qty / 5} × ${item(p)} confirmed.` },
    ],
  ],
  group: [
    [
      { by: 'ana', text: (p) => `São Paulo, week ${p.n}: ${p.qty} more blue units live.` },
      { by: 'me', text: (p) => `Thanks Ana, great week ${p.n}!` },
      { by: 'bruno', text: (p) => `Rio, week ${p.n}: ${p.qty / 5} units in, training on ${p.day}.` },
      { by: 'me', text: (p) => `Good progress in week ${p.n}, Bruno.` },
    ],
  ],
};

/** The chat of the live message at `step`: every round of five steps visits each chat once, in a seeded order. */
export function liveChatAt(step: number): { chat: LiveChat; turn: number } {
  const round = Math.floor(step / LIVE_CHATS.length);
  const order = [...LIVE_CHATS];
  const random = seededRandom(SEED ^ Math.imul(round + 1, 0x85eb_ca6b));
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as LiveChat, order[i] as LiveChat];
  }
  return { chat: order[step % LIVE_CHATS.length] as LiveChat, turn: round };
}

/** A chat's `turn`-th live line: which episode, which line of it, and who says it. */
export function liveLine(chat: LiveChat, turn: number): { by: Speaker; text: string } {
  const episodes = EPISODES[chat];
  const cycle = episodes.reduce((sum, turns) => sum + turns.length, 0);
  let offset = turn % cycle;
  let index = 0;
  while (offset >= (episodes[index]?.length ?? 0)) {
    offset -= episodes[index]?.length ?? 0;
    index++;
  }
  const episode = Math.floor(turn / cycle) * episodes.length + index;
  const line = episodes[index]?.[offset] as Turn;
  return { by: line.by, text: line.text(params(chat, episode)) };
}

/**
 * The live message at `step` (the demo counts them in its data dir, so a later run goes on where the
 * last stopped): its id is the step's, so one posted twice is stored once. Returns who it was with,
 * for the log line.
 */
export function liveMessage(
  step: number,
  at: number,
): { item: IngestItem; chatName: string; chat: LiveChat } {
  const { chat, turn } = liveChatAt(step);
  const { by, text } = liveLine(chat, turn);
  const timestamp = new Date(at).toISOString();
  const id = `demo.live.${step}`;
  if (chat === 'group') {
    const from = by === 'me' ? { fromMe: true } : { from: party(by === 'bruno' ? 'bruno' : 'ana') };
    return {
      item: { id, chat: groupChat(), ...from, timestamp, text },
      chatName: `group "${DEMO_GROUP.title}"`,
      chat,
    };
  }
  const key: DemoPersonKey = chat;
  return {
    item: {
      id,
      chat: { type: 'direct', with: party(key) },
      ...(by === 'me' ? { fromMe: true } : {}),
      timestamp,
      text,
    },
    chatName: PEOPLE[key].name,
    chat,
  };
}
