import type { FastifyInstance } from 'fastify';
import { inspectionRoutes as kitInspectionRoutes } from '../../kit/inspection.js';
import { DEMO_JWT_PRIVATE_KEY_PEM } from '../auth/demo-jwt-key.js';
import { badRequest, notFound } from '../errors.js';
import { type SalesforceFault, SCRIPTED_FAULT_KINDS } from '../faults.js';
import { toId18 } from '../ids.js';
import type { SandboxOrg } from '../org.js';
import type { StoredRecord } from '../store/org-store.js';

/** A stored record with computed fields filled in and blobs inlined: notes as HTML, files as base64. */
function inspectRecord(org: SandboxOrg, record: StoredRecord): Record<string, unknown> {
  const def = org.store.schema.require(record.type);
  const view: Record<string, unknown> = {};
  for (const field of def.fields) {
    if (field.compute) view[field.name] = field.compute(record.fields);
    else if (field.type === 'base64') {
      const blob = org.store.blob(record.id, field.name);
      view[field.name] =
        blob === undefined
          ? null
          : record.type === 'ContentNote'
            ? blob.toString('utf8')
            : blob.toString('base64');
    } else view[field.name] = record.fields[field.name] ?? null;
  }
  return view;
}

/**
 * Test and demo controls under `/__sandbox/`, without auth. They are not part of Salesforce's API and
 * adapters must never call them: tests use them to seed data, read what landed, and steer sessions.
 */
export function inspectionRoutes(org: SandboxOrg) {
  return kitInspectionRoutes({
    description: 'Salesforce sandbox inspection routes: test/demo only, not part of the Salesforce API.',
    details: () => ({
      orgId: org.orgId,
      integrationUserId: org.integrationUserId,
      apiVersion: org.options.apiVersion,
      clients: org.options.clients.map((c) => c.clientId),
    }),
    counters: () => ({
      ...org.counters.toJSON(),
      apiUsage: { used: org.usage.used(), limit: org.usage.limit },
    }),
    reset: () => org.reset(),
    routes: (app: FastifyInstance) => {
      app.get('/__sandbox/layouts', async () => ({ layouts: org.layouts.inspect() }));

      app.get<{ Params: { type: string } }>('/__sandbox/records/:type', async (request) => {
        const def = org.store.schema.require(request.params.type);
        const records = org.store.all(def.name).map((r) => inspectRecord(org, r));
        return { type: def.name, totalSize: records.length, records };
      });

      // Seeding may set audit fields (CreatedDate, LastModifiedDate) and read-only ones such as IsConverted.
      app.post<{ Params: { type: string } }>('/__sandbox/records/:type', async (request, reply) => {
        const def = org.store.schema.require(request.params.type);
        const body: unknown = request.body;
        const items = Array.isArray(body) ? body : [body];
        const ctx = { userId: org.integrationUserId, seeding: true };
        const ids = items.map((item) => {
          if (item === null || typeof item !== 'object' || Array.isArray(item))
            throw badRequest('JSON_PARSER_ERROR', 'Seed records must be JSON objects');
          return org.store.insert(def.name, item as Record<string, unknown>, ctx).id;
        });
        // One record in, one id out; an array in, the ids in the same order.
        return reply
          .status(201)
          .send(Array.isArray(body) ? { type: def.name, ids } : { type: def.name, id: ids[0], ids });
      });

      app.post<{ Body: { clientId?: string; username?: string } | undefined }>(
        '/__sandbox/refresh-tokens',
        async (request, reply) => {
          const clientId = request.body?.clientId ?? org.options.clients[0]?.clientId;
          const client = org.client(clientId);
          if (!client) throw badRequest('INVALID_CLIENT', `No client ${String(clientId)} is configured`);
          const refreshToken = org.tokens.mintRefreshToken(
            client.clientId,
            org.userFor(request.body?.username),
          );
          return reply.status(201).send({ client_id: client.clientId, refresh_token: refreshToken });
        },
      );

      // The published demo private key (never a real one), so a JWT bearer connection to the sandbox
      // can be made from the CLI or the workspace without generating keys.
      app.get('/__sandbox/demo-jwt-key', async (_request, reply) =>
        reply.type('application/x-pem-file').send(DEMO_JWT_PRIVATE_KEY_PEM),
      );

      app.post('/__sandbox/tokens/expire', async () => ({ expired: org.tokens.expireAll() }));

      // Locks a record as an approval process would, so deleting it fails with ENTITY_IS_LOCKED.
      app.post<{ Params: { id: string } }>('/__sandbox/locks/:id', async (request) => {
        const id = toId18(request.params.id) ?? request.params.id;
        org.lockedRecords.add(id);
        return { locked: id };
      });
      app.delete<{ Params: { id: string } }>('/__sandbox/locks/:id', async (request) => {
        const id = toId18(request.params.id) ?? request.params.id;
        return { unlocked: org.lockedRecords.delete(id) };
      });
      // Fails the next `times` API requests (default 1) as `kind`, after `after` more (default 0) are
      // served; see SalesforceFault. Queued faults go in order; reset or DELETE forgets them.
      app.post<{ Body: unknown }>('/__sandbox/faults', async (request, reply) => {
        const fault = scriptedFault(request.body);
        org.faults.script(fault);
        return reply.status(201).send({ scripted: fault });
      });
      app.delete('/__sandbox/faults', async () => {
        org.faults.clearScripted();
        return { cleared: true };
      });

      // Deletes a record as a user deleting it in the UI would (triggers run; no recycle bin is kept).
      app.delete<{ Params: { type: string; id: string } }>(
        '/__sandbox/records/:type/:id',
        async (request) => {
          const def = org.store.schema.require(request.params.type);
          const id = toId18(request.params.id) ?? request.params.id;
          org.store.remove(def.name, id);
          return { deleted: id };
        },
      );

      // Converts a lead as convertLead does with a new contact (SOAP API Developer Guide, convertLead():
      // the lead's fields go to the contact, the lead gets IsConverted and ConvertedContactId, and
      // "converted leads are read only"); no account or opportunity is made.
      app.post<{ Params: { id: string } }>('/__sandbox/leads/:id/convert', async (request) => {
        const id = toId18(request.params.id) ?? request.params.id;
        const lead = org.store.find('Lead', id);
        if (!lead) throw notFound(`No lead ${request.params.id}`);
        if (lead.fields.IsConverted === true) throw badRequest('INVALID_STATUS', 'Lead is already converted');
        const ctx = { userId: org.integrationUserId, seeding: true };
        const carried = ['FirstName', 'LastName', 'Phone', 'MobilePhone', 'Email'].filter(
          (field) => lead.fields[field] !== undefined && lead.fields[field] !== null,
        );
        const contact = org.store.insert(
          'Contact',
          Object.fromEntries(carried.map((field) => [field, lead.fields[field]])),
          ctx,
        );
        org.store.update('Lead', id, { IsConverted: true, ConvertedContactId: contact.id }, ctx);
        return { leadId: id, contactId: contact.id };
      });
    },
  });
}

/** A fault as the faults route takes it, refused unless every field is one it knows and in range. */
function scriptedFault(body: unknown): { kind: SalesforceFault; after: number; times: number } {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('JSON_PARSER_ERROR', 'A fault is a JSON object: {"kind", "after"?, "times"?}');
  const { kind, after = 0, times = 1, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw badRequest('INVALID_FIELD', `Unknown fault fields: ${unknown.join(', ')}`);
  if (!SCRIPTED_FAULT_KINDS.includes(kind as SalesforceFault))
    throw badRequest('INVALID_FIELD', `kind must be one of ${SCRIPTED_FAULT_KINDS.join(', ')}`);
  if (!Number.isSafeInteger(after) || (after as number) < 0)
    throw badRequest('INVALID_FIELD', 'after must be a whole number from 0');
  if (!Number.isSafeInteger(times) || (times as number) < 1)
    throw badRequest('INVALID_FIELD', 'times must be a whole number from 1');
  return { kind: kind as SalesforceFault, after: after as number, times: times as number };
}
