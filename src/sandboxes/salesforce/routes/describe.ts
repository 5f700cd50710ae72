import type { FastifyInstance } from 'fastify';
import type { SandboxOrg } from '../org.js';
import type { FieldDef, SObjectDef } from '../schema/types.js';
import { schemaOf } from './api-guard.js';

const TEXT_TYPES = new Set(['string', 'textarea', 'phone', 'email', 'url', 'picklist']);

function objectUrls(version: string, def: SObjectDef) {
  const base = `/services/data/${version}/sobjects/${def.name}`;
  return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

/** The describe entry of one field, with the properties an adapter checks before writing. */
function describeField(field: FieldDef) {
  return {
    name: field.name,
    label: field.label,
    type: field.type,
    length: TEXT_TYPES.has(field.type) ? (field.length ?? 255) : 0,
    nillable: !field.required && field.type !== 'id' && field.type !== 'boolean',
    createable: field.createable,
    updateable: field.updateable,
    defaultedOnCreate: field.defaultValue !== undefined || !field.createable,
    calculated: field.compute !== undefined,
    autoNumber: field.autoNumberFormat !== undefined,
    externalId: field.externalId === true,
    unique: field.unique === true,
    idLookup: field.type === 'id' || field.externalId === true,
    filterable: field.type !== 'base64',
    custom: field.name.endsWith('__c'),
    referenceTo: field.referenceTo ?? [],
    relationshipName: field.relationshipName ?? null,
    polymorphicForeignKey: field.polymorphic === true,
    restrictedPicklist: field.picklistValues !== undefined,
    picklistValues: (field.picklistValues ?? []).map((value) => ({
      value,
      label: value,
      active: true,
      defaultValue: value === field.defaultValue,
    })),
  };
}

function describeObject(def: SObjectDef, version: string) {
  return {
    name: def.name,
    label: def.label,
    labelPlural: def.labelPlural,
    keyPrefix: def.keyPrefix,
    custom: def.custom,
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    urls: objectUrls(version, def),
  };
}

/** describeGlobal, per-object describe (404 for an undeployed custom object), and the version list. */
export function describeRoutes(org: SandboxOrg) {
  return async (app: FastifyInstance) => {
    app.get<{ Params: { version: string } }>('/:version/sobjects', async (request) => ({
      encoding: 'UTF-8',
      maxBatchSize: 200,
      sobjects: schemaOf(org, request)
        .list()
        .map((def) => describeObject(def, request.params.version)),
    }));

    app.get<{ Params: { version: string; type: string } }>(
      '/:version/sobjects/:type/describe',
      async (request) => {
        const def = schemaOf(org, request).require(request.params.type);
        return {
          ...describeObject(def, request.params.version),
          fields: def.fields.map(describeField),
          childRelationships: [],
        };
      },
    );
  };
}

/** `GET /services/data`: the versions this org serves, newest last, labelled by release. */
export function versionList(apiVersion: string) {
  const newest = Number(apiVersion.slice(1));
  const versions = [];
  for (let n = 50; n <= newest; n++) {
    // v62.0 is Winter '25; three releases a year, the year turning at Winter.
    const step = n - 62;
    const season = ['Winter', 'Spring', 'Summer'][((step % 3) + 3) % 3] ?? 'Winter';
    const year = 25 + Math.floor(step / 3);
    versions.push({ label: `${season} '${year}`, url: `/services/data/v${n}.0`, version: `${n}.0` });
  }
  return versions;
}
