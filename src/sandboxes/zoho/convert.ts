import type { FastifyInstance } from 'fastify';
import { ZohoApiError } from './errors.js';
import { MODULE_FIELDS } from './fields.js';
import type { StoredRecord, ZohoOrg } from './org.js';

/** What converting a lead costs in API credits (Zoho CRM "API Limits": Convert Lead, 5 credits). */
export const CONVERT_CREDITS = 5;

/**
 * `POST /crm/v8/Leads/{id}/actions/convert` (Zoho CRM API, Convert Lead; the OAS file was not found
 * in crm-oas v8.0, so the shapes below are unverified): the lead becomes a new contact with the
 * lead's person fields, or is merged into `Contacts: {id}` when the body names one; the lead is then
 * gone from the API (get answers 204, search and COQL skip it), and its notes and attachments move
 * to the contact (unverified, as the CRM's UI shows them). The answer is
 * `{data: [{code: "SUCCESS", details: {Contacts: {name, id}, Deals: null, Accounts: null}, message, status}]}`.
 */
export function convertRoutes(org: ZohoOrg) {
  return async (app: FastifyInstance) => {
    app.post<{ Params: { id: string } }>('/Leads/:id/actions/convert', async (request) => {
      const lead = org.find('Leads', request.params.id);
      if (!lead)
        throw new ZohoApiError(400, 'INVALID_DATA', 'the id given seems to be invalid', {
          id: request.params.id,
        });
      const first = (request.body as { data?: unknown } | null)?.data;
      const options = Array.isArray(first)
        ? (first[0] as { Contacts?: { id?: unknown } } | undefined)
        : undefined;
      const existingId = options?.Contacts?.id;
      const contact = convertLead(org, lead, existingId);
      const name = [contact.fields.First_Name, contact.fields.Last_Name].filter(Boolean).join(' ');
      return {
        data: [
          {
            code: 'SUCCESS',
            details: { Contacts: { name, id: contact.id }, Deals: null, Accounts: null },
            message: 'SUCCESS',
            status: 'success',
          },
        ],
      };
    });
  };
}

/**
 * Converts a lead: into a new contact with the lead's person fields, or into the contact `contactId`
 * names; the lead's notes and attachments move to the contact (see convertRoutes). Answers the contact.
 */
export function convertLead(org: ZohoOrg, lead: StoredRecord, contactId?: unknown): StoredRecord {
  let contact = typeof contactId === 'string' ? org.find('Contacts', contactId) : undefined;
  if (contactId !== undefined && !contact)
    throw new ZohoApiError(400, 'INVALID_DATA', 'the id given seems to be invalid', {
      api_name: 'Contacts',
      id: String(contactId),
    });
  if (!contact) {
    const fields: Record<string, unknown> = {};
    for (const name of Object.keys(MODULE_FIELDS.Contacts))
      if (lead.fields[name] != null) fields[name] = lead.fields[name];
    contact = org.insert('Contacts', fields);
  }
  lead.converted = { contactId: contact.id, at: org.now() };
  for (const note of org.notes.values())
    if (note.parent.id === lead.id) note.parent = { module: 'Contacts', id: contact.id };
  for (const attachment of org.attachments.values())
    if (attachment.parent.id === lead.id) attachment.parent = { module: 'Contacts', id: contact.id };
  return contact;
}
