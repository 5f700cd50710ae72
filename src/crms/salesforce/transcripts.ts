import { CrmError, type DayTranscriptWrite, type TranscriptResult, type TranscriptUpsert } from '../types.js';
import type { QueryAnswer } from './mapping.js';
import { text } from './mapping.js';
import { soqlList } from './soql.js';
import type { SalesforceTransport } from './transport.js';

/** sObject Collections take 200 records per call. */
const COLLECTION = 200;
/** Transcript__c is a Long Text Area of 131,072 characters. */
const TRANSCRIPT_MAX = 131_072;
const CUT_MARK = '\n… (the full day is in the note)';

type CollectionItem = {
  id?: string;
  success: boolean;
  created?: boolean;
  errors?: { statusCode?: string; message?: string }[];
};

/**
 * Writes day transcripts in as few calls as sObject Collections allow: one upsert of the chat records
 * by Chat_Key__c, then for contacts one insert of new notes and one of their links, or one update of
 * notes written before. A note found linked to its chat record is reused, so a sync that crashed after
 * creating notes does not create them again.
 */
export async function upsertTranscripts(
  transport: SalesforceTransport,
  batch: readonly TranscriptUpsert[],
): Promise<TranscriptResult[]> {
  const results: TranscriptResult[] = [];
  for (let start = 0; start < batch.length; start += COLLECTION) {
    results.push(...(await upsertChunk(transport, batch.slice(start, start + COLLECTION))));
  }
  return results;
}

async function upsertChunk(
  transport: SalesforceTransport,
  chunk: readonly TranscriptUpsert[],
): Promise<TranscriptResult[]> {
  const upserted = await transport
    .request<CollectionItem[]>('PATCH', 'composite/sobjects/WhatsApp_Chat__c/Chat_Key__c', {
      allOrNone: false,
      records: chunk.map(({ write }) => chatRecord(write)),
    })
    .catch(explainMissingSetup);
  const results: TranscriptResult[] = chunk.map((_, i) => itemResult(upserted.body[i], 'the chat record'));
  const chatIds = results.map((r) => (r.ok ? r.ref.id : undefined));

  const forNotes = chunk
    .map((item, i) => ({ item, i, chatId: chatIds[i] }))
    .filter(
      (x): x is { item: TranscriptUpsert; i: number; chatId: string } =>
        x.chatId !== undefined && x.item.write.record.type === 'contact',
    );
  // A chat record this call created has no note linked to it yet: no need to look.
  const created = new Set(chunk.flatMap((_, i) => (upserted.body[i]?.created === true ? [i] : [])));
  const notes = await knownNotes(
    transport,
    forNotes
      .filter(({ i }) => !created.has(i))
      .map(({ item, chatId }) => ({ chatId, note: item.existing?.related.note })),
  );

  const adopted = await adoptOrphanNotes(
    transport,
    forNotes.filter(({ item, chatId }) => item.uncertain === true && !notes.has(chatId)),
  );
  for (const [chatId, noteId] of adopted) notes.set(chatId, noteId);
  const toUpdate = forNotes.filter(({ chatId }) => notes.has(chatId));
  const toCreate = forNotes.filter(({ chatId }) => !notes.has(chatId));
  if (toUpdate.length > 0) {
    const updated = await transport.request<CollectionItem[]>('PATCH', 'composite/sobjects', {
      allOrNone: false,
      records: toUpdate.map(({ item, chatId }) => ({
        attributes: { type: 'ContentNote' },
        id: notes.get(chatId),
        ...noteFields(item.write),
      })),
    });
    toUpdate.forEach(({ i }, n) => {
      const outcome = itemResult(updated.body[n], 'the note');
      if (!outcome.ok) results[i] = outcome;
    });
  }
  const adoptedLinks = forNotes
    .filter(({ chatId }) => adopted.has(chatId))
    .flatMap(({ i, item, chatId }) => {
      const noteId = adopted.get(chatId) as string;
      return [
        { i, noteId, linkedTo: chatId },
        { i, noteId, linkedTo: item.write.record.id },
      ];
    });
  if (adoptedLinks.length > 0) await linkNotes(transport, adoptedLinks, results);
  if (toCreate.length > 0) {
    const created = await transport.request<CollectionItem[]>('POST', 'composite/sobjects', {
      allOrNone: false,
      records: toCreate.map(({ item }) => ({
        attributes: { type: 'ContentNote' },
        ...noteFields(item.write),
      })),
    });
    const links: { i: number; noteId: string; linkedTo: string }[] = [];
    toCreate.forEach(({ i, item, chatId }, n) => {
      const outcome = itemResult(created.body[n], 'the note');
      if (!outcome.ok) results[i] = outcome;
      else {
        notes.set(chatId, outcome.ref.id);
        // Linked to the chat record too: that link is how a retry finds this note again.
        links.push(
          { i, noteId: outcome.ref.id, linkedTo: chatId },
          { i, noteId: outcome.ref.id, linkedTo: item.write.record.id },
        );
      }
    });
    await linkNotes(transport, links, results);
  }
  return results.map((result, i) => {
    const chatId = chatIds[i];
    const note = chatId === undefined ? undefined : notes.get(chatId);
    return result.ok && note ? { ok: true, ref: { id: result.ref.id, related: { note } } } : result;
  });
}

/** Without the custom object nothing can be written until a person runs the setup: park, and say so. */
function explainMissingSetup(error: unknown): never {
  if (error instanceof CrmError && (error.code === 'NOT_FOUND' || error.code === 'INVALID_TYPE')) {
    throw new CrmError({
      kind: 'park',
      code: 'SETUP_REQUIRED',
      message: `The WhatsApp Chat custom object is not set up in this org, or its fields are not accessible to the user wasync signs in as: run \`wasync setup salesforce\` (${error.message}).`,
    });
  }
  throw error;
}

function chatRecord(write: DayTranscriptWrite): Record<string, unknown> {
  return {
    attributes: { type: 'WhatsApp_Chat__c' },
    Chat_Key__c: write.key,
    ...(write.record.type === 'contact' ? { Contact__c: write.record.id } : { Lead__c: write.record.id }),
    Transcript__c:
      write.text.length > TRANSCRIPT_MAX
        ? write.text.slice(0, TRANSCRIPT_MAX - CUT_MARK.length) + CUT_MARK
        : write.text,
    Message_Count__c: write.messageCount,
    First_Message_At__c: write.firstMessageAt.toISOString(),
    Last_Message_At__c: write.lastMessageAt.toISOString(),
    Chat_Type__c: write.chat.kind === 'group' ? 'Group' : 'Direct',
    Group_Name__c: write.chat.kind === 'group' ? (write.chat.title ?? null) : null,
  };
}

/** ContentNote takes HTML, base64-encoded; its viewer drops raw newlines, hence the renderer's <p>s. */
function noteFields(write: DayTranscriptWrite): Record<string, string> {
  return { Title: write.title.slice(0, 255), Content: Buffer.from(write.html, 'utf8').toString('base64') };
}

/** Notes already written for these chat records: from the ledger, else found through their links. */
async function knownNotes(
  transport: SalesforceTransport,
  items: readonly { chatId: string; note: string | undefined }[],
): Promise<Map<string, string>> {
  const notes = new Map<string, string>();
  for (const { chatId, note } of items) if (note) notes.set(chatId, note);
  const unknown = items.filter(({ chatId }) => !notes.has(chatId)).map(({ chatId }) => chatId);
  for (let start = 0; start < unknown.length; start += COLLECTION) {
    const soql = `SELECT ContentDocumentId, LinkedEntityId FROM ContentDocumentLink WHERE LinkedEntityId IN ${soqlList(unknown.slice(start, start + COLLECTION))}`;
    const answer = await transport.request<QueryAnswer>('GET', `query?q=${encodeURIComponent(soql)}`);
    for (const link of answer.body.records) {
      const chatId = text(link, 'LinkedEntityId');
      const documentId = text(link, 'ContentDocumentId');
      if (chatId && documentId?.startsWith('069')) notes.set(chatId, documentId);
    }
  }
  return notes;
}

/**
 * Notes an interrupted attempt created but never linked: same title, linked to no record (only to
 * their owner). Found, they are reused instead of leaving an orphan beside a second note.
 */
async function adoptOrphanNotes(
  transport: SalesforceTransport,
  items: readonly { item: TranscriptUpsert; chatId: string }[],
): Promise<Map<string, string>> {
  const adopted = new Map<string, string>();
  if (items.length === 0) return adopted;
  const titles = [...new Set(items.map(({ item }) => noteFields(item.write).Title as string))];
  const candidates: { id: string; title: string }[] = [];
  for (let start = 0; start < titles.length; start += COLLECTION) {
    const soql = `SELECT Id, Title FROM ContentNote WHERE Title IN ${soqlList(titles.slice(start, start + COLLECTION))}`;
    const answer = await transport.request<QueryAnswer>('GET', `query?q=${encodeURIComponent(soql)}`);
    for (const row of answer.body.records) {
      const id = text(row, 'Id');
      const title = text(row, 'Title');
      if (id && title !== undefined) candidates.push({ id, title });
    }
  }
  if (candidates.length === 0) return adopted;
  const linked = new Set<string>();
  for (let start = 0; start < candidates.length; start += COLLECTION) {
    const ids = candidates.slice(start, start + COLLECTION).map((c) => c.id);
    const soql = `SELECT ContentDocumentId, LinkedEntityId FROM ContentDocumentLink WHERE ContentDocumentId IN ${soqlList(ids)}`;
    const answer = await transport.request<QueryAnswer>('GET', `query?q=${encodeURIComponent(soql)}`);
    for (const link of answer.body.records) {
      const entity = text(link, 'LinkedEntityId') ?? '';
      // Every file is linked to its owner (a user, 005…); any other link means the note is in use.
      if (!entity.startsWith('005')) linked.add(text(link, 'ContentDocumentId') ?? '');
    }
  }
  const orphans = candidates.filter((c) => !linked.has(c.id));
  const used = new Set<string>();
  for (const { item, chatId } of items) {
    const title = noteFields(item.write).Title;
    const orphan = orphans.find((o) => o.title === title && !used.has(o.id));
    if (orphan) {
      used.add(orphan.id);
      adopted.set(chatId, orphan.id);
    }
  }
  return adopted;
}

async function linkNotes(
  transport: SalesforceTransport,
  links: readonly { i: number; noteId: string; linkedTo: string }[],
  results: TranscriptResult[],
): Promise<void> {
  for (let start = 0; start < links.length; start += COLLECTION) {
    const chunk = links.slice(start, start + COLLECTION);
    const answer = await transport.request<CollectionItem[]>('POST', 'composite/sobjects', {
      allOrNone: false,
      records: chunk.map((link) => ({
        attributes: { type: 'ContentDocumentLink' },
        ContentDocumentId: link.noteId,
        LinkedEntityId: link.linkedTo,
        ShareType: 'V',
        Visibility: 'AllUsers',
      })),
    });
    chunk.forEach((link, n) => {
      const outcome = itemResult(answer.body[n], 'the note link');
      if (!outcome.ok) results[link.i] = outcome;
    });
  }
}

function itemResult(item: CollectionItem | undefined, what: string): TranscriptResult {
  if (item?.success && item.id) return { ok: true, ref: { id: item.id, related: {} } };
  const error = item?.errors?.[0];
  const code = error?.statusCode ?? 'UNKNOWN';
  const retryable = code === 'UNABLE_TO_LOCK_ROW' || code === 'ALL_OR_NONE_OPERATION_ROLLED_BACK';
  return {
    ok: false,
    error: new CrmError({
      kind: retryable ? 'retryable' : 'rejected',
      code,
      message: `Salesforce refused ${what}: ${error?.message ?? 'no reason given'}`,
    }),
  };
}
