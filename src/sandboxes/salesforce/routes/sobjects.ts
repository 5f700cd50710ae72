import type { FastifyInstance, FastifyRequest } from 'fastify';
import { checkDuplicateRules } from '../duplicate-rules.js';
import { badRequest, notFound } from '../errors.js';
import { toId18 } from '../ids.js';
import { multipartBoundary, parseMultipart } from '../multipart.js';
import type { SandboxOrg } from '../org.js';
import { recordView } from '../record-view.js';
import type { SObjectDef } from '../schema/types.js';
import { findField } from '../store/schema-registry.js';
import { schemaOf, sessionOf } from './api-guard.js';
import { upsertByExternalId } from './upsert.js';

type TypeParams = { version: string; type: string };
type RecordParams = TypeParams & { id: string };
type PairParams = TypeParams & { first: string; second: string };

/** A JSON object body; arrays and scalars are refused as the org's deserializer refuses them. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) {
    throw badRequest('JSON_PARSER_ERROR', 'Cannot deserialize instance of SObject from the request body');
  }
  return body as Record<string, unknown>;
}

/**
 * A blob upload (REST API Developer Guide, "Insert or Update Blob Data"): the first part holds the
 * record's fields as JSON, the second the file. A part is binary when it has a filename, so a JSON part
 * sent with one (Node's FormData names every Blob part `filename="blob"`) makes two binary parts and
 * no non-binary one. The messages are an org's, as reported in public issue threads (frankframework
 * #3917 and #6118, SalesforceMobileSDK-ReactNative #237); the 400 status is unverified.
 */
function multipartInput(request: FastifyRequest, def: SObjectDef): Record<string, unknown> {
  const boundary = multipartBoundary(request.headers['content-type']);
  if (!boundary || !Buffer.isBuffer(request.body))
    throw badRequest('INVALID_MULTIPART_REQUEST', 'Multipart message has no boundary');
  const parts = parseMultipart(request.body, boundary);
  const binaries = parts.filter((p) => p.filename !== undefined);
  if (binaries.length > 1)
    throw badRequest('INVALID_MULTIPART_REQUEST', 'Cannot include more than one binary part');
  const entity = parts.find((p) => p.filename === undefined);
  if (!entity)
    throw badRequest('INVALID_MULTIPART_REQUEST', 'Multipart message must include a non-binary part');
  const entityType = (entity.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (entityType !== 'application/json') {
    throw badRequest(
      'INVALID_MULTIPART_REQUEST',
      `Non-binary part must be JSON or XML, was: '${entity.contentType ?? ''}'`,
    );
  }
  const [binary] = binaries;
  if (!binary || findField(def, binary.name)?.type !== 'base64') {
    throw badRequest('INVALID_MULTIPART_REQUEST', `Binary part name must be a blob field of ${def.name}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(entity.data.toString('utf8'));
  } catch (error) {
    throw badRequest('JSON_PARSER_ERROR', error instanceof Error ? error.message : 'invalid JSON');
  }
  return { ...objectBody(json), [binary.name]: binary.data.toString('base64') };
}

/** Basic sObject REST: create, read (with ?fields=), update, delete, upsert by external id, blobs. */
export function sobjectRoutes(org: SandboxOrg) {
  const { store } = org;
  return async (app: FastifyInstance) => {
    app.post<{ Params: TypeParams }>('/:version/sobjects/:type', async (request, reply) => {
      const def = schemaOf(org, request).require(request.params.type);
      const input = Buffer.isBuffer(request.body) ? multipartInput(request, def) : objectBody(request.body);
      checkDuplicateRules({
        store,
        type: def.name,
        input,
        action: org.options.duplicateRules,
        header: request.headers['sforce-duplicate-rule-header'],
        version: request.params.version,
      });
      const record = store.insert(def.name, input, { userId: sessionOf(request).userId });
      return reply.status(201).send({ id: record.id, success: true, errors: [] });
    });

    app.get<{ Params: RecordParams; Querystring: { fields?: string } }>(
      '/:version/sobjects/:type/:id',
      async (request) => {
        const def = schemaOf(org, request).require(request.params.type);
        const record = store.require(def.name, request.params.id);
        const fields = request.query.fields?.split(',').map((name) => {
          const field = findField(def, name.trim());
          if (!field) {
            throw badRequest(
              'INVALID_FIELD',
              `No such column '${name.trim()}' on entity '${def.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
            );
          }
          return field;
        });
        return recordView(store, def, record, {
          version: request.params.version,
          ...(fields ? { fields } : {}),
        });
      },
    );

    app.patch<{ Params: RecordParams }>('/:version/sobjects/:type/:id', async (request, reply) => {
      const def = schemaOf(org, request).require(request.params.type);
      store.update(def.name, request.params.id, objectBody(request.body), {
        userId: sessionOf(request).userId,
      });
      return reply.status(204).send();
    });

    app.delete<{ Params: RecordParams }>('/:version/sobjects/:type/:id', async (request, reply) => {
      const def = schemaOf(org, request).require(request.params.type);
      store.remove(def.name, request.params.id);
      return reply.status(204).send();
    });

    // Two segments after the type are either `{id}/{blobField}` or `{externalIdField}/{value}`.
    app.get<{ Params: PairParams }>('/:version/sobjects/:type/:first/:second', async (request, reply) => {
      const def = schemaOf(org, request).require(request.params.type);
      const { first, second } = request.params;
      const blobField = findField(def, second);
      if (toId18(first) !== undefined && blobField?.type === 'base64') {
        const data = store.blob(store.require(def.name, first).id, blobField.name);
        if (!data) throw notFound();
        return reply.type('application/octetstream').send(data);
      }
      const record = findOneByExternalId(org, def, first, second);
      return recordView(store, def, record, { version: request.params.version });
    });

    app.patch<{ Params: PairParams }>('/:version/sobjects/:type/:first/:second', async (request, reply) => {
      const def = schemaOf(org, request).require(request.params.type);
      const result = upsertByExternalId(org, def, {
        field: request.params.first,
        value: request.params.second,
        input: objectBody(request.body),
        userId: sessionOf(request).userId,
        version: request.params.version,
      });
      if (result.kind === 'ambiguous') return reply.status(300).send(result.urls);
      const { id, created } = result;
      return reply.status(created ? 201 : 200).send({ id, success: true, errors: [], created });
    });

    app.delete<{ Params: PairParams }>('/:version/sobjects/:type/:first/:second', async (request, reply) => {
      const def = schemaOf(org, request).require(request.params.type);
      store.remove(def.name, findOneByExternalId(org, def, request.params.first, request.params.second).id);
      return reply.status(204).send();
    });
  };
}

function findOneByExternalId(org: SandboxOrg, def: SObjectDef, fieldName: string, value: string) {
  const field = findField(def, fieldName);
  if (!field || !(field.externalId || field.type === 'id')) {
    throw notFound(`Provided external ID field does not exist or is not accessible: ${fieldName}`);
  }
  const [record, ...others] = org.store.findByExternalId(def, field, value);
  if (!record) throw notFound();
  if (others.length > 0)
    throw badRequest('MULTIPLE_CHOICES', `More than one record found for external id field ${field.name}`);
  return record;
}
