/**
 * sObject Collections subrequests inside a Composite call. "If the Composite request has allOrNone set
 * to true, then the all-or-none behavior also applies to each of the sObject Collections subrequests,
 * overriding the value of allOrNone in the subrequests" (REST API Developer Guide, "allOrNone
 * Parameters in Composite and Collections Requests"): one record refused rolls the whole Composite
 * call back, although a collection answers 200 with the refusal inside its per-record results.
 */

export function isCollectionsUrl(url: string): boolean {
  return /\/composite\/sobjects(?:\/|$)/.test(url.split('?')[0] ?? '');
}

/** The subrequest's body with allOrNone forced on when the Composite call is all-or-none. */
export function collectionBodyUnder(compositeAllOrNone: boolean, url: string, body: unknown): unknown {
  if (!compositeAllOrNone || !isCollectionsUrl(url)) return body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  return { ...body, allOrNone: true };
}

/**
 * Whether a collections subrequest refused a record (unverified: how an org reports such a subrequest
 * in the Composite answer; the sandbox keeps its status and per-record results, and halts the others).
 */
export function collectionRefusedARecord(url: string, responseBody: unknown): boolean {
  return (
    isCollectionsUrl(url) &&
    Array.isArray(responseBody) &&
    responseBody.some(
      (item) =>
        item !== null && typeof item === 'object' && (item as { success?: unknown }).success === false,
    )
  );
}
