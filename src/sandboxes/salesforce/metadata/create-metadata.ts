import type { z } from 'zod';
import { SalesforceError } from '../errors.js';
import { customFieldMetadataSchema, customObjectMetadataSchema } from '../schema/custom-objects.js';
import type { SchemaRegistry } from '../store/schema-registry.js';
import { limitedComponents, type SaveResult, SoapFault } from './soap-envelope.js';

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'component'}: ${i.message}`).join('; ');
}

/**
 * Applies `createMetadata` components in order. Each gets its own SaveResult, as in the Metadata
 * API: one bad field does not undo the object created before it.
 */
export function createMetadata(schema: SchemaRegistry, body: Record<string, unknown>): SaveResult[] {
  const components = limitedComponents(body.metadata);
  if (components.length === 0)
    throw new SoapFault(
      'sf:INVALID_CROSS_REFERENCE_KEY',
      'createMetadata needs at least one metadata component',
    );
  return components.map((component): SaveResult => {
    const record =
      component !== null && typeof component === 'object' ? (component as Record<string, unknown>) : {};
    const type = record['@_type'];
    const fullName = typeof record.fullName === 'string' ? record.fullName : '';
    const fail = (statusCode: string, message: string): SaveResult => ({
      fullName,
      success: false,
      error: { statusCode, message },
    });
    try {
      if (type === 'CustomObject') {
        const parsed = customObjectMetadataSchema.safeParse(record);
        if (!parsed.success) return fail('FIELD_INTEGRITY_EXCEPTION', describeIssues(parsed.error));
        schema.addCustomObject(parsed.data);
      } else if (type === 'CustomField') {
        const parsed = customFieldMetadataSchema.safeParse(record);
        if (!parsed.success) return fail('FIELD_INTEGRITY_EXCEPTION', describeIssues(parsed.error));
        schema.addCustomField(parsed.data);
      } else {
        throw new SoapFault(
          'sf:INVALID_TYPE',
          `INVALID_TYPE: This type of metadata is not available for this organization: ${String(type)}`,
        );
      }
      return { fullName, success: true };
    } catch (error) {
      if (error instanceof SalesforceError) return fail(error.errorCode, error.message);
      throw error;
    }
  });
}
