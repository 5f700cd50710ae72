import { salesforceError } from './errors.js';
import type { QueryAnswer, SoqlRow } from './mapping.js';
import type { SalesforceTransport } from './transport.js';

/**
 * Queries per Composite call. REST API Developer Guide, "Send Multiple Requests Using Composite": "You
 * can have up to 25 subrequests in a single call. Up to 5 of these subrequests can be sObject
 * Collections or query operations, including Query and QueryAll requests."
 */
const QUERIES_PER_COMPOSITE = 5;

interface CompositeAnswer {
  compositeResponse: { body: unknown; httpStatusCode: number; referenceId: string }[];
}

/**
 * Runs many SOQL queries in as few calls as Composite allows (5 per call), answering each query's
 * rows in order. A query travels in the request body, not the URL: a URL and its headers may not
 * exceed 16,384 bytes, which a lookup of a few hundred phone spellings would. Results beyond the
 * first page are fetched through their nextRecordsUrl.
 */
export async function queryMany(
  transport: SalesforceTransport,
  soqls: readonly string[],
): Promise<SoqlRow[][]> {
  const results: SoqlRow[][] = [];
  for (let start = 0; start < soqls.length; start += QUERIES_PER_COMPOSITE) {
    const chunk = soqls.slice(start, start + QUERIES_PER_COMPOSITE);
    const answer = await transport.request<CompositeAnswer>('POST', 'composite', {
      allOrNone: false,
      compositeRequest: chunk.map((soql, i) => ({
        method: 'GET',
        url: `/services/data/v${transport.apiVersion}/query?q=${encodeURIComponent(soql)}`,
        referenceId: `q${i}`,
      })),
    });
    for (const [i] of chunk.entries()) {
      const sub = answer.body.compositeResponse.find((r) => r.referenceId === `q${i}`);
      if (!sub || sub.httpStatusCode >= 400)
        throw salesforceError(sub?.httpStatusCode ?? 500, sub?.body, null);
      let page = sub.body as QueryAnswer;
      const rows = [...page.records];
      while (!page.done && page.nextRecordsUrl) {
        page = (await transport.request<QueryAnswer>('GET', page.nextRecordsUrl)).body;
        rows.push(...page.records);
      }
      results.push(rows);
    }
  }
  return results;
}
