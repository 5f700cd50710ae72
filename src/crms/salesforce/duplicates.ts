import { type CrmError, DuplicateRecordsError, type RecordType } from '../types.js';
import { OBJECT_OF, type QueryAnswer, RECORD_FIELDS, toCrmRecord } from './mapping.js';
import { isSalesforceId, soqlList } from './soql.js';
import type { SalesforceTransport } from './transport.js';

interface DuplicateAnswer {
  duplicateResult?: {
    matchResults?: { entityType?: string; matchRecords?: { record?: { Id?: string } }[] }[];
  };
}

/**
 * A create refused by a blocking duplicate rule, with the records it matched (from the error's
 * `duplicateResult.matchResults`, Object Reference: DuplicateResult), read back with their names and
 * numbers so the user can pick one to link.
 */
export async function duplicatesError(
  transport: SalesforceTransport,
  type: RecordType,
  error: CrmError,
): Promise<DuplicateRecordsError> {
  const answer = (Array.isArray(error.vendorAnswer) ? error.vendorAnswer[0] : undefined) as
    | DuplicateAnswer
    | undefined;
  const ids = (answer?.duplicateResult?.matchResults ?? [])
    .filter((result) => result.entityType === undefined || result.entityType === OBJECT_OF[type])
    .flatMap((result) => result.matchRecords ?? [])
    .map((match) => match.record?.Id)
    .filter((id): id is string => id !== undefined && isSalesforceId(id));
  const rows =
    ids.length === 0
      ? []
      : (
          await transport.request<QueryAnswer>(
            'GET',
            `query?q=${encodeURIComponent(`SELECT ${RECORD_FIELDS.join(', ')} FROM ${OBJECT_OF[type]} WHERE Id IN ${soqlList(ids)}`)}`,
          )
        ).body.records;
  const instanceUrl = await transport.instanceUrl();
  const duplicates = rows.map((row) => toCrmRecord(row, type, instanceUrl));
  const names = duplicates.map((d) => d.name).join(', ');
  return new DuplicateRecordsError({
    code: error.code,
    message: `Salesforce's duplicate rule blocks a new ${type}: it matches ${names || 'an existing record'}. Link that record instead.`,
    duplicates,
  });
}
