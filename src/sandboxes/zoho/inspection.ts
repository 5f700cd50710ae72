import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RequestCounters } from '../kit/counters.js';
import type { FaultGate } from '../kit/faults.js';
import { inspectionRoutes } from '../kit/inspection.js';
import type { ZohoAccounts } from './accounts.js';
import { attachmentView } from './attachments.js';
import { convertLead } from './convert.js';
import { ZohoApiError } from './errors.js';
import type { ApiBudget } from './limits.js';
import { noteView } from './notes.js';
import type { ResolvedZohoOptions, ZohoFaultKind } from './options.js';
import type { ZohoOrg } from './org.js';
import { recordName, recordView } from './record-writes.js';

const Seed = z.object({
  module: z.enum(['Contacts', 'Leads', 'Deals']),
  fields: z.record(z.string(), z.unknown()),
  /** ISO times, so a test can seed deals modified in a known order. */
  createdAt: z.iso.datetime({ offset: true }).optional(),
  modifiedAt: z.iso.datetime({ offset: true }).optional(),
});

const Script = z.object({
  kind: z.enum(['429', '500', 'invalid-token', 'timeout', 'lost-answer']),
  after: z.number().int().min(0).default(0),
  times: z.number().int().min(1).default(1),
});

export interface InspectionParts {
  org: ZohoOrg;
  accounts: ZohoAccounts;
  budget: ApiBudget;
  counters: RequestCounters;
  faults: FaultGate<ZohoFaultKind>;
  options: ResolvedZohoOptions;
  reset: () => void;
}

/**
 * The Zoho sandbox's `/__sandbox/` routes: seed records (a deal's `Contact_Name` is the contact's id),
 * edit a record as a person would in the UI, read what landed (records, notes, attachments with
 * sizes), counters (requests, faults, credits, tokens per refresh token), expire every access token,
 * mint a Self Client refresh token, script faults, reset. Test and demo controls; an adapter must never call them.
 */
export function zohoInspection(parts: InspectionParts) {
  const { org, accounts, budget, counters, faults, options } = parts;
  return inspectionRoutes({
    description: 'Zoho CRM sandbox inspection routes: test/demo only, not part of its API.',
    details: () => ({
      orgId: options.orgId,
      zgid: options.zgid,
      dataCentre: options.dataCentre,
      clients: options.clients.map((client) => client.clientId),
    }),
    counters: () => ({ ...counters.toJSON(), budget: budget.toJSON(), tokens: accounts.toJSON() }),
    reset: parts.reset,
    routes: (app: FastifyInstance) => {
      app.post('/__sandbox/records', async (request, reply) => {
        const body: unknown = request.body;
        const parsed = z.array(Seed).safeParse(Array.isArray(body) ? body : [body]);
        if (!parsed.success) throw new ZohoApiError(400, 'INVALID_DATA', z.prettifyError(parsed.error));
        const ids = parsed.data.map((seed) => {
          const fields = { ...seed.fields };
          if (seed.module === 'Deals' && typeof fields.Contact_Name === 'string') {
            const contact = org.find('Contacts', fields.Contact_Name);
            if (!contact) throw new ZohoApiError(400, 'INVALID_DATA', `no contact ${fields.Contact_Name}`);
            fields.Contact_Name = { id: contact.id, name: recordView(contact).Full_Name };
          }
          const createdAt = seed.createdAt ? Date.parse(seed.createdAt) : org.now();
          const record = org.insert(seed.module, fields, createdAt);
          if (seed.modifiedAt) record.modifiedAt = Date.parse(seed.modifiedAt);
          return record.id;
        });
        return reply.status(201).send(Array.isArray(body) ? { ids } : { id: ids[0], ids });
      });
      app.get<{ Querystring: { module?: string } }>('/__sandbox/records', async (request) => ({
        records: [...org.records.values()]
          .filter((record) => !request.query.module || record.module === request.query.module)
          .map((record) => ({
            module: record.module,
            converted: record.converted ?? null,
            ...recordView(record),
          })),
      }));
      // Each note and attachment with its parent as `{module, id}` (what a test asserts on), beside
      // the API's own view; an attachment also with its size in bytes (a number) and its bytes.
      app.get('/__sandbox/notes', async () => ({
        notes: [...org.notes.values()].map((note) => ({
          parent: { ...note.parent },
          ...noteView(org, note),
        })),
      }));
      app.get('/__sandbox/attachments', async () => ({
        attachments: [...org.attachments.values()].map((attachment) => ({
          parent: { ...attachment.parent },
          size: attachment.bytes.length,
          contentType: attachment.contentType ?? null,
          ...attachmentView(attachment, recordName(org.records.get(attachment.parent.id))),
          base64: attachment.bytes.toString('base64'),
        })),
      }));
      app.post('/__sandbox/tokens/expire', async () => ({ expired: accounts.tokens.expireAll() }));
      app.post('/__sandbox/self-client', async (request, reply) => {
        const body = (request.body ?? {}) as { scope?: unknown; client_id?: unknown };
        const client = accounts.client(
          typeof body.client_id === 'string' ? body.client_id : options.clients[0]?.clientId,
        );
        if (!client) throw new ZohoApiError(400, 'INVALID_DATA', 'no such client');
        const scope = typeof body.scope === 'string' ? body.scope : 'ZohoCRM.modules.ALL,ZohoCRM.coql.READ';
        return reply.status(201).send({
          client_id: client.clientId,
          client_secret: client.clientSecret,
          refresh_token: accounts.mintRefreshToken(client.clientId, scope),
          scope,
        });
      });
      // A person edits a record in the CRM's UI: its fields change and its Modified_Time is now.
      app.patch<{ Params: { id: string } }>('/__sandbox/records/:id', async (request) => {
        const record = org.records.get(request.params.id);
        if (!record) throw new ZohoApiError(404, 'NOT_FOUND', 'no such record');
        const fields = z.record(z.string(), z.unknown()).safeParse(request.body ?? {});
        if (!fields.success) throw new ZohoApiError(400, 'INVALID_DATA', z.prettifyError(fields.error));
        org.update(record, fields.data);
        return { id: record.id, modifiedAt: new Date(record.modifiedAt).toISOString() };
      });
      app.delete<{ Params: { id: string } }>('/__sandbox/records/:id', async (request, reply) => {
        if (!org.remove(request.params.id)) throw new ZohoApiError(404, 'NOT_FOUND', 'no such record');
        return reply.status(204).send();
      });
      app.post<{ Params: { id: string } }>('/__sandbox/leads/:id/convert', async (request) => {
        const lead = org.find('Leads', request.params.id);
        if (!lead) throw new ZohoApiError(404, 'NOT_FOUND', 'no such lead');
        return { contactId: convertLead(org, lead).id };
      });
      app.delete('/__sandbox/faults', async (_request, reply) => {
        faults.clearScripted();
        return reply.status(204).send();
      });
      app.post('/__sandbox/faults', async (request, reply) => {
        const parsed = Script.safeParse(request.body);
        if (!parsed.success) throw new ZohoApiError(400, 'INVALID_DATA', z.prettifyError(parsed.error));
        faults.script(parsed.data);
        return reply.status(201).send({ scripted: parsed.data });
      });
    },
  });
}
