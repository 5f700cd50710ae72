import type { FastifyInstance } from 'fastify';
import { recordError } from './errors.js';
import type { ZohoOrg } from './org.js';
import { recordView, successDetails, type WriteResult } from './record-writes.js';
import { answer, batchOf } from './records.js';

/** Text fields of a deal the sandbox takes, with their length (unverified: Zoho's usual text lengths). */
const DEAL_TEXT: Record<string, number> = { Deal_Name: 120, Stage: 120, Description: 32000 };

/**
 * Fields a deal must have: its name, stage and closing date (unverified: the standard Deals layout's
 * mandatory fields as Zoho's UI marks them; the OAS names no module's mandatory fields, so the
 * sandbox takes the strictest reading and requires all three).
 */
const MANDATORY = ['Deal_Name', 'Stage', 'Closing_Date'];

/**
 * `POST /crm/v8/Deals`: Create Records on Deals (crm-oas v8.0/record createRecords: up to 100 a call,
 * a result each in `data[]`, 201 / 207 / 400). The sandbox keeps the fields the card reads; the
 * contact lookup `Contact_Name` is `{id}` of a live contact (an unknown one is INVALID_DATA "the id
 * given seems to be invalid", as a record update answers), stored with its name as Zoho answers lookups.
 */
export function dealWriteRoutes(org: ZohoOrg) {
  return async (app: FastifyInstance) => {
    app.post('/Deals', async (request, reply) => {
      const results = batchOf(request.body).map((input, index) => createDeal(org, input, index));
      return answer(reply, results, 201);
    });
  };
}

function createDeal(org: ZohoOrg, input: Record<string, unknown>, index: number): WriteResult {
  const path = (name: string) => `$.data[${index}].${name}`;
  const invalid = (name: string, extra: Record<string, unknown> = {}): WriteResult => ({
    ok: false,
    body: recordError('INVALID_DATA', 'invalid data', { ...extra, api_name: name, json_path: path(name) }),
  });
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input)) {
    if (value === null || value === '') continue;
    if (name in DEAL_TEXT) {
      if (typeof value !== 'string') return invalid(name, { expected_data_type: 'text' });
      if (value.length > (DEAL_TEXT[name] ?? 0)) return invalid(name, { maximum_length: DEAL_TEXT[name] });
      fields[name] = value;
    } else if (name === 'Amount') {
      if (typeof value !== 'number' || !Number.isFinite(value))
        return invalid(name, { expected_data_type: 'double' });
      fields[name] = value;
    } else if (name === 'Closing_Date') {
      // Dates are `yyyy-MM-dd` (Zoho CRM API, field data types; unverified in the v8 OAS).
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value))
        return invalid(name, { expected_data_type: 'date' });
      fields[name] = value;
    } else if (name === 'Contact_Name') {
      const id = (value as { id?: unknown }).id;
      const contact = typeof id === 'string' ? org.find('Contacts', id) : undefined;
      if (!contact)
        return {
          ok: false,
          body: recordError('INVALID_DATA', 'the id given seems to be invalid', {
            api_name: name,
            id: String(id ?? ''),
            json_path: `${path(name)}.id`,
          }),
        };
      fields[name] = { id: contact.id, name: recordView(contact).Full_Name };
    } else return invalid(name);
  }
  for (const name of MANDATORY)
    if (fields[name] === undefined)
      return {
        ok: false,
        body: recordError('MANDATORY_NOT_FOUND', 'required field not found', {
          api_name: name,
          json_path: path(name),
        }),
      };
  const deal = org.insert('Deals', fields);
  return {
    ok: true,
    body: { code: 'SUCCESS', details: successDetails(deal), message: 'record added', status: 'success' },
  };
}
