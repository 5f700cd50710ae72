/** SOQL literals: values go into queries as quoted strings, never raw. */

/** A SOQL string literal; backslash and quote escaped as the SOQL reference requires. */
export function soqlString(value: string): string {
  return `'${escapeLiteral(value)}'`;
}

function escapeLiteral(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** `('a', 'b')` for IN; callers keep lists short enough for the 100,000-character query limit. */
export function soqlList(values: readonly string[]): string {
  return `(${values.map(soqlString).join(', ')})`;
}

/** A LIKE pattern matching `text` anywhere, with SOQL's wildcards in the text escaped. */
export function soqlContains(text: string): string {
  // \% and \_ are SOQL's escapes for a literal % or _ inside a LIKE pattern.
  return `'%${escapeLiteral(text).replace(/[%_]/g, (c) => `\\${c}`)}%'`;
}

/** Salesforce ids are 15 or 18 alphanumerics; anything else never reaches a query. */
export function isSalesforceId(value: string): boolean {
  return /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/.test(value);
}
