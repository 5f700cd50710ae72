/**
 * Deleting what a live run wrote into a real Bitrix24 portal. The run knows the contacts and leads it
 * made and the Disk files the destination answered with; the day comments hang off the records and
 * are listed from them. Everything goes by id through the REST API: the comments
 * (crm-timeline-comment-delete.md), the Disk files, permanently (disk-file-delete.md), then the records
 * (crm-contact-delete.md, crm-lead-delete.md), so that whatever a failure leaves behind can still be
 * found from a record the run tagged.
 */
import type { RecordType } from '../../src/crms/types.js';
import { isGone, type LivePortalRest, type PortalCommand } from './bitrix24-live-rest.js';

export interface LiveRecord {
  type: RecordType;
  id: string;
}

/**
 * What every record a live run makes carries: ORIGINATOR_ID, the data source a record came from, and
 * ORIGIN_ID, its id there (crm-contact-fields.md, crm-lead-fields.md): the run's tag. Leftovers of an
 * earlier run are found by the first.
 */
export const LIVE_ORIGINATOR = 'wasync-live';

/**
 * Deletes the records, their comments and the Disk files; every delete is tried even when one fails,
 * and what is gone already counts as deleted. Answers what it could not delete, with the reason.
 */
export async function deleteBitrix24RunRecords(
  rest: LivePortalRest,
  made: { records: readonly LiveRecord[]; diskFiles: readonly string[] },
): Promise<string[]> {
  const problems: string[] = [];
  const comments: PortalCommand[] = [];
  // Each record's first page of comments, 50 records to a batch request; a record with more pages
  // is read on from there.
  const listed = await rest
    .batch(
      made.records.map((record) => ({
        method: 'crm.timeline.comment.list',
        params: { filter: { ENTITY_ID: record.id, ENTITY_TYPE: record.type }, select: ['ID'] },
      })),
    )
    .catch((error: unknown) => made.records.map(() => ({ ok: false as const, error })));
  for (const [i, record] of made.records.entries()) {
    const outcome = listed[i];
    try {
      if (!outcome?.ok) throw outcome?.error ?? new Error('no answer');
      let rows = outcome.result as { ID: string }[];
      if (outcome.next !== undefined)
        rows = await rest.all<{ ID: string }>('crm.timeline.comment.list', {
          filter: { ENTITY_ID: Number(record.id), ENTITY_TYPE: record.type },
          select: ['ID'],
        });
      for (const row of rows)
        comments.push({ method: 'crm.timeline.comment.delete', params: { id: row.ID } });
    } catch (error) {
      if (!isGone(error)) problems.push(`the comments on ${record.type} ${record.id}: ${reason(error)}`);
    }
  }
  problems.push(...(await run(rest, comments)));
  problems.push(
    ...(await run(
      rest,
      [...new Set(made.diskFiles)].map((id) => ({ method: 'disk.file.delete', params: { id } })),
    )),
  );
  problems.push(
    ...(await run(
      rest,
      made.records.map((record) => ({ method: `crm.${record.type}.delete`, params: { id: record.id } })),
    )),
  );
  return problems;
}

/** Contacts and leads an earlier run tagged and never deleted (it was interrupted before its cleanup). */
export async function leftoverRecords(rest: LivePortalRest): Promise<LiveRecord[]> {
  const records: LiveRecord[] = [];
  for (const type of ['contact', 'lead'] as const) {
    const rows = await rest.all<{ ID: string }>(`crm.${type}.list`, {
      filter: { ORIGINATOR_ID: LIVE_ORIGINATOR },
      select: ['ID'],
    });
    records.push(...rows.map((row) => ({ type, id: String(row.ID) })));
  }
  return records;
}

async function run(rest: LivePortalRest, commands: readonly PortalCommand[]): Promise<string[]> {
  if (commands.length === 0) return [];
  try {
    const outcomes = await rest.batch(commands);
    return commands.flatMap((command, i) => {
      const outcome = outcomes[i];
      if (!outcome || outcome.ok || isGone(outcome.error)) return [];
      return [`${command.method} ${String(command.params.id)}: ${reason(outcome.error)}`];
    });
  } catch (error) {
    return commands.map((command) => `${command.method} ${String(command.params.id)}: ${reason(error)}`);
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
