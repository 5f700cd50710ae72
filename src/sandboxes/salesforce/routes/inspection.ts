import type { FastifyInstance } from 'fastify';
import { inspectionRoutes as kitInspectionRoutes } from '../../kit/inspection.js';
import { DEMO_JWT_PRIVATE_KEY_PEM } from '../auth/demo-jwt-key.js';
import { badRequest } from '../errors.js';
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
    },
  });
}
