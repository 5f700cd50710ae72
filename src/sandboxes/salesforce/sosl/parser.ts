/**
 * The SOSL an adapter sends (SOSL reference, "SOSL Syntax"):
 *
 *   FIND {SearchQuery} [IN SearchGroup FIELDS] [RETURNING Object[(Fields [WHERE …] [ORDER BY …]
 *   [LIMIT n] [OFFSET n])], …] [LIMIT n]
 *
 * The clauses after FIND are SOQL-like and read with the SOQL lexer; each RETURNING object's field
 * list and WHERE are kept as text and run later through the SOQL engine. Other clauses (WITH …,
 * UPDATE …) are refused as malformed.
 */
import { SalesforceError } from '../errors.js';
import { type Token, tokenize } from '../soql/lexer.js';
import { malformedSearch, parseSearchQuery, type SearchExpr } from './search-query.js';

export type SearchGroup = 'ALL' | 'NAME' | 'EMAIL' | 'PHONE' | 'SIDEBAR';

export interface ReturningSpec {
  object: string;
  offset: number;
  /** The field list as written, e.g. `Id, Name, Phone`; undefined when the object has no parentheses. */
  fields: string | undefined;
  /** The condition after WHERE, as written. */
  where: string | undefined;
  /** ORDER BY, LIMIT and OFFSET inside the parentheses, as written. */
  tail: string;
}

export interface SoslQuery {
  expr: SearchExpr;
  /** Characters between the braces: past 10,000 no rows are returned. */
  searchQueryLength: number;
  /** "If unspecified, the default is ALL FIELDS." */
  searchGroup: SearchGroup;
  returning: ReturningSpec[];
  limit: number | undefined;
}

const SEARCH_GROUPS = new Set<string>(['ALL', 'NAME', 'EMAIL', 'PHONE', 'SIDEBAR']);
const SPEC_CLAUSES = new Set(['where', 'order', 'limit', 'offset']);

export function parseSosl(sosl: string): SoslQuery {
  const find = /^\s*FIND\s*\{/i.exec(sosl);
  if (!find) {
    const at = sosl.search(/\S/);
    throw malformedSearch(
      sosl,
      Math.max(at, 0),
      `unexpected token: ${sosl.trim().split(/\s/)[0] ?? '<EOF>'}`,
    );
  }
  const { expr, end, length } = parseSearchQuery(sosl, find[0].length);
  return { expr, searchQueryLength: length, ...new ClauseParser(sosl, end + 1).parse() };
}

class ClauseParser {
  private readonly tokens: Token[];
  private position = 0;

  constructor(
    private readonly sosl: string,
    start: number,
  ) {
    try {
      // Blanks in place of the FIND clause keep token offsets those of the whole statement.
      this.tokens = tokenize(' '.repeat(start) + sosl.slice(start));
    } catch (error) {
      if (!(error instanceof SalesforceError)) throw error;
      throw malformedSearch(sosl, start, error.message.split('\n').at(-1) ?? 'unexpected token');
    }
  }

  parse(): Omit<SoslQuery, 'expr' | 'searchQueryLength'> {
    let searchGroup: SearchGroup = 'ALL';
    if (this.acceptKeyword('in')) {
      const group = this.expect('ident');
      if (!SEARCH_GROUPS.has(group.text.toUpperCase())) throw this.unexpected(group);
      this.expectKeyword('fields');
      searchGroup = group.text.toUpperCase() as SearchGroup;
    }
    const returning: ReturningSpec[] = [];
    if (this.acceptKeyword('returning')) {
      do returning.push(this.parseSpec());
      while (this.acceptPunct(','));
    }
    const limit = this.acceptKeyword('limit') ? Number(this.expect('number').text) : undefined;
    if (this.peek().kind !== 'eof') throw this.unexpected(this.peek());
    return { searchGroup, returning, limit };
  }

  private parseSpec(): ReturningSpec {
    const name = this.expect('ident');
    const spec: ReturningSpec = {
      object: name.text,
      offset: name.offset,
      fields: undefined,
      where: undefined,
      tail: '',
    };
    if (!this.acceptPunct('(')) return spec;
    const fieldsStart = this.peek().offset;
    let depth = 0;
    let whereAt: Token | undefined;
    let tailAt: Token | undefined;
    for (;;) {
      const token = this.peek();
      if (token.kind === 'eof') throw this.unexpected(token);
      if (token.kind === 'punct' && token.text === '(') depth++;
      if (token.kind === 'punct' && token.text === ')') {
        if (depth === 0) break;
        depth--;
      }
      if (depth === 0 && token.kind === 'ident' && SPEC_CLAUSES.has(token.text.toLowerCase())) {
        if (token.text.toLowerCase() === 'where') whereAt ??= token;
        else tailAt ??= token;
      }
      this.position++;
    }
    const close = this.peek().offset;
    this.position++;
    const fieldsEnd = whereAt?.offset ?? tailAt?.offset ?? close;
    spec.fields = this.sosl.slice(fieldsStart, fieldsEnd).trim() || undefined;
    if (whereAt)
      spec.where = this.sosl.slice(whereAt.offset + 'where'.length, tailAt?.offset ?? close).trim();
    if (tailAt) spec.tail = this.sosl.slice(tailAt.offset, close).trim();
    return spec;
  }

  private peek(): Token {
    return this.tokens[this.position] ?? { kind: 'eof', text: '<EOF>', offset: this.sosl.length };
  }

  private acceptKeyword(word: string): boolean {
    const token = this.peek();
    if (token.kind !== 'ident' || token.text.toLowerCase() !== word) return false;
    this.position++;
    return true;
  }

  private expectKeyword(word: string): void {
    if (!this.acceptKeyword(word)) throw this.unexpected(this.peek());
  }

  private acceptPunct(text: string): boolean {
    const token = this.peek();
    if (token.kind !== 'punct' || token.text !== text) return false;
    this.position++;
    return true;
  }

  private expect(kind: Token['kind']): Token {
    const token = this.peek();
    if (token.kind !== kind) throw this.unexpected(token);
    this.position++;
    return token;
  }

  private unexpected(token: Token) {
    return malformedSearch(
      this.sosl,
      token.offset,
      `unexpected token: ${token.kind === 'eof' ? '<EOF>' : token.text}`,
    );
  }
}
