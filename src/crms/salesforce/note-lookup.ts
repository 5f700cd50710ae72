import { type SoqlRow, text } from './mapping.js';
import { queryMany } from './query.js';
import { soqlList } from './soql.js';
import type { SalesforceTransport } from './transport.js';

/** Ids or titles per query: well inside SOQL's 100,000 characters, and the call carries them in its body. */
const PER_QUERY = 200;

/** A day's note on a contact, as the destination is asked to write it. */
export interface NoteItem {
  /** Position in the batch, to report back. */
  index: number;
  chatId: string;
  contactId: string;
  title: string;
  /** HTML, base64-encoded as ContentNote takes it. */
  content: string;
  /** The note the ledger says an earlier write made. */
  known: string | undefined;
  /** The chat record was created by this very write, so no note can be on it yet. */
  chatCreated: boolean;
}

/** What to do for one item: create its note, or update one that exists and add the links it lacks. */
export type NotePlan =
  | { kind: 'create'; item: NoteItem }
  | { kind: 'update'; item: NoteItem; noteId: string; addLinks: string[] };

/**
 * Finds, for each item, the note an earlier attempt left, whatever step that attempt reached: linked
 * to the chat record (with or without the contact), or created and linked to nobody but its owner.
 * Without a note from the ledger, every chat record that existed before this write is looked at, not
 * only writes the engine marks uncertain: a refused or failed call may still have written something.
 * Two calls at most, and none in the usual cases (a new day; a day the ledger knows).
 */
export async function planNotes(
  transport: SalesforceTransport,
  items: readonly NoteItem[],
): Promise<NotePlan[]> {
  const lost = items.filter((item) => item.known === undefined && !item.chatCreated);
  const found = lost.length > 0 ? await findLostNotes(transport, lost) : new Map<number, FoundNote>();
  return items.map((item): NotePlan => {
    if (item.known !== undefined) return { kind: 'update', item, noteId: item.known, addLinks: [] };
    const note = found.get(item.index);
    if (!note) return { kind: 'create', item };
    const wanted = [item.chatId, item.contactId];
    return { kind: 'update', item, noteId: note.id, addLinks: wanted.filter((id) => !note.linkedTo.has(id)) };
  });
}

interface FoundNote {
  id: string;
  linkedTo: Set<string>;
}

async function findLostNotes(
  transport: SalesforceTransport,
  items: readonly NoteItem[],
): Promise<Map<number, FoundNote>> {
  // First call: notes linked to the chat records, and notes bearing the titles (orphan candidates).
  const chatIds = items.map((item) => item.chatId);
  const titles = [...new Set(items.map((item) => item.title))];
  const linkQueries = chunks(chatIds).map(
    (ids) =>
      // FileType SNOTE: a note, never a file uploaded to the same chat record (Object Reference,
      // ContentNote: "All notes have a file type of SNOTE").
      `SELECT ContentDocumentId, LinkedEntityId FROM ContentDocumentLink WHERE LinkedEntityId IN ${soqlList(ids)} AND ContentDocument.FileType = 'SNOTE'`,
  );
  const titleQueries = chunks(titles).map(
    (chunk) => `SELECT Id, Title FROM ContentNote WHERE Title IN ${soqlList(chunk)}`,
  );
  const answers = await queryMany(transport, [...linkQueries, ...titleQueries]);
  const noteOfChat = new Map<string, string>();
  for (const row of answers.slice(0, linkQueries.length).flat()) {
    const chatId = text(row, 'LinkedEntityId');
    const noteId = text(row, 'ContentDocumentId');
    if (chatId && noteId && !noteOfChat.has(chatId)) noteOfChat.set(chatId, noteId);
  }
  const titled = answers.slice(linkQueries.length).flat();

  // Second call: every link of those notes, to see which lack the contact and which are orphans.
  const noteIds = [...new Set([...noteOfChat.values(), ...titled.map((row) => text(row, 'Id') ?? '')])];
  const links = await linksOf(transport, noteIds.filter(Boolean));
  const found = new Map<number, FoundNote>();
  const claimed = new Set<string>();
  for (const item of items) {
    const noteId = noteOfChat.get(item.chatId);
    if (noteId && !claimed.has(noteId)) {
      claimed.add(noteId);
      found.set(item.index, { id: noteId, linkedTo: links.get(noteId) ?? new Set() });
    }
  }
  for (const item of items) {
    if (found.has(item.index)) continue;
    const orphan = titled.find((row) => {
      const id = text(row, 'Id') ?? '';
      return text(row, 'Title') === item.title && !claimed.has(id) && isOrphan(links.get(id));
    });
    const id = orphan && text(orphan, 'Id');
    if (id) {
      claimed.add(id);
      found.set(item.index, { id, linkedTo: new Set() });
    }
  }
  return found;
}

/** Linked to nobody but users (its owner, 005…): left by an attempt that never linked it. */
function isOrphan(linkedTo: ReadonlySet<string> | undefined): boolean {
  return [...(linkedTo ?? [])].every((id) => id.startsWith('005'));
}

async function linksOf(
  transport: SalesforceTransport,
  noteIds: readonly string[],
): Promise<Map<string, Set<string>>> {
  const links = new Map<string, Set<string>>();
  if (noteIds.length === 0) return links;
  const queries = chunks(noteIds).map(
    (ids) =>
      `SELECT ContentDocumentId, LinkedEntityId FROM ContentDocumentLink WHERE ContentDocumentId IN ${soqlList(ids)}`,
  );
  const rows: SoqlRow[] = (await queryMany(transport, queries)).flat();
  for (const row of rows) {
    const noteId = text(row, 'ContentDocumentId');
    const entity = text(row, 'LinkedEntityId');
    if (!noteId || !entity) continue;
    const set = links.get(noteId) ?? new Set<string>();
    set.add(entity);
    links.set(noteId, set);
  }
  return links;
}

function chunks<T>(values: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < values.length; start += PER_QUERY)
    out.push(values.slice(start, start + PER_QUERY));
  return out;
}
