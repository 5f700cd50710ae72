import type { QueryAnswer, SoqlRow } from '../../src/crms/salesforce/mapping.js';
import type { SalesforceTransport } from '../../src/crms/salesforce/transport.js';

/** Every row a SOQL query answers, following nextRecordsUrl past the first page. */
export async function queryAll(transport: SalesforceTransport, soql: string): Promise<SoqlRow[]> {
  let answer = (await transport.request<QueryAnswer>('GET', `query?q=${encodeURIComponent(soql)}`)).body;
  const rows = [...answer.records];
  while (!answer.done && answer.nextRecordsUrl) {
    answer = (await transport.request<QueryAnswer>('GET', answer.nextRecordsUrl)).body;
    rows.push(...answer.records);
  }
  return rows;
}
