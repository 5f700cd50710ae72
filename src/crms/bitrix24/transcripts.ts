import { dayMarker, markerIn } from '../kit/day-marker.js';
import { CrmError, type DayTranscriptWrite, type TranscriptResult, type TranscriptUpsert } from '../types.js';
import { bbLink, bbText, commentOf } from './comment-text.js';
import type { DiskFolder } from './disk.js';
import { isNotFound } from './errors.js';
import { filesField, type PlannedFiles, planFiles } from './files.js';
import { ENTITY_OF, idOf } from './mapping.js';
import { type Bitrix24Command, type Bitrix24Transport, type CommandResult, listOf } from './transport.js';

export interface TranscriptContext {
  folder: DiskFolder;
  maxAttachmentBytes: number;
}

/** One day's comment, planned: its text and files, and the comment to update (none: a new one). */
interface Planned {
  index: number;
  write: DayTranscriptWrite;
  commentId: string | undefined;
  text: string;
  files: PlannedFiles;
}

/** A comment write: its command, with the base64 of its files read only when it is sent. */
interface CommentWrite {
  planned: Planned;
  add: boolean;
  withFiles: boolean;
}

/**
 * Writes each chat-day as one timeline comment on its contact or lead, updated in place as the day
 * goes on. Days whose write carries no file content go 50 commands to a batch request; a day with new
 * files on the comment goes in a request of its own (base64 never goes into a batch: the crm-apis notes
 * §3.5). A comment a person deleted (update: NOT_FOUND, crm-timeline-comment-update.md) is written
 * anew; after a lost answer (`uncertain`) the record's comments are read for the day's marker before
 * anything is made. Answers each day in order; a refused one (OWNER_NOT_FOUND: the contact was deleted)
 * refuses that day only.
 */
export async function upsertTranscripts(
  transport: Bitrix24Transport,
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
  // Days an earlier attempt may have written without its answer arriving: their comments are looked
  // for by marker first, so that none is written twice.
  const unsure = planned.filter((p) => p.commentId === undefined && batch[p.index]?.uncertain);
  const found = await commentsWithMarkers(
    transport,
    unsure.map((p) => p.write),
  );
  unsure.forEach((p, i) => {
    const outcome = found[i];
    if (outcome instanceof CrmError) results[p.index] = { ok: false, error: outcome };
    else p.commentId = outcome;
  });
  const writable = planned.filter((p) => results[p.index] === undefined);
  const first = await writeComments(
    transport,
    writable.map((p) => commentWrite(p, p.commentId === undefined)),
  );
  // Comments a person deleted since: the day must be on the record, so it is written again whole.
  const gone: Planned[] = [];
  writable.forEach((p, i) => {
    const outcome = first[i] as CommandResult;
    if (!outcome.ok && p.commentId !== undefined && isNotFound(outcome.error)) gone.push(p);
    else results[p.index] = resultOf(p, outcome);
  });
  const again = await writeComments(
    transport,
    gone.map((p) => commentWrite({ ...p, commentId: undefined }, true)),
  );
  gone.forEach((p, i) => {
    results[p.index] = resultOf({ ...p, commentId: undefined }, again[i] as CommandResult);
  });
  return results;
}

async function plan(
  transport: Bitrix24Transport,
  item: TranscriptUpsert,
  index: number,
  context: TranscriptContext,
): Promise<Planned> {
  const { write, existing } = item;
  // Without a ref the comment's files are not known: a day found by its marker sends them again.
  const files = await planFiles(transport, context.folder, write.attachments, existing?.related ?? {});
  return {
    index,
    write,
    commentId: existing?.id,
    text: commentOf(write, { files: files.listed, maxBytes: context.maxAttachmentBytes }),
    files,
  };
}

/**
 * FILES goes with an add that has files, and with an update only when a file is new to the comment:
 * an update with FILES deletes the comment's earlier files ("Old files are always deleted when
 * updating", files/how-to-update-files.md), so it carries them all again; without FILES the files stay
 * (the update page lists FILES as an optional field; that they stay is unverified).
 */
function commentWrite(planned: Planned, add: boolean): CommentWrite {
  const inline = planned.files.inline.length > 0;
  return { planned, add, withFiles: inline && (add || planned.files.newInline) };
}

async function commandOf(write: CommentWrite): Promise<Bitrix24Command> {
  const { planned } = write;
  const fields: Record<string, unknown> = { COMMENT: planned.text };
  if (write.withFiles) fields.FILES = await filesField(planned.files.inline);
  if (write.add) {
    const { record } = planned.write;
    // `fields` in lowercase, ENTITY_ID, ENTITY_TYPE and COMMENT required (crm-timeline-comment-add.md).
    return {
      method: 'crm.timeline.comment.add',
      params: { fields: { ENTITY_ID: Number(record.id), ENTITY_TYPE: ENTITY_OF[record.type], ...fields } },
    };
  }
  // `id` and `fields` are required (crm-timeline-comment-update.md).
  return {
    method: 'crm.timeline.comment.update',
    params: { id: Number(planned.commentId), fields },
  };
}

/**
 * Sends the writes, answered in order: those without file content in batches, those with files one a
 * request. A refusal answers its write; the portal's trouble stops the run (what was sent before is
 * found again by its marker).
 */
async function writeComments(
  transport: Bitrix24Transport,
  writes: readonly CommentWrite[],
): Promise<CommandResult[]> {
  const outcomes: CommandResult[] = new Array(writes.length);
  const light = writes.flatMap((write, index) => (write.withFiles ? [] : [index]));
  if (light.length > 0) {
    const commands = await Promise.all(light.map((index) => commandOf(writes[index] as CommentWrite)));
    const answered = await transport.batch(commands);
    light.forEach((index, i) => {
      outcomes[index] = answered[i] as CommandResult;
    });
  }
  for (const [index, write] of writes.entries()) {
    if (!write.withFiles) continue;
    const command = await commandOf(write);
    try {
      const answer = await transport.call(command.method, command.params);
      outcomes[index] = { ok: true, ...answer };
    } catch (error) {
      if (!(error instanceof CrmError) || error.kind !== 'rejected') throw error;
      outcomes[index] = { ok: false, error };
    }
  }
  return outcomes;
}

function resultOf(planned: Planned, outcome: CommandResult): TranscriptResult {
  if (!outcome.ok) return { ok: false, error: outcome.error };
  // add answers the new comment's id (`"result": 999`), update the id it updated.
  const id = planned.commentId ?? idOf(outcome.result);
  if (!id)
    return {
      ok: false,
      error: new CrmError({
        kind: 'retryable',
        code: 'UNEXPECTED_ANSWER',
        message: 'Bitrix24 answered a comment write without its id',
        outcomeUnknown: true,
      }),
    };
  return { ok: true, ref: { id, related: planned.files.related } };
}

/**
 * For each day, the id of its record's comment that carries the day's marker, or undefined, or why the
 * record's comments cannot be read. The records' newest 50 comments are read in one batch request for
 * all the days (filter ENTITY_ID and ENTITY_TYPE are required, order by ID, 50 a page:
 * crm-timeline-comment-list.md); a record with more is read on, page by page, until the marker shows.
 */
async function commentsWithMarkers(
  transport: Bitrix24Transport,
  writes: readonly DayTranscriptWrite[],
): Promise<(string | undefined | CrmError)[]> {
  if (writes.length === 0) return [];
  const params = (write: DayTranscriptWrite) => ({
    filter: { ENTITY_ID: Number(write.record.id), ENTITY_TYPE: ENTITY_OF[write.record.type] },
    order: { ID: 'DESC' },
    select: ['ID', 'COMMENT'],
  });
  const firsts = await transport.batch<unknown>(
    writes.map((write) => ({ method: 'crm.timeline.comment.list', params: params(write) })),
  );
  const found: (string | undefined | CrmError)[] = [];
  for (const [i, write] of writes.entries()) {
    const first = firsts[i];
    if (!first?.ok) {
      const error = first?.error;
      // A refused read refuses its day (the record is not there to write on); the rest passes.
      if (error?.kind === 'rejected') {
        found.push(error);
        continue;
      }
      throw (
        error ?? new CrmError({ kind: 'retryable', code: 'NO_ANSWER', message: 'Bitrix24 gave no answer' })
      );
    }
    const marker = dayMarker(write.key);
    let id = markedIn(listOf<CommentRow>(first.result), marker);
    for (let start = first.next; id === undefined && start !== undefined; ) {
      const page = await transport.call<unknown>('crm.timeline.comment.list', { ...params(write), start });
      id = markedIn(listOf<CommentRow>(page.result), marker);
      start = page.next;
    }
    found.push(id);
  }
  return found;
}

interface CommentRow {
  ID?: unknown;
  COMMENT?: unknown;
}

function markedIn(rows: readonly CommentRow[], marker: string): string | undefined {
  const row = rows.find((r) => typeof r.COMMENT === 'string' && r.COMMENT.includes(marker));
  return row ? idOf(row.ID) : undefined;
}

/**
 * Links a Disk file from a day's comment (uploadAttachment): a `📎 name: link` line before the day's
 * marker, the text read first (crm.timeline.comment.get) so that a link already there is not added
 * twice. COMMENT alone is updated, so the comment's files stay. A comment a person deleted is left
 * alone: the file stays on Disk.
 */
export async function linkFromComment(
  transport: Bitrix24Transport,
  commentId: string,
  file: { fileName: string; url: string },
): Promise<void> {
  let text: string;
  try {
    const answer = await transport.call<{ COMMENT?: unknown }>('crm.timeline.comment.get', {
      id: Number(commentId),
    });
    text = typeof answer.result?.COMMENT === 'string' ? answer.result.COMMENT : '';
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  const link = bbLink(file.url, 'open on Drive');
  if (text.includes(link)) return;
  const line = `📎 ${bbText(file.fileName)}: ${link}`;
  const marker = markerIn(text);
  const at = marker === undefined ? -1 : text.lastIndexOf(marker);
  const updated = at < 0 ? `${text}\n\n${line}` : `${text.slice(0, at)}${line}\n\n${text.slice(at)}`;
  try {
    await transport.call('crm.timeline.comment.update', {
      id: Number(commentId),
      fields: { COMMENT: updated },
    });
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
