import { renderText } from '../kit/transcript-render.js';
import { CrmError, type DayTranscriptWrite, type TranscriptResult, type TranscriptUpsert } from '../types.js';
import { noteHtml } from './note-html.js';
import { type NoteItem, planNotes } from './note-lookup.js';
import { writeNotes } from './note-writes.js';
import { type SaveResult, saveOutcome } from './save-results.js';
import type { SalesforceTransport } from './transport.js';

/** sObject Collections take 200 records per call. */
const COLLECTION = 200;
/** Transcript__c is a Long Text Area of 131,072 characters. */
const TRANSCRIPT_MAX = 131_072;
const CUT_MARK = '\n… (the full day is in the note)';
/** ContentNote.Title holds 255 characters. */
const TITLE_MAX = 255;

/**
 * Writes day transcripts in as few calls as the limits allow: one upsert of the chat records by
 * Chat_Key__c, then for contacts one Composite call that creates the new notes with their links and
 * updates the others. A chat record that existed before, without a note the ledger knows, is looked at
 * first (note-lookup.ts), so whatever an interrupted attempt left is taken up instead of written twice.
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
    .request<SaveResult[]>('PATCH', 'composite/sobjects/WhatsApp_Chat__c/Chat_Key__c', {
      allOrNone: false,
      records: chunk.map(({ write }) => chatRecord(write)),
    })
    .catch(explainMissingSetup);
  const results: TranscriptResult[] = chunk.map((_, i) => saveOutcome(upserted.body[i], 'the chat record'));
  const notes: NoteItem[] = chunk.flatMap(({ write, existing }, index) => {
    const result = results[index];
    if (!result?.ok || write.record.type !== 'contact') return [];
    return [
      {
        index,
        chatId: result.ref.id,
        contactId: write.record.id,
        title: write.content.header.slice(0, TITLE_MAX),
        content: Buffer.from(noteHtml(write.content), 'utf8').toString('base64'),
        known: existing?.related.note,
        chatCreated: upserted.body[index]?.created === true,
      },
    ];
  });
  if (notes.length === 0) return results;
  const written = await writeNotes(transport, await planNotes(transport, notes));
  return results.map((result, index) => {
    const note = written.get(index);
    if (!result.ok || note === undefined) return result;
    return note.ok ? { ok: true, ref: { id: result.ref.id, related: { note: note.noteId } } } : note;
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

/** The day's chat record: the transcript as plain text (cut to the field's length), its counts and times. */
function chatRecord(write: DayTranscriptWrite): Record<string, unknown> {
  const text = renderText(write.content);
  return {
    attributes: { type: 'WhatsApp_Chat__c' },
    Chat_Key__c: write.key,
    ...(write.record.type === 'contact' ? { Contact__c: write.record.id } : { Lead__c: write.record.id }),
    Transcript__c:
      text.length > TRANSCRIPT_MAX ? text.slice(0, TRANSCRIPT_MAX - CUT_MARK.length) + CUT_MARK : text,
    Message_Count__c: write.messageCount,
    First_Message_At__c: write.firstMessageAt.toISOString(),
    Last_Message_At__c: write.lastMessageAt.toISOString(),
    Chat_Type__c: write.chat.kind === 'group' ? 'Group' : 'Direct',
    Group_Name__c: write.chat.kind === 'group' ? (write.chat.title ?? null) : null,
  };
}
