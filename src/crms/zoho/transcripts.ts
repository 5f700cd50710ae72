import { dayMarker } from '../kit/day-marker.js';
import { CrmError, type TranscriptResult, type TranscriptUpsert } from '../types.js';
import { convertedContact } from './conversions.js';
import { latestDealIds } from './deals.js';
import { uploadOnce } from './files.js';
import { MODULE_OF, type RecordLinks, recordUrl, type ZohoList } from './mapping.js';
import { type AttachedFile, noteOf } from './note-text.js';
import { type NoteWrite, writeNotes } from './note-writes.js';
import type { ZohoTransport } from './transport.js';

/**
 * How a day's ref names what it holds (TranscriptRef.related): `note:deal:<id>` the same note on a
 * deal, `file:<key>` a file in the record's Attachments, `dealsOn` the day the deal set was chosen.
 */
const DEAL_NOTE = 'note:deal:';
const FILE = 'file:';
const DEALS_ON = 'dealsOn';

export interface TranscriptContext {
  links(): Promise<RecordLinks>;
  maxAttachmentBytes: number;
  /** Today (`YYYY-MM-DD`): a day's deals are chosen again when it is written on a later day. */
  today(): string;
}

/** One item's notes, planned: the record's, then one per deal. */
interface Planned {
  index: number;
  notes: NoteWrite[];
  /** Deal of each note after the first. */
  deals: string[];
  related: Record<string, string>;
}

/**
 * Writes each chat-day as a note on its contact or lead, and the same note on the contact's five most
 * recently modified deals (chosen when the day is first written, and again when it is written on a
 * later day), the day's files uploaded once to the record's Attachments before and listed in the note.
 * Notes of the whole batch go out together, 100 a call. A day is updated in place by the ids its ref
 * holds; after a lost answer (`uncertain`) its notes are found by the day's marker before any is made.
 * A day refused on a lead that was converted is written on the contact the lead became.
 */
export async function upsertTranscripts(
  transport: ZohoTransport,
  batch: readonly TranscriptUpsert[],
  context: TranscriptContext,
): Promise<TranscriptResult[]> {
  const results = await upsertBatch(transport, batch, context);
  // A lead a person converted is gone from the API, and Zoho refuses the day on it: the day goes on
  // the contact the lead became (its earlier notes moved there with the conversion).
  const moved: { index: number; item: TranscriptUpsert }[] = [];
  for (const [index, item] of batch.entries()) {
    const result = results[index];
    if (item.write.record.type !== 'lead' || result?.ok !== false || result.error.kind !== 'rejected')
      continue;
    const contact = await convertedContact(transport, item.write.record.id);
    if (contact)
      moved.push({
        index,
        item: { ...item, write: { ...item.write, record: { type: 'contact', id: contact } } },
      });
  }
  if (moved.length === 0) return results;
  const again = await upsertBatch(
    transport,
    moved.map((m) => m.item),
    context,
  );
  moved.forEach((m, i) => {
    results[m.index] = again[i] as TranscriptResult;
  });
  return results;
}

async function upsertBatch(
  transport: ZohoTransport,
  batch: readonly TranscriptUpsert[],
  context: TranscriptContext,
): Promise<TranscriptResult[]> {
  const results: TranscriptResult[] = new Array(batch.length);
  const planned: Planned[] = [];
  for (const [index, item] of batch.entries()) {
    try {
      planned.push(await plan(transport, item, index, context));
    } catch (error) {
      // A refused file or record refuses its day only; anything else stops the batch.
      if (!(error instanceof CrmError) || error.kind !== 'rejected') throw error;
      results[index] = { ok: false, error };
    }
  }
  const notes = planned.flatMap((p) => p.notes);
  const written = await writeNotes(transport, notes);
  let at = 0;
  for (const p of planned) {
    const [own, ...onDeals] = written.slice(at, at + p.notes.length);
    at += p.notes.length;
    if (!own?.ok) {
      // The deals' notes may have been made: the next attempt looks for them by marker.
      const error =
        own?.error ?? new CrmError({ kind: 'retryable', code: 'NO_ANSWER', message: 'no answer' });
      results[p.index] = {
        ok: false,
        error: withUnknownOutcome(
          error,
          onDeals.some((r) => r?.ok),
        ),
      };
      continue;
    }
    const related = { ...p.related };
    let failed: CrmError | undefined;
    onDeals.forEach((result, i) => {
      const deal = p.deals[i] as string;
      if (result?.ok) related[`${DEAL_NOTE}${deal}`] = result.id;
      // A deal deleted or refused since it was chosen is left out; a passing failure is tried again.
      else if (result && result.error.kind !== 'rejected') failed ??= result.error;
      else delete related[`${DEAL_NOTE}${deal}`];
    });
    results[p.index] = failed
      ? { ok: false, error: withUnknownOutcome(failed, true) }
      : { ok: true, ref: { id: own.id, related } };
  }
  return results;
}

async function plan(
  transport: ZohoTransport,
  item: TranscriptUpsert,
  index: number,
  context: TranscriptContext,
): Promise<Planned> {
  const { write, existing, uncertain } = item;
  const module = MODULE_OF[write.record.type];
  const parent = { module, id: write.record.id };
  const previous = existing?.related ?? {};
  const related: Record<string, string> = {};

  // Files first, so the note can say where they are.
  const knownFiles = new Map<string, string>();
  for (const [name, value] of Object.entries(previous))
    if (name.startsWith(FILE)) knownFiles.set(name.slice(FILE.length), value);
  const files = await uploadOnce(transport, parent, write.attachments, knownFiles);
  for (const [key, ref] of files) related[`${FILE}${key}`] = ref;
  const links = await context.links();
  const attached: AttachedFile[] = write.attachments.map((file) => ({
    fileName: file.fileName,
    sizeBytes: file.sizeBytes,
    senderName: file.senderName,
    time: file.time,
  }));
  const body = noteOf(write, {
    attached,
    recordUrl: recordUrl(links, module, write.record.id),
    maxBytes: context.maxAttachmentBytes,
  });

  // The deals: those that hold the day already keep it; the latest five are chosen once a day.
  const dealNotes = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(previous))
    if (name.startsWith(DEAL_NOTE)) dealNotes.set(name.slice(DEAL_NOTE.length), value);
  if (write.record.type === 'contact') {
    const today = context.today();
    if (previous[DEALS_ON] !== today || existing === undefined) {
      for (const deal of await latestDealIds(transport, write.record.id))
        if (!dealNotes.has(deal)) dealNotes.set(deal, undefined);
    }
    related[DEALS_ON] = today;
  }

  let ownId = existing?.id;
  if (uncertain) {
    const marker = dayMarker(write.key);
    ownId ??= await noteWithMarker(transport, parent, marker);
    for (const [deal, id] of dealNotes)
      if (id === undefined)
        dealNotes.set(deal, await noteWithMarker(transport, { module: 'Deals', id: deal }, marker));
  }
  const deals = [...dealNotes.keys()];
  return {
    index,
    notes: [
      { parent, id: ownId, body },
      ...deals.map((deal) => ({ parent: { module: 'Deals', id: deal }, id: dealNotes.get(deal), body })),
    ],
    deals,
    related,
  };
}

/** The id of a parent's note that carries the marker, reading its notes 200 a page (204: none). */
async function noteWithMarker(
  transport: ZohoTransport,
  parent: { module: string; id: string },
  marker: string,
): Promise<string | undefined> {
  for (let page = 1; ; page++) {
    const answer = await transport.request<ZohoList>('GET', `${parent.module}/${parent.id}/Notes`, {
      query: { fields: 'Note_Title,Note_Content', page, per_page: 200 },
    });
    const found = (answer.body?.data ?? []).find(
      (note) => typeof note.Note_Content === 'string' && note.Note_Content.includes(marker),
    );
    if (found) return String(found.id);
    if (!answer.body?.info?.more_records) return undefined;
  }
}

/** A failure after some of the day's notes were made: the next attempt looks for them first. */
function withUnknownOutcome(error: CrmError, unknown: boolean): CrmError {
  if (!unknown || error.outcomeUnknown || error.kind === 'rejected') return error;
  return new CrmError({
    kind: error.kind,
    code: error.code,
    message: error.message,
    retryAfterMs: error.retryAfterMs,
    outcomeUnknown: true,
  });
}
