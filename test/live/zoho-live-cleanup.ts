/**
 * Deleting what a live run wrote into a real Zoho org. The run knows the records it made; what wasync
 * wrote for them (day notes, files) hangs off those as notes and attachments, so it is listed from
 * each record through the related lists and deleted by id, before the records themselves.
 */

import { CrmError } from '../../src/crms/types.js';
import type { ZohoList } from '../../src/crms/zoho/mapping.js';
import type { ZohoTransport } from '../../src/crms/zoho/transport.js';

/** The modules a live run makes records in (Accounts: what converting a lead makes). */
export type LiveModule = 'Contacts' | 'Leads' | 'Deals' | 'Accounts';

export interface MadeRecord {
  module: LiveModule;
  id: string;
}

/** Delete Records: at most 100 a call (crm-oas v8.0/record deleteRecords). */
const RECORDS_PER_CALL = 100;
/**
 * Delete Notes: at most 100 a call, and `ids` at most 1024 characters (crm-oas v8.0/notes
 * deleteNotesModule): 50 ids of 19 digits and their commas fit.
 */
const NOTES_PER_CALL = 50;
/** Related lists answer at most 200 a page (crm-oas getAttachments, the notes related list). */
const PER_PAGE = 200;

type ItemResult = { status?: string; code?: string; message?: string; details?: { id?: string } };

/**
 * Deletes the records and all they hold: first the attachments and notes listed on each, then the
 * records, module by module, so that whatever a failure leaves behind can still be found from a
 * record the run made. Every delete is tried even when one fails. Answers what it could not delete,
 * with the reason; `mayStay` records (converted leads, which Zoho's API no longer shows) are tried,
 * and answered apart when they stay.
 */
export async function deleteZohoRunRecords(
  transport: ZohoTransport,
  records: readonly MadeRecord[],
  mayStay: readonly MadeRecord[] = [],
): Promise<{ problems: string[]; stayed: string[] }> {
  const problems: string[] = [];
  const noteIds: string[] = [];
  for (const record of records) {
    if (record.module === 'Accounts') continue;
    try {
      noteIds.push(...(await relatedIds(transport, `${record.module}/${record.id}/Notes`, 'Note_Title')));
      for (const attachment of await relatedIds(
        transport,
        `${record.module}/${record.id}/Attachments`,
        'File_Name',
      )) {
        await transport.request('DELETE', `${record.module}/${record.id}/Attachments/${attachment}`);
      }
    } catch (error) {
      problems.push(`what ${record.module} ${record.id} holds: ${reason(error)}`);
    }
  }
  for (const chunk of chunks(noteIds, NOTES_PER_CALL)) {
    problems.push(...(await deleteByIds(transport, 'Notes', chunk)));
  }
  // Deals and contacts before the accounts a conversion made, which hold them.
  for (const module of ['Deals', 'Contacts', 'Leads', 'Accounts'] as const) {
    const ids = records.filter((record) => record.module === module).map((record) => record.id);
    for (const chunk of chunks(ids, RECORDS_PER_CALL))
      problems.push(...(await deleteByIds(transport, module, chunk)));
  }
  const stayed: string[] = [];
  for (const record of mayStay) {
    const failed = await deleteByIds(transport, record.module, [record.id]);
    if (failed.length > 0) stayed.push(`${record.module} ${record.id}`);
  }
  return { problems, stayed };
}

/** The ids on a record's related list, every page. No record on it: 204. */
async function relatedIds(transport: ZohoTransport, path: string, field: string): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; ; page++) {
    const answer = await transport.request<ZohoList>('GET', path, {
      query: { fields: `id,${field}`, page, per_page: PER_PAGE },
    });
    ids.push(...(answer.body?.data ?? []).map((row) => String(row.id)));
    if (!answer.body?.info?.more_records) return ids;
  }
}

/** `DELETE /{module}?ids=`: a result per id, 400 with `data[]` when none went (deleteRecords, deleteNotesModule). */
async function deleteByIds(
  transport: ZohoTransport,
  module: LiveModule | 'Notes',
  ids: readonly string[],
): Promise<string[]> {
  try {
    const answer = await transport.request<{ data?: ItemResult[] }>('DELETE', module, {
      query: { ids: ids.join(',') },
      perItem: true,
    });
    const results = answer.body?.data ?? [];
    return ids.flatMap((id, i) => {
      const result = results[i];
      return result?.status === 'success'
        ? []
        : [`${module} ${id}: ${result?.code ?? 'UNKNOWN'} ${result?.message ?? ''}`.trim()];
    });
  } catch (error) {
    return ids.map((id) => `${module} ${id}: ${reason(error)}`);
  }
}

function reason(error: unknown): string {
  if (error instanceof CrmError) return `${error.code} ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function chunks<T>(values: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < values.length; start += size) result.push(values.slice(start, start + size));
  return result;
}
