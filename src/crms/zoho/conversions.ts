import { isZohoId, type ZohoList } from './mapping.js';
import type { ZohoTransport } from './transport.js';

/**
 * The contact a lead became when a person converted it in Zoho, or undefined when it was not
 * converted. A converted lead is gone from the API's ordinary reads and writes (a note on it is
 * refused), but getRecords still answers it with `converted=true` (crm-oas v8.0 record getRecords:
 * `ids`, `converted`), carrying `$converted_detail` with the contact's id (unverified: the OAS leaves
 * the record open to any property; Zoho's answers show `contact` as the id, taken here also as
 * `{id}`).
 */
export async function convertedContact(
  transport: ZohoTransport,
  leadId: string,
): Promise<string | undefined> {
  const answer = await transport.request<ZohoList>('GET', 'Leads', {
    query: { ids: leadId, converted: 'true', fields: 'Last_Name' },
  });
  // 204: no converted lead of that id.
  const row = answer.body?.data?.find((lead) => String(lead.id) === leadId);
  const detail = row?.$converted_detail;
  if (typeof detail !== 'object' || detail === null) return undefined;
  const contact = (detail as { contact?: unknown }).contact;
  const id =
    typeof contact === 'string' || typeof contact === 'number'
      ? String(contact)
      : typeof contact === 'object' && contact !== null
        ? String((contact as { id?: unknown }).id ?? '')
        : '';
  return isZohoId(id) ? id : undefined;
}
