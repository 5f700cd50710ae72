import { CrmError } from '../types.js';
import { salesforceError } from './errors.js';
import type { NoteItem, NotePlan } from './note-lookup.js';
import { isSaveResult, ownRefusal, type SaveResult, saveOutcome } from './save-results.js';
import type { SalesforceTransport } from './transport.js';

/** sObject Collections take 200 records per call. */
const COLLECTION = 200;

export type NoteOutcome = { ok: true; noteId: string } | { ok: false; error: CrmError };

interface Subrequest {
  method: 'POST' | 'PATCH';
  url: string;
  referenceId: string;
  body: { allOrNone: boolean; records: Record<string, unknown>[] };
}

interface CompositeAnswer {
  compositeResponse: { body: unknown; httpStatusCode: number; referenceId: string }[];
}

/** A composite call and, per subrequest, the batch item behind each of its records. */
interface Staged {
  subrequests: Subrequest[];
  owners: Map<string, number[]>;
  /** Where each created note's result is: subrequest and position. */
  createdAt: Map<number, { referenceId: string; position: number }>;
}

/**
 * Writes every note of a batch in one Composite call with allOrNone: the new notes, their links to the
 * chat record and the contact (ContentDocumentId `@{notes0[k].id}`, the [] operator of composite
 * references), the links found missing, and the updates. All of it lands or none of it does (REST API
 * Developer Guide, Composite: "If the value is true, the entire composite request is rolled back"; the
 * composite's allOrNone overrides each collection's), so no attempt leaves a note without its links.
 * At most 200 notes: one collection of notes, two of links, one of updates, within the five
 * collection subrequests a Composite call may hold. When the org refuses some records, the call is
 * made once more without their items; the refused items report why.
 */
export async function writeNotes(
  transport: SalesforceTransport,
  plans: readonly NotePlan[],
): Promise<Map<number, NoteOutcome>> {
  const outcomes = new Map<number, NoteOutcome>();
  let pending = [...plans];
  for (let attempt = 0; attempt < 2 && pending.length > 0; attempt++) {
    const staged = stage(transport.apiVersion, pending);
    const answer = await transport.request<CompositeAnswer>('POST', 'composite', {
      allOrNone: true,
      collateSubrequests: false,
      compositeRequest: staged.subrequests,
    });
    const subs = answer.body.compositeResponse;
    const refused = refusals(staged, subs);
    if (refused === undefined) {
      for (const plan of pending) outcomes.set(plan.item.index, succeeded(plan, staged, subs));
      return outcomes;
    }
    for (const [index, error] of refused) outcomes.set(index, { ok: false, error });
    const rolledBack = rolledBackError(subs);
    pending = pending.filter((plan) => !refused.has(plan.item.index));
    // Nothing to single out: every item waits for a later run rather than guessing.
    if (refused.size === 0 || attempt === 1) {
      for (const plan of pending) outcomes.set(plan.item.index, { ok: false, error: rolledBack });
      return outcomes;
    }
  }
  return outcomes;
}

type Entry = { owner: number; record: Record<string, unknown> };

/** The records of the call, each with the item it belongs to, and where each new note's id will be. */
function records(plans: readonly NotePlan[]) {
  const notes: Entry[] = [];
  const links: Entry[] = [];
  const updates: Entry[] = [];
  const createdAt = new Map<number, { referenceId: string; position: number }>();
  for (const plan of plans) {
    const { item } = plan;
    if (plan.kind === 'create') {
      const at = {
        referenceId: `notes${Math.floor(notes.length / COLLECTION)}`,
        position: notes.length % COLLECTION,
      };
      createdAt.set(item.index, at);
      notes.push({ owner: item.index, record: { attributes: { type: 'ContentNote' }, ...noteFields(item) } });
      // Linked to the chat record too: that link is how a later attempt finds this note again.
      const noteId = `@{${at.referenceId}[${at.position}].id}`;
      for (const to of [item.chatId, item.contactId])
        links.push({ owner: item.index, record: link(noteId, to) });
    } else {
      for (const to of plan.addLinks) links.push({ owner: item.index, record: link(plan.noteId, to) });
      const update = { attributes: { type: 'ContentNote' }, id: plan.noteId, ...noteFields(item) };
      updates.push({ owner: item.index, record: update });
    }
  }
  return { notes, links, updates, createdAt };
}

function stage(apiVersion: string, plans: readonly NotePlan[]): Staged {
  const { notes, links, updates, createdAt } = records(plans);
  const subrequests: Subrequest[] = [];
  const owners = new Map<string, number[]>();
  const add = (name: string, method: Subrequest['method'], entries: readonly Entry[]) => {
    for (let start = 0; start < entries.length; start += COLLECTION) {
      const chunk = entries.slice(start, start + COLLECTION);
      const referenceId = `${name}${start / COLLECTION}`;
      const body = { allOrNone: true, records: chunk.map((entry) => entry.record) };
      subrequests.push({
        method,
        url: `/services/data/v${apiVersion}/composite/sobjects`,
        referenceId,
        body,
      });
      owners.set(
        referenceId,
        chunk.map((entry) => entry.owner),
      );
    }
  };
  // In this order: the links name the new notes by reference.
  add('notes', 'POST', notes);
  add('links', 'POST', links);
  add('updates', 'PATCH', updates);
  return { subrequests, owners, createdAt };
}

/** ContentNote takes HTML, base64-encoded; only Title and Content can be set (Object Reference). */
function noteFields(item: NoteItem): Record<string, string> {
  return { Title: item.title, Content: item.content };
}

function link(noteId: string, to: string): Record<string, unknown> {
  return {
    attributes: { type: 'ContentDocumentLink' },
    ContentDocumentId: noteId,
    LinkedEntityId: to,
    ShareType: 'V',
    Visibility: 'AllUsers',
  };
}

/**
 * Undefined when every subrequest succeeded; else the items whose own records were refused (the
 * others were only rolled back with them).
 */
function refusals(
  staged: Staged,
  subs: CompositeAnswer['compositeResponse'],
): Map<number, CrmError> | undefined {
  const allSaved = subs.every(
    (sub) =>
      sub.httpStatusCode < 400 &&
      (!Array.isArray(sub.body) || sub.body.every((r) => !isSaveResult(r) || r.success)),
  );
  if (allSaved && subs.length === staged.subrequests.length) return undefined;
  const refused = new Map<number, CrmError>();
  for (const sub of subs) {
    if (!Array.isArray(sub.body)) continue;
    const owners = staged.owners.get(sub.referenceId) ?? [];
    sub.body.forEach((result: unknown, position) => {
      const owner = owners[position];
      if (owner === undefined || !isSaveResult(result) || ownRefusal(result) === undefined) return;
      const what = sub.referenceId.startsWith('links') ? 'the note link' : 'the note';
      // A link that is already there was made by a lost attempt: the next run sees it and moves on.
      const outcome = saveOutcome(result, what, what === 'the note link' ? ['DUPLICATE_VALUE'] : []);
      if (!outcome.ok && !refused.has(owner)) refused.set(owner, outcome.error);
    });
  }
  return refused;
}

/** Why a call that singled out no record was rolled back: the first subrequest that failed on its own. */
function rolledBackError(subs: CompositeAnswer['compositeResponse']): CrmError {
  const cause = subs.find((sub) => {
    if (sub.httpStatusCode < 400 || !Array.isArray(sub.body)) return false;
    const code = (sub.body[0] as { errorCode?: unknown } | undefined)?.errorCode;
    return code !== 'PROCESSING_HALTED';
  });
  if (cause) return salesforceError(cause.httpStatusCode, cause.body, null);
  return new CrmError({
    kind: 'retryable',
    code: 'PROCESSING_HALTED',
    message: 'Salesforce rolled the notes back: another write in the same call failed',
  });
}

function succeeded(plan: NotePlan, staged: Staged, subs: CompositeAnswer['compositeResponse']): NoteOutcome {
  if (plan.kind === 'update') return { ok: true, noteId: plan.noteId };
  const at = staged.createdAt.get(plan.item.index);
  const sub = subs.find((s) => s.referenceId === at?.referenceId);
  const result = Array.isArray(sub?.body)
    ? (sub.body[at?.position ?? -1] as SaveResult | undefined)
    : undefined;
  const outcome = saveOutcome(result, 'the note');
  return outcome.ok ? { ok: true, noteId: outcome.ref.id } : outcome;
}
