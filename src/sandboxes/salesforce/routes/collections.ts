import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { checkDuplicateRules } from '../duplicate-rules.js';
import { badRequest, SalesforceError } from '../errors.js';
import { toId18 } from '../ids.js';
import type { SandboxOrg } from '../org.js';
import { schemaOf, sessionOf } from './api-guard.js';
import { requireExternalIdField, upsertByExternalId } from './upsert.js';

const MAX_RECORDS = 200;

const collectionBody = z.object({
  allOrNone: z.boolean().optional(),
  records: z.array(z.record(z.string(), z.unknown())),
});

type ItemResult =
  | { id: string; success: true; errors: []; created?: boolean }
  | { id?: string; success: false; errors: ReturnType<SalesforceError['toCollectionError']>[] };

const ROLLED_BACK = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

function tooMany(count: number): SalesforceError | undefined {
  if (count <= MAX_RECORDS) return undefined;
  return badRequest(
    'EXCEEDED_ID_LIMIT',
    `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`,
  );
}

function typeOf(record: Record<string, unknown>): string {
  const attributes = record.attributes;
  const type =
    attributes && typeof attributes === 'object' && 'type' in attributes ? attributes.type : undefined;
  if (typeof type !== 'string') throw badRequest('INVALID_TYPE', 'Each record needs attributes.type');
  return type;
}

/**
 * Runs one operation per record, in input order, each result independent unless allOrNone: then
 * the first failure rolls everything back and the other records report the roll-back.
 */
function runCollection<T>(
  org: SandboxOrg,
  items: T[],
  allOrNone: boolean,
  operation: (item: T) => ItemResult,
): ItemResult[] {
  const snapshot = allOrNone ? org.store.snapshot() : undefined;
  const results = items.map((item): ItemResult => {
    try {
      return operation(item);
    } catch (error) {
      if (!(error instanceof SalesforceError)) throw error;
      return { success: false, errors: [error.toCollectionError()] };
    }
  });
  if (!snapshot || results.every((r) => r.success)) return results;
  org.store.restore(snapshot);
  return results.map((r) => (r.success ? { id: r.id, success: false, errors: [ROLLED_BACK] } : r));
}

/** sObject Collections: create, update, upsert by external id and delete, up to 200 records a call. */
export function collectionRoutes(org: SandboxOrg) {
  const { store } = org;
  const parse = (body: unknown) => {
    const parsed = collectionBody.safeParse(body);
    if (!parsed.success)
      throw badRequest(
        'JSON_PARSER_ERROR',
        'The request body must be {"allOrNone": boolean, "records": [...]}',
      );
    const error = tooMany(parsed.data.records.length);
    if (error) throw error;
    return parsed.data;
  };

  return async (app: FastifyInstance) => {
    app.post('/:version/composite/sobjects', async (request) => {
      const { records, allOrNone = false } = parse(request.body);
      const ctx = { userId: sessionOf(request).userId };
      const { version } = request.params as { version: string };
      return runCollection(org, records, allOrNone, (record) => {
        const type = store.schema.require(typeOf(record)).name;
        checkDuplicateRules({
          store,
          type,
          input: record,
          action: org.options.duplicateRules,
          header: request.headers['sforce-duplicate-rule-header'],
          version,
        });
        return { id: store.insert(type, record, ctx).id, success: true, errors: [] };
      });
    });

    app.patch('/:version/composite/sobjects', async (request) => {
      const { records, allOrNone = false } = parse(request.body);
      const ctx = { userId: sessionOf(request).userId };
      return runCollection(org, records, allOrNone, (record) => {
        const { id, Id, ...fields } = record;
        const recordId = typeof Id === 'string' ? Id : typeof id === 'string' ? id : '';
        if (!recordId) throw badRequest('MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']);
        return { id: store.update(typeOf(record), recordId, fields, ctx).id, success: true, errors: [] };
      });
    });

    app.patch<{ Params: { version: string; type: string; field: string } }>(
      '/:version/composite/sobjects/:type/:field',
      async (request) => {
        const { records, allOrNone = false } = parse(request.body);
        const def = schemaOf(org, request).require(request.params.type);
        const userId = sessionOf(request).userId;
        // The key field is checked once for the whole call: one the user cannot see fails it all.
        requireExternalIdField(def, request.params.field);
        return runCollection(org, records, allOrNone, (record) => {
          const key = Object.entries(record).find(
            ([name]) => name.toLowerCase() === request.params.field.toLowerCase(),
          )?.[1];
          if (typeof key !== 'string' || key === '') {
            throw badRequest('MISSING_ARGUMENT', `${request.params.field} not specified`, [
              request.params.field,
            ]);
          }
          const result = upsertByExternalId(org, def, {
            field: request.params.field,
            value: key,
            input: record,
            userId,
            version: request.params.version,
          });
          if (result.kind === 'ambiguous')
            throw badRequest(
              'DUPLICATE_EXTERNAL_ID',
              `${request.params.field}: more than one record found for external id field`,
            );
          return { id: result.id, success: true, errors: [], created: result.created };
        });
      },
    );

    // Delete Records Using sObject Collections (REST API Developer Guide): `ids` names up to 200
    // records of any types; a well-formed call answers 200 with one DeleteResult per id, in the order
    // given, each failure in its own `errors` (the guide's example shows an id already deleted as
    // ENTITY_IS_DELETED, "entity is deleted"); allOrNone defaults to false.
    app.delete<{ Querystring: { ids?: string; allOrNone?: string } }>(
      '/:version/composite/sobjects',
      async (request) => {
        const ids = (request.query.ids ?? '').split(',').filter((id) => id !== '');
        // `ids` is required (the guide); unverified: the code an org answers a call without it.
        if (ids.length === 0) throw badRequest('MISSING_ARGUMENT', 'ids not specified', ['ids']);
        const error = tooMany(ids.length);
        if (error) throw error;
        return runCollection(org, ids, request.query.allOrNone === 'true', (given) => {
          // Unverified: the codes an org gives a malformed id and a well-formed id it never held (here
          // MALFORMED_ID, and ENTITY_IS_DELETED as for a deleted one).
          const id = toId18(given);
          if (!id) throw badRequest('MALFORMED_ID', `malformed id ${given}`);
          const type = store.typeOf(id);
          if (!type)
            throw new SalesforceError({
              status: 404,
              errorCode: 'ENTITY_IS_DELETED',
              message: 'entity is deleted',
              fields: [],
            });
          // A file's versions go with its ContentDocument: the Object Reference lists no delete() among
          // ContentVersion's supported calls, only ContentDocument's (unverified: the code an org
          // answers such a delete with).
          if (type === 'ContentVersion')
            throw badRequest(
              'INVALID_OPERATION',
              'ContentVersion cannot be deleted; delete its ContentDocument',
            );
          // A record locked by an approval process cannot be deleted by a user without the right to
          // edit locked records (Salesforce Help, "Locked Records"); unverified: the exact message.
          if (org.lockedRecords.has(id))
            throw badRequest(
              'ENTITY_IS_LOCKED',
              'This record is locked. If you need to edit it, contact your admin.',
            );
          store.remove(type, id);
          return { id, success: true, errors: [] };
        });
      },
    );
  };
}
