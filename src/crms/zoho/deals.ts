import { dateOf, type ZohoList, type ZohoRow } from './mapping.js';
import type { ZohoTransport } from './transport.js';

/** The deals a day's note also goes on: the contact's most recently modified ones. */
export const NOTE_DEALS = 5;

/**
 * A contact's deals, most recently modified first. The related list `/Contacts/{id}/Deals` takes only
 * `page`, `per_page` and `fields`, with no sort (the crm-apis notes §2.6: the v8 OAS and SDK have no
 * `sort_by` on related records), so every page is read and the sort is ours; 204 is "no deal".
 */
export async function dealsOf(
  transport: ZohoTransport,
  contactId: string,
  fields: readonly string[],
): Promise<ZohoRow[]> {
  const deals: ZohoRow[] = [];
  for (let page = 1; ; page++) {
    const answer = await transport.request<ZohoList>('GET', `Contacts/${contactId}/Deals`, {
      query: { fields: ['Modified_Time', ...fields].join(','), page, per_page: 200 },
    });
    deals.push(...(answer.body?.data ?? []));
    if (!answer.body?.info?.more_records) break;
  }
  const modified = (row: ZohoRow) =>
    dateOf(typeof row.Modified_Time === 'string' ? row.Modified_Time : undefined)?.getTime() ?? 0;
  return deals.sort((a, b) => modified(b) - modified(a) || String(b.id).localeCompare(String(a.id)));
}

/** The ids of the contact's {@link NOTE_DEALS} most recently modified deals. */
export async function latestDealIds(transport: ZohoTransport, contactId: string): Promise<string[]> {
  return (await dealsOf(transport, contactId, ['Deal_Name']))
    .slice(0, NOTE_DEALS)
    .map((row) => String(row.id));
}
