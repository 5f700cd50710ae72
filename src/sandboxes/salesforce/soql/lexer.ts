import { SalesforceError } from '../errors.js';

export type TokenKind = 'ident' | 'string' | 'number' | 'datetime' | 'op' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text; for strings, the characters between the quotes with escapes left in. */
  text: string;
  offset: number;
}

const OPERATORS = ['!=', '<>', '<=', '>=', '=', '<', '>'];
const PUNCTUATION = '(),.';
const DATE_LITERAL = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))?/;
const STRING_ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
  _: '\\_',
  '%': '\\%',
};

/**
 * An error where an org would report it: the query line, a caret under the column, then the detail.
 */
export function malformedQuery(query: string, offset: number, detail: string, errorCode = 'MALFORMED_QUERY') {
  const before = query.slice(0, offset);
  const row = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = query.indexOf('\n', offset);
  const line = query.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const column = offset - lineStart;
  return new SalesforceError({
    status: 400,
    errorCode,
    message: `\n${line}\n${' '.repeat(column)}^\nERROR at Row:${row}:Column:${column + 1}\n${detail}`,
  });
}

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Splits a SOQL statement into tokens; keywords stay identifiers and the parser recognises them. */
export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      i++;
      while (i < query.length && query.charAt(i) !== "'") i += query.charAt(i) === '\\' ? 2 : 1;
      if (i >= query.length) throw malformedQuery(query, start, 'Unterminated string literal');
      tokens.push({ kind: 'string', text: query.slice(start + 1, i), offset: start });
      i++;
      continue;
    }
    const date = isDigit(c) ? DATE_LITERAL.exec(query.slice(i)) : null;
    if (date) {
      tokens.push({ kind: 'datetime', text: date[0], offset: start });
      i += date[0].length;
      continue;
    }
    if (isDigit(c) || ((c === '-' || c === '+') && isDigit(query.charAt(i + 1)))) {
      i++;
      while (isDigit(query.charAt(i)) || query.charAt(i) === '.') i++;
      tokens.push({ kind: 'number', text: query.slice(start, i), offset: start });
      continue;
    }
    if (isIdentStart(c)) {
      while (i < query.length && (isIdentStart(query.charAt(i)) || isDigit(query.charAt(i)))) i++;
      tokens.push({ kind: 'ident', text: query.slice(start, i), offset: start });
      continue;
    }
    const op = OPERATORS.find((o) => query.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', text: op, offset: start });
      i += op.length;
      continue;
    }
    if (PUNCTUATION.includes(c)) {
      tokens.push({ kind: 'punct', text: c, offset: start });
      i++;
      continue;
    }
    throw malformedQuery(query, start, `unexpected token: '${c}'`);
  }
  tokens.push({ kind: 'eof', text: '<EOF>', offset: query.length });
  return tokens;
}

/**
 * The value of a string literal. Escaped `%` and `_` keep their backslash so LIKE can tell them from
 * wildcards; the parser drops it for every other operator.
 */
export function unescapeString(query: string, token: Token): string {
  let out = '';
  for (let i = 0; i < token.text.length; i++) {
    const c = token.text.charAt(i);
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = token.text.charAt(++i);
    const replacement = STRING_ESCAPES[next];
    if (replacement === undefined) {
      throw malformedQuery(
        query,
        token.offset,
        `Invalid string literal '${token.text}'. Illegal character sequence '\\${next}' in string literal.`,
      );
    }
    out += replacement;
  }
  return out;
}

/** A LIKE pattern as an anchored, case-insensitive regular expression (LIKE ignores case in SOQL). */
export function likeToRegExp(likeText: string): RegExp {
  let source = '';
  for (let i = 0; i < likeText.length; i++) {
    const c = likeText.charAt(i);
    if (c === '\\' && (likeText.charAt(i + 1) === '%' || likeText.charAt(i + 1) === '_')) {
      source += likeText.charAt(++i);
    } else if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}
