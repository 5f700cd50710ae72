/** SOSL search terms: values go into a FIND clause escaped, never raw. */

/**
 * SOSL reference, "FIND {SearchQuery}", Reserved Characters: `? & | ! { } [ ] ( ) ^ ~ * : \ " ' + -`
 * "must be escaped (preceded by the backslash \ character) to be properly interpreted. An error occurs
 * if you do not precede reserved characters with a backslash. This is true even if the SearchQuery is
 * enclosed in double quotes."
 */
const RESERVED = /[?&|!{}[\]()^~*:\\"'+-]/g;

export function soslTerm(text: string): string {
  return text.replace(RESERVED, (c) => `\\${c}`);
}

/**
 * Characters a search query may have and keep its operators. Same page: "If the SearchQuery string is
 * longer than 10,000 characters, no result rows are returned. If SearchQuery is longer than 4,000
 * characters, any logical operators are removed."
 */
export const SEARCH_QUERY_MAX = 4000;

/** `a OR b OR c`, each term escaped. */
export function anyOf(terms: readonly string[]): string {
  return terms.map(soslTerm).join(' OR ');
}
