import type { FieldDef, SObjectDef } from '../schema/types.js';
import type { SchemaLookup } from '../store/field-security.js';
import { findField } from '../store/schema-registry.js';
import type { FieldPath } from './ast.js';
import { malformedQuery } from './lexer.js';

/** A field path checked against the schema: the lookups to walk, then the field to read. */
export interface ResolvedPath {
  /** Canonical names, e.g. `['Owner', 'Name']`, used as keys in the answer. */
  names: string[];
  lookups: FieldDef[];
  leaf: FieldDef;
  /** Set when a polymorphic lookup is walked: the leaf is read by name on whatever the parent is. */
  looseLeaf: boolean;
}

/**
 * Resolves `Owner.Name` or `Contact__r.Name` to lookups and a field, or fails with the org's
 * INVALID_FIELD wording.
 */
export function resolvePath(
  schema: SchemaLookup,
  root: SObjectDef,
  path: FieldPath,
  query: string,
): ResolvedPath {
  let current: SObjectDef | undefined = root;
  const lookups: FieldDef[] = [];
  const names: string[] = [];
  let looseLeaf = false;
  const segments = path.path;
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    if (last) {
      const leaf: FieldDef | undefined = current ? findField(current, segment) : undefined;
      if (leaf) return { names: [...names, leaf.name], lookups, leaf, looseLeaf };
      if (looseLeaf) {
        const loose: FieldDef = {
          name: segment,
          label: segment,
          type: 'string',
          createable: false,
          updateable: false,
        };
        return { names: [...names, segment], lookups, leaf: loose, looseLeaf };
      }
      throw invalidField(
        query,
        path,
        segments.length > 1 ? `${segments.slice(0, -1).join('.')}.${segment}` : segment,
        current ?? root,
      );
    }
    const lookup: FieldDef | undefined = current?.fields.find(
      (f) => f.relationshipName?.toLowerCase() === segment.toLowerCase(),
    );
    if (!lookup) {
      throw malformedQuery(
        query,
        path.offset,
        `Didn't understand relationship '${segment}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
        'INVALID_FIELD',
      );
    }
    lookups.push(lookup);
    names.push(lookup.relationshipName ?? segment);
    looseLeaf = looseLeaf || lookup.polymorphic === true;
    current = lookup.polymorphic ? undefined : schema.find(lookup.referenceTo?.[0] ?? '');
  }
  throw invalidField(query, path, segments.join('.'), root);
}

function invalidField(query: string, path: FieldPath, name: string, on: SObjectDef) {
  return malformedQuery(
    query,
    path.offset,
    `No such column '${name}' on entity '${on.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
    'INVALID_FIELD',
  );
}
